"""Time-zone choices for forms: the Russian zones first, then the rest."""

from functools import cache
from zoneinfo import available_timezones

RUSSIAN_ZONES = (
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk",
    "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka",
)


@cache
def timezone_choices() -> list[tuple[str, str]]:
    others = sorted(z for z in available_timezones() if z not in RUSSIAN_ZONES and "/" in z)
    return [(z, z) for z in (*RUSSIAN_ZONES, "UTC", *others)]
