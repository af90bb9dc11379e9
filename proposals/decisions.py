"""Status decisions on proposals, each with an official answer.

Moderators and organisers decide; the organisations concerned (authors, confirmed
partners, and those that voted for the proposal) are told, in their own language.
The workflow follows the calendar of a consultation:

* once submissions have closed (review, voting): submitted → accepted for the vote, or
  not accepted; a decision can be undone (back to submitted, or to the other answer),
  and undoing needs a reason, kept in the audit log;
* once voting has closed: accepted → shortlisted or not selected (and back, with a
  reason). Not accepting is no longer possible then: returning the points would change
  results that organisations can no longer act on.

A proposal that is not accepted takes no votes: the points on it go back to the
ballots (``voting.release_votes``) and those organisations are told. Shortlisted and
not-selected proposals keep their votes: they are the result.

Not accepting and not selecting need an official answer (Turkish and/or English):
the organisations deserve to know why. ``decide`` flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from auth.audit import record, snapshot
from auth.errors import DomainError
from auth.models import Organization, User
from auth.permissions import Permission, can
from extensions import db
from proposals import voting
from proposals.labels import label
from proposals.models import PartnershipState, Phase, Proposal, ProposalState, Vote
from proposals.notifications import members_of, notify

S = ProposalState
DECIDABLE_STATES = (S.submitted, S.accepted, S.not_accepted, S.shortlisted, S.not_selected)
NEEDS_ANSWER = frozenset({S.not_accepted, S.not_selected})
ANSWER_MAX = 5000

_REVIEW = frozenset({Phase.review, Phase.voting})
_AFTER_SUBMISSION = frozenset({Phase.review, Phase.voting, Phase.closed})
_CLOSED = frozenset({Phase.closed})


@dataclass(frozen=True)
class Rule:
    phases: frozenset[Phase]
    undo: bool = False  # changes an earlier decision: a reason is required


# (from, to) → when it is possible. Anything not listed is impossible.
TRANSITIONS: dict[tuple[ProposalState, ProposalState], Rule] = {
    (S.submitted, S.accepted): Rule(_AFTER_SUBMISSION),
    (S.submitted, S.not_accepted): Rule(_REVIEW),
    (S.accepted, S.submitted): Rule(_REVIEW, undo=True),
    (S.not_accepted, S.submitted): Rule(_REVIEW, undo=True),
    (S.accepted, S.not_accepted): Rule(_REVIEW, undo=True),
    (S.not_accepted, S.accepted): Rule(_AFTER_SUBMISSION, undo=True),
    (S.accepted, S.shortlisted): Rule(_CLOSED),
    (S.accepted, S.not_selected): Rule(_CLOSED),
    (S.shortlisted, S.accepted): Rule(_CLOSED, undo=True),
    (S.not_selected, S.accepted): Rule(_CLOSED, undo=True),
    (S.shortlisted, S.not_selected): Rule(_CLOSED, undo=True),
    (S.not_selected, S.shortlisted): Rule(_CLOSED, undo=True),
}

AUDITED = ("state", "answer_tr", "answer_en", "answered_at", "answered_by_id")

KIND = {
    S.submitted: "decision_reopened",
    S.accepted: "decision_accepted",
    S.not_accepted: "decision_not_accepted",
    S.shortlisted: "decision_shortlisted",
    S.not_selected: "decision_not_selected",
}


def may_decide(user: object) -> bool:
    return can(user, Permission.moderate)


def is_decidable(proposal: Proposal) -> bool:
    """Drafts, withdrawn and merged proposals take no decision."""
    return proposal.state in DECIDABLE_STATES


def possible_states(proposal: Proposal, now: datetime) -> list[ProposalState]:
    """The statuses the decision form offers now, the current one first (to edit the answer)."""
    if not is_decidable(proposal) or proposal.campaign.phase(now) not in _AFTER_SUBMISSION:
        return []
    phase = proposal.campaign.phase(now)
    return [proposal.state] + [
        to
        for to in DECIDABLE_STATES
        if (rule := TRANSITIONS.get((proposal.state, to))) is not None and phase in rule.phases
    ]


def needs_reason(current: ProposalState, state: ProposalState) -> bool:
    rule = TRANSITIONS.get((current, state))
    return bool(rule and rule.undo)


@dataclass
class Decided:
    """The decision taken: the organisations whose points went back to their ballots."""

    proposal: Proposal
    previous: ProposalState
    returned_to: list[int] = field(default_factory=list)


def decide(
    proposal: Proposal,
    state: ProposalState,
    actor: User,
    now: datetime,
    *,
    answer_tr: str = "",
    answer_en: str = "",
    reason: str = "",
) -> Decided:
    """Set the proposal's status with its official answer; audit and notify.

    Raises a DomainError naming the form field (``state``, ``answer_tr``, ``reason``)
    when the decision is not possible.
    """
    if not may_decide(actor):
        raise DomainError(_l("Only moderators and organisers decide on proposals."))
    # Two moderators deciding at once: the second one waits here and sees the first's status.
    db.session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())
    db.session.refresh(proposal)
    answer_tr, answer_en, reason = answer_tr.strip(), answer_en.strip(), reason.strip()
    current = proposal.state
    if not is_decidable(proposal):
        raise DomainError(
            _l("A draft, a withdrawn or a merged proposal takes no decision."), "state"
        )
    if state not in DECIDABLE_STATES:
        raise DomainError(_l("Choose one of the statuses offered."), "state")
    phase = proposal.campaign.phase(now)
    if phase not in _AFTER_SUBMISSION:
        raise DomainError(_l("Decisions are made once submissions have closed."), "state")
    if state != current:
        rule = TRANSITIONS.get((current, state))
        if rule is None or phase not in rule.phases:
            raise DomainError(
                _l(
                    "A proposal that is “%(current)s” cannot become “%(wanted)s” now.",
                    current=label("state", current),
                    wanted=label("state", state),
                ),
                "state",
            )
    if len(answer_tr) > ANSWER_MAX or len(answer_en) > ANSWER_MAX:
        field_name = "answer_tr" if len(answer_tr) > ANSWER_MAX else "answer_en"
        raise DomainError(_l("At most %(n)d characters.", n=ANSWER_MAX), field_name)
    if state in NEEDS_ANSWER and not (answer_tr or answer_en):
        raise DomainError(
            _l(
                "Give the official answer in Turkish or in English: the organisations are told why."
            ),
            "answer_tr",
        )
    if needs_reason(current, state) and not reason:
        raise DomainError(_l("Say why the earlier decision is changed."), "reason")
    unchanged = (answer_tr, answer_en) == (proposal.answer_tr, proposal.answer_en)
    if state == current and unchanged:
        raise DomainError(
            _l("Nothing would change: choose another status or edit the answer."), "state"
        )

    before = snapshot(proposal, AUDITED)
    voters = list(
        db.session.scalars(
            select(Vote.organization_id).where(Vote.proposal_id == proposal.id).distinct()
        )
    )
    proposal.state = state
    proposal.answer_tr = answer_tr
    proposal.answer_en = answer_en
    proposal.answered_at = now
    proposal.answered_by_id = actor.id
    decided = Decided(proposal, current)
    if state == S.not_accepted and current != state:
        decided.returned_to = voting.release_votes(proposal, now, actor)
    db.session.flush()
    record(
        actor,
        "proposal.decide",
        proposal,
        before=before,
        after={
            **snapshot(proposal, AUDITED),
            "reason": reason,
            "votes_returned_to": len(decided.returned_to),
        },
    )
    _notify(proposal, current, actor, now, voters, decided.returned_to)
    return decided


def _notify(
    proposal: Proposal,
    previous: ProposalState,
    actor: User,
    now: datetime,
    voters: list[int],
    returned_to: list[int],
) -> None:
    """Authors, confirmed partners and voters, each person once."""
    kind = "decision_answer" if proposal.state == previous else KIND[proposal.state]
    returned = set(returned_to)
    if returned:
        organizations = db.session.scalars(
            select(Organization).where(Organization.id.in_(returned)).order_by(Organization.id)
        ).all()
        told = members_of(organizations, exclude=actor)
        notify(
            told,
            "decision_votes_returned",
            params={"title": proposal.title},
            proposal=proposal,
            now=now,
        )
    else:
        told = []
    partners = [
        p.organization for p in proposal.partnerships if p.state == PartnershipState.confirmed
    ]
    others = set(voters) - returned
    voting_organizations = (
        db.session.scalars(select(Organization).where(Organization.id.in_(others))).all()
        if others
        else []
    )
    already = {u.id for u in told}
    people = [
        u
        for u in members_of(
            [proposal.organization, *partners, *voting_organizations], exclude=actor
        )
        if u.id not in already
    ]
    notify(people, kind, params={"title": proposal.title}, proposal=proposal, now=now)
