"""Browsing a campaign's proposals: Turkish-aware search, filters, sorting, pages and
query-string junk. Run on SQLite and on PostgreSQL: both must give the same answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from auth.models import Organization, User
from extensions import db
from proposals import search
from proposals.discussion import refresh_counts
from proposals.models import (
    ActivityType,
    Campaign,
    Comment,
    CommentKind,
    Partnership,
    PartnershipState,
    Proposal,
    ProposalState,
    Theme,
)
from proposals.search import PAGE_SIZE, ProposalQuery, search_proposals
from tests.conftest import PASSWORD, Clock
from tests.dom import page
from tests.people_helpers import isolated_requests  # noqa: F401 - autouse fixture
from text import fold

ANONYMOUS = AnonymousUserMixin()


@pytest.fixture
def campaign(make_campaign: Callable[..., Campaign]) -> Campaign:
    return make_campaign()


@pytest.fixture
def add(campaign: Campaign, org_a: Organization, clock: Clock) -> Callable[..., Proposal]:
    """A published proposal, each one a minute newer than the one before."""
    made: list[Proposal] = []

    def make(
        title: str,
        summary: str = "",
        description: str = "",
        organization: Organization | None = None,
        state: ProposalState = ProposalState.submitted,
        **kwargs: Any,
    ) -> Proposal:
        when = clock.now + timedelta(minutes=len(made))
        proposal = Proposal(
            campaign=kwargs.pop("in_campaign", campaign),
            organization=organization or org_a,
            title=title,
            summary=summary,
            description=description,
            search_text=fold(f"{title}\n{summary}\n{description}"),
            state=state,
            created_at=when,
            submitted_at=None if state == ProposalState.draft else when,
            **kwargs,
        )
        db.session.add(proposal)
        db.session.commit()
        made.append(proposal)
        return proposal

    return make


def titles(campaign: Campaign, user: Any = ANONYMOUS, seed: int = 1, **args: str) -> list[str]:
    query = ProposalQuery.from_args(args, seed)
    return [row.proposal.title for row in search_proposals(campaign, user, query).rows]


def found(campaign: Campaign, q: str, **args: str) -> set[str]:
    return set(titles(campaign, q=q, **args))


def login(client: FlaskClient, user: User) -> FlaskClient:
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303
    )
    return client


def list_titles(response: Any) -> list[str]:
    section = page(response).one("section", id="proposal-list")
    return [h.text for h in section.find_all("h3", class_="card-title")]


# --- Turkish-aware search ---------------------------------------------------------------


@pytest.fixture
def turkish(add: Callable[..., Proposal]) -> None:
    add("İZMİR'DE MOR YÜRÜYÜŞ")
    add("Işık Atölyesi", summary="IŞIK ve gölge ile anlatım")
    add("Kadın dayanışması buluşması")
    add("KADIN EMEĞİ PAZARI")
    add("İstanbul değil", description="ISPARTA'dan konuk")
    add("Kampanya", description="Şiddete karşı ortak ses; ÇOCUK ve GENÇ kadınlar")


@pytest.mark.usefixtures("turkish")
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("izmir", {"İZMİR'DE MOR YÜRÜYÜŞ"}),
        ("İzmir", {"İZMİR'DE MOR YÜRÜYÜŞ"}),
        ("İZMİR", {"İZMİR'DE MOR YÜRÜYÜŞ"}),
        ("ışık", {"Işık Atölyesi"}),
        ("IŞIK", {"Işık Atölyesi"}),
        ("gölge", {"Işık Atölyesi"}),
        ("KADIN", {"Kadın dayanışması buluşması", "KADIN EMEĞİ PAZARI", "Kampanya"}),
        ("kadın", {"Kadın dayanışması buluşması", "KADIN EMEĞİ PAZARI", "Kampanya"}),
        ("emeği", {"KADIN EMEĞİ PAZARI"}),
        ("ısparta", {"İstanbul değil"}),  # "I" is the capital of "ı" in Turkish
        ("şiddete çocuk", {"Kampanya"}),
        ("ŞİDDETE", {"Kampanya"}),
        # An undotted query does not find the dotless letter: they are different letters.
        ("kadin", set()),
        ("isik", set()),
        ("izmır", set()),
        ("ısık", set()),
    ],
)
def test_search_folds_turkish_letters(campaign: Campaign, q: str, expected: set[str]) -> None:
    assert found(campaign, q) == expected


@pytest.mark.usefixtures("turkish")
def test_a_decomposed_query_finds_the_composed_text(campaign: Campaign) -> None:
    # "İ" typed as "I" + combining dot above, as some keyboards and copy-pastes produce.
    assert found(campaign, "I\u0307ZMI\u0307R") == {"İZMİR'DE MOR YÜRÜYÜŞ"}


def test_every_word_must_match_in_any_field(
    campaign: Campaign, add: Callable[..., Proposal]
) -> None:
    add("Mor bank", summary="Karşıyaka sahilinde")
    add("Mor yürüyüş", description="Bornova'da")
    add("Bank boyama", summary="Mor renk yok", description="Karşıyaka")
    assert found(campaign, "mor bank") == {"Mor bank", "Bank boyama"}
    assert found(campaign, "MOR   karşıyaka") == {"Mor bank", "Bank boyama"}
    assert found(campaign, "mor bank karşıyaka sahil") == {"Mor bank"}
    assert found(campaign, "mor bornova") == {"Mor yürüyüş"}
    assert found(campaign, "mor bank yok-böyle-bir-kelime") == set()
    assert found(campaign, "   ") == {"Mor bank", "Mor yürüyüş", "Bank boyama"}


META = {
    "%": "%100 destek",
    "_": "a_b testi",
    "'": "O'Neil'in yürüyüşü",
    '"': 'Bir "hayır" kampanyası',
    "\\": "C:\\yol ayrımı",
    ";": "Bir; iki",
}


@pytest.fixture
def meta(add: Callable[..., Proposal]) -> None:
    add("Sade başlık", summary="100 destek ab testi OBrien hayır yol bir iki")
    for title in META.values():
        add(title)


@pytest.mark.usefixtures("meta")
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        *[(char, {title}) for char, title in META.items()],
        ("%100", {META["%"]}),
        ("a_b", {META["_"]}),
        ("O'Neil'in", {META["'"]}),
        ('"hayır"', {META['"']}),
        ("C:\\yol", {META["\\"]}),
        ("bir;", {META[";"]}),
        ("%%", set()),
        ("\\%", set()),
        ("\\_", set()),
        ("' OR '1'='1", set()),
        ("'; DROP TABLE proposals; --", set()),
        ("[a-z]*", set()),
        ("%_%", set()),
    ],
)
def test_like_meta_characters_are_taken_literally(
    campaign: Campaign, q: str, expected: set[str]
) -> None:
    assert found(campaign, q) == expected


@pytest.mark.usefixtures("meta")
@pytest.mark.parametrize("q", ["%", "_", "'", '"', "\\", ";", "' OR 1=1 --", "\x00", "%00"])
def test_meta_characters_in_the_address_never_fail(
    browser: Callable[..., FlaskClient], campaign: Campaign, q: str
) -> None:
    response = browser().get(f"/campaigns/{campaign.slug}", query_string={"q": q})
    assert response.status_code == 200
    expected = sorted(found(campaign, q))
    assert sorted(list_titles(response)) == expected
    fragment = browser().get(
        f"/campaigns/{campaign.slug}/proposals",
        query_string={"q": q},
        headers={"HX-Request": "true", "HX-Target": "proposal-list"},
    )
    assert fragment.status_code == 200
    assert sorted(list_titles(fragment)) == expected
    if q != "\x00":  # the page shows what was searched for
        assert page(response).one("input", id="filter-q").get("value") == q.strip()


@pytest.fixture
def browser(app: Flask) -> Callable[..., FlaskClient]:
    def open_as(user: User | None = None) -> FlaskClient:
        client = app.test_client()
        return login(client, user) if user is not None else client

    return open_as


# --- filters ----------------------------------------------------------------------------


@pytest.fixture
def varied(
    campaign: Campaign,
    add: Callable[..., Proposal],
    org_a: Organization,
    org_b: Organization,
    make_org: Callable[..., Organization],
    make_campaign: Callable[..., Campaign],
) -> dict[str, Any]:
    org_c = make_org("Çiğli Kadın Kooperatifi")
    violence = Theme(campaign=campaign, name_tr="Şiddetle mücadele", position=1)
    economy = Theme(campaign=campaign, name_tr="Ekonomik güçlenme", position=2)
    db.session.add_all([violence, economy])
    db.session.commit()
    one = add(
        "Bir",
        district="Bornova",
        activity_type=ActivityType.workshop,
        themes=[violence],
        organization=org_a,
    )
    two = add(
        "İki",
        district="Konak",
        activity_type=ActivityType.event,
        themes=[violence, economy],
        organization=org_b,
    )
    three = add(
        "Üç",
        district="Bornova",
        activity_type=ActivityType.event,
        themes=[economy],
        organization=org_c,
        state=ProposalState.withdrawn,
    )
    four = add("Dört", district="city-wide", activity_type=ActivityType.training,
               organization=org_c, state=ProposalState.accepted)  # fmt: skip
    draft = add("Taslak", district="Bornova", organization=org_a, state=ProposalState.draft)
    # Partners: org_b confirmed on "Bir"; org_a pending on "Üç", declined on "Dört".
    db.session.add_all(
        [
            Partnership(proposal=one, organization=org_b, state=PartnershipState.confirmed),
            Partnership(proposal=three, organization=org_a, state=PartnershipState.pending),
            Partnership(proposal=four, organization=org_a, state=PartnershipState.declined),
        ]
    )
    # The same names in another campaign never show here.
    other = make_campaign()
    add("Bir", in_campaign=other, district="Bornova", organization=org_a)
    db.session.commit()
    return {
        "orgs": (org_a, org_b, org_c),
        "themes": (violence, economy),
        "proposals": (one, two, three, four, draft),
    }


def test_filters(campaign: Campaign, varied: dict[str, Any]) -> None:
    org_a, org_b, org_c = varied["orgs"]
    violence, economy = varied["themes"]
    everything = ["Dört", "Üç", "İki", "Bir"]  # newest first
    assert titles(campaign) == everything
    assert titles(campaign, theme=str(violence.id)) == ["İki", "Bir"]
    assert titles(campaign, theme=str(economy.id)) == ["Üç", "İki"]
    assert titles(campaign, theme="999999") == []
    assert titles(campaign, district="Bornova") == ["Üç", "Bir"]
    assert titles(campaign, district="city-wide") == ["Dört"]
    assert titles(campaign, district="Atlantis") == []
    assert titles(campaign, activity_type="event") == ["Üç", "İki"]
    assert titles(campaign, activity_type="training") == ["Dört"]
    assert titles(campaign, activity_type="bogus") == everything
    # Author or confirmed partner; a pending or declined request does not count.
    assert titles(campaign, organization=str(org_a.id)) == ["Bir"]
    assert titles(campaign, organization=str(org_b.id)) == ["İki", "Bir"]
    assert titles(campaign, organization=str(org_c.id)) == ["Dört", "Üç"]
    assert titles(campaign, status="withdrawn") == ["Üç"]
    assert titles(campaign, status="accepted") == ["Dört"]
    assert titles(campaign, status="submitted") == ["İki", "Bir"]
    assert titles(campaign, status="draft") == []
    assert titles(campaign, status="nonsense") == everything
    # Filters combine.
    assert titles(campaign, district="Bornova", activity_type="event") == ["Üç"]
    assert titles(campaign, theme=str(violence.id), organization=str(org_b.id), q="bir") == ["Bir"]


def test_drafts_appear_for_their_organisation_only(
    campaign: Campaign, varied: dict[str, Any], rep_a: User, rep_b: User
) -> None:
    assert titles(campaign, rep_a) == ["Taslak", "Dört", "Üç", "İki", "Bir"]
    assert titles(campaign, rep_a, status="draft") == ["Taslak"]
    assert titles(campaign, rep_a, q="taslak") == ["Taslak"]
    assert titles(campaign, rep_b, status="draft") == []
    assert titles(campaign, rep_b, q="taslak") == []


def test_the_organisation_filter_offers_authors_and_confirmed_partners(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    varied: dict[str, Any],
    add: Callable[..., Proposal],
    make_org: Callable[..., Organization],
) -> None:
    org_a, org_b, org_c = varied["orgs"]
    one = varied["proposals"][0]
    partner_only = make_org("Ödemiş Kadın Derneği")
    asked_only = make_org("Tire Kadın Derneği")
    drafting_only = make_org("Urla Kadın Derneği")
    db.session.add_all(
        [
            Partnership(proposal=one, organization=partner_only, state=PartnershipState.confirmed),
            Partnership(proposal=one, organization=asked_only, state=PartnershipState.pending),
        ]
    )
    add("Urla taslağı", organization=drafting_only, state=ProposalState.draft)
    doc = page(browser().get(f"/campaigns/{campaign.slug}"))
    options = doc.one("select", name="organization").find_all("option")
    expected = sorted((org_a, org_b, org_c, partner_only), key=lambda o: o.name_folded)
    assert [o.get("value") for o in options] == ["", *[str(o.id) for o in expected]]
    # Choosing the partner finds the proposal it is a partner of.
    chosen = browser().get(f"/campaigns/{campaign.slug}?organization={partner_only.id}")
    assert list_titles(chosen) == [one.title]


def test_with_many_organisations_the_filter_is_a_name_field(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    varied: dict[str, Any],
    make_org: Callable[..., Organization],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A national campaign has thousands of organisations: no list of them, a name search."""
    monkeypatch.setattr(search, "ORGANIZATION_CHOICES_LIMIT", 2)
    one = varied["proposals"][0]
    partner_only = make_org("İZMİR ödemiş Kadın Derneği")
    db.session.add(
        Partnership(proposal=one, organization=partner_only, state=PartnershipState.confirmed)
    )
    db.session.commit()
    doc = page(browser().get(f"/campaigns/{campaign.slug}"))
    assert doc.find("select", name="organization") is None
    field = doc.one("input", name="organization_name")
    assert doc.one("label", **{"for": field.get("id")}).text == "Kuruluş"
    # Turkish casing: "izmir Ödemiş" finds the partner "İZMİR ödemiş …".
    chosen = browser().get(
        f"/campaigns/{campaign.slug}", query_string={"organization_name": "izmir Ödemiş"}
    )
    assert list_titles(chosen) == [one.title]
    assert page(chosen).one("input", name="organization_name").get("value") == "izmir Ödemiş"
    # LIKE's wildcards are searched for literally.
    assert list_titles(browser().get(f"/campaigns/{campaign.slug}?organization_name=%25")) == []


def test_filters_through_the_page_and_the_fragment(
    browser: Callable[..., FlaskClient], campaign: Campaign, varied: dict[str, Any]
) -> None:
    _, org_b, _ = varied["orgs"]
    violence, _ = varied["themes"]
    query = {"theme": violence.id, "organization": org_b.id, "district": "Bornova"}
    response = browser().get(f"/campaigns/{campaign.slug}", query_string=query)
    assert list_titles(response) == ["Bir"]
    doc = page(response)
    assert doc.one("select", name="theme").find("option", selected=True).get("value") == str(
        violence.id
    )
    fragment = browser().get(
        f"/campaigns/{campaign.slug}/proposals",
        query_string=query,
        headers={"HX-Request": "true", "HX-Target": "proposal-list"},
    )
    assert list_titles(fragment) == ["Bir"]


# --- sorting ----------------------------------------------------------------------------


def comment(
    proposal: Proposal, user: User, kind: CommentKind = CommentKind.comment, **kwargs: Any
) -> Comment:
    made = Comment(
        proposal=proposal,
        author=user,
        organization_id=user.organization_id,
        kind=kind,
        body="…",
        **kwargs,
    )
    db.session.add(made)
    db.session.flush()
    refresh_counts(proposal.id)  # what post_comment and delete_comment do after a write
    return made


def test_sorting_by_discussion_and_support(
    campaign: Campaign,
    add: Callable[..., Proposal],
    rep_a: User,
    rep_b: User,
    make_user: Callable[..., User],
    make_org: Callable[..., Organization],
    clock: Clock,
) -> None:
    quiet = add("Sessiz")
    newer_quiet = add("Sessiz ama yeni")
    talked = add("Çok konuşulan")
    backed = add("Çok desteklenen")
    colleague = make_user(organization=rep_a.organization)
    rep_c = make_user(organization=make_org())
    for _ in range(5):
        comment(talked, rep_b)
    # Support: three organisations (two people of org A count once) …
    comment(backed, rep_a, CommentKind.support)
    comment(backed, colleague, CommentKind.support)
    comment(backed, rep_b, CommentKind.support)
    comment(backed, rep_c, CommentKind.support)
    # … a deleted support does not count, nor does a concern.
    comment(talked, rep_a, CommentKind.support)
    comment(talked, rep_b, CommentKind.support, deleted_at=clock.now)
    comment(talked, rep_c, CommentKind.concern)
    db.session.commit()

    assert titles(campaign) == ["Çok desteklenen", "Çok konuşulan", "Sessiz ama yeni", "Sessiz"]
    # Equal counts fall back to newest first.
    assert titles(campaign, sort="discussed") == [
        "Çok konuşulan", "Çok desteklenen", "Sessiz ama yeni", "Sessiz"
    ]  # fmt: skip
    assert titles(campaign, sort="supported") == [
        "Çok desteklenen", "Çok konuşulan", "Sessiz ama yeni", "Sessiz"
    ]  # fmt: skip
    page_ = search_proposals(campaign, ANONYMOUS, ProposalQuery.from_args({}, 1))
    counts = {r.proposal.title: (r.comments, r.supports) for r in page_.rows}
    assert counts == {
        "Çok desteklenen": (4, 3),
        "Çok konuşulan": (7, 1),
        quiet.title: (0, 0),
        newer_quiet.title: (0, 0),
    }


def test_newest_is_by_submission_time(
    campaign: Campaign, add: Callable[..., Proposal], clock: Clock
) -> None:
    old = add("Eski")
    add("Orta")
    add("Yeni")
    old.submitted_at = clock.now + timedelta(days=3)  # submitted last, after a long draft
    db.session.commit()
    assert titles(campaign) == ["Eski", "Yeni", "Orta"]
    assert titles(campaign, sort="no-such-order") == ["Eski", "Yeni", "Orta"]


def test_random_order_is_stable_per_seed_and_differs_between_seeds(
    campaign: Campaign, add: Callable[..., Proposal]
) -> None:
    for i in range(50):
        add(f"Öneri {i:02d}")

    def shuffled(seed: int) -> list[str]:
        first = titles(campaign, seed=seed, sort="random")
        second = titles(campaign, seed=seed, sort="random", page="2")
        third = titles(campaign, seed=seed, sort="random", page="3")
        assert (len(first), len(second), len(third)) == (20, 20, 10)
        return first + second + third

    one = shuffled(12345)
    assert sorted(one) == [f"Öneri {i:02d}" for i in range(50)]  # each once, across pages
    assert shuffled(12345) == one
    others = [shuffled(seed) for seed in (2, 3, 999_999_999)]
    assert all(order != one for order in others)
    assert one != sorted(one) and one != sorted(one, reverse=True)
    # Not merely a rotation: the first page differs in membership from seed to seed.
    assert len({tuple(sorted(order[:20])) for order in [one, *others]}) == 4


def test_the_random_seed_is_kept_per_visitor(
    browser: Callable[..., FlaskClient], campaign: Campaign, add: Callable[..., Proposal]
) -> None:
    for i in range(30):
        add(f"Öneri {i:02d}")
    url = f"/campaigns/{campaign.slug}?sort=random"
    visitor = browser()
    first = list_titles(visitor.get(url)) + list_titles(visitor.get(url + "&page=2"))
    again = list_titles(visitor.get(url)) + list_titles(visitor.get(url + "&page=2"))
    assert first == again
    assert sorted(first) == [f"Öneri {i:02d}" for i in range(30)]
    orders = set()
    for seed in (11, 22, 33):
        other = browser()
        with other.session_transaction() as session:
            session["shuffle_seed"] = seed
        orders.add(tuple(list_titles(other.get(url))))
        assert tuple(list_titles(other.get(url))) in orders
    assert len(orders) == 3


# --- pages ------------------------------------------------------------------------------


def test_pages_of_twenty_and_clamping(campaign: Campaign, add: Callable[..., Proposal]) -> None:
    for i in range(45):
        add(f"Öneri {i:02d}")
    newest_first = [f"Öneri {i:02d}" for i in reversed(range(45))]

    def result(**args: str) -> search.ProposalPage:
        return search_proposals(campaign, ANONYMOUS, ProposalQuery.from_args(args, 1))

    assert PAGE_SIZE == 20
    first = result()
    assert (first.total, first.pages, first.page) == (45, 3, 1)
    assert [r.proposal.title for r in first.rows] == newest_first[:20]
    assert [r.proposal.title for r in result(page="2").rows] == newest_first[20:40]
    last = result(page="3")
    assert [r.proposal.title for r in last.rows] == newest_first[40:]
    for beyond in ("4", "99", "99999999"):
        clamped = result(page=beyond)
        assert clamped.page == 3
        assert [r.proposal.title for r in clamped.rows] == newest_first[40:]
    for junk in ("0", "-1", "abc", "²", "1.5", "", " "):
        assert result(page=junk).page == 1
    empty = result(q="yok böyle bir şey", page="5")
    assert (empty.total, empty.pages, empty.page, empty.rows) == (0, 1, 1, [])


def test_page_links_keep_the_filters(
    browser: Callable[..., FlaskClient], campaign: Campaign, add: Callable[..., Proposal]
) -> None:
    for i in range(25):
        add(f"Öneri {i:02d}", district="Buca")
    response = browser().get(f"/campaigns/{campaign.slug}?district=Buca&q=öneri&page=9")
    assert response.status_code == 200
    nav = page(response).one("nav", class_="pagination")
    (previous,) = nav.find_all("a")
    assert previous.get("href").startswith(f"/campaigns/{campaign.slug}?")
    assert "district=Buca" in previous.get("href")
    assert "page=" not in previous.get("href")  # page 1 is the default
    assert len(list_titles(response)) == 5


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=%C2%B2",
        "page=-5",
        "page=1e9",
        "page=99999999999999999999",
        "theme=%C2%B2",
        "theme=abc",
        "theme=99999999999999999999",
        "organization=%D9%A3",
        "organization=-1",
        "sort=DROP",
        "status=%00",
        "q=%00",
        "district=%00",
        "q=a%00b&district=Buca%00",
        "activity_type=__class__",
        "district=" + "x" * 2000,
        "q=" + "a%20" * 3000,
        "q=%FF%FE",
        "page=1&page=2&theme=1&theme=x",
    ],
)
def test_query_string_junk_never_fails(
    browser: Callable[..., FlaskClient],
    campaign: Campaign,
    add: Callable[..., Proposal],
    rep_a: User,
    query: str,
) -> None:
    add("Tek öneri")
    for client in (browser(), browser(rep_a)):
        assert client.get(f"/campaigns/{campaign.slug}?{query}").status_code == 200
        fragment = client.get(
            f"/campaigns/{campaign.slug}/proposals?{query}",
            headers={"HX-Request": "true", "HX-Target": "proposal-list"},
        )
        assert fragment.status_code == 200


def test_an_unknown_campaign_is_404(browser: Callable[..., FlaskClient]) -> None:
    assert browser().get("/campaigns/yok").status_code == 404
    assert browser().get("/campaigns/yok/proposals").status_code == 404


def test_search_text_is_kept_up_to_date_by_the_workflows(
    campaign: Campaign, rep_a: User, clock: Clock
) -> None:
    from proposals import submission

    fields = submission.ProposalFields(
        title="IŞIKLI Gece",
        summary="Özet",
        description="Açıklama",
        activity_type=ActivityType.event,
        district="Konak",
    )
    proposal = submission.save_draft(campaign, rep_a, fields, clock.now)
    submission.submit(proposal, rep_a, clock.now)
    db.session.commit()
    assert found(campaign, "ışıklı") == {"IŞIKLI Gece"}
    fields.title = "KARANLIK Gece"
    submission.edit(proposal, rep_a, fields, clock.now)
    db.session.commit()
    assert found(campaign, "ışıklı") == set()
    assert found(campaign, "karanlık") == {"KARANLIK Gece"}
    stored = db.session.scalar(select(Proposal.search_text).where(Proposal.id == proposal.id))
    assert stored == "karanlık gece\nözet\naçıklama"
