"""The moderator's overview of a campaign: proposals by status, how many have no theme,
open reports and the recent activity, with links to where each is dealt with; who may
open it; and a number of statements that does not grow with the campaign."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import event

from auth.models import Organization, User
from extensions import db
from proposals import discussion, themes
from proposals.models import Campaign, CommentKind, ProposalState, Report, ReportState, Theme
from tests.dom import Element, page
from tests.test_themes import add_proposal, make_theme  # noqa: F401 - fixture


def turkish(message: str, **variables: Any) -> str:
    with force_locale("tr"):
        return gettext(message, **variables)


def plural(singular: str, plural_: str, num: int) -> str:
    with force_locale("tr"):
        return ngettext(singular, plural_, num) % {"num": num}


@pytest.fixture
def as_moderator(client: FlaskClient, auth: Any, moderator: User) -> FlaskClient:
    auth.login(moderator, follow_redirects=True)
    return client


@pytest.fixture
def busy(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],  # noqa: F811
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    moderator: User,
    clock: Any,
) -> dict[str, Any]:
    """A campaign with proposals in several states, a comment, reports and theme work."""
    campaign = make_campaign()
    theme = make_theme(campaign, "Kurumlar arası koordinasyon")
    mor = add_proposal(campaign, org_a, "Mor Bank", with_themes=[theme],
                       submitted_at=clock.now - timedelta(days=2))  # fmt: skip
    isik = add_proposal(
        campaign, org_a, "Işık Atölyesi", submitted_at=clock.now - timedelta(days=1)
    )
    add_proposal(campaign, org_b, "Kilim", ProposalState.accepted, submitted_at=clock.now)
    add_proposal(campaign, org_b, "Geri çekilen", ProposalState.withdrawn)
    add_proposal(campaign, org_b, "Taslak", ProposalState.draft)
    comment = discussion.post_comment(isik, rep_b, "Çok güzel", CommentKind.support, clock.now)
    db.session.add_all([
        Report(reporter=rep_b, organization_id=rep_b.organization_id, proposal=mor, reason="x"),
        Report(reporter=rep_b, organization_id=rep_b.organization_id, comment=comment, reason="y"),
        Report(reporter=rep_b, organization_id=rep_b.organization_id, proposal=isik, reason="z",
               state=ReportState.dismissed),
    ])  # fmt: skip
    themes.assign_themes(campaign, [isik.id], [theme.id], True, moderator, clock.now)
    db.session.commit()
    return {"campaign": campaign, "theme": theme, "mor": mor, "isik": isik, "comment": comment}


def url(campaign: Campaign) -> str:
    return f"/campaigns/{campaign.slug}/moderation"


def query_of(link: Element) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link.get("href") or "").query)


def test_the_overview_counts_proposals_by_status_and_links_to_the_board(
    busy: dict[str, Any], as_moderator: FlaskClient
) -> None:
    doc = page(as_moderator.get(url(busy["campaign"])))
    assert doc.one("nav", class_="moderation-nav").one("a", aria_current="page").text == turkish(
        "Overview"
    )
    submitted = doc.one("tr", id="status-submitted")
    assert submitted.one("td").text == "2"
    assert query_of(submitted.one("a")) == {"status": ["submitted"]}
    assert doc.one("tr", id="status-accepted").one("td").text == "1"
    assert doc.one("tr", id="status-withdrawn").one("td").text == "1"
    assert doc.find("tr", id="status-draft") is None  # drafts are their organisation's own
    unthemed = doc.one("p", id="unthemed-count").one("a")
    assert unthemed.text == plural(
        "%(num)d proposal has no theme", "%(num)d proposals have no theme", 1
    )
    assert query_of(unthemed) == {"theme": ["none"]}


def test_the_overview_counts_open_reports_and_links_to_the_queue_when_there_is_one(
    app: Flask, busy: dict[str, Any], as_moderator: FlaskClient
) -> None:
    reports = page(as_moderator.get(url(busy["campaign"]))).one("p", id="open-reports")
    assert reports.text == plural("%(num)d open report", "%(num)d open reports", 2)
    link = reports.find("a")
    if "moderation.reports" in app.view_functions:
        assert (
            link is not None and link.get("href") == f"/campaigns/{busy['campaign'].slug}/reports"
        )
    else:
        assert link is None


def test_the_recent_activity_says_who_did_what_to_which_proposal_or_theme(
    busy: dict[str, Any], as_moderator: FlaskClient, moderator: User
) -> None:
    doc = page(as_moderator.get(url(busy["campaign"])))
    rows = [
        [cell.text for cell in row.find_all("td")]
        for row in doc.one("table", class_="activity-table").find("tbody").find_all("tr")
    ]
    assert [row[1:] for row in rows[:2]] == [
        [moderator.name, turkish("Themes of a proposal changed"), "Işık Atölyesi"],
        [moderator.name, turkish("Theme created"), "Kurumlar arası koordinasyon"],
    ]
    latest = doc.one("h2", id="latest-proposals").parent
    assert [a.text for a in latest.find_all("a")] == [
        "Kilim", "Işık Atölyesi", "Mor Bank", "Geri çekilen"
    ]  # fmt: skip
    comments = doc.one("h2", id="latest-comments").parent
    assert comments.one("a").text == turkish("On “%(title)s”", title="Işık Atölyesi")


def test_another_campaigns_activity_stays_out(
    busy: dict[str, Any],
    as_moderator: FlaskClient,
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],  # noqa: F811
) -> None:
    make_theme(make_campaign(), "Başka kampanyanın teması")
    doc = page(as_moderator.get(url(busy["campaign"])))
    assert "Başka kampanyanın teması" not in doc.text


def test_the_campaign_page_links_moderators_to_the_overview(
    busy: dict[str, Any], client: FlaskClient, auth: Any, moderator: User, rep_a: User
) -> None:
    slug = busy["campaign"].slug
    auth.login(rep_a)
    assert page(client.get(f"/campaigns/{slug}")).find("a", href=url(busy["campaign"])) is None
    assert client.get(url(busy["campaign"])).status_code == 403
    auth.logout()
    assert client.get(url(busy["campaign"])).status_code == 302
    auth.login(moderator)
    link = page(client.get(f"/campaigns/{slug}")).one("a", href=url(busy["campaign"]))
    assert link.text == turkish("Moderation")
    assert client.get("/campaigns/yok-boyle/moderation").status_code == 404


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_the_overview_takes_the_same_statements_for_a_quiet_or_a_busy_campaign(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],  # noqa: F811
    org_a: Organization,
    rep_b: User,
    moderator: User,
    as_moderator: FlaskClient,
    clock: Any,
) -> None:
    counts: dict[int, int] = {}
    for size in (2, 15):
        campaign = make_campaign()
        theme = make_theme(campaign, "Tema")
        made = [add_proposal(campaign, org_a, f"Öneri {i}") for i in range(size)]
        for proposal in made:
            discussion.post_comment(proposal, rep_b, "Yorum", CommentKind.comment, clock.now)
        themes.assign_themes(campaign, [p.id for p in made], [theme.id], True, moderator, clock.now)
        db.session.commit()
        as_moderator.get(url(campaign))
        with counting() as statements:
            assert as_moderator.get(url(campaign)).status_code == 200
        counts[size] = len(statements)
    assert counts[2] == counts[15]
