"""The ranking rule, tested as the pure function it is (no app, no database)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from proposals.ranking import Entry, RankedRow, rank, top, top_per_theme


def entry(pid: int, points: int, supporters: int = 1, title: str = "", themes=()) -> Entry:
    return Entry(pid, title or f"Öneri {pid}", points, supporters, tuple(themes))


def ranks(rows: list[RankedRow]) -> list[tuple[int, int, bool]]:
    return [(row.entry.proposal_id, row.rank, row.tied) for row in rows]


def test_standard_competition_ranking_1_2_2_4():
    rows = rank([entry(1, 9), entry(2, 5, 2, "B"), entry(3, 5, 2, "A"), entry(4, 1)])
    assert [(r.rank, r.tied) for r in rows] == [(1, False), (2, True), (2, True), (4, False)]
    # Within the tie the order is by title (A before B), never by id.
    assert [r.entry.proposal_id for r in rows] == [1, 3, 2, 4]


def test_equal_points_are_separated_by_supporting_organisations():
    rows = rank([entry(1, 4, supporters=1), entry(2, 4, supporters=3)])
    assert ranks(rows) == [(2, 1, False), (1, 2, False)]


def test_equal_points_and_supporters_share_a_rank_whatever_the_input_order():
    entries = [entry(1, 4, 2, "Zeytin"), entry(2, 4, 2, "Atölye"), entry(3, 6, 1, "Kermes")]
    expected = [(3, 1, False), (2, 2, True), (1, 2, True)]
    for _ in range(10):
        shuffled = entries[:]
        random.shuffle(shuffled)
        assert ranks(rank(shuffled)) == expected


def test_proposals_without_votes_are_all_tied_last():
    rows = rank([entry(1, 0, 0), entry(2, 3), entry(3, 0, 0)])
    assert [(r.rank, r.tied) for r in rows] == [(1, False), (2, True), (2, True)]


def test_top_n_keeps_a_tie_at_the_cut_whole():
    rows = rank([entry(1, 9), entry(2, 5), entry(3, 5), entry(4, 1)])
    assert [r.entry.proposal_id for r in top(rows, 1)] == [1]
    assert sorted(r.entry.proposal_id for r in top(rows, 2)) == [1, 2, 3]  # not broken
    assert sorted(r.entry.proposal_id for r in top(rows, 3)) == [1, 2, 3]
    assert len(top(rows, 4)) == 4
    assert top(rows, 0) == []


def test_top_per_theme_represents_every_theme():
    # Theme 10 has the strong proposals; theme 20 only weak ones, which an overall top 3
    # would leave out entirely.
    rows = rank(
        [
            entry(1, 9, themes=[10]),
            entry(2, 8, themes=[10]),
            entry(3, 7, themes=[10]),
            entry(4, 2, themes=[20]),
            entry(5, 1, themes=[20]),
        ]
    )
    assert {r.entry.proposal_id for r in top(rows, 3)} == {1, 2, 3}
    selected = top_per_theme(rows, 1)
    assert {t: [r.entry.proposal_id for r in rs] for t, rs in selected.items()} == {
        10: [1],
        20: [4],
    }


def test_top_per_theme_keeps_ties_and_counts_a_proposal_in_each_of_its_themes():
    rows = rank(
        [
            entry(1, 5, 2, "A", themes=[10, 20]),
            entry(2, 3, 1, "B", themes=[10]),
            entry(3, 3, 1, "C", themes=[10]),
            entry(4, 1, 1, "D", themes=[20]),
        ]
    )
    selected = top_per_theme(rows, 2)
    assert [r.entry.proposal_id for r in selected[10]] == [1, 2, 3]  # the tie at the cut stays
    assert [r.entry.proposal_id for r in selected[20]] == [1, 4]
    # The rank shown is the overall rank, the same as on the full list.
    assert [r.rank for r in selected[10]] == [1, 2, 2]


def test_top_per_theme_with_zero_keeps_nothing():
    # Found while writing these tests: k=0 used to raise IndexError (kept[-1] of []).
    rows = rank([entry(1, 5, themes=[10]), entry(2, 3, themes=[10])])
    assert top_per_theme(rows, 0) == {10: []}


def test_an_empty_campaign_ranks_to_nothing():
    assert rank([]) == []
    assert top([], 5) == []
    assert top_per_theme([], 3) == {}


@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 4), st.text(max_size=5)),
        max_size=25,
    )
)
def test_ranks_follow_the_rule(values):
    """Rank = 1 + how many are strictly better; tied exactly when another is equal."""
    entries = [Entry(i, title, points, sup) for i, (points, sup, title) in enumerate(values)]
    rows = rank(entries)
    assert sorted(r.entry.proposal_id for r in rows) == list(range(len(entries)))
    for row in rows:
        key = (row.entry.points, row.entry.supporters)
        better = sum(1 for e in entries if (e.points, e.supporters) > key)
        equal = sum(1 for e in entries if (e.points, e.supporters) == key)
        assert row.rank == better + 1
        assert row.tied == (equal > 1)
    assert [r.rank for r in rows] == sorted(r.rank for r in rows)
