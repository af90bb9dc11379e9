"""Roles and what each may do: the one place the application answers "may this person…".

Views guard themselves with :func:`permission_required`; templates ask
:func:`can`. Object-level rules (e.g. "a member of this organisation") live
in the models' ``can_<verb>`` predicates and build on these.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from auth.models import Role, User
from extensions import login_manager


class Permission(enum.StrEnum):
    participate = "participate"  # propose, comment, vote for one's organisation
    moderate = "moderate"  # themes, reports, status decisions
    manage_campaigns = "manage_campaigns"
    invite = "invite"
    manage_people = "manage_people"  # deactivate organisations and members
    view_audit_log = "view_audit_log"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.participant: frozenset({Permission.participate}),
    Role.moderator: frozenset({Permission.participate, Permission.moderate}),
    Role.organizer: frozenset(Permission),
}


def can(user: Any, permission: Permission) -> bool:
    """True when ``user`` (possibly anonymous) holds ``permission``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not isinstance(user, User) or not user.is_active:
        return False
    return permission in ROLE_PERMISSIONS[user.role]


F = TypeVar("F", bound=Callable[..., Any])


def permission_required(permission: Permission) -> Callable[[F], F]:
    """Anonymous visitors go to the login page; the signed-in without the right get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


ROLE_LABELS = {
    Role.participant: _l("Representative of an organisation"),
    Role.moderator: _l("Moderator"),
    Role.organizer: _l("Organiser"),
}


def role_label(role: Role) -> str:
    return str(ROLE_LABELS[role])
