"""Voting in a real browser: with htmx the panel is swapped in place, the outcome is read out
from the panel's live region, focus stays on the panel's button, and the page's one ballot
summary follows the budget; without JavaScript the plain forms post and come back (303).

Every page reached goes through axe (``assert_accessible``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask_babel import force_locale, ngettext
from playwright.sync_api import Page, Response, expect
from pytest_flask.live_server import LiveServer

from auth.models import Organization, User
from proposals.models import Campaign, Proposal
from tests.browser.a11y import assert_accessible
from tests.browser.test_browser_proposals import assert_not_reloaded, expect_announced, listen
from tests.voting_helpers import make_proposal, voting_campaign  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Ballot:
    """What was made before the live server started: plain values, no session needed."""

    slug: str
    ids: tuple[int, ...]
    titles: tuple[str, ...]


@pytest.fixture
def two_votes(
    voting_campaign: Callable[..., Campaign],  # noqa: F811
    make_proposal: Callable[..., Proposal],  # noqa: F811
    org_a: Organization,
) -> Ballot:
    """A campaign in its voting window, a budget of two votes and three proposals."""
    campaign = voting_campaign(votes_per_organization=2)
    titles = ("Mor Bank", "Turuncu Yürüyüş", "Işık Atölyesi")
    made = [make_proposal(campaign, org_a, title=title) for title in titles]
    return Ballot(campaign.slug, tuple(p.id for p in made), titles)


@pytest.fixture
def votes_left(app: Flask) -> Callable[[int, int], str]:
    def text(remaining: int, budget: int) -> str:
        with app.test_request_context(), force_locale("tr"):
            return ngettext(
                "%(remaining)d of %(num)d vote left.",
                "%(remaining)d of %(num)d votes left.",
                budget,
                remaining=remaining,
            )

    return text


def test_vote_in_place_until_the_budget_runs_out_and_take_back(
    two_votes: Ballot,
    rep_b: User,
    live_server: LiveServer,
    page: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
    votes_left: Callable[[int, int], str],
) -> None:
    first, second, third = (page.locator(f"#vote-panel-{i}") for i in two_votes.ids)
    summary = page.locator("#ballot-summary")
    log_in(page, rep_b)
    page.goto(f"/campaigns/{two_votes.slug}")
    expect(summary).to_contain_text(votes_left(2, 2))
    assert_accessible(page)

    listen(page)
    first.get_by_role("button", name=ui_text("Vote"), exact=True).click()
    take_back = first.get_by_role("button", name=ui_text("Take back the vote"), exact=True)
    expect(take_back).to_be_focused()
    recorded = ui_text(
        "Your organisation's vote for “%(title)s” has been recorded.", title=two_votes.titles[0]
    )
    expect_announced(page, f"{recorded} {votes_left(1, 2)}")
    expect(summary).to_contain_text(votes_left(1, 2))  # refreshed out of band
    assert_not_reloaded(page)
    assert_accessible(page)

    second.get_by_role("button", name=ui_text("Vote"), exact=True).click()
    expect(second.get_by_role("button", name=ui_text("Take back the vote"))).to_be_focused()
    expect(summary).to_contain_text(votes_left(0, 2))
    # The first panel's sentence spoke of a budget that has changed since: it is cleared.
    expect(first.get_by_role("status")).to_have_text("")

    # The third panel still offers a vote (the page was loaded earlier): the answer is clear.
    third.get_by_role("button", name=ui_text("Vote"), exact=True).click()
    expect(third.get_by_role("status")).to_have_text(
        ui_text("Your organisation has no votes left.")
    )
    expect(third).to_be_focused()
    expect(third.get_by_role("button")).to_have_count(0)
    expect_announced(page, ui_text("Your organisation has no votes left."))
    assert_not_reloaded(page)
    assert_accessible(page)

    take_back.click()
    expect(first.get_by_role("button", name=ui_text("Vote"), exact=True)).to_be_focused()
    expect(summary).to_contain_text(votes_left(1, 2))
    assert_not_reloaded(page)
    assert_accessible(page)


def is_post(response: Response) -> bool:
    return response.request.method == "POST"


def test_vote_without_javascript(
    two_votes: Ballot,
    rep_b: User,
    live_server: LiveServer,
    page_without_js: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
    votes_left: Callable[[int, int], str],
) -> None:
    page = page_without_js
    log_in(page, rep_b)
    page.goto(f"/campaigns/{two_votes.slug}")
    assert_accessible(page)
    panel = page.locator(f"#vote-panel-{two_votes.ids[0]}")
    with page.expect_response(is_post) as posted:
        panel.get_by_role("button", name=ui_text("Vote"), exact=True).click()
    assert posted.value.status == 303
    expect(page).to_have_url(re.compile(rf"/campaigns/{two_votes.slug}#vote-panel-\d+$"))
    recorded = ui_text(
        "Your organisation's vote for “%(title)s” has been recorded.", title=two_votes.titles[0]
    )
    expect(page.locator(".flashes")).to_contain_text(recorded)
    expect(page.locator("#ballot-summary")).to_contain_text(votes_left(1, 2))
    assert_accessible(page)

    page.locator("#ballot-summary").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("Our ballot"))
    expect(page.get_by_role("table")).to_contain_text(two_votes.titles[0])
    expect(page.get_by_role("table")).to_contain_text(rep_b.name)
    assert_accessible(page)
    with page.expect_response(is_post) as posted:
        page.get_by_role("button", name=ui_text("Take back"), exact=True).click()
    assert posted.value.status == 303
    expect(page.get_by_text(ui_text("Your organisation has not voted yet."))).to_be_visible()
    assert_accessible(page)
