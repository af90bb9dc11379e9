"""The migrations are the only source of the schema: they must agree with the models, and
they must go down to nothing and up again."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from extensions import db
from tests.conftest import PG_URL

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def schema_diff(connection: Any) -> list[Any]:
    """What `flask db migrate` would write: empty when the models and the schema agree."""
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_as_batch": True},
    )
    return compare_metadata(context, db.metadata)


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS))
    heads = script.get_heads()
    assert len(heads) == 1, f"the migrations have {len(heads)} heads: {heads}"
    return heads[0]


def test_the_migrated_database_matches_the_models(app: Flask) -> None:
    # The `app` fixture's database was built by running the migrations (SQLite or PostgreSQL).
    with db.engine.connect() as connection:
        assert schema_diff(connection) == []


def test_the_database_is_at_the_single_head(app: Flask) -> None:
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    assert current == (head_revision(),)


def test_every_model_table_exists(app: Flask) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrations_have_a_downgrade_for_every_upgrade() -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    for revision in script.walk_revisions():
        source = Path(revision.path).read_text(encoding="utf-8")
        downgrade_body = source.split("def downgrade():", 1)[1]
        statements = [
            line.strip()
            for line in downgrade_body.splitlines()
            if line.strip() and not line.strip().startswith(("#", '"""'))
        ]
        assert statements and statements != ["pass"], f"{revision.revision} cannot go down"


def _throwaway_app(url: str, engine_options: dict[str, Any] | None = None) -> Flask:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
    }
    if engine_options is not None:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    return create_app(config)


def _down_and_up(app: Flask) -> None:
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            assert schema_diff(connection) == []
            assert MigrationContext.configure(connection).get_current_heads() == (head_revision(),)

        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names())
        assert tables <= {"alembic_version"}, tables
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads() == ()

        upgrade()
        with db.engine.connect() as connection:
            assert schema_diff(connection) == []
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.session.remove()
        db.engine.dispose()


def test_downgrade_to_base_and_upgrade_again_on_sqlite(tmp_path: Path) -> None:
    # Its own throwaway file: the `app` fixture's database is left alone.
    _down_and_up(_throwaway_app(f"sqlite:///{tmp_path / 'migrations.sqlite3'}"))


@pytest.fixture
def throwaway_pg_schema() -> Iterator[str]:
    """A schema of its own in the test database, dropped afterwards.

    Downgrading the suite's own schema (``public``) would drop the tables every other test
    uses (and, with several runs sharing the server, theirs); a separate schema reached
    through ``search_path`` exercises PostgreSQL's DDL without touching them.
    """
    schema = f"migrations_{secrets.token_hex(4)}"
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_downgrade_to_base_and_upgrade_again_on_postgresql(throwaway_pg_schema: str) -> None:
    app = _throwaway_app(
        PG_URL,
        {"connect_args": {"options": f"-csearch_path={throwaway_pg_schema}"}},
    )
    _down_and_up(app)
    # Everything happened in the throwaway schema, nothing in the suite's.
    engine = create_engine(PG_URL)
    try:
        public = set(inspect(engine).get_table_names(schema="public"))
        assert set(db.metadata.tables) <= public
    finally:
        engine.dispose()
