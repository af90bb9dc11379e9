"""Flask extensions, created unbound so that every layer can import them without cycles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints so that Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
babel = Babel()


def _client_address() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


limiter = Limiter(key_func=_client_address, default_limits=[], headers_enabled=True)


def _user_or_address() -> str:
    """Signed in: the account (one person, wherever they are); otherwise the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return _client_address()


def limit_per_user(
    config_name: str, methods: list[str] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``@limit_per_user("RATELIMIT_COMMENT")``: the limit configured under that name,
    counted per signed-in user (per address for visitors), for this route alone."""
    return limiter.limit(
        lambda: current_app.config[config_name], key_func=_user_or_address, methods=methods
    )
