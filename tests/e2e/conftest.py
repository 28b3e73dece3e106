"""Fixtures of the browser suite: Chromium (once per session) and the served app (once per module).

Without Chromium the suite skips with a message; with E2E_REQUIRE_BROWSER=1 (CI) it fails.
Screenshots, findings and the server log go to ARTIFACTS_DIR (default: test-artifacts/).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from tests.e2e.browser import LAUNCH_ARGS, require_chromium
from tests.e2e.server import LiveServer

ARTIFACTS_DIR = Path(os.environ.get("ARTIFACTS_DIR") or PROJECT_ROOT / "test-artifacts").resolve()
_used_artifacts: list[Path] = []


def artifacts(*parts: str, fresh: bool = False) -> Path:
    """A folder under ARTIFACTS_DIR/e2e (emptied first when fresh)."""
    folder = ARTIFACTS_DIR.joinpath("e2e", *parts)
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not _used_artifacts:
        _used_artifacts.append(ARTIFACTS_DIR / "e2e")
    return folder


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_chromium()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        except Error as error:
            pytest.fail(f"Chromium at {chromium_path} would not start: {error}", pytrace=False)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(browser, request, tmp_path_factory):
    """The app on a fresh database with an administrator, shared by the tests of a module."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    live = LiveServer(tmp_path_factory.mktemp(f"e2e-{name}"), artifacts(name) / "server.log")
    live.start()
    yield live
    live.stop()


def pytest_terminal_summary(terminalreporter):
    if _used_artifacts:
        terminalreporter.write_line(
            f"Browser suite artefacts (screenshots, findings, server log): {_used_artifacts[0]}")
