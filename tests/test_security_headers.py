"""Security headers on every kind of response, cookie flags, the production configuration
(HSTS, Secure cookies, the client address behind a proxy) and the request size limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, abort, request
from flask.testing import FlaskClient

from app import create_app
from auth.models import User
from extensions import db
from proposals.models import Campaign
from security import CSP_DIRECTIVES, HSTS_ONE_YEAR, build_csp
from tests.conftest import PASSWORD, Clock, _config
from tests.people_helpers import isolated_requests, page_text, tr  # noqa: F401 - autouse fixture

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def csp(response: Any) -> dict[str, str]:
    """The policy as {directive: sources}."""
    policy = response.headers["Content-Security-Policy"]
    return {
        name: " ".join(sources)
        for name, *sources in (part.split() for part in policy.split(";") if part.strip())
    }


def assert_secure_headers(response: Any) -> None:
    assert csp(response) == EXPECTED_CSP
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    permissions = dict(
        item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert permissions[feature] == "()"


def log_in(client: FlaskClient, user: User) -> Any:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303, page_text(response)
    return response


@pytest.fixture
def campaign(make_campaign: Any) -> Campaign:
    return make_campaign()


def test_pages_fragments_json_static_and_redirects_carry_the_headers(client, campaign):
    responses = {
        "page": client.get("/"),
        "campaign page": client.get(f"/campaigns/{campaign.slug}"),
        "htmx fragment": client.get(
            f"/campaigns/{campaign.slug}/proposals",
            headers={"HX-Request": "true", "HX-Target": "proposal-list"},
        ),
        "json": client.get("/api/v1/campaigns"),
        "static": client.get("/static/ortak.css"),
        "redirect": client.get("/account"),
        "login form": client.get("/login"),
    }
    assert responses["htmx fragment"].get_data(as_text=True).lstrip().startswith("<section")
    assert responses["json"].is_json
    assert responses["redirect"].status_code == 302
    for kind, response in responses.items():
        assert response.status_code in (200, 302), kind
        assert_secure_headers(response)
        assert "Strict-Transport-Security" not in response.headers, kind
        response.close()  # the static file's handle


def test_error_pages_carry_the_headers(app, client, rep_a):
    @app.get("/_test/boom")
    def boom() -> str:
        raise RuntimeError("a bug")

    @app.get("/_test/forbidden")
    def forbidden() -> str:
        abort(403)

    errors = {
        404: client.get("/no/such/page"),
        405: client.delete("/login"),
        500: client.get("/_test/boom"),
        403: client.get("/_test/forbidden"),
    }
    for status, response in errors.items():
        assert response.status_code == status
        assert_secure_headers(response)
    log_in(client, rep_a)
    denied = client.get("/admin/people")
    assert denied.status_code == 403
    assert_secure_headers(denied)


def test_the_policy_is_built_from_one_table():
    """The policy is built from one table; a report address is appended when configured."""
    built = build_csp(CSP_DIRECTIVES)
    assert built.startswith("default-src 'self'; script-src 'self'; style-src 'self';")
    assert build_csp(CSP_DIRECTIVES, "/csp-report").endswith("; report-uri /csp-report")


def test_session_cookie_is_httponly_and_samesite_lax_and_not_secure_in_development(
    app, client, rep_a
):
    cookie = log_in(client, rep_a).headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


# --- production ----------------------------------------------------------------------------


@pytest.fixture
def production(app: Flask, clock: Clock) -> Iterator[Flask]:
    """The app as ``ORTAK_ENV=production`` runs it, on the test's database, behind one proxy."""
    config = {
        **_config(app.config["SQLALCHEMY_DATABASE_URI"], clock),
        "ORTAK_ENV": "production",
        "TRUSTED_PROXIES": 1,
    }
    production_app = create_app(config)
    production_app.test_client_class = app.test_client_class
    yield production_app
    with production_app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_sends_hsts_on_every_response(production, campaign):
    client = production.test_client()
    for response in (
        client.get("/"),
        client.get("/static/ortak.css"),
        client.get("/api/v1/campaigns"),
        client.get("/no/such/page"),
        client.get("/account"),
    ):
        assert_secure_headers(response)
        hsts = response.headers["Strict-Transport-Security"]
        assert "includeSubDomains" in hsts
        max_age = int(hsts.split("max-age=")[1].split(";")[0])
        assert max_age >= HSTS_ONE_YEAR
        response.close()


def test_production_cookies_are_secure_httponly_and_lax(production, rep_a):
    client = production.test_client()
    cookie = log_in(client, rep_a).headers["Set-Cookie"]
    assert "; Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert production.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert production.config["PREFERRED_URL_SCHEME"] == "https"


def test_behind_the_proxy_the_scheme_is_https_and_limits_count_the_visitor(production):
    @production.get("/_test/scheme")
    def scheme() -> str:
        return f"{request.scheme} {request.remote_addr}"

    production.config["RATELIMIT_LOGIN_IP"] = "2 per minute"
    client = production.test_client()

    def attempt(address: str) -> Any:
        return client.post(
            "/login",
            data={"email": "nobody@ornek.example", "password": "yanlış parola"},
            headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https"},
        )

    assert attempt("203.0.113.7").status_code == 200
    assert attempt("203.0.113.7").status_code == 200
    assert attempt("203.0.113.7").status_code == 429
    # Another visitor through the same proxy is not held up by the first one's attempts.
    assert attempt("198.51.100.4").status_code == 200
    seen = client.get(
        "/_test/scheme", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    )
    assert seen.get_data(as_text=True) == "https 203.0.113.7"


# --- request size ------------------------------------------------------------------------------


def test_a_form_larger_than_the_limit_gets_the_413_page(app, client, rep_a):
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for path in ("/login", "/password/forgot", "/language"):
        response = client.post(path, data={"email": rep_a.email, "password": big})
        assert response.status_code == 413, path
        assert tr("Too much data") in page_text(response)
        assert_secure_headers(response)


def test_a_signed_in_users_oversized_comment_gets_the_413_page(app, client, rep_a):
    log_in(client, rep_a)
    big = "ç" * app.config["MAX_CONTENT_LENGTH"]  # two bytes each in UTF-8
    response = client.post("/proposals/1/comments", data={"body": big})
    assert response.status_code == 413
    assert tr("What you sent is larger than we accept. Shorten it and try again.") in page_text(
        response
    )
    # A form of ordinary size still goes through to the view (here: no such proposal).
    assert client.post("/proposals/999/comments", data={"body": "Merhaba"}).status_code == 404
