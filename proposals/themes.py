"""Themes of a campaign and the theme board: the rules, without HTTP.

Moderators turn many organisations' proposals into a few coherent themes. A theme
belongs to one campaign; a proposal may carry several. Archiving a theme takes it out
of the choices (filters, assignment) but keeps its assignments, so nothing a
moderator did is lost and archiving can be undone.

Every change is audited with the values before and after. Functions here change the
session and ``flush()``; they never commit (the view or the CLI does, once).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import selectinload

from auth.audit import record, snapshot
from auth.errors import DomainError
from auth.models import AuditEntry, User
from extensions import db
from proposals.models import (
    PUBLISHED_STATES,
    Ballot,
    Campaign,
    Comment,
    Merge,
    Proposal,
    ProposalState,
    Report,
    ReportState,
    Theme,
    Vote,
    proposal_themes,
)
from proposals.search import words_match
from text import fold

NAME_MAX = 120
DESCRIPTION_MAX = 2000
DEFAULT_COLOUR = "#6b3fa0"
COLOUR = re.compile(r"#[0-9a-f]{6}")
THEME_FIELDS = ("name_tr", "name_en", "description_tr", "description_en", "colour")
# States the board shows without being asked: merged and withdrawn proposals took their
# votes elsewhere or back, so they are shown only when the status filter names them.
BOARD_STATES = frozenset(PUBLISHED_STATES) - {ProposalState.merged, ProposalState.withdrawn}
MAX_QUERY = 200
PAGE_SIZE = 50  # rows of the board's table per page


# --- themes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeData:
    """What a moderator types for a theme; checked by :func:`create_theme` and
    :func:`update_theme`, never trusted before."""

    name_tr: str
    name_en: str = ""
    description_tr: str = ""
    description_en: str = ""
    colour: str = DEFAULT_COLOUR


def normal_colour(value: str | None) -> str | None:
    """``#rrggbb`` in lower case, or None when ``value`` is not such a colour.

    The colour is written into an SVG ``fill`` attribute, so only this exact shape passes.
    """
    colour = (value or "").strip().lower()
    return colour if COLOUR.fullmatch(colour) else None


def _clean(campaign: Campaign, data: ThemeData, theme: Theme | None = None) -> ThemeData:
    name_tr = data.name_tr.strip()
    if not name_tr:
        raise DomainError(_("Please give the theme a name in Turkish."), "name_tr")
    if len(name_tr) > NAME_MAX or len(data.name_en.strip()) > NAME_MAX:
        field = "name_tr" if len(name_tr) > NAME_MAX else "name_en"
        raise DomainError(_("At most %(num)d characters.", num=NAME_MAX), field)
    for field in ("description_tr", "description_en"):
        if len(getattr(data, field)) > DESCRIPTION_MAX:
            raise DomainError(_("At most %(num)d characters.", num=DESCRIPTION_MAX), field)
    colour = normal_colour(data.colour)
    if colour is None:
        raise DomainError(_("Please give a colour as # and six hexadecimal digits."), "colour")
    taken = {fold(t.name_tr) for t in campaign.themes if t is not theme}
    if fold(name_tr) in taken:
        raise DomainError(_("This campaign already has a theme of this name."), "name_tr")
    return replace(
        data,
        name_tr=name_tr,
        name_en=data.name_en.strip(),
        description_tr=data.description_tr.strip(),
        description_en=data.description_en.strip(),
        colour=colour,
    )


def create_theme(campaign: Campaign, actor: User, data: ThemeData) -> Theme:
    """A new theme, placed last in the campaign's order."""
    data = _clean(campaign, data)
    position = max((t.position for t in campaign.themes), default=-1) + 1
    theme = Theme(
        campaign=campaign,
        position=position,
        **{name: getattr(data, name) for name in THEME_FIELDS},
    )
    db.session.add(theme)
    db.session.flush()
    record(actor, "theme.create", theme, after=snapshot(theme, THEME_FIELDS))
    return theme


def update_theme(theme: Theme, actor: User, data: ThemeData) -> bool:
    """Change the theme's names, descriptions and colour; True when anything changed."""
    data = _clean(theme.campaign, data, theme)
    before = snapshot(theme, THEME_FIELDS)
    for name in THEME_FIELDS:
        setattr(theme, name, getattr(data, name))
    after = snapshot(theme, THEME_FIELDS)
    if after == before:
        return False
    db.session.flush()
    record(actor, "theme.update", theme, before, after)
    return True


def _ordered(campaign: Campaign) -> list[Theme]:
    return sorted(campaign.themes, key=lambda t: (t.position, t.id))


def move_theme(theme: Theme, actor: User, direction: str) -> bool:
    """Move the theme one place ``"up"`` or ``"down"`` in its campaign's order.

    Positions are renumbered 0…n-1 on every move, so themes that shared a position (all 0
    from an old import, say) still move one visible place. False at either end.
    """
    if direction not in ("up", "down"):
        raise DomainError(_("Choose to move the theme up or down."), "direction")
    campaign = theme.campaign
    order = _ordered(campaign)
    index = order.index(theme)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(order):
        return False
    before = [t.id for t in order]
    order[index], order[other] = order[other], order[index]
    for position, each in enumerate(order):
        each.position = position
    db.session.flush()
    db.session.expire(campaign, ["themes"])  # the relationship is ordered by position
    record(actor, "theme.move", theme, {"order": before}, {"order": [t.id for t in order]})
    return True


def set_archived(theme: Theme, actor: User, archived: bool, now: datetime) -> bool:
    """Archive (or bring back) a theme; its proposals keep it. True when it changed."""
    if (theme.archived_at is not None) == archived:
        return False
    before = snapshot(theme, ("archived_at",))
    theme.archived_at = now if archived else None
    db.session.flush()
    action = "theme.archive" if archived else "theme.unarchive"
    record(actor, action, theme, before, snapshot(theme, ("archived_at",)))
    return True


# --- the campaign's theme stylesheet ---------------------------------------------------------

WHITE, BLACK = "#ffffff", "#000000"
AA_TEXT = 4.5  # WCAG 2 AA contrast for normal text
AA_NON_TEXT = 3.0  # WCAG 2.1 AA for the chip's edge against the page (1.4.11)
EDGE_ON_LIGHT = "#767676"  # the lightest grey with 4.5:1 on white
# Part of the version: a change to the rules' shape must reach browsers that keep the
# stylesheet for a year as surely as a change of colour.
STYLESHEET_FORMAT = "1"


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of an ``#rrggbb`` colour, 0 (black) to 1 (white)."""
    valid = normal_colour(colour)
    if valid is None:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(valid[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two colours, 1 to 21, whichever is lighter."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_colour(background: str) -> str:
    """White or black text, whichever contrasts more with ``background``.

    One of the two always reaches at least 4.58:1 (the worst background, of luminance
    about 0.18, has the same ratio with both), so every chip's name meets WCAG AA.
    """
    on_white = contrast_ratio(background, WHITE)
    return WHITE if on_white >= contrast_ratio(background, BLACK) else BLACK


def edge_colour(background: str) -> str:
    """The chip's border: its own colour, unless that is too light to see on the white
    page, then a grey that is."""
    if contrast_ratio(background, WHITE) >= AA_NON_TEXT:
        return background
    return EDGE_ON_LIGHT


def _styled(themes: Iterable[Theme]) -> list[tuple[int, str]]:
    """(id, colour) of each theme, the colour checked again: whatever is stored, only
    ``#rrggbb`` ever reaches the stylesheet."""
    return sorted((t.id, normal_colour(t.colour) or DEFAULT_COLOUR) for t in themes)


def styles_version(themes: Iterable[Theme]) -> str:
    """A short digest of the themes' ids and colours: the stylesheet's ETag and the ``v``
    of its address, so a browser keeps it until a theme is added or its colour changes."""
    text = STYLESHEET_FORMAT + ";" + ";".join(f"{i}:{c}" for i, c in _styled(themes))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stylesheet(themes: Iterable[Theme]) -> str:
    """One rule per theme, ``.theme-<id>``: background and border in its colour and a text
    colour that meets WCAG AA on it. Only integers and checked colours go in: no name, no
    text from anyone, so nothing can break out of a rule."""
    rules = [
        f".theme-{theme_id} {{ background-color: {colour}; border-color: "
        f"{edge_colour(colour)}; color: {text_colour(colour)}; }}"
        for theme_id, colour in _styled(themes)
    ]
    return "/* Theme colours of one campaign (Ortak). */\n" + "".join(f"{r}\n" for r in rules)


def active_themes(campaign: Campaign) -> list[Theme]:
    """The themes offered in filters and for assignment, in the campaign's order."""
    return [t for t in _ordered(campaign) if t.archived_at is None]


def theme_counts(campaign: Campaign) -> dict[int, int]:
    """Proposals per theme as the board counts them (published, neither merged nor
    withdrawn), in one GROUP BY."""
    rows = db.session.execute(
        select(proposal_themes.c.theme_id, func.count())
        .join(Proposal, Proposal.id == proposal_themes.c.proposal_id)
        .where(Proposal.campaign_id == campaign.id, Proposal.state.in_(BOARD_STATES))
        .group_by(proposal_themes.c.theme_id)
    ).all()
    return {theme_id: int(n) for theme_id, n in rows}


# --- assigning themes in bulk --------------------------------------------------------------


class NotInCampaign(DomainError):
    """Ids that name no published proposal or theme of this campaign: a tampered or
    foreign form, refused as a whole (the view answers 400)."""


def _ids(values: Iterable[Any]) -> set[int]:
    return {int(v) for v in values}


def assign_themes(
    campaign: Campaign,
    proposal_ids: Iterable[int],
    theme_ids: Iterable[int],
    add: bool,
    actor: User,
    now: datetime,
) -> int:
    """Add (or remove) every chosen theme to (from) every chosen proposal, as one change.

    Only published proposals and themes of ``campaign`` are accepted: any other id refuses
    the whole action (:class:`NotInCampaign`), so a form from another campaign's page can
    change nothing here. Archived themes can be removed but not added. Each proposal whose
    themes changed gets one audit entry with its theme ids before and after, and its
    ``updated_at`` moves to ``now`` (the open-data API shows themes). Returns how many
    proposals changed.
    """
    wanted_proposals, wanted_themes = _ids(proposal_ids), _ids(theme_ids)
    if not wanted_proposals:
        raise DomainError(_("Choose at least one proposal."), "proposal_ids")
    if not wanted_themes:
        raise DomainError(_("Choose at least one theme."), "theme_ids")
    themes = {t.id: t for t in campaign.themes if t.id in wanted_themes}
    proposals = db.session.scalars(
        select(Proposal)
        .where(
            Proposal.id.in_(wanted_proposals),
            Proposal.campaign_id == campaign.id,
            Proposal.state.in_(PUBLISHED_STATES),
        )
        .options(selectinload(Proposal.themes))
    ).all()
    if len(themes) != len(wanted_themes) or len(proposals) != len(wanted_proposals):
        raise NotInCampaign(_("Some of the chosen proposals or themes are not in this campaign."))
    if add:
        archived = [t for t in themes.values() if t.archived_at is not None]
        if archived:
            raise DomainError(
                _("The theme “%(name)s” has been archived.", name=archived[0].name_tr),
                "theme_ids",
            )
    chosen = sorted(themes.values(), key=lambda t: (t.position, t.id))
    changed = 0
    for proposal in sorted(proposals, key=lambda p: p.id):
        before = sorted(t.id for t in proposal.themes)
        if add:
            proposal.themes.extend(t for t in chosen if t not in proposal.themes)
        else:
            proposal.themes[:] = [t for t in proposal.themes if t.id not in themes]
        after = sorted(t.id for t in proposal.themes)
        if after != before:
            changed += 1
            proposal.updated_at = now
            record(actor, "proposal.themes", proposal, {"theme_ids": before}, {"theme_ids": after})
    db.session.flush()
    return changed


# --- the board -----------------------------------------------------------------------------

UNTHEMED = "none"


@dataclass(frozen=True)
class BoardFilters:
    """What the moderator narrowed the board's table to, and which page of it; built from
    a query string or a form, never trusted further. ``theme`` is a theme id, or
    :data:`UNTHEMED`."""

    theme: int | str | None = None
    status: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> BoardFilters:
        raw_theme = str(args.get("theme") or "").strip()
        theme: int | str | None = None
        if raw_theme == UNTHEMED:
            theme = UNTHEMED
        elif raw_theme.isascii() and raw_theme.isdigit() and len(raw_theme) < 10:
            theme = int(raw_theme)
        status = (args.get("status") or "").strip()
        if status not in {s.value for s in PUBLISHED_STATES}:
            status = ""
        q = (args.get("q") or "").replace("\x00", "")[:MAX_QUERY].strip()
        raw_page = str(args.get("page") or "").strip()
        page = 1
        if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7:
            page = max(1, int(raw_page))
        return cls(theme=theme, status=status, q=q, page=page)

    def args(self, page: int | None = None) -> dict[str, Any]:
        """Query-string arguments for a link back to the board with these filters, on this
        page (or on ``page``); page 1 and empty filters are left out."""
        page = self.page if page is None else page
        values = {"theme": self.theme, "status": self.status, "q": self.q}
        values["page"] = page if page > 1 else None
        return {k: v for k, v in values.items() if v not in ("", None)}

    @property
    def filtered(self) -> bool:
        """True when the table is narrowed (a page of the whole table is not a filter)."""
        return bool(self.args(page=1))


@dataclass(frozen=True)
class ThemeGroup:
    """One line of the board's summary: a theme (None: "Unthemed") with its proposals and
    their points. A proposal with several themes counts in each."""

    theme: Theme | None
    proposals: int
    points: int

    @property
    def archived(self) -> bool:
        return self.theme is not None and self.theme.archived_at is not None


@dataclass(frozen=True)
class BoardRow:
    proposal: Proposal
    points: int


@dataclass(frozen=True)
class Board:
    """The groups of the whole campaign and one page of the (filtered) table."""

    groups: list[ThemeGroup]
    rows: list[BoardRow]  # this page's, at most PAGE_SIZE
    filters: BoardFilters  # with the page actually shown
    themes: list[Theme]  # every theme of the campaign, active first, in order
    total: int = 0  # rows matching the filters, on every page
    page_size: int = PAGE_SIZE

    @property
    def active_themes(self) -> list[Theme]:
        return [t for t in self.themes if t.archived_at is None]

    @property
    def unthemed(self) -> ThemeGroup:
        return self.groups[-1]

    @property
    def page(self) -> int:
        return self.filters.page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def first(self) -> int:
        """The position of this page's first row among all matching rows (1-based)."""
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def page_links(self) -> list[int | None]:
        """The page numbers to link to, None where a run of pages is left out."""
        return page_window(self.page, self.pages)


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The first and last pages, ``around`` pages either side of ``page``, and None for
    each gap: 1 … 4 5 [6] 7 8 … 400. A gap of a single page shows that page instead, since
    an ellipsis would take as much room."""
    wanted = {1, pages, *range(page - around, page + around + 1)}
    shown = sorted(n for n in wanted if 1 <= n <= pages)
    links: list[int | None] = []
    previous = 0
    for n in shown:
        if n - previous == 2:
            links.append(n - 1)
        elif n - previous > 2:
            links.append(None)
        links.append(n)
        previous = n
    return links


def _points(campaign: Campaign) -> Any:
    """Points per proposal of the campaign, as a subquery (one row per proposal voted for).

    The votes are reached through the campaign's ballots (a few thousand rows, unique on
    (campaign, organisation)), so the wide proposals table is not read a second time.
    """
    return (
        select(Vote.proposal_id.label("proposal_id"), func.sum(Vote.points).label("points"))
        .join(Ballot, Ballot.id == Vote.ballot_id)
        .where(Ballot.campaign_id == campaign.id)
        .group_by(Vote.proposal_id)
        .subquery()
    )


def _has_theme() -> Any:
    return exists().where(proposal_themes.c.proposal_id == Proposal.id)


def _groups(campaign: Campaign, themes: list[Theme], with_points: bool) -> list[ThemeGroup]:
    """Counts (and points) per theme and for the unthemed, in one GROUP BY.

    Proposals are left-joined to their (proposal, theme) pairs: a proposal with several
    themes gives one row per theme, so it counts once in each; one without a theme gives
    one row whose theme is NULL, the "Unthemed" group. Points are summed per proposal
    before that join, so a proposal's votes are never counted twice within one group.
    Without points (results not yet visible) the votes are not read at all.
    """
    columns: list[Any] = [proposal_themes.c.theme_id, func.count(Proposal.id)]
    statement = (
        select()
        .select_from(Proposal)
        .outerjoin(proposal_themes, proposal_themes.c.proposal_id == Proposal.id)
    )
    if with_points:
        points = _points(campaign)
        columns.append(func.coalesce(func.sum(points.c.points), 0))
        statement = statement.outerjoin(points, points.c.proposal_id == Proposal.id)
    per_theme: dict[int | None, tuple[int, int]] = {
        row[0]: (int(row[1]), int(row[2]) if with_points else 0)
        for row in db.session.execute(
            statement.add_columns(*columns)
            .where(Proposal.campaign_id == campaign.id, Proposal.state.in_(BOARD_STATES))
            .group_by(proposal_themes.c.theme_id)
        )
    }
    groups = [
        ThemeGroup(theme, *per_theme.get(theme.id, (0, 0)))
        for theme in themes
        # An archived theme stays on the board while proposals still carry it.
        if theme.archived_at is None or theme.id in per_theme
    ]
    groups.append(ThemeGroup(None, *per_theme.get(None, (0, 0))))
    return groups


def _table_conditions(campaign: Campaign, filters: BoardFilters) -> list[Any]:
    """What narrows the board's table: the campaign, the status (by default every state
    but merged and withdrawn), the theme or none, and every word of the search."""
    conditions: list[Any] = [Proposal.campaign_id == campaign.id]
    if filters.status:
        conditions.append(Proposal.state == ProposalState(filters.status))
    else:
        conditions.append(Proposal.state.in_(BOARD_STATES))
    if filters.theme == UNTHEMED:
        conditions.append(~_has_theme())
    elif filters.theme is not None:
        conditions.append(
            exists().where(
                proposal_themes.c.proposal_id == Proposal.id,
                proposal_themes.c.theme_id == filters.theme,
            )
        )
    conditions.extend(words_match(Proposal.search_text, filters.q))
    return conditions


def board(
    campaign: Campaign,
    filters: BoardFilters,
    with_points: bool = True,
    page_size: int = PAGE_SIZE,
) -> Board:
    """The theme board of a campaign in a fixed number of queries, whatever its size: the
    themes, the groups (one GROUP BY), the number of matching rows, one page of rows with
    their points, and that page's themes and organisations (two ``selectinload``).

    Past the last page, the last page is shown. Points of the rows are summed only for
    the page's rows (a correlated subquery), never for the whole campaign; with
    ``with_points`` False (results not yet visible to the reader) they are not read and
    every ``points`` is 0.
    """
    themes = sorted(
        db.session.scalars(select(Theme).where(Theme.campaign_id == campaign.id)).all(),
        key=lambda t: (t.archived_at is not None, t.position, t.id),
    )
    if isinstance(filters.theme, int) and filters.theme not in {
        t.id for t in themes if t.archived_at is None
    }:
        filters = replace(filters, theme=None)  # archived or foreign: not a filter choice
    groups = _groups(campaign, themes, with_points)
    conditions = _table_conditions(campaign, filters)
    total = int(db.session.scalar(select(func.count(Proposal.id)).where(*conditions)) or 0)
    pages = max(1, math.ceil(total / page_size))
    filters = replace(filters, page=min(filters.page, pages))
    row_points = (
        select(func.coalesce(func.sum(Vote.points), 0))
        .where(Vote.proposal_id == Proposal.id)
        .correlate(Proposal)
        .scalar_subquery()
    )
    # Newest first. Every published proposal has its submission time, so the page's ids
    # come from the index (campaign_id, submitted_at, state, id) alone, however deep the
    # page; only then are the page's 50 rows read, with their points.
    newest = (Proposal.submitted_at.desc().nulls_first(), Proposal.id.desc())
    page_ids = (
        select(Proposal.id)
        .where(*conditions)
        .order_by(*newest)
        .limit(page_size)
        .offset((filters.page - 1) * page_size)
        .subquery()
    )
    statement = (
        select(Proposal, row_points if with_points else literal(0))
        .join(page_ids, page_ids.c.id == Proposal.id)
        .options(selectinload(Proposal.themes), selectinload(Proposal.organization))
        .order_by(*newest)
    )
    rows = [BoardRow(p, int(n)) for p, n in db.session.execute(statement)]
    return Board(
        groups=groups, rows=rows, filters=filters, themes=themes, total=total, page_size=page_size
    )


# --- the moderator's overview of a campaign --------------------------------------------------

RECENT = 10


@dataclass(frozen=True)
class Overview:
    """What the moderation dashboard shows, each part in one or two queries."""

    by_status: dict[str, int]  # published proposals per state, in the states' order
    unthemed: int  # as the board's "Unthemed" group counts them
    open_reports: int
    activity: list[AuditEntry]
    proposal_titles: dict[int, str]  # for activity about proposals and their comments
    comment_proposals: dict[int, int]  # comment id -> proposal id
    latest_proposals: list[Proposal]
    latest_comments: list[Comment]


def _campaign_targets(campaign: Campaign) -> Any:
    """Audit entries about this campaign, its proposals, themes, comments, reports, merges."""
    proposals = select(Proposal.id).where(Proposal.campaign_id == campaign.id)
    comments = (
        select(Comment.id)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Proposal.campaign_id == campaign.id)
    )
    reports = select(Report.id).where(
        or_(Report.proposal_id.in_(proposals), Report.comment_id.in_(comments))
    )
    kinds: list[tuple[str, Any]] = [
        ("Proposal", proposals),
        ("Theme", select(Theme.id).where(Theme.campaign_id == campaign.id)),
        ("Comment", comments),
        ("Report", reports),
        ("Merge", select(Merge.id).where(Merge.campaign_id == campaign.id)),
    ]
    return or_(
        and_(AuditEntry.target_type == "Campaign", AuditEntry.target_id == campaign.id),
        *(
            and_(AuditEntry.target_type == kind, AuditEntry.target_id.in_(ids))
            for kind, ids in kinds
        ),
    )


def overview(campaign: Campaign, recent: int = RECENT) -> Overview:
    """The dashboard's figures and the latest activity; the number of queries does not
    depend on the size of the campaign."""
    in_campaign = Proposal.campaign_id == campaign.id
    counts = dict(
        db.session.execute(
            select(Proposal.state, func.count())
            .where(in_campaign, Proposal.state.in_(PUBLISHED_STATES))
            .group_by(Proposal.state)
        ).all()
    )
    by_status = {
        state.value: int(counts.get(state, 0)) for state in ProposalState if state in counts
    }
    unthemed = db.session.scalar(
        select(func.count(Proposal.id)).where(
            in_campaign, Proposal.state.in_(BOARD_STATES), ~_has_theme()
        )
    )
    campaign_comments = select(Comment.id).join(Proposal).where(in_campaign)
    open_reports = db.session.scalar(
        select(func.count(Report.id)).where(
            Report.state == ReportState.open,
            or_(
                Report.proposal_id.in_(select(Proposal.id).where(in_campaign)),
                Report.comment_id.in_(campaign_comments),
            ),
        )
    )
    activity = list(
        db.session.scalars(
            select(AuditEntry)
            .where(_campaign_targets(campaign))
            .options(selectinload(AuditEntry.actor))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(recent)
        )
    )
    comment_ids = {e.target_id for e in activity if e.target_type == "Comment" and e.target_id}
    comment_proposals: dict[int, int] = {}
    if comment_ids:
        comment_proposals = dict(
            db.session.execute(
                select(Comment.id, Comment.proposal_id).where(Comment.id.in_(comment_ids))
            ).all()
        )
    proposal_ids = {
        e.target_id for e in activity if e.target_type == "Proposal" and e.target_id
    } | set(comment_proposals.values())
    proposal_titles: dict[int, str] = {}
    if proposal_ids:
        proposal_titles = dict(
            db.session.execute(
                select(Proposal.id, Proposal.title).where(Proposal.id.in_(proposal_ids))
            ).all()
        )
    latest_proposals = list(
        db.session.scalars(
            select(Proposal)
            .where(in_campaign, Proposal.state.in_(PUBLISHED_STATES))
            .options(selectinload(Proposal.organization))
            .order_by(func.coalesce(Proposal.submitted_at, Proposal.created_at).desc())
            .limit(recent // 2)
        )
    )
    latest_comments = list(
        db.session.scalars(
            select(Comment)
            .join(Proposal, Proposal.id == Comment.proposal_id)
            .where(in_campaign, Comment.deleted_at.is_(None), Proposal.state != ProposalState.draft)
            .options(selectinload(Comment.proposal), selectinload(Comment.organization))
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(recent // 2)
        )
    )
    return Overview(
        by_status=by_status,
        unthemed=int(unthemed or 0),
        open_reports=int(open_reports or 0),
        activity=activity,
        proposal_titles=proposal_titles,
        comment_proposals=comment_proposals,
        latest_proposals=latest_proposals,
        latest_comments=latest_comments,
    )
