# ruff: noqa: F811 - the shared fixtures are imported from tests/voting_helpers.py
"""The integrity of voting, on SQLite and PostgreSQL alike: what the workflow allows (giving,
taking back and changing points, the shared ballot, the budget to the last point, own and
partnered proposals, proposal states, the window to the second in the campaign's zone), what
the database itself refuses when the workflow is bypassed (a second vote row, an overspent
ballot), the append-only vote log, returning votes, the audit catching tampering, and a
property test: any sequence of votes keeps every ballot, vote and log entry consistent.

The concurrent side (many requests at once, PostgreSQL only) is tests/test_vote_concurrency.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from auth.errors import DomainError
from auth.invitations import CONSENT_VERSION
from auth.models import Organization, User
from extensions import db
from proposals import voting
from proposals.campaigns import to_local, to_utc
from proposals.models import (
    VOTABLE_STATES,
    Ballot,
    Campaign,
    Partnership,
    PartnershipState,
    Proposal,
    ProposalState,
    Vote,
    VoteAction,
    VoteLogEntry,
    VotingMethod,
)
from tests.conftest import Clock
from tests.people_helpers import tr
from tests.voting_helpers import (  # noqa: F401 - fixtures
    attempt,
    make_proposal,
    org_c,
    voting_campaign,
    voting_windows,
)

NO_VOTES_LEFT = "Your organisation has no votes left."
OWN = "Your organisation cannot vote for its own proposals or those it partners."
NOT_VOTABLE = "This proposal is not in the vote."
CLOSED = "Voting has closed."
ISTANBUL = ZoneInfo("Europe/Istanbul")
NOT_OPEN = "Voting has not opened yet."


# --- helpers ----------------------------------------------------------------------------


def points_of(organization: Organization) -> dict[int, int]:
    """The organisation's votes as the database holds them: proposal id → points."""
    db.session.expire_all()
    rows = db.session.execute(
        select(Vote.proposal_id, Vote.points).where(Vote.organization_id == organization.id)
    ).all()
    return dict(rows)


def ballot_of(campaign: Campaign, organization: Organization) -> Ballot | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Ballot).where(
            Ballot.campaign_id == campaign.id, Ballot.organization_id == organization.id
        )
    )


def log_rows(campaign: Campaign) -> list[tuple[int, int, int, VoteAction, int, int | None]]:
    """(id, organisation, proposal, action, delta, user) of every log entry, in order."""
    db.session.expire_all()
    rows = db.session.execute(
        select(
            VoteLogEntry.id,
            VoteLogEntry.organization_id,
            VoteLogEntry.proposal_id,
            VoteLogEntry.action,
            VoteLogEntry.delta,
            VoteLogEntry.user_id,
        )
        .where(VoteLogEntry.campaign_id == campaign.id)
        .order_by(VoteLogEntry.id)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def assert_consistent(campaign: Campaign) -> None:
    """Every ballot within its budget and equal to its votes; tallies equal to the log."""
    db.session.expire_all()
    by_ballot = dict(
        db.session.execute(
            select(Vote.ballot_id, func.sum(Vote.points)).group_by(Vote.ballot_id)
        ).all()
    )
    for ballot in db.session.scalars(select(Ballot).where(Ballot.campaign_id == campaign.id)):
        assert 0 <= ballot.used <= ballot.budget, ballot
        assert ballot.used == (by_ballot.get(ballot.id) or 0), ballot
    report = voting.audit(campaign)
    assert report.ok, (report.differences, report.ballots_ok)


@pytest.fixture
def dot_campaign(voting_campaign: Callable[..., Campaign]) -> Callable[..., Campaign]:
    def make(budget: int = 5, cap: int = 3, **kwargs: Any) -> Campaign:
        return voting_campaign(
            voting_method=VotingMethod.points,
            votes_per_organization=budget,
            max_points_per_proposal=cap,
            **kwargs,
        )

    return make


# --- giving, taking back, changing ---------------------------------------------------------


def test_dot_voting_give_raise_lower_and_take_back_to_the_point(
    dot_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = dot_campaign(budget=5, cap=3)
    first = make_proposal(campaign, org_a, title="Bir")
    second = make_proposal(campaign, org_a, title="İki")
    steps = [
        (first, 1, 4),  # give one point
        (first, 3, 2),  # raise to the cap K = 3 in one step
        (first, 2, 3),  # lower by one: the point goes back to the ballot
        (second, 3, 0),  # the budget spent to the last point
        (first, 0, 2),  # take back both points
        (first, 2, 0),  # and give them again
    ]
    for proposal, points, remaining in steps:
        assert attempt(proposal, rep_b, points, clock.now) == remaining
        assert ballot_of(campaign, org_b).used == 5 - remaining
    assert points_of(org_b) == {first.id: 2, second.id: 3}
    deltas = [delta for *_, delta, _user in log_rows(campaign)]
    assert deltas == [1, 2, -1, 3, -2, 2]
    assert_consistent(campaign)


def test_the_budget_is_respected_exactly(
    dot_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = dot_campaign(budget=4, cap=3)
    first = make_proposal(campaign, org_a, title="Bir")
    second = make_proposal(campaign, org_a, title="İki")
    third = make_proposal(campaign, org_a, title="Üç")
    assert attempt(first, rep_b, 3, clock.now) == 1
    # Two points where one is left: refused whole, not clipped to what is left.
    assert attempt(second, rep_b, 2, clock.now) == tr(NO_VOTES_LEFT)
    assert points_of(org_b) == {first.id: 3}
    assert attempt(second, rep_b, 1, clock.now) == 0  # the last point
    assert attempt(third, rep_b, 1, clock.now) == tr(NO_VOTES_LEFT)
    assert attempt(second, rep_b, 2, clock.now) == tr(NO_VOTES_LEFT)  # raising is spending
    ballot = ballot_of(campaign, org_b)
    assert (ballot.used, ballot.budget, ballot.remaining) == (4, 4, 0)
    assert len(log_rows(campaign)) == 2
    assert_consistent(campaign)


def test_representatives_share_their_organisations_one_ballot(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign(votes_per_organization=3)
    colleagues = [rep_b, make_user(organization=org_b), make_user(organization=org_b)]
    proposals = [make_proposal(campaign, org_a, title=f"Öneri {i}") for i in range(4)]
    for person, proposal, expected in zip(colleagues, proposals, (2, 1, 0), strict=False):
        assert attempt(proposal, person, 1, clock.now) == expected
    # One ballot for the organisation, whoever votes; every vote records who cast it.
    assert db.session.scalar(select(func.count(Ballot.id))) == 1
    cast_by = dict(db.session.execute(select(Vote.proposal_id, Vote.cast_by_id)).all())
    assert cast_by == {p.id: c.id for c, p in zip(colleagues, proposals, strict=False)}
    # Spent for all of them, not per person.
    for person in colleagues:
        assert attempt(proposals[3], person, 1, clock.now) == tr(NO_VOTES_LEFT)
    # One colleague's vote is the organisation's: another sees it and may take it back.
    view = voting.ballot_view(campaign, colleagues[2])
    assert voting.control(proposals[0], colleagues[2], clock.now, view).points == 1
    assert attempt(proposals[0], colleagues[2], 0, clock.now) == 1
    assert attempt(proposals[3], colleagues[1], 1, clock.now) == 0
    assert_consistent(campaign)


def test_a_double_vote_is_impossible_through_the_workflow(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    colleague = make_user(organization=org_b)
    proposal = make_proposal(campaign, org_a)
    assert attempt(proposal, rep_b, 1, clock.now) == 2
    # The same click again, or a colleague voting for it too: no second vote, no spending.
    assert attempt(proposal, rep_b, 1, clock.now) == 2
    assert attempt(proposal, colleague, 1, clock.now) == 2
    # Approval voting: one vote is the most a proposal gets from an organisation.
    assert attempt(proposal, colleague, 2, clock.now) == tr(
        "At most %(n)d points on one proposal.", n=1
    )
    assert points_of(org_b) == {proposal.id: 1}
    assert ballot_of(campaign, org_b).used == 1
    assert len(log_rows(campaign)) == 1
    assert_consistent(campaign)


# --- what the database refuses when the workflow is bypassed --------------------------------


@contextmanager
def refused_by_the_database(constraint: str) -> Iterator[None]:
    """The statements inside fail with an IntegrityError naming ``constraint``; the session
    goes on (only the savepoint is rolled back)."""
    with pytest.raises(IntegrityError) as caught, db.session.begin_nested():
        yield
    message = str(caught.value.orig).lower()
    # PostgreSQL names the constraint; SQLite names the check, or the columns of a unique one.
    assert any(part in message for part in constraint.split("|")), message


def test_a_second_vote_row_is_refused_by_the_unique_constraint(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    proposal = make_proposal(campaign, org_a)
    colleague = make_user(organization=org_b)
    assert attempt(proposal, rep_b, 1, clock.now) == 2
    ballot = ballot_of(campaign, org_b)
    with refused_by_the_database(
        "uq_votes_proposal_id_organization_id|votes.proposal_id, votes.organization_id"
    ):
        db.session.add(
            Vote(
                ballot_id=ballot.id,
                proposal_id=proposal.id,
                organization_id=org_b.id,
                points=1,
                cast_by_id=colleague.id,
                cast_at=clock.now,
            )
        )
        db.session.flush()
    # Nor a vote of no points (a taken-back vote is deleted, never kept at zero).
    other = make_proposal(campaign, org_a, title="Başka")
    with refused_by_the_database("ck_votes_positive"):
        db.session.add(
            Vote(ballot_id=ballot.id, proposal_id=other.id, organization_id=org_b.id, points=0)
        )
        db.session.flush()
    db.session.rollback()
    assert points_of(org_b) == {proposal.id: 1}
    assert_consistent(campaign)


def test_an_overspent_ballot_is_refused_by_the_check_constraint(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign(votes_per_organization=3)
    assert attempt(make_proposal(campaign, org_a), rep_b, 1, clock.now) == 2
    ballot = ballot_of(campaign, org_b)
    with refused_by_the_database("ck_ballots_within_budget|within_budget"):
        db.session.execute(update(Ballot).where(Ballot.id == ballot.id).values(used=4))
    with refused_by_the_database("ck_ballots_within_budget|within_budget"):
        db.session.execute(update(Ballot).where(Ballot.id == ballot.id).values(used=-1))
    with refused_by_the_database("ck_ballots_within_budget|within_budget"):
        db.session.add(Ballot(campaign_id=campaign.id, organization_id=org_c.id, budget=3, used=4))
        db.session.flush()
    db.session.rollback()
    assert ballot_of(campaign, org_b).used == 1
    assert ballot_of(campaign, org_c) is None


# --- who may vote for what ---------------------------------------------------------------


@pytest.mark.parametrize("allow_own_votes", [False, True])
def test_own_and_partnered_proposals_unless_the_campaign_allows_them(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_c: Organization,
    rep_a: User,
    clock: Clock,
    allow_own_votes: bool,
) -> None:
    campaign = voting_campaign(allow_own_votes=allow_own_votes)
    own = make_proposal(campaign, org_a, title="Kendi")
    partnered = make_proposal(
        campaign, org_c, title="Ortak", partners=((org_a, PartnershipState.confirmed),)
    )
    pending = make_proposal(
        campaign, org_c, title="Bekleyen", partners=((org_a, PartnershipState.pending),)
    )
    results = [attempt(p, rep_a, 1, clock.now) for p in (own, partnered, pending)]
    if allow_own_votes:
        assert results == [2, 1, 0]
        assert points_of(org_a) == {own.id: 1, partnered.id: 1, pending.id: 1}
    else:
        assert results == [tr(OWN), tr(OWN), 2]  # an unconfirmed partner is not a partner
        assert points_of(org_a) == {pending.id: 1}
    assert_consistent(campaign)


@pytest.mark.parametrize("state", sorted(set(ProposalState) - VOTABLE_STATES))
def test_proposals_outside_the_vote_take_no_votes(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
    state: ProposalState,
) -> None:
    campaign = voting_campaign()
    proposal = make_proposal(campaign, org_a, state=state)
    assert attempt(proposal, rep_b, 1, clock.now) == tr(NOT_VOTABLE)
    assert attempt(proposal, rep_b, 0, clock.now) == tr(NOT_VOTABLE)
    assert points_of(org_b) == {}
    assert ballot_of(campaign, org_b) is None  # a refused vote leaves no ballot behind
    assert log_rows(campaign) == []


def test_the_window_to_the_second_in_the_campaigns_zone(
    make_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    """Voting closes at midnight in Istanbul (UTC+3): 21:00 UTC, stored naive. The clock is
    naive UTC too, so the comparison is exact to the second, whatever the server's zone."""
    campaign = make_campaign(
        submission_opens_at=datetime(2026, 10, 1, 6, 0),
        submission_closes_at=datetime(2026, 11, 1, 6, 0),
        voting_opens_at=to_utc(datetime(2026, 11, 10, 9, 0), ISTANBUL),
        voting_closes_at=to_utc(datetime(2026, 11, 26, 0, 0), ISTANBUL),
        timezone="Europe/Istanbul",
    )
    assert campaign.voting_closes_at == datetime(2026, 11, 25, 21, 0)
    assert campaign.voting_opens_at == datetime(2026, 11, 10, 6, 0)
    assert to_local(campaign.voting_closes_at, campaign.zone) == datetime(2026, 11, 26, 0, 0)
    early, last, late = (make_proposal(campaign, org_a, title=t) for t in ("Erken", "Son", "Geç"))
    second = timedelta(seconds=1)
    # Not open yet one second before it opens, open at the second it opens.
    assert attempt(early, rep_b, 1, campaign.voting_opens_at - second) == tr(NOT_OPEN)
    assert attempt(early, rep_b, 1, campaign.voting_opens_at) == 2
    # 23:30 UTC is already 02:30 on the 26th in Istanbul: closed (a window mistaken for
    # midnight UTC would still be open).
    assert attempt(last, rep_b, 1, datetime(2026, 11, 25, 23, 30)) == tr(CLOSED)
    assert attempt(last, rep_b, 1, campaign.voting_closes_at - second) == 1
    assert attempt(late, rep_b, 1, campaign.voting_closes_at + second) == tr(CLOSED)
    assert attempt(late, rep_b, 1, campaign.voting_closes_at) == tr(CLOSED)
    # After closing, nothing can be taken back either.
    assert attempt(last, rep_b, 0, campaign.voting_closes_at + second) == tr(CLOSED)
    assert points_of(org_b) == {early.id: 1, last.id: 1}
    assert_consistent(campaign)


# --- returning votes, the log, the audit ------------------------------------------------------


def test_release_votes_returns_the_points_to_each_ballot_and_logs_it(
    dot_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    rep_b: User,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = dot_campaign(budget=5, cap=3)
    rep_c = make_user(organization=org_c)
    leaving = make_proposal(campaign, org_a, title="Geri çekilen")
    staying = make_proposal(campaign, org_a, title="Kalan")
    assert attempt(leaving, rep_b, 3, clock.now) == 2
    assert attempt(staying, rep_b, 2, clock.now) == 0
    assert attempt(leaving, rep_c, 1, clock.now) == 4
    entries_before = log_rows(campaign)

    clock.advance(hours=1)
    leaving.state = ProposalState.withdrawn
    returned = voting.release_votes(leaving, clock.now, moderator)
    db.session.commit()

    assert sorted(returned) == sorted([org_b.id, org_c.id])
    assert points_of(org_b) == {staying.id: 2}
    assert points_of(org_c) == {}
    assert ballot_of(campaign, org_b).used == 2
    assert ballot_of(campaign, org_c).used == 0
    entries = log_rows(campaign)
    assert entries[: len(entries_before)] == entries_before  # nothing rewritten
    added = {(org, pid, action, delta, user) for _id, org, pid, action, delta, user in
             entries[len(entries_before):]}  # fmt: skip
    assert added == {
        (org_b.id, leaving.id, VoteAction.returned, -3, moderator.id),
        (org_c.id, leaving.id, VoteAction.returned, -1, moderator.id),
    }
    assert leaving.id not in voting.tallies(campaign)
    assert_consistent(campaign)
    # The returned points can be given elsewhere; the withdrawn proposal takes none.
    assert attempt(staying, rep_b, 3, clock.now) == 2
    assert attempt(leaving, rep_c, 1, clock.now) == tr(NOT_VOTABLE)
    # Nothing left to return: a second release changes nothing and logs nothing.
    assert voting.release_votes(leaving, clock.now, moderator) == []
    db.session.commit()
    assert len(log_rows(campaign)) == len(entries) + 1
    assert_consistent(campaign)


def test_the_vote_log_is_append_only_and_sums_to_the_tally(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    colleague = make_user(organization=org_b)
    proposal = make_proposal(campaign, org_a)
    seen: list[Any] = []
    for person, points, action in (
        (rep_b, 1, VoteAction.give),
        (colleague, 0, VoteAction.take_back),
        (rep_b, 1, VoteAction.give),
    ):
        assert isinstance(attempt(proposal, person, points, clock.now), int)
        clock.advance(minutes=5)
        entries = log_rows(campaign)
        # Each change adds one entry after the earlier ones and leaves them as they were.
        assert entries[:-1] == seen
        assert entries[-1][1:] == (org_b.id, proposal.id, action, points or -1, person.id)
        seen = entries
    assert [delta for *_, delta, _user in seen] == [1, -1, 1]
    assert sum(delta for *_, delta, _user in seen) == voting.tallies(campaign)[proposal.id].points
    times = db.session.scalars(select(VoteLogEntry.created_at).order_by(VoteLogEntry.id)).all()
    assert times == sorted(times) and len(set(times)) == 3
    assert_consistent(campaign)


def test_the_audit_is_ok_on_clean_data_and_catches_tampering(
    dot_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = dot_campaign(budget=5, cap=3)
    first = make_proposal(campaign, org_a, title="Bir")
    second = make_proposal(campaign, org_a, title="İki")
    assert attempt(first, rep_b, 2, clock.now) == 3
    assert attempt(second, rep_b, 1, clock.now) == 2
    clean = voting.audit(campaign)
    assert clean.ok
    assert clean.from_log == clean.stored == {first.id: 2, second.id: 1}

    # A vote row changed behind the workflow's back: the tally no longer matches the log,
    # and the ballot no longer matches its votes.
    db.session.execute(
        update(Vote).where(Vote.proposal_id == first.id).values(points=3)
    )  # fmt: skip
    report = voting.audit(campaign)
    assert not report.ok
    assert report.differences == {first.id: (2, 3)}
    assert not report.ballots_ok
    db.session.rollback()
    assert voting.audit(campaign).ok

    # A ballot's `used` changed: the tallies still match the log, the ballot does not.
    db.session.execute(update(Ballot).where(Ballot.organization_id == org_b.id).values(used=2))
    report = voting.audit(campaign)
    assert not report.ok
    assert report.differences == {}
    assert not report.ballots_ok
    db.session.rollback()

    # A vote row deleted: its proposal's tally is gone but the log still counts it.
    db.session.execute(
        update(Ballot).where(Ballot.organization_id == org_b.id).values(used=Ballot.used - 1)
    )
    db.session.execute(Vote.__table__.delete().where(Vote.proposal_id == second.id))
    report = voting.audit(campaign)
    assert report.differences == {second.id: (1, 0)}
    assert report.ballots_ok  # the ballot was "fixed" too; only the log tells
    assert not report.ok
    db.session.rollback()
    assert voting.audit(campaign).ok


# --- a property: any sequence of votes keeps everything consistent -------------------------


@dataclass
class Model:
    """What the ballots should hold, kept alongside the database by the property test."""

    budget: int
    cap: int
    points: dict[tuple[int, int], int] = field(default_factory=dict)  # (org, proposal) → points
    closed: set[int] = field(default_factory=set)  # proposals that left the vote

    def used(self, org: int) -> int:
        return sum(p for (o, _), p in self.points.items() if o == org)

    def expect(self, org: int, proposal: int, own: bool, points: int) -> int | None:
        """The remaining budget after the vote, or None when it must be refused."""
        current = self.points.get((org, proposal), 0)
        if own or proposal in self.closed or points > self.cap:
            return None
        remaining = self.budget - self.used(org)
        if points - current > remaining:
            return None
        return remaining - (points - current)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[VotingMethod, int, int, list[tuple[Any, ...]]]:
    """The campaign's rules and a sequence of operations: mostly votes of 0 to K + 1 points
    (so that most are allowed and some go beyond the cap), now and then a proposal leaving
    the vote (its votes are returned)."""
    method = draw(
        st.sampled_from([VotingMethod.points, VotingMethod.points, VotingMethod.approval])
    )
    budget = draw(st.integers(1, 5))
    cap = 1 if method == VotingMethod.approval else draw(st.integers(1, 3))
    vote = st.tuples(
        st.just("vote"),
        st.integers(0, 2),  # organisation
        st.integers(0, 1),  # which of its two representatives
        st.integers(0, 3),  # proposal
        st.integers(0, min(cap, budget) + 1),  # points
    )
    release = st.tuples(st.just("release"), st.integers(0, 3))
    operation = st.integers(0, 19).flatmap(lambda roll: release if roll == 0 else vote)
    operations = draw(st.lists(operation, min_size=8, max_size=30))
    return method, budget, cap, operations


@settings(
    max_examples=25,
    deadline=None,
    # A failure is shown shrunk to one shortest sequence, without the slow "explain" phase.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    report_multiple_bugs=False,
    # The fixtures are function-scoped, but every example makes its own campaign,
    # organisations, people and proposals, so nothing carries over between examples.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(scenario=scenarios())
def test_any_sequence_of_votes_keeps_ballots_votes_and_log_consistent(
    voting_campaign: Callable[..., Campaign],
    clock: Clock,
    scenario: tuple[VotingMethod, int, int, list[tuple[Any, ...]]],
) -> None:
    method, budget, cap, operations = scenario
    campaign = voting_campaign(
        voting_method=method, votes_per_organization=budget, max_points_per_proposal=cap
    )
    # Three voting organisations with two representatives each, and an author that never
    # votes; everything in one commit, as the examples are many.
    suffix = uuid4().hex[:10]
    orgs = [Organization(name=f"Dernek {i} {suffix}") for i in range(3)]
    author = Organization(name=f"Yazar {suffix}")
    reps = [
        [
            User(
                email=f"kisi{i}{j}.{suffix}@ornek.example",
                name=f"Kişi {i}{j}",
                organization=org,
                password_hash="-",
                consent_version=CONSENT_VERSION,
                consented_at=clock.now,
            )
            for j in range(2)
        ]
        for i, org in enumerate(orgs)
    ]
    proposals = [
        Proposal(
            campaign=campaign,
            organization=organization,
            title=title,
            state=ProposalState.submitted,
            submitted_at=clock.now,
            partnerships=[Partnership(organization=o, state=s) for o, s in partners],
        )
        for organization, title, partners in (
            (author, "Sıfır", ()),
            (author, "Bir", ()),
            (orgs[0], "İki", ()),
            (author, "Üç", ((orgs[1], PartnershipState.confirmed),)),
        )
    ]
    owners: list[set[int]] = [set(), set(), {0}, {1}]  # who may not vote for it
    db.session.add_all([*orgs, author, *(r for pair in reps for r in pair), *proposals])
    db.session.commit()
    model = Model(budget, voting.max_points(campaign))
    org_index = {o.id: i for i, o in enumerate(orgs)}
    proposal_index = {p.id: i for i, p in enumerate(proposals)}
    now = clock.now

    def release(index: int) -> None:
        with db.session.begin_nested():
            proposals[index].state = ProposalState.withdrawn
            voting.release_votes(proposals[index], now)
        model.closed.add(index)
        for key in [k for k in model.points if k[1] == index]:
            del model.points[key]

    def check() -> None:
        db.session.commit()
        assert_consistent(campaign)  # within budget, used == its votes, audit ok
        rows = db.session.execute(
            select(Vote.organization_id, Vote.proposal_id, Vote.points)
            .join(Ballot, Ballot.id == Vote.ballot_id)
            .where(Ballot.campaign_id == campaign.id)
        )
        stored = {(org_index[o], proposal_index[p]): points for o, p, points in rows}
        assert stored == model.points
        for i, org in enumerate(orgs):
            ballot = ballot_of(campaign, org)
            assert (ballot.used if ballot else 0) == model.used(i)
        tallies = {pid: t.points for pid, t in voting.tallies(campaign).items()}
        from_log = dict(
            db.session.execute(
                select(VoteLogEntry.proposal_id, func.sum(VoteLogEntry.delta))
                .where(VoteLogEntry.campaign_id == campaign.id)
                .group_by(VoteLogEntry.proposal_id)
                .having(func.sum(VoteLogEntry.delta) != 0)
            ).all()
        )
        assert tallies == from_log

    for operation in operations:
        now += timedelta(seconds=1)
        if operation[0] == "release":
            release(operation[1])
            continue
        _, org, rep, index, points = operation
        expected = model.expect(org, index, org in owners[index], points)
        try:
            with db.session.begin_nested():  # what the view's rollback would undo
                remaining: int | None = voting.set_points(
                    proposals[index], reps[org][rep], points, now
                )
        except DomainError:
            remaining = None
        assert remaining == expected, (operation, model)
        if expected is not None:
            if points:
                model.points[(org, index)] = points
            else:
                model.points.pop((org, index), None)
    check()
    # Finally the proposal with the most points leaves the vote: they all go back.
    totals = {i: sum(p for (_, j), p in model.points.items() if j == i) for i in range(4)}
    if any(totals.values()):
        now += timedelta(seconds=1)
        release(max(totals, key=lambda i: totals[i]))
        check()
