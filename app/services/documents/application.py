"""An application as PDF: the answers in form order with their labels, the nomination, number,
submission time and the attachments; for a judge of a blind round redacted exactly as the judge's
page is (`reader_view` is the one place this package reaches the redaction). The "full dossier"
appends the attached PDFs and images after the form."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import BinaryIO

from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter

from app.models import Entry
from app.services.anonymity.titles import entry_judge_title, placeholder_title
from app.services.documents import fmt
from app.services.documents.common import in_language, spooled_copy
from app.services.documents.pdf import PdfDocument
from app.services.scoring.entry_view import Answer, entry_answers

log = logging.getLogger("formula_jury.documents")

APPENDABLE_IMAGES = frozenset({"image/png", "image/jpeg"})


@dataclass
class AttachmentLine:
    id: int
    label: str
    name: str
    content_type: str
    size: int
    storage_key: str


@dataclass
class EntryForReader:
    """An entry as one reader may see it: the data of the application PDF."""

    entry: Entry
    show_identity: bool
    number: int | None
    title: str
    nomination: str
    submitted_at: object
    status: str
    entrant: str | None
    answers: list[Answer]
    attachments: list[AttachmentLine] = field(default_factory=list)


def reader_view(entry: Entry, *, show_identity: bool, round_=None) -> EntryForReader:
    """The application as the reader sees it: everything for an organiser, redacted as the judge's
    page is when `show_identity` is false (the answers and file names through scoring.entry_view,
    the title through anonymity.titles, as the score page of `round_` shows it)."""
    answers, links = entry_answers(entry, entry.contest, show_identity=show_identity)
    title = entry.title if show_identity else (entry_judge_title(entry, round_, show_identity=False)
                                               or placeholder_title(entry.number))
    attachments = [
        AttachmentLine(id=a.id, label=link.label, name=link.name, content_type=a.content_type or "",
                       size=a.size, storage_key=a.storage_key)
        for a, link in zip(entry.attachments, links, strict=True)
    ]
    entrant = f"{entry.entrant.name} <{entry.entrant.email}>" if show_identity else None
    return EntryForReader(
        entry=entry, show_identity=show_identity, number=entry.number, title=title or "—",
        nomination=entry.nomination.loc("title") if entry.nomination else "—",
        submitted_at=entry.submitted_at, status=entry.status, entrant=entrant, answers=answers,
        attachments=attachments,
    )


def _status_text(view: EntryForReader) -> str:
    entry = view.entry
    if entry.status == "draft":
        return _("Draft")
    if entry.status == "withdrawn":
        return _("Withdrawn")
    if entry.eligible is True:
        return _("Eligible")
    if entry.eligible is False:
        return _("Ineligible")
    return _("Submitted")


def write_application(pdf: PdfDocument, view: EntryForReader, *, language: str, dossier: bool = False) -> None:
    """The application's pages, appended to `pdf` (one application, or one of a jury pack)."""
    contest = view.entry.contest
    heading = (_("Application No. %(number)s", number=view.number) if view.number
               else _("Application (draft)"))
    pdf.title_block(heading, contest.loc("title"))
    pdf.field(_("Project title"), view.title)
    pdf.field(_("Nomination"), view.nomination)
    pdf.field(_("Application number"), str(view.number or "—"))
    pdf.field(_("Submitted"), fmt.date_time(view.submitted_at, language, contest.timezone))
    pdf.field(_("Status"), _status_text(view))
    if view.entrant:
        pdf.field(_("Entrant"), view.entrant)
    elif not view.show_identity:
        pdf.paragraph(_("Blind round: what identifies the entrant is hidden."), size=8)
    pdf.heading(_("Answers"))
    for answer in view.answers:
        value = _("Hidden in a blind round") if answer.hidden else answer.value
        if answer.long:
            pdf.answer(answer.label, value)
        else:
            pdf.field(answer.label, value)
    pdf.heading(_("Attachments"))
    if not view.attachments:
        pdf.paragraph(_("No attachments."))
    else:
        pdf.grid([_("No."), _("Field"), _("File"), _("Size")],
                 [[str(n), a.label, a.name, fmt.size(a.size, language)]
                  for n, a in enumerate(view.attachments, start=1)],
                 widths=(10, 60, 80, 30))
        if dossier:
            pdf.paragraph(_("The attached PDF files and images follow this form, in this order."), size=8)


def application_pdf(entry: Entry, *, show_identity: bool, language: str, dossier: bool = False,
                    round_=None) -> bytes:
    """The application as PDF bytes; with `dossier`, its attached PDFs and images appended.
    `round_`: the round a judge reads it in (a blind round's title rule is the round's)."""
    with in_language(language):
        view = reader_view(entry, show_identity=show_identity, round_=round_)
        pdf = PdfDocument(title=_("Application No. %(number)s", number=view.number or "—"),
                          footer_text=entry.contest.loc("title"))
        write_application(pdf, view, language=language, dossier=dossier)
        form = pdf.to_bytes()
        if not dossier or not view.attachments:
            return form
        import io

        out = io.BytesIO()
        write_dossier(form, view, out)
        return out.getvalue()


def _image_page(line: AttachmentLine, source: BinaryIO) -> bytes:
    pdf = PdfDocument(title=line.name, footer_text=line.name)
    pdf.paragraph(f"{line.label}: {line.name}", bold=True)
    pdf.image(source, x=15, w=pdf.epw, keep_aspect_ratio=True, h=pdf.eph - 20)
    return pdf.to_bytes()


def write_dossier(form_pdf: bytes, view: EntryForReader, out: BinaryIO) -> list[str]:
    """The form followed by every attached PDF and image, written to `out`; returns the names of
    the files that could not be appended (a damaged PDF, say), which the form already lists."""
    import io

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(form_pdf)))
    skipped = []
    copies = []
    for line in view.attachments:
        if line.content_type != "application/pdf" and line.content_type not in APPENDABLE_IMAGES:
            continue
        try:
            copy = spooled_copy(line.storage_key)
            copies.append(copy)
            if line.content_type == "application/pdf":
                reader = PdfReader(copy)
                if reader.is_encrypted:
                    raise ValueError("encrypted")
                writer.append(reader)
            else:
                writer.append(PdfReader(io.BytesIO(_image_page(line, copy))))
        except Exception:  # noqa: BLE001 - a damaged file must not stop the dossier
            log.warning("attachment %s not appended", line.id, exc_info=True)
            skipped.append(line.name)
    writer.write(out)
    writer.close()
    for copy in copies:
        copy.close()
    return skipped
