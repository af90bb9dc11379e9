"""The moderation blueprint: the moderators' and organisers' pages of a campaign.

Each feature (dashboard and themes, suggestions, merges and decisions, reports,
personal data) adds its routes from its own ``*_views`` module; this module holds
the blueprint, the access guard they share and the navigation between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from auth.permissions import Permission, can
from extensions import db
from proposals.models import Campaign

bp = Blueprint("moderation", __name__)


def campaign_for_moderation(slug: str) -> Campaign:
    """The campaign by slug, or 404; callers are already guarded by ``Permission.moderate``."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        abort(404)
    return campaign


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    permission: Permission = Permission.moderate


NAV = (
    NavItem("moderation.dashboard", _l("Overview")),
    NavItem("moderation.themes", _l("Themes")),
    NavItem("moderation.board", _l("Theme board")),
    NavItem("moderation.suggestions", _l("Theme suggestions")),
    NavItem("moderation.duplicates", _l("Likely duplicates")),
    NavItem("moderation.reports", _l("Reports")),
    NavItem("moderation.personal_data", _l("Personal data")),
    NavItem("audit.log", _l("Audit log"), Permission.view_audit_log),
)


def nav_links(campaign: Campaign, user: object) -> list[tuple[str, str, str]]:
    """(endpoint, label, url) of the moderation pages this user may open for ``campaign``."""
    links = []
    for item in NAV:
        if item.endpoint not in current_app.view_functions or not can(user, item.permission):
            continue
        # The audit log spans the whole site; from a campaign it opens filtered to it.
        args = (
            {"campaign": campaign.slug} if item.endpoint == "audit.log" else {"slug": campaign.slug}
        )
        links.append((item.endpoint, str(item.label), url_for(item.endpoint, **args)))
    return links
