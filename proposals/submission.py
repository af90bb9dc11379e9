"""Writing proposals: drafts, submission, edits with history, withdrawal, partners.

An organisation speaks through any of its members: every member may edit the
organisation's drafts and proposals while the submission window is open. After
it closes only moderators edit, and they must say why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from auth.audit import record
from auth.errors import DomainError
from auth.models import Organization, User
from auth.permissions import Permission, can
from extensions import db
from proposals.models import (
    ActivityType,
    Campaign,
    Partnership,
    PartnershipState,
    Phase,
    Proposal,
    ProposalState,
    ProposalVersion,
)
from text import fold

DISTRICTS = (
    "Aliağa", "Balçova", "Bayındır", "Bayraklı", "Bergama", "Beydağ", "Bornova", "Buca",
    "Çeşme", "Çiğli", "Dikili", "Foça", "Gaziemir", "Güzelbahçe", "Karabağlar", "Karaburun",
    "Karşıyaka", "Kemalpaşa", "Kınık", "Kiraz", "Konak", "Menderes", "Menemen", "Narlıdere",
    "Ödemiş", "Seferihisar", "Selçuk", "Tire", "Torbalı", "Urla",
)  # fmt: skip
CITY_WIDE = "city-wide"
ONLINE = "online"
DISTRICT_CHOICES = (*DISTRICTS, CITY_WIDE, ONLINE)

TITLE_MAX, SUMMARY_MAX = 120, 500
PARTICIPANTS_MAX = 1_000_000
BUDGET_MAX = 1_000_000_000
# Fields kept in each version, in the order the history shows them.
VERSIONED_FIELDS = (
    "title",
    "summary",
    "description",
    "activity_type",
    "target_group",
    "district",
    "proposed_date",
    "expected_participants",
    "estimated_budget",
)


@dataclass
class ProposalFields:
    """What a writer gives; partner_ids are organisations asked to join."""

    title: str = ""
    summary: str = ""
    description: str = ""
    activity_type: ActivityType | None = None
    target_group: str = ""
    district: str = ""
    proposed_date: date | None = None
    expected_participants: int | None = None
    estimated_budget: int | None = None
    partner_ids: list[int] = field(default_factory=list)


def may_propose(campaign: Campaign, user: Any, now: datetime) -> bool:
    """Representatives of an active organisation, during the submission window."""
    return (
        can(user, Permission.participate)
        and user.organization is not None
        and campaign.can_view(user)
        and campaign.phase(now) == Phase.submission
    )


def may_edit(proposal: Proposal, user: Any, now: datetime) -> bool:
    """The author organisation while the window is open; moderators at any time."""
    if proposal.state in (ProposalState.merged,):
        return False
    if proposal.is_member(user) and proposal.campaign.phase(now) == Phase.submission:
        return proposal.state in (ProposalState.draft, ProposalState.submitted)
    return proposal.is_published and can(user, Permission.moderate)


def needs_reason(proposal: Proposal, user: Any, now: datetime) -> bool:
    """A moderator editing outside the author's window must say why."""
    return not (proposal.is_member(user) and proposal.campaign.phase(now) == Phase.submission)


def may_withdraw(proposal: Proposal, user: Any, now: datetime) -> bool:
    return (
        proposal.is_member(user)
        and proposal.state == ProposalState.submitted
        and proposal.campaign.phase(now) == Phase.submission
    )


def may_undo_withdrawal(proposal: Proposal, user: Any, now: datetime) -> bool:
    return (
        proposal.is_member(user)
        and proposal.state == ProposalState.withdrawn
        and proposal.campaign.phase(now) == Phase.submission
    )


def _check_lengths(fields: ProposalFields) -> None:
    if len(fields.title) > TITLE_MAX:
        raise DomainError(_l("At most %(n)d characters.", n=TITLE_MAX), "title")
    if len(fields.summary) > SUMMARY_MAX:
        raise DomainError(_l("At most %(n)d characters.", n=SUMMARY_MAX), "summary")
    if fields.district and fields.district not in DISTRICT_CHOICES:
        raise DomainError(_l("Choose a district from the list."), "district")
    if fields.expected_participants is not None and not (
        0 <= fields.expected_participants <= PARTICIPANTS_MAX
    ):
        raise DomainError(_l("Give a number between 0 and 1,000,000."), "expected_participants")
    if fields.estimated_budget is not None and not 0 <= fields.estimated_budget <= BUDGET_MAX:
        raise DomainError(_l("Give an amount between 0 and 1,000,000,000."), "estimated_budget")


def _check_complete(fields: ProposalFields) -> None:
    """What a proposal needs before others see it (a draft may be incomplete)."""
    required = {
        "title": fields.title.strip(),
        "summary": fields.summary.strip(),
        "description": fields.description.strip(),
        "activity_type": fields.activity_type,
        "district": fields.district,
    }
    for name, value in required.items():
        if not value:
            raise DomainError(_l("This is needed before the proposal can be submitted."), name)


def _apply(proposal: Proposal, fields: ProposalFields, now: datetime) -> None:
    proposal.title = fields.title.strip()
    proposal.summary = fields.summary.strip()
    proposal.description = fields.description
    proposal.activity_type = fields.activity_type
    proposal.target_group = fields.target_group.strip()
    proposal.district = fields.district
    proposal.proposed_date = fields.proposed_date
    proposal.expected_participants = fields.expected_participants
    proposal.estimated_budget = fields.estimated_budget
    proposal.search_text = fold(f"{proposal.title}\n{proposal.summary}\n{proposal.description}")
    proposal.updated_at = now


def _snapshot(proposal: Proposal) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in VERSIONED_FIELDS:
        value = getattr(proposal, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, ActivityType):
            value = value.value
        values[name] = value
    return values


def _add_version(proposal: Proposal, user: User, now: datetime, reason: str = "") -> None:
    number = len(proposal.versions) + 1
    version = ProposalVersion(
        number=number, edited_by=user, edited_at=now, reason=reason, fields=_snapshot(proposal)
    )
    proposal.versions.append(version)


def partner_candidates(proposal_org_id: int) -> list[Organization]:
    return list(
        db.session.scalars(
            select(Organization)
            .where(Organization.active, Organization.id != proposal_org_id)
            .order_by(Organization.name_folded)
        )
    )


def _set_partners(proposal: Proposal, partner_ids: list[int], now: datetime) -> list[Partnership]:
    """Ask the newly named organisations; drop those no longer named. Returns new requests."""
    # A new proposal has no organization_id until it is flushed: take the id from the object.
    author_id = proposal.organization.id if proposal.organization else proposal.organization_id
    wanted = set(partner_ids) - {author_id}
    existing = {p.organization_id: p for p in proposal.partnerships}
    for org_id, partnership in existing.items():
        if org_id not in wanted:
            proposal.partnerships.remove(partnership)
    new: list[Partnership] = []
    if wanted - existing.keys():
        organizations = db.session.scalars(
            select(Organization).where(
                Organization.id.in_(wanted - existing.keys()), Organization.active
            )
        ).all()
        for organization in organizations:
            partnership = Partnership(organization=organization, requested_at=now)
            proposal.partnerships.append(partnership)
            new.append(partnership)
    return new


def save_draft(
    campaign: Campaign,
    user: User,
    fields: ProposalFields,
    now: datetime,
    proposal: Proposal | None = None,
    creation_key: str | None = None,
) -> Proposal:
    """Create or update a draft (the autosave calls this every few seconds)."""
    if proposal is None:
        if not may_propose(campaign, user, now):
            raise DomainError(_l("Proposals can be written only while submissions are open."))
        if creation_key:
            existing = db.session.scalar(
                select(Proposal).where(Proposal.creation_key == creation_key)
            )
            if existing is not None:
                if not existing.is_member(user):
                    raise DomainError(_l("This form belongs to another organisation."))
                proposal = existing
        if proposal is None:
            proposal = Proposal(
                campaign=campaign,
                organization=user.organization,
                created_by=user,
                creation_key=creation_key or None,  # "" is a value: unique, unlike NULL
                created_at=now,
                state=ProposalState.draft,
            )
            db.session.add(proposal)
    if proposal.state != ProposalState.draft:
        raise DomainError(_l("This proposal has been submitted already; edit it instead."))
    if not may_edit(proposal, user, now):
        raise DomainError(_l("This draft can no longer be changed."))
    _check_lengths(fields)
    if not (fields.title.strip() or fields.summary.strip() or fields.description.strip()):
        raise DomainError(_l("Write at least a title before saving the draft."), "title")
    _apply(proposal, fields, now)
    _set_partners(proposal, fields.partner_ids, now)
    db.session.flush()
    return proposal


def submit(proposal: Proposal, user: User, now: datetime) -> list[Partnership]:
    """Publish a draft; returns the partnership requests to notify."""
    if proposal.state != ProposalState.draft:
        raise DomainError(_l("This proposal has been submitted already."))
    if not (proposal.is_member(user) and proposal.campaign.phase(now) == Phase.submission):
        raise DomainError(_l("Proposals can be submitted only while submissions are open."))
    _check_complete(fields_of(proposal))
    proposal.state = ProposalState.submitted
    proposal.submitted_at = now
    _add_version(proposal, user, now)
    db.session.flush()
    record(user, "proposal.submit", proposal, after={"title": proposal.title})
    return [p for p in proposal.partnerships if p.state == PartnershipState.pending]


def fields_of(proposal: Proposal) -> ProposalFields:
    return ProposalFields(
        title=proposal.title,
        summary=proposal.summary,
        description=proposal.description,
        activity_type=proposal.activity_type,
        target_group=proposal.target_group,
        district=proposal.district,
        proposed_date=proposal.proposed_date,
        expected_participants=proposal.expected_participants,
        estimated_budget=proposal.estimated_budget,
        partner_ids=[p.organization_id for p in proposal.partnerships],
    )


def edit(
    proposal: Proposal, user: User, fields: ProposalFields, now: datetime, reason: str = ""
) -> list[Partnership]:
    """Save a submitted proposal's new text as a new version; returns new partner requests."""
    if proposal.state == ProposalState.draft:
        raise DomainError(_l("Drafts are saved, not edited."))
    if not may_edit(proposal, user, now):
        raise DomainError(_l("You may not edit this proposal now."))
    moderating = needs_reason(proposal, user, now)
    if moderating and not reason.strip():
        raise DomainError(
            _l("Say why you are editing another organisation's proposal; the reason is shown."),
            "reason",
        )
    _check_lengths(fields)
    _check_complete(fields)
    before = _snapshot(proposal)
    _apply(proposal, fields, now)
    new_partners = [] if moderating else _set_partners(proposal, fields.partner_ids, now)
    if _snapshot(proposal) == before and not new_partners:
        return []
    _add_version(proposal, user, now, reason.strip())
    db.session.flush()
    if moderating:
        record(user, "proposal.moderator_edit", proposal, before, _snapshot(proposal))
    return new_partners


def withdraw(proposal: Proposal, user: User, reason: str, now: datetime) -> None:
    if not may_withdraw(proposal, user, now):
        raise DomainError(_l("This proposal cannot be withdrawn now."))
    proposal.state = ProposalState.withdrawn
    proposal.withdrawn_reason = reason.strip()
    proposal.withdrawn_at = now
    record(user, "proposal.withdraw", proposal, {"state": "submitted"},
           {"state": "withdrawn", "reason": proposal.withdrawn_reason})  # fmt: skip


def undo_withdrawal(proposal: Proposal, user: User, now: datetime) -> None:
    if not may_undo_withdrawal(proposal, user, now):
        raise DomainError(_l("The withdrawal can no longer be undone."))
    proposal.state = ProposalState.submitted
    record(user, "proposal.undo_withdraw", proposal, {"state": "withdrawn"},
           {"state": "submitted"})  # fmt: skip
    proposal.withdrawn_reason = ""
    proposal.withdrawn_at = None


def decide_partnership(partnership: Partnership, user: User, confirm: bool, now: datetime) -> None:
    """A member of the invited organisation confirms or declines (and may change their mind)."""
    if not (
        can(user, Permission.participate) and user.organization_id == partnership.organization_id
    ):
        raise DomainError(_l("Only members of the invited organisation can answer."))
    if partnership.proposal.state in (ProposalState.draft, ProposalState.merged):
        raise DomainError(_l("This proposal cannot take partners now."))
    partnership.state = PartnershipState.confirmed if confirm else PartnershipState.declined
    partnership.decided_at = now
    partnership.decided_by = user
