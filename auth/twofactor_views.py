"""Thin routes for signing in safely: the second step of sign-in, setting up two-factor
authentication, recovery codes, ending sessions, and the idle warning's keep-alive.

They live on the ``auth`` blueprint (importing this module adds them), so their endpoints
read ``auth.two_factor_login`` like the rest of signing in.
"""

from __future__ import annotations

import logging

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from auth import accounts, security_log, sessions, twofactor
from auth.errors import DomainError
from auth.forms import ConfirmPasswordForm, TwoFactorForm, TwoFactorSetupForm
from auth.models import User
from auth.permissions import Permission, permission_required
from auth.views import bp
from extensions import db, limiter, login_manager
from web import attach_error, clock

# Session key of the secret being set up, until a code from the app proves it.
SETUP_SECRET = "two_factor_setup"  # noqa: S105  # nosec B105 - a key name, not a secret


def _pending_key() -> str:
    """Rate-limit bucket of a second step: the account waiting for it (else the address)."""
    data = session.get(sessions.PENDING)
    user_id = data.get("user") if isinstance(data, dict) else None
    return f"two-factor:{user_id}" if user_id else f"two-factor-ip:{request.remote_addr}"


def _pending_or_login() -> sessions.PendingLogin | ResponseReturnValue:
    """The sign-in waiting for its second step, or the way back to the login page."""
    had_pending = sessions.has_pending()
    pending = sessions.pending_login()
    if pending is not None:
        return pending
    if had_pending:
        minutes = current_app.config["TWO_FACTOR_PENDING_MINUTES"]
        flash(
            _("More than %(minutes)d minutes have passed since you entered your password. "
              "Please log in again.", minutes=minutes),
            "error",
        )  # fmt: skip
    return redirect(url_for("auth.login"), 303)


def _not_stored(response: ResponseReturnValue) -> ResponseReturnValue:
    """Secrets and recovery codes stay out of every cache and the browser's history store."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the second step of signing in ----------------------------------------------------------


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_TWO_FACTOR"], methods=["POST"], key_func=_pending_key
)
def two_factor_login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("proposals.index"), 303)
    pending = _pending_or_login()
    if not isinstance(pending, sessions.PendingLogin):
        return pending
    user = pending.user
    if not twofactor.is_enabled(user):
        return redirect(url_for("auth.two_factor_setup"), 303)
    form = TwoFactorForm()
    if form.validate_on_submit():
        try:
            kind = twofactor.verify_second_factor(user, form.code.data, clock())
        except DomainError as error:
            security_log.event("login.second_factor_failed", logging.WARNING, account_id=user.id)
            attach_error(form, error)
        else:
            sessions.begin_session(user)
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            if kind == "recovery":
                left = twofactor.recovery_codes_left(user)
                flash(
                    _("You used a recovery code; %(count)d are left. Make new ones on the "
                      "two-factor page of your account.", count=left),
                    "info",
                )  # fmt: skip
            return redirect(pending.next or url_for("proposals.index"), 303)
    return render_template("auth/twofactor_login.html", form=form)


# --- setting it up -------------------------------------------------------------------------


def _setup_secret(user: User) -> str:
    """The secret offered to this user's app, the same on every load until it is proven."""
    held = session.get(SETUP_SECRET)
    if isinstance(held, dict) and held.get("user") == user.id and held.get("secret"):
        return str(held["secret"])
    secret = twofactor.new_secret()
    session[SETUP_SECRET] = {"user": user.id, "secret": secret}
    return secret


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
def two_factor_setup() -> ResponseReturnValue:
    """For a signed-in person who chooses it, or — before anything else — for someone
    whose role requires it and who has just given the right password."""
    pending: sessions.PendingLogin | None = None
    if current_user.is_authenticated:
        user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    elif sessions.has_pending():
        found = _pending_or_login()
        if not isinstance(found, sessions.PendingLogin):
            return found
        pending, user = found, found.user
    else:
        return login_manager.unauthorized()
    if twofactor.is_enabled(user):
        if pending is not None:
            return redirect(url_for("auth.two_factor_login"), 303)
        flash(_("Two-factor authentication is already on for your account."), "info")
        return redirect(url_for("auth.two_factor"), 303)
    secret = _setup_secret(user)
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.enable(user, secret, form.code.data, clock())
        except DomainError as error:
            attach_error(form, error)
        else:
            session.pop(SETUP_SECRET, None)
            if pending is not None:
                sessions.begin_session(user)
            db.session.commit()
            security_log.event("two_factor.enabled", account_id=user.id)
            flash(_("Two-factor authentication is on."), "success")
            if pending is not None:
                flash(_("Welcome, %(name)s.", name=user.name), "success")
            if pending is not None:
                following = pending.next or url_for("proposals.index")
            else:
                following = url_for("auth.two_factor")
            # Shown in the answer to this POST, never stored: the codes cannot be seen again.
            return _not_stored(
                render_template("auth/twofactor_codes.html", codes=codes, following=following)
            )
    uri = twofactor.provisioning_uri(secret, user)
    return _not_stored(
        render_template(
            "auth/twofactor_setup.html",
            form=form,
            qr=twofactor.qr_svg(uri, _("QR code for your authenticator app")),
            secret=twofactor.grouped(secret),
            required=twofactor.is_required(user),
            pending=pending is not None,
        )
    )


# --- the account's two-factor page -----------------------------------------------------------


def _settings_page(
    regenerate: ConfirmPasswordForm | None = None, disable: ConfirmPasswordForm | None = None
) -> ResponseReturnValue:
    user = current_user
    return render_template(
        "auth/twofactor_settings.html",
        enabled=twofactor.is_enabled(user),
        required=twofactor.is_required(user),
        codes_left=twofactor.recovery_codes_left(user) if twofactor.is_enabled(user) else 0,
        regenerate_form=regenerate or ConfirmPasswordForm(prefix="regenerate"),
        disable_form=disable or ConfirmPasswordForm(prefix="disable"),
    )


@bp.get("/account/two-factor")
@login_required
def two_factor() -> ResponseReturnValue:
    return _settings_page()


@bp.post("/account/two-factor/recovery-codes")
@login_required
def regenerate_recovery_codes() -> ResponseReturnValue:
    if not twofactor.is_enabled(current_user):
        flash(_("Two-factor authentication is not on for your account."), "error")
        return redirect(url_for("auth.two_factor"), 303)
    form = ConfirmPasswordForm(prefix="regenerate")
    if form.validate_on_submit():
        if current_user.check_password(form.current_password.data):
            codes = twofactor.new_recovery_codes(current_user, clock())
            db.session.commit()
            flash(_("New recovery codes are ready; the old ones no longer work."), "success")
            return _not_stored(
                render_template(
                    "auth/twofactor_codes.html", codes=codes, following=url_for("auth.two_factor")
                )
            )
        form.current_password.errors = [_("Your password is not right.")]
    return _settings_page(regenerate=form)


@bp.post("/account/two-factor/disable")
@login_required
def disable_two_factor() -> ResponseReturnValue:
    form = ConfirmPasswordForm(prefix="disable")
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors = [_("Your password is not right.")]
        else:
            try:
                twofactor.disable(current_user)
            except DomainError as error:
                flash(error.message, "error")
            else:
                db.session.commit()
                security_log.event("two_factor.disabled", account_id=current_user.id)
                flash(_("Two-factor authentication is off."), "success")
            return redirect(url_for("auth.two_factor"), 303)
    return _settings_page(disable=form)


# --- ending sessions ------------------------------------------------------------------------


@bp.post("/account/sessions/end")
@login_required
def end_other_sessions() -> ResponseReturnValue:
    """Every other session of mine ends (a computer left signed in); this one goes on."""
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    accounts.end_sessions(user, user)
    db.session.commit()
    login_user(user)  # this session, under the new epoch; its sign-in time is kept
    security_log.event("sessions.ended", account_id=user.id)
    flash(_("You have been logged out on every other device."), "success")
    return redirect(url_for("auth.account"), 303)


def _person_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/admin/people/<int:user_id>/sessions/end")
@permission_required(Permission.manage_people)
def end_user_sessions(user_id: int) -> ResponseReturnValue:
    user = _person_or_404(user_id)
    if user.id == current_user.id:
        flash(_("To end your own other sessions, use your account page."), "error")
        return redirect(url_for("auth.people"), 303)
    accounts.end_sessions(user, current_user)
    db.session.commit()
    security_log.event("sessions.ended", account_id=user.id)
    flash(_("%(name)s has been logged out everywhere.", name=user.name), "success")
    return redirect(url_for("auth.people"), 303)


@bp.post("/admin/people/<int:user_id>/two-factor/reset")
@permission_required(Permission.manage_people)
def reset_two_factor(user_id: int) -> ResponseReturnValue:
    user = _person_or_404(user_id)
    if user.id == current_user.id:
        flash(_("Another organiser must reset your own two-factor authentication."), "error")
        return redirect(url_for("auth.people"), 303)
    twofactor.reset(user, current_user)
    db.session.commit()
    security_log.event("two_factor.reset", logging.WARNING, account_id=user.id)
    flash(
        _("The two-factor authentication of %(name)s has been reset and they have been logged "
          "out. They set it up again when they next log in.", name=user.name),
        "success",
    )  # fmt: skip
    return redirect(url_for("auth.people"), 303)


# --- the idle warning ---------------------------------------------------------------------


@bp.post("/session/keep-alive")
def keep_alive() -> ResponseReturnValue:
    """ "Stay signed in": the request itself counts as activity (``sessions``); the answer
    tells the page how long it may now wait. A session that has already ended says so."""
    if not current_user.is_authenticated:
        return {"signed_in": False}, 401
    timing = sessions.timing()
    return {
        "signed_in": True,
        "idle_seconds": timing.idle_seconds if timing else None,
        "ends_in_seconds": timing.ends_in_seconds if timing else None,
    }
