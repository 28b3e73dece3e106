"""The contest's application form: its fields, and the checks on answers and uploaded files.

Answers are kept in `Entry.answers` as {field key: value}: a string for text, textarea, number
(as typed; normalised on submit), amount (as typed; on submit a decimal string with two places,
"1500000.00", see `platform.money`), date (ISO, YYYY-MM-DD), select (the option's value), and a
boolean for checkbox. Files are Attachment rows with the field's key.

Two keys are special: a field keyed `organisation` or `inn` also fills the entry's
organisation and INN, which the automatic conflict-of-interest rules compare with judges'.
`title` and `nomination` are part of every form and cannot be field keys.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

import filetype
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.extensions import db
from app.models import Contest, FormField, Fund, User
from app.models.contest import FIELD_TYPES
from app.services.anonymity.redaction import STANDARD_IDENTIFYING_KEYS
from app.services.platform.audit import record_event
from app.services.platform.money import (
    CURRENCIES,
    DEFAULT_CURRENCY,
    AmountError,
    amount_or_none,
    amount_text,
    currency_mismatch,
    format_amount,
    parse_amount,
)
from app.services.platform.text import FORBIDDEN_CHARACTER_MESSAGE, has_forbidden_characters

MB = 1024 * 1024
DEFAULT_FILE_MAX_BYTES = 10 * MB   # DESIGN §7: 10 MB per file …
DEFAULT_ENTRY_MAX_BYTES = 50 * MB  # … and 50 MB per entry
TITLE_MAX_LENGTH = 200
TITLE_STORE_LIMIT = 500  # the column: a longer title is not stored (the form keeps it on screen), never cut
FILENAME_MAX_LENGTH = 200
# A hard cap on any one answer, also in drafts, so a draft cannot grow without bound.
ANSWER_HARD_LIMIT = 100_000

RESERVED_KEYS = frozenset({"title", "nomination"})
MIRRORED_KEYS = {"organisation": "organisation", "inn": "inn"}
TEXT_TYPES = ("text", "textarea")

# Extensions we know how to recognise by content, with the MIME type we store and serve.
KNOWN_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "rtf": "application/rtf",
    "zip": "application/zip",
    "txt": "text/plain",
    "csv": "text/csv",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "mp3": "audio/mpeg",
}
# Types a browser may show inline (judges read PDFs and images in the page).
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})

_OOXML_FOLDER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_ODF_MIME = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_SNIFF_BYTES = 8192


class FormError(ValueError):
    """A form definition that cannot be saved; the message is translated."""


# --- the form's fields -------------------------------------------------------------------


def form_fields(contest: Contest) -> list[FormField]:
    return list(db.session.scalars(
        sa.select(FormField).where(FormField.contest_id == contest.id)
        .order_by(FormField.position, FormField.id)
    ))


def _next_position(contest: Contest) -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(FormField.position), -1) + 1)
        .where(FormField.contest_id == contest.id)
    )


def _check_definition(*, key: str, type: str, options: list | None, accept: list | None,
                      currency: str | None = None) -> None:
    if type not in FIELD_TYPES:
        raise FormError(_("Unknown field type: %(type)s.", type=type))
    if key in RESERVED_KEYS:
        raise FormError(_("The key %(key)s is reserved: every form already has it.", key=key))
    if type == "select" and not options:
        raise FormError(_("A list needs at least one option."))
    if type == "file" and not accept:
        raise FormError(_("Name at least one allowed file type."))
    if type == "amount" and currency and currency not in CURRENCIES:
        raise FormError(_("Unknown currency: %(currency)s.", currency=currency))


def _check_amount_rules(contest_id: int, field_id: int | None, key: str, values: dict) -> None:
    """One requested amount per form; a share is taken of another amount field of the form."""
    others = db.session.scalars(sa.select(FormField).where(
        FormField.contest_id == contest_id, FormField.type == "amount",
        FormField.id != (field_id or 0))).all()
    if values.get("requested") and any(f.requested for f in others):
        raise FormError(_("Another amount field is already the requested amount; a form has one."))
    share_of = values.get("min_share_of")
    if (share_of is None) != (values.get("min_share") is None):
        raise FormError(_("A share needs both the per cent and the amount field it is taken of."))
    if share_of is not None and share_of not in {f.key for f in others}:
        raise FormError(_("The share is taken of another amount field of this form: %(key)s is none.",
                          key=share_of))
    if values.get("requested"):
        mismatch = currency_mismatch(values.get("currency"), db.session.scalars(
            sa.select(Fund.currency).where(Fund.contest_id == contest_id)).all())
        if mismatch:
            raise FormError(mismatch)


def _definition_values(type: str, values: dict) -> dict:
    """Keeps only the settings that make sense for the field's type."""
    values = dict(values)
    if type not in TEXT_TYPES:
        values["max_length"] = None
    if type != "select":
        values["options"] = None
    if type != "file":
        values["accept"] = None
        values["max_size"] = None
    if type != "amount":
        values.update(currency=None, requested=False, max_amount=None, min_share_of=None, min_share=None)
    else:
        values["currency"] = values.get("currency") or DEFAULT_CURRENCY
        values["requested"] = bool(values.get("requested"))
        values["min_share_of"] = values.get("min_share_of") or None
    return values


def add_field(contest: Contest, *, key: str, type: str, label_ru: str = "", label_en: str = "",
              help_ru: str = "", help_en: str = "", required: bool = False,
              max_length: int | None = None, options: list | None = None,
              accept: list | None = None, max_size: int | None = None,
              currency: str | None = None, requested: bool = False, max_amount: Decimal | None = None,
              min_share_of: str | None = None, min_share: Decimal | None = None,
              identifying: bool | None = None, actor: User | None = None) -> FormField:
    """Adds a field at the end of the form. `identifying` None: the default for the key
    (`anonymity.redaction.STANDARD_IDENTIFYING_KEYS`, e.g. organisation, inn, website, team)."""
    if identifying is None:
        identifying = default_identifying(key)
    _check_definition(key=key, type=type, options=options, accept=accept, currency=currency)
    values = _definition_values(type, {
        "max_length": max_length, "options": options, "accept": accept,
        "max_size": max_size if type != "file" or max_size else DEFAULT_FILE_MAX_BYTES,
        "currency": currency, "requested": requested, "max_amount": max_amount,
        "min_share_of": min_share_of, "min_share": min_share,
    })
    if type == "amount":
        _check_amount_rules(contest.id, None, key, values)
    field = FormField(contest_id=contest.id, key=key, type=type, label_ru=label_ru,
                      label_en=label_en, help_ru=help_ru, help_en=help_en, required=required,
                      position=_next_position(contest), identifying=identifying, **values)
    db.session.add(field)
    db.session.flush()
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None,
                 action="form_field.add", object_type="form_field", object_id=field.id,
                 new={"key": key, "type": type, "identifying": identifying})
    return field


def default_identifying(key: str) -> bool:
    """Whether a new field with this key identifies the entrant unless the organiser says otherwise."""
    return key.lower() in STANDARD_IDENTIFYING_KEYS


def update_field(field: FormField, *, actor: User | None = None, **values) -> FormField:
    """Changes a field's settings; its key and type stay (answers are stored under the key)."""
    values.pop("key", None)
    values.pop("type", None)
    if values.get("identifying", False) is None:
        values.pop("identifying")
    _check_definition(key=field.key, type=field.type, options=values.get("options", field.options),
                      accept=values.get("accept", field.accept), currency=values.get("currency"))
    values = _definition_values(field.type, values)
    if field.type == "amount":
        _check_amount_rules(field.contest_id, field.id, field.key, values)
    old = {name: _json_value(getattr(field, name)) for name in values}
    for name, value in values.items():
        setattr(field, name, value)
    if field.type == "file" and not field.max_size:
        field.max_size = DEFAULT_FILE_MAX_BYTES
    db.session.flush()
    record_event(contest_id=field.contest_id, actor_id=actor.id if actor else None,
                 action="form_field.update", object_type="form_field", object_id=field.id,
                 old=old, new={name: _json_value(getattr(field, name)) for name in values})
    return field


def _json_value(value):
    """Decimals (money, shares) as plain strings in the audit log."""
    return format(value, "f") if isinstance(value, Decimal) else value


def delete_field(field: FormField, *, actor: User | None = None) -> None:
    """Deletes the field. Answers already given stay in the entries (and in exports)."""
    record_event(contest_id=field.contest_id, actor_id=actor.id if actor else None,
                 action="form_field.delete", object_type="form_field", object_id=field.id,
                 old={"key": field.key, "type": field.type, "label_ru": field.label_ru, "label_en": field.label_en})
    db.session.delete(field)
    db.session.flush()


def move_field(field: FormField, direction: int) -> None:
    from app.services.setup.contests import move

    move(field, direction, form_fields(field.contest))
    db.session.flush()


def parse_options(text: str) -> list[dict]:
    """Options typed one per line as `value | Русский | English` (labels optional)."""
    options = []
    seen = set()
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        value = parts[0]
        label_ru = parts[1] if len(parts) > 1 and parts[1] else value
        label_en = parts[2] if len(parts) > 2 and parts[2] else label_ru
        if not value:
            raise FormError(_("Every option needs a value before the first “|”."))
        if value in seen:
            raise FormError(_("The option %(value)s is listed twice.", value=value))
        seen.add(value)
        options.append({"value": value, "label": {"ru": label_ru, "en": label_en}})
    return options


def format_options(options: list | None) -> str:
    return "\n".join(
        f"{o['value']} | {o['label'].get('ru', '')} | {o['label'].get('en', '')}"
        for o in options or []
    )


def parse_accept(text: str) -> list[str]:
    """Extensions typed as `pdf, pptx` or `.pdf .pptx`."""
    extensions = []
    for item in re.split(r"[\s,;]+", (text or "").lower()):
        item = item.strip().lstrip(".")
        if not item:
            continue
        if not re.fullmatch(r"[a-z0-9]{1,10}", item):
            raise FormError(_("“%(item)s” is not a file extension.", item=item))
        if item not in extensions:
            extensions.append(item)
    return extensions


def option_label(field: FormField, value, language: str | None = None) -> str:
    from app.i18n import current_language

    language = language or current_language()
    for option in field.options or []:
        if option["value"] == value:
            labels = option.get("label") or {}
            return labels.get(language) or labels.get("ru") or labels.get("en") or value
    return "" if value is None else str(value)


def file_max_size(field: FormField) -> int:
    return field.max_size or DEFAULT_FILE_MAX_BYTES


def entry_max_bytes() -> int:
    return current_app.config.get("ENTRY_MAX_BYTES") or DEFAULT_ENTRY_MAX_BYTES


def field_max_files() -> int:
    """How many files one file field of an entry holds."""
    return current_app.config.get("FIELD_MAX_FILES") or 20


def entry_max_files() -> int:
    """How many files one entry holds over all its fields."""
    return current_app.config.get("ENTRY_MAX_FILES") or 50


def human_size(size: int) -> str:
    """10485760 → «10 МБ», 1536 → «1,5 КБ»; for messages and pages (app.i18n.format_size)."""
    from app.i18n import format_size

    return format_size(size)


def accept_label(field: FormField) -> str:
    return ", ".join(ext.upper() for ext in field.accept or [])


# --- answers -----------------------------------------------------------------------------


def clean_answers(fields: list[FormField], form: Mapping) -> dict:
    """Answers as typed, for a draft: nothing is checked but the hard size cap.

    `form` is a mapping of field key to the posted value (checkbox: present or not).
    """
    answers: dict = {}
    for field in fields:
        if field.type == "file":
            continue
        if field.type == "checkbox":
            answers[field.key] = bool(form.get(field.key))
            continue
        value = form.get(field.key)
        value = "" if value is None else str(value)
        if field.type != "textarea":
            value = value.strip()
        else:
            value = value.replace("\r\n", "\n")
        answers[field.key] = value  # never cut: an answer past the hard cap is not stored, and said so
    return answers


def _is_blank(value) -> bool:
    return value is None or value is False or (isinstance(value, str) and not value.strip())


def parse_number(text: str) -> Decimal | None:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", str(text)).replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(str(text).strip(), pattern).date()
        except ValueError:
            continue
    return None


def check_inn(value: str) -> str | None:
    """A Russian taxpayer number: 10 digits (organisations) or 12 (individuals), checksum valid."""
    digits = str(value).strip()
    if not re.fullmatch(r"\d{10}|\d{12}", digits):
        return _("An INN has 10 digits (organisations) or 12 digits (individuals).")

    def check_digit(coefficients: tuple[int, ...]) -> int:
        return sum(int(d) * c for d, c in zip(digits, coefficients, strict=False)) % 11 % 10

    if len(digits) == 10:
        valid = check_digit((2, 4, 10, 3, 5, 9, 4, 6, 8)) == int(digits[9])
    else:
        valid = (check_digit((7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == int(digits[10])
                 and check_digit((3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == int(digits[11]))
    return None if valid else _("This INN is not valid: please check the digits.")


def unstorable_keys(fields: list[FormField], answers: dict, *, title: str = "") -> list[str]:
    """The keys ("title" included) whose value holds a character no text may (platform.text)."""
    keys = ["title"] if has_forbidden_characters(title) or len(title.strip()) > TITLE_STORE_LIMIT else []
    return keys + [f.key for f in fields if has_forbidden_characters(answers.get(f.key))
                   or _too_long_to_keep(answers.get(f.key))]


def _too_long_to_keep(value) -> bool:
    return isinstance(value, str) and len(value) > ANSWER_HARD_LIMIT


def _unstorable_errors(fields: list[FormField], answers: dict, title: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for key in unstorable_keys(fields, answers, title=title):
        if key == "title" and not has_forbidden_characters(title):
            errors[key] = [_("The title is too long to keep (%(count)s characters, at most %(limit)s): the "
                             "saved title is unchanged; shorten it.", count=len(title.strip()),
                             limit=TITLE_MAX_LENGTH)]
        elif key != "title" and _too_long_to_keep(answers.get(key)) and not has_forbidden_characters(answers.get(key)):
            errors[key] = [_("This answer is too long to keep (over %(count)s characters).", count=ANSWER_HARD_LIMIT)]
        else:
            errors[key] = [str(FORBIDDEN_CHARACTER_MESSAGE)]
    return errors


def over_limit_message(count: int, limit: int) -> str:
    """A draft's text over its field's limit: kept whole (nothing is cut without a word), flagged."""
    return _("%(count)s characters, the limit is %(limit)s: the draft keeps the whole text, but shorten "
             "it before you submit.", count=count, limit=limit)


def draft_errors(fields: list[FormField], answers: dict, *, title: str = "") -> dict[str, list[str]]:
    """The few checks a draft gets: only what could not be stored at all."""
    errors = _unstorable_errors(fields, answers, title)
    if "title" not in errors and len(title.strip()) > TITLE_MAX_LENGTH:
        errors["title"] = [over_limit_message(len(title.strip()), TITLE_MAX_LENGTH)]
    for field in fields:
        value = answers.get(field.key)
        if field.key in errors:
            continue
        if (field.type in TEXT_TYPES and field.max_length and isinstance(value, str)
              and len(value) > field.max_length):
            errors.setdefault(field.key, []).append(over_limit_message(len(value), field.max_length))
        elif field.type == "number" and not _is_blank(value) and parse_number(value) is None:
            # kept as typed, so nothing is lost, but flagged now rather than at submission
            errors.setdefault(field.key, []).append(
                _("«%(value)s» is not a number: the draft keeps it, but write it in digits, for example "
                  "1 500 000, before you submit.", value=str(value)[:40]))
    return errors


def validate_answers(fields: list[FormField], answers: dict, *, file_counts: Mapping[str, int],
                     title: str = "", nomination_id: int | None = None,
                     nomination_ids: set[int] | frozenset[int] = frozenset()) -> dict[str, list[str]]:
    """Every problem of a complete application, by field key ("title", "nomination" included).

    An empty result means the application may be submitted.
    """
    errors = _unstorable_errors(fields, answers, title)

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if _is_blank(title):
        add("title", _("Give the project a title."))
    elif len(title) > TITLE_MAX_LENGTH and "title" not in errors:
        add("title", _("At most %(limit)s characters (now %(count)s).", limit=TITLE_MAX_LENGTH,
                       count=len(title)))
    if nomination_id is None:
        add("nomination", _("Choose a nomination."))
    elif nomination_id not in nomination_ids:
        add("nomination", _("Choose one of the listed nominations."))

    for field in fields:
        if field.type == "file":
            if field.required and not file_counts.get(field.key):
                add(field.key, _("Attach at least one file."))
            continue
        value = answers.get(field.key)
        if _is_blank(value):
            if field.required:
                add(field.key, _("Please tick this box.") if field.type == "checkbox"
                    else _("This field is required."))
            continue
        if field.type in TEXT_TYPES:
            if field.max_length and len(value) > field.max_length:
                add(field.key, _("At most %(limit)s characters (now %(count)s).",
                                 limit=field.max_length, count=len(value)))
            if field.key == "inn":
                message = check_inn(value)
                if message:
                    add(field.key, message)
        elif field.type == "number":
            if parse_number(value) is None:
                add(field.key, _("Enter a number, for example 1500000 or 2.5."))
        elif field.type == "date":
            if parse_date(value) is None:
                add(field.key, _("Enter a date as YYYY-MM-DD or DD.MM.YYYY."))
        elif field.type == "amount":
            for message in amount_problems(field, value, fields, answers):
                add(field.key, message)
        elif field.type == "select":
            if value not in {o["value"] for o in field.options or []}:
                add(field.key, _("Choose one of the listed options."))
    return errors


def normalise_answers(fields: list[FormField], answers: dict) -> dict:
    """Answers of a valid application in canonical form: numbers and dates in one notation."""
    result = dict(answers)
    for field in fields:
        value = answers.get(field.key)
        if _is_blank(value):
            continue
        if field.type == "number":
            number = parse_number(value)
            if number is not None:
                result[field.key] = format(number.normalize(), "f") if number == number.to_integral() \
                    else format(number, "f")
        elif field.type == "date":
            parsed = parse_date(value)
            if parsed is not None:
                result[field.key] = parsed.isoformat()
        elif field.type == "amount":
            amount = amount_or_none(value)
            if amount is not None:
                result[field.key] = amount_text(amount)
    return result


def amount_problems(field: FormField, value, fields: list[FormField], answers: dict) -> list[str]:
    """The messages for an amount answer: unreadable, above the field's maximum, or below its
    share of another amount (co-funding against the budget). Blank answers are the caller's."""
    try:
        amount = parse_amount(value)
    except AmountError as error:
        return [str(error)]
    problems = []
    if field.max_amount is not None and amount > field.max_amount:
        problems.append(_("At most %(limit)s per application.",
                          limit=format_amount(field.max_amount, field.currency)))
    if field.min_share_of and field.min_share is not None:
        base_field = next((f for f in fields if f.key == field.min_share_of), None)
        base = amount_or_none(answers.get(field.min_share_of))
        if base_field is not None and base is not None:
            least = (base * field.min_share / 100).quantize(Decimal("0.01"))
            if amount < least:
                problems.append(_("At least %(share)s %% of “%(of)s”, that is %(least)s.",
                                  share=format(field.min_share.normalize(), "f"),
                                  of=base_field.loc("label") or base_field.key,
                                  least=format_amount(least, field.currency)))
    return problems


def requested_field(fields: list[FormField]) -> FormField | None:
    """The amount field marked as the amount the entrant asks for, if the form has one."""
    return next((f for f in fields if f.type == "amount" and f.requested), None)


def display_value(field: FormField, value, language: str | None = None) -> str:
    """An answer as people read it, for pages and exports."""
    if field.type == "checkbox":
        return _("yes") if value else _("no")
    if value is None:
        return ""
    if field.type == "select":
        return option_label(field, value, language)
    if field.type == "amount":
        amount = amount_or_none(value)
        return format_amount(amount, field.currency, language) if amount is not None else str(value)
    if field.type == "number":
        number = parse_number(value)
        if number is not None:
            from app.i18n import format_number

            return format_number(number)  # «1 292 000», «2,5»
    if field.type == "date" and isinstance(value, str):
        parsed = parse_date(value)
        if parsed is not None:
            from flask_babel import format_date

            return format_date(parsed, "long")
    return str(value)


# --- uploaded files ----------------------------------------------------------------------


@dataclass(frozen=True)
class FileCheck:
    """The outcome of checking an upload: the cleaned name and the type found in its content."""

    filename: str
    extension: str
    content_type: str


class UploadError(ValueError):
    """A file that cannot be accepted; the message is translated and names the limit."""


class TooManyFiles(UploadError):
    """The field or the entry holds as many files as it may: no further file of the request fits."""


_UNSAFE_NAME_CHARACTERS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def sanitise_filename(name: str) -> str:
    """The name's last path part, without control or reserved characters; letters of any
    alphabet stay (Russian names are the rule here)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_NAME_CHARACTERS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name or "file"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _stream_size(stream: BinaryIO) -> int | None:
    try:
        position = stream.tell()
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(position)
        return size
    except (AttributeError, OSError, ValueError):
        return None


def _zip_names(stream: BinaryIO) -> list[str] | None:
    """The member names of a zip file (reads only its directory), or None if it is not one."""
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        stream.seek(0)


def _zip_member(stream: BinaryIO, name: str, limit: int = 200) -> bytes | None:
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive, archive.open(name) as member:
            return member.read(limit)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        stream.seek(0)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1251"):
        try:
            # The sample may end in the middle of a multi-byte character.
            head.decode(encoding) if len(head) < _SNIFF_BYTES else head[:-4].decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def content_matches(extension: str, head: bytes, stream: BinaryIO) -> bool:
    """Whether the file's content is of the type its extension claims."""
    if extension == "pdf":
        return b"%PDF-" in head[:1024]
    if extension in _OOXML_FOLDER:
        if not head.startswith(_ZIP_MAGIC):
            return False
        names = _zip_names(stream) or []
        return "[Content_Types].xml" in names and any(n.startswith(_OOXML_FOLDER[extension]) for n in names)
    if extension in _ODF_MIME:
        if not head.startswith(_ZIP_MAGIC):
            return False
        return (_zip_member(stream, "mimetype") or b"").strip() == _ODF_MIME[extension]
    if extension in ("doc", "xls", "ppt"):
        return head.startswith(_OLE2_MAGIC)
    if extension == "zip":
        return head.startswith(_ZIP_MAGIC) and _zip_names(stream) is not None
    if extension in ("txt", "csv"):
        return _looks_like_text(head)
    guessed = filetype.guess(head)
    if guessed is None:
        return False
    aliases = {"jpeg": "jpg", "tiff": "tif"}
    return aliases.get(extension, extension) == aliases.get(guessed.extension, guessed.extension)


def check_upload(field: FormField, filename: str, stream: BinaryIO, *,
                 entry_bytes_used: int = 0) -> FileCheck:
    """Checks a file before it is stored: its name, size and real type.

    The stream must be seekable (Werkzeug spools uploads to a temporary file); only its first
    bytes and, for zip-based formats, its directory are read. Raises UploadError.
    """
    original = unicodedata.normalize("NFC", filename or "")
    if len(original) > FILENAME_MAX_LENGTH:
        raise UploadError(_("The file name is too long (%(count)s characters); shorten it to "
                            "%(limit)s characters or fewer.", count=len(original),
                            limit=FILENAME_MAX_LENGTH))
    name = sanitise_filename(original)
    extension = _extension(name)
    allowed = [ext.lower() for ext in field.accept or []]
    if extension not in allowed:
        raise UploadError(_("“%(name)s” is not an allowed type. Allowed types: %(types)s.",
                            name=name, types=accept_label(field)))
    size = _stream_size(stream)
    if size == 0:
        raise UploadError(_("“%(name)s” is empty.", name=name))
    limit = file_max_size(field)
    if size is not None and size > limit:
        raise UploadError(_("“%(name)s” is larger than %(limit)s, the limit for this field.",
                            name=name, limit=human_size(limit)))
    entry_limit = entry_max_bytes()
    if size is not None and entry_bytes_used + size > entry_limit:
        raise UploadError(_("“%(name)s” would bring the attachments of this application over "
                            "%(limit)s in total. Remove a file or upload a smaller one.",
                            name=name, limit=human_size(entry_limit)))
    stream.seek(0)
    head = stream.read(_SNIFF_BYTES)
    stream.seek(0)
    if not head:
        raise UploadError(_("“%(name)s” is empty.", name=name))
    if not content_matches(extension, head, stream):
        raise UploadError(_("The content of “%(name)s” is not %(type)s. Allowed types: %(types)s.",
                            name=name, type=extension.upper(), types=accept_label(field)))
    content_type = KNOWN_TYPES.get(extension) or getattr(filetype.guess(head), "mime", None) \
        or "application/octet-stream"
    return FileCheck(filename=name, extension=extension, content_type=content_type)
