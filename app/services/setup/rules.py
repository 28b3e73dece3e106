"""Set-up rules shared by the web forms and the contest importer.

Each check returns a translated message, or None when the value is fine. The numeric limits are
app.models.limits, the numbers the columns are declared with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import available_timezones

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.models import limits

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
    # The bound first: quantizing a number of more than 28 digits raises InvalidOperation.
    if weight > limits.WEIGHT_MAX:
        return _("The weight must be at most %(limit)s.", limit=format_decimal(limits.WEIGHT_MAX))
    if weight.as_tuple().exponent < -2 and weight != weight.quantize(Decimal("0.01")):
        return _("The weight may have at most two decimal places.")
    return None


def check_score_bound(value: int) -> str | None:
    """A scale bound is a whole number the score column holds."""
    if not limits.SCORE_MIN <= value <= limits.SCORE_MAX:
        return _("Enter a whole number from %(low)s to %(high)s.", low=format_decimal(limits.SCORE_MIN),
                 high=format_decimal(limits.SCORE_MAX))
    return None


def check_scale(min_score: int, max_score: int) -> str | None:
    if min_score >= max_score:
        return _("The maximum must be greater than the minimum.")
    return None


def check_points(value) -> str | None:
    """Points the organiser sets (a pass mark, a disagreement threshold): a decimal from 0 to
    limits.POINTS_MAX with at most two decimal places."""
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return _("Enter a number, for example 60 or 12.5.")
    if not points.is_finite():
        return _("Enter a number, for example 60 or 12.5.")
    if points < 0:
        return _("The number of points cannot be negative.")
    if points > limits.POINTS_MAX:
        return _("The number of points must be at most %(limit)s.", limit=format_decimal(limits.POINTS_MAX))
    if points != points.quantize(Decimal("0.01")):
        return _("The number of points may have at most two decimal places.")
    return None


def round_totals(criteria: Iterable[tuple[Decimal, int, int]]) -> tuple[Decimal, Decimal]:
    """The lowest and highest total a review can have, Σ w·min and Σ w·max, over criteria given
    as (weight, min, max)."""
    low = high = Decimal(0)
    for weight, minimum, maximum in criteria:
        low += weight * minimum
        high += weight * maximum
    return low, high


def check_round_totals(criteria: Iterable[tuple[Decimal, int, int]]) -> tuple[str, str] | None:
    """A round's criteria, as (weight, min, max), must keep every review total within what the
    total column holds (±limits.TOTAL_MAX). None, or which side is beyond ("min" or "max") with
    the message."""
    low, high = round_totals(criteria)
    limit = format_decimal(limits.TOTAL_MAX)
    if high > limits.TOTAL_MAX:
        return "max", _("With these weights and scales a review's total could reach %(total)s; a total can be "
                        "at most %(limit)s.", total=format_decimal(high), limit=limit)
    if low < -limits.TOTAL_MAX:
        return "min", _("With these weights and scales a review's total could fall to %(total)s; a total can "
                        "be no lower than −%(limit)s.", total=format_decimal(low), limit=limit)
    return None


def check_reviews_per_entry(value: int) -> str | None:
    if not 1 <= value <= limits.REVIEWS_PER_ENTRY_MAX:
        return _("Enter a whole number from 1 to %(limit)s.", limit=limits.REVIEWS_PER_ENTRY_MAX)
    return None


def check_max_load(value: int) -> str | None:
    if not 0 <= value <= limits.MAX_LOAD_MAX:
        return _("Enter a whole number from 0 to %(limit)s.", limit=format_decimal(limits.MAX_LOAD_MAX))
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


_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o",
                      "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e",
                      "yu", "ya"], strict=True))


def key_from_title(title_en: str | None, title_ru: str | None, taken=()) -> str:
    """A key derived from a title when the organiser leaves it empty: «Экология города» →
    `ekologiya-goroda`; made unique among `taken` with -2, -3…"""
    source = (title_en or "").strip() or (title_ru or "").strip()
    text = "".join(_TRANSLIT.get(ch, ch) for ch in source.lower())
    words = re.findall(r"[a-z0-9]+", text)
    base = "-".join(words)[:56].strip("-") or "item"
    if not base[0].isalnum():
        base = "k" + base
    key, number = base, 2
    while key in set(taken):
        key, number = f"{base}-{number}", number + 1
    return key
