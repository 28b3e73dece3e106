"""`flask demo`: the database and the demo contest of DESIGN §7, with the logins printed."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.config import PROJECT_ROOT
from app.extensions import db


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
    click.echo("\nDemo contest 'formula-2026' (mid-judging) and the open call 'small-grants-2027' "
               "(applications open: register and apply at once) are ready. Logins (password for all: "
               f"{DEMO_PASSWORD}):")
    for role, email in logins:
        click.echo(f"  {role:<14} {email}")


commands = [demo]
