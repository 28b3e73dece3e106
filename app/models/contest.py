"""A contest and its set-up: organisers, nominations, rounds, criteria and the form."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import limits
from app.models.types import Localised, UTCDateTime

METHODS = ("mean", "median", "trimmed", "zscore")
FIELD_TYPES = ("text", "textarea", "number", "date", "select", "checkbox", "file", "amount")


class Contest(Localised, db.Model):
    __tablename__ = "contest"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title_ru: Mapped[str] = mapped_column(sa.String(300), default="")
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    description_ru: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Moscow")
    # The conflict-of-interest and confidentiality declaration judges sign.
    declaration_ru: Mapped[str] = mapped_column(sa.Text, default="")
    declaration_en: Mapped[str] = mapped_column(sa.Text, default="")
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # None: a draft, seen only by its organisers (and administrators) until they announce it.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The languages the contest is held in: "ru,en", or "ru" / "en" alone (its public pages and
    # forms then speak only that one, and set-up asks for no texts in the other).
    languages: Mapped[str] = mapped_column(sa.String(8), default="ru,en", server_default="ru,en")

    @property
    def language_list(self) -> list[str]:
        return [code for code in (self.languages or "ru,en").split(",") if code] or ["ru", "en"]

    def offers(self, language: str) -> bool:
        return language in self.language_list

    nominations: Mapped[list[Nomination]] = relationship(
        back_populates="contest", order_by="Nomination.position", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[Round]] = relationship(
        back_populates="contest", order_by="Round.position", cascade="all, delete-orphan"
    )
    form_fields: Mapped[list[FormField]] = relationship(
        back_populates="contest", order_by="FormField.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Contest {self.id} {self.slug}>"

    @property
    def is_draft(self) -> bool:
        return self.announced_at is None

    @property
    def is_published(self) -> bool:
        return self.results_published_at is not None


class ContestOrganiser(db.Model):
    __tablename__ = "contest_organiser"

    contest_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contest.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )

    user = relationship("User")

    def __repr__(self) -> str:
        return f"<ContestOrganiser contest={self.contest_id} user={self.user_id}>"


class Nomination(Localised, db.Model):
    __tablename__ = "nomination"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contest.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64))
    title_ru: Mapped[str] = mapped_column(sa.String(300), default="")
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    position: Mapped[int] = mapped_column(default=0)

    contest: Mapped[Contest] = relationship(back_populates="nominations")

    __table_args__ = (sa.UniqueConstraint("contest_id", "key"),)

    def __repr__(self) -> str:
        return f"<Nomination {self.id} {self.key}>"


class Round(Localised, db.Model):
    __tablename__ = "round"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contest.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64))
    title_ru: Mapped[str] = mapped_column(sa.String(300), default="")
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    intake_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    intake_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    judging_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    judging_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviews_per_entry: Mapped[int] = mapped_column(default=2)
    method: Mapped[str] = mapped_column(sa.String(16), default="mean")
    pass_mark: Mapped[Decimal | None] = mapped_column(sa.Numeric(limits.POINTS_DIGITS, limits.POINTS_PLACES))
    # None means the default: 30 % of the round's maximum (DESIGN §3.6).
    disagreement_threshold: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(limits.POINTS_DIGITS, limits.POINTS_PLACES))
    blind: Mapped[bool] = mapped_column(default=False)
    # In a blind round, entries' titles are shown as entered only when the organiser says they name
    # no one; otherwise as "Application No. N" until the organiser has checked each title.
    titles_safe: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    weight: Mapped[Decimal | None] = mapped_column(sa.Numeric(limits.WEIGHT_DIGITS, limits.WEIGHT_PLACES))
    # Organisers may open other judges' scores to the jury once judging has closed.
    scores_open_to_jury: Mapped[bool] = mapped_column(default=False)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # Raised in the same transaction as every change that can change the round's ranking (a
    # submitted review written, by the database's review triggers; rules, entries, conflicts,
    # finalising and reopening, imports, by results.cache's flush hook): the ranking cache's key.
    # A new round starts at a random version, so a round id used again (SQLite reuses the highest
    # id once its row is deleted) does not meet a ranking kept for the old round.
    ranking_version: Mapped[int] = mapped_column(sa.BigInteger, default=lambda: secrets.randbits(40),
                                                 server_default="0")

    contest: Mapped[Contest] = relationship(back_populates="rounds")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="round", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    tie_breaks: Mapped[list[TieBreak]] = relationship(
        order_by="TieBreak.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("contest_id", "key"),
        sa.CheckConstraint("reviews_per_entry >= 1", name="reviews_per_entry"),
        sa.CheckConstraint(
            "method IN ('mean', 'median', 'trimmed', 'zscore')", name="method"
        ),
        sa.CheckConstraint("weight IS NULL OR weight > 0", name="weight"),
        sa.CheckConstraint(
            "intake_closes_at IS NULL OR intake_opens_at IS NULL "
            "OR intake_opens_at < intake_closes_at",
            name="intake_window",
        ),
        sa.CheckConstraint(
            "judging_closes_at IS NULL OR judging_opens_at IS NULL "
            "OR judging_opens_at < judging_closes_at",
            name="judging_window",
        ),
    )

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.key}>"

    @property
    def maximum(self) -> Decimal:
        """The round's maximum total, Σ w_c · max_c (DESIGN §3.1)."""
        return sum((c.weight * c.max_score for c in self.criteria), Decimal(0))

    @property
    def effective_disagreement_threshold(self) -> Decimal:
        if self.disagreement_threshold is not None:
            return self.disagreement_threshold
        return self.maximum * Decimal("0.3")

    @property
    def tie_break_criteria(self) -> list[Criterion]:
        return [tb.criterion for tb in self.tie_breaks]


class Criterion(Localised, db.Model):
    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64))
    title_ru: Mapped[str] = mapped_column(sa.String(500), default="")
    title_en: Mapped[str] = mapped_column(sa.String(500), default="")
    description_ru: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    anchors_ru: Mapped[str] = mapped_column(sa.Text, default="")
    anchors_en: Mapped[str] = mapped_column(sa.Text, default="")
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(limits.WEIGHT_DIGITS, limits.WEIGHT_PLACES))
    min_score: Mapped[int] = mapped_column(default=0)
    max_score: Mapped[int] = mapped_column(default=10)
    comment_required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    round: Mapped[Round] = relationship(back_populates="criteria")

    __table_args__ = (
        sa.UniqueConstraint("round_id", "key"),
        # Scores reference (id, min_score, max_score) so the database keeps them in scale.
        sa.UniqueConstraint("id", "min_score", "max_score", name="uq_criterion_scale"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
        sa.CheckConstraint("min_score < max_score", name="scale"),
    )

    def __repr__(self) -> str:
        return f"<Criterion {self.id} {self.key}>"


class TieBreak(db.Model):
    """A round's tie-break criteria, in the order the organiser set (DESIGN §3.4)."""

    __tablename__ = "tie_break"

    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("criterion.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(default=0)

    criterion: Mapped[Criterion] = relationship()

    def __repr__(self) -> str:
        return f"<TieBreak round={self.round_id} criterion={self.criterion_id}>"


class FormField(Localised, db.Model):
    __tablename__ = "form_field"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contest.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64))
    type: Mapped[str] = mapped_column(sa.String(16))
    label_ru: Mapped[str] = mapped_column(sa.String(500), default="")
    label_en: Mapped[str] = mapped_column(sa.String(500), default="")
    help_ru: Mapped[str] = mapped_column(sa.Text, default="")
    help_en: Mapped[str] = mapped_column(sa.Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    max_length: Mapped[int | None] = mapped_column()
    # select: [{"value": "...", "label": {"ru": "...", "en": "..."}}]
    options: Mapped[list | None] = mapped_column(sa.JSON)
    # file: allowed extensions without the dot, and the per-file limit in bytes
    accept: Mapped[list | None] = mapped_column(sa.JSON)
    max_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The answer tells who the entrant is: hidden from judges in blind rounds (the organiser decides).
    identifying: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # amount (money, DESIGN §3b): its currency; whether it is the amount the entrant asks for; the
    # optional rules checked at submit: at most `max_amount`, and at least `min_share` per cent of
    # the amount answered in the field keyed `min_share_of` (co-funding against the budget).
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    requested: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    max_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))
    min_share_of: Mapped[str | None] = mapped_column(sa.String(64))
    min_share: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))

    contest: Mapped[Contest] = relationship(back_populates="form_fields")

    __table_args__ = (
        sa.UniqueConstraint("contest_id", "key"),
        sa.CheckConstraint(
            "type IN ('text', 'textarea', 'number', 'date', 'select', 'checkbox', 'file', 'amount')",
            name="type",
        ),
        sa.CheckConstraint("max_amount IS NULL OR max_amount > 0", name="max_amount"),
        sa.CheckConstraint("min_share IS NULL OR (min_share > 0 AND min_share <= 100)", name="min_share"),
        sa.CheckConstraint("max_length IS NULL OR max_length > 0", name="max_length"),
        sa.CheckConstraint("max_size IS NULL OR max_size > 0", name="max_size"),
    )

    def __repr__(self) -> str:
        return f"<FormField {self.id} {self.key} {self.type}>"
