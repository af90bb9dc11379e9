"""A moderator hides a reported comment with a reason and restores it, in a real browser:
in place on the reports queue (htmx), from the proposal page and from the hide form
without htmx. Other readers see "Hidden by moderation"; the replies keep their place.

Every page reached goes through axe (``assert_accessible``): the queue, the hide form
(also with its error), the proposal page as the moderator and as another reader.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_flask.live_server import LiveServer

from auth.models import User
from extensions import db
from proposals import discussion
from proposals.models import Campaign, CommentKind
from tests.browser.a11y import assert_accessible
from tests.browser.test_browser_proposals import (
    Made,
    assert_not_reloaded,
    expect_announced,
    listen,
    make_submitted,
)
from tests.conftest import Clock

pytestmark = pytest.mark.browser

STORY = "Komşumuz Zeynep Hanım'ın adresi Alsancak'ta, 12 numara."
REPLY = "Lütfen kişisel bilgileri paylaşmayalım."
REASON = "Bir kadının adı ve adresi açıkça yazılmış."


@pytest.fixture
def campaign(make_campaign: Callable[..., Campaign]) -> Campaign:
    return make_campaign(title="25 Kasım", slug="25-kasim")


@pytest.fixture
def reported(campaign: Campaign, rep_a: User, rep_b: User, clock: Clock) -> tuple[Made, int]:
    """A proposal whose comment (by rep_a) has a reply and a report (both by rep_b)."""
    proposal = make_submitted(campaign, rep_a, clock.now, title="Mor Bant Atölyesi")
    from proposals.models import Proposal

    found = db.session.get(Proposal, proposal.id)
    assert found is not None
    comment = discussion.post_comment(found, rep_a, STORY, CommentKind.comment, clock.now)
    discussion.post_comment(found, rep_b, REPLY, CommentKind.comment, clock.now, comment)
    discussion.report(rep_b, comment=comment, reason="Adres paylaşılmış", now=clock.now)
    db.session.commit()
    return proposal, comment.id


def test_hide_a_comment_on_the_queue_and_restore_it_from_the_proposal_page(
    campaign: Campaign,
    reported: tuple[Made, int],
    moderator: User,
    rep_b: User,
    live_server: LiveServer,
    page: Page,
    open_page: Callable[[], Page],
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
) -> None:
    proposal, comment_id = reported
    log_in(page, moderator)

    # The queue: the reported comment, with its reason, hidden in place with htmx.
    page.goto(f"/campaigns/{campaign.slug}/reports")
    item = page.locator(f"#report-comment-{comment_id}")
    expect(item).to_contain_text(STORY)
    expect(item).to_contain_text("Adres paylaşılmış")
    assert_accessible(page)

    listen(page)
    item.locator("summary").filter(has_text=ui_text("Hide with a reason")).click()
    item.locator("details form button[type=submit]").click()  # no reason yet
    error = ui_text("Please give the reason; the author will read it.")
    expect(item.locator(".error")).to_have_text(error)
    assert_not_reloaded(page)
    assert_accessible(page)

    item.get_by_label(ui_text("Reason for hiding"), exact=True).fill(REASON)
    item.locator("details form button[type=submit]").click()
    expect(item).to_contain_text(ui_text("Hidden by a moderator"))
    expect_announced(page, ui_text("The comment is hidden; its author was told why."))
    expect(item).to_be_focused()
    assert_not_reloaded(page)
    expect(page).to_have_url(live_server.url(f"/campaigns/{campaign.slug}/reports"))
    assert_accessible(page)

    # Another organisation reads a placeholder; the reply keeps its place under it.
    reader = open_page()
    log_in(reader, rep_b)
    reader.goto(f"/proposals/{proposal.id}")
    hidden = reader.locator(f"#comment-{comment_id}")
    expect(hidden).to_contain_text(ui_text("Hidden by moderation."))
    expect(hidden).not_to_contain_text(STORY)
    expect(hidden).not_to_contain_text(REASON)
    expect(hidden.locator("ol.comment-replies")).to_contain_text(REPLY)
    assert_accessible(reader)

    # The moderator sees the text, marked hidden with its reason, and restores it.
    page.goto(f"/proposals/{proposal.id}")
    comment = page.locator(f"#comment-{comment_id}")
    expect(comment.locator(".badge-hidden")).to_have_text(ui_text("Hidden"))
    expect(comment).to_contain_text(STORY)
    expect(comment).to_contain_text(REASON)
    assert_accessible(page)
    comment.get_by_role("button", name=ui_text("Restore this comment")).click()
    expect(page.locator(".flashes")).to_contain_text(
        ui_text("The comment is visible again; its author was told.")
    )
    comment = page.locator(f"#comment-{comment_id}")
    expect(comment.locator(".badge-hidden")).to_have_count(0)
    assert_accessible(page)

    reader.reload()
    expect(reader.locator(f"#comment-{comment_id}")).to_contain_text(STORY)
    assert_accessible(reader)

    # From the proposal page again, through the hide form (a page of its own).
    own_actions = comment.locator(":scope > .comment-actions")  # not the reply's
    own_actions.get_by_role("link", name=ui_text("Hide this comment")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("Hide a comment"))
    assert_accessible(page)
    page.get_by_role("button", name=ui_text("Hide"), exact=True).click()
    expect(page.locator("#reason-error")).to_have_text(error)
    assert_accessible(page)
    page.get_by_label(ui_text("Reason for hiding"), exact=True).fill(REASON)
    page.get_by_role("button", name=ui_text("Hide"), exact=True).click()
    expect(page).to_have_url(live_server.url(f"/proposals/{proposal.id}#comment-{comment_id}"))
    expect(page.locator(f"#comment-{comment_id} .badge-hidden")).to_be_visible()
    assert_accessible(page)
