"""Request-level helpers shared by every blueprint: the clock, safe redirects, htmx fragments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, render_template
from flask.typing import ResponseReturnValue

from extensions import htmx


def clock() -> datetime:
    """Now, in naive UTC. Tests set ``app.config["CLOCK"]`` to move time without sleeping."""
    override: Callable[[], datetime] | None = current_app.config.get("CLOCK")
    if override is not None:
        return override()
    return datetime.now(UTC).replace(tzinfo=None)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


MAX_PAGE = 100_000


def page_number(value: str | None) -> int:
    """A page number from a query string: a plain positive number, else 1, at most
    MAX_PAGE (``page=10**30`` would overflow the database's integers: a 500)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return 1
    if len(value) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(int(value), 1), MAX_PAGE)


def wants_fragment(target_id: str | None = None) -> bool:
    """True for an htmx request that targets a region (not boosted, not a history restore)."""
    if not htmx or htmx.boosted or htmx.history_restore_request:
        return False
    return target_id is None or htmx.target == target_id


def page_or_fragment(
    page: str, fragment: str, target_id: str, status: int = 200, **context: Any
) -> ResponseReturnValue:
    """Render the whole page, or only the swapped region for a targeted htmx request."""
    template = fragment if wants_fragment(target_id) else page
    response = current_app.make_response((render_template(template, **context), status))
    response.vary.add("HX-Request")
    return response


def attach_error(form: Any, error: Any) -> None:
    """Put a workflow's refusal (a DomainError) next to its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
