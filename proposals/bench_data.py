"""A national-scale campaign for the benchmarks: thousands of organisations voting at once.

The demo goes through the real workflows one click at a time; at 5,000 organisations
and 200,000 comments that would take hours, so this writes rows in bulk (Core
``INSERT … VALUES`` in batches) with ids it assigns itself. What it writes is what the
workflows would have written: folded search text, confirmed partnerships, every
ballot fully used through votes *and* the vote log, so ``flask audit-votes`` agrees.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import click
from sqlalchemy import Table, func, insert, select, text, update

from auth.invitations import CONSENT_VERSION
from auth.models import Organization, Role, User
from extensions import db
from proposals.demo_content import MARCH_8_PROPOSALS, PROPOSALS
from proposals.models import (
    ActivityType,
    Ballot,
    Campaign,
    Comment,
    CommentKind,
    Partnership,
    PartnershipState,
    Proposal,
    ProposalState,
    Theme,
    Visibility,
    Vote,
    VoteAction,
    VoteLogEntry,
    VotingMethod,
    proposal_themes,
)
from text import fold

BENCH_SLUG = "ulusal-olcek"
MODERATOR_EMAIL = "moderator@ulusal.example"
ORGANIZER_EMAIL = "organizer@ulusal.example"
BATCH = 5_000
PROVINCES = (
    "Adana", "Ankara", "Antalya", "Bursa", "Diyarbakır", "Erzurum", "Eskişehir", "Gaziantep",
    "Hatay", "İstanbul", "İzmir", "Kayseri", "Kocaeli", "Konya", "Malatya", "Mersin",
    "Samsun", "Şanlıurfa", "Trabzon", "Van",
)  # fmt: skip
KINDS = ("Kadın Dayanışma Derneği", "Kadın Kooperatifi", "Kadın Hakları Platformu",
         "Kadın Danışma Merkezi", "Kadın Emeği Vakfı", "Genç Kadınlar Ağı")  # fmt: skip
THEMES = (
    ("Kurumlar arası koordinasyon", "Inter-agency coordination"),
    ("Erişilebilir destek mekanizmaları", "Accessible support mechanisms"),
    ("Kadınların sosyal hayata katılımı", "Women's participation in social life"),
    ("Ekonomik güçlenme", "Economic empowerment"),
    ("Gençlerle çalışma", "Working with young people"),
    ("Hukuki destek", "Legal support"),
    ("Sağlık ve psikososyal destek", "Health and psychosocial support"),
    ("Kamuoyu farkındalığı", "Public awareness"),
)
COMMENT_BODIES = (
    "Bu öneriyi destekliyoruz; ilçemizde de benzer bir ihtiyaç var.",
    "Bütçe kalemleri biraz daha ayrıntılı yazılabilir mi?",
    "Erişilebilirlik için işaret dili tercümanı da planlanmalı.",
    "Muhtarlıklarla iş birliği yapılırsa katılım artar.",
    "Geçen yıl benzer bir etkinlikte çocuk bakımı sağlamak çok işe yaradı.",
    "Gönüllü olarak katkı sunabiliriz, iletişime geçelim.",
    "Hedef kitleye ulaşmak için yerel radyo da kullanılabilir.",
    "Takvim 25 Kasım haftasıyla çakışıyor mu?",
)


@dataclass(frozen=True)
class Scale:
    organizations: int = 5_000
    proposals: int = 20_000
    comments: int = 200_000
    budget: int = 20
    seed: int = 2026


def _phrases() -> list[tuple[str, str, str]]:
    return [(p["title"], p["summary"], p["description"]) for p in PROPOSALS + MARCH_8_PROPOSALS]


def _next_id(model: Any) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _insert(table: Table, rows: Sequence[dict[str, Any]], tick: Callable[[int], None]) -> None:
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        db.session.execute(insert(table), chunk)
        tick(len(chunk))


def _fix_sequences(tables: Sequence[str]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the new rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for name in tables:
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - fixed names
                f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
            )
        )


def _chunks(total: int, label: str) -> Iterator[Callable[[int], None]]:
    with click.progressbar(length=total, label=label.ljust(14), show_pos=True) as bar:
        yield bar.update


def build(scale: Scale, now: datetime, password_hash: str) -> Campaign:
    """Write the national-scale campaign (voting open, every ballot used) and return it."""
    rng = random.Random(scale.seed)  # noqa: S311 - reproducible test data, not secrets
    phrases = _phrases()
    start = now - timedelta(days=30)
    campaign = Campaign(
        slug=BENCH_SLUG,
        title="25 Kasım — ulusal ölçek deneme kampanyası",
        description="Performans ölçümleri için üretilmiş veriler.",
        awareness_day=(now + timedelta(days=20)).date(),
        submission_opens_at=start,
        submission_closes_at=now - timedelta(days=8),
        voting_opens_at=now - timedelta(days=6),
        voting_closes_at=now + timedelta(days=8),
        votes_per_organization=scale.budget,
        voting_method=VotingMethod.approval,
        visibility=Visibility.public,
        created_at=start,
    )
    for position, (name_tr, name_en) in enumerate(THEMES):
        campaign.themes.append(Theme(name_tr=name_tr, name_en=name_en, position=position))
    db.session.add(campaign)
    db.session.flush()
    theme_ids = [theme.id for theme in campaign.themes]

    org_base, user_base = _next_id(Organization), _next_id(User)
    orgs, users = [], []
    for n in range(scale.organizations):
        name = f"{PROVINCES[n % len(PROVINCES)]} {KINDS[n % len(KINDS)]} {n + 1}"
        orgs.append({"id": org_base + n, "name": name, "name_folded": fold(name),
                     "description": "", "website": "", "active": True,
                     "created_at": start})  # fmt: skip
        for k in range(2):
            uid = user_base + 2 * n + k
            users.append({
                "id": uid, "email": f"temsilci{k + 1}.{n + 1}@ulusal.example",
                "name": f"Temsilci {k + 1} / {n + 1}", "password_hash": password_hash,
                "role": Role.participant.value, "organization_id": org_base + n, "locale": "tr",
                "notification_mode": "off", "active": True, "session_epoch": 0,
                "consent_version": CONSENT_VERSION, "consented_at": start, "created_at": start,
            })  # fmt: skip
    for k, (email, role) in enumerate(
        ((MODERATOR_EMAIL, Role.moderator), (ORGANIZER_EMAIL, Role.organizer))
    ):
        users.append({
            "id": user_base + 2 * scale.organizations + k, "email": email,
            "name": f"{role.value.title()} (bench)", "password_hash": password_hash,
            "role": role.value, "organization_id": None, "locale": "tr",
            "notification_mode": "off", "active": True, "session_epoch": 0,
            "consent_version": CONSENT_VERSION, "consented_at": start, "created_at": start,
        })  # fmt: skip
    for tick in _chunks(len(orgs) + len(users), "people"):
        _insert(Organization.__table__, orgs, tick)
        _insert(User.__table__, users, tick)

    proposal_base = _next_id(Proposal)
    proposals, links, partners = [], [], []
    partnership_id = _next_id(Partnership)
    for n in range(scale.proposals):
        title, summary, description = phrases[n % len(phrases)]
        title = f"{title} ({PROVINCES[n % len(PROVINCES)]} {n + 1})"[:120]
        org_index = n % scale.organizations
        pid = proposal_base + n
        submitted = start + timedelta(minutes=n)
        proposals.append({
            "id": pid, "campaign_id": campaign.id, "organization_id": org_base + org_index,
            "created_by_id": user_base + 2 * org_index, "title": title, "summary": summary,
            "description": description, "activity_type": ActivityType.workshop.value,
            "target_group": "Kadınlar", "district": "", "state": ProposalState.accepted.value,
            "search_text": fold(f"{title} {summary} {description}"),
            "withdrawn_reason": "", "created_at": submitted, "updated_at": submitted,
            "submitted_at": submitted,
        })  # fmt: skip
        if n % 10:  # one in ten waits unthemed for the moderators
            for theme_id in rng.sample(theme_ids, 1 + (n % 7 == 0)):
                links.append({"proposal_id": pid, "theme_id": theme_id})
        if n % 3 == 0:
            partner = org_base + (org_index + 1 + rng.randrange(scale.organizations - 1)) % (
                scale.organizations
            )
            partners.append({
                "id": partnership_id, "proposal_id": pid, "organization_id": partner,
                "state": PartnershipState.confirmed.value, "requested_at": submitted,
                "decided_at": submitted,
            })  # fmt: skip
            partnership_id += 1
    for tick in _chunks(len(proposals) + len(links) + len(partners), "proposals"):
        _insert(Proposal.__table__, proposals, tick)
        _insert(proposal_themes, links, tick)
        _insert(Partnership.__table__, partners, tick)

    # Every organisation uses its whole ballot on proposals that are neither its own nor
    # partnered (organisation n authors proposals n, n + orgs, …, so skipping those is cheap).
    partnered = {(p["organization_id"], p["proposal_id"]) for p in partners}
    ballot_base, vote_base, log_base = _next_id(Ballot), _next_id(Vote), _next_id(VoteLogEntry)
    ballots, votes, log = [], [], []
    voting_start = campaign.voting_opens_at
    for n in range(scale.organizations):
        org_id, bid = org_base + n, ballot_base + n
        ballots.append({"id": bid, "campaign_id": campaign.id, "organization_id": org_id,
                        "budget": scale.budget, "used": scale.budget,
                        "created_at": voting_start})  # fmt: skip
        chosen: set[int] = set()
        while len(chosen) < scale.budget:
            index = rng.randrange(scale.proposals)
            pid = proposal_base + index
            if index % scale.organizations == n or (org_id, pid) in partnered:
                continue
            chosen.add(pid)
        for pid in sorted(chosen):
            at = voting_start + timedelta(seconds=len(votes))
            votes.append({"id": vote_base + len(votes), "ballot_id": bid, "proposal_id": pid,
                          "organization_id": org_id, "points": 1,
                          "cast_by_id": user_base + 2 * n + 1, "cast_at": at})  # fmt: skip
            log.append({"id": log_base + len(log), "campaign_id": campaign.id,
                        "organization_id": org_id, "proposal_id": pid,
                        "user_id": user_base + 2 * n + 1, "action": VoteAction.give.value,
                        "delta": 1, "created_at": at})  # fmt: skip
    for tick in _chunks(len(ballots) + len(votes) + len(log), "ballots"):
        _insert(Ballot.__table__, ballots, tick)
        _insert(Vote.__table__, votes, tick)
        _insert(VoteLogEntry.__table__, log, tick)

    # Comments: the first proposal has a long discussion (the "200 comments" page of the
    # benchmarks); the rest are spread at random.
    comment_base = _next_id(Comment)
    with click.progressbar(length=scale.comments, label="comments".ljust(14), show_pos=True) as bar:
        for start_at in range(0, scale.comments, BATCH):
            rows = []
            for n in range(start_at, min(start_at + BATCH, scale.comments)):
                index = 0 if n < 200 else rng.randrange(scale.proposals)
                org_index = rng.randrange(scale.organizations)
                rows.append({
                    "id": comment_base + n, "proposal_id": proposal_base + index,
                    "author_id": user_base + 2 * org_index, "organization_id": org_base + org_index,
                    "kind": (CommentKind.support if n % 5 == 0 else CommentKind.comment).value,
                    "body": COMMENT_BODIES[n % len(COMMENT_BODIES)],
                    "created_at": start + timedelta(seconds=n),
                })  # fmt: skip
            db.session.execute(insert(Comment.__table__), rows)
            bar.update(len(rows))

    # The counters the discussion keeps on each proposal (discussion.refresh_counts).
    alive = (Comment.proposal_id == Proposal.id) & Comment.deleted_at.is_(None)
    db.session.execute(
        update(Proposal)
        .where(Proposal.campaign_id == campaign.id)
        .values(
            comment_count=select(func.count(Comment.id)).where(alive).scalar_subquery(),
            support_count=select(func.count(func.distinct(Comment.organization_id)))
            .where(alive, Comment.kind == CommentKind.support)
            .scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )
    _fix_sequences(["organizations", "users", "proposals", "partnerships", "ballots", "votes",
                    "vote_log", "comments"])  # fmt: skip
    return campaign


@click.command("bench-data")
@click.option("--orgs", "organizations", default=Scale.organizations, show_default=True)
@click.option("--proposals", default=Scale.proposals, show_default=True)
@click.option("--comments", default=Scale.comments, show_default=True)
@click.option("--budget", default=Scale.budget, show_default=True, help="Votes per organisation.")
@click.option("--seed", default=Scale.seed, show_default=True)
def bench_data(organizations: int, proposals: int, comments: int, budget: int, seed: int) -> None:
    """Build the national-scale benchmark campaign (refuses if it exists already)."""
    from auth.passwords import hash_password
    from proposals.demo import DEMO_PASSWORD
    from web import clock

    if db.session.scalar(select(Campaign.id).where(Campaign.slug == BENCH_SLUG)):
        raise click.ClickException(f"Campaign {BENCH_SLUG!r} exists; use a fresh database.")
    if organizations < 2 or proposals < budget + 2:
        raise click.ClickException("Need at least 2 organisations and budget + 2 proposals.")
    scale = Scale(organizations, proposals, comments, budget, seed)
    started = datetime.now()
    campaign = build(scale, clock(), hash_password(DEMO_PASSWORD))
    db.session.commit()
    # Fresh planner statistics, as autovacuum would give a while after a bulk load.
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    seconds = (datetime.now() - started).total_seconds()
    click.echo(
        f"Campaign {campaign.slug}: {organizations} organisations, {2 * organizations} "
        f"representatives, {proposals} proposals, {organizations * budget} votes, "
        f"{comments} comments in {seconds:.0f} s. Sign in as temsilci1.1@ulusal.example "
        f"(password {DEMO_PASSWORD})."
    )
