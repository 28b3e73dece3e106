"""Helpers for the entrants' tests: small real files of each type, a form, a filled application."""

from __future__ import annotations

import io
import zipfile

from app.extensions import db
from app.models import Contest
from app.services.intake import application_form

MB = 1024 * 1024


def pdf_bytes(size: int | None = None) -> bytes:
    """A small valid PDF; padded with a comment to exactly `size` bytes when given."""
    body = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
    if size is None:
        return body
    assert size >= len(body) + 2
    return body + b"%" + b"x" * (size - len(body) - 2) + b"\n"


def png_bytes() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x00\xff\x00\x00"  # one red pixel
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def ooxml_bytes(folder: str = "ppt") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<doc/>")
    return buffer.getvalue()


def exe_bytes() -> bytes:
    header = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    return header + b"\x00" * 200 + b"This program cannot be run in DOS mode."


def add_form(contest: Contest, *, file_max_size: int | None = None) -> dict:
    """A form like DESIGN §7's in miniature; returns the fields by key."""
    fields = {}
    fields["organisation"] = application_form.add_field(
        contest, key="organisation", type="text", label_ru="Организация", label_en="Organisation",
        required=True, max_length=300)
    fields["inn"] = application_form.add_field(
        contest, key="inn", type="text", label_ru="ИНН", label_en="INN", required=True, max_length=12)
    fields["summary"] = application_form.add_field(
        contest, key="summary", type="textarea", label_ru="Краткое описание", label_en="Summary",
        help_en="What the project does, in a few sentences.", required=True, max_length=1000)
    fields["budget"] = application_form.add_field(
        contest, key="budget", type="number", label_ru="Бюджет", label_en="Budget", required=True)
    fields["start"] = application_form.add_field(
        contest, key="start", type="date", label_ru="Начало", label_en="Start date", required=False)
    fields["legal_form"] = application_form.add_field(
        contest, key="legal_form", type="select", label_ru="Форма", label_en="Legal form", required=True,
        options=[{"value": "ano", "label": {"ru": "АНО", "en": "ANO"}},
                 {"value": "fund", "label": {"ru": "Фонд", "en": "Foundation"}}])
    fields["consent"] = application_form.add_field(
        contest, key="consent", type="checkbox", label_ru="Согласие", label_en="I agree to the rules",
        required=True)
    fields["presentation"] = application_form.add_field(
        contest, key="presentation", type="file", label_ru="Презентация", label_en="Presentation",
        required=True, accept=["pdf", "pptx"], max_size=file_max_size)
    fields["photos"] = application_form.add_field(
        contest, key="photos", type="file", label_ru="Фото", label_en="Photos", required=False,
        accept=["jpg", "png"])
    db.session.commit()
    return fields


VALID_INN = "7707083893"  # a real, checksum-valid organisation INN (Sberbank)


def answers(contest: Contest, **overrides) -> dict:
    """A complete, valid POST body for the form of add_form (without files)."""
    data = {
        "title": "Школа юного эколога",
        "nomination": str(contest.nominations[0].id),
        "a_organisation": "АНО «Зелёный город»",
        "a_inn": VALID_INN,
        "a_summary": "Учим школьников сортировать отходы и измерять качество воздуха.",
        "a_budget": "1 500 000",
        "a_start": "2026-06-01",
        "a_legal_form": "ano",
        "a_consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def upload(data: bytes, name: str):
    return (io.BytesIO(data), name)
