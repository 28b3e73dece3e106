"""Judges: an assigned application as PDF (redacted as the score page is) and the judge's own
evaluation sheet of a round."""

from __future__ import annotations

from flask import Response, abort, request
from flask_login import current_user, login_required

from app.extensions import db
from app.i18n import current_language
from app.jury import bp
from app.jury.routes import _load_for_judge
from app.models import Round
from app.services.documents import application, sheets
from app.services.documents.common import document_language
from app.services.platform import permissions


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/application.pdf")
@login_required
def entry_pdf(round_id, entry_id):
    # The score page's rule: jury, declaration, assignment, conflict.
    round_, entry, _review = _load_for_judge(round_id, entry_id)
    show_identity = permissions.can_see_entrant_identity(current_user, entry)
    data = application.application_pdf(entry, show_identity=show_identity, round_=round_,
                                       language=document_language(request.args.get("lang"), current_language()),
                                       dossier=request.args.get("full") == "1")
    return _pdf(data, f"application-{entry.number or entry.id}.pdf")


@bp.route("/rounds/<int:round_id>/sheet.pdf")
@login_required
def sheet_pdf(round_id):
    """The signed-in judge's own sheet; anyone not on the round's jury finds nothing."""
    round_ = db.session.get(Round, round_id)
    if round_ is None or not permissions.is_judge_in_round(current_user, round_):
        abort(404)
    data = sheets.evaluation_sheet_pdf(round_, current_user, show_identity=not round_.blind,
                                       language=document_language(request.args.get("lang"), current_language()))
    return _pdf(data, f"evaluation-sheet-{round_.key}.pdf")
