"""Human names for the domain's enums, in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from proposals.models import ActivityType, PartnershipState, ProposalState
from proposals.submission import CITY_WIDE, DISTRICTS, ONLINE

ACTIVITY_LABELS: dict[str, Any] = {
    ActivityType.event.value: _l("Event"),
    ActivityType.workshop.value: _l("Workshop"),
    ActivityType.training.value: _l("Training"),
    ActivityType.public_campaign.value: _l("Public campaign"),
    ActivityType.exhibition.value: _l("Exhibition"),
    ActivityType.other.value: _l("Other"),
}

STATE_LABELS: dict[str, Any] = {
    ProposalState.draft.value: _l("Draft"),
    ProposalState.submitted.value: _l("Submitted"),
    ProposalState.accepted.value: _l("Accepted for voting"),
    ProposalState.not_accepted.value: _l("Not accepted"),
    ProposalState.withdrawn.value: _l("Withdrawn"),
    ProposalState.merged.value: _l("Merged"),
    ProposalState.shortlisted.value: _l("Shortlisted"),
    ProposalState.not_selected.value: _l("Not selected"),
}

PARTNERSHIP_LABELS: dict[str, Any] = {
    PartnershipState.pending.value: _l("awaiting confirmation"),
    PartnershipState.confirmed.value: _l("confirmed"),
    PartnershipState.declined.value: _l("declined"),
}

FIELD_LABELS: dict[str, Any] = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "activity_type": _l("Type of activity"),
    "target_group": _l("Target group"),
    "district": _l("District"),
    "proposed_date": _l("Proposed date"),
    "expected_participants": _l("Expected participants"),
    "estimated_budget": _l("Estimated budget (TRY)"),
}


def district_label(value: str) -> str:
    if value == CITY_WIDE:
        return str(_l("City-wide"))
    if value == ONLINE:
        return str(_l("Online"))
    return value


def district_choices() -> list[tuple[str, Any]]:
    return [(d, d) for d in DISTRICTS] + [(CITY_WIDE, _l("City-wide")), (ONLINE, _l("Online"))]


def label(kind: str, value: Any) -> str:
    """``label('state', proposal.state)`` in templates."""
    table = {
        "activity": ACTIVITY_LABELS,
        "state": STATE_LABELS,
        "partnership": PARTNERSHIP_LABELS,
        "field": FIELD_LABELS,
    }[kind]
    key = getattr(value, "value", value)
    return str(table.get(key, key or ""))
