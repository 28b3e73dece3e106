"""The ranking of a round (DESIGN §3): entry scores by the round's method, flags and ranks.

`rank_round` is the one place that scores and orders entries. The database does the heavy
lifting (sums, counts, extremes per entry, all in integer hundredths of a point; the middle totals
for the median); Python only divides the aggregates exactly (`Fraction`) and sorts one row per
entry. `mean`, `median` and `trimmed` never touch binary floating point for a result; `zscore` may.

Speed at contest scale (10,000 entries) comes from a few choices: totals travel as integer
hundredths (`cents`), so Python never converts a `Decimal` per row; rows come through Core, not
the ORM's per-row result handling, with datetimes already aware; equal values share one
`Fraction`/`Decimal` object, so the sort ranks the few distinct values once and numpy orders
integer columns; the garbage collector waits until the ranking is made.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.extensions import db
from app.i18n import round_half_up
from app.models import Criterion, Entry, EntryRound, Nomination, Review, Round, Score, TieBreak
from app.services.platform.collector import collector_paused
from app.services.results import disagreement

# Above this many entries to look up, the tie-break query reads the whole round instead of a long
# IN list (which costs more than it saves, and SQLite limits the number of parameters).
_TIE_LOOKUP_LIMIT = 2000

# Review.total holds at most two decimals (weights have two, scores are integers). SQLite keeps it
# as a binary float, so every total is turned into whole hundredths (cents) in SQL before any sum:
# integer sums are exact on every database, and Python gets plain ints instead of Decimals.
cents = disagreement.cents


def _sum_cents(expression):
    # PostgreSQL's SUM(bigint) is numeric; the cast keeps the result an int on every database.
    return sa.cast(sa.func.sum(cents(expression)), sa.BigInteger)


# Slots: rank_round makes one per entry (10,000 at contest scale); they are smaller and quicker
# to make without an instance dict.
@dataclass(slots=True)
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
    # Per tie-break criterion, the mean of w_c·s_c, in the organiser's order. None: not read, as
    # no other entry's score ties with this one (RoundRanking.load_all_tie_values reads them).
    tie_values: tuple[Fraction, ...] | None = ()
    rank: int | None = None
    # The totals in whole hundredths, as read by rank_round, for exact integer arithmetic.
    sum_cents: int | None = field(default=None, repr=False, compare=False)
    min_cents: int | None = field(default=None, repr=False, compare=False)
    max_cents: int | None = field(default=None, repr=False, compare=False)
    # What decided this row's place against the row just above it when their scores are equal:
    # a tie-break criterion's id, "submitted_at" or "number" (see mark_tie_deciders); else None.
    tie_broken_by: int | str | None = field(default=None, compare=False)

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
    # Set when the ranking is read from a frozen snapshot (results.reading.round_results): the
    # snapshot row; per entry, its criteria's [count, sum, min, max] as frozen; the criteria's
    # weights in hundredths. The criterion means are made from them only for the entries asked.
    snapshot: object | None = None
    frozen_parts: dict[int, dict[str, list]] | None = None
    frozen_weights: dict[int, int] = field(default_factory=dict)

    @property
    def frozen(self) -> bool:
        return self.snapshot is not None

    def breakdown(self, entry_ids: list[int] | None = None) -> dict[tuple[int, int], dict]:
        """Per (entry, criterion), the criterion means as criterion_breakdown gives them: frozen
        ones for a snapshot, else read live (one query)."""
        if self.frozen_parts is None:
            return criterion_breakdown(self.round, entry_ids)
        wanted = self.frozen_parts if entry_ids is None else {e: self.frozen_parts.get(e, {}) for e in entry_ids}
        result = {}
        for entry_id, parts in wanted.items():
            for criterion_id, (n, total, low, high) in parts.items():
                weight = self.frozen_weights.get(int(criterion_id), 0)
                result[entry_id, int(criterion_id)] = {
                    "n": n, "mean": Fraction(total, n), "weighted": Fraction(weight * total, 100 * n),
                    "min": low, "max": high, "mean_shown": fraction_half_up(total, n),
                    "weighted_shown": fraction_half_up(weight * total, 100 * n),
                }
        return result

    def weighted_means(self, criteria: list[Criterion], entry_ids: list[int] | None = None,
                       sums: CriterionSums | None = None) -> dict[int, list[Decimal | None]]:
        """Each entry's shown mean of w_c·s_c per criterion (as weighted_means_shown), frozen or live."""
        if self.frozen_parts is None:
            return weighted_means_shown(self.round, criteria, entry_ids, sums=sums)
        shown = _ShownMeans()
        result: dict[int, list[Decimal | None]] = {}
        ids = self.frozen_parts if entry_ids is None else entry_ids
        keys = [(str(c.id), self.frozen_weights.get(c.id, 0)) for c in criteria]
        for entry_id in ids:
            parts = self.frozen_parts.get(entry_id)
            if not parts:
                continue
            values = []
            for key, weight in keys:
                part = parts.get(key)
                if part is None:
                    values.append(None)
                    continue
                values.append(shown[weight * part[1], 100 * part[0]])
            result[entry_id] = values
        return result

    @property
    def maximum(self) -> Decimal:
        """The round's maximum total as it was when the ranking was made."""
        if self.snapshot is not None and self.snapshot.data.get("maximum") is not None:
            return Decimal(self.snapshot.data["maximum"])
        return self.round.maximum

    def load_tie_values(self, rows: list[RankedEntry]) -> None:
        """Reads the tie-break values of those `rows` that lack them (one query)."""
        load_tie_values(self.round, rows)

    def load_all_tie_values(self) -> None:
        """Every row's tie-break values, e.g. for a snapshot that must rebuild the ranking exactly."""
        if any(row.tie_values is None for row in self.rows):
            self.load_tie_values(self.rows)

    def by_entry(self) -> dict[int, RankedEntry]:
        return {row.entry_id: row for row in self.rows}

    @property
    def rated(self) -> list[RankedEntry]:
        return [row for row in self.rows if not row.unrated]

    @property
    def unrated(self) -> list[RankedEntry]:
        return [row for row in self.rows if row.unrated]

    def counts(self) -> dict[str, int]:
        """How many entries are rated, not rated, flagged and below the pass mark."""
        rated = flagged = below = 0
        for row in self.rows:
            rated += row.reviews > 0
            flagged += row.flagged
            below += row.below_pass_mark
        return {"entries": len(self.rows), "rated": rated, "unrated": len(self.rows) - rated,
                "flagged": flagged, "below_pass_mark": below}

    def groups(self, rows: list[RankedEntry] | None = None) -> list[tuple[Nomination | None, list[RankedEntry]]]:
        """The rows (by default all; or a page of them, in ranking order) per nomination in form
        order (entries without one last); rows keep their order."""
        rows = self.rows if rows is None else rows
        if self.overall:
            return [(None, list(rows))]
        by_nomination: dict[int | None, list[RankedEntry]] = {}
        for row in rows:
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
        return fraction_half_up(value.numerator, value.denominator, places)
    if isinstance(value, float):
        value = Decimal(repr(value))
    return round_half_up(value, places)


def fraction_half_up(numerator: int, denominator: int, places: int = 2) -> Decimal:
    """numerator / denominator (denominator > 0) rounded half-up (away from zero on a half), in
    integers only: the results page and the exports round tens of thousands of values."""
    scale = 10 ** places
    magnitude = (2 * abs(numerator) * scale + denominator) // (2 * denominator)
    shown = Decimal(magnitude).scaleb(-places)
    return shown.copy_negate() if numerator < 0 else shown


def plain_decimal(value: Decimal | None) -> str | None:
    """A decimal as a short plain string: 6.5000 → "6.5", 10 → "10"."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def rank_round(round_: Round, *, overall: bool = False, sums: CriterionSums | None = None) -> RoundRanking:
    """Scores, flags and ranks the entries of a round (DESIGN §3.2–3.6).

    Ranks are per nomination (or over the whole round with `overall`): score descending, then
    each tie-break criterion's mean of w_c·s_c descending, then earlier submission, then entry
    number. Unrated entries come after the rated ones of their group, without a rank.

    `sums` (criterion_sums of every entry over criteria including the tie-break ones), when the
    caller has read them anyway, spare the ranking its own reading of the tie-break scores.
    """
    with collector_paused():
        tie_breaks = _tie_breaks(round_)
        nominations = list(db.session.scalars(
            sa.select(Nomination).where(Nomination.contest_id == round_.contest_id)
            .order_by(Nomination.position, Nomination.id)
        ))
        tie_ids = [criterion_id for criterion_id, _weight in tie_breaks]
        if sums is not None and not set(tie_ids) <= set(sums.criterion_ids):
            sums = None
        rows = _entry_rows(round_, disagreement.flag_limits(round_), tie_breaks,
                           {n.id: n.position for n in nominations}, sums)
        if rows:
            _score(round_, rows)
        ranking = RoundRanking(round=round_, rows=[], overall=overall, nominations=nominations)
        ranking.rows = order_entries(list(rows.values()), overall=overall,
                                     load_ties=lambda needed: load_tie_values(round_, needed, tie_breaks))
    return ranking


def _fetch(query) -> list[sa.Row]:
    """Runs a column query as Core, on the session's connection and transaction, and fetches every
    row at once. The ORM's result handling, and fetching row by row, cost a few microseconds per
    row, which is most of the time for the 10,000-row aggregates here; the session is flushed
    first, as session.execute would do."""
    db.session.flush()
    return db.session.connection().execute(query).all()


def _submitted(round_: Round):
    return sa.and_(Review.round_id == round_.id, Review.status == "submitted")


def _entry_rows(round_: Round, limits: disagreement.FlagLimits, tie_breaks: list[tuple[int, int]],
                positions: dict[int, int], sums: CriterionSums | None = None) -> dict[int, RankedEntry]:
    """Two queries: the round's entries; per entry, the count, sum, max and min of its submitted
    totals (in cents), and the disagreement flag from the same extremes (no second pass).

    Two plain queries merged here cost less than one with the aggregate LEFT JOINed (SQLite builds
    a temporary index for that join on every call). With the exact methods, scores tie often at
    contest scale (3 reviews, totals in halves: most of 10,000 entries share a score), so the
    tie-break sums ride along in the totals query: one index lookup per review and criterion,
    cheaper than a second pass over the reviews. A z-score rarely ties; its tie-break values are
    read later, for the tied entries only (order_entries)."""
    entries = _fetch(
        sa.select(
            Entry.id, Entry.number, Entry.title, Entry.organisation, Entry.nomination_id,
            _utc_datetime(Entry.submitted_at),
        )
        .join(EntryRound, EntryRound.entry_id == Entry.id)
        .where(EntryRound.round_id == round_.id)
    )
    with_ties = bool(tie_breaks) and (round_.method != "zscore" or sums is not None)
    columns = [sa.func.count(), _sum_cents(Review.total), cents(sa.func.max(Review.total)),
               cents(sa.func.min(Review.total))]
    query = sa.select(Review.entry_id).where(_submitted(round_)).group_by(Review.entry_id)
    tie_ids = [criterion_id for criterion_id, _weight in tie_breaks]
    if with_ties and sums is None:
        for criterion_id, _weight in tie_breaks:
            # (review, criterion) is unique in the score table: at most one row per review.
            score = aliased(Score)
            query = query.outerjoin(score, sa.and_(score.review_id == Review.id, score.criterion_id == criterion_id))
            columns += [sa.func.sum(score.value), sa.func.count(score.value)]
    totals = {row[0]: row for row in _fetch(query.add_columns(*columns))}
    if with_ties and sums is not None:
        places = [sums.criterion_ids.index(criterion_id) for criterion_id in tie_ids]
        for entry_id, row in totals.items():
            found = sums.sums.get(entry_id)
            totals[entry_id] = (*row[:5], *([found[2 * p + k] for p in places for k in (0, 1)]
                                            if found else [0, 0] * len(places)))

    rows = {}
    flagged = limits.flagged
    # Totals repeat a lot (a few hundred distinct values over 10,000 entries); Decimals are
    # immutable, so equal totals share one.
    decimals = _Decimals()
    fractions = _Fractions()
    tie_cache: dict[tuple, tuple[Fraction, ...]] = {}
    zero = Fraction(0)
    weights = list(enumerate(weight for _criterion_id, weight in tie_breaks))
    # Tie-break values not read here: None (read later if tied), or () when there are none.
    unread = None if tie_breaks else ()
    unrated_ties = _zeros(len(weights)) if with_ties else unread
    for entry_id, number, title, organisation, nomination_id, submitted_at in entries:
        parts = totals.get(entry_id)
        position = positions.get(nomination_id)
        if parts is None:
            rows[entry_id] = RankedEntry(
                entry_id=entry_id, number=number, title=title, organisation=organisation,
                nomination_id=nomination_id, nomination_position=position,
                submitted_at=submitted_at, tie_values=unrated_ties,
            )
            continue
        n, sum_c, max_c, min_c = parts[1:5]
        if with_ties:
            # Few distinct (sum, count) combinations: each tuple of means is made once.
            tie_sums = parts[5:]
            tie_values = tie_cache.get(tie_sums)
            if tie_values is None:
                tie_values = tie_cache[tie_sums] = tuple(
                    fractions[weight * int(tie_sums[2 * i]), 100 * tie_sums[2 * i + 1]] if tie_sums[2 * i + 1] else zero
                    for i, weight in weights
                )
        else:
            tie_values = unread
        # Positional: keyword arguments cost twice as much, and this runs once per entry.
        rows[entry_id] = RankedEntry(
            entry_id, number, title, organisation, nomination_id, position, submitted_at,
            n, None, decimals[sum_c], decimals[min_c], decimals[max_c], flagged(min_c, max_c),
            False, tie_values, None, sum_c, min_c, max_c,
        )
    return rows


def _utc_datetime(column):
    """A UTCDateTime column as aware datetimes straight from the driver, without UTCDateTime's
    per-row conversion: PostgreSQL returns them so; SQLite stores naive UTC text (see
    app.models.types), to which the database appends the offset before fromisoformat reads it."""
    if db.session.get_bind().dialect.name == "sqlite":
        column = sa.type_coerce(column, sa.String).concat("+00:00")
    return sa.type_coerce(column, sa.DateTime(timezone=True))


def _zeros(width: int) -> tuple[Fraction, ...]:
    return (Fraction(0),) * width


class _Decimals(dict):
    """A total in hundredths as the Decimal the total column holds, made once per distinct value."""

    def __missing__(self, key: int) -> Decimal:
        value = self[key] = disagreement.total_from_cents(key)
        return value


class _ShownMeans(dict):
    """fraction_half_up(numerator, denominator), made once per distinct pair: the exports round
    80,000 means that take few distinct values."""

    def __missing__(self, key: tuple[int, int]) -> Decimal:
        value = self[key] = fraction_half_up(*key)
        return value


class _Fractions(dict):
    """Fraction(numerator, denominator), made once per distinct pair: scores and tie-break means
    take few distinct values, and a Fraction costs a gcd and about a microsecond to make."""

    def __missing__(self, key: tuple[int, int]) -> Fraction:
        value = self[key] = Fraction(*key)
        return value


def _score(round_: Round, rows: dict[int, RankedEntry]) -> None:
    method = round_.method
    fractions = _Fractions()
    if method == "median":
        middles = _median_parts(round_)
    if method == "zscore":
        zscores = _zscores(round_)
    for row in rows.values():
        if row.unrated:
            continue
        if method == "median":
            middle_cents, middle_count = middles[row.entry_id]
            row.score = fractions[middle_cents, 100 * middle_count]
        elif method == "trimmed" and row.reviews >= 3:
            row.score = fractions[row.sum_cents - row.max_cents - row.min_cents, 100 * (row.reviews - 2)]
        elif method == "zscore":
            row.score = zscores.get(row.entry_id)
        else:
            row.score = fractions[row.sum_cents, 100 * row.reviews]
    if round_.pass_mark is not None:
        pass_mark = Fraction(round_.pass_mark)
        mark_float = float(pass_mark)
        mark_n, mark_d = pass_mark.numerator, pass_mark.denominator
        for row in rows.values():
            score = row.score
            if score is None:
                continue
            if isinstance(score, float):
                row.below_pass_mark = score < mark_float
            else:
                # p/q < a/b with q, b > 0, in integers (a Fraction comparison per row costs more).
                row.below_pass_mark = score.numerator * mark_d < mark_n * score.denominator


def _median_parts(round_: Round) -> dict[int, tuple[int, int]]:
    """One query: per entry, the sum (in cents) and count of its middle total(s) (one if odd,
    two if even)."""
    ordered = (
        sa.select(
            Review.entry_id.label("entry_id"),
            cents(Review.total).label("total_c"),
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
            sa.cast(sa.func.sum(ordered.c.total_c), sa.BigInteger),
            sa.func.count(),
        )
        .where(sa.or_(ordered.c.position == low, ordered.c.position == high))
        .group_by(ordered.c.entry_id)
    )
    return {entry_id: (int(total), n) for entry_id, total, n in _fetch(query)}


def _zscores(round_: Round) -> dict[int, float]:
    """One query: every submitted review's (entry, judge, total in cents). The per-judge and
    round-wide means and variances are exact sums of Python integers; z and the entry means are
    vectorised with numpy in floats, as DESIGN §3.2 allows.

    The sums of squares are Python integers because a total may reach 10¹² hundredths
    (limits.TOTAL_MAX), whose square is past 2⁶³: numpy's int64 wrapped silently there, the
    variance came out negative and every score fell to the round's mean (issue #25)."""
    reviews = _fetch(
        sa.select(Review.entry_id, Review.judge_id, cents(Review.total)).where(_submitted(round_))
    )
    if not reviews:
        return {}
    entry_ids, judge_ids, totals = (np.array(column, dtype=np.int64) for column in zip(*reviews, strict=True))
    judges, judge_index = np.unique(judge_ids, return_inverse=True)
    order = np.argsort(judge_index, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(judge_index[order])) + 1]
    # dtype=object: the additions and squares below are Python's unbounded integers.
    sorted_totals = totals[order].astype(object)
    counts = np.diff(np.r_[starts, len(order)])
    sums = np.add.reduceat(sorted_totals, starts)
    squares = np.add.reduceat(sorted_totals * sorted_totals, starts)

    def mean_and_sd(n: int, total: int, square: int) -> tuple[float, float]:
        # In cents: mean = Σx / n, variance = (n·Σx² − (Σx)²) / n², both exact until the float.
        variance = Fraction(n * square - total * total, n * n * 10_000)
        return float(Fraction(total, n * 100)), math.sqrt(variance) if variance > 0 else 0.0

    judge_mean = np.empty(len(judges))
    judge_sd = np.empty(len(judges))
    for j, (n, total, square) in enumerate(zip(counts.tolist(), sums.tolist(), squares.tolist(), strict=True)):
        judge_mean[j], judge_sd[j] = mean_and_sd(n, total, square)
    round_mean, round_sd = mean_and_sd(len(totals), int(sums.sum()), int(squares.sum()))

    values = totals / 100
    means = judge_mean[judge_index]
    sds = judge_sd[judge_index]
    z = np.divide(values - means, sds, out=np.zeros_like(values), where=sds > 0)
    unique_ids, index = np.unique(entry_ids, return_inverse=True)
    z_mean = np.bincount(index, weights=z) / np.bincount(index)
    scores = round_mean + round_sd * z_mean
    return dict(zip(unique_ids.tolist(), scores.tolist(), strict=True))


def _tie_breaks(round_: Round) -> list[tuple[int, int]]:
    """The round's tie-break criteria in the organiser's order, as (criterion id, weight in cents)."""
    return [
        (criterion_id, int(weight * 100))
        for criterion_id, weight in db.session.execute(
            sa.select(TieBreak.criterion_id, Criterion.weight)
            .join(Criterion, Criterion.id == TieBreak.criterion_id)
            .where(TieBreak.round_id == round_.id)
            .order_by(TieBreak.position, TieBreak.criterion_id)
        )
    ]


def load_tie_values(round_: Round, rows: list[RankedEntry],
                    tie_breaks: list[tuple[int, int]] | None = None) -> None:
    """One query (always one, so a page's query count does not depend on the data): per entry of
    `rows` lacking them, the mean of w_c·s_c on each tie-break criterion, as exact fractions."""
    if tie_breaks is None:
        tie_breaks = _tie_breaks(round_)
    needed = [row for row in rows if row.tie_values is None]
    if not tie_breaks:
        for row in needed:
            row.tie_values = ()
        return
    # One row per entry: the sum and count of each tie-break criterion's scores side by side.
    columns = []
    for criterion_id, _weight in tie_breaks:
        value = sa.case((Score.criterion_id == criterion_id, Score.value))
        columns += [sa.func.sum(value), sa.func.count(value)]
    query = (
        sa.select(Review.entry_id, *columns)
        .join(Score, Score.review_id == Review.id)
        .where(_submitted(round_), Score.criterion_id.in_([c for c, _w in tie_breaks]))
        .group_by(Review.entry_id)
    )
    if len(needed) <= _TIE_LOOKUP_LIMIT:
        query = query.where(Review.entry_id.in_([row.entry_id for row in needed]))
    found = {entry_id: parts for entry_id, *parts in _fetch(query)}
    weights = list(enumerate(weight for _criterion_id, weight in tie_breaks))
    zero = Fraction(0)
    nothing = _zeros(len(weights))
    fractions = _Fractions()
    for row in needed:
        parts = found.get(row.entry_id)
        if parts is None:
            row.tie_values = nothing
            continue
        row.tie_values = tuple(
            fractions[weight * int(parts[2 * i]), 100 * parts[2 * i + 1]] if parts[2 * i + 1] else zero
            for i, weight in weights
        )


def _dense_ranks(values: list) -> np.ndarray:
    """Each value's position among the distinct values, ascending; equal values share one.

    Exact: Fractions compare as Fractions wherever their floats are equal. Fast because scores
    and tie-break means take few distinct values, mostly as shared objects (rank_round makes each
    once): the distinct objects are sorted, and each row only looks its object up.
    """
    ids = list(map(id, values))
    distinct = list(dict(zip(ids, values, strict=True)).values())
    # A float key first (cheap to compare); the exact value decides only between equal floats.
    distinct.sort(key=lambda value: (float(value), value))
    rank_of = {}
    rank = -1
    previous = None
    for value in distinct:
        if rank < 0 or value != previous:
            rank += 1
            previous = value
        rank_of[id(value)] = rank
    return np.fromiter(map(rank_of.__getitem__, ids), dtype=np.int64, count=len(ids))


def _sort_score(score):
    # z-scores are floats: values equal but for the last bits count as tied.
    if isinstance(score, float):
        return round(score, 9)
    return score if score is not None else _ZERO


_ZERO = Fraction(0)
_entry_id = operator.attrgetter("entry_id")


def order_entries(rows: list[RankedEntry], *, overall: bool,
                  load_ties: Callable[[list[RankedEntry]], None] | None = None) -> list[RankedEntry]:
    """Orders scored rows and numbers their ranks (DESIGN §3.4); rank_round and the final score
    over rounds both order through here, so the tie-break chain is written once.

    The order is: group (nomination in form order, or one group with `overall`), rated before
    unrated, score descending, each tie-break value descending, earlier submission, lower entry
    number, entry id. Tie-break values matter only for rated rows whose score equals another's in
    their group; `load_ties` reads them for those rows where they lack them (it is called once
    whenever any row lacks them, so a page's query count does not depend on the data).

    Every key becomes an integer column (exact values as their rank among the distinct values)
    and numpy's lexsort orders the rows: at 10,000 entries that is a fraction of the cost of
    sorting Python tuples of Fractions.
    """
    if not rows:
        return []
    count = len(rows)
    if overall:
        group = np.zeros(count, dtype=np.int64)
    else:
        # Nominations in form order, entries without one last.
        nominations = {(row.nomination_position, row.nomination_id) for row in rows}
        code = {key: i for i, key in enumerate(sorted(
            nominations, key=lambda key: (key[0] is None, key[0] or 0, key[1] or 0)))}
        group = np.fromiter((code[row.nomination_position, row.nomination_id] for row in rows),
                            dtype=np.int64, count=count)
    unrated = np.fromiter((row.reviews == 0 for row in rows), dtype=bool, count=count)
    score = _dense_ranks([_sort_score(row.score) for row in rows])

    # Rated rows whose (group, score) another rated row shares: only those can be tied.
    shared = group * (int(score.max()) + 1) + score
    shared[unrated] = -1 - np.arange(int(unrated.sum()))
    _values, inverse, counts = np.unique(shared, return_inverse=True, return_counts=True)
    tied_mask = counts[inverse] > 1
    tied = [rows[i] for i in np.flatnonzero(tied_mask).tolist()]
    if any(row.tie_values is None for row in rows):
        if load_ties is None:
            raise ValueError("rows lack tie-break values and no loader was given")
        load_ties(tied)
    width = max((len(row.tie_values) for row in tied), default=0)
    tie_columns = []
    for i in range(width):
        tie_columns.append(_dense_ranks([
            row.tie_values[i] if is_tied else _ZERO
            for row, is_tied in zip(rows, tied_mask.tolist(), strict=True)
        ]))

    # Missing submission times and numbers sort last.
    keys = [
        np.fromiter(map(_entry_id, rows), dtype=np.int64, count=count),
        np.fromiter((math.inf if row.number is None else row.number for row in rows), dtype=np.float64, count=count),
        np.fromiter((math.inf if row.submitted_at is None else row.submitted_at.timestamp() for row in rows),
                    dtype=np.float64, count=count),
        *(-column for column in reversed(tie_columns)),
        -score,
        unrated,
        group,
    ]
    # lexsort sorts by the last key first.
    order = np.lexsort(keys)
    # A rated row's rank is its place in its group (rated rows come first in each group).
    in_order = group[order]
    ranks = np.arange(1, count + 1) - np.searchsorted(in_order, in_order)
    ordered = list(map(rows.__getitem__, order.tolist()))
    for row, rank in zip(ordered, ranks.tolist(), strict=True):
        row.rank = None if row.reviews == 0 else rank
    mark_tie_deciders(ordered)
    return ordered


def mark_tie_deciders(ordered: list[RankedEntry]) -> None:
    """Sets each rated row's `tie_broken_by`: when its score equals the score of the row ranked
    just above it, the first key of the §3.4 chain that tells them apart (the position of a
    tie-break criterion in the round's order, then "submitted_at", then "number"); else None."""
    above = None
    for row in ordered:
        row.tie_broken_by = None
        if row.rank is None or row.rank == 1 or above is None:
            above = row
            continue
        if _sort_score(row.score) == _sort_score(above.score):
            decided = None
            for index, (mine, theirs) in enumerate(zip(row.tie_values or (), above.tie_values or (), strict=False)):
                if mine != theirs:
                    decided = index
                    break
            if decided is None:
                decided = "submitted_at" if row.submitted_at != above.submitted_at else "number"
            row.tie_broken_by = decided
        above = row


def criterion_breakdown(round_: Round, entry_ids: list[int] | None = None) -> dict[tuple[int, int], dict]:
    """One query: per (entry, criterion), the count, sum, min and max of the submitted scores.

    Each value is {"n", "mean" (exact), "weighted" (mean of w_c·s_c, exact), "min", "max"} and the
    two means as shown ("mean_shown", "weighted_shown": half-up, two decimals, in integers).
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
    fractions = _Fractions()
    for entry_id, criterion_id, weight, n, total, low, high in db.session.execute(query):
        if not n:
            continue
        total = int(total)
        weight_cents = int(weight * 100)
        breakdown[entry_id, criterion_id] = {
            "n": n, "mean": fractions[total, n], "weighted": fractions[weight_cents * total, 100 * n],
            "min": low, "max": high, "mean_shown": fraction_half_up(total, n),
            "weighted_shown": fraction_half_up(weight_cents * total, 100 * n),
        }
    return breakdown


@dataclass
class CriterionSums:
    """Per entry, the sum and count of its submitted scores on each of some criteria, side by side:
    sums[entry_id] = (Σ s_c1, n_c1, Σ s_c2, n_c2, …) in the order of `criterion_ids`."""

    criterion_ids: list[int]
    sums: dict[int, tuple]


def criterion_sums(round_: Round, criterion_ids: list[int], entry_ids: list[int] | None = None) -> CriterionSums:
    """One query, one row per entry with a submitted review (or of `entry_ids`): each criterion's
    sum and count of scores side by side, a tenth of criterion_breakdown's rows."""
    columns = []
    for criterion_id in criterion_ids:
        value = sa.case((Score.criterion_id == criterion_id, Score.value))
        columns += [sa.func.sum(value), sa.func.count(value)]
    if not columns:
        return CriterionSums(list(criterion_ids), {})
    query = (
        sa.select(Review.entry_id, *columns)
        .join(Score, Score.review_id == Review.id)
        .where(_submitted(round_))
        .group_by(Review.entry_id)
    )
    if entry_ids is not None:
        query = query.where(Review.entry_id.in_(entry_ids))
    return CriterionSums(list(criterion_ids), {entry_id: tuple(parts) for entry_id, *parts in _fetch(query)})


def weighted_means_shown(round_: Round, criteria: list[Criterion], entry_ids: list[int] | None = None,
                         sums: CriterionSums | None = None) -> dict[int, list[Decimal | None]]:
    """For each of `criteria`, each entry's mean of w_c·s_c over its submitted reviews as shown
    (half-up, two decimals), or None without a score; from `sums` (criterion_sums over the same
    criteria) or one query.

    The rounding is integer arithmetic on (w_c in hundredths · Σ s_c) / (100 · n), cached per
    distinct value: the exports round 80,000 of them.
    """
    if sums is None:
        sums = criterion_sums(round_, [criterion.id for criterion in criteria], entry_ids)
    weights = list(enumerate(int(criterion.weight * 100) for criterion in criteria))
    shown = _ShownMeans()
    result = {}
    for entry_id, parts in sums.sums.items():
        values = []
        for i, weight in weights:
            n = parts[2 * i + 1]
            if not n:
                values.append(None)
                continue
            values.append(shown[weight * int(parts[2 * i]), 100 * n])
        result[entry_id] = values
    return result
