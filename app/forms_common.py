"""Form pieces shared by several blueprints."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, StringField
from wtforms.validators import Optional, Regexp, ValidationError

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


def KeyField(label):  # noqa: N802
    return StringField(
        label,
        validators=[Regexp(rules.KEY_PATTERN, message=_l(
            "Use lower-case Latin letters, digits, '-' and '_' (up to 64)."))],
        description=_l("A short identifier used in exports, e.g. education."),
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
