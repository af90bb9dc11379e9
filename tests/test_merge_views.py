# ruff: noqa: F811 - the shared fixtures are imported from tests/voting_helpers.py
"""The merge, unmerge and decision pages through HTTP, as a moderator uses them without
JavaScript: the form, the search, the consequences shown before confirming, the 303s and
flashes, the banners and links on the proposal pages, errors next to their fields, and
who may not come in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, ngettext
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from auth.models import Organization, User
from extensions import db
from proposals import discussion, merging
from proposals.models import (
    Campaign,
    CommentKind,
    Merge,
    PartnershipState,
    Proposal,
    ProposalState,
)
from tests.conftest import PASSWORD, Clock
from tests.dom import Element, parse
from tests.people_helpers import field_error, flashes, isolated_requests, tr  # noqa: F401
from tests.voting_helpers import attempt, make_proposal, org_c, voting_campaign  # noqa: F401
from text import fold


@pytest.fixture
def browser(app: Flask) -> Callable[..., FlaskClient]:
    def open_as(user: User | None = None) -> FlaskClient:
        client = app.test_client()
        if user is not None:
            response = client.post("/login", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return open_as


def trn(singular: str, plural: str, num: int) -> str:
    with force_locale("tr"):
        return ngettext(singular, plural, num)


def doc(response: Any) -> Element:
    return parse(response.get_data(as_text=True))


def html(response: Any) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def three(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    rep_c: User,
    clock: Clock,
) -> tuple[Proposal, Proposal, Proposal]:
    """A target and two sources (one with a partner); org_c voted for both sources."""
    campaign = voting_campaign(votes_per_organization=3)
    target = make_proposal(campaign, org_a, title="Mor Bank")
    first = make_proposal(
        campaign, org_b, title="IŞIK Atölyesi", partners=((org_a, PartnershipState.pending),)
    )
    second = make_proposal(
        campaign, org_a, title="Mor Bank Konak", partners=((org_b, PartnershipState.confirmed),)
    )
    for proposal in (target, first, second):  # as submission writes it: folded the Turkish way
        proposal.search_text = fold(f"{proposal.title}\n{proposal.summary}")
    db.session.commit()
    assert attempt(first, rep_c, 1, clock.now) == 2
    assert attempt(second, rep_c, 1, clock.now) == 1
    return target, first, second


@pytest.fixture
def rep_c(make_user: Callable[..., User], org_c: Organization) -> User:
    return make_user(organization=org_c, name="Zeynep Kaya")


# --- merge --------------------------------------------------------------------------------


def test_the_merge_form_lists_candidates_searches_and_preselects(
    three: tuple[Proposal, Proposal, Proposal],
    make_proposal: Callable[..., Proposal],
    voting_campaign: Callable[..., Campaign],
    org_b: Organization,
    moderator: User,
    browser: Callable[..., FlaskClient],
) -> None:
    target, first, second = three
    withdrawn = make_proposal(target.campaign, org_b, title="Geri", state=ProposalState.withdrawn)
    elsewhere = make_proposal(voting_campaign(), org_b, title="Başka kampanya")
    client = browser(moderator)
    page = doc(client.get(f"/proposals/{target.id}/merge?sources={second.id}"))
    boxes = {b.get("value"): "checked" in b.attrs for b in page.find_all("input", type="checkbox")}
    assert boxes == {str(first.id): False, str(second.id): True}
    assert str(withdrawn.id) not in boxes and str(elsewhere.id) not in boxes
    # Every box has its label; the group its legend.
    for box in page.find_all("input", type="checkbox"):
        assert page.one("label", for_=box.get("id")).text.startswith(
            first.title if box.get("value") == str(first.id) else second.title
        )
    assert page.one("legend").text == tr("Proposals to merge into this one")
    # The search folds Turkish letters: "ışık" finds "IŞIK"; the preselection stays.
    found = doc(client.get(f"/proposals/{target.id}/merge?q=ışık&sources={second.id}"))
    boxes = {b.get("value") for b in found.find_all("input", type="checkbox")}
    assert boxes == {str(first.id), str(second.id)}
    nothing = doc(client.get(f"/proposals/{target.id}/merge?q=yok"))
    assert nothing.find_all("input", type="checkbox") == []
    assert tr("No proposal of this campaign matches the search.") in nothing.text


def test_merge_shows_the_consequences_then_merges_on_confirmation(
    three: tuple[Proposal, Proposal, Proposal],
    org_b: Organization,
    org_c: Organization,
    moderator: User,
    rep_c: User,
    browser: Callable[..., FlaskClient],
) -> None:
    target, first, second = three
    client = browser(moderator)
    sources = [("sources", str(first.id)), ("sources", str(second.id))]
    preview = client.post(
        f"/proposals/{target.id}/merge",
        data=MultiDict([*sources, ("reason", "Aynı fikir"), ("action", "preview")]),
    )
    assert preview.status_code == 200
    consequences = doc(preview).one("section", id="consequences")
    assert org_b.name in consequences.text  # becomes a partner of the target
    assert tr("The votes of %(num)d organisation move to the target.", num=1) in (consequences.text)
    confirm = consequences.one("form")
    assert confirm.find("button", value="merge") is not None
    db.session.expire_all()
    assert first.state == ProposalState.submitted  # nothing happened yet

    hidden = [(i.get("name"), i.get("value")) for i in confirm.find_all("input")]
    done = client.post(
        f"/proposals/{target.id}/merge", data=MultiDict([*hidden, ("action", "merge")])
    )
    assert done.status_code == 303
    assert done.location.endswith(f"/proposals/{target.id}")
    db.session.expire_all()
    assert (first.state, second.state) == (ProposalState.merged, ProposalState.merged)
    merge_row = db.session.scalar(select(Merge))
    assert merge_row.before["reason"] == "Aynı fikir"

    page = client.get(f"/proposals/{target.id}")
    assert (
        "success",
        tr(
            "The proposals have been merged into “%(title)s”. The organisations concerned have "
            "been notified.",
            title="Mor Bank",
        ),
    ) in flashes(html(page))
    merged_from = doc(page).one("section", class_="merged-from")
    links = {a.get("href"): a.text for a in merged_from.find_all("a")}
    assert links == {f"/proposals/{first.id}": first.title, f"/proposals/{second.id}": second.title}
    assert merged_from.find("form", action=f"/merges/{merge_row.id}/undo") is not None
    source_page = doc(client.get(f"/proposals/{first.id}"))
    banner = source_page.one("div", id="merged-into")
    assert banner.one("a").get("href") == f"/proposals/{target.id}"
    assert tr("Merged into:") in banner.text
    # The organisation sees its vote on the target, and no undo button.
    as_voter = browser(rep_c)
    target_page = doc(as_voter.get(f"/proposals/{target.id}"))
    assert target_page.one("section", class_="merged-from").find("form") is None
    assert target_page.find("section", class_="moderation-actions") is None


def test_the_comments_of_a_source_are_one_link_away(
    three: tuple[Proposal, Proposal, Proposal],
    rep_c: User,
    moderator: User,
    clock: Clock,
    browser: Callable[..., FlaskClient],
) -> None:
    target, first, second = three
    discussion.post_comment(first, rep_c, "Çok iyi bir fikir", CommentKind.support, clock.now)
    merging.merge(target, [first, second], moderator, clock.now)
    db.session.commit()
    page = doc(browser().get(f"/proposals/{target.id}"))
    items = [li.text for li in page.one("section", class_="merged-from").find_all("li")]
    comments = ("%(num)d comment", "%(num)d comments")
    assert items == [
        f"{first.title} · {first.organization.name} · {trn(*comments, 1)}",
        f"{second.title} · {second.organization.name} · {trn(*comments, 0)}",
    ]
    assert "Çok iyi bir fikir" in browser().get(f"/proposals/{first.id}").get_data(as_text=True)


def test_a_merge_without_sources_says_so_next_to_the_list(
    three: tuple[Proposal, Proposal, Proposal],
    moderator: User,
    browser: Callable[..., FlaskClient],
) -> None:
    target, *_ = three
    response = browser(moderator).post(f"/proposals/{target.id}/merge", data={"action": "merge"})
    assert response.status_code == 200
    assert field_error(html(response), "sources") == tr(
        "Choose at least one proposal to merge into this one."
    )
    fieldset = doc(response).one("fieldset", class_="merge-sources")
    assert fieldset.get("aria-describedby") == "sources-error"
    assert db.session.scalar(select(Merge)) is None


def test_unmerge_restores_and_refuses_out_of_order(
    three: tuple[Proposal, Proposal, Proposal],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_c: Organization,
    moderator: User,
    clock: Clock,
    browser: Callable[..., FlaskClient],
) -> None:
    target, first, second = three
    last = make_proposal(target.campaign, org_a, title="Son")
    inner = merging.merge(target, [first], moderator, clock.now)
    outer = merging.merge(last, [target], moderator, clock.now)
    db.session.commit()
    client = browser(moderator)
    # The source's page offers no undo (a later merge stands on it) and says why.
    target_page = doc(client.get(f"/proposals/{target.id}"))
    assert target_page.one("section", class_="merged-from").find("form") is None
    refused = client.post(f"/merges/{inner.id}/undo")
    assert refused.status_code == 303
    assert refused.location.endswith(f"/proposals/{target.id}")
    assert (
        "error",
        tr(
            "Undo the later merge into “%(title)s” first: it involves the same proposals.",
            title="Son",
        ),
    ) in flashes(html(client.get(refused.location)))
    undone = client.post(f"/merges/{outer.id}/undo", data={"next": f"/proposals/{target.id}"})
    assert undone.status_code == 303 and undone.location.endswith(f"/proposals/{target.id}")
    assert client.post(f"/merges/{inner.id}/undo").status_code == 303
    db.session.expire_all()
    assert [p.state for p in (target, first, second, last)] == [ProposalState.submitted] * 4
    assert merging.links(target).empty
    # Sent again (a double click): refused in words, nothing changes.
    again = client.post(f"/merges/{inner.id}/undo")
    assert ("error", tr("This merge has already been undone.")) in flashes(
        html(client.get(again.location))
    )
    assert client.post("/merges/999999/undo").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/proposals/{target}/merge"),
        ("post", "/proposals/{target}/merge"),
        ("post", "/merges/{merge}/undo"),
        ("get", "/proposals/{target}/decision"),
        ("post", "/proposals/{target}/decision"),
    ],
)
def test_participants_never_reach_the_moderation_pages(
    three: tuple[Proposal, Proposal, Proposal],
    rep_a: User,
    rep_c: User,
    moderator: User,
    clock: Clock,
    browser: Callable[..., FlaskClient],
    method: str,
    path: str,
) -> None:
    target, first, _ = three
    merge_row = merging.merge(target, [first], moderator, clock.now)
    db.session.commit()
    url = path.format(target=target.id, merge=merge_row.id)
    for person in (rep_a, rep_c):  # the target's author, and an organisation that voted
        assert getattr(browser(person), method)(url).status_code == 403
    anonymous = getattr(browser(), method)(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    db.session.expire_all()
    assert merge_row.undone_at is None


def test_moderators_see_the_actions_box(
    three: tuple[Proposal, Proposal, Proposal],
    organizer: User,
    rep_a: User,
    browser: Callable[..., FlaskClient],
) -> None:
    target, *_ = three
    box = doc(browser(organizer).get(f"/proposals/{target.id}")).one(
        "section", class_="moderation-actions"
    )
    hrefs = {a.get("href") for a in box.find_all("a")}
    assert {
        f"/proposals/{target.id}/decision",
        f"/proposals/{target.id}/merge",
        f"/proposals/{target.id}/edit",
    } <= hrefs
    member_page = doc(browser(rep_a).get(f"/proposals/{target.id}"))
    assert member_page.find("section", class_="moderation-actions") is None


# --- decision ------------------------------------------------------------------------------


@pytest.fixture
def in_review(
    make_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    clock: Clock,
) -> Proposal:
    day = timedelta(days=1)
    campaign = make_campaign(
        submission_opens_at=clock.now - 20 * day,
        submission_closes_at=clock.now - 5 * day,
        voting_opens_at=clock.now + 2 * day,
        voting_closes_at=clock.now + 10 * day,
    )
    return make_proposal(campaign, org_a, title="Mor Bank")


def test_deciding_through_the_form_shows_the_official_answer(
    in_review: Proposal,
    moderator: User,
    browser: Callable[..., FlaskClient],
) -> None:
    client = browser(moderator)
    url = f"/proposals/{in_review.id}/decision"
    form = doc(client.get(url)).one("form", action=url)
    offered = [r.get("value") for r in form.find_all("input", type="radio")]
    assert offered == ["submitted", "accepted", "not_accepted"]
    assert form.one("fieldset").one("legend").text == tr("Status")

    # Not accepted without an answer: the form comes back with the message next to it.
    missing = client.post(url, data={"state": "not_accepted", "answer_tr": " "})
    assert missing.status_code == 200
    assert field_error(html(missing), "answer_tr") == tr(
        "Give the official answer in Turkish or in English: the organisations are told why."
    )
    assert "checked" in doc(missing).one("input", value="not_accepted").attrs

    done = client.post(url, data={"state": "not_accepted", "answer_en": "Outside the topic."})
    assert done.status_code == 303 and done.location.endswith(f"/proposals/{in_review.id}")
    page = client.get(done.location)
    assert (
        "success",
        tr(
            "The status is now “%(state)s”. The organisations concerned have been notified.",
            state=tr("Not accepted"),
        ),
    ) in flashes(html(page))
    # Everyone reads the answer (Turkish readers see the English one, marked as English).
    public = doc(browser().get(f"/proposals/{in_review.id}"))
    box = public.one("section", class_="official-answer")
    assert tr("Not accepted") in box.text
    assert box.one("div", class_="prose").get("lang") == "en"
    assert "Outside the topic." in box.text


def test_an_impossible_transition_is_refused_next_to_the_status(
    in_review: Proposal,
    moderator: User,
    browser: Callable[..., FlaskClient],
) -> None:
    url = f"/proposals/{in_review.id}/decision"
    response = browser(moderator).post(url, data={"state": "shortlisted", "answer_tr": "Evet"})
    assert response.status_code == 200
    assert field_error(html(response), "state") == tr(
        "A proposal that is “%(current)s” cannot become “%(wanted)s” now.",
        current=tr("Submitted"),
        wanted=tr("Shortlisted"),
    )
    assert doc(response).one("textarea", id="answer_tr").text == "Evet"  # nothing lost
    db.session.expire_all()
    assert in_review.state == ProposalState.submitted


def test_undoing_a_decision_asks_for_the_reason(
    in_review: Proposal,
    organizer: User,
    browser: Callable[..., FlaskClient],
) -> None:
    client = browser(organizer)
    url = f"/proposals/{in_review.id}/decision"
    assert client.post(url, data={"state": "accepted"}).status_code == 303
    refused = client.post(url, data={"state": "submitted"})
    assert field_error(html(refused), "reason") == tr("Say why the earlier decision is changed.")
    assert client.post(url, data={"state": "submitted", "reason": "Erken karar"}).status_code == 303
    db.session.expire_all()
    assert in_review.state == ProposalState.submitted


def test_a_merged_proposal_has_no_decision_form(
    three: tuple[Proposal, Proposal, Proposal],
    moderator: User,
    clock: Clock,
    browser: Callable[..., FlaskClient],
) -> None:
    target, first, _ = three
    merging.merge(target, [first], moderator, clock.now)
    db.session.commit()
    page = doc(browser(moderator).get(f"/proposals/{first.id}/decision"))
    assert page.find("form", action=f"/proposals/{first.id}/decision") is None
    assert tr("A draft, a withdrawn or a merged proposal takes no decision.") in page.text
    assert browser(moderator).get("/proposals/999999/decision").status_code == 404


@pytest.mark.parametrize("value", ["abc", "99999999999", "-3", "0"])
def test_odd_source_ids_are_refused_in_words(
    three: tuple[Proposal, Proposal, Proposal],
    moderator: User,
    browser: Callable[..., FlaskClient],
    value: str,
) -> None:
    target, *_ = three
    client = browser(moderator)
    response = client.post(
        f"/proposals/{target.id}/merge", data={"sources": value, "action": "merge"}
    )
    assert response.status_code == 200
    assert field_error(html(response), "sources")
    assert client.get(f"/proposals/{target.id}/merge?sources={value}").status_code == 200
    assert db.session.scalar(select(Merge)) is None
