"""Two-factor authentication (auth/twofactor.py, auth/twofactor_views.py): codes from an
app (RFC 6238) with one step of slack and no replay, recovery codes that work once, the
second step of signing in, set-up (required for moderators and organisers), and an
organiser's reset for a lost phone.

The test configuration does not require two-factor authentication of anyone (other tests
sign moderators in with a password alone); the tests here that need it turn it on.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from auth import accounts, twofactor
from auth.errors import DomainError
from auth.models import AuditEntry, RecoveryCode, Role, User
from extensions import db
from tests.conftest import PASSWORD, outbox_link
from tests.dom import page
from tests.people_helpers import (
    field_error,
    flashes,
    html_of,
    isolated_requests,  # noqa: F401 - autouse fixture
    signed_in_name,
    tr,
)

WRONG_CODE = "This code is not right, or it has already been used. Check the app and try again."
REQUIRED = "Your role requires two-factor authentication. Set it up to continue."


def code_at(secret: str, moment, steps: int = 0) -> str:
    """What the phone shows at ``moment`` (naive UTC, as the clock keeps it), ``steps``
    time steps later. pyotp would read a naive time as local time: it gets UTC."""
    return pyotp.TOTP(secret).at(moment.replace(tzinfo=UTC) + timedelta(seconds=30 * steps))


def signed_in(client) -> bool:
    status = client.get("/account").status_code
    assert status in (200, 302)
    return status == 200


def audit_actions() -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def setup_page_secret(response) -> str:
    """The key shown for manual entry (grouped in fours), as the app would take it."""
    return page(response).one("code", id="totp-secret").text.replace(" ", "")


def enrol(client, clock) -> tuple[str, list[str]]:
    """Set up two-factor authentication through the pages; the secret and recovery codes."""
    secret = setup_page_secret(client.get("/account/two-factor/setup"))
    done = client.post("/account/two-factor/setup", data={"code": code_at(secret, clock.now)})
    assert done.status_code == 200, html_of(done)
    codes = [c.text for c in page(done).one("ol", class_="recovery-codes").find_all("code")]
    return secret, codes


def with_two_factor(user: User, clock) -> tuple[str, list[str]]:
    """Turn it on directly (the domain function), as if set up a while ago."""
    secret = twofactor.new_secret()
    earlier = clock.now - timedelta(minutes=10)
    codes = twofactor.enable(user, secret, code_at(secret, earlier), earlier)
    db.session.commit()
    return secret, codes


def password_step(client, user: User, next_url: str = ""):
    return client.post("/login", data={"email": user.email, "password": PASSWORD, "next": next_url})


@pytest.fixture
def required(app):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("moderator", "organizer")


# --- codes ---------------------------------------------------------------------------------


def test_a_code_matches_its_step_and_one_either_side(clock):
    secret = twofactor.new_secret()
    now = clock.now
    step = twofactor.time_step(now)
    for offset in (-1, 0, 1):
        assert twofactor.matching_step(secret, code_at(secret, now, offset), now) == step + offset
    for offset in (-3, -2, 2, 3):
        assert twofactor.matching_step(secret, code_at(secret, now, offset), now) is None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x", None])
def test_malformed_codes_never_match(clock, typed):
    assert twofactor.matching_step(twofactor.new_secret(), typed, clock.now) is None


def test_spaces_inside_a_code_are_ignored(clock):
    secret = twofactor.new_secret()
    code = code_at(secret, clock.now)
    assert twofactor.matching_step(secret, f" {code[:3]} {code[3:]} ", clock.now) is not None


def test_a_code_works_once_and_earlier_codes_stop_working(rep_a, clock):
    secret, _ = with_two_factor(rep_a, clock)
    now = clock.now
    assert twofactor.verify_totp(rep_a, code_at(secret, now), now)
    assert not twofactor.verify_totp(rep_a, code_at(secret, now), now)  # replayed
    assert twofactor.verify_totp(rep_a, code_at(secret, now, 1), now)  # the next one
    # The previous step is still inside the window, but older than what was accepted.
    assert not twofactor.verify_totp(rep_a, code_at(secret, now, -1), now)
    db.session.commit()
    db.session.expire_all()
    assert rep_a.totp_last_step == twofactor.time_step(now) + 1


def test_the_secret_is_random_base32_and_shown_in_fours():
    secrets_ = {twofactor.new_secret() for _ in range(20)}
    assert len(secrets_) == 20
    secret = secrets_.pop()
    assert len(secret) == 32 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert twofactor.grouped(secret).split(" ") == [secret[i : i + 4] for i in range(0, 32, 4)]


def test_the_qr_code_is_an_inline_svg_image_of_the_provisioning_address(rep_a):
    secret = twofactor.new_secret()
    uri = twofactor.provisioning_uri(secret, rep_a)
    assert uri.startswith("otpauth://totp/Ortak:ayse%40karsiyaka.example?")
    assert f"secret={secret}" in uri and "issuer=Ortak" in uri
    svg = str(twofactor.qr_svg(uri, "QR <kod>"))
    assert svg.startswith('<svg role="img" ')
    assert "<title>QR &lt;kod&gt;</title>" in svg
    assert "<script" not in svg and "style=" not in svg and "href" not in svg


# --- recovery codes ------------------------------------------------------------------------


def test_ten_recovery_codes_stored_only_as_hashes(rep_a, clock):
    codes = twofactor.new_recovery_codes(rep_a, clock.now)
    db.session.commit()
    assert len(codes) == len(set(codes)) == 10
    for code in codes:
        assert len(code) == 14 and code.count("-") == 2
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not set(stored) & {c.replace("-", "") for c in codes} and not set(stored) & set(codes)
    assert twofactor.recovery_codes_left(rep_a) == 10


def test_a_recovery_code_works_once_in_any_spelling(rep_a, clock):
    codes = twofactor.new_recovery_codes(rep_a, clock.now)
    first = codes[0]
    assert twofactor.use_recovery_code(rep_a, f"  {first.upper().replace('-', ' ')} ", clock.now)
    assert not twofactor.use_recovery_code(rep_a, first, clock.now)
    assert twofactor.recovery_codes_left(rep_a) == 9
    assert not twofactor.use_recovery_code(rep_a, "", clock.now)


def test_new_recovery_codes_replace_the_old_ones(rep_a, rep_b, clock):
    old = twofactor.new_recovery_codes(rep_a, clock.now)
    others = twofactor.new_recovery_codes(rep_b, clock.now)
    new = twofactor.new_recovery_codes(rep_a, clock.now)
    assert not set(old) & set(new)
    assert not twofactor.use_recovery_code(rep_a, old[1], clock.now)
    assert not twofactor.use_recovery_code(rep_a, others[0], clock.now)  # someone else's
    assert twofactor.use_recovery_code(rep_a, new[1], clock.now)
    assert twofactor.recovery_codes_left(rep_b) == 10


# --- turning it on and off (domain) ------------------------------------------------------------


def test_enabling_needs_a_code_from_the_new_secret(rep_a, clock):
    secret = twofactor.new_secret()
    with pytest.raises(DomainError) as refused:
        twofactor.enable(rep_a, secret, "000000", clock.now)
    assert refused.value.field == "code"
    assert not twofactor.is_enabled(rep_a)
    codes = twofactor.enable(rep_a, secret, code_at(secret, clock.now), clock.now)
    assert len(codes) == 10
    assert twofactor.is_enabled(rep_a) and rep_a.totp_enabled_at == clock.now
    # The code used to turn it on cannot sign in afterwards.
    assert not twofactor.verify_totp(rep_a, code_at(secret, clock.now), clock.now)
    with pytest.raises(DomainError):
        twofactor.enable(rep_a, secret, code_at(secret, clock.now, 1), clock.now)
    assert audit_actions() == ["user.two_factor_enable"]


def test_a_required_role_cannot_turn_it_off(app, moderator, rep_a, clock, required):
    with_two_factor(moderator, clock)
    with pytest.raises(DomainError):
        twofactor.disable(moderator)
    assert twofactor.is_enabled(moderator)
    with_two_factor(rep_a, clock)
    twofactor.disable(rep_a)
    assert not twofactor.is_enabled(rep_a)
    assert db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == rep_a.id)) == 0  # fmt: skip


# --- setting it up through the pages ---------------------------------------------------------


def test_a_representative_sets_it_up_from_the_account_page(client, auth, rep_a, clock):
    auth.login(rep_a)
    account = page(client.get("/account"))
    link = account.one("a", href="/account/two-factor")
    assert link.text == tr("Two-factor authentication")
    settings = client.get("/account/two-factor")
    assert page(settings).one("a", href="/account/two-factor/setup")

    setup = client.get("/account/two-factor/setup")
    assert setup.headers["Cache-Control"] == "no-store"
    doc = page(setup)
    svg = doc.one("svg", role="img")
    assert svg.find("title").text == tr("QR code for your authenticator app")
    shown = doc.one("code", id="totp-secret").text
    assert all(len(group) == 4 for group in shown.split(" ")) and len(shown.split(" ")) == 8
    secret = shown.replace(" ", "")
    # The same secret on every load until it is proven, so a reload does not break the scan.
    assert setup_page_secret(client.get("/account/two-factor/setup")) == secret

    wrong = client.post("/account/two-factor/setup", data={"code": "123456"})
    assert wrong.status_code == 200
    assert field_error(html_of(wrong), "code") == tr(
        "This code is not right. Check that the app shows Ortak and type its current six digits."
    )
    done = client.post("/account/two-factor/setup", data={"code": code_at(secret, clock.now)})
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    codes = page(done).one("ol", class_="recovery-codes").find_all("code")
    assert len(codes) == 10
    assert ("success", tr("Two-factor authentication is on.")) in flashes(html_of(done))
    db.session.expire_all()
    assert rep_a.totp_secret == secret and twofactor.is_enabled(rep_a)

    again = client.get("/account/two-factor/setup")
    assert again.status_code == 303 and again.headers["Location"] == "/account/two-factor"
    settings = page(client.get("/account/two-factor")).text
    assert tr("Recovery codes left") in settings


def test_signing_in_asks_for_the_code_after_the_password(app, rep_a, clock):
    secret, _ = with_two_factor(rep_a, clock)
    client = app.test_client()
    step = password_step(client, rep_a, "/organizations")
    assert step.status_code == 303 and step.headers["Location"] == "/login/two-factor"
    assert not signed_in(client)  # nobody is signed in by the password alone
    form = page(client.get("/login/two-factor"))
    assert form.one("input", name="code").get("autocomplete") == "one-time-code"

    wrong = client.post("/login/two-factor", data={"code": "000000"})
    assert wrong.status_code == 200
    assert field_error(html_of(wrong), "code") == tr(WRONG_CODE)
    assert not signed_in(client)

    right = client.post("/login/two-factor", data={"code": code_at(secret, clock.now)})
    assert right.status_code == 303 and right.headers["Location"] == "/organizations"
    home = client.get("/")
    assert signed_in_name(html_of(home)) == rep_a.name
    assert ("success", tr("Welcome, %(name)s.", name=rep_a.name)) in flashes(html_of(home))


def test_a_code_cannot_sign_in_twice(app, rep_a, clock):
    secret, _ = with_two_factor(rep_a, clock)
    code = code_at(secret, clock.now)
    first = app.test_client()
    password_step(first, rep_a)
    assert first.post("/login/two-factor", data={"code": code}).status_code == 303
    second = app.test_client()  # someone who saw the code over a shoulder, seconds later
    password_step(second, rep_a)
    replay = second.post("/login/two-factor", data={"code": code})
    assert field_error(html_of(replay), "code") == tr(WRONG_CODE)
    assert not signed_in(second)


def test_the_second_step_expires_after_five_minutes(app, rep_a, clock):
    secret, _ = with_two_factor(rep_a, clock)
    client = app.test_client()
    password_step(client, rep_a)
    clock.advance(minutes=5, seconds=1)
    late = client.post("/login/two-factor", data={"code": code_at(secret, clock.now)})
    assert late.status_code == 303 and late.headers["Location"] == "/login"
    message = tr(
        "More than %(minutes)d minutes have passed since you entered your password. "
        "Please log in again.",
        minutes=5,
    )
    assert ("error", message) in flashes(html_of(client.get("/login")))
    assert not signed_in(client)
    # Without a password just given, the page only leads back to the login page.
    assert client.get("/login/two-factor").headers["Location"] == "/login"


def test_a_pending_sign_in_ends_with_the_accounts_sessions(app, rep_a, organizer, clock):
    secret, _ = with_two_factor(rep_a, clock)
    client = app.test_client()
    password_step(client, rep_a)
    accounts.set_active(rep_a, False, organizer)
    accounts.set_active(rep_a, True, organizer)  # the deactivation ended every session
    db.session.commit()
    late = client.post("/login/two-factor", data={"code": code_at(secret, clock.now)})
    assert late.headers["Location"] == "/login"
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(app, rep_a, clock):
    _, codes = with_two_factor(rep_a, clock)
    client = app.test_client()
    password_step(client, rep_a)
    used = client.post("/login/two-factor", data={"code": codes[3].upper()})
    assert used.status_code == 303
    home = html_of(client.get("/"))
    message = tr(
        "You used a recovery code; %(count)d are left. Make new ones on the two-factor page "
        "of your account.",
        count=9,
    )
    assert ("info", message) in flashes(home)
    assert "user.recovery_code_used" in audit_actions()

    again = app.test_client()
    password_step(again, rep_a)
    refused = again.post("/login/two-factor", data={"code": codes[3]})
    assert field_error(html_of(refused), "code") == tr(WRONG_CODE)


def test_the_second_step_is_rate_limited_per_account(app, rep_a, clock):
    app.config["RATELIMIT_TWO_FACTOR"] = "3 per minute"
    secret, _ = with_two_factor(rep_a, clock)
    client = app.test_client()
    password_step(client, rep_a)
    for _ in range(3):
        assert client.post("/login/two-factor", data={"code": "000000"}).status_code == 200
    other = app.test_client()  # elsewhere, the same account
    elsewhere = {"REMOTE_ADDR": "10.9.9.9"}
    other.post("/login", data={"email": rep_a.email, "password": PASSWORD},
               environ_base=elsewhere)  # fmt: skip
    refused = other.post(
        "/login/two-factor", data={"code": code_at(secret, clock.now)}, environ_base=elsewhere
    )
    assert refused.status_code == 429
    assert not signed_in(other)


# --- required for moderators and organisers ---------------------------------------------------


def test_a_moderator_sets_it_up_before_anything_else(app, moderator, clock, required):
    client = app.test_client()
    step = password_step(client, moderator, "/account")
    assert step.headers["Location"] == "/account/two-factor/setup"
    assert not signed_in(client)
    setup = client.get("/account/two-factor/setup")
    assert ("info", tr(REQUIRED)) in flashes(html_of(setup))
    assert (
        tr(
            "Your role lets you see and change what others may not, so your account needs a second "
            "proof besides the password: a code from an app on your phone. It takes two minutes."
        )
        in page(setup).text
    )
    # Nothing else opens meanwhile: the account page, moderation, the people page.
    assert client.get("/account").status_code == 302
    assert client.get("/admin/people").status_code == 302

    secret = setup_page_secret(setup)
    done = client.post("/account/two-factor/setup", data={"code": code_at(secret, clock.now)})
    assert done.status_code == 200
    assert page(done).one("a", class_="button").get("href") == "/account"
    assert signed_in(client)
    assert ("success", tr("Welcome, %(name)s.", name=moderator.name)) in flashes(html_of(done))

    # From now on the password is followed by the code.
    later = app.test_client()
    assert password_step(later, moderator).headers["Location"] == "/login/two-factor"
    ok = later.post("/login/two-factor", data={"code": code_at(secret, clock.now, 1)})
    assert ok.status_code == 303
    assert signed_in(later)


def test_an_invited_organiser_sets_it_up_before_signing_in(app, client, organizer, clock, required):
    from auth.invitations import invite

    invitation = invite(organizer, email="yeni@ortak.example", role=Role.organizer, now=clock.now)
    db.session.commit()
    from auth.models import OutboxMessage

    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == invitation.email)
    )
    link = outbox_link(mail.body_text)
    accepted = client.post(
        link,
        data={"name": "Nur Aksoy", "password": "gece yarısı vapur kalkar",
              "confirm": "gece yarısı vapur kalkar", "locale": "tr", "consent": "y"},
    )  # fmt: skip
    assert accepted.status_code == 303
    assert accepted.headers["Location"] == "/account/two-factor/setup"
    assert not signed_in(client)
    assert client.get("/admin/invitations").status_code == 302


def test_someone_whose_role_comes_to_require_it_is_held_at_set_up(app, client, auth, rep_a, clock):
    auth.login(rep_a)
    assert signed_in(client)
    rep_a.role = Role.moderator  # promoted while signed in
    db.session.commit()
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("moderator", "organizer")
    held = client.get("/organizations?page=1")
    assert held.status_code == 303 and held.headers["Location"] == "/account/two-factor/setup"
    assert not signed_in(client)
    secret = setup_page_secret(client.get("/account/two-factor/setup"))
    done = client.post("/account/two-factor/setup", data={"code": code_at(secret, clock.now)})
    # Once set up, on to the page that was asked for.
    assert page(done).one("a", class_="button").get("href") == "/organizations?page=1"
    assert signed_in(client)


def test_htmx_requests_held_at_set_up_are_sent_there_whole(app, client, auth, moderator):
    auth.login(moderator)
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("moderator",)
    held = client.get("/organizations", headers={"HX-Request": "true"})
    assert held.headers["HX-Redirect"] == "/account/two-factor/setup"


def test_password_reset_does_not_bypass_the_second_factor(app, client, rep_a, clock):
    secret, _ = with_two_factor(rep_a, clock)
    client.post("/password/forgot", data={"email": rep_a.email})
    from auth.models import OutboxMessage

    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "password_reset"))
    new = "gece yarısı vapur kalkar"
    reset = client.post(outbox_link(mail.body_text), data={"password": new, "confirm": new})
    assert reset.status_code == 303 and reset.headers["Location"] == "/login"
    assert not signed_in(client)
    step = client.post("/login", data={"email": rep_a.email, "password": new})
    assert step.headers["Location"] == "/login/two-factor"
    assert not signed_in(client)
    assert client.post("/login/two-factor", data={"code": code_at(secret, clock.now)}).status_code
    assert signed_in(client)


# --- the account's two-factor page ---------------------------------------------------------------


def test_new_recovery_codes_need_the_password(client, auth, rep_a, clock):
    auth.login(rep_a)
    _, old = enrol(client, clock)
    wrong = client.post(
        "/account/two-factor/recovery-codes", data={"regenerate-current_password": "yanlış"}
    )
    assert wrong.status_code == 200
    assert field_error(html_of(wrong), "regenerate-current_password") == tr(
        "Your password is not right."
    )
    made = client.post(
        "/account/two-factor/recovery-codes", data={"regenerate-current_password": PASSWORD}
    )
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    new = [c.text for c in page(made).one("ol", class_="recovery-codes").find_all("code")]
    assert len(new) == 10 and not set(new) & set(old)
    assert not twofactor.use_recovery_code(rep_a, old[0], clock.now)
    assert twofactor.use_recovery_code(rep_a, new[0], clock.now)


def test_a_representative_can_turn_it_off_with_the_password(client, auth, rep_a, clock):
    auth.login(rep_a)
    enrol(client, clock)
    wrong = client.post("/account/two-factor/disable", data={"disable-current_password": "x"})
    assert field_error(html_of(wrong), "disable-current_password") == tr(
        "Your password is not right."
    )
    off = client.post("/account/two-factor/disable", data={"disable-current_password": PASSWORD})
    assert off.status_code == 303
    assert ("success", tr("Two-factor authentication is off.")) in flashes(
        html_of(client.get("/account/two-factor"))
    )
    db.session.expire_all()
    assert not twofactor.is_enabled(rep_a) and rep_a.totp_secret is None
    assert audit_actions()[-1] == "user.two_factor_disable"


def test_a_moderator_cannot_turn_it_off(app, client, moderator, clock, required):
    secret, _ = with_two_factor(moderator, clock)
    password_step(client, moderator)
    client.post("/login/two-factor", data={"code": code_at(secret, clock.now)})
    settings = page(client.get("/account/two-factor"))
    assert settings.find("form", action="/account/two-factor/disable") is None
    refused = client.post(
        "/account/two-factor/disable", data={"disable-current_password": PASSWORD}
    )
    assert refused.status_code == 303
    db.session.expire_all()
    assert twofactor.is_enabled(moderator)


# --- an organiser's reset for a lost phone --------------------------------------------------------


def test_an_organiser_resets_a_lost_phone(app, moderator, organizer, clock, required):
    secret, _ = with_two_factor(moderator, clock)
    phone_lost = app.test_client()
    password_step(phone_lost, moderator)
    phone_lost.post("/login/two-factor", data={"code": code_at(secret, clock.now)})
    assert signed_in(phone_lost)

    admin = app.test_client()
    organizer_secret, _ = with_two_factor(organizer, clock)
    password_step(admin, organizer)
    admin.post("/login/two-factor", data={"code": code_at(organizer_secret, clock.now)})
    people = page(admin.get("/admin/people"))
    button = people.find("form", action=f"/admin/people/{moderator.id}/two-factor/reset")
    assert button is not None
    reset = admin.post(f"/admin/people/{moderator.id}/two-factor/reset")
    assert reset.status_code == 303

    assert not signed_in(phone_lost)  # whoever holds the phone is out
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.two_factor_reset")
    ).one()
    assert entry.actor_id == organizer.id and entry.target_id == moderator.id
    db.session.expire_all()
    assert not twofactor.is_enabled(moderator)
    assert twofactor.recovery_codes_left(moderator) == 0
    # At the next sign-in: set it up again before anything else.
    again = app.test_client()
    assert password_step(again, moderator).headers["Location"] == "/account/two-factor/setup"
    # An organiser cannot reset their own (another organiser must).
    admin.post(f"/admin/people/{organizer.id}/two-factor/reset")
    db.session.expire_all()
    assert twofactor.is_enabled(organizer)
