"""Operations: the health check, and exports built as background jobs (start, progress, file)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.access import organiser_required
from app.extensions import db
from app.i18n import current_language
from app.services.exports.kinds import export_kinds
from app.services.exports.kinds import start_export as start_export_job
from app.services.platform import jobs, permissions
from app.services.platform.health import health_report

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
def healthz():
    status, checks = health_report()
    response = jsonify({"status": status, "checks": checks})
    response.status_code = 503 if status == "unavailable" else 200
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/manage/<slug>/exports")
@organiser_required
def exports(contest):
    return render_template("ops/exports.html", contest=contest, kinds=export_kinds(contest))


@bp.route("/manage/<slug>/exports/<kind>", methods=["POST"])
@organiser_required
def start_export(contest, kind):
    if kind not in {k.key for k in export_kinds(contest)}:
        abort(404)
    job_id = start_export_job(contest=contest, kind=kind, user=current_user, language=current_language())
    db.session.commit()
    return redirect(url_for("ops.job", job_id=job_id))


def _job_or_404(job_id: str) -> dict:
    try:
        job = jobs.get_job(job_id)
    except jobs.JobNotFound:
        abort(404)
    if not permissions.can_open_job(current_user, job):
        abort(404)  # another person's job does not exist as far as this user knows
    return job


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.args.get("format") == "json" or best == "application/json"


@bp.route("/jobs/<job_id>")
@login_required
def job(job_id):
    job = _job_or_404(job_id)
    download = url_for("ops.job_file", job_id=job_id) if job["status"] == "done" else None
    if _wants_json():
        response = jsonify({"id": job["id"], "label": job["label"], "status": job["status"],
                            "filename": job.get("filename"), "size": job.get("size"),
                            "download": download, "progress_done": job.get("progress_done"),
                            "progress_total": job.get("progress_total")})
        response.headers["Cache-Control"] = "no-store"
        return response
    pending = job["status"] in ("queued", "running")
    response = Response(render_template("ops/job.html", job=job, download=download, pending=pending))
    if pending:
        response.headers["Refresh"] = "3"  # the page reloads itself until the file is ready
    return response


@bp.route("/jobs/<job_id>/download")
@login_required
def job_file(job_id):
    job = _job_or_404(job_id)
    if job["status"] != "done":
        abort(404)
    response = Response(jobs.job_file_chunks(job), mimetype=job["content_type"])
    response.headers["Content-Length"] = str(job["size"])
    response.headers.set("Content-Disposition", "attachment", filename=job["filename"])
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def job_status_label(status: str) -> str:
    return {"queued": _("Waiting for its turn"), "running": _("Being prepared"),
            "done": _("Ready"), "failed": _("Failed")}.get(status, status)
