"""Numbers and dates as the reader of a document expects them (Russian: decimal comma, thin-space
thousands, «2 декабря 2026 г.»; English: 2 December 2026)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

THIN_SPACE = "\u202f"  # narrow no-break space: the Russian thousands separator in print


def number(value, places: int = 2, language: str = "ru") -> str:
    """A number rounded half-up to `places`, with the language's separators; "—" for None."""
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"  # 12,345.67
    if language == "ru":
        return text.replace(",", THIN_SPACE).replace(".", ",")
    return text


def long_date(value: date | datetime | None, language: str = "ru", timezone: str | None = None) -> str:
    """«2 декабря 2026 г.» / "2 December 2026"."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if timezone and value.tzinfo is not None:
            value = value.astimezone(ZoneInfo(timezone))
        value = value.date()
    if language == "ru":
        return format_date(value, "d MMMM y 'г.'", locale="ru")
    return format_date(value, "d MMMM y", locale="en")


def date_time(value: datetime | None, language: str = "ru", timezone: str = "Europe/Moscow") -> str:
    """A moment in the contest's time zone, with the zone named."""
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(timezone))
    pattern = "d MMMM y 'г.', HH:mm" if language == "ru" else "d MMMM y, HH:mm"
    return f"{format_datetime(local, pattern, locale=language)} ({timezone})"


def size(value: int | None, language: str = "ru") -> str:
    if value is None:
        return "—"
    unit = "КБ" if language == "ru" else "KB"
    return f"{number(Decimal(value) / 1024, 1, language)} {unit}"
