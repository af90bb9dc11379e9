"""Invitations: inviting, re-sending, revoking, expiry and accepting (auth/invitations.py),
with a few requests through the views for what the people involved see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from auth import invitations
from auth.errors import DomainError
from auth.invitations import CONSENT_VERSION, accept, invitation_for_token, invite, resend, revoke
from auth.models import (
    INVITATION_LIFETIME,
    AuditEntry,
    Invitation,
    InvitationState,
    Organization,
    OutboxMessage,
    Role,
    User,
    hash_token,
)
from extensions import db
from tests.conftest import PASSWORD, outbox_link
from tests.people_helpers import (
    field_error,
    flashes,
    html_of,
    input_value,
    isolated_requests,  # noqa: F401 - autouse fixture
    page_text,
    selected_option,
    signed_in_name,
    tr,
)

NEW_PASSWORD = "gece yarısı vapur kalkar"

INVALID = (
    "This invitation link is not valid. It may have been replaced by a newer "
    "invitation: use the link in the most recent mail."
)
USED = "This invitation has already been used. Log in instead."
REVOKED = "This invitation was withdrawn by the organisers."
EXPIRED = "This invitation has expired. Ask the organisers to send you a new one."
REGISTERED = "Someone with this email address already has an account."
PENDING = "This address already has a pending invitation; re-send or revoke it instead."
TOO_EASY = (
    "This password is too easy to guess: it is common, or made of the site's, "
    "the city's or your own name. Choose a longer phrase of unrelated words."
)
CONSENT = "Please read the data-processing notice and confirm that you agree."


# --- helpers ----------------------------------------------------------------------------


def mails_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id)
        )
    )


def token_of(mail: OutboxMessage) -> str:
    path = outbox_link(mail.body_text)
    assert path.startswith("/invitation/"), path
    return path.removeprefix("/invitation/")


def users_with(email: str) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.email == email))


def audit(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def login(client: FlaskClient, user: User) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303, html_of(response)


@pytest.fixture
def invited(organizer, org_a, clock) -> tuple[Invitation, str]:
    """A committed invitation of a representative of org_a, and the token from its mail."""
    invitation = invite(
        organizer,
        email="zeynep@ornek.example",
        role=Role.participant,
        organization=org_a,
        now=clock.now,
    )
    db.session.commit()
    return invitation, token_of(mails_to("zeynep@ornek.example")[-1])


def accept_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Zeynep Kaya",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "locale": "tr",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- inviting -----------------------------------------------------------------------


def test_invite_representative_of_existing_organisation(app, client, organizer, org_a, clock):
    invitation = invite(
        organizer,
        email="  Zeynep@Ornek.EXAMPLE ",
        role=Role.participant,
        organization=org_a,
        now=clock.now,
        locale="en",
    )
    db.session.commit()

    assert invitation.email == "zeynep@ornek.example"
    assert invitation.organization == org_a
    assert invitation.role == Role.participant
    assert invitation.invited_by == organizer
    assert invitation.sent_count == 1
    assert invitation.expires_at == clock.now + timedelta(days=14)
    assert invitation.state(clock.now) == InvitationState.pending

    [mail] = mails_to("zeynep@ornek.example")
    assert mail.kind == "invitation"
    assert mail.locale == "en"
    assert mail.subject == "You are invited to Ortak"
    assert f"as a representative of {org_a.name}" in mail.body_text
    token = token_of(mail)
    assert f'href="http://localhost/invitation/{token}"' in mail.body_html
    # Only the digest is stored.
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash

    [entry] = audit("invitation.create")
    assert entry.actor == organizer
    assert (entry.target_type, entry.target_id) == ("Invitation", invitation.id)
    assert entry.after == {
        "email": "zeynep@ornek.example",
        "role": "participant",
        "organization": org_a.name,
    }

    page = client.get(f"/invitation/{token}")
    assert page.status_code == 200
    assert "zeynep@ornek.example" in html_of(page)


def test_invite_representative_of_new_organisation(organizer, clock):
    invitation = invite(
        organizer,
        email="hatice@buca.example",
        role=Role.participant,
        now=clock.now,
        new_organization_name="  Buca Kadın Kooperatifi ",
    )
    db.session.commit()

    organization = db.session.scalar(
        select(Organization).where(Organization.name == "Buca Kadın Kooperatifi")
    )
    assert organization is not None
    assert organization.active
    assert invitation.organization == organization

    [created] = audit("organization.create")
    assert created.actor == organizer
    assert (created.target_type, created.target_id) == ("Organization", organization.id)
    assert created.after == {"name": "Buca Kadın Kooperatifi"}
    assert len(audit("invitation.create")) == 1

    [mail] = mails_to("hatice@buca.example")
    assert mail.locale == "tr"
    assert "Buca Kadın Kooperatifi" in mail.body_text
    assert token_of(mail)


def test_new_organisation_must_not_duplicate_an_existing_name(organizer, org_a, clock):
    with pytest.raises(DomainError) as refused:
        invite(
            organizer,
            email="hatice@buca.example",
            role=Role.participant,
            now=clock.now,
            new_organization_name="KARŞIYAKA KADIN DAYANIŞMA DERNEĞİ",
        )
    assert refused.value.field == "new_organization"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Organization.id))) == 1
    assert mails_to("hatice@buca.example") == []


def test_representative_needs_an_organisation(organizer, clock):
    with pytest.raises(DomainError) as refused:
        invite(organizer, email="hatice@buca.example", role=Role.participant, now=clock.now)
    assert refused.value.field == "organization"


def test_representative_of_deactivated_organisation_refused(organizer, org_a, clock):
    org_a.active = False
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        invite(
            organizer,
            email="hatice@buca.example",
            role=Role.participant,
            organization=org_a,
            now=clock.now,
        )
    assert refused.value.field == "organization"


@pytest.mark.parametrize(
    ("role", "wording"),
    [(Role.moderator, "as a moderator."), (Role.organizer, "as an organiser.")],
)
def test_moderator_and_organiser_invitations_have_no_organisation(
    organizer, org_a, clock, role, wording
):
    invitation = invite(
        organizer,
        email="yeni@ortak.example",
        role=role,
        organization=org_a,
        now=clock.now,
        locale="en",
    )
    db.session.commit()
    assert invitation.role == role
    assert invitation.organization is None
    [mail] = mails_to("yeni@ortak.example")
    assert wording in mail.body_text
    assert org_a.name not in mail.body_text


def test_inviting_a_registered_address_is_refused(organizer, rep_a, org_a, clock):
    with pytest.raises(DomainError) as refused:
        invite(
            organizer,
            email=rep_a.email.upper(),
            role=Role.participant,
            organization=org_a,
            now=clock.now,
        )
    assert refused.value.field == "email"
    assert refused.value.message == tr(REGISTERED)
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert mails_to(rep_a.email) == []


def test_second_invitation_while_one_is_pending_is_refused(organizer, invited, org_a, clock):
    clock.advance(days=13)
    with pytest.raises(DomainError) as refused:
        invite(
            organizer,
            email="ZEYNEP@ornek.example",
            role=Role.moderator,
            now=clock.now,
        )
    assert refused.value.field == "email"
    assert refused.value.message == tr(PENDING)
    assert db.session.scalar(select(func.count(Invitation.id))) == 1


def test_new_invitation_allowed_once_the_old_one_is_revoked_or_expired(
    organizer, invited, org_a, clock
):
    invitation, _ = invited
    revoke(invitation, organizer, clock.now)
    again = invite(organizer, email="zeynep@ornek.example", role=Role.moderator, now=clock.now)
    db.session.commit()
    clock.advance(days=14)
    third = invite(organizer, email="zeynep@ornek.example", role=Role.organizer, now=clock.now)
    db.session.commit()
    assert again.state(clock.now) == InvitationState.expired
    assert third.state(clock.now) == InvitationState.pending


# --- re-sending, revoking, expiry ------------------------------------------------------


def test_resend_issues_a_new_token(client, organizer, invited, clock):
    invitation, old_token = invited
    clock.advance(days=3)
    resend(invitation, organizer, clock.now)
    db.session.commit()

    _first, second = mails_to("zeynep@ornek.example")
    new_token = token_of(second)
    assert new_token != old_token
    assert invitation.sent_count == 2
    assert invitation.expires_at == clock.now + INVITATION_LIFETIME
    [entry] = audit("invitation.resend")
    assert entry.after == {"sent_count": 2}

    with pytest.raises(DomainError) as refused:
        invitation_for_token(old_token, clock.now)
    assert refused.value.message == tr(INVALID)
    assert invitation_for_token(new_token, clock.now) == invitation

    old_page = client.get(f"/invitation/{old_token}")
    assert old_page.status_code == 404
    assert tr(INVALID) in page_text(old_page)
    assert client.get(f"/invitation/{new_token}").status_code == 200


def test_resend_revives_an_expired_invitation(organizer, invited, clock):
    invitation, _ = invited
    clock.advance(days=20)
    assert invitation.state(clock.now) == InvitationState.expired
    resend(invitation, organizer, clock.now)
    db.session.commit()
    assert invitation.state(clock.now) == InvitationState.pending
    assert invitation_for_token(token_of(mails_to(invitation.email)[-1]), clock.now) == invitation


def test_resend_refused_once_the_address_has_an_account(organizer, invited, make_user, clock):
    invitation, _ = invited
    make_user(email="zeynep@ornek.example")
    with pytest.raises(DomainError) as refused:
        resend(invitation, organizer, clock.now)
    assert refused.value.message == tr(REGISTERED)
    assert len(mails_to("zeynep@ornek.example")) == 1


def test_revoke(client, organizer, invited, clock):
    invitation, token = invited
    clock.advance(hours=2)
    revoke(invitation, organizer, clock.now)
    db.session.commit()

    assert invitation.state(clock.now) == InvitationState.revoked
    assert invitation.revoked_at == clock.now
    assert [e.target_id for e in audit("invitation.revoke")] == [invitation.id]
    with pytest.raises(DomainError):
        revoke(invitation, organizer, clock.now)
    with pytest.raises(DomainError):
        resend(invitation, organizer, clock.now)

    page = client.get(f"/invitation/{token}")
    assert page.status_code == 404
    assert tr(REVOKED) in page_text(page)


def test_expires_after_fourteen_days(client, invited, clock):
    invitation, token = invited
    clock.advance(days=14, seconds=-1)
    assert invitation.state(clock.now) == InvitationState.pending
    assert client.get(f"/invitation/{token}").status_code == 200

    clock.advance(seconds=1)
    assert invitation.state(clock.now) == InvitationState.expired
    with pytest.raises(DomainError) as refused:
        invitation_for_token(token, clock.now)
    assert refused.value.message == tr(EXPIRED)
    page = client.get(f"/invitation/{token}")
    assert page.status_code == 404
    assert tr(EXPIRED) in page_text(page)


# --- accepting ----------------------------------------------------------------------


def test_accept_unknown_token(client):
    page = client.get("/invitation/not-a-token-we-ever-sent")
    assert page.status_code == 404
    assert ("error", tr(INVALID)) in flashes(html_of(page))
    response = client.post("/invitation/not-a-token-we-ever-sent", data=accept_form())
    assert response.status_code == 404


def test_accept_expired_revoked_and_used_tokens_say_why(client, organizer, org_a, clock):
    def invitation_for(email: str) -> tuple[Invitation, str]:
        invitation = invite(
            organizer, email=email, role=Role.participant, organization=org_a, now=clock.now
        )
        db.session.commit()
        return invitation, token_of(mails_to(email)[-1])

    _old, old_token = invitation_for("eski@ornek.example")
    clock.advance(days=10)
    withdrawn, withdrawn_token = invitation_for("geri@ornek.example")
    revoke(withdrawn, organizer, clock.now)
    used, used_token = invitation_for("kullanildi@ornek.example")
    accept(used, name="Ece", password=NEW_PASSWORD, locale="tr", consent=True, now=clock.now)
    db.session.commit()
    clock.advance(days=5)

    for token, message in [(old_token, EXPIRED), (withdrawn_token, REVOKED), (used_token, USED)]:
        for response in (
            client.get(f"/invitation/{token}"),
            client.post(f"/invitation/{token}", data=accept_form(name="Başkası")),
        ):
            assert response.status_code == 404
            assert ("error", tr(message)) in flashes(html_of(response))
    assert users_with("eski@ornek.example") == 0
    assert users_with("geri@ornek.example") == 0
    assert users_with("kullanildi@ornek.example") == 1


WEAK = [
    ("kısa parola", "Use at least %(n)d characters."),
    ("password1234", TOO_EASY),
    ("izmirkadin2026", TOO_EASY),
    ("ZeynepKaya1990", TOO_EASY),  # the invitee's own name
]


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_accept_refuses_weak_passwords(invited, clock, password, message):
    invitation, _ = invited
    with pytest.raises(DomainError) as refused:
        accept(
            invitation,
            name="Zeynep Kaya",
            password=password,
            locale="tr",
            consent=True,
            now=clock.now,
        )
    assert refused.value.field == "password"
    assert refused.value.message == tr(message, n=12)
    db.session.rollback()
    assert users_with("zeynep@ornek.example") == 0
    assert invitation.state(clock.now) == InvitationState.pending


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_weak_password_shown_next_to_the_field_with_the_name_kept(
    client, invited, password, message
):
    _, token = invited
    response = client.post(
        f"/invitation/{token}",
        data=accept_form(name="Zeynep Kaya", password=password, confirm=password),
    )
    assert response.status_code == 200
    html = html_of(response)
    assert field_error(html, "password") == tr(message, n=12)
    assert input_value(html, "name") == "Zeynep Kaya"
    assert password not in html  # passwords are never sent back
    assert users_with("zeynep@ornek.example") == 0


def test_accept_without_consent_is_refused(client, invited, clock):
    invitation, token = invited
    with pytest.raises(DomainError) as refused:
        accept(
            invitation,
            name="Zeynep Kaya",
            password=NEW_PASSWORD,
            locale="tr",
            consent=False,
            now=clock.now,
        )
    assert refused.value.field == "consent"

    response = client.post(f"/invitation/{token}", data=accept_form(consent=None))
    assert response.status_code == 200
    assert field_error(html_of(response), "consent") == tr(CONSENT)
    assert input_value(html_of(response), "name") == "Zeynep Kaya"
    assert users_with("zeynep@ornek.example") == 0
    assert invitation.state(clock.now) == InvitationState.pending


def test_accept_creates_the_account(invited, org_a, clock):
    invitation, _ = invited
    clock.advance(days=2)
    user = accept(
        invitation,
        name="  Zeynep Kaya ",
        password=NEW_PASSWORD,
        locale="en",
        consent=True,
        now=clock.now,
    )
    db.session.commit()

    assert user.email == "zeynep@ornek.example"
    assert user.name == "Zeynep Kaya"
    assert user.role == Role.participant
    assert user.organization == org_a
    assert user.locale == "en"
    assert user.consent_version == CONSENT_VERSION
    assert user.consented_at == clock.now
    assert user.check_password(NEW_PASSWORD)
    assert invitation.state(clock.now) == InvitationState.accepted
    assert invitation.accepted_at == clock.now
    assert invitation.accepted_user_id == user.id
    [entry] = audit("invitation.accept")
    assert (entry.actor, entry.target_id) == (user, invitation.id)


def test_accept_through_the_form_signs_the_new_user_in(client, invited, org_a, clock):
    invitation, token = invited
    response = client.post(f"/invitation/{token}", data=accept_form())
    assert response.status_code == 303
    assert response.headers["Location"] == "/"

    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "zeynep@ornek.example"))
    assert user is not None
    assert user.name == "Zeynep Kaya"
    assert user.organization == org_a
    assert user.consent_version == CONSENT_VERSION
    assert user.consented_at == clock.now
    assert invitation.state(clock.now) == InvitationState.accepted

    home = client.get("/")
    assert signed_in_name(html_of(home)) == "Zeynep Kaya"
    welcome = tr("Welcome to Ortak, %(name)s. Your account is ready.", name="Zeynep Kaya")
    assert ("success", welcome) in flashes(html_of(home))
    assert client.get("/account").status_code == 200


def test_the_same_form_posted_twice_creates_one_user(app, client, invited):
    _, token = invited
    first = client.post(f"/invitation/{token}", data=accept_form())
    assert first.status_code == 303
    second = client.post(f"/invitation/{token}", data=accept_form())
    assert second.status_code == 404
    assert ("error", tr(USED)) in flashes(html_of(second))
    # The same from another browser (the link forwarded, or a second tab).
    other = app.test_client().post(f"/invitation/{token}", data=accept_form(name="Başkası"))
    assert other.status_code == 404
    assert users_with("zeynep@ornek.example") == 1
    assert db.session.scalar(select(User.name).where(User.email == "zeynep@ornek.example")) == (
        "Zeynep Kaya"
    )


def test_someone_signed_in_is_not_signed_out_by_an_invitation_link(client, invited, rep_b):
    """Opening a page never signs anyone out (another site could link to it)."""
    _, token = invited
    login(client, rep_b)
    page = client.get(f"/invitation/{token}")
    assert page.status_code == 200
    assert signed_in_name(html_of(page)) == "Fatma Demir"
    message = tr(
        "You are logged in as %(name)s. Log out first, then open the invitation link "
        "again to create the account for %(email)s.",
        name="Fatma Demir",
        email="zeynep@ornek.example",
    )
    assert message in page_text(page)
    posted = client.post(f"/invitation/{token}", data=accept_form())
    assert message in page_text(posted)
    assert users_with("zeynep@ornek.example") == 0
    assert client.get("/account").status_code == 200

    client.post("/logout")
    assert client.post(f"/invitation/{token}", data=accept_form()).status_code == 303
    assert users_with("zeynep@ornek.example") == 1


# --- the organisers' page -------------------------------------------------------------


def test_only_organisers_reach_the_invitations_page(app, rep_a, moderator, organizer):
    anonymous = app.test_client().get("/admin/invitations")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login?next=%2Fadmin%2Finvitations")
    for user, status in [(rep_a, 403), (moderator, 403), (organizer, 200)]:
        client = app.test_client()
        login(client, user)
        assert client.get("/admin/invitations").status_code == status
        posted = client.post(
            "/admin/invitations",
            data={
                "email": "x@ornek.example",
                "role": "moderator",
                "organization": "",
                "locale": "tr",
            },
        )
        assert posted.status_code == (403 if status == 403 else 303)
    assert [i.email for i in db.session.scalars(select(Invitation))] == ["x@ornek.example"]


def test_organiser_invites_through_the_page(client, organizer, clock):
    login(client, organizer)
    response = client.post(
        "/admin/invitations",
        data={
            "email": "Hatice@Buca.example",
            "role": "participant",
            "organization": "new",
            "new_organization": "Buca Kadın Kooperatifi",
            "locale": "en",
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    html = html_of(page)
    message = tr("The invitation to %(email)s is on its way.", email="hatice@buca.example")
    assert ("success", message) in flashes(html)
    assert "hatice@buca.example" in html  # listed among the sent invitations
    invitation = db.session.scalar(select(Invitation))
    assert invitation.organization.name == "Buca Kadın Kooperatifi"
    assert invitation.invited_by_id == organizer.id
    [mail] = mails_to("hatice@buca.example")
    assert mail.locale == "en"
    assert client.get(outbox_link(mail.body_text)).status_code == 200


def test_registered_address_refused_next_to_the_field_with_values_kept(
    client, organizer, rep_a, org_a
):
    login(client, organizer)
    response = client.post(
        "/admin/invitations",
        data={
            "email": rep_a.email,
            "role": "participant",
            "organization": str(org_a.id),
            "new_organization": "",
            "locale": "en",
        },
    )
    assert response.status_code == 200
    html = html_of(response)
    assert field_error(html, "email") == tr(REGISTERED)
    assert input_value(html, "email") == rep_a.email
    assert selected_option(html, "role") == "participant"
    assert selected_option(html, "organization") == str(org_a.id)
    assert selected_option(html, "locale") == "en"
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_resend_and_revoke_buttons(client, organizer, invited, clock):
    invitation, old_token = invited
    login(client, organizer)

    resent = client.post(f"/admin/invitations/{invitation.id}/resend", follow_redirects=True)
    message = tr("A new invitation link has been sent to %(email)s.", email=invitation.email)
    assert ("success", message) in flashes(html_of(resent))
    db.session.expire_all()
    assert invitation.sent_count == 2
    new_token = token_of(mails_to(invitation.email)[-1])
    assert new_token != old_token

    revoked = client.post(f"/admin/invitations/{invitation.id}/revoke", follow_redirects=True)
    message = tr("The invitation to %(email)s has been revoked.", email=invitation.email)
    assert ("success", message) in flashes(html_of(revoked))
    db.session.expire_all()
    assert invitation.state(clock.now) == InvitationState.revoked
    assert client.get(f"/invitation/{new_token}").status_code == 404

    again = client.post(f"/admin/invitations/{invitation.id}/revoke", follow_redirects=True)
    assert ("error", tr("Only a pending invitation can be revoked.")) in flashes(html_of(again))
    assert client.post("/admin/invitations/999999/resend").status_code == 404


def test_participants_cannot_resend_or_revoke(client, rep_a, invited, clock):
    invitation, _ = invited
    login(client, rep_a)
    assert client.post(f"/admin/invitations/{invitation.id}/resend").status_code == 403
    assert client.post(f"/admin/invitations/{invitation.id}/revoke").status_code == 403
    db.session.expire_all()
    assert invitation.sent_count == 1
    assert invitation.state(clock.now) == InvitationState.pending


def test_module_exposes_the_email_check(rep_a):
    """``email_registered`` ignores case and surrounding spaces, as ``invite`` does."""
    assert invitations.email_registered(f"  {rep_a.email.upper()} ")
    assert not invitations.email_registered("nobody@ornek.example")
