"""Disagreement between judges (DESIGN §3.6).

An entry's spread is max T − min T over its submitted reviews in a round. The entry is flagged
when the spread is at or above the round's threshold (default 30 % of the round's maximum),
unless every total is below the pass mark.

The rule is written once, in integer hundredths of a point (`FlagLimits`): totals have at most two
decimals, so a spread or a maximum in whole hundredths compared with the limits rounded up to whole
hundredths gives exactly the same answer as the decimal comparison (for an integer x and any y,
x ≥ y ⇔ x ≥ ⌈y⌉ and x < y ⇔ x < ⌈y⌉). SQL applies it in a HAVING clause; the ranking applies it to
the extremes it has already read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Review, Round


def cents(expression):
    """SQL: a total (at most two decimals) as an exact integer number of hundredths; exact on
    SQLite too, where totals are binary floats."""
    return sa.cast(sa.func.round(expression * 100), sa.BigInteger)


# Totals are stored with four decimal places and have always been shown (CSV, progress pages) on
# that scale: 12.5 reads "12.5000".
_TOTAL_PLACES = Decimal("0.0001")


def total_from_cents(value: int) -> Decimal:
    """A total (or spread) in hundredths back as the Decimal the total column holds."""
    return (Decimal(value) / 100).quantize(_TOTAL_PLACES)


def _ceiling_cents(value: Decimal) -> int:
    return int((Decimal(value) * 100).to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class FlagLimits:
    """The round's flag rule in whole hundredths: threshold and pass mark, rounded up."""

    threshold: int
    pass_mark: int | None

    def flagged(self, low: int, high: int) -> bool:
        """Whether totals from `low` to `high` (in hundredths) are flagged."""
        if high - low < self.threshold:
            return False
        return self.pass_mark is None or high >= self.pass_mark

    def clause(self, low, high):
        """The same rule as an SQL condition on integer-hundredths expressions."""
        condition = high - low >= self.threshold
        if self.pass_mark is not None:
            condition = sa.and_(condition, high >= self.pass_mark)
        return condition


def flag_limits(round_: Round) -> FlagLimits:
    pass_mark = None if round_.pass_mark is None else _ceiling_cents(round_.pass_mark)
    return FlagLimits(threshold=_ceiling_cents(round_.effective_disagreement_threshold), pass_mark=pass_mark)


@dataclass(frozen=True)
class DisagreementRow:
    entry_id: int
    reviews: int
    low: Decimal
    high: Decimal
    spread: Decimal
    all_below_pass_mark: bool
    flagged: bool


def disagreement_rows(round_: Round) -> list[DisagreementRow]:
    """Every entry with a submitted review in the round, in one query, ordered by entry id."""
    high = sa.func.max(Review.total)
    low = sa.func.min(Review.total)
    query = (
        sa.select(
            Review.entry_id,
            sa.func.count(Review.id),
            cents(low),
            cents(high),
        )
        .where(Review.round_id == round_.id, Review.status == "submitted")
        .group_by(Review.entry_id)
        .order_by(Review.entry_id)
    )
    limits = flag_limits(round_)
    rows = []
    for entry_id, count, low_cents, high_cents in db.session.execute(query):
        below = limits.pass_mark is not None and high_cents < limits.pass_mark
        rows.append(DisagreementRow(
            entry_id=entry_id, reviews=count, low=total_from_cents(low_cents), high=total_from_cents(high_cents),
            spread=total_from_cents(high_cents - low_cents), all_below_pass_mark=below,
            flagged=limits.flagged(low_cents, high_cents),
        ))
    return rows


def flagged_entry_ids(round_: Round) -> list[int]:
    """The entries of the round whose judges disagree (DESIGN §3.6), by entry id: the rule is a
    HAVING clause, so only the flagged ids leave the database."""
    limits = flag_limits(round_)
    query = (
        sa.select(Review.entry_id)
        .where(Review.round_id == round_.id, Review.status == "submitted")
        .group_by(Review.entry_id)
        .having(limits.clause(cents(sa.func.min(Review.total)), cents(sa.func.max(Review.total))))
        .order_by(Review.entry_id)
    )
    return list(db.session.scalars(query))
