"""`flask translate extract|update|init|compile`: the translation catalogues."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from app.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "app" / "translations"
BABEL_CFG = PROJECT_ROOT / "babel.cfg"
POT_FILE = PROJECT_ROOT / "messages.pot"


@click.group()
def translate() -> None:
    """Extract, update and compile the translation catalogues."""


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.call(command, cwd=PROJECT_ROOT, env=os.environ.copy()):
        raise click.ClickException("pybabel failed: " + " ".join(args))


@translate.command()
def extract() -> None:
    """Write messages.pot from the code and templates."""
    _pybabel("extract", "-F", str(BABEL_CFG), "-k", "_l", "--no-location", "--sort-output", "--no-wrap",
             "-o", str(POT_FILE), ".")


@translate.command()
def update() -> None:
    """Extract, then merge new messages into every catalogue."""
    extract.callback()
    _pybabel("update", "-i", str(POT_FILE), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete",
             "--no-wrap")
    Path(POT_FILE).unlink()


@translate.command()
@click.argument("lang")
def init(lang: str) -> None:
    """Add a new language."""
    extract.callback()
    _pybabel("init", "-i", str(POT_FILE), "-d", str(TRANSLATIONS), "-l", lang)
    Path(POT_FILE).unlink()


@translate.command()
def compile() -> None:  # noqa: A001 - the command's name
    """Compile the catalogues to .mo files."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


commands = [translate]
