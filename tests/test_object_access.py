"""Object- and field-level access (issue 6, item 3), beyond the route matrix.

The matrix (tests/test_permissions.py) says who may open which route. Here: what belongs to
another organisation stays out of reach even through routes one may use — its drafts, its
ballot, its people's notifications and data — and a crafted form cannot set what the form
does not offer (status, themes, answers, hiding, merging, the author organisation). Links
sent by mail carry tokens, not counters, and the login and password-reset answers say
nothing about whether an address has an account.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from auth.models import Invitation, InvitationState, Notification, OutboxMessage, User
from extensions import db
from proposals.models import Comment, Proposal, ProposalState, Vote
from tests import hostile
from tests.conftest import PASSWORD, outbox_link
from tests.dom import page
from tests.test_permissions import world  # noqa: F401 - the matrix's fixture


@pytest.fixture
def scene(app, world, clock, make_campaign, organizer):  # noqa: F811
    """The matrix's world, plus an open vote with a vote of org_a and a notification for
    each representative."""
    from proposals.models import ActivityType
    from proposals.notifications import notify
    from proposals.submission import ProposalFields, save_draft, submit
    from proposals.voting import set_points

    people, ids = world
    rep_a, rep_b = people["participant_a"], people["participant_b"]
    now = clock.now
    voting = make_campaign(slug="oylamada")
    fields = ProposalFields(title="Oylamadaki öneri", summary="Özet", description="Açıklama",
                            activity_type=ActivityType.event, district="Buca")  # fmt: skip
    voted = save_draft(voting, rep_b, fields, now)
    submit(voted, rep_b, now)
    voting.submission_closes_at = now - timedelta(hours=2)
    voting.voting_opens_at = now - timedelta(hours=1)
    db.session.flush()
    set_points(voted, rep_a, 1, now)  # org_a's ballot holds a vote for org_b's proposal
    api_proposal = db.session.get(Proposal, ids["api_proposal"])
    for person in (rep_a, rep_b):
        params = {"organization": f"Yazan-{person.id}", "title": api_proposal.title}
        notify([person], "comment", params=params, proposal=api_proposal, now=now)
    db.session.commit()
    ids.update(voting=voting.slug, voted=voted.id)
    return people, ids


def _client(app: Any, user: User | None) -> Any:
    client = app.test_client()
    if user is not None:
        hostile.login(client, user.email)
    return client


def _row(model: Any, row_id: int) -> dict[str, Any]:
    db.session.expire_all()
    found = db.session.get(model, row_id)
    return {c.key: getattr(found, c.key) for c in model.__table__.columns}


# --- another organisation's drafts ---------------------------------------------------------------


def test_another_organisations_draft_is_not_found_and_cannot_be_acted_on(app, scene):
    people, ids = scene
    draft = ids["api_draft_a"]
    before = _row(Proposal, draft)
    client = _client(app, people["participant_b"])
    form = {"title": "Ele geçirildi", "summary": "x", "description": "x", "action": "draft",
            "reason": "x", "points": "1", "body": "x", "kind": "comment"}  # fmt: skip
    attempts = {
        ("GET", f"/proposals/{draft}"): (404,),
        ("GET", f"/proposals/{draft}/edit"): (404,),
        ("GET", f"/api/v1/proposals/{draft}"): (404,),
        ("GET", f"/proposals/{draft}/report"): (404,),
        ("POST", f"/proposals/{draft}/edit"): (404,),
        ("POST", f"/proposals/{draft}/autosave"): (404,),
        ("POST", f"/proposals/{draft}/withdraw"): (404,),
        ("POST", f"/proposals/{draft}/restore"): (404,),
        ("POST", f"/proposals/{draft}/comments"): (404,),
        ("POST", f"/proposals/{draft}/vote"): (404,),
        ("POST", f"/proposals/{draft}/report"): (404,),
    }
    for (method, path), expected in attempts.items():
        response = client.open(path, method=method, data=form if method == "POST" else None)
        assert response.status_code in expected, (method, path, response.status_code)
        assert "Taslak" not in response.get_data(as_text=True), (method, path)
    assert _row(Proposal, draft) == before
    # Nor does it show in lists, searches or the API's list of the campaign.
    for path in (f"/campaigns/{ids['public']}?q=Taslak", f"/campaigns/{ids['public']}"):
        links = {a.get("href") for a in page(client.get(path)).find_all("a")}
        assert f"/proposals/{draft}" not in links, path
    listed = client.get(
        f"/api/v1/campaigns/{ids['public']}/proposals", query_string={"q": "Taslak"}
    )
    assert listed.get_json()["pagination"]["total"] == 0
    similar = client.get(f"/campaigns/{ids['public']}/proposals/similar",
                         query_string={"title": "Taslak", "summary": "Özet Açıklama"})  # fmt: skip
    assert f"/proposals/{draft}" not in similar.get_data(as_text=True)
    # Its own organisation still sees it: the 404 above is about who asks.
    assert _client(app, people["participant_a"]).get(f"/proposals/{draft}").status_code == 200


def test_nobody_votes_for_a_draft(app, scene):
    people, ids = scene
    client = _client(app, people["participant_a"])
    client.post(f"/proposals/{ids['api_draft_a']}/vote", data={"points": "1"})
    assert db.session.scalar(select(Vote).where(Vote.proposal_id == ids["api_draft_a"])) is None


# --- another organisation's ballot, notifications and data ---------------------------------------


def test_a_ballot_shows_only_ones_own_organisations_votes(app, scene):
    people, ids = scene
    ours = page(_client(app, people["participant_a"]).get(f"/campaigns/{ids['voting']}/ballot"))
    assert "Oylamadaki öneri" in ours.text and "Ayşe Yılmaz" in ours.text
    client = _client(app, people["participant_b"])
    for query in ("", f"?organization={people['participant_a'].organization_id}",
                  f"?organization_id={people['participant_a'].organization_id}"):  # fmt: skip
        theirs = client.get(f"/campaigns/{ids['voting']}/ballot{query}")
        assert theirs.status_code == 200
        assert "Ayşe Yılmaz" not in page(theirs).text, query
    # Secret ballots: not even organisers see another organisation's ballot.
    organizer = _client(app, people["organizer"])
    assert organizer.get(f"/campaigns/{ids['voting']}/ballots").status_code == 404


def test_notifications_are_ones_own(app, scene):
    people, _ids = scene
    rep_a, rep_b = people["participant_a"], people["participant_b"]
    theirs = db.session.scalar(select(Notification).where(Notification.user_id == rep_b.id))
    assert theirs is not None and theirs.read_at is None
    client = _client(app, rep_a)
    shown = page(client.get("/notifications", query_string={"user_id": rep_b.id}))
    assert f"Yazan-{rep_b.id}" not in shown.text
    assert f"Yazan-{rep_a.id}" in shown.text
    for data in ({"id": theirs.id}, {"notification_id": theirs.id}, {"user_id": rep_b.id}):
        assert client.post("/notifications/read", data=data).status_code == 303
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None
    mine = db.session.scalar(select(Notification).where(Notification.user_id == rep_a.id))
    assert mine.read_at is not None  # marking read works, for one's own


def test_the_data_download_holds_only_ones_own_data(app, scene):
    people, _ids = scene
    rep_a, rep_b = people["participant_a"], people["participant_b"]
    client = _client(app, rep_a)
    for query in ("", f"?user_id={rep_b.id}", f"?user={rep_b.id}", f"?email={rep_b.email}"):
        response = client.get(f"/account/data.json{query}")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert rep_a.email in text
        assert rep_b.email not in text and rep_b.name not in text, query


def test_representatives_cannot_touch_invitations(app, scene):
    people, ids = scene
    client = _client(app, people["participant_a"])
    invitation = ids["invitation"]  # an invitation to org_a, participant_a's own organisation
    for action in ("revoke", "resend"):
        assert client.post(f"/admin/invitations/{invitation}/{action}").status_code == 403
    forged = {"email": "sahte@ornek.example", "role": "organizer", "organization": ""}
    sent = client.post("/admin/invitations", data=forged)
    assert sent.status_code == 403
    db.session.expire_all()
    found = db.session.get(Invitation, invitation)
    assert found.state(app.config["CLOCK"]()) == InvitationState.pending
    assert db.session.scalar(select(Invitation).where(
        Invitation.email == "sahte@ornek.example")) is None  # fmt: skip


# --- crafted forms: what a representative's form does not offer ----------------------------------

CRAFTED = {
    "state": "accepted", "status": "shortlisted", "themes": "{theme}", "theme_ids": "{theme}",
    "answer_tr": "Resmi yanıt", "answer_en": "Official answer", "hidden": "1",
    "hidden_at": "2026-10-01T09:00", "hidden_reason": "x", "hidden_automatically": "1",
    "merged_into": "{other}", "merged_into_id": "{other}", "organization": "{org_b}",
    "organization_id": "{org_b}", "created_by": "{rep_b}", "created_by_id": "{rep_b}",
    "answered_by_id": "{rep_b}", "personal_data": "title", "search_text": "x",
    "creation_key": "",
}  # fmt: skip
PROTECTED = ("state", "organization_id", "created_by_id", "merged_into_id", "hidden_at",
             "hidden_reason", "hidden_by_id", "hidden_automatically", "answer_tr", "answer_en",
             "answered_at", "answered_by_id")  # fmt: skip


def _crafted(ids: dict[str, Any], people: dict[str, Any], other: int, **fields: str) -> dict:
    values = {"org_b": people["participant_b"].organization_id, "rep_b": people["participant_b"].id,
              "theme": ids["theme"], "other": other}  # fmt: skip
    crafted = {name: value.format(**values) for name, value in CRAFTED.items()}
    return {**crafted, **fields}


def _protected(proposal_id: int) -> dict[str, Any]:
    row = _row(Proposal, proposal_id)
    themes = [t.id for t in db.session.get(Proposal, proposal_id).themes]
    return {**{name: row[name] for name in PROTECTED}, "themes": themes}


def test_a_crafted_new_proposal_cannot_set_status_themes_answers_or_author(app, scene):
    people, ids = scene
    rep_a = people["participant_a"]
    client = _client(app, rep_a)
    new = f"/campaigns/{ids['public']}/proposals/new"
    key = page(client.get(new)).find("input", name="creation_key").get("value")
    data = _crafted(ids, people, ids["api_proposal"], title="Sahte alanlı öneri", summary="Özet",
                    description="Açıklama", activity_type="workshop", district="Konak",
                    action="submit", creation_key=key)  # fmt: skip
    assert client.post(new, data=data).status_code == 303
    made = db.session.scalar(select(Proposal).where(Proposal.title == "Sahte alanlı öneri"))
    assert made is not None
    assert made.organization_id == rep_a.organization_id and made.created_by_id == rep_a.id
    assert made.state == ProposalState.submitted
    assert made.themes == [] and made.merged_into_id is None and made.hidden_at is None
    assert (made.answer_tr, made.answer_en, made.answered_by_id) == ("", "", None)
    assert made.personal_data == [] or made.personal_data is None


@pytest.mark.parametrize("which", ["api_proposal", "api_draft_a"])
def test_a_crafted_edit_changes_only_what_the_form_offers(app, scene, which):
    people, ids = scene
    proposal_id = ids[which]
    before = _protected(proposal_id)
    client = _client(app, people["participant_a"])
    values = page(client.get(f"/proposals/{proposal_id}/edit")).form_with("title").form_values()
    action = "draft" if which == "api_draft_a" else "save"
    data = {**values, **_crafted(ids, people, ids["api_members_proposal"],
                                 title="Yeni başlık", action=action)}  # fmt: skip
    response = client.post(f"/proposals/{proposal_id}/edit", data=data)
    assert response.status_code == 303, page(response).text[:400]
    assert _row(Proposal, proposal_id)["title"] == "Yeni başlık"  # the edit itself went through
    assert _protected(proposal_id) == before
    # The autosave of a draft takes the same form.
    if which == "api_draft_a":
        client.post(f"/proposals/{proposal_id}/autosave", data={**data, "title": "Otomatik"})
        assert _row(Proposal, proposal_id)["title"] == "Otomatik"
        assert _protected(proposal_id) == before


def test_a_crafted_comment_or_vote_counts_for_ones_own_organisation(app, scene):
    people, ids = scene
    rep_a, rep_b = people["participant_a"], people["participant_b"]
    client = _client(app, rep_a)
    foreign = {"organization_id": rep_b.organization_id, "author_id": rep_b.id,
               "user_id": rep_b.id, "cast_by_id": rep_b.id}  # fmt: skip
    data = {"body": "Kimin yorumu?", "kind": "comment", **foreign}
    response = client.post(f"/proposals/{ids['api_proposal']}/comments", data=data)
    assert response.status_code == 303
    comment = db.session.scalar(select(Comment).where(Comment.body == "Kimin yorumu?"))
    assert (comment.author_id, comment.organization_id) == (rep_a.id, rep_a.organization_id)
    # org_b's proposal takes org_a's vote, never one in org_b's name.
    client.post(f"/proposals/{ids['voted']}/vote", data={"points": "0", **foreign})
    client.post(f"/proposals/{ids['voted']}/vote", data={"points": "1", **foreign})
    votes = db.session.scalars(select(Vote).where(Vote.proposal_id == ids["voted"])).all()
    assert [(v.organization_id, v.cast_by_id) for v in votes] == [(rep_a.organization_id, rep_a.id)]


# --- links sent by mail carry tokens, not counters -----------------------------------------------


def _links(kind: str) -> list[str]:
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    ).all()
    return [outbox_link(m.body_text) for m in mails]


def test_invitation_links_carry_long_random_tokens(app, scene):
    people, _ids = scene
    client = _client(app, people["organizer"])
    for n in (1, 2):
        response = client.post("/admin/invitations", data={
            "email": f"davetli{n}@ornek.example", "role": "moderator", "organization": "",
            "locale": "tr"})  # fmt: skip
        assert response.status_code == 303
    first, second = (link.rsplit("/", 1)[-1] for link in _links("invitation")[-2:])
    for token in (first, second):
        assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", token), token
        assert not token.isdigit()
    assert first[:8] != second[:8]  # no shared prefix, no counter
    # The database keeps a hash only: the token itself is nowhere in it.
    assert db.session.scalar(select(Invitation).where(Invitation.token_hash == first)) is None
    # An invitation's id is no key to it.
    invitation_id = db.session.scalar(select(Invitation.id).order_by(Invitation.id.desc()))
    assert _client(app, None).get(f"/invitation/{invitation_id}").status_code == 404


def test_password_reset_links_are_signed_tokens_that_cannot_be_forged(app, scene):
    people, _ids = scene
    rep_a, rep_b = people["participant_a"], people["participant_b"]
    client = _client(app, None)
    for person in (rep_a, rep_b):
        assert client.post("/password/forgot", data={"email": person.email}).status_code == 303
    token_a, token_b = (link.rsplit("/", 1)[-1] for link in _links("password_reset")[-2:])
    assert len(token_a) >= 40 and not token_a.isdigit() and token_a != token_b
    assert client.get(f"/password/reset/{token_a}").status_code == 200
    # Another person's id in the payload with the first person's signature: refused.
    payload_b, rest_a = token_b.split(".", 1)[0], token_a.split(".", 1)[1]
    for forged in (f"{payload_b}.{rest_a}", token_a[:-2] + ("AA" if token_a[-2:] != "AA" else "BB"),
                   str(rep_a.id), str(rep_b.id)):  # fmt: skip
        response = client.get(f"/password/reset/{forged}")
        assert response.status_code == 303 and "/password/forgot" in response.location, forged


# --- no answer tells whether an address has an account -------------------------------------------


def _comparable(response: Any, *emails: str) -> str:
    """The page without what differs by construction: the CSRF token, the address typed."""
    text = response.get_data(as_text=True)
    token = page(response).find("input", name="csrf_token")
    if token is not None and token.get("value"):
        text = text.replace(token.get("value"), "TOKEN")
    for email in emails:
        text = text.replace(email, "EMAIL")
    return text


@pytest.mark.parametrize("csrf", [False, True], ids=["no-csrf", "csrf"])
def test_login_says_the_same_for_a_known_and_an_unknown_address(app, scene, csrf):
    people, _ids = scene
    if csrf:
        hostile.check_csrf(app)
    known, unknown = people["participant_a"].email, "kimse@yok.example"
    answers = []
    for email in (known, unknown):
        client = app.test_client()
        data = {"email": email, "password": PASSWORD + "yanlış"}
        if csrf:
            data["csrf_token"] = hostile.csrf_token(client, "/login") or ""
        answers.append(client.post("/login", data=data))
    assert answers[0].status_code == answers[1].status_code == 200
    assert _comparable(answers[0], known, unknown) == _comparable(answers[1], known, unknown)


def test_login_lockout_comes_as_soon_for_an_unknown_address(app, scene):
    """The per-address limit counts unknown addresses too: a 429 tells nothing either."""
    people, _ids = scene
    known, unknown = people["participant_a"].email, "kimse@yok.example"
    statuses = {}
    for email in (known, unknown):
        client = app.test_client()
        statuses[email] = [
            client.post("/login", data={"email": email, "password": "yanlış parola"}).status_code
            for _attempt in range(12)
        ]
    assert statuses[known] == statuses[unknown]
    assert 429 in statuses[known]


def test_password_reset_says_the_same_for_a_known_and_an_unknown_address(app, scene):
    people, _ids = scene
    known, unknown = people["participant_a"].email, "kimse@yok.example"
    answers = []
    for email in (known, unknown):
        client = app.test_client()
        response = client.post("/password/forgot", data={"email": email})
        followed = client.get(response.location)
        shown = _comparable(followed, known, unknown)
        answers.append((response.status_code, response.location, shown))
    assert answers[0] == answers[1]
    assert answers[0][0] == 303
    assert len(_links("password_reset")) == 1  # and the mail went to the known address only
