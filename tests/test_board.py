"""The theme board page: what a moderator sees, the bulk form without JavaScript (303 back
with the same filters and page) and with htmx (the board swapped in place), refusals that
keep what was chosen, pages of 50 rows whose links keep the filters, "Select all on this
page", who may open it, and a number of statements that grows neither with the number of
proposals nor with the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import event, select

from auth.models import AuditEntry, Organization, User
from extensions import db
from proposals.models import Campaign, Proposal, ProposalState, ResultsVisibility, Theme
from tests.dom import Element, page, parse
from tests.test_themes import add_proposal, give_points, make_theme  # noqa: F401 - fixture

HTMX = {"HX-Request": "true", "HX-Target": "board", "HX-Current-URL": "http://localhost/"}


def turkish(message: str, **variables: Any) -> str:
    with force_locale("tr"):
        return gettext(message, **variables)


def turkish_plural(singular: str, plural: str, num: int) -> str:
    with force_locale("tr"):
        return ngettext(singular, plural, num)


@pytest.fixture
def world(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],  # noqa: F811
    org_a: Organization,
    org_b: Organization,
    clock: Any,
) -> dict[str, Any]:
    campaign = make_campaign()
    coordination = make_theme(campaign, "Kurumlar arası koordinasyon", colour="#1d4f91")
    support = make_theme(campaign, "Erişilebilir destek", colour="#b3261e")
    old = make_theme(campaign, "Eski tema")
    old.archived_at = clock.now
    p = {
        "mor": add_proposal(campaign, org_a, "Mor Bank Atölyesi", with_themes=[coordination, old]),
        "turuncu": add_proposal(campaign, org_b, "Turuncu Yürüyüş"),
        "isik": add_proposal(campaign, org_a, "Işık Atölyesi", ProposalState.accepted),
        "kilim": add_proposal(campaign, org_b, "Kilim Atölyesi", ProposalState.accepted),
        "merged": add_proposal(campaign, org_b, "Birleşen Atölye", ProposalState.merged),
        "draft": add_proposal(campaign, org_a, "Gizli taslak", ProposalState.draft),
    }
    give_points(p["mor"], org_b, 2)
    db.session.commit()
    return {"campaign": campaign, "coordination": coordination, "support": support,
            "old": old, **p}  # fmt: skip


def board_url(world: dict[str, Any], **args: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/campaigns/{world['campaign'].slug}/board" + (f"?{query}" if query else "")


def assign_url(world: dict[str, Any]) -> str:
    return f"/campaigns/{world['campaign'].slug}/board/assign"


def group_row(doc: Element, key: Any) -> list[str]:
    row = doc.one("tr", id=f"group-{key}")
    return [cell.text for cell in row.find_all() if cell.tag in ("th", "td")]


def shown_titles(doc: Element) -> list[str]:
    table = doc.find("table", class_="board-table")
    return [] if table is None else [th.text for th in table.find("tbody").find_all("th")]


def row_themes(doc: Element, proposal: Proposal) -> str:
    return doc.one("tr", id=f"row-{proposal.id}").one("td", class_="row-themes").text


def themes_of(proposal: Proposal) -> set[str]:
    db.session.expire_all()
    return {t.name_tr for t in db.session.get(Proposal, proposal.id).themes}


@pytest.fixture
def as_moderator(client: FlaskClient, auth: Any, moderator: User) -> FlaskClient:
    auth.login(moderator, follow_redirects=True)  # the welcome is read: no flash left over
    return client


# --- what the board shows ------------------------------------------------------------------


def test_the_board_groups_published_proposals_by_theme_and_lists_them(
    world: dict[str, Any], as_moderator: FlaskClient
) -> None:
    response = as_moderator.get(board_url(world))
    assert response.status_code == 200, response.location
    doc = page(response)
    nav = doc.one("nav", class_="moderation-nav")
    assert nav.one("a", aria_current="page").text == turkish("Theme board")
    coordination, support, old = world["coordination"], world["support"], world["old"]
    assert group_row(doc, coordination.id)[:2] == ["Kurumlar arası koordinasyon", "1"]
    assert group_row(doc, support.id)[:2] == ["Erişilebilir destek", "0"]
    assert group_row(doc, old.id)[:2] == [f"Eski tema {turkish('archived')}", "1"]
    assert group_row(doc, "none")[:2] == [turkish("Unthemed"), "3"]
    # Published and neither merged nor withdrawn; never a draft.
    assert sorted(shown_titles(doc)) == [
        "Işık Atölyesi", "Kilim Atölyesi", "Mor Bank Atölyesi", "Turuncu Yürüyüş"
    ]  # fmt: skip
    # Each row can be chosen, with a label naming the proposal.
    box = doc.one("input", id=f"pick-{world['mor'].id}")
    assert (box.get("type"), box.get("name")) == ("checkbox", "proposal_ids")
    assert doc.one("label", for_=f"pick-{world['mor'].id}").text == turkish(
        "Choose “%(title)s”", title="Mor Bank Atölyesi"
    )
    # The archived theme is shown on its proposal, but offered neither to filter nor assign.
    assert "Eski tema" in row_themes(doc, world["mor"])
    assert doc.find("input", name="theme_ids", value=str(old.id)) is None
    assert doc.find("option", value=str(old.id)) is None
    assert doc.find("input", name="theme_ids", value=str(support.id)) is not None
    # Colours only as SVG fills: no style attribute anywhere.
    assert doc.find(style=True) is None
    assert doc.find("rect", fill="#1d4f91") is not None


def test_vote_totals_follow_the_campaigns_results_rule(
    world: dict[str, Any],
    client: FlaskClient,
    auth: Any,
    moderator: User,
    organizer: User,
    clock: Any,
) -> None:
    """Results hidden until voting closes (the default): organisers see the points on the
    board, moderators do not until the vote is over."""
    coordination = world["coordination"].id
    auth.login(moderator)
    doc = page(client.get(board_url(world)))
    assert doc.find("td", class_="group-points") is None
    assert turkish("Vote totals appear here once the campaign's results may be seen.") in doc.text
    auth.logout()
    auth.login(organizer)
    doc = page(client.get(board_url(world)))
    assert group_row(doc, coordination) == ["Kurumlar arası koordinasyon", "1", "2"]
    world["campaign"].results_visibility = ResultsVisibility.live
    db.session.commit()
    clock.advance(days=30)  # voting closed
    auth.logout()
    auth.login(moderator)
    assert group_row(page(client.get(board_url(world))), coordination)[2] == "2"


def test_filters_narrow_the_table_but_not_the_groups(
    world: dict[str, Any], as_moderator: FlaskClient
) -> None:
    doc = page(as_moderator.get(board_url(world, theme="none", status="accepted", q="KİLİM")))
    assert shown_titles(doc) == ["Kilim Atölyesi"]
    assert group_row(doc, "none")[:2] == [turkish("Unthemed"), "3"]
    assert "selected" in doc.one("option", value="none").attrs
    assert doc.one("input", id="board-q").get("value") == "KİLİM"
    doc = page(as_moderator.get(board_url(world, status="merged")))
    assert shown_titles(doc) == ["Birleşen Atölye"]
    doc = page(as_moderator.get(board_url(world, q="yok böyle bir şey")))
    assert doc.find("table", class_="board-table") is None
    assert turkish("No proposal matches these filters.") in doc.text


# --- the bulk action without JavaScript --------------------------------------------------------


def test_without_javascript_the_form_posts_and_comes_back_with_the_same_filters(
    world: dict[str, Any], as_moderator: FlaskClient
) -> None:
    doc = page(as_moderator.get(board_url(world, status="accepted", q="atölyesi")))
    form = doc.one("form", id="board-form")
    assert form.get("method") == "post"
    values = form.form_values()
    assert values["status"] == "accepted" and values["q"] == "atölyesi"
    assert values["action"] == "add"
    data = {**values, "proposal_ids": [str(world["isik"].id), str(world["kilim"].id)],
            "theme_ids": [str(world["support"].id), str(world["coordination"].id)]}  # fmt: skip
    response = as_moderator.post(form.get("action"), data=data)
    assert response.status_code == 303
    target = urlsplit(response.location)
    assert target.path == f"/campaigns/{world['campaign'].slug}/board"
    assert parse_qs(target.query) == {"status": ["accepted"], "q": ["atölyesi"]}
    back = page(as_moderator.get(response.location))
    flashed = turkish_plural(
        "Themes added to %(num)d proposal.", "Themes added to %(num)d proposals.", 2
    ) % {"num": 2}
    assert back.one("p", class_="flash").text == flashed
    assert themes_of(world["isik"]) == {"Kurumlar arası koordinasyon", "Erişilebilir destek"}
    assert themes_of(world["kilim"]) == {"Kurumlar arası koordinasyon", "Erişilebilir destek"}
    assert group_row(back, world["support"].id)[1] == "2"
    assert group_row(back, "none")[1] == "1"

    # Removing works the same way, and one audit entry per proposal changed.
    data = {**values, "action": "remove", "proposal_ids": [str(world["isik"].id)],
            "theme_ids": [str(world["support"].id)]}  # fmt: skip
    response = as_moderator.post(form.get("action"), data=data, follow_redirects=True)
    assert (
        turkish_plural(
            "Themes removed from %(num)d proposal.", "Themes removed from %(num)d proposals.", 1
        )
        % {"num": 1}
        in page(response).one("p", class_="flash").text
    )
    assert themes_of(world["isik"]) == {"Kurumlar arası koordinasyon"}
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "proposal.themes")
    ).all()
    assert len(entries) == 3


def test_a_choice_left_out_comes_back_with_the_message_and_everything_still_chosen(
    world: dict[str, Any], as_moderator: FlaskClient
) -> None:
    support = str(world["support"].id)
    response = as_moderator.post(
        assign_url(world), data={"theme_ids": support, "action": "remove", "status": "accepted"}
    )
    assert response.status_code == 200
    doc = page(response)
    assert turkish("Choose at least one proposal.") in doc.one("div", id="board-error").text
    assert "checked" in doc.one("input", id=f"assign-theme-{support}").attrs
    assert "checked" in doc.one("input", id="action-remove").attrs
    assert doc.one("form", id="board-form").form_values()["status"] == "accepted"

    mor = str(world["mor"].id)
    doc = page(as_moderator.post(assign_url(world), data={"proposal_ids": mor, "action": "add"}))
    assert turkish("Choose at least one theme.") in doc.one("div", id="board-error").text
    assert "checked" in doc.one("input", id=f"pick-{mor}").attrs
    changes = select(AuditEntry).where(AuditEntry.action == "proposal.themes")
    assert db.session.scalars(changes).all() == []


@pytest.mark.parametrize("who", ["foreign proposal", "draft", "foreign theme", "not a number"])
def test_ids_that_are_not_of_this_campaign_are_refused_with_400(
    world: dict[str, Any],
    as_moderator: FlaskClient,
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],  # noqa: F811
    org_a: Organization,
    who: str,
) -> None:
    elsewhere = make_campaign()
    foreign_theme = make_theme(elsewhere, "Başka")
    foreign = add_proposal(elsewhere, org_a, "Başka kampanyadan")
    db.session.commit()
    proposal_ids = [str(world["turuncu"].id)]
    theme_ids = [str(world["support"].id)]
    if who == "foreign proposal":
        proposal_ids.append(str(foreign.id))
    elif who == "draft":
        proposal_ids.append(str(world["draft"].id))
    elif who == "foreign theme":
        theme_ids.append(str(foreign_theme.id))
    else:
        proposal_ids.append("12abc")
    data = {"proposal_ids": proposal_ids, "theme_ids": theme_ids, "action": "add"}
    response = as_moderator.post(assign_url(world), data=data)
    assert response.status_code == 400
    assert themes_of(world["turuncu"]) == set()
    assert themes_of(foreign) == set()


# --- the bulk action with htmx -----------------------------------------------------------------


def test_with_htmx_the_board_is_swapped_in_place_and_the_result_announced(
    world: dict[str, Any], as_moderator: FlaskClient
) -> None:
    data = {"proposal_ids": [str(world["turuncu"].id), str(world["isik"].id)],
            "theme_ids": str(world["support"].id), "action": "add", "q": "a"}  # fmt: skip
    response = as_moderator.post(assign_url(world), data=data, headers=HTMX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert "<html" not in html
    doc = parse(html)
    region = doc.one("div", id="board")
    status = region.one("p", id="board-status")
    assert status.get("role") == "status"
    assert status.text == turkish_plural(
        "Themes added to %(num)d proposal.", "Themes added to %(num)d proposals.", 2
    ) % {"num": 2}
    assert group_row(doc, world["support"].id)[1] == "2"
    assert group_row(doc, "none")[1] == "1"
    assert "Erişilebilir destek" in row_themes(doc, world["turuncu"])
    # Focus goes back to the button that was pressed; the filters are kept.
    assert "data-focus" in doc.one("button", id="board-apply").attrs
    assert doc.one("form", id="board-form").form_values()["q"] == "a"


def test_with_htmx_a_refusal_is_swapped_in_with_the_message(
    world: dict[str, Any], as_moderator: FlaskClient
) -> None:
    response = as_moderator.post(assign_url(world), data={"action": "add"}, headers=HTMX)
    assert response.status_code == 200
    doc = parse(response.get_data(as_text=True))
    assert doc.one("p", id="board-status").text == turkish("Choose at least one proposal.")
    assert "data-focus" in doc.one("div", id="board-error").attrs


def test_with_htmx_the_filters_swap_the_board_and_say_how_many_are_shown(
    world: dict[str, Any], as_moderator: FlaskClient
) -> None:
    response = as_moderator.get(board_url(world, theme="none"), headers=HTMX)
    html = response.get_data(as_text=True)
    assert "<html" not in html
    doc = parse(html)
    assert len(shown_titles(doc)) == 3
    assert doc.one("p", id="board-status").text == turkish_plural(
        "%(num)d proposal shown.", "%(num)d proposals shown.", 3
    ) % {"num": 3}
    # A request that is not aimed at the board gets the whole page.
    full = as_moderator.get(board_url(world), headers={**HTMX, "HX-Target": "main"})
    assert "<html" in full.get_data(as_text=True)


# --- pages of the table and "Select all on this page" -------------------------------------------


@pytest.fixture
def many(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],  # noqa: F811
    org_a: Organization,
    clock: Any,
) -> dict[str, Any]:
    """120 submitted proposals, three pages; "Öneri 119" is the newest, shown first."""
    campaign = make_campaign()
    theme = make_theme(campaign, "Kurumlar arası koordinasyon")
    made = [
        add_proposal(campaign, org_a, f"Öneri {n:03d}",
                     submitted_at=clock.now - timedelta(days=1) + timedelta(minutes=n))
        for n in range(120)
    ]  # fmt: skip
    db.session.commit()
    return {"campaign": campaign, "theme": theme, "proposals": made}


def ticked(doc: Element) -> list[str]:
    """The ids of the proposals whose boxes are ticked, in the table's order."""
    boxes = doc.find_all("input", name="proposal_ids")
    return [box.get("value") or "" for box in boxes if "checked" in box.attrs]


def query_of(url: str | None) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url or "").query)


def test_the_table_comes_in_pages_whose_links_keep_the_filters(
    many: dict[str, Any], as_moderator: FlaskClient
) -> None:
    doc = page(as_moderator.get(board_url(many)))
    assert doc.one("table", class_="board-table").one("caption").text == turkish(
        "Showing %(first)s–%(last)s of %(total)s proposals", first="1", last="50", total="120"
    )
    assert shown_titles(doc)[:2] == ["Öneri 119", "Öneri 118"]
    assert group_row(doc, "none")[1] == "120"  # the groups count every page

    doc = page(as_moderator.get(board_url(many, status="submitted", q="öneri", page="2")))
    assert doc.one("table", class_="board-table").one("caption").text == turkish(
        "Showing %(first)s–%(last)s of %(total)s proposals that match the filters",
        first="51", last="100", total="120",
    )  # fmt: skip
    titles = shown_titles(doc)
    assert (len(titles), titles[0], titles[-1]) == (50, "Öneri 069", "Öneri 020")
    nav = doc.one("nav", class_="board-pages")
    assert nav.get("aria-label") == turkish("Pages of the board")
    current = nav.one("a", aria_current="page")
    assert current.text == f"{turkish('Page')} 2"
    filters = {"status": ["submitted"], "q": ["öneri"]}
    links = {a.get("id"): query_of(a.get("href")) for a in nav.find_all("a")}
    assert links == {
        "board-page-prev": filters,  # page 1 needs no number
        "board-page-1": filters,
        "board-page-2": {**filters, "page": ["2"]},
        "board-page-3": {**filters, "page": ["3"]},
        "board-page-next": {**filters, "page": ["3"]},
    }
    # The bulk form sends the page too, so the board comes back to it.
    values = doc.one("form", id="board-form").form_values()
    assert (values["page"], values["status"], values["q"]) == ("2", "submitted", "öneri")
    data = {**values, "proposal_ids": str(many["proposals"][69].id),
            "theme_ids": str(many["theme"].id)}  # fmt: skip
    response = as_moderator.post(assign_url(many), data=data)
    assert response.status_code == 303
    assert query_of(response.location) == {**filters, "page": ["2"]}
    # Past the last page: the last page.
    doc = page(as_moderator.get(board_url(many, page="9")))
    current = doc.one("nav", class_="board-pages").one("a", aria_current="page")
    assert current.text == f"{turkish('Page')} 3"
    assert shown_titles(doc)[-1] == "Öneri 000"


def test_with_htmx_a_page_link_swaps_the_board_and_reads_the_new_rows(
    many: dict[str, Any], as_moderator: FlaskClient
) -> None:
    response = as_moderator.get(
        board_url(many, page="3"), headers={**HTMX, "HX-Trigger": "board-page-next"}
    )
    html = response.get_data(as_text=True)
    assert "<html" not in html
    doc = parse(html)
    assert doc.one("p", id="board-status").text == turkish(
        "Page %(page)s of %(pages)s: proposals %(first)s–%(last)s of %(total)s.",
        page="3", pages="3", first="101", last="120", total="120",
    )  # fmt: skip
    assert "data-focus" in doc.one("h2", id="board-table-heading").attrs
    # Typing in the search swaps the board too, but focus stays in the search field.
    typed = parse(as_moderator.get(board_url(many, q="öneri"), headers=HTMX).get_data(as_text=True))
    assert typed.find(data_focus=True) is None


def test_select_all_on_this_page_ticks_its_rows_only_and_keeps_what_was_chosen(
    many: dict[str, Any], as_moderator: FlaskClient
) -> None:
    proposals, theme = many["proposals"], many["theme"]
    doc = page(as_moderator.get(board_url(many, q="öneri", page="2")))
    assert ticked(doc) == []
    button = doc.one("button", id="board-select-page")
    assert (button.get("type"), button.get("name"), button.text) == (
        "submit", "select", turkish("Select all on this page")
    )  # fmt: skip
    # Without JavaScript: the button posts the form, the same page comes back ticked.
    values = doc.one("form", id="board-form").form_values()
    data = {**values, "select": "page", "theme_ids": str(theme.id), "action": "remove"}
    response = as_moderator.post(assign_url(many), data=data)
    assert response.status_code == 200
    doc = page(response)
    page_two = [str(p.id) for p in reversed(proposals[20:70])]
    assert ticked(doc) == page_two
    assert "checked" in doc.one("input", id=f"assign-theme-{theme.id}").attrs
    assert "checked" in doc.one("input", id="action-remove").attrs
    assert doc.one("p", id="board-status").text == turkish_plural(
        "The %(num)d proposal on this page is chosen.",
        "All %(num)d proposals on this page are chosen.",
        50,
    ) % {"num": 50}
    changes = select(AuditEntry).where(AuditEntry.action == "proposal.themes")
    assert db.session.scalars(changes).all() == []  # choosing changes nothing

    # The action then applies to the rows still ticked: one is unticked first.
    form = doc.one("form", id="board-form")
    values = form.form_values()
    kept = page_two[1:]
    data = {**values, "proposal_ids": kept, "theme_ids": str(theme.id), "action": "add"}
    assert as_moderator.post(assign_url(many), data=data).status_code == 303
    db.session.expire_all()
    carrying = {p.id for p in proposals if themes_of(p)}
    assert carrying == {int(i) for i in kept}  # not the unticked one, nor other pages

    # "Clear the selection" unticks them all.
    data = {**values, "proposal_ids": kept, "select": "none"}
    doc = page(as_moderator.post(assign_url(many), data=data))
    assert ticked(doc) == []
    assert doc.one("p", id="board-status").text == turkish("No proposal is chosen.")


def test_with_htmx_select_all_swaps_the_board_and_keeps_focus_on_the_button(
    many: dict[str, Any], as_moderator: FlaskClient
) -> None:
    response = as_moderator.post(
        assign_url(many), data={"select": "page", "page": "3"}, headers=HTMX
    )
    assert response.status_code == 200
    doc = parse(response.get_data(as_text=True))
    assert len(ticked(doc)) == 20
    assert "data-focus" in doc.one("button", id="board-select-page").attrs


def test_enter_in_a_checkbox_applies_the_themes_rather_than_selecting_all(
    many: dict[str, Any], as_moderator: FlaskClient
) -> None:
    """A browser submits a form from a checkbox with the form's first submit button: that
    is a hidden copy of "Apply", not "Select all on this page"."""
    form = page(as_moderator.get(board_url(many))).one("form", id="board-form")
    first = form.find("button")
    assert first is not None
    assert "hidden" in first.attrs and first.get("name") is None
    assert first.text == turkish("Apply to the chosen proposals")


# --- who may use it ----------------------------------------------------------------------------


def test_participants_may_not_open_the_board_nor_post_to_it(
    world: dict[str, Any], client: FlaskClient, auth: Any, rep_a: User
) -> None:
    data = {"proposal_ids": str(world["turuncu"].id), "theme_ids": str(world["support"].id),
            "action": "add"}  # fmt: skip
    assert client.get(board_url(world)).status_code == 302
    assert "/login" in client.post(assign_url(world), data=data).location
    auth.login(rep_a)
    assert client.get(board_url(world)).status_code == 403
    assert client.post(assign_url(world), data=data).status_code == 403
    assert themes_of(world["turuncu"]) == set()
    assert client.get("/campaigns/yok-boyle/board").status_code == 403


def test_an_unknown_campaign_is_404_for_a_moderator(as_moderator: FlaskClient) -> None:
    assert as_moderator.get("/campaigns/yok-boyle/board").status_code == 404
    assert as_moderator.post("/campaigns/yok-boyle/board/assign").status_code == 404


# --- a constant number of statements ---------------------------------------------------------


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_the_board_takes_the_same_statements_for_5_or_120_proposals_on_any_page(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],  # noqa: F811
    make_org: Callable[..., Organization],
    organizer: User,
    client: FlaskClient,
    auth: Any,
    clock: Any,
) -> None:
    """120 proposals fill three pages: the statements are those of 5, on page 1 or 2."""
    organizations = [make_org(f"Dernek Pano {i}") for i in range(4)]
    campaigns = {}
    for size in (5, 120):
        campaign = make_campaign()
        made = [make_theme(campaign, f"Tema {i}") for i in range(3)]
        for i in range(size):
            proposal = add_proposal(
                campaign,
                organizations[i % 4],
                f"Öneri {i}",
                with_themes=made[: i % 3],
                submitted_at=clock.now - timedelta(minutes=i),
            )
            give_points(proposal, organizations[(i + 1) % 4], 1 + i % 2)
        db.session.commit()
        campaigns[size] = campaign
    auth.login(organizer)  # organisers see the points too: the most the page shows
    counts, seen = {}, {}
    for size, url in (
        (5, f"/campaigns/{campaigns[5].slug}/board"),
        (120, f"/campaigns/{campaigns[120].slug}/board"),
        (120, f"/campaigns/{campaigns[120].slug}/board?page=2&q=öneri"),
    ):
        client.get(url)  # warm the session
        with counting() as statements:
            response = client.get(url)
        assert response.status_code == 200
        assert len(shown_titles(page(response))) == min(size, 50)
        counts[url], seen[url] = len(statements), statements
    first, *others = counts
    for url in others:
        assert counts[url] == counts[first], [s for s in seen[url] if s not in seen[first]]
