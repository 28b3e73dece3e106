"""The evaluation sheet of one judge for one round (оценочный лист эксперта): every assigned entry
with its criterion scores, weighted total and comments, the declaration and conflict statements, the
date and a signature line; and the blank sheet (criteria, weights, anchors) for an offline meeting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Assignment, Conflict, Criterion, Declaration, Entry, Review, Round, User
from app.services.anonymity.redaction import identities_of
from app.services.anonymity.titles import judge_title
from app.services.documents import fmt
from app.services.documents.common import in_language
from app.services.documents.pdf import PdfDocument
from app.services.platform import clock


@dataclass
class SheetScore:
    criterion: Criterion
    value: int | None
    comment: str

    @property
    def weighted(self) -> Decimal | None:
        return None if self.value is None else self.criterion.weight * self.value


@dataclass
class SheetEntry:
    entry_id: int
    number: int | None
    title: str
    status: str  # "submitted", "draft" or "not started"
    scores: list[SheetScore]
    total: Decimal | None
    comment: str


@dataclass
class EvaluationSheet:
    round: Round
    judge: User
    criteria: list[Criterion]
    entries: list[SheetEntry]
    declaration: Declaration | None
    conflicts: list[tuple[int | None, str]] = field(default_factory=list)  # (entry number, reason)
    printed_at: datetime | None = None


def evaluation_sheet(round_: Round, judge: User, *, show_identity: bool) -> EvaluationSheet:
    """The judge's sheet for the round (three queries whatever the number of entries).

    `show_identity`: false for the judge of a blind round, whose titles are redacted as the score
    page redacts answers."""
    criteria = list(round_.criteria)
    entries = list(db.session.scalars(
        sa.select(Entry).join(Assignment, Assignment.entry_id == Entry.id)
        .where(Assignment.round_id == round_.id, Assignment.judge_id == judge.id)
        .options(selectinload(Entry.entrant))
        .order_by(Entry.number, Entry.id)))
    reviews = {r.entry_id: r for r in db.session.scalars(
        sa.select(Review).where(Review.round_id == round_.id, Review.judge_id == judge.id)
        .options(selectinload(Review.scores)))}
    # The titles as the judge's dashboard shows them (anonymity.titles), identities read in one go.
    identities = {} if show_identity else identities_of([entry.id for entry in entries])
    rows = []
    for entry in entries:
        review = reviews.get(entry.id)
        by_criterion = {s.criterion_id: s for s in review.scores} if review else {}
        scores = [SheetScore(c, getattr(by_criterion.get(c.id), "value", None),
                             getattr(by_criterion.get(c.id), "comment", "") or "") for c in criteria]
        title = entry.title if show_identity else judge_title(
            number=entry.number, title=entry.title, title_checked=entry.title_checked, blind=True,
            titles_safe=bool(round_.titles_safe), identity=identities.get(entry.id))
        status = review.status if review else "not started"
        rows.append(SheetEntry(entry_id=entry.id, number=entry.number, title=title, status=status, scores=scores,
                               total=review.total if review and review.status == "submitted" else None,
                               comment=(review.comment if review else "") or ""))
    conflicts = db.session.execute(
        sa.select(Entry.number, Conflict.reason).join(Entry, Entry.id == Conflict.entry_id)
        .where(Conflict.user_id == judge.id, Entry.contest_id == round_.contest_id)
        .order_by(Entry.number)).all()
    return EvaluationSheet(round=round_, judge=judge, criteria=criteria, entries=rows,
                           declaration=db.session.get(Declaration, (round_.contest_id, judge.id)),
                           conflicts=[(n, reason or "") for n, reason in conflicts], printed_at=clock.now())


def _status_label(status: str) -> str:
    return {"submitted": _("submitted"), "draft": _("draft, not counted"),
            "not started": _("not scored")}.get(status, status)


def evaluation_sheet_pdf(round_: Round, judge: User, *, show_identity: bool, language: str) -> bytes:
    with in_language(language):
        sheet = evaluation_sheet(round_, judge, show_identity=show_identity)
        contest = round_.contest
        pdf = PdfDocument(title=_("Evaluation sheet"), footer_text=f"{contest.loc('title')} — {judge.name}")
        pdf.title_block(_("Evaluation sheet of a jury member"), f"{contest.loc('title')} · {round_.loc('title')}")
        pdf.field(_("Jury member"), judge.name)
        pdf.field(_("Entries assigned"), str(len(sheet.entries)))
        pdf.field(_("Maximum total"), fmt.number(round_.maximum, 2, language))
        for row in sheet.entries:
            pdf.heading(_("Application No. %(number)s", number=row.number or "—") + f" — {row.title}", size=10)
            pdf.grid([_("Criterion"), _("Weight"), _("Score"), _("Weighted"), _("Comment")],
                     [[s.criterion.loc("title"), fmt.number(s.criterion.weight, 2, language),
                       "—" if s.value is None else str(s.value), fmt.number(s.weighted, 2, language), s.comment]
                      for s in row.scores],
                     widths=(55, 15, 15, 20, 75))
            pdf.field(_("Weighted total"), fmt.number(row.total, 2, language) + f" ({_status_label(row.status)})")
            if row.comment:
                pdf.field(_("Overall comment"), row.comment)
        pdf.heading(_("Declaration"))
        if sheet.declaration:
            pdf.paragraph(sheet.declaration.text or "")
            pdf.field(_("Signed online"), fmt.date_time(sheet.declaration.signed_at, language, contest.timezone))
        else:
            pdf.paragraph(_("The declaration has not been signed."))
        pdf.heading(_("Declared conflicts of interest"))
        if sheet.conflicts:
            for number, reason in sheet.conflicts:
                pdf.paragraph(_("Application No. %(number)s", number=number or "—") + (f": {reason}" if reason else ""))
        else:
            pdf.paragraph(_("None declared."))
        pdf.ln(4)
        pdf.field(_("Date"), fmt.long_date(sheet.printed_at, language, contest.timezone))
        pdf.signature(_("Signature of the jury member"), judge.name)
        return pdf.to_bytes()


def blank_sheet_pdf(round_: Round, *, language: str, copies: int = 1) -> bytes:
    """Criteria, weights, scales and anchors, with empty score and comment cells."""
    with in_language(language):
        contest = round_.contest
        pdf = PdfDocument(title=_("Evaluation sheet (blank)"), footer_text=contest.loc("title"))
        for copy in range(max(1, copies)):
            if copy:
                pdf.add_page()
            pdf.title_block(_("Evaluation sheet of a jury member"),
                            f"{contest.loc('title')} · {round_.loc('title')}")
            pdf.field(_("Jury member"), "_" * 40)
            pdf.field(_("Application No."), "_" * 20)
            pdf.grid([_("No."), _("Criterion"), _("Weight"), _("Scale"), _("Anchors"), _("Score"), _("Comment")],
                     [[str(n), c.loc("title"), fmt.number(c.weight, 2, language), f"{c.min_score}–{c.max_score}",
                       c.loc("anchors"), "", ""] for n, c in enumerate(round_.criteria, start=1)],
                     widths=(8, 45, 14, 14, 45, 14, 40))
            pdf.field(_("Weighted total"), "_" * 20)
            pdf.field(_("Maximum total"), fmt.number(round_.maximum, 2, language))
            pdf.paragraph(_("Weighted total = the sum over the criteria of weight × score."), size=8)
            pdf.field(_("Date"), "_" * 20)
            pdf.signature(_("Signature of the jury member"))
        return pdf.to_bytes()
