"""Thin routes for theme suggestions, likely duplicates and the similar-proposals list.

The moderators' pages add themselves to the moderation blueprint; the similar-proposals
list, which people writing a proposal see, goes on ``proposals.views.bp``. All the
computing is in :mod:`proposals.similarity`.

Accepting or dismissing a suggestion posts and redirects (303) back to the suggestions
page without JavaScript. With htmx, the proposal's row (``#suggestion-row-<id>``,
``moderation/_suggestion_row.html``) is swapped in place and says what happened in its
live region; focus goes to the next row's first button (that row comes along out of
band, marked for focus), or stays in the row when there is no next row. Refusals are
answered with status 200 (htmx 2 does not swap 4xx) and the message in the row.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from auth.errors import DomainError
from auth.permissions import Permission, can, permission_required
from extensions import db
from proposals import similarity, submission
from proposals.models import PUBLISHED_STATES, Campaign, Proposal, Theme
from proposals.moderation import bp, campaign_for_moderation
from proposals.views import bp as proposals_bp
from proposals.views import campaign_or_404
from web import clock, page_or_fragment, wants_fragment

SIMILAR = "similar-proposals"  # the id of the similar-proposals region on the proposal form
DUPLICATE_LEVELS = (50, 60, 70, 80, 90)  # the minimum similarities a moderator can choose
DUPLICATES_SHOWN = 200
# What is read from the query string of the similar-proposals list, at most.
SIMILAR_LIMITS = {"title": 120, "summary": 500, "description": 5000}


def _row_id(proposal_id: int) -> str:
    return f"suggestion-row-{proposal_id}"


def _rows(campaign: Campaign) -> list[tuple[Proposal, list[similarity.Suggestion]]]:
    """Each unthemed live proposal of the campaign (oldest first) with its suggestions."""
    suggestions = similarity.suggest_themes(campaign)
    found = {
        p.id: p
        for p in db.session.scalars(
            select(Proposal)
            .where(Proposal.id.in_(suggestions))
            .options(selectinload(Proposal.organization))
        )
    }
    return [(found[i], suggestions[i]) for i in sorted(suggestions)]


@bp.get("/campaigns/<slug>/suggestions")
@permission_required(Permission.moderate)
def suggestions(slug: str) -> ResponseReturnValue:
    campaign = campaign_for_moderation(slug)
    return render_template("moderation/suggestions.html", campaign=campaign, rows=_rows(campaign))


def _proposal_and_theme(proposal_id: int, theme_id: int) -> tuple[Proposal, Theme]:
    proposal = db.session.get(Proposal, proposal_id)
    theme = db.session.get(Theme, theme_id)
    if (
        proposal is None
        or proposal.state not in PUBLISHED_STATES
        or theme is None
        or theme.campaign_id != proposal.campaign_id
    ):
        abort(404)
    return proposal, theme


@bp.post("/proposals/<int:proposal_id>/suggestions/<int:theme_id>/accept")
@permission_required(Permission.moderate)
def accept_suggestion(proposal_id: int, theme_id: int) -> ResponseReturnValue:
    proposal, theme = _proposal_and_theme(proposal_id, theme_id)
    name = theme.name(str(get_locale()))
    try:
        similarity.accept_suggestion(proposal, theme, current_user, clock())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _answer(proposal, error.message, ok=False)
    except IntegrityError:  # another moderator gave the same theme at the same moment
        db.session.rollback()
    message = _("Added to the theme “%(theme)s”.", theme=name)
    return _answer(proposal, message, ok=True, accepted=theme)


@bp.post("/proposals/<int:proposal_id>/suggestions/<int:theme_id>/dismiss")
@permission_required(Permission.moderate)
def dismiss_suggestion(proposal_id: int, theme_id: int) -> ResponseReturnValue:
    proposal, theme = _proposal_and_theme(proposal_id, theme_id)
    try:
        similarity.dismiss_suggestion(proposal, theme, current_user, clock())
        db.session.commit()
    except IntegrityError:  # the same dismissal sent twice at once: it is done either way
        db.session.rollback()
    name = theme.name(str(get_locale()))
    message = _("The theme “%(theme)s” will not be suggested again for this proposal.",
                theme=name)  # fmt: skip
    return _answer(proposal, message, ok=True)


def _answer(
    proposal: Proposal, message: str, *, ok: bool, accepted: Theme | None = None
) -> ResponseReturnValue:
    """The row swapped in place (htmx), or back to the suggestions page with a flash."""
    campaign = proposal.campaign
    row_id = _row_id(proposal.id)
    if not wants_fragment(row_id):
        flash(message, "success" if ok else "error")
        response = redirect(
            url_for("moderation.suggestions", slug=campaign.slug, _anchor=row_id), 303
        )
        response.vary.add("HX-Request")
        return response
    remaining = similarity.suggest_themes(campaign)
    current = [] if accepted else remaining.get(proposal.id, [])
    # Focus: the row's first button while it still has one, else the first button of the
    # next row that has any (sent along out of band), else the row's own message.
    stay = bool(current)
    following = (
        None
        if stay
        else next((i for i in sorted(remaining) if i > proposal.id and remaining[i]), None)
    )
    html = render_template(
        "moderation/_suggestion_row.html",
        proposal=proposal,
        suggestions=current,
        accepted=accepted,
        message=message,
        refused=not ok,
        focus="button" if stay else ("row" if following is None else ""),
    )
    if following is not None:
        html += render_template(
            "moderation/_suggestion_row.html",
            proposal=db.session.get(Proposal, following),
            suggestions=remaining[following],
            focus="button",
            oob=True,
        )
    response = current_app.make_response(html)
    response.vary.add("HX-Request")
    return response


# --- likely duplicates --------------------------------------------------------------------


def _level(value: str | None) -> int:
    text = (value or "").strip()
    level = int(text) if text.isascii() and text.isdigit() and len(text) < 4 else 0
    return level if level in DUPLICATE_LEVELS else round(similarity.DUPLICATE_THRESHOLD * 100)


@bp.get("/campaigns/<slug>/duplicates")
@permission_required(Permission.moderate)
def duplicates(slug: str) -> ResponseReturnValue:
    campaign = campaign_for_moderation(slug)
    level = _level(request.args.get("min"))
    pairs = similarity.likely_duplicates(campaign, level / 100, limit=DUPLICATES_SHOWN + 1)
    return render_template(
        "moderation/duplicates.html",
        campaign=campaign,
        pairs=pairs[:DUPLICATES_SHOWN],
        more=len(pairs) > DUPLICATES_SHOWN,
        level=level,
        levels=DUPLICATE_LEVELS,
        may_merge="moderation.merge" in current_app.view_functions,
    )


# --- similar proposals, while writing one ----------------------------------------------------


def _query_text(name: str) -> str:
    # PostgreSQL refuses NUL in a text parameter; the rest is only compared, never stored.
    return (request.args.get(name) or "").replace("\x00", "")[: SIMILAR_LIMITS[name]]


def similar_context(
    campaign: Campaign, title: str, summary: str, description: str, exclude: int | None
) -> dict[str, Any]:
    """What ``proposals/_similar.html`` needs: the proposals like the given text.

    Moderators also see proposals hidden by moderation; nobody sees drafts.
    """
    text = f"{summary}\n{description}"
    return {
        "similar": similarity.similar_proposals(
            campaign,
            title,
            text,
            exclude_id=exclude,
            include_hidden=can(current_user, Permission.moderate),
        ),
        "similar_asked": similarity.enough_to_compare(f"{title}\n{text}"),
        "similar_campaign": campaign,
        "similar_exclude": exclude,
    }


@proposals_bp.get("/campaigns/<slug>/proposals/similar")
@login_required
def similar(slug: str) -> ResponseReturnValue:
    """Existing proposals like the one being written: the form's region (htmx) or a page."""
    campaign = campaign_or_404(slug)
    if not (
        submission.may_propose(campaign, current_user, clock())
        or can(current_user, Permission.moderate)
    ):
        abort(403)
    exclude_arg = (request.args.get("exclude") or "").strip()
    valid = exclude_arg.isascii() and exclude_arg.isdigit() and len(exclude_arg) < 10
    exclude = int(exclude_arg) if valid else None
    context = similar_context(
        campaign,
        _query_text("title"),
        _query_text("summary"),
        _query_text("description"),
        exclude,
    )
    return page_or_fragment(
        "proposals/similar.html",
        "proposals/_similar.html",
        SIMILAR,
        campaign=campaign,
        title=_query_text("title"),
        summary=_query_text("summary"),
        **context,
    )
