"""Proposals in a real browser, with JavaScript (htmx): writing and submitting with a
partner who confirms, the discussion in place, filtering the list in place with a
shareable address and a working Back button, the history of an edit, and the draft
saved by itself while it is written.

Every page reached goes through axe (``assert_accessible``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, ngettext
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pytest_flask.live_server import LiveServer

from auth.models import Organization, User
from extensions import db
from proposals import submission
from proposals.models import ActivityType, Campaign, Proposal
from tests.browser.a11y import assert_accessible, watch
from tests.conftest import Clock

pytestmark = pytest.mark.browser

CAMPAIGN_TITLE = "25 Kasım Kadına Yönelik Şiddete Karşı Uluslararası Mücadele Günü"


@dataclass(frozen=True)
class Made:
    """A proposal made before the live server started: plain values, no session needed."""

    id: int
    title: str


def make_submitted(campaign: Campaign, user: User, now: datetime, **fields: Any) -> Made:
    """A proposal written and submitted through the app's own workflow."""
    values: dict[str, Any] = {
        "title": "Mor Bank",
        "summary": "Kordon'da akşam yürüyüşü ve şiir dinletisi.",
        "description": "Yürüyüş Konak'tan başlar; **destek hattı** kartları dağıtılır.",
        "activity_type": ActivityType.event,
        "district": "Konak",
    }
    values.update(fields)
    proposal = submission.save_draft(campaign, user, submission.ProposalFields(**values), now)
    submission.submit(proposal, user, now)
    db.session.commit()
    return Made(proposal.id, proposal.title)


@pytest.fixture
def campaign(make_campaign: Callable[..., Campaign]) -> Campaign:
    return make_campaign(title=CAMPAIGN_TITLE)


@pytest.fixture
def ui_plural(app: Flask) -> Callable[..., str]:
    """``ui_text`` for messages with a plural: what the interface says for ``num``."""

    def translate(singular: str, plural: str, num: int, locale: str = "tr") -> str:
        with app.test_request_context(), force_locale(locale):
            return ngettext(singular, plural, num)

    return translate


# --- what a screen reader hears and whether the page was reloaded ----------------------

# A screen reader reads out a live region when its content changes while it is on the page;
# a region that arrives already holding its message (inside a swapped-in block) is not
# reliably read. So "announced" here means: text changed inside a live region that was
# already in the document (a MutationObserver records those changes).
_LISTEN = """() => {
  window.__noReload = true;
  window.__announced = [];
  const LIVE = '[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"], [role="log"]';
  const regionOf = (node) => {
    const element = node.nodeType === 1 ? node : node.parentElement;
    return element ? element.closest(LIVE) : null;
  };
  new MutationObserver((records) => {
    for (const record of records) {
      const region = regionOf(record.target);
      if (region && region.isConnected && region.textContent.trim()) {
        window.__announced.push(region.textContent.trim().replace(/\\s+/g, " "));
      }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def listen(page: Page) -> None:
    """Before an in-place action: a marker a reload would lose, and an ear on live regions."""
    page.evaluate(_LISTEN)


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("() => window.__noReload === true"), "the page was reloaded"


def expect_announced(page: Page, message: str) -> None:
    page.wait_for_function(
        "(message) => (window.__announced || []).some((said) => said.includes(message))",
        arg=message,
        timeout=5_000,
    )


def new_tab(context: BrowserContext) -> tuple[Page, Callable[[], list[str]]]:
    """Another tab in the same browser (same cookies and storage), watched like the first."""
    tab = context.new_page()
    return tab, watch(tab).unchecked


# --- 1 and 2: submitting with a partner, who confirms ----------------------------------


def test_submit_a_proposal_with_a_partner_who_confirms(
    campaign: Campaign,
    rep_a: User,
    rep_b: User,
    org_a: Organization,
    org_b: Organization,
    live_server: LiveServer,
    page: Page,
    open_page: Callable[[], Page],
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    title = "Sessizliği Boz: IŞIK yürüyüşü"
    partner, author = org_b.name, org_a.name

    log_in(page, rep_a)
    page.get_by_role("main").get_by_role("link", name=CAMPAIGN_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CAMPAIGN_TITLE)
    assert_accessible(page)

    page.get_by_role("link", name=ui_text("Write a proposal")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("New proposal"))
    assert_accessible(page)
    page.get_by_label(ui_text("Title"), exact=True).fill(title)
    page.get_by_label(ui_text("Summary"), exact=True).fill("Kordon'da akşam yürüyüşü.")
    page.get_by_label(ui_text("Description"), exact=True).fill(
        "Yürüyüş Konak'tan başlar; *destek hattı* kartları dağıtılır."
    )
    page.get_by_label(ui_text("Type of activity"), exact=True).select_option(
        label=ui_text("Workshop")
    )
    page.get_by_label(ui_text("District"), exact=True).select_option(label="Karşıyaka")
    page.get_by_role("checkbox", name=partner, exact=True).check()
    page.get_by_role("button", name=ui_text("Submit the proposal")).click()

    expect(page).to_have_url(re.compile(r"/proposals/\d+$"))
    expect(page.get_by_role("status").first).to_contain_text(
        ui_text("Your proposal has been submitted. Thank you!")
    )
    proposal_url = page.url
    article = page.get_by_role("article").filter(has=page.get_by_role("heading", name=title))
    expect(article.get_by_role("heading", level=1)).to_have_text(title)
    meta = article.locator("p.meta")
    expect(meta.locator(".badge")).to_have_text(ui_text("Submitted"))
    expect(meta).to_contain_text(author)
    # Asked, not yet a partner: only the author's own list of requests names it, as pending.
    expect(meta).not_to_contain_text(partner)
    expect(article.get_by_role("listitem").filter(has_text=partner)).to_have_text(
        f"{partner}: {ui_text('awaiting confirmation')}"
    )
    assert_accessible(page)

    # The partner, in their own browser, finds the request among their notifications.
    other = open_page()
    log_in(other, rep_b)
    other.get_by_role("banner").get_by_role(
        "link", name=ui_text("Notifications (%(count)d)", count=1)
    ).click()
    expect(other.get_by_role("heading", level=1)).to_have_text(ui_text("Notifications"))
    assert_accessible(other)
    other.get_by_role("link", name=ui_text(
        "%(organization)s asks your organisation to be a partner of “%(title)s”.",
        organization=author, title=title,
    )).click()  # fmt: skip
    expect(other).to_have_url(proposal_url)
    request = other.get_by_role("region", name=ui_text("Partnership request"))
    expect(request).to_contain_text(author)
    assert_accessible(other)

    request.get_by_role("button", name=ui_text("Confirm the partnership")).click()
    expect(other.get_by_role("status").first).to_contain_text(
        ui_text("Your organisation is now a partner of this proposal.")
    )
    expect(other).to_have_url(proposal_url)
    other_meta = other.get_by_role("article").locator("p.meta").first
    expect(other_meta).to_contain_text(f"{ui_text('Partners:')} {partner}")
    expect(other.get_by_role("region", name=ui_text("Partnership request"))).to_have_count(0)
    assert_accessible(other)

    # The campaign's list names the partner too.
    other.get_by_role("link", name=CAMPAIGN_TITLE).click()
    card = other.get_by_role("listitem").filter(has=other.get_by_role("link", name=title))
    expect(card).to_contain_text(ui_text("with %(partners)s", partners=partner))
    assert_accessible(other)

    # And the author sees it as a partner now.
    page.reload()
    expect(meta).to_contain_text(f"{ui_text('Partners:')} {partner}")
    assert_accessible(page)


# --- 3: the discussion in place --------------------------------------------------------


@pytest.fixture
def proposal(campaign: Campaign, rep_a: User, clock: Clock) -> Made:
    return make_submitted(campaign, rep_a, clock.now, title="İZMİR'DE MOR YÜRÜYÜŞ")


@pytest.fixture
def edited_proposal(proposal: Made, rep_a: User, clock: Clock) -> Made:
    """Edited once since it was submitted: its page shows a history as well as the discussion."""
    found = db.session.get(Proposal, proposal.id)
    assert found is not None
    fields = submission.fields_of(found)
    fields.description += "\n\nDönüşte Kordon'da şiir dinletisi."
    submission.edit(found, rep_a, fields, clock.advance(minutes=5))
    db.session.commit()
    return proposal


def thread_item(page: Page, text: str) -> Locator:
    """A top-level comment (with its replies) by what it says."""
    return page.locator("#comments ol.comment-thread > li > article").filter(has_text=text)


def test_comment_reply_and_edit_in_place(
    edited_proposal: Made,
    rep_a: User,
    rep_b: User,
    live_server: LiveServer,
    page: Page,
    open_page: Callable[[], Page],
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
    ui_plural: Callable[..., str],
) -> None:
    comment_text = "Bornova'dan gönüllülerimizle destek veriyoruz."
    reply_text = "Teşekkürler, rota planını paylaşacağız."
    edited_text = "Bornova'dan on gönüllümüzle destek veriyoruz."
    proposal = edited_proposal

    # A partner-to-be (rep_b) writes a comment marked as support.
    log_in(page, rep_b)
    page.goto(f"/proposals/{proposal.id}")
    comments = page.get_by_role("region", name=ui_plural("%(num)d comment", "%(num)d comments", 0))
    expect(comments).to_contain_text(ui_text("No comments yet."))
    expect(page.get_by_role("region", name=ui_text("History")).locator("ins")).to_have_count(1)
    assert_accessible(page)

    listen(page)
    page.get_by_role("radio", name=ui_text("Support"), exact=True).check()
    page.get_by_label(ui_text("Your comment"), exact=True).fill(comment_text)
    page.get_by_role("button", name=ui_text("Publish comment")).click()

    comment = thread_item(page, comment_text)
    expect(comment).to_be_visible()
    expect(comment).to_contain_text(rep_b.name)
    expect(comment.locator(".badge")).to_have_text(ui_text("Support"))
    expect(page.get_by_role("heading", level=2, name=ui_plural(
        "%(num)d comment", "%(num)d comments", 1
    ))).to_be_visible()  # fmt: skip
    expect_announced(page, ui_text("Your comment was published."))
    expect(comment).to_be_focused()
    expect(page).to_have_url(live_server.url(f"/proposals/{proposal.id}"))
    assert_not_reloaded(page)
    assert_accessible(page)

    # The author's organisation (rep_a) replies in place.
    author = open_page()
    log_in(author, rep_a)
    author.goto(f"/proposals/{proposal.id}")
    assert_accessible(author)
    listen(author)
    to_answer = thread_item(author, comment_text)
    to_answer.locator("summary").filter(has_text=ui_text("Reply")).click()
    to_answer.get_by_label(ui_text("Your reply"), exact=True).fill(reply_text)
    to_answer.get_by_role("button", name=ui_text("Publish reply")).click()

    reply = (
        thread_item(author, comment_text)
        .locator("ol.comment-replies article")
        .filter(has_text=reply_text)
    )
    expect(reply).to_be_visible()
    expect(reply).to_contain_text(rep_a.name)
    expect_announced(author, ui_text("Your comment was published."))
    expect(reply).to_be_focused()
    assert_not_reloaded(author)
    assert_accessible(author)

    # rep_b corrects the comment in place, well within the 15 minutes.
    listen(page)
    comment.get_by_role("link", name=ui_text("Edit your comment")).click()
    box = comment.get_by_label(ui_text("Your comment"), exact=True)
    expect(box).to_be_focused()
    expect(box).to_have_value(comment_text)
    assert_accessible(page)
    box.fill(edited_text)
    comment.get_by_role("button", name=ui_text("Save"), exact=True).click()

    edited = thread_item(page, edited_text)
    expect(edited.locator(".comment-body").first).to_have_text(edited_text)
    expect(edited).to_contain_text(ui_text("(edited)"))
    expect(edited).to_contain_text(reply_text)  # the reply written meanwhile is shown too
    expect_announced(page, ui_text("Your comment was saved."))
    expect(edited).to_be_focused()
    assert_not_reloaded(page)
    expect(page).to_have_url(live_server.url(f"/proposals/{proposal.id}"))
    assert_accessible(page)


# --- 4: filters and search, in place, shareable, with a working Back button -------------


@pytest.fixture
def several(campaign: Campaign, rep_a: User, rep_b: User, clock: Clock) -> str:
    """Four proposals, each a minute newer than the one before (the list shows newest first)."""
    for user, title, district in [
        (rep_a, "İZMİR'DE MOR YÜRÜYÜŞ", "Konak"),
        (rep_b, "Bornova'da dayanışma pazarı", "Bornova"),
        (rep_b, "İzmir Körfezi'nde kadın kürek takımı", "Karşıyaka"),
        (rep_a, "Işık atölyesi", "Buca"),
    ]:
        make_submitted(campaign, user, clock.now, title=title, district=district)
        clock.advance(minutes=1)
    return campaign.slug


def titles(page: Page) -> Locator:
    return page.locator("#proposal-list").get_by_role("heading", level=3)


def test_filter_and_search_in_place_with_back_and_a_shareable_address(
    several: str,
    live_server: LiveServer,
    page: Page,
    open_page: Callable[[], Page],
    ui_text: Callable[..., str],
    ui_plural: Callable[..., str],
) -> None:
    slug = several
    everything = [
        "Işık atölyesi",
        "İzmir Körfezi'nde kadın kürek takımı",
        "Bornova'da dayanışma pazarı",
        "İZMİR'DE MOR YÜRÜYÜŞ",
    ]
    search = page.get_by_role("searchbox", name=ui_text("Search"))
    district = page.get_by_label(ui_text("District"), exact=True)

    page.goto(f"/campaigns/{slug}")
    expect(titles(page)).to_have_text(everything)
    assert_accessible(page)

    listen(page)
    search.fill("izmir")  # lower-case, dotted i: must find "İZMİR…" and "İzmir…"
    expect(page).to_have_url(live_server.url(f"/campaigns/{slug}?q=izmir"))
    expect(titles(page)).to_have_text(
        ["İzmir Körfezi'nde kadın kürek takımı", "İZMİR'DE MOR YÜRÜYÜŞ"]
    )
    matches = "%(num)d proposal matches your filters.", "%(num)d proposals match your filters."
    expect_announced(page, ui_plural(*matches, 2))
    assert_not_reloaded(page)
    assert_accessible(page)

    district.select_option("Konak")
    expect(page).to_have_url(live_server.url(f"/campaigns/{slug}?q=izmir&district=Konak"))
    expect(titles(page)).to_have_text(["İZMİR'DE MOR YÜRÜYÜŞ"])
    expect_announced(page, ui_plural(*matches, 1))
    assert_not_reloaded(page)
    assert_accessible(page)

    # Back: the search alone again, in the list, the address and the form.
    page.go_back()
    expect(page).to_have_url(live_server.url(f"/campaigns/{slug}?q=izmir"))
    expect(titles(page)).to_have_text(
        ["İzmir Körfezi'nde kadın kürek takımı", "İZMİR'DE MOR YÜRÜYÜŞ"]
    )
    expect(search).to_have_value("izmir")
    expect(district).to_have_value("")
    assert_not_reloaded(page)
    assert_accessible(page)

    # Back once more to everything, then Forward to the search again.
    page.go_back()
    expect(page).to_have_url(live_server.url(f"/campaigns/{slug}"))
    expect(titles(page)).to_have_text(everything)
    expect(search).to_have_value("")
    page.go_forward()
    expect(page).to_have_url(live_server.url(f"/campaigns/{slug}?q=izmir"))
    expect(titles(page)).to_have_text(
        ["İzmir Körfezi'nde kadın kürek takımı", "İZMİR'DE MOR YÜRÜYÜŞ"]
    )
    expect(search).to_have_value("izmir")
    assert_not_reloaded(page)

    # Reloaded, the address shows the same.
    page.reload()
    expect(titles(page)).to_have_text(
        ["İzmir Körfezi'nde kadın kürek takımı", "İZMİR'DE MOR YÜRÜYÜŞ"]
    )
    expect(search).to_have_value("izmir")
    expect(district).to_have_value("")
    assert_accessible(page)

    # Shared with someone else, the fully filtered address shows them the same list.
    friend = open_page()
    friend.goto(f"/campaigns/{slug}?q=izmir&district=Konak")
    expect(titles(friend)).to_have_text(["İZMİR'DE MOR YÜRÜYÜŞ"])
    expect(friend.get_by_role("searchbox", name=ui_text("Search"))).to_have_value("izmir")
    expect(friend.get_by_label(ui_text("District"), exact=True)).to_have_value("Konak")
    assert_accessible(friend)


# --- 5: an edit shows in the history ---------------------------------------------------


def test_an_edit_shows_in_the_history_with_the_changed_words(
    proposal: Made,
    rep_a: User,
    live_server: LiveServer,
    page: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    log_in(page, rep_a)
    page.goto(f"/proposals/{proposal.id}")
    expect(page.get_by_role("region", name=ui_text("History"))).to_have_count(0)  # one version
    assert_accessible(page)

    page.get_by_role("link", name=ui_text("Edit the proposal")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("Edit the proposal"))
    summary = page.get_by_label(ui_text("Summary"), exact=True)
    expect(summary).to_have_value("Kordon'da akşam yürüyüşü ve şiir dinletisi.")
    assert_accessible(page)
    summary.fill("Kordon'da gece yürüyüşü ve şiir dinletisi.")
    page.get_by_role("button", name=ui_text("Save changes")).click()

    expect(page).to_have_url(live_server.url(f"/proposals/{proposal.id}"))
    expect(page.get_by_role("status").first).to_contain_text(
        ui_text("Your changes have been saved; the earlier text is kept in the history.")
    )
    expect(page.locator("p.lead")).to_have_text("Kordon'da gece yürüyüşü ve şiir dinletisi.")
    history = page.get_by_role("region", name=ui_text("History"))
    versions = history.get_by_role("listitem")
    expect(versions).to_have_count(2)
    newest = versions.first
    expect(newest).to_contain_text(ui_text("Version %(number)d", number=2))
    expect(newest).to_contain_text(rep_a.name)
    expect(newest.get_by_role("term")).to_have_text([ui_text("Summary")])
    expect(newest.locator("del")).to_have_text(["akşam"])
    expect(newest.locator("ins")).to_have_text(["gece"])
    expect(versions.last).to_contain_text(ui_text("Version %(number)d", number=1))
    expect(versions.last).to_contain_text(ui_text("The text as first submitted."))
    assert_accessible(page)


# --- 6: the draft saves itself -----------------------------------------------------------


def test_a_draft_saves_itself_and_survives_closing_the_tab(
    campaign: Campaign,
    rep_a: User,
    live_server: LiveServer,
    page: Page,
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    title = "Çiğli'de kadın kooperatifi tanışma günü"
    summary = "Kooperatif üyeleriyle tanışma, el emeği sergisi."
    saved = re.compile(
        re.escape(ui_text("Draft saved at %(time)s.", time="TIME")).replace(
            "TIME", r"\d{1,2}[:.]\d{2}"
        )
    )

    log_in(page, rep_a)
    page.goto(f"/campaigns/{campaign.slug}")
    assert_accessible(page)
    page.get_by_role("link", name=ui_text("Write a proposal")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("New proposal"))
    assert_accessible(page)

    page.get_by_label(ui_text("Title"), exact=True).fill(title)
    page.get_by_label(ui_text("Summary"), exact=True).fill(summary)
    # Nothing pressed: the form saves itself a few seconds after the typing stops.
    expect(page.locator("#autosave-status")).to_have_text(saved, timeout=10_000)
    # The address is now the draft's own, so a reload or a bookmark finds it.
    expect(page).to_have_url(re.compile(r"/proposals/\d+/edit$"))
    edit_url = page.url
    assert_accessible(page)

    context = page.context
    page.close()
    tab, unchecked = new_tab(context)
    tab.goto(f"/campaigns/{campaign.slug}")
    card = tab.get_by_role("listitem").filter(has=tab.get_by_role("link", name=title))
    expect(card.locator(".badge")).to_have_text(ui_text("Draft"))
    expect(card).to_contain_text(summary)
    assert_accessible(tab)

    tab.goto(edit_url)
    expect(tab.get_by_role("heading", level=1)).to_have_text(ui_text("Edit the draft"))
    # The server's copy (the value attribute), not only the browser's local one.
    expect(tab.get_by_label(ui_text("Title"), exact=True)).to_have_attribute("value", title)
    expect(tab.get_by_label(ui_text("Summary"), exact=True)).to_have_value(summary)
    assert_accessible(tab)
    assert not unchecked(), f"pages reached without assert_accessible: {unchecked()}"
