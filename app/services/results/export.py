"""A round's results as files: the JSON results format of `contest-exchange.md`, CSV and XLSX."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from flask_babel import gettext as _

from app.models import Round
from app.models.funding import confirmed_grants
from app.services.platform import spreadsheet, xlsx
from app.services.platform.collector import collector_paused
from app.services.results.ranking import (
    RoundRanking,
    criterion_sums,
    plain_decimal,
)
from app.services.results.reading import round_results

RESULTS_FORMAT = "formula-jury/results"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def results_document(round_: Round, ranking: RoundRanking | None = None) -> dict:
    """The round's results: rated entries by nomination (form order) then rank; unrated numbers."""
    ranking = ranking or round_results(round_)
    keys = {n.id: n.key for n in ranking.nominations}
    rankings = []
    for _nomination, rows in ranking.groups():
        for row in rows:
            if row.unrated:
                continue
            rankings.append({
                "nomination": keys.get(row.nomination_id), "rank": row.rank, "entry": row.number,
                "score": str(row.display_score), "reviews": row.reviews, "spread": plain_decimal(row.spread),
                "flagged": row.flagged, "below_pass_mark": row.below_pass_mark,
            })
    return {
        "format": RESULTS_FORMAT, "version": 1,
        "contest": round_.contest.slug, "round": round_.key, "method": round_.method,
        "rankings": rankings,
        "unrated": sorted(row.number for row in ranking.unrated if row.number is not None),
    }


def results_json(round_: Round) -> str:
    return json.dumps(results_document(round_), ensure_ascii=False, indent=2) + "\n"


def _table(round_: Round) -> tuple[list[str], list[list]]:
    """The header and rows shared by CSV and XLSX: every entry, rated first, per nomination."""
    criteria = list(round_.criteria)
    # One pass over the score table serves both the criterion columns and the ranking's tie-breaks.
    # A frozen round's columns come from its snapshot; a live one reads the scores once for both.
    sums = None if round_.finalised_at else criterion_sums(round_, [criterion.id for criterion in criteria])
    ranking = round_results(round_, sums=sums)
    means = ranking.weighted_means(criteria, sums=sums)
    titles = {n.id: (n.key, n.loc("title")) for n in ranking.nominations}
    header = [_("Nomination key"), _("Nomination"), _("Rank"), _("Entry"), _("Title"), _("Organisation"),
              _("Score"), _("Reviews"), _("Spread"), _("Disagreement"), _("Below pass mark"), _("Not rated")]
    header += [_("Mean of %(criterion)s (weighted)", criterion=c.loc("title")) for c in criteria]
    blank = [None] * len(criteria)
    # The confirmed funding allocation (DESIGN §3b), when there is one: the amount granted.
    grants = confirmed_grants(round_.id)
    if grants:
        header.append(_("Granted"))
    rows = []
    for _nomination, group in ranking.groups():
        for row in group:
            key, title = titles.get(row.nomination_id, ("", ""))
            rows.append([key, title, row.rank, row.number, row.title, row.organisation, row.display_score,
                         row.reviews, row.spread, row.flagged, row.below_pass_mark, row.unrated,
                         *means.get(row.entry_id, blank)])
            if grants:
                rows[-1].append(grants.get(row.entry_id))
    return header, rows


def _safe(value):
    """Spreadsheet programs run text that starts like a formula; such text gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def results_csv(round_: Round, delimiter: str | None = None) -> str:
    """Cells are converted by column, not one by one: csv.writer writes None as "" and numbers
    with str(); only text (formula guard) and booleans (yes/no) need converting."""
    # Tens of thousands of cells: the collector waits until they are written (see collector_paused).
    with collector_paused():
        header, rows = _table(round_)
        buffer = io.StringIO()
        buffer.write(spreadsheet.BOM)  # so spreadsheet programs read Cyrillic as UTF-8
        # `;` and decimal commas for a Russian reader (Russian Excel), `,` and points in English
        writer = spreadsheet.csv_writer(buffer, delimiter)
        writer.writerow(header)
        words = {True: _("yes"), False: _("no")}
        text_columns = (0, 1, 4, 5)
        flag_columns = (9, 10, 11)
        number_columns = (6, 8, *range(12, len(header)))
        comma = spreadsheet.csv_number(Decimal("0.5")) == "0,5"
        for row in rows:
            for index in text_columns:
                if row[index] is not None:
                    row[index] = _safe(row[index])
            for index in flag_columns:
                row[index] = words[row[index]]
            if comma:
                for index in number_columns:
                    if row[index] is not None:
                        row[index] = str(row[index]).replace(".", ",")
        writer.writerows(rows)
        return buffer.getvalue()


def results_xlsx(round_: Round) -> bytes:
    """The table as a workbook, written row by row as it is made (platform.xlsx: memory does not
    grow with the round; text always stays text, never a formula). XlsxWriter's constant-memory
    mode and openpyxl's write-only mode were measured first and were 5× and more the CSV export
    (README, "Performance: pages whose cost does not grow with the contest")."""
    with collector_paused():
        header, rows = _table(round_)
        words = {True: _("yes"), False: _("no")}
        flag_columns = (9, 10, 11)

        def worded():
            for row in rows:
                for index in flag_columns:
                    row[index] = words[row[index]]
                yield row

        sheet = spreadsheet.sheet_title(round_.loc("title"), round_.key or "results")
        return xlsx.write_table(sheet, header, worded())
