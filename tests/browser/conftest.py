"""Browser tests: Debian's headless Chromium through Playwright, against pytest-flask's
live server running the test's own ``app`` (its own database copy).

Nothing is downloaded: Chromium is /usr/bin/chromium (never ``playwright install``)
and axe-core comes from the installed axe-playwright-python package.

Data: list the fixtures that make people, campaigns etc. BEFORE ``live_server`` in a
test's signature: the server process is forked when ``live_server`` is set up and
shares the test's database (SQLite file copy or PostgreSQL). Mails are read back from
the outbox table (``read_outbox``); text is compared with what the app's catalogue
says (``ui_text``), so the tests hold with or without the Turkish translation.

Without /usr/bin/chromium the tests are skipped, except under CI=true or
REQUIRE_BROWSER=1, where they fail: CI never passes by skipping them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_flask.live_server
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)
from pytest_flask.live_server import LiveServer
from sqlalchemy import select

from auth.models import OutboxMessage, User
from extensions import db
from tests.browser.a11y import Coverage, assert_accessible, watch, without_scripts
from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent
# Chromium words its own reports "… violates the following Content Security Policy
# directive …" (older versions: "Refused to …"); the listener below reports the DOM event
# too, with the blocked source and line. Both reach the page's console.
CSP = "Content Security Policy"
REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ` +
                `${e.blockedURI || "inline code"} at ${e.sourceFile}:${e.lineNumber}`));"""
_REPORT = pytest.StashKey[pytest.TestReport]()


def browser_required() -> bool:
    return (
        os.environ.get("CI", "").strip().lower() in {"true", "1"}
        or os.environ.get("REQUIRE_BROWSER", "").strip() == "1"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            # Python 3.12+ warns when forking a process that runs threads (Playwright's
            # connection may); the live server's fork is deliberate: see _ForkingProcesses.
            item.add_marker(
                pytest.mark.filterwarnings("ignore:.*use of fork\\(\\):DeprecationWarning")
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep the call's outcome: ``open_page`` checks axe coverage only of passed tests."""
    report = yield
    if report.when == "call":
        item.stash[_REPORT] = report
    return report


# --- the live server -------------------------------------------------------------------


class _ForkingProcesses:
    """Stands in for the ``multiprocessing`` module inside pytest_flask.live_server.

    * ``fork``: the server gets the app as it is (test config, clock) without pickling;
      Python 3.14 no longer forks by default on Linux.
    * The server process starts with an empty connection pool: it never shares a
      database connection (SQLite handle, PostgreSQL socket) with the test process.
    """

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("fork")

    def Process(
        self, target: Callable[..., None], args: tuple[object, ...], **kwargs: Any
    ) -> multiprocessing.process.BaseProcess:
        return self._context.Process(target=_serve, args=(target, *args), **kwargs)


def _serve(worker: Callable[..., None], app: Flask, *rest: object) -> None:
    with app.app_context():
        db.engine.dispose(close=False)  # forget the parent's connections, do not close them
    worker(app, *rest)


@pytest.fixture(scope="session", autouse=True)
def _fork_live_server() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pytest_flask.live_server, "multiprocessing", _ForkingProcesses())
        yield


@pytest.fixture(autouse=True)
def _push_request_context(app: Flask) -> Iterator[None]:
    """Replaces pytest-flask's fixture of that name, which reaches the app through
    ``live_server`` and so starts the server before every other fixture of the test.

    Here the server starts where the test lists ``live_server``: after the fixtures
    listed before it (people, campaigns, clock or config changes), which the forked
    server process then sees. What a test changes in ``app.config`` or the clock after
    the server started stays in the test process; data written to the database does not.
    """
    with app.test_request_context():
        yield


@pytest.fixture(autouse=True)
def _absolute_links_name_the_live_server(app: Flask) -> None:
    """Absolute links the app writes (in-app notifications, mails) lead to the server the
    browser talks to. Unless SERVER_NAME is set, ``live_server`` sets it to
    ``localhost.localdomain:<port>``, a host Chromium cannot resolve and which would not
    carry the session cookie of ``live_server.url()`` (``localhost:<port>``) anyway."""
    app.config["SERVER_NAME"] = "localhost"


# --- the browser -----------------------------------------------------------------------


def watch_csp(page: Page, violations: list[str]) -> None:
    """Collect every Content-Security-Policy violation ``page`` reports into ``violations``:
    the app's policy (security.py) is on in the browser suite, and a test tripping it fails."""
    page.add_init_script(REPORT_CSP_VIOLATIONS)

    def console(message: ConsoleMessage) -> None:
        if CSP in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", console)


def fail_on_csp_violations(violations: list[str]) -> None:
    if violations:
        report = "\n".join(dict.fromkeys(violations))
        pytest.fail(f"Content-Security-Policy violations:\n{report}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium): browser tests cannot run"
        if browser_required():
            pytest.fail(f"{reason}, and CI=true / REQUIRE_BROWSER=1 forbid skipping them.")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Callable[[], Page]]:
    """A page in a fresh browser context (own cookies: a different visitor) on the server.

    The test fails if a page reports a Content-Security-Policy violation, and, when it
    passed, if a page reached an address it never ran axe on."""
    contexts: list[BrowserContext] = []
    watched: list[Coverage] = []
    violations: list[str] = []

    def open_() -> Page:
        context = browser.new_context(
            base_url=live_server.url(),
            locale="tr-TR",
            timezone_id="Europe/Istanbul",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watched.append(watch(page))
        watch_csp(page, violations)
        return page

    yield open_
    try:
        fail_on_csp_violations(violations)
        report = request.node.stash.get(_REPORT, None)
        if report is not None and report.passed:
            missed = [url for coverage in watched for url in coverage.unchecked()]
            if missed:
                pytest.fail(f"pages reached without assert_accessible(page): {missed}")
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(open_page: Callable[[], Page]) -> Page:
    return open_page()


@pytest.fixture
def page_without_js(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """Like ``page``, with JavaScript switched off: the plain forms and links, no htmx.

    ``assert_accessible`` checks its pages through a copy (see ``a11y.without_scripts``).
    Like ``open_page``, a passed test fails if the page reached an address it never ran
    axe on."""
    context = browser.new_context(
        base_url=live_server.url(),
        locale="tr-TR",
        timezone_id="Europe/Istanbul",
        java_script_enabled=False,
    )
    without_scripts(context)  # axe cannot run there: assert_accessible checks a copy
    context.set_default_timeout(10_000)
    page = context.new_page()
    coverage = watch(page)
    violations: list[str] = []
    watch_csp(page, violations)
    yield page
    try:
        fail_on_csp_violations(violations)
        report = request.node.stash.get(_REPORT, None)
        if report is not None and report.passed and coverage.unchecked():
            pytest.fail(f"pages reached without assert_accessible(page): {coverage.unchecked()}")
    finally:
        context.close()


# --- what the user reads ------------------------------------------------------------------


@pytest.fixture
def ui_text(app: Flask) -> Callable[..., str]:
    """What the interface says for an English message id in ``locale`` (Turkish, the
    default): the compiled catalogue's translation, or the id itself when there is none."""

    def translate(message: str, locale: str = "tr", **variables: object) -> str:
        with app.test_request_context(), force_locale(locale):
            return gettext(message, **variables)

    return translate


@pytest.fixture
def log_in(ui_text: Callable[..., str]) -> Callable[[Page, User], None]:
    """Sign in through the login form, as a person would, and land on the home page."""

    def sign_in(page: Page, user: User) -> None:
        page.goto("/login")
        assert_accessible(page)
        page.get_by_label(ui_text("Email address"), exact=True).fill(user.email)
        page.get_by_label(ui_text("Password"), exact=True).fill(PASSWORD)
        page.get_by_role("main").get_by_role("button", name=ui_text("Log in")).click()
        expect(page.get_by_role("status")).to_contain_text(
            ui_text("Welcome, %(name)s.", name=user.name)
        )
        assert_accessible(page)

    return sign_in


@pytest.fixture
def read_outbox(app: Flask) -> Callable[[str], list[OutboxMessage]]:
    """The mails queued for an address, oldest first, as committed by the live server
    (read in a new app context, so a new session: nothing cached)."""

    def read(address: str) -> list[OutboxMessage]:
        with app.app_context():
            messages = db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.to_address == address)
                .order_by(OutboxMessage.id)
            ).all()
            db.session.expunge_all()
            return list(messages)

    return read
