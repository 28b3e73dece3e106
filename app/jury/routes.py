"""Judges: dashboard and scoring. Invitations and declarations are in invitations.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.jury.forms import build_review_form, review_input
from app.models import Entry, Review, Round
from app.services import clock, permissions, scoring
from app.services.jury import JudgeAccess, judge_access_questions

bp = Blueprint("jury", __name__)

# Answers that tell a judge who the entrant is; hidden in blind rounds. A key matches when one of
# its words (split at "_" and "-") is listed here. Any other answer has the entrant's name, e-mail,
# organisation and INN blacked out where they occur.
IDENTITY_WORDS = frozenset({"organisation", "organization", "org", "inn", "ogrn", "kpp", "website", "site", "url",
                            "email", "phone", "contact", "contacts", "address", "leader", "director", "head",
                            "author", "applicant", "name"})
REDACTED = "▇▇▇"
# The entrants' area serves attachments (to assigned judges too); `inline=1` shows PDFs and images.
ATTACHMENT_ENDPOINT = "apply.attachment"


@dataclass
class Answer:
    label: str
    value: str
    long: bool = False
    hidden: bool = False


@dataclass
class AttachmentLink:
    label: str
    name: str
    content_type: str
    size: int
    download_url: str | None
    inline_url: str | None
    kind: str  # "pdf", "image" or "other"


def countdown(closes_at: datetime | None) -> dict | None:
    """Days, hours and minutes left until `closes_at`, or None once it has passed."""
    if closes_at is None:
        return None
    left = int((closes_at - clock.now()).total_seconds())
    if left < 0:
        return None
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    return {"days": days, "hours": hours, "minutes": rest // 60, "iso": closes_at.isoformat()}


def _identity_texts(entry: Entry) -> list[str]:
    texts = [entry.organisation or "", entry.inn or "", entry.entrant.name or "", entry.entrant.email or ""]
    return [text.strip().lower() for text in texts if text and len(text.strip()) >= 3]


def _identity_field(key: str) -> bool:
    return any(word in IDENTITY_WORDS for word in re.split(r"[_\-]+", key.lower()))


def _redact(text: str, identity: list[str]) -> str:
    for part in identity:
        text = re.sub(re.escape(part), REDACTED, text, flags=re.IGNORECASE)
    return text


def _attachment_url(attachment, **extra) -> str | None:
    if ATTACHMENT_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(ATTACHMENT_ENDPOINT, attachment_id=attachment.id, **extra)


def entry_answers(entry: Entry, contest, *, show_identity: bool) -> tuple[list[Answer], list[AttachmentLink]]:
    """The entry's answers in form order, and its attachments, as the judge may see them."""
    from app.services.application_form import INLINE_TYPES, form_fields, option_label

    fields = form_fields(contest)
    identity = [] if show_identity else _identity_texts(entry)
    answers = []
    labels = {}
    if show_identity and entry.organisation and not any(f.key == "organisation" for f in fields):
        # An organisation not asked for by this form (e.g. imported): show it with the answers.
        answers.append(Answer(label=_("Organisation"), value=entry.organisation, long=False,
                              hidden=False))
    for form_field in fields:
        labels[form_field.key] = form_field.loc("label")
        if form_field.type == "file":
            continue
        value = (entry.answers or {}).get(form_field.key)
        if value is None or value == "":
            shown = "—"
        elif form_field.type == "select":
            shown = option_label(form_field, value)
        elif form_field.type == "checkbox":
            shown = _("yes") if value else _("no")
        else:
            shown = str(value)
        hidden = not show_identity and value not in (None, "") and _identity_field(form_field.key)
        if not show_identity and not hidden:
            shown = _redact(shown, identity)
        answers.append(Answer(label=form_field.loc("label"), value="" if hidden else shown,
                              long=form_field.type == "textarea", hidden=hidden))
    links = []
    for number, attachment in enumerate(entry.attachments, start=1):
        content_type = attachment.content_type or ""
        kind = "pdf" if content_type == "application/pdf" else (
            "image" if content_type.startswith("image/") and content_type in INLINE_TYPES else "other")
        inline_url = _attachment_url(attachment, inline=1) if kind != "other" else None
        label = labels.get(attachment.field_key, attachment.field_key)
        name = attachment.filename if show_identity else _("Attachment %(number)s", number=number)
        links.append(AttachmentLink(label=label, name=name, content_type=content_type, size=attachment.size,
                                    download_url=_attachment_url(attachment), inline_url=inline_url,
                                    kind=kind))
    return answers, links


class Refused(Exception):
    def __init__(self, response):
        self.response = response


def _refuse(code: int, message: str, *, as_json: bool):
    if as_json:
        response = jsonify({"status": "forbidden" if code == 403 else "not_found", "message": message})
        response.status_code = code
        raise Refused(response)
    abort(code)


# One query for the round with its criteria, the entry, the judge's access to it and their review
# (its scores in a second one, if there is a review): every score page and submit starts here.
# Built once: building it took a few tenths of a millisecond of every such request.
_JUDGE = sa.bindparam("judge_id")
_JUDGE_PAGE = (
    sa.select(Round, Entry, Review, *judge_access_questions(_JUDGE, Round, Entry))
    .join(Entry, Entry.contest_id == Round.contest_id)
    .outerjoin(Review, scoring.review_of(Round.id, Entry.id, _JUDGE))
    .options(joinedload(Round.criteria), selectinload(Review.scores))
    .where(Round.id == sa.bindparam("round_id"), Entry.id == sa.bindparam("entry_id"))
)


def _load_for_judge(round_id: int, entry_id: int, *, as_json: bool = False) -> tuple[Round, Entry, Review | None]:
    """The round, the entry and the judge's review of it (None before their first save), if the
    current user may score this entry in this round.

    Refuses anyone who is not an accepted judge of the round with a signed declaration
    (sent to sign it first), entries not assigned to them (404) and entries with which
    they have a conflict of interest (403).
    """
    found = db.session.execute(
        _JUDGE_PAGE, {"judge_id": current_user.id, "round_id": round_id, "entry_id": entry_id}
    ).unique().first()
    if found is None:
        _refuse(404, _("This page does not exist."), as_json=as_json)
    round_, entry, review, *answers = found
    access = JudgeAccess(*answers)
    if access.problem:
        if not as_json and "jury.declaration" in current_app.view_functions and access.member:
            flash(access.problem, "warning")
            raise Refused(redirect(url_for("jury.declaration", slug=round_.contest.slug, next=request.path)))
        _refuse(403, access.problem, as_json=as_json)
    if access.conflicted:
        _refuse(403, _("You have a conflict of interest with this entry."), as_json=as_json)
    if not access.assigned:
        _refuse(404, _("This entry is not assigned to you."), as_json=as_json)
    return round_, entry, review


@bp.errorhandler(Refused)
def _refused(error: Refused):
    return error.response


@bp.route("/")
@login_required
def dashboard():
    rounds = scoring.judge_dashboard(current_user)
    return render_template("jury/dashboard.html", rounds=rounds, now=clock.now())


def _render_score(round_: Round, entry: Entry, review, form, *, problems: dict | None = None,
                  status: int = 200):
    contest = round_.contest
    is_open = scoring.judging_open(round_)
    show_identity = permissions.can_see_entrant_identity(current_user, entry)
    criteria = form.criteria
    running = scoring.review_total(criteria=criteria, values={
        c.id: form.score_field(c).data for c in criteria if not form.score_field(c).errors})
    others = scoring.open_reviews_of_others(round_, entry, current_user) if not is_open else []
    answers, attachments = entry_answers(entry, contest, show_identity=show_identity)
    return render_template(
        "jury/score.html", contest=contest, round=round_, entry=entry, review=review, form=form,
        criteria=criteria, is_open=is_open, problems=problems or {}, running_total=running,
        maximum=round_.maximum, show_identity=show_identity,
        answers=answers, attachments=attachments,
        others=others, remaining=countdown(round_.judging_closes_at), now_utc=clock.now(),
        can_declare_conflict="jury.declare_conflict" in current_app.view_functions,
    ), status


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>", methods=["GET", "POST"])
@login_required
def score(round_id, entry_id):
    round_, entry, review = _load_for_judge(round_id, entry_id)
    criteria = list(round_.criteria)
    if request.method == "GET":
        form = build_review_form(criteria, review, read_only=not scoring.judging_open(round_))
        return _render_score(round_, entry, review, form)

    if not scoring.judging_open(round_):
        flash(_("Judging is closed; reviews can no longer be changed."), "danger")
        form = build_review_form(criteria, review, read_only=True)
        return _render_score(round_, entry, review, form, status=403)

    form = build_review_form(criteria, review, formdata=request.form)
    valid = form.validate()
    data = review_input(form)
    action = request.form.get("action", "save")
    judge = current_user._get_current_object()
    try:
        if action == "submit":
            if not valid:
                problems = _form_problems(form)
                problems.update({name: message for name, message in _completeness(form, review).items()
                                 if name not in problems})
                return _render_score(round_, entry, review, form, problems=problems)
            outcome = scoring.retry_once(lambda: scoring.submit_review(
                round_=round_, entry=entry, judge=judge, data=data, review=review))
            if outcome.status == "invalid":
                for name, message in outcome.problems.items():
                    form[name].errors.append(message)
                return _render_score(round_, entry, outcome.review, form, problems=outcome.problems)
            # Worded before the commit, which expires the rows it reads.
            message = _("Your review of entry No. %(number)s is submitted. Total: %(total)s.",
                        number=entry.number, total=_fmt(outcome.review.total))
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("jury.dashboard"))

        outcome = scoring.retry_once(lambda: scoring.save_draft(
            round_=round_, entry=entry, judge=judge, data=data, review=review))
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(_("This review was changed in another window at the same moment. Check it and save again."),
              "warning")
        review = scoring.find_review(round_=round_, entry=entry, judge=judge)
        return _render_score(round_, entry, review, form, status=409)
    except scoring.ScoringError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return _render_score(round_, entry, review, form, status=403)

    if outcome.status == "submitted":
        flash(_("This review is already submitted; a draft cannot replace it. "
                "To change it, use “Save changes”."), "warning")
        return _render_score(round_, entry, outcome.review, form)
    if not valid:
        flash(_("The draft is saved, except the fields marked below."), "warning")
        return _render_score(round_, entry, outcome.review, form, problems=_form_problems(form))
    flash(_("The draft is saved."), "success")
    return redirect(url_for("jury.score", round_id=round_.id, entry_id=entry.id))


def _fmt(value) -> str:
    from app.i18n import format_decimal_half_up

    return format_decimal_half_up(value)


def _form_problems(form) -> dict[str, str]:
    return {field.name: field.errors[0] for field in form if field.errors}


def _completeness(form, review) -> dict[str, str]:
    """Missing scores and comments, so a submit shows every problem at once."""
    scores, comments = scoring.review_values(review)
    for criterion in form.criteria:
        score, comment = form.score_field(criterion), form.comment_field(criterion)
        if not score.errors:
            scores[criterion.id] = score.data
        if not comment.errors:
            comments[criterion.id] = comment.data or ""
    problems = scoring.submission_problems(criteria=form.criteria, scores=scores, comments=comments)
    for name, message in problems.items():
        if not form[name].errors:
            form[name].errors.append(message)
    return problems


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/autosave", methods=["POST"])
@login_required
def autosave(round_id, entry_id):
    """Saves a draft from the page's script; answers JSON. A submitted review is left alone."""
    round_, entry, review = _load_for_judge(round_id, entry_id, as_json=True)
    if not scoring.judging_open(round_):
        return jsonify({"status": "closed",
                        "message": _("Judging is closed; reviews can no longer be changed.")}), 403
    criteria = list(round_.criteria)
    form = build_review_form(criteria, review, formdata=request.form)
    form.validate()
    data = review_input(form)
    judge = current_user._get_current_object()
    try:
        outcome = scoring.retry_once(lambda: scoring.save_draft(
            round_=round_, entry=entry, judge=judge, data=data, review=review))
        payload = _autosave_answer(outcome, round_, criteria, form)  # before commit expires the rows
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return jsonify({"status": "conflict", "message": _(
            "This review was changed in another window. Reload the page.")}), 409
    except scoring.ScoringError as error:
        db.session.rollback()
        return jsonify({"status": "closed", "message": str(error)}), 403
    return jsonify(payload)


def _autosave_answer(outcome: scoring.SaveOutcome, round_: Round, criteria, form) -> dict:
    if outcome.status == "submitted":
        return {"status": "submitted", "message": _(
            "This review is already submitted; the draft was not saved. To change it, reload the "
            "page and use “Save changes”.")}
    from app.i18n import format_local_datetime

    scores, _comments = scoring.review_values(outcome.review)
    return {
        "status": "saved",
        "saved_at": format_local_datetime(outcome.review.updated_at, round_.contest.timezone),
        "total": _fmt(scoring.review_total(criteria=criteria, values=scores)),
        "errors": _form_problems(form),
    }


from app.jury import invitations  # noqa: E402,F401 - registers its routes on bp
