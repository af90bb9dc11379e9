"""Thin routes of the personal-data list: what writers confirmed publishing, for moderators.

A proposal or comment lands here when its writer was shown personal data in their text
(``proposals.personal_data``) and confirmed it may be published. A moderator reads the
passages with the findings marked, then marks the item reviewed, edits the proposal, or
hides the content (the reports feature's hide pages, linked when they exist). Every route
needs ``Permission.moderate``; forms post and redirect (303), so the page works without
JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from auth.audit import record
from auth.permissions import Permission, permission_required
from extensions import db
from proposals import personal_data
from proposals.labels import FIELD_LABELS
from proposals.models import Campaign, Comment, Proposal
from proposals.moderation import bp, campaign_for_moderation
from web import clock

_EMPTY = ("[]", "null", "")


@dataclass
class Passage:
    """One field of an item with its findings marked."""

    label: str
    html: Markup


@dataclass
class Item:
    """A proposal or comment waiting for a moderator's look."""

    kind: str  # "proposal" or "comment"
    content: Proposal | Comment
    passages: list[Passage]
    kinds: list[str]
    edit_url: str | None
    hide_url: str | None

    @property
    def anchor(self) -> str:
        return f"personal-data-{self.kind}-{self.content.id}"


def _unreviewed(column: Any, reviewed_at: Any) -> list[Any]:
    """Confirmed kinds present (a JSON list, compared as text: the same on SQLite and
    PostgreSQL, whose ``json`` type has no equality) and no review yet."""
    return [reviewed_at.is_(None), column.is_not(None), cast(column, Text).not_in(_EMPTY)]


def _link(endpoint: str, **values: Any) -> str | None:
    """A link to another feature's page, if that page exists (and takes a GET)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _proposal_item(proposal: Proposal) -> Item:
    passages = [
        Passage(str(FIELD_LABELS.get(name, name)), html)
        for name in personal_data.PROPOSAL_TEXTS
        if (html := personal_data.highlight(getattr(proposal, name) or ""))
    ]
    return Item(
        kind="proposal",
        content=proposal,
        passages=passages,
        kinds=list(proposal.personal_data or []),
        edit_url=url_for("proposals.edit_proposal", proposal_id=proposal.id),
        hide_url=None if proposal.is_hidden else _link("moderation.hide_proposal",
                                                       proposal_id=proposal.id),
    )  # fmt: skip


def _comment_item(comment: Comment) -> Item:
    html = personal_data.highlight(comment.body or "")
    return Item(
        kind="comment",
        content=comment,
        passages=[Passage(_("Comment"), html)] if html else [],
        kinds=list(comment.personal_data or []),
        edit_url=None,  # comments are edited by their authors only
        hide_url=None if comment.is_hidden else _link("moderation.hide_comment",
                                                      comment_id=comment.id),
    )  # fmt: skip


def waiting_items(campaign: Campaign) -> list[Item]:
    """Proposals, then comments, of ``campaign`` with confirmed personal data not yet
    reviewed; oldest first. Two queries with their relations loaded alongside."""
    proposals = db.session.scalars(
        select(Proposal)
        .where(
            Proposal.campaign_id == campaign.id,
            *_unreviewed(Proposal.personal_data, Proposal.personal_data_reviewed_at),
        )
        .options(selectinload(Proposal.organization))
        .order_by(Proposal.updated_at, Proposal.id)
    ).all()
    comments = db.session.scalars(
        select(Comment)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(
            Proposal.campaign_id == campaign.id,
            Comment.deleted_at.is_(None),
            *_unreviewed(Comment.personal_data, Comment.personal_data_reviewed_at),
        )
        .options(
            selectinload(Comment.author),
            selectinload(Comment.organization),
            selectinload(Comment.proposal),
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    return [*map(_proposal_item, proposals), *map(_comment_item, comments)]


@bp.get("/campaigns/<slug>/personal-data", endpoint="personal_data")
@permission_required(Permission.moderate)
def personal_data_list(slug: str) -> ResponseReturnValue:
    campaign = campaign_for_moderation(slug)
    return render_template(
        "moderation/personal_data.html",
        campaign=campaign,
        items=waiting_items(campaign),
        kind_label=personal_data.kind_label,
    )


def _item_or_404(kind: str, item_id: int) -> Proposal | Comment:
    model = Proposal if kind == "proposal" else Comment
    found = db.session.get(model, item_id)
    if found is None:
        abort(404)
    return found


def mark_reviewed(item: Proposal | Comment, actor: Any, now: datetime) -> bool:
    """Record that a moderator looked; False when there was nothing to review (reviewed
    already, by someone else at the same time perhaps, or nothing confirmed)."""
    if item.personal_data_reviewed_at is not None or not item.personal_data:
        return False
    item.personal_data_reviewed_at = now
    record(actor, "personal_data.review", item,
           {"personal_data": list(item.personal_data or []), "personal_data_reviewed_at": None},
           {"personal_data": list(item.personal_data or []),
            "personal_data_reviewed_at": now})  # fmt: skip
    return True


@bp.post("/personal-data/<any(proposal, comment):kind>/<int:item_id>/review")
@permission_required(Permission.moderate)
def review_personal_data(kind: str, item_id: int) -> ResponseReturnValue:
    item = _item_or_404(kind, item_id)
    proposal = item if isinstance(item, Proposal) else item.proposal
    if mark_reviewed(item, current_user, clock()):
        db.session.commit()
        flash(_("Marked as reviewed; it has left the list."), "success")
    else:
        flash(_("There is nothing left to review here."), "info")
    return redirect(url_for("moderation.personal_data", slug=proposal.campaign.slug), 303)
