"""Organiser pages: judging progress, reminders, disagreements, reopening reviews, the audit log.

Routes are registered on the manage blueprint.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.access import get_in_contest_or_404, organiser_required
from app.extensions import db
from app.input_limits import query_int
from app.manage import bp
from app.manage.progress_forms import RemindForm, ReopenForm
from app.models import Entry, EntryRound, Review, Round
from app.services.platform import audit_export, audit_text
from app.services.results.disagreement import disagreement_rows
from app.services.scoring import progress as progress_service
from app.services.scoring import reviews as scoring


@bp.route("/<slug>/progress")
@organiser_required
def progress(contest):
    round_id = request.args.get("round", type=query_int)
    round_ = get_in_contest_or_404(Round, round_id, contest) if round_id else progress_service.default_round(contest)
    if round_ is None:
        return render_template("manage/progress.html", contest=contest, round=None, rounds=contest.rounds)
    judges = progress_service.judge_progress(round_)
    entries = progress_service.entry_progress(round_)
    spreads = {row.entry_id: row for row in disagreement_rows(round_)}
    due = sum(row.due for row in judges)
    done = sum(row.submitted for row in judges)
    return render_template(
        "manage/progress.html", contest=contest, round=round_, rounds=contest.rounds,
        judges=judges, entries=entries, spreads=spreads, due=due, done=done,
        flagged=[row for row in spreads.values() if row.flagged],
        with_work_left=[row for row in judges if row.left > 0],
        remind_form=RemindForm(), judging_open=scoring.judging_open(round_),
    )


@bp.route("/<slug>/progress/<int:round_id>/remind", methods=["POST"])
@organiser_required
def progress_remind(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    form = RemindForm()
    if form.validate_on_submit():
        only = [form.judge_id.data] if form.judge_id.data else None
        sent = progress_service.send_reminders(round_=round_, actor=current_user, judge_ids=only)
        db.session.commit()
        if sent:
            flash(ngettext("A reminder is sent to %(num)s judge.", "Reminders are sent to %(num)s judges.", sent),
                  "success")
        else:
            flash(_("No judge has reviews left to submit; nothing was sent."), "info")
    return redirect(url_for("manage.progress", slug=contest.slug, round=round_.id))


@bp.route("/<slug>/progress/<int:round_id>/disagreements")
@organiser_required
def disagreements(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    flagged = [row for row in disagreement_rows(round_) if row.flagged]
    ids = [row.entry_id for row in flagged]
    entries = {entry.id: entry for entry in db.session.scalars(
        sa.select(Entry).options(joinedload(Entry.nomination)).where(Entry.id.in_(ids)))} if ids else {}
    reviews = progress_service.reviews_by_entry(round_, ids, submitted_only=True)
    return render_template("manage/disagreements.html", contest=contest, round=round_, flagged=flagged,
                           entries=entries, reviews=reviews, criteria=list(round_.criteria),
                           judging_open=scoring.judging_open(round_))


@bp.route("/<slug>/progress/<int:round_id>/entries/<int:entry_id>")
@organiser_required
def entry_reviews(contest, round_id, entry_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    entry = db.session.get(Entry, entry_id)
    in_round = entry is not None and db.session.get(EntryRound, (entry.id, round_.id)) is not None
    if not in_round or entry.contest_id != contest.id:
        abort(404)
    reviews = progress_service.reviews_by_entry(round_, [entry.id])[entry.id]
    spread = next((row for row in disagreement_rows(round_) if row.entry_id == entry.id), None)
    return render_template("manage/disagreement_entry.html", contest=contest, round=round_, entry=entry,
                           reviews=reviews, criteria=list(round_.criteria), spread=spread,
                           judging_open=scoring.judging_open(round_))


@bp.route("/<slug>/reviews/<int:review_id>/reopen", methods=["GET", "POST"])
@organiser_required
def review_reopen(contest, review_id):
    review = get_in_contest_or_404(Review, review_id, contest)
    round_ = db.session.get(Round, review.round_id)
    back = url_for("manage.entry_reviews", slug=contest.slug, round_id=round_.id, entry_id=review.entry_id)
    form = ReopenForm()
    problem = None
    if review.status != "submitted":
        problem = _("Only a submitted review can be reopened.")
    elif not scoring.judging_open(round_):
        problem = _("Judging is closed; extend the judging window before reopening a review.")
    if problem is None and form.validate_on_submit():
        try:
            scoring.retry_once(lambda: scoring.reopen_review(review=review, actor=current_user,
                                                             reason=form.reason.data))
            db.session.commit()
        except (scoring.ScoringError, StaleDataError) as error:
            db.session.rollback()
            flash(str(error) if isinstance(error, scoring.ScoringError) else
                  _("The review changed meanwhile; try again."), "danger")
            return redirect(back)
        flash(_("The review is reopened and the judge is told by e-mail."), "success")
        return redirect(back)
    return render_template("manage/progress_reopen.html", contest=contest, round=round_, review=review,
                           form=form, problem=problem, back=back)


@bp.route("/<slug>/audit")
@organiser_required
def audit_log(contest):
    action = request.args.get("action") or None
    page = audit_export.audit_page(contest, action=action, page=request.args.get("page", 1, type=query_int))
    return render_template("manage/audit.html", contest=contest, page=page, action=action,
                           actions=audit_export.audit_actions(contest), action_name=audit_text.action_name,
                           sentences=audit_export.audit_sentences(contest, page.events))


@bp.route("/<slug>/audit.csv")
@organiser_required
def audit_export_csv(contest):
    action = request.args.get("action") or None
    body = "".join(audit_export.audit_csv_rows(contest, action=action))
    suffix = "-" + re.sub(r"[^a-z0-9._-]", "", action.lower()) if action else ""
    filename = f"{contest.slug}-audit{suffix}.csv"
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
