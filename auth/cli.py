"""Commands for operators and cron jobs."""

from __future__ import annotations

import click
from flask import Flask

from auth.invitations import CONSENT_VERSION, email_registered, normalise_email
from auth.mail import deliver_pending, transport_from_config
from auth.models import Role, User, utcnow
from auth.passwords import password_problem
from extensions import db


@click.command("create-organizer")
@click.argument("email")
@click.option("--name", default="", help="Display name (defaults to the address).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given.",
)
def create_organizer(email: str, name: str, password: str) -> None:
    """Create the first organiser, who then invites everyone else."""
    email = normalise_email(email)
    if email_registered(email):
        raise click.ClickException(f"{email} already has an account.")
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise click.ClickException(problem)
    now = utcnow()
    user = User(
        email=email,
        name=name or email.split("@")[0],
        role=Role.organizer,
        # The operator creating this account acts for the municipality; the notice is
        # shown at the first sign-in through the account page.
        consent_version=CONSENT_VERSION,
        consented_at=now,
        created_at=now,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Organiser {email} created.")


@click.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="Most messages in one run.")
def send_mail(limit: int) -> None:
    """Deliver due mail from the outbox (run every minute from cron or a worker)."""
    report = deliver_pending(transport_from_config(), limit=limit)
    click.echo(f"sent {report.sent}, will retry {report.retried}, failed {report.failed}")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_organizer)
    app.cli.add_command(send_mail)
