"""`flask reminders send`: the scheduled reminders that are due (run hourly by cron), or
`flask reminders schedule`: the same hourly on the job queue's scheduler (REDIS_URL)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db

reminders = AppGroup("reminders", help="Scheduled reminders to judges and entrants.")


@reminders.command("send")
@click.option("--days", default="3,1", show_default=True,
              help="Days before a window closes to remind, comma-separated.")
def send(days: str) -> None:
    """Send the reminders due now; each goes out once (safe to run every hour)."""
    from app.services.reminders.schedule import send_due_reminders

    try:
        days_before = tuple(sorted({int(part) for part in days.split(",") if part.strip()}, reverse=True))
    except ValueError as error:
        raise click.BadParameter("whole numbers, e.g. 3,1", param_hint="--days") from error
    sent = send_due_reminders(days_before=days_before)
    db.session.commit()
    click.echo(f"Reminders sent: {sent['judging']} to judges, {sent['draft']} to entrants with drafts.")


@reminders.command("schedule")
@click.option("--days", default="3,1", show_default=True,
              help="Days before a window closes to remind, comma-separated.")
def schedule_on_queue(days: str) -> None:
    """With REDIS_URL: run `reminders send` hourly on the job queue's scheduler (the worker needs
    --with-scheduler); starting it again keeps a single hourly job."""
    from app.services.reminders.schedule import schedule_next_tick

    try:
        days_before = tuple(sorted({int(part) for part in days.split(",") if part.strip()}, reverse=True))
    except ValueError as error:
        raise click.BadParameter("whole numbers, e.g. 3,1", param_hint="--days") from error
    try:
        at = schedule_next_tick(days_before)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Reminders run hourly on the job queue; next run {at.isoformat()}.")


commands = [reminders]
