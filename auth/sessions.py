"""Session rules: a fresh session at every sign-in, the second step of sign-in, and the
limits every session lives under.

Flask keeps the session in a signed cookie, so a session cannot be deleted on the
server; instead:

* every session names the user's *session epoch* (``User.get_id``): bumping it (logout,
  password change, deactivation, "sign out everywhere") ends all of that user's sessions
  at once, on every device;
* every session carries the time of its sign-in and of its last request: after
  ``SESSION_IDLE_MINUTES`` without a request (30; the page warns 5 minutes before, WCAG
  2.2.1) or ``SESSION_MAX_HOURS`` after sign-in (12) it ends, whatever the cookie says.

A password alone does not sign in someone who uses (or whose role requires) two-factor
authentication: the session then holds a *pending* sign-in (who, when, where to go
next) that is good for ``TWO_FACTOR_PENDING_MINUTES`` and only for the second step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import (
    Flask,
    current_app,
    flash,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from auth import twofactor
from auth.models import User
from extensions import db, htmx
from web import clock, safe_next

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
PENDING = "pending_login"
# What outlives signing in and out: the visitor's chosen language.
KEPT_KEYS = ("lang",)


def _seconds(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def fresh_session() -> None:
    """Nothing from before sign-in (or sign-out) survives, except the chosen language: no
    value planted in a visitor's session (session fixation), no old CSRF token."""
    kept = {key: session[key] for key in KEPT_KEYS if key in session}
    session.clear()
    session.update(kept)


def begin_session(user: User, remember: bool = False) -> None:
    """Sign ``user`` in, in a new session that knows when it began."""
    now = _seconds(clock())
    fresh_session()
    login_user(user, remember=remember)
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def end_session() -> None:
    """Sign this browser out (the user's other sessions are not touched here)."""
    logout_user()
    fresh_session()


# --- the second step of sign-in -------------------------------------------------------------


@dataclass(frozen=True)
class PendingLogin:
    user: User
    next: str


def begin_pending(user: User, next_url: str | None = None) -> None:
    """The password was right; the second factor is still to come. Nobody is signed in."""
    fresh_session()
    session[PENDING] = {
        "user": user.id,
        "epoch": user.session_epoch,
        "at": _seconds(clock()),
        "next": safe_next(next_url) or "",
    }


def has_pending() -> bool:
    return PENDING in session


def clear_pending() -> None:
    session.pop(PENDING, None)


def pending_login() -> PendingLogin | None:
    """The sign-in waiting for its second step, if it is still good: recent enough, and
    for an account that is still active and whose sessions have not been ended since."""
    data = session.get(PENDING)
    if not isinstance(data, dict):
        return None
    try:
        user_id, epoch, started = int(data["user"]), int(data["epoch"]), int(data["at"])
    except (KeyError, TypeError, ValueError):
        clear_pending()
        return None
    minutes = current_app.config["TWO_FACTOR_PENDING_MINUTES"]
    if _seconds(clock()) - started > minutes * 60:
        clear_pending()
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_epoch != epoch or not user.is_active:
        clear_pending()
        return None
    return PendingLogin(user, safe_next(data.get("next")) or "")


# --- the limits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """What the idle warning needs: seconds of inactivity allowed, the warning's lead, and
    the seconds left before the session's hard end (None: no such limit)."""

    idle_seconds: int
    warning_seconds: int
    ends_in_seconds: int | None


def timing() -> Timing | None:
    """The limits of the current session, or None when idle sessions do not end (or there
    is no request: mails rendered by a command)."""
    config = current_app.config
    idle_minutes = config.get("SESSION_IDLE_MINUTES") or 0
    if not idle_minutes or not has_request_context() or not current_user.is_authenticated:
        return None
    ends_in = None
    max_hours = config.get("SESSION_MAX_HOURS") or 0
    if max_hours and isinstance(session.get(LOGIN_AT), int):
        ends_in = max(0, session[LOGIN_AT] + max_hours * 3600 - _seconds(clock()))
    return Timing(idle_minutes * 60, (config.get("SESSION_WARNING_MINUTES") or 5) * 60, ends_in)


def _expired_reason(now: int) -> str | None:
    config = current_app.config
    idle = (config.get("SESSION_IDLE_MINUTES") or 0) * 60
    longest = (config.get("SESSION_MAX_HOURS") or 0) * 3600
    if not idle and not longest:
        return None
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return "unknown"  # a session from before these rules: its age cannot be told
    if longest and now - login_at >= longest:
        return "max"
    if idle and now - seen_at >= idle:
        return "idle"
    return None


def enforce_session_rules() -> ResponseReturnValue | None:
    """Before every request of a signed-in user: end a session that has been idle or open
    too long, and hold someone whose role requires two-factor authentication at its
    set-up until it is done. Otherwise note the request as activity."""
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return None
    now = _seconds(clock())
    reason = _expired_reason(now)
    if reason is not None:
        end_session()
        config = current_app.config
        if reason == "max":
            message = _(
                "For your security, sessions end %(hours)d hours after logging in. "
                "Please log in again.",
                hours=config["SESSION_MAX_HOURS"],
            )
        else:
            message = _(
                "You were logged out after %(minutes)d minutes without activity. "
                "Please log in again.",
                minutes=config["SESSION_IDLE_MINUTES"],
            )
        flash(message, "info")
        return None  # the request goes on as a visitor's: login_required sends to log in
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    held = twofactor.is_required(user) and not twofactor.is_enabled(user)
    if held and request.endpoint != "auth.logout":  # logging out is always possible
        end_session()
        asked = request.full_path if request.query_string else request.path
        begin_pending(user, asked if request.method == "GET" else None)
        flash(_("Your role requires two-factor authentication. Set it up to continue."), "info")
        target = url_for("auth.two_factor_setup")
        response = redirect(target, 303)
        if htmx:
            response.headers["HX-Redirect"] = target  # the whole page, not a fragment
        return response
    session[SEEN_AT] = now
    return None


def init_app(app: Flask) -> None:
    app.before_request(enforce_session_rules)

    @app.context_processor
    def session_timing() -> dict[str, Timing | None]:
        return {"session_timing": timing()}
