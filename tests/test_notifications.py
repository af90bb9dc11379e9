"""Who hears of a comment, how (at once, in a daily digest, not at all), and the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from auth.models import (
    Notification,
    NotificationMode,
    OutboxMessage,
    Role,
)
from extensions import db
from proposals import discussion, notifications
from proposals.models import (
    CommentKind,
    Partnership,
    PartnershipState,
    Proposal,
    ProposalState,
)
from tests.dom import page
from text import fold


@pytest.fixture
def make_proposal(app, make_campaign, org_a) -> Callable[..., Proposal]:
    def make(organization=None, title: str = "Mor Bant Atölyesi", **kwargs: Any) -> Proposal:
        proposal = Proposal(
            campaign=make_campaign(),
            organization=organization or org_a,
            state=ProposalState.submitted,
            title=title,
            summary="Kadınlarla dayanışma atölyesi.",
            description="Atölyenin ayrıntıları.",
            search_text=fold(title),
            **kwargs,
        )
        db.session.add(proposal)
        db.session.commit()
        return proposal

    return make


@pytest.fixture
def world(make_proposal, make_org, make_user, org_a, org_b, rep_a, rep_b):
    """org_a's proposal with org_b as confirmed partner, a pending partner and a bystander."""
    pending_org = make_org("Çiğli Kadın Kooperatifi")
    bystander_org = make_org("Buca Gençlik Derneği")
    people = {
        "rep_a": rep_a,
        "rep_a2": make_user(organization=org_a, name="Zeynep Kaya", locale="en"),
        "rep_b": rep_b,
        "pending": make_user(organization=pending_org, name="Hatice Ak"),
        "bystander": make_user(organization=bystander_org, name="Elif Su"),
    }
    proposal = make_proposal()
    proposal.partnerships = [
        Partnership(organization=org_b, state=PartnershipState.confirmed),
        Partnership(organization=pending_org, state=PartnershipState.pending),
    ]
    db.session.commit()
    return proposal, people


def received(user) -> list[Notification]:
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def mails_to(user) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == user.email)
    ).all()


def in_locale(locale: str, message: str, **params: Any) -> str:
    with force_locale(locale):
        return gettext(message, **params)


def post(proposal, user, body="Bir yorum", *, now, parent=None, kind=CommentKind.comment):
    comment = discussion.post_comment(proposal, user, body, kind, now, parent)
    db.session.commit()
    return comment


# --- who hears of what ---------------------------------------------------------------------


def test_a_comment_reaches_the_author_and_confirmed_partner_organisations(world, moderator, clock):
    proposal, people = world
    post(proposal, moderator, "Bütçe nedir?", now=clock.now)
    for name in ("rep_a", "rep_a2", "rep_b"):
        got = received(people[name])
        assert [n.kind for n in got] == ["comment"], name
        assert got[0].params == {"organization": moderator.name, "title": "Mor Bant Atölyesi"}
        assert got[0].link.endswith(f"/proposals/{proposal.id}")
        assert got[0].created_at == clock.now
    for name in ("pending", "bystander"):
        assert received(people[name]) == [], name
    assert received(moderator) == []


def test_the_commenter_is_not_told_of_their_own_comment(world, clock):
    proposal, people = world
    post(proposal, people["rep_a"], "Güncelleme: yer belli oldu.", now=clock.now)
    assert received(people["rep_a"]) == []
    assert [n.kind for n in received(people["rep_a2"])] == ["comment"]
    assert received(people["rep_a2"])[0].params["organization"] == (
        "Karşıyaka Kadın Dayanışma Derneği"
    )


def test_a_reply_tells_the_author_of_the_comment_once(world, make_user, make_org, clock):
    proposal, people = world
    outsider = make_user(organization=make_org("Konak Engelliler Derneği"))
    question = post(proposal, outsider, "Erişilebilir mi?", now=clock.now)
    for user in people.values():
        db.session.execute(db.delete(Notification).where(Notification.user_id == user.id))
    db.session.commit()

    post(proposal, people["rep_a"], "Evet, rampa var.", now=clock.now, parent=question)
    assert [n.kind for n in received(outsider)] == ["reply"]
    assert received(outsider)[0].params["organization"] == "Karşıyaka Kadın Dayanışma Derneği"
    assert [n.kind for n in received(people["rep_a2"])] == ["comment"]
    assert [n.kind for n in received(people["rep_b"])] == ["comment"]
    assert received(people["rep_a"]) == []


def test_a_member_who_is_answered_gets_the_reply_not_both(world, clock):
    proposal, people = world
    question = post(proposal, people["rep_a2"], "Tarih kesin mi?", now=clock.now)
    before = {name: len(received(user)) for name, user in people.items()}
    post(proposal, people["rep_b"], "Bizce kesin.", now=clock.now, parent=question)
    new = {name: received(user)[before[name] :] for name, user in people.items()}
    assert [n.kind for n in new["rep_a2"]] == ["reply"]
    assert [n.kind for n in new["rep_a"]] == ["comment"]
    assert new["rep_b"] == []


def test_a_reply_to_a_reply_tells_both_authors(world, moderator, clock):
    proposal, people = world
    question = post(proposal, people["rep_b"], "Soru", now=clock.now)
    answer = post(proposal, people["rep_a2"], "Yanıt", now=clock.now, parent=question)
    before = {name: len(received(user)) for name, user in people.items()}
    post(proposal, moderator, "Ek bilgi", now=clock.now, parent=answer)
    new = {name: [n.kind for n in received(user)[before[name] :]] for name, user in people.items()}
    assert new["rep_a2"] == ["reply"]
    assert new["rep_b"] == ["reply"]
    assert new["rep_a"] == ["comment"]


# --- how: at once, daily, never --------------------------------------------------------------


def test_immediate_mail_is_written_in_the_readers_language(world, moderator, clock):
    proposal, people = world
    post(proposal, moderator, "Bütçe nedir?", now=clock.now)
    params = {"organization": moderator.name, "title": "Mor Bant Atölyesi"}
    sentence = "%(organization)s commented on “%(title)s”."
    turkish, english = in_locale("tr", sentence, **params), in_locale("en", sentence, **params)
    assert turkish != english, "the Turkish catalogue should translate this sentence"

    (to_turkish,) = mails_to(people["rep_a"])  # locale "tr"
    (to_english,) = mails_to(people["rep_a2"])  # locale "en"
    assert to_turkish.locale == "tr" and to_english.locale == "en"
    assert turkish in to_turkish.body_text and turkish in to_turkish.subject
    assert english not in to_turkish.body_text
    assert english in to_english.body_text and english in to_english.subject
    assert english in to_english.body_html
    assert f"/proposals/{proposal.id}" in to_english.body_text
    assert to_english.kind == "notification.comment"
    assert all(n.mailed_at == clock.now for n in received(people["rep_a"]))


def test_daily_readers_get_one_digest(world, moderator, clock):
    proposal, people = world
    reader = people["rep_a2"]
    reader.notification_mode = NotificationMode.daily
    db.session.commit()
    post(proposal, moderator, "Birinci", now=clock.now)
    post(proposal, people["rep_b"], "İkinci", now=clock.now)
    assert mails_to(reader) == []  # nothing at once
    assert [n.mailed_at for n in received(reader)] == [None, None]

    clock.advance(hours=20)
    assert notifications.send_digests(clock.now) == 1
    db.session.commit()
    (digest,) = mails_to(reader)
    assert digest.kind == "digest"
    assert digest.locale == "en"
    for speaker in (moderator.name, "Bornova Kadın Emeği Kooperatifi"):
        line = in_locale(
            "en",
            "%(organization)s commented on “%(title)s”.",
            organization=speaker,
            title="Mor Bant Atölyesi",
        )
        assert line in digest.body_text
        assert line in digest.body_html
    assert [n.mailed_at for n in received(reader)] == [clock.now, clock.now]
    # Nothing new: no second digest.
    assert notifications.send_digests(clock.now) == 0
    assert len(mails_to(reader)) == 1


def test_off_means_no_mail_ever(world, moderator, clock):
    proposal, people = world
    reader = people["rep_a2"]
    reader.notification_mode = NotificationMode.off
    db.session.commit()
    post(proposal, moderator, "Birinci", now=clock.now)
    assert [n.kind for n in received(reader)] == ["comment"]  # still shown in the app
    assert mails_to(reader) == []
    notifications.send_digests(clock.now)
    db.session.commit()
    assert mails_to(reader) == []


def test_the_send_digests_command(app, world, moderator, clock):
    proposal, people = world
    reader = people["rep_b"]
    reader.notification_mode = NotificationMode.daily
    db.session.commit()
    post(proposal, moderator, "Birinci", now=clock.now)
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    db.session.expire_all()
    assert [m.kind for m in mails_to(reader)] == ["digest"]
    assert all(n.mailed_at is not None for n in received(reader))


# --- pages ---------------------------------------------------------------------------------


def test_the_notifications_page_and_the_header_count(world, moderator, client, auth, clock):
    proposal, people = world
    reader = people["rep_a"]
    post(proposal, moderator, "Birinci", now=clock.now)
    clock.advance(minutes=5)
    post(proposal, people["rep_b"], "İkinci", now=clock.now)
    auth.login(reader)

    response = client.get("/notifications")
    assert response.status_code == 200
    tree = page(response)
    header_link = tree.one("a", class_="notifications-link")
    assert header_link.text == in_locale("tr", "Notifications (%(count)d)", count=2)
    items = tree.find_all("li", class_="notification")
    newest = in_locale(
        "tr",
        "%(organization)s commented on “%(title)s”.",
        organization="Bornova Kadın Emeği Kooperatifi",
        title="Mor Bant Atölyesi",
    )
    assert newest in items[0].text  # newest first, in the reader's language
    assert moderator.name in items[1].text
    assert all("notification-unread" in (li.get("class") or "") for li in items)
    assert items[0].one("a").get("href").endswith(f"/proposals/{proposal.id}")

    marked = client.post("/notifications/read")
    assert marked.status_code == 303
    after = page(client.get("/notifications"))
    assert after.one("a", class_="notifications-link").text == in_locale("tr", "Notifications")
    assert after.find_all("li", class_="notification-unread") == []
    assert notifications.unread_count(reader) == 0
    # Only the reader's own notifications were marked.
    assert notifications.unread_count(people["rep_a2"]) == 2


def test_the_page_shows_only_ones_own_notifications(world, moderator, client, auth, clock):
    proposal, people = world
    post(proposal, moderator, "Birinci", now=clock.now)
    auth.login(people["bystander"])
    tree = page(client.get("/notifications"))
    assert tree.find_all("li", class_="notification") == []


def test_choosing_how_to_be_told(world, client, auth):
    _, people = world
    reader = people["rep_b"]
    auth.login(reader)
    form = page(client.get("/notifications/settings")).form_with("mode")
    assert form.form_values()["mode"] == "immediate"
    response = client.post("/notifications/settings", data={"mode": "daily"})
    assert response.status_code == 303
    db.session.expire_all()
    assert reader.notification_mode == NotificationMode.daily
    bad = client.post("/notifications/settings", data={"mode": "hourly"})
    assert bad.status_code == 200
    db.session.expire_all()
    assert reader.notification_mode == NotificationMode.daily


def test_notification_pages_need_a_login(client):
    for response in (
        client.get("/notifications"),
        client.post("/notifications/read"),
        client.get("/notifications/settings"),
    ):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_staff_speak_in_their_own_name(world, make_user, clock):
    proposal, people = world
    organiser = make_user(Role.organizer, name="Gamze Ertürk")
    post(proposal, organiser, "Takvim değişti.", now=clock.now)
    assert received(people["rep_a"])[0].params["organization"] == "Gamze Ertürk"
