"""Thin routes for the discussion of a proposal, reports, and the reader's notifications.

Every form posts and redirects (303) to the proposal page, anchored at the comment, so the
discussion works without JavaScript. An htmx request that targets a region gets that
region alone: ``#comments`` (``proposals/_comments.html``) after a new comment, a reply or
a deletion; ``#comment-<id>`` (``proposals/_comment.html``) for editing in place.
Validation errors come back as the re-rendered form with status 200, with or without htmx.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from auth.errors import DomainError
from auth.models import Notification, NotificationMode
from extensions import db, limit_per_user, login_manager
from proposals import discussion, notifications, personal_data
from proposals.discussion_forms import (
    CommentForm,
    EditCommentForm,
    NotificationSettingsForm,
    ReportForm,
)
from proposals.models import Comment, CommentKind, Proposal
from web import clock, page_number, wants_fragment

bp = Blueprint("discussion", __name__)

COMMENTS = "comments"  # the id of the discussion section, the htmx target of new comments
NOTIFICATIONS_PER_PAGE = 50


# --- helpers --------------------------------------------------------------------------


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not proposal.can_view(current_user):
        abort(404)
    return proposal


def _comment_or_404(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or not comment.proposal.can_view(current_user):
        abort(404)
    return comment


def _anchor(comment: Comment) -> str:
    return f"comment-{comment.id}"


def _to_proposal(proposal_id: int, anchor: str | None = None) -> Response:
    response = redirect(url_for("proposals.proposal", proposal_id=proposal_id, _anchor=anchor), 303)
    response.vary.add("HX-Request")
    return response


def _render(template: str, status: int = 200, **context: Any) -> Response:
    response = current_app.make_response((render_template(template, **context), status))
    response.vary.add("HX-Request")
    return response


def _attach(form: Any, error: DomainError) -> None:
    """A workflow's refusal next to its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _personal_data_check(
    form: CommentForm | EditCommentForm, confirmed_before: set[str] | None = None
) -> personal_data.Check:
    """The personal-data guard on the comment's text; the form keeps what it shows."""
    check = personal_data.check(
        {"body": form.body.data or ""},
        **personal_data.answer(request.form),
        confirmed_before=confirmed_before or set(),
    )
    form.personal_data = personal_data.shown(check)
    return check


# --- comments -------------------------------------------------------------------------


@bp.post("/proposals/<int:proposal_id>/comments")
@limit_per_user("RATELIMIT_COMMENT")
@login_required
def add_comment(proposal_id: int) -> ResponseReturnValue:
    proposal = _proposal_or_404(proposal_id)
    now = clock()
    if not discussion.may_comment(proposal, current_user, now):
        abort(403)
    form = CommentForm()
    parent = None
    if form.parent_id.data is not None:
        # An id beyond the database's integers (parent_id=10**30) is no comment, not a 500.
        if 0 < form.parent_id.data < 2**31:
            parent = db.session.get(Comment, form.parent_id.data)
        if parent is None or parent.proposal_id != proposal.id:
            abort(404)
    if form.validate_on_submit():
        check = _personal_data_check(form)
        try:
            personal_data.require_confirmation(check)  # personal data: pointed out first
            comment = discussion.post_comment(
                proposal, current_user, form.body.data, CommentKind(form.kind.data), now, parent
            )
            personal_data.flag(comment, check, current_user, now)
        except DomainError as error:
            _attach(form, error)
        else:
            db.session.commit()
            message = _("Your comment was published.")
            if wants_fragment(COMMENTS):
                return _render(
                    "proposals/_comments.html",
                    **discussion.thread_context(
                        proposal,
                        current_user,
                        now,
                        announcement=message,
                        focus_id=_anchor(comment),
                    ),
                )
            flash(message, "success")
            return _to_proposal(proposal.id, _anchor(comment))
    # Errors: the form again, with the message next to the field and the text kept.
    if wants_fragment(COMMENTS):
        extra: dict[str, Any] = {"announcement": _("Your comment was not published.")}
        if parent is not None:
            top = parent if parent.parent_id is None else db.session.get(Comment, parent.parent_id)
            extra |= {"reply_form": form, "reply_to": top.id if top else None}
        else:
            extra["form"] = form
        return _render(
            "proposals/_comments.html",
            **discussion.thread_context(proposal, current_user, now, **extra),
        )
    return _render("proposals/comment_form.html", proposal=proposal, form=form, parent=parent)


@bp.get("/comments/<int:comment_id>")
def comment(comment_id: int) -> ResponseReturnValue:
    """One comment in place (htmx: leaving the edit form); otherwise its place on the page."""
    found = db.session.get(Comment, comment_id)
    if found is None:
        abort(404)
    if not found.proposal.campaign.can_view(current_user):
        return login_manager.unauthorized()
    if not found.proposal.can_view(current_user):
        abort(404)
    if wants_fragment(_anchor(found)):
        return _render(
            "proposals/_comment.html",
            **discussion.comment_context(found, current_user, clock(), focus_id=_anchor(found)),
        )
    return _to_proposal(found.proposal_id, _anchor(found))


def _edit_response(found: Comment, form: EditCommentForm) -> Response:
    """The comment as its edit form (the form takes the focus after an htmx swap)."""
    context = discussion.comment_context(
        found, current_user, clock(), editing=found.id, edit_form=form
    )
    if wants_fragment(_anchor(found)):
        return _render("proposals/_comment.html", **context)
    return _render("proposals/comment_edit.html", **context)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int) -> ResponseReturnValue:
    found = _comment_or_404(comment_id)
    now = clock()
    if request.method == "GET":
        if not discussion.may_edit_comment(found, current_user, now):
            abort(403)
        form = EditCommentForm(data={"body": found.body})
        return _edit_response(found, form)
    # Only the author; the 15 minutes are checked by the workflow, so that an author who
    # took too long sees why, with the text still in the form.
    if not discussion.is_author(found, current_user) or found.deleted_at is not None:
        abort(403)
    form = EditCommentForm()
    if form.validate_on_submit():
        before = personal_data.previously_confirmed({"body": found.body}, found.personal_data)
        check = _personal_data_check(form, before)
        try:
            personal_data.require_confirmation(check)
            discussion.edit_comment(found, current_user, form.body.data, now)
            personal_data.flag(found, check, current_user, now)
        except DomainError as error:
            _attach(form, error)
        else:
            db.session.commit()
            message = _("Your comment was saved.")
            if wants_fragment(_anchor(found)):
                return _render(
                    "proposals/_comment.html",
                    **discussion.comment_context(
                        found, current_user, now, announcement=message, focus_id=_anchor(found)
                    ),
                )
            flash(message, "success")
            return _to_proposal(found.proposal_id, _anchor(found))
    return _edit_response(found, form)


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int) -> ResponseReturnValue:
    found = _comment_or_404(comment_id)
    now = clock()
    if not discussion.may_delete_comment(found, current_user):
        abort(403)
    discussion.delete_comment(found, current_user, now)
    db.session.commit()
    message = _("Your comment was deleted.")
    if wants_fragment(COMMENTS):
        return _render(
            "proposals/_comments.html",
            **discussion.thread_context(
                found.proposal, current_user, now, announcement=message, focus_id=_anchor(found)
            ),
        )
    flash(message, "success")
    return _to_proposal(found.proposal_id, _anchor(found))


# --- reports --------------------------------------------------------------------------


def _report(proposal: Proposal, found_comment: Comment | None) -> ResponseReturnValue:
    target: dict[str, Any] = (
        {"comment": found_comment} if found_comment is not None else {"proposal": proposal}
    )
    if not discussion.may_report(current_user, **target):
        abort(403)
    anchor = _anchor(found_comment) if found_comment is not None else None
    form = ReportForm()
    if form.validate_on_submit():
        try:
            discussion.report(current_user, reason=form.reason.data, now=clock(), **target)
        except DomainError as error:
            _attach(form, error)
        else:
            db.session.commit()
            flash(_("Thank you. The moderators will look at your report."), "success")
            return _to_proposal(proposal.id, anchor)
    return _render(
        "proposals/report.html",
        form=form,
        proposal=proposal,
        reported_comment=found_comment,
        already=discussion.already_reported(current_user, **target),
        back=url_for("proposals.proposal", proposal_id=proposal.id, _anchor=anchor),
    )


@bp.route("/proposals/<int:proposal_id>/report", methods=["GET", "POST"])
@login_required
def report_proposal(proposal_id: int) -> ResponseReturnValue:
    return _report(_proposal_or_404(proposal_id), None)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
def report_comment(comment_id: int) -> ResponseReturnValue:
    found = _comment_or_404(comment_id)
    return _report(found.proposal, found)


# --- notifications --------------------------------------------------------------------


@bp.get("/notifications")
@login_required
def notifications_page() -> ResponseReturnValue:
    page = db.paginate(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=page_number(request.args.get("page")),
        per_page=NOTIFICATIONS_PER_PAGE,
        error_out=False,
        count=True,
    )
    return render_template(
        "proposals/notifications.html",
        page=page,
        rows=[(n, notifications.message(n)) for n in page.items],
        unread=notifications.unread_count(current_user),
    )


@bp.post("/notifications/read")
@login_required
def mark_read() -> ResponseReturnValue:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=clock())
    )
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("discussion.notifications_page"), 303)


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def notification_settings() -> ResponseReturnValue:
    form = NotificationSettingsForm(data={"mode": current_user.notification_mode.value})
    if form.validate_on_submit():
        current_user.notification_mode = NotificationMode(form.mode.data)
        db.session.commit()
        flash(_("Your notification settings have been saved."), "success")
        return redirect(url_for("discussion.notification_settings"), 303)
    return render_template("proposals/notification_settings.html", form=form)


@bp.app_context_processor
def unread_notifications_processor() -> dict[str, Any]:
    """``unread_notifications()`` for the header: one query, run only where a page calls it
    (base.html, once per page; never for fragments or mails)."""

    def unread_notifications() -> int:
        if not has_request_context() or not current_user.is_authenticated:
            return 0
        try:
            return notifications.unread_count(current_user)
        except SQLAlchemyError:  # an error page must still render when the database fails
            current_app.logger.exception("could not count unread notifications")
            return 0

    return {"unread_notifications": unread_notifications}
