# ruff: noqa: F811 - the shared fixtures are imported from tests/voting_helpers.py
"""Merging proposals and undoing it, without HTTP, on SQLite and PostgreSQL alike.

What a merge does (states, both-way links, partners, votes capped per proposal and the
surplus back on the ballots, every change in the vote log), what it refuses, undoing it
exactly (also when an organisation spent the returned points meanwhile), merges of
merges undone in order, and a property: any merge of any proposals with any ballots
keeps every ballot within budget and consistent, and unmerge restores everything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from auth.errors import DomainError
from auth.invitations import CONSENT_VERSION
from auth.models import AuditEntry, Notification, Organization, User
from extensions import db
from proposals import merging, voting
from proposals.models import (
    Ballot,
    Campaign,
    Merge,
    Partnership,
    PartnershipState,
    Proposal,
    ProposalState,
    Vote,
    VoteAction,
    VoteLogEntry,
    VotingMethod,
)
from proposals.notifications import message
from tests.conftest import Clock
from tests.people_helpers import tr
from tests.voting_helpers import (  # noqa: F401 - fixtures
    attempt,
    make_proposal,
    org_c,
    voting_campaign,
)

# --- helpers ----------------------------------------------------------------------------


def state_of(campaign: Campaign) -> dict[str, Any]:
    """Everything a merge may change, as the database holds it (ids of votes aside)."""
    db.session.expire_all()
    proposals = db.session.scalars(select(Proposal).where(Proposal.campaign_id == campaign.id))
    ids = set()
    states = {}
    for proposal in proposals:
        ids.add(proposal.id)
        states[proposal.id] = (proposal.state, proposal.merged_into_id)
    votes = {
        (v.organization_id, v.proposal_id): (v.points, v.ballot_id, v.cast_by_id, v.cast_at)
        for v in db.session.scalars(select(Vote).where(Vote.proposal_id.in_(ids)))
    }
    ballots = {
        b.id: (b.used, b.budget)
        for b in db.session.scalars(select(Ballot).where(Ballot.campaign_id == campaign.id))
    }
    partnerships = {
        (p.proposal_id, p.organization_id): (p.state, p.decided_at, p.decided_by_id)
        for p in db.session.scalars(select(Partnership).where(Partnership.proposal_id.in_(ids)))
    }
    return {"states": states, "votes": votes, "ballots": ballots, "partnerships": partnerships}


def assert_consistent(campaign: Campaign) -> None:
    """Every ballot within budget and equal to its votes, no vote over the cap, audit ok."""
    db.session.expire_all()
    by_ballot = dict(
        db.session.execute(
            select(Vote.ballot_id, func.sum(Vote.points)).group_by(Vote.ballot_id)
        ).all()
    )
    for ballot in db.session.scalars(select(Ballot).where(Ballot.campaign_id == campaign.id)):
        assert 0 <= ballot.used <= ballot.budget, ballot
        assert ballot.used == (by_ballot.get(ballot.id) or 0), ballot
    cap = voting.max_points(campaign)
    for vote in db.session.scalars(
        select(Vote)
        .join(Ballot, Ballot.id == Vote.ballot_id)
        .where(Ballot.campaign_id == campaign.id)
    ):
        assert 0 < vote.points <= cap, vote
    report = voting.audit(campaign)
    assert report.ok, (report.differences, report.ballots_ok)


def points_of(organization: Organization) -> dict[int, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Vote.proposal_id, Vote.points).where(Vote.organization_id == organization.id)
    ).all()
    return dict(rows)


def used_of(campaign: Campaign, organization: Organization) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(Ballot.used).where(
            Ballot.campaign_id == campaign.id, Ballot.organization_id == organization.id
        )
    )


def kinds_for(user: User) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def messages_for(user: User) -> list[str]:
    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    return [message(n) for n in notes]


@pytest.fixture
def dot_campaign(voting_campaign: Callable[..., Campaign]) -> Callable[..., Campaign]:
    def make(budget: int = 6, cap: int = 3, **kwargs: Any) -> Campaign:
        return voting_campaign(
            voting_method=VotingMethod.points,
            votes_per_organization=budget,
            max_points_per_proposal=cap,
            **kwargs,
        )

    return make


@pytest.fixture
def org_d(make_org: Callable[..., Organization]) -> Organization:
    return make_org("Konak Kadın Girişimi")


@pytest.fixture
def rep_c(make_user: Callable[..., User], org_c: Organization) -> User:
    return make_user(organization=org_c, name="Zeynep Kaya")


@pytest.fixture
def rep_d(make_user: Callable[..., User], org_d: Organization) -> User:
    return make_user(organization=org_d, name="Sevgi Aksoy")


# --- what a merge does ------------------------------------------------------------------------


def test_merge_moves_votes_up_to_the_cap_adds_partners_and_unmerge_restores_it(
    dot_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    org_d: Organization,
    rep_a: User,
    rep_b: User,
    rep_c: User,
    rep_d: User,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = dot_campaign(budget=6, cap=3)
    target = make_proposal(campaign, org_a, title="Mor Bank")
    first = make_proposal(
        campaign,
        org_b,
        title="Mor Bank Buca",
        partners=((org_c, PartnershipState.confirmed), (org_d, PartnershipState.pending)),
    )
    second = make_proposal(campaign, org_d, title="Mor Bank Konak")
    other = make_proposal(campaign, org_c, title="Turuncu Yürüyüş")
    # org_d: 2 on the target and 2 on the first source: 4 points, 3 fit (the cap).
    assert attempt(target, rep_d, 2, clock.now) == 4
    assert attempt(first, rep_d, 2, clock.now) == 2
    # org_a (the target's author) voted for the second source: it cannot vote for its own.
    assert attempt(second, rep_a, 1, clock.now) == 5
    # org_c voted for the other, untouched proposal.
    assert attempt(other, rep_a, 1, clock.now) == 4
    before = state_of(campaign)
    log_before = db.session.scalar(select(func.count(VoteLogEntry.id)))

    clock.advance(hours=1)
    merge_row = merging.merge(target, [second, first], moderator, clock.now, reason="Aynı fikir")
    db.session.commit()

    db.session.expire_all()
    assert (first.state, first.merged_into_id) == (ProposalState.merged, target.id)
    assert (second.state, second.merged_into_id) == (ProposalState.merged, target.id)
    assert target.state == ProposalState.submitted
    # The sources' authors and confirmed partners are now confirmed partners of the target;
    # a pending partner of a source is not; the target's own author never is.
    partners = {p.organization_id: p.state for p in target.partnerships}
    assert partners == {
        org_b.id: PartnershipState.confirmed,
        org_c.id: PartnershipState.confirmed,
        org_d.id: PartnershipState.confirmed,
    }
    # org_d is now a partner of the target: its points there and on the source went back.
    assert points_of(org_d) == {}
    assert used_of(campaign, org_d) == 0
    # org_a authored the target: its vote for the second source went back; the other stays.
    assert points_of(org_a) == {other.id: 1}
    assert used_of(campaign, org_a) == 1
    assert_consistent(campaign)
    added = db.session.execute(
        select(
            VoteLogEntry.organization_id,
            VoteLogEntry.proposal_id,
            VoteLogEntry.action,
            VoteLogEntry.delta,
            VoteLogEntry.user_id,
        )
        .order_by(VoteLogEntry.id)
        .offset(log_before)
    ).all()
    assert set(added) == {
        (org_d.id, first.id, VoteAction.returned, -2, moderator.id),
        (org_d.id, target.id, VoteAction.returned, -2, moderator.id),
        (org_a.id, second.id, VoteAction.returned, -1, moderator.id),
    }
    assert merge_row.before["reason"] == "Aynı fikir"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "proposal.merge"))
    assert entry.actor_id == moderator.id and entry.target_id == merge_row.id
    assert entry.after["partners_added"] == [org_b.id, org_c.id, org_d.id]
    assert entry.after["points_returned"] == 5
    assert [s["state"] for s in entry.before["sources"]] == ["submitted", "submitted"]

    clock.advance(hours=1)
    outcome = merging.unmerge(merge_row, moderator, clock.now)
    db.session.commit()
    assert outcome.short == {}
    assert state_of(campaign) == before
    assert_consistent(campaign)
    db.session.expire_all()
    assert (merge_row.undone_at, merge_row.undone_by_id) == (clock.now, moderator.id)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "proposal.unmerge"))


def test_votes_move_onto_the_target_and_the_surplus_goes_back_to_the_ballot(
    dot_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    rep_b: User,
    rep_c: User,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = dot_campaign(budget=6, cap=3)
    target = make_proposal(campaign, org_a, title="Hedef")
    first = make_proposal(campaign, org_a, title="Birinci")
    second = make_proposal(campaign, org_a, title="İkinci")
    assert attempt(target, rep_b, 1, clock.now) == 5
    assert attempt(first, rep_b, 2, clock.now) == 3
    assert attempt(second, rep_b, 2, clock.now) == 1  # 5 on the three: 3 fit on the target
    assert attempt(second, rep_c, 1, clock.now) == 5  # 1 fits whole

    plan = merging.plan_merge(target, [first, second], clock.now)
    assert (plan.organizations_moving, plan.points_moved, plan.points_returned) == (2, 3, 2)
    assert [o.id for o in plan.partners_added] == []  # same author: nobody new

    merging.merge(target, [first, second], moderator, clock.now)
    db.session.commit()
    assert points_of(org_b) == {target.id: 3}
    assert used_of(campaign, org_b) == 3  # 2 points back on the ballot
    assert points_of(org_c) == {target.id: 1}
    assert used_of(campaign, org_c) == 1
    assert voting.tallies(campaign)[target.id].points == 4
    assert_consistent(campaign)
    # The points moved are logged as moved, the surplus as returned.
    moved = db.session.execute(
        select(
            VoteLogEntry.organization_id,
            VoteLogEntry.proposal_id,
            VoteLogEntry.action,
            VoteLogEntry.delta,
        ).where(VoteLogEntry.action != VoteAction.give)
    ).all()
    assert sorted(moved) == sorted(
        [
            (org_b.id, first.id, VoteAction.merged, -2),
            (org_b.id, second.id, VoteAction.returned, -2),
            (org_b.id, target.id, VoteAction.merged, 2),
            (org_c.id, second.id, VoteAction.merged, -1),
            (org_c.id, target.id, VoteAction.merged, 1),
        ]
    )
    # The organisation is told, in its language, where its vote went and what came back.
    (note,) = messages_for(rep_b)
    assert note == tr(
        "Your organisation's vote for “%(sources)s” moved to “%(title)s”; points beyond the "
        "limit per proposal went back to your ballot: %(returned)s.",
        sources="Birinci”, “İkinci",
        title="Hedef",
        returned=2,
    )
    assert messages_for(rep_c) == [
        tr(
            "Your organisation's vote for “%(sources)s” moved to “%(title)s”.",
            sources="İkinci",
            title="Hedef",
        )
    ]
    # The returned points can be spent again; the merged sources take none.
    assert attempt(first, rep_b, 1, clock.now) == tr("This proposal is not in the vote.")
    assert attempt(make_proposal(campaign, org_a, title="Başka"), rep_b, 3, clock.now) == 0
    assert_consistent(campaign)


def test_approval_voting_keeps_one_vote_on_the_target(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign(votes_per_organization=3)
    target, first, second = (make_proposal(campaign, org_a, title=t) for t in "ABC")
    for proposal in (target, first, second):
        attempt(proposal, rep_b, 1, clock.now)
    assert used_of(campaign, org_b) == 3
    merging.merge(target, [first, second], moderator, clock.now)
    db.session.commit()
    assert points_of(org_b) == {target.id: 1}
    assert used_of(campaign, org_b) == 1
    assert_consistent(campaign)


def test_the_authors_and_partners_are_told(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    rep_a: User,
    rep_b: User,
    rep_c: User,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    target = make_proposal(campaign, org_a, title="Hedef")
    source = make_proposal(
        campaign, org_b, title="Kaynak", partners=((org_c, PartnershipState.confirmed),)
    )
    merge_row = merging.merge(target, [source], moderator, clock.now)
    db.session.commit()
    merged_into = tr(
        "“%(title)s” was merged into “%(target)s”; its discussion stays linked.",
        title="Kaynak",
        target="Hedef",
    )
    assert messages_for(rep_b) == [merged_into]
    assert messages_for(rep_c) == [merged_into]
    assert messages_for(rep_a) == [
        tr(
            "“%(sources)s” was merged into “%(title)s”; its organisations are partners now.",
            sources="Kaynak",
            title="Hedef",
        )
    ]
    assert messages_for(moderator) == []
    merging.unmerge(merge_row, moderator, clock.now)
    db.session.commit()
    undone = tr(
        "The merge of “%(sources)s” into “%(title)s” was undone.", sources="Kaynak", title="Hedef"
    )
    for person in (rep_a, rep_b, rep_c):
        assert messages_for(person)[-1] == undone


def test_a_pending_request_on_the_target_is_confirmed_and_restored(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    target = make_proposal(
        campaign, org_a, title="Hedef", partners=((org_b, PartnershipState.declined),)
    )
    source = make_proposal(campaign, org_b, title="Kaynak")
    before = state_of(campaign)
    merge_row = merging.merge(target, [source], moderator, clock.now)
    db.session.commit()
    db.session.expire_all()
    assert [(p.organization_id, p.state) for p in target.partnerships] == [
        (org_b.id, PartnershipState.confirmed)
    ]
    merging.unmerge(merge_row, moderator, clock.now)
    db.session.commit()
    assert state_of(campaign) == before


# --- what a merge refuses -------------------------------------------------------------------


def test_impossible_merges_are_refused_with_a_reason(
    voting_campaign: Callable[..., Campaign],
    make_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    elsewhere = voting_campaign()
    target = make_proposal(campaign, org_a, title="Hedef")
    source = make_proposal(campaign, org_b, title="Kaynak")
    withdrawn = make_proposal(campaign, org_b, title="Geri", state=ProposalState.withdrawn)
    draft = make_proposal(campaign, org_b, title="Taslak", state=ProposalState.draft)
    foreign = make_proposal(elsewhere, org_b, title="Yabancı")
    cases = [
        (target, [], "Choose at least one proposal to merge into this one.", {}, "sources"),
        (target, [target], "A proposal cannot be merged into itself.", {}, "sources"),
        (
            target,
            [foreign],
            "“%(title)s” belongs to another campaign.",
            {"title": "Yabancı"},
            "sources",
        ),
        (
            target,
            [withdrawn],
            "“%(title)s” cannot be merged: it is a draft, withdrawn or merged already.",
            {"title": "Geri"},
            "sources",
        ),
        (
            target,
            [draft],
            "“%(title)s” cannot be merged: it is a draft, withdrawn or merged already.",
            {"title": "Taslak"},
            "sources",
        ),
        (
            withdrawn,
            [source],
            "“%(title)s” cannot be merged: it is a draft, withdrawn or merged already.",
            {"title": "Geri"},
            None,
        ),
    ]
    before = state_of(campaign)
    for into, sources, text, params, field_name in cases:
        with pytest.raises(DomainError) as refused:
            merging.merge(into, sources, moderator, clock.now)
        db.session.rollback()
        assert (refused.value.message, refused.value.field) == (tr(text, **params), field_name)
    assert state_of(campaign) == before
    assert db.session.scalar(select(func.count(Merge.id))) == 0

    merging.merge(target, [source], moderator, clock.now)
    db.session.commit()
    with pytest.raises(DomainError) as refused:  # a merged proposal cannot be merged again
        merging.merge(make_proposal(campaign, org_a, title="Yeni"), [source], moderator, clock.now)
    db.session.rollback()
    assert refused.value.message == tr(
        "“%(title)s” cannot be merged: it is a draft, withdrawn or merged already.",
        title="Kaynak",
    )
    closed = make_campaign(
        submission_opens_at=clock.now - timedelta(days=30),
        submission_closes_at=clock.now - timedelta(days=20),
        voting_opens_at=clock.now - timedelta(days=10),
        voting_closes_at=clock.now - timedelta(days=1),
    )
    late = [make_proposal(closed, org_a, title=t) for t in ("X", "Y")]
    with pytest.raises(DomainError) as refused:
        merging.merge(late[0], [late[1]], moderator, clock.now)
    assert refused.value.message == tr("Proposals can no longer be merged once voting has closed.")


# --- unmerge -------------------------------------------------------------------------------


def test_unmerge_restores_what_fits_when_the_returned_points_were_spent(
    dot_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = dot_campaign(budget=5, cap=3)
    target, first, second, elsewhere = (
        make_proposal(campaign, org_a, title=t) for t in ("Hedef", "Bir", "İki", "Başka")
    )
    assert attempt(first, rep_b, 3, clock.now) == 2
    assert attempt(second, rep_b, 2, clock.now) == 0
    merge_row = merging.merge(target, [first, second], moderator, clock.now)
    db.session.commit()
    assert points_of(org_b) == {target.id: 3}
    assert used_of(campaign, org_b) == 3
    # The two points that came back are spent elsewhere.
    assert attempt(elsewhere, rep_b, 2, clock.now) == 0

    outcome = merging.unmerge(merge_row, moderator, clock.now)
    db.session.commit()
    # 3 points are free again (those on the target): the first source gets them back, the
    # second cannot; the ballot stays within its budget and the organisation is told.
    assert points_of(org_b) == {first.id: 3, elsewhere.id: 2}
    assert used_of(campaign, org_b) == 5
    assert outcome.short == {org_b.id: 2}
    assert messages_for(rep_b)[-1] == tr(
        "The merge of “%(sources)s” into “%(title)s” was undone, but your ballot had no room "
        "for all the earlier votes: %(missing)s point(s) could not be restored.",
        sources="Bir”, “İki",
        title="Hedef",
        missing=2,
    )
    assert_consistent(campaign)
    db.session.expire_all()
    assert (first.state, second.state) == (ProposalState.submitted, ProposalState.submitted)


def test_merges_of_merges_are_undone_latest_first(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    rep_c: User,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign(votes_per_organization=3)
    source = make_proposal(campaign, org_a, title="Kaynak")
    middle = make_proposal(campaign, org_b, title="Orta")
    last = make_proposal(campaign, org_b, title="Son")
    unrelated = [make_proposal(campaign, org_a, title=t) for t in ("U1", "U2")]
    attempt(source, rep_c, 1, clock.now)
    attempt(middle, rep_c, 1, clock.now)
    snapshots = [state_of(campaign)]
    first = merging.merge(middle, [source], moderator, clock.now)
    db.session.commit()
    snapshots.append(state_of(campaign))
    second = merging.merge(last, [middle], moderator, clock.now)  # the target becomes a source
    db.session.commit()
    other = merging.merge(unrelated[0], [unrelated[1]], moderator, clock.now)
    db.session.commit()
    assert points_of(org_c) == {last.id: 1}
    assert_consistent(campaign)
    db.session.expire_all()
    assert (source.merged_into_id, middle.merged_into_id) == (middle.id, last.id)

    with pytest.raises(DomainError) as refused:
        merging.unmerge(first, moderator, clock.now)
    db.session.rollback()
    assert refused.value.message == tr(
        "Undo the later merge into “%(title)s” first: it involves the same proposals.",
        title="Son",
    )
    # An unrelated later merge does not stand in the way; the order among related ones does.
    assert merging.blocking_merge(first) == second
    assert merging.blocking_merge(second) is None
    merging.unmerge(other, moderator, clock.now)
    merging.unmerge(second, moderator, clock.now)
    db.session.commit()
    assert state_of(campaign)["votes"] == snapshots[1]["votes"]
    merging.unmerge(first, moderator, clock.now)
    db.session.commit()
    assert state_of(campaign) == snapshots[0]
    assert_consistent(campaign)
    with pytest.raises(DomainError) as refused:
        merging.unmerge(first, moderator, clock.now)
    assert refused.value.message == tr("This merge has already been undone.")


def test_links_both_ways_for_the_proposal_page(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    target, first, second = (make_proposal(campaign, org_a, title=t) for t in ("H", "B", "İ"))
    assert merging.links(target).empty
    merge_row = merging.merge(target, [first, second], moderator, clock.now)
    db.session.commit()
    on_target = merging.links(target)
    assert on_target.merged_into is None
    assert [(m.id, [p.id for p in ps]) for m, ps in on_target.merged_from] == [
        (merge_row.id, [first.id, second.id])
    ]
    assert on_target.undoable == {merge_row.id}
    on_source = merging.links(first)
    assert (on_source.merged_into, on_source.into) == (target, merge_row)
    assert on_source.undoable == {merge_row.id}
    merging.unmerge(merge_row, moderator, clock.now)
    db.session.commit()
    assert merging.links(target).empty and merging.links(first).empty


# --- the property ----------------------------------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A campaign's rules, proposals with authors, partners and states, what each
    organisation tries to vote (the workflow refuses what breaks a rule), and one or two
    merges of random proposals into random targets."""
    method = draw(st.sampled_from([VotingMethod.points, VotingMethod.approval]))
    budget = draw(st.integers(1, 5))
    cap = 1 if method == VotingMethod.approval else draw(st.integers(1, 3))
    n_orgs = draw(st.integers(2, 4))
    n_proposals = draw(st.integers(3, 6))
    # -1: an author that never votes (often, so that most votes are allowed)
    organization = st.one_of(st.just(-1), st.integers(-1, n_orgs - 1))
    proposals = draw(
        st.lists(
            st.tuples(
                organization,
                st.sampled_from(
                    [
                        ProposalState.submitted,
                        ProposalState.submitted,
                        ProposalState.accepted,
                        ProposalState.not_accepted,
                    ]
                ),
                st.dictionaries(
                    st.integers(0, n_orgs - 1), st.sampled_from(list(PartnershipState)), max_size=2
                ),
            ),
            min_size=n_proposals,
            max_size=n_proposals,
        )
    )
    wishes = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_orgs - 1), st.integers(0, n_proposals - 1), st.integers(1, cap)
            ),
            min_size=3,
            max_size=14,
        )
    )
    merge = st.tuples(
        st.integers(0, n_proposals - 1),
        st.sets(st.integers(0, n_proposals - 1), min_size=1, max_size=n_proposals - 1),
    )
    merges = [draw(merge)]
    gone = merges[0][1] - {merges[0][0]}  # merged by the first merge
    left = sorted(set(range(n_proposals)) - gone)
    then = draw(st.sampled_from(["none", "chain", "same target", "any"]))
    if then != "none" and len(left) >= 2:  # a second merge, often on top of the first
        target = merges[0][0] if then == "same target" else draw(st.sampled_from(left))
        others = [i for i in left if i != target]
        sources = draw(st.sets(st.sampled_from(others), min_size=1))
        if then == "chain" and target != merges[0][0]:
            sources |= {merges[0][0]}  # the first target becomes a source
        if then == "any":
            sources |= draw(st.sets(st.sampled_from(sorted(gone)), max_size=1)) if gone else set()
        merges.append((target, sources))
    return {
        "method": method,
        "budget": budget,
        "cap": cap,
        "n_orgs": n_orgs,
        "proposals": proposals,
        "wishes": wishes,
        "merges": merges,
        "allow_own_votes": draw(st.booleans()),
    }


def owners(proposal: Proposal) -> set[int]:
    return {proposal.organization_id} | {
        p.organization_id for p in proposal.partnerships if p.state == PartnershipState.confirmed
    }


@settings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    report_multiple_bugs=False,
    # Every example makes its own campaign, organisations and proposals.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_any_merge_keeps_ballots_within_budget_and_unmerge_restores_everything(
    voting_campaign: Callable[..., Campaign],
    moderator: User,
    clock: Clock,
    scenario: dict[str, Any],
) -> None:
    campaign = voting_campaign(
        voting_method=scenario["method"],
        votes_per_organization=scenario["budget"],
        max_points_per_proposal=scenario["cap"],
        allow_own_votes=scenario["allow_own_votes"],
    )
    suffix = uuid4().hex[:10]
    orgs = [Organization(name=f"Dernek {i} {suffix}") for i in range(scenario["n_orgs"])]
    author = Organization(name=f"Yazar {suffix}")
    reps = [
        User(
            email=f"kisi{i}.{suffix}@ornek.example",
            name=f"Kişi {i}",
            organization=org,
            password_hash="-",
            consent_version=CONSENT_VERSION,
            consented_at=clock.now,
        )
        for i, org in enumerate(orgs)
    ]
    proposals = []
    for i, (by, state, partners) in enumerate(scenario["proposals"]):
        organization = author if by < 0 else orgs[by]
        proposals.append(
            Proposal(
                campaign=campaign,
                organization=organization,
                title=f"Öneri {i}",
                state=state,
                submitted_at=clock.now,
                partnerships=[
                    Partnership(organization=orgs[o], state=s)
                    for o, s in partners.items()
                    if orgs[o] is not organization
                ],
            )
        )
    db.session.add_all([*orgs, author, *reps, *proposals])
    db.session.commit()
    now = clock.now
    for org, index, points in scenario["wishes"]:
        now += timedelta(seconds=1)
        try:
            with db.session.begin_nested():
                voting.set_points(proposals[index], reps[org], points, now)
        except DomainError:
            pass  # over the budget, an own proposal, not in the vote: refused, nothing changed
    db.session.commit()
    assert_consistent(campaign)

    done: list[tuple[Merge, dict[str, Any]]] = []
    for target_index, source_indexes in scenario["merges"]:
        target = proposals[target_index]
        sources = [proposals[i] for i in sorted(source_indexes - {target_index})]
        snapshot = state_of(campaign)
        now += timedelta(seconds=1)
        try:
            with db.session.begin_nested():
                merge_row = merging.merge(target, sources, moderator, now)
        except DomainError:
            assert state_of(campaign) == snapshot  # refused: nothing changed
            event("a merge refused")
            continue
        db.session.commit()
        done.append((merge_row, snapshot))
        event(f"{len(done)} merge(s) done")
        if any(vote["returned"] for vote in merge_row.before["votes"]):
            event("points went back to a ballot")
        if any(vote["target_after"] for vote in merge_row.before["votes"]):
            event("points moved onto a target")
        check_merged(campaign, target, sources, snapshot)

    if len(done) == 2 and merging.proposal_ids(done[0][0]) & merging.proposal_ids(done[1][0]):
        with pytest.raises(DomainError), db.session.begin_nested():
            merging.unmerge(done[0][0], moderator, now)  # not the latest: refused
        event("an unmerge out of order refused")
    for merge_row, snapshot in reversed(done):
        now += timedelta(seconds=1)
        outcome = merging.unmerge(merge_row, moderator, now)
        db.session.commit()
        assert outcome.short == {}
        assert state_of(campaign) == snapshot
        assert_consistent(campaign)


def check_merged(
    campaign: Campaign, target: Proposal, sources: list[Proposal], snapshot: dict[str, Any]
) -> None:
    """After a merge: consistent ballots, sources merged and empty, partners added, and each
    organisation's points on the target as the rule says (an independent model of it)."""
    assert_consistent(campaign)
    after = state_of(campaign)
    source_ids = {s.id for s in sources}
    for source in sources:
        assert after["states"][source.id] == (ProposalState.merged, target.id)
    assert not [key for key in after["votes"] if key[1] in source_ids]
    db.session.expire_all()
    owners_after = owners(target)
    for source in sources:
        assert owners(source) - {target.organization_id} <= owners_after
    cap = voting.max_points(campaign)
    votable = snapshot["states"][target.id][0] in (ProposalState.submitted, ProposalState.accepted)
    ballots_of = {org: vote[1] for (org, _pid), vote in snapshot["votes"].items()}
    for org, ballot_id in ballots_of.items():
        before = {pid: v[0] for (o, pid), v in snapshot["votes"].items() if o == org}
        on_sources = sum(p for pid, p in before.items() if pid in source_ids)
        on_target = before.get(target.id, 0)
        now_on_target = after["votes"].get((org, target.id), (0,))[0]
        if not on_sources and now_on_target == on_target:
            continue  # untouched
        if not campaign.allow_own_votes and org in owners_after:
            expected = 0
        elif not votable:
            expected = on_target
        else:
            expected = min(cap, on_target + on_sources)
        assert now_on_target == expected, (org, before, expected)
        returned = on_target + on_sources - expected
        assert after["ballots"][ballot_id][0] == snapshot["ballots"][ballot_id][0] - returned
