"""Organisation ballots: who may vote, giving and taking back votes, tallies, the audit.

Integrity rests on the database, not on the order of Python statements:

* one vote per organisation per proposal is a unique constraint;
* the budget is spent only through ``UPDATE ballots SET used = used + n WHERE id = …
  AND used + n <= budget`` — one atomic statement on SQLite and PostgreSQL (on
  PostgreSQL concurrent updates of the row wait for each other and re-check the
  condition), so 50 simultaneous clicks from one organisation land exactly
  ``budget`` votes;
* a vote is changed only while its proposal's row is held FOR SHARE, and ``release_votes``
  holds it FOR UPDATE: no vote slips onto, or is taken back from, a proposal whose votes are
  being returned (tests/test_vote_concurrency.py);
* every change is appended to the vote log in the same transaction, and
  ``audit`` recomputes the tallies from that log.

Functions flush but never commit; on a DomainError the caller rolls back.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from auth.errors import DomainError
from auth.models import Organization, User
from auth.permissions import Permission, can
from extensions import db
from proposals.models import (
    VOTABLE_STATES,
    Ballot,
    Campaign,
    PartnershipState,
    Phase,
    Proposal,
    Vote,
    VoteAction,
    VoteLogEntry,
    VotingMethod,
)


class Blocked(enum.StrEnum):
    """Why the vote control is not usable, shown to the user in words."""

    not_member = "not_member"  # anonymous, staff, or an organisation without rights
    not_open = "not_open"
    closed = "closed"
    not_votable = "not_votable"
    own = "own"
    spent = "spent"
    hidden = "hidden"  # hidden by moderation: no new votes; the votes it has are kept


def max_points(campaign: Campaign) -> int:
    if campaign.voting_method == VotingMethod.approval:
        return 1
    return max(1, min(campaign.max_points_per_proposal, campaign.votes_per_organization))


@dataclass
class VoteControl:
    """Everything the vote button shows for one proposal and one organisation."""

    points: int  # the organisation's points on this proposal
    remaining: int
    budget: int
    max_points: int
    blocked: Blocked | None
    method: VotingMethod

    @property
    def can_add(self) -> bool:
        return self.blocked is None and self.points < self.max_points and self.remaining > 0

    @property
    def can_remove(self) -> bool:
        return self.blocked in (None, Blocked.spent, Blocked.hidden) and self.points > 0


@dataclass
class BallotView:
    """The organisation's ballot in one campaign, loaded once per page."""

    ballot: Ballot | None
    points: dict[int, int] = field(default_factory=dict)  # proposal id → points

    @property
    def used(self) -> int:
        return self.ballot.used if self.ballot else 0


def is_voter(user: Any) -> bool:
    return can(user, Permission.participate) and getattr(user, "organization_id", None) is not None


def ballot_view(campaign: Campaign, user: Any) -> BallotView:
    """The viewer's organisation's ballot and its votes, in at most two queries."""
    if not is_voter(user):
        return BallotView(None)
    ballot = db.session.scalar(
        select(Ballot).where(
            Ballot.campaign_id == campaign.id, Ballot.organization_id == user.organization_id
        )
    )
    if ballot is None:
        return BallotView(None)
    rows = db.session.execute(
        select(Vote.proposal_id, Vote.points).where(Vote.ballot_id == ballot.id)
    ).all()
    return BallotView(ballot, dict(rows))


def _is_own(proposal: Proposal, organization_id: int) -> bool:
    if proposal.organization_id == organization_id:
        return True
    return any(
        p.organization_id == organization_id and p.state == PartnershipState.confirmed
        for p in proposal.partnerships
    )


def control(proposal: Proposal, user: Any, now: datetime, view: BallotView) -> VoteControl:
    """The state of the vote control; no queries beyond what ``view`` already loaded."""
    campaign = proposal.campaign
    budget = view.ballot.budget if view.ballot else campaign.votes_per_organization
    points = view.points.get(proposal.id, 0)
    remaining = budget - view.used
    blocked: Blocked | None = None
    phase = campaign.phase(now)
    if not is_voter(user):
        blocked = Blocked.not_member
    elif phase in (Phase.upcoming, Phase.submission, Phase.review):
        blocked = Blocked.not_open
    elif phase == Phase.closed:
        blocked = Blocked.closed
    elif proposal.state not in VOTABLE_STATES:
        blocked = Blocked.not_votable
    elif proposal.is_hidden:
        blocked = Blocked.hidden
    elif not campaign.allow_own_votes and _is_own(proposal, user.organization_id):
        blocked = Blocked.own
    elif remaining <= 0 and points == 0:
        blocked = Blocked.spent
    return VoteControl(points, remaining, budget, max_points(campaign), blocked,
                       campaign.voting_method)  # fmt: skip


_REFUSALS: dict[Blocked, Any] = {
    Blocked.not_member: _l("Only representatives of an organisation vote."),
    Blocked.not_open: _l("Voting has not opened yet."),
    Blocked.closed: _l("Voting has closed."),
    Blocked.not_votable: _l("This proposal is not in the vote."),
    Blocked.own: _l("Your organisation cannot vote for its own proposals or those it partners."),
    Blocked.spent: _l("Your organisation has no votes left."),
    Blocked.hidden: _l(
        "This proposal is hidden by moderation and takes no new votes; votes already given stay."
    ),
}


def refusal(blocked: Blocked) -> str:
    return str(_REFUSALS[blocked])


def _ballot(campaign: Campaign, organization_id: int) -> Ballot:
    """The organisation's ballot, created on first use; a concurrent creation is tolerated."""
    statement = select(Ballot).where(
        Ballot.campaign_id == campaign.id, Ballot.organization_id == organization_id
    )
    ballot = db.session.scalar(statement)
    if ballot is not None:
        return ballot
    try:
        with db.session.begin_nested():
            ballot = Ballot(
                campaign_id=campaign.id,
                organization_id=organization_id,
                budget=campaign.votes_per_organization,
                used=0,
            )
            db.session.add(ballot)
    except IntegrityError:
        ballot = db.session.scalars(statement).one()  # the other transaction created it
    return ballot


def set_points(proposal: Proposal, user: User, points: int, now: datetime) -> int:
    """Put ``points`` of the organisation's ballot on ``proposal`` (0 takes the vote back).

    Returns the ballot's remaining budget.
    """
    campaign = proposal.campaign
    # Decide on what exists before creating anything: a ballot created for a refused vote
    # would freeze the campaign's rules (rules_frozen), and on SQLite the savepoint that
    # creates it is committed on release, so the caller's rollback could not undo it.
    view = BallotView(None)
    if is_voter(user):
        view.ballot = db.session.scalar(
            select(Ballot).where(
                Ballot.campaign_id == campaign.id, Ballot.organization_id == user.organization_id
            )
        )
        current = db.session.scalar(
            select(Vote.points).where(
                Vote.proposal_id == proposal.id, Vote.organization_id == user.organization_id
            )
        )
        view.points = {proposal.id: current or 0}
    state = control(proposal, user, now, view)
    if points > 0 and state.blocked is not None:
        raise DomainError(refusal(state.blocked))
    if points == 0 and state.blocked not in (None, Blocked.spent, Blocked.hidden):
        raise DomainError(refusal(state.blocked))
    if not 0 <= points <= state.max_points:
        raise DomainError(_l("At most %(n)d points on one proposal.", n=state.max_points))
    if not is_voter(user):  # control() has refused already
        raise DomainError(refusal(Blocked.not_member))
    if points == state.points:
        return state.remaining  # nothing to change (a double click): nothing to create
    # Hold the proposal's row FOR SHARE (votes from many organisations still go on together)
    # and look at its state again: release_votes holds it FOR UPDATE, so a vote either lands
    # before the proposal leaves the vote, and is returned with the others, or waits and is
    # refused. SQLite serialises writers and renders no FOR SHARE.
    locked_state = db.session.scalar(
        select(Proposal.state).where(Proposal.id == proposal.id).with_for_update(read=True)
    )
    if locked_state not in VOTABLE_STATES:
        raise DomainError(refusal(Blocked.not_votable))
    ballot = view.ballot or _ballot(campaign, user.organization_id)
    old = state.points
    delta = points - old
    if delta == 0:
        return ballot.remaining
    spent = db.session.execute(
        update(Ballot)
        .where(
            Ballot.id == ballot.id,
            Ballot.used + delta <= Ballot.budget,
            Ballot.used + delta >= 0,
        )
        .values(used=Ballot.used + delta)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise DomainError(refusal(Blocked.spent))
    try:
        if old == 0:
            with db.session.begin_nested():
                db.session.add(
                    Vote(
                        ballot_id=ballot.id,
                        proposal_id=proposal.id,
                        organization_id=user.organization_id,
                        points=points,
                        cast_by_id=user.id,
                        cast_at=now,
                    )
                )
        else:
            changed = db.session.execute(
                (
                    delete(Vote)
                    if points == 0
                    else update(Vote).values(points=points, cast_by_id=user.id, cast_at=now)
                )
                .where(
                    Vote.proposal_id == proposal.id,
                    Vote.organization_id == user.organization_id,
                    Vote.points == old,
                )
                .execution_options(synchronize_session=False)
            )
            if changed.rowcount != 1:
                raise _colleague_changed()
    except IntegrityError as error:
        raise _colleague_changed() from error
    db.session.add(
        VoteLogEntry(
            campaign_id=campaign.id,
            organization_id=user.organization_id,
            proposal_id=proposal.id,
            user_id=user.id,
            action=VoteAction.give if delta > 0 else VoteAction.take_back,
            delta=delta,
            created_at=now,
        )
    )
    db.session.flush()
    db.session.refresh(ballot)
    return ballot.remaining


def _colleague_changed() -> DomainError:
    return DomainError(
        _l("A colleague from your organisation changed this vote at the same moment. "
           "Please look again and retry.")
    )  # fmt: skip


def release_votes(proposal: Proposal, now: datetime, actor: User | None = None) -> list[int]:
    """Give the points on ``proposal`` back to their ballots (it left the vote).

    Returns the ids of the organisations whose ballots got points back.
    """
    # Lock the proposal first (set_points holds it FOR SHARE while changing a vote on it): no
    # vote on it is being given, changed or taken back from here on, so the votes read next
    # are exactly those to return (read afresh, not from the session's older copies), and
    # no point goes back twice. Ballots are updated in id order, as concurrent releases do.
    db.session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())
    votes = db.session.scalars(
        select(Vote)
        .where(Vote.proposal_id == proposal.id)
        .order_by(Vote.ballot_id)
        .execution_options(populate_existing=True)
    ).all()
    for vote in votes:
        db.session.execute(
            update(Ballot)
            .where(Ballot.id == vote.ballot_id)
            .values(used=Ballot.used - vote.points)
            .execution_options(synchronize_session=False)
        )
        db.session.add(
            VoteLogEntry(
                campaign_id=proposal.campaign_id,
                organization_id=vote.organization_id,
                proposal_id=proposal.id,
                user_id=actor.id if actor else None,
                action=VoteAction.returned,
                delta=-vote.points,
                created_at=now,
            )
        )
        db.session.delete(vote)
    db.session.flush()
    return [vote.organization_id for vote in votes]


@dataclass(frozen=True)
class Tally:
    proposal_id: int
    points: int
    supporters: int  # distinct organisations


def tallies(campaign: Campaign) -> dict[int, Tally]:
    """Points and supporting organisations per proposal, computed in SQL."""
    rows = db.session.execute(
        select(
            # One vote per (proposal, organisation) (a unique constraint), so counting votes
            # counts distinct organisations without DISTINCT's sort.
            Vote.proposal_id,
            func.sum(Vote.points),
            func.count(Vote.id),
        )
        .join(Ballot, Vote.ballot_id == Ballot.id)
        .where(Ballot.campaign_id == campaign.id)
        .group_by(Vote.proposal_id)
    ).all()
    return {pid: Tally(pid, int(points), int(orgs)) for pid, points, orgs in rows}


def results_visible(campaign: Campaign, user: Any, now: datetime) -> bool:
    """Organisers always; everyone else live only if the campaign says so, else after closing."""
    from proposals.models import ResultsVisibility

    if can(user, Permission.manage_campaigns):
        return True
    if campaign.results_visibility == ResultsVisibility.live:
        return campaign.phase(now) in (Phase.voting, Phase.closed)
    return campaign.phase(now) == Phase.closed


def rules_frozen(campaign: Campaign, now: datetime) -> bool:
    """Method, budget, cap and own-proposal rule are fixed once voting opened or ballots exist."""
    if campaign.phase(now) in (Phase.voting, Phase.closed):
        return True
    return bool(
        db.session.scalar(select(func.count(Ballot.id)).where(Ballot.campaign_id == campaign.id))
    )


@dataclass
class AuditReport:
    from_log: dict[int, int]
    stored: dict[int, int]
    ballots_ok: bool

    @property
    def differences(self) -> dict[int, tuple[int, int]]:
        ids = set(self.from_log) | set(self.stored)
        return {
            pid: (self.from_log.get(pid, 0), self.stored.get(pid, 0))
            for pid in sorted(ids)
            if self.from_log.get(pid, 0) != self.stored.get(pid, 0)
        }

    @property
    def ok(self) -> bool:
        return self.ballots_ok and not self.differences


def audit(campaign: Campaign) -> AuditReport:
    """Recompute tallies from the append-only log and compare them with the stored votes."""
    log_rows = db.session.execute(
        select(VoteLogEntry.proposal_id, func.sum(VoteLogEntry.delta))
        .where(VoteLogEntry.campaign_id == campaign.id)
        .group_by(VoteLogEntry.proposal_id)
    ).all()
    from_log = {pid: int(total) for pid, total in log_rows if total}
    stored = {pid: t.points for pid, t in tallies(campaign).items()}
    used_by_votes: dict[int, int] = defaultdict(int)
    for ballot_id, points in db.session.execute(
        select(Vote.ballot_id, func.sum(Vote.points)).group_by(Vote.ballot_id)
    ):
        used_by_votes[ballot_id] = int(points)
    ballots = db.session.scalars(select(Ballot).where(Ballot.campaign_id == campaign.id)).all()
    ballots_ok = all(
        b.used == used_by_votes.get(b.id, 0) and 0 <= b.used <= b.budget for b in ballots
    )
    return AuditReport(from_log, stored, ballots_ok)


def organizations_with_votes_left(campaign: Campaign) -> list[Organization]:
    """Active organisations whose ballot is not fully used (or not yet opened)."""
    used = dict(
        db.session.execute(
            select(Ballot.organization_id, Ballot.used).where(Ballot.campaign_id == campaign.id)
        ).all()
    )
    organizations = db.session.scalars(
        select(Organization).where(Organization.active).order_by(Organization.id)
    ).all()
    return [o for o in organizations if used.get(o.id, 0) < campaign.votes_per_organization]
