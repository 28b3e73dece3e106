"""What every document shares: the reader's language, a request context for links, reading stored files."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from flask import current_app, has_request_context
from flask_babel import force_locale

from app.services.platform.storage import get_storage

LANGUAGES = ("ru", "en")


def document_language(requested: str | None, fallback: str) -> str:
    """The reader's choice (`?lang=`) if it is one we print, else the page's language."""
    return requested if requested in LANGUAGES else (fallback if fallback in LANGUAGES else "ru")


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Builds a document in `language`, inside a request context (a job has none), so the shared
    page helpers that make links still work."""
    outer = nullcontext() if has_request_context() else current_app.test_request_context()
    with outer, force_locale(language):
        yield


def spooled_copy(storage_key: str, *, limit: int = 8 * 1024 * 1024):
    """A stored file copied chunk by chunk into a temporary file (on disk past `limit` bytes)."""
    copy = tempfile.SpooledTemporaryFile(max_size=limit)
    for chunk in get_storage().iter_chunks(storage_key):
        copy.write(chunk)
    copy.seek(0)
    return copy


def copy_stored(storage_key: str, target) -> None:
    with spooled_copy(storage_key) as source:
        shutil.copyfileobj(source, target)
