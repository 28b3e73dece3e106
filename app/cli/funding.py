"""Command: `flask funding SLUG ROUND --rule …` prints a round's funding proposal (DESIGN §3b)."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from flask_babel import force_locale

from app.extensions import db
from app.models import Round
from app.services.funding import FundingError, allocation_json
from app.services.funding.allocation import proposal_refusal
from app.services.setup.contests import get_contest


@click.command("funding")
@click.argument("slug")
@click.argument("round_key", metavar="ROUND")
@click.option("--rule", type=click.Choice(["strict", "skip", "best"]), required=True)
@click.option("--objective", type=click.Choice(["score", "count"]), default="score", show_default=True,
              help="What rule 3 (best) maximises: the sum of scores or the number of funded entries.")
@click.option("--format", "output_format", type=click.Choice(["json"]), default="json", show_default=True)
@with_appcontext
def funding_command(slug: str, round_key: str, rule: str, objective: str, output_format: str) -> None:
    """Print the proposal of RULE for the funds of finalised ROUND of contest SLUG as JSON."""
    contest = get_contest(slug)
    if contest is None:
        raise click.ClickException(f"There is no contest {slug!r}.")
    round_ = db.session.scalar(sa.select(Round).where(Round.contest_id == contest.id, Round.key == round_key))
    if round_ is None:
        raise click.ClickException(f"The contest has no round {round_key!r}.")
    with force_locale("en"):
        refusal = proposal_refusal(round_)
        if refusal:
            raise click.ClickException(refusal)
        try:
            document = allocation_json(round_, rule=rule, objective=objective)
        except FundingError as error:
            raise click.ClickException(str(error)) from error
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


commands = [funding_command]
