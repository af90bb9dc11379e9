"""The application factory: ``flask --app app run`` / ``create_app({...})`` in tests."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_timedelta,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException

import auth
import proposals
import security
import serving
from auth import security_log
from auth.permissions import Permission, can, role_label
from extensions import babel, csrf, db, htmx, limiter, login_manager, migrate
from text import render_markdown

LANGUAGES = ("tr", "en")


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url
    return "sqlite:///" + str(Path(instance_path) / "ortak.sqlite3")


def _engine_options(url: str) -> dict[str, Any]:
    """Connections are checked before use, so a database restart costs no request; the pool
    is per worker process (README, "Deploying": keep workers × pool under max_connections)."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options["pool_size"] = int(os.environ.get("DB_POOL_SIZE", "5"))
        options["max_overflow"] = int(os.environ.get("DB_MAX_OVERFLOW", "10"))
        options["pool_recycle"] = 1800  # under any idle-connection timeout of a proxy
    return options


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def default_config(instance_path: str) -> dict[str, Any]:
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(_database_url(instance_path)),
        "TIMEZONE": os.environ.get("TIMEZONE", "Europe/Istanbul"),
        "LANGUAGES": LANGUAGES,
        "BABEL_DEFAULT_LOCALE": "tr",
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", ""),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "ortak@localhost"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_LOGIN_IP": os.environ.get("RATELIMIT_LOGIN_IP", "30 per 15 minutes"),
        "RATELIMIT_LOGIN_ACCOUNT": os.environ.get("RATELIMIT_LOGIN_ACCOUNT", "10 per 15 minutes"),
        "RATELIMIT_RESET_IP": os.environ.get("RATELIMIT_RESET_IP", "10 per hour"),
        "RATELIMIT_RESET_ACCOUNT": os.environ.get("RATELIMIT_RESET_ACCOUNT", "3 per hour"),
        "RATELIMIT_INVITATION_IP": os.environ.get("RATELIMIT_INVITATION_IP", "20 per hour"),
        # Per signed-in user (per address for visitors); generous, to stop floods, not people.
        "RATELIMIT_PROPOSAL": os.environ.get("RATELIMIT_PROPOSAL", "60 per hour"),
        "RATELIMIT_AUTOSAVE": os.environ.get("RATELIMIT_AUTOSAVE", "60 per minute"),
        "RATELIMIT_COMMENT": os.environ.get("RATELIMIT_COMMENT", "20 per minute"),
        "RATELIMIT_VOTE": os.environ.get("RATELIMIT_VOTE", "60 per minute"),
        "RATELIMIT_EXPORT": os.environ.get("RATELIMIT_EXPORT", "30 per hour"),
        # security.py: "production" adds HSTS and Secure cookies (SECURITY.md).
        "ORTAK_ENV": os.environ.get("ORTAK_ENV", "development"),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "SECURITY_LOG_FILE": os.environ.get("SECURITY_LOG_FILE", ""),
        "CSP_REPORT_URI": os.environ.get("CSP_REPORT_URI", ""),
        # Content reported by this many different organisations is hidden until a moderator looks.
        "REPORT_HIDE_THRESHOLD": int(os.environ.get("REPORT_HIDE_THRESHOLD", "3")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE"),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead; a long form must not expire
        # Sign-in security (auth/sessions.py, auth/twofactor.py, auth/passwords.py).
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_WARNING_MINUTES": 5,
        "SESSION_MAX_HOURS": int(os.environ.get("SESSION_MAX_HOURS", "12")),
        "TWO_FACTOR_REQUIRED_ROLES": ("moderator", "organizer"),
        "TWO_FACTOR_PENDING_MINUTES": 5,
        "RATELIMIT_TWO_FACTOR": os.environ.get("RATELIMIT_TWO_FACTOR", "10 per 15 minutes"),
        "ARGON2_TIME_COST": int(os.environ.get("ARGON2_TIME_COST", "3")),
        "ARGON2_MEMORY_COST": int(os.environ.get("ARGON2_MEMORY_COST", "65536")),
        "ARGON2_PARALLELISM": int(os.environ.get("ARGON2_PARALLELISM", "1")),
    }


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(default_config(app.instance_path))
    if config:
        app.config.update(config)
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    logging.basicConfig(level=logging.INFO)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(app.root_path) / "migrations"), render_as_batch=True
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    auth.init_app(app)
    proposals.init_app(app)
    security.init_app(app)
    serving.init_app(app)
    _register_templating(app)
    _register_errors(app)
    app.before_request(_strip_nul_characters)
    return app


def select_locale() -> str:
    """The signed-in user's preference, else the visitor's choice (cookie), else Turkish."""
    if not has_request_context():  # CLI and cron: mails are rendered with force_locale
        return "tr"
    if current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return "tr"


def _datetime(value: Any, fmt: str = "medium") -> str:
    """Dates with times as people read them: "20 Kasım 2026 18:04" (no seconds)."""
    return format_datetime(value, "d MMMM y HH:mm" if fmt == "medium" else fmt)


def _register_templating(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["currency"] = lambda amount: format_currency(
        amount, "TRY", format="¤#,##0", currency_digits=False
    )

    @app.context_processor
    def globals_for_templates() -> dict[str, Any]:
        from flask_babel import get_locale

        return {
            "can": lambda permission: can(current_user, permission),
            "Permission": Permission,
            "role_label": role_label,
            "current_locale": str(get_locale()),
            "LANGUAGES": [("tr", "Türkçe"), ("en", "English")],
        }


def _error_texts() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("The request could not be understood"),
            _("Something in what was sent is not right. Go back and try again."),
        ),
        403: (
            _("You may not do this"),
            _("Your account does not have the right to see this page or take this action."),
        ),
        404: (
            _("Page not found"),
            _("There is nothing here, or you may not see it. Check the address."),
        ),
        405: (
            _("The request could not be understood"),
            _("Something in what was sent is not right. Go back and try again."),
        ),
        413: (
            _("Too much data"),
            _("What you sent is larger than we accept. Shorten it and try again."),
        ),
        429: (
            _("Too many attempts"),
            _("For your account's safety, please wait a little before trying again."),
        ),
        500: (
            _("Something went wrong on our side"),
            _("The error has been logged. Please try again in a moment."),
        ),
    }


def _strip_nul_characters() -> None:
    """A NUL byte is never meant (it comes from copy-paste or an attack), and PostgreSQL
    refuses to store it: drop it from every query string and form, once, here."""

    def clean(values: MultiDict[str, str]) -> ImmutableMultiDict[str, str]:
        return ImmutableMultiDict(
            [(k.replace("\x00", ""), v.replace("\x00", "")) for k, v in values.items(multi=True)]
        )

    def dirty(values: MultiDict[str, str]) -> bool:
        return any("\x00" in k or "\x00" in v for k, v in values.items(multi=True))

    if dirty(request.args):
        request.args = clean(request.args)  # type: ignore[misc]
    if request.method in ("POST", "PUT", "PATCH") and dirty(request.form):
        request.form = clean(request.form)  # type: ignore[misc]


def _register_errors(app: Flask) -> None:
    def error_page(
        status: int, message: str | None = None, detail: str | None = None
    ) -> ResponseReturnValue:
        title, default_message = _error_texts()[status]
        html = render_template(
            "errors/error.html",
            status=status,
            title=title,
            message=message or default_message,
            detail=detail,
        )
        return app.make_response((html, status))

    @app.errorhandler(403)
    def forbidden(error: HTTPException) -> ResponseReturnValue:
        security_log.event("permission.denied", logging.WARNING, endpoint=request.endpoint)
        return error_page(403)

    @app.errorhandler(429)
    def too_many_requests(error: HTTPException) -> ResponseReturnValue:
        """The friendly page, with when to try again (also as ``Retry-After``, in seconds)."""
        wait = security.retry_after_seconds()
        breached = getattr(error, "limit", None)
        security_log.event(
            "rate_limit.exceeded",
            logging.WARNING,
            endpoint=request.endpoint,
            limit=str(breached.limit) if breached is not None else None,
        )
        when = format_timedelta(timedelta(seconds=wait), add_direction=True)
        response = app.make_response(
            error_page(429, detail=_("You can try again %(when)s.", when=when))
        )
        response.headers["Retry-After"] = str(wait)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        security_log.event("csrf.refused", endpoint=request.endpoint, reason=error.description)
        return error_page(
            400,
            _(
                "This form has expired or was not sent from this site. Go back, reload the "
                "page and send it again: what you typed is still in the form after Back."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        if status not in _error_texts():
            return error
        return error_page(status)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error")
        db.session.rollback()
        return error_page(500)
