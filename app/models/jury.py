"""The jury of a round, declarations, conflicts and assignments."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime

JURY_STATUSES = ("invited", "accepted", "declined")
CONFLICT_SOURCES = ("judge", "organiser", "auto")


class JuryMember(db.Model):
    __tablename__ = "jury_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))
    # Set once the invited person logs in and answers.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="invited")
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    organisation: Mapped[str | None] = mapped_column(sa.String(500))
    inn: Mapped[str | None] = mapped_column(sa.String(12))
    max_load: Mapped[int | None] = mapped_column()
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")
    expertise: Mapped[list[JuryExpertise]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("round_id", "email"),
        sa.CheckConstraint("status IN ('invited', 'accepted', 'declined')", name="status"),
        sa.CheckConstraint("max_load IS NULL OR max_load >= 0", name="max_load"),
    )

    def __repr__(self) -> str:
        return f"<JuryMember {self.id} round={self.round_id} {self.email} {self.status}>"


class JuryExpertise(db.Model):
    """The nominations a jury member knows best; assignment prefers them."""

    __tablename__ = "jury_expertise"

    jury_member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("jury_member.id", ondelete="CASCADE"), primary_key=True
    )
    nomination_id: Mapped[int] = mapped_column(
        sa.ForeignKey("nomination.id", ondelete="CASCADE"), primary_key=True
    )

    def __repr__(self) -> str:
        return f"<JuryExpertise member={self.jury_member_id} nomination={self.nomination_id}>"


class Declaration(db.Model):
    """A judge's signed conflict-of-interest and confidentiality declaration for a contest."""

    __tablename__ = "declaration"

    contest_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contest.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The text signed, in the language it was shown in.
    text: Mapped[str] = mapped_column(sa.Text, default="")

    def __repr__(self) -> str:
        return f"<Declaration contest={self.contest_id} user={self.user_id}>"


class Conflict(db.Model):
    __tablename__ = "conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("entry_id", "user_id"),
        sa.CheckConstraint("source IN ('judge', 'organiser', 'auto')", name="source"),
    )

    def __repr__(self) -> str:
        return f"<Conflict {self.id} entry={self.entry_id} user={self.user_id}>"


class Assignment(db.Model):
    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the judge has been told of it; assignments are announced in batches.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry = relationship("Entry")
    judge = relationship("User")

    __table_args__ = (
        # Also the index of a round's assignments. A (round, judge) index beside these two served
        # no query they do not, and cost a quarter of writing a round's 30,000 assignments.
        sa.UniqueConstraint("round_id", "entry_id", "judge_id"),
        # A judge's own assignments (the dashboard), read from the index alone. Without it SQLite
        # scanned all of a round's assignments (30,000 at contest scale) for one judge's 37.
        sa.Index("ix_assignment_judge_round_entry", "judge_id", "round_id", "entry_id"),
    )

    def __repr__(self) -> str:
        return f"<Assignment {self.id} round={self.round_id} entry={self.entry_id} judge={self.judge_id}>"
