"""Thin routes of the reports queue: dismiss a report, hide and restore content.

Every route needs ``Permission.moderate`` (participants get 403). Forms post and redirect
(303) to where they came from (``next``, a path on this site) or to the content on its
proposal page, so the queue works without JavaScript. On the queue, htmx posts target
one item (``#report-comment-<id>`` / ``#report-proposal-<id>``, the element of
``moderation/_report_group.html``) and get that item back with a message read out by
its ``aria-live`` region; a refused hide (no reason) comes back the same way, status
200, with the message next to the field.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from auth.errors import DomainError
from auth.permissions import Permission, permission_required
from extensions import db
from proposals import reports
from proposals.models import Comment, Proposal, Report
from proposals.moderation import bp, campaign_for_moderation
from web import clock, safe_next, wants_fragment

GROUP_TEMPLATE = "moderation/_report_group.html"


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for hiding"),
        validators=[
            DataRequired(message=_l("Please give the reason; the author will read it.")),
            Length(
                max=reports.REASON_MAX,
                message=_l("At most %(n)d characters.", n=reports.REASON_MAX),
            ),
        ],
        description=_l(
            "The author's organisation reads this reason; everyone else sees "
            "“Hidden by moderation”."
        ),
        render_kw={"rows": 4, "maxlength": reports.REASON_MAX},
    )
    next = HiddenField()


# --- helpers ---------------------------------------------------------------------------


@bp.app_template_global("moderation_reason")
def moderation_reason(content: Proposal | Comment) -> str:
    """Why ``content`` is hidden, for those who may read it (moderators, the author's
    side); an empty string for everyone else."""
    if not content.is_hidden:
        return ""
    if reports.may_moderate(current_user) or reports.is_author(content, current_user):
        return reports.hidden_reason_text(content)
    return ""


bp.add_app_template_global(reports.reporter_label, "reporter_label")


def _proposal_or_404(proposal_id: int) -> Proposal:
    found = db.session.get(Proposal, proposal_id)
    if found is None or not found.can_view(current_user) or not found.is_published:
        abort(404)
    return found


def _comment_or_404(comment_id: int) -> Comment:
    found = db.session.get(Comment, comment_id)
    if found is None or not found.proposal.can_view(current_user):
        abort(404)
    return found


def _content_url(content: Proposal | Comment) -> str:
    if isinstance(content, Comment):
        return url_for(
            "proposals.proposal", proposal_id=content.proposal_id, _anchor=f"comment-{content.id}"
        )
    return url_for("proposals.proposal", proposal_id=content.id)


def _queue_url(content: Proposal | Comment) -> str:
    return url_for("moderation.reports", slug=reports.proposal_of(content).campaign.slug)


def _render(template: str, status: int = 200, **context: Any) -> Response:
    response = current_app.make_response((render_template(template, **context), status))
    response.vary.add("HX-Request")
    return response


def _group_response(
    content: Proposal | Comment, announcement: str = "", hide_form: HideForm | None = None
) -> Response:
    group = reports.group_for(content)
    return _render(
        GROUP_TEMPLATE,
        group=group,
        decided=False,
        announcement=announcement,
        hide_form=hide_form,
        queue_url=_queue_url(content),
    )


def _done(content: Proposal | Comment, message: str) -> Response:
    """After an action: the queue item in place (htmx), or back where the form was."""
    if wants_fragment(reports.group_key(content)):
        return _group_response(content, announcement=message)
    flash(message, "success")
    target = safe_next(request.form.get("next")) or _content_url(content)
    response = redirect(target, 303)
    response.vary.add("HX-Request")
    return response


def _refused(content: Proposal | Comment, error: DomainError) -> Response:
    """A refused action (already decided, not hidden): said in words, nothing changed."""
    db.session.rollback()
    if wants_fragment(reports.group_key(content)):
        return _group_response(content, announcement=error.message)
    flash(error.message, "error")
    response = redirect(safe_next(request.form.get("next")) or _content_url(content), 303)
    response.vary.add("HX-Request")
    return response


def _attach(form: HideForm, error: DomainError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


# --- the queue -------------------------------------------------------------------------


# The endpoint is ``moderation.reports`` (the navigation names it); the function has
# another name so as not to shadow the ``reports`` module.
@bp.get("/campaigns/<slug>/reports", endpoint="reports")
@permission_required(Permission.moderate)
def reports_queue(slug: str) -> ResponseReturnValue:
    campaign = campaign_for_moderation(slug)
    decided = request.args.get("show") == "decided"
    return render_template(
        "moderation/reports.html",
        campaign=campaign,
        groups=reports.queue(campaign, decided=decided),
        decided=decided,
        open_count=reports.open_count(campaign),
        queue_url=url_for("moderation.reports", slug=campaign.slug),
        threshold=reports.threshold(),
    )


@bp.post("/reports/<int:report_id>/dismiss")
@permission_required(Permission.moderate)
def dismiss_report(report_id: int) -> ResponseReturnValue:
    found = db.session.get(Report, report_id)
    if found is None:
        abort(404)
    content = reports.content_of(found)
    try:
        restored = reports.dismiss(found, current_user, clock(), request.form.get("note", ""))
    except DomainError as error:
        return _refused(content, error)
    db.session.commit()
    message = (
        _("The report was dismissed and the content, hidden automatically, is visible again.")
        if restored
        else _("The report was dismissed.")
    )
    return _done(content, message)


# --- hide and restore ------------------------------------------------------------------


def _hide(content: Proposal | Comment) -> ResponseReturnValue:
    form = HideForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            reports.hide(content, current_user, form.reason.data or "", clock())
        except DomainError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            db.session.commit()
            if isinstance(content, Comment):
                message = _("The comment is hidden; its author was told why.")
            else:
                message = _("The proposal is hidden; its organisation was told why.")
            return _done(content, message)
    group = reports.group_for(content)
    if request.method == "POST" and wants_fragment(group.key):
        return _group_response(
            content, announcement=_("The content was not hidden."), hide_form=form
        )
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or _content_url(content)
    return _render(
        "moderation/hide.html",
        form=form,
        group=group,
        content=content,
        proposal=reports.proposal_of(content),
        comment=content if isinstance(content, Comment) else None,
        back=safe_next(form.next.data) or _content_url(content),
    )


def _restore(content: Proposal | Comment) -> ResponseReturnValue:
    try:
        reports.restore(content, current_user, clock(), request.form.get("note", ""))
    except DomainError as error:
        return _refused(content, error)
    db.session.commit()
    if isinstance(content, Comment):
        message = _("The comment is visible again; its author was told.")
    else:
        message = _("The proposal is visible again; its organisation was told.")
    return _done(content, message)


@bp.route("/proposals/<int:proposal_id>/hide", methods=["GET", "POST"])
@permission_required(Permission.moderate)
def hide_proposal(proposal_id: int) -> ResponseReturnValue:
    return _hide(_proposal_or_404(proposal_id))


@bp.post("/proposals/<int:proposal_id>/unhide")
@permission_required(Permission.moderate)
def restore_proposal(proposal_id: int) -> ResponseReturnValue:
    return _restore(_proposal_or_404(proposal_id))


@bp.route("/comments/<int:comment_id>/hide", methods=["GET", "POST"])
@permission_required(Permission.moderate)
def hide_comment(comment_id: int) -> ResponseReturnValue:
    return _hide(_comment_or_404(comment_id))


@bp.post("/comments/<int:comment_id>/unhide")
@permission_required(Permission.moderate)
def restore_comment(comment_id: int) -> ResponseReturnValue:
    return _restore(_comment_or_404(comment_id))
