"""A round's results JSON with its statistics (contest-exchange.md, "Round statistics"), and the
statistics page's tables as CSV and XLSX."""

from __future__ import annotations

import io
import json

from app.models import Round
from app.services.results.export import results_document
from app.services.results.reading import round_results
from app.services.statistics.report import CUT_LINES, flag_text, round_statistics, rounded_or_none, statistics_document

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


def statistics_tables(stats) -> dict[str, tuple[str, list[str], list[list]]]:
    """The statistics page's three tables as (sheet title, header, rows of real numbers): plausible
    places per entry, judges' offsets, agreement per criterion. Headers in the reader's language."""
    from flask_babel import gettext as _

    nominations = {n.id: n.loc("title") for n in stats.ranking.nominations}
    cut_titles = {kind: str(line.title) for kind, line in CUT_LINES.items()}
    places = [[p.rank, p.number, p.title, nominations.get(p.nomination_id, ""),
               p.ranked.display_score, p.low, p.high, p.width,
               ", ".join(cut_titles.get(kind, kind) for kind in p.ties)] for p in stats.places]
    judges = [[j.name, j.email, j.reviews, round(j.offset, 2), rounded_or_none(j.error, 2), round(j.rms, 2),
               round(j.zscore_size, 2), "; ".join(flag_text(flag) for flag in j.flags)] for j in stats.judges]
    agreement = [[row.title, rounded_or_none(row.value, 3), rounded_or_none(row.low, 3),
                  rounded_or_none(row.high, 3), row.entries] for row in stats.alpha]
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

    from app.services.platform.spreadsheet import append_table, sheet_title

    workbook = Workbook(write_only=True)
    for title, header, rows in statistics_tables(round_statistics(round_)).values():
        append_table(workbook, sheet_title(title), header, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
