"""The exchange document itself: its name and version, the error that names a bad path, and reading
JSON or a zip archive into a document (`shared/contest-exchange.md`)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from decimal import Decimal

from flask_babel import gettext as _

FORMAT = "formula-jury/contest"
VERSION = 1
DOCUMENT_NAME = "contest.json"
INT_MAX = 2**31 - 1
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
ANSWER_LIMIT = 100_000
LANGUAGES = ("en", "ru")


class ExchangeError(Exception):
    """A document that cannot be imported; `path` names the first bad value."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


# --- reading a document ----------------------------------------------------------------------

def load_document(data: bytes | str) -> dict:
    """Parses JSON text (decimals stay exact); raises ExchangeError on malformed JSON."""
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8-sig")
        document = json.loads(data, parse_float=Decimal)
    except UnicodeDecodeError as error:
        raise ExchangeError("", _("The file is not UTF-8 text.")) from error
    except json.JSONDecodeError as error:
        raise ExchangeError("", _("The file is not valid JSON: %(problem)s (line %(line)s, column %(column)s).",
                                  problem=error.msg, line=error.lineno, column=error.colno)) from error
    return document


def read_archive(data: bytes) -> tuple[dict, dict[str, bytes]]:
    """A zip written by export_zip: the document and the files by SHA-256."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ExchangeError("", _("The file is not a zip archive.")) from error
    with archive:
        names = archive.namelist()
        if DOCUMENT_NAME not in names:
            raise ExchangeError("", _("The archive has no %(name)s.", name=DOCUMENT_NAME))
        document = load_document(archive.read(DOCUMENT_NAME))
        files = {name.removeprefix("files/"): archive.read(name)
                 for name in names if name.startswith("files/") and not name.endswith("/")}
    return document, files


def read_upload(data: bytes) -> tuple[dict, dict[str, bytes] | None]:
    """A JSON document or a zip archive (recognised by its first bytes)."""
    if data[:4] == b"PK\x03\x04":
        return read_archive(data)
    return load_document(data), None


