"""The mail outbox (auth/mail.py): mail rendered in the recipient's language, delivery with
retries and back-off, the ``send-mail`` command, and SMTP against a small local server."""

from __future__ import annotations

import logging
import smtplib
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import SimpleNamespace
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from auth.accounts import request_password_reset
from auth.invitations import invite
from auth.mail import (
    FIRST_RETRY,
    LONGEST_RETRY,
    MAX_ATTEMPTS,
    LogTransport,
    SMTPTransport,
    deliver_pending,
    queue_mail,
    retry_delay,
    transport_from_config,
)
from auth.models import OutboxMessage, OutboxStatus, Role, utcnow
from extensions import db
from tests.conftest import outbox_link
from tests.people_helpers import (
    isolated_requests,  # noqa: F401 - autouse fixture
    tr,
)

SUBJECT = "You are invited to Ortak"


def queue(to: str, **overrides: Any) -> OutboxMessage:
    """A password-reset mail (a real template) to ``to``, committed."""
    values: dict[str, Any] = {
        "locale": "en",
        "kind": "password_reset",
        "subject": "Resetting your Ortak password",
        "template": "password_reset",
        "user": SimpleNamespace(name="Ayşe Yılmaz"),
        "link": "http://localhost/password/reset/abc",
        "minutes": 60,
    }
    values.update(overrides)
    message = queue_mail(to, **values)
    db.session.commit()
    return message


@dataclass
class RecordingTransport:
    sent: list[str] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)

    def send(self, message: OutboxMessage) -> None:
        if message.to_address in self.failing:
            raise ConnectionRefusedError(111, "Connection refused")
        self.sent.append(message.to_address)


def reload(message: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


# --- writing mail -------------------------------------------------------------------


def test_invitation_mail_is_written_in_the_invitees_language(organizer, org_a, clock):
    with force_locale("en"):  # the organiser's page is in English …
        invitation = invite(
            organizer,
            email="zeynep@ornek.example",
            role=Role.participant,
            organization=org_a,
            now=clock.now,
            locale="tr",  # … the invitee reads Turkish
        )
    db.session.commit()
    [message] = db.session.scalars(select(OutboxMessage))
    assert message.to_address == "zeynep@ornek.example"
    assert (message.locale, message.kind) == ("tr", "invitation")
    assert (message.status, message.attempts) == (OutboxStatus.pending, 0)
    assert message.body_html.startswith('<!doctype html>\n<html lang="tr">')
    link = f"http://localhost{outbox_link(message.body_text)}"
    assert f'<a href="{link}">' in message.body_html
    assert org_a.name in message.body_text
    assert message.subject == tr(SUBJECT)
    assert tr("Hello,") in message.body_text
    assert invitation.locale == "tr"


def test_turkish_mail_is_in_turkish(organizer, org_a, clock):
    """Needs the compiled Turkish catalogue (translations/tr)."""
    if tr(SUBJECT) == SUBJECT:
        pytest.skip("the Turkish catalogue has no translation of the invitation mail yet")
    with force_locale("en"):
        invite(organizer, email="tr@ornek.example", role=Role.moderator, now=clock.now, locale="tr")
        invite(organizer, email="en@ornek.example", role=Role.moderator, now=clock.now, locale="en")
    db.session.commit()
    turkish, english = (
        db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == address))
        for address in ("tr@ornek.example", "en@ornek.example")
    )
    assert turkish.subject == tr(SUBJECT) != SUBJECT
    assert english.subject == SUBJECT
    assert "Merhaba" in turkish.body_text
    assert "Hello," not in turkish.body_text
    assert "Hello," in english.body_text
    assert "Merhaba" not in english.body_text


def test_english_mail_while_the_page_is_turkish(organizer, clock):
    with force_locale("tr"):
        invite(organizer, email="en@ornek.example", role=Role.organizer, now=clock.now, locale="en")
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage))
    assert message.subject == SUBJECT
    assert message.body_html.startswith('<!doctype html>\n<html lang="en">')
    assert "invites you to Ortak as an organiser." in message.body_text


def test_mail_is_written_only_when_its_cause_is_committed(organizer, clock):
    invite(organizer, email="geri@ornek.example", role=Role.moderator, now=clock.now)
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


# --- delivering ---------------------------------------------------------------------


def test_deliver_sends_pending_mail_and_marks_it_sent():
    first, second = queue("bir@ornek.example"), queue("iki@ornek.example")
    transport = RecordingTransport()
    now = utcnow()
    report = deliver_pending(transport, now)
    assert transport.sent == ["bir@ornek.example", "iki@ornek.example"]
    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    for message in (reload(first), reload(second)):
        assert message.status == OutboxStatus.sent
        assert message.sent_at == now
        assert message.attempts == 1
    # Nothing is sent twice.
    assert deliver_pending(transport, now + timedelta(hours=1)).sent == 0
    assert len(transport.sent) == 2


def test_failed_delivery_stays_pending_with_back_off():
    message = queue("bir@ornek.example")
    body = message.body_text
    transport = RecordingTransport(failing={"bir@ornek.example"})
    now = utcnow()

    report = deliver_pending(transport, now)
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    message = reload(message)
    assert message.status == OutboxStatus.pending
    assert message.attempts == 1
    assert message.last_error.startswith("ConnectionRefusedError:")
    assert "Connection refused" in message.last_error
    assert message.next_attempt_at == now + FIRST_RETRY
    assert message.body_text == body  # nothing lost

    # Not due again before the back-off is over …
    assert deliver_pending(transport, now + FIRST_RETRY - timedelta(seconds=1)).retried == 0
    assert reload(message).attempts == 1
    # … then tried again, and the wait doubles.
    later = now + FIRST_RETRY
    assert deliver_pending(transport, later).retried == 1
    message = reload(message)
    assert message.attempts == 2
    assert message.next_attempt_at == later + 2 * FIRST_RETRY

    # Once the server is back, it goes.
    transport.failing.clear()
    assert deliver_pending(transport, message.next_attempt_at).sent == 1
    assert reload(message).status == OutboxStatus.sent
    assert transport.sent == ["bir@ornek.example"]


def test_delivery_gives_up_after_max_attempts():
    message = queue("bir@ornek.example")
    transport = RecordingTransport(failing={"bir@ornek.example"})
    now = utcnow()
    reports = []
    for _ in range(MAX_ATTEMPTS):
        reports.append(deliver_pending(transport, now))
        now = reload(message).next_attempt_at
    assert [r.retried for r in reports] == [1] * (MAX_ATTEMPTS - 1) + [0]
    assert reports[-1].failed == 1
    message = reload(message)
    assert message.status == OutboxStatus.failed
    assert message.attempts == MAX_ATTEMPTS
    assert message.last_error.startswith("ConnectionRefusedError:")
    assert message.body_text  # kept, so it can be re-queued
    transport.failing.clear()
    assert deliver_pending(transport, now + timedelta(days=1)).sent == 0
    assert transport.sent == []


def test_one_failing_address_does_not_hold_up_the_others():
    bad, good = queue("kotu@ornek.example"), queue("iyi@ornek.example")
    transport = RecordingTransport(failing={"kotu@ornek.example"})
    report = deliver_pending(transport, utcnow())
    assert (report.sent, report.retried) == (1, 1)
    assert reload(bad).status == OutboxStatus.pending
    assert reload(good).status == OutboxStatus.sent


def test_mail_not_yet_due_is_not_sent():
    now = utcnow()
    message = queue("bir@ornek.example")
    message.next_attempt_at = now + timedelta(minutes=5)
    db.session.commit()
    transport = RecordingTransport()
    assert deliver_pending(transport, now).sent == 0
    assert transport.sent == []
    assert reload(message).attempts == 0
    assert deliver_pending(transport, now + timedelta(minutes=5)).sent == 1


def test_limit_caps_one_run():
    for n in range(3):
        queue(f"kisi{n}@ornek.example")
    transport = RecordingTransport()
    assert deliver_pending(transport, utcnow(), limit=2).sent == 2
    assert deliver_pending(transport, utcnow(), limit=2).sent == 1
    assert transport.sent == [f"kisi{n}@ornek.example" for n in range(3)]


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [
        (1, timedelta(minutes=1)),
        (2, timedelta(minutes=2)),
        (3, timedelta(minutes=4)),
        (7, timedelta(minutes=64)),
        (10, timedelta(minutes=512)),  # would be 8.5 hours …
        (30, LONGEST_RETRY),  # … never more than six
    ],
)
def test_retry_delay(attempts, delay):
    assert retry_delay(attempts) == min(delay, LONGEST_RETRY)


# --- the send-mail command ----------------------------------------------------------


def test_send_mail_command_logs_mail_without_a_server(app, organizer, clock, caplog):
    invite(organizer, email="zeynep@ornek.example", role=Role.moderator, now=clock.now)
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage))
    link = f"http://localhost{outbox_link(message.body_text)}"

    assert isinstance(transport_from_config(), LogTransport)
    with caplog.at_level(logging.WARNING, logger="ortak.mail"):
        result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "sent 1, will retry 0, failed 0" in result.output
    logged = caplog.text
    assert "to=zeynep@ornek.example" in logged
    assert f"subject={message.subject}" in logged
    assert link in logged
    assert reload(message).status == OutboxStatus.sent


def test_send_mail_command_retries_when_the_server_is_down(app):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    message = queue("bir@ornek.example")
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "sent 0, will retry 1, failed 0" in result.output
    message = reload(message)
    assert (message.status, message.attempts) == (OutboxStatus.pending, 1)
    assert "ConnectionRefusedError" in message.last_error


# --- SMTP ---------------------------------------------------------------------------


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 localhost test SMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender = command.partition(":")[2].strip()
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.partition(":")[2].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.received.append((sender, recipients, bytes(data)))  # type: ignore[attr-defined]
                sender, recipients = "", []
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _transport(server: Any) -> SMTPTransport:
    return SMTPTransport(
        server="127.0.0.1",
        port=server.server_address[1],
        username=None,
        password=None,
        use_tls=False,
        use_ssl=False,
        sender="ortak@izmir.example",
        timeout=5,
    )


def test_smtp_transport_sends_text_and_html(smtp_server, organizer, org_a, clock):
    invite(
        organizer,
        email="zeynep@ornek.example",
        role=Role.participant,
        organization=org_a,
        now=clock.now,
        locale="tr",
    )
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage))

    _transport(smtp_server).send(message)

    [(sender, recipients, data)] = smtp_server.received
    assert sender == "<ortak@izmir.example>"
    assert recipients == ["<zeynep@ornek.example>"]
    mail = message_from_bytes(data, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["From"] == "ortak@izmir.example"
    assert mail["To"] == "zeynep@ornek.example"
    assert mail["Subject"] == message.subject
    assert mail["Content-Language"] == "tr"
    assert mail["Message-ID"].endswith("@izmir.example>")
    assert mail.get_content_type() == "multipart/alternative"
    # On the wire lines end in CRLF.
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = mail.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert text.strip() == message.body_text.strip()
    assert html.strip() == message.body_html.strip()
    assert org_a.name in text  # Turkish letters survive the trip
    assert outbox_link(message.body_text) in text


def test_send_mail_command_delivers_through_smtp(app, smtp_server):
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.server_address[1],
        MAIL_USE_TLS=False,
        MAIL_DEFAULT_SENDER="ortak@izmir.example",
    )
    message = queue("bir@ornek.example")
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert "sent 1, will retry 0, failed 0" in result.output
    [(_, recipients, data)] = smtp_server.received
    assert recipients == ["<bir@ornek.example>"]
    assert message_from_bytes(data, policy=policy.default)["Subject"] == message.subject
    assert reload(message).status == OutboxStatus.sent


class FakeSMTP:
    """Stands in for smtplib.SMTP / SMTP_SSL and records the conversation."""

    instances: list[FakeSMTP] = []

    def __init__(self, host: str, port: int, **kwargs: Any) -> None:
        self.host, self.port, self.kwargs = host, port, kwargs
        self.calls: list[tuple[str, Any]] = []
        self.sent: list[EmailMessage] = []
        FakeSMTP.instances.append(self)

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append(("quit", None))

    def starttls(self, context: Any = None) -> None:
        self.calls.append(("starttls", context))

    def login(self, user: str, password: str) -> None:
        self.calls.append(("login", (user, password)))

    def send_message(self, mail: EmailMessage) -> None:
        self.calls.append(("send_message", mail["To"]))
        self.sent.append(mail)


@pytest.fixture
def fake_smtp(monkeypatch) -> type[FakeSMTP]:
    FakeSMTP.instances = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP)
    return FakeSMTP


def test_smtp_transport_uses_starttls_and_logs_in(app, fake_smtp):
    app.config.update(
        MAIL_SERVER="smtp.izmir.example",
        MAIL_PORT=587,
        MAIL_USERNAME="ortak",
        MAIL_PASSWORD="gizli",
        MAIL_USE_TLS=True,
        MAIL_USE_SSL=False,
        MAIL_DEFAULT_SENDER="ortak@izmir.example",
    )
    message = queue("bir@ornek.example")
    transport = transport_from_config()
    assert isinstance(transport, SMTPTransport)
    transport.send(message)

    [smtp] = fake_smtp.instances
    assert (smtp.host, smtp.port) == ("smtp.izmir.example", 587)
    assert "context" not in smtp.kwargs
    assert [name for name, _ in smtp.calls] == ["starttls", "login", "send_message", "quit"]
    assert smtp.calls[1] == ("login", ("ortak", "gizli"))
    [mail] = smtp.sent
    assert mail["To"] == "bir@ornek.example"
    assert mail["Subject"] == "Resetting your Ortak password"
    assert {part.get_content_type() for part in mail.iter_parts()} == {"text/plain", "text/html"}


def test_smtp_transport_over_ssl(app, fake_smtp):
    app.config.update(
        MAIL_SERVER="smtp.izmir.example",
        MAIL_PORT=465,
        MAIL_USERNAME="",
        MAIL_USE_TLS=True,
        MAIL_USE_SSL=True,
    )
    transport_from_config().send(queue("bir@ornek.example"))
    [smtp] = fake_smtp.instances
    assert smtp.port == 465
    assert "context" in smtp.kwargs
    # Already encrypted: no STARTTLS; no user name configured: no login.
    assert [name for name, _ in smtp.calls] == ["send_message", "quit"]


def test_smtp_errors_are_retried(app, fake_smtp, monkeypatch):
    def refuse(self: FakeSMTP, mail: EmailMessage) -> None:
        raise smtplib.SMTPRecipientsRefused({"bir@ornek.example": (550, b"no such user")})

    monkeypatch.setattr(FakeSMTP, "send_message", refuse)
    app.config.update(MAIL_SERVER="smtp.izmir.example", MAIL_USE_TLS=False)
    message = queue("bir@ornek.example")
    report = deliver_pending(transport_from_config(), utcnow())
    assert report.retried == 1
    message = reload(message)
    assert message.status == OutboxStatus.pending
    assert message.last_error.startswith("SMTPRecipientsRefused:")


# --- links in mail ------------------------------------------------------------------


def test_links_use_public_url_whatever_the_host_header(app, client, rep_a):
    app.config["PUBLIC_URL"] = "https://ortak.izmir.example/"
    response = client.post(
        "/password/forgot",
        data={"email": rep_a.email},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 303
    message = db.session.scalar(select(OutboxMessage))
    assert "evil.example" not in message.body_text
    assert "https://ortak.izmir.example/password/reset/" in message.body_text


def test_reset_mail_in_the_users_language(make_user):
    english = make_user(email="en@ornek.example", name="Jane Doe", locale="en")
    request_password_reset(english.email)
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage))
    assert message.locale == "en"
    assert message.subject == "Resetting your Ortak password"
    assert "Hello Jane Doe," in message.body_text
    assert "valid for 60 minutes" in message.body_text
