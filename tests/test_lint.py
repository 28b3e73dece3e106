"""The code stays `ruff check` clean (the rules are in pyproject.toml)."""

import shutil
import subprocess
import sys

import pytest

from app.config import PROJECT_ROOT


def test_ruff_check_clean():
    if shutil.which("ruff") is None and subprocess.run(
            [sys.executable, "-m", "ruff", "--version"], capture_output=True).returncode != 0:
        pytest.skip("ruff is not installed (it comes with the test extra)")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=PROJECT_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
