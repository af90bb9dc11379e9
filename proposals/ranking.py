"""The shortlist: a pure function from tallies to ranked rows.

Order: points (votes) descending, then the number of distinct supporting
organisations descending. Proposals still equal on both share a rank —
standard competition ranking (1, 2, 2, 4) — and are marked as tied. A tie is
never broken silently by id or time: the order *within* a tie is by title
only so that the page reads alphabetically, and the shared rank says it is a
tie. The page, the exports and the CLI all call :func:`rank`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    proposal_id: int
    title: str
    points: int
    supporters: int
    theme_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class RankedRow:
    rank: int
    tied: bool
    entry: Entry


def _key(entry: Entry) -> tuple[int, int]:
    return (entry.points, entry.supporters)


def rank(entries: Iterable[Entry]) -> list[RankedRow]:
    """Every entry with its competition rank; ``tied`` when another shares it."""
    ordered = sorted(entries, key=lambda e: (-e.points, -e.supporters, e.title.casefold()))
    counts: dict[tuple[int, int], int] = {}
    for entry in ordered:
        counts[_key(entry)] = counts.get(_key(entry), 0) + 1
    rows: list[RankedRow] = []
    current_rank = 0
    previous: tuple[int, int] | None = None
    for position, entry in enumerate(ordered, start=1):
        if _key(entry) != previous:
            current_rank = position
            previous = _key(entry)
        rows.append(RankedRow(current_rank, counts[_key(entry)] > 1, entry))
    return rows


def top(rows: Sequence[RankedRow], n: int) -> list[RankedRow]:
    """The rows ranked n or better: a tie at the cut is kept whole rather than broken."""
    return [row for row in rows if row.rank <= n]


def top_per_theme(rows: Sequence[RankedRow], k: int) -> dict[int, list[RankedRow]]:
    """For each theme, its best k proposals by overall rank (ties at the cut kept whole).

    A proposal with several themes may appear under each of them; so that every theme is
    represented, a theme's list never depends on another theme's.
    """
    by_theme: dict[int, list[RankedRow]] = {}
    for row in rows:
        for theme_id in row.entry.theme_ids:
            by_theme.setdefault(theme_id, []).append(row)
    selected: dict[int, list[RankedRow]] = {}
    for theme_id, theme_rows in by_theme.items():
        kept: list[RankedRow] = []
        for row in theme_rows:
            # k == 0 keeps nothing (and must not look at kept[-1] of an empty list).
            if len(kept) >= k and (not kept or _key(row.entry) != _key(kept[-1].entry)):
                break
            kept.append(row)
        selected[theme_id] = kept
    return selected
