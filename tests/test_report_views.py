"""The reports queue and hide / restore / dismiss pages; what hidden content looks like on
the proposal page and in the API, to each kind of reader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import select

from auth.models import User
from extensions import db
from proposals import discussion, reports
from proposals.models import Campaign, Comment, CommentKind, Proposal, Report, ReportState
from tests.dom import Element, page
from text import fold

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/"}
STORY = "Komşumuz Zeynep'in başına gelenler"


def turkish(message: str, **values: Any) -> str:
    with force_locale("tr"):
        return gettext(message, **values)


def htmx_for(target: str) -> dict[str, str]:
    return {**HTMX, "HX-Target": target}


@pytest.fixture
def campaign(make_campaign) -> Campaign:
    return make_campaign(slug="25-kasim")


@pytest.fixture
def proposal(campaign, org_a, clock) -> Proposal:
    made = Proposal(
        campaign=campaign,
        organization=org_a,
        state="submitted",
        title="Mor Bant Atölyesi",
        summary="Kadınlarla dayanışma atölyesi.",
        description="Atölyenin ayrıntıları burada.",
        search_text=fold("Mor Bant Atölyesi"),
        submitted_at=clock.now,
    )
    db.session.add(made)
    db.session.commit()
    return made


@pytest.fixture
def comment(proposal, rep_a, clock) -> Comment:
    made = discussion.post_comment(proposal, rep_a, STORY, CommentKind.comment, clock.now)
    db.session.commit()
    return made


@pytest.fixture
def reporters(make_org, make_user) -> Callable[[int], list[User]]:
    def make(n: int) -> list[User]:
        return [make_user(organization=make_org(f"Dernek R{i}")) for i in range(n)]

    return make


def report(user: User, now: Any, reason: str = "Bir kadının adı geçiyor", **target: Any) -> Report:
    flagged = discussion.report(user, reason=reason, now=now, **target)
    db.session.commit()
    return flagged


def text_of(element: Element | None) -> str:
    assert element is not None
    return element.text


# --- the queue ---------------------------------------------------------------------------


def test_the_queue_shows_reported_content_grouped_with_its_reasons(
    client, auth, campaign, proposal, comment, reporters, moderator, clock
):
    people = reporters(3)
    for person in people:
        report(person, clock.now, comment=comment, reason=f"Neden: {person.organization.name}")
    report(people[0], clock.now, proposal=proposal, reason="Kopya öneri")
    auth.login(moderator)
    response = client.get(f"/campaigns/{campaign.slug}/reports")
    assert response.status_code == 200
    tree = page(response)
    announcer = tree.one("div", id="reports-announcer")
    assert announcer.get("aria-live") == "polite" and announcer.text == ""
    item = tree.one("section", id=f"report-comment-{comment.id}")
    assert STORY in item.text
    for person in people:
        assert f"Neden: {person.organization.name}" in item.text
    assert turkish("Hidden automatically") in item.text
    assert ngettext("reported by %(num)d organisation", "reported by %(num)d organisations", 3) \
        in item.text  # fmt: skip
    assert len(item.find_all("form", action=True)) >= 4  # three dismissals, restore, hide
    assert item.find("a", href=f"/proposals/{proposal.id}#comment-{comment.id}")
    other = tree.one("section", id=f"report-proposal-{proposal.id}")
    assert "Kopya öneri" in other.text and turkish("Visible") in other.text
    assert other.find("a", href=f"/proposals/{proposal.id}/edit")  # edit with a reason
    # Hidden content waits first.
    sections = tree.find_all("section", class_="report-group")
    assert sections[0].get("id") == f"report-comment-{comment.id}"
    current = tree.one("nav", class_="report-filter").one("a", aria_current="page")
    assert current.text == turkish("Open (%(count)d)", count=4)


def test_the_history_lists_decided_reports(
    client, auth, campaign, comment, reporters, moderator, clock
):
    flagged = report(reporters(1)[0], clock.now, comment=comment)
    reports.dismiss(flagged, moderator, clock.now, "Eleştiri, hakaret değil")
    db.session.commit()
    auth.login(moderator)
    open_page = page(client.get(f"/campaigns/{campaign.slug}/reports"))
    assert open_page.find("section", class_="report-group") is None
    history = page(client.get(f"/campaigns/{campaign.slug}/reports?show=decided"))
    item = history.one("section", id=f"report-comment-{comment.id}")
    assert turkish("Dismissed") in item.text and "Eleştiri, hakaret değil" in item.text
    assert item.find("form") is None  # history: no buttons


def test_participants_may_not_open_the_queue(client, auth, campaign, rep_a):
    auth.login(rep_a)
    assert client.get(f"/campaigns/{campaign.slug}/reports").status_code == 403
    assert client.get("/campaigns/unknown/reports").status_code == 403


def test_an_unknown_campaign_is_not_found(client, auth, moderator):
    auth.login(moderator)
    assert client.get("/campaigns/unknown/reports").status_code == 404


# --- dismiss -------------------------------------------------------------------------------


def test_dismiss_without_javascript_goes_back_to_the_queue(
    client, auth, campaign, comment, reporters, moderator, clock
):
    flagged = report(reporters(1)[0], clock.now, comment=comment)
    auth.login(moderator)
    queue = f"/campaigns/{campaign.slug}/reports"
    form = (
        page(client.get(queue))
        .one("section", id=f"report-comment-{comment.id}")
        .find("form", action=f"/reports/{flagged.id}/dismiss")
    )
    values = form.form_values() | {"note": "Konu dışı değil"}
    response = client.post(form.get("action"), data=values)
    assert response.status_code == 303 and response.location == queue
    shown = page(client.get(queue))
    assert turkish("The report was dismissed.") in text_of(shown.find("div", class_="flashes"))
    db.session.expire_all()
    assert flagged.state == ReportState.dismissed
    assert flagged.decision_note == "Konu dışı değil"


def test_dismiss_with_htmx_swaps_the_item_and_announces_it(
    client, auth, comment, reporters, moderator, clock
):
    flagged = [report(person, clock.now, comment=comment) for person in reporters(3)]
    auth.login(moderator)
    key = f"report-comment-{comment.id}"
    for item in flagged[:2]:
        client.post(f"/reports/{item.id}/dismiss", headers=htmx_for(key))
    response = client.post(f"/reports/{flagged[2].id}/dismiss", headers=htmx_for(key))
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    tree = page(response)
    assert tree.find("html") is None
    section = tree.one("section", id=key)
    assert "data-focus" in section.attrs
    message = turkish(
        "The report was dismissed and the content, hidden automatically, is visible again."
    )
    assert section.one("p", class_="report-status").text == message
    # Said by the queue's live region, which stays in the page (an out-of-band swap).
    announcer = tree.one("div", id="reports-announcer")
    assert announcer.get("hx-swap-oob") == "innerHTML" and announcer.text == message
    assert turkish("Visible") in section.text
    db.session.expire_all()
    assert not comment.is_hidden


def test_dismissing_twice_says_why_nothing_happened(
    client, auth, comment, reporters, moderator, clock
):
    flagged = report(reporters(1)[0], clock.now, comment=comment)
    auth.login(moderator)
    client.post(f"/reports/{flagged.id}/dismiss")
    response = client.post(f"/reports/{flagged.id}/dismiss", follow_redirects=True)
    assert turkish("This report has been decided already.") in response.get_data(as_text=True)
    assert client.post("/reports/999999/dismiss").status_code == 404


# --- hide and restore ----------------------------------------------------------------------


def test_hide_a_comment_with_a_reason_from_its_page(
    client, auth, proposal, comment, moderator, rep_a
):
    auth.login(moderator)
    proposal_page = page(client.get(f"/proposals/{proposal.id}"))
    hide_link = proposal_page.one("article", id=f"comment-{comment.id}").find(
        "a", href=f"/comments/{comment.id}/hide"
    )
    assert hide_link is not None
    form_page = page(client.get(hide_link.get("href")))
    assert STORY in form_page.text
    form = form_page.form_with("reason")
    values = form.form_values()
    # No reason: the form again, the message next to the field.
    refused = client.post(f"/comments/{comment.id}/hide", data=values | {"reason": " "})
    assert refused.status_code == 200
    error = page(refused).one("p", id="reason-error")
    assert error.text == turkish("Please give the reason; the author will read it.")
    response = client.post(
        f"/comments/{comment.id}/hide", data=values | {"reason": "Bir kadının adı açıkça geçiyor."}
    )
    assert response.status_code == 303
    assert response.location == f"/proposals/{proposal.id}#comment-{comment.id}"
    db.session.expire_all()
    assert comment.is_hidden and comment.hidden_by_id == moderator.id
    assert comment.hidden_reason == "Bir kadının adı açıkça geçiyor."


def test_hide_from_the_queue_with_htmx_and_a_missing_reason(
    client, auth, comment, reporters, moderator, clock
):
    report(reporters(1)[0], clock.now, comment=comment)
    auth.login(moderator)
    key = f"report-comment-{comment.id}"
    refused = client.post(
        f"/comments/{comment.id}/hide", data={"reason": ""}, headers=htmx_for(key)
    )
    assert refused.status_code == 200
    section = page(refused).one("section", id=key)
    assert "open" in section.one("details").attrs
    assert section.one("p", id=f"{key}-reason-error").text == turkish(
        "Please give the reason; the author will read it."
    )
    done = client.post(
        f"/comments/{comment.id}/hide", data={"reason": "Hakaret."}, headers=htmx_for(key)
    )
    section = page(done).one("section", id=key)
    assert section.one("p", class_="report-status").text == turkish(
        "The comment is hidden; its author was told why."
    )
    assert turkish("Hidden by a moderator") in section.text


def test_restore_a_comment(client, auth, proposal, comment, moderator, clock):
    reports.hide(comment, moderator, "Hakaret.", clock.now)
    db.session.commit()
    auth.login(moderator)
    article = page(client.get(f"/proposals/{proposal.id}")).one(
        "article", id=f"comment-{comment.id}"
    )
    form = article.find("form", action=f"/comments/{comment.id}/unhide")
    response = client.post(form.get("action"), data=form.form_values())
    assert response.status_code == 303
    assert response.location == f"/proposals/{proposal.id}#comment-{comment.id}"
    db.session.expire_all()
    assert not comment.is_hidden
    again = client.post(f"/comments/{comment.id}/unhide", follow_redirects=True)
    assert turkish("This is not hidden.") in again.get_data(as_text=True)


def test_hide_and_restore_a_proposal_from_its_page(client, auth, proposal, moderator):
    auth.login(moderator)
    proposal_page = page(client.get(f"/proposals/{proposal.id}"))
    link = proposal_page.one("a", href=f"/proposals/{proposal.id}/hide")
    form = page(client.get(link.get("href"))).form_with("reason")
    response = client.post(link.get("href"), data=form.form_values() | {"reason": "Reklam."})
    assert response.status_code == 303
    shown = page(client.get(f"/proposals/{proposal.id}"))
    assert turkish("Reason: %(reason)s", reason="Reklam.") in shown.text
    restore = shown.one("form", action=f"/proposals/{proposal.id}/unhide")
    assert client.post(restore.get("action"), data=restore.form_values()).status_code == 303
    db.session.expire_all()
    assert not proposal.is_hidden


def test_next_never_leaves_the_site(client, auth, proposal, moderator):
    auth.login(moderator)
    response = client.post(
        f"/proposals/{proposal.id}/hide", data={"reason": "Reklam.", "next": "//evil.example/"}
    )
    assert response.location == f"/proposals/{proposal.id}"


def test_drafts_and_unknown_content_are_not_found(client, auth, campaign, org_a, moderator, clock):
    draft = Proposal(campaign=campaign, organization=org_a, title="Taslak", state="draft")
    db.session.add(draft)
    db.session.commit()
    auth.login(moderator)
    assert client.get(f"/proposals/{draft.id}/hide").status_code == 404
    assert client.get("/comments/999999/hide").status_code == 404
    assert client.post("/comments/999999/unhide").status_code == 404


# --- what readers see ------------------------------------------------------------------------


def test_a_hidden_comment_as_each_reader_sees_it(
    client, auth, proposal, comment, rep_a, rep_b, moderator, clock
):
    reply = discussion.post_comment(
        proposal, rep_b, "Bu yanıt görünür kalır", CommentKind.comment, clock.now, comment
    )
    db.session.commit()
    reports.hide(comment, moderator, "Bir hayatta kalanın adı geçiyor.", clock.now)
    db.session.commit()
    anchor = f"comment-{comment.id}"

    def seen_by(user: User | None) -> Element:
        if user is not None:
            auth.login(user)
        article = page(client.get(f"/proposals/{proposal.id}")).one("article", id=anchor)
        if user is not None:
            auth.logout()
        return article

    placeholder = turkish("Hidden by moderation.")
    for reader in (None, rep_b):
        article = seen_by(reader)
        assert placeholder in article.text
        assert STORY not in article.text and "hayatta kalan" not in article.text
        # The replies keep their place under it.
        assert article.one("article", id=f"comment-{reply.id}").text.count("görünür kalır") == 1
    author_view = seen_by(rep_a)
    assert placeholder in author_view.text and STORY not in author_view.text
    assert turkish("Reason: %(reason)s", reason="Bir hayatta kalanın adı geçiyor.") \
        in author_view.text  # fmt: skip
    moderator_view = seen_by(moderator)
    assert STORY in moderator_view.text
    assert turkish("Hidden") in moderator_view.one("span", class_="badge-hidden").text
    assert moderator_view.find("form", action=f"/comments/{comment.id}/unhide") is not None


def test_a_hidden_proposal_shows_only_its_title_to_others(
    client, auth, proposal, rep_a, rep_b, moderator, clock
):
    reports.hide(proposal, moderator, "Kişisel veri var.", clock.now)
    db.session.commit()
    auth.login(rep_b)
    other = page(client.get(f"/proposals/{proposal.id}"))
    assert other.one("h1").text == "Mor Bant Atölyesi"
    assert turkish("This proposal is hidden by moderation.") in other.text
    assert "Atölyenin ayrıntıları" not in other.text and "Kişisel veri var." not in other.text
    assert other.find("section", id="comments") is None
    auth.logout()
    auth.login(rep_a)
    own = page(client.get(f"/proposals/{proposal.id}"))
    assert "Atölyenin ayrıntıları" in own.text
    assert turkish("Reason: %(reason)s", reason="Kişisel veri var.") in own.text
    auth.logout()
    auth.login(moderator)
    seen = page(client.get(f"/proposals/{proposal.id}"))
    assert "Atölyenin ayrıntıları" in seen.text
    assert seen.find("form", action=f"/proposals/{proposal.id}/unhide") is not None


def test_the_campaign_page_and_the_api_leave_a_hidden_proposal_out(
    client, auth, campaign, proposal, comment, rep_b, moderator, clock
):
    reports.hide(proposal, moderator, "Kişisel veri var.", clock.now)
    db.session.commit()
    for who in (None, rep_b):
        if who is not None:
            auth.login(who)
        assert "Mor Bant Atölyesi" not in client.get(f"/campaigns/{campaign.slug}").get_data(
            as_text=True
        )
        assert client.get(f"/api/v1/proposals/{proposal.id}").status_code == 404
        listed = client.get(f"/api/v1/campaigns/{campaign.slug}/proposals").get_json()
        assert listed["items"] == [] and listed["pagination"]["total"] == 0
        counted = client.get(f"/api/v1/campaigns/{campaign.slug}").get_json()
        assert counted["proposal_count"] == 0
    auth.logout()
    auth.login(moderator)
    assert "Mor Bant Atölyesi" in client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert client.get(f"/api/v1/proposals/{proposal.id}").status_code == 200
    listed = client.get(f"/api/v1/campaigns/{campaign.slug}/proposals").get_json()
    assert [item["id"] for item in listed["items"]] == [proposal.id]


def test_the_api_does_not_show_a_hidden_comment(
    client, auth, proposal, comment, rep_b, moderator, clock
):
    reports.hide(comment, moderator, "Hakaret.", clock.now)
    db.session.commit()
    [shown] = client.get(f"/api/v1/proposals/{proposal.id}").get_json()["comments"]
    assert shown["id"] == comment.id and shown["body"] is None and shown["author"] is None
    assert shown["deleted"] is False
    auth.login(moderator)
    [shown] = client.get(f"/api/v1/proposals/{proposal.id}").get_json()["comments"]
    assert shown["body"] == STORY


def test_reports_reach_the_queue_through_the_report_form(
    client, auth, campaign, comment, rep_b, moderator
):
    auth.login(rep_b)
    client.post(f"/comments/{comment.id}/report", data={"reason": "Adı geçiyor"})
    auth.logout()
    auth.login(moderator)
    item = page(client.get(f"/campaigns/{campaign.slug}/reports")).one(
        "section", id=f"report-comment-{comment.id}"
    )
    assert "Adı geçiyor" in item.text
    assert db.session.scalars(select(Report)).one().state == ReportState.open
