"""Telling organisations what happened to proposals they are part of.

Each event becomes one Notification per member (shown in-app, in the reader's
language) and, following each member's preference, a mail now (through the
outbox) or a line in tomorrow's digest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from auth.mail import external_url, queue_mail
from auth.models import Notification, NotificationMode, Organization, User
from extensions import db
from proposals.models import Partnership, Proposal

KINDS: dict[str, Any] = {
    "comment": _l("%(organization)s commented on “%(title)s”."),
    "reply": _l("%(organization)s replied to a comment on “%(title)s”."),
    "partnership_request": _l(
        "%(organization)s asks your organisation to be a partner of “%(title)s”."
    ),
    "partnership_answer": _l("%(organization)s answered your partnership request for “%(title)s”."),
    "proposal_changed": _l("“%(title)s”, which your organisation is a partner of, was changed."),
    # Merges (proposals/merging.py): "sources" is “A”, “B” without the outer quotes.
    "merged_into": _l("“%(title)s” was merged into “%(target)s”; its discussion stays linked."),
    "merged_from": _l(
        "“%(sources)s” was merged into “%(title)s”; its organisations are partners now."
    ),
    "merge_votes_moved": _l("Your organisation's vote for “%(sources)s” moved to “%(title)s”."),
    "merge_votes_moved_returned": _l(
        "Your organisation's vote for “%(sources)s” moved to “%(title)s”; points beyond the "
        "limit per proposal went back to your ballot: %(returned)s."
    ),
    "merge_votes_returned": _l(
        "“%(sources)s” was merged into “%(title)s”; your organisation's points for it went "
        "back to your ballot: %(returned)s."
    ),
    "merge_votes_now_partner": _l(
        "Your organisation is now a partner of “%(title)s”, so its points for it went back to "
        "your ballot: %(returned)s."
    ),
    "unmerged": _l("The merge of “%(sources)s” into “%(title)s” was undone."),
    "unmerge_votes": _l(
        "The merge of “%(sources)s” into “%(title)s” was undone; your organisation's votes are "
        "as they were before it."
    ),
    "unmerge_votes_short": _l(
        "The merge of “%(sources)s” into “%(title)s” was undone, but your ballot had no room "
        "for all the earlier votes: %(missing)s point(s) could not be restored."
    ),
    # Status decisions (proposals/decisions.py); the official answer is on the page.
    "decision_accepted": _l("“%(title)s” was accepted for the vote."),
    "decision_not_accepted": _l(
        "“%(title)s” was not accepted for the vote. The official answer is on its page."
    ),
    "decision_votes_returned": _l(
        "“%(title)s” was not accepted for the vote; your organisation's points for it went "
        "back to your ballot. The official answer is on its page."
    ),
    "decision_reopened": _l("The decision on “%(title)s” was withdrawn: it is under review again."),
    "decision_shortlisted": _l("“%(title)s” was shortlisted."),
    "decision_not_selected": _l(
        "“%(title)s” was not selected. The official answer is on its page."
    ),
    "decision_answer": _l("The official answer on “%(title)s” was updated."),
    # Moderation of reported content (proposals/reports.py).
    "hidden_proposal": _l("A moderator hid “%(title)s”. Reason: %(reason)s"),
    "hidden_comment": _l("A moderator hid a comment of yours on “%(title)s”. Reason: %(reason)s"),
    "auto_hidden_proposal": _l(
        "“%(title)s” was reported by several organisations and is hidden until a moderator "
        "looks at it."
    ),
    "auto_hidden_comment": _l(
        "A comment of yours on “%(title)s” was reported by several organisations and is "
        "hidden until a moderator looks at it."
    ),
    "restored_proposal": _l("A moderator restored “%(title)s”: it is visible again."),
    "restored_comment": _l(
        "A moderator restored your comment on “%(title)s”: it is visible again."
    ),
    "review_proposal": _l(
        "“%(title)s” was hidden automatically after reports from %(count)s organisations. "
        "Please look at it."
    ),
    "review_comment": _l(
        "A comment on “%(title)s” was hidden automatically after reports from %(count)s "
        "organisations. Please look at it."
    ),
}


def message(notification: Notification) -> str:
    """The notification as a sentence in the current language."""
    template = KINDS.get(notification.kind)
    if template is None:
        return notification.kind
    return str(template) % {"organization": "", "title": "", **notification.params}


def members_of(organizations: Iterable[Organization], exclude: User | None = None) -> list[User]:
    ids = {o.id for o in organizations}
    if not ids:
        return []
    users = db.session.scalars(
        select(User).where(User.organization_id.in_(ids), User.active).order_by(User.id)
    ).all()
    return [u for u in users if exclude is None or u.id != exclude.id]


def notify(
    recipients: Iterable[User],
    kind: str,
    *,
    params: dict[str, Any],
    proposal: Proposal,
    now: datetime,
) -> list[Notification]:
    """Record the event for each recipient and mail those who want mail at once."""
    link = external_url("proposals.proposal", proposal_id=proposal.id)
    created = []
    for user in recipients:
        notification = Notification(
            user=user,
            kind=kind,
            params=params,
            link=link,
            created_at=now,
        )
        db.session.add(notification)
        created.append(notification)
        if user.notification_mode == NotificationMode.immediate:
            with force_locale(user.locale):
                text = message(notification)
            queue_mail(
                user.email,
                locale=user.locale,
                kind=f"notification.{kind}",
                subject=_l("Ortak: %(what)s", what=text),
                template="notification",
                user=user,
                text=text,
                link=link,
            )
            notification.mailed_at = now
        elif user.notification_mode == NotificationMode.off:
            notification.mailed_at = now  # nothing to send, ever
    return created


def notify_partnership_requests(requests: list[Partnership], now: datetime) -> None:
    for partnership in requests:
        proposal = partnership.proposal
        notify(
            members_of([partnership.organization]),
            "partnership_request",
            params={"organization": proposal.organization.name, "title": proposal.title},
            proposal=proposal,
            now=now,
        )


def notify_partners_of_change(proposal: Proposal, actor: User, now: datetime) -> None:
    notify(
        members_of(proposal.confirmed_partners(), exclude=actor),
        "proposal_changed",
        params={"title": proposal.title},
        proposal=proposal,
        now=now,
    )


def send_digests(now: datetime) -> int:
    """One mail per daily-digest reader with everything not yet mailed; returns mails queued."""
    pending = db.session.scalars(
        select(Notification)
        .join(User, Notification.user_id == User.id)
        .where(
            Notification.mailed_at.is_(None),
            User.notification_mode == NotificationMode.daily,
            User.active,
        )
        .order_by(Notification.user_id, Notification.created_at)
    ).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.user_id].append(notification)
    for notifications in by_user.values():
        user = notifications[0].user
        with force_locale(user.locale):
            lines = [(message(n), n.link) for n in notifications]
        queue_mail(
            user.email,
            locale=user.locale,
            kind="digest",
            subject=_l("Ortak: your daily summary"),
            template="digest",
            user=user,
            lines=lines,
        )
        for notification in notifications:
            notification.mailed_at = now
    return len(by_user)


def unread_count(user: User) -> int:
    from sqlalchemy import func

    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )
