"""Commands for the vote's integrity and its reminders (registered by ``proposals.cli``).

Operator output, in English like the other commands.
"""

from __future__ import annotations

import shutil

import click
from flask_babel import force_locale
from sqlalchemy import select

from extensions import db
from proposals import exports, ranking, reminders, results, voting
from proposals.models import Campaign, Proposal
from web import clock


@click.command("audit-votes")
@click.argument("slug")
def audit_votes(slug: str) -> None:
    """Recompute every tally of CAMPAIGN_SLUG from the vote log and compare with the stored votes.

    Exits with status 1 when any tally or ballot differs.
    """
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise click.BadParameter(f"no campaign with the slug {slug!r}", param_hint="SLUG")
    report = voting.audit(campaign)
    differences = report.differences
    rows = results.shortlist(campaign)  # the same ranking as the page and the exports
    listed = {row.entry.proposal_id for row in rows}
    others = sorted((set(report.from_log) | set(report.stored)) - listed)
    titles: dict[int, str] = dict(
        db.session.execute(select(Proposal.id, Proposal.title).where(Proposal.id.in_(others))).all()
    )
    click.echo(f"Campaign {campaign.slug}: tallies from the vote log against the stored votes")
    click.echo(f"{'rank':>5} {'id':>7} {'log':>6} {'stored':>6}  {'':4} title")
    lines = [(str(row.rank), row.entry.proposal_id, row.entry.title) for row in rows]
    lines += [("-", pid, titles.get(pid, "")) for pid in others]
    for rank, pid, title in lines:
        logged, stored = report.from_log.get(pid, 0), report.stored.get(pid, 0)
        mark = "DIFF" if pid in differences else "ok"
        click.echo(f"{rank:>5} {pid:>7} {logged:>6} {stored:>6}  {mark:4} {title}")
    if not report.ballots_ok:
        click.echo("Ballots: the used budget of some ballot differs from its votes.")
    if report.ok:
        click.echo("All tallies match the vote log.")
        return
    click.echo(f"{len(differences)} tallies differ from the vote log.")
    raise SystemExit(1)


@click.command("shortlist")
@click.argument("slug")
@click.option(
    "--format", "fmt", type=click.Choice(exports.FORMATS), default="csv", show_default=True
)
@click.option("--top", type=click.IntRange(min=1), help="Only the proposals ranked N or better.")
@click.option(
    "--per-theme", type=click.IntRange(min=1), help="Only the best K proposals of each theme."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="The file to write (standard output when left out; required for xlsx).",
)
@click.option("--locale", type=click.Choice(["en", "tr"]), default="en", show_default=True)
def shortlist(
    slug: str, fmt: str, top: int | None, per_theme: int | None, output: str | None, locale: str
) -> None:
    """Export the ranked shortlist of CAMPAIGN_SLUG, as the results page's downloads do.

    With --per-theme the best K of each theme are kept (after --top, as on the results
    page), each proposal once and in the order of the overall ranking.
    """
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise click.BadParameter(f"no campaign with the slug {slug!r}", param_hint="SLUG")
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx writes a binary workbook: give a file with -o.")
    rows = results.shortlist(campaign)  # the same ranking as the page and the downloads
    if top:
        rows = ranking.top(rows, top)
    if per_theme:
        kept = {
            row.entry.proposal_id
            for theme_rows in ranking.top_per_theme(rows, per_theme).values()
            for row in theme_rows
        }
        rows = [row for row in rows if row.entry.proposal_id in kept]
    with force_locale(locale):
        if output is not None and fmt == "xlsx":
            workbook = exports.xlsx_file(exports.meeting_sheets(campaign, rows, locale))
            with workbook, open(output, "wb") as target:
                shutil.copyfileobj(workbook, target)
        else:
            header = exports.headers()
            body = exports.iter_rows(rows, locale)
            chunks = (
                exports.csv_chunks(header, body)
                if fmt == "csv"
                else exports.json_chunks(campaign, header, body, clock())
            )
            with click.open_file(output or "-", "wb") as target:
                for chunk in chunks:
                    target.write(chunk.encode("utf-8"))
    if output:
        click.echo(f"Shortlist of {campaign.slug}: {len(rows)} proposals written to {output}.",
                   err=True)  # fmt: skip


@click.command("send-reminders")
def send_reminders() -> None:
    """Remind, once, organisations with votes left in campaigns closing within 48 hours."""
    report = reminders.send_vote_reminders(clock())
    db.session.commit()
    click.echo(
        f"Campaigns closing within 48 hours: {len(report.campaigns)}. "
        f"Organisations reminded now: {report.organizations}. Mails queued: {report.mails}."
    )
