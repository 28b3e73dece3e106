"""An entry's life: draft, attachments, submit, edit and resubmit, withdraw, screening.

The call is the contest's first round: its intake window (open from its opening second to its
closing second inclusive, compared on the server with clock.now()) is when entrants may start,
edit, submit and withdraw entries. A later round with its own intake window lets the entries
in that round (the finalists) add material while it is open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.models import (
    Assignment,
    Attachment,
    Contest,
    Entry,
    EntryRound,
    FormField,
    JuryMember,
    Review,
    Round,
    User,
)
from app.services.api import webhooks
from app.services.intake import application_form
from app.services.platform import permissions, storage
from app.services.platform.audit import record_event
from app.services.platform.clock import is_open, now
from app.services.platform.links import external_url
from app.services.platform.mail import send_mail

PAGE_SIZE = 100


class unicode_lower(sa.sql.functions.GenericFunction):  # noqa: N801 - an SQL function's name
    """lower() that folds every alphabet: SQLite's own lower() knows only ASCII (Кириллица!)."""

    type = sa.String()
    inherit_cache = True


@compiles(unicode_lower)
def _compile_lower(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _compile_lower_sqlite(element, compiler, **kw):
    return f"fj_lower({compiler.process(element.clauses, **kw)})"


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_functions(dbapi_connection, _record) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function(
            "fj_lower", 1, lambda value: value.lower() if isinstance(value, str) else value,
            deterministic=True)


class EntryError(Exception):
    """An action that is not possible now; the message is translated, for the person."""


class DeadlineError(EntryError):
    """The intake window is closed (or not open yet)."""


class Unconfirmed(EntryError):
    """The entrant has not confirmed their e-mail address: they may save drafts, not submit."""


@dataclass
class Problems(Exception):
    """Everything wrong with an application, by field key; shown all at once."""

    errors: dict[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in self.errors.items())


# --- the call and its window ---------------------------------------------------------------


def call_round(contest: Contest) -> Round | None:
    """The round whose intake window is the call for new entries: the contest's first round."""
    return contest.rounds[0] if contest.rounds else None


def first_round(contest: Contest) -> Round | None:
    return call_round(contest)


def is_call_open(contest: Contest) -> bool:
    round_ = call_round(contest)
    return round_ is not None and is_open(round_.intake_opens_at, round_.intake_closes_at)


def editing_round(entry: Entry) -> Round | None:
    """The round whose open intake window lets the entrant change this entry now, if any."""
    contest = entry.contest
    call = call_round(contest)
    if call is not None and is_open(call.intake_opens_at, call.intake_closes_at):
        return call
    moment = now()
    later = [r for r in contest.rounds[1:] if is_open(r.intake_opens_at, r.intake_closes_at, moment)]
    if not later or entry.status != "submitted":
        return None
    in_rounds = set(db.session.scalars(
        sa.select(EntryRound.round_id).where(EntryRound.entry_id == entry.id)))
    return next((r for r in later if r.id in in_rounds), None)


def can_withdraw(entry: Entry) -> bool:
    """An application can be withdrawn only while the call's own intake is open: once the contest
    has moved on to a later round (its intake adds material, it does not take new applications),
    withdrawing is no longer offered nor accepted."""
    if entry.status != "submitted":
        return False
    call = call_round(entry.contest)
    return call is not None and is_open(call.intake_opens_at, call.intake_closes_at)


def deadline(entry: Entry) -> Round | None:
    """The round whose closing time is this entry's deadline (the open one, else the call)."""
    return editing_round(entry) or call_round(entry.contest)


def _require_open(entry: Entry) -> Round:
    round_ = editing_round(entry)
    if round_ is None:
        raise DeadlineError(_("The deadline has passed: this application can no longer be changed."))
    return round_


def can_apply(user: User | None, contest: Contest) -> str | None:
    """None when the user may start an entry in the contest, otherwise the reason why not."""
    if user is None or not user.is_authenticated:
        return _("Please log in to apply.")
    if contest.is_draft or not is_call_open(contest):
        return _("Applications are not being accepted now.")
    if permissions.is_organiser(user, contest):
        return _("Organisers of a contest cannot apply to it.")
    is_judge = db.session.scalar(sa.select(sa.exists().where(
        JuryMember.round_id.in_(sa.select(Round.id).where(Round.contest_id == contest.id)),
        JuryMember.status != "declined",
        sa.or_(JuryMember.user_id == user.id, JuryMember.email == user.email),
    )))
    if is_judge:
        return _("Members of this contest's jury cannot apply to it.")
    return None


# --- queries -----------------------------------------------------------------------------


def get_entry(entry_id: int) -> Entry | None:
    return db.session.scalar(
        sa.select(Entry).where(Entry.id == entry_id)
        .options(joinedload(Entry.contest), joinedload(Entry.nomination),
                 selectinload(Entry.attachments))
    )


def entrant_entries(user: User) -> list[Entry]:
    return list(db.session.scalars(
        sa.select(Entry).where(Entry.entrant_id == user.id)
        .options(joinedload(Entry.contest).selectinload(Contest.rounds), joinedload(Entry.nomination))
        .order_by(Entry.created_at.desc(), Entry.id.desc())
    ).unique())


@dataclass
class EntryFilter:
    nomination_id: int | None = None
    status: str | None = None          # draft, submitted, withdrawn; None: all but drafts
    eligibility: str | None = None     # eligible, ineligible, unscreened
    search: str = ""
    entry_ids: tuple[int, ...] | None = None  # the entries ticked on the list (bulk "export selected")


def _filtered(contest: Contest, filters: EntryFilter):
    query = sa.select(Entry).where(Entry.contest_id == contest.id)
    if filters.entry_ids is not None:
        query = query.where(Entry.id.in_(filters.entry_ids))
    if filters.status in ("draft", "submitted", "withdrawn"):
        query = query.where(Entry.status == filters.status)
    elif filters.status != "all":
        query = query.where(Entry.status != "draft")
    if filters.nomination_id:
        query = query.where(Entry.nomination_id == filters.nomination_id)
    if filters.eligibility == "eligible":
        query = query.where(Entry.eligible.is_(True))
    elif filters.eligibility == "ineligible":
        query = query.where(Entry.eligible.is_(False))
    elif filters.eligibility == "unscreened":
        query = query.where(Entry.eligible.is_(None))
    text = (filters.search or "").strip()
    if text:
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"

        def matches(column):
            return unicode_lower(column).like(pattern, escape="\\")

        conditions = [
            matches(Entry.title), matches(Entry.organisation), matches(Entry.inn),
            Entry.entrant_id.in_(sa.select(User.id).where(sa.or_(matches(User.name), matches(User.email)))),
        ]
        digits = text.lstrip("#№ ")
        if digits.isdigit() and len(digits) <= 9:
            conditions.append(Entry.number == int(digits))
        query = query.where(sa.or_(*conditions))
    return query


def list_entries(contest: Contest, filters: EntryFilter, *, page: int = 1,
                 page_size: int = PAGE_SIZE) -> tuple[list[Entry], int]:
    """One page of the contest's entries and the number of entries matching; two queries."""
    query = _filtered(contest, filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    entries = list(db.session.scalars(
        query.options(joinedload(Entry.entrant), joinedload(Entry.nomination))
        .order_by(Entry.number.is_(None), Entry.number, Entry.id)
        .limit(page_size).offset((max(page, 1) - 1) * page_size)
    ))
    return entries, total


def entries_after(contest: Contest, filters: EntryFilter, *, round_id: int | None = None, after_id: int = 0,
                  limit: int = 100) -> list[Entry]:
    """A cursor page of the contest's entries (the API): those matching `filters` (and in round
    `round_id`) with an id above `after_id`, by id, with entrant, nomination and attachments; two
    queries whatever the page's length."""
    query = _filtered(contest, filters).where(Entry.id > after_id)
    if round_id is not None:
        query = query.where(Entry.id.in_(sa.select(EntryRound.entry_id).where(EntryRound.round_id == round_id)))
    return list(db.session.scalars(
        query.options(joinedload(Entry.entrant), joinedload(Entry.nomination), selectinload(Entry.attachments))
        .order_by(Entry.id).limit(limit)
    ).unique())


def entries_for_export(contest: Contest, filters: EntryFilter) -> list[Entry]:
    return list(db.session.scalars(
        _filtered(contest, filters)
        .options(joinedload(Entry.entrant), joinedload(Entry.nomination),
                 selectinload(Entry.attachments))
        .order_by(Entry.number.is_(None), Entry.number, Entry.id)
    ).unique())


def attachments_by_field(entry: Entry) -> dict[str, list[Attachment]]:
    grouped: dict[str, list[Attachment]] = {}
    for attachment in entry.attachments:
        grouped.setdefault(attachment.field_key, []).append(attachment)
    return grouped


def attachment_display_name(user: User | None, attachment: Attachment) -> str:
    """The real file name, or a neutral one (attachment-12.pdf) for judges of a blind round."""
    if permissions.can_see_entrant_identity(user, attachment.entry):
        return attachment.filename
    extension = attachment.filename.rsplit(".", 1)[-1].lower() if "." in attachment.filename else ""
    return f"attachment-{attachment.id}" + (f".{extension}" if extension else "")


# --- drafts, attachments, submission -------------------------------------------------------


@dataclass
class Application:
    """What the entrant typed: the built-in title and nomination, and the form's answers."""

    title: str = ""
    nomination_id: int | None = None
    answers: dict = field(default_factory=dict)


def _touch(entry: Entry) -> None:
    entry.updated_at = now()


def _apply(entry: Entry, application: Application, fields: list[FormField]) -> None:
    # A value that cannot be stored (a NUL, say) keeps the stored one; the form shows the problem.
    unstorable = set(application_form.unstorable_keys(fields, application.answers, title=application.title or ""))
    if "title" not in unstorable:
        entry.title = (application.title or "").strip()  # within the column: a longer one is unstorable
    nomination_ids = {n.id for n in entry.contest.nominations}
    entry.nomination_id = application.nomination_id if application.nomination_id in nomination_ids else None
    answers = dict(entry.answers or {})
    answers.update({key: value for key, value in application.answers.items() if key not in unstorable})
    entry.answers = answers
    for key, column in application_form.MIRRORED_KEYS.items():
        if any(f.key == key for f in fields):
            value = str(answers.get(key) or "").strip()
            limit = 12 if column == "inn" else 500
            setattr(entry, column, (value[:limit] or None) if column == "inn" else value[:limit])
    _touch(entry)


def start_entry(contest: Contest, entrant: User) -> Entry:
    """A new, empty draft. Refused when the user may not apply (closed call, a judge …)."""
    reason = can_apply(entrant, contest)
    if reason:
        raise EntryError(reason)
    moment = now()
    entry = Entry(contest_id=contest.id, contest=contest, entrant_id=entrant.id, status="draft",
                  answers={}, created_at=moment, updated_at=moment)
    db.session.add(entry)
    db.session.flush()
    return entry


def save_draft(entry: Entry, application: Application, *, actor: User) -> dict[str, list[str]]:
    """Stores what was typed, complete or not. Returns the problems that prevent keeping a value."""
    _require_open(entry)
    if entry.status == "submitted":
        raise EntryError(_("This application is submitted: save your changes by submitting it again."))
    fields = application_form.form_fields(entry.contest)
    errors = application_form.draft_errors(fields, application.answers, title=application.title or "")
    _apply(entry, application, fields)
    db.session.flush()
    return errors


def _validate(entry: Entry, application: Application, fields: list[FormField],
              file_counts: Mapping[str, int]) -> dict[str, list[str]]:
    answers = dict(entry.answers or {})
    answers.update(application.answers)
    return application_form.validate_answers(
        fields, answers, file_counts=file_counts, title=(application.title or "").strip(),
        nomination_id=application.nomination_id,
        nomination_ids={n.id for n in entry.contest.nominations},
    )


def check_application(entry: Entry, application: Application) -> dict[str, list[str]]:
    """The problems that would stop this application being submitted; changes nothing."""
    return _validate(entry, application, application_form.form_fields(entry.contest),
                     _file_counts(entry))


def _file_counts(entry: Entry, without: int | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for attachment in entry.attachments:
        if attachment.id != without:
            counts[attachment.field_key] = counts.get(attachment.field_key, 0) + 1
    return counts


def _next_number(contest_id: int) -> int:
    # Lock the contest row (PostgreSQL): concurrent first submits in one contest queue here.
    # NO KEY UPDATE: the audit rows inserted earlier in this transaction hold KEY SHARE on the
    # contest row, and a plain FOR UPDATE would deadlock two concurrent submits on PostgreSQL.
    db.session.execute(sa.select(Contest.id).where(Contest.id == contest_id).with_for_update(key_share=True))
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(Entry.number), 0) + 1).where(Entry.contest_id == contest_id)
    )


def _give_number(entry: Entry) -> None:
    """Numbers are 1, 2, 3 … per contest in order of first submission; never reused."""
    for _attempt in range(5):
        number = _next_number(entry.contest_id)
        try:
            with db.session.begin_nested():
                entry.number = number
                db.session.flush()
            return
        except IntegrityError:
            # Another transaction took the number between our read and our write: try the next.
            continue
    raise EntryError(_("Could not give the application a number; please submit again."))


def submit_entry(entry: Entry, application: Application | None = None, *, actor: User) -> Entry:
    """Submits (or resubmits) the application. Raises Problems with every problem at once.

    For a draft the typed values are stored first, so nothing is lost when submitting fails.
    For an entry already submitted, the changes are applied only if the whole is valid.
    """
    round_ = _require_open(entry)
    if not entry.entrant.is_confirmed:
        # An address nobody has proved could be anyone's: the contest must be able to reach them.
        raise Unconfirmed(_("Confirm your e-mail address before submitting: follow the link we sent to "
                            "%(email)s. Your draft is saved.", email=entry.entrant.email))
    fields = application_form.form_fields(entry.contest)
    if application is None:
        application = Application(title=entry.title, nomination_id=entry.nomination_id,
                                  answers=dict(entry.answers or {}))
    if entry.status != "submitted":
        _apply(entry, application, fields)
        db.session.flush()
    errors = _validate(entry, application, fields, _file_counts(entry))
    if errors:
        raise Problems(errors)
    was = entry.status
    _apply(entry, application, fields)
    entry.answers = application_form.normalise_answers(fields, entry.answers)
    # The deadline check and the timestamp use the same second, so no accepted entry is ever
    # dated after the deadline, however long the work above took under load.
    moment = now()
    if moment > round_.intake_closes_at:
        raise DeadlineError(_("The deadline has passed: this application can no longer be changed."))
    entry.status = "submitted"
    entry.submitted_at = moment
    if entry.number is None:
        _give_number(entry)
    # A screening outcome stays; the organisers' list shows entries changed since screening.
    db.session.flush()
    record_event(contest_id=entry.contest_id, actor_id=actor.id,
                 action="entry.resubmit" if was == "submitted" else "entry.submit",
                 object_type="entry", object_id=entry.id, new={"number": entry.number})
    webhooks.announce(entry.contest_id, "entry.submitted", {
        "entry": entry.id, "number": entry.number, "resubmitted": was == "submitted",
        "submitted_at": moment.isoformat()})
    return entry


def withdraw_entry(entry: Entry, *, actor: User) -> Entry:
    _require_open(entry)
    if entry.status != "submitted":
        raise EntryError(_("Only a submitted application can be withdrawn."))
    if not can_withdraw(entry):
        raise DeadlineError(_("The contest has moved on to a later round: the application can no longer "
                              "be withdrawn."))
    entry.status = "withdrawn"
    _set_screening(entry, eligible=None, reason=None)
    _touch(entry)
    db.session.flush()
    record_event(contest_id=entry.contest_id, actor_id=actor.id, action="entry.withdraw",
                 object_type="entry", object_id=entry.id)
    return entry


def add_attachment(entry: Entry, field_: FormField, upload: FileStorage, *, actor: User) -> Attachment:
    """Checks and stores one uploaded file. Raises application_form.UploadError."""
    _require_open(entry)
    if field_.type != "file" or field_.contest_id != entry.contest_id:
        raise EntryError(_("This field does not take files."))
    in_field = sum(1 for a in entry.attachments if a.field_key == field_.key)
    if in_field >= application_form.field_max_files():
        raise application_form.TooManyFiles(_(
            "This field holds at most %(count)s files: remove one before adding another.",
            count=application_form.field_max_files()))
    if len(entry.attachments) >= application_form.entry_max_files():
        raise application_form.TooManyFiles(_(
            "An application holds at most %(count)s files: remove one before adding another.",
            count=application_form.entry_max_files()))
    used = sum(a.size for a in entry.attachments)
    attachment = _stored_attachment(entry, field_, upload, used)
    entry.attachments.append(attachment)
    _touch(entry)
    db.session.flush()
    record_event(contest_id=entry.contest_id, actor_id=actor.id, action="attachment.add",
                 object_type="attachment", object_id=attachment.id,
                 new={"field": field_.key, "name": attachment.filename, "size": attachment.size,
                      "sha256": attachment.sha256})
    return attachment


def remove_attachment(attachment: Attachment, *, actor: User) -> None:
    """Removes a file. A submitted entry keeps at least one file in each required file field."""
    entry = attachment.entry
    _require_open(entry)
    if entry.status == "submitted":
        required = {f.key for f in application_form.form_fields(entry.contest)
                    if f.type == "file" and f.required}
        if attachment.field_key in required and not _file_counts(entry, without=attachment.id).get(
                attachment.field_key):
            raise EntryError(_("This file is required: upload the new one first, then remove this one."))
    record_event(contest_id=entry.contest_id, actor_id=actor.id, action="attachment.remove",
                 object_type="attachment", object_id=attachment.id,
                 old={"field": attachment.field_key, "name": attachment.filename})
    storage.delete_after_commit(attachment.storage_key)
    entry.attachments.remove(attachment)
    _touch(entry)
    db.session.flush()


def send_submission_mail(entry: Entry) -> None:
    """The confirmation e-mail with the entry number and a link to the printable application."""
    entrant = entry.entrant
    with force_locale(entrant.locale):
        send_mail(
            to=entrant.email,
            subject=_("Application No. %(number)s received: %(contest)s", number=entry.number,
                      contest=entry.contest.loc("title")),
            body=render_template(
                "apply/mail_submitted.txt", entry=entry, contest=entry.contest,
                link=external_url("apply.entry_print", entry_id=entry.id),
            ),
        )


# --- screening -----------------------------------------------------------------------------


def _set_screening(entry: Entry, *, eligible: bool | None, reason: str | None) -> None:
    entry.eligible = eligible
    entry.ineligible_reason = reason if eligible is False else None
    entry.screened_at = now() if eligible is not None else None
    round_ = first_round(entry.contest)
    if round_ is None:
        return
    link = db.session.get(EntryRound, (entry.id, round_.id))
    if eligible and link is None:
        db.session.add(EntryRound(entry_id=entry.id, round_id=round_.id, added_at=now()))
    elif not eligible and link is not None:
        db.session.delete(link)
        # An entry out of the round leaves the judges' lists too; submitted reviews stay on record.
        db.session.execute(sa.delete(Assignment).where(
            Assignment.round_id == round_.id, Assignment.entry_id == entry.id))
        db.session.execute(sa.delete(Review).where(
            Review.round_id == round_.id, Review.entry_id == entry.id, Review.status == "draft"))


def screen_entry(entry: Entry, *, eligible: bool, reason: str | None = None, actor: User) -> Entry:
    """Marks a submitted entry eligible (it joins the first round) or ineligible, with a reason
    the entrant sees (it leaves the first round)."""
    if entry.status != "submitted":
        raise EntryError(_("Only submitted applications can be screened."))
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise Problems({"reason": [_("Give the reason; the entrant will see it.")]})
    old = {"eligible": entry.eligible, "reason": entry.ineligible_reason}
    _set_screening(entry, eligible=eligible, reason=reason or None)
    db.session.flush()
    record_event(contest_id=entry.contest_id, actor_id=actor.id, action="entry.screen",
                 object_type="entry", object_id=entry.id, old=old,
                 new={"eligible": eligible, "reason": entry.ineligible_reason},
                 reason=entry.ineligible_reason)
    if (old["eligible"], old["reason"]) != (entry.eligible, entry.ineligible_reason):
        send_screening_mail(entry)
    return entry


def send_screening_mail(entry: Entry) -> None:
    """The entrant learns the screening decision: admitted to the first round, or not, and why."""
    entrant = entry.entrant
    with force_locale(entrant.locale):
        subject = (_("Application No. %(number)s is admitted: %(contest)s", number=entry.number,
                     contest=entry.contest.loc("title")) if entry.eligible else
                   _("Application No. %(number)s is not admitted: %(contest)s", number=entry.number,
                     contest=entry.contest.loc("title")))
        send_mail(to=entrant.email, subject=subject, body=render_template(
            "apply/mail_screened.txt", entry=entry, contest=entry.contest,
            link=external_url("apply.entry_view", entry_id=entry.id)))


# --- a file the organiser asked to replace (the anonymity check, issue 22) ------------------------


def replacement_requests(entry: Entry) -> list:
    """The organiser's open requests to replace one of the entry's files, deadline not passed."""
    from app.models import AnonymityFinding

    return list(db.session.scalars(
        sa.select(AnonymityFinding).where(AnonymityFinding.entry_id == entry.id,
                                          AnonymityFinding.status == "replace",
                                          AnonymityFinding.attachment_id.is_not(None),
                                          AnonymityFinding.replace_by >= now())
        .order_by(AnonymityFinding.id)))


def replace_requested_file(entry: Entry, finding, upload: FileStorage, *, actor: User) -> Attachment:
    """Replaces the file the organiser asked to replace, after the intake deadline too, until the
    request's own deadline. The new file goes through every check of an upload; the old one goes.
    The finding is open again for the organiser (a new check drops it if the new file is clean)."""
    old = finding.attachment
    if (finding.entry_id != entry.id or finding.status != "replace" or old is None
            or finding.replace_by is None or now() > finding.replace_by):
        raise EntryError(_("This file can no longer be replaced here."))
    field_ = db.session.scalar(sa.select(FormField).where(FormField.contest_id == entry.contest_id,
                                                          FormField.key == old.field_key))
    if field_ is None or field_.type != "file":
        raise EntryError(_("This field does not take files."))
    used = sum(a.size for a in entry.attachments if a.id != old.id)
    attachment = _stored_attachment(entry, field_, upload, used)
    entry.attachments.append(attachment)
    record_event(contest_id=entry.contest_id, actor_id=actor.id, action="anonymity.file_replaced",
                 object_type="entry", object_id=entry.id,
                 old={"name": old.filename, "sha256": old.sha256},
                 new={"name": attachment.filename, "sha256": attachment.sha256})
    storage.delete_after_commit(old.storage_key)
    entry.attachments.remove(old)
    db.session.flush()
    finding.attachment_id = attachment.id
    finding.status = "open"
    finding.replace_by = None
    db.session.flush()
    return attachment


def _stored_attachment(entry: Entry, field_: FormField, upload, used: int) -> Attachment:
    """The upload checked against the field and what the entry's other files (`used` bytes) leave,
    streamed to storage, as an Attachment not yet added (adding and replacing a file share it)."""
    check = application_form.check_upload(field_, upload.filename or "", upload.stream,
                                          entry_bytes_used=used)
    upload.stream.seek(0)
    limit = min(application_form.file_max_size(field_), application_form.entry_max_bytes() - used)
    try:
        stored = storage.store(storage.new_key(f"contest-{entry.contest_id}/entry-{entry.id}"),
                               upload.stream, content_type=check.content_type, limit=limit)
    except storage.TooLarge as error:
        raise application_form.UploadError(_(
            "“%(name)s” is larger than %(limit)s, the limit for this field.",
            name=check.filename, limit=application_form.human_size(error.limit))) from error
    if stored.size == 0:
        storage.get_storage().delete(stored.key)
        raise application_form.UploadError(_("“%(name)s” is empty.", name=check.filename))
    attachment = Attachment(
        entry_id=entry.id, field_key=field_.key, storage_key=stored.key, filename=check.filename,
        size=stored.size, sha256=stored.sha256, content_type=check.content_type, uploaded_at=now(),
    )
    return attachment
