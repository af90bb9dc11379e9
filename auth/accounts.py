"""Signing in, password resets and changes."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from auth import security_log
from auth.audit import record, snapshot
from auth.errors import DomainError
from auth.invitations import normalise_email
from auth.mail import external_url, queue_mail
from auth.models import Organization, User
from auth.passwords import password_problem, verify_nothing
from extensions import db

RESET_MAX_AGE_SECONDS = 60 * 60


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str, now: datetime) -> User:
    """The user these credentials belong to; one message for every wrong guess."""
    user = user_by_email(email)
    if user is None:
        # A wrong address costs as long as a wrong password: the timing tells nothing.
        verify_nothing(password)
        raise DomainError(_l("The email address or the password is not right."))
    if not user.check_password(password):
        raise DomainError(_l("The email address or the password is not right."))
    if not user.is_active:
        raise DomainError(
            _l("This account has been deactivated. Please contact the organisers if unexpected.")
        )
    if user.password_needs_rehash():
        # The only moment the password is known: move it to argon2id with today's parameters.
        user.set_password(password)
    user.last_login_at = now
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user: User) -> str:
    # Changes with the password, so a token works once; reveals nothing of the hash.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active account; silent otherwise."""
    user = user_by_email(email)
    if user is None or not user.is_active:
        return
    token = _serializer().dumps({"u": user.id, "f": _fingerprint(user)})
    queue_mail(
        user.email,
        locale=user.locale,
        kind="password_reset",
        subject=_l("Resetting your Ortak password"),
        template="password_reset",
        user=user,
        link=external_url("auth.reset_password", token=token),
        minutes=RESET_MAX_AGE_SECONDS // 60,
    )


def user_for_reset_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=RESET_MAX_AGE_SECONDS)
    except SignatureExpired as error:
        raise DomainError(_l("This reset link has expired. Ask for a new one below.")) from error
    except BadSignature as error:
        raise DomainError(_l("This reset link is not valid. Ask for a new one below.")) from error
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or data.get("f") != _fingerprint(user) or not user.is_active:
        raise DomainError(
            _l("This reset link has already been used or is no longer valid. Ask for a new one.")
        )
    return user


def set_new_password(user: User, password: str) -> None:
    """Set the password and end every other session of this user."""
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise DomainError(problem, "password")
    user.set_password(password)
    user.end_all_sessions()
    record(user, "user.password_change", user)


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise DomainError(_l("Your current password is not right."), "current_password")
    set_new_password(user, new)


def end_sessions(user: User, actor: User) -> None:
    """Sign ``user`` out on every device at once (a lost laptop, a shared computer): the
    epoch in each session's id no longer matches. Audited, whoever asks."""
    before = user.session_epoch
    user.end_all_sessions()
    record(actor, "user.end_sessions", user, {"session_epoch": before},
           {"session_epoch": user.session_epoch})  # fmt: skip


def set_active(user: User, active: bool, actor: User) -> None:
    """Deactivate or reactivate an account; deactivation ends its sessions, content stays."""
    before = user.active
    user.active = active
    if not active:
        user.end_all_sessions()
    action = "user.activate" if active else "user.deactivate"
    record(actor, action, user, {"active": before}, {"active": active})
    security_log.event(action, actor_id=actor.id, account_id=user.id, role=user.role.value)


def set_organization_active(organization: Organization, active: bool, actor: User) -> None:
    """Deactivating an organisation signs its members out; its content stays attributed."""
    before = organization.active
    organization.active = active
    if not active:
        for member in organization.members:
            member.end_all_sessions()
    action = "organization.activate" if active else "organization.deactivate"
    record(actor, action, organization, {"active": before}, {"active": active})
    security_log.event(action, actor_id=actor.id, organization_id=organization.id)


def update_organization(
    organization: Organization, actor: User, *, name: str, description: str, website: str
) -> None:
    fields = ("name", "description", "website")
    before = snapshot(organization, fields)
    organization.rename(name)
    organization.description = description
    organization.website = website
    record(actor, "organization.update", organization, before, snapshot(organization, fields))
