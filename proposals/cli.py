"""Commands for the campaign side."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from auth.accounts import user_by_email
from auth.models import User
from auth.passwords import hash_password
from extensions import db
from proposals import bench_data, notifications, results_cli
from proposals.demo import DEMO_PASSWORD, demo_logins, load_demo
from web import clock


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has people already.")
def demo_data(if_empty: bool) -> None:
    """Load the 25 Kasım demo consultation (safe to run again: nothing is duplicated)."""
    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("The database has data already; demo data not loaded.")
    else:
        report = load_demo(clock(), hash_password(DEMO_PASSWORD))
        db.session.commit()
        click.echo(
            f"Demo data: {report.created_organizations} organisations, {report.created_users} "
            f"people and {report.created_campaigns} campaigns added."
        )
    logins = [row for row in demo_logins() if user_by_email(row[1]) is not None]
    if not logins:
        return
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email, organization in logins:
        suffix = f"  ({organization})" if organization else ""
        click.echo(f"  {role:<12} {email}{suffix}")


@click.command("send-digests")
def send_digests() -> None:
    """Mail each daily-digest reader one summary of what they have not been mailed yet."""
    count = notifications.send_digests(clock())
    db.session.commit()
    click.echo(f"Digests queued: {count}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_data)
    app.cli.add_command(send_digests)
    app.cli.add_command(bench_data.bench_data)
    app.cli.add_command(results_cli.audit_votes)
    app.cli.add_command(results_cli.shortlist)
    app.cli.add_command(results_cli.send_reminders)
