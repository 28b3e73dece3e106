"""`flask webhooks retry`: the webhook attempts that are due (a cron's job without the queue's scheduler)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhook deliveries."""


@webhooks_group.command("retry")
@with_appcontext
def retry() -> None:
    """Make every delivery attempt that is due now."""
    from app.services.api import webhooks

    count = webhooks.retry_due_deliveries()
    db.session.commit()
    click.echo(f"{count} delivery attempt(s) made.")


commands = [webhooks_group]
