"""The jury pack of a round or one nomination of it: every eligible entry's application PDF with its
attachments and an index, as one ZIP or one combined PDF, built as a file job of the platform's queue
(RQ when REDIS_URL is set, in the process otherwise) with its progress on the job page.

The ZIP is written to a temporary file entry by entry, attachments copied chunk by chunk from storage,
and the file is then streamed to storage: memory does not grow with the number of entries. The combined
PDF is written the same way: each entry's dossier goes to a temporary file and its pages are copied
into the pack at once (pdf_stream.PdfConcatenator), so only one entry is held at a time; the index,
built last, is put first in the page tree.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile

import sqlalchemy as sa
from flask_babel import gettext as _
from pypdf import PdfReader
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Entry, EntryRound, Nomination, Round, User
from app.services.documents.application import reader_view, write_application, write_dossier
from app.services.documents.common import in_language
from app.services.documents.pdf import PdfDocument
from app.services.documents.pdf_stream import PdfConcatenator
from app.services.platform.jobs import JobFile, JobNotFound, report_progress, start_file_job
from app.services.platform.storage import get_storage

FORMATS = ("zip", "pdf")
BATCH = 50
_TYPES = {"zip": "application/zip", "pdf": "application/pdf"}


def pack_entry_ids(round_: Round, nomination_id: int | None = None) -> list[int]:
    """The eligible, submitted entries of the round (of one nomination), by number."""
    query = (sa.select(Entry.id).join(EntryRound, EntryRound.entry_id == Entry.id)
             .where(EntryRound.round_id == round_.id, Entry.status == "submitted", Entry.eligible.is_(True))
             .order_by(Entry.number, Entry.id))
    if nomination_id is not None:
        query = query.where(Entry.nomination_id == nomination_id)
    return list(db.session.scalars(query))


def start_jury_pack(*, round_: Round, nomination: Nomination | None, fmt: str, user: User, language: str) -> str:
    """Starts building the pack; returns the job id (platform.jobs.get_job)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    scope = nomination.loc("title") if nomination is not None else round_.loc("title")
    label = _("Jury pack: %(scope)s (%(format)s)", scope=scope, format=fmt.upper())
    return start_file_job(function_path=f"{__name__}.build_jury_pack",
                          kwargs={"round_id": round_.id, "nomination_id": nomination.id if nomination else None,
                                  "fmt": fmt, "language": language},
                          label=label, owner_id=user.id, contest_id=round_.contest_id)


def _safe(name: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE)[:80] or "file"


def _batches(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        entries = db.session.scalars(
            sa.select(Entry).where(Entry.id.in_(chunk))
            .options(selectinload(Entry.attachments), selectinload(Entry.entrant),
                     selectinload(Entry.nomination))
            .order_by(Entry.number, Entry.id)).all()
        yield entries
        for entry in entries:  # keep the session (and memory) as small as one batch
            for attachment in entry.attachments:
                db.session.expunge(attachment)
            db.session.expunge(entry)


def _index_pdf(round_: Round, nomination: Nomination | None, rows: list[list[str]], language: str) -> bytes:
    contest = round_.contest
    pdf = PdfDocument(title=_("Jury pack"), footer_text=contest.loc("title"))
    scope = round_.loc("title") + (f" · {nomination.loc('title')}" if nomination else "")
    pdf.title_block(_("Jury pack: index"), f"{contest.loc('title')} · {scope}")
    pdf.field(_("Entries"), str(len(rows)))
    if round_.blind:
        pdf.paragraph(_("Blind round: what identifies the entrants is hidden."), size=8)
    pdf.grid([_("No."), _("Title"), _("Nomination"), _("Attachments"), _("File")], rows,
             widths=(15, 80, 45, 20, 20))
    return pdf.to_bytes()


def build_jury_pack(*, round_id: int, nomination_id: int | None, fmt: str, language: str) -> JobFile:
    """The job: builds the pack into a temporary file and hands its path to the queue to store."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise JobNotFound(f"round {round_id}")
    nomination = db.session.get(Nomination, nomination_id) if nomination_id else None
    ids = pack_entry_ids(round_, nomination_id)
    show_identity = not round_.blind  # the pack goes to the jury: redacted as the judges' pages are
    handle, path = tempfile.mkstemp(suffix=f".{fmt}", prefix="jury-pack-")
    os.close(handle)
    with in_language(language):
        try:
            if fmt == "zip":
                _build_zip(path, round_, nomination, ids, show_identity, language)
            else:
                _build_pdf(path, round_, nomination, ids, show_identity, language)
        except BaseException:
            os.unlink(path)
            raise
        scope = _safe(nomination.key if nomination else round_.key)
    return JobFile(filename=f"{round_.contest.slug}-{scope}-jury-pack.{fmt}", content_type=_TYPES[fmt], path=path)


def _entry_pdf(entry: Entry, show_identity: bool, language: str, round_=None):
    view = reader_view(entry, show_identity=show_identity, round_=round_)
    pdf = PdfDocument(title=_("Application No. %(number)s", number=entry.number or "—"),
                      footer_text=entry.contest.loc("title"))
    write_application(pdf, view, language=language)
    return view, pdf.to_bytes()


def _build_zip(path: str, round_, nomination, ids: list[int], show_identity: bool, language: str) -> None:
    storage = get_storage()
    index = []
    done = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for entries in _batches(ids):
            for entry in entries:
                view, form = _entry_pdf(entry, show_identity, language, round_)
                folder = f"{entry.number or entry.id:05d}"
                archive.writestr(f"{folder}/{folder}-application.pdf", form)
                for position, (line, attachment) in enumerate(zip(view.attachments, entry.attachments,
                                                                  strict=True), start=1):
                    name = f"{folder}/{position:02d}-{_safe(line.name)}"
                    # Already compressed formats are stored as they are.
                    with archive.open(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), "w",
                                      force_zip64=attachment.size > 1 << 30) as target:
                        for chunk in storage.iter_chunks(attachment.storage_key):
                            target.write(chunk)
                index.append([str(entry.number or "—"), view.title, view.nomination, str(len(view.attachments)),
                              f"{folder}/"])
                done += 1
            report_progress(done, len(ids))
        archive.writestr("00000-index.pdf", _index_pdf(round_, nomination, index, language))


def _build_pdf(path: str, round_, nomination, ids: list[int], show_identity: bool, language: str) -> None:
    index = []
    done = 0
    with open(path, "wb") as out:
        pack = PdfConcatenator(out, title=_("Jury pack"))
        for entries in _batches(ids):
            for entry in entries:
                view, form = _entry_pdf(entry, show_identity, language, round_)
                with tempfile.TemporaryFile() as dossier:
                    write_dossier(form, view, dossier)
                    del form
                    dossier.seek(0)
                    pack.add(PdfReader(dossier))
                index.append([str(entry.number or "—"), view.title, view.nomination, str(len(view.attachments)), ""])
                done += 1
            report_progress(done, len(ids))
        pack.add(PdfReader(io.BytesIO(_index_pdf(round_, nomination, index, language))), front=True)
        pack.close()
