"""Without a browser the suite skips on a developer machine and fails in CI."""

import pytest

from tests.e2e.browser import find_chromium, require_chromium


def test_missing_browser_fails_when_required(tmp_path):
    environ = {"E2E_REQUIRE_BROWSER": "1", "E2E_CHROMIUM": str(tmp_path / "no-chromium")}
    with pytest.raises(pytest.fail.Exception, match="E2E_REQUIRE_BROWSER is set"):
        require_chromium(environ)


def test_missing_browser_skips_with_a_hint(tmp_path):
    environ = {"E2E_CHROMIUM": str(tmp_path / "no-chromium")}
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require_chromium(environ)


def test_explicit_binary_is_used(tmp_path):
    binary = tmp_path / "chromium"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    assert find_chromium({"E2E_CHROMIUM": str(binary)}) == str(binary)
