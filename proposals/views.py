"""Thin routes for campaigns."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.errors import DomainError
from auth.permissions import Permission, can, permission_required
from extensions import db, login_manager
from proposals import campaigns, labels, search, submission, voting
from proposals.forms import CampaignForm, NewCampaignForm
from proposals.models import (
    BallotSecrecy,
    Campaign,
    ResultsVisibility,
    Visibility,
    VotingMethod,
)
from web import attach_error, clock

bp = Blueprint("proposals", __name__)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


@bp.get("/")
def index() -> ResponseReturnValue:
    query = select(Campaign).order_by(Campaign.voting_closes_at.desc())
    if not current_user.is_authenticated:
        query = query.where(Campaign.visibility == Visibility.public)
    return render_template(
        "proposals/index.html",
        campaigns=db.session.scalars(query).all(),
        now=clock(),
        may_create=can(current_user, Permission.manage_campaigns),
    )


def campaign_or_404(slug: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        abort(404)
    return campaign


def _visible_campaign(slug: str) -> Campaign | ResponseReturnValue:
    campaign = campaign_or_404(slug)
    if not campaign.can_view(current_user):
        return login_manager.unauthorized()
    return campaign


@bp.get("/campaigns/<slug>")
def campaign(slug: str) -> ResponseReturnValue:
    found = _visible_campaign(slug)
    if not isinstance(found, Campaign):
        return found
    return render_template(
        "proposals/campaign.html",
        phase=found.phase(clock()),
        may_manage=found.can_manage(current_user),
        **list_context(found),
    )


SEED_KEY = "shuffle_seed"


def _seed() -> int:
    """A per-visitor seed, so the random order is stable for them and differs between them."""
    if SEED_KEY not in session:
        session[SEED_KEY] = secrets.randbelow(2**30) + 1
    return int(session[SEED_KEY])


def list_context(campaign: Campaign) -> dict[str, Any]:
    query = search.ProposalQuery.from_args(request.args, _seed())
    return {
        "campaign": campaign,
        "results": search.search_proposals(campaign, current_user, query),
        "query": query,
        "choices": search.filter_choices(campaign),
        "may_propose": submission.may_propose(campaign, current_user, clock()),
        "district_choices": labels.district_choices(),
        "activity_labels": labels.ACTIVITY_LABELS,
        "state_labels": labels.STATE_LABELS,
        **vote_context(campaign),
    }


def vote_context(campaign: Campaign, now: datetime | None = None) -> dict[str, Any]:
    """What the vote panels of a page need, loaded once per page whatever the number of
    proposals: the viewer's ballot and, when they may see them, the tallies."""
    now = now or clock()
    return {
        "ballot_view": voting.ballot_view(campaign, current_user),
        "tallies": (
            voting.tallies(campaign)
            if voting.results_visible(campaign, current_user, now)
            else None
        ),
        "is_voter": voting.is_voter(current_user),
        "vote_now": now,
        # Where a vote without JavaScript comes back to: this page.
        "vote_next": request.full_path if request.query_string else request.path,
    }


def _data(form: CampaignForm, zone: ZoneInfo) -> campaigns.CampaignData:
    return campaigns.CampaignData(
        title=form.title.data.strip(),
        description=form.description.data or "",
        awareness_day=form.awareness_day.data,
        votes_per_organization=form.votes_per_organization.data,
        visibility=Visibility(form.visibility.data),
        voting_method=VotingMethod(form.voting_method.data),
        max_points_per_proposal=form.max_points_per_proposal.data or 1,
        allow_own_votes=bool(form.allow_own_votes.data),
        results_visibility=ResultsVisibility(form.results_visibility.data),
        ballot_secrecy=BallotSecrecy(form.ballot_secrecy.data),
        **{
            name: campaigns.to_utc(getattr(form, name).data, zone)
            for name in campaigns.WINDOW_FIELDS
        },
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@permission_required(Permission.manage_campaigns)
def new_campaign() -> ResponseReturnValue:
    zone = _zone()
    template = campaigns.TEMPLATES.get(request.args.get("template", ""))
    if request.method == "GET" and template is None:
        return render_template("proposals/choose_template.html", templates=campaigns.TEMPLATES)
    if request.method == "GET":
        today = campaigns.to_local(clock(), zone).date()
        form = NewCampaignForm(
            data={
                **campaigns.template_defaults(template, today, zone),
                "creation_key": campaigns.new_creation_key(),
            }
        )
    else:
        form = NewCampaignForm()
    if form.validate_on_submit():
        existing = campaigns.campaign_for_key(form.creation_key.data)
        if existing is not None:  # the same form sent twice: show what the first one made
            return redirect(url_for("proposals.campaign", slug=existing.slug), 303)
        try:
            created = campaigns.create_campaign(
                current_user,
                _data(form, zone),
                themes=campaigns.parse_themes(form.themes.data or ""),
                timezone=zone.key,
                creation_key=form.creation_key.data or None,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The campaign “%(title)s” has been created.", title=created.title), "success")
            return redirect(url_for("proposals.campaign", slug=created.slug), 303)
    return render_template("proposals/campaign_form.html", form=form, campaign=None, frozen=())


@bp.route("/campaigns/<slug>/edit", methods=["GET", "POST"])
@permission_required(Permission.manage_campaigns)
def edit_campaign(slug: str) -> ResponseReturnValue:
    found = campaign_or_404(slug)
    zone = found.zone
    now = clock()
    frozen = campaigns.frozen_fields(found, now)
    if request.method == "GET":
        values = {name: getattr(found, name) for name in campaigns.AUDITED_FIELDS}
        for name in campaigns.WINDOW_FIELDS:
            values[name] = campaigns.to_local(values[name], zone)
        for name, value in values.items():
            if isinstance(value, enum.Enum):
                values[name] = value.value
        form = CampaignForm(data=values)
    else:
        form = CampaignForm()
        form.keep_frozen({name: getattr(found, name) for name in frozen})
    if form.validate_on_submit():
        try:
            campaigns.update_campaign(found, current_user, _data(form, zone), now=now)
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The campaign has been saved."), "success")
            return redirect(url_for("proposals.campaign", slug=found.slug), 303)
    return render_template("proposals/campaign_form.html", form=form, campaign=found, frozen=frozen)


@bp.post("/campaigns/<slug>/advance")
@permission_required(Permission.manage_campaigns)
def advance_phase(slug: str) -> ResponseReturnValue:
    found = campaign_or_404(slug)
    try:
        campaigns.advance_phase(found, current_user, clock())
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The phase has been closed early; the campaign moved on."), "success")
    return redirect(url_for("proposals.campaign", slug=found.slug), 303)
