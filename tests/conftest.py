"""Test fixtures: the app on a real database (in-memory SQLite by default, PostgreSQL when
TEST_DATABASE_URL or DATABASE_URL points at one), a client, a CLI runner, a query counter."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_babel import force_locale
from hypothesis import settings

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.services.platform import mail
from app.services.results import cache as ranking_cache
from tests import factories

# CI explores the same examples on every run, so a red build always reproduces.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

_schema_ready: set[str] = set()


def _reset_database() -> None:
    """A clean schema for every test: create it once per database, then empty the tables."""
    # A test may call this mid-way with its session still in a transaction (a SELECT is enough):
    # on PostgreSQL that transaction's locks would make TRUNCATE wait forever. End it first.
    db.session.remove()
    url = str(db.engine.url)
    if db.engine.dialect.name == "sqlite" or url not in _schema_ready:
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.create_all()
        _schema_ready.add(url)
        return
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        # Any other lock holder left behind is a bug in a test: fail in seconds, never hang CI.
        connection.exec_driver_sql("SET LOCAL lock_timeout = '20s'")
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The test's own app context (for direct database access) stays pushed; without this,
    requests would share its `g`, and with it Flask-Login's cached user and Babel's locale.
    """

    def open(self, *args, **kwargs):
        # Visitors without a language preference get Russian; tests read English unless they ask.
        headers = kwargs.setdefault("headers", {})
        if isinstance(headers, dict) and not any(k.lower() == "accept-language" for k in headers):
            headers["Accept-Language"] = "en"
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            # The request may have changed rows the test has loaded: read them afresh.
            db.session.expire_all()


@pytest.fixture
def app(tmp_path):
    app = create_app(TestConfig)
    app.test_client_class = IsolatedClient
    app.config.update(
        STORAGE_DIR=str(tmp_path / "uploads"),
        STASH_DIR=str(tmp_path / "stash"),
        NOW=None,
    )
    with app.app_context(), force_locale("en"):
        # Messages from services called directly in a test read in English, like the pages.
        _reset_database()
        # Ids and ranking versions start again with the database: so does the ranking cache.
        ranking_cache.clear()
        mail.outbox.clear()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    return mail.outbox


@pytest.fixture
def freeze(app):
    """freeze(datetime) sets the app's clock; times without a zone are UTC."""

    def _freeze(moment: datetime) -> datetime:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        app.config["NOW"] = moment
        return moment

    return _freeze


@pytest.fixture
def login(client):
    def _login(user, password: str = factories.PASSWORD):
        client.post("/auth/logout")
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, "login failed"
        return user

    return _login


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count is the number of SQL statements."""

    class Counter:
        count = 0
        statements: list[str] = []

    @contextlib.contextmanager
    def _count():
        counter = Counter()
        counter.statements = []

        def _before(conn, cursor, statement, parameters, context, executemany):
            counter.count += 1
            counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", _before)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", _before)

    return _count


@pytest.fixture
def make(app):
    """The factories, bound to the test's app."""
    return factories
