"""Reports and moderation of reported content (proposals/reports.py), tested without HTTP:
the automatic hiding threshold, hide / dismiss / restore, what it does to lists, search,
the API's counts and votes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from auth.errors import DomainError
from auth.models import AuditEntry, Notification, OutboxMessage, Role, User
from extensions import db
from proposals import discussion, reports, search, voting
from proposals.models import (
    Comment,
    CommentKind,
    Proposal,
    Report,
    ReportState,
    Vote,
)
from tests.voting_helpers import attempt, make_proposal, org_c, voting_campaign  # noqa: F401


def translated(message: str, locale: str, **values: Any) -> str:
    with force_locale(locale):
        return gettext(message, **values)


@pytest.fixture
def campaign(voting_campaign):  # noqa: F811
    """Voting open: reports, hiding and votes all happen in one campaign."""
    return voting_campaign()


@pytest.fixture
def proposal(campaign, org_a, make_proposal) -> Proposal:  # noqa: F811
    return make_proposal(campaign, org_a, title="Mor Bant Atölyesi")


@pytest.fixture
def comment(proposal, rep_a, clock) -> Comment:
    made = discussion.post_comment(
        proposal, rep_a, "Adı verilen bir kadının hikâyesi", CommentKind.comment, clock.now
    )
    db.session.commit()
    return made


@pytest.fixture
def reporters(make_org, make_user) -> Callable[[int], list[User]]:
    """``n`` representatives of ``n`` new organisations."""

    def make(n: int) -> list[User]:
        return [make_user(organization=make_org()) for _ in range(n)]

    return make


def report(user: User, now: Any, **target: Any) -> Report:
    flagged = discussion.report(user, reason="Kişisel bilgi var", now=now, **target)
    db.session.commit()
    return flagged


def notifications(user: User, kind: str) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
        )
    )


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- the threshold ---------------------------------------------------------------------


def test_three_organisations_hide_a_comment_until_a_moderator_looks(
    comment, reporters, rep_a, moderator, organizer, clock
):
    first, second, third = reporters(3)
    report(first, clock.now, comment=comment)
    report(second, clock.now, comment=comment)
    assert not comment.is_hidden
    report(third, clock.now, comment=comment)
    db.session.expire_all()
    assert comment.is_hidden and comment.hidden_automatically
    assert comment.hidden_at == clock.now and comment.hidden_by_id is None
    assert comment.hidden_reason == reports.AUTO_HIDE_REASON
    assert comment.body == "Adı verilen bir kadının hikâyesi"  # nothing is deleted
    # Moderators (and organisers, who moderate too) are asked to look; the author is told.
    for person in (moderator, organizer):
        [review] = notifications(person, "review_comment")
        assert review.params == {"title": "Mor Bant Atölyesi", "count": 3}
    assert len(notifications(rep_a, "auto_hidden_comment")) == 1
    [entry] = audit("comment.auto_hide")
    assert entry.actor_id is None and entry.target_id == comment.id
    assert entry.before["hidden_at"] is None
    assert entry.after["hidden_automatically"] is True and entry.after["organizations"] == 3


def test_one_organisation_counts_once_however_many_of_its_people_report(
    comment, make_user, org_b, reporters, clock
):
    colleague = make_user(organization=org_b)
    other = reporters(1)[0]
    report(make_user(organization=org_b), clock.now, comment=comment)
    report(colleague, clock.now, comment=comment)
    report(other, clock.now, comment=comment)
    db.session.expire_all()
    assert not comment.is_hidden
    assert reports.distinct_reporters(reports.open_reports(comment), comment) == 2
    report(reporters(1)[0], clock.now, comment=comment)
    db.session.expire_all()
    assert comment.is_hidden


def test_the_contents_own_organisation_does_not_count(comment, make_user, org_a, reporters, clock):
    report(make_user(organization=org_a), clock.now, comment=comment)
    for person in reporters(2):
        report(person, clock.now, comment=comment)
    db.session.expire_all()
    assert not comment.is_hidden
    assert reports.distinct_reporters(reports.open_reports(comment), comment) == 2


def test_each_moderator_counts_as_their_own_reporter(
    proposal, moderator, make_user, reporters, clock
):
    report(moderator, clock.now, proposal=proposal)
    report(make_user(Role.moderator), clock.now, proposal=proposal)
    db.session.expire_all()
    assert not proposal.is_hidden
    report(reporters(1)[0], clock.now, proposal=proposal)
    db.session.expire_all()
    assert proposal.is_hidden and proposal.hidden_automatically


def test_the_threshold_is_configurable(app, proposal, reporters, clock):
    app.config["REPORT_HIDE_THRESHOLD"] = 2
    first, second = reporters(2)
    report(first, clock.now, proposal=proposal)
    assert not proposal.is_hidden
    report(second, clock.now, proposal=proposal)
    db.session.expire_all()
    assert proposal.is_hidden


def test_a_report_on_a_comment_does_not_count_for_its_proposal(proposal, comment, reporters, clock):
    for person in reporters(3):
        report(person, clock.now, comment=comment)
    db.session.expire_all()
    assert comment.is_hidden and not proposal.is_hidden


# --- dismiss ---------------------------------------------------------------------------


def test_dismissing_every_report_restores_what_the_threshold_hid(
    comment, reporters, moderator, rep_a, clock
):
    flagged = [report(person, clock.now, comment=comment) for person in reporters(3)]
    assert comment.is_hidden
    clock.advance(hours=1)
    assert reports.dismiss(flagged[0], moderator, clock.now, "Eleştiri, hakaret değil") is False
    assert reports.dismiss(flagged[1], moderator, clock.now) is False
    db.session.commit()
    assert comment.is_hidden  # one report is still open
    assert reports.dismiss(flagged[2], moderator, clock.now) is True
    db.session.commit()
    db.session.expire_all()
    assert not comment.is_hidden and not comment.hidden_automatically
    assert comment.hidden_reason == ""
    for item in flagged:
        assert item.state == ReportState.dismissed
        assert item.decided_at == clock.now and item.decided_by_id == moderator.id
    assert flagged[0].decision_note == "Eleştiri, hakaret değil"
    assert len(audit("report.dismiss")) == 3
    [restored] = audit("comment.restore")
    assert restored.actor_id == moderator.id
    assert restored.before["hidden_automatically"] is True
    assert restored.after["hidden_at"] is None
    assert len(notifications(rep_a, "restored_comment")) == 1


def test_dismissing_a_report_on_visible_content_tells_the_author_nothing(
    comment, reporters, moderator, rep_a, clock
):
    flagged = report(reporters(1)[0], clock.now, comment=comment)
    before = len(db.session.scalars(select(Notification)).all())
    assert reports.dismiss(flagged, moderator, clock.now) is False
    db.session.commit()
    assert flagged.state == ReportState.dismissed
    assert len(db.session.scalars(select(Notification)).all()) == before


def test_dismissing_does_not_restore_what_a_moderator_hid(comment, reporters, moderator, clock):
    first, second = reporters(2)
    flagged = report(first, clock.now, comment=comment)
    reports.hide(comment, moderator, "Bir kadının adı ve adresi var.", clock.now)
    db.session.commit()
    later = report(second, clock.now, comment=comment)
    reports.dismiss(later, moderator, clock.now)
    db.session.commit()
    assert comment.is_hidden
    assert flagged.state == ReportState.actioned


def test_a_decided_report_cannot_be_dismissed_again(comment, reporters, moderator, clock):
    flagged = report(reporters(1)[0], clock.now, comment=comment)
    reports.dismiss(flagged, moderator, clock.now)
    with pytest.raises(DomainError):
        reports.dismiss(flagged, moderator, clock.now)


# --- hide and restore ------------------------------------------------------------------


def test_a_moderator_hides_a_comment_with_a_reason_the_author_reads_in_their_language(
    comment, reporters, moderator, rep_a, make_user, org_a, clock
):
    english = make_user(organization=org_a, locale="en", email="en@karsiyaka.example")
    flagged = report(reporters(1)[0], clock.now, comment=comment)
    reason = "Bir hayatta kalanın adı geçiyor."
    decided = reports.hide(comment, moderator, reason, clock.now)
    db.session.commit()
    db.session.expire_all()
    assert decided == [flagged.id]
    assert comment.is_hidden and not comment.hidden_automatically
    assert comment.hidden_reason == reason and comment.hidden_by_id == moderator.id
    assert flagged.state == ReportState.actioned and flagged.decided_by_id == moderator.id
    [entry] = audit("comment.hide")
    assert entry.actor_id == moderator.id
    assert entry.before == {"hidden_at": None, "hidden_reason": "", "hidden_by_id": None,
                            "hidden_automatically": False}  # fmt: skip
    assert entry.after["hidden_reason"] == reason and entry.after["reports"] == [flagged.id]
    # The author and the other members of the organisation, each in their own language.
    for person in (rep_a, english):
        [told] = notifications(person, "hidden_comment")
        assert told.params["reason"] == reason
        [mail] = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.to_address == person.email,
                OutboxMessage.kind == "notification.hidden_comment",
            )
        ).all()
        sentence = translated(
            "A moderator hid a comment of yours on “%(title)s”. Reason: %(reason)s",
            person.locale,
            title="Mor Bant Atölyesi",
            reason=reason,
        )
        assert mail.locale == person.locale
        assert sentence in mail.body_text


@pytest.mark.parametrize("reason", ["", "   ", "x" * (reports.REASON_MAX + 1)])
def test_hiding_needs_a_reason(comment, moderator, clock, reason):
    with pytest.raises(DomainError) as refused:
        reports.hide(comment, moderator, reason, clock.now)
    assert refused.value.field == "reason"
    assert not comment.is_hidden


def test_only_moderators_hide_and_restore(comment, rep_b, clock):
    with pytest.raises(DomainError):
        reports.hide(comment, rep_b, "Beğenmedim", clock.now)
    assert not comment.is_hidden


def test_hiding_what_the_threshold_hid_confirms_it_with_the_moderators_reason(
    proposal, reporters, moderator, clock
):
    flagged = [report(person, clock.now, proposal=proposal) for person in reporters(3)]
    assert proposal.hidden_automatically
    reports.hide(proposal, moderator, "Reklam içeriyor.", clock.now)
    db.session.commit()
    assert proposal.is_hidden and not proposal.hidden_automatically
    assert proposal.hidden_reason == "Reklam içeriyor."
    assert {r.state for r in flagged} == {ReportState.actioned}
    with pytest.raises(DomainError):  # hidden already, by a moderator
        reports.hide(proposal, moderator, "Yine", clock.now)


def test_restoring_shows_the_content_again_and_dismisses_its_open_reports(
    proposal, reporters, moderator, rep_a, clock
):
    with pytest.raises(DomainError):  # not hidden
        reports.restore(proposal, moderator, clock.now)
    reports.hide(proposal, moderator, "Kontrol edilecek.", clock.now)
    db.session.commit()
    later = report(reporters(1)[0], clock.now, proposal=proposal)
    clock.advance(days=1)
    decided = reports.restore(proposal, moderator, clock.now)
    db.session.commit()
    db.session.expire_all()
    assert decided == [later.id] and later.state == ReportState.dismissed
    assert not proposal.is_hidden and proposal.hidden_by_id is None
    [entry] = audit("proposal.restore")
    assert entry.before["hidden_reason"] == "Kontrol edilecek."
    assert entry.after["hidden_at"] is None
    assert len(notifications(rep_a, "hidden_proposal")) == 1
    assert len(notifications(rep_a, "restored_proposal")) == 1
    assert db.session.scalars(select(Report)).all() == [later]  # nothing deleted


def test_the_queue_groups_open_reports_by_content_hidden_first(
    campaign, proposal, comment, reporters, moderator, clock
):
    people = reporters(3)
    report(people[0], clock.now, proposal=proposal)
    for person in people:
        report(person, clock.now, comment=comment)
    groups = reports.queue(campaign)
    assert [(g.comment, g.proposal) for g in groups] == [(comment, proposal), (None, proposal)]
    assert [g.organizations for g in groups] == [3, 1]
    assert groups[0].auto_hidden and not groups[1].hidden
    assert reports.open_count(campaign) == 4
    reports.hide(proposal, moderator, "Kopya öneri.", clock.now)
    db.session.commit()
    assert [g.key for g in reports.queue(campaign)] == [f"report-comment-{comment.id}"]
    [history] = reports.queue(campaign, decided=True)
    assert history.comment is None and history.reports[0].state == ReportState.actioned


# --- what hiding does elsewhere ----------------------------------------------------------


def test_a_hidden_proposal_leaves_lists_and_search_except_for_moderators(
    campaign,
    proposal,
    make_proposal,  # noqa: F811 - the fixture
    org_b,
    rep_a,
    rep_b,
    moderator,
    clock,
):
    other = make_proposal(campaign, org_b, title="Kadın Kooperatifleri Buluşması")
    reports.hide(proposal, moderator, "Kişisel veri.", clock.now)
    db.session.commit()

    def titles(user: Any, q: str = "") -> list[str]:
        page = search.search_proposals(campaign, user, search.ProposalQuery(q=q))
        return [row.proposal.title for row in page.rows]

    for user in (AnonymousUserMixin(), rep_a, rep_b):
        assert titles(user) == [other.title]
        assert titles(user, "mor bant") == []
        assert search.search_proposals(campaign, user, search.ProposalQuery()).total == 1
    assert sorted(titles(moderator)) == sorted([proposal.title, other.title])
    assert titles(moderator, "mor bant") == [proposal.title]


def test_a_hidden_proposal_takes_no_new_votes_and_keeps_the_ones_it_has(
    proposal,
    rep_b,
    org_c,  # noqa: F811 - the fixture
    make_user,
    moderator,
    clock,
):
    assert attempt(proposal, rep_b, 1, clock.now) == 2
    reports.hide(proposal, moderator, "İnceleniyor.", clock.now)
    db.session.commit()
    voter = make_user(organization=org_c)
    refusal = voting.refusal(voting.Blocked.hidden)
    assert attempt(proposal, voter, 1, clock.now) == refusal
    kept = db.session.scalars(select(Vote).where(Vote.proposal_id == proposal.id)).all()
    assert [(v.organization_id, v.points) for v in kept] == [(rep_b.organization_id, 1)]
    assert voting.tallies(proposal.campaign)[proposal.id].points == 1
    # Restored, it takes votes again.
    reports.restore(proposal, moderator, clock.now)
    db.session.commit()
    assert attempt(proposal, voter, 1, clock.now) == 2


def test_an_organisation_may_take_its_vote_back_from_a_hidden_proposal(
    proposal, rep_b, moderator, clock
):
    attempt(proposal, rep_b, 1, clock.now)
    reports.hide(proposal, moderator, "İnceleniyor.", clock.now)
    db.session.commit()
    assert attempt(proposal, rep_b, 0, clock.now) == 3


def test_nobody_comments_on_a_hidden_proposal_until_it_is_restored(
    proposal, rep_b, moderator, clock
):
    """The discussion pauses with the proposal: a direct POST cannot add to it either."""
    assert discussion.may_comment(proposal, rep_b, clock.now)
    reports.hide(proposal, moderator, "Kişisel veri.", clock.now)
    db.session.commit()
    assert not discussion.may_comment(proposal, rep_b, clock.now)
    with pytest.raises(DomainError):
        discussion.post_comment(proposal, rep_b, "Yine de yazıyorum", CommentKind.comment,
                                clock.now)  # fmt: skip
    reports.restore(proposal, moderator, clock.now)
    db.session.commit()
    assert discussion.may_comment(proposal, rep_b, clock.now)
