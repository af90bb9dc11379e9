"""Signing in safely, in a real browser: a moderator sets up two-factor authentication with
a code computed here from the key shown on the page, logs out, and logs in again with the
password and a code; axe checks every page on the way. Then the idle warning: a dialog
that takes focus, says what will happen, and keeps the session on "Stay logged in".

The server's clock is the test's ``clock`` (frozen in the forked server), so codes are
computed for it; the browser's timers run on Playwright's fake clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from pytest_flask.live_server import LiveServer

from auth.models import User
from tests.browser.a11y import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def phone_code(secret: str, now: datetime, steps: int = 0) -> str:
    """What the authenticator app shows at the server's time (naive UTC) plus ``steps``."""
    return pyotp.TOTP(secret).at(now.replace(tzinfo=UTC) + timedelta(seconds=30 * steps))


@pytest.fixture
def two_factor_required(app: Flask) -> None:
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("moderator", "organizer")


@pytest.fixture
def session_limits(app: Flask) -> None:
    app.config.update(SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=12)


def password_step(page: Page, user: User, ui_text: Callable[..., str]) -> None:
    page.goto("/login")
    assert_accessible(page)
    page.get_by_label(ui_text("Email address"), exact=True).fill(user.email)
    page.get_by_label(ui_text("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name=ui_text("Log in")).click()


def test_a_moderator_sets_up_two_factor_and_logs_in_with_a_code(
    moderator: User,
    clock,
    two_factor_required: None,
    live_server: LiveServer,
    page: Page,
    ui_text: Callable[..., str],
) -> None:
    password_step(page, moderator, ui_text)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(ui_text("Set up two-factor authentication"))
    expect(
        page.get_by_role("img", name=ui_text("QR code for your authenticator app"))
    ).to_be_visible()
    assert_accessible(page)

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    code_field = page.get_by_label(ui_text("Six-digit code from the app"))
    code_field.fill("000000")
    turn_on = page.get_by_role("button", name=ui_text("Turn on two-factor authentication"))
    turn_on.click()
    expect(code_field).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    code_field.fill(phone_code(secret, clock.now))
    turn_on.click()
    expect(heading).to_have_text(ui_text("Your recovery codes"))
    expect(page.locator("ol.recovery-codes li")).to_have_count(10)
    assert_accessible(page)

    page.get_by_role("link", name=ui_text("I have kept my recovery codes")).click()
    header = page.get_by_role("banner")
    expect(header).to_contain_text(moderator.name)
    assert_accessible(page)
    header.get_by_role("button", name=ui_text("Log out")).click()
    expect(page.get_by_role("status")).to_contain_text(ui_text("You have logged out."))
    assert_accessible(page)

    password_step(page, moderator, ui_text)
    expect(heading).to_have_text(ui_text("Two-factor authentication"))
    expect(header).not_to_contain_text(moderator.name)
    assert_accessible(page)
    # The enrolment's code cannot be used again; the app's next one can.
    page.get_by_label(ui_text("Code"), exact=True).fill(phone_code(secret, clock.now, 1))
    page.get_by_role("main").get_by_role("button", name=ui_text("Log in")).click()
    expect(page.get_by_role("status")).to_contain_text(
        ui_text("Welcome, %(name)s.", name=moderator.name)
    )
    expect(header).to_contain_text(moderator.name)
    assert_accessible(page)

    page.goto("/account/two-factor")
    expect(heading).to_have_text(ui_text("Two-factor authentication"))
    assert_accessible(page)


def test_the_idle_warning_takes_focus_and_keeps_the_session(
    rep_a: User,
    session_limits: None,
    live_server: LiveServer,
    page: Page,
    ui_text: Callable[..., str],
) -> None:
    page.clock.install()
    password_step(page, rep_a, ui_text)
    expect(page.get_by_role("status")).to_contain_text(
        ui_text("Welcome, %(name)s.", name=rep_a.name)
    )
    assert_accessible(page)
    search = page.get_by_role("link", name=ui_text("Organisations")).first
    search.focus()

    # The fake clock also moves with real time (page loads, axe): a minute of margin.
    page.clock.run_for("24:00")
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_have_count(0)
    page.clock.run_for("01:30")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_accessible_name(ui_text("Are you still there?"))
    expect(dialog).to_contain_text(
        ui_text(
            "You will be logged out in %(minutes)d minutes because nothing has happened for a "
            "while.",
            minutes=5,
        )
    )
    stay = dialog.get_by_role("button", name=ui_text("Stay logged in"))
    expect(stay).to_be_focused()
    assert_accessible(page)

    with page.expect_response("**/session/keep-alive") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(dialog).to_be_hidden()
    expect(search).to_be_focused()  # back where the person was

    # Another half hour without activity: the warning again, then the end.
    page.clock.run_for("25:30")
    expect(dialog).to_be_visible()
    page.clock.run_for("05:00")
    log_in_again = dialog.get_by_role("link", name=ui_text("Log in again"))
    expect(log_in_again).to_be_focused()
    expect(dialog).to_contain_text(
        ui_text("Your session has ended because nothing happened for a while. Please log in again.")
    )
    assert_accessible(page)
