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


def test_an_sqlite_file_runs_in_write_ahead_log_mode(tmp_path):
    # Readers must not wait for a writer (several workers at a deadline); see app/__init__.py.
    from app import create_app
    from app.config import TestConfig

    class FileConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'wal.sqlite'}"

    app = create_app(FileConfig)
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
