"""Set-up rules shared by the web forms and the contest importer.

Each check returns a translated message, or None when the value is fine.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import available_timezones

from flask_babel import gettext as _

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$"
KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"


def check_weight(value) -> str | None:
    """A weight is a decimal above zero with at most two decimal places (DESIGN §3)."""
    try:
        weight = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return _("Enter a number, for example 1.5.")
    if not weight.is_finite():
        return _("Enter a number, for example 1.5.")
    if weight <= 0:
        return _("The weight must be greater than zero.")
    if weight.as_tuple().exponent < -2 and weight != weight.quantize(Decimal("0.01")):
        return _("The weight may have at most two decimal places.")
    if weight >= Decimal("10000"):
        return _("The weight must be less than 10000.")
    return None


def check_scale(min_score: int, max_score: int) -> str | None:
    if min_score >= max_score:
        return _("The maximum must be greater than the minimum.")
    return None


def check_window(opens_at: datetime | None, closes_at: datetime | None) -> str | None:
    if opens_at is not None and closes_at is not None and opens_at >= closes_at:
        return _("The window must close after it opens.")
    if (opens_at is None) != (closes_at is None):
        return _("Give both the opening and the closing time, or neither.")
    return None


def check_judging_after_intake(intake_opens_at: datetime | None,
                               judging_opens_at: datetime | None) -> str | None:
    if intake_opens_at and judging_opens_at and judging_opens_at < intake_opens_at:
        return _("Judging cannot open before the intake window opens.")
    return None


def check_timezone(name: str) -> str | None:
    if name not in available_timezones():
        return _("Unknown time zone: %(name)s.", name=name)
    return None


def check_tie_break(criterion_round_id: int, round_id: int) -> str | None:
    if criterion_round_id != round_id:
        return _("A tie-break criterion must belong to this round.")
    return None
