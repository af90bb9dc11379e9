"""The organisers' results page in a real browser: the ranked shortlist with its ties, the
two server-rendered SVG charts with their data tables, a CSV download parsed back, and
publishing the results so that a representative sees the public shortlist.

Every page reached goes through axe (``assert_accessible``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_flask.live_server import LiveServer

from auth.models import User
from tests.browser.a11y import assert_accessible
from tests.results_helpers import Voted, close_voting, voted  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def closed(voted: Voted, clock: Any, organizer: User) -> str:  # noqa: F811
    """The campaign of tests/results_helpers.py, voting closed before the server starts."""
    close_voting(voted, clock)
    return voted.campaign.slug


def test_results_page_ties_charts_download_and_publication(
    closed: str,
    voted: Voted,  # noqa: F811
    organizer: User,
    live_server: LiveServer,
    page: Page,
    open_page: Callable[[], Page],
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    log_in(page, organizer)
    page.goto(f"/campaigns/{closed}/results")
    expect(page.locator("h1")).to_have_text(ui_text("Results"))
    assert_accessible(page)

    shortlist = page.locator("table", has=page.locator("th", has_text=ui_text("Rank"))).first
    rows = shortlist.locator("tbody tr")
    expect(rows.first).to_contain_text("Mor Bank")
    tied = shortlist.locator("tr", has=page.locator(".badge-tied"))
    expect(tied).to_have_count(2)
    expect(tied.nth(0)).to_contain_text("Atölye")
    expect(tied.nth(1)).to_contain_text("Kermes")

    charts = page.locator("svg[role='img']")
    expect(charts).to_have_count(2)
    for i in range(2):
        labelled_by = charts.nth(i).get_attribute("aria-labelledby")
        assert labelled_by and page.locator(f"#{labelled_by.split()[0]}").count() == 1
        assert charts.nth(i).locator("title").count() >= 1

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    body = download.value.path().read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    assert table[1][2] == "Mor Bank" and table[1][0] == "1"
    assert [r[0] for r in table[1:4]] == ["1", "2", "2"]

    page.get_by_role("button", name=ui_text("Publish the results")).click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert_accessible(page)

    visitor = open_page()
    log_in(visitor, voted.reps["B"])
    visitor.goto(f"/campaigns/{closed}/shortlist")
    expect(visitor.locator("tbody tr").first).to_contain_text("Mor Bank")
    expect(visitor.locator(".badge-tied")).to_have_count(2)
    assert_accessible(visitor)
