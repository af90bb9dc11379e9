# ruff: noqa: F811 - the shared fixtures are imported from tests/voting_helpers.py
"""Voting through the browser's eyes: the vote panel without JavaScript (303 + flash) and with
htmx (the panel alone, its live region, the ballot summary out of band), refusals, our ballot,
organisers' view of open ballots, secrecy, tallies, the campaign's voting settings and their
freeze, and a constant number of SQL statements on the list page with votes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from auth.models import Organization, User
from extensions import db
from proposals import voting
from proposals.campaigns import to_local
from proposals.models import (
    Ballot,
    BallotSecrecy,
    Campaign,
    Partnership,
    PartnershipState,
    Proposal,
    ProposalState,
    ResultsVisibility,
    Vote,
    VoteLogEntry,
    VotingMethod,
)
from tests.conftest import PASSWORD, Clock
from tests.dom import Element, parse
from tests.people_helpers import flashes, isolated_requests, tr  # noqa: F401 - autouse fixture
from tests.voting_helpers import (  # noqa: F401 - fixtures
    make_proposal,
    org_c,
    voting_campaign,
    voting_windows,
)

# --- helpers ----------------------------------------------------------------------------


@pytest.fixture
def browser(app: Flask) -> Callable[..., FlaskClient]:
    """A browser of its own, signed in as ``user`` (or anonymous)."""

    def open_as(user: User | None = None) -> FlaskClient:
        client = app.test_client()
        if user is not None:
            response = client.post("/login", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return open_as


def htmx(proposal: Proposal) -> dict[str, str]:
    return {"HX-Request": "true", "HX-Target": f"vote-panel-{proposal.id}"}


def post_vote(
    client: FlaskClient, proposal: Proposal, points: int | str, next_: str = "", **kwargs: Any
) -> Any:
    return client.post(
        f"/proposals/{proposal.id}/vote", data={"points": str(points), "next": next_}, **kwargs
    )


def doc(response: Any) -> Element:
    return parse(response.get_data(as_text=True))


def panel(response: Any, proposal: Proposal) -> Element:
    return doc(response).one("section", id=f"vote-panel-{proposal.id}")


def status_text(section: Element) -> str:
    return section.one("p", role="status").text


def buttons(section: Element) -> dict[str, Element]:
    """The panel's buttons by their text."""
    return {b.text: b for b in section.find_all("button")}


def stored(organization: Organization) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Proposal.title, Vote.points)
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(Vote.organization_id == organization.id)
    ).all()
    return dict(rows)


def log_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(VoteLogEntry.id))) or 0


NO_VOTES_LEFT = "Your organisation has no votes left."
OWN = "Your organisation cannot vote for its own proposals or those it partners."


def recorded(title: str, remaining: int, budget: int = 3) -> str:
    return (
        tr("Your organisation's vote for “%(title)s” has been recorded.", title=title)
        + " "
        + votes_left(remaining, budget)
    )


def votes_left(remaining: int, budget: int = 3) -> str:
    from flask_babel import force_locale, ngettext

    with force_locale("tr"):
        return ngettext(
            "%(remaining)d of %(num)d vote left.",
            "%(remaining)d of %(num)d votes left.",
            budget,
            remaining=remaining,
        )


def tally_text(votes: int, organizations: int) -> str:
    from flask_babel import force_locale, ngettext

    with force_locale("tr"):
        return (
            ngettext("%(num)d vote in total", "%(num)d votes in total", votes)
            + " · "
            + ngettext("from %(num)d organisation", "from %(num)d organisations", organizations)
        )


# --- giving and taking back without JavaScript -----------------------------------------------


def test_without_javascript_a_vote_redirects_back_with_a_flash(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
) -> None:
    campaign = voting_campaign()
    proposal = make_proposal(campaign, org_a)
    client = browser(rep_b)
    page = client.get(f"/campaigns/{campaign.slug}?sort=random")
    form = panel(page, proposal).one("form")
    sent = form.form_values()
    assert sent["points"] == "1"
    assert sent["next"] == f"/campaigns/{campaign.slug}?sort=random"

    response = client.post(form.get("action"), data=sent)
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/campaigns/{campaign.slug}?sort=random#vote-panel-{proposal.id}"
    )
    assert stored(org_b) == {"Mor Bank": 1}
    back = client.get(response.headers["Location"])
    assert ("success", recorded("Mor Bank", 2)) in flashes(back.get_data(as_text=True))
    given = panel(back, proposal)
    assert (
        tr("Your organisation voted for this proposal.") in given.one("p", class_="vote-state").text
    )
    assert votes_left(2) in doc(back).one("p", id="ballot-summary").text

    take_back = given.one("form")
    assert take_back.form_values()["points"] == "0"
    response = client.post(take_back.get("action"), data=take_back.form_values())
    assert response.status_code == 303
    assert stored(org_b) == {}
    after = client.get(response.headers["Location"])
    message = tr("Your organisation's vote for “%(title)s” has been taken back.", title="Mor Bank")
    assert ("success", f"{message} {votes_left(3)}") in flashes(after.get_data(as_text=True))


@pytest.mark.parametrize("next_", ["", "//evil.example/", "https://evil.example/", "javascript:x"])
def test_an_unsafe_or_missing_next_returns_to_the_proposal(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_b: User,
    next_: str,
) -> None:
    proposal = make_proposal(voting_campaign(), org_a)
    response = post_vote(browser(rep_b), proposal, 1, next_)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/proposals/{proposal.id}#vote-panel-{proposal.id}"


def test_a_refusal_without_javascript_is_flashed_as_an_error(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_a: User,
) -> None:
    proposal = make_proposal(voting_campaign(), org_a)
    client = browser(rep_a)
    response = post_vote(client, proposal, 1, f"/proposals/{proposal.id}")
    assert response.status_code == 303
    back = client.get(response.headers["Location"])
    assert ("error", tr(OWN)) in flashes(back.get_data(as_text=True))
    assert stored(rep_a.organization) == {}


# --- with htmx ---------------------------------------------------------------------------


def test_with_htmx_the_panel_comes_back_alone_and_says_what_happened(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
) -> None:
    campaign = voting_campaign()
    proposal = make_proposal(campaign, org_a)
    client = browser(rep_b)
    where = f"/campaigns/{campaign.slug}"
    response = post_vote(client, proposal, 1, where, headers=htmx(proposal))
    assert response.status_code == 200
    assert "HX-Request" in response.headers.get("Vary", "")
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<main" not in html
    given = panel(response, proposal)
    assert given.get("aria-labelledby") == f"vote-panel-{proposal.id}-label"
    status = given.one("p", role="status")
    assert status.get("aria-live") == "polite"
    assert status.text == recorded("Mor Bank", 2)
    # The button pressed is gone; focus goes to its counterpart, which sends 0.
    take_back = buttons(given)[tr("Take back the vote")]
    assert "data-focus" in take_back.attrs
    form = given.one("form")
    assert form.get("hx-post") == f"/proposals/{proposal.id}/vote"
    assert form.get("hx-target") == f"#vote-panel-{proposal.id}"
    assert form.get("hx-swap") == "outerHTML"
    assert form.form_values()["next"] == where  # the no-JS fallback keeps its way back
    # The remaining budget lives in one place per page, refreshed out of band.
    summary = doc(response).one("p", id="ballot-summary")
    assert summary.get("hx-swap-oob") == "true"
    assert votes_left(2) in summary.text
    assert stored(org_b) == {"Mor Bank": 1}

    response = post_vote(client, proposal, 0, where, headers=htmx(proposal))
    again = panel(response, proposal)
    assert status_text(again) == (
        tr("Your organisation's vote for “%(title)s” has been taken back.", title="Mor Bank")
        + " "
        + votes_left(3)
    )
    assert "data-focus" in buttons(again)[tr("Vote")].attrs
    assert votes_left(3) in doc(response).one("p", id="ballot-summary").text
    assert stored(org_b) == {}


def test_other_htmx_requests_get_the_redirect(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_b: User,
) -> None:
    proposal = make_proposal(voting_campaign(), org_a)
    response = post_vote(
        browser(rep_b), proposal, 1, "/", headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert response.status_code == 303


def test_when_the_budget_runs_out_the_panel_says_no_votes_left_and_nothing_is_stored(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
) -> None:
    campaign = voting_campaign(votes_per_organization=2)
    proposals = [make_proposal(campaign, org_a, title=f"Öneri {i}") for i in range(3)]
    client = browser(rep_b)
    # The page is loaded while votes are left: every panel offers a vote.
    page = client.get(f"/campaigns/{campaign.slug}")
    for proposal in proposals:
        assert tr("Vote") in buttons(panel(page, proposal))
    for proposal in proposals[:2]:
        assert post_vote(client, proposal, 1, headers=htmx(proposal)).status_code == 200
    # The third, from the stale page: refused in words, in the panel's live region.
    response = post_vote(client, proposals[2], 1, headers=htmx(proposals[2]))
    assert response.status_code == 200
    refused = panel(response, proposals[2])
    status = refused.one("p", role="status")
    assert status.text == tr(NO_VOTES_LEFT)
    assert "vote-refused" in (status.get("class") or "")
    assert tr("Vote") not in buttons(refused)
    assert refused.get("tabindex") == "-1" and "data-focus" in refused.attrs
    assert stored(org_b) == {"Öneri 0": 1, "Öneri 1": 1}
    assert log_count() == 2
    # A fresh page explains it on the panel and shows the spent budget once.
    page = client.get(f"/campaigns/{campaign.slug}")
    spent = panel(page, proposals[2])
    assert tr(NO_VOTES_LEFT) in spent.one("p", class_="vote-state").text
    assert not spent.find_all("button")
    assert votes_left(0, 2) in doc(page).one("p", id="ballot-summary").text
    # Without JavaScript the same answer comes as a flash.
    response = post_vote(client, proposals[2], 1, f"/campaigns/{campaign.slug}")
    back = client.get(response.headers["Location"])
    assert ("error", tr(NO_VOTES_LEFT)) in flashes(back.get_data(as_text=True))
    assert stored(org_b) == {"Öneri 0": 1, "Öneri 1": 1}


# --- refusals: own, partnered, not in the vote, the window ----------------------------------------


def test_own_and_confirmed_partner_proposals_show_why_and_refuse(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_c: Organization,
    rep_a: User,
) -> None:
    campaign = voting_campaign()
    own = make_proposal(campaign, org_a, title="Kendi")
    partnered = make_proposal(
        campaign, org_c, title="Ortak", partners=((org_a, PartnershipState.confirmed),)
    )
    client = browser(rep_a)
    page = client.get(f"/campaigns/{campaign.slug}")
    for proposal in (own, partnered):
        section = panel(page, proposal)
        assert tr(OWN) in section.one("p", class_="vote-state").text
        assert not section.find_all("button")
        response = post_vote(client, proposal, 1, headers=htmx(proposal))
        assert status_text(panel(response, proposal)) == tr(OWN)
    assert stored(org_a) == {}


def test_a_campaign_that_allows_it_takes_votes_for_own_proposals(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_a: User,
) -> None:
    own = make_proposal(voting_campaign(allow_own_votes=True), org_a, title="Kendi")
    client = browser(rep_a)
    assert tr("Vote") in buttons(panel(client.get(f"/proposals/{own.id}"), own))
    response = post_vote(client, own, 1, headers=htmx(own))
    assert status_text(panel(response, own)) == recorded("Kendi", 2)
    assert stored(org_a) == {"Kendi": 1}


@pytest.mark.parametrize(
    "state", [ProposalState.withdrawn, ProposalState.not_accepted, ProposalState.merged]
)
def test_proposals_out_of_the_vote_take_no_votes(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    state: ProposalState,
) -> None:
    proposal = make_proposal(voting_campaign(), org_a, state=state)
    client = browser(rep_b)
    section = panel(client.get(f"/proposals/{proposal.id}"), proposal)
    assert tr("This proposal is not in the vote.") in section.text
    assert not section.find_all("button")
    response = post_vote(client, proposal, 1, headers=htmx(proposal))
    assert status_text(panel(response, proposal)) == tr("This proposal is not in the vote.")
    assert stored(org_b) == {}
    assert log_count() == 0


def test_one_second_after_closing_is_refused_one_second_before_is_counted(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    late = make_proposal(campaign, org_a, title="Geç")
    in_time = make_proposal(campaign, org_a, title="Son saniye")
    client = browser(rep_b)
    clock.now = campaign.voting_closes_at + timedelta(seconds=1)
    response = post_vote(client, late, 1, headers=htmx(late))
    closed = panel(response, late)
    assert status_text(closed) == tr("Voting has closed.")
    assert not closed.find_all("button")
    clock.now = campaign.voting_closes_at - timedelta(seconds=1)
    response = post_vote(client, in_time, 1, headers=htmx(in_time))
    assert status_text(panel(response, in_time)) == recorded("Son saniye", 2)
    assert stored(org_b) == {"Son saniye": 1}


def test_before_voting_opens_the_panel_says_when_it_opens(
    browser: Callable[..., FlaskClient],
    make_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_b: User,
) -> None:
    campaign = make_campaign()
    proposal = make_proposal(campaign, org_a)
    client = browser(rep_b)
    page = client.get(f"/campaigns/{campaign.slug}")
    section = panel(page, proposal)
    assert tr("Voting has not opened yet.") in section.text
    assert not section.find_all("button")
    assert doc(page).find("p", id="ballot-summary") is None  # linked during voting only
    response = post_vote(client, proposal, 1, headers=htmx(proposal))
    assert status_text(panel(response, proposal)) == tr("Voting has not opened yet.")
    assert db.session.scalar(select(func.count(Ballot.id))) == 0


# --- who may post ---------------------------------------------------------------------------


def test_who_may_use_the_vote_endpoint(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_a: User,
    rep_b: User,
    moderator: User,
    organizer: User,
) -> None:
    campaign = voting_campaign()
    proposal = make_proposal(campaign, org_a)
    draft = make_proposal(campaign, org_a, state=ProposalState.draft, title="Taslak")
    anonymous = post_vote(browser(), proposal, 1)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for staff in (moderator, organizer):
        assert post_vote(browser(staff), proposal, 1).status_code == 403
        section = panel(browser(staff).get(f"/proposals/{proposal.id}"), proposal)
        assert tr("Only representatives of an organisation vote.") in section.text
        assert not section.find_all("button")
    assert post_vote(browser(rep_b), draft, 1).status_code == 404  # another's draft is not seen
    assert browser(rep_b).post("/proposals/999999/vote", data={"points": "1"}).status_code == 404
    # Its own draft is seen, but is not in the vote.
    response = post_vote(browser(rep_a), draft, 1, headers=htmx(draft))
    assert status_text(panel(response, draft)) == tr("This proposal is not in the vote.")
    assert db.session.scalar(select(func.count(Vote.id))) == 0


@pytest.mark.parametrize("points", ["", "x", "-1", "١", "9999"])
def test_a_malformed_number_of_points_is_refused(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_b: User,
    points: str,
) -> None:
    proposal = make_proposal(voting_campaign(), org_a)
    response = post_vote(browser(rep_b), proposal, points, headers=htmx(proposal))
    assert response.status_code == 200
    assert status_text(panel(response, proposal)) == tr("Please choose how many points to give.")
    assert db.session.scalar(select(func.count(Vote.id))) == 0


# --- dot voting ---------------------------------------------------------------------------


def test_dot_voting_adds_points_up_to_the_cap(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
) -> None:
    from flask_babel import force_locale, ngettext

    def points_left(remaining: int) -> str:
        with force_locale("tr"):
            return ngettext(
                "%(remaining)d of %(num)d point left.",
                "%(remaining)d of %(num)d points left.",
                3,
                remaining=remaining,
            )

    campaign = voting_campaign(
        voting_method=VotingMethod.points, votes_per_organization=3, max_points_per_proposal=2
    )
    proposal = make_proposal(campaign, org_a)
    client = browser(rep_b)
    section = panel(client.get(f"/proposals/{proposal.id}"), proposal)
    plus, minus = buttons(section)[tr("+1 point")], buttons(section)[tr("−1 point")]
    assert "disabled" in minus.attrs and "disabled" not in plus.attrs
    response = post_vote(client, proposal, 1, headers=htmx(proposal))
    section = panel(response, proposal)
    with force_locale("tr"):
        one = ngettext("“%(title)s” now has %(num)d point from your organisation.",
                       "“%(title)s” now has %(num)d points from your organisation.", 1,
                       title="Mor Bank")  # fmt: skip
    assert status_text(section) == f"{one} {points_left(2)}"
    assert tr("%(points)d of at most %(max)d points", points=1, max=2) in section.text
    assert "data-focus" in buttons(section)[tr("+1 point")].attrs
    # The +1 form sends the next total.
    plus_form = next(f for f in section.find_all("form") if f.form_values()["points"] == "2")
    response = post_vote(
        client, proposal, plus_form.form_values()["points"], headers=htmx(proposal)
    )
    section = panel(response, proposal)
    assert "disabled" in buttons(section)[tr("+1 point")].attrs  # at the cap
    assert "data-focus" in buttons(section)[tr("−1 point")].attrs  # focus stays on a live button
    assert votes_left(1) not in section.text and points_left(1) in status_text(section)
    response = post_vote(client, proposal, 3, headers=htmx(proposal))
    assert status_text(panel(response, proposal)) == tr(
        "At most %(n)d points on one proposal.", n=2
    )
    assert stored(org_b) == {"Mor Bank": 2}
    response = post_vote(client, proposal, 1, headers=htmx(proposal))
    assert stored(org_b) == {"Mor Bank": 1}


# --- our ballot ---------------------------------------------------------------------------


def test_our_ballot_shows_each_colleagues_votes_and_takes_them_back(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    rep_a: User,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    colleague = make_user(organization=org_b, name="Zeynep Kaya")
    first = make_proposal(campaign, org_a, title="Mor Bank")
    second = make_proposal(campaign, org_c, title="Turuncu Yürüyüş")
    third = make_proposal(campaign, org_c, title="Söyleşi")
    voting.set_points(first, rep_b, 1, clock.now)
    clock.advance(minutes=5)
    voting.set_points(second, colleague, 1, clock.now)
    voting.set_points(third, rep_a, 1, clock.now)  # another organisation's ballot
    db.session.commit()

    client = browser(rep_b)
    response = client.get(f"/campaigns/{campaign.slug}/ballot")
    assert response.status_code == 200
    page = doc(response)
    rows = page.one("table", class_="ballot-table").find("tbody").find_all("tr")
    cells = [[c.text for c in row.find_all("td")] for row in rows]
    titles = [row.one("th").text for row in rows]
    assert titles == ["Mor Bank", "Turuncu Yürüyüş"]
    assert [c[0] for c in cells] == ["Fatma Demir", "Zeynep Kaya"]
    assert all(row.find("time") is not None for row in rows)
    assert votes_left(1) in page.one("p", id="ballot-summary").text
    assert "Söyleşi" not in response.get_data(as_text=True)

    # Taking back from the ballot page comes back to it.
    form = rows[1].one("form")
    assert form.form_values()["points"] == "0"
    response = client.post(form.get("action"), data=form.form_values())
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/campaigns/{campaign.slug}/ballot")
    assert stored(org_b) == {"Mor Bank": 1}
    # The campaign page links the ballot during voting.
    summary = doc(client.get(f"/campaigns/{campaign.slug}")).one("p", id="ballot-summary")
    assert summary.one("a").get("href") == f"/campaigns/{campaign.slug}/ballot"


def test_our_ballot_is_for_representatives(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    moderator: User,
    organizer: User,
    rep_b: User,
) -> None:
    campaign = voting_campaign()
    path = f"/campaigns/{campaign.slug}/ballot"
    anonymous = browser().get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert browser(moderator).get(path).status_code == 403
    assert browser(organizer).get(path).status_code == 403
    empty = browser(rep_b).get(path)
    assert empty.status_code == 200
    assert tr("Your organisation has not voted yet.") in empty.get_data(as_text=True)
    assert browser(rep_b).get("/campaigns/unknown/ballot").status_code == 404


def test_after_closing_the_ballot_offers_no_take_back(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    voting.set_points(make_proposal(campaign, org_a), rep_b, 1, clock.now)
    db.session.commit()
    clock.now = campaign.voting_closes_at
    page = doc(browser(rep_b).get(f"/campaigns/{campaign.slug}/ballot"))
    assert page.find("table", class_="ballot-table") is not None
    assert not page.find("table", class_="ballot-table").find_all("form")


# --- secrecy and tallies -------------------------------------------------------------------------


def test_a_participant_never_sees_which_organisation_voted_for_what(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_c: Organization,
    rep_a: User,
    rep_b: User,
    clock: Clock,
) -> None:
    # Live results, so that counts are shown: still no organisation behind them.
    campaign = voting_campaign(results_visibility=ResultsVisibility.live)
    proposal = make_proposal(campaign, org_c, title="Turuncu Yürüyüş")
    voting.set_points(proposal, rep_a, 1, clock.now)
    db.session.commit()
    client = browser(rep_b)
    for path in (
        f"/campaigns/{campaign.slug}",
        f"/proposals/{proposal.id}",
        f"/campaigns/{campaign.slug}/ballot",
    ):
        html = client.get(path).get_data(as_text=True)
        assert org_a.name not in html, path
        assert rep_a.name not in html, path
    section = panel(client.get(f"/proposals/{proposal.id}"), proposal)
    assert tr("Your organisation has not voted for this proposal.") in section.text
    assert section.one("p", class_="vote-tally").text == tally_text(1, 1)
    assert client.get(f"/campaigns/{campaign.slug}/ballots").status_code == 403


@pytest.mark.parametrize(
    ("secrecy", "expected"), [(BallotSecrecy.secret, 404), (BallotSecrecy.open, 200)]
)
def test_organisers_see_each_ballot_only_when_ballots_are_open(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_c: Organization,
    rep_a: User,
    rep_b: User,
    moderator: User,
    organizer: User,
    clock: Clock,
    secrecy: BallotSecrecy,
    expected: int,
) -> None:
    campaign = voting_campaign(ballot_secrecy=secrecy)
    proposal = make_proposal(campaign, org_c, title="Turuncu Yürüyüş")
    voting.set_points(proposal, rep_a, 1, clock.now)
    db.session.commit()
    path = f"/campaigns/{campaign.slug}/ballots"
    response = browser(organizer).get(path)
    assert response.status_code == expected
    manage = doc(browser(organizer).get(f"/campaigns/{campaign.slug}"))
    linked = [a.get("href") for a in manage.find_all("a")]
    assert (path in linked) is (secrecy == BallotSecrecy.open)
    if expected == 200:
        section = doc(response).find_all("section", class_="ballot")
        assert [s.one("h2").text for s in section] == [org_a.name]
        assert "Turuncu Yürüyüş" in section[0].text
    for person in (rep_a, rep_b, moderator):
        assert browser(person).get(path).status_code == 403


@pytest.mark.parametrize(
    ("visibility", "moment", "participant_sees"),
    [
        (ResultsVisibility.after_close, "during", False),
        (ResultsVisibility.after_close, "after", True),
        (ResultsVisibility.live, "during", True),
    ],
)
def test_tallies_follow_the_results_setting(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_c: Organization,
    rep_a: User,
    rep_b: User,
    organizer: User,
    clock: Clock,
    visibility: ResultsVisibility,
    moment: str,
    participant_sees: bool,
) -> None:
    campaign = voting_campaign(results_visibility=visibility)
    proposal = make_proposal(campaign, org_c, title="Turuncu Yürüyüş")
    voting.set_points(proposal, rep_a, 1, clock.now)
    voting.set_points(proposal, rep_b, 1, clock.now)
    db.session.commit()
    if moment == "after":
        clock.now = campaign.voting_closes_at
    expected = tally_text(2, 2)
    for who, sees in ((None, participant_sees), (rep_b, participant_sees), (organizer, True)):
        for path in (f"/campaigns/{campaign.slug}", f"/proposals/{proposal.id}"):
            tally = panel(browser(who).get(path), proposal).find("p", class_="vote-tally")
            if sees:
                assert tally is not None and tally.text == expected, (who, path)
            else:
                assert tally is None, (who, path)


# --- a constant number of SQL statements ----------------------------------------------------------


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def many_proposals(
    campaign: Campaign, organizations: list[Organization], voters: list[User], n: int, now: datetime
) -> list[Proposal]:
    """``n`` proposals with partners; every voter's organisation votes for a few of them."""
    proposals = [
        Proposal(
            campaign=campaign,
            organization=organizations[i % 3],
            title=f"Öneri {i}",
            summary="Özet",
            description="Açıklama",
            state=ProposalState.accepted if i % 2 else ProposalState.submitted,
            search_text=f"öneri {i}",
            created_at=now,
            submitted_at=now - timedelta(minutes=i),
            partnerships=[
                Partnership(
                    organization=organizations[(i + 1) % 3], state=PartnershipState.confirmed
                )
            ],
        )
        for i in range(n)
    ]
    db.session.add_all(proposals)
    db.session.commit()
    for voter in voters:
        candidates = [p for p in proposals if not voting._is_own(p, voter.organization_id)]
        for proposal in candidates[:2]:
            voting.set_points(proposal, voter, 1, now)
    db.session.commit()
    return proposals


@pytest.mark.parametrize("who", ["anonymous", "voter", "organizer"])
def test_the_list_page_with_votes_takes_the_same_statements_for_10_or_100_proposals(
    app: Flask,
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    make_org: Callable[..., Organization],
    make_user: Callable[..., User],
    organizer: User,
    clock: Clock,
    who: str,
) -> None:
    organizations = [make_org(f"Dernek Oy {i}") for i in range(5)]
    voters = [make_user(organization=o) for o in organizations]
    small = voting_campaign(results_visibility=ResultsVisibility.live)
    large = voting_campaign(results_visibility=ResultsVisibility.live)
    many_proposals(small, organizations, voters, 10, clock.now)
    many_proposals(large, organizations, voters, 100, clock.now)
    client = browser({"anonymous": None, "voter": voters[4], "organizer": organizer}[who])
    counts: dict[str, int] = {}
    seen: dict[str, list[str]] = {}
    for campaign in (small, large):
        client.get(f"/campaigns/{campaign.slug}")  # warm: the shuffle seed in the session
        with counting() as statements:
            response = client.get(f"/campaigns/{campaign.slug}")
        assert response.status_code == 200
        counts[campaign.slug] = len(statements)
        seen[campaign.slug] = statements
        page = doc(response)
        assert len(page.find_all("section", class_="vote-panel")) == min(
            20, 10 if campaign is small else 100
        )
        if who != "anonymous":
            assert page.find_all("p", class_="vote-tally")
        if who == "voter":
            assert page.find_all("section", class_="vote-given")
            assert page.find("p", id="ballot-summary") is not None
    assert counts[small.slug] == counts[large.slug], (
        counts,
        [s for s in seen[large.slug] if s not in seen[small.slug]],
    )


# --- the campaign's voting settings ---------------------------------------------------------------


def test_the_campaign_page_states_the_rules_of_the_vote(
    browser: Callable[..., FlaskClient], voting_campaign: Callable[..., Campaign]
) -> None:
    dots = voting_campaign(
        voting_method=VotingMethod.points,
        votes_per_organization=5,
        max_points_per_proposal=2,
        results_visibility=ResultsVisibility.live,
        ballot_secrecy=BallotSecrecy.open,
    )
    plain = voting_campaign()
    client = browser()

    def facts(campaign: Campaign) -> dict[str, str]:
        dl = doc(client.get(f"/campaigns/{campaign.slug}")).one("dl", class_="facts")
        return dict(zip([dt.text for dt in dl.find_all("dt")],
                        [dd.text for dd in dl.find_all("dd")], strict=True))  # fmt: skip

    shown = facts(dots)
    assert tr("At most %(n)d points on one proposal.", n=2) in shown[tr("Voting method")]
    assert shown[tr("Results")] == tr("Live: everyone sees them while voting")
    assert shown[tr("Ballots")] == tr("Open to organisers: they see each organisation's ballot")
    shown = facts(plain)
    assert shown[tr("Voting method")] == tr("Approval voting: one vote for each chosen proposal")
    assert shown[tr("Results")] == tr("Hidden until voting closes (organisers see them throughout)")
    assert shown[tr("Ballots")] == tr(
        "Secret: nobody sees another organisation's ballot, organisers included"
    )


def campaign_form(response: Any) -> Element:
    return doc(response).form_with("title")


def as_a_browser_sends(form: Element) -> dict[str, str]:
    """What the form sends: fields inside a disabled fieldset are not sent at all."""
    values = form.form_values()
    for fieldset in form.find_all("fieldset", disabled=True):
        for element in fieldset.iter():
            values.pop(element.get("name") or "", None)
    return values


def test_the_new_campaign_form_sets_the_voting_rules(
    browser: Callable[..., FlaskClient], organizer: User
) -> None:
    client = browser(organizer)
    form = campaign_form(client.get("/campaigns/new?template=blank"))
    values = form.form_values()
    assert values["voting_method"] == "approval"
    assert values["results_visibility"] == "after_close"
    assert values["ballot_secrecy"] == "secret"
    assert "allow_own_votes" not in values  # unchecked by default
    values.update(
        title="Nokta oylaması",
        voting_method="points",
        votes_per_organization="6",
        max_points_per_proposal="3",
        allow_own_votes="y",
        results_visibility="live",
        ballot_secrecy="open",
    )
    response = client.post("/campaigns/new?template=blank", data=values)
    assert response.status_code == 303, response.get_data(as_text=True)
    campaign = db.session.scalars(select(Campaign).where(Campaign.title == "Nokta oylaması")).one()
    assert (
        campaign.voting_method,
        campaign.votes_per_organization,
        campaign.max_points_per_proposal,
        campaign.allow_own_votes,
        campaign.results_visibility,
        campaign.ballot_secrecy,
    ) == (VotingMethod.points, 6, 3, True, ResultsVisibility.live, BallotSecrecy.open)


def test_a_cap_above_the_budget_is_shown_next_to_its_field(
    browser: Callable[..., FlaskClient], make_campaign: Callable[..., Campaign], organizer: User
) -> None:
    campaign = make_campaign(votes_per_organization=3)
    client = browser(organizer)
    values = campaign_form(client.get(f"/campaigns/{campaign.slug}/edit")).form_values()
    values.update(voting_method="points", max_points_per_proposal="4")
    response = client.post(f"/campaigns/{campaign.slug}/edit", data=values)
    assert response.status_code == 200
    error = doc(response).one("p", id="max_points_per_proposal-error")
    assert error.text == tr("At most the votes per organisation (%(n)d).", n=3)
    db.session.expire_all()
    assert campaign.voting_method == VotingMethod.approval


def test_before_voting_the_rules_are_editable(
    browser: Callable[..., FlaskClient], make_campaign: Callable[..., Campaign], organizer: User
) -> None:
    campaign = make_campaign()
    client = browser(organizer)
    form = campaign_form(client.get(f"/campaigns/{campaign.slug}/edit"))
    assert not form.find_all("fieldset", disabled=True)
    values = as_a_browser_sends(form)
    values.update(voting_method="points", votes_per_organization="5",
                  max_points_per_proposal="2", allow_own_votes="y")  # fmt: skip
    response = client.post(f"/campaigns/{campaign.slug}/edit", data=values)
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    assert (campaign.voting_method, campaign.votes_per_organization) == (VotingMethod.points, 5)
    assert (campaign.max_points_per_proposal, campaign.allow_own_votes) == (2, True)


def test_once_voting_opened_the_form_shows_the_rules_fixed_and_still_extends_voting(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    organizer: User,
) -> None:
    campaign = voting_campaign(
        voting_method=VotingMethod.points,
        votes_per_organization=5,
        max_points_per_proposal=2,
        allow_own_votes=True,
    )
    client = browser(organizer)
    response = client.get(f"/campaigns/{campaign.slug}/edit")
    form = campaign_form(response)
    rules = form.one("fieldset", class_="voting-rules")
    assert "disabled" in rules.attrs
    explanation = form.one("p", id=rules.get("aria-describedby"))
    assert explanation.text == tr(
        "The voting rules are fixed once voting has opened: the method, the votes per "
        "organisation, the points per proposal and the rule on own proposals can no longer "
        "change. The calendar still can, for example to extend voting."
    )
    names = {e.get("name") for e in rules.iter() if e.get("name")}
    assert names == {"voting_method", "votes_per_organization", "max_points_per_proposal",
                     "allow_own_votes"}  # fmt: skip
    # Secret ballots stay secret: that choice is fixed too.
    assert "ballot_secrecy" in {
        e.get("name") for fs in form.find_all("fieldset", disabled=True) for e in fs.iter()
    }
    values = as_a_browser_sends(form)
    assert "voting_method" not in values
    later = to_local(campaign.voting_closes_at + timedelta(days=3), campaign.zone)
    values["voting_closes_at"] = later.strftime("%Y-%m-%dT%H:%M")
    values["results_visibility"] = "live"
    response = client.post(f"/campaigns/{campaign.slug}/edit", data=values)
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    assert to_local(campaign.voting_closes_at, campaign.zone) == later
    assert campaign.results_visibility == ResultsVisibility.live
    assert (
        campaign.voting_method,
        campaign.votes_per_organization,
        campaign.max_points_per_proposal,
        campaign.allow_own_votes,
    ) == (VotingMethod.points, 5, 2, True)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("voting_method", "approval"),
        ("votes_per_organization", "6"),
        ("max_points_per_proposal", "1"),
        ("ballot_secrecy", "open"),
    ],
)
def test_once_voting_opened_a_forced_change_of_a_rule_is_refused_on_its_field(
    browser: Callable[..., FlaskClient],
    voting_campaign: Callable[..., Campaign],
    organizer: User,
    name: str,
    value: str,
) -> None:
    campaign = voting_campaign(
        voting_method=VotingMethod.points, votes_per_organization=5, max_points_per_proposal=2
    )
    client = browser(organizer)
    values = as_a_browser_sends(campaign_form(client.get(f"/campaigns/{campaign.slug}/edit")))
    values[name] = value  # sent anyway, as a crafted request would
    response = client.post(f"/campaigns/{campaign.slug}/edit", data=values)
    assert response.status_code == 200
    error = doc(response).one("p", id=f"{name}-error").text
    if name == "ballot_secrecy":
        assert error == tr("Ballots cast in secret stay secret: the secrecy cannot be lifted "
                           "once voting has opened.")  # fmt: skip
    else:
        assert error == tr("The voting rules are fixed once voting has opened.")
    db.session.expire_all()
    assert (campaign.voting_method, campaign.votes_per_organization) == (VotingMethod.points, 5)
    assert campaign.ballot_secrecy == BallotSecrecy.secret
