"""Measuring tools: a clock, the process's peak memory, an SQL statement counter, a test client
whose every request runs in its own app context (as in production)."""

from __future__ import annotations

import contextlib
import re
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import has_app_context
from flask.globals import _cv_app
from flask.testing import FlaskClient

from app.extensions import db

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(name: str) -> int | None:
    try:
        match = re.search(rf"^{name}:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def rss_mb() -> float | None:
    """The process's resident memory now, in MB (Linux)."""
    kb = _status_kb("VmRSS")
    return kb / 1024 if kb is not None else None


def _reset_peak() -> bool:
    """Resets the kernel's high-water mark of resident memory to the current value."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Memory:
    start_mb: float | None = None
    peak_mb: float | None = None

    @property
    def growth_mb(self) -> float | None:
        if self.start_mb is None or self.peak_mb is None:
            return None
        return max(self.peak_mb - self.start_mb, 0.0)


@contextlib.contextmanager
def peak_memory() -> Iterator[Memory]:
    """The peak resident memory of the process during the block, and its growth over the start.

    Uses the kernel's own high-water mark (VmHWM, reset through /proc/self/clear_refs), so no
    sampling can miss a short peak. Where that is not available the figures stay None.
    """
    memory = Memory()
    if _reset_peak():
        memory.start_mb = rss_mb()
    try:
        yield memory
    finally:
        if memory.start_mb is not None:
            peak = _status_kb("VmHWM")
            memory.peak_mb = peak / 1024 if peak is not None else None


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


class QueryCounter:
    """Counts SQL statements sent to the database while it is active."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.count = 0
        self.statements: list[str] = []

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._before)


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, even while the benchmark
    holds one of its own for direct database work (the same as tests/conftest.py's)."""

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            if has_app_context():
                db.session.expire_all()
