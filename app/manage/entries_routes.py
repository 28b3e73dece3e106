"""Organiser pages: the application-form builder, entries, screening, export.

Routes are registered on the manage blueprint.
"""

from __future__ import annotations

import math

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import get_in_contest_or_404, organiser_required
from app.extensions import db
from app.forms_common import fit_languages
from app.input_limits import query_int
from app.manage import bp
from app.manage.entries_forms import (
    FIELD_TYPE_CHOICES,
    EntriesBulkForm,
    FormFieldForm,
    GroupMessageForm,
    ScreeningForm,
)
from app.manage.forms import ConfirmForm
from app.models import Contest, Entry, FormField
from app.services.intake import application_form, entry_export, group_actions
from app.services.intake import entries as entry_service
from app.services.intake.application_form import FormError


def _entry_in(contest: Contest, entry_id: int) -> Entry:
    entry = entry_service.get_entry(entry_id)
    if entry is None or entry.contest_id != contest.id:
        abort(404)
    return entry


# --- the form builder --------------------------------------------------------------------


@bp.route("/<slug>/form")
@organiser_required
def form_builder(contest):
    return render_template("manage/form_builder.html", contest=contest,
                           fields=application_form.form_fields(contest), af=application_form,
                           type_labels=dict(FIELD_TYPE_CHOICES),
                           confirm_form=ConfirmForm())


@bp.route("/<slug>/form/new", methods=["GET", "POST"])
@organiser_required
def form_field_new(contest):
    form = fit_languages(FormFieldForm(taken_keys=[f.key for f in contest.form_fields]), contest)
    if not form.is_submitted() and request.args.get("type") in dict(FIELD_TYPE_CHOICES):
        form.type.data = request.args["type"]
    if form.validate_on_submit() and form.check_type_settings(form.type.data):
        try:
            application_form.add_field(contest, key=form.key.data, type=form.type.data,
                                       actor=current_user, **form.values(form.type.data))
        except FormError as error:
            form.key.errors = [*form.key.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The field is added."), "success")
            return redirect(url_for("manage.form_builder", slug=contest.slug))
    return render_template("manage/form_field.html", contest=contest, form=form, field=None)


@bp.route("/<slug>/form/<int:field_id>/edit", methods=["GET", "POST"])
@organiser_required
def form_field_edit(contest, field_id):
    field = get_in_contest_or_404(FormField, field_id, contest)
    form = fit_languages(FormFieldForm(obj=field, editing=True), contest, field)
    if not form.is_submitted():
        form.fill_from(field)
    if form.validate_on_submit() and form.check_type_settings(field.type):
        try:
            application_form.update_field(field, actor=current_user, **form.values(field.type))
        except FormError as error:
            form.label_ru.errors = [*form.label_ru.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The field is saved."), "success")
            return redirect(url_for("manage.form_builder", slug=contest.slug))
    return render_template("manage/form_field.html", contest=contest, form=form, field=field,
                           type_labels=dict(FIELD_TYPE_CHOICES))


@bp.route("/<slug>/form/<int:field_id>/move/<direction>", methods=["POST"])
@organiser_required
def form_field_move(contest, field_id, direction):
    field = get_in_contest_or_404(FormField, field_id, contest)
    if ConfirmForm().validate_on_submit():
        application_form.move_field(field, -1 if direction == "up" else 1)
        db.session.commit()
    return redirect(url_for("manage.form_builder", slug=contest.slug))


@bp.route("/<slug>/form/<int:field_id>/delete", methods=["POST"])
@organiser_required
def form_field_delete(contest, field_id):
    field = get_in_contest_or_404(FormField, field_id, contest)
    if ConfirmForm().validate_on_submit():
        application_form.delete_field(field, actor=current_user)
        db.session.commit()
        flash(_("The field is deleted. Answers already given stay in the entries."), "info")
    return redirect(url_for("manage.form_builder", slug=contest.slug))


# --- entries -------------------------------------------------------------------------------


def _filters() -> entry_service.EntryFilter:
    return entry_service.EntryFilter(
        nomination_id=request.args.get("nomination", type=query_int),
        status=request.args.get("status") or None,
        eligibility=request.args.get("eligibility") or None,
        search=request.args.get("q", "").strip()[:200],
        entry_ids=_ticked(request.args.get("ids")),
    )


def _ticked(value: str | None) -> tuple[int, ...] | None:
    """Entry ids ticked on the list ("3,5,8"), as many as a group action takes; None when not given."""
    if value is None:
        return None
    ids = [part for part in value.split(",") if part.isdigit() and len(part) <= 12]
    return tuple(int(part) for part in ids[:group_actions.MAX_RECIPIENTS])


@bp.route("/<slug>/entries")
@organiser_required
def entries(contest):
    filters = _filters()
    page = max(request.args.get("page", 1, type=query_int), 1)
    rows, total = entry_service.list_entries(contest, filters, page=page)
    pages = max(math.ceil(total / entry_service.PAGE_SIZE), 1)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("manage/entries.html", contest=contest, entries=rows, total=total,
                           page=page, pages=pages, filters=filters, args=args,
                           bulk_form=EntriesBulkForm(formdata=None))


@bp.route("/<slug>/entries/bulk", methods=["POST"])
@organiser_required
def entries_bulk(contest):
    """The ticked entries: screened together, or their entrants written to (the message page)."""
    form = EntriesBulkForm()
    back = request.form.get("back") or ""
    back_url = url_for("manage.entries", slug=contest.slug) + (back if back.startswith("?") else "")
    ids = [value for value in request.form.getlist("entry") if value.isdigit()][:group_actions.MAX_RECIPIENTS]
    if not form.validate_on_submit():
        flash(" ".join(m for ms in form.errors.values() for m in ms) or _("Choose an action."), "danger")
        return redirect(back_url)
    if not ids:
        flash(_("Tick at least one entry."), "warning")
        return redirect(back_url)
    if form.bulk_action.data == "message":
        return redirect(url_for("manage.message_new", slug=contest.slug, group="entries", entries=",".join(ids)))
    if form.bulk_action.data in ("export_xlsx", "export_csv"):
        # Export selected: the list's export of exactly the ticked entries (any status they have).
        return redirect(url_for("manage.entries_export", slug=contest.slug, fmt=form.bulk_action.data[7:],
                                ids=",".join(ids), status="all"))
    try:
        outcome = group_actions.screen_entries(contest, ids, eligible=form.bulk_action.data == "eligible",
                                               reason=form.bulk_reason.data, actor=current_user)
    except group_actions.GroupError as error:
        flash(str(error), "danger")
        return redirect(back_url)
    db.session.commit()
    flash(_("Screened: %(count)d.", count=len(outcome.done)), "success")
    for number, why in outcome.skipped[:20]:
        flash(_("No. %(number)s is not screened: %(why)s", number=number or "—", why=why), "warning")
    return redirect(back_url)


@bp.route("/<slug>/messages/new", methods=["GET", "POST"])
@organiser_required
def message_new(contest):
    """A message to a chosen group: the entrants of ticked entries or of a nomination, every
    entrant, or the judges of a round; one text per language with placeholders; queued, audited."""
    form = GroupMessageForm()
    entry_ids = [i for i in (request.values.get("entries") or "").split(",") if i.isdigit()]
    choices = []
    if entry_ids:
        choices.append(("entries", _("The entrants of the %(count)d selected entries", count=len(entry_ids))))
    choices.append(("entrants", _("Every entrant with a submitted application")))
    choices += [(f"nomination:{n.id}", _("Entrants of the nomination «%(title)s»", title=n.loc("title")))
                for n in contest.nominations]
    choices += [(f"round:{r.id}", _("Judges of the round «%(title)s»", title=r.loc("title"))) for r in contest.rounds]
    form.group.choices = choices
    if request.method == "GET":
        form.group.data = request.args.get("group") or choices[0][0]
    fit_languages(form, contest)
    if form.validate_on_submit():
        group, _sep, ident = (form.group.data or "").partition(":")
        try:
            number = int(ident) if ident.isdigit() else None
            recipients = group_actions.group_recipients(
                contest, group="judges" if group == "round" else group, entry_ids=entry_ids,
                nomination_id=number if group == "nomination" else None,
                round_id=number if group == "round" else None)
            sent = group_actions.send_group_message(
                contest, recipients, group=form.group.data, actor=current_user,
                texts={"ru": (form.subject_ru.data or "", form.body_ru.data or ""),
                       "en": (form.subject_en.data or "", form.body_en.data or "")})
        except group_actions.GroupError as error:
            form.group.errors = [*form.group.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The message is sent to %(count)d people.", count=sent), "success")
            return redirect(url_for("manage.entries", slug=contest.slug))
    return render_template("manage/message.html", contest=contest, form=form)


@bp.route("/<slug>/entries/export.<fmt>")
@organiser_required
def entries_export(contest, fmt):
    filters = _filters()
    name = f"{contest.slug}-entries"
    if fmt == "csv":
        # ?sep=comma|semicolon|tab overrides the reader's convention (`;` in Russian, `,` in English)
        return Response(entry_export.export_csv(contest, filters, request.args.get("sep")),
                        mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        return Response(
            entry_export.export_xlsx(contest, filters),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    abort(404)


@bp.route("/<slug>/entries/<int:entry_id>", methods=["GET", "POST"])
@organiser_required
def entry_detail(contest, entry_id):
    entry = _entry_in(contest, entry_id)
    form = ScreeningForm()
    if not form.is_submitted():
        if entry.eligible is not None:
            form.decision.data = "eligible" if entry.eligible else "ineligible"
        form.reason.data = entry.ineligible_reason or ""
    if form.validate_on_submit():
        try:
            entry_service.screen_entry(entry, eligible=form.decision.data == "eligible",
                                 reason=form.reason.data, actor=current_user)
        except entry_service.Problems as problems:
            form.reason.errors = [*form.reason.errors, *problems.errors.get("reason", [])]
        except entry_service.EntryError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The decision on application No. %(number)s is saved.", number=entry.number), "success")
            return redirect(url_for("manage.entry_detail", slug=contest.slug, entry_id=entry.id))
    return render_template(
        "manage/entry.html", contest=contest, entry=entry, form=form,
        fields=application_form.form_fields(contest), attachments=entry_service.attachments_by_field(entry),
        af=application_form, display_name=lambda a: a.filename,
        first_round=entry_service.first_round(contest),
    )
