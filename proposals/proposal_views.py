"""Thin routes for proposals: the list on the campaign page, writing, the proposal page."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from auth.errors import DomainError
from auth.permissions import Permission, can
from extensions import db, limit_per_user, login_manager
from proposals import history, labels, personal_data, search, submission
from proposals.forms import ProposalForm, WithdrawForm
from proposals.models import (
    ActivityType,
    Campaign,
    Partnership,
    PartnershipState,
    Proposal,
    ProposalState,
)
from proposals.notifications import notify_partners_of_change, notify_partnership_requests
from proposals.suggestion_views import similar_context
from proposals.views import bp, campaign_or_404, list_context, vote_context
from web import attach_error, clock, wants_fragment


@bp.get("/campaigns/<slug>/proposals")
def proposal_list(slug: str) -> ResponseReturnValue:
    """The filtered list alone (htmx) or the campaign page with it (links, no JS)."""
    campaign = campaign_or_404(slug)
    if not campaign.can_view(current_user):
        return login_manager.unauthorized()
    if wants_fragment("proposal-list"):
        context = list_context(campaign)
        response = render_template("proposals/_proposal_list.html", **context)
        headers = {
            "Vary": "HX-Request",
            # The address bar shows the campaign page with the filters: shareable, and Back works.
            "HX-Push-Url": url_for("proposals.campaign", slug=slug, **context["query"].args()),
        }
        return response, 200, headers
    return redirect(url_for("proposals.campaign", slug=slug, **request.args), 303)


# --- writing ---------------------------------------------------------------------------


def _form(proposal_org_id: int, **kwargs: Any) -> ProposalForm:
    partners = [(o.id, o.name) for o in submission.partner_candidates(proposal_org_id)]
    return ProposalForm(
        activity_labels=labels.ACTIVITY_LABELS,
        district_labels=labels.district_choices(),
        partner_choices=partners,
        **kwargs,
    )


def _fields(form: ProposalForm) -> submission.ProposalFields:
    activity = form.activity_type.data or ""
    district = form.district.data or ""
    return submission.ProposalFields(
        title=form.title.data or "",
        summary=form.summary.data or "",
        description=form.description.data or "",
        activity_type=ActivityType(activity) if activity in ActivityType.__members__ else None,
        target_group=form.target_group.data or "",
        district=district,
        proposed_date=form.proposed_date.data,
        expected_participants=form.expected_participants.data,
        estimated_budget=form.estimated_budget.data,
        partner_ids=[int(i) for i in form.partners.data or []],
    )


@bp.route("/campaigns/<slug>/proposals/new", methods=["GET", "POST"])
@limit_per_user("RATELIMIT_PROPOSAL", methods=["POST"])
@login_required
def new_proposal(slug: str) -> ResponseReturnValue:
    campaign = campaign_or_404(slug)
    now = clock()
    if not submission.may_propose(campaign, current_user, now):
        abort(403)
    if request.method == "GET":
        form = _form(current_user.organization_id, creation_key=secrets.token_urlsafe(24))
    else:
        form = _form(current_user.organization_id)
    check = None
    # "Look for similar proposals" (the step without JavaScript) shows the form again, unsaved.
    if request.form.get("action") != "similar" and form.validate_on_submit():
        if request.form.get("action") == "submit":
            check = _personal_data_check(None, _proposal_texts(_fields(form)))
        try:
            proposal = _save_new(campaign, form, now)
            return _after_save(proposal, form, check)
        except DomainError as error:
            db.session.rollback()
            sent = _submitted_for_key(form.creation_key.data)
            if sent is not None:  # the same form sent twice: show what the first one made
                return redirect(url_for("proposals.proposal", proposal_id=sent.id), 303)
            attach_error(form, error)
    return render_template(
        "proposals/proposal_form.html",
        form=form,
        campaign=campaign,
        proposal=None,
        personal_data=personal_data.shown(check),
        **_similar(campaign, form, None),
    )


def _save_new(campaign: Campaign, form: ProposalForm, now: datetime) -> Proposal:
    """The new-proposal form's draft: one per creation key, however often the form is sent.

    Sent twice at once (a double click, an autosave crossing the submit), both requests
    find no proposal for the key and insert one; the unique key makes the second wait for
    the first and fail, and then it finds what the first one made and saves into that.
    """
    key = form.creation_key.data
    try:
        return submission.save_draft(campaign, current_user, _fields(form), now, creation_key=key)
    except IntegrityError:
        db.session.rollback()
        return submission.save_draft(campaign, current_user, _fields(form), now, creation_key=key)


def _submitted_for_key(creation_key: str | None) -> Proposal | None:
    """The viewer's organisation's proposal already submitted from this form, if any."""
    if not creation_key:
        return None
    found = db.session.scalar(select(Proposal).where(Proposal.creation_key == creation_key))
    if found is None or found.state == ProposalState.draft or not found.is_member(current_user):
        return None
    return found


def _after_save(
    proposal: Proposal, form: ProposalForm, check: personal_data.Check | None = None
) -> ResponseReturnValue:
    """Save-as-draft stays on the form; submit publishes. Raises DomainError to the caller."""
    now = clock()
    if request.form.get("action") == "submit":
        try:
            personal_data.require_confirmation(check)
            requests = submission.submit(proposal, current_user, now)
            personal_data.flag(proposal, check, current_user, now)
        except DomainError:
            # Not complete yet: what was typed is kept as the draft, and the form says why.
            db.session.commit()
            raise
        notify_partnership_requests(requests, now)
        db.session.commit()
        flash(_("Your proposal has been submitted. Thank you!"), "success")
        return redirect(url_for("proposals.proposal", proposal_id=proposal.id), 303)
    db.session.commit()
    flash(_("Your draft has been saved. Only your organisation can see it."), "success")
    return redirect(url_for("proposals.edit_proposal", proposal_id=proposal.id), 303)


@bp.post("/campaigns/<slug>/proposals/autosave")
@bp.post("/proposals/<int:proposal_id>/autosave")
@limit_per_user("RATELIMIT_AUTOSAVE")
def autosave(slug: str | None = None, proposal_id: int | None = None) -> ResponseReturnValue:
    """Called by htmx every few seconds while someone writes a draft; answers a status line."""
    if not current_user.is_authenticated:
        return _autosave_status("signed_out")
    now = clock()
    form = _form(current_user.organization_id or 0)
    if not form.validate():
        return _autosave_status("invalid")
    try:
        if proposal_id is not None:
            proposal = _proposal_or_404(proposal_id)
            if proposal.state != ProposalState.draft:
                return _autosave_status("not_draft")
            submission.save_draft(proposal.campaign, current_user, _fields(form), now, proposal)
        else:
            proposal = _save_new(campaign_or_404(slug or ""), form, now)
    except DomainError as error:
        db.session.rollback()
        return _autosave_status("refused", error.message)
    db.session.commit()
    # From now on the address is the draft's own: a reload shows the saved draft.
    edit_url = url_for("proposals.edit_proposal", proposal_id=proposal.id)
    return _autosave_status("saved"), 200, {"HX-Replace-Url": edit_url}


def _autosave_status(state: str, message: str = "") -> ResponseReturnValue:
    return render_template(
        "proposals/_autosave_status.html",
        state=state,
        message=message,
        at=format_time(clock(), "short"),
    )


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not proposal.can_view(current_user):
        abort(404)
    return proposal


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@limit_per_user("RATELIMIT_PROPOSAL", methods=["POST"])
@login_required
def edit_proposal(proposal_id: int) -> ResponseReturnValue:
    proposal = _proposal_or_404(proposal_id)
    now = clock()
    if not submission.may_edit(proposal, current_user, now):
        abort(403)
    if request.method == "GET":
        form = _form(proposal.organization_id, data=_form_data(proposal))
    else:
        form = _form(proposal.organization_id)
    check = None
    if request.form.get("action") != "similar" and form.validate_on_submit():
        draft = proposal.state == ProposalState.draft
        if not draft or request.form.get("action") == "submit":
            check = _personal_data_check(proposal, _proposal_texts(_fields(form)))
        try:
            if draft:
                submission.save_draft(proposal.campaign, current_user, _fields(form), now, proposal)
                return _after_save(proposal, form, check)
            personal_data.require_confirmation(check)
            requests = submission.edit(
                proposal, current_user, _fields(form), now, reason=form.reason.data or ""
            )
            personal_data.flag(proposal, check, current_user, now)
            notify_partnership_requests(requests, now)
            notify_partners_of_change(proposal, current_user, now)
            db.session.commit()
            flash(_("Your changes have been saved; the earlier text is kept in the history."),
                  "success")  # fmt: skip
            return redirect(url_for("proposals.proposal", proposal_id=proposal.id), 303)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
    return render_template(
        "proposals/proposal_form.html",
        form=form,
        campaign=proposal.campaign,
        proposal=proposal,
        personal_data=personal_data.shown(check),
        **_similar(proposal.campaign, form, proposal),
        needs_reason=proposal.state != ProposalState.draft
        and submission.needs_reason(proposal, current_user, now),
    )


def _similar(campaign: Campaign, form: ProposalForm, proposal: Proposal | None) -> dict[str, Any]:
    """The form's similar-proposals region, for the title and summary the form holds."""
    exclude = proposal.id if proposal else None
    return similar_context(campaign, form.title.data or "", form.summary.data or "", "", exclude)


def _proposal_texts(source: Any) -> dict[str, str]:
    """The texts of a proposal (or of the fields a form gives) the guard reads."""
    return {name: getattr(source, name) or "" for name in personal_data.PROPOSAL_TEXTS}


def _personal_data_check(proposal: Proposal | None, texts: dict[str, str]) -> personal_data.Check:
    """The guard for ``texts`` about to be published on ``proposal``: what the form
    confirmed now, and what was confirmed before in its published text."""
    before = (
        personal_data.previously_confirmed(_proposal_texts(proposal), proposal.personal_data)
        if proposal is not None and proposal.is_published
        else set()
    )
    return personal_data.check(
        texts,
        **personal_data.answer(request.form),
        confirmed_before=before,
        labels={name: labels.label("field", name) for name in texts},
    )


def _form_data(proposal: Proposal) -> dict[str, Any]:
    fields = submission.fields_of(proposal)
    return {
        "title": fields.title,
        "summary": fields.summary,
        "description": fields.description,
        "activity_type": fields.activity_type.value if fields.activity_type else "",
        "target_group": fields.target_group,
        "district": fields.district,
        "proposed_date": fields.proposed_date,
        "expected_participants": fields.expected_participants,
        "estimated_budget": fields.estimated_budget,
        "partners": fields.partner_ids,
    }


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int) -> ResponseReturnValue:
    found = search.proposal_with_details(proposal_id, versions=True)
    if found is None:
        abort(404)
    if not found.campaign.can_view(current_user):
        return login_manager.unauthorized()
    if not found.can_view(current_user):
        abort(404)
    now = clock()
    from proposals import discussion

    own_request = next(
        (
            p
            for p in found.partnerships
            if current_user.is_authenticated and p.organization_id == current_user.organization_id
        ),
        None,
    )
    return render_template(
        "proposals/proposal.html",
        proposal=found,
        campaign=found.campaign,
        history=history.history(found),
        may_edit=submission.may_edit(found, current_user, now),
        may_withdraw=submission.may_withdraw(found, current_user, now),
        may_undo=submission.may_undo_withdrawal(found, current_user, now),
        is_member=found.is_member(current_user),
        own_request=own_request,
        withdraw_form=WithdrawForm(),
        **discussion.thread_context(found, current_user, now),
        **vote_context(found.campaign, now),
    )


@bp.post("/proposals/<int:proposal_id>/withdraw")
@login_required
def withdraw(proposal_id: int) -> ResponseReturnValue:
    proposal = _proposal_or_404(proposal_id)
    form = WithdrawForm()
    if not submission.may_withdraw(proposal, current_user, clock()):
        abort(403)
    if form.validate_on_submit():
        submission.withdraw(proposal, current_user, form.reason.data or "", clock())
        db.session.commit()
        flash(_("The proposal has been withdrawn. You can undo this until submissions close."),
              "success")  # fmt: skip
    else:
        flash(" ".join(form.reason.errors), "error")
    return redirect(url_for("proposals.proposal", proposal_id=proposal.id), 303)


@bp.post("/proposals/<int:proposal_id>/restore")
@login_required
def undo_withdrawal(proposal_id: int) -> ResponseReturnValue:
    proposal = _proposal_or_404(proposal_id)
    if not submission.may_undo_withdrawal(proposal, current_user, clock()):
        abort(403)
    submission.undo_withdrawal(proposal, current_user, clock())
    db.session.commit()
    flash(_("The withdrawal has been undone; the proposal is back."), "success")
    return redirect(url_for("proposals.proposal", proposal_id=proposal.id), 303)


@bp.post("/partnerships/<int:partnership_id>/<any(confirm, decline):answer>")
@login_required
def answer_partnership(partnership_id: int, answer: str) -> ResponseReturnValue:
    partnership = db.session.get(Partnership, partnership_id)
    if partnership is None or not partnership.proposal.can_view(current_user):
        abort(404)
    if not (
        can(current_user, Permission.participate)
        and current_user.organization_id == partnership.organization_id
    ):
        abort(403)
    try:
        submission.decide_partnership(partnership, current_user, answer == "confirm", clock())
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        if partnership.state == PartnershipState.confirmed:
            flash(_("Your organisation is now a partner of this proposal."), "success")
        else:
            flash(_("You have declined the partnership."), "success")
    return redirect(url_for("proposals.proposal", proposal_id=partnership.proposal_id), 303)
