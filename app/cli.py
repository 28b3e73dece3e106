"""Command-line interface: `flask create-admin`, `flask demo`, `flask translate …`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from app.config import PROJECT_ROOT
from app.extensions import db

TRANSLATIONS = PROJECT_ROOT / "app" / "translations"
BABEL_CFG = PROJECT_ROOT / "babel.cfg"
POT_FILE = PROJECT_ROOT / "messages.pot"


def register(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(translate)
    for extra in _area_commands():
        app.cli.add_command(extra)


# Each area keeps its commands in its own module as a list named `commands`.
AREA_COMMAND_MODULES = ("app.cli_jury", "app.cli_results")


def _area_commands() -> list:
    import importlib

    commands = []
    for module_name in AREA_COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        commands.extend(module.commands)
    return commands


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create a platform administrator (or make an existing account one)."""
    from app.services import accounts

    user = accounts.find_user_by_email(email)
    if user is None:
        user = accounts.create_user(email=email, name=name, password=password, confirmed=True,
                                    is_admin=True)
    else:
        user.is_admin = True
        accounts.set_password(user, password)
    db.session.commit()
    click.echo(f"Administrator {user.email} is ready.")


@click.command("demo")
@click.option("--reset/--keep", default=True, help="Drop and recreate the database first.")
@with_appcontext
def demo(reset: bool) -> None:
    """Create the database and the demo contest "Formula of the Future 2026", print logins."""
    from flask_migrate import upgrade

    from app.services.demo import DEMO_PASSWORD, seed_demo

    if reset:
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(directory=str(PROJECT_ROOT / "migrations"))
    logins = seed_demo()
    db.session.commit()
    click.echo("\nDemo contest 'formula-2026' is ready. Logins (password for all: "
               f"{DEMO_PASSWORD}):")
    for role, email in logins:
        click.echo(f"  {role:<14} {email}")


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
