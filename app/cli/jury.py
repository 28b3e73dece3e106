"""`flask assign SLUG ROUND`: the automatic assignment from the command line."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.extensions import db


@click.command("assign")
@click.argument("slug")
@click.argument("round_ref", metavar="ROUND")
@click.option("--extra-for-flagged", is_flag=True, help="One more judge for every entry flagged for disagreement.")
@click.option("--dry-run", is_flag=True, help="Show what would be done; save nothing.")
@with_appcontext
def assign(slug: str, round_ref: str, extra_for_flagged: bool, dry_run: bool) -> None:
    """Assign the entries of round ROUND (its key, id or position 1, 2 …) of contest SLUG to judges."""
    from app.models import Contest, Round
    from app.services.jury import assignment

    contest = db.session.scalar(sa.select(Contest).where(Contest.slug == slug))
    if contest is None:
        raise click.ClickException(f"No contest {slug!r}.")
    round_ = db.session.scalar(sa.select(Round).where(Round.contest_id == contest.id, Round.key == round_ref))
    if round_ is None and round_ref.isdigit():
        number = int(round_ref)
        round_ = db.session.get(Round, number)
        if round_ is None or round_.contest_id != contest.id:
            round_ = contest.rounds[number - 1] if 1 <= number <= len(contest.rounds) else None
    if round_ is None:
        raise click.ClickException(f"No round {round_ref!r} in {slug!r}; rounds: "
                                   + ", ".join(r.key for r in contest.rounds))
    try:
        if extra_for_flagged:
            result = assignment.assign_extra_for_flagged(round_=round_, dry_run=dry_run)
        else:
            result = assignment.assign_round(round_=round_, dry_run=dry_run)
    except assignment.AssignmentError as error:
        raise click.ClickException(str(error)) from error
    if not dry_run:
        db.session.commit()
    click.echo(f"Round {round_.key}: {'would make' if dry_run else 'made'} {len(result.pairs)} new assignments.")
    click.echo(f"Entries: {result.entries_total} considered, {result.entries_served} served, "
               f"{len(result.unserved)} unserved.")
    for item in result.unserved:
        click.echo(f"  unserved No. {item.number} ({item.missing} missing): {item.reason}")
    click.echo(f"Load per judge: min {result.min_load}, max {result.max_load}, mean {result.mean_load:.2f} "
               f"over {len(result.loads_after)} judges.")
    click.echo(f"Time: solve {result.solve_seconds:.2f} s, total {result.total_seconds:.2f} s.")


commands = [assign]
