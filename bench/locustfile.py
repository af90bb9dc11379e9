"""The voting-deadline profile: NGO representatives sign in, browse, read and vote.

Run by bench/loadtest.sh (which starts the servers); by hand:

    .venv/bin/locust -f bench/locustfile.py --headless -u 200 -r 20 -t 60s \\
        --host http://127.0.0.1:8001 OrtakVoter

``ORTAK_HOSTS`` (comma-separated) spreads the users over several app servers: each
user sticks to one, alternating, as a proxy with round-robin would send them.
``BareEndpoint`` hits ``bench/bare_app.py``: the framework's ceiling on this machine.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import threading

from locust import FastHttpUser, between, constant, task

SLUG = os.environ.get("BENCH_SLUG", "ulusal-olcek")
PASSWORD = os.environ.get("BENCH_PASSWORD", "ortak-demo-2026")
ORGANIZATIONS = int(os.environ.get("BENCH_ORGS", "5000"))
HOSTS = [h for h in os.environ.get("ORTAK_HOSTS", "").split(",") if h]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PROPOSAL_LINK = re.compile(r'href="/proposals/(\d+)"')
_next_user = itertools.count(1)
_lock = threading.Lock()


class OrtakVoter(FastHttpUser):
    """One representative of one organisation (organisation n, representative 1 or 2)."""

    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        with _lock:
            n = next(_next_user)
        if HOSTS:
            self.host = HOSTS[n % len(HOSTS)]
            self.client.base_url = self.host
        organization = (n - 1) % ORGANIZATIONS + 1
        representative = 1 + ((n - 1) // ORGANIZATIONS) % 2
        self.email = f"temsilci{representative}.{organization}@ulusal.example"
        page = self.client.get("/login", name="/login").text
        token = CSRF.search(page).group(1)
        with self.client.post(
            "/login",
            data={"email": self.email, "password": PASSWORD, "csrf_token": token},
            name="/login [POST]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in (302, 303):
                response.failure(f"login answered {response.status_code}")
        self.token = CSRF.search(self.client.get("/", name="/").text).group(1)
        self.proposals: list[str] = []

    @task(5)
    def browse_list(self) -> None:
        page = self.client.get(f"/campaigns/{SLUG}", name="/campaigns/[slug]").text
        self.proposals = PROPOSAL_LINK.findall(page) or self.proposals

    @task(2)
    def browse_next_page(self) -> None:
        self.client.get(f"/campaigns/{SLUG}?page={random.randint(2, 50)}",
                        name="/campaigns/[slug]?page=n")  # fmt: skip

    @task(4)
    def read_proposal(self) -> None:
        if self.proposals:
            self.client.get(f"/proposals/{random.choice(self.proposals)}",
                            name="/proposals/[id]")  # fmt: skip

    @task(2)
    def change_vote(self) -> None:
        """Take back one vote of the (full) ballot and give it to a proposal just read."""
        ballot = self.client.get(f"/campaigns/{SLUG}/ballot", name="/campaigns/[slug]/ballot")
        voted = PROPOSAL_LINK.findall(ballot.text)
        if not voted or not self.proposals:
            return
        headers = {"X-CSRFToken": self.token}
        taken = random.choice(voted)
        self.client.post(f"/proposals/{taken}/vote", data={"points": "0"}, headers=headers,
                         name="/proposals/[id]/vote", allow_redirects=False)  # fmt: skip
        target = random.choice([p for p in self.proposals if p not in voted] or [taken])
        with self.client.post(
            f"/proposals/{target}/vote", data={"points": "1"}, headers=headers,
            name="/proposals/[id]/vote", allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            # A refusal (own proposal, a colleague's vote meanwhile) is an answer, not an error.
            if response.status_code in (303, 409):
                response.success()


class BareEndpoint(FastHttpUser):
    """The same load on one trivial query through Flask and Flask-SQLAlchemy."""

    wait_time = between(0.5, 2)

    @task
    def bare(self) -> None:
        self.client.get("/bare", name="/bare")


class ListPageFlatOut(FastHttpUser):
    """Saturation: anonymous visitors reading the campaign list, no pause between requests."""

    wait_time = constant(0)

    @task
    def list_page(self) -> None:
        self.client.get(f"/campaigns/{SLUG}", name="/campaigns/[slug] (flat out)")


class BareFlatOut(FastHttpUser):
    """Saturation of the bare endpoint: the framework's ceiling on this machine."""

    wait_time = constant(0)

    @task
    def bare(self) -> None:
        self.client.get("/bare", name="/bare (flat out)")
