"""Themes and the theme board, the rules without HTTP: create, edit, reorder and archive a
theme; add and remove themes on many proposals at once; the board's counts and points.

The fixtures and helpers here (``make_theme``, ``add_proposal``, ``give_points``) are
imported by tests/test_board.py and tests/test_dashboard.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from auth.errors import DomainError
from auth.models import AuditEntry, Organization, User
from extensions import db
from proposals import themes
from proposals.models import Ballot, Campaign, Proposal, ProposalState, Theme, Vote
from proposals.themes import BoardFilters, NotInCampaign, ThemeData
from tests.dom import Element, page, parse
from text import fold

# --- helpers shared with the view tests ---------------------------------------------------


def add_proposal(
    campaign: Campaign,
    organization: Organization,
    title: str,
    state: ProposalState = ProposalState.submitted,
    with_themes: Iterable[Theme] = (),
    submitted_at: datetime | None = None,
) -> Proposal:
    proposal = Proposal(
        campaign=campaign,
        organization=organization,
        title=title,
        summary="Özet",
        description="Açıklama",
        state=state,
        search_text=fold(f"{title} Özet Açıklama"),
        submitted_at=None if state == ProposalState.draft else submitted_at or datetime(2026, 9, 1),
    )
    proposal.themes.extend(with_themes)
    db.session.add(proposal)
    db.session.flush()
    return proposal


def give_points(proposal: Proposal, organization: Organization, points: int) -> None:
    """A vote straight into the tables (the voting rules are tested elsewhere)."""
    ballot = db.session.scalar(
        select(Ballot).where(
            Ballot.campaign_id == proposal.campaign_id, Ballot.organization_id == organization.id
        )
    )
    if ballot is None:
        ballot = Ballot(campaign_id=proposal.campaign_id, organization=organization, budget=100)
        db.session.add(ballot)
        db.session.flush()
    ballot.used += points
    db.session.add(
        Vote(ballot=ballot, proposal=proposal, organization_id=organization.id, points=points)
    )
    db.session.flush()


@pytest.fixture
def make_theme(app: Any, moderator: User) -> Callable[..., Theme]:
    def make(campaign: Campaign, name: str, **kwargs: Any) -> Theme:
        theme = themes.create_theme(campaign, moderator, ThemeData(name_tr=name, **kwargs))
        db.session.commit()
        return theme

    return make


def audit(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def names(campaign: Campaign) -> list[str]:
    db.session.expire(campaign, ["themes"])
    return [t.name_tr for t in sorted(campaign.themes, key=lambda t: (t.position, t.id))]


# --- creating and editing themes -----------------------------------------------------------


def test_a_new_theme_goes_last_with_its_colour_and_is_audited(
    make_campaign: Callable[..., Campaign], moderator: User
) -> None:
    campaign = make_campaign()
    first = themes.create_theme(campaign, moderator, ThemeData(name_tr="Kurumlar arası"))
    second = themes.create_theme(
        campaign,
        moderator,
        ThemeData(
            name_tr="  Erişilebilir destek  ",
            name_en="Accessible support",
            description_tr="Destek mekanizmaları",
            colour="#1D4F91",
        ),
    )
    db.session.commit()
    assert second.position > first.position
    assert (second.name_tr, second.colour) == ("Erişilebilir destek", "#1d4f91")
    entry = audit("theme.create")[-1]
    assert entry.actor_id == moderator.id
    assert (entry.target_type, entry.target_id) == ("Theme", second.id)
    assert entry.before is None
    assert entry.after == {
        "name_tr": "Erişilebilir destek",
        "name_en": "Accessible support",
        "description_tr": "Destek mekanizmaları",
        "description_en": "",
        "colour": "#1d4f91",
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (ThemeData(name_tr="   "), "name_tr"),
        (ThemeData(name_tr="x" * 121), "name_tr"),
        (ThemeData(name_tr="Ad", name_en="y" * 121), "name_en"),
        (ThemeData(name_tr="Ad", colour="red"), "colour"),
        (ThemeData(name_tr="Ad", colour="#12345"), "colour"),
        (ThemeData(name_tr="Ad", colour='#123456" onload="x'), "colour"),
        (ThemeData(name_tr="Ad", colour="#12345g"), "colour"),
        (ThemeData(name_tr="Ad", description_en="z" * 2001), "description_en"),
    ],
)
def test_a_theme_needs_a_turkish_name_and_a_hex_colour(
    make_campaign: Callable[..., Campaign], moderator: User, data: ThemeData, field: str
) -> None:
    campaign = make_campaign()
    with pytest.raises(DomainError) as refused:
        themes.create_theme(campaign, moderator, data)
    assert refused.value.field == field
    assert campaign.themes == []
    assert audit("theme.create") == []


def test_two_themes_of_a_campaign_cannot_share_a_name_turkish_casing_included(
    make_campaign: Callable[..., Campaign], make_theme: Callable[..., Theme], moderator: User
) -> None:
    campaign, other = make_campaign(), make_campaign()
    make_theme(campaign, "Işık ve İletişim")
    with pytest.raises(DomainError) as refused:
        themes.create_theme(campaign, moderator, ThemeData(name_tr="IŞIK VE İLETİŞİM"))
    assert refused.value.field == "name_tr"
    # Another campaign may use the same name.
    assert themes.create_theme(other, moderator, ThemeData(name_tr="Işık ve İletişim")).id


def test_editing_a_theme_records_before_and_after_and_nothing_when_unchanged(
    make_campaign: Callable[..., Campaign], make_theme: Callable[..., Theme], moderator: User
) -> None:
    campaign = make_campaign()
    theme = make_theme(campaign, "Koordinasyon", colour="#1d6b52")
    same = ThemeData(name_tr="Koordinasyon", colour="#1D6B52")
    assert themes.update_theme(theme, moderator, same) is False
    assert audit("theme.update") == []
    changed = ThemeData(name_tr="Kurumlar arası koordinasyon", name_en="Coordination")
    assert themes.update_theme(theme, moderator, changed) is True
    db.session.commit()
    (entry,) = audit("theme.update")
    assert entry.before["name_tr"] == "Koordinasyon"
    assert entry.before["colour"] == "#1d6b52"
    assert entry.after["name_tr"] == "Kurumlar arası koordinasyon"
    assert entry.after["name_en"] == "Coordination"
    assert entry.after["colour"] == themes.DEFAULT_COLOUR
    # Keeping its own name is not a clash with itself.
    assert themes.update_theme(theme, moderator, changed) is False


# --- reordering and archiving ------------------------------------------------------------


def test_moving_a_theme_swaps_it_with_its_neighbour_and_stops_at_the_ends(
    make_campaign: Callable[..., Campaign], make_theme: Callable[..., Theme], moderator: User
) -> None:
    campaign = make_campaign()
    a, b, c = (make_theme(campaign, name) for name in ("A", "B", "C"))
    assert themes.move_theme(c, moderator, "up") is True
    assert names(campaign) == ["A", "C", "B"]
    assert themes.move_theme(a, moderator, "down") is True
    assert names(campaign) == ["C", "A", "B"]
    assert themes.move_theme(c, moderator, "up") is False
    assert themes.move_theme(b, moderator, "down") is False
    assert names(campaign) == ["C", "A", "B"]
    entries = audit("theme.move")
    assert [e.target_id for e in entries] == [c.id, a.id]
    assert entries[0].before == {"order": [a.id, b.id, c.id]}
    assert entries[0].after == {"order": [a.id, c.id, b.id]}
    with pytest.raises(DomainError):
        themes.move_theme(a, moderator, "sideways")


def test_themes_that_share_a_position_still_move_one_place(
    make_campaign: Callable[..., Campaign], moderator: User
) -> None:
    campaign = make_campaign()
    for name in ("A", "B", "C"):
        campaign.themes.append(Theme(name_tr=name, position=0))
    db.session.commit()
    b = next(t for t in campaign.themes if t.name_tr == "B")
    assert themes.move_theme(b, moderator, "down") is True
    assert names(campaign) == ["A", "C", "B"]
    assert sorted(t.position for t in campaign.themes) == [0, 1, 2]


def test_an_archived_theme_leaves_the_choices_but_keeps_its_proposals_and_comes_back(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
    moderator: User,
    org_a: Organization,
    clock: Any,
) -> None:
    campaign = make_campaign()
    kept, archived = make_theme(campaign, "Kalan"), make_theme(campaign, "Arşivlenen")
    proposal = add_proposal(campaign, org_a, "Mor Bank", with_themes=[archived])
    assert themes.set_archived(archived, moderator, True, clock.now) is True
    assert themes.set_archived(archived, moderator, True, clock.now) is False
    db.session.commit()
    assert archived.archived_at == clock.now
    assert themes.active_themes(campaign) == [kept]
    db.session.refresh(proposal)
    assert proposal.themes == [archived]
    assert themes.theme_counts(campaign) == {archived.id: 1}
    (entry,) = audit("theme.archive")
    assert entry.before == {"archived_at": None}
    assert entry.after == {"archived_at": clock.now.isoformat()}

    assert themes.set_archived(archived, moderator, False, clock.now) is True
    db.session.commit()
    assert themes.active_themes(campaign) == [kept, archived]
    (back,) = audit("theme.unarchive")
    assert back.after == {"archived_at": None}


# --- assigning themes in bulk --------------------------------------------------------------


@pytest.fixture
def two_campaigns(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
    org_a: Organization,
    org_b: Organization,
) -> dict[str, Any]:
    here, elsewhere = make_campaign(), make_campaign()
    coordination = make_theme(here, "Kurumlar arası koordinasyon")
    support = make_theme(here, "Erişilebilir destek")
    participation = make_theme(here, "Sosyal hayata katılım")
    foreign_theme = make_theme(elsewhere, "Başka kampanyanın teması")
    p1 = add_proposal(here, org_a, "Mor Bank", with_themes=[coordination])
    p2 = add_proposal(here, org_b, "Turuncu Yürüyüş")
    p3 = add_proposal(here, org_a, "Işık Atölyesi")
    draft = add_proposal(here, org_b, "Taslak", state=ProposalState.draft)
    foreign = add_proposal(elsewhere, org_a, "Başka kampanya")
    db.session.commit()
    return {
        "here": here,
        "coordination": coordination,
        "support": support,
        "participation": participation,
        "foreign_theme": foreign_theme,
        "p1": p1,
        "p2": p2,
        "p3": p3,
        "draft": draft,
        "foreign": foreign,
    }


def theme_ids(proposal: Proposal) -> list[int]:
    db.session.refresh(proposal)
    return sorted(t.id for t in proposal.themes)


def test_adding_themes_to_many_proposals_counts_and_audits_each_change_once(
    two_campaigns: dict[str, Any], moderator: User, clock: Any
) -> None:
    w = two_campaigns
    coordination, support = w["coordination"], w["support"]
    ids = [w["p1"].id, w["p2"].id, w["p3"].id]
    later = clock.now + timedelta(hours=1)
    changed = themes.assign_themes(
        w["here"], ids, [coordination.id, support.id], True, moderator, later
    )
    db.session.commit()
    assert changed == 3
    both = sorted([coordination.id, support.id])
    assert [theme_ids(w[p]) for p in ("p1", "p2", "p3")] == [both, both, both]
    assert w["p2"].updated_at == later
    entries = audit("proposal.themes")
    assert sorted(e.target_id for e in entries) == sorted(ids)
    first = next(e for e in entries if e.target_id == w["p1"].id)
    assert first.before == {"theme_ids": [coordination.id]}
    assert first.after == {"theme_ids": both}
    assert {e.actor_id for e in entries} == {moderator.id}

    # Again: nothing changes and nothing more is written.
    assert themes.assign_themes(w["here"], ids, [support.id], True, moderator, later) == 0
    assert len(audit("proposal.themes")) == 3


def test_removing_themes_touches_only_the_proposals_that_had_them(
    two_campaigns: dict[str, Any], moderator: User, clock: Any
) -> None:
    w = two_campaigns
    coordination = w["coordination"]
    ids = [w["p1"].id, w["p2"].id]
    changed = themes.assign_themes(w["here"], ids, [coordination.id], False, moderator, clock.now)
    db.session.commit()
    assert changed == 1
    assert theme_ids(w["p1"]) == []
    (entry,) = audit("proposal.themes")
    assert (entry.target_id, entry.before, entry.after) == (
        w["p1"].id,
        {"theme_ids": [coordination.id]},
        {"theme_ids": []},
    )


@pytest.mark.parametrize(
    ("proposals", "themes_"),
    [
        (["p1", "foreign"], ["support"]),  # a proposal of another campaign
        (["p1", "draft"], ["support"]),  # a draft: not on the board
        (["p2"], ["support", "foreign_theme"]),  # a theme of another campaign
        ([999_999], ["support"]),  # no such proposal
        (["p2"], [999_999]),  # no such theme
    ],
)
def test_ids_from_elsewhere_refuse_the_whole_action(
    two_campaigns: dict[str, Any],
    moderator: User,
    clock: Any,
    proposals: list[Any],
    themes_: list[Any],
) -> None:
    w = two_campaigns

    def ids(keys: list[Any]) -> list[int]:
        return [k if isinstance(k, int) else w[k].id for k in keys]

    with pytest.raises(NotInCampaign):
        themes.assign_themes(w["here"], ids(proposals), ids(themes_), True, moderator, clock.now)
    db.session.rollback()
    assert theme_ids(w["p1"]) == [w["coordination"].id]
    assert theme_ids(w["p2"]) == []
    assert theme_ids(w["foreign"]) == []
    assert audit("proposal.themes") == []


def test_an_empty_choice_is_refused_next_to_its_field(
    two_campaigns: dict[str, Any], moderator: User, clock: Any
) -> None:
    w = two_campaigns
    with pytest.raises(DomainError) as no_proposal:
        themes.assign_themes(w["here"], [], [w["support"].id], True, moderator, clock.now)
    assert no_proposal.value.field == "proposal_ids"
    with pytest.raises(DomainError) as no_theme:
        themes.assign_themes(w["here"], [w["p1"].id], [], True, moderator, clock.now)
    assert no_theme.value.field == "theme_ids"


def test_an_archived_theme_can_be_removed_but_not_added(
    two_campaigns: dict[str, Any], moderator: User, clock: Any
) -> None:
    w = two_campaigns
    coordination = w["coordination"]
    themes.set_archived(coordination, moderator, True, clock.now)
    with pytest.raises(DomainError) as refused:
        themes.assign_themes(w["here"], [w["p2"].id], [coordination.id], True, moderator, clock.now)
    assert refused.value.field == "theme_ids"
    assert not isinstance(refused.value, NotInCampaign)
    removed = themes.assign_themes(
        w["here"], [w["p1"].id], [coordination.id], False, moderator, clock.now
    )
    assert removed == 1


# --- the board -----------------------------------------------------------------------------


@pytest.fixture
def voted_board(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
    make_org: Callable[..., Organization],
    org_a: Organization,
    org_b: Organization,
    moderator: User,
) -> dict[str, Any]:
    """Two themes, a proposal with both, votes from two organisations, and the states the
    board leaves out unless asked (merged, withdrawn) or always (draft)."""
    campaign = make_campaign()
    a, b = make_theme(campaign, "Koordinasyon"), make_theme(campaign, "Destek")
    archived = make_theme(campaign, "Eski tema")
    empty_archived = make_theme(campaign, "Boş eski tema")
    org_c = make_org("Buca Kadın Kültür Evi")
    both = add_proposal(campaign, org_a, "Işık Atölyesi", with_themes=[a, b])
    only_a = add_proposal(campaign, org_b, "Mor Bank", with_themes=[a])
    unthemed = add_proposal(campaign, org_c, "Turuncu Yürüyüş", state=ProposalState.accepted)
    old = add_proposal(campaign, org_c, "Eski öneri", with_themes=[archived])
    merged = add_proposal(campaign, org_a, "Birleşen", ProposalState.merged, with_themes=[a])
    withdrawn = add_proposal(campaign, org_b, "Geri çekilen", ProposalState.withdrawn)
    draft = add_proposal(campaign, org_c, "Taslak", ProposalState.draft, with_themes=[b])
    give_points(both, org_b, 2)
    give_points(both, org_c, 1)
    give_points(only_a, org_c, 2)
    give_points(unthemed, org_a, 1)
    give_points(old, org_a, 4)
    themes.set_archived(archived, moderator, True, datetime(2026, 9, 2))
    themes.set_archived(empty_archived, moderator, True, datetime(2026, 9, 2))
    db.session.commit()
    return {"campaign": campaign, "a": a, "b": b, "archived": archived, "both": both,
            "only_a": only_a, "unthemed": unthemed, "old": old, "merged": merged,
            "withdrawn": withdrawn, "draft": draft}  # fmt: skip


def summary(board: themes.Board) -> list[tuple[str, int, int, bool]]:
    return [
        (g.theme.name_tr if g.theme else "—", g.proposals, g.points, g.archived)
        for g in board.groups
    ]


def titles(board: themes.Board) -> set[str]:
    return {row.proposal.title for row in board.rows}


def test_the_board_counts_a_proposal_with_several_themes_in_each_with_its_points(
    voted_board: dict[str, Any],
) -> None:
    board = themes.board(voted_board["campaign"], BoardFilters())
    assert summary(board) == [
        ("Koordinasyon", 2, 5, False),  # Işık Atölyesi 3 + Mor Bank 2; merged left out
        ("Destek", 1, 3, False),  # Işık Atölyesi; the draft left out
        ("Eski tema", 1, 4, True),  # archived, still carried by a proposal
        ("—", 1, 1, False),  # Turuncu Yürüyüş; the withdrawn one left out
    ]
    assert board.unthemed.theme is None
    assert titles(board) == {"Işık Atölyesi", "Mor Bank", "Turuncu Yürüyüş", "Eski öneri"}
    points = {row.proposal.title: row.points for row in board.rows}
    assert points == {"Işık Atölyesi": 3, "Mor Bank": 2, "Turuncu Yürüyüş": 1, "Eski öneri": 4}
    assert [t.name_tr for t in board.active_themes] == ["Koordinasyon", "Destek"]


def test_the_board_filters_by_theme_unthemed_status_and_folded_text(
    voted_board: dict[str, Any],
) -> None:
    w = voted_board
    campaign = w["campaign"]

    def shown(**args: str) -> set[str]:
        return titles(themes.board(campaign, BoardFilters.from_args(args)))

    assert shown(theme=str(w["a"].id)) == {"Işık Atölyesi", "Mor Bank"}
    assert shown(theme="none") == {"Turuncu Yürüyüş"}
    assert shown(status="merged") == {"Birleşen"}
    assert shown(status="withdrawn") == {"Geri çekilen"}
    assert shown(status="accepted") == {"Turuncu Yürüyüş"}
    assert shown(status="draft") == shown()  # not a choice: ignored
    assert shown(q="IŞIK") == {"Işık Atölyesi"}
    assert shown(q="atölyesi ışık") == {"Işık Atölyesi"}
    assert shown(q="100%") == set()
    # An archived theme or another campaign's theme is no filter choice: ignored.
    assert shown(theme=str(w["archived"].id)) == shown()
    assert shown(theme="x1") == shown()
    # The groups do not follow the table's filters.
    filtered = themes.board(campaign, BoardFilters.from_args({"theme": "none"}))
    assert summary(filtered) == summary(themes.board(campaign, BoardFilters()))


def test_filters_round_trip_through_a_query_string() -> None:
    filters = BoardFilters.from_args(
        {"theme": "none", "status": "accepted", "q": " mor\x00 ", "page": "3"}
    )
    assert filters == BoardFilters(theme="none", status="accepted", q="mor", page=3)
    assert BoardFilters.from_args(filters.args()) == filters
    assert filters.args(page=1) == {"theme": "none", "status": "accepted", "q": "mor"}
    assert filters.filtered and not BoardFilters(page=4).filtered
    assert BoardFilters.from_args({"theme": "²"}) == BoardFilters()
    for number in ("0", "-2", "x", "²", "9999999"):
        assert BoardFilters.from_args({"page": number}).page == 1
    assert BoardFilters().args() == {}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(st.sets(st.integers(0, 2), max_size=3), st.lists(st.integers(1, 3), max_size=3)),
        min_size=1,
        max_size=6,
    )
)
def test_group_totals_match_a_count_by_hand(
    make_campaign: Callable[..., Campaign],
    make_org: Callable[..., Organization],
    moderator: User,
    proposals: list[tuple[set[int], list[int]]],
) -> None:
    """Random proposals, each with some of three themes and votes from some organisations:
    every group holds exactly the proposals carrying its theme and the sum of their points."""
    campaign = make_campaign()
    made = [themes.create_theme(campaign, moderator, ThemeData(name_tr=f"T{i}")) for i in range(3)]
    voters = [make_org() for _ in range(3)]
    expected: dict[int | None, list[int]] = {t.id: [0, 0] for t in made} | {None: [0, 0]}
    for n, (chosen, votes) in enumerate(proposals):
        carried = [made[i] for i in sorted(chosen)]
        proposal = add_proposal(campaign, voters[0], f"Öneri {n}", with_themes=carried)
        for voter, points in zip(voters, votes, strict=False):
            give_points(proposal, voter, points)
        for key in [made[i].id for i in chosen] or [None]:
            expected[key][0] += 1
            expected[key][1] += sum(votes)
    db.session.commit()
    board = themes.board(campaign, BoardFilters())
    got = {(g.theme.id if g.theme else None): [g.proposals, g.points] for g in board.groups}
    assert got == expected


def test_without_points_the_board_counts_the_same_and_reads_no_votes(
    voted_board: dict[str, Any],
) -> None:
    """Until the reader may see results, the board neither shows nor sums the votes."""
    campaign = voted_board["campaign"]
    with_points = themes.board(campaign, BoardFilters())
    without = themes.board(campaign, BoardFilters(), with_points=False)
    assert [(name, n) for name, n, _, _ in summary(without)] == [
        (name, n) for name, n, _, _ in summary(with_points)
    ]
    assert {g.points for g in without.groups} == {0}
    assert {row.points for row in without.rows} == {0}
    assert titles(without) == titles(with_points)


def test_the_table_comes_in_pages_newest_first_and_the_groups_count_every_page(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
    org_a: Organization,
) -> None:
    campaign = make_campaign()
    theme = make_theme(campaign, "Koordinasyon")
    start = datetime(2026, 9, 1)
    for n in range(7):  # Öneri 6 is the newest
        carried = [theme] if n % 2 else []
        add_proposal(campaign, org_a, f"Öneri {n}", with_themes=carried,
                     submitted_at=start + timedelta(hours=n))  # fmt: skip
    db.session.commit()

    def page_of(number: int, **args: str) -> themes.Board:
        filters = BoardFilters.from_args({**args, "page": str(number)})
        return themes.board(campaign, filters, page_size=3)

    first, second, third = page_of(1), page_of(2), page_of(3)
    shown = [[row.proposal.title for row in b.rows] for b in (first, second, third)]
    assert shown == [["Öneri 6", "Öneri 5", "Öneri 4"], ["Öneri 3", "Öneri 2", "Öneri 1"],
                     ["Öneri 0"]]  # fmt: skip
    assert (second.page, second.pages, second.total, second.first, second.last) == (2, 3, 7, 4, 6)
    assert (third.first, third.last) == (7, 7)
    assert summary(third) == summary(first) == [("Koordinasyon", 3, 0, False), ("—", 4, 0, False)]
    # Past the end: the last page. Filtered: the pages of what matches.
    assert page_of(99).page == 3 and titles(page_of(99)) == {"Öneri 0"}
    unthemed = page_of(2, theme="none")
    assert (unthemed.page, unthemed.pages, unthemed.total) == (2, 2, 4)
    assert titles(unthemed) == {"Öneri 0"}
    nothing = page_of(2, q="yok böyle")
    assert (nothing.page, nothing.pages, nothing.total, nothing.first, nothing.rows) == (
        1, 1, 0, 0, []
    )  # fmt: skip


@pytest.mark.parametrize(
    ("page", "pages", "links"),
    [
        (1, 1, [1]),
        (1, 2, [1, 2]),
        (1, 400, [1, 2, 3, None, 400]),
        (6, 400, [1, None, 4, 5, 6, 7, 8, None, 400]),
        (400, 400, [1, None, 398, 399, 400]),
        (4, 7, [1, 2, 3, 4, 5, 6, 7]),  # a gap of one page shows that page
        (3, 9, [1, 2, 3, 4, 5, None, 9]),
    ],
)
def test_page_links_show_both_ends_and_the_pages_around_the_current_one(
    page: int, pages: int, links: list[int | None]
) -> None:
    assert themes.page_window(page, pages) == links


# --- the themes pages ----------------------------------------------------------------------

HTMX = {"HX-Request": "true", "HX-Target": "theme-list", "HX-Current-URL": "http://localhost/"}


def turkish(message: str, **variables: Any) -> str:
    with force_locale("tr"):
        return gettext(message, **variables)


@pytest.fixture
def as_moderator(client: FlaskClient, auth: Any, moderator: User) -> FlaskClient:
    auth.login(moderator, follow_redirects=True)  # the welcome is read: no flash left over
    return client


def listed(doc: Element) -> list[str]:
    """The themes' Turkish names in the order the themes page lists them."""
    return [
        row.one("span", lang="tr").text for row in doc.one("table").find("tbody").find_all("tr")
    ]


def test_a_moderator_creates_a_theme_and_finds_it_listed_with_its_swatch(
    make_campaign: Callable[..., Campaign], as_moderator: FlaskClient
) -> None:
    campaign = make_campaign()
    form = page(as_moderator.get(f"/campaigns/{campaign.slug}/themes/new"))
    colour = form.one("input", name="colour")
    assert (colour.get("type"), colour.get("value")) == ("color", themes.DEFAULT_COLOUR)
    assert form.one("input", name="name_tr").get("lang") == "tr"
    response = as_moderator.post(
        f"/campaigns/{campaign.slug}/themes/new",
        data={"name_tr": "Kadınların sosyal hayata katılımı", "name_en": "Women's participation",
              "description_tr": "Katılım", "colour": "#8A4B08"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.location == f"/campaigns/{campaign.slug}/themes"
    doc = page(as_moderator.get(response.location))
    assert (
        turkish("The theme “%(name)s” has been created.", name="Kadınların sosyal hayata katılımı")
        in doc.one("p", class_="flash").text
    )
    assert listed(doc) == ["Kadınların sosyal hayata katılımı"]
    assert doc.one("rect").get("fill") == "#8a4b08"
    assert doc.find(style=True) is None
    assert doc.one("nav", class_="moderation-nav").one("a", aria_current="page").text == turkish(
        "Themes"
    )


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"name_tr": "", "colour": "#6b3fa0"}, "name_tr",
         "Please give the theme a name in Turkish."),
        ({"name_tr": "Ad", "colour": "kırmızı"}, "colour",
         "Please give a colour as # and six hexadecimal digits."),
    ],
)  # fmt: skip
def test_a_refused_theme_comes_back_with_the_message_by_its_field_and_the_typed_text(
    make_campaign: Callable[..., Campaign],
    as_moderator: FlaskClient,
    sent: dict[str, str],
    field: str,
    message: str,
) -> None:
    campaign = make_campaign()
    typed = {"name_en": "Coordination", "description_tr": "Uzun bir açıklama", **sent}
    response = as_moderator.post(f"/campaigns/{campaign.slug}/themes/new", data=typed)
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("p", id=f"{field}-error").text == turkish(message)
    assert doc.one("input", name=field).get("aria-invalid") == "true"
    assert doc.one("input", name="name_en").get("value") == "Coordination"
    assert doc.one("textarea", name="description_tr").text == "Uzun bir açıklama"
    assert doc.one("input", name="name_tr").get("value") == sent["name_tr"]
    assert campaign.themes == []


def test_editing_a_theme_shows_its_values_and_saves_them(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
    as_moderator: FlaskClient,
) -> None:
    campaign = make_campaign()
    theme = make_theme(campaign, "Koordinasyon", name_en="Coordination", colour="#1d6b52")
    form = page(as_moderator.get(f"/themes/{theme.id}/edit")).form_with("name_tr")
    values = form.form_values()
    assert (values["name_tr"], values["name_en"], values["colour"]) == (
        "Koordinasyon", "Coordination", "#1d6b52"
    )  # fmt: skip
    values["name_tr"] = "Kurumlar arası koordinasyon"
    response = as_moderator.post(f"/themes/{theme.id}/edit", data=values)
    assert response.status_code == 303
    assert response.location == f"/campaigns/{campaign.slug}/themes#theme-{theme.id}"
    db.session.expire_all()
    assert db.session.get(Theme, theme.id).name_tr == "Kurumlar arası koordinasyon"
    assert as_moderator.get("/themes/999999/edit").status_code == 404


def test_moving_a_theme_without_javascript_comes_back_to_it(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
    as_moderator: FlaskClient,
) -> None:
    campaign = make_campaign()
    make_theme(campaign, "Birinci")
    second = make_theme(campaign, "İkinci")
    response = as_moderator.post(f"/themes/{second.id}/move", data={"direction": "up"})
    assert response.status_code == 303
    assert response.location.endswith(f"/themes#theme-{second.id}")
    doc = page(as_moderator.get(response.location))
    assert listed(doc) == ["İkinci", "Birinci"]
    assert doc.one("p", class_="flash").text == turkish("“%(name)s” moved up.", name="İkinci")
    assert (
        as_moderator.post(f"/themes/{second.id}/move", data={"direction": "x"}).status_code == 400
    )


def test_with_htmx_a_move_swaps_the_list_announces_it_and_keeps_focus_on_the_button(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
    as_moderator: FlaskClient,
) -> None:
    campaign = make_campaign()
    first, second, third = (make_theme(campaign, n) for n in ("Bir", "İki", "Üç"))
    response = as_moderator.post(f"/themes/{third.id}/move", data={"direction": "up"}, headers=HTMX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert "<html" not in html
    doc = parse(html)
    region = doc.one("section", id="theme-list")
    assert listed(region) == ["Bir", "Üç", "İki"]
    status = region.one("p", role="status")
    assert status.text == turkish("“%(name)s” moved up.", name="Üç")
    focused = region.one(data_focus=True)
    assert (focused.get("value"), focused.parent.parent.parent.parent.get("id")) == (
        "up", f"theme-{third.id}"
    )  # fmt: skip
    # At the top the "up" button is disabled: focus goes to its twin.
    response = as_moderator.post(f"/themes/{third.id}/move", data={"direction": "up"}, headers=HTMX)
    region = parse(response.get_data(as_text=True))
    assert listed(region) == ["Üç", "Bir", "İki"]
    assert region.one(data_focus=True).get("value") == "down"
    assert "disabled" in region.one("tr", id=f"theme-{third.id}").one("button", value="up").attrs
    assert first.id and second.id


def test_archiving_takes_a_theme_out_of_the_campaign_filters_and_can_be_undone(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
    as_moderator: FlaskClient,
    org_a: Organization,
) -> None:
    campaign = make_campaign()
    theme = make_theme(campaign, "Eskiyen tema")
    proposal = add_proposal(campaign, org_a, "Mor Bank", with_themes=[theme])
    db.session.commit()
    campaign_page = page(as_moderator.get(f"/campaigns/{campaign.slug}"))
    assert campaign_page.one("select", name="theme").find("option", value=str(theme.id))
    response = as_moderator.post(f"/themes/{theme.id}/archive", headers=HTMX)
    region = parse(response.get_data(as_text=True))
    row = region.one("tr", id=f"theme-{theme.id}")
    assert turkish("archived") in row.text
    assert row.one(data_focus=True).text == turkish("Bring back")
    assert region.one("p", role="status").text == turkish(
        "“%(name)s” has been archived; its proposals keep it.", name="Eskiyen tema"
    )
    campaign_page = page(as_moderator.get(f"/campaigns/{campaign.slug}"))
    assert campaign_page.find("select", name="theme") is None  # no theme left to choose
    assert "Eskiyen tema" in page(as_moderator.get(f"/proposals/{proposal.id}")).text
    response = as_moderator.post(f"/themes/{theme.id}/archive")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Theme, theme.id).archived_at is None
    assert [e.action for e in audit("theme.archive") + audit("theme.unarchive")] == [
        "theme.archive", "theme.unarchive"
    ]  # fmt: skip


def test_participants_may_not_manage_themes(
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
    client: FlaskClient,
    auth: Any,
    rep_a: User,
) -> None:
    campaign = make_campaign()
    theme = make_theme(campaign, "Tema")
    requests = [
        ("GET", f"/campaigns/{campaign.slug}/themes"),
        ("GET", f"/campaigns/{campaign.slug}/themes/new"),
        ("POST", f"/campaigns/{campaign.slug}/themes/new"),
        ("GET", f"/themes/{theme.id}/edit"),
        ("POST", f"/themes/{theme.id}/edit"),
        ("POST", f"/themes/{theme.id}/move"),
        ("POST", f"/themes/{theme.id}/archive"),
    ]
    for method, path in requests:
        response = client.open(path, method=method, data={"name_tr": "X", "direction": "up"})
        assert response.status_code == 302 and "/login" in response.location, path
    auth.login(rep_a)
    for method, path in requests:
        response = client.open(path, method=method, data={"name_tr": "X", "direction": "up"})
        assert response.status_code == 403, path
    db.session.expire_all()
    assert db.session.get(Theme, theme.id).archived_at is None
    assert audit("theme.update") == audit("theme.move") == audit("theme.archive") == []


# --- the campaign's theme stylesheet ---------------------------------------------------------


def test_luminance_and_contrast_follow_wcag() -> None:
    assert themes.relative_luminance("#ffffff") == 1
    assert themes.relative_luminance("#000000") == 0
    assert themes.contrast_ratio("#000000", "#FFFFFF") == 21
    assert themes.contrast_ratio("#ffffff", "#777777") == pytest.approx(4.48, abs=0.01)
    with pytest.raises(ValueError, match="rrggbb"):
        themes.relative_luminance("red")


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#6b3fa0", "#ffffff"),  # the default purple
        ("#1d4f91", "#ffffff"),
        ("#ffeb3b", "#000000"),  # yellow: white would be 1.2:1
        ("#777777", "#000000"),  # mid grey: white is 4.48:1, just short of AA
        ("#595959", "#ffffff"),  # a darker grey: white 7:1, black 3:1
        ("#ffffff", "#000000"),
    ],
)
def test_a_chip_gets_white_or_black_text_whichever_contrasts_more(
    background: str, text: str
) -> None:
    assert themes.text_colour(background) == text


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 0xFFFFFF))
def test_every_colour_gets_text_that_meets_wcag_aa_and_an_edge_that_shows(value: int) -> None:
    colour = f"#{value:06x}"
    assert themes.contrast_ratio(colour, themes.text_colour(colour)) >= 4.5
    assert themes.contrast_ratio(themes.edge_colour(colour), "#ffffff") >= 3


def test_the_stylesheet_has_one_rule_per_theme_and_only_checked_colours(
    make_campaign: Callable[..., Campaign], make_theme: Callable[..., Theme]
) -> None:
    campaign = make_campaign()
    dark = make_theme(campaign, "Koyu", colour="#1d4f91")
    light = make_theme(campaign, "Açık </style><script>", colour="#FFEB3B")
    tampered = make_theme(campaign, "Bozuk")
    # A colour that never went through the form (an import, a hand edit of the database).
    db.session.execute(update(Theme).where(Theme.id == tampered.id).values(colour="}*{x:y}"))
    db.session.commit()
    db.session.expire_all()
    css = themes.stylesheet(db.session.get(Campaign, campaign.id).themes)
    rule = ".theme-{} {{ background-color: {}; border-color: {}; color: {}; }}"
    assert css.splitlines()[1:] == [
        rule.format(dark.id, "#1d4f91", "#1d4f91", "#ffffff"),
        rule.format(light.id, "#ffeb3b", "#767676", "#000000"),  # a grey edge shows on white
        rule.format(tampered.id, "#6b3fa0", "#6b3fa0", "#ffffff"),  # the default colour
    ]
    assert "x:y" not in css and "script" not in css and "Koyu" not in css


def theme_styles_href(doc: Element) -> str:
    """The address of the campaign's theme stylesheet as the page links it."""
    hrefs = [
        link.get("href") or ""
        for link in doc.find_all("link", rel="stylesheet")
        if "/themes.css" in (link.get("href") or "")
    ]
    assert len(hrefs) == 1, hrefs
    return hrefs[0]


def test_the_stylesheet_is_cached_until_a_theme_changes(
    client: FlaskClient,
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
    moderator: User,
) -> None:
    campaign = make_campaign()
    theme = make_theme(campaign, "Koordinasyon", colour="#1d4f91")
    href = theme_styles_href(page(client.get(f"/campaigns/{campaign.slug}")))
    assert href.startswith(f"/campaigns/{campaign.slug}/themes.css?v=")
    response = client.get(href)
    assert (response.status_code, response.mimetype) == (200, "text/css")
    css = response.get_data(as_text=True)
    assert f".theme-{theme.id} {{ background-color: #1d4f91;" in css
    # The address pages link names the version: a year, for anyone (a public campaign).
    cache = response.cache_control
    assert (cache.public, cache.max_age, cache.immutable) == (True, 365 * 24 * 3600, True)
    etag = response.headers["ETag"]
    # Any other address (an old page, typed by hand) is checked again every time.
    plain = client.get(f"/campaigns/{campaign.slug}/themes.css")
    assert plain.cache_control.no_cache and plain.get_data(as_text=True) == css
    unchanged = client.get(
        f"/campaigns/{campaign.slug}/themes.css", headers={"If-None-Match": etag}
    )
    assert unchanged.status_code == 304
    # A new colour: a new address on the page, and the old ETag no longer matches.
    themes.update_theme(theme, moderator, ThemeData(name_tr="Koordinasyon", colour="#b3261e"))
    db.session.commit()
    assert theme_styles_href(page(client.get(f"/campaigns/{campaign.slug}"))) != href
    changed = client.get(href, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert f".theme-{theme.id} {{ background-color: #b3261e;" in changed.get_data(as_text=True)
    assert changed.cache_control.no_cache  # the old address is no longer the current one


def test_a_members_campaign_keeps_its_stylesheet_to_members_and_out_of_shared_caches(
    client: FlaskClient,
    auth: Any,
    rep_a: User,
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
) -> None:
    from proposals.models import Visibility

    campaign = make_campaign(visibility=Visibility.members)
    make_theme(campaign, "Koordinasyon")
    url = f"/campaigns/{campaign.slug}/themes.css"
    assert "/login" in client.get(url).location
    assert client.get("/campaigns/yok-boyle/themes.css").status_code == 404
    auth.login(rep_a)
    href = theme_styles_href(page(client.get(f"/campaigns/{campaign.slug}")))
    response = client.get(href)
    assert response.status_code == 200
    assert response.cache_control.private and not response.cache_control.public


def test_chips_take_their_themes_class_on_every_page_that_shows_them(
    client: FlaskClient,
    auth: Any,
    moderator: User,
    organizer: User,
    make_campaign: Callable[..., Campaign],
    make_theme: Callable[..., Theme],
    org_a: Organization,
    clock: Any,
) -> None:
    """Custom colours used to show as the default purple: the chips named a fixed class per
    colour. Now each names its theme, and every such page links the stylesheet."""
    campaign = make_campaign(
        submission_opens_at=clock.now - timedelta(days=30),
        submission_closes_at=clock.now - timedelta(days=20),
        voting_opens_at=clock.now - timedelta(days=15),
        voting_closes_at=clock.now - timedelta(days=1),
    )
    theme = make_theme(campaign, "Özel renk", colour="#12ab34")
    proposal = add_proposal(campaign, org_a, "Mor Bank", ProposalState.accepted, [theme])
    db.session.commit()
    css = client.get(f"/campaigns/{campaign.slug}/themes.css").get_data(as_text=True)
    assert f".theme-{theme.id} {{ background-color: #12ab34;" in css

    def chips(doc: Element) -> list[str]:
        theme_styles_href(doc)  # linked, once
        found = doc.find_all("span", class_="theme-chip")
        assert found, "no chip on the page"
        assert doc.find(style=True) is None
        return sorted({chip.get("class") or "" for chip in found})

    expected = [f"theme-chip theme-{theme.id}"]
    assert chips(page(client.get(f"/campaigns/{campaign.slug}"))) == expected
    assert chips(page(client.get(f"/proposals/{proposal.id}"))) == expected
    auth.login(moderator)
    assert chips(page(client.get(f"/campaigns/{campaign.slug}/board"))) == expected
    auth.logout()
    auth.login(organizer)
    results = page(client.get(f"/campaigns/{campaign.slug}/results?per_theme=1"))
    assert chips(results) == expected
