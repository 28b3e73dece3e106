"""The audit log: who changed what, when, from which value to which."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contest.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[int | None] = mapped_column()
    old: Mapped[dict | None] = mapped_column(sa.JSON)
    new: Mapped[dict | None] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)

    actor = relationship("User")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.object_type}:{self.object_id}>"
