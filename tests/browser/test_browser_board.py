"""The theme board in a real browser, by keyboard: a moderator chooses two proposals with
Space, ticks a theme and presses the button; htmx swaps the board in place, the new
counts show without a reload, the result is read out and focus stays on the button.
Reordering a theme on the themes page works the same way. A board of two pages is paged
through and a whole page chosen at once, with and without JavaScript; theme chips take
their colours from the campaign's stylesheet under the Content-Security-Policy.

Every page reached goes through axe (``assert_accessible``): the overview, the themes
page and the board, before and after the swaps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask_babel import force_locale, ngettext
from playwright.sync_api import Page, expect
from pytest_flask.live_server import LiveServer

from auth.models import Organization, User
from extensions import db
from proposals import themes
from proposals.models import Campaign
from tests.browser.a11y import assert_accessible
from tests.browser.test_browser_proposals import assert_not_reloaded, expect_announced, listen
from tests.test_themes import add_proposal

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Made:
    """What was made before the live server started: plain values, no session needed."""

    slug: str
    theme_ids: tuple[int, ...]
    proposal_ids: tuple[int, ...]


@pytest.fixture
def curated(
    make_campaign: Callable[..., Campaign],
    moderator: User,
    org_a: Organization,
    org_b: Organization,
) -> Made:
    campaign = make_campaign(title="25 Kasım", slug="25-kasim")
    made = [
        themes.create_theme(campaign, moderator, themes.ThemeData(name_tr=name, colour=colour))
        for name, colour in (
            ("Kurumlar arası koordinasyon", "#1d4f91"),
            ("Erişilebilir destek mekanizmaları", "#1d6b52"),
        )
    ]
    proposals = [
        add_proposal(campaign, org_a, "Mor Bank Atölyesi"),
        add_proposal(campaign, org_b, "Turuncu Yürüyüş"),
        add_proposal(campaign, org_a, "Işık Atölyesi"),
    ]
    db.session.commit()
    return Made(campaign.slug, tuple(t.id for t in made), tuple(p.id for p in proposals))


@pytest.fixture
def ui_plural(app: Flask) -> Callable[[str, str, int], str]:
    def translate(singular: str, plural: str, num: int) -> str:
        with app.test_request_context(), force_locale("tr"):
            return ngettext(singular, plural, num) % {"num": num}

    return translate


def test_assign_a_theme_to_two_proposals_by_keyboard_in_place(
    curated: Made,
    moderator: User,
    live_server: LiveServer,
    page: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
    ui_plural: Callable[[str, str, int], str],
) -> None:
    coordination, _support = curated.theme_ids
    first, second, third = curated.proposal_ids
    log_in(page, moderator)

    # From the campaign page to the overview: three proposals without a theme.
    page.goto(f"/campaigns/{curated.slug}")
    assert_accessible(page)
    page.get_by_role("link", name=ui_text("Moderation"), exact=True).click()
    unthemed = ui_plural("%(num)d proposal has no theme", "%(num)d proposals have no theme", 3)
    expect(page.locator("#unthemed-count")).to_have_text(unthemed)
    assert_accessible(page)

    page.get_by_role("link", name=ui_text("Open the theme board")).click()
    expect(page.locator(f"#group-{coordination} .group-count")).to_have_text("0")
    expect(page.locator("#group-none .group-count")).to_have_text("3")
    assert_accessible(page)

    listen(page)
    for proposal_id in (first, third):
        box = page.locator(f"#pick-{proposal_id}")
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    theme_box = page.get_by_role("checkbox", name="Kurumlar arası koordinasyon")
    theme_box.focus()
    page.keyboard.press("Space")
    expect(theme_box).to_be_checked()
    button = page.get_by_role("button", name=ui_text("Apply to the chosen proposals"))
    button.focus()
    page.keyboard.press("Enter")

    expect(page.locator(f"#group-{coordination} .group-count")).to_have_text("2")
    expect(page.locator("#group-none .group-count")).to_have_text("1")
    expect(page.locator(f"#row-{first} .row-themes")).to_contain_text("Kurumlar arası")
    expect(page.locator(f"#row-{second} .row-themes")).to_have_text(ui_text("Unthemed"))
    added = ui_plural("Themes added to %(num)d proposal.", "Themes added to %(num)d proposals.", 2)
    expect_announced(page, added)
    expect(
        page.get_by_role("button", name=ui_text("Apply to the chosen proposals"))
    ).to_be_focused()
    assert_not_reloaded(page)
    assert_accessible(page)


def test_reorder_themes_by_keyboard_in_place(
    curated: Made,
    moderator: User,
    live_server: LiveServer,
    page: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    coordination, support = curated.theme_ids
    log_in(page, moderator)
    page.goto(f"/campaigns/{curated.slug}/themes")
    rows = page.locator("#theme-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_id(f"theme-{coordination}")
    assert_accessible(page)

    listen(page)
    down = page.locator(f"#theme-{coordination}").get_by_role("button", name=ui_text("Move down"))
    down.focus()
    page.keyboard.press("Enter")
    expect(rows.first).to_have_id(f"theme-{support}")
    expect_announced(page, ui_text("“%(name)s” moved down.", name="Kurumlar arası koordinasyon"))
    # Now last, its "Move down" is disabled: focus is on its "Move up".
    expect(
        page.locator(f"#theme-{coordination}").get_by_role("button", name=ui_text("Move up"))
    ).to_be_focused()
    assert_not_reloaded(page)
    assert_accessible(page)

    # A new theme: refused without its Turkish name, then created, last in the order.
    page.get_by_role("link", name=ui_text("New theme")).click()
    assert_accessible(page)
    page.get_by_role("button", name=ui_text("Create the theme")).click()
    expect(page.locator("#name_tr-error")).to_have_text(
        ui_text("Please give the theme a name in Turkish.")
    )
    assert_accessible(page)
    page.get_by_label(ui_text("Name in Turkish")).fill("Kadınların sosyal hayata katılımı")
    page.get_by_role("button", name=ui_text("Create the theme")).click()
    expect(rows).to_have_count(3)
    expect(rows.last).to_contain_text("Kadınların sosyal hayata katılımı")
    assert_accessible(page)


@pytest.fixture
def crowded(
    make_campaign: Callable[..., Campaign],
    moderator: User,
    org_a: Organization,
) -> Made:
    """55 proposals: a page of 50 and a page of 5; the newest carries a theme of a colour
    no stylesheet knew before the campaign's own."""
    campaign = make_campaign(title="25 Kasım", slug="25-kasim")
    made = [
        themes.create_theme(campaign, moderator, themes.ThemeData(name_tr=name, colour=colour))
        for name, colour in (("Kurumlar arası koordinasyon", "#1d4f91"), ("Sarı tema", "#ffe14d"))
    ]
    start = datetime(2026, 9, 1)
    proposals = [
        add_proposal(campaign, org_a, f"Öneri {n:02d}", submitted_at=start + timedelta(hours=n))
        for n in range(55)
    ]
    proposals[-1].themes.append(made[1])
    db.session.commit()
    return Made(campaign.slug, tuple(t.id for t in made), tuple(p.id for p in proposals))


def test_page_through_the_board_and_select_a_whole_page_by_keyboard(
    crowded: Made,
    moderator: User,
    live_server: LiveServer,
    page: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
    ui_plural: Callable[[str, str, int], str],
) -> None:
    coordination, yellow = crowded.theme_ids
    log_in(page, moderator)
    page.goto(f"/campaigns/{crowded.slug}/board")
    assert_accessible(page)
    # The tabs of the moderation pages sit in a row, the current one marked.
    tabs = page.locator(".moderation-nav a")
    assert tabs.nth(0).bounding_box()["y"] == tabs.nth(1).bounding_box()["y"]  # type: ignore[index]
    expect(page.locator(".moderation-nav a[aria-current='page']")).to_have_css("font-weight", "700")
    # The campaign's stylesheet colours the chip (yellow, so black text), no inline style.
    chip = page.locator(f"#row-{crowded.proposal_ids[-1]} .theme-chip")
    expect(chip).to_have_css("background-color", "rgb(255, 225, 77)")
    expect(chip).to_have_css("color", "rgb(0, 0, 0)")
    expect(page.locator(".board-table caption")).to_contain_text("1–50")

    listen(page)
    next_page = page.get_by_role("link", name=ui_text("Next page"))
    next_page.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".board-pages a[aria-current='page']")).to_have_text(f"{ui_text('Page')} 2")
    expect(page).to_have_url(re.compile(r"[?&]page=2\b"))
    expect(page.locator("#board-table-heading")).to_be_focused()
    expect(page.locator(".board-table tbody tr")).to_have_count(5)
    assert_not_reloaded(page)
    assert_accessible(page)

    select_all = page.get_by_role("button", name=ui_text("Select all on this page"))
    select_all.focus()
    page.keyboard.press("Enter")
    boxes = page.locator("input[name='proposal_ids']")
    expect(boxes.nth(4)).to_be_checked()
    for n in range(4):
        expect(boxes.nth(n)).to_be_checked()
    expect_announced(
        page,
        ui_plural(
            "The %(num)d proposal on this page is chosen.",
            "All %(num)d proposals on this page are chosen.",
            5,
        ),
    )
    expect(page.get_by_role("button", name=ui_text("Select all on this page"))).to_be_focused()

    # One is unticked by keyboard; the themes go to the four still ticked, on this page.
    first_box = boxes.nth(0)
    first_box.focus()
    page.keyboard.press("Space")
    expect(first_box).not_to_be_checked()
    theme_box = page.get_by_role("checkbox", name="Kurumlar arası koordinasyon")
    theme_box.focus()
    page.keyboard.press("Space")
    button = page.get_by_role("button", name=ui_text("Apply to the chosen proposals"))
    button.focus()
    page.keyboard.press("Enter")
    added = ui_plural("Themes added to %(num)d proposal.", "Themes added to %(num)d proposals.", 4)
    expect_announced(page, added)
    expect(page.locator(f"#group-{coordination} .group-count")).to_have_text("4")
    expect(page.locator(".board-pages a[aria-current='page']")).to_have_text(f"{ui_text('Page')} 2")
    # The yellow theme was not chosen: its count is unchanged.
    expect(page.locator(f"#group-{yellow} .group-count")).to_have_text("1")
    assert_not_reloaded(page)
    assert_accessible(page)


def test_without_javascript_pages_and_select_all_are_links_and_buttons(
    crowded: Made,
    moderator: User,
    live_server: LiveServer,
    page_without_js: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
    ui_plural: Callable[[str, str, int], str],
) -> None:
    page = page_without_js
    log_in(page, moderator)
    page.goto(f"/campaigns/{crowded.slug}/board?q=öneri")
    assert_accessible(page)
    page.get_by_role("link", name=ui_text("Next page")).click()
    expect(page).to_have_url(re.compile(r"q=%C3%B6neri&page=2$"))
    assert_accessible(page)
    page.get_by_role("button", name=ui_text("Select all on this page")).click()
    expect(page.locator("input[name='proposal_ids']:checked")).to_have_count(5)
    assert_accessible(page)
    page.get_by_role("checkbox", name="Kurumlar arası koordinasyon").check()
    page.get_by_role("button", name=ui_text("Apply to the chosen proposals")).click()
    expect(page.locator(".flash")).to_have_text(
        ui_plural("Themes added to %(num)d proposal.", "Themes added to %(num)d proposals.", 5)
    )
    expect(page).to_have_url(re.compile(r"q=%C3%B6neri&page=2$"))
    expect(page.locator(".board-pages a[aria-current='page']")).to_have_text(f"{ui_text('Page')} 2")
    assert_accessible(page)
