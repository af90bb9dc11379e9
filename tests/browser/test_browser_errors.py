"""Error pages are pages too: readable, in the interface's language, accessible."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_flask.live_server import LiveServer

from tests.browser.a11y import assert_accessible

pytestmark = pytest.mark.browser


def test_not_found_page(live_server: LiveServer, page: Page, ui_text: Callable[..., str]) -> None:
    response = page.goto("/boyle-bir-sayfa-yok")
    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("Page not found"))
    expect(page.get_by_role("link", name=ui_text("Go to the home page"))).to_be_visible()
    assert_accessible(page)
