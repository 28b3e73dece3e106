"""The report to the sponsor: applications by nomination, region, legal form and status (the funnel
draft → submitted → eligible → advanced → winner), the judges' workload and the dates, as XLSX (with
charts, openpyxl's) and PDF (tables, and charts drawn by matplotlib as PNG images)."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import Assignment, Award, Contest, Entry, EntryRound, Review, Round, User
from app.services.documents import fmt
from app.services.documents.common import in_language
from app.services.documents.pdf import PdfDocument
from app.services.intake.application_form import form_fields, option_label

FUNNEL = ("draft", "submitted", "eligible", "advanced", "winner")


@dataclass
class SponsorReport:
    contest: Contest
    funnel: list[tuple[str, int]]
    by_nomination: list[tuple[str, dict[str, int]]]
    by_region: list[tuple[str, int]]
    by_legal_form: list[tuple[str, int]]
    workload: list[tuple[str, str, int, int]]  # round, judge, assigned, submitted
    dates: list[tuple[str, str]] = field(default_factory=list)


def _funnel_labels() -> dict[str, str]:
    return {"draft": _("Draft"), "submitted": _("Submitted"), "eligible": _("Eligible"),
            "advanced": _("advanced"), "winner": _("Winners")}


def _answer_field(fields, word: str):
    return next((f for f in fields if word in f.key.lower()), None)


def sponsor_report(contest: Contest, *, language: str) -> SponsorReport:
    """Five queries whatever the number of entries; the answers are read as two columns."""
    fields = form_fields(contest)
    region_field, legal_field = _answer_field(fields, "region"), _answer_field(fields, "legal")
    rows = db.session.execute(sa.select(Entry.id, Entry.status, Entry.eligible, Entry.nomination_id, Entry.answers)
                              .where(Entry.contest_id == contest.id)).all()
    first = min(contest.rounds, key=lambda r: (r.position, r.id)) if contest.rounds else None
    advanced = set(db.session.scalars(
        sa.select(EntryRound.entry_id).join(Round, Round.id == EntryRound.round_id)
        .where(Round.contest_id == contest.id, Round.id != (first.id if first else -1))))
    winners = set(db.session.scalars(sa.select(Award.entry_id).where(Award.contest_id == contest.id)))
    stages: dict[int, list[str]] = {}
    for row in rows:
        reached = ["draft"] if row.status == "draft" else []
        if row.status == "submitted":
            reached = ["submitted"] + (["eligible"] if row.eligible else [])
            reached += ["advanced"] if row.id in advanced else []
            reached += ["winner"] if row.id in winners else []
        stages[row.id] = reached
    labels = _funnel_labels()
    # The funnel counts every application that reached a stage (a submitted one was a draft first).
    funnel = [(labels["draft"], len(rows))] + [
        (labels[stage], sum(1 for s in stages.values() if stage in s)) for stage in FUNNEL[1:]]
    nominations = [(n.id, n.loc("title")) for n in contest.nominations]
    by_nomination = []
    for nomination_id, title in nominations:
        ids = [r.id for r in rows if r.nomination_id == nomination_id]
        by_nomination.append((title, {stage: sum(1 for i in ids if stage in stages[i] or
                                                 (stage == "draft")) for stage in FUNNEL}))

    def tally(form_field) -> list[tuple[str, int]]:
        if form_field is None:
            return []
        counts = Counter()
        for row in rows:
            value = (row.answers or {}).get(form_field.key)
            if value in (None, ""):
                label = _("not given")
            elif form_field.type == "select":
                label = option_label(form_field, value, language)
            else:
                label = str(value).strip()
            counts[label] += 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    workload = []
    for round_ in contest.rounds:
        assigned = dict(db.session.execute(
            sa.select(Assignment.judge_id, sa.func.count()).where(Assignment.round_id == round_.id)
            .group_by(Assignment.judge_id)).all())
        submitted = dict(db.session.execute(
            sa.select(Review.judge_id, sa.func.count()).where(Review.round_id == round_.id,
                                                              Review.status == "submitted")
            .group_by(Review.judge_id)).all())
        ids = set(assigned) | set(submitted)
        names = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
        for judge_id in sorted(ids, key=lambda i: names.get(i, "")):
            workload.append((round_.loc("title"), names.get(judge_id, "—"), assigned.get(judge_id, 0),
                             submitted.get(judge_id, 0)))
    dates = []
    for round_ in contest.rounds:
        title = round_.loc("title")
        for label, value in ((_("intake opens"), round_.intake_opens_at), (_("intake closes"), round_.intake_closes_at),
                             (_("judging opens"), round_.judging_opens_at),
                             (_("judging closes"), round_.judging_closes_at),
                             (_("finalised"), round_.finalised_at)):
            if value is not None:
                dates.append((f"{title}: {label}", fmt.long_date(value, language, contest.timezone)))
    if contest.results_published_at:
        dates.append((_("Results published"), fmt.long_date(contest.results_published_at, language, contest.timezone)))
    return SponsorReport(contest=contest, funnel=funnel, by_nomination=by_nomination, by_region=tally(region_field),
                         by_legal_form=tally(legal_field), workload=workload, dates=dates)


def sponsor_report_pdf(contest: Contest, *, language: str) -> bytes:
    with in_language(language):
        report = sponsor_report(contest, language=language)
        pdf = PdfDocument(title=_("Report to the sponsor"), footer_text=contest.loc("title"))
        pdf.title_block(_("Report to the sponsor"), contest.loc("title"))
        _pdf_body(pdf, report)
        return pdf.to_bytes()


CHART_TOP = 12  # the longest lists (regions) show their largest values; the tables hold all


def chart_png(title: str, labels: list[str], series: list[tuple[str, list[int]]]) -> bytes:
    """A horizontal bar chart (one bar per label and series) as PNG, drawn by matplotlib on its own
    canvas (no pyplot state, so it is safe in a threaded server)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [label if len(label) <= 40 else label[:39] + "…" for label in labels]
    figure = Figure(figsize=(7, 0.9 + 0.32 * len(labels) * max(1, len(series) * 0.6)), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    height = 0.8 / len(series)
    positions = range(len(labels))
    for index, (name, values) in enumerate(series):
        bars = axes.barh([p + index * height for p in positions], values, height=height, label=name or None)
        axes.bar_label(bars, fontsize=7, padding=2)
    axes.set_yticks([p + height * (len(series) - 1) / 2 for p in positions], labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_title(title, fontsize=10)
    axes.tick_params(axis="x", labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(fontsize=7, frameon=False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _chart(pdf: PdfDocument, png: bytes) -> None:
    from PIL import Image

    width, height = Image.open(io.BytesIO(png)).size
    w = pdf.epw * 0.85
    h = w * height / width
    if pdf.get_y() + h > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=pdf.l_margin, y=pdf.get_y(), w=w, h=h)
    pdf.set_y(pdf.get_y() + h + 2)


def report_charts(report: SponsorReport) -> list[bytes]:
    """The charts of the PDF report: the funnel, the nominations by stage, the regions."""
    labels = _funnel_labels()
    charts = [chart_png(_("Applications: from draft to winner"), [label for label, _count in report.funnel],
                        [("", [count for _label, count in report.funnel])])]
    if report.by_nomination:
        stages = ("submitted", "eligible", "winner")
        charts.append(chart_png(_("By nomination"), [title for title, _counts in report.by_nomination],
                                [(labels[stage], [counts[stage] for _title, counts in report.by_nomination])
                                 for stage in stages]))
    if report.by_region:
        top = report.by_region[:CHART_TOP]
        charts.append(chart_png(_("By region"), [label for label, _count in top], [("", [c for _l, c in top])]))
    return charts


def _pdf_body(pdf: PdfDocument, report: SponsorReport) -> None:
    labels = _funnel_labels()
    charts = report_charts(report)
    pdf.heading(_("Applications: from draft to winner"))
    _chart(pdf, charts.pop(0))
    pdf.grid([_("Stage"), _("Applications")], [[label, str(count)] for label, count in report.funnel], widths=(90, 40))
    pdf.heading(_("By nomination"))
    if report.by_nomination:
        _chart(pdf, charts.pop(0))
    pdf.grid([_("Nomination"), *[labels[s] for s in FUNNEL]],
             [[title, *[str(counts[s]) for s in FUNNEL]] for title, counts in report.by_nomination],
             widths=(70, 22, 22, 22, 22, 22))
    for heading, rows in ((_("By region"), report.by_region), (_("By legal form"), report.by_legal_form)):
        if rows:
            pdf.heading(heading)
            if rows is report.by_region:
                _chart(pdf, charts.pop(0))
            pdf.grid([heading, _("Applications")], [[label, str(count)] for label, count in rows], widths=(120, 40))
    pdf.heading(_("Judges' workload"))
    pdf.grid([_("Round"), _("Jury member"), _("Assigned"), _("Submitted")],
             [[r, j, str(a), str(s)] for r, j, a, s in report.workload], widths=(50, 70, 30, 30))
    pdf.heading(_("Dates"))
    for label, value in report.dates:
        pdf.field(label, value, label_width=90)


def sponsor_report_xlsx(contest: Contest, *, language: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    with in_language(language):
        report = sponsor_report(contest, language=language)
        labels = _funnel_labels()
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Funnel")[:31]
        sheet.append([_("Stage"), _("Applications")])
        for label, count in report.funnel:
            sheet.append([label, count])
        chart = BarChart()
        chart.title = _("Applications: from draft to winner")
        chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=len(report.funnel) + 1), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(report.funnel) + 1))
        sheet.add_chart(chart, "D2")
        nominations = workbook.create_sheet(_("By nomination")[:31])
        nominations.append([_("Nomination"), *[labels[s] for s in FUNNEL]])
        for title, counts in report.by_nomination:
            nominations.append([title, *[counts[s] for s in FUNNEL]])
        if report.by_nomination:
            chart = BarChart()
            chart.title = _("By nomination")
            chart.add_data(Reference(nominations, min_col=3, max_col=6, min_row=1,
                                     max_row=len(report.by_nomination) + 1), titles_from_data=True)
            chart.set_categories(Reference(nominations, min_col=1, min_row=2, max_row=len(report.by_nomination) + 1))
            nominations.add_chart(chart, "H2")
        for title, rows in ((_("By region"), report.by_region), (_("By legal form"), report.by_legal_form)):
            tab = workbook.create_sheet(title[:31])
            tab.append([title, _("Applications")])
            for label, count in rows:
                tab.append([label, count])
        work = workbook.create_sheet(_("Judges' workload")[:31])
        work.append([_("Round"), _("Jury member"), _("Assigned"), _("Submitted")])
        for row in report.workload:
            work.append(list(row))
        dates = workbook.create_sheet(_("Dates")[:31])
        for row in report.dates:
            dates.append(list(row))
        for tab in workbook.worksheets:
            for cell in tab[1]:
                cell.font = Font(bold=True)
            tab.freeze_panes = "A2"
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
