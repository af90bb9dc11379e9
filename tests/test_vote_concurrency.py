# ruff: noqa: F811 - the shared fixtures are imported from tests/voting_helpers.py
"""Voting under real concurrency, on PostgreSQL: many transactions at once, each in a thread
with its own application context, session and connection, as a threaded server runs them.

* 50 requests from one organisation's five representatives for 50 proposals, budget 3:
  exactly 3 votes land, 47 are told there are no votes left;
* 30 organisations voting at once: nothing lost;
* two representatives voting for the same proposal at the same instant: one vote;
* a vote given or taken back while the proposal leaves the vote: returned exactly once,
  never left on a withdrawn proposal.

"At once" is made two ways: a barrier releasing every thread together (whatever the
scheduler makes of it), and, where it matters, a gate: a row lock held by the test until
every thread is seen waiting for it in ``pg_stat_activity``, so that all of them have read
the same state before any of them writes — the worst case, every time.

SQLite serialises writers, so there is nothing to race there: these tests skip without
PostgreSQL, unless ``REQUIRE_POSTGRES=1`` (CI), where a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.pool import NullPool

from app import create_app
from auth.errors import DomainError
from auth.models import Organization, User
from extensions import db
from proposals import voting
from proposals.models import (
    Ballot,
    Campaign,
    Proposal,
    ProposalState,
    Vote,
    VoteAction,
    VoteLogEntry,
)
from tests.conftest import PASSWORD, PG_URL, Clock, _config
from tests.dom import parse
from tests.people_helpers import tr
from tests.voting_helpers import org_c, voting_campaign  # noqa: F401 - fixtures

# Each test opens up to 60 connections: CI runs this file on its own, after the rest of
# the PostgreSQL suite has run in parallel (.ci/run), so it never meets another worker.
pytestmark = pytest.mark.postgres_only

APPLICATION_NAME = "ortak-vote-concurrency"  # how our connections show in pg_stat_activity
POOL_SIZE = 60
WAIT_LIMIT = 30.0  # seconds: a thread not seen waiting by then is a failure, not a hang

NO_VOTES_LEFT = "Your organisation has no votes left."
COLLEAGUE = (
    "A colleague from your organisation changed this vote at the same moment. "
    "Please look again and retry."
)
NOT_VOTABLE = "This proposal is not in the vote."

T = TypeVar("T")


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if PG_URL.startswith("postgresql"):
        return
    reason = (
        "needs PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg://…): concurrent "
        "transactions and row locks; SQLite serialises writers, so nothing races there"
    )
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1, but this run has no PostgreSQL: {reason}")
    pytest.skip(reason)


# --- the server, the observer and the gate ----------------------------------------------------


@pytest.fixture
def observer() -> Iterator[Engine]:
    """Connections of the test's own, outside the server's pool: to watch and to hold locks."""
    engine = create_engine(PG_URL, poolclass=NullPool)
    yield engine
    engine.dispose()


def our_connections(observer: Engine) -> list[tuple[str, str | None]]:
    """(state, wait event type) of every connection the server has open."""
    with observer.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT state, wait_event_type FROM pg_stat_activity "
                "WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": APPLICATION_NAME},
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def waiting_for_locks(observer: Engine) -> int:
    return sum(1 for _state, wait in our_connections(observer) if wait == "Lock")


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll (every 10 ms, up to WAIT_LIMIT) for something other connections do."""
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


@pytest.fixture
def server(app: Flask, clock: Clock, observer: Engine) -> Iterator[Flask]:
    """The app as a threaded server runs it: the test's configuration and clock, a pool
    big enough for every thread (one connection each), and a name in pg_stat_activity."""
    with observer.connect() as conn:
        limit = int(conn.execute(text("SHOW max_connections")).scalar_one())
        in_use = conn.execute(text("SELECT count(*) FROM pg_stat_activity")).scalar_one()
    if limit - in_use < POOL_SIZE:
        pytest.fail(
            f"PostgreSQL allows {limit} connections and {in_use} are in use; "
            f"these tests need {POOL_SIZE} more (raise max_connections)"
        )
    config = {
        **_config(PG_URL, clock),
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_size": POOL_SIZE,
            "max_overflow": 0,
            "pool_pre_ping": True,
            "connect_args": {"application_name": APPLICATION_NAME},
        },
        # Every thread signs in from the same test "address"; the limits are not under test.
        "RATELIMIT_LOGIN_IP": "1000 per minute",
        "RATELIMIT_LOGIN_ACCOUNT": "1000 per minute",
    }
    threaded = create_app(config)
    yield threaded
    with threaded.app_context():
        checked_out = db.engine.pool.checkedout()
        lingering = [c for c in our_connections(observer) if c[0] != "idle"]
        db.engine.dispose()
    # Every session was closed: no connection is still out, none idle in a transaction
    # (which would hold locks and block the next test's TRUNCATE).
    assert checked_out == 0
    assert lingering == []
    # Disposed: the server closed them all (their backends exit a moment later).
    wait_until(lambda: our_connections(observer) == [], "the server's connections to close")


@contextmanager
def gate(observer: Engine, ballot_id: int) -> Iterator[Callable[[], None]]:
    """Hold the ballot's row FOR UPDATE, in a transaction of the test's own, until the
    function yielded is called (or the block ends): every vote on that ballot queues
    behind it, having read the ballot as it was before any of them wrote."""
    conn = observer.connect()
    transaction = conn.begin()
    conn.execute(select(Ballot.id).where(Ballot.id == ballot_id).with_for_update())

    def open_gate() -> None:
        if transaction.is_active:
            transaction.commit()

    try:
        yield open_gate
    finally:
        open_gate()
        conn.close()


def open_when(open_gate: Callable[[], None], condition: Callable[[], bool], what: str) -> None:
    """Open the gate once ``condition`` holds; open it anyway (so no thread hangs) if not."""
    try:
        wait_until(condition, what)
    finally:
        open_gate()


def together(
    tasks: list[Callable[[threading.Barrier], T]],
    then: Callable[[list[Future[T]]], None] | None = None,
) -> list[T]:
    """Run each task in a thread of its own: it prepares (signs in), waits at a barrier with
    all the others and the test, then acts. ``then`` runs in the test's thread once they
    are all released (to open a gate). The results come in the order of ``tasks``."""
    barrier = threading.Barrier(len(tasks) + 1, timeout=WAIT_LIMIT)

    def guarded(task: Callable[[threading.Barrier], T]) -> Callable[[], T]:
        def run() -> T:
            try:
                return task(barrier)
            except BaseException:
                barrier.abort()  # the others (and the test) stop waiting for this one
                raise

        return run

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(guarded(task)) for task in tasks]
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass  # a task failed while preparing: its own error is raised below
        else:
            if then is not None:
                then(futures)
        return [future.result(timeout=2 * WAIT_LIMIT) for future in futures]


# --- what a voter does, in a thread ---------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    ok: bool
    message: str  # what the person is told


def _set_points(user_id: int, proposal_id: int, points: int, now: datetime) -> Answer:
    """What the vote view does, in the current application context."""
    user = db.session.get(User, user_id)
    proposal = db.session.get(Proposal, proposal_id)
    assert user is not None and proposal is not None
    try:
        remaining = voting.set_points(proposal, user, points, now)
    except DomainError as error:
        db.session.rollback()
        return Answer(False, error.message)
    db.session.commit()
    return Answer(True, f"{remaining} left")


def voter(
    server: Flask,
    via: str,
    user: User,
    proposals: list[Proposal],
    now: datetime,
    points: int = 1,
) -> Callable[[threading.Barrier], list[Answer]]:
    """A task: ``user`` gives ``points`` to each of ``proposals`` in turn, one request (one
    transaction) each, over HTTP with a test client of its own or through the workflow."""
    email, user_id = user.email, user.id  # read here: the objects belong to the test's session
    proposal_ids = [p.id for p in proposals]

    def over_http(start: threading.Barrier) -> list[Answer]:
        client = server.test_client()
        signed_in = client.post("/login", data={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 303, signed_in.status_code
        start.wait()
        answers = []
        for proposal_id in proposal_ids:
            response = client.post(
                f"/proposals/{proposal_id}/vote",
                data={"points": str(points)},
                headers={"HX-Request": "true", "HX-Target": f"vote-panel-{proposal_id}"},
            )
            assert response.status_code == 200, response.status_code
            status = parse(response.get_data(as_text=True)).one("p", role="status")
            refused = "vote-refused" in (status.attrs.get("class") or "")
            answers.append(Answer(not refused, status.text))
        return answers

    def through_workflow(start: threading.Barrier) -> list[Answer]:
        start.wait()
        answers = []
        for proposal_id in proposal_ids:
            with server.app_context():  # one per request, as the server pushes it
                try:
                    answers.append(_set_points(user_id, proposal_id, points, now))
                finally:
                    db.session.remove()
        return answers

    return {"http": over_http, "workflow": through_workflow}[via]


def withdraw_and_release(
    server: Flask,
    proposal_id: int,
    actor_id: int,
    now: datetime,
    hold: tuple[threading.Event, threading.Event] | None = None,
) -> list[int]:
    """A moderator's transaction: the proposal leaves the vote and its votes go back.
    With ``hold`` = (ready, go), it signals ``ready`` before committing and waits for ``go``."""
    with server.app_context():
        try:
            proposal = db.session.get(Proposal, proposal_id)
            actor = db.session.get(User, actor_id)
            assert proposal is not None
            proposal.state = ProposalState.withdrawn
            returned = voting.release_votes(proposal, now, actor)
            if hold is not None:
                ready, go = hold
                ready.set()
                assert go.wait(WAIT_LIMIT), "never told to commit"
            db.session.commit()
            return returned
        finally:
            db.session.remove()


def run_alone(task: Callable[[threading.Barrier], T]) -> Callable[[], T]:
    return lambda: task(threading.Barrier(1))


# --- data ----------------------------------------------------------------------------------


def proposals_of(campaign: Campaign, organization: Organization, n: int) -> list[Proposal]:
    proposals = [
        Proposal(
            campaign=campaign,
            organization=organization,
            title=f"Öneri {i}",
            summary="Özet",
            description="Açıklama",
            state=ProposalState.submitted,
            search_text=f"öneri {i}",
            submitted_at=campaign.voting_opens_at,
        )
        for i in range(n)
    ]
    db.session.add_all(proposals)
    db.session.commit()
    return proposals


def vote_now(proposal: Proposal, user: User, now: datetime, points: int = 1) -> None:
    voting.set_points(proposal, user, points, now)
    db.session.commit()


def ballot_of(campaign: Campaign, organization: Organization) -> Ballot:
    db.session.expire_all()
    ballot = db.session.scalar(
        select(Ballot).where(
            Ballot.campaign_id == campaign.id, Ballot.organization_id == organization.id
        )
    )
    assert ballot is not None
    return ballot


def votes_on(proposal: Proposal) -> list[Vote]:
    db.session.expire_all()
    return list(db.session.scalars(select(Vote).where(Vote.proposal_id == proposal.id)))


def assert_consistent(campaign: Campaign) -> None:
    """Every ballot within budget and equal to its votes; the tallies equal to the log."""
    db.session.expire_all()
    by_ballot = dict(
        db.session.execute(
            select(Vote.ballot_id, func.sum(Vote.points)).group_by(Vote.ballot_id)
        ).all()
    )
    for ballot in db.session.scalars(select(Ballot).where(Ballot.campaign_id == campaign.id)):
        assert 0 <= ballot.used <= ballot.budget, ballot
        assert ballot.used == (by_ballot.get(ballot.id) or 0), ballot
    report = voting.audit(campaign)
    assert report.ok, (report.differences, report.ballots_ok)


# --- the set-up itself ------------------------------------------------------------------------


def test_each_thread_has_its_own_session_and_connection(server: Flask) -> None:
    """Flask-SQLAlchemy 3 scopes ``db.session`` to the application context: threads that
    push their own contexts get their own sessions, hence their own transactions."""

    def task(start: threading.Barrier) -> tuple[int, int]:
        with server.app_context():
            try:
                backend = db.session.scalar(text("SELECT pg_backend_pid()"))
                start.wait()  # both hold their connection at the same time
                return id(db.session()), int(backend or 0)
            finally:
                db.session.remove()

    (session_1, backend_1), (session_2, backend_2) = together([task, task])
    assert session_1 != session_2
    assert backend_1 != backend_2


# --- one organisation, fifty requests ---------------------------------------------------------


@pytest.mark.parametrize("via", ["http", "workflow"])
@pytest.mark.parametrize("start", ["barrier", "gate"])
def test_fifty_requests_from_one_organisation_land_exactly_its_budget(
    server: Flask,
    observer: Engine,
    voting_campaign: Callable[..., Campaign],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
    via: str,
    start: str,
) -> None:
    """Five representatives of one organisation click "vote" on fifty proposals at once.
    barrier: nobody has voted yet, so the first votes also race to create the ballot.
    gate: the ballot exists and all fifty have read "3 votes left" before any writes."""
    campaign = voting_campaign(votes_per_organization=3)
    reps = [rep_b, *(make_user(organization=org_b) for _ in range(4))]
    proposals = proposals_of(campaign, org_a, 50)
    tasks = [voter(server, via, reps[i % 5], [p], clock.now) for i, p in enumerate(proposals)]
    if start == "barrier":
        results = together(tasks)
    else:
        ballot = Ballot(campaign_id=campaign.id, organization_id=org_b.id, budget=3, used=0)
        db.session.add(ballot)
        db.session.commit()
        with gate(observer, ballot.id) as open_gate:
            results = together(
                tasks,
                then=lambda futures: open_when(
                    open_gate,
                    lambda: waiting_for_locks(observer) >= 50 or any(f.done() for f in futures),
                    "fifty votes queued on the ballot",
                ),
            )
    answers = [answer for (answer,) in results]
    assert sum(a.ok for a in answers) == 3, answers
    assert Counter(a.message for a in answers if not a.ok) == {tr(NO_VOTES_LEFT): 47}
    assert ballot_of(campaign, org_b).used == 3
    votes = db.session.scalars(select(Vote).where(Vote.organization_id == org_b.id)).all()
    assert len(votes) == len({v.proposal_id for v in votes}) == 3
    assert {v.cast_by_id for v in votes} <= {r.id for r in reps}
    log = db.session.execute(select(VoteLogEntry.action, VoteLogEntry.delta)).all()
    assert log == [(VoteAction.give, 1)] * 3
    assert_consistent(campaign)


# --- thirty organisations at once -------------------------------------------------------------


@pytest.mark.parametrize("via", ["http", "workflow"])
def test_thirty_organisations_voting_at_once_lose_nothing(
    server: Flask,
    voting_campaign: Callable[..., Campaign],
    make_org: Callable[..., Organization],
    make_user: Callable[..., User],
    org_a: Organization,
    clock: Clock,
    via: str,
) -> None:
    """Each organisation gives its three votes to three of four proposals: every proposal
    takes votes from twenty-odd organisations at the same time."""
    campaign = voting_campaign(votes_per_organization=3)
    proposals = proposals_of(campaign, org_a, 4)
    voters = [make_user(organization=make_org()) for _ in range(30)]
    choices = [[p for j, p in enumerate(proposals) if j != i % 4] for i in range(30)]
    results = together(
        [voter(server, via, person, chosen, clock.now) for person, chosen in
         zip(voters, choices, strict=True)]
    )  # fmt: skip
    assert all(answer.ok for answers in results for answer in answers), results
    expected = Counter(p.id for chosen in choices for p in chosen)
    db.session.expire_all()
    tallies = voting.tallies(campaign)
    assert {pid: t.points for pid, t in tallies.items()} == expected
    assert {pid: t.supporters for pid, t in tallies.items()} == expected
    ballots = db.session.scalars(select(Ballot).where(Ballot.campaign_id == campaign.id)).all()
    assert len(ballots) == 30
    assert all(b.used == 3 for b in ballots)
    assert db.session.scalar(select(func.count(VoteLogEntry.id))) == 90
    assert_consistent(campaign)


# --- two colleagues, one proposal, one instant ------------------------------------------------


@pytest.mark.parametrize("via", ["http", "workflow"])
@pytest.mark.parametrize("start", ["barrier", "gate"])
def test_two_colleagues_voting_for_the_same_proposal_at_once_make_one_vote(
    server: Flask,
    observer: Engine,
    voting_campaign: Callable[..., Campaign],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    clock: Clock,
    via: str,
    start: str,
) -> None:
    campaign = voting_campaign(votes_per_organization=3)
    colleague = make_user(organization=org_b)
    earlier, contested = proposals_of(campaign, org_a, 2)
    vote_now(earlier, rep_b, clock.now)  # the ballot exists (1 of 3 used): the gate holds it
    tasks = [voter(server, via, person, [contested], clock.now) for person in (rep_b, colleague)]
    if start == "barrier":
        results = together(tasks)
    else:
        with gate(observer, ballot_of(campaign, org_b).id) as open_gate:
            results = together(
                tasks,
                then=lambda futures: open_when(
                    open_gate,
                    lambda: waiting_for_locks(observer) >= 2 or any(f.done() for f in futures),
                    "both votes queued on the ballot",
                ),
            )
    answers = [answer for (answer,) in results]
    (vote,) = votes_on(contested)
    assert vote.cast_by_id in (rep_b.id, colleague.id)
    assert ballot_of(campaign, org_b).used == 2
    contested_log = db.session.scalars(
        select(VoteLogEntry.delta).where(VoteLogEntry.proposal_id == contested.id)
    ).all()
    assert contested_log == [1]
    assert_consistent(campaign)
    refused = [a.message for a in answers if not a.ok]
    if start == "gate":
        # Both read "not voted yet"; the second one's insert meets the first one's vote.
        assert refused == [tr(COLLEAGUE)], answers
    else:
        # Either the same, or the second came late enough to see the first vote: no change
        # (and it is told the organisation's vote is there).
        assert refused in ([], [tr(COLLEAGUE)]), answers


# --- votes changing while their proposal leaves the vote --------------------------------------


@pytest.mark.parametrize("via", ["http", "workflow"])
def test_a_vote_taken_back_while_its_proposal_leaves_the_vote_is_returned_once(
    server: Flask,
    observer: Engine,
    voting_campaign: Callable[..., Campaign],
    make_user: Callable[..., User],
    org_a: Organization,
    org_b: Organization,
    org_c: Organization,
    rep_b: User,
    moderator: User,
    clock: Clock,
    via: str,
) -> None:
    """A representative takes back a vote just as a moderator withdraws the proposal: the
    point must go back to the ballot once, not once for each of them."""
    campaign = voting_campaign(votes_per_organization=3)
    rep_c = make_user(organization=org_c)
    leaving, staying = proposals_of(campaign, org_a, 2)
    for person, proposal in ((rep_b, leaving), (rep_b, staying), (rep_c, leaving)):
        vote_now(proposal, person, clock.now)
    ballot_id = ballot_of(campaign, org_b).id
    with ThreadPoolExecutor(max_workers=2) as pool, gate(observer, ballot_id) as open_gate:
        take_back = pool.submit(
            run_alone(voter(server, via, rep_b, [leaving], clock.now, points=0))
        )
        wait_until(lambda: waiting_for_locks(observer) >= 1, "the take-back queued")
        release = pool.submit(withdraw_and_release, server, leaving.id, moderator.id, clock.now)
        open_when(
            open_gate,
            lambda: waiting_for_locks(observer) >= 2 or release.done(),
            "the withdrawal queued",
        )
        (answer,) = take_back.result(timeout=2 * WAIT_LIMIT)
        returned = release.result(timeout=2 * WAIT_LIMIT)
    assert answer.ok, answer
    assert returned == [org_c.id]  # org_b's point was already back
    assert votes_on(leaving) == []
    assert ballot_of(campaign, org_b).used == 1
    assert ballot_of(campaign, org_c).used == 0
    assert_consistent(campaign)


@pytest.mark.parametrize("via", ["http", "workflow"])
@pytest.mark.parametrize("first", ["vote", "withdrawal"])
def test_a_vote_given_while_its_proposal_leaves_the_vote_is_returned_or_refused(
    server: Flask,
    observer: Engine,
    voting_campaign: Callable[..., Campaign],
    org_a: Organization,
    org_b: Organization,
    rep_b: User,
    moderator: User,
    clock: Clock,
    via: str,
    first: str,
) -> None:
    """No vote may stay on a withdrawn proposal: a vote that got in first is returned by the
    withdrawal; one that comes while the withdrawal is being committed is refused."""
    campaign = voting_campaign(votes_per_organization=3)
    leaving, staying = proposals_of(campaign, org_a, 2)
    vote_now(staying, rep_b, clock.now)  # the ballot exists: the gate can hold it
    give = voter(server, via, rep_b, [leaving], clock.now)
    with ThreadPoolExecutor(max_workers=2) as pool:
        if first == "vote":
            with gate(observer, ballot_of(campaign, org_b).id) as open_gate:
                vote = pool.submit(run_alone(give))
                wait_until(lambda: waiting_for_locks(observer) >= 1, "the vote queued")
                release = pool.submit(
                    withdraw_and_release, server, leaving.id, moderator.id, clock.now
                )
                open_when(
                    open_gate,
                    lambda: waiting_for_locks(observer) >= 2 or release.done(),
                    "the withdrawal queued",
                )
        else:
            ready, go = threading.Event(), threading.Event()
            release = pool.submit(
                withdraw_and_release, server, leaving.id, moderator.id, clock.now, (ready, go)
            )
            try:
                assert ready.wait(WAIT_LIMIT), "the withdrawal never got ready"
                vote = pool.submit(run_alone(give))
                wait_until(
                    lambda: waiting_for_locks(observer) >= 1 or vote.done(), "the vote queued"
                )
            finally:
                go.set()
        (answer,) = vote.result(timeout=2 * WAIT_LIMIT)
        returned = release.result(timeout=2 * WAIT_LIMIT)
    assert votes_on(leaving) == []
    assert ballot_of(campaign, org_b).used == 1
    assert_consistent(campaign)
    if first == "vote":
        assert answer.ok, answer
        assert returned == [org_b.id]
    else:
        assert answer == Answer(False, tr(NOT_VOTABLE)), answer
        assert returned == []
