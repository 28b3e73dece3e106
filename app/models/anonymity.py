"""The anonymity check: what in an entry may still identify its entrant, and the organiser's decision."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime

FINDING_SOURCES = ("title", "answer", "file_text", "file_meta", "file_name")
FINDING_STATUSES = ("open", "harmless", "replace", "accepted")


class AnonymityFinding(db.Model):
    __tablename__ = "anonymity_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contest.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachment.id", ondelete="SET NULL"))
    # Where: the title, an answer (location = the field's key), a file's text (with the page),
    # a file's metadata (location = the property) or a file's name.
    source: Mapped[str] = mapped_column(sa.String(16))
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    page: Mapped[int | None] = mapped_column()
    snippet: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    # "replace": the entrant is asked to replace the file by this moment, with this message.
    replace_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())

    entry = relationship("Entry")
    attachment = relationship("Attachment")

    __table_args__ = (
        sa.CheckConstraint("source IN ('title', 'answer', 'file_text', 'file_meta', 'file_name')",
                           name="source"),
        sa.CheckConstraint("status IN ('open', 'harmless', 'replace', 'accepted')", name="status"),
        sa.Index("ix_anonymity_finding_contest_status", "contest_id", "status"),
    )

    def __repr__(self) -> str:
        return f"<AnonymityFinding {self.id} entry={self.entry_id} {self.source} {self.status}>"
