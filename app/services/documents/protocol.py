"""The protocol of the expert council's meeting (протокол заседания экспертного совета) for a round
or the whole contest, as DOCX (the office edits it) and PDF, from one data function.

A finalised round is read from its frozen snapshot (results.reading.round_results). What only the
organiser knows — date, place, members present, quorum, chair, secretary, notes — is typed on a
page and kept in ProtocolDetails (`save_details`).

What other domains add:
- `grant_amounts(round_)`: the amounts granted by the confirmed funding allocation
  (funding.granted_amounts); without one the column is left out.
- `reliability_lines(round_)`: the reliability of the judges' scores in sentences
  (statistics.report.protocol_lines: agreement, flagged judges, cut lines inside a tie).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import Conflict, Contest, Entry, EntryRound, JuryMember, ProtocolDetails, Round, User
from app.services.documents import fmt
from app.services.documents.common import in_language
from app.services.documents.pdf import PdfDocument
from app.services.funding import granted_amounts
from app.services.platform import clock
from app.services.platform.money import DEFAULT_CURRENCY, format_amount
from app.services.results.outcomes import contest_awards, next_round
from app.services.results.reading import round_results, tie_break_titles
from app.services.statistics.report import protocol_lines

DETAIL_FIELDS = ("meeting_date", "place", "present", "quorum", "chair", "secretary", "notes")


# --- what the organiser types -------------------------------------------------------------------

def protocol_details(contest: Contest, round_: Round | None) -> ProtocolDetails:
    """The stored details, or new empty ones (not added to the session)."""
    round_id = round_.id if round_ is not None else None
    found = db.session.scalar(sa.select(ProtocolDetails).where(
        ProtocolDetails.contest_id == contest.id,
        ProtocolDetails.round_id.is_(None) if round_id is None else ProtocolDetails.round_id == round_id))
    return found or ProtocolDetails(contest_id=contest.id, round_id=round_id, place="", present="", quorum="",
                                    chair="", secretary="", notes="")


def save_details(contest: Contest, round_: Round | None, *, actor: User, **values) -> ProtocolDetails:
    """Keeps what the organiser typed; flushes and audits, the request commits."""
    from app.services.platform.audit import record_event

    details = protocol_details(contest, round_)
    old = {name: _plain(getattr(details, name)) for name in DETAIL_FIELDS}
    for name in DETAIL_FIELDS:
        if name in values:
            value = values[name]
            setattr(details, name, value if name == "meeting_date" else (value or "").strip())
    details.updated_at = clock.now()
    if details.id is None:
        db.session.add(details)
    db.session.flush()
    new = {name: _plain(getattr(details, name)) for name in DETAIL_FIELDS}
    changed = [name for name in DETAIL_FIELDS if old[name] != new[name]]
    if changed:
        record_event(contest_id=contest.id, actor_id=actor.id, action="protocol.edit", object_type="protocol",
                     object_id=details.id, old={k: old[k] for k in changed}, new={k: new[k] for k in changed})
    return details


def _plain(value):
    return value.isoformat() if isinstance(value, date) else (value or None)


# --- hooks for other domains ------------------------------------------------------------------

def grant_amounts(round_: Round) -> dict[int, Decimal] | None:
    """Per entry id, the amount granted by the round's confirmed funding allocation
    (funding.granted_amounts, DESIGN §3b); None when there is none, and the column is left out."""
    return granted_amounts(round_) or None


def reliability_lines(round_: Round) -> list[str]:
    """The protocol's "Reliability of the scores" section (statistics.report.protocol_lines)."""
    return protocol_lines(round_)


# --- the data ---------------------------------------------------------------------------------

@dataclass
class ProtocolRow:
    rank: int | None
    number: int | None
    title: str
    score: str
    reviews: int
    decision: str
    amount: str | None = None


@dataclass
class RoundSection:
    round: Round
    frozen: bool
    method: str
    criteria: list[tuple[str, str, str]]  # title, weight, scale
    maximum: str
    pass_mark: str
    threshold: str
    tie_breaks: list[str]
    rankings: list[tuple[str, list[ProtocolRow]]]  # per nomination
    advanced: int
    jury: list[str]
    conflicts: list[tuple[str, str, str]]  # judge, entry number, reason
    amounts: bool = False
    reliability: list[str] | None = None


@dataclass
class Protocol:
    contest: Contest
    round: Round | None
    details: ProtocolDetails
    language: str
    sections: list[RoundSection]
    winners: list[tuple[str, str, str, str]] = field(default_factory=list)  # nomination, place, No., title
    present: list[str] = field(default_factory=list)

    @property
    def draft(self) -> bool:
        return any(not s.frozen for s in self.sections)


def _method_label(method: str) -> str:
    return {"mean": _("Mean"), "median": _("Median"), "trimmed": _("Trimmed mean"),
            "zscore": _("Z-score normalised")}.get(method, method)


def _money(amount: Decimal | None, language: str) -> str:
    return "—" if amount is None else format_amount(amount, DEFAULT_CURRENCY, language)


def _round_section(round_: Round, language: str) -> RoundSection:
    ranking = round_results(round_)
    nominations = {n.id: n.loc("title") for n in round_.contest.nominations}
    target = next_round(round_)
    advanced_ids = set(db.session.scalars(
        sa.select(EntryRound.entry_id).where(EntryRound.round_id == target.id))) if target else set()
    amounts = grant_amounts(round_)
    groups: dict[int | None, list[ProtocolRow]] = {}
    for row in ranking.rows:
        if row.unrated:
            decision = _("not rated")
        elif row.below_pass_mark:
            decision = _("below the pass mark")
        elif row.entry_id in advanced_ids:
            decision = _("advanced")
        else:
            decision = ""
        groups.setdefault(row.nomination_id, []).append(ProtocolRow(
            rank=row.rank, number=row.number, title=row.title, score=fmt.number(row.display_score, 2, language),
            reviews=row.reviews, decision=decision,
            amount=_money(amounts.get(row.entry_id), language) if amounts is not None else None))
    order = [n.id for n in round_.contest.nominations] + [None]
    rankings = [(nominations.get(key, _("No nomination")), groups[key]) for key in order if key in groups]
    jury = list(db.session.scalars(
        sa.select(User.name).join(JuryMember, JuryMember.user_id == User.id)
        .where(JuryMember.round_id == round_.id, JuryMember.status == "accepted").order_by(User.name)))
    conflicts = db.session.execute(
        sa.select(User.name, Entry.number, Conflict.reason)
        .join(Entry, Entry.id == Conflict.entry_id).join(User, User.id == Conflict.user_id)
        .join(EntryRound, sa.and_(EntryRound.entry_id == Entry.id, EntryRound.round_id == round_.id))
        .order_by(Entry.number, User.name)).all()
    return RoundSection(
        round=round_, frozen=ranking.frozen, method=_method_label(round_.method),
        criteria=[(c.loc("title"), fmt.number(c.weight, 2, language), f"{c.min_score}–{c.max_score}")
                  for c in round_.criteria],
        maximum=fmt.number(round_.maximum, 2, language),
        pass_mark=fmt.number(round_.pass_mark, 2, language) if round_.pass_mark is not None else _("none"),
        threshold=fmt.number(round_.effective_disagreement_threshold, 2, language),
        tie_breaks=list(tie_break_titles(ranking)) if ranking else [],
        rankings=rankings, advanced=len(advanced_ids), jury=jury,
        conflicts=[(name, str(number or "—"), reason or "") for name, number, reason in conflicts],
        amounts=amounts is not None, reliability=reliability_lines(round_),
    )


def protocol_data(contest: Contest, round_: Round | None, *, language: str) -> Protocol:
    """The protocol of one round, or of the contest (every finalised round, then the winners)."""
    details = protocol_details(contest, round_)
    rounds = [round_] if round_ is not None else [r for r in contest.rounds if r.finalised_at is not None]
    sections = [_round_section(r, language) for r in rounds]
    winners = []
    if round_ is None:
        nominations = {n.id: n.loc("title") for n in contest.nominations}
        for award in contest_awards(contest):
            winners.append((nominations.get(award.nomination_id, "—"),
                            str(award.place) if award.place else award.loc("title"),
                            str(award.entry.number or "—"), award.entry.title))
    present = [line.strip() for line in (details.present or "").splitlines() if line.strip()]
    return Protocol(contest=contest, round=round_, details=details, language=language, sections=sections,
                    winners=winners, present=present)


def _title(protocol: Protocol) -> str:
    return _("Minutes of the expert council meeting")


def _lines(protocol: Protocol) -> list[tuple[str, str]]:
    """The heading facts, label and value, in print order."""
    details, language = protocol.details, protocol.language
    jury_size = len({name for s in protocol.sections for name in s.jury})
    lines = [
        (_("Contest"), protocol.contest.loc("title")),
        (_("Round"), protocol.round.loc("title") if protocol.round else _("All finalised rounds")),
        (_("Date of the meeting"), fmt.long_date(details.meeting_date, language)),
        (_("Place"), details.place or "—"),
        (_("Chair"), details.chair or "—"),
        (_("Secretary"), details.secretary or "—"),
        (_("Members present"), _("%(present)s of %(total)s members of the jury",
                                 present=len(protocol.present), total=jury_size)),
        (_("Quorum"), details.quorum or "—"),
    ]
    return lines


# --- PDF --------------------------------------------------------------------------------------

def protocol_pdf(contest: Contest, round_: Round | None, *, language: str) -> bytes:
    with in_language(language):
        protocol = protocol_data(contest, round_, language=language)
        pdf = PdfDocument(title=_title(protocol), footer_text=contest.loc("title"))
        pdf.title_block(_title(protocol), contest.loc("title"))
        if protocol.draft:
            pdf.paragraph(_("Draft: a round in it is not finalised; its ranking may still change."), bold=True)
        for label, value in _lines(protocol):
            pdf.field(label, value)
        if protocol.present:
            pdf.heading(_("Present"))
            for name in protocol.present:
                pdf.paragraph(name)
        for section in protocol.sections:
            _pdf_section(pdf, section, protocol)
        if protocol.winners:
            pdf.heading(_("Winners"))
            pdf.grid([_("Nomination"), _("Place or prize"), _("No."), _("Title")],
                     [list(w) for w in protocol.winners], widths=(55, 30, 15, 80))
        if protocol.details.notes:
            pdf.heading(_("Notes and decisions"))
            pdf.paragraph(protocol.details.notes)
        pdf.ln(6)
        pdf.signature(_("Chair of the expert council"), protocol.details.chair)
        pdf.signature(_("Secretary"), protocol.details.secretary)
        return pdf.to_bytes()


def _pdf_section(pdf: PdfDocument, section: RoundSection, protocol: Protocol) -> None:
    pdf.heading(section.round.loc("title"), size=13)
    pdf.heading(_("Method and rules"), size=11)
    pdf.field(_("Aggregation"), section.method)
    pdf.field(_("Maximum total"), section.maximum)
    pdf.field(_("Pass mark"), section.pass_mark)
    pdf.field(_("Disagreement threshold"), section.threshold)
    pdf.field(_("Tie-break order"), ", ".join(section.tie_breaks + [_("earlier submission"), _("entry number")]))
    pdf.grid([_("Criterion"), _("Weight"), _("Scale")], [list(c) for c in section.criteria], widths=(120, 30, 30))
    pdf.heading(_("Declared conflicts of interest and recusals"), size=11)
    if section.conflicts:
        pdf.grid([_("Jury member"), _("Application No."), _("Reason")], [list(c) for c in section.conflicts],
                 widths=(60, 30, 90))
    else:
        pdf.paragraph(_("None declared."))
    if section.reliability:
        pdf.heading(_("Reliability of the scores"), size=11)
        for line in section.reliability:
            pdf.paragraph(line)
    pdf.heading(_("Ranking by nomination"), size=11)
    headers = [_("Place"), _("No."), _("Title"), _("Score"), _("Reviews"), _("Decision")]
    widths = (14, 14, 82, 20, 16, 34)
    if section.amounts:
        headers.append(_("Amount granted"))
        widths = (12, 12, 70, 18, 14, 28, 26)
    for nomination, rows in section.rankings:
        pdf.paragraph(nomination, bold=True)
        pdf.grid(headers, [[str(r.rank or "—"), str(r.number or "—"), r.title, r.score, str(r.reviews), r.decision]
                           + ([r.amount] if section.amounts else []) for r in rows], widths=widths)
    if section.advanced:
        pdf.paragraph(_("Advanced to the next round: %(count)s entries.", count=section.advanced))


# --- DOCX -------------------------------------------------------------------------------------

def protocol_docx(contest: Contest, round_: Round | None, *, language: str) -> bytes:
    from docx import Document
    from docx.shared import Pt

    with in_language(language):
        protocol = protocol_data(contest, round_, language=language)
        document = Document()
        style = document.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(12)
        document.core_properties.title = _title(protocol)
        document.add_heading(_title(protocol), level=0)
        document.add_paragraph(contest.loc("title"))
        if protocol.draft:
            document.add_paragraph().add_run(
                _("Draft: a round in it is not finalised; its ranking may still change.")).bold = True
        facts = document.add_table(rows=0, cols=2)
        facts.style = "Table Grid"
        for label, value in _lines(protocol):
            cells = facts.add_row().cells
            cells[0].text, cells[1].text = label, value
        if protocol.present:
            document.add_heading(_("Present"), level=1)
            for name in protocol.present:
                document.add_paragraph(name, style="List Number")
        for section in protocol.sections:
            _docx_section(document, section)
        if protocol.winners:
            document.add_heading(_("Winners"), level=1)
            _docx_table(document, [_("Nomination"), _("Place or prize"), _("No."), _("Title")],
                        [list(w) for w in protocol.winners])
        if protocol.details.notes:
            document.add_heading(_("Notes and decisions"), level=1)
            for line in protocol.details.notes.splitlines():
                document.add_paragraph(line)
        document.add_paragraph()
        for role, name in ((_("Chair of the expert council"), protocol.details.chair),
                           (_("Secretary"), protocol.details.secretary)):
            document.add_paragraph(f"{role}  ____________________  {name}")
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def _docx_table(document, headers: list[str], rows: list[list[str]]) -> None:
    """A grid table made in one go: Table.add_row looks its table up again for every row, which
    made a 10,000-row ranking quadratic (minutes); the XML of all rows at once is linear."""
    from docx.table import _Cell

    table = document.add_table(rows=len(rows) + 1, cols=len(headers))
    table.style = "Table Grid"
    trs = table._tbl.tr_lst
    for tc, header in zip(trs[0].tc_lst, headers, strict=True):
        cell = _Cell(tc, table)
        cell.text = header
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for tr, values in zip(trs[1:], rows, strict=True):
        for tc, value in zip(tr.tc_lst, values, strict=True):
            _Cell(tc, table).text = "—" if value is None or value == "" else str(value)


def _docx_section(document, section: RoundSection) -> None:
    document.add_heading(section.round.loc("title"), level=1)
    document.add_heading(_("Method and rules"), level=2)
    for label, value in ((_("Aggregation"), section.method), (_("Maximum total"), section.maximum),
                         (_("Pass mark"), section.pass_mark), (_("Disagreement threshold"), section.threshold),
                         (_("Tie-break order"),
                          ", ".join(section.tie_breaks + [_("earlier submission"), _("entry number")]))):
        document.add_paragraph(f"{label}: {value}")
    _docx_table(document, [_("Criterion"), _("Weight"), _("Scale")], [list(c) for c in section.criteria])
    document.add_heading(_("Declared conflicts of interest and recusals"), level=2)
    if section.conflicts:
        _docx_table(document, [_("Jury member"), _("Application No."), _("Reason")],
                    [list(c) for c in section.conflicts])
    else:
        document.add_paragraph(_("None declared."))
    if section.reliability:
        document.add_heading(_("Reliability of the scores"), level=2)
        for line in section.reliability:
            document.add_paragraph(line)
    document.add_heading(_("Ranking by nomination"), level=2)
    headers = [_("Place"), _("No."), _("Title"), _("Score"), _("Reviews"), _("Decision")]
    if section.amounts:
        headers.append(_("Amount granted"))
    for nomination, rows in section.rankings:
        document.add_paragraph().add_run(nomination).bold = True
        _docx_table(document, headers, [[str(r.rank or "—"), str(r.number or "—"), r.title, r.score, str(r.reviews),
                                         r.decision] + ([r.amount] if section.amounts else []) for r in rows])
    if section.advanced:
        document.add_paragraph(_("Advanced to the next round: %(count)s entries.", count=section.advanced))
