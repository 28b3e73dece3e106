"""Scheduled reminders: which were sent (each once), and who asked not to get them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class ReminderSent(db.Model):
    """One reminder of a kind ("judging", "draft") to one person for one round and one slot
    (days before the window closes); the unique key is what makes each one go out once."""

    __tablename__ = "reminder_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    days_before: Mapped[int] = mapped_column()
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("kind", "round_id", "user_id", "days_before", name="uq_reminder_sent_once"),
    )


class ReminderOptOut(db.Model):
    """A person who followed the opt-out link of a reminder: no scheduled reminders any more."""

    __tablename__ = "reminder_opt_out"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
