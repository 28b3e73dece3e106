"""What the organiser types into a protocol before printing it."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class ProtocolDetails(db.Model):
    """The meeting a protocol records: of one round, or of the whole contest (round_id NULL)."""

    __tablename__ = "protocol_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"))
    meeting_date: Mapped[date | None] = mapped_column(sa.Date)
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    # The members present, one per line, as they will be printed.
    present: Mapped[str] = mapped_column(sa.Text, default="")
    quorum: Mapped[str] = mapped_column(sa.String(300), default="")
    chair: Mapped[str] = mapped_column(sa.String(200), default="")
    secretary: Mapped[str] = mapped_column(sa.String(200), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (sa.UniqueConstraint("contest_id", "round_id"),)

    def __repr__(self) -> str:
        return f"<ProtocolDetails {self.id} contest={self.contest_id} round={self.round_id}>"
