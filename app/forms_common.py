"""Form pieces shared by several blueprints."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, StringField
from wtforms.validators import Optional, Regexp, StopValidation, ValidationError

from app.services.setup import rules


def to_utc(local: datetime | None, timezone: str) -> datetime | None:
    """A naive datetime typed in the contest's time zone, as UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def to_local(value: datetime | None, timezone: str) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def LocalDateTimeField(label):  # noqa: N802 - reads like a field class where used
    return DateTimeLocalField(
        label, format=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"], validators=[Optional()],
        render_kw={"step": 1},
    )


class DeriveKey:
    """An empty key is derived from the title (English, else the Russian one transliterated)."""

    def __call__(self, form, field):
        if field.data and field.data.strip():
            field.data = field.data.strip()
            return
        title_en = getattr(form, "title_en", None) or getattr(form, "label_en", None)
        title_ru = getattr(form, "title_ru", None) or getattr(form, "label_ru", None)
        field.data = rules.key_from_title(title_en.data if title_en else "",
                                          title_ru.data if title_ru else "",
                                          getattr(form, "taken_keys", ()))


KEY_EXAMPLES = {
    "nomination": _l("e.g. ecology"), "round": _l("e.g. final"),
    "criterion": _l("e.g. relevance"), "field": _l("e.g. region"),
}


def KeyField(label, kind: str | None = None):  # noqa: N802
    example = KEY_EXAMPLES.get(kind)
    description = _l("A short identifier used in exports and imports, %(example)s. Leave it empty to "
                     "derive it from the title.", example=example) if example else \
        _l("A short identifier used in exports. Leave it empty to derive it from the title.")
    return StringField(
        label,
        validators=[DeriveKey(), Regexp(rules.KEY_PATTERN, message=_l(
            "Use lower-case Latin letters, digits, '-' and '_' (up to 64)."))],
        description=description,
    )


class RuleCheck:
    """A set-up rule (services.setup.rules: value → message or None) as a field validator, so a
    form refuses at the field exactly what the importer refuses."""

    def __init__(self, rule):
        self.rule = rule

    def __call__(self, form, field):
        if field.data is not None and not field.errors:
            message = self.rule(field.data)
            if message:
                raise ValidationError(message)


class WeightCheck:
    def __call__(self, form, field):
        if field.raw_data and field.raw_data[0]:
            message = rules.check_weight(field.raw_data[0].replace(",", "."))
            if message:
                field.errors[:] = []
                raise ValidationError(message)


def parse_decimal(text: str | None) -> Decimal | None:
    if text is None or str(text).strip() == "":
        return None
    return Decimal(str(text).replace(",", ".").strip())


LANGUAGE_CHOICES = [
    ("ru,en", _l("Russian and English")),
    ("ru", _l("Russian only")),
    ("en", _l("English only")),
]


class _Absent:
    """A text of a language the contest is not held in: not asked, kept as it was ("" when new)."""

    def __init__(self, data):
        self.data = data
        self.errors: list = []


def fit_languages(form, contest, obj=None, only: tuple[str, ...] | None = None):
    """A one-language contest's set-up asks for no texts in the other language: the form's
    `*_ru`/`*_en` fields of a language the contest is not held in are removed, and read back as
    the stored value (or ""). `only` limits it to the fields of those names (without the suffix)."""
    for code in ("ru", "en"):
        if contest.offers(code):
            continue
        for name in [name for name in form._fields if name.endswith(f"_{code}")
                     and (only is None or name[:-3] in only)]:
            kept = getattr(obj, name, "") if obj is not None else ""
            del form[name]
            setattr(form, name, _Absent(kept or ""))
    return form


class RequiredIfOffered:
    """The contest settings: a title is required in each language the contest is held in (as chosen
    in the same form's `languages` field)."""

    def __init__(self, code: str):
        self.code = code
        self.field_flags = {}

    def __call__(self, form, field):
        chosen = (form.languages.data or "ru,en").split(",")
        if self.code in chosen and not (field.data or "").strip():
            raise ValidationError(_l("Give a title in this language: the contest is held in it."))
        if self.code not in chosen:
            raise StopValidation()
