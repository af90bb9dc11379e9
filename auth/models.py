"""People and organisations, and the records that must outlive a request: invitations,
the mail outbox and the audit log."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.passwords import hash_password, needs_rehash, verify_password
from extensions import db
from text import fold


def utcnow() -> datetime:
    """Naive UTC, the one form every datetime takes in the database (SQLite keeps no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def hash_token(token: str) -> str:
    """Tokens travel by mail; only their digest is stored, so a database leak opens no door."""
    return hashlib.sha256(token.encode()).hexdigest()


class Role(enum.StrEnum):
    participant = "participant"
    moderator = "moderator"
    organizer = "organizer"


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organization", order_by="User.name")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name_folded = fold(self.name)

    def rename(self, name: str) -> None:
        self.name = name
        self.name_folded = fold(name)

    def can_edit(self, user: Any) -> bool:
        """Its own members keep the page up to date; organisers may correct it."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return user.role == Role.organizer or user.organization_id == self.id

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"


class NotificationMode(enum.StrEnum):
    immediate = "immediate"
    daily = "daily"
    off = "off"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=20, validate_strings=True),
        default=Role.participant,
    )
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="tr")
    notification_mode: Mapped[NotificationMode] = mapped_column(
        db.Enum(NotificationMode, native_enum=False, length=20, validate_strings=True),
        default=NotificationMode.immediate,
        server_default=NotificationMode.immediate.value,
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped whenever every existing session of this user must end (password change,
    # deactivation); it is part of the id Flask-Login keeps in the signed cookie.
    session_epoch: Mapped[int] = mapped_column(default=0)
    consent_version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    # Two-factor authentication (issue 6): the TOTP secret (base32) once confirmed, and
    # the last time step accepted, so a code cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column()
    totp_last_step: Mapped[int | None] = mapped_column()
    # Set when the account was erased at its owner's request (KVKK): personal data gone.
    deleted_at: Mapped[datetime | None] = mapped_column()

    organization: Mapped[Organization | None] = relationship(back_populates="members")

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    def password_needs_rehash(self) -> bool:
        """An older algorithm or weaker parameters: replace it while the password is known."""
        return needs_rehash(self.password_hash)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users at login and load
        return self.active and (self.organization is None or self.organization.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def end_all_sessions(self) -> None:
        self.session_epoch += 1

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class RecoveryCode(db.Model):
    """A single-use second factor for a lost phone; only its hash is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column()


class InvitationState(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    revoked = "revoked"
    expired = "expired"  # derived for display; never stored


INVITATION_LIFETIME = timedelta(days=14)


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=20, validate_strings=True)
    )
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    locale: Mapped[str] = mapped_column(String(5), default="tr")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_count: Mapped[int] = mapped_column(default=1)
    accepted_at: Mapped[datetime | None] = mapped_column()
    accepted_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column()

    organization: Mapped[Organization | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def new_token(self, now: datetime) -> str:
        """Issue a fresh token (the old one stops working) and restart the 14 days."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.expires_at = now + INVITATION_LIFETIME
        return token

    def state(self, now: datetime) -> InvitationState:
        if self.accepted_at is not None:
            return InvitationState.accepted
        if self.revoked_at is not None:
            return InvitationState.revoked
        if now >= self.expires_at:
            return InvitationState.expired
        return InvitationState.pending

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.role}>"


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after the last retry; kept, and can be re-queued


class OutboxMessage(db.Model):
    """A mail written in the same transaction as the action that causes it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[OutboxStatus] = mapped_column(
        db.Enum(OutboxStatus, native_enum=False, length=20, validate_strings=True),
        default=OutboxStatus.pending,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"


class AuditEntry(db.Model):
    """Append-only record of what moderators and organisers did, with before and after."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column()
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_audit_target", "target_type", "target_id"),)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action}>"


class Notification(db.Model):
    """Something a person should know about, shown in-app and mailed per their preference.

    Stored as a kind plus parameters (not rendered text) so that it is shown in the
    reader's current language.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()
    # When it went out by mail (at once or in a digest); None while a digest is due.
    mailed_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind}>"
