"""Organisers' scripts: their contests, entries, jury, progress, results and awards (reads and writes).

Every write calls the same service function as the page, with the same rules and audit events.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from app.api import bp
from app.api import schemas as s
from app.api.access import (
    caller,
    checked_first,
    decode_cursor,
    encode_cursor,
    iso,
    need_any_read,
    organised_contest,
    organiser_of,
    round_of,
)
from app.api.errors import ApiError
from app.extensions import db
from app.models import Assignment, Award, Conflict, Contest, ContestOrganiser, Entry, Nomination, User
from app.services import exchange
from app.services.intake import entries as entry_service
from app.services.jury import assignment as assigning
from app.services.jury import members as jury
from app.services.results import outcomes
from app.services.results.export import results_document
from app.services.results.ranking import plain_decimal
from app.services.scoring import progress as progress_service

ERRORS = {"default": s.Error}


def _localised(obj, name: str) -> dict:
    return {lang: value for lang in ("ru", "en") if (value := getattr(obj, f"{name}_{lang}", "") or "")}


@bp.route("/contests")
@bp.response(200, s.ContestList)
def contests():
    """The contests the caller organises."""
    user = caller()
    need_any_read()
    query = sa.select(Contest).order_by(Contest.id)
    if not user.is_admin:
        query = query.where(Contest.id.in_(sa.select(ContestOrganiser.contest_id)
                                           .where(ContestOrganiser.user_id == user.id)))
    return {"contests": [{"slug": c.slug, "title": _localised(c, "title"), "published": c.is_published}
                         for c in db.session.scalars(query)]}


@bp.route("/contests/<slug>")
@bp.response(200, s.ContestSetup)
def contest(slug):
    """The contest's set-up: nominations, rounds with criteria, the application form (the exchange
    format's set-up part), each round with its id."""
    contest = organised_contest(slug)
    setup = exchange.export_setup(contest)
    for item, round_ in zip(setup["rounds"], contest.rounds, strict=True):
        item["id"] = round_.id
    return {**setup, "published": contest.is_published}


def _attachment_out(item) -> dict:
    return {"id": item.id, "field": item.field_key, "filename": item.filename, "size": item.size,
            "sha256": item.sha256, "content_type": item.content_type,
            "download_url": url_for("api.attachment", attachment_id=item.id, _external=True)}


def _entry_out(entry: Entry) -> dict:
    return {"id": entry.id, "number": entry.number, "title": entry.title, "organisation": entry.organisation,
            "inn": entry.inn, "nomination": entry.nomination.key if entry.nomination else None,
            "status": entry.status, "submitted_at": iso(entry.submitted_at), "eligible": entry.eligible,
            "ineligible_reason": entry.ineligible_reason,
            "entrant": {"id": entry.entrant.id, "name": entry.entrant.name, "email": entry.entrant.email},
            "answers": dict(entry.answers or {}),
            "attachments": [_attachment_out(a) for a in entry.attachments]}


@bp.route("/contests/<slug>/entries")
@checked_first(organiser_of("entries", "read"))
@bp.arguments(s.EntryQuery, location="query")
@bp.response(200, s.EntryPage)
def entries(query, slug):
    """Entries with answers and attachments, by id, a page at a time (`cursor` from `next_cursor`)."""
    contest = organised_contest(slug, "entries", "read")
    nomination_id = None
    if query.get("nomination"):
        nomination_id = db.session.scalar(sa.select(Nomination.id).where(
            Nomination.contest_id == contest.id, Nomination.key == query["nomination"]))
        if nomination_id is None:
            raise ApiError(422, fields={"nomination": [_("There is no such nomination.")]})
    round_id = round_of(contest, query["round"]).id if query.get("round") is not None else None
    filters = entry_service.EntryFilter(nomination_id=nomination_id, status=query.get("status"),
                                        eligibility=query.get("eligibility"))
    limit = query["limit"]
    page = entry_service.entries_after(contest, filters, round_id=round_id,
                                       after_id=decode_cursor(query.get("cursor")), limit=limit + 1)
    more = len(page) > limit
    page = page[:limit]
    return {"entries": [_entry_out(e) for e in page],
            "next_cursor": encode_cursor(page[-1].id) if more else None}


@bp.route("/contests/<slug>/entries/<int:entry_id>/screening", methods=["POST"])
@checked_first(organiser_of("entries", "write"))
@bp.arguments(s.ScreeningIn)
@bp.response(200, s.ScreeningOut)
def screen(data, slug, entry_id):
    """Marks a submitted entry eligible or ineligible (with the reason the entrant sees), as the page does."""
    contest = organised_contest(slug, "entries", "write")
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.contest_id != contest.id:
        raise ApiError(404)
    try:
        entry_service.screen_entry(entry, eligible=data["eligible"], reason=data["reason"], actor=caller())
    except entry_service.Problems as problems:
        db.session.rollback()
        raise ApiError(422, fields=problems.errors) from None
    except entry_service.EntryError as error:
        db.session.rollback()
        raise ApiError(409, "refused", str(error)) from None
    out = {"id": entry.id, "number": entry.number, "eligible": entry.eligible,
           "ineligible_reason": entry.ineligible_reason}
    db.session.commit()
    return out


@bp.route("/contests/<slug>/rounds/<int:round_id>/jury")
@bp.response(200, s.JuryOut)
def jury_of_round(slug, round_id):
    """The round's jury (every invitation state), the conflicts with its entries and its assignments."""
    contest = organised_contest(slug, "jury", "read")
    round_ = round_of(contest, round_id)
    members = jury.jury_members(round_)
    conflicts = db.session.scalars(
        sa.select(Conflict).join(Entry, Entry.id == Conflict.entry_id)
        .where(Entry.contest_id == contest.id).order_by(Conflict.id))
    assignments = db.session.scalars(
        sa.select(Assignment).where(Assignment.round_id == round_.id).order_by(Assignment.id))
    return {
        "round": round_.id,
        "members": [{"id": m.id, "email": m.email, "user_id": m.user_id, "name": m.user.name if m.user else None,
                     "status": m.status, "organisation": m.organisation, "max_load": m.max_load} for m in members],
        "conflicts": [{"id": c.id, "entry": c.entry_id, "user_id": c.user_id, "source": c.source,
                       "reason": c.reason} for c in conflicts],
        "assignments": [{"id": a.id, "round": a.round_id, "entry": a.entry_id, "judge_id": a.judge_id}
                        for a in assignments],
    }


@bp.route("/contests/<slug>/rounds/<int:round_id>/jury/invitations", methods=["POST"])
@checked_first(organiser_of("jury", "write"))
@bp.arguments(s.InviteIn)
@bp.response(201, s.InviteOut)
def jury_invite(data, slug, round_id):
    """Invites judges by e-mail to the round, as the jury page does (invitation e-mails, audit)."""
    contest = organised_contest(slug, "jury", "write")
    round_ = round_of(contest, round_id)
    invited, skipped = jury.invite_judges(round_=round_, text="\n".join(data["emails"]), actor=caller())
    out = {"invited": [m.email for m in invited],
           "skipped": [{"email": piece, "reason": str(why)} for piece, why in skipped]}
    db.session.commit()
    return out


@bp.route("/contests/<slug>/rounds/<int:round_id>/assignments", methods=["POST"])
@checked_first(organiser_of("jury", "write"))
@bp.arguments(s.AssignmentIn)
@bp.response(201, s.AssignmentOut)
def assignment_add(data, slug, round_id):
    """Assigns an entry to a judge by hand (same checks: jury, conflicts, load, finalised round)."""
    contest = organised_contest(slug, "jury", "write")
    round_ = round_of(contest, round_id)
    entry = db.session.get(Entry, data["entry"])
    judge = db.session.get(User, data["judge_id"])
    if entry is None or entry.contest_id != contest.id:
        raise ApiError(422, fields={"entry": [_("There is no entry with this id in the contest.")]})
    if judge is None:
        raise ApiError(422, fields={"judge_id": [_("There is no such person.")]})
    try:
        item = assigning.add_assignment(round_=round_, entry=entry, judge=judge, actor=caller())
    except assigning.AssignmentError as error:
        db.session.rollback()
        raise ApiError(409, "refused", str(error)) from None
    out = {"id": item.id, "round": item.round_id, "entry": item.entry_id, "judge_id": item.judge_id}
    db.session.commit()
    return out


@bp.route("/contests/<slug>/assignments/<int:assignment_id>", methods=["DELETE"])
@bp.response(204)
def assignment_remove(slug, assignment_id):
    """Removes an assignment (refused in a finalised round or once the review is submitted)."""
    contest = organised_contest(slug, "jury", "write")
    item = db.session.get(Assignment, assignment_id)
    if item is None:
        raise ApiError(404)
    round_of(contest, item.round_id)
    try:
        assigning.remove_assignment(assignment=item, actor=caller())
    except assigning.AssignmentError as error:
        db.session.rollback()
        raise ApiError(409, "refused", str(error)) from None
    db.session.commit()
    return ""


@bp.route("/contests/<slug>/rounds/<int:round_id>/progress")
@bp.response(200, s.ProgressOut)
def progress(slug, round_id):
    """Reviews due, submitted and in draft, per judge and per entry (the progress page's figures)."""
    contest = organised_contest(slug, "results", "read")
    round_ = round_of(contest, round_id)
    return {
        "round": round_.id,
        "judges": [{"judge_id": p.judge.id, "name": p.judge.name, "due": p.due, "submitted": p.submitted,
                    "drafts": p.drafts} for p in progress_service.judge_progress(round_)],
        "entries": [{"entry": p.entry.id, "number": p.entry.number, "due": p.due, "submitted": p.submitted,
                     "drafts": p.drafts} for p in progress_service.entry_progress(round_)],
    }


@bp.route("/contests/<slug>/rounds/<int:round_id>/results")
@bp.response(200, s.RoundResultsOut)
def round_results(slug, round_id):
    """The round's results exactly as the JSON export gives them: live while the round is open,
    the frozen snapshot once it is finalised (results.reading.round_results)."""
    contest = organised_contest(slug, "results", "read")
    round_ = round_of(contest, round_id)
    return {**results_document(round_), "frozen": round_.finalised_at is not None}


def _award_out(award: Award, numbers: dict, keys: dict) -> dict:
    return {"id": award.id, "entry": numbers.get(award.entry_id), "nomination": keys.get(award.nomination_id),
            "place": award.place, "title": _localised(award, "title")}


def awards_out(contest: Contest, awards: list[Award]) -> list[dict]:
    numbers = dict(db.session.execute(sa.select(Entry.id, Entry.number).where(
        Entry.id.in_([a.entry_id for a in awards]))).all()) if awards else {}
    keys = {n.id: n.key for n in contest.nominations}
    return [_award_out(a, numbers, keys) for a in awards]


@bp.route("/contests/<slug>/awards")
@bp.response(200, s.AwardList)
def awards(slug):
    """Places and special prizes."""
    contest = organised_contest(slug, "results", "read")
    return {"awards": awards_out(contest, outcomes.contest_awards(contest))}


@bp.route("/contests/<slug>/awards", methods=["POST"])
@checked_first(organiser_of("results", "write"))
@bp.arguments(s.AwardIn)
@bp.response(201, s.AwardOut)
def award_add(data, slug):
    """A place or a special prize (after publication only as a correction with its reason)."""
    contest = organised_contest(slug, "results", "write")
    entry = outcomes.entry_by_number(contest, data["entry"])
    if entry is None:
        raise ApiError(422, fields={"entry": [_("There is no entry with this number.")]})
    try:
        award = outcomes.add_award(contest, entry=entry, place=data["place"], title_ru=data["title_ru"],
                                   title_en=data["title_en"], actor=caller(), correction=data["correction"])
    except outcomes.ResultsError as error:
        db.session.rollback()
        raise ApiError(409, "refused", str(error)) from None
    out = awards_out(contest, [award])[0]
    db.session.commit()
    return out


# --- the final score over rounds, advancement ----------------------------------------------------

@bp.route("/contests/<slug>/final")
@bp.response(200, s.FinalOut)
def final_score(slug):
    """The final score over rounds (results.outcomes.final_ranking, as the Final score page shows it):
    finalised rounds read from their snapshots, the others live (DESIGN §3a.2). `rankings` is null when no round
    has a weight (the winners are then decided on the last round's ranking)."""
    contest = organised_contest(slug, "results", "read")
    ranking = outcomes.final_ranking(contest)
    keys = {n.id: n.key for n in contest.nominations}
    rows = None
    if ranking is not None:
        rows = [{"nomination": keys.get(row.nomination_id), "rank": row.rank, "entry": row.number,
                 "title": row.title, "score": str(row.display_score), "below_pass_mark": row.below_pass_mark}
                for _nomination, group in ranking.groups() for row in group]
    return {"rounds": [{"id": r.id, "round": r.key, "weight": plain_decimal(r.weight),
                        "frozen": r.finalised_at is not None} for r in outcomes.weighted_rounds(contest)],
            "rankings": rows}


@bp.route("/contests/<slug>/rounds/<int:round_id>/advancement")
@checked_first(organiser_of("results", "read"))
@bp.arguments(s.AdvanceQuery, location="query")
@bp.response(200, s.AdvanceOut)
def advancement(query, slug, round_id):
    """Which entries would advance from the finalised round to the next (the Advance page's
    preview, results.outcomes.plan_advancement): nothing is changed. 409 when the rules refuse
    (round not finalised, no next round, no pass mark)."""
    contest = organised_contest(slug, "results", "read")
    round_ = round_of(contest, round_id)
    mode = query["mode"]
    count = query.get("count") if mode in ("top", "share") else None
    try:
        plan = outcomes.plan_advancement(round_, mode=mode, count=count)
    except outcomes.ResultsError as error:
        raise ApiError(409, "refused", str(error)) from None
    keys = {n.id: n.key for n in contest.nominations}
    return {"round": round_.id, "target": plan.target.id, "mode": mode, "count": count,
            "entries": [{"nomination": keys.get(row.nomination_id), "rank": row.rank, "entry": row.number,
                         "entry_id": row.entry_id, "already": row.entry_id in plan.already}
                        for row in plan.entries]}
