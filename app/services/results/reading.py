"""Reading a round's results: the one door every reading goes through (DESIGN §3a.2).

`round_results(round_)` is the live ranking while the round is open and the frozen snapshot once it
is finalised. The organiser's ranking and its criterion columns, judge profiles, the final score
over rounds, advancement, award places by ranking, the CSV/XLSX/JSON exports, the entrant's page,
the public page and the e-mails all read a round through it, so one entry shows one total, one
rank and one place everywhere.

The snapshot (`snapshot_data`) holds everything those readings need: per entry its exact score,
rank, flags, tie-break values, the rule that decided a tie, and per criterion the count, sum and
extremes of its scores; the round's criteria and tie-break order as they were; and the judges'
profiles. A snapshot written before these were kept (no "version") still gives the ranking; its
criterion columns and judge profiles are then read live.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import Contest, Entry, Nomination, RankingSnapshot, Review, Round, Score, User
from app.services.results import cache
from app.services.results.disagreement import cents
from app.services.results.ranking import (
    CriterionSums,
    RankedEntry,
    RoundRanking,
    order_entries,
    plain_decimal,
    rank_round,
)

SNAPSHOT_VERSION = 2

# The resampling of the round's statistics (app.services.statistics): the seed and the count in
# force, written into every snapshot so that a finalised round's figures come back identical.
STATISTICS_SEED = 2026
STATISTICS_RESAMPLES = 1000
# The most a snapshot may ask for (an imported one too): 10,000 resamples of 10,000 entries take minutes.
STATISTICS_MAX_RESAMPLES = 10000


def round_results(round_: Round, *, overall: bool = False, sums: CriterionSums | None = None) -> RoundRanking:
    """The round's ranking: frozen once the round is finalised, live while it is open.

    `sums` (criterion_sums over the round's criteria) spares a live ranking a second pass over the
    scores when the caller reads them anyway (the exports); a frozen ranking ignores it.
    """
    # Kept between the events that change it (results.cache): the version first, then the rest.
    version = cache.ranking_version(round_.id)
    snapshot = None
    if round_.finalised_at is not None:
        # Without its JSON: a kept ranking brings the parsed data along.
        snapshot = db.session.scalar(_current_snapshot_query(round_).options(sa.orm.defer(RankingSnapshot.data)))
    if snapshot is not None:
        def build() -> cache.CachedRanking:
            made = ranking_from_snapshot(round_, snapshot, overall=overall)
            return cache.CachedRanking(rows=made.rows, frozen_parts=made.frozen_parts,
                                       frozen_weights=made.frozen_weights, snapshot_data=snapshot.data)
    else:
        def build() -> cache.CachedRanking:
            return cache.CachedRanking(rows=rank_round(round_, overall=overall, sums=sums).rows)
    kept = cache.cached_ranking(cache.ranking_key(round_.id, version, overall, snapshot and snapshot.id), build)
    if snapshot is not None and "data" not in snapshot.__dict__:
        set_committed_value(snapshot, "data", kept.snapshot_data)
    nominations = list(db.session.scalars(
        sa.select(Nomination).where(Nomination.contest_id == round_.contest_id)
        .order_by(Nomination.position, Nomination.id)
    ))
    return RoundRanking(round=round_, rows=kept.rows, overall=overall, nominations=nominations,
                        snapshot=snapshot, frozen_parts=kept.frozen_parts, frozen_weights=kept.frozen_weights,
                        memo=kept.memo)


def contest_results(contest: Contest, *, finalised_only: bool = False) -> dict[int, RoundRanking]:
    """round_results of every round of the contest, by round id (of the finalised ones only with
    `finalised_only`, as the public sees them)."""
    return {round_.id: round_results(round_) for round_ in contest.rounds
            if not finalised_only or round_.finalised_at is not None}


def current_snapshot(round_: Round) -> RankingSnapshot | None:
    return db.session.scalar(_current_snapshot_query(round_))


def _current_snapshot_query(round_: Round):
    return (
        sa.select(RankingSnapshot)
        .where(RankingSnapshot.round_id == round_.id, RankingSnapshot.superseded_at.is_(None))
        .order_by(RankingSnapshot.created_at.desc(), RankingSnapshot.id.desc())
        .limit(1)
    )


def tie_rule_of(ranking: RoundRanking, row: RankedEntry) -> str | None:
    """The rule that decided the row's place against the entry just above it, in the reader's
    language: a criterion's title, "submission time" or "entry number"; None when no tie."""
    from flask_babel import gettext as _

    decided = row.tie_broken_by
    if decided is None:
        return None
    if decided == "submitted_at":
        return _("earlier submission")
    if decided == "number":
        return _("entry number")
    criteria = tie_break_titles(ranking)
    return criteria[decided] if decided < len(criteria) else None


def tie_break_titles(ranking: RoundRanking) -> list[str]:
    """The round's tie-break criteria in order, titled in the reader's language: the frozen order
    for a snapshot (titles are the criteria's own; they do not shape a result)."""
    if ranking.snapshot is not None and "tie_break" in ranking.snapshot.data:
        by_id = {c.id: c for c in ranking.round.criteria}
        return [by_id[cid].loc("title") if cid in by_id else "?" for cid in ranking.snapshot.data["tie_break"]]
    return [criterion.loc("title") for criterion in ranking.round.tie_break_criteria]


# --- the snapshot ------------------------------------------------------------------------------

def _exact_text(score: Fraction | float | None) -> str | None:
    if score is None:
        return None
    if isinstance(score, float):
        return repr(score)
    return f"{score.numerator}/{score.denominator}"


def _exact_value(text: str | None) -> Fraction | float | None:
    if text is None:
        return None
    return Fraction(text) if "/" in text else float(text)


def snapshot_data(ranking: RoundRanking, judges: list[dict] | None = None) -> dict:
    """The ranking as JSON: enough to rebuild it and every reading of it exactly, plus the shown
    values for the record. `judges`: the judges' totals as judge_profile_data gives them.

    Equal values are one shared object in a ranking (rank_round makes each once), so each is
    written as text once (at 10,000 entries the per-row conversions were most of finalising)."""
    round_ = ranking.round
    # A live ranking reads tie-break values only for tied entries; a snapshot keeps them all.
    ranking.load_all_tie_values()
    parts = criterion_parts(round_)
    criteria = list(round_.criteria)
    texts: dict[int, str | None] = {}
    shown: dict[int, str | None] = {}
    decimals: dict = {}

    def text(value):
        key = id(value)
        if key not in texts:
            texts[key] = _exact_text(value)
        return texts[key]

    def display(row):
        key = id(row.score)
        if key not in shown:
            shown[key] = None if row.display_score is None else str(row.display_score)
        return shown[key]

    def plain(value):
        if value not in decimals:
            decimals[value] = plain_decimal(value)
        return decimals[value]

    return {
        "version": SNAPSHOT_VERSION,
        "round": round_.key,
        "method": round_.method,
        "pass_mark": plain_decimal(round_.pass_mark),
        "maximum": plain_decimal(round_.maximum),
        "criteria": [
            {"id": c.id, "key": c.key, "title_ru": c.title_ru, "title_en": c.title_en,
             "weight": plain_decimal(c.weight), "min": c.min_score, "max": c.max_score}
            for c in criteria
        ],
        "tie_break": [tb.criterion_id for tb in round_.tie_breaks],
        "rows": [
            {
                "entry_id": row.entry_id, "number": row.number, "nomination_id": row.nomination_id,
                "rank": row.rank, "score": text(row.score), "shown": display(row),
                "reviews": row.reviews, "sum": plain(row.sum_total),
                "min": plain(row.min_total), "max": plain(row.max_total),
                "flagged": row.flagged, "below_pass_mark": row.below_pass_mark,
                "tie_values": [text(v) for v in row.tie_values],
                "tie_broken_by": row.tie_broken_by,
                "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
                # Per criterion id: [count, sum, min, max] of the submitted scores.
                "criteria": parts.get(row.entry_id, {}),
            }
            for row in ranking.rows
        ],
        "judges": judges if judges is not None else judge_profile_data(round_),
        "statistics": {"seed": STATISTICS_SEED, "resamples": STATISTICS_RESAMPLES},
    }


def statistics_settings(ranking: RoundRanking) -> tuple[int, int, bool]:
    """The seed and count of the statistics' resampling for this ranking: those stored with its
    snapshot (True), else the ones in force (False: a live ranking, or a snapshot older than them)."""
    if ranking.snapshot is not None:
        stored = ranking.snapshot.data.get("statistics")
        if isinstance(stored, dict) and "seed" in stored and "resamples" in stored:
            return int(stored["seed"]), int(stored["resamples"]), True
    return STATISTICS_SEED, STATISTICS_RESAMPLES, False


def criterion_parts(round_: Round) -> dict[int, dict[str, list[int]]]:
    """One query: per entry and criterion (by id, as text), [count, sum, min, max] of its
    submitted scores."""
    rows = db.session.connection().execute(
        sa.select(Review.entry_id, Score.criterion_id, sa.func.count(Score.value), sa.func.sum(Score.value),
                  sa.func.min(Score.value), sa.func.max(Score.value))
        .join(Score, Score.review_id == Review.id)
        .where(Review.round_id == round_.id, Review.status == "submitted", Score.value.is_not(None))
        .group_by(Review.entry_id, Score.criterion_id)
    ).all()
    parts: dict[int, dict[str, list[int]]] = {}
    for entry_id, criterion_id, n, total, low, high in rows:
        parts.setdefault(entry_id, {})[str(criterion_id)] = [n, int(total), low, high]
    return parts


def judge_profile_data(round_: Round) -> list[dict]:
    """One query: per judge with a submitted review, their name and totals in hundredths of a
    point, lowest first (judge profiles are drawn from them)."""
    rows = db.session.connection().execute(
        sa.select(Review.judge_id, User.name, cents(Review.total))
        .join(User, User.id == Review.judge_id)
        .where(Review.round_id == round_.id, Review.status == "submitted")
        .order_by(User.name, Review.judge_id, Review.total)
    ).all()
    judges: dict[int, dict] = {}
    for judge_id, name, total in rows:
        judges.setdefault(judge_id, {"judge_id": judge_id, "name": name, "totals_cents": []})["totals_cents"].append(
            int(total))
    return list(judges.values())


def ranking_from_snapshot(round_: Round, snapshot: RankingSnapshot, *, overall: bool = False) -> RoundRanking:
    """The frozen ranking (two queries: the entries' titles, the nominations)."""
    data = snapshot.data
    items = data["rows"]
    entries = {}
    if items:
        # Plain columns, not Entry objects: a snapshot can hold 10,000 entries.
        entries = {row[0]: row for row in db.session.execute(
            sa.select(Entry.id, Entry.number, Entry.title, Entry.organisation, Entry.submitted_at, Nomination.position)
            .outerjoin(Nomination, Nomination.id == Entry.nomination_id)
            .where(Entry.id.in_([item["entry_id"] for item in items])))}
    nominations = list(db.session.scalars(
        sa.select(Nomination).where(Nomination.contest_id == round_.contest_id)
        .order_by(Nomination.position, Nomination.id)
    ))
    weights = {c["id"]: int(Decimal(c["weight"]) * 100) for c in data.get("criteria", [])}
    # Snapshots written before criterion means were kept have none: their columns are read live.
    parts: dict[int, dict[str, list]] | None = {} if "criteria" in data else None
    # Equal texts become one shared value, as rank_round makes them (the sort and the pages rely on it).
    values: dict = {None: None}
    decimals: dict = {None: None}
    ties: dict = {}
    moments: dict = {None: None}

    def exact(text):
        if text not in values:
            values[text] = _exact_value(text)
        return values[text]

    def decimal(text):
        if text not in decimals:
            decimals[text] = Decimal(text)
        return decimals[text]

    rows = []
    for item in items:
        found = entries.get(item["entry_id"])
        if found is None:
            continue
        entry_id, number, title, organisation, entry_submitted_at, position = found
        tie_key = tuple(item["tie_values"])
        if tie_key not in ties:
            ties[tie_key] = tuple(exact(v) for v in tie_key)
        submitted_at = item.get("submitted_at")
        if submitted_at not in moments:
            moments[submitted_at] = datetime.fromisoformat(submitted_at)
        rows.append(RankedEntry(
            entry_id=entry_id, number=number, title=title, organisation=organisation,
            nomination_id=item["nomination_id"], nomination_position=position,
            submitted_at=moments[submitted_at] if submitted_at else entry_submitted_at,
            reviews=item["reviews"], score=exact(item["score"]),
            sum_total=decimal(item["sum"]), min_total=decimal(item["min"]), max_total=decimal(item["max"]),
            flagged=item["flagged"], below_pass_mark=item["below_pass_mark"],
            tie_values=ties[tie_key], rank=item["rank"], tie_broken_by=item.get("tie_broken_by"),
        ))
        if parts is not None:
            parts[entry_id] = item.get("criteria", {})
    if overall:
        rows = order_entries(rows, overall=True)
    return RoundRanking(round=round_, rows=rows, overall=overall, nominations=nominations,
                        snapshot=snapshot, frozen_parts=parts, frozen_weights=weights)
