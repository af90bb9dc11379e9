"""The personal-data guard through the browser's eyes: a proposal or comment with personal
data comes back pointing it out (200, nothing lost) until the writer edits it or confirms;
confirmed kinds reach the moderators' list, where they are marked reviewed (audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from auth.models import AuditEntry, User
from extensions import db
from proposals import discussion
from proposals.models import Campaign, Comment, CommentKind, Proposal, ProposalState
from tests.conftest import PASSWORD
from tests.dom import Element, page
from tests.people_helpers import isolated_requests, tr  # noqa: F401 - autouse fixture
from tests.test_personal_data import tc_number

PHONE = "0532 123 45 67"
TC = tc_number("104578963")
HTMX = {"HX-Request": "true", "HX-Target": "comments", "HX-Current-URL": "http://localhost/"}


def proposal_form(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Mor Dayanışma Atölyesi",
        "summary": "Kadınlarla dayanışma atölyesi ve söyleşi.",
        "description": f"Gönüllü koordinatörümüz Ayşe Hanım'a {PHONE} numarasından ulaşılır.",
        "activity_type": "workshop",
        "target_group": "Genç kadınlar",
        "district": "Konak",
        "creation_key": "kisisel-veri-1",
        "action": "submit",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def browser(app: Flask) -> Callable[[User], FlaskClient]:
    def open_as(user: User) -> FlaskClient:
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 303
        return client

    return open_as


@pytest.fixture
def campaign(make_campaign: Callable[..., Campaign]) -> Campaign:
    return make_campaign()


def fresh(model: type, ident: int) -> Any:
    db.session.expire_all()
    return db.session.get(model, ident)


def only(model: type) -> Any:
    db.session.expire_all()
    (found,) = db.session.scalars(select(model)).all()
    return found


def warning(doc: Element, pd_id: str) -> Element:
    return doc.one("div", id=pd_id)


def confirmation(doc: Element, pd_id: str) -> dict[str, Any]:
    """What ticking the box sends: the box and the signatures of what was shown."""
    box = warning(doc, pd_id)
    seen = [i.get("value") for i in box.find_all("input", name="personal_data_seen")]
    return {"confirm_personal_data": "1", "personal_data_seen": seen}


# --- proposals --------------------------------------------------------------------------------


def test_a_proposal_with_a_phone_number_comes_back_pointing_it_out(browser, campaign, rep_a):
    client = browser(rep_a)
    response = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=proposal_form())
    assert response.status_code == 200
    doc = page(response)
    box = warning(doc, "proposal-personal-data")
    assert tr("Phone number") in box.text and "0532 *** ** 67" in box.text
    assert PHONE not in box.text  # masked
    assert box.one("a").get("href") == "#description"
    # Nothing lost: the text is in the form, and kept as the organisation's draft.
    assert PHONE in doc.one("textarea", name="description").text
    draft = only(Proposal)
    assert draft.state == ProposalState.draft and PHONE in draft.description

    confirmed = proposal_form(**confirmation(doc, "proposal-personal-data"))
    response = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=confirmed)
    assert response.status_code == 303
    submitted = only(Proposal)
    assert submitted.state == ProposalState.submitted
    assert submitted.personal_data == ["phone"] and submitted.personal_data_reviewed_at is None


def test_ticking_the_box_without_having_seen_the_warning_does_not_confirm(browser, campaign, rep_a):
    client = browser(rep_a)
    data = proposal_form(confirm_personal_data="1")
    response = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=data)
    assert response.status_code == 200
    assert only(Proposal).state == ProposalState.draft


def test_editing_the_data_out_submits_with_nothing_flagged(browser, campaign, rep_a):
    client = browser(rep_a)
    client.post(f"/campaigns/{campaign.slug}/proposals/new", data=proposal_form())
    cleaned = proposal_form(description="Koordinatörümüze dernek üzerinden ulaşılır.")
    draft = only(Proposal)
    response = client.post(f"/proposals/{draft.id}/edit", data=cleaned)
    assert response.status_code == 303
    assert fresh(Proposal, draft.id).state == ProposalState.submitted
    assert fresh(Proposal, draft.id).personal_data == []


def test_a_proposal_without_personal_data_goes_straight_through(browser, campaign, rep_a):
    data = proposal_form(description="25.11.2026'da 120 kadınla, 45.000 TL bütçeyle; ALO 183.")
    response = browser(rep_a).post(f"/campaigns/{campaign.slug}/proposals/new", data=data)
    assert response.status_code == 303
    assert only(Proposal).state == ProposalState.submitted


def test_drafts_and_autosave_are_not_held_up(browser, campaign, rep_a):
    client = browser(rep_a)
    response = client.post(
        f"/campaigns/{campaign.slug}/proposals/new", data=proposal_form(action="draft")
    )
    assert response.status_code == 303
    draft = only(Proposal)
    response = client.post(f"/proposals/{draft.id}/autosave", data=proposal_form(title="Yeni"))
    assert response.status_code == 200
    assert fresh(Proposal, draft.id).title == "Yeni"


def test_an_edit_after_submission_is_held_until_new_data_is_confirmed(browser, campaign, rep_a):
    client = browser(rep_a)
    data = proposal_form(description="Atölye Konak'ta yapılır.")
    client.post(f"/campaigns/{campaign.slug}/proposals/new", data=data)
    proposal = only(Proposal)
    edited = proposal_form(description=f"İletişim: {PHONE} veya ayse.kaya@gmail.com")
    response = client.post(f"/proposals/{proposal.id}/edit", data=edited)
    assert response.status_code == 200
    doc = page(response)
    assert "a***@g***.com" in warning(doc, "proposal-personal-data").text
    assert fresh(Proposal, proposal.id).description == "Atölye Konak'ta yapılır."  # not yet

    confirmed = {**edited, **confirmation(doc, "proposal-personal-data")}
    assert client.post(f"/proposals/{proposal.id}/edit", data=confirmed).status_code == 303
    saved = fresh(Proposal, proposal.id)
    assert saved.personal_data == ["email", "phone"] and PHONE in saved.description

    # Confirmed once, the same data is not asked about again on the next edit.
    again = {**edited, "summary": "Yeni özet."}
    assert client.post(f"/proposals/{proposal.id}/edit", data=again).status_code == 303


def test_the_form_keeps_the_tick_when_it_comes_back_for_another_reason(browser, campaign, rep_a):
    client = browser(rep_a)
    response = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=proposal_form())
    doc = page(response)
    incomplete = proposal_form(summary="", **confirmation(doc, "proposal-personal-data"))
    response = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=incomplete)
    assert response.status_code == 200
    doc = page(response)
    assert doc.find("p", id="summary-error") is not None
    assert "checked" in doc.one("input", name="confirm_personal_data").attrs
    complete = proposal_form(**confirmation(doc, "proposal-personal-data"))
    response = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=complete)
    assert response.status_code == 303


# --- comments ---------------------------------------------------------------------------------


@pytest.fixture
def published(make_campaign, rep_a, clock) -> Proposal:
    from proposals import submission
    from proposals.models import ActivityType

    fields = submission.ProposalFields(
        title="Mor Bank", summary="Mor banklar.", description="Banklar boyanır.",
        activity_type=ActivityType.public_campaign, district="Karşıyaka",
    )  # fmt: skip
    proposal = submission.save_draft(make_campaign(), rep_a, fields, clock.now)
    submission.submit(proposal, rep_a, clock.now)
    db.session.commit()
    return proposal


def test_a_comment_with_an_identity_number_comes_back_without_javascript(browser, published, rep_b):
    client = browser(rep_b)
    body = f"Başvurucunun kimlik numarası {TC}, yardımcı olabilir misiniz?"
    url = f"/proposals/{published.id}/comments"
    response = client.post(url, data={"body": body, "kind": "question"})
    assert response.status_code == 200
    doc = page(response)
    box = warning(doc, "comment-personal-data")
    assert tr("T.C. identity number") in box.text and TC not in box.text
    assert TC in doc.one("textarea", name="body").text
    assert db.session.scalars(select(Comment)).all() == []

    data = {"body": body, "kind": "question", **confirmation(doc, "comment-personal-data")}
    assert client.post(url, data=data).status_code == 303
    comment = only(Comment)
    assert comment.personal_data == ["tc_kimlik"] and comment.kind == CommentKind.question


def test_a_comment_with_personal_data_comes_back_in_place_with_htmx(browser, published, rep_b):
    client = browser(rep_b)
    body = f"Bana {PHONE} numarasından ulaşın."
    response = client.post(f"/proposals/{published.id}/comments", data={"body": body}, headers=HTMX)
    assert response.status_code == 200
    section = page(response).one("section", id="comments")
    assert "0532 *** ** 67" in warning(section, "comment-personal-data").text
    assert PHONE in section.one("textarea", name="body").text


def test_a_reply_with_personal_data_comes_back_under_its_comment(
    browser, published, rep_a, rep_b, clock
):
    top = discussion.post_comment(published, rep_a, "Soru var mı?", CommentKind.comment, clock.now)
    db.session.commit()
    response = browser(rep_b).post(
        f"/proposals/{published.id}/comments",
        data={"body": f"Evet: {PHONE}", "parent_id": str(top.id)},
        headers=HTMX,
    )
    assert response.status_code == 200
    reply_box = warning(page(response), f"comment-{top.id}-reply-personal-data")
    assert "0532 *** ** 67" in reply_box.text


def test_editing_a_comment_to_add_personal_data_needs_a_confirmation(
    browser, published, rep_b, clock
):
    comment = discussion.post_comment(published, rep_b, "İlk hali.", CommentKind.comment, clock.now)
    db.session.commit()
    client = browser(rep_b)
    body = f"Adresim: Atatürk Mah. 1203/1 Sok. No:5 D:3 ve {PHONE}"
    response = client.post(f"/comments/{comment.id}/edit", data={"body": body})
    assert response.status_code == 200
    doc = page(response)
    box = warning(doc, f"comment-{comment.id}-edit-personal-data")
    assert tr("Street address") in box.text and "A*** Mah. ***/* Sok. No:* D:*" in box.text
    assert fresh(Comment, comment.id).body == "İlk hali."
    data = {"body": body, **confirmation(doc, f"comment-{comment.id}-edit-personal-data")}
    assert client.post(f"/comments/{comment.id}/edit", data=data).status_code == 303
    assert fresh(Comment, comment.id).personal_data == ["phone", "address"]


# --- the moderators' list ---------------------------------------------------------------------


def _confirmed_comment(proposal: Proposal, user: User, body: str, clock) -> Comment:
    comment = discussion.post_comment(proposal, user, body, CommentKind.comment, clock.now)
    comment.personal_data = ["phone"]
    db.session.commit()
    return comment


def test_moderators_see_confirmed_data_marked_and_review_it(
    browser, published, rep_b, moderator, clock
):
    published.description = f"Koordinatör: {PHONE}. <b>kalın</b>"
    published.personal_data = ["phone"]
    comment = _confirmed_comment(published, rep_b, "Tel 0533 987 65 43", clock)
    client = browser(moderator)
    url = f"/campaigns/{published.campaign.slug}/personal-data"
    response = client.get(url)
    assert response.status_code == 200
    doc = page(response)
    marks = [m.text for m in doc.find_all("mark")]
    assert marks == [PHONE, "0533 987 65 43"]
    assert "<b>kalın</b>" not in response.get_data(as_text=True)  # escaped
    item = doc.one("article", id=f"personal-data-proposal-{published.id}")
    assert item.find("a", href=f"/proposals/{published.id}/edit") is not None
    comment_item = doc.one("article", id=f"personal-data-comment-{comment.id}")
    if "moderation.hide_comment" in client.application.view_functions:
        assert comment_item.find("a", href=f"/comments/{comment.id}/hide") is not None

    response = client.post(f"/personal-data/proposal/{published.id}/review")
    assert response.status_code == 303 and response.location.endswith(url)
    assert fresh(Proposal, published.id).personal_data_reviewed_at == clock.now
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "personal_data.review")
    ).one()
    assert (entry.target_type, entry.target_id, entry.actor_id) == (
        "Proposal", published.id, moderator.id,
    )  # fmt: skip
    assert entry.before["personal_data_reviewed_at"] is None
    assert entry.after["personal_data_reviewed_at"] == clock.now.isoformat()

    doc = page(client.get(url))
    assert doc.find("article", id=f"personal-data-proposal-{published.id}") is None
    assert doc.find("article", id=f"personal-data-comment-{comment.id}") is not None
    assert client.post(f"/personal-data/comment/{comment.id}/review").status_code == 303
    nothing = tr(
        "Nothing waits for review: no writer has confirmed personal data that a moderator "
        "has not looked at."
    )
    assert nothing in page(client.get(url)).text


def test_a_second_review_changes_nothing(browser, published, moderator, organizer):
    published.personal_data = ["phone"]
    db.session.commit()
    browser(moderator).post(f"/personal-data/proposal/{published.id}/review")
    browser(organizer).post(f"/personal-data/proposal/{published.id}/review")
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "personal_data.review")
    ).all()
    assert len(entries) == 1


def test_a_moderators_own_confirmation_is_the_review(browser, published, moderator):
    client = browser(moderator)
    body = f"Belediye koordinatörü: {PHONE}"
    url = f"/proposals/{published.id}/comments"
    doc = page(client.post(url, data={"body": body}))
    client.post(url, data={"body": body, **confirmation(doc, "comment-personal-data")})
    comment = only(Comment)
    assert comment.personal_data == ["phone"] and comment.personal_data_reviewed_at is not None
    listing = page(client.get(f"/campaigns/{published.campaign.slug}/personal-data"))
    assert listing.find("article", id=f"personal-data-comment-{comment.id}") is None


def test_the_list_is_per_campaign_and_skips_deleted_comments(
    browser, published, make_campaign, rep_b, moderator, clock
):
    other = make_campaign()
    comment = _confirmed_comment(published, rep_b, f"Tel {PHONE}", clock)
    deleted = _confirmed_comment(published, rep_b, f"Tel {PHONE}", clock)
    deleted.deleted_at = clock.now
    db.session.commit()
    client = browser(moderator)
    here = page(client.get(f"/campaigns/{published.campaign.slug}/personal-data"))
    assert here.find("article", id=f"personal-data-comment-{comment.id}") is not None
    assert here.find("article", id=f"personal-data-comment-{deleted.id}") is None
    elsewhere = page(client.get(f"/campaigns/{other.slug}/personal-data"))
    assert elsewhere.find("article", id=f"personal-data-comment-{comment.id}") is None


def test_participants_never_reach_the_list(browser, published, rep_a):
    client = browser(rep_a)
    assert client.get(f"/campaigns/{published.campaign.slug}/personal-data").status_code == 403
    assert client.post(f"/personal-data/proposal/{published.id}/review").status_code == 403


def test_unknown_things_are_404(browser, published, moderator):
    client = browser(moderator)
    assert client.get("/campaigns/yok/personal-data").status_code == 404
    assert client.post("/personal-data/proposal/999999/review").status_code == 404
    assert client.post(f"/personal-data/ballot/{published.id}/review").status_code == 404
