"""Merging proposals into one target, and undoing a merge exactly.

Thirty organisations often propose the same idea three times. A moderator merges the
sources into one target: the sources become "merged into …" (their pages, and their
comments, stay where they are and are linked from the target), their author and
partner organisations become confirmed partners of the target, and the votes follow
the idea: each organisation that voted for a source holds, on the target, what it had
there plus what it gave the sources, capped by the limit per proposal; what goes
beyond the cap goes back to its ballot, to be spent elsewhere.

An organisation never ends up voting for a proposal it now partners (unless the
campaign allows own votes): the merge makes it a partner, so its points go back.

Everything the merge changes is kept in ``Merge.before`` so that :func:`unmerge`
restores the earlier state exactly (states, partnerships, every vote, every ballot).
The votes change with the same guarantees as ``voting.set_points``: the proposals'
rows are locked FOR UPDATE (no vote lands on them meanwhile), the ballots' rows
too, every change is appended to the vote log (``flask audit-votes`` stays clean)
and a ballot never goes over its budget.

:func:`merge` and :func:`unmerge` each flush but never commit: the caller commits once
(one transaction) or rolls back on a DomainError.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from auth.audit import record
from auth.errors import DomainError
from auth.models import Organization, User
from extensions import db
from proposals import voting
from proposals.models import (
    PUBLISHED_STATES,
    VOTABLE_STATES,
    Ballot,
    Campaign,
    Merge,
    Partnership,
    PartnershipState,
    Phase,
    Proposal,
    ProposalState,
    Vote,
    VoteAction,
    VoteLogEntry,
)
from proposals.notifications import members_of, notify

# What can be merged, as a source or as a target: what others can see, and that is not
# already gone (merged elsewhere, or withdrawn by its authors).
MERGEABLE_STATES = PUBLISHED_STATES - {ProposalState.merged, ProposalState.withdrawn}
# States whose votes count (in the vote, or its result): only they get votes back on unmerge.
HOLDS_VOTES = VOTABLE_STATES | {ProposalState.shortlisted, ProposalState.not_selected}


# --- the plan: what a merge would do, shown before it is done -----------------------------


@dataclass
class VoteMove:
    """One organisation's votes on the sources and the target, before and after the merge."""

    organization_id: int
    ballot_id: int
    target_before: int
    target_after: int
    sources: dict[int, int]  # source id → points before (after the merge: none)

    @property
    def total(self) -> int:
        return self.target_before + sum(self.sources.values())

    @property
    def returned(self) -> int:
        """Points that go back to the ballot (beyond the cap, or onto an own proposal)."""
        return self.total - self.target_after


@dataclass
class MergePlan:
    """What merging ``sources`` into ``target`` changes; the merge page shows it first."""

    target: Proposal
    sources: list[Proposal]
    new_partners: list[Organization]  # get a new confirmed partnership on the target
    confirmed: list[Partnership]  # the target's pending or declined requests, now confirmed
    partners: list[Organization]  # the target's confirmed partners before the merge
    moves: list[VoteMove] = field(default_factory=list)

    @property
    def partners_added(self) -> list[Organization]:
        return [*self.new_partners, *(p.organization for p in self.confirmed)]

    @property
    def organizations_moving(self) -> int:
        """Organisations whose votes for a source move (or go back)."""
        return sum(1 for move in self.moves if move.sources)

    @property
    def points_moved(self) -> int:
        return sum(max(0, m.target_after - m.target_before) for m in self.moves)

    @property
    def points_returned(self) -> int:
        return sum(move.returned for move in self.moves)


def _refuse_state(proposal: Proposal, field_name: str | None) -> DomainError:
    return DomainError(
        _l(
            "“%(title)s” cannot be merged: it is a draft, withdrawn or merged already.",
            title=proposal.title,
        ),
        field_name,
    )


def _check(target: Proposal, sources: list[Proposal], now: datetime) -> None:
    if not sources:
        raise DomainError(_l("Choose at least one proposal to merge into this one."), "sources")
    if any(source.id == target.id for source in sources):
        raise DomainError(_l("A proposal cannot be merged into itself."), "sources")
    if target.state not in MERGEABLE_STATES:
        raise _refuse_state(target, None)
    if target.campaign.phase(now) == Phase.closed:
        # Points going back to ballots could no longer be spent: the results would change.
        raise DomainError(_l("Proposals can no longer be merged once voting has closed."))
    for source in sources:
        if source.campaign_id != target.campaign_id:
            raise DomainError(
                _l("“%(title)s” belongs to another campaign.", title=source.title), "sources"
            )
        if source.state not in MERGEABLE_STATES:
            raise _refuse_state(source, "sources")


def _unique(sources: list[Proposal]) -> list[Proposal]:
    return sorted({source.id: source for source in sources}.values(), key=lambda p: p.id)


def plan_merge(target: Proposal, sources: list[Proposal], now: datetime) -> MergePlan:
    """What :func:`merge` would do, computed from the database as it is; changes nothing.

    Raises a DomainError (with ``field="sources"`` where it concerns the choice) when the
    merge is not possible.
    """
    sources = _unique(sources)
    _check(target, sources, now)
    campaign = target.campaign
    ids = [target.id, *(s.id for s in sources)]
    partnerships = db.session.scalars(
        select(Partnership)
        .where(Partnership.proposal_id.in_(ids))
        .order_by(Partnership.id)
        .execution_options(populate_existing=True)
    ).all()
    on_target = {p.organization_id: p for p in partnerships if p.proposal_id == target.id}
    wanted: dict[int, Organization] = {}
    for source in sources:
        confirmed = [
            p.organization
            for p in partnerships
            if p.proposal_id == source.id and p.state == PartnershipState.confirmed
        ]
        for organization in (source.organization, *confirmed):
            if organization.id != target.organization_id:
                wanted.setdefault(organization.id, organization)
    new_partners = [org for org_id, org in wanted.items() if org_id not in on_target]
    to_confirm = [
        on_target[org_id]
        for org_id in wanted
        if org_id in on_target and on_target[org_id].state != PartnershipState.confirmed
    ]
    new_owners = {o.id for o in new_partners} | {p.organization_id for p in to_confirm}
    owners_after = (
        {target.organization_id}
        | {o for o, p in on_target.items() if p.state == PartnershipState.confirmed}
        | new_owners
    )
    votes = db.session.scalars(
        select(Vote)
        .where(Vote.proposal_id.in_(ids))
        .order_by(Vote.organization_id, Vote.proposal_id)
        .execution_options(populate_existing=True)
    ).all()
    by_organization: dict[int, dict[int, Vote]] = defaultdict(dict)
    for vote in votes:
        by_organization[vote.organization_id][vote.proposal_id] = vote
    cap = voting.max_points(campaign)
    votable = target.state in VOTABLE_STATES
    moves = []
    for org_id, held in by_organization.items():
        on_sources = {pid: v.points for pid, v in held.items() if pid != target.id}
        before = held[target.id].points if target.id in held else 0
        barred = not campaign.allow_own_votes and org_id in owners_after
        if not on_sources and not (barred and org_id in new_owners and before):
            continue  # the merge does not touch this organisation's votes
        if not votable or (barred and org_id not in new_owners):
            limit = before  # left as it was (a result, or a vote that predates the merge)
        elif barred:
            limit = 0  # it becomes a partner of the target: no vote for its own proposal
        else:
            limit = max(cap, before)
        after = min(limit, before + sum(on_sources.values()))
        ballot_id = next(iter(held.values())).ballot_id
        moves.append(VoteMove(org_id, ballot_id, before, after, on_sources))
    partners = [p.organization for p in on_target.values() if p.state == PartnershipState.confirmed]
    return MergePlan(target, sources, new_partners, to_confirm, partners, moves)


# --- locking ---------------------------------------------------------------------------------


def _lock_proposals(ids: list[int]) -> None:
    """Hold the proposals' rows FOR UPDATE, in id order (as concurrent merges do), and read
    them afresh: ``set_points`` holds them FOR SHARE, so no vote is given or taken back on
    them until the transaction ends. SQLite serialises writers and renders no FOR UPDATE."""
    db.session.scalars(
        select(Proposal)
        .where(Proposal.id.in_(sorted(set(ids))))
        .order_by(Proposal.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def _lock_ballots(ids: list[int]) -> dict[int, Ballot]:
    ballots = db.session.scalars(
        select(Ballot)
        .where(Ballot.id.in_(sorted(set(ids))))
        .order_by(Ballot.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {ballot.id: ballot for ballot in ballots}


def _change_ballot(ballot: Ballot, delta: int) -> None:
    """``used += delta`` as one conditional statement: it never leaves the budget."""
    if delta == 0:
        return
    changed = db.session.execute(
        update(Ballot)
        .where(
            Ballot.id == ballot.id,
            Ballot.used + delta <= Ballot.budget,
            Ballot.used + delta >= 0,
        )
        .values(used=Ballot.used + delta)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # pragma: no cover - the row is locked; a guard, not a path
        raise DomainError(_l("The ballots changed at the same moment. Please try again."))
    db.session.expire(ballot, ["used"])


def _log(
    campaign_id: int,
    organization_id: int,
    proposal_id: int,
    action: VoteAction,
    delta: int,
    actor: User,
    now: datetime,
) -> None:
    if delta:
        db.session.add(
            VoteLogEntry(
                campaign_id=campaign_id,
                organization_id=organization_id,
                proposal_id=proposal_id,
                user_id=actor.id,
                action=action,
                delta=delta,
                created_at=now,
            )
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- merge -----------------------------------------------------------------------------------


def merge(
    target: Proposal, sources: list[Proposal], actor: User, now: datetime, reason: str = ""
) -> Merge:
    """Merge ``sources`` into ``target`` (one transaction: flushes, does not commit)."""
    sources = _unique(sources)
    _lock_proposals([target.id, *(s.id for s in sources)])
    plan = plan_merge(target, sources, now)
    campaign = target.campaign
    ballots = _lock_ballots([move.ballot_id for move in plan.moves])
    votes = {
        (v.organization_id, v.proposal_id): v
        for v in db.session.scalars(
            select(Vote)
            .where(Vote.proposal_id.in_([target.id, *(s.id for s in sources)]))
            .execution_options(populate_existing=True)
        )
    }
    before: dict[str, Any] = {
        "reason": reason,
        "target": {"id": target.id, "state": target.state.value},
        "sources": [
            {"id": s.id, "state": s.state.value, "merged_into_id": s.merged_into_id}
            for s in sources
        ],
        "partnerships_confirmed": [
            {
                "id": p.id,
                "state": p.state.value,
                "decided_at": _iso(p.decided_at),
                "decided_by_id": p.decided_by_id,
            }
            for p in plan.confirmed
        ],
    }

    for source in sources:
        source.state = ProposalState.merged
        source.merged_into_id = target.id
    created = []
    for organization in plan.new_partners:
        partnership = Partnership(
            proposal_id=target.id,
            organization_id=organization.id,
            state=PartnershipState.confirmed,
            requested_at=now,
            decided_at=now,
            decided_by_id=actor.id,
        )
        db.session.add(partnership)
        created.append(partnership)
    for partnership in plan.confirmed:
        partnership.state = PartnershipState.confirmed
        partnership.decided_at = now
        partnership.decided_by_id = actor.id

    vote_records = []
    ballot_records = []
    for move in plan.moves:
        held = {
            pid: votes[(move.organization_id, pid)]
            for pid in [target.id, *move.sources]
            if (move.organization_id, pid) in votes
        }
        vote_records.append(
            {
                "organization_id": move.organization_id,
                "ballot_id": move.ballot_id,
                "target_after": move.target_after,
                "returned": move.returned,
                "prior": [
                    {
                        "proposal_id": pid,
                        "points": vote.points,
                        "cast_by_id": vote.cast_by_id,
                        "cast_at": _iso(vote.cast_at),
                    }
                    for pid, vote in sorted(held.items())
                ],
            }
        )
        _move_votes(campaign, target, move, held, actor, now)
        ballot = ballots[move.ballot_id]
        used_before = ballot.used
        _change_ballot(ballot, -move.returned)
        ballot_records.append(
            {
                "id": ballot.id,
                "organization_id": move.organization_id,
                "used_before": used_before,
                "used_after": used_before - move.returned,
            }
        )

    db.session.flush()  # the new partnerships get their ids
    before["partnerships_created"] = [p.id for p in created]
    before["votes"] = vote_records
    before["ballots"] = ballot_records
    merge_row = Merge(
        campaign_id=campaign.id,
        target_id=target.id,
        created_by_id=actor.id,
        created_at=now,
        before=before,
    )
    db.session.add(merge_row)
    db.session.flush()
    db.session.expire(target, ["partnerships"])
    record(
        actor,
        "proposal.merge",
        merge_row,
        before={
            "target": target.id,
            "sources": [{"id": s["id"], "state": s["state"]} for s in before["sources"]],
            "partners": [o.id for o in plan.partners],
        },
        after={
            "target": target.id,
            "sources": [{"id": s.id, "state": s.state.value} for s in sources],
            "partners_added": [o.id for o in plan.partners_added],
            "organizations_whose_votes_moved": plan.organizations_moving,
            "points_moved": plan.points_moved,
            "points_returned": plan.points_returned,
            "reason": reason,
        },
    )
    _notify_merge(plan, actor, now)
    return merge_row


def _move_votes(
    campaign: Campaign,
    target: Proposal,
    move: VoteMove,
    held: dict[int, Vote],
    actor: User,
    now: datetime,
) -> None:
    """Take the organisation's points off the sources, put what fits on the target.

    The log says where each point went: ``merged`` for points moved from a source onto
    the target, ``returned`` for points that went back to the ballot.
    """
    org = move.organization_id
    to_target = max(0, move.target_after - move.target_before)
    for source_id, points in sorted(move.sources.items()):
        moved = min(points, to_target)
        to_target -= moved
        _log(campaign.id, org, source_id, VoteAction.merged, -moved, actor, now)
        _log(campaign.id, org, source_id, VoteAction.returned, -(points - moved), actor, now)
        db.session.delete(held[source_id])
    change = move.target_after - move.target_before
    existing = held.get(target.id)
    if existing is not None and move.target_after == 0:
        db.session.delete(existing)
    elif existing is not None:
        existing.points = move.target_after
    elif move.target_after > 0:
        first = min((held[s] for s in move.sources), key=lambda v: (v.cast_at, v.id))
        db.session.add(
            Vote(
                ballot_id=move.ballot_id,
                proposal_id=target.id,
                organization_id=org,
                points=move.target_after,
                cast_by_id=first.cast_by_id,  # the vote stays the organisation's own choice
                cast_at=first.cast_at,
            )
        )
    action = VoteAction.merged if change > 0 else VoteAction.returned
    _log(campaign.id, org, target.id, action, change, actor, now)


def _organizations(ids: set[int]) -> list[Organization]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Organization).where(Organization.id.in_(ids)).order_by(Organization.id)
        )
    )


def _titles(proposals: list[Proposal]) -> str:
    """The titles as one parameter of a message that quotes it: “A”, “B”."""
    return "”, “".join(p.title for p in proposals)


def _people(
    organizations: list[Organization], actor: User, already: set[int] | None = None
) -> list[User]:
    """Members to tell, each once per event (``already`` collects those told)."""
    people = [
        u
        for u in members_of(organizations, exclude=actor)
        if already is None or u.id not in already
    ]
    if already is not None:
        already.update(u.id for u in people)
    return people


def _notify_merge(plan: MergePlan, actor: User, now: datetime) -> None:
    target = plan.target
    told: set[int] = set()
    for move in plan.moves:
        if not move.sources:
            kind = "merge_votes_now_partner"  # it became a partner: its vote went back
        elif move.target_after == move.target_before:
            kind = "merge_votes_returned"
        elif move.returned:
            kind = "merge_votes_moved_returned"
        else:
            kind = "merge_votes_moved"
        sources = [s for s in plan.sources if s.id in move.sources]
        notify(
            _people(_organizations({move.organization_id}), actor, told),
            kind,
            params={
                "title": target.title,
                "sources": _titles(sources),
                "returned": move.returned,
            },
            proposal=target,
            now=now,
        )
    for source in plan.sources:
        notify(
            _people([source.organization, *source.confirmed_partners()], actor),
            "merged_into",
            params={"title": source.title, "target": target.title},
            proposal=target,
            now=now,
        )
    notify(
        _people([target.organization, *plan.partners], actor),
        "merged_from",
        params={"title": target.title, "sources": _titles(plan.sources)},
        proposal=target,
        now=now,
    )


# --- unmerge ---------------------------------------------------------------------------------


def proposal_ids(merge_row: Merge) -> set[int]:
    """The target and sources of a merge."""
    return {merge_row.target_id, *(s["id"] for s in merge_row.before["sources"])}


def source_ids(merge_row: Merge) -> list[int]:
    return [s["id"] for s in merge_row.before["sources"]]


def blocking_merge(merge_row: Merge) -> Merge | None:
    """A later merge, not undone, that involves one of this merge's proposals: it must be
    undone first, as it was made on top of this one (its ``before`` holds this one's result)."""
    later = db.session.scalars(
        select(Merge)
        .where(
            Merge.campaign_id == merge_row.campaign_id,
            Merge.undone_at.is_(None),
            Merge.id > merge_row.id,
        )
        .order_by(Merge.id.desc())
    ).all()
    mine = proposal_ids(merge_row)
    return next((m for m in later if proposal_ids(m) & mine), None)


@dataclass
class Unmerged:
    """What an unmerge could not give back: organisation id → points not restored."""

    merge: Merge
    short: dict[int, int] = field(default_factory=dict)


def unmerge(merge_row: Merge, actor: User, now: datetime) -> Unmerged:
    """Undo ``merge_row``: the sources, partnerships, votes and ballots as they were before it.

    An organisation that spent the points the merge gave back gets back what its ballot
    has room for (never beyond its budget) and is told what could not be restored.
    One transaction: flushes, does not commit.
    """
    if merge_row.undone_at is not None:
        raise DomainError(_l("This merge has already been undone."))
    later = blocking_merge(merge_row)
    if later is not None:
        raise DomainError(
            _l(
                "Undo the later merge into “%(title)s” first: it involves the same proposals.",
                title=later.target.title,
            )
        )
    before = merge_row.before
    _lock_proposals(sorted(proposal_ids(merge_row)))
    target = merge_row.target
    campaign = target.campaign
    sources = {
        p.id: p
        for p in db.session.scalars(select(Proposal).where(Proposal.id.in_(source_ids(merge_row))))
    }
    for saved in before["sources"]:
        source = sources[saved["id"]]
        source.state = ProposalState(saved["state"])
        source.merged_into_id = saved["merged_into_id"]

    partnerships_removed = 0
    for partnership_id in before["partnerships_created"]:
        partnership = db.session.get(Partnership, partnership_id)
        if partnership is not None:
            db.session.delete(partnership)
            partnerships_removed += 1
    for saved in before["partnerships_confirmed"]:
        partnership = db.session.get(Partnership, saved["id"])
        if partnership is not None:
            partnership.state = PartnershipState(saved["state"])
            partnership.decided_at = _moment(saved["decided_at"])
            partnership.decided_by_id = saved["decided_by_id"]

    outcome = Unmerged(merge_row)
    ballots = _lock_ballots([entry["ballot_id"] for entry in before["votes"]])
    states = {target.id: target.state, **{pid: s.state for pid, s in sources.items()}}
    for entry in before["votes"]:
        ballot = ballots.get(entry["ballot_id"])
        if ballot is None:  # gone with its organisation: nothing to give back to
            missing = sum(saved["points"] for saved in entry["prior"])
        else:
            missing = _restore_votes(campaign, target.id, entry, ballot, states, actor, now)
        if missing:
            outcome.short[entry["organization_id"]] = missing

    merge_row.undone_at = now
    merge_row.undone_by_id = actor.id
    db.session.flush()
    db.session.expire(target, ["partnerships"])
    record(
        actor,
        "proposal.unmerge",
        merge_row,
        before={
            "target": target.id,
            "sources": [{"id": pid, "state": ProposalState.merged.value} for pid in sources],
        },
        after={
            "target": target.id,
            "sources": [{"id": s["id"], "state": s["state"]} for s in before["sources"]],
            "partnerships_removed": partnerships_removed,
            "points_not_restored": sum(outcome.short.values()),
        },
    )
    _notify_unmerge(merge_row, target, list(sources.values()), outcome, actor, now)
    return outcome


def _restore_votes(
    campaign: Campaign,
    target_id: int,
    entry: dict[str, Any],
    ballot: Ballot,
    states: dict[int, ProposalState],
    actor: User,
    now: datetime,
) -> int:
    """Put one organisation's votes back as they were before the merge; returns the points
    that could not be restored (no room left on its ballot, or a proposal that no longer
    takes votes)."""
    org = entry["organization_id"]
    prior = {saved["proposal_id"]: saved for saved in entry["prior"]}
    touched = sorted({target_id, *prior}, key=lambda pid: (pid != target_id, pid))
    touched = [pid for pid in touched if states[pid] in HOLDS_VOTES]
    current = {
        v.proposal_id: v
        for v in db.session.scalars(
            select(Vote)
            .where(Vote.organization_id == org, Vote.proposal_id.in_(touched))
            .execution_options(populate_existing=True)
        )
    }
    room = ballot.budget - ballot.used + sum(v.points for v in current.values())
    missing = sum(s["points"] for pid, s in prior.items() if pid not in touched)
    used_change = 0
    for pid in touched:  # the target first: the organisation's own vote on it came first
        wanted = prior[pid]["points"] if pid in prior else 0
        given = min(wanted, room)
        room -= given
        missing += wanted - given
        vote = current.get(pid)
        had = vote.points if vote is not None else 0
        if vote is not None and given == 0:
            db.session.delete(vote)
        elif vote is not None:
            vote.points = given
            if pid in prior:
                vote.cast_by_id = prior[pid]["cast_by_id"]
                vote.cast_at = _moment(prior[pid]["cast_at"]) or vote.cast_at
        elif given > 0:
            db.session.add(
                Vote(
                    ballot_id=ballot.id,
                    proposal_id=pid,
                    organization_id=org,
                    points=given,
                    cast_by_id=prior[pid]["cast_by_id"],
                    cast_at=_moment(prior[pid]["cast_at"]) or now,
                )
            )
        _log(campaign.id, org, pid, VoteAction.unmerged, given - had, actor, now)
        used_change += given - had
    db.session.flush()  # the votes first: a vote deleted and one added keep the pair unique
    _change_ballot(ballot, used_change)
    return missing


def _notify_unmerge(
    merge_row: Merge,
    target: Proposal,
    sources: list[Proposal],
    outcome: Unmerged,
    actor: User,
    now: datetime,
) -> None:
    told: set[int] = set()
    titles = _titles(sorted(sources, key=lambda p: p.id))
    for entry in merge_row.before["votes"]:
        org = entry["organization_id"]
        short = outcome.short.get(org, 0)
        notify(
            _people(_organizations({org}), actor, told),
            "unmerge_votes_short" if short else "unmerge_votes",
            params={"title": target.title, "sources": titles, "missing": short},
            proposal=target,
            now=now,
        )
    organizations = {target.organization_id, *(p.id for p in target.confirmed_partners())}
    for source in sources:
        organizations |= {source.organization_id, *(p.id for p in source.confirmed_partners())}
    notify(
        _people(_organizations(organizations), actor, told),
        "unmerged",
        params={"title": target.title, "sources": titles},
        proposal=target,
        now=now,
    )


# --- what the proposal page shows -------------------------------------------------------------


@dataclass
class MergeLinks:
    """The merges around one proposal, for its page (both directions of the link)."""

    merged_into: Proposal | None = None
    into: Merge | None = None  # the merge that made this proposal a source
    merged_from: list[tuple[Merge, list[Proposal]]] = field(default_factory=list)
    undoable: set[int] = field(default_factory=set)  # ids of merges that may be undone now

    @property
    def empty(self) -> bool:
        return self.merged_into is None and not self.merged_from


def links(proposal: Proposal) -> MergeLinks:
    """The merge this proposal was a source of, and the merges into it, not undone."""
    found = MergeLinks()
    if proposal.merged_into_id is None and proposal.state != ProposalState.merged:
        targets = [proposal.id]
    else:
        targets = [proposal.id, proposal.merged_into_id or 0]
    active = db.session.scalars(
        select(Merge)
        .where(Merge.target_id.in_(targets), Merge.undone_at.is_(None))
        .order_by(Merge.id.desc())
    ).all()
    if not active:
        return found
    sources_by_id = {
        p.id: p
        for p in db.session.scalars(
            select(Proposal).where(Proposal.merged_into_id == proposal.id).order_by(Proposal.id)
        )
    }
    for merge_row in active:
        if merge_row.target_id == proposal.id:
            merged = [sources_by_id[i] for i in source_ids(merge_row) if i in sources_by_id]
            found.merged_from.append((merge_row, merged))
        elif proposal.id in source_ids(merge_row) and found.into is None:
            found.into = merge_row
            found.merged_into = merge_row.target
    for merge_row, _ in found.merged_from:
        if blocking_merge(merge_row) is None:
            found.undoable.add(merge_row.id)
    if found.into is not None and blocking_merge(found.into) is None:
        found.undoable.add(found.into.id)
    return found
