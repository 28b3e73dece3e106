"""The score matrix of a round: entries × judges with the review totals, the entry's score, spread
and flags, on the page and as XLSX (real numbers, frozen header row). A finalised round's scores,
ranks and flags come from its snapshot (results.reading.round_results)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import Assignment, Review, Round, User
from app.services.results.ranking import RankedEntry
from app.services.results.reading import round_results

DRAFT = "draft"
MISSING = "missing"


@dataclass
class MatrixRow:
    ranked: RankedEntry
    nomination: str
    cells: list[Decimal | str | None]  # a submitted total, DRAFT, MISSING (assigned, nothing yet) or None


@dataclass
class ScoreMatrix:
    round: Round
    judges: list[User]
    rows: list[MatrixRow]
    frozen: bool


def score_matrix(round_: Round) -> ScoreMatrix:
    """Every entry of the round's ranking × every judge assigned or reviewing in it (four queries
    plus the ranking's own, whatever the size)."""
    ranking = round_results(round_, overall=True)
    nominations = {n.id: n.loc("title") for n in round_.contest.nominations}
    assigned = db.session.execute(
        sa.select(Assignment.entry_id, Assignment.judge_id).where(Assignment.round_id == round_.id)).all()
    reviews = db.session.execute(
        sa.select(Review.entry_id, Review.judge_id, Review.status, Review.total)
        .where(Review.round_id == round_.id)).all()
    judge_ids = {j for _e, j in assigned} | {r.judge_id for r in reviews}
    judges = list(db.session.scalars(sa.select(User).where(User.id.in_(judge_ids)).order_by(User.name, User.id)))
    cell: dict[tuple[int, int], Decimal | str] = {(e, j): MISSING for e, j in assigned}
    for review in reviews:
        cell[review.entry_id, review.judge_id] = review.total if review.status == "submitted" else DRAFT
    rows = [MatrixRow(ranked=row, nomination=nominations.get(row.nomination_id, "—"),
                      cells=[cell.get((row.entry_id, judge.id)) for judge in judges])
            for row in ranking.rows]
    return ScoreMatrix(round=round_, judges=judges, rows=rows, frozen=ranking.frozen)


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def score_matrix_xlsx(round_: Round) -> bytes:
    """The matrix as a workbook: numbers stay numbers; the header row is frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    matrix = score_matrix(round_)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Score matrix")[:31]
    headers = [_("Rank"), _("No."), _("Title"), _("Nomination"), *[j.name for j in matrix.judges],
               _("Reviews"), _("Score"), _("Lowest total"), _("Highest total"), _("Spread"), _("Flagged"),
               _("Below pass mark")]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    flag_fill = PatternFill("solid", fgColor="FCE4D6")
    for row in matrix.rows:
        ranked = row.ranked
        cells = [None if c in (MISSING, None) else (_("draft") if c == DRAFT else _number(c)) for c in row.cells]
        sheet.append([ranked.rank, ranked.number, ranked.title, row.nomination, *cells, ranked.reviews,
                      _number(ranked.display_score), _number(ranked.min_total), _number(ranked.max_total),
                      _number(ranked.spread), _("yes") if ranked.flagged else "",
                      _("yes") if ranked.below_pass_mark else ""])
        if ranked.flagged:
            for cell in sheet[sheet.max_row]:
                cell.fill = flag_fill
    first_judge = 5
    for index in range(first_judge, first_judge + len(matrix.judges) + 6):
        for cell in sheet.iter_cols(min_col=index, max_col=index, min_row=2):
            for c in cell:
                c.number_format = "0.00"
    sheet.freeze_panes = "E2"  # the header row and the entry's columns stay on screen
    for index, width in enumerate((7, 7, 40, 28), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
