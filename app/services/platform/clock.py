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


def countdown(closes_at: datetime | None) -> dict | None:
    """Days, hours and minutes left until `closes_at`, or None once it has passed."""
    if closes_at is None:
        return None
    left = int((closes_at - now()).total_seconds())
    if left < 0:
        return None
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    return {"days": days, "hours": hours, "minutes": rest // 60, "iso": closes_at.isoformat()}
