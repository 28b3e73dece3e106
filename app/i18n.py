"""Language and time-zone selection, and the formatting helpers templates use."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request, session
from flask_babel import format_datetime, get_locale, refresh
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
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


def format_local_datetime(value: datetime | None, timezone: str | None = None,
                          fmt: str = "medium") -> str:
    """A UTC datetime shown in the contest's time zone, with the zone named."""
    if value is None:
        return "—"
    zone = ZoneInfo(timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = value.astimezone(zone)
    return f"{format_datetime(local.replace(tzinfo=None), fmt, rebase=False)} ({zone.key})"


def round_half_up(value: Decimal | float | int | None, places: int = 2) -> Decimal | None:
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_decimal_half_up(value, places: int = 2) -> str:
    rounded = round_half_up(value, places)
    return "—" if rounded is None else f"{rounded:.{places}f}"
