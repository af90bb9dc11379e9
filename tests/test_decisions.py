# ruff: noqa: F811 - the shared fixtures are imported from tests/voting_helpers.py
"""Status decisions without HTTP: which transitions are possible in which phase, the
official answer they carry, undoing with a reason, the votes of a proposal that is not
accepted going back to the ballots, the audit entry and who is told, in which language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from auth.errors import DomainError
from auth.models import AuditEntry, Notification, Organization, User
from extensions import db
from proposals import decisions, voting
from proposals.models import (
    Ballot,
    Campaign,
    PartnershipState,
    Proposal,
    ProposalState,
    Vote,
    VoteAction,
    VoteLogEntry,
)
from proposals.notifications import message
from tests.conftest import Clock
from tests.people_helpers import tr
from tests.voting_helpers import attempt, make_proposal, org_c, voting_campaign  # noqa: F401

S = ProposalState


def windows(clock: Clock, phase: str) -> dict[str, Any]:
    now, day = clock.now, timedelta(days=1)
    starts = {
        "submission": (-1, 10, 12, 20),
        "review": (-20, -5, 2, 10),
        "voting": (-20, -10, -1, 5),
        "closed": (-30, -20, -10, -1),
    }[phase]
    names = ("submission_opens_at", "submission_closes_at", "voting_opens_at", "voting_closes_at")
    return {name: now + n * day for name, n in zip(names, starts, strict=True)}


@pytest.fixture
def campaign_in(make_campaign: Callable[..., Campaign], clock: Clock) -> Callable[..., Campaign]:
    def make(phase: str, **kwargs: Any) -> Campaign:
        return make_campaign(**windows(clock, phase), **kwargs)

    return make


def received(user: User) -> list[str]:
    db.session.expire_all()
    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    with force_locale(user.locale):
        return [message(n) for n in notes]


def refusal(call: Callable[[], Any]) -> tuple[str, str | None]:
    with pytest.raises(DomainError) as refused:
        call()
    db.session.rollback()
    return refused.value.message, refused.value.field


def test_accepting_in_review_records_the_answer_audits_and_tells_authors_and_partners(
    campaign_in: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    rep_a: User,
    rep_b: User,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = campaign_in("review")
    proposal = make_proposal(
        campaign,
        org_a,
        title="Mor Bank",
        partners=((org_b, PartnershipState.confirmed), (org_c, PartnershipState.pending)),
    )
    pending = make_user(organization=org_c)
    english = make_user(organization=org_b, locale="en")
    assert decisions.possible_states(proposal, clock.now) == [
        S.submitted,
        S.accepted,
        S.not_accepted,
    ]

    decided = decisions.decide(
        proposal, S.accepted, moderator, clock.now, answer_tr="  Oylamaya alındı.  "
    )
    db.session.commit()
    db.session.expire_all()
    assert decided.returned_to == []
    assert (proposal.state, proposal.answer_tr, proposal.answer_en) == (
        S.accepted,
        "Oylamaya alındı.",
        "",
    )
    assert (proposal.answered_at, proposal.answered_by_id) == (clock.now, moderator.id)
    assert proposal.answer("en") == "Oylamaya alındı."  # falls back to the other language
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "proposal.decide"))
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        moderator.id,
        "Proposal",
        proposal.id,
    )
    assert entry.before["state"] == "submitted" and entry.after["state"] == "accepted"
    assert entry.after["answer_tr"] == "Oylamaya alındı."
    accepted = "“%(title)s” was accepted for the vote."
    assert received(rep_a) == [tr(accepted, title="Mor Bank")]
    assert received(rep_b) == [tr(accepted, title="Mor Bank")]
    with force_locale("en"):
        assert received(english) == [accepted % {"title": "Mor Bank"}]
    assert received(pending) == []  # a pending partner is not a partner yet
    assert received(moderator) == []


def test_not_accepting_needs_an_answer_and_returns_the_votes(
    voting_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    rep_a: User,
    rep_b: User,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = voting_campaign(votes_per_organization=2)
    proposal = make_proposal(campaign, org_a, title="Mor Bank")
    other = make_proposal(campaign, org_a, title="Turuncu")
    rep_c = make_user(organization=org_c, locale="en")
    assert attempt(proposal, rep_b, 1, clock.now) == 1
    assert attempt(other, rep_b, 1, clock.now) == 0
    assert attempt(proposal, rep_c, 1, clock.now) == 1

    assert refusal(lambda: decisions.decide(proposal, S.not_accepted, moderator, clock.now)) == (
        tr("Give the official answer in Turkish or in English: the organisations are told why."),
        "answer_tr",
    )
    decided = decisions.decide(
        proposal, S.not_accepted, moderator, clock.now, answer_en="Outside the campaign's topic."
    )
    db.session.commit()
    assert sorted(decided.returned_to) == sorted([org_b.id, org_c.id])
    db.session.expire_all()
    assert db.session.scalars(select(Vote.proposal_id)).all() == [other.id]
    used = dict(db.session.execute(select(Ballot.organization_id, Ballot.used)).all())
    assert used == {org_b.id: 1, org_c.id: 0}  # the point is free again
    returned = db.session.execute(
        select(VoteLogEntry.organization_id, VoteLogEntry.delta, VoteLogEntry.user_id).where(
            VoteLogEntry.action == VoteAction.returned
        )
    ).all()
    assert sorted(returned) == sorted([(org_b.id, -1, moderator.id), (org_c.id, -1, moderator.id)])
    assert voting.audit(campaign).ok
    assert attempt(proposal, rep_b, 1, clock.now) == tr("This proposal is not in the vote.")
    # The voters are told their points came back; the author that it was not accepted.
    assert received(rep_b) == [
        tr(
            "“%(title)s” was not accepted for the vote; your organisation's points for it went "
            "back to your ballot. The official answer is on its page.",
            title="Mor Bank",
        )
    ]
    with force_locale("en"):
        assert received(rep_c)[0].startswith("“Mor Bank” was not accepted for the vote; your")
    assert received(rep_a) == [
        tr(
            "“%(title)s” was not accepted for the vote. The official answer is on its page.",
            title="Mor Bank",
        )
    ]


def test_undoing_a_decision_needs_a_reason_kept_in_the_audit_log(
    campaign_in: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_a: User,
    organizer: User,
    clock: Clock,
) -> None:
    proposal = make_proposal(campaign_in("review"), org_a, title="Mor Bank")
    decisions.decide(proposal, S.not_accepted, organizer, clock.now, answer_tr="Konu dışı.")
    db.session.commit()
    assert decisions.possible_states(proposal, clock.now) == [
        S.not_accepted,
        S.submitted,
        S.accepted,
    ]
    assert refusal(lambda: decisions.decide(proposal, S.submitted, organizer, clock.now)) == (
        tr("Say why the earlier decision is changed."),
        "reason",
    )
    decisions.decide(proposal, S.submitted, organizer, clock.now, reason="Yanlış değerlendirme")
    db.session.commit()
    db.session.expire_all()
    assert (proposal.state, proposal.answer_tr) == (S.submitted, "")
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "proposal.decide").order_by(AuditEntry.id)
    ).all()[-1]
    assert entry.before["state"] == "not_accepted"
    assert entry.after["reason"] == "Yanlış değerlendirme"
    assert received(rep_a)[-1] == tr(
        "The decision on “%(title)s” was withdrawn: it is under review again.", title="Mor Bank"
    )


@pytest.mark.parametrize(
    ("phase", "start", "wanted", "allowed"),
    [
        ("submission", S.submitted, S.accepted, False),
        ("review", S.submitted, S.accepted, True),
        ("review", S.submitted, S.shortlisted, False),
        ("review", S.accepted, S.not_selected, False),
        ("voting", S.submitted, S.not_accepted, True),
        ("voting", S.accepted, S.shortlisted, False),
        ("closed", S.accepted, S.shortlisted, True),
        ("closed", S.accepted, S.not_selected, True),
        ("closed", S.submitted, S.not_accepted, False),  # the result would change
        ("closed", S.submitted, S.accepted, True),
        ("closed", S.shortlisted, S.submitted, False),
        ("closed", S.not_selected, S.not_accepted, False),
    ],
)
def test_which_transitions_are_possible_when(
    campaign_in: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    moderator: User,
    clock: Clock,
    phase: str,
    start: ProposalState,
    wanted: ProposalState,
    allowed: bool,
) -> None:
    proposal = make_proposal(campaign_in(phase), org_a, state=start, title="Öneri")
    assert (wanted in decisions.possible_states(proposal, clock.now)) is allowed

    def decide() -> Any:
        return decisions.decide(
            proposal, wanted, moderator, clock.now, answer_tr="Yanıt", reason="Düzeltme"
        )

    if allowed:
        decide()
        db.session.commit()
        assert proposal.state == wanted
    else:
        message_text, field = refusal(decide)
        assert field == "state"
        if phase == "submission":
            assert message_text == tr("Decisions are made once submissions have closed.")
        else:
            assert message_text == tr(
                "A proposal that is “%(current)s” cannot become “%(wanted)s” now.",
                current=tr(decisions.label("state", start)),
                wanted=tr(decisions.label("state", wanted)),
            )
        db.session.expire_all()
        assert proposal.state == start


@pytest.mark.parametrize("state", [S.draft, S.withdrawn, S.merged])
def test_drafts_withdrawn_and_merged_proposals_take_no_decision(
    campaign_in: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    moderator: User,
    clock: Clock,
    state: ProposalState,
) -> None:
    proposal = make_proposal(campaign_in("review"), org_a, state=state)
    assert decisions.possible_states(proposal, clock.now) == []
    assert refusal(lambda: decisions.decide(proposal, S.accepted, moderator, clock.now)) == (
        tr("A draft, a withdrawn or a merged proposal takes no decision."),
        "state",
    )


def test_shortlisting_keeps_the_votes_they_are_the_result(
    make_campaign: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    rep_a: User,
    rep_b: User,
    moderator: User,
    clock: Clock,
) -> None:
    campaign = make_campaign(**windows(clock, "voting"))
    chosen = make_proposal(campaign, org_a, title="Seçilen", state=S.accepted)
    dropped = make_proposal(campaign, org_a, title="Seçilmeyen", state=S.accepted)
    attempt(chosen, rep_b, 1, clock.now)
    attempt(dropped, rep_b, 1, clock.now)
    clock.advance(days=6)  # voting closed
    decisions.decide(chosen, S.shortlisted, moderator, clock.now)
    db.session.commit()
    assert refusal(lambda: decisions.decide(dropped, S.not_selected, moderator, clock.now))[1] == (
        "answer_tr"
    )
    decisions.decide(dropped, S.not_selected, moderator, clock.now, answer_tr="Puan yetmedi.")
    db.session.commit()
    tallies = voting.tallies(campaign)
    assert (tallies[chosen.id].points, tallies[dropped.id].points) == (1, 1)
    assert received(rep_a) == [
        tr("“%(title)s” was shortlisted.", title="Seçilen"),
        tr("“%(title)s” was not selected. The official answer is on its page.", title="Seçilmeyen"),
    ]
    # Voters hear of it too.
    assert len(received(rep_b)) == 2


def test_changing_only_the_answer_and_changing_nothing(
    campaign_in: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_a: User,
    moderator: User,
    clock: Clock,
) -> None:
    proposal = make_proposal(campaign_in("review"), org_a, title="Mor Bank", state=S.accepted)
    decisions.decide(proposal, S.accepted, moderator, clock.now, answer_tr="Kabul edildi.")
    db.session.commit()
    assert received(rep_a) == [
        tr("The official answer on “%(title)s” was updated.", title="Mor Bank")
    ]
    assert refusal(
        lambda: decisions.decide(
            proposal, S.accepted, moderator, clock.now, answer_tr="Kabul edildi."
        )
    ) == (tr("Nothing would change: choose another status or edit the answer."), "state")


def test_only_moderators_and_organisers_decide(
    campaign_in: Callable[..., Campaign],
    make_proposal: Callable[..., Proposal],
    org_a: Organization,
    rep_b: User,
    clock: Clock,
) -> None:
    proposal = make_proposal(campaign_in("review"), org_a)
    assert refusal(lambda: decisions.decide(proposal, S.accepted, rep_b, clock.now)) == (
        tr("Only moderators and organisers decide on proposals."),
        None,
    )
    db.session.expire_all()
    assert proposal.state == S.submitted


def test_every_notification_kind_fits_the_outbox() -> None:
    """A mail's kind is "notification.<kind>" in a column of limited length: PostgreSQL
    refuses a longer one (and the whole decision or merge with it), SQLite would not."""
    from auth.models import OutboxMessage
    from proposals.notifications import KINDS

    limit = OutboxMessage.__table__.c.kind.type.length
    assert [kind for kind in KINDS if len(f"notification.{kind}") > limit] == []
    assert {"decision_votes_returned", "merge_votes_now_partner", "unmerge_votes_short"} <= set(
        KINDS
    )
