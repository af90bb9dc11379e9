"""Signing in and out through the real forms, in the default (Turkish) interface."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_flask.live_server import LiveServer

from auth.models import User
from tests.browser.a11y import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_representative_logs_in_sees_their_name_and_logs_out(
    rep_a: User, live_server: LiveServer, page: Page, ui_text: Callable[..., str]
) -> None:
    name, organisation = rep_a.name, rep_a.organization.name
    page.goto("/")
    assert_accessible(page)
    header = page.get_by_role("banner")
    header.get_by_role("link", name=ui_text("Log in"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("Log in"))
    assert_accessible(page)

    # A wrong password first: the error is announced and tied to the field.
    email = page.get_by_label(ui_text("Email address"), exact=True)
    password = page.get_by_label(ui_text("Password"), exact=True)
    email.fill(rep_a.email)
    password.fill("yanlış parola")
    page.get_by_role("main").get_by_role("button", name=ui_text("Log in")).click()
    expect(page.get_by_role("alert")).to_contain_text(
        ui_text("The email address or the password is not right.")
    )
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(header).not_to_contain_text(name)
    assert_accessible(page)

    email.fill(rep_a.email)
    password.fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name=ui_text("Log in")).click()
    expect(page.get_by_role("status")).to_contain_text(ui_text("Welcome, %(name)s.", name=name))
    expect(header).to_contain_text(name)
    expect(header).to_contain_text(organisation)
    assert_accessible(page)

    header.get_by_role("button", name=ui_text("Log out")).click()
    expect(page.get_by_role("status")).to_contain_text(ui_text("You have logged out."))
    expect(header).not_to_contain_text(name)
    expect(header.get_by_role("link", name=ui_text("Log in"), exact=True)).to_be_visible()
    assert_accessible(page)
