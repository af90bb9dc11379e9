"""Two-factor authentication: a time-based code (TOTP, RFC 6238) from an app on the phone,
and single-use recovery codes for the day the phone is lost.

Why: the platform holds the names and contacts of people who work against violence
against women, and moderators and organisers can see and change much of it; a password
alone (reused, phished, guessed) must not be enough to act as them.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from datetime import UTC, datetime

import pyotp
import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from auth.audit import record
from auth.errors import DomainError
from auth.models import RecoveryCode, Role, User, hash_token
from extensions import db

ISSUER = "Ortak"
STEP_SECONDS = 30  # RFC 6238's time step, what every authenticator app uses
DIGITS = 6
WINDOW = 1  # one step either side: a phone's clock a little off, a code typed slowly
RECOVERY_CODE_COUNT = 10
_RECOVERY_GROUPS = 3  # "k7xq-m2pa-9fzd": 12 base32 characters, 60 bits each


# --- who needs it --------------------------------------------------------------------


def required_roles() -> frozenset[Role]:
    """The roles that may not sign in without a second factor (TWO_FACTOR_REQUIRED_ROLES)."""
    return frozenset(Role(r) for r in current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", ()))


def is_required(user: User) -> bool:
    return user.role in required_roles()


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


# --- the secret and what the phone reads ----------------------------------------------


def new_secret() -> str:
    """160 random bits in base32, the length RFC 4226 recommends."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to read and type: "ABCD EFGH …"."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, user: User) -> str:
    """The otpauth:// address the QR code holds: the app shows "Ortak (email)"."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=ISSUER
    )


def qr_svg(uri: str, label: str) -> Markup:
    """The QR code as inline SVG, drawn here (nothing fetched, no script): dark modules on a
    white ground so that it scans in dark mode too, named for screen readers."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title=label)
    # segno writes the title element; the role makes it an image with that name.
    # segno escapes the title and writes only paths: its own markup, not the visitor's.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704  # nosec B704


# --- codes -----------------------------------------------------------------------------


def time_step(now: datetime) -> int:
    return int(now.replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(step * STEP_SECONDS)


def matching_step(secret: str, code: str, now: datetime, after: int | None = None) -> int | None:
    """The time step whose code ``code`` is (this one or one either side), or None.

    Steps up to ``after`` (the last one accepted) never match again: a code seen over a
    shoulder or caught by a phishing page cannot be used a second time.
    """
    code = re.sub(r"\s+", "", code or "")
    if not re.fullmatch(rf"\d{{{DIGITS}}}", code):
        return None
    current = time_step(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def verify_totp(user: User, code: str, now: datetime) -> bool:
    """Check a code from the user's app and remember its step, so it works once."""
    if not is_enabled(user):
        return False
    step = matching_step(user.totp_secret or "", code, now, after=user.totp_last_step)
    if step is None:
        return False
    # Claimed in one conditional UPDATE: of two requests racing with the same code, one wins.
    claimed = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def _normalise_recovery_code(code: str) -> str:
    return re.sub(r"[\s-]+", "", (code or "").lower())


def _new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()[: 4 * _RECOVERY_GROUPS]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def new_recovery_codes(user: User, now: datetime) -> list[str]:
    """Ten fresh codes; the old ones stop working. Only their hashes are kept, so these
    are shown once and never again."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=hash_token(_normalise_recovery_code(code)),
                     created_at=now)
        for code in codes
    )  # fmt: skip
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str, now: datetime) -> bool:
    """Spend one recovery code; each works once."""
    normal = _normalise_recovery_code(code)
    if not normal:
        return False
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_token(normal),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return spent.rowcount == 1  # type: ignore[attr-defined]


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def verify_second_factor(user: User, code: str, now: datetime) -> str:
    """Accept a code from the app or a recovery code; say which ("totp", "recovery").

    Raises a DomainError (for the ``code`` field) when it is neither."""
    if verify_totp(user, code, now):
        return "totp"
    if use_recovery_code(user, code, now):
        record(user, "user.recovery_code_used", user, after={"left": recovery_codes_left(user)})
        return "recovery"
    raise DomainError(
        _l("This code is not right, or it has already been used. Check the app and try again."),
        "code",
    )


# --- turning it on and off -----------------------------------------------------------------


def enable(user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Switch two-factor on with the secret the user's app now holds, proven by a code
    from it; return the recovery codes to show once."""
    if is_enabled(user):
        raise DomainError(_l("Two-factor authentication is already on for your account."))
    step = matching_step(secret, code, now)
    if step is None:
        raise DomainError(
            _l("This code is not right. Check that the app shows Ortak and type its current "
               "six digits."),
            "code",
        )  # fmt: skip
    user.totp_secret = secret
    user.totp_enabled_at = now
    user.totp_last_step = step
    codes = new_recovery_codes(user, now)
    record(user, "user.two_factor_enable", user)
    return codes


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User) -> None:
    """The user switches it off, which their role must allow."""
    if is_required(user):
        raise DomainError(_l("Your role requires two-factor authentication; it stays on."))
    if not is_enabled(user):
        raise DomainError(_l("Two-factor authentication is not on for your account."))
    _clear(user)
    record(user, "user.two_factor_disable", user)


def reset(user: User, actor: User) -> None:
    """An organiser's help for a lost phone: the second factor is removed and every
    session ends; whoever signs in next sets it up again if the role requires it."""
    before = {"enabled": is_enabled(user)}
    _clear(user)
    user.end_all_sessions()
    record(actor, "user.two_factor_reset", user, before, {"enabled": False})
