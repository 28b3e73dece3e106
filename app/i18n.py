"""Language and time-zone selection, and the formatting helpers templates use."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    held_in = g.get("contest_languages")
    if held_in and len(held_in) == 1:
        return held_in[0]  # a one-language contest's public pages and forms speak only it
    if request.path.startswith("/api/") and request.headers.get("Accept-Language"):
        # The API speaks the language each request asks for, whoever's token it carries.
        chosen = request.accept_languages.best_match(languages)
        if chosen:
            return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def use_contest_languages(contest) -> None:
    """A contest's public page or form: it is shown in the contest's language when the contest
    has only one, and the language switch offers only the contest's languages."""
    g.contest_languages = contest.language_list
    refresh()


def offered_languages() -> list[str]:
    """The languages the switch offers on this page."""
    return g.get("contest_languages") or current_app.config["LANGUAGES"]


def remember_language(code: str) -> None:
    """The language switch: an account keeps the choice; a visitor's session keeps it until login."""
    if code not in current_app.config["LANGUAGES"]:
        return
    if current_user.is_authenticated:
        current_user.locale = code
    else:
        session["locale"] = code


def adopt_visitor_language(user) -> None:
    """At login, a language picked on the way in is what the person wants now: the account takes it."""
    chosen = session.pop("locale", None)
    if chosen in current_app.config["LANGUAGES"]:
        user.locale = chosen
    refresh()  # the rest of this request (its flash message) speaks the account's language


def keep_language_after_logout(user) -> None:
    """The site stays in the person's language when they log out."""
    session["locale"] = user.locale
    refresh()


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "ru"


# --- numbers, money, sizes and dates in the reader's language (one implementation, every page,
# e-mail, PDF and export uses it: the Jinja filters `decimal`, `number`, `filesize`, `local_dt`
# are these functions; money is app.services.platform.money.format_amount, which uses
# format_number, and is the `money` filter) ---

THIN_SPACE = "\u202f"  # narrow no-break space: Russian thousands («1 292 000»)


def reader_locale() -> Locale:
    locale = get_locale() if has_app_context() else None
    return locale or Locale.parse("ru")


def _grouped(text: str, locale: Locale) -> str:
    if locale.language == "ru":
        return text.replace("\xa0", THIN_SPACE)
    return text


def format_number(value, places: int | None = None, language: str | None = None) -> str:
    """A number as the reader writes it: «0,7», «1 292 000»; `places` fixes the decimals;
    `language` names another reader than the current one (an e-mail to someone else)."""
    if value is None:
        return "—"
    locale = Locale.parse(language) if language else reader_locale()
    if places is not None:
        value = round_half_up(value, places)
        pattern = "#,##0" + ("." + "0" * places if places else "")
    else:
        value = Decimal(str(value))
        pattern = "#,##0.######"
    return _grouped(babel_numbers.format_decimal(value, format=pattern, locale=locale), locale)


def decimal_mark() -> str:
    """«,» in Russian, «.» in English: for scripts that print numbers on the page."""
    return babel_numbers.get_decimal_symbol(reader_locale())


def format_size(size: int | None) -> str:
    """A file size in one unit system: «512 байт», «12,5 КБ», «3,2 МБ» (English: bytes, KB, MB)."""
    if size is None:
        return "—"
    size = int(size)
    if size < 1024:
        return ngettext("%(num)s byte", "%(num)s bytes", size)
    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_number(round_half_up(Decimal(size) / 1024, 1)))
    return _("%(size)s MB", size=format_number(round_half_up(Decimal(size) / (1024 * 1024), 1)))


def parse_decimal(text: str | None) -> Decimal | None:
    """What a person typed as a number: «0,7», «0.7», «1 292 000», «1,292,000.50» → Decimal.

    Spaces (also no-break ones) group thousands; a comma is the decimal mark unless a point
    follows it. Raises ValueError for text that is not a number."""
    if text is None:
        return None
    cleaned = str(text).strip()
    for space in (" ", "\xa0", THIN_SPACE, "\u2009", "'"):
        cleaned = cleaned.replace(space, "")
    if not cleaned:
        return None
    cleaned = cleaned.replace("\u2212", "-")
    if "," in cleaned and "." in cleaned:
        # the later mark is the decimal one, the other groups thousands
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except ArithmeticError as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


# Russia's zones as Russians name them: by the offset from Moscow.
_MOSCOW_OFFSETS = {
    "Europe/Kaliningrad": -1, "Europe/Moscow": 0, "Europe/Simferopol": 0, "Europe/Volgograd": 0,
    "Europe/Kirov": 0, "Europe/Samara": 1, "Europe/Ulyanovsk": 1, "Europe/Saratov": 1,
    "Europe/Astrakhan": 1, "Asia/Yekaterinburg": 2, "Asia/Omsk": 3, "Asia/Novosibirsk": 4,
    "Asia/Barnaul": 4, "Asia/Tomsk": 4, "Asia/Novokuznetsk": 4, "Asia/Krasnoyarsk": 4,
    "Asia/Irkutsk": 5, "Asia/Chita": 6, "Asia/Yakutsk": 6, "Asia/Khandyga": 6,
    "Asia/Vladivostok": 7, "Asia/Ust-Nera": 7, "Asia/Magadan": 8, "Asia/Sakhalin": 8,
    "Asia/Srednekolymsk": 8, "Asia/Kamchatka": 9, "Asia/Anadyr": 9,
}


def zone_abbreviation(zone_key: str, at: datetime | None = None) -> str:
    """«МСК», «МСК+4» for Russia's zones (MSK, MSK+4 in English); «UTC+2» elsewhere."""
    offset = _MOSCOW_OFFSETS.get(zone_key)
    msk = "МСК" if reader_locale().language == "ru" else "MSK"
    if offset is not None:
        return msk if offset == 0 else f"{msk}{offset:+d}"
    if zone_key in ("UTC", "Etc/UTC"):
        return "UTC"
    delta = (at or datetime.now(ZoneInfo("UTC"))).astimezone(ZoneInfo(zone_key)).utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_name(zone_key: str) -> str:
    """A time zone as people say it: «Москва (МСК)», «Красноярск (МСК+4)», «Berlin (UTC+1)»."""
    if zone_key in ("UTC", "Etc/UTC"):
        return "UTC"
    locale = reader_locale()
    city = (locale.time_zones.get(zone_key) or {}).get("city")
    if locale.language == "ru" and city and not re.search("[А-Яа-яЁё]", city):
        city = None  # no Russian name: the zone's own identifier reads better than half-English
    if not city:
        city = zone_key.replace("_", " ") if locale.language == "ru" else zone_key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} ({zone_abbreviation(zone_key)})"


def format_local_datetime(value: datetime | None, timezone: str | None = None,
                          fmt: str = "medium") -> str:
    """A UTC datetime in the contest's time zone, to the minute, the zone as people name it:
    «12 ноября 2026 г., 02:00 (МСК)». `fmt`: "medium"/"long" (that), "short" («12.11.2026,
    02:00 (МСК)»), "moment" («2 декабря в 02:44», no zone: a draft saved a moment ago),
    "date" («12 ноября 2026 г.»)."""
    if value is None:
        return "—"
    zone_key = timezone or (current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context()
                            else "Europe/Moscow")
    zone = ZoneInfo(zone_key)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    local = value.astimezone(zone)
    locale = reader_locale()
    time_text = babel_dates.format_time(local, "short", locale=locale)
    if fmt == "moment":
        day = babel_dates.format_date(local, "d MMMM", locale=locale)
        return _("%(day)s at %(time)s", day=day, time=time_text)
    date_text = babel_dates.format_date(local, "short" if fmt == "short" else "long", locale=locale)
    if locale.language == "ru":
        date_text = date_text.replace(THIN_SPACE, " ")
    if fmt == "date":
        return date_text
    return f"{date_text}, {time_text} ({zone_abbreviation(zone_key, value)})"


def round_half_up(value: Decimal | float | int | None, places: int = 2) -> Decimal | None:
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_decimal_half_up(value, places: int = 2) -> str:
    """A score rounded half up to `places` decimals, in the reader's notation: «60,00»."""
    if value is None:
        return "—"
    return format_number(value, places)
