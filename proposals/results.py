"""The outcome of a campaign's vote: the ranked shortlist, turnout, votes by theme and by day,
and publishing the results.

Everything is computed from the stored votes (``voting.tallies``) and ordered by the one
ranking function (``ranking.rank``), so the results page, the exports, the public
shortlist and the CLI cannot disagree. Reading functions take a fixed number of queries
whatever the number of proposals; ``details`` is meant to be called per batch of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, case, func, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.functions import FunctionElement

from auth.audit import record
from auth.errors import DomainError
from auth.mail import external_url, queue_mail
from auth.models import Organization, User
from extensions import db
from proposals import ranking, voting
from proposals.models import (
    ActivityType,
    Ballot,
    Campaign,
    Partnership,
    PartnershipState,
    Phase,
    Proposal,
    ProposalState,
    Theme,
    VoteLogEntry,
    proposal_themes,
)

# The states of proposals that are, or were, in the vote. Drafts, withdrawn, merged and
# not-accepted proposals never were (or left it, and their votes went back to the ballots).
IN_VOTE_STATES = (
    ProposalState.submitted,
    ProposalState.accepted,
    ProposalState.shortlisted,
    ProposalState.not_selected,
)


def _state(status: ProposalState | str | None) -> ProposalState | None:
    if status is None or status == "":
        return None
    try:
        return ProposalState(status)
    except ValueError:
        return None


def shortlist(
    campaign: Campaign, *, theme_id: int | None = None, status: ProposalState | str | None = None
) -> list[ranking.RankedRow]:
    """Every proposal in the vote, ranked; three queries whatever their number.

    With a theme or a status the competition is among the proposals that match it: ranks
    are those within the filtered list (so "top 3 of a theme" reads naturally).
    """
    states: tuple[ProposalState, ...] = IN_VOTE_STATES
    if status not in (None, ""):
        wanted = _state(status)
        if wanted not in IN_VOTE_STATES:
            return []
        states = (wanted,)
    in_vote = (Proposal.campaign_id == campaign.id) & Proposal.state.in_(states)
    # Ordered by id only so that equal titles within a tie come out the same on every call;
    # the rank itself never depends on it.
    statement = select(Proposal.id, Proposal.title).where(in_vote).order_by(Proposal.id)
    if theme_id is not None:
        statement = statement.where(
            Proposal.id.in_(
                select(proposal_themes.c.proposal_id).where(proposal_themes.c.theme_id == theme_id)
            )
        )
    proposals = db.session.execute(statement).all()
    themes: dict[int, list[int]] = defaultdict(list)
    for proposal_id, theme in db.session.execute(
        select(proposal_themes.c.proposal_id, proposal_themes.c.theme_id)
        .join(Proposal, Proposal.id == proposal_themes.c.proposal_id)
        .where(in_vote)
        .order_by(proposal_themes.c.theme_id)
    ):
        themes[proposal_id].append(theme)
    tallies = voting.tallies(campaign)
    empty = voting.Tally(0, 0, 0)
    return ranking.rank(
        ranking.Entry(
            proposal_id=pid,
            title=title,
            points=tallies.get(pid, empty).points,
            supporters=tallies.get(pid, empty).supporters,
            theme_ids=tuple(themes.get(pid, ())),
        )
        for pid, title in proposals
    )


# --- what a row shows besides its rank --------------------------------------------------


@dataclass(frozen=True)
class Details:
    """What the page and the exports show of one proposal besides its rank and votes."""

    proposal_id: int
    organization: str
    partners: tuple[str, ...]  # confirmed partners only
    themes: tuple[Theme, ...]
    comments: int
    estimated_budget: int | None
    state: ProposalState
    district: str = ""
    activity_type: ActivityType | None = None


def details(proposal_ids: Iterable[int]) -> dict[int, Details]:
    """Details of the given proposals in three queries (call it per batch of rows).

    Organisation names come from correlated lookups by primary key rather than a join:
    given ``proposals.id IN (…)`` and a join, SQLite's planner scans every organisation
    and probes the proposals per organisation (14 s for a 20,000-row export instead of 1).
    """
    ids = list(proposal_ids)
    if not ids:
        return {}

    def name_of(org_id: Any, column: Any = Organization.name) -> Any:
        return select(column).where(Organization.id == org_id).scalar_subquery()

    proposals = db.session.execute(
        select(
            Proposal.id,
            name_of(Proposal.organization_id),
            Proposal.estimated_budget,
            Proposal.state,
            Proposal.district,
            Proposal.activity_type,
            Proposal.comment_count,
        ).where(Proposal.id.in_(ids))
    ).all()
    partners: dict[int, list[str]] = defaultdict(list)
    for proposal_id, name in db.session.execute(
        select(Partnership.proposal_id, name_of(Partnership.organization_id))
        .where(Partnership.proposal_id.in_(ids), Partnership.state == PartnershipState.confirmed)
        .order_by(name_of(Partnership.organization_id, Organization.name_folded))
    ):
        partners[proposal_id].append(name)
    themes: dict[int, list[Theme]] = defaultdict(list)
    for proposal_id, theme in db.session.execute(
        select(proposal_themes.c.proposal_id, Theme)
        .join(Theme, Theme.id == proposal_themes.c.theme_id)
        .where(proposal_themes.c.proposal_id.in_(ids))
        .order_by(Theme.position, Theme.id)
    ):
        themes[proposal_id].append(theme)
    return {
        pid: Details(
            proposal_id=pid,
            organization=organization,
            partners=tuple(partners.get(pid, ())),
            themes=tuple(themes.get(pid, ())),
            comments=comments,
            estimated_budget=budget,
            state=state,
            district=district or "",
            activity_type=activity_type,
        )
        for pid, organization, budget, state, district, activity_type, comments in proposals
    }


def organization_names(campaign: Campaign) -> dict[int, str]:
    """The author organisation of each proposal in the vote, in one query."""
    return dict(
        db.session.execute(
            select(Proposal.id, Organization.name)
            .join(Organization, Organization.id == Proposal.organization_id)
            .where(Proposal.campaign_id == campaign.id, Proposal.state.in_(IN_VOTE_STATES))
        ).all()
    )


# --- turnout ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Turnout:
    """Among the active organisations: who voted at all, who used the whole ballot."""

    active_organizations: int
    voted: int  # used at least one vote (or point)
    voted_fully: int  # used the whole budget
    points_used: int
    points_total: int  # the budget of every active organisation

    @staticmethod
    def _share(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    @property
    def voted_share(self) -> float:
        return self._share(self.voted, self.active_organizations)

    @property
    def fully_share(self) -> float:
        return self._share(self.voted_fully, self.active_organizations)

    @property
    def points_share(self) -> float:
        return self._share(self.points_used, self.points_total)


def turnout(campaign: Campaign) -> Turnout:
    """Two queries: the active organisations, and their ballots summed up."""
    active = db.session.scalar(select(func.count(Organization.id)).where(Organization.active)) or 0
    ballots, voted, full, used, budget = db.session.execute(
        select(
            func.count(Ballot.id),
            func.coalesce(func.sum(case((Ballot.used > 0, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Ballot.used >= Ballot.budget, 1), else_=0)), 0),
            func.coalesce(func.sum(Ballot.used), 0),
            func.coalesce(func.sum(Ballot.budget), 0),
        )
        .join(Organization, Organization.id == Ballot.organization_id)
        .where(Ballot.campaign_id == campaign.id, Organization.active)
    ).one()
    # An active organisation without a ballot row has the campaign's whole budget unused.
    total = int(budget) + (active - int(ballots)) * campaign.votes_per_organization
    return Turnout(active, int(voted), int(full), int(used), total)


# --- votes by theme and by day ------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, its value and, for themes, the theme's colour."""

    key: str
    label: str
    value: int
    colour: str = "#6b3fa0"


def votes_by_theme(campaign: Campaign, rows: Sequence[ranking.RankedRow], locale: str) -> list[Bar]:
    """Points of the proposals of each theme, in the campaign's theme order.

    A proposal with several themes counts in each of them, so the bars may add up to more
    than the points given. Proposals without a theme get a bar of their own if they have
    points; an archived theme is shown only if its proposals have points.
    """
    points: dict[int | None, int] = defaultdict(int)
    for row in rows:
        for theme_id in row.entry.theme_ids or (None,):
            points[theme_id] += row.entry.points
    bars = [
        Bar(f"theme-{theme.id}", theme.name(locale), points.get(theme.id, 0), theme.colour)
        for theme in campaign.themes
        if theme.archived_at is None or points.get(theme.id)
    ]
    if points.get(None):
        bars.append(Bar("theme-none", str(_l("Without a theme")), points[None], "#5c5c5c"))
    return bars


MAX_FILLED_DAYS = 120


class _epoch_hour(FunctionElement[int]):
    """Whole hours since 1970 of a naive UTC timestamp, the same number on both databases."""

    type = Integer()
    inherit_cache = True


@compiles(_epoch_hour, "sqlite")
def _epoch_hour_sqlite(element: _epoch_hour, compiler: Any, **kw: Any) -> str:
    return f"(CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER) / 3600)"


@compiles(_epoch_hour, "postgresql")
def _epoch_hour_postgresql(element: _epoch_hour, compiler: Any, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"CAST(floor(extract(epoch FROM {moment}) / 3600) AS INTEGER)"


def votes_per_day(campaign: Campaign) -> list[tuple[date, int]]:
    """Net points given per day (given minus taken back and returned), from the vote log.

    Days are those of the campaign's time zone. Every day of the voting window is listed,
    days without a change with 0, plus any day outside it on which the log changed. The
    database sums per UTC hour (a few hundred rows, not one per vote); hours become local
    days here, which is exact for every zone whose offset is whole hours (Türkiye's is).
    """
    zone = campaign.zone

    def local_day(moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(zone).date()

    hour = _epoch_hour(VoteLogEntry.created_at)
    net: dict[date, int] = defaultdict(int)
    for hours, delta in db.session.execute(
        select(hour, func.sum(VoteLogEntry.delta))
        .where(VoteLogEntry.campaign_id == campaign.id)
        .group_by(hour)
    ):
        net[local_day(datetime(1970, 1, 1) + timedelta(hours=hours))] += int(delta)
    first = local_day(campaign.voting_opens_at)
    last = local_day(campaign.voting_closes_at - timedelta(microseconds=1))
    days = set(net)
    if (last - first).days < MAX_FILLED_DAYS:
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return [(day, net.get(day, 0)) for day in sorted(days)]


# --- publishing -----------------------------------------------------------------------------

ANNOUNCED_ROWS = 5


def may_publish(campaign: Campaign, now: datetime) -> bool:
    return campaign.phase(now) == Phase.closed and campaign.results_published_at is None


def publish_results(campaign: Campaign, actor: User, now: datetime) -> int:
    """Make the shortlist public and mail every active member of every active organisation.

    Returns the number of mails queued. Flushes, does not commit.
    """
    if campaign.phase(now) != Phase.closed:
        raise DomainError(_l("The results can be published only after voting has closed."))
    # Claimed by a conditional UPDATE, so two organisers pressing at once publish (and mail)
    # once: on PostgreSQL the second waits for the first and then matches no row.
    claimed = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.results_published_at.is_(None))
        .values(results_published_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise DomainError(_l("The results have been published already."))
    db.session.refresh(campaign)
    record(actor, "campaign.publish_results", campaign,
           before={"results_published_at": None}, after={"results_published_at": now})  # fmt: skip
    top = [
        (row.rank, row.tied, row.entry.title)
        for row in ranking.top(shortlist(campaign), ANNOUNCED_ROWS)
    ]
    link = external_url("proposals.shortlist", slug=campaign.slug)
    members = db.session.scalars(
        select(User)
        .join(Organization, Organization.id == User.organization_id)
        .where(User.active, Organization.active)
        .options(selectinload(User.organization))
        .order_by(User.id)
    ).all()
    for user in members:
        queue_mail(
            user.email,
            locale=user.locale,
            kind="results",
            subject=_l("Ortak: the results of “%(title)s”", title=campaign.title),
            template="results",
            user=user,
            campaign=campaign,
            top=top,
            link=link,
        )
    db.session.flush()
    return len(members)
