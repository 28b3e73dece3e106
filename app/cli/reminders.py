"""`flask reminders send`: the scheduled reminders that are due (run hourly by cron)."""

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


commands = [reminders]
