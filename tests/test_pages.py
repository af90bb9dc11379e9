"""Pages as people meet them: error pages in both languages, landmarks, flash messages,
user-written Markdown, organisation pages and the KVKK notice."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select

from auth.models import AuditEntry, Organization, Role
from extensions import db
from tests.conftest import AuthActions
from tests.dom import Element, page

ROOT = Path(__file__).resolve().parent.parent
TURKISH_COMPILED = (ROOT / "translations" / "tr" / "LC_MESSAGES" / "messages.mo").exists()

ERRORS = {
    400: "The request could not be understood",
    403: "You may not do this",
    404: "Page not found",
}


def shown(msgid: str, locale: str, **kwargs: Any) -> str:
    with force_locale(locale):
        return gettext(msgid, **kwargs)


def switch_language(client: Any, locale: str) -> None:
    response = client.post("/language", data={"locale": locale, "next": "/"})
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/"


def assert_error_page(response: Any, status: int, locale: str) -> None:
    assert response.status_code == status
    doc = page(response)
    assert doc.one("html").get("lang") == locale
    title = shown(ERRORS[status], locale)
    assert doc.one("h1").text == title
    assert title in doc.one("title").text
    if locale == "tr" and TURKISH_COMPILED:
        assert title != ERRORS[status], "the Turkish catalogue does not translate this title"
    if locale == "en":
        assert title == ERRORS[status]
    # A way back home, whatever went wrong.
    assert doc.one("main").find("a", href="/") is not None


# --- error pages --------------------------------------------------------------------------


def test_404_for_an_unknown_address_in_turkish_then_english(client) -> None:
    assert_error_page(client.get("/boyle-bir-sayfa-yok"), 404, "tr")
    switch_language(client, "en")
    assert_error_page(client.get("/boyle-bir-sayfa-yok"), 404, "en")


def test_403_in_turkish_then_english(client, auth, rep_a) -> None:
    auth.login(rep_a)
    assert_error_page(client.get("/campaigns/new"), 403, "tr")
    switch_language(client, "en")
    assert_error_page(client.get("/campaigns/new"), 403, "en")
    # The choice is kept on the account, for the next sign-in.
    db.session.refresh(rep_a)
    assert rep_a.locale == "en"


def test_400_for_a_bad_language_value_in_turkish_then_english(client) -> None:
    for bad in ("xx", "", "TR", "de"):
        assert_error_page(client.post("/language", data={"locale": bad}), 400, "tr")
    switch_language(client, "en")
    assert_error_page(client.post("/language", data={"locale": "xx"}), 400, "en")
    # The bad value did not change the language.
    assert page(client.get("/")).one("html").get("lang") == "en"


def test_english_then_back_to_turkish(client) -> None:
    switch_language(client, "en")
    assert page(client.get("/")).one("html").get("lang") == "en"
    switch_language(client, "tr")
    assert_error_page(client.get("/yok"), 404, "tr")


def test_the_language_switch_offers_the_other_language(client) -> None:
    doc = page(client.get("/"))
    form = doc.one("form", action="/language")
    buttons = form.find_all("button", name="locale")
    assert [(b.get("value"), b.get("lang"), b.text) for b in buttons] == [("en", "en", "English")]
    switch_language(client, "en")
    buttons = page(client.get("/")).one("form", action="/language").find_all("button")
    assert [(b.get("value"), b.get("lang"), b.text) for b in buttons] == [("tr", "tr", "Türkçe")]


def test_the_language_switch_returns_to_the_same_page(client, make_campaign) -> None:
    campaign = make_campaign()
    path = f"/campaigns/{campaign.slug}"
    form = page(client.get(path)).one("form", action="/language")
    assert form.form_values()["next"] == path
    response = client.post("/language", data={"locale": "en", "next": path})
    assert urlsplit(response.headers["Location"]).path == path
    # Only addresses on this site.
    response = client.post("/language", data={"locale": "en", "next": "//evil.example/x"})
    assert urlsplit(response.headers["Location"]).netloc in {"", "localhost"}
    assert urlsplit(response.headers["Location"]).path == "/"


# --- landmarks on every page -------------------------------------------------------------


def assert_landmarks(doc: Element, where: str) -> None:
    body = doc.one("body")
    links = body.find_all("a")
    assert links, where
    skip = links[0]  # the first thing a keyboard reaches
    assert skip.get("href") == "#main", where
    assert "skip-link" in (skip.get("class") or "").split(), where
    assert skip.text, where
    main = doc.one("main")
    assert main.get("id") == "main", where
    navs = doc.find_all("nav")
    assert navs, where
    for nav in navs:
        assert (nav.get("aria-label") or "").strip(), where
    flashes = doc.one("div", class_="flashes")  # where flash messages appear
    assert flashes.get("role") == "status", where
    assert flashes in main.find_all(), where
    assert doc.one("html").get("lang") in {"tr", "en"}, where
    assert doc.one("title").text.strip(" ·"), where
    assert len(doc.find_all("h1")) == 1, where
    assert body.find("a", href="/privacy") is not None, where


@pytest.fixture
def world(make_campaign, org_a, rep_a) -> dict[str, Any]:
    campaign = make_campaign()
    return {"campaign": campaign.slug, "org": org_a.id}


def anonymous_paths(world: dict[str, Any]) -> list[str]:
    return [
        "/",
        "/login",
        "/password/forgot",
        "/organizations",
        f"/organizations/{world['org']}",
        f"/campaigns/{world['campaign']}",
        "/privacy",
        "/boyle-bir-sayfa-yok",  # the 404 page too
    ]


def organizer_paths(world: dict[str, Any]) -> list[str]:
    return [
        "/",
        "/account",
        "/account/password",
        "/campaigns/new",
        "/campaigns/new?template=25-kasim",
        f"/campaigns/{world['campaign']}",
        f"/campaigns/{world['campaign']}/edit",
        "/admin/people",
        "/admin/invitations",
        "/organizations",
        f"/organizations/{world['org']}",
        f"/organizations/{world['org']}/edit",
        "/privacy",
    ]


@pytest.mark.parametrize("locale", ["tr", "en"])
def test_every_page_has_a_skip_link_a_main_and_named_navigation(
    client, auth, organizer, rep_b, world, locale: str
) -> None:
    if locale == "en":
        switch_language(client, "en")
    for path in anonymous_paths(world):
        response = client.get(path)
        assert response.status_code in {200, 404}, path
        assert_landmarks(page(response), path)

    auth.login(organizer)
    for path in organizer_paths(world):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_landmarks(page(response), path)
    auth.logout()

    auth.login(rep_b)
    response = client.get("/campaigns/new")
    assert response.status_code == 403
    assert_landmarks(page(response), "403")


def test_a_rerendered_form_with_errors_keeps_the_landmarks(client, auth, organizer) -> None:
    auth.login(organizer)
    response = client.post("/campaigns/new", data={"title": ""})
    assert response.status_code == 200
    doc = page(response)
    assert_landmarks(doc, "campaign form with errors")
    assert doc.one("div", class_="error-summary").get("role") == "alert"


def test_flash_messages_are_announced_in_a_status_region(client, auth, rep_a) -> None:
    response = auth.login(rep_a, follow_redirects=True)
    assert response.status_code == 200
    region = page(response).one("div", class_="flashes")
    assert region.get("role") == "status"
    assert region.get("aria-live") == "polite"
    welcome = shown("Welcome, %(name)s.", "tr", name=rep_a.name)
    assert [p.text for p in region.find_all("p")] == [welcome]
    # Shown once, then gone.
    assert page(client.get("/")).one("div", class_="flashes").find_all("p") == []

    response = client.post("/logout", follow_redirects=True)
    region = page(response).one("div", class_="flashes", role="status")
    assert [p.text for p in region.find_all("p")] == [shown("You have logged out.", "tr")]


def test_the_login_redirect_message_is_in_the_status_region(client, make_campaign) -> None:
    response = client.get("/account", follow_redirects=True)
    assert response.request.path == "/login"
    region = page(response).one("div", class_="flashes", role="status")
    assert [p.text for p in region.find_all("p")] == [
        shown("Please log in to see this page.", "tr")
    ]


# --- user-written Markdown ------------------------------------------------------------------

HOSTILE = """Önerilerinizi **bekliyoruz**, ayrıntılar [burada](https://ornek.example/bilgi).

# Kullanıcının başlığı

<script>alert("xss")</script>

<img src="x" onerror="alert(1)">

<p onclick="alert(2)">tıkla</p>

[tehlikeli bağlantı](javascript:alert(3))

[büyük harfli](JaVaScRiPt:alert(4))

<a href="javascript:alert(5)">ham bağlantı</a>

- bir
- iki
"""


def assert_inert(prose: Element, *, tags: bool = True) -> None:
    for element in [prose, *prose.find_all()]:
        if tags:
            assert element.tag not in {"script", "img", "iframe", "style"}, element
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            if name.lower() in {"href", "src"}:
                scheme = urlsplit((value or "").strip()).scheme.lower()
                assert scheme in {"", "http", "https", "mailto"}, value


def test_campaign_description_markdown_is_rendered_and_sanitised(client, make_campaign) -> None:
    campaign = make_campaign(description=HOSTILE)
    response = client.get(f"/campaigns/{campaign.slug}")
    assert response.status_code == 200
    doc = page(response)
    prose = doc.one("div", class_="prose")
    assert_inert(prose)

    # The Markdown itself is rendered.
    assert prose.one("strong").text == "bekliyoruz"
    link = prose.one("a")
    assert link.get("href") == "https://ornek.example/bilgi"
    assert link.text == "burada"
    assert "nofollow" in (link.get("rel") or "")
    assert [li.text for li in prose.one("ul").find_all("li")] == ["bir", "iki"]
    # A heading the user writes sits below the page's own h1.
    assert prose.find("h1") is None
    assert prose.one("h2").text == "Kullanıcının başlığı"
    assert len(doc.find_all("h1")) == 1

    # What was hostile is shown as harmless text, not run.
    assert '<script>alert("xss")</script>' in prose.text
    assert "[tehlikeli bağlantı](javascript:alert(3))" in prose.text
    # The page's only scripts are the site's own files, from its static folder.
    scripts = doc.find_all("script")
    assert scripts
    for script in scripts:
        assert (script.get("src") or "").startswith("/static/"), script
        assert not script.text, script
    assert_inert(doc.one("body"), tags=False)
    assert "<script>alert" not in response.get_data(as_text=True)


def test_organisation_description_markdown_is_sanitised(client, make_org) -> None:
    org = make_org("Güvenli Dernek", description=HOSTILE)
    doc = page(client.get(f"/organizations/{org.id}"))
    prose = doc.one("div", class_="prose")
    assert_inert(prose)
    assert prose.one("strong").text == "bekliyoruz"


# --- organisation pages --------------------------------------------------------------------


def test_members_are_shown_only_to_signed_in_people(client, auth, org_a, rep_a, rep_b) -> None:
    anonymous = page(client.get(f"/organizations/{org_a.id}"))
    assert anonymous.one("h1").text == org_a.name
    assert rep_a.name not in anonymous.one("main").text
    assert shown("Members", "tr") not in [h.text for h in anonymous.one("main").find_all("h2")]

    auth.login(rep_b)  # a member of another organisation
    signed_in = page(client.get(f"/organizations/{org_a.id}"))
    assert rep_a.name in [li.text for li in signed_in.one("main").find_all("li")]
    assert shown("Members", "tr") in [h.text for h in signed_in.one("main").find_all("h2")]
    # Not theirs to edit.
    assert signed_in.find("a", href=f"/organizations/{org_a.id}/edit") is None


def test_a_member_edits_the_page_of_their_organisation(client, auth, org_a, rep_a) -> None:
    auth.login(rep_a)
    doc = page(client.get(f"/organizations/{org_a.id}"))
    assert doc.find("a", href=f"/organizations/{org_a.id}/edit") is not None
    form = page(client.get(f"/organizations/{org_a.id}/edit")).form_with("description")
    sent = form.form_values()
    assert sent["name"] == org_a.name
    sent["description"] = "Hukuki danışmanlık ve **dayanışma**."
    sent["website"] = "https://karsiyaka-kadin.example"
    response = client.post(f"/organizations/{org_a.id}/edit", data=sent)
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == f"/organizations/{org_a.id}"

    db.session.expire_all()
    stored = db.session.get(Organization, org_a.id)
    assert stored.description == "Hukuki danışmanlık ve **dayanışma**."
    assert stored.website == "https://karsiyaka-kadin.example"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organization.update"))
    assert entry.actor_id == rep_a.id
    assert entry.before["description"] == ""
    assert entry.after["website"] == "https://karsiyaka-kadin.example"

    shown_page = page(client.get(f"/organizations/{org_a.id}"))
    assert shown_page.one("div", class_="prose").one("strong").text == "dayanışma"


def test_a_member_of_another_organisation_gets_403(client, auth, org_a, rep_a, rep_b) -> None:
    auth.login(rep_b)
    assert client.get(f"/organizations/{org_a.id}/edit").status_code == 403
    response = client.post(
        f"/organizations/{org_a.id}/edit",
        data={"name": "Ele geçirildi", "description": "x", "website": ""},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Organization, org_a.id).name == "Karşıyaka Kadın Dayanışma Derneği"


def test_moderators_may_not_edit_and_anonymous_visitors_must_log_in(
    client, auth, org_a, moderator
) -> None:
    response = client.get(f"/organizations/{org_a.id}/edit")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    auth.login(moderator)
    assert client.get(f"/organizations/{org_a.id}/edit").status_code == 403


def test_renaming_to_another_organisations_name_is_refused(
    client, auth, org_a, org_b, rep_a
) -> None:
    auth.login(rep_a)
    response = client.post(
        f"/organizations/{org_a.id}/edit",
        data={"name": "BORNOVA KADIN EMEĞİ KOOPERATİFİ", "description": "", "website": ""},
    )
    assert response.status_code == 200
    error = page(response).one("p", id="name-error")
    assert error.text == shown("Another organisation already has this name.", "tr")
    db.session.expire_all()
    assert db.session.get(Organization, org_a.id).name == "Karşıyaka Kadın Dayanışma Derneği"


def login_status(auth: AuthActions, user: Any) -> int:
    return auth.login(user).status_code


def test_organisers_deactivate_and_reactivate_an_organisation(
    app: Flask, client, auth, organizer, org_a, rep_a, rep_b
) -> None:
    # rep_a is signed in elsewhere when the organisation is deactivated.
    elsewhere = app.test_client()
    elsewhere_auth = AuthActions(elsewhere)
    assert login_status(elsewhere_auth, rep_a) == 303
    assert elsewhere.get("/account").status_code == 200

    auth.login(organizer)
    response = client.post(f"/organizations/{org_a.id}/active", data={"active": "0"})
    assert response.status_code == 303
    doc = page(client.get(f"/organizations/{org_a.id}"))
    assert doc.find("span", class_="badge-revoked") is not None
    reactivate = doc.one("form", action=f"/organizations/{org_a.id}/active")
    assert reactivate.form_values()["active"] == "1"
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "organization.deactivate")
    )
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})
    auth.logout()

    # Its members cannot log in, and the open session has ended.
    response = auth.login(rep_a)
    assert response.status_code == 200
    assert page(response).one("p", id="password-error").text == shown(
        "This account has been deactivated. Please contact the organisers if unexpected.", "tr"
    )
    account = elsewhere.get("/account")
    assert account.status_code == 302
    assert urlsplit(account.headers["Location"]).path == "/login"
    # Other organisations are not affected.
    assert login_status(auth, rep_b) == 303
    auth.logout()
    # Visitors no longer find it.
    assert client.get(f"/organizations/{org_a.id}").status_code == 404
    names = [a.text for a in page(client.get("/organizations")).one("main").find_all("a")]
    assert org_a.name not in names

    auth.login(organizer)
    assert f"/organizations/{org_a.id}" in [
        a.get("href") for a in page(client.get("/organizations")).one("main").find_all("a")
    ]
    response = client.post(f"/organizations/{org_a.id}/active", data={"active": "1"})
    assert response.status_code == 303
    auth.logout()

    assert login_status(auth, rep_a) == 303
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("who", ["participant", "moderator"])
def test_only_organisers_may_deactivate_an_organisation(
    client, auth, org_a, rep_a, rep_b, moderator, who: str
) -> None:
    auth.login(rep_a if who == "participant" else moderator)
    response = client.post(f"/organizations/{org_a.id}/active", data={"active": "0"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Organization, org_a.id).active
    auth.logout()
    assert login_status(auth, rep_a) == 303


def test_the_deactivate_button_is_only_for_organisers(client, auth, org_a, rep_a) -> None:
    auth.login(rep_a)
    doc = page(client.get(f"/organizations/{org_a.id}"))
    assert doc.find("form", action=f"/organizations/{org_a.id}/active") is None


def test_a_deactivated_member_keeps_the_organisation_page_listing_them(
    client, auth, organizer, org_a, rep_a, make_user
) -> None:
    colleague = make_user(Role.participant, organization=org_a, name="Zeynep Kaya")
    auth.login(organizer)
    response = client.post(f"/admin/people/{colleague.id}/active", data={"active": "0"})
    assert response.status_code == 303
    items = page(client.get(f"/organizations/{org_a.id}")).one("main").find_all("li")

    def member(name: str) -> Element:
        (found,) = [li for li in items if li.text.startswith(name)]
        return found

    assert member(rep_a.name).find("span", class_="badge-revoked") is None
    badge = member("Zeynep Kaya").one("span", class_="badge-revoked")
    assert badge.text == shown("Deactivated", "tr")


# --- the KVKK notice ----------------------------------------------------------------------


def test_privacy_shows_the_kvkk_notice_in_turkish_then_english(client) -> None:
    doc = page(client.get("/privacy"))
    assert doc.one("html").get("lang") == "tr"
    article = doc.one("article")
    assert "6698 sayılı Kişisel Verilerin Korunması Kanunu" in article.text
    assert "KVKK" in article.text
    assert "Veri sorumlusu" in article.text
    assert "Haklarınız" in [h.text for h in article.find_all("h3")]

    switch_language(client, "en")
    doc = page(client.get("/privacy"))
    assert doc.one("html").get("lang") == "en"
    article = doc.one("article")
    assert "Personal Data Protection Law no. 6698 (KVKK)" in article.text
    assert "Data controller" in article.text
    assert "6698 sayılı" not in article.text


def test_every_page_links_to_the_notice(client) -> None:
    footer = page(client.get("/")).one("footer")
    link = footer.one("a", href="/privacy")
    assert link.text == shown("Data-processing notice (KVKK)", "tr")
