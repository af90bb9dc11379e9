"""Open redirects: ``next=`` and every other redirect target taken from a request lead only
to this site (web.safe_next, used by login, the language switch, the vote and the second
step of signing in).

A browser is lenient in what it takes for an address: it drops tabs and line breaks
anywhere, spaces and control characters at the ends, and reads a backslash as a slash.
"/\\evil.example" or "/\\t/evil.example" is therefore another site for a browser although
it looks like a path; the property test resolves each accepted target as a browser would.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from urllib.parse import urljoin, urlsplit

import pyotp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auth import twofactor
from extensions import db
from tests.conftest import PASSWORD
from tests.people_helpers import isolated_requests  # noqa: F401 - autouse fixture
from web import safe_next

HOSTILE = [
    "//evil.example",
    "///evil.example",
    "////evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "https://evil.example",
    "HTTPS://evil.example/organizations",
    "http://localhost/organizations",  # absolute, even to "us": not a path
    "%2F%2Fevil.example",
    "%2f%2fevil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/organizations\x00//evil.example",  # NUL_TARGET
    "/\x01/evil.example",
    "/\x1f/evil.example",
    "/organizations\r\nSet-Cookie: x=1",
    "evil.example",
    "@evil.example",
    "",
    None,
]

LOCAL = [
    "/",
    "/organizations",
    "/organizations?page=2",
    "/account#settings",
    "/%2F%2Fevil.example",  # a path on this site, percent-encoded slashes and all
    "/organizations/../account",
    "/campaigns/25-kasim?q=kadın&sort=new",
]


@pytest.mark.parametrize("target", HOSTILE, ids=repr)
def test_targets_leading_elsewhere_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", LOCAL)
def test_paths_on_this_site_are_kept(target):
    assert safe_next(target) == target


SITE = "https://ortak.example/campaigns/x"


def as_a_browser_reads_it(target: str) -> str:
    """Resolve a Location value against the page as WHATWG URL parsing does for http(s)."""
    cleaned = target.strip("".join(chr(c) for c in range(0x21)))  # C0 controls and space
    cleaned = re.sub(r"[\t\n\r]", "", cleaned).replace("\\", "/")
    return urljoin(SITE, cleaned)


PIECES = ["/", "\\", "//", ":", "evil.example", "http", "https:", "javascript:", "\t", "\n",
          " ", "\x00", "%2F", "@", "?", "#", ".", "..", "a"]  # fmt: skip
TARGETS = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TARGETS)
def test_whatever_is_accepted_stays_on_this_site(target):
    kept = safe_next(target)
    if kept is None:
        return
    resolved = urlsplit(as_a_browser_reads_it(kept))
    assert (resolved.scheme, resolved.netloc) == ("https", "ortak.example"), kept


# --- through the pages ------------------------------------------------------------------------


def phone_code(secret: str, clock, steps: int = 0) -> str:
    """The authenticator app's code, ``steps`` time steps after the clock's (naive UTC) now."""
    return pyotp.TOTP(secret).at(clock.now.replace(tzinfo=UTC) + timedelta(seconds=30 * steps))


def with_two_factor(user, clock) -> str:
    secret = twofactor.new_secret()
    twofactor.enable(user, secret, phone_code(secret, clock), clock.now)
    db.session.commit()
    return secret


# Every form loses its NUL characters before anything reads it (app._strip_nul_characters):
# what is left of that target is a path on this site.
NUL_TARGET = "/organizations\x00//evil.example"


@pytest.mark.parametrize("target", [t for t in HOSTILE if t], ids=repr)
def test_login_ignores_a_hostile_next(client, rep_a, target):
    response = client.post(
        "/login", data={"email": rep_a.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == ("/organizations//evil.example" if target == NUL_TARGET else "/")
    resolved = urlsplit(as_a_browser_reads_it(location))
    assert (resolved.scheme, resolved.netloc) == ("https", "ortak.example")


def test_login_keeps_a_local_next_from_the_address(client, rep_a):
    sent = client.get("/account?tab=1")
    assert sent.status_code == 302
    form = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert 'value="/account?tab=1"' in form
    done = client.post(
        "/login", data={"email": rep_a.email, "password": PASSWORD, "next": "/account?tab=1"}
    )
    assert done.headers["Location"] == "/account?tab=1"


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https:evil"])
def test_the_language_switch_ignores_a_hostile_next(client, target):
    response = client.post("/language", data={"locale": "en", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "javascript:x"])
def test_the_second_step_of_signing_in_ignores_a_hostile_next(client, rep_a, clock, target):
    secret = with_two_factor(rep_a, clock)
    client.post("/login", data={"email": rep_a.email, "password": PASSWORD, "next": target})
    done = client.post("/login/two-factor", data={"code": phone_code(secret, clock, 1)})
    assert done.status_code == 303
    assert done.headers["Location"] == "/"


def test_the_second_step_keeps_a_local_next(client, rep_a, clock):
    secret = with_two_factor(rep_a, clock)
    client.post(
        "/login", data={"email": rep_a.email, "password": PASSWORD, "next": "/organizations"}
    )
    done = client.post("/login/two-factor", data={"code": phone_code(secret, clock, 1)})
    assert done.headers["Location"] == "/organizations"
