"""Accounts: signing in, sessions that end, password change and reset, rate limits, CSRF,
safe redirects after login, and the ``create-organizer`` command (auth/accounts.py,
auth/views.py, auth/cli.py)."""

from __future__ import annotations

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from auth import accounts
from auth.errors import DomainError
from auth.invitations import CONSENT_VERSION
from auth.models import AuditEntry, OutboxMessage, Role, User
from extensions import db
from tests.conftest import PASSWORD, outbox_link
from tests.people_helpers import (
    field_error,
    flashes,
    html_of,
    input_value,
    isolated_requests,  # noqa: F401 - autouse fixture
    page_text,
    signed_in_name,
    tr,
)

NEW_PASSWORD = "gece yarısı vapur kalkar"
WRONG = "The email address or the password is not right."
DEACTIVATED = "This account has been deactivated. Please contact the organisers if unexpected."
RESET_SENT = (
    "If this address belongs to an account, a mail with a reset link is on its way. "
    "The link is valid for one hour."
)
RESET_USED = "This reset link has already been used or is no longer valid. Ask for a new one."
RESET_EXPIRED = "This reset link has expired. Ask for a new one below."
TOO_EASY = (
    "This password is too easy to guess: it is common, or made of the site's, "
    "the city's or your own name. Choose a longer phrase of unrelated words."
)


def login(client, email: str, password: str = PASSWORD, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def signed_in(client) -> bool:
    """Whether this browser is signed in: the account page opens, or sends to the login page."""
    status = client.get("/account").status_code
    assert status in (200, 302)
    return status == 200


def reset_mails(user: User) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == user.email, OutboxMessage.kind == "password_reset")
            .order_by(OutboxMessage.id)
        )
    )


# --- signing in ---------------------------------------------------------------------


def test_login_success(client, rep_a, clock):
    response = login(client, "AYSE@Karsiyaka.example")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert signed_in_name(html_of(home)) == "Ayşe Yılmaz"
    assert ("success", tr("Welcome, %(name)s.", name="Ayşe Yılmaz")) in flashes(html_of(home))
    db.session.expire_all()
    assert rep_a.last_login_at == clock.now


def test_wrong_password_and_unknown_address_get_the_same_message(app, rep_a):
    wrong_password = login(app.test_client(), rep_a.email, "bu yanlış bir parola")
    unknown = login(app.test_client(), "kimse@ornek.example", "bu yanlış bir parola")
    assert wrong_password.status_code == unknown.status_code == 200
    assert field_error(html_of(wrong_password), "password") == tr(WRONG)
    assert field_error(html_of(unknown), "password") == tr(WRONG)
    # The typed address stays in the form; nothing else tells the two apart.
    assert input_value(html_of(wrong_password), "email") == rep_a.email
    assert signed_in_name(html_of(wrong_password)) is None


def test_deactivated_user_cannot_log_in(client, rep_a, organizer):
    accounts.set_active(rep_a, False, organizer)
    db.session.commit()
    response = login(client, rep_a.email)
    assert response.status_code == 200
    assert field_error(html_of(response), "password") == tr(DEACTIVATED)
    assert not signed_in(client)
    # Without the right password, nothing tells that the account exists or is deactivated.
    guess = login(client, rep_a.email, "bu yanlış bir parola")
    assert field_error(html_of(guess), "password") == tr(WRONG)


def test_member_of_deactivated_organisation_cannot_log_in(client, rep_a, organizer, org_a):
    accounts.set_organization_active(org_a, False, organizer)
    db.session.commit()
    response = login(client, rep_a.email)
    assert field_error(html_of(response), "password") == tr(DEACTIVATED)
    assert not signed_in(client)


def test_reactivated_user_can_log_in_again(client, rep_a, organizer):
    accounts.set_active(rep_a, False, organizer)
    accounts.set_active(rep_a, True, organizer)
    db.session.commit()
    assert login(client, rep_a.email).status_code == 303
    assert [e.action for e in db.session.scalars(select(AuditEntry))] == [
        "user.deactivate",
        "user.activate",
    ]


def test_authenticate_directly(rep_a, clock):
    assert accounts.authenticate(rep_a.email, PASSWORD, clock.now) == rep_a
    for email, password in [(rep_a.email, "yanlış"), ("yok@ornek.example", PASSWORD)]:
        with pytest.raises(DomainError) as refused:
            accounts.authenticate(email, password, clock.now)
        assert refused.value.message == tr(WRONG)
        assert refused.value.field is None


def test_logout(client, rep_a):
    login(client, rep_a.email)
    response = client.post("/logout")
    assert response.status_code == 303
    assert not signed_in(client)


# --- sessions that end --------------------------------------------------------------


def test_deactivating_a_user_ends_their_session(client, rep_a, rep_b, organizer):
    login(client, rep_a.email)
    other = client.application.test_client()
    login(other, rep_b.email)
    assert signed_in(client)

    accounts.set_active(rep_a, False, organizer)
    db.session.commit()

    home = client.get("/")
    assert home.status_code == 200
    assert signed_in_name(html_of(home)) is None
    assert not signed_in(client)
    assert signed_in(other)  # someone else's session goes on


def test_deactivating_through_the_people_page_ends_the_session(app, client, rep_a, organizer):
    login(client, rep_a.email)
    admin = app.test_client()
    login(admin, organizer.email)
    response = admin.post(f"/admin/people/{rep_a.id}/active", data={"active": "0"})
    assert response.status_code == 303
    assert not signed_in(client)
    db.session.expire_all()
    assert not rep_a.active
    # Organisers cannot lock themselves out.
    admin.post(f"/admin/people/{organizer.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert organizer.active
    assert signed_in(admin)


def test_deactivating_an_organisation_ends_its_members_sessions(
    app, rep_a, rep_b, make_user, org_a, organizer
):
    colleague = make_user(organization=org_a, name="Elif Şahin")
    browsers = {}
    for user in (rep_a, colleague, rep_b):
        browsers[user.id] = app.test_client()
        assert login(browsers[user.id], user.email).status_code == 303

    admin = app.test_client()
    login(admin, organizer.email)
    response = admin.post(f"/organizations/{org_a.id}/active", data={"active": "0"})
    assert response.status_code == 303

    assert not signed_in(browsers[rep_a.id])
    assert not signed_in(browsers[colleague.id])
    assert signed_in(browsers[rep_b.id])


def test_password_change_ends_other_sessions(app, rep_a):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, rep_a.email)
    login(elsewhere, rep_a.email)
    assert signed_in(elsewhere)

    response = here.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"

    page = here.get("/account")
    assert page.status_code == 200
    message = tr("Your password has been changed. Other sessions have been signed out.")
    assert ("success", message) in flashes(html_of(page))
    assert not signed_in(elsewhere)

    later = app.test_client()
    assert field_error(html_of(login(later, rep_a.email)), "password") == tr(WRONG)
    assert login(later, rep_a.email, NEW_PASSWORD).status_code == 303


def test_password_change_refusals_are_shown_next_to_their_fields(client, rep_a):
    login(client, rep_a.email)
    wrong_current = client.post(
        "/account/password",
        data={"current_password": "yanlış", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong_current.status_code == 200
    assert field_error(html_of(wrong_current), "current_password") == tr(
        "Your current password is not right."
    )
    weak = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "AyseYilmaz1985",
            "confirm": "AyseYilmaz1985",
        },
    )
    assert weak.status_code == 200
    assert field_error(html_of(weak), "password") == tr(TOO_EASY)
    db.session.expire_all()
    assert rep_a.check_password(PASSWORD)
    assert signed_in(client)


# --- password reset -----------------------------------------------------------------


def test_reset_request_says_the_same_for_unknown_and_known_addresses(app, rep_a):
    unknown = app.test_client().post(
        "/password/forgot", data={"email": "kimse@ornek.example"}, follow_redirects=True
    )
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    known = app.test_client().post(
        "/password/forgot", data={"email": rep_a.email}, follow_redirects=True
    )
    assert flashes(html_of(unknown)) == flashes(html_of(known)) == [("success", tr(RESET_SENT))]
    assert unknown.request.path == known.request.path == "/login"

    [mail] = reset_mails(rep_a)
    assert mail.locale == rep_a.locale
    assert outbox_link(mail.body_text).startswith("/password/reset/")
    assert "Ayşe Yılmaz" in mail.body_text


def test_no_reset_mail_for_a_deactivated_account(client, rep_a, organizer):
    accounts.set_active(rep_a, False, organizer)
    db.session.commit()
    client.post("/password/forgot", data={"email": rep_a.email})
    assert reset_mails(rep_a) == []


def test_reset_link_works_once(app, client, rep_a):
    client.post("/password/forgot", data={"email": rep_a.email})
    link = outbox_link(reset_mails(rep_a)[0].body_text)

    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert login(app.test_client(), rep_a.email, NEW_PASSWORD).status_code == 303

    again = client.get(link)
    assert again.status_code == 303
    assert again.headers["Location"] == "/password/forgot"
    assert ("error", tr(RESET_USED)) in flashes(html_of(client.get("/password/forgot")))
    replay = client.post(
        link, data={"password": "başka bir uzun parola", "confirm": "başka bir uzun parola"}
    )
    assert replay.status_code == 303
    db.session.expire_all()
    assert rep_a.check_password(NEW_PASSWORD)


def test_reset_refuses_a_weak_password_next_to_the_field(client, rep_a):
    client.post("/password/forgot", data={"email": rep_a.email})
    link = outbox_link(reset_mails(rep_a)[0].body_text)
    response = client.post(link, data={"password": "password1234", "confirm": "password1234"})
    assert response.status_code == 200
    assert field_error(html_of(response), "password") == tr(TOO_EASY)
    assert client.get(link).status_code == 200  # the link still works
    db.session.expire_all()
    assert rep_a.check_password(PASSWORD)


@pytest.fixture
def signing_time(monkeypatch):
    """The time itsdangerous believes it is (reset links carry their signing time)."""
    now = {"t": 1_790_000_000}
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now["t"])
    return now


def test_reset_link_expires_after_an_hour(client, rep_a, signing_time):
    client.post("/password/forgot", data={"email": rep_a.email})
    link = outbox_link(reset_mails(rep_a)[0].body_text)
    token = link.removeprefix("/password/reset/")

    signing_time["t"] += 3600
    assert accounts.user_for_reset_token(token) == rep_a
    assert client.get(link).status_code == 200

    signing_time["t"] += 1
    with pytest.raises(DomainError) as refused:
        accounts.user_for_reset_token(token)
    assert refused.value.message == tr(RESET_EXPIRED)
    expired = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert expired.status_code == 303
    assert expired.headers["Location"] == "/password/forgot"
    assert ("error", tr(RESET_EXPIRED)) in flashes(html_of(client.get("/password/forgot")))
    db.session.expire_all()
    assert rep_a.check_password(PASSWORD)


def test_tampered_reset_link_is_refused(rep_a):
    with pytest.raises(DomainError) as refused:
        accounts.user_for_reset_token("eyJ1IjoxfQ.bogus.signature")
    assert refused.value.message == tr("This reset link is not valid. Ask for a new one below.")


def test_reset_ends_every_session(app, rep_a):
    elsewhere = app.test_client()
    login(elsewhere, rep_a.email)
    resetting = app.test_client()
    resetting.post("/password/forgot", data={"email": rep_a.email})
    link = outbox_link(reset_mails(rep_a)[0].body_text)
    resetting.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not signed_in(elsewhere)
    assert not signed_in(resetting)  # the reset does not sign anyone in


# --- rate limits --------------------------------------------------------------------


def test_login_attempts_per_account_are_limited(app, rep_a, rep_b):
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = "3 per minute"
    for attempt in range(3):
        response = login(
            app.test_client(),
            rep_a.email if attempt != 1 else rep_a.email.upper(),  # the same account
            "bu yanlış bir parola",
            environ_base={"REMOTE_ADDR": f"10.0.0.{attempt + 1}"},  # from anywhere
        )
        assert response.status_code == 200
    client = app.test_client()
    refused = login(client, rep_a.email, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    text = page_text(refused)
    assert tr("Too many attempts") in text
    assert tr("For your account's safety, please wait a little before trying again.") in text
    assert not signed_in(client)  # even the right password waits
    # Another account from the same place is not held up.
    assert login(client, rep_b.email, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 303


def test_login_attempts_per_address_are_limited(app, rep_a):
    app.config["RATELIMIT_LOGIN_IP"] = "3 per minute"
    for attempt in range(3):
        response = login(app.test_client(), f"deneme{attempt}@ornek.example", "yanlış parola")
        assert response.status_code == 200
    refused = login(app.test_client(), rep_a.email)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert tr("Too many attempts") in page_text(refused)
    # Another address is not held up; reading the login page is never limited.
    assert app.test_client().get("/login").status_code == 200
    elsewhere = login(app.test_client(), rep_a.email, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert elsewhere.status_code == 303


def test_reset_requests_per_account_are_limited(app, rep_a):
    app.config["RATELIMIT_RESET_ACCOUNT"] = "2 per minute"
    for n, email in enumerate([rep_a.email, rep_a.email.upper()]):
        sent = app.test_client().post(
            "/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": f"10.0.1.{n}"}
        )
        assert sent.status_code == 303
    refused = app.test_client().post(
        "/password/forgot", data={"email": rep_a.email}, environ_base={"REMOTE_ADDR": "10.0.1.9"}
    )
    assert refused.status_code == 429
    assert tr("Too many attempts") in page_text(refused)
    assert len(reset_mails(rep_a)) == 2


# --- CSRF ---------------------------------------------------------------------------


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


FORM_EXPIRED = (
    "This form has expired or was not sent from this site. Go back, reload the "
    "page and send it again: what you typed is still in the form after Back."
)


def test_login_without_csrf_token_is_refused_politely(csrf_app, rep_a):
    client = csrf_app.test_client()
    response = login(client, rep_a.email)
    assert response.status_code == 400
    assert tr(FORM_EXPIRED) in page_text(response)
    assert not signed_in(client)


def test_login_with_a_wrong_csrf_token_is_refused_politely(csrf_app, rep_a):
    client = csrf_app.test_client()
    token = input_value(html_of(client.get("/login")), "csrf_token")
    assert token
    response = client.post(
        "/login",
        data={"email": rep_a.email, "password": PASSWORD, "csrf_token": token[:-4] + "AAAA"},
    )
    assert response.status_code == 400
    assert tr(FORM_EXPIRED) in page_text(response)
    assert not signed_in(client)
    # The token from the page works.
    accepted = client.post(
        "/login", data={"email": rep_a.email, "password": PASSWORD, "csrf_token": token}
    )
    assert accepted.status_code == 303


def test_token_of_another_browser_is_refused(csrf_app, rep_a):
    token = input_value(html_of(csrf_app.test_client().get("/login")), "csrf_token")
    client = csrf_app.test_client()
    client.get("/login")
    response = client.post(
        "/login", data={"email": rep_a.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400


# --- where login leads --------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("https://evil.example/organizations", "/"),
        ("/\\evil.example", "/"),
        ("//evil.example/organizations", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        ("/organizations", "/organizations"),
        ("/organizations?page=2", "/organizations?page=2"),
    ],
)
def test_login_follows_only_local_next(client, rep_a, target, expected):
    response = client.post(
        f"/login?next={target}",
        data={"email": rep_a.email, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_next_from_the_login_required_redirect_is_kept(client, rep_a):
    sent = client.get("/account")
    assert sent.status_code == 302
    page = client.get(sent.headers["Location"])
    assert input_value(html_of(page), "next") == "/account"
    response = client.post(
        sent.headers["Location"],
        data={"email": rep_a.email, "password": PASSWORD, "next": "/account"},
    )
    assert response.headers["Location"] == "/account"


# --- the create-organizer command ---------------------------------------------------


def test_create_organizer(app, client):
    result = app.test_cli_runner().invoke(
        args=[
            "create-organizer",
            "Nur@Ortak.example",
            "--name",
            "Nur Aksoy",
            "--password",
            NEW_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "nur@ortak.example" in result.output
    user = db.session.scalar(select(User).where(User.email == "nur@ortak.example"))
    assert user.role == Role.organizer
    assert user.name == "Nur Aksoy"
    assert user.organization is None
    assert user.consent_version == CONSENT_VERSION
    assert login(client, "nur@ortak.example", NEW_PASSWORD).status_code == 303
    assert client.get("/admin/invitations").status_code == 200


def test_create_organizer_prompts_for_the_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-organizer", "nur@ortak.example"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "nur@ortak.example"))
    assert user.name == "nur"
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kısa parola", "Use at least %(n)d characters."),
        ("password1234", TOO_EASY),
        ("nuraksoy2026!", TOO_EASY),
        ("ORTAKIZMIR2026", TOO_EASY),
    ],
)
def test_create_organizer_refuses_a_weak_password(app, password, message):
    result = app.test_cli_runner().invoke(
        args=[
            "create-organizer",
            "nur@ortak.example",
            "--name",
            "Nur Aksoy",
            "--password",
            password,
        ]
    )
    assert result.exit_code == 1
    assert f"Error: {tr(message, n=12)}" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_organizer_refuses_a_registered_address(app, rep_a):
    result = app.test_cli_runner().invoke(
        args=["create-organizer", rep_a.email.upper(), "--password", NEW_PASSWORD]
    )
    assert result.exit_code != 0
    assert f"{rep_a.email} already has an account." in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert rep_a.role == Role.participant
