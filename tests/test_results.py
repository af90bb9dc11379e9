# ruff: noqa: F811 - the shared fixture is imported from tests/results_helpers.py
"""Results: the shortlist from the stored votes, turnout, votes by theme and by day, the
organisers' results page with its charts, publishing, the public shortlist, and the two
commands (audit-votes, send-reminders)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select, update

from auth.models import AuditEntry, OutboxMessage, Role
from extensions import db
from proposals import results
from proposals.models import Ballot, ProposalState, Visibility, Vote
from tests.conftest import PASSWORD
from tests.dom import parse
from tests.people_helpers import tr
from tests.results_helpers import (  # noqa: F401 - fixtures
    DAY_2,
    close_voting,
    vote,
    voted,
    write,
)

EXPECTED = [
    ("Mor Bank", 1, False, 4, 4),
    ("Atölye", 2, True, 2, 2),
    ("Kermes", 2, True, 2, 2),
    ("Sergi", 4, False, 1, 1),
    ("=SUM(A1:A2) Söyleşi", 5, False, 0, 0),
]


def table(rows):
    return [(r.entry.title, r.rank, r.tied, r.entry.points, r.entry.supporters) for r in rows]


@contextmanager
def counting_queries():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303


# --- the shortlist -------------------------------------------------------------------------


def test_shortlist_ranks_the_proposals_in_the_vote(voted):
    rows = results.shortlist(voted.campaign)
    assert table(rows) == EXPECTED  # no draft, withdrawn, not-accepted or merged proposal


def test_shortlist_keeps_shortlisted_and_not_selected_proposals(voted, clock):
    close_voting(voted, clock)
    voted.proposals["mor"].state = ProposalState.shortlisted
    voted.proposals["sergi"].state = ProposalState.not_selected
    db.session.commit()
    assert table(results.shortlist(voted.campaign)) == EXPECTED


def test_shortlist_takes_a_constant_number_of_queries(voted, clock):
    db.session.expire_all()
    with counting_queries() as few:
        results.shortlist(voted.campaign)
    clock.now = voted.campaign.submission_opens_at + timedelta(hours=1)
    for n in range(15):
        write(voted.campaign, voted.reps["F"], f"Ek öneri {n}", clock.now)
    db.session.commit()
    db.session.expire_all()
    with counting_queries() as many:
        rows = results.shortlist(voted.campaign)
    assert len(rows) == len(EXPECTED) + 15
    assert len(many) == len(few) <= 4


def test_filters_rank_within_the_filtered_proposals(voted):
    t2 = voted.themes["T2"].id
    assert table(results.shortlist(voted.campaign, theme_id=t2)) == [
        ("Kermes", 1, False, 2, 2),
        ("Sergi", 2, False, 1, 1),
    ]
    voted.proposals["atolye"].state = ProposalState.accepted
    db.session.commit()
    assert table(results.shortlist(voted.campaign, status="accepted")) == [
        ("Atölye", 1, False, 2, 2)
    ]
    assert results.shortlist(voted.campaign, status="draft") == []
    assert results.shortlist(voted.campaign, status="withdrawn") == []


def test_supporters_break_a_tie_in_points(app, clock, make_campaign, make_org, make_user):
    from proposals.models import VotingMethod

    campaign = make_campaign(
        votes_per_organization=3, voting_method=VotingMethod.points, max_points_per_proposal=2
    )
    orgs = [make_org() for _ in range(4)]
    reps = [make_user(organization=org) for org in orgs]
    one = write(campaign, reps[0], "Tek destekçi", clock.now)
    two = write(campaign, reps[0], "İki destekçi", clock.now)
    db.session.commit()
    clock.now = campaign.voting_opens_at + timedelta(hours=1)
    vote(one, reps[1], 2, clock.now)
    vote(two, reps[2], 1, clock.now)
    vote(two, reps[3], 1, clock.now)
    assert table(results.shortlist(campaign)) == [
        ("İki destekçi", 1, False, 2, 2),
        ("Tek destekçi", 2, False, 2, 1),
    ]


def test_an_empty_campaign_has_an_empty_shortlist(app, make_campaign):
    campaign = make_campaign()
    assert results.shortlist(campaign) == []
    assert results.turnout(campaign).voted == 0
    assert results.votes_by_theme(campaign, [], "tr") == []


# --- turnout, by theme, by day ----------------------------------------------------------------


def test_turnout(voted):
    turnout = results.turnout(voted.campaign)
    # Six active organisations (G is deactivated); F has no ballot; C used all three votes.
    assert (turnout.active_organizations, turnout.voted, turnout.voted_fully) == (6, 5, 1)
    assert (turnout.points_used, turnout.points_total) == (9, 18)
    assert turnout.voted_share == pytest.approx(5 / 6)
    assert turnout.points_share == pytest.approx(0.5)


def test_votes_by_theme_counts_a_proposal_in_each_of_its_themes(voted):
    rows = results.shortlist(voted.campaign)
    bars = results.votes_by_theme(voted.campaign, rows, "en")
    assert [(b.label, b.value) for b in bars] == [("Ending violence", 8), ("Women's work", 3)]


def test_votes_by_theme_has_a_bar_for_proposals_without_a_theme(voted, clock):
    clock.now = DAY_2
    vote(voted.proposals["soylesi"], voted.reps["F"], 1, DAY_2)
    bars = results.votes_by_theme(voted.campaign, results.shortlist(voted.campaign), "tr")
    assert [(b.key, b.value) for b in bars] == [("theme-1", 8), ("theme-2", 3), ("theme-none", 1)]


def test_votes_per_day_are_net_and_in_the_campaigns_time_zone(voted):
    days = dict(results.votes_per_day(voted.campaign))
    assert days[date(2026, 10, 13)] == 5
    assert days[date(2026, 10, 14)] == 2  # three given, one taken back
    assert days[date(2026, 10, 15)] == 2  # 22:30 UTC on the 14th is the 15th in Istanbul
    # Every day of the voting window is listed, quiet days with 0.
    assert min(days) == date(2026, 10, 13)
    assert max(days) == date(2026, 10, 21)
    assert days[date(2026, 10, 18)] == 0
    assert sum(days.values()) == 9


# --- the results page ---------------------------------------------------------------------------


def test_results_page_shows_ties_turnout_and_charts_with_tables(voted, client, organizer):
    login(client, organizer)
    response = client.get(f"/campaigns/{voted.campaign.slug}/results")
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    shortlist = page.one("table", class_="shortlist")
    rows = shortlist.find("tbody").find_all("tr")
    assert [r.find_all("td")[1].text for r in rows] == [t for t, *_ in EXPECTED]
    tied = [r for r in rows if "row-tied" in (r.get("class") or "")]
    assert [r.find_all("td")[1].text for r in tied] == ["Atölye", "Kermes"]
    for row in tied:  # visible and read out: the word is text in the rank cell
        assert row.find_all("td")[0].text == f"2 {tr('tied')}"
    assert tr("tied") not in rows[0].find_all("td")[0].text
    assert "Foça Kadın Kooperatifi" in rows[0].find_all("td")[2].text  # confirmed partner

    charts = page.find_all("figure", class_="chart")
    assert len(charts) == 2
    for figure in charts:
        caption = figure.one("figcaption")
        svg = figure.one("svg")
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == caption.get("id")
        bars = svg.find_all("g", class_="chart-bar")
        data = figure.one("table", class_="chart-data").find("tbody").find_all("tr")
        assert len(bars) == len(data) > 0
        for bar, line in zip(bars, data, strict=True):
            # Each bar's <title> says what the table row says.
            assert bar.one("title").text == f"{line.find('th').text}: {line.find('td').text}"
            assert bar.one("rect") is not None
    theme_rows = charts[0].one("table").find("tbody").find_all("tr")
    assert [(r.find("th").text, r.find("td").text) for r in theme_rows] == [
        ("Şiddetle mücadele", "8"),
        ("Kadın emeği", "3"),
    ]
    widths = [float(r.get("width")) for r in charts[0].find_all("rect")]
    assert widths[0] > widths[1] > 0

    turnout = page.one("section", **{"aria-labelledby": "turnout"}).text
    assert "5" in turnout and "6" in turnout and "9" in turnout and "18" in turnout
    links = [a.get("href") for a in page.find("p", class_="downloads").find_all("a")]
    assert links == [
        f"/campaigns/{voted.campaign.slug}/results.{f}" for f in ("csv", "xlsx", "json")
    ]


def test_results_page_top_n_and_per_theme_without_javascript(voted, client, organizer):
    login(client, organizer)
    slug = voted.campaign.slug
    page = parse(client.get(f"/campaigns/{slug}/results?top=2").get_data(as_text=True))
    rows = page.one("table", class_="shortlist").find("tbody").find_all("tr")
    assert [r.find_all("td")[1].text for r in rows] == ["Mor Bank", "Atölye", "Kermes"]
    # The form shows what was asked, so it can be changed and sent again.
    assert page.one("input", name="top").get("value") == "2"
    assert "top=2" in page.find("p", class_="downloads").find("a").get("href")

    page = parse(client.get(f"/campaigns/{slug}/results?per_theme=1").get_data(as_text=True))
    tables = page.find_all("table", class_="shortlist")
    titles = [[r.find_all("td")[1].text for r in t.find("tbody").find_all("tr")] for t in tables]
    assert titles == [["Mor Bank"], ["Kermes"]]  # every theme has its best

    page = parse(
        client.get(f"/campaigns/{slug}/results?theme={voted.themes['T2'].id}&top=abc").get_data(
            as_text=True
        )
    )
    rows = page.one("table", class_="shortlist").find("tbody").find_all("tr")
    assert [(r.find_all("td")[0].text, r.find_all("td")[1].text) for r in rows] == [
        ("1", "Kermes"),
        ("2", "Sergi"),
    ]


@pytest.mark.parametrize("who", ["participant", "moderator"])
def test_results_page_is_for_organisers_only(voted, client, make_user, who):
    user = make_user(Role.moderator) if who == "moderator" else voted.reps["A"]
    login(client, user)
    slug = voted.campaign.slug
    assert client.get(f"/campaigns/{slug}/results").status_code == 403
    for fmt in ("csv", "xlsx", "json"):
        response = client.get(f"/campaigns/{slug}/results.{fmt}")
        assert response.status_code == 403
        response.close()


def test_the_campaign_page_links_organisers_to_the_results(voted, client, organizer):
    slug = voted.campaign.slug
    results_link = f'href="/campaigns/{slug}/results"'
    assert results_link not in client.get(f"/campaigns/{slug}").get_data(as_text=True)
    login(client, organizer)
    assert results_link in client.get(f"/campaigns/{slug}").get_data(as_text=True)


def test_results_page_anonymous_goes_to_login(voted, client):
    response = client.get(f"/campaigns/{voted.campaign.slug}/results")
    assert response.status_code == 302
    assert "/login" in response.location


# --- publishing --------------------------------------------------------------------------------


def outbox(kind: str) -> list[OutboxMessage]:
    """The mails of one kind (the fixture's comment has queued a notification already)."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def test_publishing_is_refused_while_voting_is_open(voted, client, organizer):
    login(client, organizer)
    slug = voted.campaign.slug
    response = client.post(f"/campaigns/{slug}/results/publish", follow_redirects=True)
    assert tr("The results can be published only after voting has closed.") in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert voted.campaign.results_published_at is None
    assert outbox("results") == []
    assert client.get(f"/campaigns/{slug}/shortlist").status_code == 404


def test_publishing_mails_every_active_member_in_their_language(
    voted, client, clock, organizer, make_user
):
    english = make_user(organization=voted.orgs["B"], locale="en")
    make_user(organization=voted.orgs["A"], active=False)  # deactivated person: no mail
    close_voting(voted, clock)
    slug = voted.campaign.slug
    assert client.get(f"/campaigns/{slug}/shortlist").status_code == 404
    login(client, organizer)
    page = parse(client.get(f"/campaigns/{slug}/results").get_data(as_text=True))
    form = page.one("form", action=f"/campaigns/{slug}/results/publish")
    assert form.one("button").text == tr("Publish the results")
    response = client.post(form.get("action"))
    assert response.status_code == 303

    db.session.expire_all()
    assert voted.campaign.results_published_at == clock.now
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "campaign.publish_results")
    )
    assert entry.actor_id == organizer.id and entry.target_id == voted.campaign.id
    mails = outbox("results")
    expected = {rep.email for key, rep in voted.reps.items() if key != "G"} | {english.email}
    assert {m.to_address for m in mails} == expected  # not G (inactive), not the organiser
    mine = next(m for m in mails if m.to_address == english.email)
    assert mine.locale == "en" and "results" in mine.subject
    assert "Mor Bank" in mine.body_text and f"/campaigns/{slug}/shortlist" in mine.body_text
    turkish = next(m for m in mails if m.to_address == voted.reps["A"].email)
    assert turkish.locale == "tr"
    assert f"2. Atölye ({tr('tied')})" in turkish.body_text

    # A second press changes nothing and sends nothing.
    client.post(f"/campaigns/{slug}/results/publish")
    assert len(outbox("results")) == len(mails)


def test_the_public_shortlist_after_publication(voted, client, clock, organizer):
    close_voting(voted, clock)
    results.publish_results(voted.campaign, organizer, clock.now)
    db.session.commit()
    slug = voted.campaign.slug
    response = client.get(f"/campaigns/{slug}/shortlist")  # anonymous, public campaign
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    rows = page.one("table", class_="shortlist").find("tbody").find_all("tr")
    cells = [[td.text for td in r.find_all("td")] for r in rows]
    assert [c[1] for c in cells] == [t for t, *_ in EXPECTED]
    assert cells[1][0] == f"2 {tr('tied')}" and cells[2][0] == f"2 {tr('tied')}"
    assert cells[0][2] == "Karşıyaka Kadın Dayanışma Derneği" and cells[0][3] == "4"
    # The campaign page links to it.
    campaign_page = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert f'href="/campaigns/{slug}/shortlist"' in campaign_page


def test_a_members_only_shortlist_needs_a_login(voted, client, clock, organizer):
    voted.campaign.visibility = Visibility.members
    close_voting(voted, clock)
    results.publish_results(voted.campaign, organizer, clock.now)
    db.session.commit()
    response = client.get(f"/campaigns/{voted.campaign.slug}/shortlist")
    assert response.status_code == 302 and "/login" in response.location
    login(client, voted.reps["B"])
    assert client.get(f"/campaigns/{voted.campaign.slug}/shortlist").status_code == 200


# --- audit-votes ---------------------------------------------------------------------------------


def test_audit_votes_passes_on_a_clean_campaign(app, voted):
    result = app.test_cli_runner().invoke(args=["audit-votes", voted.campaign.slug])
    assert result.exit_code == 0, result.output
    assert "DIFF" not in result.output
    line = next(x for x in result.output.splitlines() if x.endswith("Mor Bank"))
    assert line.split()[:5] == ["1", str(voted.proposals["mor"].id), "4", "4", "ok"]


def test_audit_votes_fails_after_a_stored_vote_is_tampered_with(app, voted):
    mor = voted.proposals["mor"]
    db.session.execute(
        update(Vote)
        .where(Vote.proposal_id == mor.id, Vote.organization_id == voted.orgs["B"].id)
        .values(points=2)
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit-votes", voted.campaign.slug])
    assert result.exit_code == 1, result.output
    line = next(x for x in result.output.splitlines() if x.endswith("Mor Bank"))
    assert line.split()[2:5] == ["4", "5", "DIFF"]  # from the log, stored
    assert "1 tallies differ" in result.output


def test_audit_votes_unknown_campaign(app):
    result = app.test_cli_runner().invoke(args=["audit-votes", "yok-boyle-bir-kampanya"])
    assert result.exit_code == 2


# --- send-reminders ----------------------------------------------------------------------------


def reminders(app) -> str:
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_wait_for_the_last_48_hours(app, voted, clock):
    clock.now = voted.campaign.voting_closes_at - timedelta(hours=49)
    reminders(app)
    assert outbox("vote_reminder") == []


def test_reminders_go_once_to_organisations_with_votes_left(app, voted, clock, make_user):
    english = make_user(organization=voted.orgs["F"], locale="en")
    clock.now = voted.campaign.voting_closes_at - timedelta(hours=47)
    output = reminders(app)
    assert "Organisations reminded now: 5." in output
    mails = outbox("vote_reminder")
    # C used its whole ballot; G is deactivated. F has no ballot yet: it gets one to hold
    # the marker, and both of its members are told.
    expected = {voted.reps[k].email for k in "ABDEF"} | {english.email}
    assert {m.to_address for m in mails} == expected
    assert len(mails) == len(expected)
    mine = next(m for m in mails if m.to_address == english.email)
    assert mine.locale == "en" and "3 of 3 votes left" in mine.body_text
    ballot_f = db.session.scalar(
        select(Ballot).where(
            Ballot.campaign_id == voted.campaign.id, Ballot.organization_id == voted.orgs["F"].id
        )
    )
    assert ballot_f is not None and ballot_f.used == 0 and ballot_f.reminded_at == clock.now
    assert voted.campaign.reminders_sent_at == clock.now

    clock.advance(hours=1)
    assert "Organisations reminded now: 0." in reminders(app)
    assert len(outbox("vote_reminder")) == len(mails)  # idempotent


def test_reminders_skip_closed_campaigns(app, voted, clock):
    close_voting(voted, clock)
    reminders(app)
    assert outbox("vote_reminder") == []
    assert (
        db.session.scalar(select(func.count(Ballot.id)).where(Ballot.reminded_at.isnot(None))) == 0
    )
