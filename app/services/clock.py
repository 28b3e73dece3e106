"""The one source of "now". Deadlines are compared against it, to the second."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, has_app_context


def now() -> datetime:
    if has_app_context():
        fixed = current_app.config.get("NOW")
        if fixed is not None:
            return fixed
        clock_file = current_app.config.get("CLOCK_FILE")
        if clock_file and Path(clock_file).exists():
            text = Path(clock_file).read_text().strip()
            if text:
                return datetime.fromisoformat(text).astimezone(UTC)
    return datetime.now(UTC).replace(microsecond=0)


def is_open(opens_at: datetime | None, closes_at: datetime | None, at: datetime | None = None) -> bool:
    """A window is open from its opening second up to and including its closing second."""
    at = at or now()
    if opens_at is None or closes_at is None:
        return False
    return opens_at <= at <= closes_at
