"""Frozen rankings and awards."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import Localised, UTCDateTime


class RankingSnapshot(db.Model):
    """A round's ranking as it stood when the organiser finalised the round."""

    __tablename__ = "ranking_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    data: Mapped[dict] = mapped_column(sa.JSON)
    # Set when the round is reopened; the snapshot is kept for the record.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by = relationship("User")

    def __repr__(self) -> str:
        return f"<RankingSnapshot {self.id} round={self.round_id}>"


class Award(Localised, db.Model):
    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contest.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id", ondelete="CASCADE"))
    nomination_id: Mapped[int | None] = mapped_column(sa.ForeignKey("nomination.id"))
    # A place in the nomination (1, 2, 3 …) or, with no place, a special prize.
    place: Mapped[int | None] = mapped_column()
    title_ru: Mapped[str] = mapped_column(sa.String(300), default="")
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")

    entry = relationship("Entry")

    __table_args__ = (sa.CheckConstraint("place IS NULL OR place >= 1", name="place"),)

    def __repr__(self) -> str:
        return f"<Award {self.id} entry={self.entry_id} place={self.place}>"
