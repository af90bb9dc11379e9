"""Without JavaScript every page still works: the plain forms post, the server redirects
(303) and the next page shows the result (POST-redirect-GET)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_flask.live_server import LiveServer

from auth.models import User
from proposals.models import Campaign
from tests.browser.a11y import assert_accessible

pytestmark = pytest.mark.browser


def is_post(response: Response) -> bool:
    return response.request.method == "POST"


def test_submit_a_proposal_and_comment_without_javascript(
    make_campaign: Callable[..., Campaign],
    rep_a: User,
    live_server: LiveServer,
    page_without_js: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    page = page_without_js
    campaign_title = make_campaign(title="8 Mart Dünya Kadınlar Günü").title
    title = "Konak'ta kadın emeği pazarı"
    comment_text = "Pazarın yeri engelli kadınlar için erişilebilir mi?"

    log_in(page, rep_a)
    assert page.evaluate("() => typeof window.htmx") == "undefined"  # no script ran
    page.get_by_role("main").get_by_role("link", name=campaign_title).click()
    assert_accessible(page)
    page.get_by_role("link", name=ui_text("Write a proposal")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("New proposal"))
    assert_accessible(page)

    page.get_by_label(ui_text("Title"), exact=True).fill(title)
    page.get_by_label(ui_text("Summary"), exact=True).fill("Kadın üreticilerin pazarı.")
    page.get_by_label(ui_text("Description"), exact=True).fill("Her cumartesi, Konak'ta.")
    page.get_by_label(ui_text("Type of activity"), exact=True).select_option(label=ui_text("Event"))
    page.get_by_label(ui_text("District"), exact=True).select_option(label="Konak")
    with page.expect_response(is_post) as posted:
        page.get_by_role("button", name=ui_text("Submit the proposal")).click()
    assert posted.value.status == 303

    expect(page).to_have_url(re.compile(r"/proposals/\d+$"))
    proposal_url = page.url
    expect(page.get_by_role("status").first).to_contain_text(
        ui_text("Your proposal has been submitted. Thank you!")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("article.proposal p.meta .badge")).to_have_text(ui_text("Submitted"))
    assert_accessible(page)

    page.get_by_role("radio", name=ui_text("Question"), exact=True).check()
    page.get_by_label(ui_text("Your comment"), exact=True).fill(comment_text)
    with page.expect_response(is_post) as posted:
        page.get_by_role("button", name=ui_text("Publish comment")).click()
    assert posted.value.status == 303

    # Back on the proposal page, at the new comment.
    expect(page).to_have_url(re.compile(re.escape(proposal_url) + r"#comment-\d+$"))
    expect(page.get_by_role("status").first).to_contain_text(ui_text("Your comment was published."))
    anchor = page.url.rsplit("#", 1)[1]
    comment = page.locator(f"article#{anchor}")
    expect(comment).to_contain_text(comment_text)
    expect(comment).to_contain_text(rep_a.name)
    expect(comment.locator(".badge")).to_have_text(ui_text("Question"))
    assert_accessible(page)
