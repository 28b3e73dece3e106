"""Results: finalising and reopening rounds, advancing entries, the final score over rounds,
awards and publication. Functions flush; the request (or CLI command) commits."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    AuditEvent,
    Award,
    Contest,
    Entry,
    EntryRound,
    FundingPlan,
    JuryMember,
    Nomination,
    RankingSnapshot,
    Review,
    Round,
    User,
)
from app.models.funding import published_grants
from app.services.api import webhooks
from app.services.platform.audit import record_event
from app.services.platform.clock import now
from app.services.platform.links import external_url
from app.services.platform.mail import send_mail
from app.services.results import finalising, reading
from app.services.results.ranking import (
    RankedEntry,
    RoundRanking,
    half_up,
    order_entries,
    plain_decimal,
)
from app.services.results.reading import current_snapshot, round_results, snapshot_data
from app.services.setup import lifecycle, rules

ADVANCE_MODES = ("top", "share", "pass")


class ResultsError(Exception):
    """An action the rules do not allow; the message is translated and shown to the organiser."""


# --- snapshots: reading.py owns their format and reads them -----------------------------------

def rankings_from_snapshots(contest: Contest) -> dict[int, RoundRanking]:
    """The frozen ranking of every finalised round of the contest, by round id."""
    return reading.contest_results(contest, finalised_only=True)


# --- charts: how judges score, how entries score -----------------------------------------------

CHART_BINS = 10


@dataclass
class JudgeProfile:
    judge_id: int
    name: str
    reviews: int
    mean: Fraction
    low: Decimal
    high: Decimal
    bins: list[int]

    @property
    def shown_mean(self) -> Decimal:
        return half_up(self.mean)


def score_scale(round_: Round) -> tuple[Decimal, Decimal]:
    """The lowest and highest possible review total of the round."""
    low = sum((c.weight * c.min_score for c in round_.criteria), Decimal(0))
    return low, round_.maximum


def bin_edges(round_: Round, bins: int = CHART_BINS) -> list[Decimal]:
    low, high = score_scale(round_)
    step = (high - low) / bins if high > low else Decimal(1)
    return [low + step * i for i in range(bins + 1)]


def round_judges(round_: Round, ranking: RoundRanking | None = None) -> list[int]:
    """With a frozen `ranking`, the judges its snapshot kept.

    One query: the judges with a submitted review in the round, by name (as judge_profiles).

    Asked of the round's jury members, one EXISTS each on the (judge, round, status) index, rather
    than of the round's 30,000 reviews: a submitted review has an assignment, which keeps its judge
    on the jury (remove_member and decline_invitation refuse; an import enrols every reviewer)."""
    frozen = _frozen_judges(ranking)
    if frozen is not None:
        return [judge["judge_id"] for judge in frozen]
    jury = sa.select(JuryMember.user_id).where(JuryMember.round_id == round_.id)
    reviewed = sa.exists().where(Review.judge_id == User.id, Review.round_id == round_.id,
                                 Review.status == "submitted")
    return list(db.session.scalars(
        sa.select(User.id).where(User.id.in_(jury), reviewed).order_by(User.name, User.id)))


def _frozen_judges(ranking: RoundRanking | None) -> list[dict] | None:
    if ranking is None or ranking.snapshot is None:
        return None
    return ranking.snapshot.data.get("judges")


def _bin_of(total: Decimal, edges: list[Decimal]) -> int:
    """The bin of a total as judge_profiles' SQL counts it (the last bin holds its upper edge)."""
    for index in range(len(edges) - 2):
        if total < edges[index + 1]:
            return index
    return len(edges) - 2


def judge_profiles(round_: Round, bins: int = CHART_BINS, judge_ids: list[int] | None = None,
                   ranking: RoundRanking | None = None) -> list[JudgeProfile]:
    """With a frozen `ranking`, from the totals its snapshot kept (no query).

    One query: per judge of the round (or of `judge_ids`, e.g. a page of round_judges), the
    count, mean, extremes and a histogram of their submitted totals (equal bins over the round's
    scale), to spot a harsh or lenient judge.

    With `judge_ids` only those judges' reviews are read (the judge index), not the round's 30,000."""
    edges = bin_edges(round_, bins)
    frozen = _frozen_judges(ranking)
    if frozen is not None:
        wanted = None if judge_ids is None else set(judge_ids)
        profiles = []
        for judge in frozen:
            if wanted is not None and judge["judge_id"] not in wanted:
                continue
            totals = [Decimal(t).scaleb(-2) for t in judge["totals_cents"]]
            counts = [0] * bins
            for total in totals:
                counts[_bin_of(total, edges)] += 1
            profiles.append(JudgeProfile(judge_id=judge["judge_id"], name=judge["name"], reviews=len(totals),
                                         mean=Fraction(sum(totals, Decimal(0))) / len(totals),
                                         low=min(totals), high=max(totals), bins=counts))
        return profiles
    counts = []
    for index in range(bins):
        upper = Review.total <= edges[index + 1] if index == bins - 1 else Review.total < edges[index + 1]
        lower = sa.true() if index == 0 else Review.total >= edges[index]
        counts.append(sa.func.sum(sa.case((sa.and_(lower, upper), 1), else_=0)))
    exact = sa.Numeric(28, 4)
    # Grouped by judge first, then joined to the 800-odd names: grouping by the name as well made
    # the database carry it through every review row (a third of the query's time).
    per_judge = (
        sa.select(Review.judge_id.label("judge_id"), sa.func.count().label("n"),
                  sa.func.sum(Review.total).label("total"), sa.func.min(Review.total).label("low"),
                  sa.func.max(Review.total).label("high"),
                  *(count.label(f"bin{index}") for index, count in enumerate(counts)))
        .where(Review.round_id == round_.id, Review.status == "submitted",
               Review.judge_id.in_(judge_ids) if judge_ids is not None else sa.true())
        .group_by(Review.judge_id)
        .subquery()
    )
    query = (
        sa.select(per_judge.c.judge_id, User.name, per_judge.c.n, sa.type_coerce(per_judge.c.total, exact),
                  sa.type_coerce(per_judge.c.low, exact), sa.type_coerce(per_judge.c.high, exact),
                  *(per_judge.c[f"bin{index}"] for index in range(bins)))
        .join(User, User.id == per_judge.c.judge_id)
        .order_by(User.name, per_judge.c.judge_id)
    )
    return [
        JudgeProfile(judge_id=judge_id, name=name, reviews=n, mean=Fraction(total) / n, low=low, high=high,
                     bins=[int(c or 0) for c in bin_counts])
        for judge_id, name, n, total, low, high, *bin_counts in db.session.execute(query)
    ]


def score_histograms(ranking: RoundRanking, bins: int = CHART_BINS) -> list[tuple[Nomination | None, list[int]]]:
    """Per nomination, how many rated entries fall in each bin of the round's scale."""
    low, high = score_scale(ranking.round)
    low = Fraction(low)
    span = Fraction(high) - low if high > low else Fraction(1)
    # bin = ⌊(score − low) / span · bins⌋ in integers: with score = p/q, low = a/b, span = c/d it is
    # ⌊(p·b − a·q) · bins · d / (q · b · c)⌋ (Fraction arithmetic per row cost a tenth of the page).
    a, b, c, d = low.numerator, low.denominator, span.numerator, span.denominator
    # Equal scores are often one shared object (rank_round makes each distinct Fraction once).
    bin_of: dict[int, int] = {}
    # One pass over the rows (10,000 at contest scale), counting into each row's group; every group
    # of ranking.groups() appears, in its order, even one of unrated entries only.
    by_group: dict[int | None, list[int]] = {}
    overall = ranking.overall
    for row in ranking.rows:
        counts = by_group.get(None if overall else row.nomination_id)
        if counts is None:
            counts = by_group[None if overall else row.nomination_id] = [0] * bins
        if row.unrated:
            continue
        score = row.score
        position = bin_of.get(id(score))
        if position is None:
            exact = Fraction(score) if isinstance(score, float) else score
            p, q = exact.numerator, exact.denominator
            position = bin_of[id(score)] = min(max((p * b - a * q) * bins * d // (q * b * c), 0), bins - 1)
        counts[position] += 1
    if overall:
        return [(None, by_group.get(None, [0] * bins))]
    result = [(n, by_group[n.id]) for n in ranking.nominations if n.id in by_group]
    if None in by_group:
        result.append((None, by_group[None]))
    return result


# --- finalising and reopening ----------------------------------------------------------------

def finalise_round(round_: Round, *, actor: User | None, confirmed: set[str] | frozenset[str] = frozenset(),
                   reason: str = "") -> RankingSnapshot:
    """Freezes the round's ranking as a snapshot with the time and the organiser.

    Every open item of finalising.finalise_checklist must be in `confirmed` (the organiser ticked
    it) and, if there is any, a reason given; the items and the reason go into the audit event.
    Judges with drafts are told their drafts will not count."""
    if round_.finalised_at is not None:
        raise ResultsError(_("This round is already finalised."))
    items = finalising.finalise_checklist(round_)
    unticked = [item for item in items if item.key not in confirmed]
    if unticked:
        raise ResultsError(_("Confirm each open item before finalising: %(items)s.",
                             items="; ".join(item.text for item in unticked)))
    reason = (reason or "").strip()
    if items and not reason:
        raise ResultsError(_("Give the reason for finalising with open items."))
    drafts = finalising.judges_with_drafts(round_)
    moment = now()
    ranking = round_results(round_)
    snapshot = RankingSnapshot(round_id=round_.id, created_at=moment,
                               created_by_id=actor.id if actor else None, data=snapshot_data(ranking))
    db.session.add(snapshot)
    round_.finalised_at = moment
    round_.finalised_by_id = actor.id if actor else None
    db.session.flush()
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None,
                 action="round.finalise", object_type="round", object_id=round_.id,
                 new={"round": round_.key, "snapshot": snapshot.id, "entries": len(ranking.rows),
                      "open_items": [item.record() for item in items]},
                 reason=reason or None)
    webhooks.announce(round_.contest_id, "round.finalised", {
        "round": round_.id, "key": round_.key, "snapshot": snapshot.id, "finalised_at": moment.isoformat()})
    for judge, count in drafts:
        with force_locale(judge.locale):
            send_mail(to=judge.email,
                      subject=_("The round «%(round)s» is finalised", round=round_.loc("title", judge.locale)),
                      body=render_template("mail/finalise_drafts.txt", judge=judge, contest=round_.contest,
                                           round=round_, drafts=count))
    return snapshot


def reopen_round(round_: Round, *, actor: User | None, reason: str) -> None:
    """Unfreezes a finalised round; the snapshot is kept, marked superseded. A reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ResultsError(_("Give the reason for reopening the round."))
    if round_.finalised_at is None:
        raise ResultsError(_("This round is not finalised."))
    if round_.contest.is_published:
        raise ResultsError(_("The results are published: withdraw the publication first."))
    places = db.session.scalar(sa.select(sa.func.count()).select_from(Award).where(
        Award.contest_id == round_.contest_id, Award.place.is_not(None)))
    if places:
        # Places were named from the frozen ranking; a reopened round could reorder it under them.
        raise ResultsError(_("Places are awarded from this ranking: remove them before reopening the round."))
    if db.session.scalar(sa.select(sa.func.count()).select_from(FundingPlan).where(
            FundingPlan.round_id == round_.id, FundingPlan.confirmed_at.is_not(None))):
        # The confirmed allocation was made from this ranking (DESIGN §3b); funding owns the rule.
        raise ResultsError(_("A funding allocation is confirmed from this ranking: withdraw it before reopening "
                             "the round."))
    moment = now()
    snapshot = current_snapshot(round_)
    if snapshot is not None:
        snapshot.superseded_at = moment
    old = {"round": round_.key, "finalised_at": round_.finalised_at.isoformat(), "finalised_by": round_.finalised_by_id}
    round_.finalised_at = None
    round_.finalised_by_id = None
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None,
                 action="round.reopen", object_type="round", object_id=round_.id, old=old,
                 reason=reason)
    db.session.flush()


# --- advancing -------------------------------------------------------------------------------

def next_round(round_: Round) -> Round | None:
    later = [r for r in round_.contest.rounds if (r.position, r.id) > (round_.position, round_.id)]
    return min(later, key=lambda r: (r.position, r.id)) if later else None


@dataclass
class AdvancePlan:
    round: Round
    target: Round
    mode: str
    count: int | None
    # Per nomination (in form order): the entries that advance.
    groups: list[tuple[Nomination | None, list[RankedEntry]]] = field(default_factory=list)
    already: set[int] = field(default_factory=set)

    @property
    def entries(self) -> list[RankedEntry]:
        return [row for _, rows in self.groups for row in rows]

    @property
    def new_entries(self) -> list[RankedEntry]:
        return [row for row in self.entries if row.entry_id not in self.already]


def _share(total: int, percent: int) -> int:
    """`percent` % of `total` entries, rounded half-up, at least one."""
    return max(1, (total * percent * 2 + 100) // 200)


def plan_advancement(round_: Round, *, mode: str, count: int | None = None) -> AdvancePlan:
    """Which entries advance from a finalised round: the top `count` per nomination ("top"), the
    top `count` per cent of each nomination's entries ("share"), or all at or above the pass mark
    ("pass"). Unrated and below-pass-mark entries never advance (DESIGN §3.3, §3.5)."""
    if round_.finalised_at is None:
        raise ResultsError(_("Finalise the round before advancing entries."))
    target = next_round(round_)
    if target is None:
        raise ResultsError(_("There is no next round to advance entries to."))
    if mode not in ADVANCE_MODES:
        raise ResultsError(_("Choose how entries advance."))
    if mode == "top" and (count is None or count < 1):
        raise ResultsError(_("Give the number of entries per nomination (1 or more)."))
    if mode == "share" and (count is None or not 1 <= count <= 100):
        raise ResultsError(_("Give the share of each nomination's entries, from 1 to 100 per cent."))
    if mode == "pass" and round_.pass_mark is None:
        raise ResultsError(_("This round has no pass mark."))
    ranking = round_results(round_)
    groups = []
    for nomination, rows in ranking.groups():
        chosen = [row for row in rows if row.can_advance]
        if mode == "top":
            chosen = chosen[:count]
        elif mode == "share":
            chosen = chosen[:_share(len(rows), count)]
        if chosen:
            groups.append((nomination, chosen))
    already = set(db.session.scalars(
        sa.select(EntryRound.entry_id).where(EntryRound.round_id == target.id)
    ))
    return AdvancePlan(round=round_, target=target, mode=mode, count=count, groups=groups,
                       already=already)


def advance_entries(round_: Round, *, mode: str, count: int | None = None,
                    actor: User | None) -> AdvancePlan:
    """Adds the planned entries to the next round (EntryRound rows); returns the plan."""
    plan = plan_advancement(round_, mode=mode, count=count)
    moment = now()
    added = plan.new_entries
    for row in added:
        db.session.add(EntryRound(entry_id=row.entry_id, round_id=plan.target.id, added_at=moment))
    db.session.flush()
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None,
                 action="round.advance", object_type="round", object_id=round_.id,
                 new={"to": plan.target.key, "mode": mode, "count": count,
                      "entries": [row.number for row in added]})
    return plan


# --- the final score over rounds -------------------------------------------------------------

def set_round_weights(contest: Contest, weights: dict[int, Decimal | None], *,
                      actor: User | None, reason: str = "") -> None:
    """Sets ρ_r per round (None: the round does not count in the final score).

    The final score decides the winners, so weights are refused once the results are published
    (withdraw the publication first) and, for a round being judged or finalised, need a reason."""
    old, new = {}, {}
    for round_ in contest.rounds:
        if round_.id not in weights:
            continue
        weight = weights[round_.id]
        if weight is not None:
            message = rules.check_weight(weight)
            if message:
                raise ResultsError(message)
        if round_.weight != weight:
            old[round_.key] = plain_decimal(round_.weight)
            new[round_.key] = plain_decimal(weight)
            round_.weight = weight
    if new:
        if contest.is_published:
            raise ResultsError(_("The results are published: withdraw the publication before changing "
                                 "the round weights."))
        reason = (reason or "").strip()
        started = [r for r in contest.rounds if r.key in new and lifecycle.has_submitted_review(r)]
        if started and not reason:
            raise ResultsError(_("Judging has started: give the reason for changing the round weights."))
        record_event(contest_id=contest.id, actor_id=actor.id if actor else None,
                     action="contest.round_weights", object_type="contest", object_id=contest.id,
                     old=old, new=new, reason=reason or None)
    db.session.flush()


def weighted_rounds(contest: Contest) -> list[Round]:
    return [r for r in contest.rounds if r.weight is not None]


def final_ranking(contest: Contest, rankings: dict[int, RoundRanking] | None = None) -> RoundRanking | None:
    """Σ_r ρ_r · 100 · score_r / max_r for entries rated in every weighted round (DESIGN §3.7),
    ranked per nomination; ties fall to the last weighted round's tie-break chain.

    `rankings` (by round id, e.g. the frozen ones) are used where given; other rounds are ranked live.
    """
    rounds = weighted_rounds(contest)
    if not rounds or any(r.maximum == 0 for r in rounds):
        return None
    rankings = [(rankings or {}).get(r.id) or round_results(r) for r in rounds]
    last = rankings[-1]
    by_entry = [ranking.by_entry() for ranking in rankings]
    rows = []
    for base in last.rows:
        parts = [rows_of_round.get(base.entry_id) for rows_of_round in by_entry]
        if any(part is None or part.unrated for part in parts):
            continue
        total = sum(
            (Fraction(r.weight) * 100 * Fraction(part.score) / Fraction(r.maximum)
             for r, part in zip(rounds, parts, strict=True)),
            Fraction(0),
        )
        rows.append(replace(base, score=total, flagged=False,
                            below_pass_mark=any(part.below_pass_mark for part in parts)))
    # Final scores tie differently from the last round's: its loader reads what is missing.
    return RoundRanking(round=last.round, rows=order_entries(rows, overall=False, load_ties=last.load_tie_values),
                        nominations=last.nominations)


def deciding_ranking(contest: Contest) -> RoundRanking | None:
    """The ranking winners are decided on: the final score where round weights are set, else
    the last round that has entries (DESIGN §3.7)."""
    final = final_ranking(contest)
    if final is not None:
        return final
    round_ids = set(db.session.scalars(
        sa.select(EntryRound.round_id).join(Round, Round.id == EntryRound.round_id)
        .where(Round.contest_id == contest.id).distinct()
    ))
    used = [r for r in contest.rounds if r.id in round_ids]
    return round_results(used[-1]) if used else None


def entry_by_number(contest: Contest, number: int | None) -> Entry | None:
    return db.session.scalar(sa.select(Entry).where(Entry.contest_id == contest.id, Entry.number == number))


def entry_reviews(round_: Round, entry: Entry) -> list:
    """Every review of the entry in the round (drafts too) with scores and judges, submitted first."""
    return list(db.session.scalars(
        sa.select(Review).where(Review.round_id == round_.id, Review.entry_id == entry.id)
        .options(selectinload(Review.scores), selectinload(Review.judge))
        .order_by(Review.status.desc(), Review.submitted_at, Review.id)
    ))


# --- awards ----------------------------------------------------------------------------------

def unable_to_win(contest: Contest) -> set[int]:
    """Entries that are unrated or below the pass mark in a round they are in (DESIGN §3.3, §3.5)."""
    excluded = set()
    for round_ in contest.rounds:
        for row in round_results(round_).rows:
            if not row.can_advance:
                excluded.add(row.entry_id)
    return excluded


def contest_awards(contest: Contest) -> list[Award]:
    return list(db.session.scalars(
        sa.select(Award).where(Award.contest_id == contest.id)
        .options(selectinload(Award.entry))
        .outerjoin(Nomination, Nomination.id == Award.nomination_id)
        .order_by(Nomination.position.nulls_last(), Award.place.nulls_last(), Award.id)
    ))


def add_award(contest: Contest, *, entry: Entry, place: int | None = None, title_ru: str = "",
              title_en: str = "", actor: User | None, correction: str | None = None) -> Award:
    """A place in the entry's nomination, or (without a place) a special prize with a title.

    After publication only as a correction (`correction`: its reason; see correct_results)."""
    correction = _correction_reason(contest, correction)
    if entry.contest_id != contest.id:
        raise ResultsError(_("This entry is not in this contest."))
    title_ru, title_en = (title_ru or "").strip(), (title_en or "").strip()
    if place is None and not (title_ru or title_en):
        raise ResultsError(_("A special prize needs a title."))
    if place is not None and place < 1:
        raise ResultsError(_("A place is 1 or more."))
    in_rounds = db.session.scalar(sa.select(sa.exists().where(EntryRound.entry_id == entry.id)))
    if not in_rounds or entry.id in unable_to_win(contest):
        raise ResultsError(_("Entry %(number)s cannot win: it is not rated or is below the pass mark.",
                             number=entry.number))
    if place is not None:
        taken = db.session.scalar(sa.select(sa.exists().where(
            Award.contest_id == contest.id, Award.place == place,
            Award.nomination_id.is_(None) if entry.nomination_id is None
            else Award.nomination_id == entry.nomination_id,
        )))
        if taken:
            raise ResultsError(_("Place %(place)s in this nomination is already awarded.", place=place))
    award = Award(contest_id=contest.id, entry_id=entry.id, nomination_id=entry.nomination_id,
                  place=place, title_ru=title_ru, title_en=title_en)
    db.session.add(award)
    db.session.flush()
    change = {"entry": entry.number, "place": place, "title_ru": title_ru, "title_en": title_en}
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None, action="award.add",
                 object_type="award", object_id=award.id, new=change, reason=correction)
    if correction:
        correct_results(contest, reason=correction, actor=actor, entries=[entry], old=None, new={"award": change})
    return award


def remove_award(award: Award, *, actor: User | None, correction: str | None = None) -> None:
    """Removes an award; after publication only as a correction (`correction`: its reason)."""
    contest = db.session.get(Contest, award.contest_id)
    correction = _correction_reason(contest, correction)
    change = {"entry": award.entry.number, "place": award.place, "title_ru": award.title_ru,
              "title_en": award.title_en}
    entry = award.entry
    record_event(contest_id=award.contest_id, actor_id=actor.id if actor else None,
                 action="award.remove", object_type="award", object_id=award.id, old=change, reason=correction)
    db.session.delete(award)
    db.session.flush()
    if correction:
        correct_results(contest, reason=correction, actor=actor, entries=[entry], old={"award": change}, new=None)


def award_places(contest: Contest, *, places: int = 3, actor: User | None,
                 correction: str | None = None) -> list[Award]:
    """Names places 1…`places` per nomination from the deciding ranking, where not yet awarded.
    After publication only as a correction (one correction event for all the places named)."""
    correction = _correction_reason(contest, correction)
    waiting = unfinalised_rounds(contest)
    if waiting:
        # Places come from frozen rankings only (DESIGN §3a.2), never from one still moving.
        raise ResultsError(_("Finalise every round first: %(rounds)s.",
                             rounds=", ".join(r.loc("title") for r in waiting)))
    ranking = deciding_ranking(contest)
    if ranking is None:
        raise ResultsError(_("There is no ranking to decide the winners on yet."))
    excluded = unable_to_win(contest)
    taken = {(a.nomination_id, a.place) for a in contest_awards(contest) if a.place is not None}
    awarded = {a.entry_id for a in contest_awards(contest) if a.place is not None}
    created = []
    entries = {e.id: e for e in db.session.scalars(
        sa.select(Entry).where(Entry.id.in_([row.entry_id for row in ranking.rows])))}
    for _nomination, rows in ranking.groups():
        place = 0
        for row in rows:
            if row.entry_id in excluded or row.unrated or row.below_pass_mark:
                continue
            place += 1
            if place > places:
                break
            if (row.nomination_id, place) in taken or row.entry_id in awarded:
                continue
            created.append(add_award(contest, entry=entries[row.entry_id], place=place, actor=actor,
                                     correction=_AS_PART if correction else None))
    if correction and created:
        correct_results(contest, reason=correction, actor=actor, entries=[a.entry for a in created], old=None,
                        new={"awards": [{"entry": a.entry.number, "place": a.place} for a in created]})
    return created


# --- corrections after publication (DESIGN §3a.4) ----------------------------------------------

# award_places names several places as one correction: each add_award inside it is told so.
_AS_PART = "\x00part of a correction"


def _correction_reason(contest: Contest, correction: str | None) -> str | None:
    """None before publication; after it, the correction's reason, or a refusal without one."""
    if correction == _AS_PART:
        return None
    if not contest.is_published:
        return None
    reason = (correction or "").strip()
    if not reason:
        raise ResultsError(_("The results are published: awards and places change only by a correction "
                             "of the published results, with a reason."))
    return reason


def correct_results(contest: Contest, *, reason: str, actor: User | None, entries: list[Entry],
                    old: dict | None, new: dict | None) -> None:
    """Records a correction of the published results: an audit event (what changed, old → new, and
    why), the public "corrected on" note (read back by corrections()), and an e-mail to the
    entrants of the entries concerned."""
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None, action="results.correct",
                 object_type="contest", object_id=contest.id, old=old, new=new, reason=reason)
    db.session.flush()
    at = now()
    by_user: dict[int, tuple[User, list[Entry]]] = {}
    for entry in entries:
        user = db.session.get(User, entry.entrant_id)
        if user is not None:
            by_user.setdefault(user.id, (user, []))[1].append(entry)
    for user, own in by_user.values():
        links = [(entry, external_url("public.results_entry", slug=contest.slug, entry_id=entry.id))
                 for entry in own]
        with force_locale(user.locale):
            send_mail(to=user.email,
                      subject=_("The results of %(contest)s are corrected", contest=contest.loc("title", user.locale)),
                      body=render_template("mail/results_corrected.txt", user=user, contest=contest, links=links,
                                           reason=reason, corrected_at=at))


@dataclass
class Correction:
    at: object
    reason: str


def corrections(contest: Contest) -> list[Correction]:
    """The corrections made since the results were (last) published, oldest first (one query)."""
    if not contest.is_published:
        return []
    return [Correction(at=at, reason=reason or "") for at, reason in db.session.execute(
        sa.select(AuditEvent.at, AuditEvent.reason)
        .where(AuditEvent.contest_id == contest.id, AuditEvent.action == "results.correct",
               AuditEvent.at >= contest.results_published_at)
        .order_by(AuditEvent.at, AuditEvent.id)
    )]


# --- publication -----------------------------------------------------------------------------

def unfinalised_rounds(contest: Contest) -> list[Round]:
    """Rounds that have entries but are not finalised; publication waits for them.

    One EXISTS per unfinalised round (an index lookup), not the distinct rounds of every entry."""
    round_ids = set(db.session.scalars(
        sa.select(Round.id).where(Round.contest_id == contest.id, Round.finalised_at.is_(None),
                                  sa.exists().where(EntryRound.round_id == Round.id))
    ))
    return [r for r in contest.rounds if r.id in round_ids]


def publish_results(contest: Contest, *, actor: User | None, notify: bool = True) -> int:
    """Publishes the results and e-mails the entrants; returns the number of messages sent."""
    if contest.is_published:
        raise ResultsError(_("The results are already published."))
    waiting = unfinalised_rounds(contest)
    if waiting:
        raise ResultsError(_("Finalise every round first: %(rounds)s.",
                             rounds=", ".join(r.loc("title") for r in waiting)))
    contest.results_published_at = now()
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None,
                 action="results.publish", object_type="contest", object_id=contest.id)
    db.session.flush()
    webhooks.announce(contest.id, "results.published", {
        "published_at": contest.results_published_at.isoformat()})
    return notify_entrants(contest) if notify else 0


def unpublish_results(contest: Contest, *, actor: User | None, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ResultsError(_("Give the reason for withdrawing the publication."))
    if not contest.is_published:
        raise ResultsError(_("The results are not published."))
    old = {"published_at": contest.results_published_at.isoformat()}
    contest.results_published_at = None
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None,
                 action="results.unpublish", object_type="contest", object_id=contest.id,
                 old=old, reason=reason)
    db.session.flush()


def notify_entrants(contest: Contest) -> int:
    """One message per entrant whose entry took part in a round, in the entrant's language."""
    rows = db.session.execute(
        sa.select(User, Entry)
        .join(Entry, Entry.entrant_id == User.id)
        .where(Entry.contest_id == contest.id,
               sa.exists().where(EntryRound.entry_id == Entry.id))
        .order_by(User.id, Entry.number)
    ).all()
    by_user: dict[int, tuple[User, list[Entry]]] = {}
    for user, entry in rows:
        by_user.setdefault(user.id, (user, []))[1].append(entry)
    for user, entries in by_user.values():
        links = [(entry, external_url("public.results_entry", slug=contest.slug, entry_id=entry.id))
                 for entry in entries]
        with force_locale(user.locale):
            send_mail(
                to=user.email,
                subject=_("Results of %(contest)s are published", contest=contest.loc("title", user.locale)),
                body=render_template("mail/results_published.txt", user=user, contest=contest,
                                     links=links, language=user.locale),
            )
    return len(by_user)


# --- what the public and entrants see -----------------------------------------------------------

@dataclass
class PublicResults:
    rounds: list[tuple[Round, RoundRanking]]
    final: RoundRanking | None
    awards: list[Award]
    # The corrections since publication, for the public "corrected on" notes.
    corrections: list = field(default_factory=list)
    # Per round id, per entry id: (amount, currency) granted, where the organiser shows them (§3b).
    grants: dict = field(default_factory=dict)

    def awards_by_entry(self) -> dict[int, list[Award]]:
        grouped: dict[int, list[Award]] = {}
        for award in self.awards:
            grouped.setdefault(award.entry_id, []).append(award)
        return grouped


def public_results(contest: Contest, *, preview: bool = False) -> PublicResults:
    """The frozen rankings of the finalised rounds, the final score and the awards.

    With `preview` (organisers before publication) rounds not yet finalised are ranked live.
    """
    frozen = rankings_from_snapshots(contest)
    shown = []
    for round_ in contest.rounds:
        ranking = frozen.get(round_.id)
        if ranking is None and preview:
            ranking = round_results(round_)
        if ranking is not None and ranking.rows:
            shown.append((round_, ranking))
    final = None
    weighted = weighted_rounds(contest)
    if weighted and (preview or all(r.id in frozen for r in weighted)):
        final = final_ranking(contest, rankings=frozen)
    return PublicResults(rounds=shown, final=final, awards=contest_awards(contest),
                         corrections=corrections(contest),
                         grants=published_grants([round_.id for round_, _ranking in shown]))


@dataclass
class EntryRoundResult:
    round: Round
    row: RankedEntry
    # Rated entries in the entry's nomination (or round), for "rank N of M".
    out_of: int
    criteria: list[tuple[object, dict | None]]
    # The ranking the row comes from (frozen once the round is finalised), for its tie-break rule.
    ranking: RoundRanking | None = None
    # (amount, currency) granted to the entry in this round's funding, when it is shown.
    granted: tuple | None = None


def entry_results(entry: Entry, *, preview: bool = False) -> tuple[list[EntryRoundResult], RankedEntry | None]:
    """An entry's score, rank and criterion means in each round it took part in, and its final score."""
    published = public_results(entry.contest, preview=preview)
    results_by_round = []
    for round_, ranking in published.rounds:
        row = ranking.by_entry().get(entry.id)
        if row is None:
            continue
        group = [r for r in ranking.rows if r.nomination_id == row.nomination_id and not r.unrated]
        breakdown = ranking.breakdown([entry.id])
        criteria = [(c, breakdown.get((entry.id, c.id))) for c in round_.criteria]
        results_by_round.append(EntryRoundResult(round=round_, row=row, out_of=len(group), criteria=criteria,
                                                 ranking=ranking,
                                                 granted=published.grants.get(round_.id, {}).get(entry.id)))
    final_row = published.final.by_entry().get(entry.id) if published.final else None
    return results_by_round, final_row


def entry_feedback(entry: Entry, round_: Round) -> list[str]:
    """The judges' feedback to the entrant in a round, without names."""
    return [text for text in db.session.scalars(
        sa.select(Review.feedback).where(Review.entry_id == entry.id, Review.round_id == round_.id,
                                         Review.status == "submitted").order_by(Review.id)
    ) if text and text.strip()]
