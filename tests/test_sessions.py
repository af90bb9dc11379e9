"""Sessions (auth/sessions.py): a fresh session at sign-in, the idle and maximum limits
(with the page's warning script and its keep-alive), and ending every session of a user
at once: logout, "log out on every other device", an organiser's "log out everywhere".

The test configuration switches the limits off (other tests move the clock by days while
signed in); the ``limits`` fixture switches them on as deployed: 30 minutes, 12 hours.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from auth.models import AuditEntry
from extensions import db
from tests.conftest import PASSWORD
from tests.dom import page, parse
from tests.people_helpers import (
    flashes,
    html_of,
    input_value,
    isolated_requests,  # noqa: F401 - autouse fixture
    signed_in_name,
    tr,
)

IDLE_MESSAGE = (
    "You were logged out after %(minutes)d minutes without activity. Please log in again."
)
MAX_MESSAGE = (
    "For your security, sessions end %(hours)d hours after logging in. Please log in again."
)


@pytest.fixture
def limits(app):
    app.config.update(SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=12)


def signed_in(client) -> bool:
    """Opens the account page, which is itself activity for the session."""
    status = client.get("/account").status_code
    assert status in (200, 302)
    return status == 200


def session_script(html: str):
    return parse(html).find("script", id="session-timeout")


# --- a fresh session at sign-in -------------------------------------------------------------


def test_signing_in_starts_a_fresh_session(client, auth, rep_a):
    client.get("/")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"  # e.g. a value fixed in a shared browser
        before["lang"] = "en"
    auth.login(rep_a)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["lang"] == "en"  # the chosen language is kept
        assert after["_user_id"] == f"{rep_a.id}:{rep_a.session_epoch}"
        assert isinstance(after["login_at"], int) and after["login_at"] == after["seen_at"]


def test_the_csrf_token_changes_at_sign_in(app, rep_a):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    before = input_value(html_of(client.get("/login")), "csrf_token")
    response = client.post(
        "/login", data={"email": rep_a.email, "password": PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 303
    after = input_value(html_of(client.get("/account")), "csrf_token")
    assert after and after != before


# --- the idle limit and the maximum ----------------------------------------------------------


def test_an_idle_session_ends_after_thirty_minutes(client, auth, rep_a, clock, limits):
    auth.login(rep_a)
    clock.advance(minutes=29, seconds=59)
    assert signed_in(client)  # and this request was activity: the half hour starts again
    clock.advance(minutes=29, seconds=59)
    assert signed_in(client)
    clock.advance(minutes=30)
    sent = client.get("/account")
    assert sent.status_code == 302 and "/login" in sent.headers["Location"]
    login_page = html_of(client.get(sent.headers["Location"]))
    assert ("info", tr(IDLE_MESSAGE, minutes=30)) in flashes(login_page)
    assert signed_in_name(login_page) is None
    # Signing in again works as ever.
    auth.login(rep_a)
    assert signed_in(client)


def test_a_session_ends_twelve_hours_after_signing_in_however_active(
    client, auth, rep_a, clock, limits
):
    auth.login(rep_a)
    for _ in range(35):  # every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert signed_in(client)
    clock.advance(minutes=20)
    home = client.get("/")
    assert signed_in_name(html_of(home)) is None
    assert ("info", tr(MAX_MESSAGE, hours=12)) in flashes(html_of(home))


def test_limits_follow_the_configuration(app, client, auth, rep_a, clock, limits):
    app.config["SESSION_IDLE_MINUTES"] = 10
    auth.login(rep_a)
    clock.advance(minutes=9)
    assert signed_in(client)
    clock.advance(minutes=10)
    assert not signed_in(client)


def test_a_session_from_before_the_limits_ends(client, auth, rep_a, limits):
    auth.login(rep_a)
    with client.session_transaction() as old:
        del old["login_at"]  # its age cannot be told
    assert not signed_in(client)


def test_keep_alive_counts_as_activity(client, auth, rep_a, clock, limits):
    auth.login(rep_a)
    clock.advance(minutes=25)
    kept = client.post("/session/keep-alive")
    assert kept.status_code == 200
    assert kept.json == {
        "signed_in": True,
        "idle_seconds": 30 * 60,
        "ends_in_seconds": 12 * 3600 - 25 * 60,
    }
    clock.advance(minutes=25)  # 50 minutes after the last page, 25 after the keep-alive
    assert signed_in(client)
    clock.advance(minutes=31)
    ended = client.post("/session/keep-alive")
    assert ended.status_code == 401
    assert ended.json == {"signed_in": False}
    assert not signed_in(client)


def test_the_warning_script_comes_with_the_limits_to_signed_in_pages(
    app, client, auth, rep_a, clock, limits
):
    assert session_script(html_of(client.get("/"))) is None  # visitors: nothing to end
    auth.login(rep_a)
    for _ in range(6):
        clock.advance(minutes=20)
        client.get("/")
    script = session_script(html_of(client.get("/")))
    assert script is not None
    assert script.get("src").split("?")[0] == "/static/session.js" and "defer" in script.attrs
    assert script.get("data-idle-seconds") == "1800"
    assert script.get("data-warning-seconds") == "300"
    assert script.get("data-ends-in-seconds") == str(10 * 3600)
    assert script.get("data-keep-alive-url") == "/session/keep-alive"
    assert script.get("data-login-url") == "/login?next=/"
    assert script.get("data-stay") == tr("Stay logged in")
    assert script.get("data-idle-message") == tr(
        "You will be logged out in %(minutes)d minutes because nothing has happened for a while.",
        minutes=5,
    )
    assert not [c for c in script.children if str(c).strip()]  # no inline code
    app.config["SESSION_IDLE_MINUTES"] = 0
    assert session_script(html_of(client.get("/"))) is None


def test_the_warning_script_is_a_static_file(client):
    script = client.get("/static/session.js")
    assert script.status_code == 200
    text = script.get_data(as_text=True)
    script.close()
    assert 'role: "alertdialog"' in text
    assert "X-CSRFToken" in text


# --- ending every session of a user -----------------------------------------------------------


def test_logging_out_ends_every_session_of_that_user(app, rep_a, rep_b):
    here, elsewhere, someone_else = app.test_client(), app.test_client(), app.test_client()
    for client, user in ((here, rep_a), (elsewhere, rep_a), (someone_else, rep_b)):
        assert client.post(
            "/login", data={"email": user.email, "password": PASSWORD}
        ).status_code == 303  # fmt: skip
    out = here.post("/logout")
    assert out.status_code == 303
    assert ("success", tr("You have logged out.")) in flashes(html_of(here.get("/")))
    assert not signed_in(here)
    assert not signed_in(elsewhere)  # the computer left signed in at the office, too
    assert signed_in(someone_else)


def test_logging_out_on_every_other_device(app, rep_a):
    here, elsewhere = app.test_client(), app.test_client()
    for client in (here, elsewhere):
        client.post("/login", data={"email": rep_a.email, "password": PASSWORD})
    account = page(here.get("/account"))
    form = account.one("form", action="/account/sessions/end")
    assert form.find("button").text == tr("Log out on every other device")
    done = here.post("/account/sessions/end")
    assert done.status_code == 303 and done.headers["Location"] == "/account"
    assert ("success", tr("You have been logged out on every other device.")) in flashes(
        html_of(here.get("/account"))
    )
    assert signed_in(here)
    assert not signed_in(elsewhere)
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "user.end_sessions", rep_a.id, rep_a.id)  # fmt: skip


def test_an_organiser_logs_someone_out_everywhere(app, rep_a, rep_b, organizer):
    laptop, phone, other = app.test_client(), app.test_client(), app.test_client()
    for client, user in ((laptop, rep_a), (phone, rep_a), (other, rep_b)):
        client.post("/login", data={"email": user.email, "password": PASSWORD})
    admin = app.test_client()
    admin.post("/login", data={"email": organizer.email, "password": PASSWORD})
    people = page(admin.get("/admin/people"))
    form = people.one("form", action=f"/admin/people/{rep_a.id}/sessions/end")
    assert form.find("button").text == tr("Log %(name)s out everywhere", name=rep_a.name)
    assert people.find("form", action=f"/admin/people/{organizer.id}/sessions/end") is None

    done = admin.post(f"/admin/people/{rep_a.id}/sessions/end")
    assert done.status_code == 303 and done.headers["Location"] == "/admin/people"
    assert ("success", tr("%(name)s has been logged out everywhere.", name=rep_a.name)) in (
        flashes(html_of(admin.get("/admin/people")))
    )
    assert not signed_in(laptop) and not signed_in(phone)
    assert signed_in(other) and signed_in(admin)
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "user.end_sessions", organizer.id, rep_a.id)  # fmt: skip
    assert entry.after["session_epoch"] == entry.before["session_epoch"] + 1
    # Their own sessions: from the account page, not here.
    admin.post(f"/admin/people/{organizer.id}/sessions/end")
    assert signed_in(admin)


def test_a_moderator_cannot_log_others_out(app, client, auth, moderator, rep_a):
    other = app.test_client()
    other.post("/login", data={"email": rep_a.email, "password": PASSWORD})
    auth.login(moderator)
    assert client.post(f"/admin/people/{rep_a.id}/sessions/end").status_code == 403
    assert signed_in(other)


def test_keep_alive_needs_the_pages_csrf_token(app, rep_a, limits):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = input_value(html_of(client.get("/login")), "csrf_token")
    client.post("/login", data={"email": rep_a.email, "password": PASSWORD, "csrf_token": token})
    body = parse(html_of(client.get("/account"))).find("body")
    header_token = body.get("hx-headers").split('"X-CSRFToken": "')[1].split('"')[0]
    assert client.post("/session/keep-alive").status_code == 400
    kept = client.post("/session/keep-alive", headers={"X-CSRFToken": header_token})
    assert kept.status_code == 200 and kept.json["signed_in"] is True


def test_mails_rendered_by_a_command_need_no_session(app):
    """The demo and send-digests render mails outside any request; timing must not fail.

    A thread of its own: the test's pushed request context does not follow it there.
    """
    import threading

    from auth import sessions
    from auth.mail import queue_mail

    app.config["SESSION_IDLE_MINUTES"] = 30
    outcome: dict[str, object] = {}

    def command() -> None:
        try:
            with app.app_context():
                outcome["timing"] = sessions.timing()
                outcome["mail"] = queue_mail(
                    "kisi@ornek.example", locale="tr", kind="test", subject="Konu",
                    template="notification", user=None, text="Merhaba",
                    link="https://ortak.example/",
                ).body_text  # fmt: skip
        except Exception as error:
            outcome["error"] = error

    worker = threading.Thread(target=command)
    worker.start()
    worker.join()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["timing"] is None
    assert "Merhaba" in str(outcome["mail"])
