"""Organiser pages: the anonymity check before judging opens, and the decisions on its findings.

Routes are registered on the manage blueprint.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import get_in_contest_or_404, organiser_required
from app.extensions import db
from app.forms_common import to_utc
from app.manage import bp
from app.manage.anonymity_forms import DecisionForm, ReplaceForm, TitleCheckForm
from app.manage.forms import ConfirmForm
from app.models import AnonymityFinding, Entry
from app.services.anonymity import check, decisions, duplicates


def _back(contest, entry_id: int | None = None):
    anchor = f"#entry-{entry_id}" if entry_id else ""
    return redirect(url_for("manage.anonymity", slug=contest.slug) + anchor)


@bp.route("/<slug>/anonymity")
@organiser_required
def anonymity(contest):
    findings = decisions.contest_findings(contest)
    by_entry: dict[int, list[AnonymityFinding]] = {}
    for finding in findings:
        by_entry.setdefault(finding.entry_id, []).append(finding)
    entries = {finding.entry_id: finding.entry for finding in findings}
    return render_template(
        "manage/anonymity.html", contest=contest, by_entry=by_entry, entries=entries,
        titles=decisions.titles_to_check(contest), last=check.last_check(contest.id),
        blind_rounds=[r for r in contest.rounds if r.blind],
        labels={form_field.key: form_field.loc("label") or form_field.key for form_field in contest.form_fields},
        run_form=ConfirmForm(), decision_form=DecisionForm(), title_form=TitleCheckForm())


@bp.route("/<slug>/anonymity/run", methods=["POST"])
@organiser_required
def anonymity_run(contest):
    if ConfirmForm().validate_on_submit():
        queued = check.start_check(contest, actor=current_user)
        db.session.commit()
        flash(_("The anonymity check is running in the background: reload this page in a while.") if queued
              else _("The anonymity check is done."), "success")
    return _back(contest)


@bp.route("/<slug>/anonymity/findings/<int:finding_id>", methods=["POST"])
@organiser_required
def anonymity_decide(contest, finding_id):
    finding = get_in_contest_or_404(AnonymityFinding, finding_id, contest)
    form = DecisionForm()
    if form.validate_on_submit():
        decisions.decide_finding(finding, decision=form.decision.data, actor=current_user)
        db.session.commit()
        flash(_("The decision is saved."), "success")
    else:
        flash(_("Choose a decision."), "danger")
    return _back(contest, finding.entry_id)


@bp.route("/<slug>/anonymity/findings/<int:finding_id>/replace", methods=["GET", "POST"])
@organiser_required
def anonymity_replace(contest, finding_id):
    finding = get_in_contest_or_404(AnonymityFinding, finding_id, contest)
    if finding.attachment_id is None:
        abort(404)
    form = ReplaceForm()
    if form.validate_on_submit():
        if form.replace_by.data is None:
            form.replace_by.errors = [*form.replace_by.errors, _("Give the deadline.")]
        else:
            try:
                decisions.request_replacement(finding, replace_by=to_utc(form.replace_by.data, contest.timezone),
                                              message=form.message.data, actor=current_user)
            except decisions.DecisionError as error:
                form.replace_by.errors = [*form.replace_by.errors, str(error)]
            else:
                db.session.commit()
                flash(_("The entrant is asked by e-mail to replace the file."), "success")
                return _back(contest, finding.entry_id)
    return render_template("manage/anonymity_replace.html", contest=contest, finding=finding, form=form)


@bp.route("/<slug>/anonymity/entries/<int:entry_id>/title", methods=["POST"])
@organiser_required
def anonymity_title(contest, entry_id):
    entry = get_in_contest_or_404(Entry, entry_id, contest)
    form = TitleCheckForm()
    if form.validate_on_submit() and form.decision.data in ("safe", "unsafe"):
        decisions.check_title(entry, names_no_one=form.decision.data == "safe", actor=current_user)
        db.session.commit()
        flash(_("The title of entry No. %(number)s is saved.", number=entry.number), "success")
    return _back(contest)


@bp.route("/<slug>/duplicates")
@organiser_required
def duplicates_page(contest):
    """Entries that are the same or nearly the same project, in this contest and against earlier ones."""
    found = duplicates.find_duplicates(contest)
    return render_template("manage/duplicates.html", contest=contest, found=found,
                           others=duplicates.contests_shown(found, contest, current_user),
                           threshold=int(duplicates.THRESHOLD * 100))
