"""Entries (applications), their attachments and the rounds they are in."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime

ENTRY_STATUSES = ("draft", "submitted", "withdrawn")


class Entry(db.Model):
    __tablename__ = "entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contest.id", ondelete="CASCADE"))
    # The entry number shown to people; given on first submit, unique within the contest.
    number: Mapped[int | None] = mapped_column()
    nomination_id: Mapped[int | None] = mapped_column(sa.ForeignKey("nomination.id"))
    entrant_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    organisation: Mapped[str] = mapped_column(sa.String(500), default="")
    inn: Mapped[str | None] = mapped_column(sa.String(12))
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    eligible: Mapped[bool | None] = mapped_column()
    ineligible_reason: Mapped[str | None] = mapped_column(sa.Text)
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The title as the organiser checked it names no one; judges of blind rounds see the title only
    # while it still equals this (an edit after the check hides it again).
    title_checked: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    contest = relationship("Contest")
    nomination = relationship("Nomination")
    entrant = relationship("User")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="entry", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("contest_id", "number"),
        sa.CheckConstraint("status IN ('draft', 'submitted', 'withdrawn')", name="status"),
        sa.CheckConstraint(
            "status = 'draft' OR submitted_at IS NOT NULL OR status = 'withdrawn'",
            name="submitted_has_time",
        ),
        sa.Index("ix_entry_contest_status", "contest_id", "status"),
    )

    def __repr__(self) -> str:
        return f"<Entry {self.id} #{self.number} {self.status}>"


class Attachment(db.Model):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("entry.id", ondelete="CASCADE"), index=True
    )
    field_key: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content_type: Mapped[str] = mapped_column(sa.String(200))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    entry: Mapped[Entry] = relationship(back_populates="attachments")

    __table_args__ = (sa.CheckConstraint("size > 0", name="size_positive"),)

    def __repr__(self) -> str:
        return f"<Attachment {self.id} entry={self.entry_id} {self.filename}>"


class EntryRound(db.Model):
    """An entry taking part in a round: every eligible entry in round 1, advanced ones later."""

    __tablename__ = "entry_round"

    entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True
    )
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<EntryRound entry={self.entry_id} round={self.round_id}>"
