"""People: one account per person; roles are per contest."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    locale: Mapped[str] = mapped_column(sa.String(5), default="ru")
    organisation: Mapped[str | None] = mapped_column(sa.String(300))
    inn: Mapped[str | None] = mapped_column(sa.String(12))
    is_admin: Mapped[bool] = mapped_column(default=False)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set on password change; old reset links carry a fingerprint of the hash and stop working.
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the id every session and remember-me cookie holds (get_id): raising it ends them all
    # (log out everywhere, a password changed or reset).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (sa.CheckConstraint("locale IN ('ru', 'en')", name="locale"),)

    # Not a column: services.accounts.Roles, read with the account for a session (load_signed_in).
    roles = None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: "<id>:<session version>"."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None
