"""Exporting a contest's entries to CSV and XLSX: one row per entry, one column per form field."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from flask_babel import gettext as _

from app.i18n import format_local_datetime
from app.models import Contest, Entry
from app.services.intake import application_form, entries

# Spreadsheet programs run cells that start with these as formulas (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
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
    """The header and the rows (values made safe for spreadsheets)."""
    fields = application_form.form_fields(contest)
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
                format_local_datetime(entry.submitted_at, contest.timezone) if entry.submitted_at else "",
            ]
            for form_field in fields:
                if form_field.type == "file":
                    row.append("; ".join(a.filename for a in files.get(form_field.key, [])))
                else:
                    value = (entry.answers or {}).get(form_field.key)
                    row.append(application_form.display_value(form_field, value) if value is not None else "")
            yield [_safe(value) for value in row]

    return header, rows()


def export_csv(contest: Contest, filters: entries.EntryFilter) -> str:
    """CSV with a byte-order mark, so spreadsheet programs read the Cyrillic right."""
    header, rows = table(contest, filters)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([_safe(h) for h in header])
    writer.writerows(rows)
    return buffer.getvalue()


def export_xlsx(contest: Contest, filters: entries.EntryFilter) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    header, rows = table(contest, filters)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Entries"))[:31])
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    header_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=_safe(title))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
