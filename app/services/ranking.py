"""The ranking of a round (DESIGN §3): entry scores by the round's method, flags and ranks.

`rank_round` is the one place that scores and orders entries. The database does the heavy
lifting (sums, counts, extremes per entry; the middle totals for the median; per-judge sums
for the z-score); Python only divides the aggregates exactly (`Fraction`) and sorts one row
per entry. `mean`, `median` and `trimmed` never touch binary floating point; `zscore` may.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import sqlalchemy as sa

from app.extensions import db
from app.i18n import round_half_up
from app.models import Criterion, Entry, EntryRound, Nomination, Review, Round, Score, TieBreak
from app.services import disagreement

# Review.total holds at most two decimals (weights have two, scores are integers); sums come
# back from SQLite as floats, so they are read as decimals with this many places, which is exact.
_EXACT = sa.Numeric(28, 4)


@dataclass
class RankedEntry:
    """One entry of a round with its score, flags and rank."""

    entry_id: int
    number: int | None
    title: str
    organisation: str
    nomination_id: int | None
    nomination_position: int | None
    submitted_at: datetime | None
    reviews: int = 0
    # Exact for mean/median/trimmed (Fraction); a float for zscore; None when unrated.
    score: Fraction | float | None = None
    sum_total: Decimal | None = None
    min_total: Decimal | None = None
    max_total: Decimal | None = None
    flagged: bool = False
    below_pass_mark: bool = False
    # Per tie-break criterion, the mean of w_c·s_c, in the organiser's order.
    tie_values: tuple[Fraction, ...] = ()
    rank: int | None = None

    @property
    def unrated(self) -> bool:
        return self.reviews == 0

    @property
    def spread(self) -> Decimal | None:
        if self.unrated:
            return None
        return self.max_total - self.min_total

    @property
    def display_score(self) -> Decimal | None:
        """The score as people see it: rounded half-up to two decimals."""
        return half_up(self.score)

    @property
    def can_advance(self) -> bool:
        """Unrated and below-pass-mark entries never advance or win (DESIGN §3.3, §3.5)."""
        return not self.unrated and not self.below_pass_mark


@dataclass
class RoundRanking:
    round: Round
    rows: list[RankedEntry]
    overall: bool = False
    # Nominations of the contest in form order, for grouping.
    nominations: list[Nomination] = field(default_factory=list)

    def by_entry(self) -> dict[int, RankedEntry]:
        return {row.entry_id: row for row in self.rows}

    @property
    def rated(self) -> list[RankedEntry]:
        return [row for row in self.rows if not row.unrated]

    @property
    def unrated(self) -> list[RankedEntry]:
        return [row for row in self.rows if row.unrated]

    def groups(self) -> list[tuple[Nomination | None, list[RankedEntry]]]:
        """The rows per nomination in form order (entries without one last); rows keep their order."""
        if self.overall:
            return [(None, list(self.rows))]
        by_nomination: dict[int | None, list[RankedEntry]] = {}
        for row in self.rows:
            by_nomination.setdefault(row.nomination_id, []).append(row)
        groups = [(n, by_nomination[n.id]) for n in self.nominations if n.id in by_nomination]
        if None in by_nomination:
            groups.append((None, by_nomination[None]))
        return groups


def half_up(value: Fraction | Decimal | float | None, places: int = 2) -> Decimal | None:
    """A score rounded half-up for display; exact for fractions (2.675 → 2.68)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        # A fraction that sits exactly on a rounding boundary has a finite decimal expansion,
        # which 60 digits hold exactly; any other fraction is far from the boundary.
        with localcontext() as context:
            context.prec = 60
            value = Decimal(value.numerator) / Decimal(value.denominator)
    elif isinstance(value, float):
        value = Decimal(repr(value))
    return round_half_up(value, places)


def plain_decimal(value: Decimal | None) -> str | None:
    """A decimal as a short plain string: 6.5000 → "6.5", 10 → "10"."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def rank_round(round_: Round, *, overall: bool = False) -> RoundRanking:
    """Scores, flags and ranks the entries of a round (DESIGN §3.2–3.6).

    Ranks are per nomination (or over the whole round with `overall`): score descending, then
    each tie-break criterion's mean of w_c·s_c descending, then earlier submission, then entry
    number. Unrated entries come after the rated ones of their group, without a rank.
    """
    rows = _entry_rows(round_)
    if rows:
        _score(round_, rows)
        _flag(round_, rows)
        _tie_values(round_, rows)
    ordered = order_entries(list(rows.values()), overall=overall)
    nominations = list(db.session.scalars(
        sa.select(Nomination).where(Nomination.contest_id == round_.contest_id)
        .order_by(Nomination.position, Nomination.id)
    ))
    return RoundRanking(round=round_, rows=ordered, overall=overall, nominations=nominations)


def _submitted(round_: Round):
    return sa.and_(Review.round_id == round_.id, Review.status == "submitted")


def _entry_rows(round_: Round) -> dict[int, RankedEntry]:
    """One query: the round's entries with count, sum, max and min of their submitted totals."""
    totals = (
        sa.select(
            Review.entry_id.label("entry_id"),
            sa.func.count().label("n"),
            sa.type_coerce(sa.func.sum(Review.total), _EXACT).label("sum_t"),
            sa.type_coerce(sa.func.max(Review.total), _EXACT).label("max_t"),
            sa.type_coerce(sa.func.min(Review.total), _EXACT).label("min_t"),
        )
        .where(_submitted(round_))
        .group_by(Review.entry_id)
        .subquery()
    )
    query = (
        sa.select(
            Entry.id, Entry.number, Entry.title, Entry.organisation, Entry.nomination_id,
            Nomination.position, Entry.submitted_at,
            totals.c.n, totals.c.sum_t, totals.c.max_t, totals.c.min_t,
        )
        .join(EntryRound, EntryRound.entry_id == Entry.id)
        .outerjoin(Nomination, Nomination.id == Entry.nomination_id)
        .outerjoin(totals, totals.c.entry_id == Entry.id)
        .where(EntryRound.round_id == round_.id)
    )
    rows = {}
    for (entry_id, number, title, organisation, nomination_id, position, submitted_at,
         n, sum_t, max_t, min_t) in db.session.execute(query):
        rows[entry_id] = RankedEntry(
            entry_id=entry_id, number=number, title=title, organisation=organisation,
            nomination_id=nomination_id, nomination_position=position,
            submitted_at=submitted_at, reviews=n or 0, sum_total=sum_t, max_total=max_t,
            min_total=min_t,
        )
    return rows


def _score(round_: Round, rows: dict[int, RankedEntry]) -> None:
    method = round_.method
    if method == "median":
        middles = _median_parts(round_)
    if method == "zscore":
        zscores = _zscores(round_)
    for row in rows.values():
        if row.unrated:
            continue
        if method == "median":
            middle_sum, middle_count = middles[row.entry_id]
            row.score = Fraction(middle_sum) / middle_count
        elif method == "trimmed" and row.reviews >= 3:
            kept = row.sum_total - row.max_total - row.min_total
            row.score = Fraction(kept) / (row.reviews - 2)
        elif method == "zscore":
            row.score = zscores.get(row.entry_id)
        else:
            row.score = Fraction(row.sum_total) / row.reviews
    if round_.pass_mark is not None:
        pass_mark = Fraction(round_.pass_mark)
        for row in rows.values():
            if row.score is not None:
                row.below_pass_mark = row.score < (
                    float(pass_mark) if isinstance(row.score, float) else pass_mark)


def _median_parts(round_: Round) -> dict[int, tuple[Decimal, int]]:
    """One query: per entry, the sum and count of its middle total(s) (one if odd, two if even)."""
    ordered = (
        sa.select(
            Review.entry_id.label("entry_id"),
            Review.total.label("total"),
            sa.func.row_number().over(
                partition_by=Review.entry_id, order_by=(Review.total, Review.id)
            ).label("position"),
            sa.func.count().over(partition_by=Review.entry_id).label("n"),
        )
        .where(_submitted(round_))
        .subquery()
    )
    # Integer division: for n = 5 both bounds are 3; for n = 4 they are 2 and 3.
    low = (ordered.c.n + 1) // 2
    high = (ordered.c.n + 2) // 2
    query = (
        sa.select(
            ordered.c.entry_id,
            sa.type_coerce(sa.func.sum(ordered.c.total), _EXACT),
            sa.func.count(),
        )
        .where(sa.or_(ordered.c.position == low, ordered.c.position == high))
        .group_by(ordered.c.entry_id)
    )
    return {entry_id: (total, n) for entry_id, total, n in db.session.execute(query)}


def _zscores(round_: Round) -> dict[int, float]:
    """Two queries: per-judge count, sum and sum of squares, then every review's (entry, judge,
    total). μ_j and σ_j² are exact; z and the entry means are vectorised with numpy."""
    judge_rows = db.session.execute(
        sa.select(
            Review.judge_id,
            sa.func.count(),
            sa.type_coerce(sa.func.sum(Review.total), _EXACT),
            sa.type_coerce(sa.func.sum(Review.total * Review.total), _EXACT),
        ).where(_submitted(round_)).group_by(Review.judge_id)
    ).all()
    if not judge_rows:
        return {}
    judge_mean: dict[int, float] = {}
    judge_sd: dict[int, float] = {}
    n_all, sum_all, squares_all = 0, Fraction(0), Fraction(0)
    for judge_id, n, total, squares in judge_rows:
        mean = Fraction(total) / n
        variance = Fraction(squares) / n - mean * mean
        judge_mean[judge_id] = float(mean)
        judge_sd[judge_id] = math.sqrt(variance) if variance > 0 else 0.0
        n_all, sum_all, squares_all = n_all + n, sum_all + Fraction(total), squares_all + Fraction(squares)
    round_mean = sum_all / n_all
    round_variance = squares_all / n_all - round_mean * round_mean
    round_sd = math.sqrt(round_variance) if round_variance > 0 else 0.0

    reviews = db.session.execute(
        sa.select(Review.entry_id, Review.judge_id, sa.type_coerce(Review.total, _EXACT))
        .where(_submitted(round_))
    ).all()
    entry_ids = np.array([r[0] for r in reviews])
    totals = np.array([float(r[2]) for r in reviews])
    means = np.array([judge_mean[r[1]] for r in reviews])
    sds = np.array([judge_sd[r[1]] for r in reviews])
    z = np.divide(totals - means, sds, out=np.zeros_like(totals), where=sds > 0)
    unique_ids, index = np.unique(entry_ids, return_inverse=True)
    z_mean = np.bincount(index, weights=z) / np.bincount(index)
    scores = float(round_mean) + round_sd * z_mean
    return {int(entry_id): float(score) for entry_id, score in zip(unique_ids, scores, strict=True)}


def _flag(round_: Round, rows: dict[int, RankedEntry]) -> None:
    """The disagreement flag (DESIGN §3.6); the rule is defined once, in services.disagreement."""
    for entry_id in disagreement.flagged_entry_ids(round_):
        if entry_id in rows:
            rows[entry_id].flagged = True


def _tie_values(round_: Round, rows: dict[int, RankedEntry]) -> None:
    """One query: per entry and tie-break criterion, the sum and count of its submitted scores."""
    tie_breaks = db.session.execute(
        sa.select(TieBreak.criterion_id, Criterion.weight)
        .join(Criterion, Criterion.id == TieBreak.criterion_id)
        .where(TieBreak.round_id == round_.id)
        .order_by(TieBreak.position, TieBreak.criterion_id)
    ).all()
    if not tie_breaks:
        return
    weights = {criterion_id: Fraction(weight) for criterion_id, weight in tie_breaks}
    sums: dict[tuple[int, int], Fraction] = {}
    for entry_id, criterion_id, total, n in db.session.execute(
        sa.select(Review.entry_id, Score.criterion_id, sa.func.sum(Score.value), sa.func.count(Score.value))
        .join(Score, Score.review_id == Review.id)
        .where(_submitted(round_), Score.criterion_id.in_(weights))
        .group_by(Review.entry_id, Score.criterion_id)
    ):
        if n:
            sums[entry_id, criterion_id] = weights[criterion_id] * int(total) / n
    for row in rows.values():
        row.tie_values = tuple(sums.get((row.entry_id, c), Fraction(0)) for c, _ in tie_breaks)


def _sort_key(row: RankedEntry):
    score = row.score
    if isinstance(score, float):
        # z-scores are floats: values equal but for the last bits count as tied.
        score = Fraction(round(score, 9))
    return (
        row.unrated,
        -(score or 0),
        tuple(-value for value in row.tie_values),
        row.submitted_at is None,
        row.submitted_at.timestamp() if row.submitted_at else 0,
        row.number is None,
        row.number or 0,
        row.entry_id,
    )


def order_entries(rows: list[RankedEntry], *, overall: bool) -> list[RankedEntry]:
    """Orders scored rows and numbers their ranks (DESIGN §3.4); rank_round and the final score
    over rounds both order through here, so the tie-break chain is written once."""

    def group_key(row: RankedEntry):
        if overall:
            return (0, 0)
        return (row.nomination_position is None, row.nomination_position or 0, row.nomination_id or 0)

    ordered = sorted(rows, key=lambda row: (group_key(row), _sort_key(row)))
    counters: dict[tuple, int] = {}
    for row in ordered:
        if row.unrated:
            row.rank = None
            continue
        key = group_key(row)
        counters[key] = counters.get(key, 0) + 1
        row.rank = counters[key]
    return ordered


def criterion_breakdown(round_: Round, entry_ids: list[int] | None = None) -> dict[tuple[int, int], dict]:
    """One query: per (entry, criterion), the count, sum, min and max of the submitted scores.

    Each value is {"n", "mean" (exact), "weighted" (mean of w_c·s_c, exact), "min", "max"} and the
    two means as shown ("mean_shown", "weighted_shown": half-up, two decimals).
    """
    query = (
        sa.select(Review.entry_id, Score.criterion_id, Criterion.weight, sa.func.count(Score.value),
                  sa.func.sum(Score.value), sa.func.min(Score.value), sa.func.max(Score.value))
        .join(Score, Score.review_id == Review.id)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(_submitted(round_))
        .group_by(Review.entry_id, Score.criterion_id, Criterion.weight)
    )
    if entry_ids is not None:
        query = query.where(Review.entry_id.in_(entry_ids))
    breakdown = {}
    for entry_id, criterion_id, weight, n, total, low, high in db.session.execute(query):
        if not n:
            continue
        mean = Fraction(int(total), n)
        weighted = mean * Fraction(weight)
        breakdown[entry_id, criterion_id] = {
            "n": n, "mean": mean, "weighted": weighted, "min": low, "max": high,
            "mean_shown": half_up(mean), "weighted_shown": half_up(weighted),
        }
    return breakdown
