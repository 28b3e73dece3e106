"""`flask create-admin`: a platform administrator."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create a platform administrator (or make an existing account one)."""
    from app.services.platform import accounts

    problem = accounts.password_problem(password, email=email)
    if problem:
        raise click.ClickException(problem)
    user = accounts.find_user_by_email(email)
    if user is None:
        user = accounts.create_user(email=email, name=name, password=password, confirmed=True,
                                    is_admin=True)
    else:
        user.is_admin = True
        accounts.set_password(user, password)
    db.session.commit()
    click.echo(f"Administrator {user.email} is ready.")


commands = [create_admin]
