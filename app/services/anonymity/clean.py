"""Clean copies for judges of blind rounds: the file without the metadata that names its author.

The stored original is never touched (its SHA-256 stays); the copy is made when a judge downloads.
- PDF: the pages copied into a new document, without the document information and XMP metadata;
- DOCX: the core properties (author, last editor, title, subject, keywords, comments, category)
  cleared, and the company in the application properties removed;
- JPEG, PNG, WebP: the pixels re-encoded without EXIF (turned upright first).
Other types are served as they are.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
CLEANED_TYPES = frozenset({"application/pdf", DOCX, *IMAGE_FORMATS})
_DOCX_PROPERTIES = ("author", "last_modified_by", "title", "subject", "keywords", "comments", "category")


def _pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append_pages_from_reader(PdfReader(io.BytesIO(data)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx(data: bytes) -> bytes:
    import docx

    document = docx.Document(io.BytesIO(data))
    for name in _DOCX_PROPERTIES:
        setattr(document.core_properties, name, "")
    out = io.BytesIO()
    document.save(out)
    # The company and manager sit in docProps/app.xml, which python-docx does not edit.
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    cleaned = io.BytesIO()
    with zipfile.ZipFile(cleaned, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/app.xml":
                content = re.sub(rb"<(Company|Manager)>[^<]*</\1>", b"", content)
            target.writestr(item, content)
    return cleaned.getvalue()


def _image(data: bytes, content_type: str) -> bytes:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        # Only the pixels (and a palette) go into the copy: no EXIF, XMP, ICC text or comments.
        copy = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        if upright.mode == "P" and upright.getpalette():
            copy.putpalette(upright.getpalette())
    out = io.BytesIO()
    options = {"quality": 95} if content_type == "image/jpeg" else {}
    copy.save(out, IMAGE_FORMATS[content_type], **options)
    return out.getvalue()


def clean_copy(data: bytes, content_type: str) -> bytes:
    """The file's bytes without identifying metadata; the bytes as they are for other types or a
    file the libraries cannot read (the anonymity check lists such a file for the organiser)."""
    try:
        if content_type == "application/pdf":
            return _pdf(data)
        if content_type == DOCX:
            return _docx(data)
        if content_type in IMAGE_FORMATS:
            return _image(data, content_type)
    except Exception as error:  # a damaged file: the judge gets it as it was uploaded
        log.warning("could not make a clean copy (%s): %s", content_type, error)
    return data
