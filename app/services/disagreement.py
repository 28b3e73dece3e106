"""Disagreement between judges (DESIGN §3.6).

An entry's spread is max T − min T over its submitted reviews in a round. The entry is flagged
when the spread is at or above the round's threshold (default 30 % of the round's maximum),
unless every total is below the pass mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Review, Round

# Totals are stored with 4 decimal places; the spread is read back on the same scale, so the
# comparison with the threshold below is exact on every database.
TOTAL_TYPE = sa.Numeric(14, 4)


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
    if round_.pass_mark is None:
        all_below = sa.false()
    else:
        all_below = sa.case((high < round_.pass_mark, sa.true()), else_=sa.false())
    query = (
        sa.select(
            Review.entry_id,
            sa.func.count(Review.id),
            sa.type_coerce(low, TOTAL_TYPE),
            sa.type_coerce(high, TOTAL_TYPE),
            sa.type_coerce(high - low, TOTAL_TYPE),
            sa.type_coerce(all_below, sa.Boolean),
        )
        .where(Review.round_id == round_.id, Review.status == "submitted")
        .group_by(Review.entry_id)
        .order_by(Review.entry_id)
    )
    threshold = Decimal(round_.effective_disagreement_threshold)
    rows = []
    for entry_id, count, low_total, high_total, spread, below in db.session.execute(query):
        spread = Decimal(spread)
        below = bool(below)
        rows.append(DisagreementRow(
            entry_id=entry_id, reviews=count, low=Decimal(low_total), high=Decimal(high_total),
            spread=spread, all_below_pass_mark=below, flagged=spread >= threshold and not below,
        ))
    return rows


def flagged_entry_ids(round_: Round) -> list[int]:
    """The entries of the round whose judges disagree (DESIGN §3.6), by entry id."""
    return [row.entry_id for row in disagreement_rows(round_) if row.flagged]
