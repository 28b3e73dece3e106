"""Grant funds and the allocation of a round's fund (DESIGN §3b)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime

MONEY = sa.Numeric(18, 2)


class Fund(db.Model):
    """Money to give: one per nomination, or one for the whole contest (no nomination)."""

    __tablename__ = "fund"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contest.id", ondelete="CASCADE"))
    nomination_id: Mapped[int | None] = mapped_column(sa.ForeignKey("nomination.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(sa.String(3), default="RUB")
    min_grant: Mapped[Decimal | None] = mapped_column(MONEY)
    max_grant: Mapped[Decimal | None] = mapped_column(MONEY)

    nomination = relationship("Nomination")

    __table_args__ = (
        sa.UniqueConstraint("contest_id", "nomination_id"),
        sa.CheckConstraint("amount >= 0", name="amount"),
        sa.CheckConstraint("min_grant IS NULL OR min_grant >= 0", name="min_grant"),
        sa.CheckConstraint("max_grant IS NULL OR max_grant > 0", name="max_grant"),
        sa.CheckConstraint("min_grant IS NULL OR max_grant IS NULL OR min_grant <= max_grant",
                           name="grant_range"),
    )

    def __repr__(self) -> str:
        return f"<Fund {self.id} contest={self.contest_id} nomination={self.nomination_id}>"


class FundingPlan(db.Model):
    """A finalised round's allocation: the rule chosen, the organiser's cuts, and once confirmed
    the allocation frozen as it was (`data`, the proposal's JSON)."""

    __tablename__ = "funding_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), unique=True)
    rule: Mapped[str] = mapped_column(sa.String(16), default="skip")
    objective: Mapped[str] = mapped_column(sa.String(16), default="score")
    # {entry id (text): {"amount": "100000.00", "reason": "…"}}
    cuts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    show_amounts: Mapped[bool] = mapped_column(default=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    data: Mapped[dict | None] = mapped_column(sa.JSON)

    round = relationship("Round")

    __table_args__ = (
        sa.CheckConstraint("rule IN ('strict', 'skip', 'best')", name="rule"),
        sa.CheckConstraint("objective IN ('score', 'count')", name="objective"),
    )

    def __repr__(self) -> str:
        return f"<FundingPlan {self.id} round={self.round_id} {self.rule}>"

    def granted(self) -> dict[int, Decimal]:
        """The confirmed allocation: per entry id, the amount granted (empty until confirmed)."""
        if self.confirmed_at is None or not self.data:
            return {}
        return {int(entry_id): Decimal(amount) for entry_id, amount in self.data.get("granted", {}).items()}


def confirmed_grants(round_id: int) -> dict[int, Decimal]:
    """The granted amounts of a round's confirmed allocation (one query), for readers below the
    funding service (results exports and pages): empty when no allocation is confirmed."""
    plan = db.session.scalar(sa.select(FundingPlan).where(
        FundingPlan.round_id == round_id, FundingPlan.confirmed_at.is_not(None)))
    return plan.granted() if plan is not None else {}


def published_grants(round_ids: list[int]) -> dict[int, dict[int, tuple[Decimal, str]]]:
    """Per round, per entry id, (amount, currency) of the confirmed allocations the organiser chose
    to show with the published results (one query)."""
    if not round_ids:
        return {}
    plans = db.session.scalars(sa.select(FundingPlan).where(
        FundingPlan.round_id.in_(round_ids), FundingPlan.confirmed_at.is_not(None),
        FundingPlan.show_amounts.is_(True)))
    shown: dict[int, dict[int, tuple[Decimal, str]]] = {}
    for plan in plans:
        amounts = shown.setdefault(plan.round_id, {})
        for fund in (plan.data or {}).get("funds", []):
            for item in fund["funded"]:
                amounts[item["entry_id"]] = (Decimal(item["granted"]), fund.get("currency") or "RUB")
    return shown
