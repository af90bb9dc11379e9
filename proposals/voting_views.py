"""Thin routes for voting: the vote control, the organisation's ballot, organisers' view.

One rule for the vote control: ``POST /proposals/<id>/vote`` with ``points``, the new
total of the organisation's points on the proposal (approval: 1 gives, 0 takes back; dot
voting: the +1/−1 buttons send the current points ± 1). Sending the same total twice (a
double click, two colleagues at once) changes nothing.

Without JavaScript the form posts and the answer is a redirect (303) back to the page
the vote was cast from (``next``, a path on this site) with a flash. An htmx request that
targets ``#vote-panel-<id>`` gets the panel alone (``proposals/_vote_panel.html``), with
the outcome in the panel's live region, plus the page's one ``#ballot-summary`` out of
band: the remaining budget is shown in that one place per page, so no other panel can
show a stale count. Refusals are answered with status 200 (htmx 2 does not swap 4xx).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from auth.errors import DomainError
from auth.models import Organization
from auth.permissions import Permission, permission_required
from extensions import db, limit_per_user, login_manager
from proposals import voting
from proposals.models import Ballot, BallotSecrecy, Campaign, Proposal, Vote, VotingMethod
from proposals.views import bp, campaign_or_404, vote_context
from web import clock, safe_next, wants_fragment

# --- template helpers -------------------------------------------------------------------


def vote_control(
    proposal: Proposal, ballot: voting.BallotView, now: datetime | None = None
) -> voting.VoteControl:
    """The panel's state for the signed-in viewer; no query beyond the page's ballot view."""
    return voting.control(proposal, current_user, now or clock(), ballot)


def budget_text(campaign: Campaign, remaining: int, budget: int) -> str:
    """ "2 of 3 votes left" (or points, for dot voting)."""
    if campaign.voting_method == VotingMethod.points:
        return ngettext(
            "%(remaining)d of %(num)d point left.",
            "%(remaining)d of %(num)d points left.",
            budget,
            remaining=remaining,
        )
    return ngettext(
        "%(remaining)d of %(num)d vote left.",
        "%(remaining)d of %(num)d votes left.",
        budget,
        remaining=remaining,
    )


def init_app(app: Any) -> None:
    app.jinja_env.globals.update(
        vote_control=vote_control, vote_refusal=voting.refusal, budget_text=budget_text
    )


# --- the vote control ---------------------------------------------------------------------


def _visible_proposal(proposal_id: int) -> Proposal:
    proposal = db.session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(selectinload(Proposal.campaign), selectinload(Proposal.partnerships))
    )
    if proposal is None or not proposal.can_view(current_user):
        abort(404)
    return proposal


def _requested_points(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 3:
        return None
    return int(value)


def _outcome(proposal: Proposal, before: int, points: int, remaining: int, budget: int) -> str:
    """What happened, in words, with what is left of the ballot."""
    campaign = proposal.campaign
    title = proposal.title
    if campaign.voting_method == VotingMethod.points:
        if points == 0:
            done = _("Your organisation's points on “%(title)s” have been taken back.", title=title)
        else:
            done = ngettext(
                "“%(title)s” now has %(num)d point from your organisation.",
                "“%(title)s” now has %(num)d points from your organisation.",
                points,
                title=title,
            )
    elif points == 0:
        done = (
            _("Your organisation has not voted for “%(title)s”.", title=title)
            if before == 0
            else _("Your organisation's vote for “%(title)s” has been taken back.", title=title)
        )
    else:
        done = (
            _("Your organisation has already voted for “%(title)s”.", title=title)
            if before
            else _("Your organisation's vote for “%(title)s” has been recorded.", title=title)
        )
    return f"{done} {budget_text(campaign, remaining, budget)}"


@bp.post("/proposals/<int:proposal_id>/vote")
@limit_per_user("RATELIMIT_VOTE")
@login_required
def vote(proposal_id: int) -> ResponseReturnValue:
    proposal = _visible_proposal(proposal_id)
    if not voting.is_voter(current_user):
        abort(403)
    campaign = proposal.campaign
    now = clock()
    view = voting.ballot_view(campaign, current_user)
    before = view.points.get(proposal.id, 0)
    budget = view.ballot.budget if view.ballot else campaign.votes_per_organization
    points = _requested_points(request.form.get("points"))
    if points is None:
        message, ok = _("Please choose how many points to give."), False
    else:
        try:
            remaining = voting.set_points(proposal, current_user, points, now)
        except DomainError as error:
            db.session.rollback()
            message, ok = error.message, False
        else:
            db.session.commit()
            message, ok = _outcome(proposal, before, points, remaining, budget), True
    panel = f"vote-panel-{proposal.id}"
    back = safe_next(request.form.get("next"))
    if wants_fragment(panel):
        context = vote_context(campaign, now)
        context["vote_next"] = back or url_for("proposals.proposal", proposal_id=proposal.id)
        html = render_template(
            "proposals/_vote_panel.html",
            proposal=proposal,
            vote_message=message,
            vote_refused=not ok,
            # Focus returns to the button pressed, or its counterpart once it is gone.
            vote_focus="add" if (points or 0) > before else "remove",
            **context,
        ) + render_template("proposals/_ballot_summary.html", campaign=campaign, oob=True,
                            **context)  # fmt: skip
        response = current_app.make_response(html)
        response.vary.add("HX-Request")
        return response
    flash(message, "success" if ok else "error")
    target = back or url_for("proposals.proposal", proposal_id=proposal.id)
    if "#" not in target:
        target += f"#{panel}"  # back to the panel the vote was cast from
    response = redirect(target, 303)
    response.vary.add("HX-Request")
    return response


# --- our ballot -------------------------------------------------------------------------------


@bp.get("/campaigns/<slug>/ballot")
@login_required
def our_ballot(slug: str) -> ResponseReturnValue:
    """The organisation's ballot: each vote, who cast it and when, and taking it back."""
    campaign = campaign_or_404(slug)
    if not campaign.can_view(current_user):
        return login_manager.unauthorized()
    if not voting.is_voter(current_user):
        abort(403)
    now = clock()
    view = voting.ballot_view(campaign, current_user)
    votes: list[Vote] = []
    if view.ballot is not None:
        votes = list(
            db.session.scalars(
                select(Vote)
                .where(Vote.ballot_id == view.ballot.id)
                .options(
                    joinedload(Vote.proposal).selectinload(Proposal.partnerships),
                    joinedload(Vote.cast_by),
                )
                .order_by(Vote.cast_at, Vote.id)
            )
        )
    return render_template(
        "proposals/ballot.html",
        campaign=campaign,
        phase=campaign.phase(now),
        votes=votes,
        ballot_view=view,
        vote_now=now,
        vote_next=request.path,
        is_voter=True,
    )


# --- organisers: every organisation's ballot, when the campaign's ballots are open -------------


@bp.get("/campaigns/<slug>/ballots")
@permission_required(Permission.manage_campaigns)
def ballots(slug: str) -> ResponseReturnValue:
    campaign = campaign_or_404(slug)
    if campaign.ballot_secrecy != BallotSecrecy.open:
        abort(404)  # secret ballots: there is nothing here to see, for anyone
    found = db.session.scalars(
        select(Ballot)
        .join(Organization, Organization.id == Ballot.organization_id)
        .where(Ballot.campaign_id == campaign.id)
        .options(
            joinedload(Ballot.organization),
            selectinload(Ballot.votes).joinedload(Vote.proposal),
        )
        .order_by(Organization.name_folded)
    ).all()
    return render_template(
        "proposals/ballots.html",
        campaign=campaign,
        ballots=found,
        phase=campaign.phase(clock()),
    )
