"""Spreadsheet conventions of the reader's language, shared by every CSV and XLSX export.

Russian Excel opens a CSV with `;` between cells and a decimal comma (a `,`-separated file lands
in one column; «60.00» becomes a date); English Excel expects `,` and a point. Every CSV is UTF-8
with a byte-order mark, so the Cyrillic reads right."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.i18n import reader_locale

BOM = "\ufeff"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def csv_delimiter(delimiter: str | None = None) -> str:
    """`;` for Russian readers, `,` for English ones; `delimiter` (";", ",", "tab") overrides."""
    named = {";": ";", ",": ",", "semicolon": ";", "comma": ",", "tab": "\t"}
    if delimiter in named:
        return named[delimiter]
    return ";" if reader_locale().language == "ru" else ","


def csv_writer(buffer, delimiter: str | None = None):
    return csv.writer(buffer, delimiter=csv_delimiter(delimiter))


def csv_number(value) -> str:
    """A number for a CSV cell: no grouping, the reader's decimal mark («60,5» in Russian)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.replace(".", ",") if reader_locale().language == "ru" else text


def csv_datetime(value: datetime | None, timezone: str) -> str:
    """A moment in the contest's zone as spreadsheets parse it: «12.11.2026 02:00» (a naive
    value is taken as already local)."""
    if value is None:
        return ""
    local = value if value.tzinfo is None else value.astimezone(ZoneInfo(timezone))
    pattern = "%d.%m.%Y %H:%M" if reader_locale().language == "ru" else "%Y-%m-%d %H:%M"
    return local.strftime(pattern)


def xlsx_datetime(value: datetime | None, timezone: str) -> datetime | None:
    """A real date for an XLSX cell (spreadsheets have no zones: the contest's local time)."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def sheet_title(title: str | None, fallback: str = "Sheet") -> str:
    """A worksheet name from a title people read: at most 31 characters, none of []:*?/\\."""
    cleaned = _SHEET_FORBIDDEN.sub(" ", title or "").strip().strip("'")
    return (cleaned or fallback)[:31]


def append_table(workbook, title: str, header: list, rows, *, freeze: str = "A2"):
    """A sheet of an openpyxl write-only workbook: the header row in bold and frozen, then the rows
    as given (real numbers stay numbers). Returns the sheet."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title=title)
    sheet.freeze_panes = freeze
    bold = Font(bold=True)
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append(row)
    return sheet
