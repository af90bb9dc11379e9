"""Helpers shared by the tests of the people side (invitations, accounts, mail).

``isolated_requests`` makes every test-client request run in a context of its own, as a
real server does. pytest-flask keeps one request context pushed for the whole test and
the test client's requests would otherwise reuse its application context: ``g`` (where
Flask-Login caches the current user and Flask-Babel the locale) and the database session
would leak from one request, and from one client, to the next — a client that never
signed in would be served as the user another client signed in. Import the fixture into a
test module to use it (it is autouse).

Messages are compared with :func:`tr`, their rendering in Turkish (the language of
visitors and of the ready-made users), so assertions hold with or without a catalogue.
"""

from __future__ import annotations

import contextvars
import re
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext


class IsolatedClient(FlaskClient):
    def open(self, *args: Any, **kwargs: Any) -> Any:
        self.preserve_context = False  # a context kept from in there could not be popped here
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(autouse=True)
def isolated_requests(app: Flask) -> None:
    app.test_client_class = IsolatedClient


def tr(message: str, **variables: Any) -> str:
    """``message`` as a Turkish-speaking visitor reads it."""
    with force_locale("tr"):
        return gettext(message, **variables)


def html_of(response: Any) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, field_id: str) -> str | None:
    """The error shown next to a form field, or None."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', html, re.S)
    return unescape(match.group(1)) if match else None


def input_value(html: str, field_id: str) -> str:
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html)
    assert tag, f"no input #{field_id}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else ""


def selected_option(html: str, field_id: str) -> str | None:
    select_tag = re.search(rf'<select[^>]*\bid="{field_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select_tag, f"no select #{field_id}"
    option = re.search(r'<option selected value="([^"]*)"', select_tag.group(1))
    return unescape(option.group(1)) if option else None


def flashes(html: str) -> list[tuple[str, str]]:
    """(category, text) of every flashed message on the page."""
    return [
        (category, unescape(text))
        for category, text in re.findall(r'<p class="flash flash-(\w+)">(.*?)</p>', html, re.S)
    ]


def signed_in_name(html: str) -> str | None:
    """The name in the page header, or None for an anonymous visitor."""
    match = re.search(r'class="who">\s*<span>(.*?)</span>', html)
    return unescape(match.group(1)) if match else None


def page_text(response: Any) -> str:
    """The page with entities decoded (what a reader sees, tags left in)."""
    return unescape(html_of(response))
