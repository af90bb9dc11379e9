"""People and organisations: accounts, invitations, roles, mail, the audit log."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from extensions import db, login_manager


def init_app(app: Flask) -> None:
    from auth import (
        audit_views,
        cli,
        privacy_views,
        sessions,
        twofactor_views,  # noqa: F401 - adds the sign-in security routes to views.bp
        views,
    )
    from auth.models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # The id carries the session epoch: when it no longer matches, the session has ended
        # (password changed, account deactivated, signed out everywhere).
        user_id, _, epoch = session_id.partition(":")
        if not user_id.isdigit() or not epoch.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_epoch != int(epoch) or not user.is_active:
            return None
        return user

    app.register_blueprint(views.bp)
    app.register_blueprint(audit_views.bp)  # the audit log for organisers
    sessions.init_app(app)  # session limits and the two-factor gate, before other checks
    privacy_views.init_app(app)  # KVKK: data download, deletion, consent re-ask, record
    cli.init_app(app)
