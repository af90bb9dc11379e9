"""Server time and SQL statements of the key requests at national scale.

Run against a database filled by ``flask --app app bench-data`` (see bench/RESULTS.md):

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/bench_requests.py --runs 30

It drives the app in-process through Flask's test client (no network, no gunicorn), so
the figures are the application's own time: routing, queries, templates. Timing never
goes into the test suite; the statement counts here are guarded there at small scale.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from app import create_app
from auth import sessions
from auth.models import User
from extensions import db
from proposals.bench_data import BENCH_SLUG, MODERATOR_EMAIL, ORGANIZER_EMAIL
from proposals.models import Campaign, Comment, Proposal, Theme, Vote


@dataclass
class Result:
    name: str
    times_ms: list[float]
    statements: int
    status: int

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


def sign_in(app: Flask, email: str) -> FlaskClient:
    """A client with a signed-in session, made the way Flask-Login reads it.

    The benchmark measures pages, not the password hash (deliberately slow) or the
    second factor; both are exercised by the load test and the test suite.
    """
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None, f"{email} missing: run bench-data first"  # noqa: S101
        session_id = user.get_id()
    now = int(time.time())
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
        session[sessions.LOGIN_AT] = session[sessions.SEEN_AT] = now
    return client


def measure(
    name: str, request: Callable[[], object], counter: Counter, runs: int, warmup: int = 2
) -> Result:
    status = 0
    for _ in range(warmup):
        response = request()
        if hasattr(response, "get_data"):
            response.get_data()
        status = getattr(response, "status_code", 0)
    times, statements = [], 0
    for _ in range(runs):
        counter.count = 0
        started = time.perf_counter()
        response = request()
        if hasattr(response, "get_data"):
            response.get_data()  # a streamed export is timed to its last byte
        times.append((time.perf_counter() - started) * 1000)
        statements = counter.count
        status = getattr(response, "status_code", 0)
    return Result(name, times, statements, status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--export-runs", type=int, default=5)
    args = parser.parse_args()

    # The staff accounts of bench-data have no second factor: the pages are measured here,
    # sign-in is measured by the load test.
    app = create_app(
        {"RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "TWO_FACTOR_REQUIRED_ROLES": ()}
    )
    counter = Counter()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == BENCH_SLUG))
        assert campaign is not None, "run `flask --app app bench-data` first"  # noqa: S101
        theme_id = db.session.scalar(select(Theme.id).where(Theme.campaign_id == campaign.id))
        discussed = db.session.scalar(
            select(Comment.proposal_id)
            .group_by(Comment.proposal_id)
            .order_by(db.func.count().desc())
            .limit(1)
        )
        voter = db.session.scalar(select(User).where(User.email == "temsilci1.1@ulusal.example"))
        assert voter is not None  # noqa: S101
        voted = db.session.scalar(
            select(Vote.proposal_id).where(Vote.organization_id == voter.organization_id).limit(1)
        )
        total = db.session.scalar(select(db.func.count(Proposal.id))) or 0
        comments = db.session.scalar(select(db.func.count(Comment.id))) or 0
    participant = sign_in(app, "temsilci1.1@ulusal.example")
    moderator = sign_in(app, MODERATOR_EMAIL)
    organizer = sign_in(app, ORGANIZER_EMAIL)
    anonymous = app.test_client()
    slug = BENCH_SLUG

    def vote_round_trip() -> object:
        taken = participant.post(f"/proposals/{voted}/vote", data={"points": "0"})
        given = participant.post(f"/proposals/{voted}/vote", data={"points": "1"})
        assert taken.status_code == given.status_code == 303, (taken.status, given.status)  # noqa: S101
        return given

    scenarios: list[tuple[str, Callable[[], object], int]] = [
        ("Campaign list, page 1 (anonymous)", lambda: anonymous.get(f"/campaigns/{slug}"),
         args.runs),
        ("Campaign list, page 1 (signed in)", lambda: participant.get(f"/campaigns/{slug}"),
         args.runs),
        ("Campaign list, theme filter", lambda: participant.get(
            f"/campaigns/{slug}?theme={theme_id}"), args.runs),
        ("Campaign list, search", lambda: participant.get(f"/campaigns/{slug}?q=atölye"),
         args.runs),
        ("Campaign list, most discussed", lambda: participant.get(
            f"/campaigns/{slug}?sort=discussed"), args.runs),
        ("Proposal page, 200 comments", lambda: participant.get(f"/proposals/{discussed}"),
         args.runs),
        ("Vote taken back and given again (2 POSTs)", vote_round_trip, args.runs),
        ("Theme board (moderator)", lambda: moderator.get(f"/campaigns/{slug}/board"),
         args.runs),
        ("Results page (organiser)", lambda: organizer.get(f"/campaigns/{slug}/results"),
         args.runs),
        ("Shortlist export, CSV (all proposals)", lambda: organizer.get(
            f"/campaigns/{slug}/results.csv"), args.export_runs),
        ("Shortlist export, XLSX (all proposals)", lambda: organizer.get(
            f"/campaigns/{slug}/results.xlsx"), args.export_runs),
    ]  # fmt: skip
    results = []
    for name, request, runs in scenarios:
        result = measure(name, request, counter, runs)
        results.append(result)
        print(
            f"{result.name:<45} {result.status:>3}  median {result.median:8.1f} ms  "
            f"p95 {result.p95:8.1f} ms  {result.statements:3d} statements",
            flush=True,
        )

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    print()
    print(f"### {database}: {total:,} proposals, {comments:,} comments")
    print()
    runs = f"{args.runs} runs per page ({args.export_runs} per export), 2 warm-up runs"
    print(f"Machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}; {runs}.")
    print()
    print("| Request | Status | Median (ms) | p95 (ms) | SQL statements |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r.name} | {r.status} | {r.median:.1f} | {r.p95:.1f} | {r.statements} |")
    bad = [r.name for r in results if r.status >= 400]
    if bad:
        print(f"\nFailed requests: {', '.join(bad)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
