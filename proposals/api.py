"""Open data: a read-only JSON API of what the caller may see (``/api/v1``).

The API answers the same question as the pages — what may this visitor see —
with the same predicates (``Campaign.can_view``, ``Proposal.can_view``) and the
same list query (``search.search_proposals``), so the two cannot disagree. An
anonymous caller sees public campaigns and published proposals; a signed-in
session (the site's cookie) sees what the pages show that person, their own
organisation's drafts included, and such responses are never cached by others.

No personal data leaves through it: no e-mail address, no user id, no IP.
People appear only as comment authors' display names, as on the proposal page.

Messages are English only: they are for programs, not people, and the OpenAPI
document (``api_spec.py``, served at ``/api/v1/openapi.json``) is in English.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from auth.models import Organization
from auth.permissions import Permission, can
from extensions import csrf, db
from proposals import search
from proposals.api_spec import SPEC
from proposals.models import (
    Campaign,
    Comment,
    CommentKind,
    Proposal,
    ProposalState,
    Theme,
    Visibility,
)
from web import clock

PREFIX = "/api/v1"
SEED_MAX = 2**31 - 1

bp = Blueprint("api", __name__, url_prefix=PREFIX)
# GET only: no route here changes anything, so there is no form to protect.
csrf.exempt(bp)


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _not_found(what: str = "Not found.") -> ApiError:
    return ApiError(404, what)


# --- responses ---------------------------------------------------------------------------


def _signed_in() -> bool:
    return bool(current_user.is_authenticated)


def _finish(response: Response) -> Response:
    """Cache and CORS headers every API response carries, errors included."""
    if _signed_in():
        # The body may hold the caller's drafts: nobody keeps a copy.
        response.headers["Cache-Control"] = "private, no-store"
    else:
        response.headers["Cache-Control"] = "public, max-age=60"
    response.vary.add("Cookie")
    # Public data for any web page; `*` never exposes a cookie-authenticated answer to
    # another site (browsers refuse credentials with a wildcard origin).
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    return response


@bp.after_request
def _headers(response: Response) -> Response:
    return _finish(response)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return _error(error.status, error.message)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    response = _error(error.code or 500, error.description or error.name)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    current_app.logger.exception("unhandled error in the API")
    db.session.rollback()
    return _error(500, "Internal error; it has been logged.")


@bp.before_app_request
def _routing_errors_as_json() -> Response | None:
    """An unknown address or method under /api/v1 answers in JSON, not with an HTML page.

    Routing errors belong to no blueprint, so the blueprint's error handlers never see
    them; this hook runs before Flask raises them.
    """
    error = request.routing_exception
    if not isinstance(error, NotFound | MethodNotAllowed):
        return None
    if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
        return None
    if isinstance(error, MethodNotAllowed):
        response = _error(405, "Method not allowed: this API is read-only (GET).")
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods or ["GET"]))
    else:
        response = _error(404, "No such API endpoint.")
    return _finish(response)


# --- serialisation -----------------------------------------------------------------------


def _utc(value: datetime | None) -> str | None:
    """Naive UTC from the database as ISO 8601 with a "Z"."""
    if value is None:
        return None
    return value.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _organization(organization: Organization) -> dict[str, Any]:
    return {"id": organization.id, "name": organization.name}


def _theme(theme: Theme) -> dict[str, Any]:
    return {"id": theme.id, "name_tr": theme.name_tr, "name_en": theme.name_en}


def _campaign(campaign: Campaign, proposal_count: int, now: datetime) -> dict[str, Any]:
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "description": campaign.description,
        "awareness_day": _day(campaign.awareness_day),
        "phase": campaign.phase(now).value,
        "windows": {
            "submission_opens_at": _utc(campaign.submission_opens_at),
            "submission_closes_at": _utc(campaign.submission_closes_at),
            "voting_opens_at": _utc(campaign.voting_opens_at),
            "voting_closes_at": _utc(campaign.voting_closes_at),
        },
        "timezone": campaign.timezone,
        "votes_per_organization": campaign.votes_per_organization,
        "visibility": campaign.visibility.value,
        "themes": [
            {**_theme(theme), "archived": theme.archived_at is not None}
            for theme in campaign.themes
        ],
        "proposal_count": proposal_count,
        "links": {
            "self": url_for("api.campaign", slug=campaign.slug, _external=True),
            "proposals": url_for("api.campaign_proposals", slug=campaign.slug, _external=True),
            "html": url_for("proposals.campaign", slug=campaign.slug, _external=True),
        },
    }


def _proposal_links(proposal: Proposal, campaign_slug: str) -> dict[str, str]:
    return {
        "self": url_for("api.proposal", proposal_id=proposal.id, _external=True),
        "campaign": url_for("api.campaign", slug=campaign_slug, _external=True),
        "html": url_for("proposals.proposal", proposal_id=proposal.id, _external=True),
    }


def _proposal_summary(
    proposal: Proposal, campaign_slug: str, comments: int, supports: int
) -> dict[str, Any]:
    return {
        "id": proposal.id,
        "title": proposal.title,
        "summary": proposal.summary,
        "activity_type": proposal.activity_type.value if proposal.activity_type else None,
        "district": proposal.district or None,
        "state": proposal.state.value,
        "organization": _organization(proposal.organization),
        "partners": [_organization(o) for o in proposal.confirmed_partners()],
        "themes": [_theme(theme) for theme in proposal.themes],
        "comment_count": comments,
        "support_count": supports,
        "submitted_at": _utc(proposal.submitted_at),
        "links": _proposal_links(proposal, campaign_slug),
    }


def _comment(comment: Comment) -> dict[str, Any]:
    hidden = comment.is_hidden and not can(current_user, Permission.moderate)
    if comment.deleted_at is not None or hidden:
        # A placeholder keeps the thread's shape (its replies) and says nothing else.
        return {
            "id": comment.id,
            "kind": None,
            "body": None,
            "deleted": comment.deleted_at is not None,
            "created_at": _utc(comment.created_at),
            "edited": False,
            "author": None,
            "organization": None,
        }
    return {
        "id": comment.id,
        "kind": comment.kind.value,
        "body": comment.body,
        "deleted": False,
        "created_at": _utc(comment.created_at),
        "edited": comment.edited_at is not None,
        "author": comment.author.name if comment.author is not None else None,
        "organization": comment.organization.name if comment.organization is not None else None,
    }


def _thread(comments: Iterable[Comment]) -> list[dict[str, Any]]:
    """Top-level comments in order, each with its replies (one level) in order."""
    by_id = {comment.id: comment for comment in comments}

    def root(comment: Comment) -> Comment:
        seen = {comment.id}
        while comment.parent_id is not None and comment.parent_id in by_id:
            comment = by_id[comment.parent_id]
            if comment.id in seen:  # a cycle cannot be written, but never loop on one
                break
            seen.add(comment.id)
        return comment

    threads: dict[int, dict[str, Any]] = {}
    replies: list[tuple[int, Comment]] = []
    for comment in by_id.values():  # ordered by created_at, id
        top = root(comment)
        if top is comment:
            threads[comment.id] = {**_comment(comment), "replies": []}
        else:
            replies.append((top.id, comment))
    for top_id, reply in replies:
        threads[top_id]["replies"].append(_comment(reply))
    return list(threads.values())


# --- parameters --------------------------------------------------------------------------


def _seed() -> int:
    """The explicit shuffle seed for ``sort=random`` (default 1): same seed, same order."""
    raw = request.args.get("seed")
    if raw is None or raw.strip() == "":
        return 1
    value = raw.strip()
    # The length first: int() refuses strings of more than 4,300 digits (a 500).
    digits = value.isascii() and value.isdigit() and len(value) <= len(str(SEED_MAX))
    if not digits or int(value) > SEED_MAX:
        raise ApiError(400, f"seed must be an integer from 0 to {SEED_MAX}.")
    return int(value)


def _visible_campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(
        select(Campaign).where(Campaign.slug == slug).options(selectinload(Campaign.themes))
    )
    # A campaign the caller may not see is "not found", as in a members-only campaign for
    # an anonymous caller: the API has no login page to redirect to.
    if campaign is None or not campaign.can_view(current_user):
        raise _not_found("No such campaign.")
    return campaign


def _published_counts(campaign_ids: list[int]) -> dict[int, int]:
    if not campaign_ids:
        return {}
    statement = select(Proposal.campaign_id, func.count(Proposal.id)).where(
        Proposal.campaign_id.in_(campaign_ids), Proposal.state != ProposalState.draft
    )
    if not can(current_user, Permission.moderate):  # hidden by moderation: not counted
        statement = statement.where(Proposal.hidden_at.is_(None))
    rows = db.session.execute(statement.group_by(Proposal.campaign_id))
    return {campaign_id: count for campaign_id, count in rows.all()}  # noqa: C416 - Rows


# --- routes ------------------------------------------------------------------------------


@bp.get("/campaigns")
def campaigns() -> Response:
    statement = (
        select(Campaign)
        .options(selectinload(Campaign.themes))
        .order_by(Campaign.voting_closes_at.desc(), Campaign.id.desc())
    )
    if not _signed_in():
        statement = statement.where(Campaign.visibility == Visibility.public)
    found = [c for c in db.session.scalars(statement) if c.can_view(current_user)]
    counts = _published_counts([c.id for c in found])
    now = clock()
    return jsonify({"items": [_campaign(c, counts.get(c.id, 0), now) for c in found]})


@bp.get("/campaigns/<slug>")
def campaign(slug: str) -> Response:
    found = _visible_campaign(slug)
    return jsonify(_campaign(found, _published_counts([found.id]).get(found.id, 0), clock()))


@bp.get("/campaigns/<slug>/proposals")
def campaign_proposals(slug: str) -> Response:
    found = _visible_campaign(slug)
    seed = _seed()
    query = search.ProposalQuery.from_args(request.args, seed)
    result = search.search_proposals(found, current_user, query)

    def page_url(page: int) -> str:
        extra = {"seed": seed} if query.sort == "random" else {}
        return url_for(
            "api.campaign_proposals",
            slug=found.slug,
            _external=True,
            **query.args(page=page),
            **extra,
        )

    return jsonify(
        {
            "items": [
                _proposal_summary(row.proposal, found.slug, row.comments, row.supports)
                for row in result.rows
            ],
            "pagination": {
                "page": result.page,
                "pages": result.pages,
                "total": result.total,
                "per_page": search.PAGE_SIZE,
            },
            "links": {
                "self": page_url(result.page),
                "first": page_url(1),
                "last": page_url(result.pages),
                "next": page_url(result.page + 1) if result.page < result.pages else None,
                "prev": page_url(result.page - 1) if result.page > 1 else None,
                "campaign": url_for("api.campaign", slug=found.slug, _external=True),
            },
        }
    )


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int) -> Response:
    found = search.proposal_with_details(proposal_id)
    # Unknown, in a campaign the caller may not see, or another organisation's draft: 404.
    if found is None or not found.can_view(current_user):
        raise _not_found("No such proposal.")
    if found.is_hidden and not can(current_user, Permission.moderate):
        raise _not_found("No such proposal.")  # hidden by moderation
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.proposal_id == found.id)
        .options(selectinload(Comment.author), selectinload(Comment.organization))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    live = [c for c in comments if c.deleted_at is None]
    supports = {c.organization_id for c in live if c.kind == CommentKind.support}
    supports.discard(None)
    withdrawn = found.state == ProposalState.withdrawn
    return jsonify(
        {
            **_proposal_summary(found, found.campaign.slug, len(live), len(supports)),
            "campaign": {"slug": found.campaign.slug, "title": found.campaign.title},
            "description": found.description,
            "target_group": found.target_group or None,
            "proposed_date": _day(found.proposed_date),
            "expected_participants": found.expected_participants,
            "estimated_budget": found.estimated_budget,
            "updated_at": _utc(found.updated_at),
            "withdrawn_reason": found.withdrawn_reason if withdrawn else None,
            "withdrawn_at": _utc(found.withdrawn_at) if withdrawn else None,
            "comments": _thread(comments),
        }
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(SPEC)
