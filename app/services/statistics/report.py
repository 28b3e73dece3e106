"""A round's statistics, read once: agreement, judge severity, plausible places, cut lines in a tie.

`round_statistics(round_)` is the one function pages, exports, the CLI and the protocol call. It
reads the round's submitted reviews in one query (the judges' names in a second), computes on
arrays, and never touches the official ranking (DESIGN §3): the places it gives are plausible
ranges around the official ones, for the council to read.

A finalised round's resampling uses the seed and count stored with its snapshot
(`results.reading.statistics_settings`); its reviews are frozen (DESIGN §3a.2), so its figures come
back identical every time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from threadpoolctl import threadpool_limits

from app.extensions import db
from app.i18n import format_number
from app.models import Award, EntryRound, Review, Round, Score, User
from app.services.funding import granted_amounts
from app.services.results.disagreement import cents
from app.services.results.outcomes import next_round
from app.services.results.ranking import RankedEntry, RoundRanking
from app.services.results.reading import round_results, statistics_settings
from app.services.statistics import agreement, severity, uncertainty

# The z-score method's largest corrections shown on the page.
ZSCORE_SHOWN = 5
# "Uncertain": the plausible places of an entry span more than this many places.
UNCERTAIN_SPAN = 2


@dataclass
class AlphaRow:
    key: str                   # the criterion's key, or "total"
    title: str
    value: float | None
    low: float | None          # 95 % bootstrap interval
    high: float | None
    band: str                  # agreement.reading_band
    entries: int               # entries with two or more reviews (the pairable units)


@dataclass
class JudgeRow:
    judge_id: int
    name: str
    email: str
    reviews: int
    group: int                  # judges linked by shared entries; offsets compare within a group
    offset: float
    error: float | None
    rms: float
    flags: list[dict]
    zscore_change: float        # mean change the z-score method makes to the judge's totals
    zscore_size: float          # mean absolute change

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass
class PlaceRow:
    entry_id: int
    number: int | None
    title: str
    nomination_id: int | None
    rank: int
    ranked: RankedEntry         # the ranking's row
    low: int
    high: int
    ties: list[str] = field(default_factory=list)  # kinds of cut line whose tie holds this entry

    @property
    def score(self):
        """The shown score (made for the rows a page shows only: 10,000 of them take a second)."""
        return self.ranked.display_score

    @property
    def width(self) -> int:
        return self.high - self.low


@dataclass
class CutTie:
    kind: str
    nomination_id: int | None
    after_place: int
    first: int | None           # official ranks of the entries that cannot be told apart across it
    last: int | None
    entries: list[int] = field(default_factory=list)  # their entry ids

    @property
    def tied(self) -> bool:
        return self.first is not None

    @property
    def title(self) -> str:
        kind = CUT_LINES.get(self.kind)
        return str(kind.title) if kind else self.kind


@dataclass
class RoundStatistics:
    round: Round
    ranking: RoundRanking
    seed: int
    resamples: int
    stored: bool                # seed and count read from the frozen snapshot
    reviews: int
    alpha: list[AlphaRow]
    judges: list[JudgeRow]
    places: list[PlaceRow]
    cuts: list[CutTie]
    sigma: float | None
    groups: int

    @property
    def flagged_judges(self) -> list[JudgeRow]:
        return [judge for judge in self.judges if judge.flags]

    @property
    def zscore_most(self) -> list[JudgeRow]:
        """The judges whose totals the z-score method would change most (mean absolute change)."""
        return sorted(self.judges, key=lambda j: (-j.zscore_size, j.name, j.judge_id))[:ZSCORE_SHOWN]

    @property
    def ties(self) -> list[CutTie]:
        return [cut for cut in self.cuts if cut.tied]


# --- cut lines: an extensible list -------------------------------------------------------------

CutFinder = Callable[[RoundRanking], list[tuple[int | None, int]]]


@dataclass
class CutLineKind:
    title: object               # a lazy string: the line's name on the page
    find: CutFinder             # ranking → [(nomination id or None, the place the line is drawn after)]


CUT_LINES: dict[str, CutLineKind] = {}


def register_cut_line(kind: str, title, find: CutFinder) -> None:
    """Adds a kind of cut line (e.g. "fund": the last funded place per nomination). `find` gets the
    ranking the statistics are about and returns where its lines are; the kinds are checked in
    the order they were registered."""
    CUT_LINES[kind] = CutLineKind(title=title, find=find)


def _group_key(ranking: RoundRanking, row) -> int | None:
    return None if ranking.overall else row.nomination_id


def _last_place_of(ranking: RoundRanking, chosen: set[int]) -> list[tuple[int | None, int]]:
    """Per group, the lowest official rank among the chosen entries (the line is drawn after it)."""
    lines: dict[int | None, int] = {}
    for row in ranking.rated:
        if row.entry_id in chosen and row.rank is not None:
            key = _group_key(ranking, row)
            lines[key] = max(lines.get(key, 0), row.rank)
    return sorted(lines.items(), key=lambda item: (item[0] is None, item[0] or 0))


def advancement_lines(ranking: RoundRanking) -> list[tuple[int | None, int]]:
    """Where the entries advanced to the next round end, per nomination."""
    target = next_round(ranking.round)
    if target is None:
        return []
    advanced = set(db.session.scalars(sa.select(EntryRound.entry_id).where(EntryRound.round_id == target.id)))
    return _last_place_of(ranking, advanced) if advanced else []


def pass_mark_lines(ranking: RoundRanking) -> list[tuple[int | None, int]]:
    """Per nomination, after the last entry at or above the pass mark (when some are below it)."""
    above: dict[int | None, int] = {}
    below: set[int | None] = set()
    for row in ranking.rated:
        key = _group_key(ranking, row)
        if row.below_pass_mark:
            below.add(key)
        elif row.rank is not None:
            above[key] = max(above.get(key, 0), row.rank)
    return [(key, place) for key, place in above.items() if key in below]


def award_lines(ranking: RoundRanking) -> list[tuple[int | None, int]]:
    """After the last entry given an award place (awards by place only)."""
    awarded = set(db.session.scalars(sa.select(Award.entry_id).where(
        Award.contest_id == ranking.round.contest_id, Award.place.is_not(None))))
    return _last_place_of(ranking, awarded) if awarded else []


def fund_lines(ranking: RoundRanking) -> list[tuple[int | None, int]]:
    """After the last entry granted money by the round's confirmed funding allocation (DESIGN §3b)."""
    funded = set(granted_amounts(ranking.round))
    return _last_place_of(ranking, funded) if funded else []


register_cut_line("advancement", _l("advancement"), advancement_lines)
register_cut_line("pass_mark", _l("pass mark"), pass_mark_lines)
register_cut_line("awards", _l("award places"), award_lines)
register_cut_line("fund", _l("the fund's edge"), fund_lines)


# --- reading the reviews -----------------------------------------------------------------------

@dataclass
class ReviewArrays:
    entry_ids: np.ndarray       # per review
    judge_ids: np.ndarray
    totals: np.ndarray          # points
    scores: np.ndarray          # reviews × criteria, NaN where missing
    criterion_ids: list[int]


def load_reviews(round_: Round) -> ReviewArrays:
    """Two queries: the submitted reviews ordered by entry then review, and their scores. (A
    submitted review has every score, DESIGN §3; one without a score row for a criterion has NaN
    there, and one with no score at all is left out.) Two narrow reads instead of one wide join
    ordered over every score: 33 ms against 70 ms at 2,000 entries and 45,655 scores."""
    criteria = [c.id for c in round_.criteria]
    db.session.flush()
    connection = db.session.connection()
    submitted = sa.and_(Review.round_id == round_.id, Review.status == "submitted")
    # Plain numbers straight from the driver's cursor: SQLAlchemy's rows cost 2.4 of the 6 s that
    # fetching 228,800 score rows took (10,000 entries, busy machine), and every column is a number.
    result = connection.execute(sa.select(Review.id, Review.entry_id, Review.judge_id, cents(Review.total))
                                .where(submitted).order_by(Review.entry_id, Review.id))
    reviews = result.cursor.fetchall()
    result.close()
    result = connection.execute(sa.select(Score.review_id, Score.criterion_id, Score.value)
                                .join(Review, Review.id == Score.review_id)
                                .where(submitted, Score.value.is_not(None)))
    score_rows = result.cursor.fetchall()
    result.close()
    if not reviews or not score_rows:
        empty = np.zeros(0, dtype=np.int64)
        return ReviewArrays(empty, empty, np.zeros(0), np.zeros((0, len(criteria))), criteria)
    # One pass in C over the rows' values (np.array on the rows themselves asks each row for an array
    # interface by name, and took 13 s for 45,000 rows).
    table = np.fromiter(chain.from_iterable(reviews), dtype=np.float64, count=4 * len(reviews)).reshape(-1, 4)
    values = np.fromiter(chain.from_iterable(score_rows), dtype=np.float64,
                         count=3 * len(score_rows)).reshape(-1, 3)
    # Each score's review: its row in `table`, found by the review id.
    by_id = np.argsort(table[:, 0], kind="stable")
    row = by_id[np.searchsorted(table[by_id, 0], values[:, 0])]
    ordered = np.array(sorted(criteria), dtype=np.float64)
    position = np.searchsorted(ordered, values[:, 1]).clip(max=max(len(ordered) - 1, 0))
    known = (ordered[position] == values[:, 1]) if len(ordered) else np.zeros(len(values), bool)
    column = {cid: i for i, cid in enumerate(criteria)}
    columns = np.array([column[int(c)] for c in ordered], dtype=np.int64)[position[known]]
    scores = np.full((len(table), len(criteria)), np.nan)
    scores[row[known], columns] = values[known, 2]
    scored = np.zeros(len(table), dtype=bool)
    scored[row] = True
    table, scores = table[scored], scores[scored]
    return ReviewArrays(entry_ids=table[:, 1].astype(np.int64), judge_ids=table[:, 2].astype(np.int64),
                        totals=table[:, 3] / 100.0, scores=scores, criterion_ids=criteria)


# --- the statistics ----------------------------------------------------------------------------

def _number(value) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def round_statistics(round_: Round, *, ranking: RoundRanking | None = None, seed: int | None = None,
                     resamples: int | None = None) -> RoundStatistics:
    """The round's agreement, judge severity and plausible places, for its live or frozen ranking
    (`round_results`; `ranking` spares reading it again). `seed` and `resamples` default to those
    stored with the snapshot, or in force for a live round."""
    # One BLAS thread: the matrices here are small (800 × 800 at most), and OpenBLAS's threads, on a
    # busy machine, spin against the other processes — the additive model took 2.5 s with them and
    # 0.27 s without, the alpha bootstrap 2.8 s and 1.0 s (10,000 entries, load average 8 on 2 cores).
    with threadpool_limits(limits=1, user_api="blas"):
        return _round_statistics(round_, ranking=ranking, seed=seed, resamples=resamples)


def _round_statistics(round_: Round, *, ranking: RoundRanking | None, seed: int | None,
                      resamples: int | None) -> RoundStatistics:
    ranking = ranking or round_results(round_)
    stored_seed, stored_count, stored = statistics_settings(ranking)
    seed = stored_seed if seed is None else seed
    resamples = stored_count if resamples is None else resamples
    rated = [row for row in ranking.rated if row.score is not None]
    data = load_reviews(round_)
    # Only the reviews of entries the ranking rates (a frozen ranking decides which those are).
    rated_ids = np.array([row.entry_id for row in rated], dtype=np.int64)
    by_id = np.argsort(rated_ids)
    found = np.searchsorted(rated_ids[by_id], data.entry_ids).clip(max=max(len(rated_ids) - 1, 0))
    keep = (rated_ids[by_id][found] == data.entry_ids) if len(rated_ids) else np.zeros(len(data.entry_ids), bool)
    entry_index = by_id[found] if len(rated_ids) else found
    entry_index, judge_ids = entry_index[keep], data.judge_ids[keep]
    # The reviews in the order of the ranking's entries (the bootstrap sums each entry's run of them).
    order = np.argsort(entry_index, kind="stable")
    entry_index, judge_ids = entry_index[order], judge_ids[order]
    totals, scores = data.totals[keep][order], data.scores[keep][order]
    judge_list, judge_index = np.unique(judge_ids, return_inverse=True)
    n_entries, n_judges = len(rated), len(judge_list)
    seeds = np.random.SeedSequence(seed).spawn(2)

    alpha = _alphas(round_, entry_index, scores, totals, n_entries, resamples, np.random.default_rng(seeds[0]))
    judges: list[JudgeRow] = []
    places: list[PlaceRow] = []
    sigma = None
    groups = 0
    low = high = np.zeros(0, dtype=np.int64)
    if len(totals) and n_judges:
        fit = severity.fit_severity(entry_index, judge_index, totals, n_entries, n_judges,
                                   maximum=float(ranking.maximum))
        sigma, groups = _number(fit.sigma), fit.groups
        change, size = severity.zscore_corrections(judge_index, totals, n_judges)
        people = {uid: (name, email) for uid, name, email in db.session.execute(
            sa.select(User.id, User.name, User.email).where(User.id.in_(judge_list.tolist())))}
        for j, uid in enumerate(judge_list.tolist()):
            name, email = people.get(uid, ("", ""))
            judges.append(JudgeRow(judge_id=uid, name=name, email=email, reviews=int(fit.counts[j]),
                                   group=int(fit.group_of[j]) + 1,
                                   offset=float(fit.offsets[j]), error=_number(fit.errors[j]), rms=float(fit.rms[j]),
                                   flags=fit.flags[j], zscore_change=float(change[j]), zscore_size=float(size[j])))
        judges.sort(key=lambda j: (-j.offset, j.name, j.judge_id))
        # The residuals' spread is understated by the fit; scaled up by √(reviews / degrees of freedom).
        scale = np.sqrt(len(totals) / fit.dof) if fit.dof > 0 else 0.0
        deviations = fit.offsets[judge_index] + scale * fit.residuals
        # Equal scores are one shared object in a ranking: each is converted once.
        floats: dict[int, float] = {}
        scores_now = np.array([floats.get(id(row.score)) or floats.setdefault(id(row.score), float(row.score))
                               for row in rated])
        group_keys = {}
        group_of = np.array([group_keys.setdefault(_group_key(ranking, row), len(group_keys)) for row in rated])
        low, high = uncertainty.place_intervals(scores_now, group_of, entry_index, deviations, resamples,
                                                np.random.default_rng(seeds[1]))
    for i, row in enumerate(rated):
        places.append(PlaceRow(entry_id=row.entry_id, number=row.number, title=row.title or "",
                               nomination_id=row.nomination_id, rank=row.rank, ranked=row,
                               low=int(low[i]) if len(low) else row.rank, high=int(high[i]) if len(high) else row.rank))
    cuts = _cut_ties(ranking, places)
    return RoundStatistics(round=round_, ranking=ranking, seed=seed, resamples=resamples, stored=stored,
                           reviews=int(len(totals)), alpha=alpha, judges=judges, places=places, cuts=cuts,
                           sigma=sigma, groups=groups)


def _alphas(round_: Round, entry_index, scores, totals, n_entries, resamples, rng) -> list[AlphaRow]:
    criteria = list(round_.criteria)
    columns = [scores[:, i] for i in range(len(criteria))] + [totals]
    sums = [agreement.unit_sums(entry_index, values, n_entries) for values in columns]
    boot = agreement.bootstrap_alphas(sums, n_entries, resamples, rng) if n_entries and resamples else None
    rows = []
    for i, values in enumerate(columns):
        if i < len(criteria):
            c = criteria[i]
            value = agreement.library_alpha(entry_index, values, n_entries, c.min_score, c.max_score)
            key, title = c.key, c.loc("title")
        else:
            value = agreement.interval_alpha(entry_index, values, n_entries)
            key, title = "total", str(_l("Total"))
        low = high = None
        if boot is not None and not np.isnan(value):
            finite = boot[:, i][~np.isnan(boot[:, i])]
            if len(finite):
                low, high = (float(x) for x in np.percentile(finite, [2.5, 97.5]))
        rows.append(AlphaRow(key=key, title=title, value=_number(value), low=low, high=high,
                             band=agreement.reading_band(value), entries=int(np.count_nonzero(sums[i].m))))
    return rows


def _cut_ties(ranking: RoundRanking, places: list[PlaceRow]) -> list[CutTie]:
    groups: dict[int | None, list[int]] = {}
    for i, place in enumerate(places):
        groups.setdefault(None if ranking.overall else place.nomination_id, []).append(i)
    low = np.array([p.low for p in places], dtype=np.int64)
    high = np.array([p.high for p in places], dtype=np.int64)
    members = {group: np.array(indices, dtype=np.int64) for group, indices in groups.items()}
    cuts = []
    for kind, line in CUT_LINES.items():
        for group, after in line.find(ranking):
            chosen = members.get(group)
            if chosen is None:
                continue
            inside = [places[i] for i in chosen[uncertainty.straddling(low[chosen], high[chosen], after)]]
            cut = CutTie(kind=kind, nomination_id=group, after_place=after,
                         first=min((p.rank for p in inside), default=None),
                         last=max((p.rank for p in inside), default=None), entries=[p.entry_id for p in inside])
            for p in inside:
                p.ties.append(kind)
            cuts.append(cut)
    return cuts


# --- the document: exports and the protocol ----------------------------------------------------

def statistics_document(stats: RoundStatistics) -> dict:
    """The statistics as contest-exchange.md ("Round statistics") writes them in a round's results
    JSON, plus what the protocol prints: intervals, bands, flags and the cut lines in a tie."""
    keys = {n.id: n.key for n in stats.ranking.nominations}
    alpha = {row.key: rounded_or_none(row.value, 3) for row in stats.alpha if row.key == "total"}
    alpha.update({row.key: rounded_or_none(row.value, 3) for row in stats.alpha if row.key != "total"})
    return {
        "alpha": alpha,
        "alpha_intervals": {row.key: [rounded_or_none(row.low, 3), rounded_or_none(row.high, 3)]
                            for row in stats.alpha},
        "judges": [{"email": j.email, "offset": round(j.offset, 2), "error": rounded_or_none(j.error, 2),
                    "reviews": j.reviews, "flagged": j.flagged, "flags": j.flags,
                    "zscore_change": round(j.zscore_size, 2)} for j in stats.judges],
        "ranks": [{"entry": p.number, "nomination": keys.get(p.nomination_id), "rank": p.rank,
                   "low": p.low, "high": p.high} for p in stats.places],
        "ties": [{"line": cut.kind, "nomination": keys.get(cut.nomination_id), "after": cut.after_place,
                  "from": cut.first, "to": cut.last} for cut in stats.ties],
        "resamples": stats.resamples, "seed": stats.seed,
    }


def rounded_or_none(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def protocol_statistics(round_: Round) -> dict:
    """For the protocol (documents): the round's statistics as statistics_document gives them."""
    return statistics_document(round_statistics(round_))


def sorted_places(stats: RoundStatistics, *, sort: str = "rank", show: str = "all") -> list[PlaceRow]:
    """The entries' plausible places for the page: `show` "all", "ties" (in a tie at a cut line) or
    "uncertain" (plausible places span more than UNCERTAIN_SPAN); `sort` by "rank" (group, then
    official rank), "width" (widest interval first) or "low" (best plausible place first)."""
    rows = stats.places
    if show == "ties":
        rows = [p for p in rows if p.ties]
    elif show == "uncertain":
        rows = [p for p in rows if p.width > UNCERTAIN_SPAN]
    if sort == "width":
        return sorted(rows, key=lambda p: (-p.width, p.rank, p.number or 0))
    if sort == "low":
        return sorted(rows, key=lambda p: (p.low, p.rank, p.number or 0))
    return list(rows)


_BAND_WORDS = {
    "high": _l("high agreement"), "tentative": _l("acceptable agreement"),
    "moderate": _l("moderate agreement"), "low": _l("low agreement"),
}
_FLAG_WORDS = {"lenient": _l("lenient"), "severe": _l("severe"), "disagreement": _l("disagrees")}


def flag_text(flag: dict) -> str:
    """A judge's flag in words with the numbers that raised it, in the reader's format: the one
    wording for the statistics page and its spreadsheets."""
    if flag.get("reason") == "lenient":
        return _("lenient: %(beyond)s points above the median judge, %(z)s standard errors (the bar is %(bar)s)",
                 beyond=format_number(flag["beyond"], 2), z=format_number(flag["z"], 1),
                 bar=format_number(flag["bar"], 1))
    if flag.get("reason") == "severe":
        return _("severe: %(beyond)s points below the median judge, %(z)s standard errors (the bar is %(bar)s)",
                 beyond=format_number(-flag["beyond"], 2), z=format_number(-flag["z"], 1),
                 bar=format_number(flag["bar"], 1))
    return _("disagrees with the others: typical deviation %(rms)s points against the round's %(sigma)s "
             "(%(ratio)s times)", rms=format_number(flag["rms"], 2), sigma=format_number(flag["sigma"], 2),
             ratio=format_number(flag["ratio"], 1))


def protocol_lines(round_: Round) -> list[str]:
    """The protocol's "reliability" section in plain sentences (documents.protocol): agreement on
    the total, the flagged judges, the cut lines that fall inside a statistical tie, and the seed
    and count that make the figures come back."""
    stats = round_statistics(round_)
    lines = []
    for row in stats.alpha:
        if row.key != "total":
            continue
        if row.value is None or row.band == "none":
            lines.append(_("Agreement between judges on the total: too few entries with two reviews to tell."))
        else:
            lines.append(_(
                "Agreement between judges on the total (Krippendorff's alpha): %(alpha)s, 95 %% interval "
                "%(low)s–%(high)s, %(band)s.", alpha=format_number(row.value, 2),
                low=format_number(row.low, 2), high=format_number(row.high, 2), band=_BAND_WORDS[row.band]))
    for judge in stats.flagged_judges:
        words = ", ".join(str(_FLAG_WORDS.get(flag["reason"], flag["reason"])) for flag in judge.flags)
        lines.append(_("Judge %(name)s: %(flags)s (offset %(offset)s points).", name=judge.name, flags=words,
                       offset=("+" if judge.offset > 0 else "") + format_number(judge.offset, 2)))
    for cut in stats.ties:
        lines.append(_("%(line)s: entries %(first)s–%(last)s cannot be told apart at this level of agreement.",
                       line=cut.title, first=cut.first, last=cut.last))
    lines.append(_("Plausible places from %(count)s resamples of the reviews, seed %(seed)s.",
                   count=stats.resamples, seed=stats.seed))
    return lines
