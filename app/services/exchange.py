"""The contest exchange format, version 1 (`shared/contest-exchange.md`).

`export_contest` writes a whole contest as one JSON-ready dict; `import_contest` reads one.
Import validates the whole document first — unknown fields, types, references between
sections, scales, weights, time zones — and raises `ExchangeError` naming the path of the first
bad value (`reviews[12].scores.relevance: 11 is above the maximum 10`). Only a valid document
is written, in one savepoint, so a refused document leaves the database as it was.

Beyond the fields of the spec, a few optional ones keep the export lossless and are left out
when empty: `contest.declaration`, `form[].help`, `rounds[].criteria[].anchors`, `people[].inn`,
`entries[].inn`, `jury[].status`/`organisation`/`inn` and `conflicts[].source`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Assignment,
    Attachment,
    Conflict,
    Contest,
    Criterion,
    Entry,
    EntryRound,
    FormField,
    JuryExpertise,
    JuryMember,
    Nomination,
    Review,
    Round,
    Score,
    TieBreak,
    User,
)
from app.models.contest import FIELD_TYPES, METHODS
from app.services import rules
from app.services.audit import record_event
from app.services.clock import now
from app.services.ranking import plain_decimal

FORMAT = "formula-jury/contest"
VERSION = 1
DOCUMENT_NAME = "contest.json"
INT_MAX = 2**31 - 1
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
ANSWER_LIMIT = 100_000
LANGUAGES = ("en", "ru")


class ExchangeError(Exception):
    """A document that cannot be imported; `path` names the first bad value."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


# --- export ----------------------------------------------------------------------------------

def _localised(obj, name: str) -> dict[str, str]:
    return {lang: value for lang in LANGUAGES if (value := getattr(obj, f"{name}_{lang}", "") or "")}


def _put_localised(target: dict, key: str, obj, name: str) -> None:
    value = _localised(obj, name)
    if value:
        target[key] = value


def export_contest(contest: Contest) -> dict:
    """The whole contest as an exchange document (lists in the order the spec gives)."""
    zone = ZoneInfo(contest.timezone)

    def when(value: datetime | None) -> str | None:
        return value.astimezone(zone).isoformat() if value is not None else None

    nominations = list(db.session.scalars(
        sa.select(Nomination).where(Nomination.contest_id == contest.id)
        .order_by(Nomination.position, Nomination.id)))
    nomination_keys = {n.id: n.key for n in nominations}
    nomination_order = {n.id: i for i, n in enumerate(nominations)}
    fields = list(db.session.scalars(
        sa.select(FormField).where(FormField.contest_id == contest.id)
        .order_by(FormField.position, FormField.id)))
    rounds = list(db.session.scalars(
        sa.select(Round).where(Round.contest_id == contest.id)
        .options(selectinload(Round.criteria), selectinload(Round.tie_breaks))
        .order_by(Round.position, Round.id)))
    round_keys = {r.id: r.key for r in rounds}
    round_order = {r.id: i for i, r in enumerate(rounds)}
    criterion_keys = {c.id: c.key for r in rounds for c in r.criteria}
    criterion_order = {c.id: (c.position, c.id) for r in rounds for c in r.criteria}

    document: dict = {"format": FORMAT, "version": VERSION}
    contest_doc = {"slug": contest.slug, "title": _localised(contest, "title")}
    _put_localised(contest_doc, "description", contest, "description")
    contest_doc["timezone"] = contest.timezone
    _put_localised(contest_doc, "declaration", contest, "declaration")
    document["contest"] = contest_doc
    document["nominations"] = [{"key": n.key, "title": _localised(n, "title")} for n in nominations]

    form = []
    for f in fields:
        item = {"key": f.key, "label": _localised(f, "label"), "type": f.type, "required": f.required}
        _put_localised(item, "help", f, "help")
        if f.max_length is not None:
            item["max_length"] = f.max_length
        if f.options is not None:
            item["options"] = f.options
        if f.max_size is not None:
            item["max_size"] = f.max_size
        if f.accept is not None:
            item["accept"] = f.accept
        form.append(item)
    document["form"] = form

    round_docs = []
    for r in rounds:
        item = {"key": r.key, "title": _localised(r, "title")}
        for name in ("intake_opens_at", "intake_closes_at", "judging_opens_at", "judging_closes_at"):
            if getattr(r, name) is not None:
                item[name] = when(getattr(r, name))
        item["reviews_per_entry"] = r.reviews_per_entry
        item["method"] = r.method
        for name in ("pass_mark", "disagreement_threshold"):
            if getattr(r, name) is not None:
                item[name] = plain_decimal(getattr(r, name))
        item["blind"] = r.blind
        if r.weight is not None:
            item["weight"] = plain_decimal(r.weight)
        item["tie_break"] = [criterion_keys[tb.criterion_id] for tb in r.tie_breaks]
        criteria = []
        for c in r.criteria:
            criterion = {"key": c.key, "title": _localised(c, "title")}
            _put_localised(criterion, "description", c, "description")
            _put_localised(criterion, "anchors", c, "anchors")
            criterion.update({"weight": plain_decimal(c.weight), "min": c.min_score, "max": c.max_score,
                              "comment_required": c.comment_required})
            criteria.append(criterion)
        item["criteria"] = criteria
        round_docs.append(item)
    document["rounds"] = round_docs

    members = list(db.session.scalars(
        sa.select(JuryMember).where(JuryMember.round_id.in_(round_keys))
        .options(selectinload(JuryMember.expertise), selectinload(JuryMember.user))))
    entries = list(db.session.scalars(
        sa.select(Entry).where(Entry.contest_id == contest.id)
        .options(selectinload(Entry.attachments), selectinload(Entry.entrant))))
    entry_numbers = {e.id: e.number for e in entries}
    # Conflicts, assignments and reviews name entries by number: drafts have none, so none of those.
    entry_rounds: dict[int, list[int]] = {}
    for entry_id, round_id in db.session.execute(
            sa.select(EntryRound.entry_id, EntryRound.round_id).where(EntryRound.round_id.in_(round_keys))):
        entry_rounds.setdefault(entry_id, []).append(round_id)
    numbered = Entry.number.is_not(None)
    conflicts = db.session.execute(
        sa.select(Conflict, User.email).join(User, User.id == Conflict.user_id)
        .join(Entry, Entry.id == Conflict.entry_id).where(Entry.contest_id == contest.id, numbered)).all()
    assignments = db.session.execute(
        sa.select(Assignment.round_id, Assignment.entry_id, User.email)
        .join(User, User.id == Assignment.judge_id).join(Entry, Entry.id == Assignment.entry_id)
        .where(Assignment.round_id.in_(round_keys), numbered)).all()
    reviews = db.session.execute(
        sa.select(Review, User.email).join(User, User.id == Review.judge_id)
        .join(Entry, Entry.id == Review.entry_id)
        .where(Review.round_id.in_(round_keys), numbered).options(selectinload(Review.scores))).all()

    # People: everyone the document names, by e-mail.
    emails = {e.entrant.email for e in entries} | {m.email for m in members}
    emails |= {email for _c, email in conflicts} | {a[2] for a in assignments} | {email for _r, email in reviews}
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))} \
        if emails else {}
    people = []
    for email in sorted(emails):
        user = users.get(email)
        person = {"email": email, "name": user.name if user else ""}
        if user is not None and user.organisation:
            person["organisation"] = user.organisation
        if user is not None and user.inn:
            person["inn"] = user.inn
        person["locale"] = user.locale if user else "ru"
        people.append(person)
    document["people"] = people

    jury = []
    for m in sorted(members, key=lambda m: (round_order[m.round_id], m.email)):
        item = {"round": round_keys[m.round_id], "email": m.email,
                "nominations": [nomination_keys[x.nomination_id] for x in
                                sorted(m.expertise, key=lambda x: nomination_order.get(x.nomination_id, 0))]}
        if m.max_load is not None:
            item["max_load"] = m.max_load
        if m.status != "accepted":
            item["status"] = m.status
        if m.organisation:
            item["organisation"] = m.organisation
        if m.inn:
            item["inn"] = m.inn
        jury.append(item)
    document["jury"] = jury

    entry_docs = []
    for e in sorted(entries, key=lambda e: (e.number is None, e.number or 0, e.entrant.email, e.title, e.id)):
        item = {}
        if e.number is not None:
            item["number"] = e.number
        if e.nomination_id is not None:
            item["nomination"] = nomination_keys[e.nomination_id]
        item.update({"entrant": e.entrant.email, "title": e.title, "organisation": e.organisation})
        if e.inn:
            item["inn"] = e.inn
        item["status"] = e.status
        if e.submitted_at is not None:
            item["submitted_at"] = when(e.submitted_at)
        if e.eligible is not None:
            item["eligible"] = e.eligible
        if e.ineligible_reason is not None:
            item["ineligible_reason"] = e.ineligible_reason
        item["answers"] = dict(e.answers or {})
        item["rounds"] = [round_keys[r] for r in sorted(entry_rounds.get(e.id, []), key=round_order.get)]
        if e.attachments:
            item["attachments"] = [
                {"field": a.field_key, "name": a.filename, "size": a.size, "sha256": a.sha256,
                 "content_type": a.content_type} for a in e.attachments]
        entry_docs.append(item)
    document["entries"] = entry_docs

    conflict_docs = []
    for conflict, email in sorted(conflicts, key=lambda c: (entry_numbers[c[0].entry_id] or 0, c[1])):
        item = {"email": email, "entry": entry_numbers[conflict.entry_id], "reason": conflict.reason}
        if conflict.source != "organiser":
            item["source"] = conflict.source
        conflict_docs.append(item)
    document["conflicts"] = conflict_docs

    document["assignments"] = [
        {"round": round_keys[round_id], "entry": entry_numbers[entry_id], "email": email}
        for round_id, entry_id, email in sorted(
            assignments, key=lambda a: (round_order[a[0]], entry_numbers[a[1]] or 0, a[2]))
    ]

    review_docs = []
    for review, email in sorted(reviews, key=lambda r: (round_order[r[0].round_id],
                                                        entry_numbers[r[0].entry_id] or 0, r[1])):
        item = {"round": round_keys[review.round_id], "entry": entry_numbers[review.entry_id],
                "email": email, "status": review.status}
        if review.submitted_at is not None:
            item["submitted_at"] = when(review.submitted_at)
        ordered_scores = sorted(review.scores, key=lambda s: criterion_order[s.criterion_id])
        item["scores"] = {criterion_keys[s.criterion_id]: s.value for s in ordered_scores
                          if s.value is not None}
        item["comments"] = {criterion_keys[s.criterion_id]: s.comment for s in ordered_scores if s.comment}
        item["comment"] = review.comment or ""
        item["feedback"] = review.feedback or ""
        review_docs.append(item)
    document["reviews"] = review_docs
    return document


def export_json(contest: Contest) -> str:
    return json.dumps(export_contest(contest), ensure_ascii=False, indent=2) + "\n"


def export_zip(contest: Contest) -> bytes:
    """The document and the attachments' files (named by their SHA-256) in one zip."""
    document = export_contest(contest)
    attachments = db.session.scalars(
        sa.select(Attachment).join(Entry, Entry.id == Attachment.entry_id)
        .where(Entry.contest_id == contest.id).order_by(Attachment.id)).all()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DOCUMENT_NAME, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        written = set()
        storage = _storage()
        for attachment in attachments:
            if attachment.sha256 in written or storage is None:
                continue
            backend = storage.get_storage()
            if not backend.exists(attachment.storage_key):
                continue
            with archive.open(f"files/{attachment.sha256}", "w") as target:
                for chunk in backend.iter_chunks(attachment.storage_key):
                    target.write(chunk)
            written.add(attachment.sha256)
    return buffer.getvalue()


def _storage():
    """The attachments' storage service, when it is installed."""
    try:
        from app.services import storage
    except ModuleNotFoundError as error:  # pragma: no cover - storage ships with the entrants area
        if error.name != "app.services.storage":
            raise
        return None
    return storage


# --- reading a document ----------------------------------------------------------------------

def load_document(data: bytes | str) -> dict:
    """Parses JSON text (decimals stay exact); raises ExchangeError on malformed JSON."""
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8-sig")
        document = json.loads(data, parse_float=Decimal)
    except UnicodeDecodeError as error:
        raise ExchangeError("", _("The file is not UTF-8 text.")) from error
    except json.JSONDecodeError as error:
        raise ExchangeError("", _("The file is not valid JSON: %(problem)s (line %(line)s, column %(column)s).",
                                  problem=error.msg, line=error.lineno, column=error.colno)) from error
    return document


def read_archive(data: bytes) -> tuple[dict, dict[str, bytes]]:
    """A zip written by export_zip: the document and the files by SHA-256."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ExchangeError("", _("The file is not a zip archive.")) from error
    with archive:
        names = archive.namelist()
        if DOCUMENT_NAME not in names:
            raise ExchangeError("", _("The archive has no %(name)s.", name=DOCUMENT_NAME))
        document = load_document(archive.read(DOCUMENT_NAME))
        files = {name.removeprefix("files/"): archive.read(name)
                 for name in names if name.startswith("files/") and not name.endswith("/")}
    return document, files


def read_upload(data: bytes) -> tuple[dict, dict[str, bytes] | None]:
    """A JSON document or a zip archive (recognised by its first bytes)."""
    if data[:4] == b"PK\x03\x04":
        return read_archive(data)
    return load_document(data), None


# --- validation ------------------------------------------------------------------------------

def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _show(value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


@dataclass
class _Plan:
    """The validated document, ready to write."""

    contest: dict = field(default_factory=dict)
    nominations: list[dict] = field(default_factory=list)
    form: list[dict] = field(default_factory=list)
    rounds: list[dict] = field(default_factory=list)
    people: dict[str, dict] = field(default_factory=dict)
    jury: list[dict] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)


class _Validator:
    def __init__(self, document):
        self.document = document
        self.plan = _Plan()
        self.entries_by_number: dict[int, dict] = {}
        self.jury_keys: set[tuple[str, str]] = set()
        self.entrants: set[str] = set()

    # Basic shapes.

    def fail(self, path: str, message: str):
        raise ExchangeError(path, message)

    def obj(self, value, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            self.fail(path, _("must be an object"))
        known = set(required) | set(optional)
        for key in value:
            if key not in known:
                self.fail(_join(path, str(key)), _("unknown field"))
        for key in required:
            if key not in value:
                self.fail(_join(path, key), _("is required"))
        return value

    def array(self, value, path: str) -> list:
        if not isinstance(value, list):
            self.fail(path, _("must be a list"))
        return value

    def string(self, value, path: str, *, max_length: int | None = None, blank: bool = True) -> str:
        if not isinstance(value, str):
            self.fail(path, _("must be a string"))
        if max_length is not None and len(value) > max_length:
            self.fail(path, _("is longer than %(limit)s characters", limit=max_length))
        if not blank and not value.strip():
            self.fail(path, _("must not be empty"))
        return value

    def optional_string(self, data: dict, key: str, path: str, **options) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        return self.string(value, _join(path, key), **options)

    def boolean(self, value, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, _("must be true or false"))
        return value

    def integer(self, value, path: str, *, minimum: int | None = None, maximum: int | None = INT_MAX) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, _("must be a whole number"))
        if minimum is not None and value < minimum:
            self.fail(path, _("%(value)s is below the minimum %(limit)s", value=value, limit=minimum))
        if maximum is not None and value > maximum:
            self.fail(path, _("%(value)s is above the maximum %(limit)s", value=value, limit=maximum))
        return value

    def decimal(self, value, path: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
            self.fail(path, _("must be a decimal number written as a string, e.g. \"1.5\""))
        try:
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.fail(path, _("%(value)s is not a decimal number", value=_show(value)))
        return number

    def points(self, value, path: str) -> Decimal:
        """A non-negative number of points with at most two decimal places."""
        number = self.decimal(value, path)
        if number < 0:
            self.fail(path, _("%(value)s is below the minimum 0", value=_show(value)))
        if number >= Decimal("1e10"):
            self.fail(path, _("%(value)s is too large", value=_show(value)))
        if number != number.quantize(Decimal("0.01")):
            self.fail(path, _("%(value)s has more than two decimal places", value=_show(value)))
        return number

    def weight(self, value, path: str) -> Decimal:
        number = self.decimal(value, path)
        message = rules.check_weight(number)
        if message:
            self.fail(path, message)
        return number

    def key(self, value, path: str) -> str:
        self.string(value, path)
        if not re.match(rules.KEY_PATTERN, value):
            self.fail(path, _("%(value)s is not a valid key (lower-case Latin letters, digits, '-' and '_')",
                              value=_show(value)))
        return value

    def email(self, value, path: str) -> str:
        self.string(value, path, max_length=254)
        email = value.strip().lower()
        if not EMAIL_PATTERN.match(email):
            self.fail(path, _("%(value)s is not an e-mail address", value=_show(value)))
        return email

    def moment(self, value, path: str) -> datetime:
        self.string(value, path)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(path, _("%(value)s is not an ISO 8601 date and time", value=_show(value)))
        if parsed.tzinfo is None:
            self.fail(path, _("%(value)s has no time zone offset, e.g. +03:00", value=_show(value)))
        return parsed.astimezone(UTC)

    def optional_moment(self, data: dict, key: str, path: str) -> datetime | None:
        value = data.get(key)
        return None if value is None else self.moment(value, _join(path, key))

    def localised(self, value, path: str, max_length: int | None, *, required: bool = True) -> dict[str, str]:
        if value is None and not required:
            return {}
        self.obj(value, path, (), LANGUAGES)
        texts = {lang: self.string(value[lang], _join(path, lang), max_length=max_length)
                 for lang in LANGUAGES if value.get(lang) is not None}
        if required and not any(text.strip() for text in texts.values()):
            self.fail(path, _("needs a text in at least one language (en or ru)"))
        return texts

    def unique(self, seen: set, value, path: str) -> None:
        if value in seen:
            self.fail(path, _("%(value)s appears twice", value=_show(value)))
        seen.add(value)

    # Sections.

    def run(self) -> _Plan:
        top = self.obj(self.document, "", ("format", "version", "contest"), (
            "nominations", "form", "rounds", "people", "jury", "entries", "conflicts",
            "assignments", "reviews"))
        if top["format"] != FORMAT:
            self.fail("format", _("must be %(expected)s", expected=_show(FORMAT)))
        if isinstance(top["version"], bool) or top["version"] != VERSION:
            self.fail("version", _("version %(value)s is not supported (this is version %(expected)s)",
                                   value=_show(top["version"]), expected=VERSION))
        self.contest(top["contest"])
        self.nominations(top.get("nominations") or [])
        self.form(top.get("form") or [])
        self.rounds(top.get("rounds") or [])
        self.people(top.get("people") or [])
        self.jury(top.get("jury") or [])
        self.entries(top.get("entries") or [])
        self.conflicts(top.get("conflicts") or [])
        self.assignments(top.get("assignments") or [])
        self.reviews(top.get("reviews") or [])
        self.infer_rounds()
        return self.plan

    def infer_rounds(self) -> None:
        """Entries given without `rounds`: the rounds they are assigned or reviewed in; an eligible
        submitted entry with none of those is in the first round (as after screening)."""
        order = [r["key"] for r in self.plan.rounds]
        for entry in self.plan.entries:
            if entry["rounds"] is not None:
                continue
            inferred = entry.pop("inferred_rounds", set())
            if not inferred and order and entry["status"] == "submitted" and entry["eligible"] is not False:
                inferred = {order[0]}
            entry["rounds"] = [key for key in order if key in inferred]

    def contest(self, value) -> None:
        path = "contest"
        data = self.obj(value, path, ("slug", "title"), ("description", "timezone", "declaration"))
        slug = self.string(data["slug"], "contest.slug")
        if not re.match(rules.SLUG_PATTERN, slug):
            self.fail("contest.slug", _("%(value)s is not a valid address name (lower-case Latin letters, "
                                        "digits and '-')", value=_show(slug)))
        if db.session.scalar(sa.select(sa.exists().where(Contest.slug == slug))):
            self.fail("contest.slug", _("a contest with the address %(value)s already exists",
                                        value=_show(slug)))
        timezone = data.get("timezone") or "Europe/Moscow"
        self.string(timezone, "contest.timezone", max_length=64)
        message = rules.check_timezone(timezone)
        if message:
            self.fail("contest.timezone", message)
        self.plan.contest = {
            "slug": slug, "timezone": timezone,
            "title": self.localised(data["title"], "contest.title", 300),
            "description": self.localised(data.get("description"), "contest.description", 20000, required=False),
            "declaration": self.localised(data.get("declaration"), "contest.declaration", 20000, required=False),
        }

    def nominations(self, value) -> None:
        keys: set[str] = set()
        for index, item in enumerate(self.array(value, "nominations")):
            path = _join("nominations", index)
            data = self.obj(item, path, ("key", "title"))
            key = self.key(data["key"], _join(path, "key"))
            self.unique(keys, key, _join(path, "key"))
            title = self.localised(data["title"], _join(path, "title"), 300)
            self.plan.nominations.append({"key": key, "title": title})

    def form(self, value) -> None:
        keys: set[str] = set()
        for index, item in enumerate(self.array(value, "form")):
            path = _join("form", index)
            data = self.obj(item, path, ("key", "label", "type"),
                            ("required", "max_length", "options", "max_size", "accept", "help"))
            key = self.key(data["key"], _join(path, "key"))
            if key in ("title", "nomination"):
                self.fail(_join(path, "key"), _("%(value)s is reserved", value=_show(key)))
            self.unique(keys, key, _join(path, "key"))
            kind = self.string(data["type"], _join(path, "type"))
            if kind not in FIELD_TYPES:
                self.fail(_join(path, "type"), _("%(value)s is not one of %(choices)s", value=_show(kind),
                                                 choices=", ".join(FIELD_TYPES)))
            field_plan = {
                "key": key, "type": kind, "label": self.localised(data["label"], _join(path, "label"), 500),
                "help": self.localised(data.get("help"), _join(path, "help"), 5000, required=False),
                "required": self.boolean(data.get("required", False), _join(path, "required")),
                "max_length": None, "options": None, "max_size": None, "accept": None,
            }
            if data.get("max_length") is not None:
                field_plan["max_length"] = self.integer(data["max_length"], _join(path, "max_length"), minimum=1)
            if data.get("options") is not None:
                field_plan["options"] = self.options(data["options"], _join(path, "options"))
            elif kind == "select":
                self.fail(_join(path, "options"), _("is required for a select field"))
            if data.get("max_size") is not None:
                field_plan["max_size"] = self.integer(data["max_size"], _join(path, "max_size"), minimum=1,
                                                      maximum=2**62)
            if data.get("accept") is not None:
                accept = []
                for i, extension in enumerate(self.array(data["accept"], _join(path, "accept"))):
                    text = self.string(extension, _join(_join(path, "accept"), i), max_length=16, blank=False)
                    accept.append(text.strip().lstrip(".").lower())
                field_plan["accept"] = accept
            self.plan.form.append(field_plan)

    def options(self, value, path: str) -> list[dict]:
        options = []
        values: set[str] = set()
        for index, item in enumerate(self.array(value, path)):
            item_path = _join(path, index)
            if isinstance(item, str):
                item = {"value": item, "label": {"en": item, "ru": item}}
            data = self.obj(item, item_path, ("value",), ("label",))
            option_value = self.string(data["value"], _join(item_path, "value"), max_length=500, blank=False)
            self.unique(values, option_value, _join(item_path, "value"))
            label = self.localised(data.get("label", {"en": option_value}), _join(item_path, "label"), 500)
            options.append({"value": option_value, "label": label})
        return options

    def rounds(self, value) -> None:
        keys: set[str] = set()
        for index, item in enumerate(self.array(value, "rounds")):
            path = _join("rounds", index)
            data = self.obj(item, path, ("key", "title"), (
                "intake_opens_at", "intake_closes_at", "judging_opens_at", "judging_closes_at",
                "reviews_per_entry", "method", "pass_mark", "disagreement_threshold", "blind", "weight",
                "tie_break", "criteria"))
            key = self.key(data["key"], _join(path, "key"))
            self.unique(keys, key, _join(path, "key"))
            plan = {"key": key, "title": self.localised(data["title"], _join(path, "title"), 300)}
            for name in ("intake_opens_at", "intake_closes_at", "judging_opens_at", "judging_closes_at"):
                plan[name] = self.optional_moment(data, name, path)
            for opens, closes in (("intake_opens_at", "intake_closes_at"), ("judging_opens_at", "judging_closes_at")):
                message = rules.check_window(plan[opens], plan[closes])
                if message:
                    self.fail(_join(path, closes if plan[opens] is not None else opens), message)
            message = rules.check_judging_after_intake(plan["intake_opens_at"], plan["judging_opens_at"])
            if message:
                self.fail(_join(path, "judging_opens_at"), message)
            plan["reviews_per_entry"] = self.integer(data.get("reviews_per_entry", 2),
                                                     _join(path, "reviews_per_entry"), minimum=1)
            method = self.string(data.get("method", "mean"), _join(path, "method"))
            if method not in METHODS:
                self.fail(_join(path, "method"), _("%(value)s is not one of %(choices)s", value=_show(method),
                                                   choices=", ".join(METHODS)))
            plan["method"] = method
            for name in ("pass_mark", "disagreement_threshold"):
                plan[name] = None if data.get(name) is None else self.points(data[name], _join(path, name))
            plan["blind"] = self.boolean(data.get("blind", False), _join(path, "blind"))
            plan["weight"] = None if data.get("weight") is None else self.weight(data["weight"], _join(path, "weight"))
            plan["criteria"] = self.criteria(data.get("criteria") or [], _join(path, "criteria"))
            criterion_keys = [c["key"] for c in plan["criteria"]]
            tie_break: list[str] = []
            for i, criterion_key in enumerate(self.array(data.get("tie_break") or [], _join(path, "tie_break"))):
                item_path = _join(_join(path, "tie_break"), i)
                self.string(criterion_key, item_path)
                if criterion_key not in criterion_keys:
                    self.fail(item_path, _("%(value)s is not a criterion of this round", value=_show(criterion_key)))
                if criterion_key in tie_break:
                    self.fail(item_path, _("%(value)s appears twice", value=_show(criterion_key)))
                tie_break.append(criterion_key)
            plan["tie_break"] = tie_break
            self.plan.rounds.append(plan)

    def criteria(self, value, path: str) -> list[dict]:
        criteria = []
        keys: set[str] = set()
        for index, item in enumerate(self.array(value, path)):
            item_path = _join(path, index)
            data = self.obj(item, item_path, ("key", "title", "weight"),
                            ("description", "anchors", "min", "max", "comment_required"))
            key = self.key(data["key"], _join(item_path, "key"))
            self.unique(keys, key, _join(item_path, "key"))
            low = self.integer(data.get("min", 0), _join(item_path, "min"), minimum=-INT_MAX)
            high = self.integer(data.get("max", 10), _join(item_path, "max"), minimum=-INT_MAX)
            message = rules.check_scale(low, high)
            if message:
                self.fail(_join(item_path, "max"), message)
            criteria.append({
                "key": key, "title": self.localised(data["title"], _join(item_path, "title"), 500),
                "description": self.localised(data.get("description"), _join(item_path, "description"), 5000,
                                              required=False),
                "anchors": self.localised(data.get("anchors"), _join(item_path, "anchors"), 5000, required=False),
                "weight": self.weight(data["weight"], _join(item_path, "weight")),
                "min": low, "max": high,
                "comment_required": self.boolean(data.get("comment_required", False),
                                                 _join(item_path, "comment_required")),
            })
        return criteria

    def people(self, value) -> None:
        for index, item in enumerate(self.array(value, "people")):
            path = _join("people", index)
            data = self.obj(item, path, ("email",), ("name", "organisation", "locale", "inn"))
            email = self.email(data["email"], _join(path, "email"))
            if email in self.plan.people:
                self.fail(_join(path, "email"), _("%(value)s appears twice", value=_show(email)))
            locale = self.string(data.get("locale") or "ru", _join(path, "locale"))
            if locale not in LANGUAGES:
                self.fail(_join(path, "locale"), _("%(value)s is not one of %(choices)s", value=_show(locale),
                                                   choices="en, ru"))
            self.plan.people[email] = {
                "email": email, "locale": locale,
                "name": self.optional_string(data, "name", path, max_length=200) or "",
                "organisation": self.optional_string(data, "organisation", path, max_length=300),
                "inn": self.optional_string(data, "inn", path, max_length=12),
            }

    def person(self, value, path: str) -> str:
        email = self.email(value, path)
        if email not in self.plan.people:
            self.fail(path, _("%(value)s is not listed in people", value=_show(value)))
        return email

    def round_key(self, value, path: str) -> dict:
        self.string(value, path)
        for plan in self.plan.rounds:
            if plan["key"] == value:
                return plan
        self.fail(path, _("%(value)s is not a round of this contest", value=_show(value)))

    def nomination_key(self, value, path: str) -> str:
        self.string(value, path)
        if value not in {n["key"] for n in self.plan.nominations}:
            self.fail(path, _("%(value)s is not a nomination of this contest", value=_show(value)))
        return value

    def jury(self, value) -> None:
        seen: set[tuple[str, str]] = set()
        for index, item in enumerate(self.array(value, "jury")):
            path = _join("jury", index)
            data = self.obj(item, path, ("round", "email"), ("nominations", "max_load", "status", "organisation",
                                                              "inn"))
            round_plan = self.round_key(data["round"], _join(path, "round"))
            email = self.person(data["email"], _join(path, "email"))
            self.unique(seen, (round_plan["key"], email), _join(path, "email"))
            self.jury_keys.add((round_plan["key"], email))
            nominations: list[str] = []
            for i, key in enumerate(self.array(data.get("nominations") or [], _join(path, "nominations"))):
                item_path = _join(_join(path, "nominations"), i)
                self.nomination_key(key, item_path)
                if key in nominations:
                    self.fail(item_path, _("%(value)s appears twice", value=_show(key)))
                nominations.append(key)
            status = self.string(data.get("status") or "accepted", _join(path, "status"))
            if status not in ("invited", "accepted", "declined"):
                self.fail(_join(path, "status"), _("%(value)s is not one of %(choices)s", value=_show(status),
                                                   choices="invited, accepted, declined"))
            self.plan.jury.append({
                "round": round_plan["key"], "email": email, "nominations": nominations, "status": status,
                "max_load": None if data.get("max_load") is None
                else self.integer(data["max_load"], _join(path, "max_load"), minimum=0),
                "organisation": self.optional_string(data, "organisation", path, max_length=500),
                "inn": self.optional_string(data, "inn", path, max_length=12),
            })

    def entries(self, value) -> None:
        numbers: set[int] = set()
        judges = {j["email"] for j in self.plan.jury}
        fields = {f["key"]: f for f in self.plan.form}
        for index, item in enumerate(self.array(value, "entries")):
            path = _join("entries", index)
            data = self.obj(item, path, ("entrant", "status"), (
                "number", "nomination", "title", "organisation", "inn", "submitted_at", "eligible",
                "ineligible_reason", "answers", "rounds", "attachments"))
            status = self.string(data["status"], _join(path, "status"))
            if status not in ("draft", "submitted", "withdrawn"):
                self.fail(_join(path, "status"), _("%(value)s is not one of %(choices)s", value=_show(status),
                                                   choices="draft, submitted, withdrawn"))
            number = data.get("number")
            if number is None:
                if status != "draft":
                    self.fail(_join(path, "number"), _("is required for a submitted or withdrawn entry"))
            else:
                self.integer(number, _join(path, "number"), minimum=1)
                self.unique(numbers, number, _join(path, "number"))
            nomination = None
            if data.get("nomination") is not None:
                nomination = self.nomination_key(data["nomination"], _join(path, "nomination"))
            entrant = self.person(data["entrant"], _join(path, "entrant"))
            if entrant in judges:
                self.fail(_join(path, "entrant"), _("%(value)s is a judge in this contest and cannot be an entrant",
                                                    value=_show(entrant)))
            submitted_at = self.optional_moment(data, "submitted_at", path)
            if status == "submitted" and submitted_at is None:
                self.fail(_join(path, "submitted_at"), _("is required for a submitted entry"))
            eligible = None
            if data.get("eligible") is not None:
                eligible = self.boolean(data["eligible"], _join(path, "eligible"))
            answers = {}
            answers_path = _join(path, "answers")
            raw_answers = data.get("answers") or {}
            self.obj(raw_answers, answers_path, (), tuple(k for k in fields if fields[k]["type"] != "file"))
            for key, answer in raw_answers.items():
                answers[key] = self.answer(fields[key], answer, _join(answers_path, key))
            rounds: list[str] | None = None if data.get("rounds") is None else []
            for i, key in enumerate(self.array(data.get("rounds") or [], _join(path, "rounds"))):
                item_path = _join(_join(path, "rounds"), i)
                self.round_key(key, item_path)
                if key in rounds:
                    self.fail(item_path, _("%(value)s appears twice", value=_show(key)))
                rounds.append(key)
            attachments = []
            for i, attachment in enumerate(self.array(data.get("attachments") or [], _join(path, "attachments"))):
                attachments.append(self.attachment(attachment, _join(_join(path, "attachments"), i), fields))
            self.entrants.add(entrant)
            self.plan.entries.append({
                "number": number, "nomination": nomination, "entrant": entrant, "status": status,
                "title": self.optional_string(data, "title", path, max_length=500) or "",
                "organisation": self.optional_string(data, "organisation", path, max_length=500) or "",
                "inn": self.optional_string(data, "inn", path, max_length=12),
                "submitted_at": submitted_at, "eligible": eligible,
                "ineligible_reason": self.optional_string(data, "ineligible_reason", path, max_length=20000),
                "answers": answers, "rounds": rounds, "attachments": attachments,
            })
            if number is not None:
                self.entries_by_number[number] = self.plan.entries[-1]

    def answer(self, form_field: dict, value, path: str):
        if form_field["type"] == "checkbox":
            return self.boolean(value, path)
        if isinstance(value, int | Decimal | float) and not isinstance(value, bool) and form_field["type"] == "number":
            return format(self.decimal(value, path), "f")
        return self.string(value, path, max_length=ANSWER_LIMIT)

    def attachment(self, value, path: str, fields: dict) -> dict:
        data = self.obj(value, path, ("name", "size", "sha256"), ("field", "content_type"))
        field_key = self.optional_string(data, "field", path) or ""
        if field_key and (field_key not in fields or fields[field_key]["type"] != "file"):
            self.fail(_join(path, "field"), _("%(value)s is not a file field of the form", value=_show(field_key)))
        sha256 = self.string(data["sha256"], _join(path, "sha256")).lower()
        if not SHA256_PATTERN.match(sha256):
            self.fail(_join(path, "sha256"), _("%(value)s is not a SHA-256 hash", value=_show(data["sha256"])))
        return {
            "field": field_key, "sha256": sha256,
            "name": self.string(data["name"], _join(path, "name"), max_length=255, blank=False),
            "size": self.integer(data["size"], _join(path, "size"), minimum=1, maximum=2**62),
            "content_type": self.optional_string(data, "content_type", path, max_length=200)
            or "application/octet-stream",
        }

    def entry_number(self, value, path: str) -> dict:
        self.integer(value, path, minimum=1)
        if value not in self.entries_by_number:
            self.fail(path, _("entry %(value)s is not in entries", value=value))
        return self.entries_by_number[value]

    def conflicts(self, value) -> None:
        seen: set = set()
        for index, item in enumerate(self.array(value, "conflicts")):
            path = _join("conflicts", index)
            data = self.obj(item, path, ("email", "entry"), ("reason", "source"))
            email = self.person(data["email"], _join(path, "email"))
            entry = self.entry_number(data["entry"], _join(path, "entry"))
            self.unique(seen, (email, entry["number"]), _join(path, "entry"))
            source = self.string(data.get("source") or "organiser", _join(path, "source"))
            if source not in ("judge", "organiser", "auto"):
                self.fail(_join(path, "source"), _("%(value)s is not one of %(choices)s", value=_show(source),
                                                   choices="judge, organiser, auto"))
            self.plan.conflicts.append({
                "email": email, "entry": entry["number"], "source": source,
                "reason": self.optional_string(data, "reason", path, max_length=20000) or "",
            })

    def _round_entry_judge(self, data: dict, path: str) -> tuple[dict, dict, str]:
        """The (round, entry, judge) of an assignment or review, with its references checked.

        A judge not listed in the round's jury joins it (accepted); an entry whose `rounds` are
        not given joins the rounds it is assigned or reviewed in.
        """
        round_plan = self.round_key(data["round"], _join(path, "round"))
        entry = self.entry_number(data["entry"], _join(path, "entry"))
        if entry["rounds"] is None:
            entry.setdefault("inferred_rounds", set()).add(round_plan["key"])
        elif round_plan["key"] not in entry["rounds"]:
            self.fail(_join(path, "entry"), _("entry %(value)s is not in round %(round)s", value=entry["number"],
                                              round=_show(round_plan["key"])))
        email = self.person(data["email"], _join(path, "email"))
        if (round_plan["key"], email) not in self.jury_keys:
            if email in self.entrants:
                self.fail(_join(path, "email"), _("%(value)s is an entrant in this contest and cannot be a judge",
                                                  value=_show(email)))
            self.jury_keys.add((round_plan["key"], email))
            self.plan.jury.append({"round": round_plan["key"], "email": email, "nominations": [],
                                   "status": "accepted", "max_load": None, "organisation": None, "inn": None})
        return round_plan, entry, email

    def assignments(self, value) -> None:
        seen: set = set()
        for index, item in enumerate(self.array(value, "assignments")):
            path = _join("assignments", index)
            data = self.obj(item, path, ("round", "entry", "email"))
            round_plan, entry, email = self._round_entry_judge(data, path)
            self.unique(seen, (round_plan["key"], entry["number"], email), path)
            self.plan.assignments.append({"round": round_plan["key"], "entry": entry["number"], "email": email})

    def reviews(self, value) -> None:
        seen: set = set()
        for index, item in enumerate(self.array(value, "reviews")):
            path = _join("reviews", index)
            data = self.obj(item, path, ("round", "entry", "email", "status"),
                            ("submitted_at", "scores", "comments", "comment", "feedback"))
            round_plan, entry, email = self._round_entry_judge(data, path)
            self.unique(seen, (round_plan["key"], entry["number"], email), path)
            status = self.string(data["status"], _join(path, "status"))
            if status not in ("draft", "submitted"):
                self.fail(_join(path, "status"), _("%(value)s is not one of %(choices)s", value=_show(status),
                                                   choices="draft, submitted"))
            criteria = {c["key"]: c for c in round_plan["criteria"]}
            scores_path = _join(path, "scores")
            raw_scores = self.obj(data.get("scores") or {}, scores_path, (), tuple(criteria))
            scores = {}
            for key, score in raw_scores.items():
                if score is None and status == "draft":
                    continue
                if isinstance(score, str) and re.fullmatch(r"-?\d{1,10}", score.strip()):
                    score = int(score)
                scores[key] = self.integer(score, _join(scores_path, key), minimum=criteria[key]["min"],
                                           maximum=criteria[key]["max"])
            if status == "submitted":
                for key in criteria:
                    if key not in scores:
                        self.fail(_join(scores_path, key), _("is required in a submitted review"))
            comments_path = _join(path, "comments")
            raw_comments = self.obj(data.get("comments") or {}, comments_path, (), tuple(criteria))
            comments = {key: self.string(text, _join(comments_path, key), max_length=20000)
                        for key, text in raw_comments.items()}
            submitted_at = self.optional_moment(data, "submitted_at", path)
            self.plan.reviews.append({
                "round": round_plan["key"], "entry": entry["number"], "email": email, "status": status,
                "submitted_at": submitted_at, "scores": scores, "comments": comments,
                "comment": self.optional_string(data, "comment", path, max_length=20000) or "",
                "feedback": self.optional_string(data, "feedback", path, max_length=20000) or "",
            })


def validate_document(document) -> _Plan:
    """Checks the whole document; raises ExchangeError at the first bad value."""
    return _Validator(document).run()


# --- import ----------------------------------------------------------------------------------

def _review_total(criteria: list[Criterion], values: dict[int, int]) -> Decimal:
    try:
        from app.services.scoring import review_total
    except ModuleNotFoundError as error:  # pragma: no cover - scoring ships with the jury area
        if error.name != "app.services.scoring":
            raise
        return sum((c.weight * values[c.id] for c in criteria), Decimal(0))
    return review_total(criteria=criteria, values=values)


def import_contest(document, *, files: dict[str, bytes] | None = None, actor: User | None = None) -> Contest:
    """Validates, then writes the contest in one savepoint. With `files` (from a zip), the files
    must match their hashes. Raises ExchangeError; writes nothing then."""
    plan = validate_document(document)
    if files is not None:
        _check_files(plan, files)
    with db.session.begin_nested():
        contest = _write(plan, files or {}, actor)
    return contest


def _check_files(plan: _Plan, files: dict[str, bytes]) -> None:
    """Files in the archive must match their attachment's hash and size. A file the archive
    lacks (one the exporting installation no longer had) leaves the attachment as metadata only."""
    for index, entry in enumerate(plan.entries):
        for i, attachment in enumerate(entry["attachments"]):
            content = files.get(attachment["sha256"])
            if content is None:
                continue
            if hashlib.sha256(content).hexdigest() != attachment["sha256"] or len(content) != attachment["size"]:
                raise ExchangeError(f"entries[{index}].attachments[{i}].sha256",
                                    _("the file in the archive does not match its hash or size"))
    for name, content in files.items():
        if hashlib.sha256(content).hexdigest() != name:
            raise ExchangeError(f"files/{name}", _("the file does not match the hash it is named by"))


def _write(plan: _Plan, files: dict[str, bytes], actor: User | None) -> Contest:
    moment = now()
    info = plan.contest
    contest = Contest(
        slug=info["slug"], timezone=info["timezone"], created_at=moment,
        title_ru=info["title"].get("ru", ""), title_en=info["title"].get("en", ""),
        description_ru=info["description"].get("ru", ""), description_en=info["description"].get("en", ""),
        declaration_ru=info["declaration"].get("ru", ""), declaration_en=info["declaration"].get("en", ""),
    )
    db.session.add(contest)
    db.session.flush()

    nominations = {}
    for position, item in enumerate(plan.nominations):
        nominations[item["key"]] = Nomination(
            contest_id=contest.id, key=item["key"], position=position,
            title_ru=item["title"].get("ru", ""), title_en=item["title"].get("en", ""))
    for position, item in enumerate(plan.form):
        db.session.add(FormField(
            contest_id=contest.id, key=item["key"], type=item["type"], position=position,
            label_ru=item["label"].get("ru", ""), label_en=item["label"].get("en", ""),
            help_ru=item["help"].get("ru", ""), help_en=item["help"].get("en", ""),
            required=item["required"], max_length=item["max_length"], options=item["options"],
            accept=item["accept"], max_size=item["max_size"]))
    db.session.add_all(nominations.values())

    rounds: dict[str, Round] = {}
    criteria: dict[tuple[str, str], Criterion] = {}
    for position, item in enumerate(plan.rounds):
        round_ = Round(
            contest_id=contest.id, key=item["key"], position=position,
            title_ru=item["title"].get("ru", ""), title_en=item["title"].get("en", ""),
            intake_opens_at=item["intake_opens_at"], intake_closes_at=item["intake_closes_at"],
            judging_opens_at=item["judging_opens_at"], judging_closes_at=item["judging_closes_at"],
            reviews_per_entry=item["reviews_per_entry"], method=item["method"], pass_mark=item["pass_mark"],
            disagreement_threshold=item["disagreement_threshold"], blind=item["blind"], weight=item["weight"])
        rounds[item["key"]] = round_
        for number, c in enumerate(item["criteria"]):
            criterion = Criterion(
                key=c["key"], position=number, weight=c["weight"], min_score=c["min"], max_score=c["max"],
                comment_required=c["comment_required"],
                title_ru=c["title"].get("ru", ""), title_en=c["title"].get("en", ""),
                description_ru=c["description"].get("ru", ""), description_en=c["description"].get("en", ""),
                anchors_ru=c["anchors"].get("ru", ""), anchors_en=c["anchors"].get("en", ""))
            round_.criteria.append(criterion)
            criteria[item["key"], c["key"]] = criterion
    db.session.add_all(rounds.values())
    db.session.flush()
    for item in plan.rounds:
        for position, key in enumerate(item["tie_break"]):
            db.session.add(TieBreak(round_id=rounds[item["key"]].id, criterion_id=criteria[item["key"], key].id,
                                    position=position))

    users = {u.email: u for u in db.session.scalars(
        sa.select(User).where(User.email.in_(list(plan.people))))} if plan.people else {}
    for email, person in plan.people.items():
        if email not in users:
            # Accounts come without passwords: people set one through "forgot password".
            users[email] = User(email=email, name=person["name"], locale=person["locale"],
                                organisation=person["organisation"], inn=person["inn"], created_at=moment)
            db.session.add(users[email])
    db.session.flush()

    members = []
    for item in plan.jury:
        member = JuryMember(
            round_id=rounds[item["round"]].id, email=item["email"], status=item["status"],
            user_id=None if item["status"] == "invited" else users[item["email"]].id,
            token=secrets.token_urlsafe(32), organisation=item["organisation"], inn=item["inn"],
            max_load=item["max_load"], invited_at=moment,
            responded_at=None if item["status"] == "invited" else moment)
        members.append((member, item["nominations"]))
        db.session.add(member)
    db.session.flush()
    for member, keys in members:
        for key in keys:
            db.session.add(JuryExpertise(jury_member_id=member.id, nomination_id=nominations[key].id))

    entries: dict[int, Entry] = {}
    storage = _storage()
    for item in plan.entries:
        entry = Entry(
            contest_id=contest.id, number=item["number"],
            nomination_id=nominations[item["nomination"]].id if item["nomination"] else None,
            entrant_id=users[item["entrant"]].id, title=item["title"], organisation=item["organisation"],
            inn=item["inn"], status=item["status"], submitted_at=item["submitted_at"],
            eligible=item["eligible"], ineligible_reason=item["ineligible_reason"],
            screened_at=moment if item["eligible"] is not None else None, answers=item["answers"],
            created_at=item["submitted_at"] or moment, updated_at=item["submitted_at"] or moment)
        db.session.add(entry)
        db.session.flush()
        if item["number"] is not None:
            entries[item["number"]] = entry
        for key in item["rounds"]:
            db.session.add(EntryRound(entry_id=entry.id, round_id=rounds[key].id, added_at=moment))
        for attachment in item["attachments"]:
            key = f"contest-{contest.id}/entry-{entry.id}/{secrets.token_hex(16)}"
            if storage is not None:
                key = storage.new_key(f"contest-{contest.id}/entry-{entry.id}")
                if attachment["sha256"] in files:
                    storage.store(key, io.BytesIO(files[attachment["sha256"]]),
                                  content_type=attachment["content_type"])
            db.session.add(Attachment(
                entry_id=entry.id, field_key=attachment["field"], storage_key=key, filename=attachment["name"],
                size=attachment["size"], sha256=attachment["sha256"], content_type=attachment["content_type"],
                uploaded_at=item["submitted_at"] or moment))

    for item in plan.conflicts:
        db.session.add(Conflict(entry_id=entries[item["entry"]].id, user_id=users[item["email"]].id,
                                source=item["source"], reason=item["reason"], created_at=moment))
    for item in plan.assignments:
        db.session.add(Assignment(round_id=rounds[item["round"]].id, entry_id=entries[item["entry"]].id,
                                  judge_id=users[item["email"]].id, created_at=moment, notified_at=moment))
    round_criteria = {key: list(r.criteria) for key, r in rounds.items()}
    for item in plan.reviews:
        round_criterion = {c.key: c for c in round_criteria[item["round"]]}
        submitted_at = item["submitted_at"] or (moment if item["status"] == "submitted" else None)
        review = Review(
            round_id=rounds[item["round"]].id, entry_id=entries[item["entry"]].id,
            judge_id=users[item["email"]].id, status=item["status"], submitted_at=submitted_at,
            comment=item["comment"], feedback=item["feedback"], updated_at=item["submitted_at"] or moment)
        for key in sorted(set(item["scores"]) | set(item["comments"]),
                          key=lambda k: round_criterion[k].position):
            criterion = round_criterion[key]
            review.scores.append(Score(criterion_id=criterion.id, scale_min=criterion.min_score,
                                       scale_max=criterion.max_score, value=item["scores"].get(key),
                                       comment=item["comments"].get(key, "")))
        if item["status"] == "submitted":
            review.total = _review_total(round_criteria[item["round"]],
                                         {round_criterion[k].id: v for k, v in item["scores"].items()})
        db.session.add(review)
    db.session.flush()
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None, action="contest.import",
                 object_type="contest", object_id=contest.id,
                 new={"slug": contest.slug, "entries": len(plan.entries), "reviews": len(plan.reviews)})
    db.session.flush()
    return contest
