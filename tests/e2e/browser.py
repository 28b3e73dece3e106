"""Finding Chromium for the browser suite, and what to do when it is missing.

In CI (`E2E_REQUIRE_BROWSER=1`, set by `.ci/run`) a missing browser is a failure; on a
developer machine without Chromium the suite skips with a message saying how to get it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

INSTALL_HINT = (
    "install Debian's Chromium (`apt-get install -y chromium`) or point E2E_CHROMIUM at a "
    "Chromium binary; `playwright install` is not needed"
)


def browser_required(environ=os.environ) -> bool:
    return environ.get("E2E_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def find_chromium(environ=os.environ) -> str | None:
    """The Chromium binary to drive: E2E_CHROMIUM if set, else Debian's /usr/bin/chromium."""
    explicit = environ.get("E2E_CHROMIUM")
    candidates = [explicit] if explicit else [
        "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def missing(reason: str, environ=os.environ):
    """Fail when the browser is required (CI), otherwise skip; never returns."""
    if browser_required(environ):
        pytest.fail(f"E2E_REQUIRE_BROWSER is set but {reason}: {INSTALL_HINT}.", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}; {INSTALL_HINT} (set E2E_REQUIRE_BROWSER=1 "
                "to make this a failure)")


def require_chromium(environ=os.environ) -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("the Playwright Python package is not installed (pip install -e '.[test]')",
                environ)
    path = find_chromium(environ)
    if path is None:
        missing("no Chromium binary was found", environ)
    return path
