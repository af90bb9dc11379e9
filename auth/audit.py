"""The audit log: who did what to which object, with the values before and after."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from auth.models import AuditEntry, User
from extensions import db


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of ``obj`` as JSON-ready values, for a before/after pair."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    actor: User | None,
    action: str,
    target: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry; entries are never updated or deleted."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        target_type=type(target).__name__,
        target_id=getattr(target, "id", None),
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    db.session.add(entry)
    return entry
