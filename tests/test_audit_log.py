"""The audit log: organisers browse, filter and download it; every organiser action that
exists is in it with the values before and after."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from auth.audit_views import changes, day_start_utc
from auth.models import AuditEntry, Invitation, User
from extensions import db
from proposals.models import Campaign, Comment, Proposal, ProposalState, Report, Theme
from tests.conftest import PASSWORD
from tests.dom import Element, page
from tests.people_helpers import isolated_requests, tr  # noqa: F401 - autouse fixture

T0 = datetime(2026, 10, 1, 9, 0)  # naive UTC


@pytest.fixture
def browser(app: Flask) -> Callable[[User | None], FlaskClient]:
    def open_as(user: User | None = None) -> FlaskClient:
        client = app.test_client()
        if user is not None:
            response = client.post("/login", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 303
        return client

    return open_as


def entry(
    action: str,
    target: Any = None,
    *,
    actor: User | None = None,
    at: datetime = T0,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
) -> AuditEntry:
    made = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type or type(target).__name__,
        target_id=target_id if target_id is not None else getattr(target, "id", None),
        before=before,
        after=after,
        created_at=at,
    )
    db.session.add(made)
    db.session.commit()
    return made


def shown_ids(response: Any) -> list[int]:
    table = page(response).find("table", class_="audit-table")
    if table is None:
        return []
    return [int(tr_.get("id").removeprefix("audit-")) for tr_ in table.find_all("tr", id=True)]


def row(response: Any, made: AuditEntry) -> Element:
    return page(response).one("tr", id=f"audit-{made.id}")


# --- who may read it --------------------------------------------------------------------------


def test_only_organisers_read_the_log(browser, rep_a, moderator, organizer):
    assert browser(None).get("/audit").status_code == 302
    assert browser(rep_a).get("/audit").status_code == 403
    assert browser(moderator).get("/audit").status_code == 403
    assert browser(moderator).get("/audit.csv").status_code == 403
    assert browser(organizer).get("/audit").status_code == 200


# --- listing ----------------------------------------------------------------------------------


def test_newest_first_with_person_readable_action_and_linked_target(
    browser, organizer, moderator, make_campaign
):
    campaign = make_campaign()
    old = entry("campaign.update", campaign, actor=moderator, at=T0,
                before={"title": "Eski", "votes_per_organization": 3},
                after={"title": "Yeni", "votes_per_organization": 3})  # fmt: skip
    new = entry("something.custom", campaign, actor=organizer, at=T0 + timedelta(hours=1))
    response = browser(organizer).get("/audit")
    assert shown_ids(response)[:2] == [new.id, old.id]
    first = row(response, old)
    cells = first.find_all("td")
    assert cells[1].text == moderator.name
    assert tr("Campaign edited") in cells[2].text
    link = cells[3].one("a")
    assert link.get("href") == f"/campaigns/{campaign.slug}"
    assert link.text == f"{tr('Campaign')} #{campaign.id}"
    # Only the changed key, in a <details>.
    details = cells[4].one("details")
    assert [dt.text for dt in details.find_all("dt")] == ["title"]
    assert details.one("dd").text == "Eski → Yeni"
    assert "something.custom" in row(response, new).find_all("td")[2].text  # raw when unknown


def test_a_target_that_no_longer_exists_is_named_without_a_link(browser, organizer):
    gone = entry("proposal.hide", target_type="Proposal", target_id=424242, actor=organizer)
    cells = row(browser(organizer).get("/audit"), gone).find_all("td")
    assert cells[3].find("a") is None and "#424242" in cells[3].text


def test_changes_lists_only_the_keys_that_differ():
    found = changes({"a": 1, "b": [1, 2], "c": None}, {"a": 1, "b": [2], "d": True})
    assert [(c.key, c.before, c.after) for c in found] == [
        ("b", "1, 2", "2"), ("d", "—", tr("yes")),
    ]  # fmt: skip
    assert [c.key for c in changes(None, {"x": "y"})] == ["x"]
    assert changes(None, None) == []
    assert len(changes({"t": "x" * 500}, {"t": "y"})[0].before) == 200


def test_fifty_a_page_and_the_filters_follow_the_page_links(browser, organizer):
    for n in range(120):
        entry("theme.update", target_type="Theme", target_id=n, actor=organizer,
              at=T0 + timedelta(minutes=n))  # fmt: skip
    entry("theme.create", target_type="Theme", target_id=1, actor=organizer)
    client = browser(organizer)
    first = client.get("/audit?action=theme.update")
    assert len(shown_ids(first)) == 50
    older = page(first).one("nav", class_="pagination").find("a")
    assert "action=theme.update" in older.get("href") and "page=2" in older.get("href")
    last = client.get("/audit?action=theme.update&page=3")
    assert len(shown_ids(last)) == 20
    assert client.get("/audit?page=99").status_code == 200


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_a_page_costs_the_same_statements_whatever_it_shows(
    browser, organizer, make_user, make_campaign
):
    campaign = make_campaign()
    client = browser(organizer)

    def fill(n: int) -> None:
        for i in range(n):
            actor = make_user(name=f"Kişi {i}")
            entry("campaign.update", campaign, actor=actor, before={"t": i}, after={"t": i + 1})
            entry("user.deactivate", actor, actor=organizer, before={"active": True},
                  after={"active": False})  # fmt: skip

    fill(2)
    with counting_statements() as few:
        client.get("/audit")
    fill(23)
    with counting_statements() as many:
        client.get("/audit")
    assert len(shown_ids(client.get("/audit"))) == 50
    assert len(many) == len(few)


# --- filters ----------------------------------------------------------------------------------


def test_filters_by_action_person_and_kind_of_target(browser, organizer, moderator, org_a):
    a = entry("organization.update", org_a, actor=moderator)
    b = entry("organization.deactivate", org_a, actor=organizer)
    c = entry("proposal.auto_hide", target_type="Proposal", target_id=5)
    client = browser(organizer)
    assert shown_ids(client.get("/audit?action=organization.update")) == [a.id]
    assert shown_ids(client.get(f"/audit?actor={organizer.id}")) == [b.id]
    assert shown_ids(client.get("/audit?actor=none")) == [c.id]
    assert set(shown_ids(client.get("/audit?target_type=Organization"))) == {a.id, b.id}
    doc = page(client.get("/audit"))
    actions = [o.get("value") for o in doc.one("select", name="action").find_all("option")]
    assert set(actions) == {"", "organization.update", "organization.deactivate",
                            "proposal.auto_hide"}  # fmt: skip
    people = [o.get("value") for o in doc.one("select", name="actor").find_all("option")]
    assert set(people) == {"", str(moderator.id), str(organizer.id), "none"}


def test_the_campaign_filter_reaches_everything_in_the_campaign(
    browser, organizer, make_campaign, org_a, rep_a, rep_b, clock
):
    here, elsewhere = make_campaign(), make_campaign()
    theme = Theme(campaign=here, name_tr="Eşitlik")
    proposal = Proposal(campaign=here, organization=org_a, title="Yürüyüş",
                        state=ProposalState.submitted)  # fmt: skip
    other = Proposal(campaign=elsewhere, organization=org_a, title="Başka",
                     state=ProposalState.submitted)  # fmt: skip
    db.session.add_all([theme, proposal, other])
    db.session.flush()
    comment = Comment(proposal_id=proposal.id, author_id=rep_b.id, body="Yorum")
    db.session.add(comment)
    db.session.flush()
    report = Report(reporter_id=rep_a.id, proposal_id=proposal.id, comment_id=comment.id,
                    reason="Kişisel veri")  # fmt: skip
    db.session.add(report)
    db.session.commit()
    inside = [
        entry("campaign.update", here, actor=organizer),
        entry("theme.create", theme, actor=organizer),
        entry("proposal.decide", proposal, actor=organizer),
        entry("comment.hide", comment, actor=organizer),
        entry("report.dismiss", report, actor=organizer),
    ]
    entry("campaign.update", elsewhere, actor=organizer)
    entry("proposal.decide", other, actor=organizer)
    entry("user.deactivate", rep_a, actor=organizer)
    response = browser(organizer).get(f"/audit?campaign={here.slug}")
    assert set(shown_ids(response)) == {e.id for e in inside}
    # Reached from a campaign's moderation pages, the page shows that campaign's navigation.
    assert page(response).find("nav", class_="moderation-nav") is not None


def test_days_are_istanbul_days(browser, organizer):
    late = entry("user.activate", target_type="User", target_id=1, actor=organizer,
                 at=datetime(2026, 10, 1, 21, 30))  # 00:30 on 2 October in Istanbul  # fmt: skip
    early = entry("user.activate", target_type="User", target_id=2, actor=organizer,
                  at=datetime(2026, 10, 1, 20, 30))  # 23:30 on 1 October  # fmt: skip
    client = browser(organizer)
    assert shown_ids(client.get("/audit?date_from=2026-10-02")) == [late.id]
    assert shown_ids(client.get("/audit?date_to=2026-10-01")) == [early.id]
    both = "/audit?date_from=2026-10-01&date_to=2026-10-02"
    assert shown_ids(client.get(both)) == [late.id, early.id]


def test_day_start_is_midnight_in_the_zone():
    from zoneinfo import ZoneInfo

    start = day_start_utc(datetime(2026, 10, 2).date(), ZoneInfo("Europe/Istanbul"))
    assert start == datetime(2026, 10, 1, 21, 0)


@pytest.mark.parametrize(
    ("query", "field"),
    [("date_from=25.11.2026", "date_from"), ("date_to=2026-02-30", "date_to"),
     ("date_from=2026-09-01&date_to=2026-08-01", "date_to"), ("actor=abc", "actor"),
     ("campaign=yok-boyle-bir-kampanya", "campaign")],
)  # fmt: skip
def test_a_bad_filter_is_explained_next_to_its_field_not_a_500(browser, organizer, query, field):
    made = entry("user.activate", target_type="User", target_id=1, actor=organizer)
    response = browser(organizer).get(f"/audit?{query}&action=user.activate")
    assert response.status_code == 200
    doc = page(response)
    assert doc.find("p", id=f"{field}-error") is not None
    assert shown_ids(response) == [made.id]  # the other filters still apply


# --- the download -----------------------------------------------------------------------------


def test_the_csv_has_the_same_selection_a_bom_and_inert_formulas(
    browser, organizer, make_user, clock
):
    trickster = make_user(name='=HYPERLINK("http://kötü.example")')
    at = datetime(2026, 10, 1, 21, 30)
    entry("organization.update", target_type="Organization", target_id=3, actor=trickster,
          before={"name": "A"}, after={"name": "=1+1"}, at=at)  # fmt: skip
    entry("theme.create", target_type="Theme", target_id=1, actor=organizer)
    response = browser(organizer).get("/audit.csv?action=organization.update", buffered=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert len(rows) == 2
    header, line = rows
    assert "Europe/Istanbul" in header[0]
    assert line[0] == "2026-10-02 00:30:00"  # Istanbul time
    assert line[1].startswith("'=HYPERLINK")
    assert line[3] == "organization.update"
    assert '"=1+1"' in line[7]


def test_downloading_is_itself_audited(browser, organizer, make_campaign):
    campaign = make_campaign()
    response = browser(organizer).get(
        f"/audit.csv?campaign={campaign.slug}&action=x", buffered=True
    )
    response.get_data()
    db.session.expire_all()
    (made,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.export"))
    assert made.actor_id == organizer.id and made.target_type == "AuditLog"
    assert made.after == {"filters": {"campaign": campaign.slug, "action": "x"}}


# --- every organiser action that exists is audited, with before and after ---------------------


def _audited(action: str) -> AuditEntry:
    db.session.expire_all()
    found = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    ).first()
    assert found is not None, f"no audit entry for {action}"
    return found


def test_organiser_actions_are_audited_with_before_and_after(
    browser, organizer, org_a, rep_b, make_campaign, clock
):
    from tests.test_campaigns import form_data as campaign_form

    client = browser(organizer)
    # Campaigns: create, edit, close a phase early.
    assert client.post("/campaigns/new", data=campaign_form()).status_code == 303
    created = _audited("campaign.create")
    assert created.before is None and created.after["title"] == "Mahalle buluşmaları"
    slug = db.session.get(Campaign, created.target_id).slug
    edited = campaign_form(title="Mahalle buluşmaları 2026")
    assert client.post(f"/campaigns/{slug}/edit", data=edited).status_code == 303
    update = _audited("campaign.update")
    assert update.before["title"] == "Mahalle buluşmaları"
    assert update.after["title"] == "Mahalle buluşmaları 2026"
    assert client.post(f"/campaigns/{slug}/advance").status_code == 303
    advance = _audited("campaign.advance_phase")
    assert advance.before != advance.after

    # Invitations: send, re-send, revoke.
    data = {"email": "yeni@dernek.example", "role": "participant",
            "organization": str(org_a.id), "locale": "tr"}  # fmt: skip
    assert client.post("/admin/invitations", data=data).status_code == 303
    sent = _audited("invitation.create")
    assert sent.after["email"] == "yeni@dernek.example" and sent.after["role"] == "participant"
    invitation = db.session.get(Invitation, sent.target_id)
    assert client.post(f"/admin/invitations/{invitation.id}/resend").status_code == 303
    resend = _audited("invitation.resend")
    assert (resend.before["sent_count"], resend.after["sent_count"]) == (1, 2)
    assert client.post(f"/admin/invitations/{invitation.id}/revoke").status_code == 303
    revoke = _audited("invitation.revoke")
    assert revoke.before == {"revoked_at": None} and revoke.after["revoked_at"]

    # Deactivations: a person, an organisation.
    assert client.post(f"/admin/people/{rep_b.id}/active", data={"active": "0"}).status_code == 303
    person = _audited("user.deactivate")
    assert (person.before, person.after) == ({"active": True}, {"active": False})
    response = client.post(f"/organizations/{org_a.id}/active", data={"active": "0"})
    assert response.status_code == 303
    organisation = _audited("organization.deactivate")
    assert (organisation.before, organisation.after) == ({"active": True}, {"active": False})
    assert organisation.target_id == org_a.id

    # Results: download, publish.
    closed = make_campaign(
        submission_opens_at=clock.now - timedelta(days=30),
        submission_closes_at=clock.now - timedelta(days=20),
        voting_opens_at=clock.now - timedelta(days=15),
        voting_closes_at=clock.now - timedelta(days=1),
    )
    client.get(f"/campaigns/{closed.slug}/results.csv", buffered=True).get_data()
    export = _audited("shortlist.export")
    assert export.target_id == closed.id and export.after["format"] == "csv"
    assert client.post(f"/campaigns/{closed.slug}/results/publish").status_code == 303
    publish = _audited("campaign.publish_results")
    assert publish.before == {"results_published_at": None}
    assert publish.after["results_published_at"]

    # All of them are on the page, with their changes.
    listing = client.get("/audit")
    for made in (update, resend, revoke, person, organisation, publish):
        assert row(listing, made).find("details") is not None


def test_the_page_and_download_link_keep_the_filters(browser, organizer):
    doc = page(browser(organizer).get("/audit?action=x&date_from=2026-10-01"))
    link = doc.find("a", download=True)
    assert link is not None
    assert "action=x" in link.get("href") and "date_from=2026-10-01" in link.get("href")
    assert doc.one("select", name="action") is not None
    assert doc.one("input", name="date_from").get("value") == "2026-10-01"
