"""Reports and what moderators do about them: automatic hiding, hide, dismiss, restore.

A report (``discussion.report``) flags a proposal or a comment. Content reported by
``REPORT_HIDE_THRESHOLD`` different organisations (3 by default) is hidden automatically
until a moderator looks: thirty organisations discuss a sensitive topic, and a story
that names a survivor must not stay up overnight waiting for office hours. The
threshold counts *organisations*, not people, so that one organisation cannot hide
someone else's content alone; a moderator (who speaks for no organisation) counts as
their own reporter, and reports from the content's own organisation do not count.

A moderator then hides the content with a reason (the author sees it; others see
"hidden by moderation"), dismisses a report, or restores hidden content. Hiding is
always reversible and nothing is deleted: the text, the reports and the votes all stay.
Each action decides the related open reports, is audited with the values before and
after, and tells the author's organisation in each member's language.

Like the other workflows these functions take domain objects and ``now``, raise
:class:`DomainError` with a message safe to show, flush, and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from auth.audit import record, snapshot
from auth.errors import DomainError
from auth.models import Organization, User
from auth.permissions import ROLE_PERMISSIONS, Permission, can
from extensions import db
from proposals.models import Campaign, Comment, Proposal, Report, ReportState
from proposals.notifications import members_of, notify

DEFAULT_THRESHOLD = 3
REASON_MAX = 2000
NOTE_MAX = 2000
HISTORY_LIMIT = 200

# Stored in ``hidden_reason`` (for the audit log, in English); pages show the translation
# of AUTO_HIDE_TEXT instead while ``hidden_automatically`` is set.
AUTO_HIDE_REASON = "Reported by several organisations; hidden until a moderator looks at it."
AUTO_HIDE_TEXT = _l("Reported by several organisations; hidden until a moderator looks at it.")

HIDDEN_FIELDS = ("hidden_at", "hidden_reason", "hidden_by_id", "hidden_automatically")
DECISION_FIELDS = ("state", "decided_at", "decided_by_id", "decision_note")

Content = Proposal | Comment


# --- reading ---------------------------------------------------------------------------


def threshold() -> int:
    """How many organisations' open reports hide content (config ``REPORT_HIDE_THRESHOLD``)."""
    value = int(current_app.config.get("REPORT_HIDE_THRESHOLD", DEFAULT_THRESHOLD))
    return max(1, value)


def content_of(report: Report) -> Content:
    """What a report is about: its comment, or else its proposal."""
    if report.comment is not None:
        return report.comment
    if report.proposal is None:  # cannot happen: every report names its proposal
        raise LookupError(f"report {report.id} is about nothing")
    return report.proposal


def proposal_of(content: Content) -> Proposal:
    return content if isinstance(content, Proposal) else content.proposal


def owner_id(content: Content) -> int | None:
    """The organisation the content speaks for (a comment by staff speaks for none)."""
    return content.organization_id


def _reports_query(content: Content) -> Any:
    if isinstance(content, Comment):
        return select(Report).where(Report.comment_id == content.id)
    return select(Report).where(Report.proposal_id == content.id, Report.comment_id.is_(None))


def open_reports(content: Content) -> list[Report]:
    return list(
        db.session.scalars(
            _reports_query(content)
            .where(Report.state == ReportState.open)
            .order_by(Report.created_at, Report.id)
        )
    )


def reporter_key(report: Report) -> tuple[str, int | None]:
    """Who a report counts as: its organisation, or (for staff) the person."""
    if report.organization_id is not None:
        return ("organization", report.organization_id)
    return ("person", report.reporter_id)


def distinct_reporters(reports: Iterable[Report], content: Content) -> int:
    """Different organisations (and staff members) among ``reports``, the content's own
    organisation left out: it cannot get its own content hidden nor count twice."""
    own = owner_id(content)
    return len({reporter_key(r) for r in reports if own is None or r.organization_id != own})


def hidden_reason_text(content: Content) -> str:
    """The reason the author and moderators read, in the current language."""
    if content.hidden_automatically:
        return str(AUTO_HIDE_TEXT)
    return content.hidden_reason


def may_moderate(user: Any) -> bool:
    return can(user, Permission.moderate)


def is_author(content: Content, user: Any) -> bool:
    """The author's side, who reads the reason: the author organisation (or the person)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if isinstance(content, Comment) and content.author_id == user.id:
        return True
    own = owner_id(content)
    return own is not None and user.organization_id == own


# --- notifications ---------------------------------------------------------------------


def _authors(content: Content, exclude: User | None = None) -> list[User]:
    """The members of the content's organisation, and a comment's author if not among them."""
    organizations = [content.organization] if content.organization is not None else []
    people = members_of(organizations, exclude=exclude)
    if isinstance(content, Comment):
        author = content.author
        if (
            author is not None
            and author.active
            and (exclude is None or author.id != exclude.id)
            and author.id not in {u.id for u in people}
        ):
            people.append(author)
    return people


def moderators() -> list[User]:
    """Active people who hold ``Permission.moderate`` (moderators and organisers)."""
    roles = [role for role, held in ROLE_PERMISSIONS.items() if Permission.moderate in held]
    return list(
        db.session.scalars(select(User).where(User.role.in_(roles), User.active).order_by(User.id))
    )


def _kind(content: Content, event: str) -> str:
    return f"{event}_{'comment' if isinstance(content, Comment) else 'proposal'}"


def _tell_authors(
    content: Content, event: str, now: datetime, actor: User | None, **params: Any
) -> None:
    proposal = proposal_of(content)
    notify(
        _authors(content, exclude=actor),
        _kind(content, event),
        params={"title": proposal.title, **params},
        proposal=proposal,
        now=now,
    )


# --- the rules -------------------------------------------------------------------------


def _check_moderator(user: Any) -> None:
    if not may_moderate(user):
        raise DomainError(_l("Only moderators can do this."))


def _decide(
    reports: Iterable[Report], state: ReportState, user: User | None, now: datetime, note: str = ""
) -> list[int]:
    """Mark ``reports`` decided (never deleted: the history shows them); returns their ids."""
    ids = []
    for report in reports:
        report.state = state
        report.decided_at = now
        report.decided_by_id = user.id if user is not None else None
        report.decision_note = note
        ids.append(report.id)
    return ids


def _set_hidden(content: Content, reason: str, by: User | None, now: datetime) -> None:
    content.hidden_at = now
    content.hidden_reason = reason
    content.hidden_by_id = by.id if by is not None else None
    content.hidden_automatically = by is None


def _clear_hidden(content: Content) -> None:
    content.hidden_at = None
    content.hidden_reason = ""
    content.hidden_by_id = None
    content.hidden_automatically = False


def _target_name(content: Content) -> str:
    return "comment" if isinstance(content, Comment) else "proposal"


def apply_threshold(report: Report, now: datetime, limit: int | None = None) -> bool:
    """After a report is stored: hide its content if enough organisations reported it.

    Returns True when this report hid the content. Content already hidden (by the
    threshold or a moderator) is left as it is. Moderators are told to look, and the
    author's side hears that its content is hidden for now.
    """
    content = content_of(report)
    if content.is_hidden or getattr(content, "deleted_at", None) is not None:
        return False
    limit = threshold() if limit is None else limit
    reports = open_reports(content)
    count = distinct_reporters(reports, content)
    if count < limit:
        return False
    before = snapshot(content, HIDDEN_FIELDS)
    _set_hidden(content, AUTO_HIDE_REASON, None, now)
    record(
        None,
        f"{_target_name(content)}.auto_hide",
        content,
        before,
        {
            **snapshot(content, HIDDEN_FIELDS),
            "reports": [r.id for r in reports],
            "organizations": count,
        },
    )
    db.session.flush()
    proposal = proposal_of(content)
    notify(
        moderators(),
        _kind(content, "review"),
        params={"title": proposal.title, "count": count},
        proposal=proposal,
        now=now,
    )
    _tell_authors(content, "auto_hidden", now, None)
    return True


def _clean(text: str | None, *, required: bool, field_name: str, limit: int) -> str:
    value = (text or "").strip()
    if required and not value:
        raise DomainError(_l("Please give the reason; the author will read it."), field_name)
    if len(value) > limit:
        raise DomainError(_l("At most %(n)d characters.", n=limit), field_name)
    return value


def hide(content: Content, user: User, reason: str, now: datetime) -> list[int]:
    """Hide content with a reason the author reads; its open reports are actioned.

    Content hidden automatically is confirmed: the moderator's reason replaces the
    standard one. Content a moderator already hid is refused (restore it first).
    Returns the ids of the reports decided.
    """
    _check_moderator(user)
    text = _clean(reason, required=True, field_name="reason", limit=REASON_MAX)
    if getattr(content, "deleted_at", None) is not None:
        raise DomainError(_l("This comment was deleted by its author; there is nothing to hide."))
    if content.is_hidden and not content.hidden_automatically:
        raise DomainError(_l("This is hidden already."))
    before = snapshot(content, HIDDEN_FIELDS)
    _set_hidden(content, text, user, now)
    decided = _decide(open_reports(content), ReportState.actioned, user, now)
    record(
        user,
        f"{_target_name(content)}.hide",
        content,
        before,
        {**snapshot(content, HIDDEN_FIELDS), "reports": decided},
    )
    db.session.flush()
    _tell_authors(content, "hidden", now, user, reason=text)
    return decided


def restore(content: Content, user: User, now: datetime, note: str = "") -> list[int]:
    """Show hidden content again; its open reports are dismissed. Returns their ids."""
    _check_moderator(user)
    text = _clean(note, required=False, field_name="note", limit=NOTE_MAX)
    if not content.is_hidden:
        raise DomainError(_l("This is not hidden."))
    decided = _restore(content, user, now, text)
    db.session.flush()
    return decided


def _restore(content: Content, user: User, now: datetime, note: str) -> list[int]:
    before = snapshot(content, HIDDEN_FIELDS)
    _clear_hidden(content)
    decided = _decide(open_reports(content), ReportState.dismissed, user, now, note)
    record(
        user,
        f"{_target_name(content)}.restore",
        content,
        before,
        {**snapshot(content, HIDDEN_FIELDS), "reports": decided},
    )
    _tell_authors(content, "restored", now, user)
    return decided


def dismiss(report: Report, user: User, now: datetime, note: str = "") -> bool:
    """Dismiss one report (with an optional note for the record).

    When the content was hidden automatically and no open report is left, the reason
    for hiding it is gone: it is restored (and its author told). Returns True then.
    The author is not told of a dismissal that changes nothing they see: they need not
    learn that someone reported them.
    """
    _check_moderator(user)
    text = _clean(note, required=False, field_name="note", limit=NOTE_MAX)
    if report.state != ReportState.open:
        raise DomainError(_l("This report has been decided already."))
    before = snapshot(report, DECISION_FIELDS)
    _decide([report], ReportState.dismissed, user, now, text)
    record(user, "report.dismiss", report, before, snapshot(report, DECISION_FIELDS))
    db.session.flush()
    content = content_of(report)
    if content.is_hidden and content.hidden_automatically and not open_reports(content):
        _restore(content, user, now, text)
        db.session.flush()
        return True
    return False


# --- the queue -------------------------------------------------------------------------


def group_key(content: Content) -> str:
    """The id of a queue item's element: the htmx target of its buttons."""
    return f"report-{_target_name(content)}-{content.id}"


@dataclass
class ReportGroup:
    """The reports on one proposal or comment, as the queue shows them."""

    proposal: Proposal
    comment: Comment | None
    reports: list[Report] = field(default_factory=list)

    @property
    def content(self) -> Content:
        return self.comment if self.comment is not None else self.proposal

    @property
    def key(self) -> str:
        return group_key(self.content)

    @property
    def organizations(self) -> int:
        return distinct_reporters(
            [r for r in self.reports if r.state == ReportState.open], self.content
        )

    @property
    def open(self) -> list[Report]:
        return [r for r in self.reports if r.state == ReportState.open]

    @property
    def hidden(self) -> bool:
        return self.content.is_hidden

    @property
    def auto_hidden(self) -> bool:
        return self.content.is_hidden and self.content.hidden_automatically

    @property
    def deleted(self) -> bool:
        return self.comment is not None and self.comment.deleted_at is not None


def _load(statement: Any) -> list[Report]:
    return list(
        db.session.scalars(
            statement.options(
                selectinload(Report.reporter).selectinload(User.organization),
                selectinload(Report.decided_by),
                selectinload(Report.proposal).selectinload(Proposal.organization),
                selectinload(Report.comment).selectinload(Comment.author),
                selectinload(Report.comment).selectinload(Comment.organization),
            )
        )
    )


def _group(reports: Iterable[Report]) -> list[ReportGroup]:
    groups: dict[tuple[int, int | None], ReportGroup] = {}
    for report in reports:
        key = (report.proposal_id or 0, report.comment_id)
        if key not in groups:
            groups[key] = ReportGroup(proposal_of(content_of(report)), report.comment)
        groups[key].reports.append(report)
    return list(groups.values())


def queue(campaign: Campaign, decided: bool = False) -> list[ReportGroup]:
    """Reports of the campaign grouped by content.

    Open reports: hidden content first (it waits for a moderator), then the most widely
    reported, then the oldest. Decided reports (the history): the latest decisions
    first, at most ``HISTORY_LIMIT`` reports.
    """
    base = select(Report).join(Proposal, Report.proposal_id == Proposal.id)
    base = base.where(Proposal.campaign_id == campaign.id)
    if decided:
        reports = _load(
            base.where(Report.state != ReportState.open)
            .order_by(Report.decided_at.desc(), Report.id.desc())
            .limit(HISTORY_LIMIT)
        )
        return _group(reports)
    reports = _load(
        base.where(Report.state == ReportState.open).order_by(Report.created_at, Report.id)
    )
    groups = _group(reports)
    groups.sort(key=lambda g: (not g.hidden, -g.organizations, g.reports[0].created_at))
    return groups


def group_for(content: Content) -> ReportGroup:
    """One content's open reports, for the queue item swapped in after an action."""
    reports = _load(
        _reports_query(content)
        .where(Report.state == ReportState.open)
        .order_by(Report.created_at, Report.id)
    )
    if isinstance(content, Comment):
        return ReportGroup(content.proposal, content, reports)
    return ReportGroup(content, None, reports)


def open_count(campaign: Campaign) -> int:
    """Open reports of the campaign (for a dashboard)."""
    return (
        db.session.scalar(
            select(func.count(Report.id))
            .join(Proposal, Report.proposal_id == Proposal.id)
            .where(Proposal.campaign_id == campaign.id, Report.state == ReportState.open)
        )
        or 0
    )


def reporter_label(report: Report) -> str:
    """Who reported, as moderators read it: the organisation, or the staff member."""
    reporter = report.reporter
    if report.organization_id is not None:
        organization = db.session.get(Organization, report.organization_id)
        if organization is not None:
            return organization.name
    if reporter is not None:
        return reporter.name
    return str(_l("Former member"))
