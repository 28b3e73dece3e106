"""Commands: `flask contest export|import` (the exchange format) and `flask results` (a round's results)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from flask_babel import force_locale

from app.extensions import db
from app.models import Round
from app.services import exchange
from app.services.results import export as results_export
from app.services.setup.contests import get_contest
from app.services.statistics import export as statistics_export


def _contest_or_fail(slug: str):
    contest = get_contest(slug)
    if contest is None:
        raise click.ClickException(f"There is no contest {slug!r}.")
    return contest


def _write(data: str | bytes, output: str | None) -> None:
    if output is None or output == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            click.echo(data, nl=False)
        return
    path = Path(output)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    click.echo(f"Written {path}", err=True)


@click.group("contest")
def contest_group() -> None:
    """Export and import whole contests in the exchange format."""


@contest_group.command("export")
@click.argument("slug")
@click.option("-o", "--output", help="The file to write (default: standard output).")
@click.option("--with-files", is_flag=True, help="Write a zip with the document and the attachments.")
@with_appcontext
def export_command(slug: str, output: str | None, with_files: bool) -> None:
    """Write contest SLUG as an exchange JSON document (or a zip with its files)."""
    contest = _contest_or_fail(slug)
    if with_files:
        _write(exchange.export_zip(contest), output)
    else:
        _write(exchange.export_json(contest), output)


@contest_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@with_appcontext
def import_command(file: str) -> None:
    """Import a contest from an exchange JSON document (or a zip written by export --with-files).

    All or nothing: on any error the message names the path of the first bad value and the
    database is left as it was.
    """
    data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    with force_locale("en"):
        try:
            document, files = exchange.read_upload(data)
            contest = exchange.import_contest(document, files=files)
        except exchange.ExchangeError as error:
            db.session.rollback()
            raise click.ClickException(f"Refused, nothing imported. {error}") from error
        except Exception:
            db.session.rollback()
            raise
    db.session.commit()
    click.echo(f"Imported contest {contest.slug!r}.")


@click.command("results")
@click.argument("slug")
@click.argument("round_key", metavar="ROUND")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option("-o", "--output", help="The file to write (default: standard output).")
@with_appcontext
def results(slug: str, round_key: str, fmt: str, output: str | None) -> None:
    """Write the results of round ROUND (its key, or its number 1, 2, …) of contest SLUG."""
    contest = _contest_or_fail(slug)
    round_ = db.session.scalar(sa.select(Round).where(Round.contest_id == contest.id, Round.key == round_key))
    if round_ is None and round_key.isdigit() and 1 <= int(round_key) <= len(contest.rounds):
        round_ = contest.rounds[int(round_key) - 1]
    if round_ is None:
        keys = ", ".join(r.key for r in contest.rounds) or "none"
        raise click.ClickException(f"Contest {slug!r} has no round {round_key!r} (rounds: {keys}).")
    if fmt == "json":
        _write(statistics_export.results_json(round_), output)
    elif fmt == "csv":
        _write(results_export.results_csv(round_), output)
    else:
        _write(results_export.results_xlsx(round_), output)


commands = [contest_group, results]
