"""Exporting a contest's entries to CSV and XLSX: one row per entry, one column per form field."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _

from app.models import Contest, Entry
from app.services.intake import application_form, entries
from app.services.platform import spreadsheet

# Spreadsheet programs run cells that start with these as formulas (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float | Decimal | datetime):
        return value
    text = str(value)
    if text.startswith(_FORMULA_STARTS) and not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return "'" + text
    return text


def _status_label(entry: Entry) -> str:
    return {"draft": _("draft"), "submitted": _("submitted"), "withdrawn": _("withdrawn")}[entry.status]


def _eligibility_label(entry: Entry) -> str:
    if entry.eligible is None:
        return _("not screened")
    return _("eligible") if entry.eligible else _("ineligible")


def table(contest: Contest, filters: entries.EntryFilter) -> tuple[list[str], Iterator[list]]:
    """The header and the rows (values made safe for spreadsheets). Numbers are numbers and the
    submission time a datetime in the contest's zone; a form field that fills the entry's own
    organisation or INN is not repeated (its column is «Organisation»/«INN»)."""
    fields = [f for f in application_form.form_fields(contest)
              if f.key not in application_form.MIRRORED_KEYS]
    header = [_("No."), _("Status"), _("Screening"), _("Reason"), _("Nomination"), _("Title"),
              _("Organisation"), _("INN"), _("Entrant"), _("E-mail"), _("Submitted")]
    header += [f.loc("label") or f.key for f in fields]

    def rows() -> Iterator[list]:
        for entry in entries.entries_for_export(contest, filters):
            files = entries.attachments_by_field(entry)
            row = [
                entry.number, _status_label(entry), _eligibility_label(entry),
                entry.ineligible_reason, entry.nomination.loc("title") if entry.nomination else "",
                entry.title, entry.organisation, entry.inn, entry.entrant.name, entry.entrant.email,
                spreadsheet.xlsx_datetime(entry.submitted_at, contest.timezone),
            ]
            for form_field in fields:
                if form_field.type == "file":
                    row.append("; ".join(a.filename for a in files.get(form_field.key, [])))
                else:
                    value = (entry.answers or {}).get(form_field.key)
                    number = application_form.parse_number(value) \
                        if form_field.type == "number" and value not in (None, "") else None
                    if number is not None:
                        row.append(number)
                    else:
                        row.append(application_form.display_value(form_field, value) if value is not None else "")
            yield [_safe(value) for value in row]

    return header, rows()


def _csv_cell(value, timezone: str):
    if isinstance(value, datetime):
        return spreadsheet.csv_datetime(value, timezone)
    if isinstance(value, Decimal | float):
        return spreadsheet.csv_number(value)
    return value


def export_csv(contest: Contest, filters: entries.EntryFilter, delimiter: str | None = None) -> str:
    """CSV as the reader's spreadsheet opens it (`;` and decimal commas in Russian), UTF-8 with a
    byte-order mark, so spreadsheet programs read the Cyrillic right."""
    header, rows = table(contest, filters)
    buffer = io.StringIO()
    buffer.write(spreadsheet.BOM)
    writer = spreadsheet.csv_writer(buffer, delimiter)
    writer.writerow([_safe(h) for h in header])
    writer.writerows([_csv_cell(value, contest.timezone) for value in row] for row in rows)
    return buffer.getvalue()


def export_xlsx(contest: Contest, filters: entries.EntryFilter) -> bytes:
    from openpyxl import Workbook

    header, rows = table(contest, filters)
    workbook = Workbook(write_only=True)
    spreadsheet.append_table(workbook, spreadsheet.sheet_title(contest.loc("title"), str(_("Entries"))),
                             [_safe(title) for title in header], rows, freeze="B2")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
