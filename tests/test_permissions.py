"""The permission matrix: every route × every kind of visitor → the expected status.

A route added without a row here fails ``test_every_route_has_a_row``, so the
matrix cannot silently fall behind the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from auth.invitations import invite
from auth.models import Role
from extensions import db
from tests.conftest import PASSWORD

VISITORS = ("anonymous", "participant_a", "participant_b", "moderator", "organizer")
LOGIN = 302  # anonymous visitors are sent to the login page


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    path: str  # formatted with the ids of the world below
    expected: dict[str, int]
    data: tuple[tuple[str, str], ...] = ()


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(VISITORS, status)


def members(status: int) -> dict[str, int]:
    return {"anonymous": LOGIN, **dict.fromkeys(VISITORS[1:], status)}


def organizers_only(status: int) -> dict[str, int]:
    return {
        "anonymous": LOGIN,
        "participant_a": 403,
        "participant_b": 403,
        "moderator": 403,
        "organizer": status,
    }


MATRIX: list[Row] = [
    Row("static", "GET", "/static/ortak.css", everyone(200)),
    Row("proposals.index", "GET", "/", everyone(200)),
    Row("proposals.campaign", "GET", "/campaigns/{public}", everyone(200)),
    Row("proposals.campaign", "GET", "/campaigns/{members}", members(200)),
    Row("proposals.new_campaign", "GET", "/campaigns/new", organizers_only(200)),
    Row("proposals.new_campaign", "POST", "/campaigns/new", organizers_only(200)),
    Row("proposals.edit_campaign", "GET", "/campaigns/{public}/edit", organizers_only(200)),
    Row("proposals.edit_campaign", "POST", "/campaigns/{public}/edit", organizers_only(200)),
    Row("proposals.advance_phase", "POST", "/campaigns/{public}/advance", organizers_only(303)),
    Row("auth.login", "GET", "/login", {**everyone(302), "anonymous": 200}),
    Row("auth.login", "POST", "/login", {**everyone(302), "anonymous": 200}),
    Row("auth.logout", "POST", "/logout", members(303)),
    Row("auth.forgot_password", "GET", "/password/forgot", everyone(200)),
    Row("auth.forgot_password", "POST", "/password/forgot", everyone(200)),
    Row("auth.reset_password", "GET", "/password/reset/not-a-token", everyone(303)),
    Row("auth.reset_password", "POST", "/password/reset/not-a-token", everyone(303)),
    Row("auth.account", "GET", "/account", members(200)),
    Row("auth.account", "POST", "/account", members(303)),
    Row("auth.change_password", "GET", "/account/password", members(200)),
    Row("auth.change_password", "POST", "/account/password", members(200)),
    Row("auth.accept_invitation", "GET", "/invitation/{token}", everyone(200)),
    Row("auth.accept_invitation", "POST", "/invitation/{token}", everyone(200)),
    Row("auth.accept_invitation", "GET", "/invitation/unknown-token", everyone(404)),
    Row("auth.invitations_admin", "GET", "/admin/invitations", organizers_only(200)),
    Row("auth.invitations_admin", "POST", "/admin/invitations", organizers_only(200)),
    Row("auth.resend_invitation", "POST", "/admin/invitations/{invitation}/resend",
        organizers_only(303)),
    Row("auth.resend_invitation", "POST", "/admin/invitations/999999/resend",
        organizers_only(404)),
    Row("auth.revoke_invitation", "POST", "/admin/invitations/{invitation}/revoke",
        organizers_only(303)),
    Row("auth.people", "GET", "/admin/people", organizers_only(200)),
    Row("auth.set_user_active", "POST", "/admin/people/{rep_b}/active", organizers_only(303),
        (("active", "1"),)),
    Row("auth.set_user_active", "POST", "/admin/people/999999/active", organizers_only(404)),
    Row("auth.organizations", "GET", "/organizations", everyone(200)),
    Row("auth.organization", "GET", "/organizations/{org_a}", everyone(200)),
    Row("auth.organization", "GET", "/organizations/999999", everyone(404)),
    Row("auth.edit_organization", "GET", "/organizations/{org_a}/edit",
        {"anonymous": LOGIN, "participant_a": 200, "participant_b": 403, "moderator": 403,
         "organizer": 200}),
    # An empty POST keeps the stored values (Flask-WTF falls back to the object): saved, 303.
    Row("auth.edit_organization", "POST", "/organizations/{org_a}/edit",
        {"anonymous": LOGIN, "participant_a": 303, "participant_b": 403, "moderator": 403,
         "organizer": 303}),
    Row("auth.set_organization_active", "POST", "/organizations/{org_a}/active",
        organizers_only(303), (("active", "1"),)),
    Row("auth.set_language", "POST", "/language", everyone(303), (("locale", "en"),)),
    Row("auth.privacy", "GET", "/privacy", everyone(200)),
]  # fmt: skip


@pytest.fixture
def world(app, clock, make_campaign, org_a, org_b, rep_a, rep_b, moderator, organizer):
    from proposals.models import Visibility

    public = make_campaign(slug="herkese-acik")
    members_only = make_campaign(slug="uyelere-ozel", visibility=Visibility.members)
    invitation = invite(
        organizer,
        email="yeni@dernek.example",
        role=Role.participant,
        now=clock.now,
        organization=org_a,
    )
    token = "known-token-for-the-matrix"
    from auth.models import hash_token

    invitation.token_hash = hash_token(token)
    db.session.commit()
    people = {
        "participant_a": rep_a,
        "participant_b": rep_b,
        "moderator": moderator,
        "organizer": organizer,
    }
    ids: dict[str, Any] = {
        "public": public.slug,
        "members": members_only.slug,
        "token": token,
        "invitation": invitation.id,
        "org_a": org_a.id,
        "rep_b": rep_b.id,
    }
    return people, ids


def test_every_route_has_a_row(app):
    covered = {(row.endpoint, row.method) for row in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in covered:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes without a row in the permission matrix:\n" + "\n".join(missing)


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: f"{r.method} {r.path}")
@pytest.mark.parametrize("visitor", VISITORS)
def test_permission_matrix(app, world, visitor, row):
    people, ids = world
    client = app.test_client()
    if visitor != "anonymous":
        response = client.post(
            "/login", data={"email": people[visitor].email, "password": PASSWORD}
        )
        assert response.status_code == 303, f"{visitor} could not log in"
    path = row.path.format(**ids)
    if row.method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data=dict(row.data))
    response.close()  # static files are streamed from an open file
    assert response.status_code == row.expected[visitor], (
        f"{visitor} {row.method} {path}: got {response.status_code}, "
        f"expected {row.expected[visitor]}"
    )
    if response.status_code == LOGIN and row.expected[visitor] == LOGIN and visitor == "anonymous":
        assert "/login" in response.headers["Location"]
