"""The anonymity check: what in each entry may still identify its entrant, before judging opens.

For every submitted entry of the contest it searches, for the entrant's identity
(`redaction.entry_identity`) and for any e-mail address:
- the title and the answers the judges read (the fields not marked identifying);
- the text of attached PDFs (pypdf, page by page) and DOCX files (python-docx: body, tables,
  headers and footers);
- the files' metadata: a PDF's author (its creator, producer, title and subject when they hold the
  identity), a DOCX's core properties (author and last editor always, others when they hold the
  identity), an image's EXIF (artist, copyright, owner, and a GPS position always);
- the files' names.
Each finding keeps a snippet and the page. Re-running keeps the organiser's decisions on findings
found again; open findings no longer found are dropped.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AnonymityFinding, Attachment, Entry, FormField
from app.services.anonymity.redaction import _EMAIL, Identity, entry_identity, find_identity
from app.services.platform.audit import record_event
from app.services.platform.clock import now

log = logging.getLogger(__name__)

CHECK_JOB = "app.services.anonymity.check.run_check"
SNIPPET_CONTEXT = 40
PDF_TYPES = ("application/pdf",)
DOCX_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
# Metadata that names a person whatever it says; other properties are findings only when they hold the identity.
PDF_ALWAYS = ("/Author",)
PDF_IF_IDENTITY = ("/Creator", "/Producer", "/Title", "/Subject", "/Keywords")
DOCX_ALWAYS = ("author", "last_modified_by")
DOCX_IF_IDENTITY = ("title", "subject", "keywords", "comments", "category", "content_status", "identifier")
# EXIF tags: Artist, Copyright, XPAuthor (Windows), ImageDescription; in the Exif IFD: CameraOwnerName, UserComment.
EXIF_ALWAYS = {315: "Artist", 33432: "Copyright", 40093: "XPAuthor"}
EXIF_IF_IDENTITY = {270: "ImageDescription"}
EXIF_IFD_ALWAYS = {42032: "CameraOwnerName"}
EXIF_IFD_IF_IDENTITY = {37510: "UserComment"}
GPS_IFD = 0x8825
EXIF_IFD = 0x8769


@dataclass(frozen=True)
class Finding:
    source: str
    location: str = ""
    page: int | None = None
    snippet: str = ""
    attachment_id: int | None = None

    @property
    def key(self) -> tuple:
        return (self.attachment_id, self.source, self.location, self.page, self.snippet)


def _snippet(text: str, start: int, end: int) -> str:
    left = max(0, start - SNIPPET_CONTEXT)
    right = min(len(text), end + SNIPPET_CONTEXT)
    snippet = " ".join(text[left:right].split())
    return ("…" if left else "") + snippet + ("…" if right < len(text) else "")


def text_findings(text: str, identity: Identity, *, source: str, location: str = "", page: int | None = None,
                  attachment_id: int | None = None) -> list[Finding]:
    """The identity, and any e-mail address, in one text: one finding per occurrence."""
    if not text:
        return []
    spans = [(found.start, found.end) for found in find_identity(text, identity)]
    spans += [(m.start(), m.end()) for m in _EMAIL.finditer(text)
              if not any(start <= m.start() < end for start, end in spans)]
    return [Finding(source=source, location=location, page=page, snippet=_snippet(text, start, end),
                    attachment_id=attachment_id) for start, end in sorted(spans)]


def _metadata(name: str, value, identity: Identity, *, always: bool, attachment_id: int | None) -> list[Finding]:
    if value is None:
        return []
    if isinstance(value, bytes):
        value = value.decode("utf-16-le" if value[1:2] == b"\x00" else "utf-8", errors="ignore")
    text = " ".join(str(value).replace("\x00", " ").split())
    if not text:
        return []
    if always or find_identity(text, identity) or _EMAIL.search(text):
        return [Finding(source="file_meta", location=name, snippet=text[:300], attachment_id=attachment_id)]
    return []


def pdf_findings(data: bytes, identity: Identity, *, attachment_id: int | None = None) -> list[Finding]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    found: list[Finding] = []
    info = reader.metadata or {}
    for name in (*PDF_ALWAYS, *PDF_IF_IDENTITY):
        found += _metadata(name.lstrip("/"), info.get(name), identity, always=name in PDF_ALWAYS,
                           attachment_id=attachment_id)
    for number, page in enumerate(reader.pages, start=1):
        found += text_findings(page.extract_text() or "", identity, source="file_text", page=number,
                               attachment_id=attachment_id)
    return found


def docx_findings(data: bytes, identity: Identity, *, attachment_id: int | None = None) -> list[Finding]:
    import docx

    document = docx.Document(io.BytesIO(data))
    found: list[Finding] = []
    properties = document.core_properties
    for name in (*DOCX_ALWAYS, *DOCX_IF_IDENTITY):
        found += _metadata(name, getattr(properties, name, None), identity, always=name in DOCX_ALWAYS,
                           attachment_id=attachment_id)
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer):
            texts += [paragraph.text for paragraph in part.paragraphs]
    found += text_findings("\n".join(texts), identity, source="file_text", attachment_id=attachment_id)
    return found


def image_findings(data: bytes, identity: Identity, *, attachment_id: int | None = None) -> list[Finding]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
    found: list[Finding] = []
    for tag, name in (*EXIF_ALWAYS.items(), *EXIF_IF_IDENTITY.items()):
        found += _metadata(name, exif.get(tag), identity, always=tag in EXIF_ALWAYS, attachment_id=attachment_id)
    inner = exif.get_ifd(EXIF_IFD)
    for tag, name in (*EXIF_IFD_ALWAYS.items(), *EXIF_IFD_IF_IDENTITY.items()):
        found += _metadata(name, inner.get(tag), identity, always=tag in EXIF_IFD_ALWAYS,
                           attachment_id=attachment_id)
    gps = exif.get_ifd(GPS_IFD)
    if gps:
        found.append(Finding(source="file_meta", location="GPS", snippet=_gps_text(gps), attachment_id=attachment_id))
    return found


def _gps_text(gps) -> str:
    def degrees(value) -> float | None:
        try:
            d, m, s = (float(part) for part in value)
        except (TypeError, ValueError):
            return None
        return d + m / 60 + s / 3600

    latitude, longitude = degrees(gps.get(2)), degrees(gps.get(4))
    if latitude is None or longitude is None:
        return "GPS"
    if gps.get(1) == "S":
        latitude = -latitude
    if gps.get(3) == "W":
        longitude = -longitude
    return f"{latitude:.5f}, {longitude:.5f}"


def file_findings(data: bytes, *, content_type: str, filename: str, identity: Identity,
                  attachment_id: int | None = None) -> list[Finding]:
    """What in one file (its name, text and metadata) may identify the entrant."""
    found = text_findings(filename, identity, source="file_name", attachment_id=attachment_id)
    try:
        if content_type in PDF_TYPES:
            found += pdf_findings(data, identity, attachment_id=attachment_id)
        elif content_type in DOCX_TYPES:
            found += docx_findings(data, identity, attachment_id=attachment_id)
        elif content_type.startswith("image/"):
            found += image_findings(data, identity, attachment_id=attachment_id)
    except Exception as error:  # a damaged file is the organiser's to look at, not a failed check
        log.warning("anonymity check could not read attachment %s: %s", attachment_id, error)
    return found


def _read(attachment: Attachment) -> bytes:
    from app.services.platform import storage

    return b"".join(storage.get_storage().iter_chunks(attachment.storage_key))


def entry_findings(entry: Entry, fields: list[FormField], *, read=_read) -> list[Finding]:
    """Every finding of one entry: title, answers judges read, attached files."""
    identity = entry_identity(entry, fields)
    found = text_findings(entry.title or "", identity, source="title")
    hidden = {form_field.key for form_field in fields if form_field.identifying}
    for form_field in fields:
        if form_field.key in hidden or form_field.type in ("file", "checkbox", "select"):
            continue
        value = (entry.answers or {}).get(form_field.key)
        if isinstance(value, str):
            found += text_findings(value, identity, source="answer", location=form_field.key)
    for attachment in entry.attachments:
        found += file_findings(read(attachment), content_type=attachment.content_type or "",
                               filename=attachment.filename, identity=identity, attachment_id=attachment.id)
    return found


def _entries(contest_id: int, entry_ids: list[int] | None = None):
    query = (sa.select(Entry).options(selectinload(Entry.attachments), selectinload(Entry.entrant))
             .where(Entry.contest_id == contest_id, Entry.status == "submitted")
             .order_by(Entry.number, Entry.id))
    if entry_ids is not None:
        query = query.where(Entry.id.in_(entry_ids))
    return db.session.scalars(query)


def run_check(contest_id: int, actor_id: int | None = None, batch: int = 200, release: bool = True) -> dict:
    """The job: checks every submitted entry of the contest and stores the findings.

    Decisions already taken on a finding found again stay; open findings no longer found go.
    Entries are read `batch` at a time and, with `release`, let go of after each batch (the
    worker's memory stays flat over 10,000 entries); a request keeps its objects (release=False)."""
    fields = list(db.session.scalars(sa.select(FormField).where(FormField.contest_id == contest_id)
                                     .order_by(FormField.position, FormField.id)))
    ids = list(db.session.scalars(sa.select(Entry.id).where(Entry.contest_id == contest_id,
                                                            Entry.status == "submitted")))
    totals = {"entries": 0, "findings": 0, "new": 0}
    at = now()
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        existing: dict[tuple, AnonymityFinding] = {}
        for finding in db.session.scalars(sa.select(AnonymityFinding).where(AnonymityFinding.entry_id.in_(chunk))):
            existing[(finding.entry_id, *Finding(finding.source, finding.location, finding.page, finding.snippet,
                                                 finding.attachment_id).key)] = finding
        seen = set()
        for entry in _entries(contest_id, chunk):
            totals["entries"] += 1
            for found in entry_findings(entry, fields):
                key = (entry.id, *found.key)
                if key in seen:
                    continue
                seen.add(key)
                totals["findings"] += 1
                if key not in existing:
                    totals["new"] += 1
                    db.session.add(AnonymityFinding(
                        contest_id=contest_id, entry_id=entry.id, attachment_id=found.attachment_id,
                        source=found.source, location=found.location[:200], page=found.page,
                        snippet=found.snippet, status="open", message="", found_at=at))
        for key, finding in existing.items():
            if key not in seen and finding.status == "open":
                db.session.delete(finding)
        db.session.flush()
        if release:
            db.session.expunge_all()
    record_event(contest_id=contest_id, actor_id=actor_id, action="anonymity.check", object_type="contest",
                 object_id=contest_id, new=totals)
    return totals


def start_check(contest, *, actor) -> bool:
    """Starts the check: queued for the worker when a queue is configured (returns True), else run
    now in the caller's transaction (returns False)."""
    from app.services.platform.jobs import enqueue_after_commit, queue_enabled

    actor_id = actor.id if actor else None
    record_event(contest_id=contest.id, actor_id=actor_id, action="anonymity.check_start",
                 object_type="contest", object_id=contest.id)
    if queue_enabled():
        enqueue_after_commit(CHECK_JOB, contest.id, actor_id)
        return True
    run_check(contest.id, actor_id, release=False)
    return False


def last_check(contest_id: int):
    """When the check last finished, and its totals (the audit event), or None."""
    from app.models import AuditEvent

    return db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.contest_id == contest_id, AuditEvent.action == "anonymity.check")
        .order_by(AuditEvent.id.desc()).limit(1))
