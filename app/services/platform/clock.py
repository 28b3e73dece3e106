"""The one source of "now". Deadlines are compared against it, to the second.

While a request is served, "now" is the moment it arrived (app.web.ArrivalMiddleware stamps it
before the body is read, or takes a trusted proxy's X-Request-Start): every deadline it meets is
judged by when it was sent, not by when a busy server reached the check, and what it stores
(an entry's submitted_at) is that moment. The grace is bounded by the request timeout
(WEB_TIMEOUT): a request still arriving or running after it is taken to have arrived WEB_TIMEOUT
seconds ago, so a trickled upload cannot stretch a deadline further than that.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, has_app_context, has_request_context, request

# app.web.ARRIVAL_KEY (the platform imports nothing of the web layer).
_ARRIVAL_KEY = "fj.arrived"


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
        if has_request_context():
            arrived = request.environ.get(_ARRIVAL_KEY)
            if arrived is not None:
                moment = max(arrived, time.time() - current_app.config.get("WEB_TIMEOUT", 120))
                return datetime.fromtimestamp(int(moment), UTC)
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
