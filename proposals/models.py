"""Campaigns and their themes. Proposals, comments and ballots join them in later issues."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy import text as sa_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import Organization, User, utcnow
from auth.permissions import Permission, can
from extensions import db


class Phase(enum.StrEnum):
    upcoming = "upcoming"
    submission = "submission"
    review = "review"  # submission closed, voting not yet open: moderators prepare the ballot
    voting = "voting"
    closed = "closed"


class VotingMethod(enum.StrEnum):
    approval = "approval"  # one vote per chosen proposal
    points = "points"  # dot voting: spread the budget, at most K points on one proposal


class ResultsVisibility(enum.StrEnum):
    after_close = "after_close"  # against bandwagon effects (the default)
    live = "live"


class BallotSecrecy(enum.StrEnum):
    secret = "secret"  # noqa: S105 - nobody sees another organisation's ballot
    open = "open"  # organisers see each organisation's ballot


class Visibility(enum.StrEnum):
    public = "public"  # anyone reads; only invited people act
    members = "members"  # only signed-in members read


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    awareness_day: Mapped[date] = mapped_column(Date)
    # Windows are stored in naive UTC; the phase is derived from them and never stored.
    submission_opens_at: Mapped[datetime] = mapped_column()
    submission_closes_at: Mapped[datetime] = mapped_column()
    voting_opens_at: Mapped[datetime] = mapped_column()
    voting_closes_at: Mapped[datetime] = mapped_column()
    votes_per_organization: Mapped[int] = mapped_column(default=3)
    voting_method: Mapped[VotingMethod] = mapped_column(
        db.Enum(VotingMethod, native_enum=False, length=20, validate_strings=True),
        default=VotingMethod.approval,
        server_default=VotingMethod.approval.value,
    )
    max_points_per_proposal: Mapped[int] = mapped_column(default=1, server_default="1")
    allow_own_votes: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    results_visibility: Mapped[ResultsVisibility] = mapped_column(
        db.Enum(ResultsVisibility, native_enum=False, length=20, validate_strings=True),
        default=ResultsVisibility.after_close,
        server_default=ResultsVisibility.after_close.value,
    )
    ballot_secrecy: Mapped[BallotSecrecy] = mapped_column(
        db.Enum(BallotSecrecy, native_enum=False, length=20, validate_strings=True),
        default=BallotSecrecy.secret,
        server_default=BallotSecrecy.secret.value,
    )
    results_published_at: Mapped[datetime | None] = mapped_column()
    reminders_sent_at: Mapped[datetime | None] = mapped_column()
    visibility: Mapped[Visibility] = mapped_column(
        db.Enum(Visibility, native_enum=False, length=20, validate_strings=True),
        default=Visibility.public,
    )
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Istanbul")
    # A key the creation form carries, so that a double-submitted form creates one campaign.
    creation_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    themes: Mapped[list[Theme]] = relationship(
        back_populates="campaign", order_by="Theme.position, Theme.id"
    )
    created_by: Mapped[User | None] = relationship()

    def phase(self, now: datetime) -> Phase:
        if now < self.submission_opens_at:
            return Phase.upcoming
        if now < self.submission_closes_at:
            return Phase.submission
        if now < self.voting_opens_at:
            return Phase.review
        if now < self.voting_closes_at:
            return Phase.voting
        return Phase.closed

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def can_view(self, user: Any) -> bool:
        if self.visibility == Visibility.public:
            return True
        return bool(getattr(user, "is_authenticated", False) and user.is_active)

    def can_manage(self, user: Any) -> bool:
        return can(user, Permission.manage_campaigns)

    def __repr__(self) -> str:
        return f"<Campaign {self.slug}>"


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    name_tr: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    description_tr: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#6b3fa0")
    position: Mapped[int] = mapped_column(default=0)
    archived_at: Mapped[datetime | None] = mapped_column()

    campaign: Mapped[Campaign] = relationship(back_populates="themes")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_tr

    def description(self, locale: str) -> str:
        return (
            self.description_en if locale == "en" and self.description_en else self.description_tr
        )

    def __repr__(self) -> str:
        return f"<Theme {self.id} {self.name_tr!r}>"


class ActivityType(enum.StrEnum):
    event = "event"
    workshop = "workshop"
    training = "training"
    public_campaign = "public_campaign"
    exhibition = "exhibition"
    other = "other"


class ProposalState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    accepted = "accepted"
    not_accepted = "not_accepted"
    withdrawn = "withdrawn"
    merged = "merged"
    shortlisted = "shortlisted"
    not_selected = "not_selected"


# The states a proposal is publicly visible in (a draft is its organisation's alone).
PUBLISHED_STATES = frozenset(ProposalState) - {ProposalState.draft}


class PartnershipState(enum.StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    declined = "declined"


def _enum(kind: type[enum.Enum], length: int = 20) -> Any:
    return db.Enum(kind, native_enum=False, length=length, validate_strings=True)


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_campaign_state", "campaign_id", "state"),
        # The theme board finds a page's ids and counts from this index alone.
        Index(
            "ix_proposals_campaign_submitted_state_id", "campaign_id", "submitted_at", "state", "id"
        ),
        Index("ix_proposals_campaign_submitted", "campaign_id", "submitted_at"),
        # The list's "most discussed" and "most supported" orders, read backwards.
        Index("ix_proposals_campaign_comment_count", "campaign_id", "comment_count"),
        Index("ix_proposals_campaign_support_count", "campaign_id", "support_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(120), default="")
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    activity_type: Mapped[ActivityType | None] = mapped_column(_enum(ActivityType))
    target_group: Mapped[str] = mapped_column(String(200), default="")
    district: Mapped[str] = mapped_column(String(40), default="")
    proposed_date: Mapped[date | None] = mapped_column(Date)
    expected_participants: Mapped[int | None] = mapped_column()
    estimated_budget: Mapped[int | None] = mapped_column()  # whole Turkish lira
    state: Mapped[ProposalState] = mapped_column(_enum(ProposalState), default=ProposalState.draft)
    # Turkish-folded title + summary + description, kept up to date on every write, so
    # that search is one indexed-column LIKE on SQLite and PostgreSQL alike (see search.py).
    search_text: Mapped[str] = mapped_column(Text, default="")
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    # A key the new-proposal form carries, so a double submit creates one proposal.
    creation_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column()
    # Moderation (issue 5). A merged proposal points at its target; the target's sources
    # are the proposals pointing at it.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    hidden_at: Mapped[datetime | None] = mapped_column()
    hidden_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # True while hidden by the report threshold, before any moderator looked.
    hidden_automatically: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # The official answer given with a status decision, in Turkish and/or English.
    answer_tr: Mapped[str] = mapped_column(Text, default="", server_default="")
    answer_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    answered_at: Mapped[datetime | None] = mapped_column()
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Kinds of personal data the writer confirmed publishing (e.g. ["phone"]), for moderators.
    personal_data: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=sa_text("'[]'")
    )
    personal_data_reviewed_at: Mapped[datetime | None] = mapped_column()
    # The list sorts and shows these for 20 of 20,000 proposals at a time; counting
    # 200,000 comments per page view does not scale, so they are kept on the row and
    # recomputed (under the row's lock) by every comment write: discussion.refresh_counts.
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    support_count: Mapped[int] = mapped_column(default=0, server_default="0")

    campaign: Mapped[Campaign] = relationship()
    organization: Mapped[Organization] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    merged_into: Mapped[Proposal | None] = relationship(
        remote_side="Proposal.id", foreign_keys=[merged_into_id]
    )
    partnerships: Mapped[list[Partnership]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="Partnership.id"
    )
    themes: Mapped[list[Theme]] = relationship(
        secondary="proposal_themes", order_by="Theme.position"
    )
    versions: Mapped[list[ProposalVersion]] = relationship(
        back_populates="proposal", order_by="ProposalVersion.number"
    )

    @property
    def is_published(self) -> bool:
        return self.state in PUBLISHED_STATES

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def answer(self, locale: str) -> str:
        """The official answer in ``locale``, falling back to the other language."""
        if locale == "en":
            return self.answer_en or self.answer_tr
        return self.answer_tr or self.answer_en

    def confirmed_partners(self) -> list[Organization]:
        return [p.organization for p in self.partnerships if p.state == PartnershipState.confirmed]

    def is_member(self, user: Any) -> bool:
        """True when ``user`` speaks for the author organisation."""
        organization_id = self.organization.id if self.organization else self.organization_id
        return bool(
            getattr(user, "is_authenticated", False)
            and user.is_active
            and user.organization_id is not None
            and user.organization_id == organization_id
        )

    def can_view(self, user: Any) -> bool:
        if not self.campaign.can_view(user):
            return False
        return self.is_published or self.is_member(user)

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.state}>"


proposal_themes = db.Table(
    "proposal_themes",
    db.Column("proposal_id", ForeignKey("proposals.id"), primary_key=True),
    db.Column("theme_id", ForeignKey("themes.id"), primary_key=True, index=True),
)


class Partnership(db.Model):
    __tablename__ = "partnerships"
    __table_args__ = (UniqueConstraint("proposal_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    state: Mapped[PartnershipState] = mapped_column(
        _enum(PartnershipState), default=PartnershipState.pending
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    proposal: Mapped[Proposal] = relationship(back_populates="partnerships")
    organization: Mapped[Organization] = relationship()
    decided_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Partnership {self.proposal_id}:{self.organization_id} {self.state}>"


class ProposalVersion(db.Model):
    """The text of a proposal after each save, with who saved it and why (moderators)."""

    __tablename__ = "proposal_versions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    number: Mapped[int] = mapped_column()
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)

    proposal: Mapped[Proposal] = relationship(back_populates="versions")
    edited_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ProposalVersion {self.proposal_id}#{self.number}>"


class CommentKind(enum.StrEnum):
    comment = "comment"
    support = "support"
    concern = "concern"
    question = "question"


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_proposal_created", "proposal_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The organisation the author spoke for when writing; kept if they later leave.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[CommentKind] = mapped_column(_enum(CommentKind), default=CommentKind.comment)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column()
    deleted_at: Mapped[datetime | None] = mapped_column()
    hidden_at: Mapped[datetime | None] = mapped_column()
    hidden_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_automatically: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    personal_data: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=sa_text("'[]'")
    )
    personal_data_reviewed_at: Mapped[datetime | None] = mapped_column()

    proposal: Mapped[Proposal] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])
    organization: Mapped[Organization | None] = relationship()
    replies: Mapped[list[Comment]] = relationship(order_by="Comment.created_at, Comment.id")

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def __repr__(self) -> str:
        return f"<Comment {self.id} on {self.proposal_id}>"


class ReportState(enum.StrEnum):
    open = "open"
    dismissed = "dismissed"
    actioned = "actioned"


class Report(db.Model):
    """A user's flag on a proposal or comment, for the moderation queue."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ReportState] = mapped_column(_enum(ReportState), default=ReportState.open)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    proposal: Mapped[Proposal | None] = relationship()
    comment: Mapped[Comment | None] = relationship()

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.state}>"


# States in which a proposal takes votes; any other state returns its votes to the ballots.
VOTABLE_STATES = frozenset({ProposalState.submitted, ProposalState.accepted})


class Ballot(db.Model):
    """An organisation's one ballot in a campaign, shared by all its representatives.

    ``used`` is changed only by a conditional UPDATE (``used + n <= budget``), which the
    database applies atomically on SQLite and PostgreSQL alike: concurrent votes from
    one organisation can never overspend it.
    """

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("campaign_id", "organization_id"),
        CheckConstraint("used >= 0 AND used <= budget", name="within_budget"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    budget: Mapped[int] = mapped_column()
    used: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column()

    campaign: Mapped[Campaign] = relationship()
    organization: Mapped[Organization] = relationship()
    votes: Mapped[list[Vote]] = relationship(back_populates="ballot", order_by="Vote.cast_at")

    @property
    def remaining(self) -> int:
        return self.budget - self.used

    def __repr__(self) -> str:
        return f"<Ballot {self.id} {self.used}/{self.budget}>"


class Vote(db.Model):
    __tablename__ = "votes"
    __table_args__ = (
        # The database itself makes a double vote impossible.
        UniqueConstraint("proposal_id", "organization_id"),
        CheckConstraint("points > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    points: Mapped[int] = mapped_column(default=1)
    cast_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

    ballot: Mapped[Ballot] = relationship(back_populates="votes")
    proposal: Mapped[Proposal] = relationship()
    cast_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Vote {self.organization_id}->{self.proposal_id} {self.points}>"


class VoteAction(enum.StrEnum):
    give = "give"
    take_back = "take_back"
    returned = "returned"  # the proposal left the vote; the points went back to the ballot
    # A merge moved points from a source onto its target; an unmerge put them back
    # (proposals/merging.py). Non-native enum of length 20: no migration needed.
    merged = "merged"
    unmerged = "unmerged"


class VoteLogEntry(db.Model):
    """Append-only: every change to a ballot, enough to recompute every tally.

    ``delta`` is the change in points on (organisation, proposal); summing it per
    proposal must equal the stored votes (``flask audit-votes`` checks this).
    """

    __tablename__ = "vote_log"
    __table_args__ = (Index("ix_vote_log_campaign", "campaign_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[VoteAction] = mapped_column(_enum(VoteAction))
    delta: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<VoteLogEntry {self.id} {self.action} {self.delta:+d}>"


class Merge(db.Model):
    """One merge of source proposals into a target; ``before`` holds what unmerge restores.

    ``before`` is written by :mod:`proposals.merging` and read only by it: the sources'
    states, the partnerships the merge added, and every vote on the sources and target.
    """

    __tablename__ = "merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column()
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    before: Mapped[dict[str, Any]] = mapped_column(JSON)

    target: Mapped[Proposal] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])

    def __repr__(self) -> str:
        return f"<Merge {self.id} into {self.target_id}>"


class ThemeSuggestionDismissal(db.Model):
    """A moderator said "no" to suggesting this theme for this proposal; it is not offered again."""

    __tablename__ = "theme_suggestion_dismissals"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), primary_key=True)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dismissed_at: Mapped[datetime] = mapped_column(default=utcnow)
