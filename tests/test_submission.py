"""The rules of writing proposals, without HTTP: drafts, submission, partners, edits with
versions, withdrawal, validation and who may do what when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from auth.errors import DomainError
from auth.models import AuditEntry, Notification, NotificationMode, OutboxMessage, Role, User
from extensions import db
from proposals import history, submission
from proposals.models import (
    ActivityType,
    Campaign,
    Partnership,
    PartnershipState,
    Proposal,
    ProposalState,
    ProposalVersion,
)
from proposals.notifications import notify_partnership_requests
from proposals.submission import ProposalFields
from tests.conftest import Clock


def complete(**overrides: Any) -> ProposalFields:
    values: dict[str, Any] = {
        "title": "Mor Bank: İZMİR sokaklarında farkındalık",
        "summary": "Karşıyaka'da bir hafta boyunca mor banklar.",
        "description": "Banklar boyanır, yanlarına **destek hattı** bilgisi konur.",
        "activity_type": ActivityType.public_campaign,
        "target_group": "Genç kadınlar",
        "district": "Karşıyaka",
        "proposed_date": date(2026, 11, 25),
        "expected_participants": 200,
        "estimated_budget": 15_000,
    }
    values.update(overrides)
    return ProposalFields(**values)


def count(model: type, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def campaign(make_campaign: Callable[..., Campaign]) -> Campaign:
    return make_campaign()


@pytest.fixture
def submitted(campaign: Campaign, rep_a: User, clock: Clock) -> Proposal:
    proposal = submission.save_draft(campaign, rep_a, complete(), clock.now)
    submission.submit(proposal, rep_a, clock.now)
    db.session.commit()
    return proposal


def close_window(campaign: Campaign, clock: Clock) -> None:
    clock.now = campaign.submission_closes_at + timedelta(minutes=1)


# --- drafts -----------------------------------------------------------------------------


def test_an_incomplete_draft_is_saved_as_a_draft(
    campaign: Campaign, rep_a: User, clock: Clock
) -> None:
    proposal = submission.save_draft(
        campaign, rep_a, ProposalFields(title="  Yarım kalmış IŞIK atölyesi "), clock.now
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Proposal, proposal.id)
    assert stored.state == ProposalState.draft
    assert stored.title == "Yarım kalmış IŞIK atölyesi"
    assert stored.summary == ""
    assert stored.organization_id == rep_a.organization_id
    assert stored.created_by_id == rep_a.id
    assert stored.submitted_at is None
    assert stored.versions == []  # versions start with submission
    assert "ışık" in stored.search_text


def test_a_creation_key_makes_one_draft_however_often_it_is_saved(
    campaign: Campaign, rep_a: User, make_user: Callable[..., User], clock: Clock
) -> None:
    colleague = make_user(organization=rep_a.organization)
    first = submission.save_draft(
        campaign, rep_a, ProposalFields(title="Bir"), clock.now, creation_key="k-1"
    )
    for n, writer in enumerate([rep_a, colleague, rep_a], start=2):
        again = submission.save_draft(
            campaign, writer, ProposalFields(title=f"Bir {n}"), clock.now, creation_key="k-1"
        )
        assert again.id == first.id
    db.session.commit()
    assert count(Proposal) == 1
    assert db.session.get(Proposal, first.id).title == "Bir 4"


def test_another_organisation_cannot_reuse_a_creation_key(
    campaign: Campaign, rep_a: User, rep_b: User, clock: Clock
) -> None:
    submission.save_draft(campaign, rep_a, ProposalFields(title="A"), clock.now, creation_key="k")
    with pytest.raises(DomainError):
        submission.save_draft(
            campaign, rep_b, ProposalFields(title="B"), clock.now, creation_key="k"
        )
    assert db.session.scalars(select(Proposal.title)).all() == ["A"]


def test_drafts_are_visible_to_their_organisation_only(
    campaign: Campaign, rep_a: User, rep_b: User, make_user: Callable[..., User], clock: Clock
) -> None:
    draft = submission.save_draft(campaign, rep_a, ProposalFields(title="Gizli"), clock.now)
    colleague = make_user(organization=rep_a.organization)
    moderator = make_user(Role.moderator)
    assert draft.can_view(rep_a) and draft.can_view(colleague)
    assert not draft.can_view(rep_b)
    assert not draft.can_view(moderator)
    assert submission.may_edit(draft, colleague, clock.now)
    assert not submission.may_edit(draft, rep_b, clock.now)
    assert not submission.may_edit(draft, moderator, clock.now)  # drafts are not published


@pytest.mark.parametrize("role", [Role.moderator, Role.organizer])
def test_people_without_an_organisation_cannot_propose(
    campaign: Campaign, make_user: Callable[..., User], clock: Clock, role: Role
) -> None:
    user = make_user(role)
    assert not submission.may_propose(campaign, user, clock.now)
    with pytest.raises(DomainError):
        submission.save_draft(campaign, user, ProposalFields(title="X"), clock.now)
    assert count(Proposal) == 0


@pytest.mark.parametrize("when", ["upcoming", "review", "closed"])
def test_proposals_are_written_only_in_the_submission_window(
    make_campaign: Callable[..., Campaign], rep_a: User, clock: Clock, when: str
) -> None:
    now = clock.now
    windows = {
        "upcoming": {
            "submission_opens_at": now + timedelta(days=1),
            "submission_closes_at": now + timedelta(days=5),
        },
        "review": {
            "submission_opens_at": now - timedelta(days=5),
            "submission_closes_at": now - timedelta(days=1),
        },
        "closed": {
            "submission_opens_at": now - timedelta(days=40),
            "submission_closes_at": now - timedelta(days=30),
            "voting_opens_at": now - timedelta(days=20),
            "voting_closes_at": now - timedelta(days=10),
        },
    }[when]
    campaign = make_campaign(**windows)
    assert campaign.phase(now).value == when
    assert not submission.may_propose(campaign, rep_a, now)
    with pytest.raises(DomainError):
        submission.save_draft(campaign, rep_a, complete(), now)
    assert count(Proposal) == 0


def test_a_member_of_an_inactive_organisation_cannot_propose(
    campaign: Campaign, rep_a: User, clock: Clock
) -> None:
    rep_a.organization.active = False
    db.session.commit()
    assert not submission.may_propose(campaign, rep_a, clock.now)


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "x" * 121}, "title"),
        ({"summary": "x" * 501}, "summary"),
        ({"district": "Kadıköy"}, "district"),
        ({"district": "karşıyaka"}, "district"),
        ({"expected_participants": -1}, "expected_participants"),
        ({"expected_participants": 1_000_001}, "expected_participants"),
        ({"estimated_budget": -5}, "estimated_budget"),
        ({"estimated_budget": 10**12}, "estimated_budget"),
    ],
)
def test_out_of_range_values_are_refused_next_to_their_field(
    campaign: Campaign, rep_a: User, clock: Clock, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        submission.save_draft(campaign, rep_a, complete(**changes), clock.now)
    assert refused.value.field == field
    assert refused.value.message


def test_the_limits_themselves_are_accepted(campaign: Campaign, rep_a: User, clock: Clock) -> None:
    fields = complete(
        title="T" * 120,
        summary="S" * 500,
        district=submission.ONLINE,
        expected_participants=submission.PARTICIPANTS_MAX,
        estimated_budget=0,
    )
    proposal = submission.save_draft(campaign, rep_a, fields, clock.now)
    submission.submit(proposal, rep_a, clock.now)
    assert proposal.state == ProposalState.submitted
    assert len(proposal.title) == 120


# --- submission -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing", ["title", "summary", "description", "activity_type", "district"]
)
def test_submitting_an_incomplete_draft_names_the_missing_field(
    campaign: Campaign, rep_a: User, clock: Clock, missing: str
) -> None:
    blank: Any = None if missing == "activity_type" else "   " if missing != "district" else ""
    draft = submission.save_draft(campaign, rep_a, complete(**{missing: blank}), clock.now)
    with pytest.raises(DomainError) as refused:
        submission.submit(draft, rep_a, clock.now)
    assert refused.value.field == missing
    assert draft.state == ProposalState.draft
    assert draft.versions == []


def test_submitting_publishes_version_one_and_asks_partners(
    campaign: Campaign, rep_a: User, org_b: Any, clock: Clock
) -> None:
    draft = submission.save_draft(campaign, rep_a, complete(partner_ids=[org_b.id]), clock.now)
    clock.advance(hours=1)
    requests = submission.submit(draft, rep_a, clock.now)
    db.session.commit()
    db.session.expire_all()
    proposal = db.session.get(Proposal, draft.id)
    assert proposal.state == ProposalState.submitted
    assert proposal.submitted_at == clock.now
    assert [v.number for v in proposal.versions] == [1]
    version = proposal.versions[0]
    assert version.edited_by_id == rep_a.id
    assert version.edited_at == clock.now
    assert version.fields["title"] == "Mor Bank: İZMİR sokaklarında farkındalık"
    assert version.fields["proposed_date"] == "2026-11-25"
    assert version.fields["activity_type"] == "public_campaign"
    assert [(p.organization_id, p.state) for p in requests] == [
        (org_b.id, PartnershipState.pending)
    ]
    # Asked, not yet a partner.
    assert proposal.confirmed_partners() == []
    assert count(AuditEntry, AuditEntry.action == "proposal.submit") == 1


def test_a_proposal_cannot_be_submitted_twice_or_by_another_organisation(
    campaign: Campaign, rep_a: User, rep_b: User, clock: Clock
) -> None:
    draft = submission.save_draft(campaign, rep_a, complete(), clock.now)
    with pytest.raises(DomainError):
        submission.submit(draft, rep_b, clock.now)
    submission.submit(draft, rep_a, clock.now)
    with pytest.raises(DomainError):
        submission.submit(draft, rep_a, clock.now)
    assert len(draft.versions) == 1


def test_a_draft_cannot_be_submitted_after_the_window(
    campaign: Campaign, rep_a: User, clock: Clock
) -> None:
    draft = submission.save_draft(campaign, rep_a, complete(), clock.now)
    close_window(campaign, clock)
    with pytest.raises(DomainError):
        submission.submit(draft, rep_a, clock.now)
    assert draft.state == ProposalState.draft


def test_partners_are_notified_by_their_preference(
    campaign: Campaign,
    rep_a: User,
    org_b: Any,
    make_user: Callable[..., User],
    clock: Clock,
) -> None:
    right_away = make_user(organization=org_b, email="hemen@b.example")
    daily = make_user(
        organization=org_b, email="gunluk@b.example", notification_mode=NotificationMode.daily
    )
    silent = make_user(
        organization=org_b, email="sessiz@b.example", notification_mode=NotificationMode.off
    )
    english = make_user(organization=org_b, email="en@b.example", locale="en")
    gone = make_user(organization=org_b, email="ayrildi@b.example", active=False)
    draft = submission.save_draft(campaign, rep_a, complete(partner_ids=[org_b.id]), clock.now)
    notify_partnership_requests(submission.submit(draft, rep_a, clock.now), clock.now)
    db.session.commit()

    notified = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert [n.user_id for n in notified] == [right_away.id, daily.id, silent.id, english.id]
    assert {n.kind for n in notified} == {"partnership_request"}
    assert all(n.link.endswith(f"/proposals/{draft.id}") for n in notified)
    assert notified[0].params["title"] == draft.title
    assert notified[0].params["organization"] == rep_a.organization.name
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert sorted(m.to_address for m in mails) == ["en@b.example", "hemen@b.example"]
    assert gone.id not in {n.user_id for n in notified}
    # Nobody of the author organisation is told about their own request.
    assert rep_a.id not in {n.user_id for n in notified}
    by_address = {m.to_address: m for m in mails}
    assert draft.title in by_address["hemen@b.example"].subject
    assert by_address["en@b.example"].locale == "en"
    assert f"/proposals/{draft.id}" in by_address["hemen@b.example"].body_text
    # The daily reader waits for the digest; the one who wants nothing is never mailed.
    mailed = {n.user_id: n.mailed_at for n in notified}
    assert mailed[daily.id] is None
    assert mailed[silent.id] is not None


def test_a_partnership_counts_once_confirmed(
    submitted: Proposal, rep_a: User, rep_b: User, org_b: Any, clock: Clock
) -> None:
    requests = submission.edit(submitted, rep_a, complete(partner_ids=[org_b.id]), clock.now)
    assert [p.organization_id for p in requests] == [org_b.id]
    partnership = requests[0]
    assert submitted.confirmed_partners() == []
    submission.decide_partnership(partnership, rep_b, True, clock.now)
    assert partnership.state == PartnershipState.confirmed
    assert partnership.decided_by == rep_b
    assert partnership.decided_at == clock.now
    assert submitted.confirmed_partners() == [org_b]
    # They may change their mind.
    submission.decide_partnership(partnership, rep_b, False, clock.now)
    assert partnership.state == PartnershipState.declined
    assert submitted.confirmed_partners() == []


@pytest.mark.parametrize("who", ["author", "third", "moderator", "organizer"])
def test_only_members_of_the_invited_organisation_answer(
    submitted: Proposal,
    rep_a: User,
    org_b: Any,
    make_org: Callable[..., Any],
    make_user: Callable[..., User],
    clock: Clock,
    who: str,
) -> None:
    (partnership,) = submission.edit(submitted, rep_a, complete(partner_ids=[org_b.id]), clock.now)
    user = {
        "author": lambda: rep_a,
        "third": lambda: make_user(organization=make_org()),
        "moderator": lambda: make_user(Role.moderator),
        "organizer": lambda: make_user(Role.organizer),
    }[who]()
    with pytest.raises(DomainError):
        submission.decide_partnership(partnership, user, True, clock.now)
    assert partnership.state == PartnershipState.pending


def test_a_draft_cannot_take_partners_yet(
    campaign: Campaign, rep_a: User, rep_b: User, org_b: Any, clock: Clock
) -> None:
    draft = submission.save_draft(campaign, rep_a, complete(partner_ids=[org_b.id]), clock.now)
    (partnership,) = draft.partnerships
    with pytest.raises(DomainError):
        submission.decide_partnership(partnership, rep_b, True, clock.now)
    assert partnership.state == PartnershipState.pending


def test_the_author_cannot_be_its_own_partner_and_inactive_orgs_are_skipped(
    campaign: Campaign, rep_a: User, org_a: Any, make_org: Callable[..., Any], clock: Clock
) -> None:
    closed = make_org(active=False)
    draft = submission.save_draft(
        campaign, rep_a, complete(partner_ids=[org_a.id, closed.id]), clock.now
    )
    assert draft.partnerships == []


# --- editing ----------------------------------------------------------------------------


def test_any_member_edits_during_the_window_and_each_edit_is_a_version(
    submitted: Proposal, rep_a: User, make_user: Callable[..., User], clock: Clock
) -> None:
    colleague = make_user(organization=rep_a.organization)
    clock.advance(hours=2)
    submission.edit(submitted, colleague, complete(summary="Yeni özet."), clock.now)
    clock.advance(hours=1)
    submission.edit(
        submitted, rep_a, complete(summary="Daha yeni özet.", title="Mor Bank"), clock.now
    )
    db.session.commit()
    db.session.expire_all()
    versions = db.session.scalars(
        select(ProposalVersion)
        .where(ProposalVersion.proposal_id == submitted.id)
        .order_by(ProposalVersion.number)
    ).all()
    assert [(v.number, v.edited_by_id, v.reason) for v in versions] == [
        (1, rep_a.id, ""),
        (2, colleague.id, ""),
        (3, rep_a.id, ""),
    ]
    assert versions[1].edited_at == versions[0].edited_at + timedelta(hours=2)
    assert [v.fields["summary"] for v in versions] == [
        "Karşıyaka'da bir hafta boyunca mor banklar.",
        "Yeni özet.",
        "Daha yeni özet.",
    ]
    proposal = db.session.get(Proposal, submitted.id)
    assert proposal.title == "Mor Bank"
    assert "daha yeni özet" in proposal.search_text


def test_an_edit_that_changes_nothing_makes_no_version(
    submitted: Proposal, rep_a: User, clock: Clock
) -> None:
    clock.advance(hours=1)
    assert submission.edit(submitted, rep_a, complete(), clock.now) == []
    # Whitespace the form adds around the title is not a change either.
    submission.edit(submitted, rep_a, complete(title=f"  {submitted.title}  "), clock.now)
    db.session.commit()
    assert count(ProposalVersion) == 1


def test_the_history_shows_word_differences(submitted: Proposal, rep_a: User, clock: Clock) -> None:
    submission.edit(
        submitted,
        rep_a,
        complete(summary="Karşıyaka'da iki hafta boyunca mor banklar.", expected_participants=250),
        clock.now,
    )
    newest, first = history.history(submitted)
    assert first.changes == []
    assert {c.name for c in newest.changes} == {"summary", "expected_participants"}
    summary = next(c for c in newest.changes if c.name == "summary")
    assert str(summary.diff) == (
        "Karşıyaka&#39;da <del>bir</del><ins>iki</ins> hafta boyunca mor banklar."
    )


def test_word_diff_escapes_what_users_wrote() -> None:
    diff = history.word_diff("<b>eski</b> metin", "<script>yeni</script> metin")
    assert "<script>" not in diff
    assert "<b>" not in diff
    assert str(diff) == (
        "&lt;<del>b</del><ins>script</ins>&gt;<del>eski</del><ins>yeni</ins>"
        "&lt;/<del>b</del><ins>script</ins>&gt; metin"
    )


def test_after_the_window_the_organisation_may_not_edit(
    submitted: Proposal, rep_a: User, clock: Clock
) -> None:
    close_window(submitted.campaign, clock)
    assert not submission.may_edit(submitted, rep_a, clock.now)
    with pytest.raises(DomainError):
        submission.edit(submitted, rep_a, complete(title="Geç değişiklik"), clock.now)
    assert submitted.title != "Geç değişiklik"
    assert len(submitted.versions) == 1


def test_a_moderator_edits_only_with_a_reason(
    submitted: Proposal, moderator: User, clock: Clock
) -> None:
    close_window(submitted.campaign, clock)
    assert submission.may_edit(submitted, moderator, clock.now)
    assert submission.needs_reason(submitted, moderator, clock.now)
    with pytest.raises(DomainError) as refused:
        submission.edit(submitted, moderator, complete(title="Düzeltilmiş"), clock.now, "  ")
    assert refused.value.field == "reason"
    db.session.rollback()
    submission.edit(
        submitted,
        moderator,
        complete(title="Düzeltilmiş"),
        clock.now,
        reason=" Kişisel bilgi çıkarıldı. ",
    )
    db.session.commit()
    db.session.expire_all()
    proposal = db.session.get(Proposal, submitted.id)
    assert proposal.title == "Düzeltilmiş"
    assert [(v.number, v.edited_by_id, v.reason) for v in proposal.versions][-1] == (
        2,
        moderator.id,
        "Kişisel bilgi çıkarıldı.",
    )
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "proposal.moderator_edit")
    )
    assert entry.actor_id == moderator.id
    assert entry.before["title"] == "Mor Bank: İZMİR sokaklarında farkındalık"
    assert entry.after["title"] == "Düzeltilmiş"


def test_a_moderator_does_not_change_partners(
    submitted: Proposal, moderator: User, org_b: Any, clock: Clock
) -> None:
    requests = submission.edit(
        submitted, moderator, complete(partner_ids=[org_b.id]), clock.now, reason="Neden"
    )
    assert requests == []
    assert submitted.partnerships == []


def test_another_organisation_never_edits(submitted: Proposal, rep_b: User, clock: Clock) -> None:
    assert not submission.may_edit(submitted, rep_b, clock.now)
    with pytest.raises(DomainError):
        submission.edit(submitted, rep_b, complete(title="Başkası"), clock.now)


def test_drafts_are_saved_not_edited(campaign: Campaign, rep_a: User, clock: Clock) -> None:
    draft = submission.save_draft(campaign, rep_a, ProposalFields(title="D"), clock.now)
    with pytest.raises(DomainError):
        submission.edit(draft, rep_a, complete(), clock.now)


# --- withdrawal -------------------------------------------------------------------------


def test_withdraw_with_a_reason_and_undo(submitted: Proposal, rep_a: User, clock: Clock) -> None:
    submission.withdraw(submitted, rep_a, "  Bütçe bulamadık. ", clock.now)
    db.session.commit()
    assert submitted.state == ProposalState.withdrawn
    assert submitted.withdrawn_reason == "Bütçe bulamadık."
    assert submitted.withdrawn_at == clock.now
    assert submitted.is_published  # still listed, marked withdrawn
    assert not submission.may_withdraw(submitted, rep_a, clock.now)
    assert submission.may_undo_withdrawal(submitted, rep_a, clock.now)
    submission.undo_withdrawal(submitted, rep_a, clock.now)
    db.session.commit()
    assert submitted.state == ProposalState.submitted
    assert submitted.withdrawn_reason == ""
    assert submitted.withdrawn_at is None
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["proposal.withdraw", "proposal.undo_withdraw"]


def test_withdraw_without_a_reason(submitted: Proposal, rep_a: User, clock: Clock) -> None:
    submission.withdraw(submitted, rep_a, "", clock.now)
    assert submitted.state == ProposalState.withdrawn
    assert submitted.withdrawn_reason == ""


def test_undo_is_refused_after_the_window(submitted: Proposal, rep_a: User, clock: Clock) -> None:
    submission.withdraw(submitted, rep_a, "", clock.now)
    close_window(submitted.campaign, clock)
    assert not submission.may_undo_withdrawal(submitted, rep_a, clock.now)
    with pytest.raises(DomainError):
        submission.undo_withdrawal(submitted, rep_a, clock.now)
    assert submitted.state == ProposalState.withdrawn


@pytest.mark.parametrize("who", ["other_org", "moderator"])
def test_only_the_organisation_withdraws(
    submitted: Proposal, rep_b: User, moderator: User, clock: Clock, who: str
) -> None:
    user = rep_b if who == "other_org" else moderator
    with pytest.raises(DomainError):
        submission.withdraw(submitted, user, "", clock.now)
    assert submitted.state == ProposalState.submitted


def test_a_draft_or_a_closed_window_cannot_be_withdrawn(
    campaign: Campaign, submitted: Proposal, rep_a: User, clock: Clock
) -> None:
    draft = submission.save_draft(campaign, rep_a, complete(), clock.now)
    assert not submission.may_withdraw(draft, rep_a, clock.now)
    close_window(campaign, clock)
    with pytest.raises(DomainError):
        submission.withdraw(submitted, rep_a, "", clock.now)


def test_a_withdrawn_proposal_is_not_edited(submitted: Proposal, rep_a: User, clock: Clock) -> None:
    submission.withdraw(submitted, rep_a, "", clock.now)
    assert not submission.may_edit(submitted, rep_a, clock.now)


def test_partnership_rows_are_kept_per_organisation(
    submitted: Proposal, rep_a: User, org_b: Any, make_org: Callable[..., Any], clock: Clock
) -> None:
    org_c = make_org()
    submission.edit(submitted, rep_a, complete(partner_ids=[org_b.id, org_c.id]), clock.now)
    # Naming the same organisations again asks nobody twice; dropping one removes its request.
    assert submission.edit(submitted, rep_a, complete(partner_ids=[org_b.id]), clock.now) == []
    db.session.commit()
    rows = db.session.scalars(select(Partnership.organization_id)).all()
    assert rows == [org_b.id]
