"""Reminding organisations with votes left, once, when voting is about to close.

``send_vote_reminders`` is run by ``flask send-reminders`` (from cron, e.g. hourly). For each
campaign whose voting is open and closes within ``WINDOW``, every active organisation that
has not used its whole ballot gets one reminder: a mail to each of its active members in
their language. The marker is ``Ballot.reminded_at``, set by a conditional UPDATE (``…
WHERE reminded_at IS NULL``), so running the command twice — even at the same time —
reminds nobody twice. An organisation that has not voted yet gets its (empty) ballot row
created to hold the marker.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from babel.dates import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from auth.mail import external_url, queue_mail
from auth.models import User
from extensions import db
from proposals import voting
from proposals.models import Ballot, Campaign, VotingMethod

WINDOW = timedelta(hours=48)


@dataclass
class ReminderReport:
    campaigns: list[str] = field(default_factory=list)  # slugs of the campaigns looked at
    organizations: int = 0  # organisations reminded now
    mails: int = 0


def closing_soon(now: datetime) -> list[Campaign]:
    """Campaigns whose voting is open at ``now`` and closes within ``WINDOW``."""
    return list(
        db.session.scalars(
            select(Campaign)
            .where(
                Campaign.voting_opens_at <= now,
                Campaign.voting_closes_at > now,
                Campaign.voting_closes_at <= now + WINDOW,
            )
            .order_by(Campaign.voting_closes_at, Campaign.id)
        )
    )


def _closes_text(campaign: Campaign, locale: str) -> str:
    moment = campaign.voting_closes_at.replace(tzinfo=UTC)
    return format_datetime(moment, "d MMMM y HH:mm", tzinfo=campaign.zone, locale=locale)


def remind_campaign(campaign: Campaign, now: datetime) -> tuple[int, int]:
    """Remind this campaign's organisations with votes left; returns (organisations, mails)."""
    organizations = voting.organizations_with_votes_left(campaign)
    members: dict[int, list[User]] = defaultdict(list)
    if organizations:
        for user in db.session.scalars(
            select(User)
            .where(User.organization_id.in_([o.id for o in organizations]), User.active)
            .order_by(User.id)
        ):
            members[user.organization_id or 0].append(user)
    link = external_url("proposals.campaign", slug=campaign.slug)
    reminded = mails = 0
    for organization in organizations:
        people = members.get(organization.id)
        if not people:
            continue  # nobody to tell; a member who joins later is reminded on a later run
        ballot = voting._ballot(campaign, organization.id)  # created empty if not there yet
        claimed = db.session.execute(
            update(Ballot)
            .where(
                Ballot.id == ballot.id,
                Ballot.reminded_at.is_(None),
                Ballot.used < Ballot.budget,
            )
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue  # reminded before (or the ballot filled up meanwhile)
        db.session.refresh(ballot)
        reminded += 1
        for user in people:
            queue_mail(
                user.email,
                locale=user.locale,
                kind="vote_reminder",
                subject=_l("Ortak: voting in “%(title)s” closes soon", title=campaign.title),
                template="vote_reminder",
                user=user,
                organization=organization,
                campaign=campaign,
                remaining=ballot.remaining,
                budget=ballot.budget,
                points=campaign.voting_method == VotingMethod.points,
                closes=_closes_text(campaign, user.locale),
                link=link,
            )
            mails += 1
    if reminded and campaign.reminders_sent_at is None:
        campaign.reminders_sent_at = now
    db.session.flush()
    return reminded, mails


def send_vote_reminders(now: datetime) -> ReminderReport:
    """Flushes, does not commit (the CLI commits)."""
    report = ReminderReport()
    for campaign in closing_soon(now):
        report.campaigns.append(campaign.slug)
        organizations, mails = remind_campaign(campaign, now)
        report.organizations += organizations
        report.mails += mails
    return report
