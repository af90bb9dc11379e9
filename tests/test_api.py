"""The open-data API (/api/v1): who sees what, the campaign page's filters and order, pages,
errors as JSON, no personal data, a fixed number of queries — and every response checked
against the OpenAPI document's schema for its path and status."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask_login import AnonymousUserMixin
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import event, select
from werkzeug.security import generate_password_hash

from auth.models import Organization, Role, User
from extensions import db
from proposals import search, submission
from proposals.api_spec import SPEC
from proposals.demo import DEMO_SLUG, load_demo
from proposals.discussion import refresh_counts
from proposals.models import (
    ActivityType,
    Campaign,
    Comment,
    CommentKind,
    PartnershipState,
    Proposal,
    Theme,
    Visibility,
)
from tests.conftest import PASSWORD, AuthActions

API = "/api/v1"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Keys that would carry people's data; none may appear anywhere in a response.
PERSONAL_KEYS = {"email", "user_id", "author_id", "created_by", "created_by_id", "ip",
                 "decided_by", "decided_by_id", "edited_by", "reporter_id"}  # fmt: skip

# --- the OpenAPI document -----------------------------------------------------------------

_REGISTRY = Registry().with_resource(
    "urn:ortak:openapi", Resource.from_contents(SPEC, default_specification=DRAFT202012)
)
_TEMPLATES = [
    (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"), template)
    for template in SPEC["paths"]
]


def _template(path: str) -> str:
    for pattern, template in _TEMPLATES:
        if pattern.match(path):
            return template
    raise AssertionError(f"{path} is not in the OpenAPI document")


def checked(response: Any) -> Any:
    """The response's JSON, after validating it against the schema the document declares
    for its path, method (GET) and status, and checking the headers every response has."""
    path = urlsplit(response.request.url).path.removeprefix(API)
    operation = SPEC["paths"][_template(path)]["get"]
    declared = operation["responses"].get(str(response.status_code))
    assert declared is not None, f"GET {path}: status {response.status_code} is not documented"
    assert response.mimetype == "application/json"
    body = response.get_json()
    schema = declared["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = {"$ref": "urn:ortak:openapi" + schema["$ref"]}
    validator = Draft202012Validator(schema, registry=_REGISTRY, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    assert "Cookie" in response.headers.get("Vary", "")
    return body


def get(client: Any, path: str, status: int = 200, **kwargs: Any) -> Any:
    response = client.get(path if path.startswith(("http", API)) else API + path, **kwargs)
    assert response.status_code == status, (path, response.status_code, response.get_data())
    return checked(response)


def test_the_document_is_valid_openapi_3_1() -> None:
    assert SPEC["openapi"].startswith("3.1")
    validate_spec(SPEC)
    for name, schema in SPEC["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        assert schema.get("description") or schema.get("type") == "object", name


def test_the_document_is_served_and_covers_every_route(app: Flask, client: Any) -> None:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == json.loads(json.dumps(SPEC))
    assert response.headers["Cache-Control"] == "public, max-age=60"
    documented = {f"{API}{template}" for template in SPEC["paths"]}
    routed = {
        re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routed == documented
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            assert (rule.methods or set()) - {"HEAD", "OPTIONS"} == {"GET"}, rule


# --- data -----------------------------------------------------------------------------------


@pytest.fixture
def propose(clock: Any) -> Callable[..., Proposal]:
    """A proposal written the real way (save_draft, then submit unless ``draft``)."""
    made = iter(range(1, 10_000))

    def make(
        campaign: Campaign,
        author: User,
        title: str | None = None,
        *,
        summary: str = "Kısa özet.",
        description: str = "Ayrıntılı açıklama.",
        draft: bool = False,
        activity_type: ActivityType = ActivityType.workshop,
        district: str = "Konak",
        partners: list[Organization] | None = None,
        themes: list[Theme] | None = None,
        minutes: float | None = None,
        **fields: Any,
    ) -> Proposal:
        n = next(made)
        now = clock.now + timedelta(minutes=minutes if minutes is not None else n)
        values = submission.ProposalFields(
            title=title or f"Öneri {n}",
            summary=summary,
            description=description,
            activity_type=activity_type,
            district=district,
            partner_ids=[p.id for p in partners or []],
            **fields,
        )
        proposal = submission.save_draft(campaign, author, values, now)
        if not draft:
            submission.submit(proposal, author, now)
        for partnership in proposal.partnerships:
            partnership.state = PartnershipState.confirmed
        proposal.themes.extend(themes or [])
        db.session.commit()
        return proposal

    return make


def comment(
    proposal: Proposal,
    author: User,
    body: str,
    kind: CommentKind = CommentKind.comment,
    parent: Comment | None = None,
    **values: Any,
) -> Comment:
    made = Comment(
        proposal_id=proposal.id,
        parent_id=parent.id if parent else None,
        author_id=author.id,
        organization_id=author.organization_id,
        kind=kind,
        body=body,
        **values,
    )
    db.session.add(made)
    db.session.flush()
    refresh_counts(proposal.id)  # as post_comment and delete_comment do
    db.session.commit()
    return made


@pytest.fixture
def public(make_campaign: Callable[..., Campaign]) -> Campaign:
    campaign = make_campaign(slug="acik", title="Herkese açık")
    campaign.themes.extend(
        [Theme(name_tr="Farkındalık", name_en="Awareness", position=0),
         Theme(name_tr="Eski tema", name_en="", position=1)]
    )  # fmt: skip
    db.session.commit()
    return campaign


@pytest.fixture
def members_only(make_campaign: Callable[..., Campaign]) -> Campaign:
    return make_campaign(slug="uyeler", title="Üyelere özel", visibility=Visibility.members)


def ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["items"]]


# --- campaigns ----------------------------------------------------------------------------


def test_anonymous_callers_see_public_campaigns_and_members_see_all(
    client: Any, auth: AuthActions, public: Campaign, members_only: Campaign, propose: Any,
    rep_a: User, clock: Any,
) -> None:  # fmt: skip
    propose(public, rep_a, "Yayında")
    propose(public, rep_a, "Taslak", draft=True)
    propose(members_only, rep_a, "Üyelere")

    body = get(client, "/campaigns")
    assert [c["slug"] for c in body["items"]] == ["acik"]
    (campaign,) = body["items"]
    assert campaign["proposal_count"] == 1  # the draft is not counted
    assert campaign["phase"] == "submission"
    assert campaign["visibility"] == "public"
    assert campaign["windows"]["submission_opens_at"] == "2026-09-30T09:00:00Z"
    assert campaign["awareness_day"] == (clock.now + timedelta(days=60)).date().isoformat()
    assert [(t["name_en"], t["archived"]) for t in campaign["themes"]] == [
        ("Awareness", False),
        ("", False),
    ]
    assert campaign["links"]["self"] == f"http://localhost{API}/campaigns/acik"
    assert campaign["links"]["proposals"] == f"http://localhost{API}/campaigns/acik/proposals"
    assert campaign["links"]["html"] == "http://localhost/campaigns/acik"
    assert get(client, campaign["links"]["self"]) == campaign

    get(client, "/campaigns/uyeler", 404)
    get(client, "/campaigns/uyeler/proposals", 404)

    auth.login(rep_a)
    body = get(client, "/campaigns")
    assert sorted(c["slug"] for c in body["items"]) == ["acik", "uyeler"]
    assert get(client, "/campaigns/uyeler")["proposal_count"] == 1
    assert [p["title"] for p in get(client, "/campaigns/uyeler/proposals")["items"]] == ["Üyelere"]


def test_the_phase_follows_the_clock(client: Any, public: Campaign, clock: Any) -> None:
    assert get(client, "/campaigns/acik")["phase"] == "submission"
    clock.advance(days=11)
    assert get(client, "/campaigns/acik")["phase"] == "review"
    clock.advance(days=2)
    assert get(client, "/campaigns/acik")["phase"] == "voting"
    clock.advance(days=30)
    assert get(client, "/campaigns/acik")["phase"] == "closed"


def test_cache_headers_public_for_anonymous_private_when_signed_in(
    client: Any, auth: AuthActions, public: Campaign, rep_a: User
) -> None:
    for path in ("/campaigns", "/campaigns/acik", "/campaigns/acik/proposals", "/nope"):
        response = client.get(API + path)
        assert response.headers["Cache-Control"] == "public, max-age=60", path
        assert "Cookie" in response.headers["Vary"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    auth.login(rep_a)
    for path in ("/campaigns", "/campaigns/acik", "/campaigns/acik/proposals", "/nope"):
        response = client.get(API + path)
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert "Cookie" in response.headers["Vary"]


# --- drafts and visibility -------------------------------------------------------------------


def test_drafts_only_for_their_own_organisation(
    client: Any, auth: AuthActions, public: Campaign, propose: Any, rep_a: User, rep_b: User,
    moderator: User,
) -> None:  # fmt: skip
    published = propose(public, rep_a, "Yayımlanmış öneri")
    draft = propose(public, rep_a, "Yarım kalmış taslak", draft=True)

    assert ids(get(client, "/campaigns/acik/proposals")) == [published.id]
    assert ids(get(client, "/campaigns/acik/proposals?status=draft")) == []
    get(client, f"/proposals/{draft.id}", 404)
    assert get(client, f"/proposals/{published.id}")["state"] == "submitted"

    auth.login(rep_a)
    body = get(client, "/campaigns/acik/proposals")
    assert {p["id"]: p["state"] for p in body["items"]} == {
        published.id: "submitted",
        draft.id: "draft",
    }
    assert ids(get(client, "/campaigns/acik/proposals?status=draft")) == [draft.id]
    detail = get(client, f"/proposals/{draft.id}")
    assert detail["state"] == "draft"
    assert detail["submitted_at"] is None
    response = client.get(f"{API}/proposals/{draft.id}")
    assert response.headers["Cache-Control"] == "private, no-store"

    for other in (rep_b, moderator):
        auth.logout()
        auth.login(other)
        assert ids(get(client, "/campaigns/acik/proposals")) == [published.id]
        get(client, f"/proposals/{draft.id}", 404)


def test_a_proposal_of_a_members_only_campaign_is_404_for_anonymous_callers(
    client: Any, auth: AuthActions, members_only: Campaign, propose: Any, rep_a: User,
    rep_b: User,
) -> None:  # fmt: skip
    proposal = propose(members_only, rep_a, "İç öneri")
    response = client.get(f"{API}/proposals/{proposal.id}")
    assert response.status_code == 404  # not a redirect to the login page
    assert checked(response)["error"]
    auth.login(rep_b)
    assert get(client, f"/proposals/{proposal.id}")["title"] == "İç öneri"


# --- the proposal ---------------------------------------------------------------------------


def test_a_proposal_has_every_public_field(
    client: Any, public: Campaign, propose: Any, rep_a: User, org_b: Organization,
    make_org: Any, clock: Any,
) -> None:  # fmt: skip
    declined = make_org("Çekinen Dernek")
    theme = public.themes[0]
    proposal = propose(
        public,
        rep_a,
        "Mor Bank yürüyüşü",
        summary="Kordon boyunca yürüyüş.",
        description="## Program\n\n- Toplanma\n- Yürüyüş",
        activity_type=ActivityType.event,
        district="city-wide",
        partners=[org_b, declined],
        themes=[theme],
        target_group="Genç kadınlar",
        proposed_date=date(2026, 11, 25),
        expected_participants=300,
        estimated_budget=15000,
        minutes=0,
    )
    (refused,) = [p for p in proposal.partnerships if p.organization_id == declined.id]
    refused.state = PartnershipState.declined
    db.session.commit()
    body = get(client, f"/proposals/{proposal.id}")
    assert body["title"] == "Mor Bank yürüyüşü"
    assert body["summary"] == "Kordon boyunca yürüyüş."
    assert body["description"] == "## Program\n\n- Toplanma\n- Yürüyüş"  # Markdown source
    assert body["activity_type"] == "event"
    assert body["district"] == "city-wide"
    assert body["target_group"] == "Genç kadınlar"
    assert body["proposed_date"] == "2026-11-25"
    assert body["expected_participants"] == 300
    assert body["estimated_budget"] == 15000
    assert body["organization"] == {"id": rep_a.organization_id, "name": rep_a.organization.name}
    assert body["partners"] == [{"id": org_b.id, "name": org_b.name}]  # confirmed only
    assert body["themes"] == [{"id": theme.id, "name_tr": "Farkındalık", "name_en": "Awareness"}]
    assert body["submitted_at"] == "2026-10-01T09:00:00Z"
    assert body["campaign"] == {"slug": "acik", "title": "Herkese açık"}
    assert body["withdrawn_reason"] is None
    assert body["links"] == {
        "self": f"http://localhost{API}/proposals/{proposal.id}",
        "campaign": f"http://localhost{API}/campaigns/acik",
        "html": f"http://localhost/proposals/{proposal.id}",
    }
    # The list shows the same proposal with the same shared fields.
    (listed,) = get(client, "/campaigns/acik/proposals")["items"]
    assert listed == {key: body[key] for key in listed}


def test_a_withdrawn_proposal_says_why(
    client: Any, public: Campaign, propose: Any, rep_a: User, clock: Any
) -> None:
    proposal = propose(public, rep_a, "Vazgeçilen")
    submission.withdraw(proposal, rep_a, "Mekân bulunamadı.", clock.now + timedelta(hours=1))
    db.session.commit()
    body = get(client, f"/proposals/{proposal.id}")
    assert body["state"] == "withdrawn"
    assert body["withdrawn_reason"] == "Mekân bulunamadı."
    assert body["withdrawn_at"] == "2026-10-01T10:00:00Z"


def test_comments_are_nested_one_level_with_placeholders_for_deleted_ones(
    client: Any, public: Campaign, propose: Any, rep_a: User, rep_b: User, moderator: User,
    clock: Any,
) -> None:  # fmt: skip
    proposal = propose(public, rep_a, "Tartışılan öneri")
    at = clock.now
    first = comment(proposal, rep_b, "Destekliyoruz!", CommentKind.support, created_at=at)
    gone = comment(proposal, rep_b, "Yanlış yazdım", CommentKind.concern,
                   created_at=at + timedelta(minutes=1),
                   deleted_at=at + timedelta(minutes=2))  # fmt: skip
    comment(proposal, rep_a, "Teşekkürler", parent=first, created_at=at + timedelta(minutes=3),
            edited_at=at + timedelta(minutes=4))  # fmt: skip
    comment(proposal, moderator, "Soru: yer neresi?", CommentKind.question, parent=gone,
            created_at=at + timedelta(minutes=5))  # fmt: skip
    comment(proposal, rep_a, "Silinen yanıt", parent=first, created_at=at + timedelta(minutes=6),
            deleted_at=at + timedelta(minutes=7))  # fmt: skip

    body = get(client, f"/proposals/{proposal.id}")
    assert body["comment_count"] == 3  # deleted ones are not counted
    assert body["support_count"] == 1
    thread = body["comments"]
    assert [c["id"] for c in thread] == [first.id, gone.id]
    assert thread[0] == {
        "id": first.id,
        "kind": "support",
        "body": "Destekliyoruz!",
        "deleted": False,
        "created_at": "2026-10-01T09:00:00Z",
        "edited": False,
        "author": "Fatma Demir",
        "organization": "Bornova Kadın Emeği Kooperatifi",
        "replies": thread[0]["replies"],
    }
    reply, deleted_reply = thread[0]["replies"]
    assert (reply["body"], reply["edited"], reply["author"]) == ("Teşekkürler", True, "Ayşe Yılmaz")
    assert reply["organization"] == "Karşıyaka Kadın Dayanışma Derneği"
    assert "replies" not in reply  # one level only
    assert deleted_reply["deleted"] is True
    assert deleted_reply["body"] is None and deleted_reply["author"] is None
    placeholder = thread[1]
    assert placeholder["deleted"] is True
    assert placeholder["body"] is None
    assert placeholder["kind"] is None
    assert placeholder["author"] is None and placeholder["organization"] is None
    (question,) = placeholder["replies"]  # the replies to a deleted comment stay
    assert (question["kind"], question["author"], question["organization"]) == (
        "question",
        "Leyla Tunç",
        None,  # staff speak for the municipality, not an organisation
    )
    text = json.dumps(body, ensure_ascii=False)
    assert "Yanlış yazdım" not in text and "Silinen yanıt" not in text
    listed = get(client, "/campaigns/acik/proposals")["items"][0]
    assert (listed["comment_count"], listed["support_count"]) == (3, 1)


# --- search, filters, order, pages --------------------------------------------------------------


def test_turkish_search_like_the_campaign_page(
    client: Any, public: Campaign, propose: Any, rep_a: User
) -> None:
    izmir = propose(public, rep_a, "İZMİR KENT BELLEĞİ YÜRÜYÜŞÜ")
    isik = propose(public, rep_a, "IŞIK FESTİVALİ")
    kadin = propose(public, rep_a, "Yerel yönetimlerde kadın temsili")
    propose(public, rep_a, "Bisiklet turu", summary="Sahil boyunca.")

    def found(q: str) -> list[int]:
        return sorted(ids(get(client, "/campaigns/acik/proposals", query_string={"q": q})))

    assert found("izmir") == [izmir.id]
    assert found("ışık") == [isik.id]
    assert found("KADIN") == [kadin.id]
    assert found("festivali ışık") == [isik.id]  # every word, in any order
    assert found("100%_") == []  # LIKE's wildcards are plain characters
    # The API answers exactly what the page's query does.
    for q in ("izmir", "ışık", "KADIN", "e", ""):
        query = search.ProposalQuery.from_args({"q": q}, seed=1)
        expected = search.search_proposals(public, AnonymousUserMixin(), query)
        assert ids(get(client, "/campaigns/acik/proposals", query_string={"q": q})) == [
            row.proposal.id for row in expected.rows
        ]


def test_filters(
    client: Any, public: Campaign, propose: Any, rep_a: User, rep_b: User, org_b: Organization,
    make_org: Any, make_user: Any,
) -> None:  # fmt: skip
    theme = public.themes[0]
    workshop = propose(public, rep_a, "Atölye", district="Bornova", themes=[theme])
    event = propose(public, rep_b, "Etkinlik", activity_type=ActivityType.event, district="Konak")
    org_c = make_org("Üçüncü Dernek")
    rep_c = make_user(organization=org_c)
    joint = propose(public, rep_c, "Ortak", partners=[org_b], district="online")

    def found(**args: Any) -> list[int]:
        return sorted(ids(get(client, "/campaigns/acik/proposals", query_string=args)))

    assert found(theme=theme.id) == [workshop.id]
    assert found(district="Bornova") == [workshop.id]
    assert found(district="online") == [joint.id]
    assert found(activity_type="event") == [event.id]
    assert found(organization=org_b.id) == sorted([event.id, joint.id])  # partner included
    assert found(status="submitted") == sorted([workshop.id, event.id, joint.id])
    assert found(status="withdrawn") == []
    # Unreadable filters are ignored, as on the page (not an error).
    everything = sorted([workshop.id, event.id, joint.id])
    assert found(theme="x", activity_type="dance", status="lost", organization="-1") == everything
    assert found(page="²", sort="sideways") == everything


def test_sorting_by_support_and_discussion(
    client: Any, public: Campaign, propose: Any, rep_a: User, rep_b: User, moderator: User,
    make_user: Any, make_org: Any,
) -> None:  # fmt: skip
    quiet = propose(public, rep_a, "Sessiz")
    supported = propose(public, rep_a, "Desteklenen")
    discussed = propose(public, rep_a, "Tartışılan")
    rep_c = make_user(organization=make_org("Üçüncü"))
    for author in (rep_b, rep_c):
        comment(supported, author, "Destek", CommentKind.support)
    comment(supported, rep_b, "Bir destek daha", CommentKind.support)  # the same organisation
    for n in range(4):
        comment(discussed, moderator, f"Soru {n}", CommentKind.question)

    def order(sort: str) -> list[int]:
        return ids(get(client, "/campaigns/acik/proposals", query_string={"sort": sort}))

    assert order("newest") == [discussed.id, supported.id, quiet.id]
    assert order("supported") == [supported.id, discussed.id, quiet.id]
    assert order("discussed") == [discussed.id, supported.id, quiet.id]
    items = get(client, "/campaigns/acik/proposals?sort=supported")["items"]
    assert [(p["support_count"], p["comment_count"]) for p in items] == [(2, 3), (0, 4), (0, 0)]


def _walk(client: Any, url: str) -> list[dict[str, Any]]:
    """Every page, by following the next links from ``url``."""
    pages = []
    while url:
        body = get(client, url)
        pages.append(body)
        url = body["links"]["next"]
    return pages


def test_pages_and_their_links(client: Any, public: Campaign, propose: Any, rep_a: User) -> None:
    made = [propose(public, rep_a, f"Kadın atölyesi {n}") for n in range(45)]
    propose(public, rep_a, "Başka bir şey")

    pages = _walk(client, f"{API}/campaigns/acik/proposals?q=kad%C4%B1n")
    assert [p["pagination"] for p in pages] == [
        {"page": n, "pages": 3, "total": 45, "per_page": 20} for n in (1, 2, 3)
    ]
    assert [len(p["items"]) for p in pages] == [20, 20, 5]
    seen = [item["id"] for p in pages for item in p["items"]]
    assert seen == [p.id for p in reversed(made)]  # newest first, none twice, none missed
    first, second, last = pages
    assert first["links"]["prev"] is None and last["links"]["next"] is None
    assert get(client, last["links"]["prev"]) == second
    assert get(client, second["links"]["prev"]) == first
    for link in (second["links"]["self"], second["links"]["next"], first["links"]["last"]):
        assert parse_qs(urlsplit(link).query)["q"] == ["kadın"]  # the filter is kept
    assert "page" not in parse_qs(urlsplit(first["links"]["self"]).query)
    assert get(client, first["links"]["last"]) == last
    assert get(client, last["links"]["first"]) == first
    # Out-of-range pages are clamped like the page does, never an error.
    assert get(client, "/campaigns/acik/proposals?q=kadın&page=-1") == first
    assert get(client, "/campaigns/acik/proposals?q=kadın&page=0") == first
    assert get(client, "/campaigns/acik/proposals?q=kadın&page=999") == last
    assert get(client, "/campaigns/acik/proposals?q=kadın&page=abc") == first
    empty = get(client, "/campaigns/acik/proposals?q=yok")
    assert empty["items"] == [] and empty["pagination"] == {
        "page": 1, "pages": 1, "total": 0, "per_page": 20
    }  # fmt: skip


def test_the_random_order_is_fixed_by_the_seed(
    client: Any, public: Campaign, propose: Any, rep_a: User
) -> None:
    made = [propose(public, rep_a) for _ in range(25)]

    def shuffled(seed: int | None) -> list[int]:
        extra = "" if seed is None else f"&seed={seed}"
        pages = _walk(client, f"{API}/campaigns/acik/proposals?sort=random{extra}")
        for page in pages:
            for name in ("self", "next", "prev", "first", "last"):
                if page["links"][name]:
                    query = parse_qs(urlsplit(page["links"][name]).query)
                    assert query["seed"] == [str(seed or 1)] and query["sort"] == ["random"]
        return [item["id"] for page in pages for item in page["items"]]

    seven = shuffled(7)
    assert sorted(seven) == sorted(p.id for p in made)  # a permutation across both pages
    assert shuffled(7) == seven  # reproducible
    assert shuffled(None) == shuffled(1)  # the default seed is 1
    orders = {tuple(shuffled(seed)) for seed in (1, 2, 3, 7, 123_456_789, 2**31 - 1)}
    assert len(orders) == 6  # different seeds, different orders (even neighbouring ones)
    assert seven not in (sorted(seven), sorted(seven, reverse=True))
    # The order is the one shuffle_key defines, on SQLite and PostgreSQL alike.
    P, A = search._SEED_MOD, 1_103_515_245

    def key(i: int, s: int) -> int:
        x = (i * A + s) % P
        x = (x * x + s) % P
        return (x * x + 12_345) % P

    assert seven == sorted((p.id for p in made), key=lambda i: (key(i, 7), i))


@pytest.mark.parametrize("seed", ["x", "-1", "1.5", "²", str(2**31), "9" * 30])
def test_a_bad_seed_is_a_400(client: Any, public: Campaign, seed: str) -> None:
    body = get(client, "/campaigns/acik/proposals", 400, query_string={"seed": seed})
    assert body["status"] == 400 and "seed" in body["error"]


# --- errors ----------------------------------------------------------------------------------


def test_errors_are_json(client: Any, app: Flask, public: Campaign) -> None:
    for path in ("/campaigns/yok", "/campaigns/yok/proposals", "/proposals/999999"):
        body = get(client, path, 404)
        assert body["status"] == 404 and body["error"]
    for path in ("", "/", "/nope", "/proposals/abc", "/campaigns/acik/proposals/1"):
        response = client.get(API + path)
        assert response.status_code == 404, path
        assert response.get_json() == {"error": "No such API endpoint.", "status": 404}
    # Outside the API the site's HTML error page is unchanged.
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/campaigns", "/campaigns/acik/proposals", "/openapi.json"])
def test_only_get_is_routed(app: Flask, client: Any, public: Campaign, method: str,
                            path: str) -> None:  # fmt: skip
    app.config["WTF_CSRF_ENABLED"] = True  # a 405, not a CSRF failure page
    response = client.open(API + path, method=method)
    assert response.status_code == 405
    assert response.get_json()["status"] == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}
    assert "POST" not in response.headers["Allow"]


def test_an_unexpected_error_is_json_too(
    client: Any, public: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    from proposals import api

    def broken(*args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "_published_counts", broken)
    response = client.get(f"{API}/campaigns")
    assert response.status_code == 500
    assert response.get_json() == {"error": "Internal error; it has been logged.", "status": 500}


# --- no personal data --------------------------------------------------------------------------


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


@pytest.fixture
def demo(app: Flask, clock: Any, propose: Any, make_campaign: Any) -> list[Campaign]:
    """The demo consultations (proposals, drafts, discussions, votes), and one more campaign
    open for submission where the demo's people write, partner and comment."""
    load_demo(clock.now, generate_password_hash(PASSWORD, method="scrypt:1024:8:1"))
    db.session.commit()
    assert db.session.scalar(select(Campaign).where(Campaign.slug == DEMO_SLUG)) is not None
    extra = make_campaign(slug="ek-kampanya")
    extra.themes.extend([Theme(name_tr="Tema", name_en="Theme")])
    reps = db.session.scalars(
        select(User).where(User.role == Role.participant).order_by(User.id)
    ).all()
    staff = db.session.scalars(select(User).where(User.role != Role.participant)).all()
    proposals = [
        propose(extra, rep, f"{rep.organization.name}: mor atölye", district="Bornova",
                partners=[reps[(i + 3) % len(reps)].organization],
                themes=extra.themes, target_group="Kadınlar")
        for i, rep in enumerate(reps[:8])
    ]  # fmt: skip
    propose(extra, reps[0], "Taslak", draft=True)
    for i, proposal in enumerate(proposals):
        top = comment(proposal, reps[i + 1], "Katılıyoruz", CommentKind.support)
        comment(proposal, staff[i % len(staff)], "Teşekkürler", parent=top)
        comment(proposal, reps[i + 2], "Vazgeçtik", deleted_at=clock.now)
    return list(db.session.scalars(select(Campaign)))


def test_no_email_address_or_user_id_anywhere(
    client: Any, auth: AuthActions, demo: list[Campaign], members_only: Campaign
) -> None:
    def every_response() -> Iterator[Any]:
        urls = [f"{API}/campaigns", f"{API}/openapi.json"]
        while urls:
            response = client.get(urls.pop())
            assert response.status_code == 200
            body = response.get_json()
            yield body
            if "items" in body and body["items"] and "slug" in body["items"][0]:
                urls += [c["links"]["self"] for c in body["items"]]
                urls += [c["links"]["proposals"] for c in body["items"]]
            if "pagination" in body:
                urls += [p["links"]["self"] for p in body["items"]]
                urls += [body["links"]["next"]] if body["links"]["next"] else []

    def check_all() -> int:
        seen = authors = 0
        for body in every_response():
            seen += 1
            text = json.dumps(body, ensure_ascii=False)
            assert not EMAIL.search(text), EMAIL.search(text)
            assert not PERSONAL_KEYS & set(_keys(body))
            assert "password" not in text
            for thread in body.get("comments", []):
                authors += sum(1 for c in (thread, *thread["replies"]) if c["author"])
        assert authors >= 16  # people's names are there, as comment authors only
        return seen

    users = db.session.scalars(select(User)).all()
    anonymous = check_all()
    assert anonymous >= 1 + 1 + len(demo) * 2 + 8  # lists, spec, campaigns, proposals
    auth.login(users[5])
    assert check_all() > anonymous  # the members-only campaign too
    # And the emails do exist in the database: the test could fail.
    assert all("@" in u.email for u in users)


# --- a fixed number of statements ------------------------------------------------------------


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_list_takes_the_same_statements_for_10_and_60_proposals(
    client: Any, auth: AuthActions, public: Campaign, propose: Any, rep_a: User, rep_b: User,
    org_b: Organization, signed_in: bool,
) -> None:  # fmt: skip
    if signed_in:
        auth.login(rep_b)

    def add(n: int) -> None:
        for _ in range(n):
            proposal = propose(public, rep_a, partners=[org_b], themes=public.themes)
            comment(proposal, rep_b, "Destek", CommentKind.support)

    def measure(path: str) -> int:
        db.session.expire_all()
        with statements() as seen:
            get(client, path)
        return len(seen)

    add(10)
    few = {s: measure(f"/campaigns/acik/proposals?sort={s}") for s in search.SORTS}
    detail_few = measure(f"/proposals/{db.session.scalar(select(Proposal.id).limit(1))}")
    campaigns_few = measure("/campaigns")
    add(50)
    many = {s: measure(f"/campaigns/acik/proposals?sort={s}") for s in search.SORTS}
    assert many == few
    assert max(few.values()) <= 8 + 2 * signed_in  # the signed-in user and their organisation
    assert measure("/campaigns/acik/proposals?page=3") == few["newest"]
    assert measure("/campaigns") == campaigns_few

    proposal = db.session.scalar(select(Proposal).order_by(Proposal.id.desc()).limit(1))
    for n in range(20):
        comment(proposal, rep_b if n % 2 else rep_a, f"Yorum {n}")
    assert measure(f"/proposals/{proposal.id}") == detail_few
