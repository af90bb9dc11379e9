"""KVKK data rights through the pages: download, deletion, the consent re-ask, the record of
processing, and the account page's links. Messages are compared with ``tr`` (people_helpers)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import select

from auth.models import AuditEntry, Role, User
from extensions import db
from proposals import voting
from proposals.discussion import post_comment
from proposals.models import ActivityType, Campaign, CommentKind, Proposal
from proposals.submission import ProposalFields, edit, save_draft, submit
from tests.conftest import PASSWORD
from tests.dom import page
from tests.people_helpers import field_error, isolated_requests, tr  # noqa: F401 - autouse


def signed_in(app: Any, user: User, password: str = PASSWORD) -> Any:
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def english(*users: User) -> None:
    """Pages in English, the source language: assertions on new strings hold before and after
    the translation pass."""
    for user in users:
        user.locale = "en"
    db.session.commit()


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


# --- the account page ------------------------------------------------------------------------


def test_the_account_page_links_to_the_data_rights(app, rep_a, organizer):
    links = {
        a.get("href"): a.text for a in page(signed_in(app, rep_a).get("/account")).find_all("a")
    }
    assert "/account/data.json" in links
    assert "/account/delete" in links
    assert "/privacy" in links
    assert "/privacy/record-of-processing" not in links
    links = {a.get("href") for a in page(signed_in(app, organizer).get("/account")).find_all("a")}
    assert "/privacy/record-of-processing" in links


# --- download -------------------------------------------------------------------------------


def test_the_download_is_ones_own_data_as_an_attachment(app, clock, make_campaign, rep_a, rep_b):
    campaign = make_campaign()
    fields = ProposalFields(title="Mor Bank", summary="Özet", description="Açıklama",
                            activity_type=ActivityType.event, district="Konak")  # fmt: skip
    theirs = save_draft(campaign, rep_b, fields, clock.now)
    submit(theirs, rep_b, clock.now)
    post_comment(theirs, rep_a, "Ayşe'nin yorumu", CommentKind.comment, clock.now)
    post_comment(theirs, rep_b, "Fatma'nın yanıtı", CommentKind.comment, clock.now)
    db.session.commit()

    response = signed_in(app, rep_a).get("/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "ortak-my-data-2026-10-01.json" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(text_of(response))
    assert data["profile"]["email"] == "ayse@karsiyaka.example"
    assert [c["body"] for c in data["comments"]] == ["Ayşe'nin yorumu"]
    assert "fatma@bornova.example" not in text_of(response)
    assert "Fatma'nın yanıtı" not in text_of(response)


def test_the_download_needs_a_sign_in(client):
    response = client.get("/account/data.json")
    assert response.status_code == 302 and "/login" in response.location


# --- deletion: the form ----------------------------------------------------------------------


def test_the_deletion_page_says_what_goes_and_what_stays(app, rep_a):
    english(rep_a)
    html = page(signed_in(app, rep_a).get("/account/delete"))
    headings = [h.text.strip() for h in html.find_all("h2")]
    assert "What is erased" in headings and "What stays, and why" in headings
    form = html.form_with("password")
    assert form.find("input", name="confirm", type="checkbox") is not None


def test_a_wrong_password_or_no_confirmation_erases_nothing(app, rep_a):
    english(rep_a)
    client = signed_in(app, rep_a)
    response = client.post("/account/delete", data={"password": "yanlış", "confirm": "y"})
    assert response.status_code == 200
    assert field_error(text_of(response), "password") == "Your password is not right."
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert field_error(text_of(response), "confirm") == (
        "Please confirm that you want to delete it."
    )
    db.session.expire_all()
    user = db.session.get(User, rep_a.id)
    assert user.deleted_at is None and user.email == "ayse@karsiyaka.example"
    assert client.get("/account").status_code == 200


def test_the_last_organiser_is_told_why_they_cannot_leave(app, organizer):
    english(organizer)
    client = signed_in(app, organizer)
    html = page(client.get("/account/delete"))
    assert "You are the only organiser" in html.one("p", role="alert").text
    assert html.find("input", name="password") is None
    response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, organizer.id).deleted_at is None


# --- deletion: everywhere afterwards ------------------------------------------------------------


@pytest.fixture
def contributions(app, clock, make_campaign, org_a, org_b, rep_a, rep_b, make_user):
    """Zeynep (org A) wrote and edited a proposal, commented, and voted for org A."""
    zeynep = make_user(organization=org_a, email="zeynep@karsiyaka.example", name="Zeynep Kaya")
    campaign = make_campaign(slug="25-kasim")
    fields = ProposalFields(title="Mor Dayanışma Atölyesi", summary="Özet",
                            description="Açıklama", activity_type=ActivityType.workshop,
                            district="Karşıyaka")  # fmt: skip
    mine = save_draft(campaign, zeynep, fields, clock.now)
    submit(mine, zeynep, clock.now)
    fields.description = "Daha ayrıntılı bir açıklama."
    edit(mine, zeynep, fields, clock.now)
    theirs = save_draft(campaign, rep_b, ProposalFields(**{**fields.__dict__, "title": "Yürüyüş"}),
                        clock.now)  # fmt: skip
    submit(theirs, rep_b, clock.now)
    post_comment(mine, zeynep, "Atölyeye herkes davetli.", CommentKind.comment, clock.now)
    post_comment(theirs, zeynep, "Biz de yürürüz.", CommentKind.support, clock.now)
    db.session.commit()
    clock.advance(days=13)  # voting is open
    voting.set_points(theirs, zeynep, 1, clock.now)
    voting.set_points(mine, rep_b, 1, clock.now)
    db.session.commit()
    return zeynep, campaign, mine, theirs


def _pages(app, campaign: Campaign, mine: Proposal, theirs: Proposal, reader: Any,
           organizer: Any, rep_b: Any) -> dict[str, str]:  # fmt: skip
    """Every place that could show who Zeynep is, as others see them."""
    as_a, as_b, as_organizer = (signed_in(app, u) for u in (reader, rep_b, organizer))
    responses = {
        "proposal": as_b.get(f"/proposals/{mine.id}"),
        "their proposal": as_b.get(f"/proposals/{theirs.id}"),
        "ballot": as_a.get(f"/campaigns/{campaign.slug}/ballot"),
        "notifications": as_b.get("/notifications"),
        "api": app.test_client().get(f"/api/v1/proposals/{theirs.id}"),
        "api mine": app.test_client().get(f"/api/v1/proposals/{mine.id}"),
        "results csv": as_organizer.get(f"/campaigns/{campaign.slug}/results.csv", buffered=True),
        "results json": as_organizer.get(f"/campaigns/{campaign.slug}/results.json", buffered=True),
        "people": as_organizer.get("/admin/people"),
        "organisation": as_b.get(f"/organizations/{mine.organization_id}"),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
    return {name: text_of(response) for name, response in responses.items()}


def test_after_deletion_the_person_appears_nowhere_and_the_votes_stay(
    app, clock, contributions, rep_a, rep_b, organizer, make_user
):
    zeynep, campaign, mine, theirs = contributions
    make_user(Role.organizer)  # not the last organiser: nothing to do with Zeynep
    english(organizer)
    before = _pages(app, campaign, mine, theirs, rep_a, organizer, rep_b)
    # The test can fail: her name is there to begin with.
    for name in ("proposal", "their proposal", "ballot", "api", "people", "organisation"):
        assert "Zeynep Kaya" in before[name], name
    tallies = {pid: t.points for pid, t in voting.tallies(campaign).items()}

    client = signed_in(app, zeynep)
    other_session = signed_in(app, zeynep)
    response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 303
    farewell = tr("Your account has been deleted. Thank you for taking part.")
    assert farewell in text_of(client.get(response.location))
    # Signed out here and everywhere.
    for c in (client, other_session):
        assert c.get("/account").status_code == 302

    after = _pages(app, campaign, mine, theirs, rep_a, organizer, rep_b)
    for name, html in after.items():
        assert "Zeynep" not in html, name
        assert "zeynep@karsiyaka.example" not in html, name
    assert tr("Former member") in after["their proposal"]
    assert tr("Former member") in after["ballot"]
    assert json.loads(after["api"])["comments"][0]["author"] is None
    assert "Deleted user" in after["people"]

    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert {pid: t.points for pid, t in voting.tallies(campaign).items()} == tallies
    result = app.test_cli_runner().invoke(args=["audit-votes", campaign.slug])
    assert result.exit_code == 0, result.output

    # She cannot sign in again, and the answer is the one for any wrong guess.
    response = app.test_client().post(
        "/login", data={"email": "zeynep@karsiyaka.example", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert field_error(text_of(response), "password") == tr(
        "The email address or the password is not right."
    )
    erased = db.session.get(User, zeynep.id)
    # Nor through the placeholder address (refused as an address, then as a password).
    anybody = app.test_client()
    response = anybody.post("/login", data={"email": erased.email, "password": PASSWORD})
    assert response.status_code == 200
    assert anybody.get("/account").status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.erase"))
    assert "Zeynep" not in json.dumps([entry.before, entry.after])


# --- the consent re-ask ---------------------------------------------------------------------


def test_a_new_notice_version_is_asked_at_the_next_request(app, clock, rep_a):
    english(rep_a)
    client = signed_in(app, rep_a)
    app.config["PRIVACY_NOTICE_VERSION"] = "2027-03"
    response = client.get("/notifications?page=2")
    assert response.status_code == 303
    assert response.location == "/account/consent?next=/notifications?page%3D2"

    html = page(client.get(response.location))
    assert html.one("section", class_="notice").find("h3") is not None  # the notice itself
    form = html.form_with("consent")
    assert form.find("input", name="next").get("value") == "/notifications?page=2"
    # The ways out: sign out, download, delete.
    assert html.find("form", action="/logout") is not None
    assert html.find("a", href="/account/delete") is not None

    response = client.post("/account/consent", data={"next": "/notifications?page=2"})
    assert response.status_code == 200
    assert field_error(text_of(response), "consent") == (
        "Please read the notice and tick the box to accept it."
    )
    clock.advance(hours=1)
    response = client.post(
        "/account/consent", data={"consent": "y", "next": "/notifications?page=2"}
    )
    assert response.status_code == 303 and response.location == "/notifications?page=2"
    assert client.get("/notifications").status_code == 200
    db.session.expire_all()
    user = db.session.get(User, rep_a.id)
    assert (user.consent_version, user.consented_at) == ("2027-03", clock.now)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.consent"))


def test_the_gate_lets_the_notice_and_the_ways_out_through(app, rep_a):
    client = signed_in(app, rep_a)
    app.config["PRIVACY_NOTICE_VERSION"] = "2027-03"
    assert client.get("/privacy").status_code == 200
    assert client.get("/account/data.json").status_code == 200
    assert client.get("/account/delete").status_code == 200
    static = client.get("/static/ortak.css")
    static.close()  # streamed from an open file
    assert static.status_code == 200
    assert client.post("/logout").status_code == 303
    assert client.get("/").status_code == 200  # signed out: nothing to ask


def test_htmx_and_json_requests_are_refused_with_the_way_to_the_notice(app, rep_a):
    client = signed_in(app, rep_a)
    app.config["PRIVACY_NOTICE_VERSION"] = "2027-03"
    response = client.get("/notifications", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["HX-Redirect"].startswith("/account/consent")
    response = client.get("/api/v1/campaigns")
    assert response.status_code == 403
    assert response.json["consent_url"].startswith("/account/consent")


def test_visitors_and_current_users_are_not_asked(app, client, rep_a):
    assert client.get("/").status_code == 200
    signed = signed_in(app, rep_a)
    assert signed.get("/").status_code == 200
    html = page(signed.get("/account/consent"))
    assert html.find("input", name="consent") is None  # nothing to accept
    assert signed.post("/account/consent", data={"next": "//evil.example"}).location == "/"


# --- the record of processing ------------------------------------------------------------------


def test_organisers_read_and_download_the_record(app, organizer):
    app.config["RETENTION_OUTBOX_DAYS"] = 45
    english(organizer)
    client = signed_in(app, organizer)
    html = page(client.get("/privacy/record-of-processing"))
    table = html.one("table")
    assert table.one("caption").text.strip() == "Categories of personal data"
    headers = [th.text.strip() for th in table.find("thead").find_all("th")]
    assert headers == ["Category", "Personal data", "Purpose", "Legal basis", "Who can see it",
                       "Retention", "Where it is stored"]  # fmt: skip
    assert "45 days" in html.one("tr", id="processing-mail").text
    assert html.one("tr", id="processing-votes").find("th").text.strip() == (
        "Votes (organisation-level)"
    )

    response = client.get("/privacy/record-of-processing.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(text_of(response).lstrip("\ufeff"))))
    assert rows[0] == headers
    assert len(rows) == 1 + len(html.find("tbody").find_all("tr"))
    assert any(row[0] == "Mail outbox" and row[5].startswith("45 days") for row in rows)


def test_the_record_is_for_organisers_only(app, client, rep_a, moderator):
    assert client.get("/privacy/record-of-processing").status_code == 302
    for user in (rep_a, moderator):
        c = signed_in(app, user)
        assert c.get("/privacy/record-of-processing").status_code == 403
        assert c.get("/privacy/record-of-processing.csv").status_code == 403


def test_a_deleted_member_leaves_the_organisation_page(app, clock, rep_a, rep_b, org_a):
    signed_in(app, rep_a).post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    html = page(signed_in(app, rep_b).get(f"/organizations/{org_a.id}"))
    assert "Ayşe" not in html.text
    assert tr("No members yet: the invitation is pending.") in html.text
