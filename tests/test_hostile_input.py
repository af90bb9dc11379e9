"""The hostile-input suite (issue 6, item 4): every form and every query parameter of the
application is sent script, SQL meta-characters, 100,000 characters, control characters,
invalid UTF-8, impossible numbers and dates, missing and duplicated fields, and CSRF
tokens that are missing or belong to someone else.

The answer is always a validation message (the form again), a redirect or a 4xx — never
a 5xx — no page shows an injected script, and nothing already stored is damaged: rows of
a campaign no attack is aimed at (a proposal, its comment, its vote) keep every column,
and no table loses rows.

Routes and forms are discovered, not listed (tests/hostile.py): the pages of the
permission matrix are read as each visitor, and a hook notes which parameters each view
reads. Each route is attacked as the least privileged signed-in visitor the matrix lets
use it, and also anonymously when the matrix lets anyone use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from auth.accounts import request_password_reset
from auth.models import OutboxMessage
from extensions import db
from proposals.campaigns import TEMPLATES
from tests import hostile
from tests.conftest import outbox_link
from tests.dom import page
from tests.hostile import Target
from tests.test_permissions import MATRIX, VISITORS, world  # noqa: F401 - fixture

# A route is attacked by visitors (anonymous, when admitted) and by the least privileged
# signed-in visitor the matrix admits: the public surface and the member's one.
SIGNED_IN = ("participant_a", "participant_b", "moderator", "organizer")
ADMITTED = (200, 303)

# Values for the arguments of a route the matrix has no row for yet (added while this
# suite runs): a path to something of the world.
ARGUMENTS = {
    "slug": "{public}", "proposal_id": "{api_proposal}", "comment_id": "{comment_b}",
    "theme_id": "{theme}", "report_id": "{report_b}", "merge_id": "{merge}",
    "invitation_id": "{invitation}", "user_id": "{rep_b}", "organization_id": "{org_a}",
    "partnership_id": "{partnership_b}", "token": "{token}", "item_id": "{api_proposal}",
    "kind": "proposal", "answer": "confirm", "fmt": "csv", "filename": "ortak.css",
}  # fmt: skip

# Pages beyond the matrix where forms of the world below appear (voting is open there).
EXTRA_PAGES = ("/campaigns/{voting}", "/proposals/{voting_proposal}", "/campaigns/{voting}/ballot",
               "/campaigns/{bystander}", "/proposals/{bystander_proposal}",
               "/campaigns/new?template={template}", "/password/reset/{reset_token}",
               "/proposals/{withdrawn}")  # fmt: skip


def _rows(endpoint: str, method: str) -> list[Any]:
    return [r for r in MATRIX if r.endpoint == endpoint and r.method == method]


def attackers(endpoint: str, method: str) -> tuple[str, ...]:
    """Who attacks the route: anonymous visitors if the matrix admits them, and the least
    privileged signed-in visitor it admits. A route without a row yet, or one the matrix's
    world has nothing to use on: whoever finds a form for it on their pages."""
    rows = _rows(endpoint, method)
    if not any(r.expected[v] in ADMITTED for r in rows for v in VISITORS):
        return VISITORS
    admitted = [v for v in SIGNED_IN if any(r.expected[v] in ADMITTED for r in rows)][:1]
    if any(r.expected["anonymous"] in ADMITTED for r in rows):
        admitted.insert(0, "anonymous")
    return tuple(admitted)


def _disruptive(endpoint: str) -> bool:
    """Routes whose success changes what later requests see (the matrix isolates them)."""
    return any(r.isolated for r in MATRIX if r.endpoint == endpoint)


# --- the world: the matrix's, plus an open vote and a campaign no attack aims at ----------------


@dataclass
class Arena:
    app: Flask
    people: dict[str, Any]
    ids: dict[str, Any]
    guarded: dict[str, list[int]]  # table → ids of rows no attack may change
    recorder: hostile.Recorder

    def client(self, visitor: str) -> Any:
        client = self.app.test_client()
        if visitor != "anonymous":
            hostile.login(client, self.people[visitor].email)
        return client

    def format(self, path: str) -> str:
        return path.format(**self.ids)


@pytest.fixture
def arena(app, world, clock, make_org, make_user, make_campaign) -> Arena:  # noqa: F811
    from proposals.discussion import post_comment
    from proposals.models import ActivityType, CommentKind, Vote
    from proposals.notifications import notify
    from proposals.submission import ProposalFields, save_draft, submit, withdraw
    from proposals.voting import set_points

    people, ids = world
    rep_a = people["participant_a"]
    recorder = hostile.Recorder(app)
    # Thousands of requests from one address in a minute: limits are tested elsewhere.
    for name, value in list(app.config.items()):
        if name.startswith("RATELIMIT_") and isinstance(value, str) and " per " in value:
            app.config[name] = "100000 per minute"
    now = clock.now
    org_c = make_org("Çiğli Kadın Kooperatifi")
    rep_c = make_user(organization=org_c, email="zeynep@cigli.example", name="Zeynep Kaya")

    def proposal(campaign, title, author=rep_c):
        fields = ProposalFields(title=title, summary="Özet", description="Açıklama",
                                activity_type=ActivityType.workshop, district="Çiğli")  # fmt: skip
        made = save_draft(campaign, author, fields, now)
        submit(made, author, now)
        return made

    voting = make_campaign(slug="oylamada")
    voting_proposal = proposal(voting, "Oylamadaki öneri")
    bystander = make_campaign(slug="dokunulmaz", allow_own_votes=True)
    guarded_proposal = proposal(bystander, "Dokunulmaz öneri")
    comment = post_comment(guarded_proposal, rep_c, "Dokunulmaz yorum", CommentKind.comment, now)
    for campaign in (voting, bystander):  # submissions closed, the vote open
        campaign.submission_opens_at = now - timedelta(days=10)
        campaign.submission_closes_at = now - timedelta(days=2)
        campaign.voting_opens_at = now - timedelta(days=1)
        campaign.voting_closes_at = now + timedelta(days=5)
    db.session.flush()
    set_points(guarded_proposal, rep_c, 1, now)
    bystander.voting_closes_at = now - timedelta(minutes=1)  # closed: nothing may change it
    on = db.session.get(type(guarded_proposal), ids["api_proposal"])
    params = {"organization": "Çiğli", "title": on.title}
    notify([people["participant_b"]], "comment", params=params, proposal=on, now=now)
    withdrawn = proposal(make_campaign(slug="geri-cekilen"), "Geri çekilen öneri", rep_a)
    withdraw(withdrawn, rep_a, "Vazgeçtik", now)  # its page offers to undo it
    votes = db.session.scalars(select(Vote).where(Vote.proposal_id == guarded_proposal.id)).all()
    ids.update(
        template=next(iter(TEMPLATES)),
        reset_token=_reset_token(people["participant_b"].email),
        voting=voting.slug,
        voting_proposal=voting_proposal.id,
        bystander=bystander.slug,
        bystander_proposal=guarded_proposal.id,
        bystander_comment=comment.id,
        org_c=org_c.id,
        withdrawn=withdrawn.id,
    )
    guarded = {
        "campaigns": [bystander.id],
        "proposals": [guarded_proposal.id],
        "comments": [comment.id],
        "votes": [v.id for v in votes],
        "ballots": [v.ballot_id for v in votes],
        "organizations": [org_c.id],
        "users": [rep_c.id],
    }
    assert guarded["votes"], "the guarded campaign needs a vote"
    db.session.commit()
    return Arena(app, people, ids, guarded, recorder)


def _reset_token(email: str) -> str:
    """A real password-reset token, from the mail the reset form sends."""
    request_password_reset(email)
    db.session.flush()
    mail = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert mail is not None
    return outbox_link(mail.body_text).rsplit("/", 1)[-1]


# --- discovery ------------------------------------------------------------------------------


@dataclass
class Discovery:
    pages: list[str]  # paths the visitor sees (200), for the check of stored values
    posts: list[Target]  # forms and POST routes this visitor attacks
    gets: list[Target]  # GET routes with query parameters this visitor attacks


_DISCOVERED: dict[tuple[str, tuple[tuple[str, str], ...]], Discovery] = {}


def _fallback_path(arena: Arena, endpoint: str, method: str, visitor: str) -> str | None:
    """The matrix's path for this visitor, or one built from the world for a new route."""
    for row in _rows(endpoint, method):
        if row.expected[visitor] in ADMITTED:
            return arena.format(row.path)
    if _rows(endpoint, method):
        return None
    rule = next(r for r in arena.app.url_map.iter_rules() if r.endpoint == endpoint)
    if any(arg not in ARGUMENTS for arg in rule.arguments):
        return None
    values = {arg: arena.format(ARGUMENTS[arg]) for arg in rule.arguments}
    return arena.app.url_map.bind("localhost").build(endpoint, values, method=method)


def _crawl_paths(arena: Arena, visitor: str) -> list[str]:
    paths = [arena.format(r.path) for r in MATRIX
             if r.method == "GET" and not r.isolated and r.expected[visitor] == 200]  # fmt: skip
    paths += [arena.format(p) for p in EXTRA_PAGES]
    covered = {r.endpoint for r in MATRIX}
    for rule in arena.app.url_map.iter_rules():  # GET routes without a row yet
        if rule.endpoint not in covered and "GET" in (rule.methods or ()):
            path = _fallback_path(arena, rule.endpoint, "GET", visitor)
            if path:
                paths.append(path)
    return list(dict.fromkeys(paths))


def discover(arena: Arena, visitor: str) -> Discovery:
    """What this visitor attacks: the forms on their pages, POST routes without a form
    (probed once to learn the names they read), GET routes that read query parameters."""
    # The reset token changes with the time it is made; the rest is the same in every world.
    key = (visitor, tuple(sorted((k, str(v)) for k, v in arena.ids.items() if k != "reset_token")))
    if key in _DISCOVERED:
        return _DISCOVERED[key]
    app = arena.app
    client = arena.client(visitor)
    pages: list[str] = []  # HTML pages, where forms are and stored values are shown
    reached: list[str] = []  # every 200, JSON and downloads included: their queries count
    found: list[Target] = []
    for path in _crawl_paths(arena, visitor):
        response = client.get(path)
        if response.status_code == 200:
            reached.append(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.append(path)
            found.extend(hostile.forms_on(app, path, response.get_data(as_text=True), visitor))
        response.close()

    posts: dict[tuple[str, str], Target] = {}
    per_endpoint: dict[str, int] = {}
    for target in found:
        if target.method != "POST" or visitor not in attackers(target.endpoint, "POST"):
            continue
        if target.key[::2] in posts or per_endpoint.get(target.endpoint, 0) >= 2:
            continue
        posts[target.key[::2]] = target
        per_endpoint[target.endpoint] = per_endpoint.get(target.endpoint, 0) + 1

    kinds = hostile.declared_kinds()
    for rule in app.url_map.iter_rules():  # POST routes with no form on any page of theirs
        if "POST" not in (rule.methods or ()) or rule.endpoint in per_endpoint:
            continue
        if visitor not in attackers(rule.endpoint, "POST"):
            continue
        if not _rows(rule.endpoint, "POST") and visitor != "organizer":
            continue  # a new route without a form anywhere: probed once, by an organiser
        path = _fallback_path(arena, rule.endpoint, "POST", visitor)
        if path is None:
            continue
        arena.client(visitor).post(path, data={hostile.PROBE_FIELD: "1"}).close()
        names = arena.recorder.names(rule.endpoint, "form")
        fields = {n: hostile.Field(n, kinds.get(n, "text"), [""]) for n in sorted(names)}
        posts[(rule.endpoint, path)] = Target(rule.endpoint, "POST", path, visitor, fields,
                                              "recorded")  # fmt: skip

    gets: dict[str, Target] = {}
    get_forms = {t.endpoint: t for t in found if t.method == "GET"}
    for path in reached:
        endpoint = hostile._endpoint(app, path, "GET")
        if endpoint is None or endpoint in gets or visitor not in attackers(endpoint, "GET"):
            continue
        names = arena.recorder.names(endpoint, "args")
        fields = dict(get_forms[endpoint].fields) if endpoint in get_forms else {}
        fields = {n: f for n, f in fields.items() if f.kind != "button"}
        for name in sorted(names - set(fields)):
            fields[name] = hostile.Field(name, kinds.get(name, "text"), [])
        if fields:
            gets[endpoint] = Target(endpoint, "GET", path, visitor, fields, path)
    discovery = Discovery(pages, list(posts.values()), list(gets.values()))
    _DISCOVERED[key] = discovery
    return discovery


# --- the attacks ------------------------------------------------------------------------------


def attacks(target: Target) -> list[tuple[str, list[tuple[str, str]], str | None]]:
    """(label, fields, raw value) for each hostile request aimed at the target."""
    every = lambda f: True  # noqa: E731
    free_text = (lambda f: True) if target.method == "GET" else (lambda f: f.textual)
    numeric = every if target.method == "GET" else (lambda f: f.numeric)
    dated = every if target.method == "GET" else (lambda f: f.dated)
    sql = hostile.SQL if target.method == "GET" else hostile.SQL[:1]

    def short(value: str) -> str:
        return repr(value) if len(value) < 40 else f"{value[:20]!r}… ({len(value)} characters)"

    made: list[tuple[str, list[tuple[str, str]], str | None]] = []
    made.append(("100,000 characters", target.replaced(hostile.LONG, every), None))
    made.append(("control characters", target.replaced(hostile.CONTROL, every), None))
    made.append(("invalid UTF-8", target.replaced("x", every), hostile.INVALID_UTF8))
    for value in hostile.NUMBERS:
        made.append((f"number={short(value)}", target.replaced(value, numeric), None))
    for date_value, moment in zip(hostile.DATES, hostile.DATETIMES, strict=True):
        made.append((f"date={date_value!r}", target.replaced(date_value, dated), None))
        if any(f.kind == "datetime-local" for f in target.fields.values()):
            pairs = target.replaced(moment, lambda f: f.kind == "datetime-local")
            made.append((f"moment={moment!r}", pairs, None))
    doubled = [(n, v) for n, v in target.defaults() for _ in range(2)]
    doubled += [(n, hostile.SCRIPT) for n in target.fields if target.fields[n].textual]
    made.append(("every field twice", doubled, None))
    # Script last: what the form stores stays stored for the pages read after the attacks.
    for value in (*sql, *hostile.INJECTIONS):
        made.append((f"text={short(value)}", target.replaced(value, free_text), None))
    made = [m for m in made if m[1]]
    made.insert(0, ("no fields", [(hostile.PROBE_FIELD, "")], None))
    return made


def _attack(arena: Arena, visitor: str, targets: list[Target]) -> tuple[list[str], int]:
    """The failures, and the most stored texts with a payload seen after any one target."""
    failures: list[str] = []
    stored = 0
    ordered = sorted(targets, key=lambda t: _disruptive(t.endpoint))
    for target in ordered:
        client = arena.client(visitor)
        for label, pairs, raw in attacks(target):
            what = f"{target.method} {target.path} ({target.endpoint}) {label}"
            response = hostile.send(client, target, pairs, raw)
            location = response.headers.get("Location", "")
            failures.extend(hostile.check_response(response, what))
            if response.status_code == 303 and urlsplit(location).netloc in ("", "localhost"):
                parts = urlsplit(location)  # where the stored value is shown
                shown = client.get(parts.path, query_string=parts.query)
                failures.extend(hostile.check_response(shown, f"{what} → {location}"))
        if target.method == "POST":
            stored = max(stored, hostile.stored_injections())
    return failures, stored


def _stored_pages(arena: Arena, visitor: str) -> list[str]:
    """Every page the attacker and an organiser see, read again after the attacks."""
    failures: list[str] = []
    for reader in dict.fromkeys((visitor, "organizer")):
        client = arena.client(reader)
        for path in discover(arena, reader).pages:
            failures.extend(hostile.check_response(client.get(path), f"{reader} reads {path}"))
    return failures


def _no_damage(before: dict[str, int], guarded: str, arena: Arena) -> list[str]:
    after = hostile.counts()
    lost = [f"{name}: {before[name]} → {after[name]} rows" for name in before
            if after[name] < before[name]]  # fmt: skip
    if hostile.digest(arena.guarded) != guarded:
        lost.append("rows of the guarded campaign changed")
    return lost


@pytest.mark.parametrize("visitor", VISITORS)
def test_hostile_forms_and_query_parameters(arena, visitor):
    """Every form and query parameter this visitor may use, under every payload."""
    discovery = discover(arena, visitor)
    before, guarded = hostile.counts(), hostile.digest(arena.guarded)
    failures, stored = _attack(arena, visitor, discovery.gets + discovery.posts)
    if visitor != "anonymous":  # every signed-in visitor has a form that stores text
        assert stored > 0, "no payload was ever stored: the checks of the pages are void"
    failures += _stored_pages(arena, visitor)
    failures += _no_damage(before, guarded, arena)
    assert not failures, "\n".join(failures)


def test_every_route_with_input_is_attacked(arena):
    """The discovery reaches every POST route, and the GET routes known to read
    parameters; a route it cannot reach fails here instead of being skipped in silence."""
    attacked = {(t.endpoint, t.method) for v in VISITORS for d in [discover(arena, v)]
                for t in d.posts + d.gets}  # fmt: skip
    missing = sorted(
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule in arena.app.url_map.iter_rules()
        for method in ("POST",)
        if method in (rule.methods or ()) and (rule.endpoint, method) not in attacked
    )
    assert not missing, "POST routes no attack reached:\n" + "\n".join(missing)
    for endpoint in ("proposals.campaign", "proposals.results", "audit.log", "moderation.board",
                     "moderation.merge", "discussion.notifications_page", "api.campaign_proposals",
                     "moderation.reports"):  # fmt: skip
        assert (endpoint, "GET") in attacked, f"{endpoint}'s query parameters were not attacked"


# --- generated form data ---------------------------------------------------------------------

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_VALUE = st.one_of(
    _TEXT,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        (
            *hostile.INJECTIONS,
            *hostile.SQL,
            *hostile.NUMBERS,
            *hostile.DATES,
            *hostile.DATETIMES,
            hostile.CONTROL,
            "",
        )
    ),
    st.just(hostile.LONG),
)


def form_data(target: Target) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Any values (missing, one, or a key twice) for the target's fields and one unexpected
    field; choices of the form's own selects and buttons are drawn too, to get past them."""

    def values(f: hostile.Field) -> st.SearchStrategy[list[str]]:
        own = st.sampled_from(f.options or f.values) if (f.options or f.values) else _VALUE
        return st.lists(st.one_of(_VALUE, own), max_size=2)

    names = [*target.fields, "organization_id"]
    fields = {n: values(target.fields[n]) if n in target.fields else st.lists(_VALUE, max_size=1)
              for n in names}  # fmt: skip
    return st.fixed_dictionaries(fields).map(
        lambda chosen: [(name, value) for name, vs in chosen.items() for value in vs]
    )


@pytest.mark.parametrize("visitor", VISITORS)
@settings(max_examples=hostile.EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])  # fmt: skip
@given(data=st.data())
def test_generated_form_data(arena, visitor, data):
    """Each example sends generated data to every form and query of the visitor's routes."""
    discovery = discover(arena, visitor)
    client = arena.client(visitor)
    failures: list[str] = []
    for target in sorted(discovery.posts + discovery.gets, key=lambda t: _disruptive(t.endpoint)):
        pairs = data.draw(form_data(target), label=f"{target.method} {target.path}")
        response = hostile.send(client, target, pairs)
        failures.extend(hostile.check_response(response, f"{target.method} {target.path}"))
        if response.status_code in (302, 401) and visitor != "anonymous":
            client = arena.client(visitor)  # signed out by the route: sign in again
    assert not failures, "\n".join(failures)


# --- search and filters: meta-characters are text ---------------------------------------------


def _total(client: Any, slug: str, query: str) -> int:
    response = client.get(f"/api/v1/campaigns/{slug}/proposals", query_string={"q": query})
    assert response.status_code == 200, response.status_code
    return response.get_json()["pagination"]["total"]


def test_search_takes_sql_meta_characters_as_text(arena):
    from proposals.models import ActivityType, Campaign
    from proposals.submission import ProposalFields, save_draft, submit

    public = db.session.scalar(select(Campaign).where(Campaign.slug == arena.ids["public"]))
    author = arena.people["participant_a"]
    fields = ProposalFields(title="İndirim %50_kampanya", summary="Özet \\ ters bölü",
                            description="Açıklama", activity_type=ActivityType.event,
                            district="Konak")  # fmt: skip
    submit(save_draft(public, author, fields, arena.app.config["CLOCK"]()), author,
           arena.app.config["CLOCK"]())  # fmt: skip
    db.session.commit()
    client = arena.app.test_client()
    everything = _total(client, public.slug, "")
    assert everything >= 4
    # Each meta-character finds the one proposal that holds it, not every proposal.
    for query in ("%", "_", "\\", "%50_"):
        assert _total(client, public.slug, query) == 1, query
    for query in ("' OR 1=1 --", ";DROP TABLE proposals;--", "%' OR '%'='", "*"):
        assert _total(client, public.slug, query) == 0, query
    assert _total(client, public.slug, "") == everything  # the table is still there
    # The campaign page lists the same: the one proposal, none of the others.
    listed = page(client.get(f"/campaigns/{public.slug}", query_string={"q": "%"}))
    titles = {a.text for a in listed.find_all("a") if "/proposals/" in (a.get("href") or "")}
    assert "İndirim %50_kampanya" in titles
    assert "Yayında" not in titles


def test_moderation_searches_take_meta_characters_as_text(arena):
    client = arena.client("moderator")
    board = f"/campaigns/{arena.ids['public']}/board"
    assert "Yayında" in page(client.get(board)).text  # listed without a search
    found = client.get(board, query_string={"q": "%"})
    assert found.status_code == 200
    assert "Yayında" not in page(found).text
    merge = f"/proposals/{arena.ids['api_proposal']}/merge"
    assert "Ortaklı" in page(client.get(merge, query_string={"q": "Ortak"})).text
    found = client.get(merge, query_string={"q": "' OR 1=1 --"})
    assert found.status_code == 200
    assert "Ortaklı" not in page(found).text


# --- duplicate submits --------------------------------------------------------------------------


def _form_of(response: Any, field: str) -> dict[str, str]:
    return page(response).form_with(field).form_values()


def test_a_proposal_form_sent_twice_makes_one_proposal(arena):
    from proposals.models import Proposal

    client = arena.client("participant_a")
    new = f"/campaigns/{arena.ids['public']}/proposals/new"
    values = _form_of(client.get(new), "creation_key")
    values.update(title="İki kez gönderilen", summary="Özet", description="Açıklama",
                  activity_type="workshop", district="Konak", action="submit")  # fmt: skip
    first = client.post(new, data=values)
    second = client.post(new, data=values)
    assert first.status_code == 303 and second.status_code == 303
    assert first.location == second.location
    made = db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.creation_key == values["creation_key"]))  # fmt: skip
    assert made == 1
    titled = select(func.count(Proposal.id)).where(Proposal.title == "İki kez gönderilen")
    assert db.session.scalar(titled) == 1


def test_a_campaign_form_sent_twice_makes_one_campaign(arena):
    from proposals import campaigns
    from proposals.models import Campaign

    client = arena.client("organizer")
    template = next(iter(campaigns.TEMPLATES))
    values = _form_of(client.get("/campaigns/new", query_string={"template": template}),
                      "creation_key")  # fmt: skip
    values["title"] = "Bir kez oluşan kampanya"
    first = client.post("/campaigns/new", data=values)
    second = client.post("/campaigns/new", data=values)
    assert first.status_code == 303, page(first).text[:500]
    assert second.status_code == 303 and second.location == first.location
    same = select(func.count(Campaign.id)).where(Campaign.title == "Bir kez oluşan kampanya")
    assert db.session.scalar(same) == 1


def test_a_vote_sent_twice_is_one_vote(arena, make_user):
    from proposals.models import Ballot, Vote

    client = arena.client("participant_a")
    proposal_id = arena.ids["voting_proposal"]
    for _attempt in range(2):
        response = client.post(f"/proposals/{proposal_id}/vote", data={"points": "1"})
        assert response.status_code == 303
    organization_id = arena.people["participant_a"].organization_id
    ours = (Vote.proposal_id == proposal_id, Vote.organization_id == organization_id)
    votes = db.session.scalars(select(Vote).where(*ours)).all()
    assert [v.points for v in votes] == [1]
    ballot = db.session.scalar(select(Ballot).where(Ballot.organization_id == organization_id))
    assert ballot is not None
    # Another representative of the same organisation votes the same: still one vote.
    colleague = arena.app.test_client()
    colleague_user = make_user(organization=arena.people["participant_a"].organization)
    hostile.login(colleague, colleague_user.email)
    assert colleague.post(f"/proposals/{proposal_id}/vote", data={"points": "1"}).status_code == 303
    assert db.session.scalar(select(func.count(Vote.id)).where(*ours)) == 1


def test_a_report_sent_twice_is_one_report(arena):
    from proposals.models import Report

    client = arena.client("participant_a")
    path = f"/proposals/{arena.ids['api_proposal']}/report"
    first = client.post(path, data={"reason": "Reklam"})
    second = client.post(path, data={"reason": "Reklam"})
    assert first.status_code == 303
    assert second.status_code == 200  # the form again, saying it was reported already
    mine = select(func.count(Report.id)).where(
        Report.reporter_id == arena.people["participant_a"].id,
        Report.proposal_id == arena.ids["api_proposal"],
    )
    assert db.session.scalar(mine) == 1


# --- CSRF: a form without its token, or with another session's -----------------------------------


def test_forms_without_a_token_or_with_another_sessions_are_refused(arena):
    """Every POST route answers 400 with the friendly page, and nothing is stored."""
    targets = {(t.endpoint, t.path): t for v in VISITORS for t in discover(arena, v).posts}
    assert len(targets) > 40, "the discovery found too few forms to mean anything"
    hostile.check_csrf(arena.app)
    stranger = arena.app.test_client()
    foreign = hostile.csrf_token(stranger, "/login")
    assert foreign
    with force_locale("tr"):
        expected = " ".join(
            _(
                "This form has expired or was not sent from this site. Go back, reload the "
                "page and send it again: what you typed is still in the form after Back."
            ).split()
        )
    clients = {v: arena.client(v) for v in VISITORS}
    before = hostile.whole_database()
    failures = []
    for target in sorted(targets.values(), key=lambda t: _disruptive(t.endpoint)):
        client = clients[target.visitor]
        plain = [(n, v) for n, v in target.defaults() if n != hostile.CSRF_FIELD]
        for label, pairs in (
            ("no token", plain),
            ("another session's token", [*plain, ("csrf_token", foreign)]),
        ):
            response = hostile.send(client, target, pairs)
            what = f"{target.visitor} POST {target.path} with {label}"
            if response.status_code != 400:
                failures.append(f"{what}: {response.status_code}")
            elif expected not in page(response).text:
                failures.append(f"{what}: not the friendly page")
    assert not failures, "\n".join(failures)
    assert hostile.whole_database() == before, "a refused form changed what is stored"


def test_the_injection_check_sees_script_and_passes_escaped_text():
    """The check the suite relies on: raw payloads are caught, escaped ones are not."""
    from markupsafe import escape

    for payload in hostile.INJECTIONS[:2]:
        assert hostile.injection_problems(f"<p>{payload}</p>")
        assert not hostile.injection_problems(f"<p>{escape(payload)}</p>")
    assert hostile.injection_problems('<a href="javascript:alert(1)">x</a>')
    assert not hostile.injection_problems('<a href="/x">javascript:alert(1)</a>')


# --- regressions: what the suite found ---------------------------------------------------------


def test_page_numbers_from_a_query_string_stay_in_range():
    from web import MAX_PAGE, page_number

    assert page_number("3") == 3
    for value in (None, "", "-1", "0", "abc", "1e3", "²", "\x00"):
        assert page_number(value) == 1, value
    for value in (str(10**30), "9" * 5000, str(MAX_PAGE + 1)):
        assert page_number(value) == MAX_PAGE, value


def test_a_page_beyond_the_database_integers_is_a_page_not_an_error(arena):
    """``page=10**30`` overflowed SQLite's integers in the offset: a 500 (notifications,
    audit log)."""
    reader = arena.client("participant_b")
    assert reader.get("/notifications", query_string={"page": str(10**30)}).status_code == 200
    organiser = arena.client("organizer")
    assert organiser.get("/audit", query_string={"page": str(10**30)}).status_code == 200


def test_a_reply_to_a_comment_id_beyond_the_database_is_not_found(arena):
    """``parent_id=10**30`` on a new comment was looked up as is: a 500."""
    client = arena.client("participant_a")
    path = f"/proposals/{arena.ids['api_proposal']}/comments"
    response = client.post(path, data={"body": "Yanıt", "kind": "comment",
                                       "parent_id": str(10**30)})  # fmt: skip
    assert response.status_code == 404


def test_audit_filters_out_of_range_are_told_next_to_the_field(arena):
    """0001-01-01 and 9999-12-31 overflowed the conversion to UTC, an actor id of 30 digits
    the database's integers: each was a 500."""
    client = arena.client("organizer")
    for name, value in (("date_from", "0001-01-01"), ("date_to", "9999-12-31")):
        response = client.get("/audit", query_string={name: value})
        assert response.status_code == 200, (name, value)
        error = page(response).find(id=f"{name}-error")
        assert error is not None and "2000" in error.text, (name, value)
    assert client.get("/audit", query_string={"actor": str(10**30)}).status_code == 200
