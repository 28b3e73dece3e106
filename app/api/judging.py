"""Judges' scripts: their assignments, an entry with their review, saving and submitting it; and
attachments for whoever the pages let read them.

Saving and submitting go through scoring.reviews with the score page's checks: the jury, the
signed declaration, the assignment, conflicts (scoring.judge_entry), the judging window and
finalisation (setup.lifecycle.judge_change_refusal).
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from app.api import bp
from app.api import schemas as s
from app.api.access import caller, checked_first, need_scope
from app.api.errors import ApiError
from app.extensions import db
from app.models import Attachment
from app.services.intake import attachment_access
from app.services.intake.entries import attachment_display_name
from app.services.platform import permissions
from app.services.scoring import reviews as scoring
from app.services.scoring.entry_view import entry_answers
from app.services.setup import lifecycle


def _localised(obj, name: str) -> dict:
    return {lang: value for lang in ("ru", "en") if (value := getattr(obj, f"{name}_{lang}", "") or "")}


def _text(value) -> str | None:
    return None if value is None else format(value, "f")


@bp.route("/judging/assignments")
@bp.response(200, s.JudgeAssignments)
def judge_assignments():
    """The caller's rounds (open first) with the entries assigned to them and each review's state."""
    judge = caller()
    need_scope("reviews", "read")
    rounds = []
    for item in scoring.judge_dashboard(judge):
        rounds.append({
            "round": item.round.id, "contest": item.round.contest.slug, "title": _localised(item.round, "title"),
            "state": item.state, "declaration_signed": item.declaration_signed,
            "entries": [{"entry": e.entry_id, "number": e.number, "title": e.title, "status": e.status,
                         "total": _text(e.total)} for e in item.items],
        })
    return {"rounds": rounds}


def _load(round_id: int, entry_id: int):
    """The score page's access rule, answered in the API's shape."""
    judge = caller()
    found = scoring.judge_entry(judge_id=judge.id, round_id=round_id, entry_id=entry_id)
    if found is None:
        raise ApiError(404)
    round_, entry, review, access = found
    if access.problem:
        raise ApiError(403, "declaration_required" if access.member else "not_on_jury", access.problem)
    if access.conflicted:
        raise ApiError(403, "conflict", _("You have a conflict of interest with this entry."))
    if not access.assigned:
        raise ApiError(404, "not_assigned", _("This entry is not assigned to you."))
    return judge, round_, entry, review


def _review_out(round_, review) -> dict:
    keys = {c.id: c.key for c in round_.criteria}
    scores, comments = scoring.review_values(review)
    return {"status": review.status if review else "none", "total": _text(review.total) if review else None,
            "scores": {keys[cid]: value for cid, value in scores.items() if cid in keys},
            "comments": {keys[cid]: text for cid, text in comments.items() if cid in keys},
            "comment": review.comment if review else None, "feedback": review.feedback if review else None}


@bp.route("/judging/rounds/<int:round_id>/entries/<int:entry_id>")
@bp.response(200, s.JudgeEntryOut)
def judge_entry(round_id, entry_id):
    """The entry as the score page shows it (identity hidden in a blind round), the criteria and the review."""
    need_scope("reviews", "read")
    judge, round_, entry, review = _load(round_id, entry_id)
    show_identity = permissions.can_see_entrant_identity(judge, entry)
    answers, _links = entry_answers(entry, round_.contest, show_identity=show_identity)
    return {
        "round": round_.id, "entry": entry.id, "number": entry.number,
        "may_change": scoring.judging_open(round_),
        "answers": [{"label": a.label, "value": a.value, "hidden": a.hidden} for a in answers],
        "attachments": [{"id": a.id, "field": a.field_key, "filename": attachment_display_name(judge, a),
                         "size": a.size, "content_type": a.content_type,
                         "download_url": url_for("api.attachment", attachment_id=a.id, _external=True)}
                        for a in entry.attachments],
        "criteria": [{"id": c.id, "key": c.key, "title": _localised(c, "title"), "weight": format(c.weight, "f"),
                      "min": c.min_score, "max": c.max_score, "comment_required": c.comment_required}
                     for c in round_.criteria],
        "review": _review_out(round_, review),
    }


def _review_input(round_, data: dict) -> scoring.ReviewInput:
    by_key = {c.key: c for c in round_.criteria}
    problems: dict[str, list[str]] = {}
    result = scoring.ReviewInput(comment=data.get("comment"), feedback=data.get("feedback"))
    for key, value in data["scores"].items():
        criterion = by_key.get(key)
        if criterion is None:
            problems[f"scores.{key}"] = [_("There is no such criterion in this round.")]
        elif value is not None and not criterion.min_score <= value <= criterion.max_score:
            problems[f"scores.{key}"] = [_("The score must be from %(low)s to %(high)s.",
                                           low=criterion.min_score, high=criterion.max_score)]
        else:
            result.scores[criterion.id] = value
    for key, text in data["comments"].items():
        criterion = by_key.get(key)
        if criterion is None:
            problems[f"comments.{key}"] = [_("There is no such criterion in this round.")]
        else:
            result.comments[criterion.id] = text
    if problems:
        raise ApiError(422, fields=problems)
    return result


def _problems_by_key(round_, problems: dict[str, str]) -> dict[str, list[str]]:
    """The service's form-field names (score_<id>, comment_<id>) as the API's (scores.<key>)."""
    names = {}
    for c in round_.criteria:
        names[f"score_{c.id}"], names[f"comment_{c.id}"] = f"scores.{c.key}", f"comments.{c.key}"
    return {names.get(name, name): [message] for name, message in problems.items()}


def _may_write(round_id: int, entry_id: int) -> None:
    need_scope("reviews", "write")
    _load(round_id, entry_id)


def _write(round_id: int, entry_id: int, data: dict, *, submit: bool):
    need_scope("reviews", "write")
    judge, round_, entry, review = _load(round_id, entry_id)
    refusal = lifecycle.judge_change_refusal(round_)
    if refusal:
        raise ApiError(409, "round_finalised" if round_.finalised_at else "judging_closed", refusal)
    review_input = _review_input(round_, data)
    action = scoring.submit_review if submit else scoring.save_draft
    try:
        outcome = scoring.retry_once(lambda: action(round_=round_, entry=entry, judge=judge, data=review_input,
                                                    review=review))
    except StaleDataError:
        db.session.rollback()
        raise ApiError(409, "edit_conflict", _("This review was changed elsewhere at the same moment. "
                                               "Read it and try again.")) from None
    except scoring.ScoringError as error:
        db.session.rollback()
        raise ApiError(409, "refused", str(error)) from None
    if outcome.status == "invalid":
        db.session.rollback()
        raise ApiError(422, fields=_problems_by_key(round_, outcome.problems))
    if not submit and outcome.status == "submitted":
        db.session.rollback()
        raise ApiError(409, "already_submitted", _("This review is already submitted; a draft cannot replace "
                                                   "it. Submit to change it."))
    out = _review_out(round_, outcome.review)
    db.session.commit()
    return out


@bp.route("/judging/rounds/<int:round_id>/entries/<int:entry_id>/review", methods=["POST"])
@checked_first(lambda round_id, entry_id: _may_write(round_id, entry_id))
@bp.arguments(s.ReviewIn)
@bp.response(200, s.ReviewOut)
def review_save(data, round_id, entry_id):
    """Saves the review as a draft (the criteria given; the rest stay as saved)."""
    return _write(round_id, entry_id, data, submit=False)


@bp.route("/judging/rounds/<int:round_id>/entries/<int:entry_id>/review/submit", methods=["POST"])
@checked_first(lambda round_id, entry_id: _may_write(round_id, entry_id))
@bp.arguments(s.ReviewIn)
@bp.response(200, s.ReviewOut)
def review_submit(data, round_id, entry_id):
    """Submits (or revises) the review: every criterion scored, required comments given."""
    return _write(round_id, entry_id, data, submit=True)


@bp.route("/attachments/<int:attachment_id>")
@bp.response(200, {"format": "binary", "type": "string"}, content_type="application/octet-stream")
def attachment(attachment_id):
    """An attachment's file, for whoever the pages let read it (intake.attachment_access): organisers
    with entries:read, judges with reviews:read."""
    user = caller()
    item = db.session.get(Attachment, attachment_id)
    reader = attachment_access.attachment_reader(user, item) if item is not None else None
    if reader is None:
        raise ApiError(404)
    need_scope("reviews" if reader == attachment_access.Reader.JUDGE else "entries", "read")
    from app.apply.routes import attachment as attachment_page

    # The page's own download (its headers, S3 streaming, blind names): the rule was checked above.
    return attachment_page.__wrapped__(attachment_id)
