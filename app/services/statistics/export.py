"""A round's results JSON with its statistics (contest-exchange.md, "Round statistics"), and the
statistics page's tables as CSV and XLSX."""

from __future__ import annotations

import io
import json

from app.models import Round
from app.services.results.export import results_document
from app.services.results.reading import round_results
from app.services.statistics.report import CUT_LINES, round_statistics, statistics_document

# A results document that carries "statistics" is of version 2 (contest-exchange.md, "Additions
# after v1": a v1 reader refuses keys it does not know).
RESULTS_VERSION = 2


def results_document_with_statistics(round_: Round) -> dict:
    """results_document of the round plus its "statistics", from one reading of the ranking."""
    ranking = round_results(round_)
    document = results_document(round_, ranking)
    document["version"] = RESULTS_VERSION
    document["statistics"] = statistics_document(round_statistics(round_, ranking=ranking))
    return document


def results_json(round_: Round) -> str:
    return json.dumps(results_document_with_statistics(round_), ensure_ascii=False, indent=2) + "\n"


# --- the statistics as spreadsheets (the page's three tables) -------------------------------------

STATISTICS_TABLES = ("places", "judges", "agreement")


def _flag_text(flag: dict) -> str:
    """A flag in words, as the statistics page writes it (numbers in the reader's format)."""
    from flask_babel import gettext as _

    from app.i18n import format_number

    if flag.get("reason") == "lenient":
        return _("lenient: %(beyond)s points above the median judge, %(z)s standard errors (the bar is %(bar)s)",
                 beyond=format_number(round(flag["beyond"], 2)), z=format_number(round(flag["z"], 1)),
                 bar=format_number(round(flag["bar"], 1)))
    if flag.get("reason") == "severe":
        return _("severe: %(beyond)s points below the median judge, %(z)s standard errors (the bar is %(bar)s)",
                 beyond=format_number(round(-flag["beyond"], 2)), z=format_number(round(-flag["z"], 1)),
                 bar=format_number(round(flag["bar"], 1)))
    return _("disagrees with the others: typical deviation %(rms)s points against the round's %(sigma)s "
             "(%(ratio)s times)", rms=format_number(round(flag["rms"], 2)),
             sigma=format_number(round(flag["sigma"], 2)), ratio=format_number(round(flag["ratio"], 1)))


def statistics_tables(stats) -> dict[str, tuple[str, list[str], list[list]]]:
    """The statistics page's three tables as (sheet title, header, rows of real numbers): plausible
    places per entry, judges' offsets, agreement per criterion. Headers in the reader's language."""
    from flask_babel import gettext as _

    nominations = {n.id: n.loc("title") for n in stats.ranking.nominations}
    cut_titles = {kind: str(line.title) for kind, line in CUT_LINES.items()}
    places = [[p.rank, p.number, p.title, nominations.get(p.nomination_id, ""),
               p.ranked.display_score, p.low, p.high, p.width,
               ", ".join(cut_titles.get(kind, kind) for kind in p.ties)] for p in stats.places]
    judges = [[j.name, j.email, j.reviews, round(j.offset, 2), _rounded(j.error, 2), round(j.rms, 2),
               round(j.zscore_size, 2), "; ".join(_flag_text(flag) for flag in j.flags)] for j in stats.judges]
    agreement = [[row.title, _rounded(row.value, 3), _rounded(row.low, 3), _rounded(row.high, 3), row.entries]
                 for row in stats.alpha]
    return {
        "places": (_("Plausible places"), [
            _("Place"), _("No."), _("Title"), _("Nomination"), _("Score"), _("Plausible from"),
            _("Plausible to"), _("Width"), _("In a tie at")], places),
        "judges": (_("Judges"), [
            _("Judge"), _("E-mail"), _("Reviews"), _("Offset"), _("Standard error"), _("Typical deviation"),
            _("Z-score change"), _("Flags")], judges),
        "agreement": (_("Agreement"), [
            _("Criterion"), _("Krippendorff's alpha"), _("Interval from"), _("Interval to"),
            _("Entries with two or more reviews")], agreement),
    }


def _rounded(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def statistics_csv(round_: Round, table: str) -> str:
    """One of the statistics tables as CSV in the reader's conventions (spreadsheet.csv_*)."""
    from app.services.platform.spreadsheet import BOM, csv_number, csv_writer

    _title, header, rows = statistics_tables(round_statistics(round_))[table]
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv_writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell if isinstance(cell, str) else csv_number(cell) for cell in row])
    return buffer.getvalue()


def statistics_xlsx(round_: Round) -> bytes:
    """The three tables as one workbook, a sheet each, real numbers, the header frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from app.services.platform.spreadsheet import sheet_title

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in statistics_tables(round_statistics(round_)).values():
        sheet = workbook.create_sheet(sheet_title(title))
        sheet.freeze_panes = "A2"
        cells = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
