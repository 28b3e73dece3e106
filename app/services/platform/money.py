"""Exact money: amounts as typed by people, stored as decimal strings, shown per language.

An amount is a `Decimal` with at most two places (kopecks), never a float. It is stored in the
application's answers and in the exchange format as a plain decimal string with two places
(`"1500000.00"`) and in columns as NUMERIC(18, 2).

Typing: «1 500 000», «1500000,50», «1 500 000 ₽», «1 500 000 руб.», «1,500,000.50», «RUB 2000».
Spaces (also no-break and thin ones) group digits. A comma or a dot followed by one or two digits
at the end is the decimal separator; followed by groups of exactly three digits it groups them
(an amount has at most two decimals, so «1,500» can only be fifteen hundred).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# NUMERIC(18, 2): up to 9,999,999,999,999,999.99.
AMOUNT_DIGITS, AMOUNT_PLACES = 18, 2
AMOUNT_MAX = Decimal(10) ** (AMOUNT_DIGITS - AMOUNT_PLACES) - Decimal("0.01")
DEFAULT_CURRENCY = "RUB"
CURRENCIES = ("RUB", "USD", "EUR", "KZT", "BYN", "CNY")
_KOPECK = Decimal("0.01")

_SYMBOLS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br", "CNY": "¥"}
# Currency marks people type around a number; removed before reading it.
_MARKS = re.compile(
    r"(₽|руб(?:лей|ля|ль)?\.?|р\.|rub\.?|rur|\$|usd|€|eur|₸|kzt|byn|br|¥|cny)",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']")


class AmountError(ValueError):
    """An amount that cannot be read; the message is translated."""


def parse_amount(text) -> Decimal:
    """The amount typed in `text`, exactly, quantised to two places. Raises AmountError."""
    from flask_babel import gettext as _

    cleaned = _MARKS.sub("", str(text or "")).strip()
    cleaned = _SPACES.sub("", cleaned)
    if not cleaned:
        raise AmountError(_("Enter an amount, for example 1 500 000 or 1500000,50."))
    if cleaned.startswith("-"):
        raise AmountError(_("An amount cannot be negative."))
    if not re.fullmatch(r"[0-9.,]+", cleaned) or not cleaned[0].isdigit():
        raise AmountError(_("Enter an amount, for example 1 500 000 or 1500000,50."))
    number = _plain_digits(cleaned)
    if number is None:
        raise AmountError(_("An amount has at most two decimals (kopecks), for example 1500000,50."))
    try:
        value = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only digits
        raise AmountError(_("Enter an amount, for example 1 500 000 or 1500000,50.")) from None
    if value > AMOUNT_MAX:
        raise AmountError(_("This amount is too large."))
    return value.quantize(_KOPECK)


def _plain_digits(text: str) -> str | None:
    """Digits with at most one dot before the decimals, or None when the separators make no amount."""
    separators = [(i, ch) for i, ch in enumerate(text) if ch in ".,"]
    if not separators:
        return text
    last_index, _last = separators[-1]
    tail = text[last_index + 1:]
    if len(tail) in (1, 2):
        # The last separator is the decimal one; any before it group thousands.
        whole, decimals = text[:last_index], tail
        if not _grouped(whole):
            return None
        return re.sub(r"[.,]", "", whole) + "." + decimals
    if len(tail) == 3 and _grouped(text) and len({ch for _i, ch in separators}) == 1:
        return re.sub(r"[.,]", "", text)
    return None


def _grouped(text: str) -> bool:
    """Plain digits, or digits grouped in threes by one kind of separator."""
    if re.fullmatch(r"\d+", text):
        return True
    return bool(re.fullmatch(r"\d{1,3}([.,])\d{3}(\1\d{3})*", text))


def amount_text(value: Decimal) -> str:
    """The stored form: a plain decimal string with two places ("1500000.00")."""
    return format(Decimal(value).quantize(_KOPECK), "f")


def amount_or_none(text) -> Decimal | None:
    """A stored amount (decimal string) as a Decimal; None when empty or unreadable."""
    if text is None or text == "":
        return None
    try:
        return parse_amount(text)
    except AmountError:
        return None


def currency_symbol(currency: str | None) -> str:
    currency = currency or DEFAULT_CURRENCY
    return _SYMBOLS.get(currency, currency)


def format_amount(value: Decimal | str | int | None, currency: str | None = DEFAULT_CURRENCY,
                  language: str | None = None) -> str:
    """The one money formatter (pages, PDFs, e-mails, the `money` filter): an amount as the reader
    writes it, «1 500 000 ₽» and «1 500 000,50 ₽» in Russian (thin-space thousands, as every
    number), «1,500,000 ₽» and «1,500,000.50 ₽» in English; kopecks only when there are any."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        amount = amount_or_none(value)
        if amount is None:
            return value  # not an amount (free text in an old answer): shown as typed
        value = amount
    from app.i18n import format_number

    value = Decimal(value).quantize(_KOPECK)
    places = 0 if value == value.to_integral_value() else 2
    return f"{format_number(value, places, language)}\u00a0{currency_symbol(currency)}"


def format_amount_input(value: Decimal | None, language: str | None = None) -> str:
    """An amount as put back into a form field: grouped, without the currency («1 500 000,50»)."""
    if value is None:
        return ""
    text = format_amount(value, "X", language)
    return text.rsplit("\u00a0", 1)[0].replace("\u202f", " ").replace("\u00a0", " ")


def format_kopecks(kopecks: int | None, currency: str | None = DEFAULT_CURRENCY, language: str | None = None) -> str:
    """An amount held as whole kopecks (the funding rules' integers), formatted as format_amount does."""
    if kopecks is None:
        return ""
    return format_amount(Decimal(kopecks) / 100, currency, language)


def currency_mismatch(requested_currency: str | None, fund_currencies) -> str | None:
    """Funds pay the requested amounts, so the funds and the requested amount field share one
    currency (DESIGN §3b: money is exact — no conversion is ever guessed). The one check for the
    Funds page, the form's set-up, the import and the Funding page; None when they agree."""
    from flask_babel import gettext as _

    currencies = sorted(set(fund_currencies))
    if len(currencies) > 1:
        return _("The funds are in different currencies (%(currencies)s): a contest's funds share one currency.",
                 currencies=", ".join(currencies))
    if requested_currency and currencies and currencies[0] != requested_currency:
        return _("The funds are in %(fund)s, but the requested amount is asked in %(asked)s: the funds and "
                 "the requests they pay share one currency.", fund=currencies[0], asked=requested_currency)
    return None
