"""The mail outbox: written with the action that causes it, delivered later by ``send-mail``.

Writing the mail into the same transaction as the invitation (or the comment,
or the vote) means a mail exists exactly when its cause was committed, and an
SMTP outage delays mail instead of losing it.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import select

from auth.models import OutboxMessage, OutboxStatus, utcnow
from extensions import db

log = logging.getLogger("ortak.mail")

DEVELOPMENT_URL = "http://127.0.0.1:5000"
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


def queue_mail(
    to: str, *, locale: str, kind: str, subject: Any, template: str, **context: Any
) -> OutboxMessage:
    """Render a mail in the recipient's language and add it to the outbox (not committed)."""
    with force_locale(locale):
        message = OutboxMessage(
            to_address=to,
            locale=locale,
            kind=kind,
            subject=str(subject),
            body_text=render_template(f"mail/{template}.txt", **context),
            body_html=render_template(f"mail/{template}.html", **context),
        )
    db.session.add(message)
    return message


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


@dataclass
class LogTransport:
    """Development delivery: the whole mail goes to the log, links included."""

    def send(self, message: OutboxMessage) -> None:
        log.warning(
            "MAIL (no MAIL_SERVER configured) to=%s subject=%s\n%s",
            message.to_address,
            message.subject,
            message.body_text,
        )


@dataclass
class SMTPTransport:
    server: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    use_ssl: bool
    sender: str
    timeout: float = 30.0

    def send(self, message: OutboxMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to_address
        mail["Subject"] = message.subject
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        mail.set_content(message.body_text)
        mail.add_alternative(message.body_html, subtype="html")
        # Only now: set_content() drops every Content-* header set before it.
        mail["Content-Language"] = message.locale
        context = ssl.create_default_context()
        smtp_class = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        kwargs: dict[str, Any] = {"timeout": self.timeout}
        if self.use_ssl:
            kwargs["context"] = context
        with smtp_class(self.server, self.port, **kwargs) as smtp:
            if self.use_tls and not self.use_ssl:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)


def transport_from_config() -> Transport:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return LogTransport()
    return SMTPTransport(
        server=config["MAIL_SERVER"],
        port=int(config.get("MAIL_PORT") or 587),
        username=config.get("MAIL_USERNAME") or None,
        password=config.get("MAIL_PASSWORD") or None,
        use_tls=bool(config.get("MAIL_USE_TLS")),
        use_ssl=bool(config.get("MAIL_USE_SSL")),
        sender=config["MAIL_DEFAULT_SENDER"],
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: 1, 2, 4 … minutes, never more than six hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def deliver_pending(
    transport: Transport, now: datetime | None = None, limit: int = 500
) -> DeliveryReport:
    """Send what is due, one message per transaction.

    Each message is claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite
    serialises writers anyway) and committed on its own, so two workers never
    send the same mail and a crash half-way re-sends nothing already sent.
    """
    now = now or utcnow()
    report = DeliveryReport()
    for _ in range(limit):
        message = db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.pending,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if message is None:
            break
        message.attempts += 1
        try:
            transport.send(message)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.failed
                report.failed += 1
                log.error("mail %s failed for good: %s", message.id, message.last_error)
            else:
                message.next_attempt_at = now + retry_delay(message.attempts)
                report.retried += 1
                log.warning("mail %s will be retried: %s", message.id, message.last_error)
        else:
            message.status = OutboxStatus.sent
            message.sent_at = now
            report.sent += 1
        db.session.commit()
    return report


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for a mail.

    With ``PUBLIC_URL`` set (production) links never depend on the request's
    Host header, so a forged header cannot point a reset mail at another site.
    Without it, a request's own host is used (development), and outside a
    request (CLI, cron) the development server's address.
    """
    public = current_app.config.get("PUBLIC_URL")
    if not public and has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context():
        path = url_for(endpoint, **values)
    return (public or DEVELOPMENT_URL).rstrip("/") + path
