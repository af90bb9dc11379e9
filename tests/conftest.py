"""Fixtures: an app per test on a fresh database (SQLite file, or PostgreSQL when
``TEST_DATABASE_URL`` is set), a controllable clock, factories and ready-made people."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask, g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from app import create_app
from auth.invitations import CONSENT_VERSION
from auth.models import Organization, Role, User
from extensions import db
from proposals.models import Campaign, Visibility

PASSWORD = "mavi deniz kırmızı elma"


def _per_worker(url: str) -> str:
    """Under pytest-xdist every worker gets a PostgreSQL database of its own (test_gw0, …),
    created on first use: workers sharing one would truncate each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


PG_URL = _per_worker(os.environ.get("TEST_DATABASE_URL", ""))
START = datetime(2026, 10, 1, 9, 0)  # naive UTC, as the database keeps it
# argon2id at its cheapest in tests (the parameters below): thousands of sign-ins stay fast.
ARGON2_TEST = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}
_PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


@dataclass
class Clock:
    """The time the app believes it is; tests move it instead of sleeping."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def _config(url: str, clock: Clock) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CLOCK": clock,
        "PUBLIC_URL": "",
        "MAIL_SERVER": "",
        "SERVER_NAME": None,
        **ARGON2_TEST,
        # Tests move the clock by days while signed in, and sign moderators and organisers
        # in with a password alone: the session limits and the two-factor requirement are
        # off unless a test turns them on (tests/test_sessions.py, tests/test_twofactor.py).
        "SESSION_IDLE_MINUTES": 0,
        "SESSION_MAX_HOURS": 0,
        "TWO_FACTOR_REQUIRED_ROLES": (),
    }


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The schema, built once per run through the migrations (the only source of the schema)."""
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        url = PG_URL
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("template") / "template.sqlite3")
    app = create_app(_config(url, Clock()))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(database_template: str, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    if PG_URL:
        url = PG_URL
    else:
        path = tmp_path / "ortak.sqlite3"
        shutil.copyfile(database_template.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    app = create_app(_config(url, clock))
    yield app
    with app.app_context():
        db.session.remove()
        if PG_URL:
            tables = ", ".join(
                f'"{t.name}"' for t in db.metadata.sorted_tables if t.name != "alembic_version"
            )
            with db.engine.begin() as conn:
                # Fail loudly instead of hanging if a connection was left in a transaction.
                conn.execute(text("SET LOCAL lock_timeout = '20s'"))
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture(autouse=True)
def fresh_request_globals(app: Flask) -> Iterator[None]:
    """Each test-client request starts with a fresh ``g``, as a real request does.

    pytest-flask pushes one request context for the whole test and the client's requests
    reuse its application context, where Flask-Login caches the current user and
    Flask-Babel the locale; without this, a sign-out, a deactivation or a language switch
    would not show on the next request of the same test.
    """

    def forget_request_caches() -> None:
        g.pop("_flask_babel", None)
        g.pop("_login_user", None)
        g.pop("csrf_token", None)  # Flask-WTF's per-request token: each client has its own

    app.before_request_funcs.setdefault(None, []).insert(0, forget_request_caches)
    yield


# --- factories ------------------------------------------------------------------------

_seq = count(1)


@pytest.fixture
def make_org(app: Flask) -> Callable[..., Organization]:
    def make(name: str | None = None, **kwargs: Any) -> Organization:
        org = Organization(name=name or f"Dernek {next(_seq)}", **kwargs)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(app: Flask, clock: Clock) -> Callable[..., User]:
    def make(
        role: Role = Role.participant,
        organization: Organization | None = None,
        email: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> User:
        n = next(_seq)
        user = User(
            email=email or f"kisi{n}@ornek.example",
            name=name or f"Kişi {n}",
            role=role,
            organization=organization,
            password_hash=_PASSWORD_HASH,
            consent_version=CONSENT_VERSION,
            consented_at=clock.now,
            **kwargs,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_campaign(app: Flask, clock: Clock) -> Callable[..., Campaign]:
    """A campaign whose submission window is open at the clock's time, unless told otherwise."""

    def make(**kwargs: Any) -> Campaign:
        now = clock.now
        values: dict[str, Any] = {
            "slug": f"kampanya-{next(_seq)}",
            "title": "25 Kasım deneme kampanyası",
            "description": "Açıklama",
            "awareness_day": (now + timedelta(days=60)).date(),
            "submission_opens_at": now - timedelta(days=1),
            "submission_closes_at": now + timedelta(days=10),
            "voting_opens_at": now + timedelta(days=12),
            "voting_closes_at": now + timedelta(days=20),
            "votes_per_organization": 3,
            "visibility": Visibility.public,
        }
        values.update(kwargs)
        campaign = Campaign(**values)
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return make


@pytest.fixture
def org_a(make_org: Callable[..., Organization]) -> Organization:
    return make_org("Karşıyaka Kadın Dayanışma Derneği")


@pytest.fixture
def org_b(make_org: Callable[..., Organization]) -> Organization:
    return make_org("Bornova Kadın Emeği Kooperatifi")


@pytest.fixture
def rep_a(make_user: Callable[..., User], org_a: Organization) -> User:
    return make_user(organization=org_a, email="ayse@karsiyaka.example", name="Ayşe Yılmaz")


@pytest.fixture
def rep_b(make_user: Callable[..., User], org_b: Organization) -> User:
    return make_user(organization=org_b, email="fatma@bornova.example", name="Fatma Demir")


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    return make_user(Role.moderator, email="leyla@ortak.example", name="Leyla Tunç")


@pytest.fixture
def organizer(make_user: Callable[..., User]) -> User:
    return make_user(Role.organizer, email="gamze@ortak.example", name="Gamze Ertürk")


class AuthActions:
    """flaskr's helper: log in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, user_or_email: User | str, password: str = PASSWORD, **kwargs: Any) -> Any:
        email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
        return self._client.post("/login", data={"email": email, "password": password}, **kwargs)

    def logout(self) -> Any:
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def outbox_link(body: str) -> str:
    """The first link to this site in a mail body, as a path the test client can open."""
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, body
    return match.group(1)
