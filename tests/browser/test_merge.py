# ruff: noqa: F811 - the shared fixtures are imported from tests/voting_helpers.py
"""A moderator merges two proposals into a third in a real browser, by keyboard: the form
shows what the merge will do before it is confirmed, the pages then link both ways
("Merged from" on the target, "Merged into" on each source), and undoing the merge brings
the originals back. The decision page is used too (with its error, then the official
answer on the proposal). Every page reached goes through axe (``assert_accessible``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from pytest_flask.live_server import LiveServer

from auth.models import Organization, User
from proposals.models import Campaign, PartnershipState, Proposal
from tests.browser.a11y import assert_accessible
from tests.conftest import Clock
from tests.voting_helpers import attempt, make_proposal, org_c, voting_campaign  # noqa: F401

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Three:
    """What was made before the live server started: plain values, no session needed."""

    target: int
    sources: tuple[int, int]
    titles: tuple[str, str, str]
    partner: str  # the organisation that becomes a partner of the target


@pytest.fixture
def three(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    clock: Clock,
) -> Three:
    campaign = voting_campaign(votes_per_organization=3)
    titles = ("Mor Bank", "Mor Bank Buca", "Mor Bank Konak")
    target = make_proposal(campaign, org_a, title=titles[0])
    first = make_proposal(campaign, org_b, title=titles[1])
    second = make_proposal(
        campaign, org_a, title=titles[2], partners=((org_b, PartnershipState.confirmed),)
    )
    voter = make_user(organization=org_c)
    assert attempt(first, voter, 1, clock.now) == 2
    assert attempt(second, voter, 1, clock.now) == 1
    return Three(target.id, (first.id, second.id), titles, org_b.name)


def test_merge_two_proposals_into_a_third_by_keyboard_and_undo_it(
    three: Three,
    moderator: User,
    live_server: LiveServer,
    page: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    log_in(page, moderator)
    page.goto(f"/proposals/{three.target}")
    assert_accessible(page)
    actions = page.get_by_role("region", name=ui_text("Moderator actions"))
    actions.get_by_role("link", name=ui_text("Merge other proposals into this one")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ui_text("Merge proposals into “%(title)s”", title=three.titles[0])
    )
    assert_accessible(page)

    # Tick both sources with the space bar, moving with Tab (each row: box, then its link).
    first = page.get_by_role("checkbox", name=re.compile(re.escape(three.titles[1])))
    second = page.get_by_role("checkbox", name=re.compile(re.escape(three.titles[2])))
    first.focus()
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(second).to_be_focused()
    page.keyboard.press("Space")
    expect(second).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    reason = page.get_by_label(ui_text("Note for the record (optional)"))
    expect(reason).to_be_focused()
    page.keyboard.type("Aynı fikir üç kez önerilmiş.")
    page.keyboard.press("Tab")
    preview = page.get_by_role("button", name=ui_text("Show what the merge will do"))
    expect(preview).to_be_focused()
    page.keyboard.press("Enter")

    # Nothing is merged yet: the page says what will happen.
    consequences = page.get_by_role("region", name=ui_text("What the merge will do"))
    expect(consequences).to_contain_text(three.partner)
    expect(consequences).to_contain_text(
        ui_text("The votes of %(num)d organisation move to the target.", num=1)
    )
    expect(page).to_have_url(re.compile(r"#consequences$"))
    assert_accessible(page)
    confirm = consequences.get_by_role("button", name=ui_text("Confirm the merge"))
    confirm.focus()
    page.keyboard.press("Enter")

    # The target lists its sources; each source points to the target.
    expect(page).to_have_url(live_server.url(f"/proposals/{three.target}"))
    expect(page.locator(".flashes")).to_contain_text(
        ui_text(
            "The proposals have been merged into “%(title)s”. The organisations concerned "
            "have been notified.",
            title=three.titles[0],
        )
    )
    merged_from = page.get_by_role("region", name=ui_text("Merged from"))
    expect(merged_from.get_by_role("link")).to_have_text([three.titles[1], three.titles[2]])
    expect(page.locator("p.meta")).to_contain_text(three.partner)  # a partner now
    assert_accessible(page)
    merged_from.get_by_role("link", name=three.titles[1]).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url(f"/proposals/{three.sources[0]}"))
    banner = page.locator("#merged-into")
    expect(banner).to_contain_text(ui_text("Merged into:"))
    expect(banner.get_by_role("link", name=three.titles[0])).to_be_visible()
    expect(page.locator("p.meta .badge")).to_have_text(ui_text("Merged"))
    assert_accessible(page)

    # Undo from the target: the originals are back as they were.
    banner.get_by_role("link", name=three.titles[0]).click()
    expect(page).to_have_url(live_server.url(f"/proposals/{three.target}"))
    assert_accessible(page)
    undo = page.get_by_role("region", name=ui_text("Merged from")).get_by_role(
        "button", name=ui_text("Undo this merge")
    )
    undo.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_contain_text(
        ui_text("The merge has been undone: the proposals are as they were before it.")
    )
    expect(page.get_by_role("region", name=ui_text("Merged from"))).to_have_count(0)
    expect(page.locator("p.meta")).not_to_contain_text(three.partner)
    assert_accessible(page)
    for source, title in zip(three.sources, three.titles[1:], strict=True):
        page.goto(f"/proposals/{source}")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.locator("#merged-into")).to_have_count(0)
        expect(page.locator("p.meta .badge")).to_have_text(ui_text("Submitted"))
        assert_accessible(page)


def test_decide_the_status_with_an_official_answer(
    three: Three,
    organizer: User,
    live_server: LiveServer,
    page: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    log_in(page, organizer)
    page.goto(f"/proposals/{three.target}/decision")
    expect(page.get_by_role("heading", level=1)).to_contain_text(three.titles[0])
    assert_accessible(page)

    status = page.get_by_role("group", name=ui_text("Status"))
    status.get_by_label(ui_text("Not accepted"), exact=True).check()
    page.get_by_role("button", name=ui_text("Record the decision")).click()
    expect(page.locator("#answer_tr-error")).to_have_text(
        ui_text(
            "Give the official answer in Turkish or in English: the organisations are told why."
        )
    )
    expect(status.get_by_label(ui_text("Not accepted"), exact=True)).to_be_checked()
    assert_accessible(page)

    page.get_by_label(ui_text("Official answer in Turkish")).fill(
        "Öneri kampanyanın konusu dışında kalıyor."
    )
    page.get_by_role("button", name=ui_text("Record the decision")).click()
    expect(page).to_have_url(live_server.url(f"/proposals/{three.target}"))
    answer = page.get_by_role("region", name=ui_text("Official answer"))
    expect(answer).to_contain_text("Öneri kampanyanın konusu dışında kalıyor.")
    expect(answer).to_contain_text(ui_text("Not accepted"))
    assert_accessible(page)
