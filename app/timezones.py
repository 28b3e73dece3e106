"""Time-zone choices for forms: the Russian zones first, then the rest."""

from functools import cache
from zoneinfo import available_timezones

RUSSIAN_ZONES = (
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk",
    "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka",
)


@cache
def _zone_keys() -> tuple[str, ...]:
    others = sorted(z for z in available_timezones() if z not in RUSSIAN_ZONES and "/" in z)
    return (*RUSSIAN_ZONES, "UTC", *others)


def timezone_choices() -> list[tuple[str, str]]:
    """(key, name as people say it in the reader's language): «Красноярск (МСК+4)»."""
    from app.i18n import zone_name

    return [(z, zone_name(z)) for z in _zone_keys()]
