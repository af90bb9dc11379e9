"""Keyboard use: the skip link comes first and takes focus past the header."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_flask.live_server import LiveServer

from proposals.models import Campaign
from tests.browser.a11y import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(make_campaign: Callable[..., Campaign]) -> Campaign:
    return make_campaign(title="8 Mart Dünya Kadınlar Günü")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    campaign: Campaign, live_server: LiveServer, page: Page, ui_text: Callable[..., str]
) -> None:
    title = campaign.title
    page.goto("/")
    assert_accessible(page)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=ui_text("Skip to main content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # shown when focused, not only to screen readers
    assert_accessible(page)

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.get_by_role("main")).to_be_focused()

    # The next Tab stop is inside main (the campaign), not back in the header.
    page.keyboard.press("Tab")
    expect(page.get_by_role("main").get_by_role("link", name=title)).to_be_focused()
    assert_accessible(page)
