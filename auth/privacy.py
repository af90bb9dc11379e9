"""Personal data under KVKK (Law no. 6698): the notice version, access, erasure, the record.

Four duties, one module:

* **Consent to the notice.** Each user's accepted notice version is stored; when the
  deployment's ``PRIVACY_NOTICE_VERSION`` moves on, they are asked again (the gate is in
  ``auth/privacy_views.py``).
* **Access (art. 11).** :func:`export_personal_data` gathers everything stored about one
  person, one query per kind, as plain JSON-ready values — never a password digest, a
  TOTP secret, a recovery-code digest or a token.
* **Erasure (art. 7).** :func:`erase_account` removes what identifies the person and keeps
  what the consultation needs: proposals and comments stay with the organisation, votes
  stay counted, the vote log and the audit log keep a bare user id that now points to an
  erased row (see README, "Personal data (KVKK)").
* **Record of processing.** :data:`PROCESSING_ACTIVITIES` is the one description of what
  personal data Ortak keeps, why, on what legal basis, who sees it, for how long and
  where; the organisers' page, its CSV and the README point to it.

``auth`` never imports ``proposals`` (DESIGN §1): what the proposals side holds about a
person is exported and erased by a :class:`PersonalDataHolder` it registers with
:func:`register_holder` (see ``proposals/privacy.py``).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import String, cast, delete, func, or_, select, update

from auth.audit import record
from auth.errors import DomainError
from auth.models import (
    AuditEntry,
    Invitation,
    Notification,
    NotificationMode,
    Organization,
    OutboxMessage,
    OutboxStatus,
    RecoveryCode,
    Role,
    User,
)
from extensions import db

# --- the notice version -------------------------------------------------------------------

# The version of templates/auth/_privacy_notice_*.html. A deployer who changes the notice
# sets PRIVACY_NOTICE_VERSION (at most 20 characters, e.g. "2027-03") and everyone is asked
# again at their next request; no code changes.
DEFAULT_NOTICE_VERSION = "2026-11"


def current_notice_version() -> str:
    """The notice version users must have accepted, from the app's configuration."""
    return str(current_app.config.get("PRIVACY_NOTICE_VERSION") or DEFAULT_NOTICE_VERSION)


def needs_consent(user: User) -> bool:
    """True when ``user`` accepted an older notice (or none) than the current one."""
    return user.consent_version != current_notice_version()


def accept_notice(user: User, now: datetime) -> None:
    """Store the accepted version and its time; audited, as the proof of consent."""
    before = {"consent_version": user.consent_version}
    user.consent_version = current_notice_version()
    user.consented_at = now
    record(user, "user.consent", user, before, {"consent_version": user.consent_version})


# --- configuration ----------------------------------------------------------------------------

# Retention periods in days, overridable by environment variables of the same name. The
# outbox, notifications and audit log are purged by ``flask purge-personal-data``; the
# security log lives outside the database and is rotated by the deployment.
RETENTION_DEFAULTS: dict[str, int] = {
    "RETENTION_AUDIT_LOG_DAYS": 2 * 365,
    "RETENTION_OUTBOX_DAYS": 90,
    "RETENTION_NOTIFICATIONS_DAYS": 365,
    "RETENTION_SECURITY_LOG_DAYS": 365,
    "RETENTION_VOTES_DAYS": 5 * 365,
}


def configure(app: Flask) -> None:
    """Defaults for the notice version and retention periods; tests and deployers override."""
    app.config.setdefault(
        "PRIVACY_NOTICE_VERSION",
        os.environ.get("PRIVACY_NOTICE_VERSION", DEFAULT_NOTICE_VERSION),
    )
    for key, days in RETENTION_DEFAULTS.items():
        app.config.setdefault(key, int(os.environ.get(key, days)))


def retention_days(key: str, config: Mapping[str, Any] | None = None) -> int:
    config = current_app.config if config is None else config
    return int(config.get(key, RETENTION_DEFAULTS[key]))


# --- what a deleted person looks like ------------------------------------------------------

# Stored in users.name after erasure: no language, no person. Pages say "Deleted user" (or
# "Former member" next to content) in the reader's language through the helpers below.
ERASED_NAME = "—"


def erased_email(user_id: int) -> str:
    """A unique address that can never receive mail (RFC 6761 reserves ``.invalid``)."""
    return f"deleted-{user_id}@invalid"


def person_name(user: User | None) -> str:
    """A person as lists of people show them: their name, or "Deleted user" after erasure."""
    if user is None:
        return _("Former member")
    if user.deleted_at is not None:
        return _("Deleted user")
    return user.name


def author_name(user: User | None) -> str:
    """Who wrote or cast something, next to the content: "Former member" once they left."""
    if user is None or user.deleted_at is not None:
        return _("Former member")
    return user.name


# --- holders of personal data outside auth ----------------------------------------------------

Section = list[dict[str, Any]]


@dataclass(frozen=True)
class PersonalDataHolder:
    """A package's part in access and erasure requests.

    ``export(user)`` returns sections (name → rows of JSON-ready values), one query per
    section; ``erase(user, now)`` removes or unlinks what identifies the person, before the
    account row itself is erased (so it may still read ``user.email`` and ``user.name``).
    """

    name: str
    export: Callable[[User], dict[str, Section]]
    erase: Callable[[User, datetime], None]


_HOLDERS_KEY = "ortak.personal_data_holders"


def register_holder(app: Flask, holder: PersonalDataHolder) -> None:
    """Called by a package's ``init_app``; kept per application, so tests stay independent."""
    holders = app.extensions.setdefault(_HOLDERS_KEY, {})
    holders[holder.name] = holder


def holders() -> list[PersonalDataHolder]:
    return list(current_app.extensions.get(_HOLDERS_KEY, {}).values())


# --- access: the export ------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """A stored value as JSON shows it: times in ISO 8601 UTC, enums by value."""
    if isinstance(value, datetime):
        return value.isoformat() + "Z" if value.tzinfo is None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_value(v) for v in value]
    return value


def rows(result: Iterable[Any]) -> Section:
    """Query rows (``select(A.x, B.y.label("y"))``) as dicts of JSON-ready values."""
    return [{key: json_value(value) for key, value in row._mapping.items()} for row in result]


def _profile(user: User) -> dict[str, Any]:
    organization = user.organization
    return json_value(
        {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "organization": {"id": organization.id, "name": organization.name}
            if organization is not None
            else None,
            "locale": user.locale,
            "notification_mode": user.notification_mode,
            "consent_version": user.consent_version,
            "consented_at": user.consented_at,
            "created_at": user.created_at,
            "last_login_at": user.last_login_at,
            "active": user.active,
            # Whether two-factor sign-in is on; the secret itself never leaves the server.
            "two_factor_enabled": user.totp_secret is not None and user.totp_enabled_at is not None,
            "two_factor_enabled_at": user.totp_enabled_at,
        }
    )


def _auth_sections(user: User) -> dict[str, Section]:
    """What the auth package holds about ``user``: one query per section."""
    received = db.session.execute(
        select(
            Invitation.id,
            Invitation.role,
            Organization.name.label("organization"),
            Invitation.created_at,
            Invitation.expires_at,
            Invitation.accepted_at,
            Invitation.revoked_at,
        )
        .outerjoin(Organization, Organization.id == Invitation.organization_id)
        .where(or_(Invitation.email == user.email, Invitation.accepted_user_id == user.id))
        .order_by(Invitation.id)
    )
    sent = db.session.execute(
        select(
            Invitation.id,
            Invitation.email,
            Invitation.role,
            Organization.name.label("organization"),
            Invitation.created_at,
            Invitation.accepted_at,
            Invitation.revoked_at,
        )
        .outerjoin(Organization, Organization.id == Invitation.organization_id)
        .where(Invitation.invited_by_id == user.id)
        .order_by(Invitation.id)
    )
    notifications = db.session.execute(
        select(
            Notification.id,
            Notification.kind,
            Notification.params,
            Notification.link,
            Notification.created_at,
            Notification.read_at,
            Notification.mailed_at,
        )
        .where(Notification.user_id == user.id)
        .order_by(Notification.id)
    )
    # Subjects and states only: the bodies carry links with tokens (invitations, resets).
    mails = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.subject,
            OutboxMessage.created_at,
            OutboxMessage.status,
            OutboxMessage.sent_at,
        )
        .where(OutboxMessage.to_address == user.email)
        .order_by(OutboxMessage.id)
    )
    audit = db.session.execute(
        select(
            AuditEntry.id,
            AuditEntry.created_at,
            AuditEntry.action,
            AuditEntry.target_type,
            AuditEntry.target_id,
            AuditEntry.before,
            AuditEntry.after,
        )
        .where(AuditEntry.actor_id == user.id)
        .order_by(AuditEntry.id)
    )
    return {
        "invitations_received": rows(received),
        "invitations_sent": rows(sent),
        "notifications": rows(notifications),
        "mails": rows(mails),
        "audit_entries": rows(audit),
    }


def export_personal_data(user: User, now: datetime) -> dict[str, Any]:
    """Everything stored about ``user``, for their download (KVKK art. 11)."""
    unused_codes = db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )
    data: dict[str, Any] = {
        "generated_at": json_value(now),
        "notice_version": current_notice_version(),
        "profile": {**_profile(user), "unused_recovery_codes": unused_codes or 0},
        **_auth_sections(user),
    }
    for holder in holders():
        data.update(holder.export(user))
    return data


def export_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


# --- erasure ---------------------------------------------------------------------------


def erasure_blocker(user: User) -> str | None:
    """Why ``user`` may not delete their account now, or None.

    The last organiser may not leave: nobody could invite, manage people or run campaigns.
    """
    if user.role != Role.organizer:
        return None
    others = db.session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.organizer,
            User.active,
            User.deleted_at.is_(None),
            User.id != user.id,
        )
    )
    if others:
        return None
    return _(
        "You are the only organiser. Invite another organiser first, so that someone can "
        "still run the platform, then delete your account."
    )


def _redact(value: Any, needles: set[str]) -> Any:
    if isinstance(value, str):
        return ERASED_NAME if value in needles else value
    if isinstance(value, dict):
        return {k: _redact(v, needles) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, needles) for v in value]
    return value


def _scrub_json_column(column: Any, owner: Any, needles: set[str]) -> None:
    """Replace the person's name or address inside JSON values that mention them.

    JSON is stored as text on SQLite and PostgreSQL (type ``json``, not ``jsonb``) as Python's
    json module wrote it, so the candidates are found with LIKE on the same encoding.
    """
    patterns = [json.dumps(needle) for needle in needles if needle]
    if not patterns:
        return
    found = db.session.scalars(
        select(owner).where(
            or_(*(cast(column, String).contains(p, autoescape=True) for p in patterns))
        )
    ).all()
    for item in found:
        key = column.key
        setattr(item, key, _redact(getattr(item, key), needles))


def erase_account(user: User, password: str, now: datetime) -> None:
    """Erase ``user``'s personal data at their request; keep what the consultation needs.

    Gone: name, email, password, second factor, notifications, their mails' addresses and
    bodies (pending ones are cancelled), the address on their invitations, their name or
    address inside audit and notification values. Kept: the account row (so that votes,
    the vote log and the audit log keep pointing somewhere), now anonymous; the
    organisation's proposals, comments and votes. Sessions end at once.
    """
    if user.deleted_at is not None:
        raise DomainError(_l("This account has already been deleted."))
    if not password or not user.check_password(password):
        raise DomainError(_l("Your password is not right."), "password")
    blocker = erasure_blocker(user)
    if blocker:
        raise DomainError(blocker)
    email, name = user.email, user.name

    for holder in holders():
        holder.erase(user, now)

    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.to_address == email, OutboxMessage.status == OutboxStatus.pending)
        .values(status=OutboxStatus.failed, last_error="cancelled: the account was deleted")
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.to_address == email)
        .values(to_address="", body_text="", body_html="")
    )
    invitation_ids = db.session.scalars(
        select(Invitation.id).where(
            or_(Invitation.email == email, Invitation.accepted_user_id == user.id)
        )
    ).all()
    if invitation_ids:
        # An open invitation to the address could otherwise be re-sent to nobody.
        db.session.execute(
            update(Invitation)
            .where(
                Invitation.id.in_(invitation_ids),
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        db.session.execute(
            update(Invitation).where(Invitation.id.in_(invitation_ids)).values(email="")
        )
    # Entries about them or their invitations may carry the address (invitation.create).
    db.session.flush()
    needles = {email, name}
    audit_targets = or_(
        (AuditEntry.target_type == "User") & (AuditEntry.target_id == user.id),
        (AuditEntry.target_type == "Invitation") & AuditEntry.target_id.in_(invitation_ids or [-1]),
    )
    for entry in db.session.scalars(select(AuditEntry).where(audit_targets)).all():
        entry.before = _redact(entry.before, needles)
        entry.after = _redact(entry.after, needles)
    # Others' notifications name a staff member who spoke (an organisation otherwise).
    _scrub_json_column(Notification.params, Notification, {name})

    user.name = ERASED_NAME
    user.email = erased_email(user.id)
    user.set_password(secrets.token_urlsafe(32))  # unknown to anyone: unusable
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.last_login_at = None
    user.notification_mode = NotificationMode.off
    user.active = False
    user.deleted_at = now
    user.end_all_sessions()
    record(user, "user.erase", user, after={"deleted_at": now})
    db.session.flush()


# --- retention -------------------------------------------------------------------------


@dataclass
class PurgeReport:
    mails: int = 0
    notifications: int = 0
    audit_entries: int = 0


def purge_expired(now: datetime, config: Mapping[str, Any] | None = None) -> PurgeReport:
    """Delete what has outlived its retention period (mails still to send are kept)."""
    config = current_app.config if config is None else config

    def before(key: str) -> datetime:
        return now - timedelta(days=retention_days(key, config))

    report = PurgeReport()
    report.mails = db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status != OutboxStatus.pending,
            OutboxMessage.created_at < before("RETENTION_OUTBOX_DAYS"),
        )
    ).rowcount
    report.notifications = db.session.execute(
        delete(Notification).where(Notification.created_at < before("RETENTION_NOTIFICATIONS_DAYS"))
    ).rowcount
    report.audit_entries = db.session.execute(
        delete(AuditEntry).where(AuditEntry.created_at < before("RETENTION_AUDIT_LOG_DAYS"))
    ).rowcount
    return report


# --- the record of processing ------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessingActivity:
    """One category of personal data, described as KVKK's record (VERBİS) asks.

    ``retention_key`` names a configured number of days, which fills ``%(period)s`` in
    ``retention``; without one, ``retention`` says in words how long the data lives.
    """

    key: str
    category: Any
    data: Any
    purpose: Any
    legal_basis: Any
    recipients: Any
    retention: Any
    storage: Any
    retention_key: str | None = None
    # Other configured values ``retention`` names, e.g. the session limits.
    retention_values: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None


PROCESSING_ACTIVITIES: tuple[ProcessingActivity, ...] = (
    ProcessingActivity(
        key="accounts",
        category=_l("Account data"),
        data=_l(
            "Name, email address, role, language and notification preferences, the accepted "
            "notice version and its time, sign-up and last sign-in times; a one-way digest "
            "of the password; the two-factor secret and digests of recovery codes."
        ),
        purpose=_l("Signing in, telling people about the consultation, keeping accounts safe."),
        legal_basis=_l(
            "KVKK art. 5/2-e (establishing the right to take part) and 5/2-f (legitimate "
            "interest in a secure platform); art. 5/2-ç for security measures (art. 12)."
        ),
        recipients=_l(
            "The person; organisers (People page). Other participants see the name only. "
            "Never published."
        ),
        retention=_l("While the account is open; erased at once when its owner deletes it."),
        storage=_l("Database: users, recovery_codes."),
    ),
    ProcessingActivity(
        key="invitations",
        category=_l("Invitations"),
        data=_l("Email address of the person invited, role, organisation, who invited and when."),
        purpose=_l("Only invited people may join; an invitation is single-use and expires."),
        legal_basis=_l("KVKK art. 5/2-f (legitimate interest)."),
        recipients=_l("Organisers (Invitations page); the person invited, by mail."),
        retention=_l(
            "As long as the account it created; the address is blanked when that account "
            "is deleted."
        ),
        storage=_l("Database: invitations."),
    ),
    ProcessingActivity(
        key="representatives",
        category=_l("Organisation representatives"),
        data=_l("Which person speaks for which organisation."),
        purpose=_l("Votes, proposals and comments belong to the organisation a person represents."),
        legal_basis=_l("KVKK art. 5/2-e."),
        recipients=_l(
            "Signed-in participants (members of an organisation); the public sees "
            "organisations only."
        ),
        retention=_l("While the account is open."),
        storage=_l("Database: users, organizations."),
    ),
    ProcessingActivity(
        key="contributions",
        category=_l("Proposals and comments"),
        data=_l(
            "Texts and their versions, who wrote or edited them, reports sent to the "
            "moderators; any personal data a writer chose to include."
        ),
        purpose=_l("The consultation itself: proposals are discussed, moderated and voted on."),
        legal_basis=_l(
            "KVKK art. 5/2-e; explicit consent (art. 5/1) for personal data a writer chose to "
            "publish in a text."
        ),
        recipients=_l(
            "Public campaigns: everyone, under the organisation's name; members-only "
            "campaigns: signed-in participants; drafts: the organisation; reports: moderators."
        ),
        retention=_l(
            "With the campaign, as the public record of the consultation; the author's link "
            "is removed when their account is deleted."
        ),
        storage=_l("Database: proposals, proposal_versions, comments, reports, partnerships."),
    ),
    ProcessingActivity(
        key="votes",
        category=_l("Votes (organisation-level)"),
        data=_l(
            "Each organisation's ballot and votes, the representative who cast each vote and "
            "when; the append-only vote log (organisation, proposal, change, time, user id)."
        ),
        purpose=_l("Counting votes correctly and auditably (flask audit-votes)."),
        legal_basis=_l("KVKK art. 5/2-e and 5/2-f (an auditable count of public decisions)."),
        recipients=_l(
            "The organisation's own representatives; organisers see ballots only when the "
            "campaign's ballots are open; totals follow the campaign's results setting."
        ),
        retention=_l("%(period)s after the campaign closes, for its audit."),
        retention_key="RETENTION_VOTES_DAYS",
        storage=_l("Database: ballots, votes, vote_log."),
    ),
    ProcessingActivity(
        key="notifications",
        category=_l("Notifications"),
        data=_l("What happened to proposals a person's organisation takes part in; read times."),
        purpose=_l("Telling participants about comments, partnerships and changes."),
        legal_basis=_l("KVKK art. 5/2-f (legitimate interest)."),
        recipients=_l("The person only."),
        retention=_l("%(period)s after they were created."),
        retention_key="RETENTION_NOTIFICATIONS_DAYS",
        storage=_l("Database: notifications."),
    ),
    ProcessingActivity(
        key="mail",
        category=_l("Mail outbox"),
        data=_l("Address, subject and text of each mail, delivery attempts."),
        purpose=_l("Delivering invitations, password resets, notifications and reminders."),
        legal_basis=_l("KVKK art. 5/2-f (legitimate interest)."),
        recipients=_l("The recipient; the mail server; server administrators."),
        retention=_l(
            "%(period)s after they were written (mails not yet sent are kept until sent)."
        ),
        retention_key="RETENTION_OUTBOX_DAYS",
        storage=_l("Database: outbox_messages; the configured SMTP server."),
    ),
    ProcessingActivity(
        key="audit",
        category=_l("Audit log"),
        data=_l(
            "Who changed what (moderation, campaigns, invitations, people), with the values "
            "before and after."
        ),
        purpose=_l("Accountability of moderators and organisers."),
        legal_basis=_l("KVKK art. 5/2-f (legitimate interest) and 5/2-ç (art. 12 security)."),
        recipients=_l("Organisers."),
        retention=_l("%(period)s after each entry is written."),
        retention_key="RETENTION_AUDIT_LOG_DAYS",
        storage=_l("Database: audit_entries."),
    ),
    ProcessingActivity(
        key="security_log",
        category=_l("Security log"),
        data=_l(
            "Failed sign-ins, lock-outs, refused requests, role changes and exports: time, "
            "user id, IP address, path; email addresses only as keyed digests. Never "
            "passwords or tokens."
        ),
        purpose=_l("Detecting and investigating attacks."),
        legal_basis=_l("KVKK art. 5/2-ç (security measures required by art. 12) and 5/2-f."),
        recipients=_l("Server administrators."),
        retention=_l("%(period)s, then removed by the server's log rotation."),
        retention_key="RETENTION_SECURITY_LOG_DAYS",
        storage=_l("Server log (JSON lines on the service journal or SECURITY_LOG_FILE)."),
    ),
    ProcessingActivity(
        key="sessions",
        category=_l("Session cookies"),
        data=_l(
            "A signed cookie with the account id, the session's start and last activity, the "
            "chosen language and the form token."
        ),
        purpose=_l("Keeping a person signed in; protecting forms against forgery."),
        legal_basis=_l("KVKK art. 5/2-f; strictly necessary, no tracking."),
        recipients=_l("The person's browser; the server checks the signature."),
        retention=_l(
            "Until sign-out, %(minutes)d minutes without activity, or %(hours)d hours at most; "
            "the language choice until the browser is closed."
        ),
        retention_values=lambda config: {
            "minutes": config.get("SESSION_IDLE_MINUTES") or 30,
            "hours": config.get("SESSION_MAX_HOURS") or 12,
        },
        storage=_l("The browser (nothing is stored on the server)."),
    ),
)


@dataclass(frozen=True)
class ProcessingRow:
    """One activity in the reader's language, with its configured retention spelled out."""

    key: str
    category: str
    data: str
    purpose: str
    legal_basis: str
    recipients: str
    retention: str
    storage: str


COLUMNS: tuple[tuple[str, Any], ...] = (
    ("category", _l("Category")),
    ("data", _l("Personal data")),
    ("purpose", _l("Purpose")),
    ("legal_basis", _l("Legal basis")),
    ("recipients", _l("Who can see it")),
    ("retention", _l("Retention")),
    ("storage", _l("Where it is stored")),
)


def _retention_text(activity: ProcessingActivity, config: Mapping[str, Any]) -> str:
    if activity.retention_values is not None:
        return str(activity.retention) % activity.retention_values(config)
    if activity.retention_key is None:
        return str(activity.retention)
    days = retention_days(activity.retention_key, config)
    period = ngettext("%(num)d day", "%(num)d days", days)
    return str(activity.retention) % {"period": period}


def record_of_processing(config: Mapping[str, Any] | None = None) -> list[ProcessingRow]:
    """The record in the current language, retention periods from the configuration."""
    config = current_app.config if config is None else config
    return [
        ProcessingRow(
            key=a.key,
            category=str(a.category),
            data=str(a.data),
            purpose=str(a.purpose),
            legal_basis=str(a.legal_basis),
            recipients=str(a.recipients),
            retention=_retention_text(a, config),
            storage=str(a.storage),
        )
        for a in PROCESSING_ACTIVITIES
    ]
