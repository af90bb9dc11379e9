"""Thin routes for people and organisations: parse, ask, call the workflow, commit, render."""

from __future__ import annotations

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
from flask_login import current_user, login_required, login_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from auth import accounts, invitations, security_log, sessions, twofactor
from auth.errors import DomainError
from auth.forms import (
    NEW_ORGANIZATION,
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    InvitationForm,
    LoginForm,
    OrganizationForm,
    PreferencesForm,
    ResetPasswordForm,
)
from auth.models import Invitation, Organization, Role, User
from auth.permissions import Permission, can, permission_required
from extensions import db, limiter
from web import attach_error, clock, safe_next

bp = Blueprint("auth", __name__)

LANGUAGE_COOKIE = "lang"


def _limit(name: str) -> str:
    return current_app.config[name]


def _email_key() -> str:
    # Normalised as the account lookup does: Turkish folding would put "KARSIYAKA" (→ karsıyaka)
    # in another bucket than "karsiyaka", although both sign in to the same account.
    return "account:" + invitations.normalise_email(request.form.get("email", ""))


def _signed_in_or_second_step(
    user: User, next_url: str | None, welcome: str
) -> ResponseReturnValue:
    """After the right password: sign in, or first ask for the second factor. Someone who
    uses two-factor authentication, or whose role requires it, is not signed in by a
    password alone (nor by a password reset or an accepted invitation)."""
    if twofactor.is_enabled(user):
        sessions.begin_pending(user, next_url)
        db.session.commit()
        return redirect(url_for("auth.two_factor_login"), 303)
    if twofactor.is_required(user):
        sessions.begin_pending(user, next_url)
        db.session.commit()
        flash(_("Your role requires two-factor authentication. Set it up to continue."), "info")
        return redirect(url_for("auth.two_factor_setup"), 303)
    sessions.begin_session(user)
    db.session.commit()
    flash(welcome, "success")
    return redirect(safe_next(next_url) or url_for("proposals.index"), 303)


# --- signing in and out -------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_LOGIN_IP"), methods=["POST"])
@limiter.limit(lambda: _limit("RATELIMIT_LOGIN_ACCOUNT"), methods=["POST"], key_func=_email_key)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("proposals.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, clock())
        except DomainError as error:
            security_log.login_failed(form.email.data)
            form.password.errors = [error.message]
        else:
            welcome = _("Welcome, %(name)s.", name=user.name)
            return _signed_in_or_second_step(user, form.next.data, welcome)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    # Every session of this user ends, not only this browser's: a session left open on a
    # shared computer (an NGO's office, a library) is closed by logging out anywhere.
    current_user.end_all_sessions()
    db.session.commit()
    sessions.end_session()
    flash(_("You have logged out."), "success")
    return redirect(url_for("proposals.index"), 303)


# --- passwords ----------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_RESET_IP"), methods=["POST"])
@limiter.limit(lambda: _limit("RATELIMIT_RESET_ACCOUNT"), methods=["POST"], key_func=_email_key)
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address is known: nothing leaks.
        flash(
            _(
                "If this address belongs to an account, a mail with a reset link is on its way. "
                "The link is valid for one hour."
            ),
            "success",
        )
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_RESET_IP"), methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    try:
        user = accounts.user_for_reset_token(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.forgot_password"), 303)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_new_password(user, form.password.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your password has been changed. You can log in with it now."), "success")
            return redirect(url_for("auth.login"), 303)
    return render_template("auth/reset_password.html", form=form, token=token)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.locale = form.locale.data
        session[LANGUAGE_COOKIE] = form.locale.data
        db.session.commit()
        flash(_("Your settings have been saved."), "success")
        return redirect(url_for("auth.account"), 303)
    return render_template("auth/account.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            # This session continues with the new epoch; others end. The user itself, not the
            # proxy: Flask-Login keeps what it is given as the current user.
            login_user(current_user._get_current_object())
            flash(
                _("Your password has been changed. Other sessions have been signed out."), "success"
            )
            return redirect(url_for("auth.account"), 303)
    return render_template("auth/change_password.html", form=form)


# --- invitations --------------------------------------------------------------------


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_INVITATION_IP"), methods=["POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    try:
        invitation = invitations.invitation_for_token(token, clock())
    except DomainError as error:
        return render_template("auth/invitation_invalid.html", message=error.message), 404
    if current_user.is_authenticated:
        # Never sign someone out because a page was opened (another site could link here).
        message = _(
            "You are logged in as %(name)s. Log out first, then open the invitation link "
            "again to create the account for %(email)s.",
            name=current_user.name,
            email=invitation.email,
        )
        return render_template("auth/invitation_invalid.html", message=message)
    form = AcceptInvitationForm(locale=invitation.locale)
    if form.validate_on_submit():
        try:
            user = invitations.accept(
                invitation,
                name=form.name.data,
                password=form.password.data,
                locale=form.locale.data,
                consent=form.consent.data,
                now=clock(),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            session[LANGUAGE_COOKIE] = user.locale  # kept through the fresh session
            welcome = _("Welcome to Ortak, %(name)s. Your account is ready.", name=user.name)
            return _signed_in_or_second_step(user, None, welcome)
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/admin/invitations", methods=["GET", "POST"])
@permission_required(Permission.invite)
def invitations_admin() -> ResponseReturnValue:
    organizations = db.session.execute(
        select(Organization.id, Organization.name)
        .where(Organization.active)
        .order_by(Organization.name_folded)
    ).all()
    form = InvitationForm(organizations=[tuple(row) for row in organizations])
    if form.validate_on_submit():
        role = Role(form.role.data)
        choice = form.organization.data
        try:
            invitation = invitations.invite(
                current_user,
                email=form.email.data,
                role=role,
                now=clock(),
                locale=form.locale.data,
                organization=db.session.get(Organization, int(choice))
                if choice and choice.isdigit()
                else None,
                new_organization_name=form.new_organization.data
                if choice == NEW_ORGANIZATION
                else None,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                _("The invitation to %(email)s is on its way.", email=invitation.email), "success"
            )
            return redirect(url_for("auth.invitations_admin"), 303)
    rows = db.session.scalars(
        select(Invitation)
        .options(selectinload(Invitation.organization))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()
    return render_template("auth/invitations_admin.html", form=form, invitations=rows, now=clock())


def _invitation_or_404(invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    return invitation


@bp.post("/admin/invitations/<int:invitation_id>/resend")
@permission_required(Permission.invite)
def resend_invitation(invitation_id: int) -> ResponseReturnValue:
    invitation = _invitation_or_404(invitation_id)
    try:
        invitations.resend(invitation, current_user, clock())
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _("A new invitation link has been sent to %(email)s.", email=invitation.email),
            "success",
        )
    return redirect(url_for("auth.invitations_admin"), 303)


@bp.post("/admin/invitations/<int:invitation_id>/revoke")
@permission_required(Permission.invite)
def revoke_invitation(invitation_id: int) -> ResponseReturnValue:
    invitation = _invitation_or_404(invitation_id)
    try:
        invitations.revoke(invitation, current_user, clock())
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The invitation to %(email)s has been revoked.", email=invitation.email), "success")
    return redirect(url_for("auth.invitations_admin"), 303)


# --- people and organisations -----------------------------------------------------------


@bp.get("/admin/people")
@permission_required(Permission.manage_people)
def people() -> ResponseReturnValue:
    users = db.session.scalars(
        select(User).options(selectinload(User.organization)).order_by(User.name)
    ).all()
    return render_template("auth/people.html", users=users)


@bp.post("/admin/people/<int:user_id>/active")
@permission_required(Permission.manage_people)
def set_user_active(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("auth.people"), 303)
    active = request.form.get("active") == "1"
    accounts.set_active(user, active, current_user)
    db.session.commit()
    if active:
        flash(_("%(name)s can log in again.", name=user.name), "success")
    else:
        flash(
            _("%(name)s has been deactivated; their contributions stay.", name=user.name), "success"
        )
    return redirect(url_for("auth.people"), 303)


@bp.get("/organizations")
def organizations() -> ResponseReturnValue:
    query = select(Organization).order_by(Organization.name_folded)
    if not can(current_user, Permission.manage_people):
        query = query.where(Organization.active)
    return render_template("auth/organizations.html", organizations=db.session.scalars(query).all())


def _organization_or_404(organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None or (
        not organization.active and not can(current_user, Permission.manage_people)
    ):
        abort(404)
    return organization


@bp.get("/organizations/<int:organization_id>")
def organization(organization_id: int) -> ResponseReturnValue:
    organization = _organization_or_404(organization_id)
    return render_template(
        "auth/organization.html",
        organization=organization,
        may_edit=organization.can_edit(current_user),
        # Names of the people behind an NGO are shown only to those inside the consultation.
        show_members=current_user.is_authenticated,
    )


@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organization(organization_id: int) -> ResponseReturnValue:
    organization = _organization_or_404(organization_id)
    if not organization.can_edit(current_user):
        abort(403)
    form = OrganizationForm(obj=organization)
    if form.validate_on_submit():
        name = form.name.data.strip()
        other = invitations.organization_named(name)
        if other is not None and other.id != organization.id:
            form.name.errors = [_("Another organisation already has this name.")]
        else:
            accounts.update_organization(
                organization,
                current_user,
                name=name,
                description=form.description.data,
                website=form.website.data or "",
            )
            db.session.commit()
            flash(_("The organisation's page has been saved."), "success")
            return redirect(url_for("auth.organization", organization_id=organization.id), 303)
    return render_template("auth/edit_organization.html", form=form, organization=organization)


@bp.post("/organizations/<int:organization_id>/active")
@permission_required(Permission.manage_people)
def set_organization_active(organization_id: int) -> ResponseReturnValue:
    organization = db.session.get(Organization, organization_id) or abort(404)
    active = request.form.get("active") == "1"
    accounts.set_organization_active(organization, active, current_user)
    db.session.commit()
    if active:
        flash(_("%(name)s is active again.", name=organization.name), "success")
    else:
        flash(
            _(
                "%(name)s has been deactivated; its members cannot log in, its content stays.",
                name=organization.name,
            ),
            "success",
        )
    return redirect(url_for("auth.organization", organization_id=organization.id), 303)


# --- language and the privacy notice ------------------------------------------------------


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session[LANGUAGE_COOKIE] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    target = safe_next(request.form.get("next")) or url_for("proposals.index")
    return redirect(target, 303)


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    return render_template("auth/privacy.html")
