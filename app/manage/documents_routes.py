"""Organisers: the documents — application PDFs, evaluation sheets, the score matrix, the protocol,
jury packs (app.services.documents)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import get_in_contest_or_404, organiser_required
from app.extensions import db
from app.i18n import current_language
from app.manage import bp
from app.manage.documents_forms import JuryPackForm, ProtocolForm
from app.models import Entry, Round, User
from app.services.documents import application, jury_pack, matrix, protocol, sheets
from app.services.documents.common import document_language
from app.services.platform import permissions

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _language() -> str:
    return document_language(request.args.get("lang"), current_language())


def _file(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<slug>/documents")
@organiser_required
def documents(contest):
    return render_template("manage/documents.html", contest=contest, rounds=list(contest.rounds),
                           form=_pack_form(contest))


@bp.route("/<slug>/entries/<int:entry_id>/application.pdf")
@organiser_required
def entry_pdf(contest, entry_id):
    entry = get_in_contest_or_404(Entry, entry_id, contest)
    dossier = request.args.get("full") == "1"
    data = application.application_pdf(entry, show_identity=True, language=_language(), dossier=dossier)
    suffix = "-dossier" if dossier else ""
    return _file(data, PDF, f"application-{entry.number or entry.id}{suffix}.pdf")


@bp.route("/<slug>/rounds/<int:round_id>/judges/<int:judge_id>/sheet.pdf")
@organiser_required
def judge_sheet_pdf(contest, round_id, judge_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    judge = db.session.get(User, judge_id)
    if judge is None or not permissions.is_judge_in_round(judge, round_):
        abort(404)
    data = sheets.evaluation_sheet_pdf(round_, judge, show_identity=True, language=_language())
    return _file(data, PDF, f"evaluation-sheet-{round_.key}-{judge.id}.pdf")


@bp.route("/<slug>/rounds/<int:round_id>/blank-sheet.pdf")
@organiser_required
def blank_sheet_pdf(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    data = sheets.blank_sheet_pdf(round_, language=_language())
    return _file(data, PDF, f"evaluation-sheet-{round_.key}-blank.pdf")


@bp.route("/<slug>/rounds/<int:round_id>/matrix")
@organiser_required
def score_matrix(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    return render_template("manage/documents_matrix.html", contest=contest, round=round_,
                           matrix=matrix.score_matrix(round_), DRAFT=matrix.DRAFT, MISSING=matrix.MISSING)


@bp.route("/<slug>/rounds/<int:round_id>/matrix.xlsx")
@organiser_required
def score_matrix_xlsx(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    return _file(matrix.score_matrix_xlsx(round_), XLSX, f"{contest.slug}-{round_.key}-score-matrix.xlsx")


def _protocol_round(contest, round_id):
    return get_in_contest_or_404(Round, round_id, contest) if round_id is not None else None


@bp.route("/<slug>/protocol", methods=["GET", "POST"])
@bp.route("/<slug>/rounds/<int:round_id>/protocol", methods=["GET", "POST"])
@organiser_required
def protocol_edit(contest, round_id=None):
    round_ = _protocol_round(contest, round_id)
    details = protocol.protocol_details(contest, round_)
    form = ProtocolForm(obj=details)
    if form.validate_on_submit():
        protocol.save_details(contest, round_, actor=current_user,
                              **{name: getattr(form, name).data for name in protocol.DETAIL_FIELDS})
        db.session.commit()
        flash(_("The protocol's details are saved."), "success")
        return redirect(request.path)
    return render_template("manage/documents_protocol.html", contest=contest, round=round_, form=form,
                           draft=round_ is not None and round_.finalised_at is None)


@bp.route("/<slug>/protocol.<any(docx, pdf):doc_format>")
@bp.route("/<slug>/rounds/<int:round_id>/protocol.<any(docx, pdf):doc_format>")
@organiser_required
def protocol_file(contest, doc_format, round_id=None):
    fmt = doc_format
    round_ = _protocol_round(contest, round_id)
    build = protocol.protocol_docx if fmt == "docx" else protocol.protocol_pdf
    data = build(contest, round_, language=_language())
    name = f"{contest.slug}-{round_.key if round_ else 'contest'}-protocol.{fmt}"
    return _file(data, DOCX if fmt == "docx" else PDF, name)


def _pack_form(contest) -> JuryPackForm:
    form = JuryPackForm()
    choices = []
    for round_ in contest.rounds:
        choices.append((f"{round_.id}", _("%(round)s: all nominations", round=round_.loc("title"))))
        choices += [(f"{round_.id}:{n.id}", f"{round_.loc('title')}: {n.loc('title')}") for n in contest.nominations]
    form.nomination.choices = choices
    return form


@bp.route("/<slug>/jury-pack", methods=["POST"])
@organiser_required
def jury_pack_start(contest):
    form = _pack_form(contest)
    if not form.validate_on_submit():
        flash(_("Choose the entries and the format of the jury pack."), "danger")
        return redirect(url_for("manage.documents", slug=contest.slug))
    round_id, _sep, nomination_id = form.nomination.data.partition(":")
    round_ = get_in_contest_or_404(Round, int(round_id), contest)
    nomination = next((n for n in contest.nominations if str(n.id) == nomination_id), None)
    job_id = jury_pack.start_jury_pack(round_=round_, nomination=nomination, fmt=form.fmt.data, user=current_user,
                                       language=current_language())
    db.session.commit()
    return redirect(url_for("ops.job", job_id=job_id))


@bp.route("/<slug>/sponsor-report.<any(pdf, xlsx):doc_format>")
@organiser_required
def sponsor_report_file(contest, doc_format):
    from app.services.documents import report

    if doc_format == "pdf":
        return _file(report.sponsor_report_pdf(contest, language=_language()), PDF, f"{contest.slug}-report.pdf")
    return _file(report.sponsor_report_xlsx(contest, language=_language()), XLSX, f"{contest.slug}-report.xlsx")
