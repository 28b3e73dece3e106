"""The exchange document itself: its name and version, the error that names a bad path, and reading
JSON or a zip archive into a document (`shared/contest-exchange.md`)."""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from decimal import Decimal

from flask_babel import gettext as _

FORMAT = "formula-jury/contest"
VERSION = 2
# Version 1 documents (without the additions after v1) are still read.
READABLE_VERSIONS = (1, 2)
DOCUMENT_NAME = "contest.json"
INT_MAX = 2**31 - 1
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
ANSWER_LIMIT = 100_000
LANGUAGES = ("en", "ru")

# Limits checked before anything is read, so a small hostile file cannot make the process huge: a
# zip's members and their unpacked sizes come from its directory; the document's depth is counted
# before it is parsed (a contest document is about 6 levels deep).
MAX_ARCHIVE_MEMBERS = 100_000
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_NESTING = 32
# Longer integers become Decimals, which the validator refuses by path ("… is too large"); parsing
# them as int would raise (Python refuses to convert over 4,300 digits) or be slow.
MAX_INTEGER_DIGITS = 18
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


class ExchangeError(Exception):
    """A document that cannot be imported; `path` names the first bad value."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


# --- reading a document ----------------------------------------------------------------------

def _check_nesting(text: str) -> None:
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_NESTING:
            raise ExchangeError("", _("The document is nested more than %(limit)s levels deep.", limit=MAX_NESTING))


def _parse_int(text: str) -> int | Decimal:
    return int(text) if len(text.lstrip("-")) <= MAX_INTEGER_DIGITS else Decimal(text)


def load_document(data: bytes | str) -> dict:
    """Parses JSON text (decimals stay exact); raises ExchangeError on malformed JSON."""
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8-sig")
        _check_nesting(data)
        document = json.loads(data, parse_float=Decimal, parse_int=_parse_int)
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
        members = archive.infolist()
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise ExchangeError("", _("The archive holds %(count)s files; at most %(limit)s are accepted.",
                                      count=len(members), limit=MAX_ARCHIVE_MEMBERS))
        unpacked = sum(member.file_size for member in members)
        if unpacked > MAX_UNPACKED_BYTES:
            raise ExchangeError("", _("The archive unpacks to %(size)s MB; at most %(limit)s MB are accepted.",
                                      size=unpacked // 2**20, limit=MAX_UNPACKED_BYTES // 2**20))
        names = [member.filename for member in members]
        if DOCUMENT_NAME not in names:
            raise ExchangeError("", _("The archive has no %(name)s.", name=DOCUMENT_NAME))
        # The sizes above come from the archive's directory; zipfile stops each member at its
        # declared size (and checks its CRC), so a member cannot unpack to more than it says.
        try:
            document = load_document(archive.read(DOCUMENT_NAME))
            files = {name.removeprefix("files/"): archive.read(name)
                     for name in names if name.startswith("files/") and not name.endswith("/")}
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
            raise ExchangeError("", _("The zip archive is damaged: %(problem)s", problem=str(error))) from error
    return document, files


def read_upload(data: bytes) -> tuple[dict, dict[str, bytes] | None]:
    """A JSON document or a zip archive (recognised by its first bytes)."""
    if data[:4] == b"PK\x03\x04":
        return read_archive(data)
    return load_document(data), None


