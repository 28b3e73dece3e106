"""The API: personal tokens, and webhooks with their deliveries."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class ApiToken(db.Model):
    """A personal API token. Only the SHA-256 of the secret is kept; the secret is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # The first characters of the secret, to recognise a token in the list ("fj_Ab3x…").
    prefix: Mapped[str] = mapped_column(sa.String(16))
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # Space-separated "<area>:<read|write>"; write implies read (services.api.tokens.SCOPE_AREAS).
    scopes: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id} {self.prefix}>"


class Webhook(db.Model):
    """An organiser's URL told about a contest's events, signed with its secret."""

    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(sa.String(2000))
    # Space-separated event names (services.api.webhooks.EVENTS).
    events: Mapped[str] = mapped_column(sa.String(300))
    secret: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Deliveries failed in a row (every attempt of each); at WEBHOOK_MAX_FAILURES it is disabled.
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Webhook {self.id} contest={self.contest_id}>"


class WebhookDelivery(db.Model):
    """One event sent (or to be sent) to one webhook, with its attempts."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(sa.String(64))
    # The exact bytes signed and sent, so every retry sends the same body.
    body: Mapped[str] = mapped_column(sa.Text)
    # pending (an attempt is due at next_attempt_at), delivered, failed (no attempt left).
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    response_code: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
    )

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} webhook={self.webhook_id} {self.event} {self.status}>"
