"""Migrations: one head, and `upgrade` on an empty database gives exactly the models' schema."""

import ast
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import PROJECT_ROOT, TestConfig
from app.extensions import db

MIGRATIONS = str(PROJECT_ROOT / "migrations")


def test_migrations_have_one_head():
    config = AlembicConfig(str(PROJECT_ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_every_migration_has_docstring_and_downgrade():
    config = AlembicConfig(str(PROJECT_ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS)
    for revision in ScriptDirectory.from_config(config).walk_revisions():
        assert revision.module.__doc__ and revision.module.__doc__.strip(), revision.revision
        tree = ast.parse(Path(revision.path).read_text())
        downgrade_def = next(node for node in tree.body
                             if isinstance(node, ast.FunctionDef) and node.name == "downgrade")
        assert not all(isinstance(node, ast.Pass) for node in downgrade_def.body), revision.revision


@pytest.fixture
def empty_database_url(tmp_path):
    base_url = sa.make_url(TestConfig.SQLALCHEMY_DATABASE_URI)
    if base_url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"fj_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield base_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.dispose()


def test_upgrade_gives_models_schema_and_downgrade_empties(empty_database_url):
    class MigrationConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(MigrationConfig)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        downgrade(directory=MIGRATIONS, revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.session.remove()
        db.engine.dispose()
