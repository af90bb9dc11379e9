"""The security log: failed sign-ins, rate-limit hits, permission denials, deactivations and
role changes, exports — one JSON object per line on the logger ``ortak.security``.

It answers "who tried what, from where, when" for an incident, apart from the audit log
(which records what moderators and organisers changed, in the database). Each line has
``ts``, ``event``, ``user_id``, ``ip``, ``path`` and the event's own fields. It never holds
a password, a token, a session id or the address typed for an unknown account: tokens in
paths are replaced by ``<token>``, fields whose names say secret are dropped, and an
email address is logged only as a keyed hash (attempts on one address can be grouped,
the address cannot be read back).

The formatter is fifteen lines of our own rather than ``python-json-logger``: the fields
are fixed, and one dependency less is one less to audit in a security-sensitive path.
Lines go to stderr (the service manager's journal) or to ``SECURITY_LOG_FILE``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import logging.handlers
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from auth.models import User
from extensions import db

LOGGER_NAME = "ortak.security"
logger = logging.getLogger(LOGGER_NAME)

# A field whose name contains one of these is never written, whatever a caller passes.
_SECRET_WORDS = ("password", "token", "secret", "session", "csrf", "totp", "recovery")


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record: the event's fields, or the plain message as ``event``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = getattr(record, "security", None)
        if not isinstance(entry, dict):
            entry = {
                "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "event": record.getMessage(),
            }
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (as logging's last resort does)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure(app: Flask) -> None:
    """Give the logger its JSON handler once per process (apps are made once per test)."""
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the root logger's plain format would print each line again
    if any(getattr(handler, "ortak_security", False) for handler in logger.handlers):
        return
    path = app.config.get("SECURITY_LOG_FILE", "")
    handler: logging.Handler = (
        logging.handlers.WatchedFileHandler(path, encoding="utf-8") if path else _StderrHandler()
    )
    handler.setFormatter(JsonLinesFormatter())
    handler.ortak_security = True  # type: ignore[attr-defined]
    logger.addHandler(handler)


def _normalise(email: str) -> str:
    return email.strip().lower()  # as auth.invitations.normalise_email (which imports us)


def email_fingerprint(email: str) -> str:
    """A keyed hash of a normalised address: equal for equal addresses, not reversible."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, _normalise(email).encode(), hashlib.sha256).hexdigest()
    return digest[:16]


def _path() -> str:
    path = request.path
    for name, value in (request.view_args or {}).items():
        if "token" in name and isinstance(value, str) and value:
            path = path.replace(value, f"<{name}>")
    return path


def _user_id() -> int | None:
    try:
        return current_user.id if current_user.is_authenticated else None
    except Exception:  # logging must never turn a request into an error
        return None


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Write one security event; ``fields`` add to the common ones (``user_id`` may be
    given to name someone other than the signed-in user)."""
    entry: dict[str, Any] = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "event": name,
        "user_id": _user_id() if has_request_context() else None,
        "ip": request.remote_addr if has_request_context() else None,
        "path": _path() if has_request_context() else None,
    }
    for key, value in fields.items():
        if any(word in key.lower() for word in _SECRET_WORDS):
            continue
        if key.lower() == "email" and isinstance(value, str):
            key, value = "email_hash", email_fingerprint(value)
        entry[key] = value
    logger.log(level, name, extra={"security": entry})


def login_failed(email: str) -> None:
    """A refused sign-in: the account's id when the address is known, else only its hash."""
    user = db.session.scalar(select(User).where(User.email == _normalise(email)))
    if user is None:
        event("login.failed", logging.WARNING, email=email, known_account=False)
    else:
        event(
            "login.failed",
            logging.WARNING,
            known_account=True,
            account_id=user.id,
            account_active=user.is_active,
        )
