# ruff: noqa: F811 - the shared fixtures are imported from tests/voting_helpers.py
"""The voting rules, tested directly (no client): giving and taking back, the budget, own and
partnered proposals, proposal states, dot voting, the closing second, who sees tallies, and
the campaign settings that freeze once voting opens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from auth.errors import DomainError
from auth.models import Organization, User
from extensions import db
from proposals import campaigns, voting
from proposals.models import (
    Ballot,
    BallotSecrecy,
    Campaign,
    PartnershipState,
    Proposal,
    ProposalState,
    ResultsVisibility,
    Visibility,
    Vote,
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

# --- helpers ----------------------------------------------------------------------------


def stored(organization: Organization) -> dict[str, int]:
    """The organisation's votes as the database holds them, by proposal title."""
    db.session.expire_all()
    rows = db.session.execute(
        select(Proposal.title, Vote.points)
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(Vote.organization_id == organization.id)
    ).all()
    return dict(rows)


def used(campaign: Campaign, organization: Organization) -> int | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Ballot.used).where(
            Ballot.campaign_id == campaign.id, Ballot.organization_id == organization.id
        )
    )


def log_count() -> int:
    return db.session.scalar(select(func.count(VoteLogEntry.id))) or 0


NO_VOTES_LEFT = "Your organisation has no votes left."


# --- approval voting ---------------------------------------------------------------------


def test_give_and_take_back_a_vote(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    proposal = make_proposal(campaign, org_a)
    assert attempt(proposal, rep_b, 1, clock.now) == 2
    assert stored(org_b) == {"Mor Bank": 1}
    assert used(campaign, org_b) == 1
    vote = db.session.scalars(select(Vote)).one()
    assert vote.cast_by_id == rep_b.id
    assert vote.cast_at == clock.now
    # Giving again is no change (a double click), not a second vote.
    assert attempt(proposal, rep_b, 1, clock.now) == 2
    assert log_count() == 1
    assert attempt(proposal, rep_b, 0, clock.now) == 3
    assert stored(org_b) == {}
    assert used(campaign, org_b) == 0
    actions = db.session.scalars(select(VoteLogEntry.delta).order_by(VoteLogEntry.id)).all()
    assert actions == [1, -1]
    assert voting.audit(campaign).ok


def test_colleagues_share_one_ballot(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign(votes_per_organization=2)
    colleague = make_user(organization=org_b)
    first = make_proposal(campaign, org_a, title="Bir")
    second = make_proposal(campaign, org_a, title="İki")
    third = make_proposal(campaign, org_a, title="Üç")
    assert attempt(first, rep_b, 1, clock.now) == 1
    assert attempt(second, colleague, 1, clock.now) == 0
    assert attempt(third, rep_b, 1, clock.now) == tr(NO_VOTES_LEFT)
    # A colleague may take back what the other gave; the ballot is the organisation's.
    assert attempt(first, colleague, 0, clock.now) == 1
    assert stored(org_b) == {"İki": 1}


def test_when_the_budget_runs_out_nothing_more_is_stored(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign(votes_per_organization=3)
    proposals = [make_proposal(campaign, org_a, title=f"Öneri {i}") for i in range(4)]
    for expected, proposal in zip((2, 1, 0), proposals, strict=False):
        assert attempt(proposal, rep_b, 1, clock.now) == expected
    assert attempt(proposals[3], rep_b, 1, clock.now) == tr(NO_VOTES_LEFT)
    assert set(stored(org_b)) == {"Öneri 0", "Öneri 1", "Öneri 2"}
    assert used(campaign, org_b) == 3
    assert log_count() == 3
    view = voting.ballot_view(campaign, rep_b)
    control = voting.control(proposals[3], rep_b, clock.now, view)
    assert control.blocked == voting.Blocked.spent
    assert not control.can_add
    # What was given can still be taken back, and then given elsewhere.
    given = voting.control(proposals[0], rep_b, clock.now, view)
    assert given.can_remove and not given.can_add
    assert attempt(proposals[0], rep_b, 0, clock.now) == 1
    assert attempt(proposals[3], rep_b, 1, clock.now) == 0
    assert voting.audit(campaign).ok


# --- who and what may take votes ------------------------------------------------------------

OWN = "Your organisation cannot vote for its own proposals or those it partners."


def test_own_and_confirmed_partner_proposals_are_refused(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    rep_a: User,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    own = make_proposal(campaign, org_a, title="Kendi")
    partnered = make_proposal(
        campaign, org_c, title="Ortak", partners=((org_a, PartnershipState.confirmed),)
    )
    asked = make_proposal(
        campaign, org_c, title="Sorulan", partners=((org_a, PartnershipState.pending),)
    )
    declined = make_proposal(
        campaign, org_c, title="Reddedilen", partners=((org_a, PartnershipState.declined),)
    )
    assert attempt(own, rep_a, 1, clock.now) == tr(OWN)
    assert attempt(partnered, rep_a, 1, clock.now) == tr(OWN)
    assert stored(org_a) == {}
    # A request the organisation has not confirmed (or declined) does not make it a partner.
    assert attempt(asked, rep_a, 1, clock.now) == 2
    assert attempt(declined, rep_a, 1, clock.now) == 1
    # Others vote for them freely.
    assert attempt(own, rep_b, 1, clock.now) == 2
    assert attempt(partnered, rep_b, 1, clock.now) == 1


def test_a_campaign_may_allow_votes_for_own_proposals(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_c: Organization,
    rep_a: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign(allow_own_votes=True)
    own = make_proposal(campaign, org_a, title="Kendi")
    partnered = make_proposal(
        campaign, org_c, title="Ortak", partners=((org_a, PartnershipState.confirmed),)
    )
    assert attempt(own, rep_a, 1, clock.now) == 2
    assert attempt(partnered, rep_a, 1, clock.now) == 1
    assert stored(org_a) == {"Kendi": 1, "Ortak": 1}


@pytest.mark.parametrize(
    ("state", "takes_votes"),
    [
        (ProposalState.submitted, True),
        (ProposalState.accepted, True),
        (ProposalState.withdrawn, False),
        (ProposalState.not_accepted, False),
        (ProposalState.merged, False),
        (ProposalState.draft, False),
    ],
)
def test_only_proposals_in_the_vote_take_votes(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
    state: ProposalState,
    takes_votes: bool,
) -> None:
    campaign = voting_campaign()
    proposal = make_proposal(campaign, org_a, state=state)
    result = attempt(proposal, rep_b, 1, clock.now)
    if takes_votes:
        assert result == 2
        assert stored(org_b) == {"Mor Bank": 1}
    else:
        assert result == tr("This proposal is not in the vote.")
        assert stored(org_b) == {}
        assert log_count() == 0


def test_people_without_an_organisation_do_not_vote(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    moderator: User,
    organizer: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    proposal = make_proposal(campaign, org_a)
    for person in (moderator, organizer):
        assert attempt(proposal, person, 1, clock.now) == tr(
            "Only representatives of an organisation vote."
        )
    assert db.session.scalar(select(func.count(Ballot.id))) == 0


# --- the window --------------------------------------------------------------------------


def test_one_second_before_closing_counts_one_second_after_does_not(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign()
    late = make_proposal(campaign, org_a, title="Geç")
    just_in_time = make_proposal(campaign, org_a, title="Son saniye")
    clock.now = campaign.voting_closes_at + timedelta(seconds=1)
    assert attempt(late, rep_b, 1, clock.now) == tr("Voting has closed.")
    clock.now = campaign.voting_closes_at - timedelta(seconds=1)
    assert attempt(just_in_time, rep_b, 1, clock.now) == 2
    assert stored(org_b) == {"Son saniye": 1}
    # After closing a vote can no longer be taken back either.
    clock.now = campaign.voting_closes_at
    assert attempt(just_in_time, rep_b, 0, clock.now) == tr("Voting has closed.")
    assert stored(org_b) == {"Son saniye": 1}


def test_a_refused_early_vote_leaves_no_ballot_behind(
    make_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    """An attempt before voting opens must not create a ballot: a ballot freezes the rules."""
    campaign = make_campaign()  # submissions open, voting in twelve days
    proposal = make_proposal(campaign, org_a)
    assert attempt(proposal, rep_b, 1, clock.now) == tr("Voting has not opened yet.")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Ballot.id))) == 0
    assert not voting.rules_frozen(campaign, clock.now)


# --- dot voting --------------------------------------------------------------------------


def test_dot_voting_up_to_the_cap_and_within_the_budget(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign(
        voting_method=VotingMethod.points, votes_per_organization=5, max_points_per_proposal=3
    )
    first = make_proposal(campaign, org_a, title="Bir")
    second = make_proposal(campaign, org_a, title="İki")
    third = make_proposal(campaign, org_a, title="Üç")
    for points, remaining in ((1, 4), (2, 3), (3, 2)):
        assert attempt(first, rep_b, points, clock.now) == remaining
    assert attempt(first, rep_b, 4, clock.now) == tr("At most %(n)d points on one proposal.", n=3)
    view = voting.ballot_view(campaign, rep_b)
    capped = voting.control(first, rep_b, clock.now, view)
    assert (capped.points, capped.max_points, capped.can_add, capped.can_remove) == (
        3, 3, False, True,
    )  # fmt: skip
    assert attempt(second, rep_b, 2, clock.now) == 0
    # The budget is spent: one more point anywhere is refused, even below the cap.
    assert attempt(third, rep_b, 1, clock.now) == tr(NO_VOTES_LEFT)
    assert attempt(second, rep_b, 3, clock.now) == tr(NO_VOTES_LEFT)
    assert stored(org_b) == {"Bir": 3, "İki": 2}
    # Lowering frees points.
    assert attempt(first, rep_b, 1, clock.now) == 2
    assert attempt(third, rep_b, 2, clock.now) == 0
    assert stored(org_b) == {"Bir": 1, "İki": 2, "Üç": 2}
    assert voting.tallies(campaign)[third.id] == voting.Tally(third.id, 2, 1)
    assert voting.audit(campaign).ok


def test_the_cap_never_exceeds_the_budget(voting_campaign: Callable[..., Campaign]) -> None:
    campaign = voting_campaign(
        voting_method=VotingMethod.points, votes_per_organization=2, max_points_per_proposal=5
    )
    assert voting.max_points(campaign) == 2
    approval = voting_campaign(max_points_per_proposal=5)
    assert voting.max_points(approval) == 1


# --- tallies and who sees them ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "phase_at", "participant_sees"),
    [
        (ResultsVisibility.after_close, "before", False),
        (ResultsVisibility.after_close, "during", False),
        (ResultsVisibility.after_close, "after", True),
        (ResultsVisibility.live, "before", False),
        (ResultsVisibility.live, "during", True),
        (ResultsVisibility.live, "after", True),
    ],
)
def test_who_sees_the_tallies_when(
    voting_campaign: Callable[..., Campaign],
    rep_a: User,
    moderator: User,
    organizer: User,
    clock: Clock,
    visibility: ResultsVisibility,
    phase_at: str,
    participant_sees: bool,
) -> None:
    campaign = voting_campaign(results_visibility=visibility)
    moment = {
        "before": campaign.voting_opens_at - timedelta(seconds=1),
        "during": campaign.voting_opens_at,
        "after": campaign.voting_closes_at,
    }[phase_at]
    assert voting.results_visible(campaign, rep_a, moment) is participant_sees
    assert voting.results_visible(campaign, moderator, moment) is participant_sees
    assert voting.results_visible(campaign, None, moment) is participant_sees
    assert voting.results_visible(campaign, organizer, moment) is True


# --- campaign settings: the rules freeze once voting opens ------------------------------------


def settings(campaign: Campaign, **changes: Any) -> campaigns.CampaignData:
    """The campaign's current settings as the form would send them, with ``changes``."""
    values = {name: getattr(campaign, name) for name in campaigns.CampaignData.__annotations__}
    values.update(changes)
    return campaigns.CampaignData(**values)


def test_new_campaigns_keep_the_voting_settings(organizer: User, clock: Clock) -> None:
    data = campaigns.CampaignData(
        title="Nokta oylamalı kampanya",
        description="",
        awareness_day=(clock.now + timedelta(days=60)).date(),
        **voting_windows(clock.now + timedelta(days=30)),
        votes_per_organization=6,
        visibility=Visibility.public,
        voting_method=VotingMethod.points,
        max_points_per_proposal=3,
        allow_own_votes=True,
        results_visibility=ResultsVisibility.live,
        ballot_secrecy=BallotSecrecy.open,
    )
    campaign = campaigns.create_campaign(organizer, data, themes=[], timezone="Europe/Istanbul")
    db.session.commit()
    db.session.expire_all()
    assert (
        campaign.voting_method,
        campaign.max_points_per_proposal,
        campaign.allow_own_votes,
        campaign.results_visibility,
        campaign.ballot_secrecy,
    ) == (VotingMethod.points, 3, True, ResultsVisibility.live, BallotSecrecy.open)


def test_the_defaults_are_approval_secret_and_hidden_results(organizer: User, clock: Clock) -> None:
    data = campaigns.CampaignData(
        title="Varsayılanlar",
        description="",
        awareness_day=(clock.now + timedelta(days=60)).date(),
        **voting_windows(clock.now + timedelta(days=30)),
        votes_per_organization=3,
        visibility=Visibility.public,
    )
    campaign = campaigns.create_campaign(organizer, data, themes=[], timezone="Europe/Istanbul")
    assert campaign.voting_method == VotingMethod.approval
    assert campaign.allow_own_votes is False
    assert campaign.results_visibility == ResultsVisibility.after_close
    assert campaign.ballot_secrecy == BallotSecrecy.secret


@pytest.mark.parametrize("cap", [0, 21])
def test_the_cap_is_between_1_and_20(
    make_campaign: Callable[..., Campaign], organizer: User, clock: Clock, cap: int
) -> None:
    campaign = make_campaign(votes_per_organization=20)
    with pytest.raises(DomainError) as refused:
        campaigns.update_campaign(
            campaign,
            organizer,
            settings(campaign, voting_method=VotingMethod.points, max_points_per_proposal=cap),
            now=clock.now,
        )
    assert refused.value.field == "max_points_per_proposal"


def test_the_cap_of_dot_voting_is_within_the_budget(
    make_campaign: Callable[..., Campaign], organizer: User, clock: Clock
) -> None:
    campaign = make_campaign(votes_per_organization=3)
    with pytest.raises(DomainError) as refused:
        campaigns.update_campaign(
            campaign,
            organizer,
            settings(campaign, voting_method=VotingMethod.points, max_points_per_proposal=4),
            now=clock.now,
        )
    assert refused.value.field == "max_points_per_proposal"
    campaigns.update_campaign(
        campaign,
        organizer,
        settings(campaign, voting_method=VotingMethod.points, max_points_per_proposal=3),
        now=clock.now,
    )
    assert campaign.max_points_per_proposal == 3


def test_before_voting_every_rule_may_change(
    make_campaign: Callable[..., Campaign], organizer: User, clock: Clock
) -> None:
    campaign = make_campaign()
    assert not voting.rules_frozen(campaign, clock.now)
    campaigns.update_campaign(
        campaign,
        organizer,
        settings(
            campaign,
            voting_method=VotingMethod.points,
            votes_per_organization=6,
            max_points_per_proposal=2,
            allow_own_votes=True,
            ballot_secrecy=BallotSecrecy.open,
            results_visibility=ResultsVisibility.live,
        ),
        now=clock.now,
    )
    db.session.commit()
    assert (campaign.voting_method, campaign.votes_per_organization) == (VotingMethod.points, 6)
    assert campaign.ballot_secrecy == BallotSecrecy.open


FROZEN = "The voting rules are fixed once voting has opened."


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("voting_method", VotingMethod.points),
        ("votes_per_organization", 5),
        ("max_points_per_proposal", 2),
        ("allow_own_votes", True),
    ],
)
def test_once_voting_opened_the_rules_are_fixed(
    voting_campaign: Callable[..., Campaign],
    organizer: User,
    clock: Clock,
    name: str,
    value: Any,
) -> None:
    campaign = voting_campaign(votes_per_organization=3, max_points_per_proposal=1)
    assert voting.rules_frozen(campaign, clock.now)
    with pytest.raises(DomainError) as refused:
        campaigns.update_campaign(campaign, organizer, settings(campaign, **{name: value}),
                                  now=clock.now)  # fmt: skip
    assert refused.value.field == name
    assert refused.value.message == tr(FROZEN)
    db.session.rollback()
    db.session.expire_all()
    assert getattr(campaign, name) != value


def test_once_voting_opened_text_and_windows_still_change(
    voting_campaign: Callable[..., Campaign], organizer: User, clock: Clock
) -> None:
    campaign = voting_campaign()
    later = campaign.voting_closes_at + timedelta(days=2)
    campaigns.update_campaign(
        campaign,
        organizer,
        settings(campaign, title="Süre uzatıldı", voting_closes_at=later,
                 results_visibility=ResultsVisibility.live),
        now=clock.now,
    )  # fmt: skip
    db.session.commit()
    db.session.expire_all()
    assert (campaign.title, campaign.voting_closes_at) == ("Süre uzatıldı", later)
    assert campaign.results_visibility == ResultsVisibility.live


def test_ballots_cast_in_secret_are_never_opened_later(
    voting_campaign: Callable[..., Campaign], organizer: User, clock: Clock
) -> None:
    secret = voting_campaign()
    with pytest.raises(DomainError) as refused:
        campaigns.update_campaign(
            secret, organizer, settings(secret, ballot_secrecy=BallotSecrecy.open), now=clock.now
        )
    assert refused.value.field == "ballot_secrecy"
    db.session.rollback()
    # The other way round protects voters more, and is allowed.
    opened = voting_campaign(ballot_secrecy=BallotSecrecy.open)
    campaigns.update_campaign(
        opened, organizer, settings(opened, ballot_secrecy=BallotSecrecy.secret), now=clock.now
    )
    assert opened.ballot_secrecy == BallotSecrecy.secret


def test_a_ballot_freezes_the_rules_even_before_the_window(
    make_campaign: Callable[..., Campaign], org_b: Organization, organizer: User, clock: Clock
) -> None:
    campaign = make_campaign()
    db.session.add(Ballot(campaign=campaign, organization=org_b, budget=3, used=0))
    db.session.commit()
    assert voting.rules_frozen(campaign, clock.now)
    with pytest.raises(DomainError):
        campaigns.update_campaign(
            campaign, organizer, settings(campaign, votes_per_organization=4), now=clock.now
        )


def test_the_settings_change_is_audited(
    make_campaign: Callable[..., Campaign], organizer: User, clock: Clock
) -> None:
    from auth.models import AuditEntry

    campaign = make_campaign()
    campaigns.update_campaign(
        campaign, organizer, settings(campaign, voting_method=VotingMethod.points,
                                      max_points_per_proposal=2), now=clock.now
    )  # fmt: skip
    db.session.commit()
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "campaign.update")
    ).one()
    assert entry.before["voting_method"] == "approval"
    assert entry.after["voting_method"] == "points"
    assert entry.after["max_points_per_proposal"] == 2
