"""The discussion of a proposal: comments with one level of replies, edits, deletions, reports.

Who may speak: invited people (participants, moderators, organisers) on a published
proposal they can see, until the campaign closes. A comment keeps the organisation its
author spoke for at the time. Authors may correct a comment for ``EDIT_WINDOW`` after
writing it and delete it at any time; a deleted comment leaves a placeholder so that
the replies to it still make sense.

The functions take domain objects and ``now``, raise :class:`DomainError` with a message
that is safe to show, flush, and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.util import identity_key

from auth.audit import record
from auth.errors import DomainError
from auth.models import Role, User
from auth.permissions import Permission, can
from extensions import db
from proposals.models import Comment, CommentKind, Phase, Proposal, Report, ReportState
from proposals.notifications import members_of, notify
from proposals.reports import apply_threshold

EDIT_WINDOW = timedelta(minutes=15)
BODY_MAX = 5000
REASON_MAX = 2000

KIND_LABELS: dict[CommentKind, Any] = {
    CommentKind.comment: _l("Comment"),
    CommentKind.support: _l("Support"),
    CommentKind.concern: _l("Concern"),
    CommentKind.question: _l("Question"),
}
# The kinds counted on the proposal page ("3 support, 1 concern, 2 questions").
COUNTED_KINDS = (CommentKind.support, CommentKind.concern, CommentKind.question)


def kind_label(kind: CommentKind | str) -> str:
    return str(KIND_LABELS.get(CommentKind(kind), kind))


# --- predicates -----------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def may_comment(proposal: Proposal, user: Any, now: datetime) -> bool:
    """Invited people, on a published proposal they can see and moderation has not hidden,
    until the campaign closes.

    A representative speaks for an organisation, so one without an organisation may not;
    moderators and organisers speak for the municipality.
    """
    if not can(user, Permission.participate):
        return False
    if user.role == Role.participant and user.organization is None:
        return False
    return (
        proposal.is_published
        and not proposal.is_hidden  # hidden by moderation: the discussion pauses too
        and proposal.can_view(user)
        and proposal.campaign.phase(now) != Phase.closed
    )


def is_author(comment: Comment, user: Any) -> bool:
    return _signed_in(user) and comment.author_id is not None and comment.author_id == user.id


def may_edit_comment(comment: Comment, user: Any, now: datetime) -> bool:
    """Its author, for 15 minutes after writing it."""
    return (
        is_author(comment, user)
        and comment.deleted_at is None
        and now - comment.created_at <= EDIT_WINDOW
    )


def may_delete_comment(comment: Comment, user: Any) -> bool:
    """Its author, at any time."""
    return is_author(comment, user) and comment.deleted_at is None


def may_reply(comment: Comment, user: Any, now: datetime) -> bool:
    return comment.deleted_at is None and may_comment(comment.proposal, user, now)


def may_report(
    user: Any, *, proposal: Proposal | None = None, comment: Comment | None = None
) -> bool:
    """Signed-in people flag what they can see: a published proposal or a live comment."""
    if not _signed_in(user):
        return False
    if comment is not None:
        return comment.deleted_at is None and comment.proposal.can_view(user)
    if proposal is not None:
        return proposal.is_published and proposal.can_view(user)
    return False


# --- writing --------------------------------------------------------------------------


def _clean_body(body: str | None) -> str:
    text = (body or "").strip()
    if not text:
        raise DomainError(_l("Please write your comment."), "body")
    if len(text) > BODY_MAX:
        raise DomainError(_l("At most %(n)d characters.", n=BODY_MAX), "body")
    return text


def speaker_name(user: User) -> str:
    """Who a notification says spoke: the organisation, or the person for staff."""
    return user.organization.name if user.organization is not None else user.name


def post_comment(
    proposal: Proposal,
    user: User,
    body: str,
    kind: CommentKind,
    now: datetime,
    parent: Comment | None = None,
) -> Comment:
    """Add a comment (or a reply to ``parent``) and tell the organisations concerned.

    A reply to a reply attaches to the top-level comment: the thread has one level.
    The author of the comment answered (and of its top-level comment) hears of the reply;
    the members of the author and partner organisations hear of every comment.
    """
    if not may_comment(proposal, user, now):
        raise DomainError(_l("You may not comment on this proposal."))
    text = _clean_body(body)
    kind = CommentKind(kind)
    answered: list[Comment] = []
    if parent is not None:
        if parent.proposal_id != proposal.id:
            raise DomainError(_l("The comment you are replying to is not on this proposal."))
        if parent.deleted_at is not None:
            raise DomainError(_l("The comment you are replying to has been deleted."))
        answered.append(parent)
        if parent.parent_id is not None:
            top = db.session.get(Comment, parent.parent_id)
            if top is None:  # cannot happen: a foreign key
                raise DomainError(_l("The comment you are replying to has been deleted."))
            parent = top
            answered.append(top)
    comment = Comment(
        proposal_id=proposal.id,
        parent_id=parent.id if parent is not None else None,
        author_id=user.id,
        organization_id=user.organization_id,
        kind=kind,
        body=text,
        created_at=now,
    )
    db.session.add(comment)
    db.session.flush()
    refresh_counts(proposal.id)
    _notify_comment(proposal, user, now, answered)
    return comment


def refresh_counts(proposal_id: int) -> None:
    """Recount the proposal's comments and supporting organisations onto its row.

    Recounting (rather than adding one) stays right whatever changed; the row lock taken
    first makes concurrent comment writes on one proposal recount one after the other, and
    each recount is a new statement that sees the other's committed comment.
    """
    db.session.execute(select(Proposal.id).where(Proposal.id == proposal_id).with_for_update())
    alive = and_(Comment.proposal_id == Proposal.id, Comment.deleted_at.is_(None))
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id)
        .values(
            comment_count=select(func.count(Comment.id)).where(alive).scalar_subquery(),
            support_count=select(func.count(func.distinct(Comment.organization_id)))
            .where(alive, Comment.kind == CommentKind.support)
            .scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )
    # The session's copy of the proposal (if it holds one) must show the new counts.
    proposal = db.session.identity_map.get(identity_key(Proposal, proposal_id))
    if proposal is not None:
        db.session.refresh(proposal, ["comment_count", "support_count"])


def _notify_comment(proposal: Proposal, user: User, now: datetime, answered: list[Comment]) -> None:
    params = {"organization": speaker_name(user), "title": proposal.title}
    concerned = [proposal.organization, *proposal.confirmed_partners()]
    members = members_of(concerned, exclude=user)
    replied_to: list[User] = []
    for comment in answered:
        author = comment.author
        if author is None or author.id == user.id or not author.active:
            continue
        if author.id not in {u.id for u in replied_to}:
            replied_to.append(author)
    # One notification per person: whoever was answered hears of the reply, not of a comment.
    skip = {u.id for u in replied_to}
    notify(
        [u for u in members if u.id not in skip],
        "comment",
        params=params,
        proposal=proposal,
        now=now,
    )
    if replied_to:
        notify(replied_to, "reply", params=params, proposal=proposal, now=now)


def edit_comment(comment: Comment, user: User, body: str, now: datetime) -> None:
    if not is_author(comment, user) or comment.deleted_at is not None:
        raise DomainError(_l("Only its author can change a comment."))
    if now - comment.created_at > EDIT_WINDOW:
        raise DomainError(
            _l(
                "A comment can be changed for %(minutes)d minutes after it is written; "
                "that time has passed.",
                minutes=EDIT_WINDOW // timedelta(minutes=1),
            ),
            "body",
        )
    text = _clean_body(body)
    if text == comment.body:
        return
    before = {"body": comment.body}
    comment.body = text
    comment.edited_at = now
    record(user, "comment.edit", comment, before, {"body": text})
    db.session.flush()


def delete_comment(comment: Comment, user: User, now: datetime) -> None:
    """Soft delete: the thread shows a placeholder and keeps the replies."""
    if not may_delete_comment(comment, user):
        raise DomainError(_l("Only its author can delete a comment."))
    comment.deleted_at = now
    record(user, "comment.delete", comment, {"deleted_at": None}, {"deleted_at": now})
    db.session.flush()
    refresh_counts(comment.proposal_id)


# --- reading --------------------------------------------------------------------------


def thread(proposal: Proposal) -> list[Comment]:
    """Top-level comments, oldest first, with their replies, authors and organisations.

    Always the same handful of statements, however long the discussion (selectin loads).
    """
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.proposal_id == proposal.id, Comment.parent_id.is_(None))
            .order_by(Comment.created_at, Comment.id)
            .options(
                selectinload(Comment.author),
                selectinload(Comment.organization),
                selectinload(Comment.replies).selectinload(Comment.author),
                selectinload(Comment.replies).selectinload(Comment.organization),
            )
            # Collections already in the session (e.g. just written) are read afresh too.
            .execution_options(populate_existing=True)
        )
    )


def kind_counts(proposal: Proposal) -> dict[CommentKind, int]:
    """Comments and replies not deleted, per kind (every kind present, zero or more)."""
    rows = db.session.execute(
        select(Comment.kind, func.count(Comment.id))
        .where(Comment.proposal_id == proposal.id, Comment.deleted_at.is_(None))
        .group_by(Comment.kind)
    ).all()
    counts = dict.fromkeys(CommentKind, 0)
    for kind, number in rows:
        counts[CommentKind(kind)] = number
    return counts


# --- reports --------------------------------------------------------------------------


def already_reported(
    user: User, *, proposal: Proposal | None = None, comment: Comment | None = None
) -> bool:
    query = select(Report.id).where(Report.reporter_id == user.id, Report.state == ReportState.open)
    if comment is not None:
        query = query.where(Report.comment_id == comment.id)
    elif proposal is not None:
        query = query.where(Report.proposal_id == proposal.id, Report.comment_id.is_(None))
    return db.session.scalar(query.limit(1)) is not None


def report(
    user: User,
    *,
    proposal: Proposal | None = None,
    comment: Comment | None = None,
    reason: str,
    now: datetime,
) -> Report:
    """Flag a proposal or a comment for the moderators; one open report per person and target."""
    if (proposal is None) == (comment is None):
        raise ValueError("report() takes a proposal or a comment")
    if not may_report(user, proposal=proposal, comment=comment):
        raise DomainError(_l("You may not report this."))
    text = (reason or "").strip()
    if not text:
        raise DomainError(_l("Please tell the moderators what is wrong."), "reason")
    if len(text) > REASON_MAX:
        raise DomainError(_l("At most %(n)d characters.", n=REASON_MAX), "reason")
    if already_reported(user, proposal=proposal, comment=comment):
        raise DomainError(
            _l("You have already reported this; the moderators will look at it."), "reason"
        )
    flagged = Report(
        reporter_id=user.id,
        organization_id=user.organization_id,
        proposal_id=comment.proposal_id if comment is not None else proposal.id,  # type: ignore[union-attr]
        comment_id=comment.id if comment is not None else None,
        reason=text,
        state=ReportState.open,
        created_at=now,
    )
    db.session.add(flagged)
    db.session.flush()
    apply_threshold(flagged, now)  # enough organisations' reports hide the content
    return flagged


# --- what the proposal page needs -----------------------------------------------------


@dataclass
class Discussion:
    """Everything ``proposals/_comments.html`` shows, for one reader at one moment."""

    proposal: Proposal
    user: Any
    now: datetime
    comments: list[Comment]
    counts: dict[CommentKind, int]
    may_comment: bool
    form: Any  # the new-comment form (bound, with errors, after a failed post)
    reply_form: Any = None  # the reply form that failed, shown under ``reply_to``
    reply_to: int | None = None
    editing: int | None = None  # the comment shown as its edit form …
    edit_form: Any = None  # … with this form
    announcement: str = ""  # read out by screen readers after an htmx swap
    focus_id: str = ""  # the id of the element focused after an htmx swap
    fragment: str = "comments"  # the swapped element: "comments" (the section) or "comment"
    kinds: tuple[CommentKind, ...] = field(default=COUNTED_KINDS)

    body_max: int = BODY_MAX

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def kind_label(self, kind: CommentKind | str) -> str:
        return kind_label(kind)

    def may_reply(self, comment: Comment) -> bool:
        return self.may_comment and comment.deleted_at is None

    def may_edit(self, comment: Comment) -> bool:
        return may_edit_comment(comment, self.user, self.now)

    def may_delete(self, comment: Comment) -> bool:
        return may_delete_comment(comment, self.user)

    def may_report(self, comment: Comment) -> bool:
        # The proposal is visible (the page shows it); only the state of the comment counts.
        return _signed_in(self.user) and comment.deleted_at is None

    def is_author(self, comment: Comment) -> bool:
        return is_author(comment, self.user)

    @property
    def may_report_proposal(self) -> bool:
        """For the proposal page's "Report" link (discussion.report_proposal)."""
        return may_report(self.user, proposal=self.proposal)


def thread_context(proposal: Proposal, user: Any, now: datetime, **extra: Any) -> dict[str, Any]:
    """The template context of the discussion: ``render_template(..., **thread_context(...))``.

    One key, ``discussion``, so that it never collides with the page's own names.
    ``extra`` overrides fields of :class:`Discussion` (the bound form after an error, the
    announcement and focus after an htmx post).
    """
    from proposals.discussion_forms import CommentForm

    values: dict[str, Any] = {
        "proposal": proposal,
        "user": user,
        "now": now,
        "comments": thread(proposal),
        "counts": kind_counts(proposal),
        "may_comment": may_comment(proposal, user, now),
        "form": None,
        **extra,
    }
    if values["form"] is None:
        values["form"] = CommentForm(formdata=None)
    return {"discussion": Discussion(**values)}


def comment_context(comment: Comment, user: Any, now: datetime, **extra: Any) -> dict[str, Any]:
    """The context of ``proposals/_comment.html`` alone (an htmx swap of one comment)."""
    fresh = db.session.scalars(
        select(Comment)
        .where(Comment.id == comment.id)
        .options(
            selectinload(Comment.author),
            selectinload(Comment.organization),
            selectinload(Comment.replies).selectinload(Comment.author),
            selectinload(Comment.replies).selectinload(Comment.organization),
        )
        .execution_options(populate_existing=True)
    ).one()
    proposal = fresh.proposal
    values: dict[str, Any] = {
        "proposal": proposal,
        "user": user,
        "now": now,
        "comments": [fresh],
        "counts": {},
        "may_comment": may_comment(proposal, user, now),
        "form": None,
        "fragment": "comment",
        **extra,
    }
    return {"discussion": Discussion(**values), "comment": fresh}
