"""Browsing a campaign's proposals: filters, Turkish-aware search, sorting, pages.

Search uses ``Proposal.search_text``, a Turkish-folded copy of title, summary
and description written with every save (see ``text.fold``). A LIKE over a
column folded the same way as the query gives identical results on SQLite
and PostgreSQL, where ``lower()``/``ILIKE`` would each fold "I" and "İ" their
own (wrong) way and full-text search would need two implementations. At the
scale of a consultation (thousands of proposals per campaign) a scan of one
campaign's rows is fast; PostgreSQL can add a trigram index later without a
change here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import BigInteger, Select, and_, cast, func, or_, select
from sqlalchemy.orm import selectinload

from auth.models import Organization
from auth.permissions import Permission, can
from extensions import db
from proposals.models import (
    ActivityType,
    Campaign,
    Partnership,
    PartnershipState,
    Proposal,
    ProposalState,
    ProposalVersion,
    proposal_themes,
)
from text import fold

PAGE_SIZE = 20
SORTS = ("newest", "supported", "discussed", "random")
MAX_QUERY = 200
_SEED_MOD = 2_147_483_629  # a prime below 2**31: the random order stays in integer range


@dataclass(frozen=True)
class ProposalQuery:
    """What the visitor asked for; built from a query string, never trusted further."""

    q: str = ""
    theme: int | None = None
    district: str = ""
    activity_type: str = ""
    organization: int | None = None
    organization_name: str = ""  # with many organisations, a name to look for instead
    status: str = ""
    sort: str = "newest"
    page: int = 1
    seed: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str], seed: int) -> ProposalQuery:
        def number(name: str) -> int | None:
            value = (args.get(name) or "").strip()
            # isascii: "²".isdigit() is True, but int("²") raises (a 500 from a query string).
            return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None

        def text(name: str, limit: int) -> str:
            # PostgreSQL refuses NUL in a text parameter (a 500 from a query string).
            return (args.get(name) or "").replace("\x00", "")[:limit].strip()

        sort = args.get("sort", "newest")
        status = args.get("status", "")
        activity = args.get("activity_type", "")
        return cls(
            q=text("q", MAX_QUERY),
            theme=number("theme"),
            district=text("district", 40),
            activity_type=activity if activity in ActivityType.__members__ else "",
            organization=number("organization"),
            organization_name=text("organization_name", 200),
            status=status if status in ProposalState.__members__ else "",
            sort=sort if sort in SORTS else "newest",
            page=max(1, min(number("page") or 1, 100_000)),
            seed=seed,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments for a link (a page, a sort) with defaults left out."""
        query = replace(self, **changes)
        values = {
            "q": query.q,
            "theme": query.theme,
            "district": query.district,
            "activity_type": query.activity_type,
            "organization": query.organization,
            "organization_name": query.organization_name,
            "status": query.status,
            "sort": "" if query.sort == "newest" else query.sort,
            "page": "" if query.page == 1 else query.page,
        }
        return {k: v for k, v in values.items() if v not in ("", None)}

    @property
    def filtered(self) -> bool:
        return bool(
            self.q or self.theme or self.district or self.activity_type or self.organization
            or self.organization_name or self.status
        )  # fmt: skip


@dataclass
class ProposalRow:
    proposal: Proposal
    comments: int
    supports: int


@dataclass
class ProposalPage:
    rows: list[ProposalRow]
    total: int
    page: int
    pages: int
    query: ProposalQuery


def visible_proposals(campaign: Campaign, user: Any) -> Select[tuple[Proposal]]:
    """Published proposals of the campaign, plus the viewer's own organisation's drafts;
    proposals hidden by moderation only for moderators."""
    conditions = [Proposal.state != ProposalState.draft]
    organization_id = getattr(user, "organization_id", None) if user.is_authenticated else None
    if organization_id:
        conditions.append(
            and_(Proposal.state == ProposalState.draft, Proposal.organization_id == organization_id)
        )
    statement = select(Proposal).where(Proposal.campaign_id == campaign.id, or_(*conditions))
    if not can(user, Permission.moderate):  # hidden by moderation: gone from lists and counts
        statement = statement.where(Proposal.hidden_at.is_(None))
    return statement


def _filtered(statement: Select[Any], query: ProposalQuery) -> Select[Any]:
    statement = statement.where(*words_match(Proposal.search_text, query.q))
    if query.theme:
        statement = statement.where(
            Proposal.id.in_(
                select(proposal_themes.c.proposal_id).where(
                    proposal_themes.c.theme_id == query.theme
                )
            )
        )
    if query.district:
        statement = statement.where(Proposal.district == query.district)
    if query.activity_type:
        statement = statement.where(Proposal.activity_type == ActivityType(query.activity_type))
    if query.organization:
        partner_of = select(Partnership.proposal_id).where(
            Partnership.organization_id == query.organization,
            Partnership.state == "confirmed",
        )
        statement = statement.where(
            or_(Proposal.organization_id == query.organization, Proposal.id.in_(partner_of))
        )
    if query.organization_name:
        named = select(Organization.id).where(
            *words_match(Organization.name_folded, query.organization_name)
        )
        partner_of = select(Partnership.proposal_id).where(
            Partnership.organization_id.in_(named), Partnership.state == "confirmed"
        )
        statement = statement.where(
            or_(Proposal.organization_id.in_(named), Proposal.id.in_(partner_of))
        )
    if query.status:
        statement = statement.where(Proposal.state == ProposalState(query.status))
    return statement


def words_match(column: Any, text: str) -> list[Any]:
    """A condition per word of ``text`` (its first ten, Turkish-folded): the word occurs in
    ``column``, a column folded the same way. LIKE's wildcards are searched for literally."""
    return [column.like(f"%{_escaped(w)}%", escape="\\") for w in fold(text).split()[:10]]


def _escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def shuffle_key(seed: int) -> Any:
    """A pseudo-random key per proposal that depends on ``seed``, the same on every database.

    A linear key, ``(id * a + seed) % p``, is no shuffle: for small ids it put the even ids
    first for every seed, and seeds only rotate it. Two squaring rounds mix it (each
    proposal comes first for about as many seeds as any other). Plain 64-bit integer
    arithmetic (values stay below 2**62), so SQLite and PostgreSQL give the same order;
    the cast matters because PostgreSQL's integer * integer overflows past 2**31.
    """
    x = (cast(Proposal.id, BigInteger) * 1_103_515_245 + seed) % _SEED_MOD
    x = (x * x + seed) % _SEED_MOD
    return (x * x + 12_345) % _SEED_MOD


def search_proposals(campaign: Campaign, user: Any, query: ProposalQuery) -> ProposalPage:
    """One page of proposals with their counts, in a fixed number of queries."""
    base = _filtered(visible_proposals(campaign, user), query)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(query.page, pages)
    # Published proposals have submitted_at; the viewer's own drafts (none) come first.
    newest = Proposal.submitted_at.desc().nulls_first()
    order: list[Any]
    if query.sort == "supported":
        order = [Proposal.support_count.desc(), newest, Proposal.id.desc()]
    elif query.sort == "discussed":
        order = [Proposal.comment_count.desc(), newest, Proposal.id.desc()]
    elif query.sort == "random":
        # A stable shuffle per visitor: the same seed gives the same order on every page.
        order = [shuffle_key(query.seed), Proposal.id]
    else:
        order = [newest, Proposal.id.desc()]
    statement = (
        base.options(
            selectinload(Proposal.organization),
            selectinload(Proposal.themes),
            selectinload(Proposal.partnerships).selectinload(Partnership.organization),
        )
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = [ProposalRow(p, p.comment_count, p.support_count) for p in db.session.scalars(statement)]
    return ProposalPage(rows=rows, total=total, page=page, pages=pages, query=query)


# Above this many organisations in a campaign the filter is a name field, not a list: a
# national campaign's 5,000 options would weigh more than the rest of the page together
# and be unusable with a screen reader.
ORGANIZATION_CHOICES_LIMIT = 200


def filter_choices(campaign: Campaign) -> dict[str, Any]:
    """Organisations that appear in the campaign, for the organisation filter: the authors
    and the confirmed partners of published proposals (the filter finds both). ``None``
    when there are too many to list (the filter is then a name field)."""
    published = and_(Proposal.campaign_id == campaign.id, Proposal.state != ProposalState.draft)
    partners = (
        select(Partnership.organization_id)
        .join(Proposal, Partnership.proposal_id == Proposal.id)
        .where(published, Partnership.state == PartnershipState.confirmed)
    )
    organizations = db.session.execute(
        select(Organization.id, Organization.name)
        .where(
            or_(
                Organization.id.in_(select(Proposal.organization_id).where(published)),
                Organization.id.in_(partners),
            )
        )
        .order_by(Organization.name_folded)
        .limit(ORGANIZATION_CHOICES_LIMIT + 1)
    ).all()
    if len(organizations) > ORGANIZATION_CHOICES_LIMIT:
        return {"organizations": None}
    return {"organizations": organizations}


def proposal_with_details(proposal_id: int, *, versions: bool = False) -> Proposal | None:
    """One proposal with what its page shows (and, on request, its versions), eagerly loaded
    so that the page and the API take a fixed number of queries."""
    options = [
        selectinload(Proposal.campaign),
        selectinload(Proposal.organization),
        selectinload(Proposal.themes),
        selectinload(Proposal.partnerships).selectinload(Partnership.organization),
    ]
    if versions:
        options.append(selectinload(Proposal.versions).selectinload(ProposalVersion.edited_by))
    return db.session.scalar(select(Proposal).where(Proposal.id == proposal_id).options(*options))
