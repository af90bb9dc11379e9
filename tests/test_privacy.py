# ruff: noqa: F811 - the shared fixtures are imported from tests/voting_helpers.py
"""KVKK data rights without HTTP: the export, erasure, the consent version, the record of
processing and retention (auth/privacy.py, proposals/privacy.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import event, select

from auth import accounts, privacy
from auth.errors import DomainError
from auth.invitations import accept, invite
from auth.models import (
    AuditEntry,
    Invitation,
    Notification,
    Organization,
    OutboxMessage,
    OutboxStatus,
    RecoveryCode,
    Role,
    User,
)
from extensions import db
from proposals import voting
from proposals.discussion import edit_comment, post_comment, report
from proposals.models import (
    ActivityType,
    Ballot,
    Campaign,
    Comment,
    CommentKind,
    Proposal,
    Vote,
    VoteLogEntry,
)
from proposals.submission import ProposalFields, save_draft, submit
from tests.conftest import PASSWORD
from tests.voting_helpers import make_proposal, voting_campaign  # noqa: F401 - fixtures

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CODE_HASH = "c0de" * 16


@dataclass
class World:
    """Zeynep (org A, joined by invitation) and Fatma (org B) took part in two campaigns."""

    zeynep: User
    fatma: User
    organizer: User
    submission: Campaign
    vote_campaign: Campaign
    zeynep_proposal: Proposal
    fatma_proposal: Proposal
    zeynep_comment: Comment
    fatma_comment: Comment
    voted_for: Proposal  # org B's, voted by Zeynep
    fatma_voted_for: Proposal  # org A's, voted by Fatma


def _fields(title: str) -> ProposalFields:
    return ProposalFields(
        title=title,
        summary="Mahalle kadınlarıyla bir günlük buluşma",
        description="Şiddete karşı dayanışma ağını anlatan bir atölye.",
        activity_type=ActivityType.workshop,
        district="Karşıyaka",
    )


@pytest.fixture
def world(
    app, clock, make_campaign, voting_campaign, make_proposal, org_a, org_b, rep_b, organizer
) -> World:
    invitation = invite(
        organizer, email="zeynep@karsiyaka.example", role=Role.participant, now=clock.now,
        organization=org_a,
    )  # fmt: skip
    zeynep = accept(
        invitation, name="Zeynep Kaya", password=PASSWORD, locale="tr", consent=True,
        now=clock.now,
    )  # fmt: skip
    zeynep.totp_secret = TOTP_SECRET
    zeynep.totp_enabled_at = clock.now
    db.session.add(RecoveryCode(user_id=zeynep.id, code_hash=CODE_HASH))
    submission = make_campaign(slug="25-kasim")
    mine = save_draft(submission, zeynep, _fields("Mor Dayanışma Atölyesi"), clock.now)
    submit(mine, zeynep, clock.now)
    theirs = save_draft(submission, rep_b, _fields("Bornova Kadın Yürüyüşü"), clock.now)
    submit(theirs, rep_b, clock.now)
    zeynep_comment = post_comment(
        theirs, zeynep, "Yürüyüşe katılmak isteriz.", CommentKind.support, clock.now
    )
    edit_comment(zeynep_comment, zeynep, "Yürüyüşe gönüllülerimizle katılmak isteriz.", clock.now)
    fatma_comment = post_comment(
        mine, rep_b, "Fatma'nın gizli notu: bütçe nedir?", CommentKind.question, clock.now
    )
    report(zeynep, comment=fatma_comment, reason="Konu dışı bir soru.", now=clock.now)
    vote_campaign = voting_campaign(slug="8-mart")
    voted_for = make_proposal(vote_campaign, org_b, title="Kooperatif pazarı")
    fatma_voted_for = make_proposal(vote_campaign, org_a, title="Karşıyaka söyleşisi")
    voting.set_points(voted_for, zeynep, 1, clock.now)
    voting.set_points(fatma_voted_for, rep_b, 1, clock.now)
    db.session.commit()
    return World(
        zeynep, rep_b, organizer, submission, vote_campaign, mine, theirs, zeynep_comment,
        fatma_comment, voted_for, fatma_voted_for,
    )  # fmt: skip


# --- access -------------------------------------------------------------------------------


def test_the_export_holds_every_kind_of_personal_data(world, clock, org_a):
    data = privacy.export_personal_data(world.zeynep, clock.now)
    assert data["notice_version"] == privacy.DEFAULT_NOTICE_VERSION

    profile = data["profile"]
    assert profile["name"] == "Zeynep Kaya"
    assert profile["email"] == "zeynep@karsiyaka.example"
    assert profile["role"] == "participant"
    assert profile["organization"] == {"id": org_a.id, "name": org_a.name}
    assert profile["locale"] == "tr"
    assert profile["notification_mode"] == "immediate"
    assert profile["consent_version"] == privacy.DEFAULT_NOTICE_VERSION
    assert profile["consented_at"] == clock.now.isoformat() + "Z"
    assert profile["two_factor_enabled"] is True
    assert profile["unused_recovery_codes"] == 1

    [received] = data["invitations_received"]
    assert received["role"] == "participant"
    assert received["organization"] == org_a.name
    assert received["accepted_at"] is not None
    assert data["invitations_sent"] == []

    [created] = data["proposals_created"]
    assert created["id"] == world.zeynep_proposal.id
    assert created["title"] == "Mor Dayanışma Atölyesi"
    assert created["campaign"] == "25-kasim"
    assert created["state"] == "submitted"
    versions = data["proposal_versions"]
    assert [v["proposal_id"] for v in versions] == [world.zeynep_proposal.id]
    assert versions[0]["proposal_title"] == "Mor Dayanışma Atölyesi"
    assert versions[0]["fields"]["title"] == "Mor Dayanışma Atölyesi"

    [comment] = data["comments"]
    assert comment["id"] == world.zeynep_comment.id
    assert comment["body"] == "Yürüyüşe gönüllülerimizle katılmak isteriz."
    assert comment["kind"] == "support"
    assert comment["edited_at"] is not None

    [filed] = data["reports"]
    assert filed["comment_id"] == world.fatma_comment.id
    assert filed["reason"] == "Konu dışı bir soru."

    [vote] = data["votes"]
    assert vote["proposal_id"] == world.voted_for.id
    assert vote["proposal_title"] == "Kooperatif pazarı"
    assert vote["points"] == 1
    assert vote["cast_at"] == clock.now.isoformat() + "Z"
    [change] = data["vote_log"]
    assert (change["proposal_id"], change["action"], change["delta"]) == (
        world.voted_for.id, "give", 1,
    )  # fmt: skip

    # Fatma's question on Zeynep's proposal: a notification and, at once, a mail.
    assert [n["kind"] for n in data["notifications"]] == ["comment"]
    assert data["notifications"][0]["params"]["title"] == "Mor Dayanışma Atölyesi"
    assert [m["kind"] for m in data["mails"]] == ["invitation", "notification.comment"]
    assert all(set(m) == {"id", "kind", "subject", "created_at", "status", "sent_at"}
               for m in data["mails"])  # fmt: skip
    assert data["mails"][1]["status"] == "pending"

    actions = {entry["action"] for entry in data["audit_entries"]}
    assert {"invitation.accept", "proposal.submit", "comment.edit"} <= actions


def test_the_export_holds_no_secret_and_nobody_else(world, clock):
    text = privacy.export_json(privacy.export_personal_data(world.zeynep, clock.now))
    for secret in (TOTP_SECRET, CODE_HASH, world.zeynep.password_hash):
        assert secret not in text
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == world.zeynep.email))
    assert invitation.token_hash not in text
    # Fatma's address, her words, her proposal and her vote are hers, not Zeynep's.
    assert "fatma@bornova.example" not in text
    assert "Fatma'nın gizli notu" not in text
    data = json.loads(text)
    assert world.fatma_proposal.id not in [p["id"] for p in data["proposals_created"]]
    assert world.fatma_voted_for.id not in [v["proposal_id"] for v in data["votes"]]


def test_an_organisers_export_lists_the_invitations_they_sent(world, clock):
    data = privacy.export_personal_data(world.organizer, clock.now)
    assert [i["email"] for i in data["invitations_sent"]] == ["zeynep@karsiyaka.example"]
    assert data["profile"]["two_factor_enabled"] is False


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_export_makes_one_query_per_kind_whatever_the_amount(world, clock):
    db.session.expire_all()
    with counted_statements() as few:
        privacy.export_personal_data(db.session.get(User, world.zeynep.id), clock.now)
    for n in range(5):
        clock.advance(minutes=1)
        post_comment(world.fatma_proposal, world.zeynep, f"Ek not {n}", CommentKind.comment,
                     clock.now)  # fmt: skip
        post_comment(world.zeynep_proposal, world.fatma, f"Yanıt {n}", CommentKind.comment,
                     clock.now)  # fmt: skip
    db.session.commit()
    db.session.expire_all()
    with counted_statements() as many:
        data = privacy.export_personal_data(db.session.get(User, world.zeynep.id), clock.now)
    assert len(data["comments"]) == 6 and len(data["notifications"]) == 6
    assert len(many) == len(few)


# --- erasure ------------------------------------------------------------------------------


def test_erasure_removes_what_identifies_the_person(world, clock):
    zeynep = world.zeynep
    epoch = zeynep.session_epoch
    her_mails = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.to_address == zeynep.email)
    ).all()
    clock.advance(days=1)
    privacy.erase_account(zeynep, PASSWORD, clock.now)
    db.session.commit()
    db.session.expire_all()

    user = db.session.get(User, zeynep.id)
    assert user.name == privacy.ERASED_NAME
    assert user.email == f"deleted-{user.id}@invalid"
    assert not user.check_password(PASSWORD)
    assert user.totp_secret is None and user.totp_enabled_at is None
    assert user.deleted_at == clock.now and not user.active and not user.is_active
    assert user.session_epoch == epoch + 1
    assert (
        db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    )
    assert (
        db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all() == []
    )

    # Her mails (the invitation, a notification): cancelled, no address, no body.
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(her_mails)))
    assert sorted((m.kind, m.status, m.to_address, m.body_text, m.body_html) for m in mails) == [
        ("invitation", OutboxStatus.failed, "", "", ""),
        ("notification.comment", OutboxStatus.failed, "", "", ""),
    ]
    others = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.not_in(her_mails)))
    assert {m.to_address for m in others} == {"fatma@bornova.example"}
    invitation = db.session.scalar(select(Invitation).where(Invitation.accepted_user_id == user.id))
    assert invitation.email == ""

    # Nothing in the database still holds her address; her name survives only where she
    # wrote it herself in content (there is none here).
    audit_text = json.dumps([[e.before, e.after] for e in db.session.scalars(select(AuditEntry))])
    assert "zeynep@karsiyaka.example" not in audit_text
    assert "Zeynep Kaya" not in audit_text
    [erasure] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.erase"))
    assert erasure.target_id == user.id and erasure.actor_id == user.id

    with pytest.raises(DomainError):
        accounts.authenticate("zeynep@karsiyaka.example", PASSWORD, clock.now)
    with pytest.raises(DomainError):
        accounts.authenticate(user.email, PASSWORD, clock.now)


def _ballots(campaign: Campaign) -> list[tuple[int, int, int]]:
    found = db.session.scalars(select(Ballot).where(Ballot.campaign_id == campaign.id))
    return sorted((b.organization_id, b.used, b.budget) for b in found)


def test_erasure_keeps_the_content_with_the_organisation_and_the_votes_counted(world, clock, org_a):
    tallies_before = {pid: t.points for pid, t in voting.tallies(world.vote_campaign).items()}
    ballots_before = _ballots(world.vote_campaign)
    zeynep_id = world.zeynep.id
    privacy.erase_account(world.zeynep, PASSWORD, clock.now)
    db.session.commit()
    db.session.expire_all()

    proposal = db.session.get(Proposal, world.zeynep_proposal.id)
    assert proposal.organization_id == org_a.id and proposal.created_by_id is None
    assert proposal.title == "Mor Dayanışma Atölyesi"
    assert all(v.edited_by_id is None for v in proposal.versions)
    comment = db.session.get(Comment, world.zeynep_comment.id)
    assert comment.author_id is None and comment.organization_id == org_a.id
    assert comment.body == "Yürüyüşe gönüllülerimizle katılmak isteriz."

    # Votes and the vote log are untouched: the same tallies, and the audit still agrees.
    vote = db.session.scalar(select(Vote).where(Vote.proposal_id == world.voted_for.id))
    assert vote.cast_by_id == zeynep_id and vote.organization_id == org_a.id
    log = db.session.scalars(select(VoteLogEntry).where(VoteLogEntry.user_id == zeynep_id)).all()
    assert [(e.organization_id, e.delta) for e in log] == [(org_a.id, 1)]
    campaign = db.session.get(Campaign, world.vote_campaign.id)
    assert {pid: t.points for pid, t in voting.tallies(campaign).items()} == tallies_before
    assert voting.audit(campaign).ok
    assert _ballots(campaign) == ballots_before


def test_the_password_must_be_right(world, clock):
    with pytest.raises(DomainError) as refused:
        privacy.erase_account(world.zeynep, "yanlış parola", clock.now)
    assert refused.value.field == "password"
    assert world.zeynep.deleted_at is None


def test_the_last_organiser_cannot_leave(app, clock, make_user, organizer):
    assert privacy.erasure_blocker(organizer) is not None
    with force_locale("en"), pytest.raises(DomainError, match="only organiser"):
        privacy.erase_account(organizer, PASSWORD, clock.now)
    assert organizer.deleted_at is None
    # A deactivated or deleted second organiser does not count; an active one does.
    make_user(Role.organizer, active=False)
    assert privacy.erasure_blocker(organizer) is not None
    make_user(Role.organizer)
    assert privacy.erasure_blocker(organizer) is None
    privacy.erase_account(organizer, PASSWORD, clock.now)
    assert organizer.deleted_at == clock.now


def test_a_departed_staff_members_name_leaves_others_notifications(world, clock, make_user):
    make_user(Role.organizer)  # so that the organiser may leave
    post_comment(world.zeynep_proposal, world.organizer, "Belediye olarak destekliyoruz.",
                 CommentKind.support, clock.now)  # fmt: skip
    db.session.commit()
    said = db.session.scalars(
        select(Notification).where(Notification.user_id == world.zeynep.id)
    ).all()
    assert any(n.params.get("organization") == "Gamze Ertürk" for n in said)
    privacy.erase_account(world.organizer, PASSWORD, clock.now)
    db.session.commit()
    db.session.expire_all()
    text = json.dumps([n.params for n in db.session.scalars(select(Notification))])
    assert "Gamze Ertürk" not in text and "Gamze Ert\\u00fcrk" not in text


def test_an_open_invitation_to_the_address_is_revoked(world, clock, org_b):
    # An older invitation to the same address, never used: it must not be re-sendable.
    old = invite(world.organizer, email="eski@ornek.example", role=Role.participant,
                 now=clock.now, organization=org_b)  # fmt: skip
    db.session.commit()
    world.zeynep.email = "eski@ornek.example"
    privacy.erase_account(world.zeynep, PASSWORD, clock.now)
    db.session.commit()
    db.session.expire_all()
    old = db.session.get(Invitation, old.id)
    assert old.email == "" and old.revoked_at == clock.now


def test_display_names(world, clock):
    with force_locale("en"):
        _check_display_names(world, clock)


def _check_display_names(world: World, clock: Any) -> None:
    assert privacy.person_name(world.zeynep) == "Zeynep Kaya"
    assert privacy.author_name(world.zeynep) == "Zeynep Kaya"
    assert privacy.person_name(None) == "Former member"
    privacy.erase_account(world.zeynep, PASSWORD, clock.now)
    assert privacy.person_name(world.zeynep) == "Deleted user"
    assert privacy.author_name(world.zeynep) == "Former member"


# --- the notice version --------------------------------------------------------------------


def test_a_new_notice_version_asks_again(app, clock, rep_a):
    assert not privacy.needs_consent(rep_a)
    app.config["PRIVACY_NOTICE_VERSION"] = "2027-03"
    assert privacy.needs_consent(rep_a)
    clock.advance(days=3)
    privacy.accept_notice(rep_a, clock.now)
    db.session.commit()
    assert (rep_a.consent_version, rep_a.consented_at) == ("2027-03", clock.now)
    assert not privacy.needs_consent(rep_a)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.consent"))
    assert entry.before == {"consent_version": privacy.DEFAULT_NOTICE_VERSION}
    assert entry.after == {"consent_version": "2027-03"}


def test_a_new_account_stores_the_configured_version(app, clock, organizer, org_a):
    app.config["PRIVACY_NOTICE_VERSION"] = "2027-03"
    invitation = invite(organizer, email="yeni@ornek.example", role=Role.participant,
                        now=clock.now, organization=org_a)  # fmt: skip
    user = accept(invitation, name="Yeni Kişi", password=PASSWORD, locale="en", consent=True,
                  now=clock.now)  # fmt: skip
    assert user.consent_version == "2027-03"


# --- the record of processing and retention ---------------------------------------------------


def test_the_record_describes_every_category_fully(app):
    with force_locale("en"):
        rows = privacy.record_of_processing()
    assert len({row.key for row in rows}) == len(rows) == len(privacy.PROCESSING_ACTIVITIES)
    for row in rows:
        for column, _label in privacy.COLUMNS:
            assert getattr(row, column).strip(), f"{row.key}: {column} is empty"
    keys = {row.key for row in rows}
    assert {"accounts", "representatives", "contributions", "votes", "notifications", "mail",
            "audit", "security_log", "sessions"} <= keys  # fmt: skip
    assert all("KVKK art. 5" in row.legal_basis for row in rows)


def test_the_record_shows_the_configured_retention(app):
    app.config["RETENTION_OUTBOX_DAYS"] = 30
    with force_locale("en"):
        rows = {row.key: row for row in privacy.record_of_processing()}
    assert rows["mail"].retention.startswith("30 days ")
    assert rows["audit"].retention.startswith("730 days ")
    assert rows["notifications"].retention.startswith("365 days ")
    app.config.update(SESSION_IDLE_MINUTES=20, SESSION_MAX_HOURS=8)
    with force_locale("en"):
        rows = {row.key: row for row in privacy.record_of_processing()}
    assert "20 minutes without activity, or 8 hours at most" in rows["sessions"].retention


def test_purge_deletes_what_outlived_its_retention(app, clock, rep_a):
    old = clock.now - timedelta(days=400)
    recent = clock.now - timedelta(days=10)

    def mail(created, status):
        db.session.add(OutboxMessage(to_address=rep_a.email, subject="s", body_text="b",
                                     body_html="b", locale="tr", kind="k", status=status,
                                     created_at=created))  # fmt: skip

    mail(old, OutboxStatus.sent)
    mail(old, OutboxStatus.pending)  # still to send: kept
    mail(recent, OutboxStatus.sent)
    db.session.add_all([
        Notification(user_id=rep_a.id, kind="comment", params={}, created_at=old),
        Notification(user_id=rep_a.id, kind="comment", params={}, created_at=recent),
        AuditEntry(action="old", target_type="User", created_at=clock.now - timedelta(days=800)),
        AuditEntry(action="new", target_type="User", created_at=old),
    ])  # fmt: skip
    db.session.commit()
    report_ = privacy.purge_expired(clock.now)
    db.session.commit()
    assert (report_.mails, report_.notifications, report_.audit_entries) == (1, 1, 1)
    kept = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    assert [m.status for m in kept] == [OutboxStatus.pending, OutboxStatus.sent]
    assert [e.action for e in db.session.scalars(select(AuditEntry))] == ["new"]


def test_the_organisation_is_untouched(world, clock, org_a):
    privacy.erase_account(world.zeynep, PASSWORD, clock.now)
    db.session.commit()
    db.session.expire_all()
    organization = db.session.get(Organization, org_a.id)
    assert organization.active and organization.name == "Karşıyaka Kadın Dayanışma Derneği"


def test_the_purge_command_reports_what_it_deleted(app, clock, rep_a):
    db.session.add(
        Notification(user_id=rep_a.id, kind="comment", params={},
                     created_at=clock.now - timedelta(days=4000))
    )  # fmt: skip
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-personal-data"])
    assert result.exit_code == 0, result.output
    assert "deleted 0 mails, 1 notifications, 0 audit entries" in result.output
    assert db.session.scalars(select(Notification)).all() == []
