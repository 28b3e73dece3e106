"""Judges: dashboard and scoring. Invitations and declarations are in invitations.py."""

from __future__ import annotations

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.jury import bp
from app.jury.forms import build_review_form, review_input
from app.models import Entry, Review, Round
from app.services.anonymity.titles import entry_judge_title
from app.services.platform import clock, permissions
from app.services.platform.clock import countdown
from app.services.scoring import reviews as scoring
from app.services.scoring.entry_view import entry_answers
from app.services.setup import lifecycle


class Refused(Exception):
    def __init__(self, response):
        self.response = response


def _refuse(code: int, message: str, *, as_json: bool):
    if as_json:
        response = jsonify({"status": "forbidden" if code == 403 else "not_found", "message": message})
        response.status_code = code
        raise Refused(response)
    abort(code)


def _load_for_judge(round_id: int, entry_id: int, *, as_json: bool = False) -> tuple[Round, Entry, Review | None]:
    """The round, the entry and the judge's review of it (None before their first save), if the
    current user may score this entry in this round.

    Refuses anyone who is not an accepted judge of the round with a signed declaration
    (sent to sign it first), entries not assigned to them (404) and entries with which
    they have a conflict of interest (403).
    """
    found = scoring.judge_entry(judge_id=current_user.id, round_id=round_id, entry_id=entry_id)
    if found is None:
        _refuse(404, _("This page does not exist."), as_json=as_json)
    round_, entry, review, access = found
    g.judge_access = access  # the page's own reading of the judge's access (_render_score)
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
    access = g.get("judge_access")
    show_identity = permissions.can_see_entrant_identity(current_user, entry,
                                                         asked=access.identity if access else None)
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
        title_shown=entry_judge_title(entry, round_, show_identity=show_identity),
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

    refusal = lifecycle.judge_change_refusal(round_)
    if refusal:
        flash(refusal, "danger")
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
    refusal = lifecycle.judge_change_refusal(round_)
    if refusal:
        return jsonify({"status": "finalised" if round_.finalised_at else "closed", "message": refusal}), 403
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
        "saved_at": format_local_datetime(outcome.review.updated_at, round_.contest.timezone, "moment"),
        "total": _fmt(scoring.review_total(criteria=criteria, values=scores)),
        "errors": _form_problems(form),
    }
