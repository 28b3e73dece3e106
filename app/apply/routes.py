"""Entrants: the application form, drafts, attachments, submission."""

from __future__ import annotations

import io
import unicodedata
from functools import wraps
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from app.access import get_contest_or_404
from app.apply.forms import ReplaceFileForm, build_application_form, field_name
from app.extensions import db
from app.i18n import use_contest_languages
from app.input_limits import query_int
from app.models import Attachment, Contest, Entry
from app.services.anonymity import clean
from app.services.intake import application_form, attachment_access, entries, stash
from app.services.intake.application_form import UploadError
from app.services.platform import accounts, permissions, storage
from app.services.platform.clock import is_open, now

bp = Blueprint("apply", __name__)

FORM_ENDPOINTS = ("apply.entry_new", "apply.entry_edit")


def _form_target(restore: str | None = None) -> str:
    return url_for(request.endpoint, **(request.view_args or {}), restore=restore)


def _expired_login_account() -> int | None:
    """The account this browser was signed in as, when its login has ended (its sessions were
    ended elsewhere, or it no longer exists): the session still names it."""
    parsed = accounts.parse_session_id(session.get("_user_id"))
    return parsed[0] if parsed else None


def _keep_and_relogin():
    """A form posted without a valid login: keep the values for the account whose login expired,
    log in, and come back to the form. A browser that was never signed in keeps nothing."""
    owner_id = current_user.id if current_user.is_authenticated else _expired_login_account()
    stash_id = stash.stash_form(request.form, owner_id=owner_id) if owner_id is not None else None
    target = _form_target(stash_id)
    if current_user.is_authenticated:
        flash(_("Your session had expired, so nothing was saved. We kept what you typed: check it "
                "and save again. Files need to be chosen again."), "warning")
        return redirect(target)
    if stash_id is None:
        flash(_("Please log in to open this page."), "info")
        return redirect(url_for("auth.login", next=_form_target()))
    flash(_("Your session has expired. Log in again to continue; what you typed is kept "
            "(files need to be chosen again)."), "warning")
    return redirect(url_for("auth.login", next=target))


@bp.errorhandler(CSRFError)
def _csrf_error(error):
    if request.endpoint in FORM_ENDPOINTS and request.method == "POST":
        return _keep_and_relogin()
    return render_template("errors/error.html", code=400), 400


@bp.errorhandler(413)
def _too_large(error):
    if request.endpoint in FORM_ENDPOINTS:
        flash(_("The files you chose are too large to send at once (more than %(limit)s in "
                "total), so nothing from that attempt was saved. Send the files one at a time.",
                limit=application_form.human_size(_max_request())), "danger")
        return redirect(_form_target())
    return render_template("errors/error.html", code=413), 413


def _max_request() -> int:
    from flask import current_app

    return current_app.config.get("MAX_CONTENT_LENGTH") or 0


def entrant_required(view):
    """Like login_required, but a form posted after the session expired is kept (see stash)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated and request.method == "POST" \
                and request.endpoint in FORM_ENDPOINTS:
            return _keep_and_relogin()
        return login_required(view)(*args, **kwargs)

    return wrapped


def _own_entry(entry_id: int) -> Entry:
    """The current user's entry; anyone else's (or none) is 404, so ids reveal nothing."""
    entry = entries.get_entry(entry_id)
    if entry is None or entry.entrant_id != current_user.id:
        abort(404)
    use_contest_languages(entry.contest)
    return entry


@bp.app_template_global()
def contest_call(contest: Contest) -> dict:
    """What the public contest page says about the call (templates/public/_call.html)."""
    round_ = entries.call_round(contest)
    moment = now()
    info = {"round": round_, "open": False, "upcoming": False, "closed": False, "later": [],
            "reason": None, "my_entries": []}
    if round_ is None or round_.intake_opens_at is None:
        return info
    info["open"] = is_open(round_.intake_opens_at, round_.intake_closes_at, moment)
    info["upcoming"] = moment < round_.intake_opens_at
    info["closed"] = moment > round_.intake_closes_at
    info["later"] = [r for r in contest.rounds[1:]
                     if is_open(r.intake_opens_at, r.intake_closes_at, moment)]
    if current_user.is_authenticated:
        info["my_entries"] = [e for e in entries.entrant_entries(current_user) if e.contest_id == contest.id]
        info["reason"] = entries.can_apply(current_user, contest) if info["open"] else None
    return info


@bp.route("/")
@login_required
def my_entries():
    mine = entries.entrant_entries(current_user)
    return render_template("apply/my_entries.html", entries=mine,
                           editable={e.id for e in mine if entries.editing_round(e) is not None})


def _render_form(contest: Contest, entry: Entry | None, form, *, status: int = 200):
    fields = form.form_fields
    attachments = entries.attachments_by_field(entry) if entry is not None else {}
    used = sum(a.size for a in entry.attachments) if entry is not None else 0
    round_ = entries.deadline(entry) if entry is not None else entries.call_round(contest)
    return render_template(
        "apply/form.html", contest=contest, entry=entry, form=form, fields=fields,
        attachments=attachments, bytes_used=used, entry_limit=application_form.entry_max_bytes(),
        round=round_, field_name=field_name, af=application_form,
        error_count=sum(len(f.errors) for f in form if f.errors),
    ), status


def _handle_post(contest: Contest, entry: Entry | None, form):
    """One POST of the form: store uploads, remove a file, save the draft, maybe submit.

    Every outcome keeps what was typed: a draft's values are saved even when submitting fails;
    a submitted entry's changes are re-shown with the problems (and applied only when valid).
    """
    fields = form.form_fields
    application = form.application()
    action = request.form.get("action", "save")
    remove_id = request.form.get("remove", type=query_int)
    problems: dict[str, list[str]] = {}
    if entry is None:
        entry = entries.start_entry(contest, current_user)

    for definition in fields:
        if definition.type != "file":
            continue
        for upload in request.files.getlist(field_name(definition.key)):
            if not upload or not upload.filename:
                continue
            try:
                entries.add_attachment(entry, definition, upload, actor=current_user)
            except application_form.TooManyFiles as error:
                problems.setdefault(definition.key, []).append(str(error))
                break  # the field is full: the request's other files for it are not even read
            except UploadError as error:
                problems.setdefault(definition.key, []).append(str(error))
    if remove_id:
        attachment = next((a for a in entry.attachments if a.id == remove_id), None)
        if attachment is not None:
            try:
                entries.remove_attachment(attachment, actor=current_user)
            except entries.EntryError as error:
                problems.setdefault(attachment.field_key, []).append(str(error))

    submitted = False
    flagged_in_draft: set[str] = set()
    if entry.status != "submitted":
        for key, messages in entries.save_draft(entry, application, actor=current_user).items():
            problems.setdefault(key, []).extend(messages)
            flagged_in_draft.add(key)
    if action == "submit" or entry.status == "submitted":
        if problems:
            # Don't submit over a failed upload or removal, but show every other problem too
            # (a field the draft already flagged is not told the same twice).
            for key, messages in entries.check_application(entry, application).items():
                if key not in flagged_in_draft:
                    problems.setdefault(key, []).extend(messages)
        else:
            try:
                was = entry.status
                entries.submit_entry(entry, application, actor=current_user)
                submitted = action == "submit" or was != "submitted"
            except entries.Problems as error:
                problems = error.errors
            except entries.Unconfirmed as error:
                # The draft above is kept; the form says why it was not submitted.
                flash(str(error), "warning")
                db.session.commit()
                return _render_form(contest, entry, form, status=200)
    db.session.commit()

    if problems:
        form.add_errors(problems)
        return _render_form(contest, entry, form, status=200)
    if submitted:
        entries.send_submission_mail(entry)
        return redirect(url_for("apply.entry_submitted", entry_id=entry.id))
    if entry.status == "submitted":
        flash(_("Your changes are saved and the application is submitted again."), "success")
    elif remove_id:
        flash(_("The file is removed and the draft is saved."), "info")
    else:
        flash(_("The draft is saved. You can come back to it at any time before the deadline."), "success")
    return redirect(url_for("apply.entry_edit", entry_id=entry.id))


@bp.route("/<slug>/new", methods=["GET", "POST"])
@entrant_required
def entry_new(slug):
    contest = get_contest_or_404(slug)
    reason = entries.can_apply(current_user, contest)
    if reason:
        flash(reason, "warning")
        return redirect(url_for("public.contest", slug=contest.slug))
    fields = application_form.form_fields(contest)
    restored = stash.take_stash(request.args.get("restore"), owner_id=current_user.id)
    form = build_application_form(fields, contest.nominations, formdata=restored)
    if restored is not None:
        flash(_("We restored what you typed before your session expired. It is not saved yet."), "info")
    if request.method == "POST":
        form.validate()
        try:
            return _handle_post(contest, None, form)
        except entries.EntryError as error:
            db.session.rollback()
            flash(str(error), "danger")
            return redirect(url_for("public.contest", slug=contest.slug))
    return _render_form(contest, None, form)


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@entrant_required
def entry_edit(entry_id):
    entry = _own_entry(entry_id)
    if entries.editing_round(entry) is None:
        flash(_("The deadline has passed: this application can no longer be changed."), "warning")
        return redirect(url_for("apply.entry_view", entry_id=entry.id))
    fields = application_form.form_fields(entry.contest)
    restored = stash.take_stash(request.args.get("restore"), owner_id=current_user.id)
    form = build_application_form(fields, entry.contest.nominations, entry=entry, formdata=restored)
    if restored is not None:
        flash(_("We restored what you typed before your session expired. It is not saved yet."), "info")
    if request.method == "POST":
        form.validate()
        try:
            return _handle_post(entry.contest, entry, form)
        except entries.EntryError as error:
            db.session.rollback()
            flash(str(error), "danger")
            return redirect(url_for("apply.entry_view", entry_id=entry.id))
    return _render_form(entry.contest, entry, form)


def _entry_page(template: str, entry: Entry, **extra):
    fields = application_form.form_fields(entry.contest)
    return render_template(
        template, entry=entry, contest=entry.contest, fields=fields,
        attachments=entries.attachments_by_field(entry), round=entries.deadline(entry),
        editable=entries.editing_round(entry) is not None, af=application_form,
        withdrawable=entries.can_withdraw(entry),
        display_name=lambda a: entries.attachment_display_name(current_user, a), **extra,
    )


@bp.route("/entries/<int:entry_id>/")
@login_required
def entry_view(entry_id):
    entry = _own_entry(entry_id)
    return _entry_page("apply/entry.html", entry, replacement_requests=entries.replacement_requests(entry))


@bp.route("/entries/<int:entry_id>/submitted")
@login_required
def entry_submitted(entry_id):
    entry = _own_entry(entry_id)
    if entry.status != "submitted":
        return redirect(url_for("apply.entry_view", entry_id=entry.id))
    return _entry_page("apply/submitted.html", entry)


@bp.route("/entries/<int:entry_id>/print")
@login_required
def entry_print(entry_id):
    return _entry_page("apply/print.html", _own_entry(entry_id))


@bp.route("/entries/<int:entry_id>/withdraw", methods=["POST"])
@login_required
def entry_withdraw(entry_id):
    entry = _own_entry(entry_id)
    try:
        entries.withdraw_entry(entry, actor=current_user)
    except entries.EntryError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(url_for("apply.entry_view", entry_id=entry.id))
    db.session.commit()
    flash(_("The application is withdrawn. You can submit it again until the deadline."), "info")
    return redirect(url_for("apply.entry_view", entry_id=entry.id))


def _content_disposition(kind: str, name: str) -> str:
    """`filename` for old clients (ASCII), `filename*` with the real name (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().replace('"', "")
    if not ascii_name.rsplit(".", 1)[0].strip():
        ascii_name = "file" + ("." + name.rsplit(".", 1)[-1] if "." in name else "")
        ascii_name = ascii_name.encode("ascii", "ignore").decode()
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.route("/files/<int:attachment_id>")
@login_required
def attachment(attachment_id):
    """A file of an entry, for its entrant, the contest's organisers and the judges whom the score
    page lets see the entry (intake.attachment_access).

    `?inline=1` shows PDFs and images in the browser; everything else is a download.
    """
    item = db.session.get(Attachment, attachment_id)
    reader = attachment_access.attachment_reader(current_user, item) if item is not None else None
    if reader is None:
        abort(404)
    name = entries.attachment_display_name(current_user, item)
    inline = request.args.get("inline") == "1" and item.content_type in application_form.INLINE_TYPES
    backend = storage.get_storage()
    path = backend.local_path(item.storage_key)
    if (reader == attachment_access.Reader.JUDGE and item.content_type in clean.CLEANED_TYPES
            and not permissions.can_see_entrant_identity(current_user, item.entry)):
        # A blind round: the judge gets a copy without the metadata; the original stays as stored.
        if path is not None and not path.is_file():
            abort(404)
        data = clean.clean_copy(b"".join(backend.iter_chunks(item.storage_key)), item.content_type)
        response = send_file(io.BytesIO(data), mimetype=item.content_type, as_attachment=not inline,
                             download_name=name, max_age=0)
    elif path is not None:
        if not path.is_file():
            abort(404)
        response = send_file(path, mimetype=item.content_type, as_attachment=not inline,
                             download_name=name, conditional=True, max_age=0)
    else:
        response = Response(stream_with_context(backend.iter_chunks(item.storage_key)),
                            mimetype=item.content_type)
        response.headers["Content-Length"] = str(item.size)
        response.headers["Content-Disposition"] = _content_disposition(
            "inline" if inline else "attachment", name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if inline:
        # Shown in the browser, but never able to run anything of its own.
        # Chrome will not start its PDF viewer in a sandboxed document, so PDFs go unsandboxed;
        # only PDFs and images (types checked from the content at upload) are ever shown inline.
        policy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        if item.content_type != "application/pdf":
            policy += "; sandbox"
        response.headers["Content-Security-Policy"] = policy
    return response


@bp.route("/entries/<int:entry_id>/replace/<int:finding_id>", methods=["GET", "POST"])
@login_required
def replace_file(entry_id, finding_id):
    """A file the organisers asked to replace (the anonymity check), until the request's deadline."""
    entry = _own_entry(entry_id)
    finding = next((item for item in entries.replacement_requests(entry) if item.id == finding_id), None)
    if finding is None:
        abort(404)
    form = ReplaceFileForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = [_("Choose the new file.")]
        else:
            try:
                entries.replace_requested_file(entry, finding, upload, actor=current_user)
            except (UploadError, entries.EntryError) as error:
                db.session.rollback()
                form.file.errors = [str(error)]
            else:
                db.session.commit()
                flash(_("The file is replaced. The organisers will see the new one."), "success")
                return redirect(url_for("apply.entry_view", entry_id=entry.id))
    return render_template("apply/replace_file.html", entry=entry, contest=entry.contest, finding=finding,
                           form=form)
