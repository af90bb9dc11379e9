"""The security log (auth/security_log.py): one JSON line per event with the common fields,
for failed sign-ins, limits hit, permission denials, deactivations, new accounts and
exports — and never a password, a token or the address typed for an unknown account."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from auth import security_log
from auth.invitations import invite
from auth.models import OutboxMessage, Role, User
from extensions import db
from tests.conftest import PASSWORD, outbox_link
from tests.people_helpers import isolated_requests, page_text  # noqa: F401 - autouse fixture

WRONG_PASSWORD = "yanlış-parola-Gizli-42"
NEW_PASSWORD = "gece yarısı vapur kalkar"


class SecurityLog:
    """The lines the logger wrote during a test, as its handler formats them."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog
        self._formatter = security_log.JsonLinesFormatter()

    def lines(self) -> list[str]:
        return [
            self._formatter.format(record)
            for record in self._caplog.records
            if record.name == security_log.LOGGER_NAME
        ]

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        parsed = [json.loads(line) for line in self.lines()]
        return [entry for entry in parsed if name is None or entry["event"] == name]

    def one(self, name: str) -> dict[str, Any]:
        found = self.events(name)
        assert len(found) == 1, (name, self.events())
        return found[0]

    def text(self) -> str:
        return "\n".join(self.lines())


@pytest.fixture
def seclog(caplog: pytest.LogCaptureFixture) -> Iterator[SecurityLog]:
    """The logger does not propagate (its own JSON handler); caplog listens to it directly."""
    logger = logging.getLogger(security_log.LOGGER_NAME)
    logger.addHandler(caplog.handler)
    try:
        yield SecurityLog(caplog)
    finally:
        logger.removeHandler(caplog.handler)


@pytest.fixture
def browser(app: Flask) -> Callable[..., FlaskClient]:
    def open_as(user: User | None = None) -> FlaskClient:
        client = app.test_client()
        if user is not None:
            response = client.post("/login", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 303, page_text(response)
        return client

    return open_as


def assert_common_fields(entry: dict[str, Any], path: str, user_id: int | None) -> None:
    assert entry["ts"].endswith("Z")
    assert entry["ip"] == "127.0.0.1"
    assert entry["path"] == path
    assert entry["user_id"] == user_id


# --- sign-in -------------------------------------------------------------------------------


def test_a_failed_sign_in_of_an_unknown_address_keeps_only_a_hash(browser, seclog):
    browser().post("/login", data={"email": "Gizli.Kisi@Ornek.example", "password": WRONG_PASSWORD})
    entry = seclog.one("login.failed")
    assert_common_fields(entry, "/login", None)
    assert entry["known_account"] is False
    assert len(entry["email_hash"]) == 16
    # The same address, however typed, gives the same hash: attempts can be grouped.
    assert entry["email_hash"] == security_log.email_fingerprint("gizli.kisi@ornek.example ")
    text = seclog.text().lower()
    assert "gizli.kisi" not in text
    assert "ornek.example" not in text
    assert WRONG_PASSWORD.lower() not in text


def test_a_failed_sign_in_of_an_account_names_the_account_not_the_password(browser, seclog, rep_a):
    browser().post("/login", data={"email": rep_a.email, "password": WRONG_PASSWORD})
    entry = seclog.one("login.failed")
    assert entry["known_account"] is True
    assert entry["account_id"] == rep_a.id
    assert entry["account_active"] is True
    assert "email_hash" not in entry
    assert WRONG_PASSWORD not in seclog.text()
    assert rep_a.email not in seclog.text()


def test_a_successful_sign_in_is_not_a_security_event(browser, seclog, rep_a):
    browser(rep_a)
    assert seclog.events("login.failed") == []


def test_hitting_a_limit_is_logged_with_the_limit(app, browser, seclog):
    app.config["RATELIMIT_LOGIN_IP"] = "1 per minute"
    client = browser()
    for _ in range(2):
        client.post("/login", data={"email": "x@ornek.example", "password": WRONG_PASSWORD})
    entry = seclog.one("rate_limit.exceeded")
    assert_common_fields(entry, "/login", None)
    assert entry["endpoint"] == "auth.login"
    assert entry["limit"] == "1 per 1 minute"
    assert WRONG_PASSWORD not in seclog.text()


def test_tokens_in_addresses_never_reach_the_log(app, browser, seclog):
    app.config["RATELIMIT_RESET_IP"] = "1 per minute"
    token = "Gizli-Sifirlama-Anahtari.abc123"
    client = browser()
    for _ in range(2):
        client.post(f"/password/reset/{token}", data={"password": NEW_PASSWORD})
    entry = seclog.one("rate_limit.exceeded")
    assert entry["path"] == "/password/reset/<token>"
    assert token not in seclog.text()
    assert NEW_PASSWORD not in seclog.text()


# --- refusals and changes to people ------------------------------------------------------------


def test_a_permission_denial_is_logged_with_who_and_where(browser, seclog, rep_a):
    assert browser(rep_a).get("/admin/people").status_code == 403
    entry = seclog.one("permission.denied")
    assert_common_fields(entry, "/admin/people", rep_a.id)
    assert entry["endpoint"] == "auth.people"


def test_deactivating_and_reactivating_a_person_is_logged(browser, seclog, organizer, rep_a):
    client = browser(organizer)
    client.post(f"/admin/people/{rep_a.id}/active", data={"active": "0"})
    client.post(f"/admin/people/{rep_a.id}/active", data={"active": "1"})
    off, on = seclog.one("user.deactivate"), seclog.one("user.activate")
    assert_common_fields(off, f"/admin/people/{rep_a.id}/active", organizer.id)
    assert off["actor_id"] == organizer.id
    assert off["account_id"] == rep_a.id
    assert off["role"] == "participant"
    assert on["account_id"] == rep_a.id


def test_deactivating_an_organisation_is_logged(browser, seclog, organizer, org_a):
    browser(organizer).post(f"/organizations/{org_a.id}/active", data={"active": "0"})
    entry = seclog.one("organization.deactivate")
    assert entry["organization_id"] == org_a.id
    assert entry["actor_id"] == organizer.id


def test_a_new_account_is_logged_with_its_role_and_without_the_token(
    browser, seclog, organizer, clock
):
    invite(organizer, email="yeni@ortak.example", role=Role.moderator, now=clock.now)
    db.session.commit()
    mail = db.session.query(OutboxMessage).filter_by(to_address="yeni@ortak.example").one()
    link = outbox_link(mail.body_text)
    token = link.rsplit("/", 1)[1]
    response = browser().post(
        link,
        data={
            "name": "Yeni Moderatör",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "locale": "tr",
            "consent": "y",
        },
    )
    assert response.status_code == 303, page_text(response)
    entry = seclog.one("account.created")
    assert entry["role"] == "moderator"
    assert entry["path"] == "/invitation/<token>"
    assert token not in seclog.text()
    assert NEW_PASSWORD not in seclog.text()
    assert "yeni@ortak.example" not in seclog.text()


# --- exports ----------------------------------------------------------------------------------


def test_a_results_download_is_logged(app, seclog, organizer, make_campaign):
    campaign = make_campaign()
    app.test_client_class = FlaskClient  # streamed downloads: the plain client (test_exports)
    client = app.test_client()
    client.post("/login", data={"email": organizer.email, "password": PASSWORD})
    response = client.get(f"/campaigns/{campaign.slug}/results.csv?top=5")
    assert response.status_code == 200
    response.get_data()
    response.close()
    entry = seclog.one("export.results")
    assert entry["campaign"] == campaign.slug
    assert entry["format"] == "csv"
    assert entry["user_id"] == organizer.id


# --- the format itself ----------------------------------------------------------------------


def test_each_event_is_one_json_line_and_secret_fields_are_dropped(app, seclog):
    with app.test_request_context("/somewhere", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        security_log.event(
            "test.event",
            note="satır\nsonu",
            password="p4ss",
            reset_token="t0ken",
            session_id="s1d",
            email="biri@ornek.example",
        )
    (line,) = seclog.lines()
    assert "\n" not in line
    entry = json.loads(line)
    assert set(entry) == {"ts", "event", "user_id", "ip", "path", "note", "email_hash"}
    assert entry["ip"] == "10.1.2.3"
    assert entry["path"] == "/somewhere"
    assert entry["note"] == "satır\nsonu"
    assert "biri@ornek.example" not in line


def test_outside_a_request_the_request_fields_are_empty(app, seclog):
    def command() -> None:  # as a CLI command or cron job runs: no request at all
        with app.app_context():
            security_log.event("cli.event", account_id=7)

    thread = threading.Thread(target=command)  # pytest-flask's request context stays here
    thread.start()
    thread.join()
    entry = seclog.one("cli.event")
    assert entry["user_id"] is None
    assert entry["ip"] is None
    assert entry["path"] is None
    assert entry["account_id"] == 7
