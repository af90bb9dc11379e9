"""Fixtures shared by the voting tests: a campaign whose voting is open at the clock's time,
proposals in any state with partners, and a third organisation. Import them into a test
module to use them (see ``tests/people_helpers.py`` for the same pattern)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from auth.errors import DomainError
from auth.models import Organization, User
from extensions import db
from proposals import voting
from proposals.models import Campaign, Partnership, PartnershipState, Proposal, ProposalState
from tests.conftest import Clock


def attempt(proposal: Proposal, user: User, points: int, now: Any) -> str | int:
    """What the vote view does: set the points and commit, or roll back and say why not."""
    try:
        remaining = voting.set_points(proposal, user, points, now)
    except DomainError as error:
        db.session.rollback()
        return error.message
    db.session.commit()
    return remaining


def voting_windows(now: Any) -> dict[str, Any]:
    """Windows of a campaign whose voting is open at ``now`` (and closes in five days)."""
    return {
        "submission_opens_at": now - timedelta(days=20),
        "submission_closes_at": now - timedelta(days=10),
        "voting_opens_at": now - timedelta(days=1),
        "voting_closes_at": now + timedelta(days=5),
    }


@pytest.fixture
def voting_campaign(
    make_campaign: Callable[..., Campaign], clock: Clock
) -> Callable[..., Campaign]:
    def make(**kwargs: Any) -> Campaign:
        return make_campaign(**{**voting_windows(clock.now), **kwargs})

    return make


@pytest.fixture
def make_proposal(app: Any, clock: Clock) -> Callable[..., Proposal]:
    def make(
        campaign: Campaign,
        organization: Organization,
        state: ProposalState = ProposalState.submitted,
        title: str = "Mor Bank",
        partners: tuple[tuple[Organization, PartnershipState], ...] = (),
    ) -> Proposal:
        proposal = Proposal(
            campaign=campaign,
            organization=organization,
            title=title,
            summary="Özet",
            description="Açıklama",
            state=state,
            search_text=title.lower(),
            submitted_at=clock.now,
            partnerships=[Partnership(organization=o, state=s) for o, s in partners],
        )
        db.session.add(proposal)
        db.session.commit()
        return proposal

    return make


@pytest.fixture
def org_c(make_org: Callable[..., Organization]) -> Organization:
    return make_org("Buca Kadın Kültür Evi")
