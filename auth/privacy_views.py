"""Thin routes for personal data: download, deletion, the consent re-ask, the record.

The rules live in :mod:`auth.privacy`; this module parses, asks, calls and renders, and
installs the consent gate (:func:`require_current_consent`) that sends a signed-in person
to the current notice when the deployment's notice version has moved on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click
from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from auth import privacy, security_log
from auth.errors import DomainError
from auth.permissions import Permission, can
from auth.sessions import end_session
from extensions import db, htmx, limit_per_user, login_manager
from web import attach_error, clock, safe_next

bp = Blueprint("privacy", __name__)
F = TypeVar("F", bound=Callable[..., Any])

# Pages a person who has not accepted the current notice may still open: the notice, the
# consent page itself, and the ways out (sign out, delete the account, take their data).
CONSENT_EXEMPT_ENDPOINTS = {
    "static",
    "auth.logout",
    "auth.privacy",
    "auth.set_language",
    "auth.keep_alive",  # the idle warning may keep someone reading the notice signed in
    "privacy.consent",
    "privacy.delete_account",
    "privacy.export_my_data",
}


# --- forms --------------------------------------------------------------------------------


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(message=_l("Please enter your password.")), Length(max=200)],
        description=_l("To make sure it is you."),
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that my account is deleted for good and cannot be restored."),
        validators=[DataRequired(message=_l("Please confirm that you want to delete it."))],
    )


class ConsentForm(FlaskForm):
    consent = BooleanField(
        _l("I have read and accept the data-processing notice above."),
        validators=[
            DataRequired(message=_l("Please read the notice and tick the box to accept it."))
        ],
    )
    next = HiddenField()


# --- access ---------------------------------------------------------------------------------


@bp.get("/account/data.json")
@limit_per_user("RATELIMIT_EXPORT")
@login_required
def export_my_data() -> ResponseReturnValue:
    """The signed-in person's own data; there is no id in the URL, so nobody else's."""
    now = clock()
    data = privacy.export_personal_data(current_user._get_current_object(), now)
    security_log.event("export.personal_data")
    response = make_response(privacy.export_json(data))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ortak-my-data-{now:%Y-%m-%d}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- erasure --------------------------------------------------------------------------------


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account() -> ResponseReturnValue:
    user = current_user._get_current_object()
    blocker = privacy.erasure_blocker(user)
    form = DeleteAccountForm()
    if blocker is None and form.validate_on_submit():
        try:
            privacy.erase_account(user, form.password.data, clock())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            security_log.event("account.erased", user_id=user.id)
            end_session()
            flash(_("Your account has been deleted. Thank you for taking part."), "success")
            return redirect(url_for("proposals.index"), 303)
    return render_template("auth/delete_account.html", form=form, blocker=blocker)


# --- consent ----------------------------------------------------------------------------------


@bp.route("/account/consent", methods=["GET", "POST"])
@login_required
def consent() -> ResponseReturnValue:
    user = current_user._get_current_object()
    form = ConsentForm(next=request.args.get("next", ""))
    target = safe_next(form.next.data) or url_for("proposals.index")
    if not privacy.needs_consent(user):
        if request.method == "POST":
            return redirect(target, 303)
        return render_template("auth/consent_renewal.html", form=None, user=user)
    if form.validate_on_submit():
        privacy.accept_notice(user, clock())
        db.session.commit()
        flash(_("Thank you. You have accepted the current data-processing notice."), "success")
        return redirect(target, 303)
    return render_template("auth/consent_renewal.html", form=form, user=user)


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def require_current_consent() -> ResponseReturnValue | None:
    """Before every request: a signed-in person who has not accepted the current notice is
    sent to it. htmx requests get a 403 with ``HX-Redirect`` (htmx follows it), JSON
    callers a 403 in JSON; pages a 303 that comes back here after accepting."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in CONSENT_EXEMPT_ENDPOINTS:
        return None
    if not current_user.is_authenticated or not privacy.needs_consent(current_user):
        return None
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    target = url_for("privacy.consent", next=safe_next(back))
    message = _("Please read and accept the updated data-processing notice first.")
    if htmx:
        response = make_response(message, 403)
        response.headers["HX-Redirect"] = target
        return response
    if _wants_json():
        return make_response(jsonify(error=message, consent_url=target), 403)
    return redirect(target, 303)


# --- the record of processing -----------------------------------------------------------------


def organisers_only(view: F) -> F:
    """The record is for those who answer for the processing: people managers or auditors."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not (
            can(current_user, Permission.manage_people)
            or can(current_user, Permission.view_audit_log)
        ):
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


@bp.get("/privacy/record-of-processing")
@organisers_only
def record_of_processing() -> ResponseReturnValue:
    return render_template(
        "auth/processing_record.html",
        rows=privacy.record_of_processing(),
        columns=[(key, str(label)) for key, label in privacy.COLUMNS],
    )


@bp.get("/privacy/record-of-processing.csv")
@limit_per_user("RATELIMIT_EXPORT")
@organisers_only
def record_of_processing_csv() -> ResponseReturnValue:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(label) for _key, label in privacy.COLUMNS])
    for row in privacy.record_of_processing():
        writer.writerow([getattr(row, key) for key, _label in privacy.COLUMNS])
    security_log.event("export.record_of_processing")
    # A byte-order mark so that spreadsheet programs read the Turkish letters as UTF-8.
    response = make_response("\ufeff" + buffer.getvalue())
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="record-of-processing.csv"'
    return response


# --- wiring ---------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    privacy.configure(app)
    app.register_blueprint(bp)
    app.before_request(require_current_consent)
    app.jinja_env.globals.update(person_name=privacy.person_name, author_name=privacy.author_name)

    @app.cli.command("purge-personal-data")
    def purge_personal_data() -> None:
        """Delete mails, notifications and audit entries past their retention (cron: daily)."""
        report = privacy.purge_expired(clock())
        db.session.commit()
        click.echo(
            f"deleted {report.mails} mails, {report.notifications} notifications, "
            f"{report.audit_entries} audit entries"
        )
