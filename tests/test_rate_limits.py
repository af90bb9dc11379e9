# ruff: noqa: F811 - the shared fixtures are imported from tests/voting_helpers.py
"""Rate limits: each limited action answers 429 with ``Retry-After`` and the friendly page
(in the reader's language) once its configured limit is used up; limits count per
signed-in user (a colleague at the same office address is not held up) and per address
for visitors. Every limit is configuration and documented in README's table.

Sign-in, password reset and their per-account limits are tested in tests/test_accounts.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import parse_many

from auth.models import Role, User
from extensions import db
from proposals.models import Campaign, Proposal
from tests.conftest import PASSWORD
from tests.people_helpers import isolated_requests, page_text, tr  # noqa: F401 - autouse fixture
from tests.voting_helpers import make_proposal, org_c, voting_campaign  # noqa: F401 - fixtures

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def browser(app: Flask) -> Callable[..., FlaskClient]:
    """A browser of its own, signed in as ``user`` (or anonymous), from ``address``."""

    def open_as(user: User | None = None, address: str = "10.0.0.1") -> FlaskClient:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        if user is not None:
            response = client.post("/login", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 303, page_text(response)
        return client

    return open_as


def assert_refused(response: Any, within_seconds: int = 60) -> None:
    """429, when to come back (in seconds, as the header and on the page), the friendly page."""
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= within_seconds
    text = page_text(response)
    assert tr("Too many attempts") in text
    assert tr("For your account's safety, please wait a little before trying again.") in text


def assert_allowed(response: Any) -> None:
    assert response.status_code != 429, page_text(response)


@pytest.fixture
def published(make_campaign: Callable[..., Campaign], make_proposal, org_c) -> Proposal:
    """A submitted proposal of a third organisation, open for comments."""
    return make_proposal(make_campaign(), org_c)


# --- the limited actions ---------------------------------------------------------------


def test_comments_are_limited_per_person(app, browser, rep_a, rep_b, published):
    app.config["RATELIMIT_COMMENT"] = "2 per minute"
    path = f"/proposals/{published.id}/comments"
    ayse = browser(rep_a)
    assert ayse.post(path, data={"body": "Birinci yorum"}).status_code == 303
    assert ayse.post(path, data={"body": "İkinci yorum"}).status_code == 303
    assert_refused(ayse.post(path, data={"body": "Üçüncü yorum"}))
    # A colleague from another organisation at the same address still speaks.
    assert browser(rep_b).post(path, data={"body": "Başka biri"}).status_code == 303


def test_votes_are_limited_per_person(
    app, browser, rep_a, rep_b, voting_campaign, make_proposal, org_c
):
    app.config["RATELIMIT_VOTE"] = "2 per minute"
    proposal = make_proposal(voting_campaign(), org_c)
    path = f"/proposals/{proposal.id}/vote"
    ayse = browser(rep_a)
    assert ayse.post(path, data={"points": "1"}).status_code == 303
    assert ayse.post(path, data={"points": "0"}).status_code == 303
    assert_refused(ayse.post(path, data={"points": "1"}))
    assert browser(rep_b).post(path, data={"points": "1"}).status_code == 303


def test_proposal_posting_is_limited_and_reading_the_form_is_not(
    app, browser, rep_a, make_campaign
):
    app.config["RATELIMIT_PROPOSAL"] = "1 per minute"
    campaign = make_campaign()
    path = f"/campaigns/{campaign.slug}/proposals/new"
    ayse = browser(rep_a)
    assert_allowed(ayse.post(path, data={"title": "Taslak", "creation_key": "k1"}))
    assert_refused(ayse.post(path, data={"title": "Taslak", "creation_key": "k1"}))
    assert ayse.get(path).status_code == 200


def test_autosave_is_limited_generously_and_on_its_own(app, browser, rep_a, make_campaign):
    assert parse_many(app.config["RATELIMIT_AUTOSAVE"])[0].amount >= 30  # every few seconds
    app.config["RATELIMIT_AUTOSAVE"] = "2 per minute"
    campaign = make_campaign()
    path = f"/campaigns/{campaign.slug}/proposals/autosave"
    ayse = browser(rep_a)
    for _ in range(2):
        assert ayse.post(path, data={"title": "Taslak", "creation_key": "k2"}).status_code == 200
    assert_refused(ayse.post(path, data={"title": "Taslak", "creation_key": "k2"}))
    # Saving by the button is another bucket: the draft is not lost to the autosave's limit.
    new = ayse.post(
        f"/campaigns/{campaign.slug}/proposals/new", data={"title": "Taslak", "creation_key": "k2"}
    )
    assert new.status_code == 303


def test_exports_are_limited_per_organiser(app, browser, organizer, make_user, make_campaign):
    app.config["RATELIMIT_EXPORT"] = "2 per minute"
    # Streamed downloads end in the test's own context: the plain client, as test_exports.
    app.test_client_class = FlaskClient
    campaign = make_campaign()
    gamze = browser(organizer)
    for fmt in ("csv", "json"):
        response = gamze.get(f"/campaigns/{campaign.slug}/results.{fmt}")
        assert response.status_code == 200
        response.get_data()
        response.close()
    assert_refused(gamze.get(f"/campaigns/{campaign.slug}/results.xlsx"))
    other = browser(make_user(Role.organizer))
    response = other.get(f"/campaigns/{campaign.slug}/results.csv")
    assert response.status_code == 200
    response.get_data()
    response.close()


def test_invitation_acceptance_is_limited_per_address_even_for_wrong_tokens(app, browser):
    app.config["RATELIMIT_INVITATION_IP"] = "2 per minute"
    guesser = browser(address="10.9.9.9")
    for n in range(2):
        assert guesser.post(f"/invitation/tahmin-{n}", data={"name": "X"}).status_code == 404
    assert_refused(guesser.post("/invitation/tahmin-3", data={"name": "X"}))
    # Opening a link is never limited, nor is someone at another address.
    assert guesser.get("/invitation/tahmin-4").status_code == 404
    assert browser(address="10.8.8.8").post("/invitation/x", data={}).status_code == 404


# --- the 429 page ------------------------------------------------------------------------


def test_the_429_page_is_in_the_readers_language_and_says_when_to_retry(
    app, browser, rep_a, rep_b, published
):
    app.config["RATELIMIT_COMMENT"] = "1 per hour"
    path = f"/proposals/{published.id}/comments"
    rep_b.locale = "en"
    db.session.commit()
    turkish, english = browser(rep_a), browser(rep_b)
    for client in (turkish, english):
        client.post(path, data={"body": "Bir yorum"})
    refused_tr = turkish.post(path, data={"body": "Bir yorum daha"})
    refused_en = english.post(path, data={"body": "One more comment"})
    assert_refused(refused_tr, within_seconds=3600)
    assert int(refused_en.headers["Retry-After"]) > 60 * 59
    assert '<html lang="tr">' in refused_tr.get_data(as_text=True)
    assert '<html lang="en">' in refused_en.get_data(as_text=True)
    text_en = page_text(refused_en)
    assert "Too many attempts" in text_en
    assert "please wait a little before trying again" in text_en
    assert re.search(r"You can try again in (1 hour|60 minutes)\.", text_en), text_en


def test_the_limited_htmx_fragment_gets_a_429_too(app, browser, rep_a, published):
    app.config["RATELIMIT_COMMENT"] = "1 per minute"
    ayse = browser(rep_a)
    headers = {"HX-Request": "true", "HX-Target": "comments"}
    path = f"/proposals/{published.id}/comments"
    assert ayse.post(path, data={"body": "Bir"}, headers=headers).status_code == 200
    assert_refused(ayse.post(path, data={"body": "İki"}, headers=headers))


# --- configuration ------------------------------------------------------------------------


def limit_settings(app: Flask) -> dict[str, str]:
    return {
        name: value
        for name, value in app.config.items()
        if name.startswith("RATELIMIT_") and isinstance(value, str) and " per " in value
    }


def test_every_limit_is_configuration_that_parses_and_is_in_the_readme(app):
    settings = limit_settings(app)
    assert {
        "RATELIMIT_LOGIN_IP",
        "RATELIMIT_LOGIN_ACCOUNT",
        "RATELIMIT_RESET_IP",
        "RATELIMIT_RESET_ACCOUNT",
        "RATELIMIT_INVITATION_IP",
        "RATELIMIT_PROPOSAL",
        "RATELIMIT_AUTOSAVE",
        "RATELIMIT_COMMENT",
        "RATELIMIT_VOTE",
        "RATELIMIT_EXPORT",
    } <= set(settings)
    readme = README.read_text(encoding="utf-8")
    table_rows = [line for line in readme.splitlines() if line.startswith("| `")]
    for name, value in settings.items():
        assert parse_many(value), name
        row = next((line for line in table_rows if f"`{name}`" in line), None)
        assert row is not None, f"{name} is not in README's configuration table"
        assert f"`{value}`" in row, f"README gives another default for {name}"
