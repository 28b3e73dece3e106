"""Transactions behave the same on SQLite as on PostgreSQL."""

from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import User


def test_write_inside_a_savepoint_is_undone_by_rollback(app):
    db.session.commit()  # start from no open transaction, as a request does
    with db.session.begin_nested():  # the savepoint comes before any other write
        db.session.add(User(email="nested@example.org", name="Nested", locale="en",
                            created_at=datetime.now(UTC)))
    db.session.rollback()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(User)
                              .where(User.email == "nested@example.org"))
    assert count == 0
