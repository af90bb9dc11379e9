"""Proposals through the browser's eyes: writing drafts (and autosave), submitting, partners,
edits and their history, withdrawal, field errors, who gets 403/404, the htmx list
fragment, and a constant number of SQL statements per page."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, func, insert, select
from sqlalchemy import text as sql

from auth.models import Notification, Organization, OutboxMessage, Role, User
from extensions import db
from proposals import submission
from proposals.models import (
    ActivityType,
    Campaign,
    Comment,
    CommentKind,
    Partnership,
    PartnershipState,
    Proposal,
    ProposalState,
    ProposalVersion,
    Theme,
    Visibility,
)
from tests.conftest import PASSWORD, PG_URL, Clock
from tests.dom import Element, page
from tests.people_helpers import isolated_requests, tr  # noqa: F401 - autouse fixture

# --- helpers ----------------------------------------------------------------------------


def form_data(**overrides: Any) -> dict[str, Any]:
    """A complete proposal as the form posts it."""
    values: dict[str, Any] = {
        "title": "Sessizliği Boz: IŞIK yürüyüşü",
        "summary": "Kordon'da akşam yürüyüşü ve şiir dinletisi.",
        "description": "Yürüyüş Konak'tan başlar; **destek hattı** kartları dağıtılır.",
        "activity_type": "event",
        "target_group": "Üniversiteli kadınlar",
        "district": "Konak",
        "proposed_date": "2026-11-25",
        "expected_participants": "300",
        "estimated_budget": "12000",
        "creation_key": "anahtar-1",
        "action": "submit",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


FORM_FIELDS = (
    "title", "summary", "description", "activity_type", "district", "target_group",
    "proposed_date", "expected_participants", "estimated_budget", "creation_key",
)  # fmt: skip


def login(client: FlaskClient, user: User) -> FlaskClient:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


@pytest.fixture
def browser(app: Flask) -> Callable[[User | None], FlaskClient]:
    """A browser of its own, signed in as ``user`` (or anonymous)."""

    def open_as(user: User | None = None) -> FlaskClient:
        client = app.test_client()
        return login(client, user) if user is not None else client

    return open_as


@pytest.fixture
def campaign(make_campaign: Callable[..., Campaign]) -> Campaign:
    return make_campaign()


def fresh(model: type, ident: int) -> Any:
    db.session.expire_all()
    return db.session.get(model, ident)


def proposals_in_db() -> list[Proposal]:
    db.session.expire_all()
    return list(db.session.scalars(select(Proposal).order_by(Proposal.id)))


def error_of(doc: Element, field_id: str) -> str | None:
    found = doc.find("p", id=f"{field_id}-error")
    return found.text if found is not None else None


def values_of(doc: Element) -> dict[str, str]:
    """What the proposal form would send (a chosen empty option sends "", not its text)."""
    form = doc.form_with("title")
    values = form.form_values()
    for select_ in form.find_all("select"):
        options = select_.find_all("option")
        chosen = [o for o in options if "selected" in o.attrs] or options[:1]
        values[select_.get("name") or ""] = chosen[0].get("value") or "" if chosen else ""
    return values


def list_titles(response: Any) -> list[str]:
    section = page(response).one("section", id="proposal-list")
    return [h.text for h in section.find_all("h3", class_="card-title")]


def card(response: Any, title: str) -> Element:
    section = page(response).one("section", id="proposal-list")
    for item in section.find_all("li", class_="proposal-card"):
        if item.one("h3").text == title:
            return item
    raise AssertionError(f"no card {title!r}")


def submit_via_form(client: FlaskClient, campaign: Campaign, **overrides: Any) -> Proposal:
    response = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=form_data(**overrides))
    assert response.status_code == 303, response.get_data(as_text=True)
    proposal_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return fresh(Proposal, proposal_id)


def make_submitted(campaign: Campaign, user: User, now: datetime, **fields: Any) -> Proposal:
    values: dict[str, Any] = {
        "title": "Mor Bank",
        "summary": "Mor banklar.",
        "description": "Banklar boyanır.",
        "activity_type": ActivityType.public_campaign,
        "district": "Karşıyaka",
    }
    values.update(fields)
    proposal = submission.save_draft(campaign, user, submission.ProposalFields(**values), now)
    submission.submit(proposal, user, now)
    db.session.commit()
    return proposal


def close_window(campaign: Campaign, clock: Clock) -> None:
    clock.now = campaign.submission_closes_at + timedelta(minutes=1)


# --- drafts -----------------------------------------------------------------------------


def test_the_new_proposal_form_carries_a_fresh_creation_key(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User
) -> None:
    client = browser(rep_a)
    keys = set()
    for _ in range(2):
        response = client.get(f"/campaigns/{campaign.slug}/proposals/new")
        assert response.status_code == 200
        keys.add(values_of(page(response))["creation_key"])
    assert len(keys) == 2
    assert all(len(k) >= 20 for k in keys)


def test_saving_an_incomplete_draft(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User
) -> None:
    client = browser(rep_a)
    response = client.post(
        f"/campaigns/{campaign.slug}/proposals/new",
        data={"title": "Yarım taslak", "creation_key": "k1", "action": "draft"},
    )
    assert response.status_code == 303
    (draft,) = proposals_in_db()
    assert response.headers["Location"] == f"/proposals/{draft.id}/edit"
    assert draft.state == ProposalState.draft
    assert draft.title == "Yarım taslak"
    assert draft.organization_id == rep_a.organization_id
    edit = client.get(f"/proposals/{draft.id}/edit")
    assert values_of(page(edit))["title"] == "Yarım taslak"


def test_a_draft_is_seen_and_edited_by_its_organisation_only(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    rep_a: User,
    rep_b: User,
    make_user: Callable[..., User],
    clock: Clock,
) -> None:
    published = make_submitted(campaign, rep_b, clock.now, title="Herkese açık öneri")
    draft = submission.save_draft(
        campaign, rep_a, submission.ProposalFields(title="Gizli taslak"), clock.now
    )
    db.session.commit()
    colleague = make_user(organization=rep_a.organization)

    # Another organisation's member gets 404 even for the edit form; a visitor logs in first.
    for outsider, edit_status in ((browser(rep_b), 404), (browser(), 302)):
        assert outsider.get(f"/proposals/{draft.id}").status_code == 404
        assert outsider.get(f"/proposals/{draft.id}/edit").status_code == edit_status
        listing = outsider.get(f"/campaigns/{campaign.slug}")
        assert list_titles(listing) == ["Herkese açık öneri"]
        # Not even when asking for drafts.
        assert "Gizli taslak" not in outsider.get(
            f"/campaigns/{campaign.slug}?status=draft"
        ).get_data(as_text=True)
    assert browser(rep_b).post(f"/proposals/{draft.id}/autosave", data={}).status_code == 404

    mine = browser(colleague)
    shown = mine.get(f"/proposals/{draft.id}")
    assert shown.status_code == 200
    assert page(shown).one("h1").text == "Gizli taslak"
    assert sorted(list_titles(mine.get(f"/campaigns/{campaign.slug}"))) == [
        "Gizli taslak",
        "Herkese açık öneri",
    ]
    assert mine.get(f"/proposals/{draft.id}/edit").status_code == 200
    saved = mine.post(
        f"/proposals/{draft.id}/edit",
        data=form_data(title="Gizli taslak, düzeltildi", action="draft", creation_key=""),
    )
    assert saved.status_code == 303
    draft = fresh(Proposal, draft.id)
    assert draft.title == "Gizli taslak, düzeltildi"
    assert draft.state == ProposalState.draft
    assert published.state == ProposalState.submitted


def test_an_unknown_proposal_is_404(browser: Callable[..., FlaskClient], rep_a: User) -> None:
    assert browser(rep_a).get("/proposals/999999").status_code == 404


def test_autosave_makes_one_draft_per_creation_key(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User
) -> None:
    client = browser(rep_a)
    url = f"/campaigns/{campaign.slug}/proposals/autosave"
    for n in range(4):
        response = client.post(
            url,
            data={"title": f"Taslak {n}", "creation_key": "anahtar-x"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        status = page(response).one("p", id="autosave-status")
        assert status.get("data-saved") == "1"
    (draft,) = proposals_in_db()
    assert draft.title == "Taslak 3"
    assert response.headers["HX-Replace-Url"] == f"/proposals/{draft.id}/edit"

    # The form sent (twice: a double click, then a resend after Back) holds the same key.
    for _ in range(2):
        sent = client.post(
            f"/campaigns/{campaign.slug}/proposals/new",
            data=form_data(title="Son hali", creation_key="anahtar-x", action="draft"),
        )
        assert sent.status_code == 303
    (draft,) = proposals_in_db()
    assert draft.title == "Son hali"
    assert draft.state == ProposalState.draft

    # The draft's own autosave address saves into it.
    again = client.post(f"/proposals/{draft.id}/autosave", data={"title": "Yeniden"})
    assert again.status_code == 200
    assert [p.title for p in proposals_in_db()] == ["Yeniden"]


def test_a_double_submitted_proposal_is_created_once(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, rep_b: User
) -> None:
    client = browser(rep_a)
    first = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=form_data())
    assert first.status_code == 303
    second = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=form_data())
    (proposal,) = proposals_in_db()
    assert proposal.state == ProposalState.submitted
    assert len(proposal.versions) == 1
    # The second sending shows what the first one made.
    assert second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"] == f"/proposals/{proposal.id}"
    # Another organisation cannot reach it through the key.
    other = browser(rep_b).post(f"/campaigns/{campaign.slug}/proposals/new", data=form_data())
    assert other.status_code == 200
    assert tr("This form belongs to another organisation.") in page(other).text
    assert [p.id for p in proposals_in_db()] == [proposal.id]


def test_autosave_when_signed_out_says_so(
    browser: Callable[..., FlaskClient], campaign: Campaign
) -> None:
    response = browser().post(
        f"/campaigns/{campaign.slug}/proposals/autosave",
        data={"title": "Kaybolmasın", "creation_key": "k"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Location" not in response.headers
    status = page(response).one("p", id="autosave-status")
    assert status.get("data-saved") is None
    assert status.text == tr(
        "You are signed out, so the draft was not saved on the server. Your text is kept in "
        "this browser: log in in another tab, then come back and save."
    )
    assert proposals_in_db() == []


def test_autosave_refuses_a_submitted_proposal(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, clock: Clock
) -> None:
    proposal = make_submitted(campaign, rep_a, clock.now)
    response = browser(rep_a).post(f"/proposals/{proposal.id}/autosave", data={"title": "X"})
    assert response.status_code == 200
    assert page(response).one("p", id="autosave-status").get("data-saved") is None
    assert fresh(Proposal, proposal.id).title == "Mor Bank"


def test_autosave_of_an_invalid_form_saves_nothing(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User
) -> None:
    response = browser(rep_a).post(
        f"/campaigns/{campaign.slug}/proposals/autosave",
        data={"title": "x" * 121, "creation_key": "k"},
    )
    assert response.status_code == 200
    assert page(response).one("p", id="autosave-status").get("data-saved") is None
    assert proposals_in_db() == []


@pytest.mark.parametrize("missing", ["summary", "activity_type", "district"])
def test_submitting_an_incomplete_draft_shows_the_missing_field(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, missing: str
) -> None:
    client = browser(rep_a)
    data = form_data(**{missing: ""}, target_group="Kadın muhtarlar")
    response = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=data)
    assert response.status_code == 200
    doc = page(response)
    assert error_of(doc, missing) == tr("This is needed before the proposal can be submitted.")
    kept = values_of(doc)
    for name in FORM_FIELDS:
        assert kept.get(name, "") == data[name], name
    # Nothing is published; what was typed is kept as the organisation's draft.
    (draft,) = proposals_in_db()
    assert draft.state == ProposalState.draft
    assert draft.title == data["title"]
    assert draft.target_group == "Kadın muhtarlar"
    assert draft.creation_key == data["creation_key"]
    assert draft.versions == []
    # Completing it and sending the same form again submits that draft.
    done = client.post(
        f"/campaigns/{campaign.slug}/proposals/new", data={**data, missing: form_data()[missing]}
    )
    assert done.status_code == 303
    (proposal,) = proposals_in_db()
    assert proposal.id == draft.id
    assert proposal.state == ProposalState.submitted


def test_submitting_an_incomplete_saved_draft_keeps_it_a_draft(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, clock: Clock
) -> None:
    draft = submission.save_draft(
        campaign, rep_a, submission.ProposalFields(title="Eski başlık"), clock.now
    )
    db.session.commit()
    response = browser(rep_a).post(
        f"/proposals/{draft.id}/edit",
        data=form_data(title="Yeni başlık", description="", creation_key=""),
    )
    assert response.status_code == 200
    doc = page(response)
    assert error_of(doc, "description") == tr(
        "This is needed before the proposal can be submitted."
    )
    assert values_of(doc)["title"] == "Yeni başlık"
    assert values_of(doc)["summary"] == form_data()["summary"]
    stored = fresh(Proposal, draft.id)
    assert stored.state == ProposalState.draft
    assert stored.title == "Yeni başlık"
    assert stored.versions == []


# --- submitting and partners --------------------------------------------------------------


def test_submit_asks_partners_who_are_shown_once_they_confirm(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    rep_a: User,
    rep_b: User,
    org_b: Organization,
    make_user: Callable[..., User],
    make_org: Callable[..., Organization],
) -> None:
    org_c = make_org("Buca Kadın Kooperatifi")
    rep_c = make_user(organization=org_c)
    author = browser(rep_a)
    proposal = submit_via_form(author, campaign, partners=[str(org_b.id), str(org_c.id)])
    assert proposal.state == ProposalState.submitted
    assert [v.number for v in proposal.versions] == [1]
    assert {(p.organization_id, p.state) for p in proposal.partnerships} == {
        (org_b.id, PartnershipState.pending),
        (org_c.id, PartnershipState.pending),
    }
    notified = db.session.scalars(select(Notification.user_id).order_by(Notification.user_id))
    assert list(notified) == sorted([rep_b.id, rep_c.id])
    mails = db.session.scalars(select(OutboxMessage.to_address)).all()
    assert sorted(mails) == sorted([rep_b.email, rep_c.email])

    def partners_shown(client: FlaskClient) -> tuple[str, str]:
        article = page(client.get(f"/proposals/{proposal.id}")).one("article", class_="proposal")
        shown = article.find_all("p", class_="meta")[0].text
        listed = card(client.get(f"/campaigns/{campaign.slug}"), proposal.title)
        return shown, listed.find_all("p", class_="meta")[0].text

    visitor = browser()
    for text in partners_shown(visitor):
        assert org_b.name not in text and org_c.name not in text

    partner_b, partner_c = browser(rep_b), browser(rep_c)
    request_b = next(p for p in proposal.partnerships if p.organization_id == org_b.id)
    request_c = next(p for p in proposal.partnerships if p.organization_id == org_c.id)
    # The request is offered on the page to the partner's members.
    invitation = page(partner_b.get(f"/proposals/{proposal.id}")).one("section", class_="notice")
    assert invitation.find("form", action=f"/partnerships/{request_b.id}/confirm") is not None
    assert partner_b.post(f"/partnerships/{request_b.id}/confirm").status_code == 303
    assert partner_c.post(f"/partnerships/{request_c.id}/decline").status_code == 303
    assert fresh(Partnership, request_b.id).state == PartnershipState.confirmed
    assert fresh(Partnership, request_c.id).state == PartnershipState.declined

    for text in partners_shown(visitor):
        assert org_b.name in text
        assert org_c.name not in text
    # Filtering by organisation finds the proposal through its confirmed partner only.
    by_b = visitor.get(f"/campaigns/{campaign.slug}?organization={org_b.id}")
    assert list_titles(by_b) == [proposal.title]
    by_c = visitor.get(f"/campaigns/{campaign.slug}?organization={org_c.id}")
    assert list_titles(by_c) == []


def test_only_members_of_the_partner_answer(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    rep_a: User,
    org_b: Organization,
    moderator: User,
    organizer: User,
    make_user: Callable[..., User],
    make_org: Callable[..., Organization],
) -> None:
    proposal = submit_via_form(browser(rep_a), campaign, partners=[str(org_b.id)])
    (request,) = proposal.partnerships
    third = make_user(organization=make_org())
    for user in (rep_a, third, moderator, organizer):
        for answer in ("confirm", "decline"):
            response = browser(user).post(f"/partnerships/{request.id}/{answer}")
            assert response.status_code == 403, (user, answer)
    anonymous = browser().post(f"/partnerships/{request.id}/confirm")
    assert anonymous.status_code == 302
    assert urlsplit(anonymous.headers["Location"]).path == "/login"
    assert browser(rep_a).post("/partnerships/999999/confirm").status_code == 404
    assert fresh(Partnership, request.id).state == PartnershipState.pending


def test_members_of_the_author_see_their_requests_state(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    rep_a: User,
    rep_b: User,
    org_b: Organization,
) -> None:
    proposal = submit_via_form(browser(rep_a), campaign, partners=[str(org_b.id)])
    browser(rep_b).post(f"/partnerships/{proposal.partnerships[0].id}/decline")
    doc = page(browser(rep_a).get(f"/proposals/{proposal.id}"))
    items = [li.text for li in doc.find_all("li") if org_b.name in li.text]
    assert items == [f"{org_b.name}: {tr('declined')}"]


# --- editing and history ----------------------------------------------------------------


def test_a_colleague_edits_and_the_page_shows_the_history(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    rep_a: User,
    make_user: Callable[..., User],
    clock: Clock,
) -> None:
    colleague = make_user(organization=rep_a.organization, name="Zeynep Kaya")
    proposal = submit_via_form(browser(rep_a), campaign)
    clock.advance(hours=3)
    client = browser(colleague)
    form = values_of(page(client.get(f"/proposals/{proposal.id}/edit")))
    assert form["title"] == proposal.title
    form.update(
        summary="Kordon'da gece yürüyüşü ve şiir dinletisi.",
        action="save",
    )
    response = client.post(f"/proposals/{proposal.id}/edit", data=form)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/proposals/{proposal.id}"

    versions = db.session.scalars(
        select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)
        .order_by(ProposalVersion.number)
    ).all()  # fmt: skip
    assert [(v.number, v.edited_by_id) for v in versions] == [(1, rep_a.id), (2, colleague.id)]
    assert versions[1].edited_at == clock.now

    doc = page(browser().get(f"/proposals/{proposal.id}"))
    history = doc.one("section", class_="history")
    entries = history.find_all("li")
    assert len(entries) == 2
    assert "Zeynep Kaya" in entries[0].text
    assert entries[0].one("del").text == "akşam"
    assert entries[0].one("ins").text == "gece"
    assert entries[1].find("del") is None and entries[1].find("ins") is None


def test_saving_without_a_change_makes_no_version(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User
) -> None:
    client = browser(rep_a)
    proposal = submit_via_form(client, campaign)
    form = values_of(page(client.get(f"/proposals/{proposal.id}/edit")))
    assert client.post(f"/proposals/{proposal.id}/edit", data=form).status_code == 303
    assert db.session.scalar(select(func.count(ProposalVersion.id))) == 1
    assert page(client.get(f"/proposals/{proposal.id}")).find("section", class_="history") is None


def test_after_the_window_only_a_moderator_edits_with_a_reason(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    rep_a: User,
    moderator: User,
    clock: Clock,
) -> None:
    proposal = submit_via_form(browser(rep_a), campaign)
    close_window(campaign, clock)
    author = browser(rep_a)
    assert author.get(f"/proposals/{proposal.id}/edit").status_code == 403
    late = author.post(f"/proposals/{proposal.id}/edit", data=form_data(title="Geç", action="save"))
    assert late.status_code == 403

    mod = browser(moderator)
    form_page = page(mod.get(f"/proposals/{proposal.id}/edit"))
    assert form_page.find("textarea", name="reason") is not None
    data = form_data(title="Sessizliği Boz", action="save", creation_key="")
    refused = mod.post(f"/proposals/{proposal.id}/edit", data={**data, "reason": "  "})
    assert refused.status_code == 200
    doc = page(refused)
    assert error_of(doc, "reason") == tr(
        "Say why you are editing another organisation's proposal; the reason is shown."
    )
    assert values_of(doc)["title"] == "Sessizliği Boz"
    assert fresh(Proposal, proposal.id).title == "Sessizliği Boz: IŞIK yürüyüşü"

    done = mod.post(
        f"/proposals/{proposal.id}/edit",
        data={**data, "reason": "Başlıktaki kişisel bilgi çıkarıldı."},
    )
    assert done.status_code == 303
    stored = fresh(Proposal, proposal.id)
    assert stored.title == "Sessizliği Boz"
    assert stored.versions[-1].reason == "Başlıktaki kişisel bilgi çıkarıldı."
    assert stored.versions[-1].edited_by_id == moderator.id
    history = page(browser().get(f"/proposals/{proposal.id}")).one("section", class_="history")
    assert "Başlıktaki kişisel bilgi çıkarıldı." in history.find_all("li")[0].text
    assert history.find_all("li")[0].one("del").text == ": IŞIK yürüyüşü"


def test_another_organisation_may_not_edit(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, rep_b: User
) -> None:
    proposal = submit_via_form(browser(rep_a), campaign)
    other = browser(rep_b)
    assert other.get(f"/proposals/{proposal.id}/edit").status_code == 403
    assert other.post(f"/proposals/{proposal.id}/edit", data=form_data()).status_code == 403
    assert other.post(f"/proposals/{proposal.id}/withdraw").status_code == 403
    anonymous = browser().get(f"/proposals/{proposal.id}/edit")
    assert anonymous.status_code == 302


# --- withdrawal -------------------------------------------------------------------------


def test_withdraw_with_a_reason_then_undo(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User
) -> None:
    client = browser(rep_a)
    proposal = submit_via_form(client, campaign)
    response = client.post(
        f"/proposals/{proposal.id}/withdraw", data={"reason": "Mekân bulunamadı."}
    )
    assert response.status_code == 303
    assert fresh(Proposal, proposal.id).state == ProposalState.withdrawn

    visitor = browser()
    doc = page(visitor.get(f"/proposals/{proposal.id}"))
    assert doc.one("span", class_="badge-state-withdrawn").text == tr("Withdrawn")
    assert tr("Reason: %(reason)s", reason="Mekân bulunamadı.") in doc.one("article").text
    listed = card(visitor.get(f"/campaigns/{campaign.slug}"), proposal.title)
    assert listed.find("span", class_="badge-state-withdrawn") is not None
    withdrawn_only = visitor.get(f"/campaigns/{campaign.slug}?status=withdrawn")
    assert list_titles(withdrawn_only) == [proposal.title]

    own = page(client.get(f"/proposals/{proposal.id}"))
    assert own.find("form", action=f"/proposals/{proposal.id}/restore") is not None
    assert client.post(f"/proposals/{proposal.id}/restore").status_code == 303
    restored = fresh(Proposal, proposal.id)
    assert restored.state == ProposalState.submitted
    assert restored.withdrawn_reason == ""
    assert "Mekân bulunamadı." not in visitor.get(f"/proposals/{proposal.id}").get_data(
        as_text=True
    )


def test_withdraw_without_a_reason(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User
) -> None:
    client = browser(rep_a)
    proposal = submit_via_form(client, campaign)
    assert client.post(f"/proposals/{proposal.id}/withdraw", data={}).status_code == 303
    doc = page(browser().get(f"/proposals/{proposal.id}"))
    assert doc.find("span", class_="badge-state-withdrawn") is not None
    assert tr("Reason: %(reason)s", reason="") not in doc.one("article").text


def test_undo_is_refused_after_the_window(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, clock: Clock
) -> None:
    client = browser(rep_a)
    proposal = submit_via_form(client, campaign)
    client.post(f"/proposals/{proposal.id}/withdraw", data={"reason": "Vazgeçtik"})
    close_window(campaign, clock)
    assert (
        page(client.get(f"/proposals/{proposal.id}")).find(
            "form", action=f"/proposals/{proposal.id}/restore"
        )
        is None
    )
    assert client.post(f"/proposals/{proposal.id}/restore").status_code == 403
    assert fresh(Proposal, proposal.id).state == ProposalState.withdrawn


def test_withdrawal_after_the_window_is_refused(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, clock: Clock
) -> None:
    client = browser(rep_a)
    proposal = submit_via_form(client, campaign)
    close_window(campaign, clock)
    assert client.post(f"/proposals/{proposal.id}/withdraw", data={}).status_code == 403
    assert fresh(Proposal, proposal.id).state == ProposalState.submitted


# --- field validation and who may propose -------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "x" * 121, ("At most %(max)d characters.", {"max": 120})),
        ("summary", "y" * 501, ("At most %(max)d characters.", {"max": 500})),
        ("district", "Kadıköy", ("Choose a district from the list.", {})),
        ("expected_participants", "-3", ("Give a number between 0 and %(max)s.",
                                         {"max": 1_000_000})),
        ("expected_participants", "99999999999999999999",
         ("Give a number between 0 and %(max)s.", {"max": 1_000_000})),
        ("estimated_budget", "-1", ("Give a number between 0 and %(max)s.",
                                    {"max": 1_000_000_000})),
        ("estimated_budget", "1000000001", ("Give a number between 0 and %(max)s.",
                                            {"max": 1_000_000_000})),
        ("proposed_date", "1999-12-31", ("Give a date between 2000 and 2100.", {})),
        ("proposed_date", "2101-01-01", ("Give a date between 2000 and 2100.", {})),
    ],
)  # fmt: skip
@pytest.mark.parametrize("action", ["draft", "submit"])
def test_a_bad_value_is_shown_next_to_its_field_and_nothing_is_lost(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    rep_a: User,
    field: str,
    value: str,
    message: tuple[str, dict[str, Any]],
    action: str,
) -> None:
    data = form_data(**{field: value}, action=action)
    response = browser(rep_a).post(f"/campaigns/{campaign.slug}/proposals/new", data=data)
    assert response.status_code == 200
    doc = page(response)
    assert error_of(doc, field) == tr(message[0], **message[1])
    kept = values_of(doc)
    for name in ("title", "summary", "description", "target_group", "expected_participants",
                 "estimated_budget", "proposed_date", "activity_type", "creation_key"):  # fmt: skip
        assert kept.get(name) == data[name], name
    if field == "district":
        # A value not among the choices cannot be selected again; the others are kept.
        assert kept["district"] == ""
    else:
        assert kept["district"] == data["district"]
    assert proposals_in_db() == []


def test_an_unparseable_date_is_an_error_not_a_crash(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User
) -> None:
    data = form_data(proposed_date="2026-02-30", expected_participants="çok")
    response = browser(rep_a).post(f"/campaigns/{campaign.slug}/proposals/new", data=data)
    assert response.status_code == 200
    doc = page(response)
    assert error_of(doc, "proposed_date")
    assert error_of(doc, "expected_participants")
    assert values_of(doc)["title"] == data["title"]
    assert proposals_in_db() == []


@pytest.mark.parametrize("when", ["upcoming", "closed"])
def test_no_proposal_outside_the_submission_window(
    browser: Callable[..., FlaskClient],
    make_campaign: Callable[..., Campaign],
    rep_a: User,
    clock: Clock,
    when: str,
) -> None:
    now = clock.now
    if when == "upcoming":
        campaign = make_campaign(
            submission_opens_at=now + timedelta(days=2),
            submission_closes_at=now + timedelta(days=9),
        )
    else:
        campaign = make_campaign(
            submission_opens_at=now - timedelta(days=40),
            submission_closes_at=now - timedelta(days=30),
            voting_opens_at=now - timedelta(days=20),
            voting_closes_at=now - timedelta(days=10),
        )
    client = browser(rep_a)
    assert client.get(f"/campaigns/{campaign.slug}/proposals/new").status_code == 403
    post = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=form_data())
    assert post.status_code == 403
    autosave = client.post(
        f"/campaigns/{campaign.slug}/proposals/autosave", data={"title": "X", "creation_key": "k"}
    )
    assert page(autosave).one("p", id="autosave-status").get("data-saved") is None
    assert proposals_in_db() == []
    campaign_page = page(client.get(f"/campaigns/{campaign.slug}"))
    assert campaign_page.find("a", href=f"/campaigns/{campaign.slug}/proposals/new") is None


@pytest.mark.parametrize("role", [Role.moderator, Role.organizer])
def test_people_without_an_organisation_cannot_propose(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    make_user: Callable[..., User],
    role: Role,
) -> None:
    client = browser(make_user(role))
    assert client.get(f"/campaigns/{campaign.slug}/proposals/new").status_code == 403
    assert (
        client.post(f"/campaigns/{campaign.slug}/proposals/new", data=form_data()).status_code
        == 403
    )
    assert proposals_in_db() == []


def test_a_visitor_is_sent_to_log_in_to_propose(
    browser: Callable[..., FlaskClient], campaign: Campaign
) -> None:
    response = browser().get(f"/campaigns/{campaign.slug}/proposals/new")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_the_campaign_page_offers_writing_to_representatives(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, moderator: User
) -> None:
    link = f"/campaigns/{campaign.slug}/proposals/new"
    assert page(browser(rep_a).get(f"/campaigns/{campaign.slug}")).find("a", href=link)
    assert page(browser(moderator).get(f"/campaigns/{campaign.slug}")).find("a", href=link) is None
    assert page(browser().get(f"/campaigns/{campaign.slug}")).find("a", href=link) is None


# --- the list with htmx and without ------------------------------------------------------


HTMX = {"HX-Request": "true", "HX-Target": "proposal-list", "HX-Current-URL": "http://localhost/"}


def test_the_htmx_list_is_the_fragment_alone_and_pushes_the_page_url(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, clock: Clock
) -> None:
    make_submitted(campaign, rep_a, clock.now, title="Bornova'da atölye", district="Bornova")
    make_submitted(campaign, rep_a, clock.now, title="Konak'ta yürüyüş", district="Konak")
    url = f"/campaigns/{campaign.slug}/proposals?q=at%C3%B6lye&district=Bornova&page=1&junk=1"
    response = browser().get(url, headers=HTMX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and "<body" not in body
    doc = page(response)
    top = [child for child in doc.children if isinstance(child, Element)]
    assert [(e.tag, e.get("id")) for e in top] == [("section", "proposal-list")]
    assert list_titles(response) == ["Bornova'da atölye"]
    pushed = urlsplit(response.headers["HX-Push-Url"])
    assert pushed.path == f"/campaigns/{campaign.slug}"
    assert parse_qs(pushed.query) == {"q": ["atölye"], "district": ["Bornova"]}
    assert "HX-Request" in response.headers.get("Vary", "")


def test_without_htmx_the_list_url_redirects_to_the_campaign_page(
    browser: Callable[..., FlaskClient], campaign: Campaign
) -> None:
    response = browser().get(f"/campaigns/{campaign.slug}/proposals?q=mor&district=Buca")
    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    assert target.path == f"/campaigns/{campaign.slug}"
    assert parse_qs(target.query) == {"q": ["mor"], "district": ["Buca"]}


@pytest.mark.parametrize(
    "headers",
    [
        {"HX-Request": "true", "HX-Target": "proposal-list", "HX-Boosted": "true"},
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
        {"HX-Request": "true", "HX-Target": "main"},
    ],
)
def test_other_htmx_requests_get_the_page(
    browser: Callable[..., FlaskClient], campaign: Campaign, headers: dict[str, str]
) -> None:
    response = browser().get(f"/campaigns/{campaign.slug}/proposals?q=mor", headers=headers)
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == f"/campaigns/{campaign.slug}"


def test_the_campaign_page_filters_without_javascript(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, rep_b: User, clock: Clock
) -> None:
    make_submitted(campaign, rep_a, clock.now, title="Mor Bank Bornova", district="Bornova")
    make_submitted(campaign, rep_b, clock.now, title="Mor Bank Konak", district="Konak")
    make_submitted(
        campaign, rep_b, clock.now, title="Yürüyüş Bornova", summary="Yürüyüş.", district="Bornova"
    )
    response = browser().get(f"/campaigns/{campaign.slug}?q=MOR+bank&district=Bornova")
    assert response.status_code == 200
    doc = page(response)
    assert doc.find("html") is not None
    assert list_titles(response) == ["Mor Bank Bornova"]
    filters = doc.one("form", class_="filters")
    assert filters.get("method") == "get"
    values = filters.form_values()
    assert values["q"] == "MOR bank"
    assert values["district"] == "Bornova"


# --- a constant number of SQL statements ---------------------------------------------------


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def differing(few: list[str], many: list[str]) -> str:
    """The statements one page ran and the other did not, for the failure message."""

    def short(statements: list[str]) -> list[str]:
        return [" ".join(s.split())[:160] for s in statements]

    a, b = short(few), short(many)
    only_few = [s for s in a if s not in b or a.count(s) > b.count(s)]
    only_many = [s for s in b if s not in a or b.count(s) > a.count(s)]
    return f"{len(a)} vs {len(b)}; only with few: {only_few}; only with many: {only_many}"


def bulk_proposals(
    campaign: Campaign, organizations: list[Organization], users: list[User], n: int, now: datetime
) -> list[Proposal]:
    """``n`` submitted proposals with themes, partnerships and comments, inserted in bulk."""
    themes = [
        Theme(campaign=campaign, name_tr=f"Tema {i}", name_en=f"Theme {i}", position=i)
        for i in range(3)
    ]
    db.session.add_all(themes)
    proposals = []
    for i in range(n):
        author = organizations[i % len(organizations)]
        partner = organizations[(i + 1) % len(organizations)]
        proposal = Proposal(
            campaign=campaign,
            organization=author,
            title=f"Öneri {i}",
            summary=f"Özet {i}",
            description="Açıklama",
            activity_type=ActivityType.workshop,
            district="Buca",
            state=ProposalState.submitted,
            search_text=f"öneri {i}\nözet {i}\naçıklama",
            created_at=now,
            submitted_at=now - timedelta(minutes=i),
            themes=[themes[i % 3], themes[(i + 1) % 3]],
            partnerships=[
                Partnership(organization=partner, state=PartnershipState.confirmed),
            ],
        )
        proposals.append(proposal)
    db.session.add_all(proposals)
    db.session.flush()
    comments = [
        Comment(
            proposal=proposals[i],
            author=users[j % len(users)],
            organization_id=users[j % len(users)].organization_id,
            kind=CommentKind.support if j % 2 else CommentKind.comment,
            body=f"Yorum {j}",
            created_at=now,
        )
        for i in range(n)
        for j in range(2)
    ]
    db.session.add_all(comments)
    db.session.commit()
    return proposals


@pytest.fixture
def many_orgs(make_org: Callable[..., Organization], make_user: Callable[..., User]) -> Any:
    organizations = [make_org(f"Dernek Sayım {i}") for i in range(6)]
    users = [make_user(organization=o) for o in organizations]
    return organizations, users


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_page_takes_the_same_statements_for_10_or_500_proposals(
    app: Flask,
    browser: Callable[..., FlaskClient],
    make_campaign: Callable[..., Campaign],
    many_orgs: Any,
    clock: Clock,
    signed_in: bool,
) -> None:
    organizations, users = many_orgs
    small, large = make_campaign(), make_campaign()
    bulk_proposals(small, organizations, users, 10, clock.now)
    bulk_proposals(large, organizations, users, 500, clock.now)
    client = browser(users[0] if signed_in else None)
    counts: dict[tuple[str, str], int] = {}
    seen: dict[tuple[str, str], list[str]] = {}
    for campaign in (small, large):
        for query in ("", "?sort=supported&page=2", "?sort=random"):
            client.get(f"/campaigns/{campaign.slug}{query}")  # warm: the seed in the session
            with counting(app) as statements:
                response = client.get(f"/campaigns/{campaign.slug}{query}")
            assert response.status_code == 200
            counts[campaign.slug, query] = len(statements)
            seen[campaign.slug, query] = statements
    assert len(list_titles(client.get(f"/campaigns/{large.slug}"))) == 20
    for query in ("", "?sort=supported&page=2", "?sort=random"):
        assert counts[small.slug, query] == counts[large.slug, query], differing(
            seen[small.slug, query], seen[large.slug, query]
        )
    print("list page statements:", counts)


def test_the_proposal_page_takes_the_same_statements_however_much_it_holds(
    app: Flask,
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    many_orgs: Any,
    make_org: Callable[..., Organization],
    make_user: Callable[..., User],
    clock: Clock,
) -> None:
    organizations, users = many_orgs
    author = users[0]
    quiet = make_submitted(campaign, author, clock.now, title="Sessiz öneri")
    busy = make_submitted(campaign, author, clock.now, title="Kalabalık öneri")
    # Every other organisation is a partner; the busy one also has history and a discussion.
    for n, org in enumerate(organizations[1:], start=1):
        busy.partnerships.append(Partnership(organization=org, state=PartnershipState.confirmed))
        busy.versions.append(
            ProposalVersion(
                number=n + 1,
                edited_by=users[n],
                edited_at=clock.now + timedelta(minutes=n),
                reason="",
                fields={**busy.versions[0].fields, "summary": f"Özet {n}"},
            )
        )
    quiet.partnerships.append(
        Partnership(organization=organizations[1], state=PartnershipState.confirmed)
    )
    quiet.versions.append(
        ProposalVersion(
            number=2,
            edited_by=users[1],
            edited_at=clock.now,
            fields={**quiet.versions[0].fields, "summary": "Değişti"},
        )
    )
    db.session.flush()
    for i in range(40):
        top = Comment(
            proposal=busy,
            author=users[i % len(users)],
            organization_id=users[i % len(users)].organization_id,
            kind=list(CommentKind)[i % 4],
            body=f"Yorum {i}",
            created_at=clock.now + timedelta(minutes=i),
        )
        db.session.add(top)
        db.session.flush()
        db.session.add(
            Comment(
                proposal=busy,
                parent_id=top.id,
                author=users[(i + 1) % len(users)],
                organization_id=users[(i + 1) % len(users)].organization_id,
                body=f"Yanıt {i}",
                created_at=clock.now + timedelta(minutes=i, seconds=30),
            )
        )
    top = Comment(
        proposal=quiet,
        author=users[1],
        organization_id=users[1].organization_id,
        body="Tek yorum",
        created_at=clock.now,
    )
    db.session.add(top)
    db.session.flush()
    db.session.add(
        Comment(
            proposal=quiet,
            parent_id=top.id,
            author=users[2],
            organization_id=users[2].organization_id,
            body="Tek yanıt",
            created_at=clock.now,
        )
    )
    # Staff speak without an organisation; a deleted comment leaves a placeholder.
    staff = make_user(Role.moderator, name="Moderatör Deniz")
    db.session.add_all(
        [
            Comment(proposal=busy, author=staff, body="Moderatör notu", created_at=clock.now),
            Comment(
                proposal=busy,
                author=users[2],
                organization_id=users[2].organization_id,
                body="Silinen",
                created_at=clock.now,
                deleted_at=clock.now,
            ),
        ]
    )
    db.session.commit()

    # The viewer is nobody the pages mention: who they are must not change the count (a user
    # already loaded for a comment would be found in the identity map, one query fewer).
    outsider = make_user(organization=make_org("Dernek Okur"))
    counts: dict[tuple[str, str], int] = {}
    seen: dict[tuple[str, str], list[str]] = {}
    for label, user in (("visitor", None), ("member", author), ("other", outsider)):
        client = browser(user)
        for proposal in (quiet, busy):
            client.get(f"/proposals/{proposal.id}")
            with counting(app) as statements:
                response = client.get(f"/proposals/{proposal.id}")
            assert response.status_code == 200
            counts[label, proposal.title] = len(statements)
            seen[label, proposal.title] = statements
        body = client.get(f"/proposals/{busy.id}").get_data(as_text=True)
        assert "Yanıt 39" in body and "Moderatör notu" in body
        assert "Silinen" not in body
        assert "<ins>5</ins>" in body
        assert counts[label, "Sessiz öneri"] == counts[label, "Kalabalık öneri"], differing(
            seen[label, "Sessiz öneri"], seen[label, "Kalabalık öneri"]
        )
    print("proposal page statements:", counts)


# --- text PostgreSQL refuses ---------------------------------------------------------------


def test_a_nul_character_typed_into_the_form_never_fails(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User
) -> None:
    client = browser(rep_a)
    data = form_data(title="Mor\x00 Bank", description="Bir\x00iki", target_group="\x00")
    saved = client.post(f"/campaigns/{campaign.slug}/proposals/autosave", data=data)
    assert saved.status_code == 200
    response = client.post(f"/campaigns/{campaign.slug}/proposals/new", data=data)
    assert response.status_code == 303
    for proposal in proposals_in_db():
        assert "\x00" not in proposal.title + proposal.description + proposal.target_group
    (proposal,) = proposals_in_db()
    assert proposal.state == ProposalState.submitted
    assert proposal.title == "Mor Bank"
    withdrawn = client.post(f"/proposals/{proposal.id}/withdraw", data={"reason": "a\x00b"})
    assert withdrawn.status_code == 303
    assert fresh(Proposal, proposal.id).withdrawn_reason == "ab"


def test_partner_values_that_are_no_organisation(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, org_a: Organization
) -> None:
    client = browser(rep_a)
    junk = client.post(
        f"/campaigns/{campaign.slug}/proposals/new", data=form_data(partners=["abc"])
    )
    assert junk.status_code == 200
    assert page(junk).one("fieldset", class_="partner-choices").find("p", class_="error")
    assert proposals_in_db() == []
    # An unknown organisation, or the author itself, is simply not asked.
    sent = client.post(
        f"/campaigns/{campaign.slug}/proposals/new",
        data=form_data(partners=["999999", str(org_a.id)]),
    )
    assert sent.status_code == 303
    (proposal,) = proposals_in_db()
    assert proposal.partnerships == []


def test_the_form_offers_other_active_organisations_as_partners(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    rep_a: User,
    org_b: Organization,
    make_org: Callable[..., Organization],
) -> None:
    closed = make_org("Kapanmış Dernek", active=False)
    open_ = make_org("Açık Dernek")
    doc = page(browser(rep_a).get(f"/campaigns/{campaign.slug}/proposals/new"))
    offered = {i.get("value") for i in doc.find_all("input", name="partners")}
    assert offered == {str(org_b.id), str(open_.id)}
    assert str(closed.id) not in offered


# --- the same form sent twice at once (PostgreSQL: real concurrent transactions) ------------


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
@pytest.mark.parametrize("first_state", [ProposalState.draft, ProposalState.submitted])
def test_the_same_form_sent_twice_at_once_makes_one_proposal(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    rep_a: User,
    first_state: ProposalState,
) -> None:
    """A double click (or an autosave crossing the submit) sends the form twice at once:
    both requests find no proposal for the key and insert one; the second must wait for
    the first, then save into what it made (or show it), never fail."""
    client = browser(rep_a)
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as first, engine.connect() as watcher:
            transaction = first.begin()
            # The first request has inserted its proposal and not committed yet.
            first.execute(
                insert(Proposal.__table__).values(
                    campaign_id=campaign.id,
                    organization_id=rep_a.organization_id,
                    created_by_id=rep_a.id,
                    title="Birinci istek",
                    creation_key="ayni-form",
                    state=first_state.value,
                    submitted_at=None
                    if first_state == ProposalState.draft
                    else campaign.created_at,
                )
            )
            responses: dict[str, Any] = {}

            def second_request() -> None:
                try:
                    responses["response"] = client.post(
                        f"/campaigns/{campaign.slug}/proposals/new",
                        data=form_data(creation_key="ayni-form", title="İkinci istek"),
                    )
                except Exception as error:  # reported in the assertion below
                    responses["error"] = error

            thread = threading.Thread(target=second_request)
            thread.start()
            # Wait until the second request blocks on the first one's uncommitted row.
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and thread.is_alive():
                waiting = watcher.execute(
                    sql(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database()"
                    )
                ).scalar()
                watcher.commit()
                if waiting:
                    break
            transaction.commit()
            thread.join(timeout=30)
    finally:
        engine.dispose()
    assert "error" not in responses, responses.get("error")
    response = responses["response"]
    assert response.status_code == 303, response.get_data(as_text=True)
    (proposal,) = proposals_in_db()
    assert response.headers["Location"] == f"/proposals/{proposal.id}"
    assert proposal.state == ProposalState.submitted
    if first_state == ProposalState.draft:
        assert proposal.title == "İkinci istek"  # the second request saved into the draft
    else:
        assert proposal.title == "Birinci istek"  # the first one's submission stands


def test_forms_without_a_creation_key_each_make_their_own_proposal(
    browser: Callable[..., FlaskClient], campaign: Campaign, rep_a: User, rep_b: User
) -> None:
    """A form sent without its key (an old page, a script) is not a double submit."""
    for user, title in ((rep_a, "Birinci"), (rep_b, "İkinci"), (rep_a, "Üçüncü")):
        response = browser(user).post(
            f"/campaigns/{campaign.slug}/proposals/new",
            data=form_data(title=title, creation_key=""),
        )
        assert response.status_code == 303
    assert [p.title for p in proposals_in_db()] == ["Birinci", "İkinci", "Üçüncü"]
    autosaved = browser(rep_b).post(
        f"/campaigns/{campaign.slug}/proposals/autosave", data={"title": "Dördüncü"}
    )
    assert page(autosaved).one("p", id="autosave-status").get("data-saved") == "1"
    assert len(proposals_in_db()) == 4


def test_confirmed_partners_hear_of_edits_and_new_partners_are_asked(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    rep_a: User,
    rep_b: User,
    org_b: Organization,
    make_org: Callable[..., Organization],
    make_user: Callable[..., User],
) -> None:
    author = browser(rep_a)
    proposal = submit_via_form(author, campaign, partners=[str(org_b.id)])
    browser(rep_b).post(f"/partnerships/{proposal.partnerships[0].id}/confirm")
    org_c = make_org("Menemen Kadın Derneği")
    rep_c = make_user(organization=org_c)
    form = values_of(page(author.get(f"/proposals/{proposal.id}/edit")))
    response = author.post(
        f"/proposals/{proposal.id}/edit",
        data={**form, "summary": "Yeni özet", "partners": [str(org_b.id), str(org_c.id)]},
    )
    assert response.status_code == 303
    db.session.expire_all()
    kinds = db.session.execute(
        select(Notification.user_id, Notification.kind).order_by(Notification.id)
    ).all()
    assert [tuple(k) for k in kinds] == [
        (rep_b.id, "partnership_request"),  # at submission
        (rep_c.id, "partnership_request"),  # asked with the edit
        (rep_b.id, "proposal_changed"),  # a confirmed partner hears of the change
    ]
    assert rep_a.id not in {k.user_id for k in kinds}


def test_a_members_only_campaign_sends_visitors_to_log_in(
    browser: Callable[..., FlaskClient],
    make_campaign: Callable[..., Campaign],
    rep_a: User,
    clock: Clock,
) -> None:
    campaign = make_campaign(visibility=Visibility.members)
    proposal = make_submitted(campaign, rep_a, clock.now, title="Üyelere özel")
    visitor = browser()
    for url in (
        f"/campaigns/{campaign.slug}",
        f"/campaigns/{campaign.slug}/proposals",
        f"/proposals/{proposal.id}",
    ):
        response = visitor.get(url, headers=HTMX if url.endswith("/proposals") else {})
        assert response.status_code == 302, url
        assert urlsplit(response.headers["Location"]).path == "/login"
    member = browser(rep_a)
    assert list_titles(member.get(f"/campaigns/{campaign.slug}")) == ["Üyelere özel"]
    assert member.get(f"/proposals/{proposal.id}").status_code == 200
