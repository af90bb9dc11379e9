"""Theme suggestions in a real browser, by keyboard: a moderator accepts a suggestion with
Enter; htmx swaps the proposal's row in place, the row says the theme was added, the
live region reads it out, no reload happens and focus moves to the next row's first
button. The likely-duplicates page, and the similar proposals a representative sees
while typing a title (debounced, without a reload).

Every page reached goes through axe (``assert_accessible``), before and after swaps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from pytest_flask.live_server import LiveServer

from auth.models import User
from extensions import db
from proposals.models import ActivityType, Campaign, Theme
from proposals.submission import ProposalFields, save_draft, submit
from tests.browser.a11y import assert_accessible
from tests.browser.test_browser_proposals import assert_not_reloaded, expect_announced, listen
from tests.conftest import Clock

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Made:
    """What was made before the live server started: plain values, no session needed."""

    slug: str
    access_theme: str
    guide: tuple[int, str]  # unthemed: id, title
    desk: tuple[int, str]  # unthemed, the next row


@pytest.fixture
def suggested(
    make_campaign: Callable[..., Campaign], rep_a: User, rep_b: User, clock: Clock
) -> Made:
    campaign = make_campaign(title="25 Kasım", slug="25-kasim")
    themes = [
        Theme(campaign=campaign, name_tr=tr, name_en=en, position=n)
        for n, (tr, en) in enumerate([
            ("Kurumlar arası koordinasyon", "Inter-agency coordination"),
            ("Erişilebilir destek mekanizmaları", "Accessible support mechanisms"),
        ])
    ]  # fmt: skip
    db.session.add_all(themes)

    def propose(author: User, title: str, summary: str, theme: Theme | None = None) -> int:
        fields = ProposalFields(title=title, summary=summary, description="Ayrıntılar.",
                                activity_type=ActivityType.workshop, district="Konak")  # fmt: skip
        proposal = save_draft(campaign, author, fields, clock.now)
        submit(proposal, author, clock.now)
        if theme is not None:
            proposal.themes.append(theme)
        db.session.flush()
        return proposal.id

    propose(rep_a, "Kurumlar arası şiddet önleme masası",
            "ŞÖNİM ve muhtarlarla koordinasyon toplantısı.", themes[0])  # fmt: skip
    propose(rep_b, "Engelli kadınlar için erişilebilir destek rehberi",
            "İşaret dili ve kolay okunur metinle destek.", themes[1])  # fmt: skip
    guide_title = "İşaret dili destek hattı"
    guide = propose(rep_a, guide_title, "Engelli kadınlara işaret dili tercümanıyla destek.")
    desk_title = "Muhtarlarla şiddet önleme koordinasyonu"
    desk = propose(rep_b, desk_title, "Kurumlar arası koordinasyon toplantısı ve ŞÖNİM.")
    # A near-copy, for the duplicates page.
    propose(
        rep_b, "İşaret dili destek hatları", "Engelli kadınlara işaret dili tercümanıyla destek."
    )
    db.session.commit()
    return Made(campaign.slug, themes[1].name_tr, (guide, guide_title), (desk, desk_title))


def test_accept_a_suggestion_by_keyboard_in_place(
    suggested: Made,
    moderator: User,
    live_server: LiveServer,
    page: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    guide_id, guide_title = suggested.guide
    desk_id, _desk_title = suggested.desk
    log_in(page, moderator)
    page.goto(f"/campaigns/{suggested.slug}/suggestions")
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("Theme suggestions"))
    assert_accessible(page)

    listen(page)
    guide_row = page.locator(f"#suggestion-row-{guide_id}")
    # The button's name says what it accepts for which proposal (the visible "Accept" first).
    about = f"{suggested.access_theme} · {guide_title}"
    name = rf"^{re.escape(ui_text('Accept'))}\s*:\s*{re.escape(about)}$"
    accept = guide_row.get_by_role("button", name=re.compile(name))
    accept.focus()
    page.keyboard.press("Enter")

    added = ui_text("Added to the theme “%(theme)s”.", theme=suggested.access_theme)
    expect(guide_row.get_by_role("status")).to_have_text(added)
    expect(guide_row.get_by_role("button")).to_have_count(0)
    expect_announced(page, added)
    # Focus goes on to the next row's first button.
    next_button = page.locator(f"#suggestion-row-{desk_id}").get_by_role("button").first
    expect(next_button).to_be_focused()
    assert_not_reloaded(page)
    assert_accessible(page)

    # Without the page being reloaded the proposal has the theme; on the next visit its
    # row is gone from the list.
    page.goto(f"/campaigns/{suggested.slug}/suggestions")
    expect(page.locator(f"#suggestion-row-{guide_id}")).to_have_count(0)
    assert_accessible(page)

    page.goto(f"/campaigns/{suggested.slug}/duplicates")
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("Likely duplicates"))
    expect(page.locator("table.duplicates-table tbody tr")).not_to_have_count(0)
    assert_accessible(page)


def test_similar_proposals_appear_while_typing_a_title(
    suggested: Made,
    rep_a: User,
    live_server: LiveServer,
    page: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    _guide_id, guide_title = suggested.guide
    log_in(page, rep_a)
    page.goto(f"/campaigns/{suggested.slug}/proposals/new")
    region = page.locator("#similar-proposals")
    expect(region.get_by_role("heading", name=ui_text("Similar proposals"))).to_be_visible()
    expect(region.get_by_role("link")).to_have_count(0)
    assert_accessible(page)

    listen(page)
    title = page.get_by_label(ui_text("Title"), exact=True)
    title.focus()
    page.keyboard.type("Engelli kadınlara işaret dili")
    expect(region.get_by_role("link", name=guide_title)).to_be_visible()
    expect(title).to_be_focused()  # typing goes on undisturbed
    assert_not_reloaded(page)
    assert_accessible(page)

    # The same list is a page of its own, with a form to look again.
    page.goto(f"/campaigns/{suggested.slug}/proposals/similar?title=işaret+dili")
    expect(page.locator("#similar-proposals").get_by_role("link", name=guide_title)).to_be_visible()
    assert_accessible(page)


def test_without_javascript_the_form_looks_for_similar_proposals_on_request(
    suggested: Made,
    rep_a: User,
    live_server: LiveServer,
    page_without_js: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    page = page_without_js
    _guide_id, guide_title = suggested.guide
    log_in(page, rep_a)
    page.goto(f"/campaigns/{suggested.slug}/proposals/new")
    assert_accessible(page)
    page.get_by_label(ui_text("Title"), exact=True).fill("Engelli kadınlara işaret dili")
    page.get_by_role("button", name=ui_text("Look for similar proposals")).click()
    region = page.locator("#similar-proposals")
    expect(region.get_by_role("link", name=guide_title)).to_be_visible()
    # What was typed is still there, and nothing was saved or submitted.
    expect(page.get_by_label(ui_text("Title"), exact=True)).to_have_value(
        "Engelli kadınlara işaret dili"
    )
    assert_accessible(page)
