"""The pages of theme suggestions and likely duplicates, and the similar-proposals list on
the proposal form: what each visitor sees, the forms without JavaScript (303 back) and
with htmx (the row swapped in place, focus handed on), and who may open them."""

# ruff: noqa: F811 - the fixtures imported from tests.test_similarity are parameters here

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import func, select

from auth.models import AuditEntry, User
from extensions import db
from proposals.models import Campaign, Proposal, ThemeSuggestionDismissal
from tests.dom import Element, page, parse
from tests.test_similarity import add_theme, propose, world  # noqa: F401 - fixtures


def turkish(message: str, **variables: Any) -> str:
    with force_locale("tr"):
        return gettext(message, **variables)


def htmx(target: str) -> dict[str, str]:
    return {"HX-Request": "true", "HX-Target": target, "HX-Current-URL": "http://localhost/"}


def suggestions_url(campaign: Campaign) -> str:
    return f"/campaigns/{campaign.slug}/suggestions"


def accept_url(proposal: Proposal, theme: Any) -> str:
    return f"/proposals/{proposal.id}/suggestions/{theme.id}/accept"


def dismiss_url(proposal: Proposal, theme: Any) -> str:
    return f"/proposals/{proposal.id}/suggestions/{theme.id}/dismiss"


def row(doc: Element, proposal: Proposal) -> Element:
    return doc.one("tr", id=f"suggestion-row-{proposal.id}")


def offered(doc: Element, proposal: Proposal) -> list[str]:
    """The accept URLs a proposal's row offers, best suggestion first."""
    return [
        f.get("action") or ""
        for f in row(doc, proposal).find_all("form")
        if "accept" in (f.get("action") or "")
    ]


@pytest.fixture
def as_moderator(client: FlaskClient, auth: Any, moderator: User) -> FlaskClient:
    auth.login(moderator)
    return client


# --- the suggestions page ----------------------------------------------------------------------


def test_moderators_see_each_unthemed_proposal_with_scored_suggestions(
    as_moderator: FlaskClient, world: dict[str, Any]
) -> None:
    response = as_moderator.get(suggestions_url(world["campaign"]))
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("h1").text == turkish("Theme suggestions")
    assert doc.find("nav", class_="moderation-nav") is not None
    table = doc.one("table", class_="suggestion-table")
    with force_locale("tr"):
        caption = ngettext(
            "%(num)d proposal without a theme", "%(num)d proposals without a theme", 2
        )
    assert table.one("caption").text == caption
    rows = table.find_all("tr", id=True)
    assert [r.get("id") for r in rows] == [
        f"suggestion-row-{world['guide'].id}",
        f"suggestion-row-{world['desk'].id}",
    ]
    guide = row(doc, world["guide"])
    assert world["guide"].title in guide.one("th").text
    assert offered(doc, world["guide"])[0] == accept_url(world["guide"], world["access"])
    # A score as a percentage, with what it measures said to screen readers.
    score = guide.find("span", class_="suggestion-score")
    assert score is not None and "%" in score.text
    assert score.one("span", class_="visually-hidden").text == turkish("text similarity")
    # Each button says which theme and proposal it is about, for screen readers.
    first_button = guide.find("button")
    assert first_button is not None
    assert (
        world["access"].name_tr in first_button.text and world["guide"].title in first_button.text
    )


def test_everything_themed(
    as_moderator: FlaskClient, make_campaign: Callable[..., Campaign]
) -> None:
    campaign = make_campaign()
    doc = page(as_moderator.get(suggestions_url(campaign)))
    assert doc.find("table") is None
    assert turkish("Every published proposal of this campaign has a theme.") in doc.text


def test_accept_without_javascript_goes_back_to_the_page(
    as_moderator: FlaskClient, world: dict[str, Any]
) -> None:
    guide, access = world["guide"], world["access"]
    response = as_moderator.post(accept_url(guide, access))
    assert response.status_code == 303
    assert response.location.endswith(
        f"{suggestions_url(world['campaign'])}#suggestion-row-{guide.id}"
    )
    db.session.expire_all()
    assert [t.id for t in db.session.get(Proposal, guide.id).themes] == [access.id]
    doc = page(as_moderator.get(response.location))
    assert (
        turkish("Added to the theme “%(theme)s”.", theme=access.name_tr)
        in doc.one("div", class_="flashes").text
    )
    assert doc.find("tr", id=f"suggestion-row-{guide.id}") is None  # it has a theme now
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "proposal.themes"))
    assert entry is not None and entry.target_id == guide.id


def test_accept_with_htmx_swaps_the_row_and_hands_focus_to_the_next(
    as_moderator: FlaskClient, world: dict[str, Any]
) -> None:
    guide, desk = world["guide"], world["desk"]
    response = as_moderator.post(
        accept_url(guide, world["access"]), headers=htmx(f"suggestion-row-{guide.id}")
    )
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    doc = parse(response.get_data(as_text=True))
    swapped = row(doc, guide)
    assert swapped.get("hx-swap-oob") is None
    status = swapped.one("p", role="status")
    assert status.text == turkish("Added to the theme “%(theme)s”.", theme=world["access"].name_tr)
    assert swapped.find("button") is None  # nothing left to do in this row
    # The next row comes along out of band, its first button marked for focus.
    template = doc.one("template")
    following = template.one("tr", id=f"suggestion-row-{desk.id}")
    assert following.get("hx-swap-oob") == "true"
    buttons = following.find_all("button")
    assert buttons and "data-focus" in buttons[0].attrs
    assert all("data-focus" not in b.attrs for b in buttons[1:])


def test_the_last_row_keeps_focus_on_its_message(
    as_moderator: FlaskClient, world: dict[str, Any]
) -> None:
    desk = world["desk"]  # the last row
    response = as_moderator.post(
        accept_url(desk, world["coordination"]), headers=htmx(f"suggestion-row-{desk.id}")
    )
    doc = parse(response.get_data(as_text=True))
    assert doc.find("template") is None
    assert "data-focus" in row(doc, desk).one("p", role="status").attrs


def test_dismiss_with_htmx_keeps_the_row_and_its_other_suggestions(
    as_moderator: FlaskClient, world: dict[str, Any], moderator: User
) -> None:
    guide, access = world["guide"], world["access"]
    before = offered(page(as_moderator.get(suggestions_url(world["campaign"]))), guide)
    response = as_moderator.post(
        dismiss_url(guide, access), headers=htmx(f"suggestion-row-{guide.id}")
    )
    assert response.status_code == 200
    doc = parse(response.get_data(as_text=True))
    swapped = row(doc, guide)
    assert swapped.one("p", role="status").text == turkish(
        "The theme “%(theme)s” will not be suggested again for this proposal.",
        theme=access.name_tr,
    )
    after = offered(doc, guide)
    assert after == [url for url in before if url != accept_url(guide, access)]
    if after:  # focus stays in the row, on its first button
        assert "data-focus" in swapped.find_all("button")[0].attrs
        assert doc.find("template") is None
    assert db.session.get(ThemeSuggestionDismissal, (guide.id, access.id)) is not None
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "theme_suggestion.dismiss")
    )
    assert entry is not None and entry.actor_id == moderator.id


def test_dismiss_without_javascript(as_moderator: FlaskClient, world: dict[str, Any]) -> None:
    guide, access = world["guide"], world["access"]
    response = as_moderator.post(dismiss_url(guide, access))
    assert response.status_code == 303
    doc = page(as_moderator.get(response.location))
    assert accept_url(guide, access) not in offered(doc, guide)
    # Twice is the same as once.
    assert as_moderator.post(dismiss_url(guide, access)).status_code == 303
    count = db.session.scalar(select(func.count()).select_from(ThemeSuggestionDismissal))
    assert count == 1


def test_an_archived_theme_is_refused_in_the_row(
    as_moderator: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    guide, access = world["guide"], world["access"]
    access.archived_at = clock.now  # archived while the page was open
    db.session.commit()
    response = as_moderator.post(
        accept_url(guide, access), headers=htmx(f"suggestion-row-{guide.id}")
    )
    assert response.status_code == 200
    status = row(parse(response.get_data(as_text=True)), guide).one("p", role="status")
    assert "error" in (status.get("class") or "")
    assert access.name_tr in status.text
    db.session.expire_all()
    assert db.session.get(Proposal, guide.id).themes == []


def test_a_theme_of_another_campaign_or_a_draft_is_not_found(
    as_moderator: FlaskClient,
    world: dict[str, Any],
    make_campaign: Callable[..., Campaign],
    rep_a: User,
    propose: Callable[..., Proposal],
) -> None:
    other = add_theme(make_campaign(), ("Başka", "Other"))
    draft = propose(world["campaign"], rep_a, "Taslak", "Taslak", draft=True)
    assert as_moderator.post(accept_url(world["guide"], other)).status_code == 404
    assert as_moderator.post(dismiss_url(world["guide"], other)).status_code == 404
    assert as_moderator.post(accept_url(draft, world["access"])).status_code == 404
    assert as_moderator.post("/proposals/999999/suggestions/1/accept").status_code == 404


@pytest.mark.parametrize("path", ["suggestions", "duplicates"])
def test_participants_never_reach_the_moderation_pages(
    client: FlaskClient, auth: Any, rep_a: User, world: dict[str, Any], path: str
) -> None:
    url = f"/campaigns/{world['campaign'].slug}/{path}"
    assert client.get(url).status_code == 302  # to the login page
    auth.login(rep_a)
    assert client.get(url).status_code == 403
    assert client.post(accept_url(world["guide"], world["access"])).status_code == 403
    assert client.post(dismiss_url(world["guide"], world["access"])).status_code == 403


# --- likely duplicates -------------------------------------------------------------------------


@pytest.fixture
def pair(
    world: dict[str, Any],
    rep_a: User,
    rep_b: User,
    propose: Callable[..., Proposal],
) -> tuple[Proposal, Proposal]:
    original = propose(world["campaign"], rep_a, "Kampüste flört şiddetine karşı akran eğitimi",
                       "Üniversite öğrencilerine flört şiddetini tanıma eğitimi.")  # fmt: skip
    copy = propose(world["campaign"], rep_b, "Kampüste flört şiddetine karşı akran eğitimleri",
                   "Üniversite öğrencilerine flört şiddetini tanıma eğitimleri.")  # fmt: skip
    return original, copy


def test_likely_duplicates_with_score_links_and_merge(
    app: Flask, as_moderator: FlaskClient, world: dict[str, Any], pair: tuple[Proposal, Proposal]
) -> None:
    original, copy = pair
    doc = page(as_moderator.get(f"/campaigns/{world['campaign'].slug}/duplicates"))
    table = doc.one("table", class_="duplicates-table")
    first = table.find_all("tr")[1]
    cells = first.find_all("td")
    assert "%" in cells[0].text
    links = [a.get("href") for a in first.find_all("a")]
    assert f"/proposals/{original.id}" in links and f"/proposals/{copy.id}" in links
    if "moderation.merge" in app.view_functions:
        assert f"/proposals/{original.id}/merge?sources={copy.id}" in links


def test_no_merge_link_without_the_merge_page(
    app: Flask,
    as_moderator: FlaskClient,
    world: dict[str, Any],
    pair: tuple[Proposal, Proposal],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(app.view_functions, "moderation.merge", raising=False)
    doc = page(as_moderator.get(f"/campaigns/{world['campaign'].slug}/duplicates"))
    assert doc.one("table", class_="duplicates-table").find_all("tr")[1]
    assert not [a for a in doc.find_all("a") if "/merge" in (a.get("href") or "")]


def test_a_higher_minimum_narrows_the_pairs(
    as_moderator: FlaskClient, world: dict[str, Any], pair: tuple[Proposal, Proposal]
) -> None:
    url = f"/campaigns/{world['campaign'].slug}/duplicates"
    loose = page(as_moderator.get(url + "?min=50")).find_all("tr")
    strict = page(as_moderator.get(url + "?min=90")).find_all("tr")
    assert len(strict) <= len(loose)
    chosen = page(as_moderator.get(url + "?min=90")).one("select").find("option", selected=True)
    assert chosen is not None and chosen.get("value") == "90"
    # Anything else is the default, never an error.
    assert as_moderator.get(url + "?min=abc").status_code == 200
    assert as_moderator.get(url + "?min=1").status_code == 200


# --- similar proposals while writing -------------------------------------------------------------


def similar_url(campaign: Campaign, **args: Any) -> str:
    return f"/campaigns/{campaign.slug}/proposals/similar?" + urlencode(args)


def listed(doc: Element) -> list[str]:
    region = doc.one("section", id="similar-proposals")
    return [a.get("href") or "" for a in region.find_all("a")]


def test_the_similar_list_as_an_htmx_fragment_and_as_a_page(
    client: FlaskClient, auth: Any, rep_a: User, world: dict[str, Any]
) -> None:
    auth.login(rep_a)
    url = similar_url(world["campaign"], title="İŞARET DİLİ destek hattı",
                      summary="engelli kadınlar için")  # fmt: skip
    fragment = client.get(url, headers=htmx("similar-proposals"))
    assert fragment.status_code == 200
    doc = parse(fragment.get_data(as_text=True))
    assert doc.find("html") is None and doc.find("main") is None
    region = doc.one("section", id="similar-proposals")
    assert region.one("h2").text == turkish("Similar proposals")
    assert region.one("div", class_="similar-status").get("aria-live") == "polite"
    assert listed(doc)[0] == f"/proposals/{world['guide'].id}"
    # Without htmx, a page with a form to look again.
    full = page(client.get(url))
    assert full.find("main") is not None and full.find("input", name="title") is not None
    assert listed(full)[0] == f"/proposals/{world['guide'].id}"


SHORT = [{}, {"title": ""}, {"title": "ve", "summary": "bu"}, {"title": "\x00"}, {"title": "ab"},
         {"exclude": "x"}]  # fmt: skip


@pytest.mark.parametrize("args", SHORT)
def test_empty_or_short_text_gives_an_empty_region(
    client: FlaskClient, auth: Any, rep_a: User, world: dict[str, Any], args: dict[str, str]
) -> None:
    auth.login(rep_a)
    response = client.get(similar_url(world["campaign"], **args), headers=htmx("similar-proposals"))
    assert response.status_code == 200
    doc = parse(response.get_data(as_text=True))
    assert listed(doc) == []
    assert doc.one("div", class_="similar-status").text == ""


def test_participants_never_see_drafts_or_hidden_proposals_moderators_see_hidden(
    client: FlaskClient,
    auth: Any,
    rep_b: User,
    moderator: User,
    world: dict[str, Any],
    rep_a: User,
    propose: Callable[..., Proposal],
    clock: Any,
) -> None:
    campaign = world["campaign"]
    title, summary = "Mor bank ve dayanışma duvarı", "Parklara mor bank ve dayanışma duvarı."
    draft = propose(campaign, rep_a, title, summary, draft=True)
    hidden = propose(campaign, rep_a, title + " projesi", summary)
    hidden.hidden_at = clock.now
    db.session.commit()
    url = similar_url(campaign, title=title, summary=summary)
    auth.login(rep_a)  # the draft's own organisation: still not in this list
    assert f"/proposals/{draft.id}" not in listed(page(client.get(url)))
    assert f"/proposals/{hidden.id}" not in listed(page(client.get(url)))
    auth.logout()
    auth.login(moderator)
    seen = listed(page(client.get(url)))
    assert f"/proposals/{hidden.id}" in seen and f"/proposals/{draft.id}" not in seen


def test_only_those_who_may_propose_and_moderators_may_ask(
    client: FlaskClient,
    auth: Any,
    rep_a: User,
    organizer: User,
    make_campaign: Callable[..., Campaign],
    clock: Any,
) -> None:
    closed = make_campaign(submission_closes_at=clock.now - timedelta(hours=1))
    url = similar_url(closed, title="Kadın dayanışma atölyesi")
    assert client.get(url).status_code == 302  # to the login page
    auth.login(rep_a)
    assert client.get(url).status_code == 403  # submissions are closed
    assert client.get("/campaigns/unknown/proposals/similar").status_code == 404
    auth.logout()
    auth.login(organizer)
    assert client.get(url).status_code == 200


def test_the_proposal_form_has_the_region_and_a_step_without_javascript(
    client: FlaskClient, auth: Any, rep_b: User, world: dict[str, Any]
) -> None:
    campaign = world["campaign"]
    auth.login(rep_b)
    form_url = f"/campaigns/{campaign.slug}/proposals/new"
    doc = page(client.get(form_url))
    region = doc.one("section", id="similar-proposals")
    assert (region.get("hx-get") or "").startswith(f"/campaigns/{campaign.slug}/proposals/similar")
    trigger = region.get("hx-trigger") or ""
    assert "delay:800ms" in trigger and "from:#title" in trigger and "from:#summary" in trigger
    assert listed(doc) == []
    count = db.session.scalar(select(func.count()).select_from(Proposal))
    response = client.post(form_url, data={
        "title": "İşaret dili destek hattı", "summary": "Engelli kadınlar için destek.",
        "creation_key": "anahtar-1", "action": "similar",
    })  # fmt: skip
    assert response.status_code == 200
    shown = page(response)
    assert listed(shown)[0] == f"/proposals/{world['guide'].id}"
    assert shown.find("div", class_="error-summary") is None  # a look, not a submission
    assert shown.one("input", name="title").get("value") == "İşaret dili destek hattı"
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == count


def test_editing_a_proposal_lists_others_not_itself(
    client: FlaskClient, auth: Any, rep_a: User, world: dict[str, Any]
) -> None:
    guide = world["guide"]
    auth.login(rep_a)
    doc = page(client.get(f"/proposals/{guide.id}/edit"))
    region = doc.one("section", id="similar-proposals")
    assert f"exclude={guide.id}" in (region.get("hx-get") or "")
    assert f"/proposals/{guide.id}" not in listed(doc)
    assert listed(doc)  # the sign-language guide of the other organisation is like it
