"""What the proposals side holds about a person, for access and erasure requests (KVKK).

Registered with :func:`auth.privacy.register_holder` by ``proposals.init_app``, because
``auth`` never imports ``proposals``.

Erasure removes the link between the person and what they wrote — proposals they created,
versions they saved, comments, reports, partnership answers — so every page, export and
API answer shows "Former member" with the organisation, as for any departed member. The
content itself stays: it is the organisation's. Votes are not touched: ``Vote.cast_by_id``
and the vote log's ``user_id`` keep pointing to the erased (now anonymous) account, so
tallies and ``flask audit-votes`` are exactly as before. Moderation records (who hid,
answered, merged) also keep pointing to the erased account: staff accountability, and the
row carries no personal data any more.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select, update

from auth.models import Organization, User
from auth.privacy import PersonalDataHolder, Section, register_holder, rows
from extensions import db
from proposals.models import (
    Campaign,
    Comment,
    Partnership,
    Proposal,
    ProposalVersion,
    Report,
    Vote,
    VoteLogEntry,
)


def export(user: User) -> dict[str, Section]:
    """The person's contributions, one query per section."""
    created = db.session.execute(
        select(
            Proposal.id,
            Campaign.slug.label("campaign"),
            Proposal.title,
            Proposal.state,
            Organization.name.label("organization"),
            Proposal.created_at,
            Proposal.submitted_at,
        )
        .join(Campaign, Campaign.id == Proposal.campaign_id)
        .join(Organization, Organization.id == Proposal.organization_id)
        .where(Proposal.created_by_id == user.id)
        .order_by(Proposal.id)
    )
    versions = db.session.execute(
        select(
            ProposalVersion.proposal_id,
            Proposal.title.label("proposal_title"),
            ProposalVersion.number,
            ProposalVersion.edited_at,
            ProposalVersion.reason,
            ProposalVersion.fields,
        )
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .where(ProposalVersion.edited_by_id == user.id)
        .order_by(ProposalVersion.proposal_id, ProposalVersion.number)
    )
    comments = db.session.execute(
        select(
            Comment.id,
            Comment.proposal_id,
            Comment.parent_id,
            Comment.kind,
            Comment.body,
            Comment.created_at,
            Comment.edited_at,
            Comment.deleted_at,
        )
        .where(Comment.author_id == user.id)
        .order_by(Comment.id)
    )
    reports = db.session.execute(
        select(
            Report.id,
            Report.proposal_id,
            Report.comment_id,
            Report.reason,
            Report.state,
            Report.created_at,
            Report.decided_at,
        )
        .where(Report.reporter_id == user.id)
        .order_by(Report.id)
    )
    votes = db.session.execute(
        select(
            Vote.proposal_id,
            Proposal.title.label("proposal_title"),
            Organization.name.label("organization"),
            Vote.points,
            Vote.cast_at,
        )
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .join(Organization, Organization.id == Vote.organization_id)
        .where(Vote.cast_by_id == user.id)
        .order_by(Vote.cast_at, Vote.id)
    )
    vote_log = db.session.execute(
        select(
            VoteLogEntry.proposal_id,
            VoteLogEntry.organization_id,
            VoteLogEntry.action,
            VoteLogEntry.delta,
            VoteLogEntry.created_at,
        )
        .where(VoteLogEntry.user_id == user.id)
        .order_by(VoteLogEntry.id)
    )
    partnership_answers = db.session.execute(
        select(
            Partnership.proposal_id,
            Partnership.state,
            Partnership.decided_at,
        )
        .where(Partnership.decided_by_id == user.id)
        .order_by(Partnership.id)
    )
    return {
        "proposals_created": rows(created),
        "proposal_versions": rows(versions),
        "comments": rows(comments),
        "reports": rows(reports),
        "votes": rows(votes),
        "vote_log": rows(vote_log),
        "partnership_answers": rows(partnership_answers),
    }


def erase(user: User, now: datetime) -> None:
    """Unlink the person from the organisation's content; votes stay as they are."""
    for column in (
        Proposal.created_by_id,
        ProposalVersion.edited_by_id,
        Comment.author_id,
        Report.reporter_id,
        Partnership.decided_by_id,
    ):
        db.session.execute(
            update(column.class_).where(column == user.id).values({column.key: None})
        )


def init_app(app: Flask) -> None:
    register_holder(app, PersonalDataHolder(name="proposals", export=export, erase=erase))
