"""The language switch in the header: Turkish by default, English on request, remembered."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_flask.live_server import LiveServer

from tests.browser.a11y import assert_accessible

pytestmark = pytest.mark.browser


def test_switching_to_english_is_remembered_and_back_to_turkish(
    live_server: LiveServer, page: Page
) -> None:
    html = page.locator("html")
    heading = page.get_by_role("heading", level=1)
    header = page.get_by_role("banner")

    page.goto("/")
    expect(html).to_have_attribute("lang", "tr")
    expect(heading).to_have_text("Kampanyalar")  # needs the compiled Turkish catalogue
    assert_accessible(page)

    header.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Campaigns")
    expect(header.get_by_role("button", name="Türkçe")).to_be_visible()
    assert_accessible(page)

    # A new page load (another page, typed in) keeps the choice.
    page.goto("/organizations")
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Organisations")
    assert_accessible(page)

    header.get_by_role("button", name="Türkçe").click()
    expect(page).to_have_url(live_server.url("/organizations"))
    expect(html).to_have_attribute("lang", "tr")
    expect(header.get_by_role("button", name="English")).to_be_visible()
    assert_accessible(page)

    page.goto("/")
    expect(html).to_have_attribute("lang", "tr")
    expect(heading).to_have_text("Kampanyalar")
    assert_accessible(page)
