"""Invitations: the only way into Ortak.

A token is shown once (in the mail) and stored hashed; it is single-use,
valid for 14 days, can be revoked, and re-sending issues a new token so that
an old forwarded mail stops working.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from auth import security_log
from auth.audit import record
from auth.errors import DomainError
from auth.mail import external_url, queue_mail
from auth.models import Invitation, InvitationState, Organization, Role, User, hash_token
from auth.passwords import password_problem
from auth.privacy import DEFAULT_NOTICE_VERSION, current_notice_version
from extensions import db
from text import fold

# The notice version shipped with the code; the one users must accept is configuration
# (PRIVACY_NOTICE_VERSION, see auth/privacy.py), so a deployer bumps it without a release.
CONSENT_VERSION = DEFAULT_NOTICE_VERSION


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_registered(email: str) -> bool:
    return (
        db.session.scalar(select(func.count(User.id)).where(User.email == normalise_email(email)))
        > 0
    )


def organization_named(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name_folded == fold(name)))


def invite(
    inviter: User,
    *,
    email: str,
    role: Role,
    now: datetime,
    locale: str = "tr",
    organization: Organization | None = None,
    new_organization_name: str | None = None,
) -> Invitation:
    """Invite a representative (of an existing or new organisation), a moderator or organiser."""
    email = normalise_email(email)
    if email_registered(email):
        raise DomainError(_l("Someone with this email address already has an account."), "email")
    pending = db.session.scalars(select(Invitation).where(Invitation.email == email)).all()
    if any(inv.state(now) == InvitationState.pending for inv in pending):
        raise DomainError(
            _l("This address already has a pending invitation; re-send or revoke it instead."),
            "email",
        )
    if role == Role.participant:
        if new_organization_name:
            if organization_named(new_organization_name):
                raise DomainError(
                    _l("An organisation with this name exists already; choose it from the list."),
                    "new_organization",
                )
            # active=True now: the column default only applies at flush, and is checked below.
            organization = Organization(name=new_organization_name.strip(), active=True)
            db.session.add(organization)
            db.session.flush()  # the audit entry names it by id
            record(inviter, "organization.create", organization, after={"name": organization.name})
        if organization is None:
            raise DomainError(
                _l("A representative belongs to an organisation: choose one or name a new one."),
                "organization",
            )
        if not organization.active:
            raise DomainError(_l("This organisation is deactivated."), "organization")
    else:
        organization = None
    invitation = Invitation(
        email=email, role=role, organization=organization, locale=locale, invited_by=inviter
    )
    token = invitation.new_token(now)
    db.session.add(invitation)
    db.session.flush()
    _send(invitation, token)
    record(
        inviter,
        "invitation.create",
        invitation,
        after={"email": email, "role": role, "organization": organization and organization.name},
    )
    return invitation


def resend(invitation: Invitation, actor: User, now: datetime) -> None:
    """New token, new 14 days, new mail; the old link stops working."""
    if invitation.state(now) not in (InvitationState.pending, InvitationState.expired):
        raise DomainError(_l("Only a pending or expired invitation can be re-sent."))
    if email_registered(invitation.email):
        raise DomainError(_l("Someone with this email address already has an account."))
    before = {"sent_count": invitation.sent_count}
    token = invitation.new_token(now)
    invitation.sent_count += 1
    _send(invitation, token)
    record(actor, "invitation.resend", invitation, before, {"sent_count": invitation.sent_count})


def revoke(invitation: Invitation, actor: User, now: datetime) -> None:
    if invitation.state(now) != InvitationState.pending:
        raise DomainError(_l("Only a pending invitation can be revoked."))
    invitation.revoked_at = now
    record(actor, "invitation.revoke", invitation, {"revoked_at": None}, {"revoked_at": now})


def _send(invitation: Invitation, token: str) -> None:
    queue_mail(
        invitation.email,
        locale=invitation.locale,
        kind="invitation",
        subject=_l("You are invited to Ortak"),
        template="invitation",
        invitation=invitation,
        link=external_url("auth.accept_invitation", token=token),
    )


def invitation_for_token(token: str, now: datetime) -> Invitation:
    """The pending invitation behind ``token``, or a DomainError saying plainly why not."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None:
        raise DomainError(
            _l(
                "This invitation link is not valid. It may have been replaced by a newer "
                "invitation: use the link in the most recent mail."
            )
        )
    state = invitation.state(now)
    if state == InvitationState.accepted:
        raise DomainError(_l("This invitation has already been used. Log in instead."))
    if state == InvitationState.revoked:
        raise DomainError(_l("This invitation was withdrawn by the organisers."))
    if state == InvitationState.expired:
        raise DomainError(
            _l("This invitation has expired. Ask the organisers to send you a new one.")
        )
    return invitation


def accept(
    invitation: Invitation,
    *,
    name: str,
    password: str,
    locale: str,
    consent: bool,
    now: datetime,
) -> User:
    """Create the account the invitation promised; the consent and its time are kept."""
    if not consent:
        raise DomainError(
            _l("Please read the data-processing notice and confirm that you agree."), "consent"
        )
    if email_registered(invitation.email):
        raise DomainError(_l("Someone with this email address already has an account."))
    problem = password_problem(password, email=invitation.email, name=name)
    if problem:
        raise DomainError(problem, "password")
    user = User(
        email=invitation.email,
        name=name.strip(),
        role=invitation.role,
        organization=invitation.organization,
        locale=locale,
        consent_version=current_notice_version(),
        consented_at=now,
        created_at=now,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    invitation.accepted_at = now
    invitation.accepted_user_id = user.id
    record(user, "invitation.accept", invitation, after={"user_id": user.id})
    security_log.event("account.created", account_id=user.id, role=user.role.value)
    return user
