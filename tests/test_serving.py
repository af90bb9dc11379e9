"""Production serving: health checks, static caching, compression, database recovery."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import create_app
from extensions import db
from tests.conftest import PG_URL, _config


def test_healthz_answers_when_the_database_is_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_healthz_fails_when_the_database_is_unreachable(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_refuses_traffic_while_migrations_are_pending(app, client):
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        db.session.commit()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json["migrations"] == "pending"
    finally:
        from serving import _migration_heads

        with app.app_context():
            (head,) = _migration_heads()
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()


def test_static_urls_are_fingerprinted_and_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(/static/ortak\.css\?v=[0-9a-f]{12})"', page)
    assert urls, "the stylesheet link carries a content fingerprint"
    response = client.get(urls[0])
    response.close()
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache
    assert "immutable" in cache
    assert "no-cache" not in cache


def test_static_without_fingerprint_revalidates(client):
    response = client.get("/static/ortak.css")
    response.close()
    assert "no-cache" in response.headers["Cache-Control"]


def test_pages_are_compressed_for_browsers_that_accept_it(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"
    import gzip

    assert b"<html" in gzip.decompress(response.data)
    plain = client.get("/")
    assert plain.headers.get("Content-Encoding") is None
    assert b"<html" in plain.data


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_the_app_recovers_after_its_database_connections_are_killed(app, clock):
    """A PostgreSQL restart or failover drops every connection; the next request must work."""
    # An app of its own: each request gets its own context and returns its connection to
    # the pool, as under gunicorn (the `client` fixture keeps one context for the test).
    served = create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"], clock))
    client = served.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 200  # the pool now holds idle connections
    admin = db.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with admin.begin() as conn:
        killed = conn.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    admin.dispose()
    assert killed >= 1
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 200
    with served.app_context():
        db.engine.dispose()
