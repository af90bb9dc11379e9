# ruff: noqa: F811 - the shared fixture is imported from tests/results_helpers.py
"""The shortlist exports: parsed back with the csv module, openpyxl and json and compared
with the ranking; formula neutralisation; the CSV is streamed and loaded in batches; each
download is audit-logged; headers come in the exporter's language."""

from __future__ import annotations

import csv
import io
import json
from contextlib import contextmanager

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, insert, select

from auth.models import AuditEntry
from extensions import db
from proposals import exports, results
from proposals.labels import STATE_LABELS
from proposals.models import Comment, CommentKind, Proposal, ProposalState
from tests.conftest import PASSWORD
from tests.people_helpers import tr
from tests.results_helpers import voted  # noqa: F401 - fixture

FORMULA_TITLE = "=SUM(A1:A2) Söyleşi"


def login(client, user):
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303
    )


def download(client, voted, fmt: str, query: str = "") -> tuple[object, bytes]:
    response = client.get(f"/campaigns/{voted.campaign.slug}/results.{fmt}{query}")
    assert response.status_code == 200
    body = response.get_data()
    response.close()
    return response, body


def expected_rows(voted) -> list[list[object]]:
    """What every export must say, straight from the ranking (typed values)."""
    detail = results.details(p.id for p in voted.proposals.values())
    rows = []
    for row in results.shortlist(voted.campaign):
        d = detail[row.entry.proposal_id]
        rows.append(
            [
                row.rank,
                row.tied,
                row.entry.title,
                d.organization,
                list(d.partners),
                [t.name_tr for t in d.themes],
                "Konak",
                tr("Workshop"),
                row.entry.points,
                row.entry.supporters,
                d.comments,
                d.estimated_budget,
                d.state,
                f"http://localhost/proposals/{row.entry.proposal_id}",
            ]
        )
    return rows


def as_text(value: object) -> str:
    """A typed value as a Turkish spreadsheet cell shows it, before neutralisation."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, ProposalState):
        return tr(str(STATE_LABELS[value.value]._args[0]))
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


# --- the pure builder and the neutralisation ---------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_makes_formula_starts_inert(start):
    assert exports.neutralise(f"{start}1+2") == f"'{start}1+2"


@pytest.mark.parametrize("text", ["Mor Bank", "a=b", "", " =1", "'=1"])
def test_neutralise_leaves_other_text_alone(text):
    assert exports.neutralise(text) == text


def test_the_builder_follows_the_ranking(voted):
    rows = results.shortlist(voted.campaign)
    details = results.details(r.entry.proposal_id for r in rows)
    headers, built = exports.build(rows, details, "tr", lambda pid: f"/p/{pid}")
    assert headers == [tr(str(label._args[0])) for _key, label in exports.COLUMNS]
    assert [(b[0], b[1], b[2]) for b in built] == [(r.rank, r.tied, r.entry.title) for r in rows]
    mor = built[0]
    assert mor[3:8] == [
        "Karşıyaka Kadın Dayanışma Derneği",
        ["Foça Kadın Kooperatifi"],
        ["Şiddetle mücadele"],
        "Konak",
        tr("Workshop"),
    ]
    assert mor[8:] == [4, 4, 1, 15000, ProposalState.submitted, f"/p/{rows[0].entry.proposal_id}"]


def test_a_pending_partner_is_not_listed(voted, clock):
    from proposals.models import Partnership, PartnershipState

    partnership = Partnership(
        proposal=voted.proposals["kermes"], organization=voted.orgs["D"],
        state=PartnershipState.pending,
    )  # fmt: skip
    db.session.add(partnership)
    db.session.commit()
    assert (
        results.details([voted.proposals["kermes"].id])[voted.proposals["kermes"].id].partners == ()
    )


# --- the three formats, parsed back -----------------------------------------------------------


def test_csv_parsed_back_equals_the_ranking(voted, client, organizer):
    login(client, organizer)
    response, body = download(client, voted, "csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=ortak-sonuc-kampanyasi-shortlist-2026-10-15.csv"
    )  # the clock is 14 Oct 22:30 UTC: already the 15th in Istanbul
    text = body.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == exports.headers()
    expected = [[exports.neutralise(as_text(v)) for v in row] for row in expected_rows(voted)]
    assert rows == expected
    assert rows[1][:3] == ["2", tr("yes"), "Atölye"] and rows[2][:3] == ["2", tr("yes"), "Kermes"]
    assert rows[4][2] == "'" + FORMULA_TITLE  # neutralised
    assert rows[4][3] == "'@Ege Kadın Girişimi"


def test_xlsx_parsed_back_equals_the_ranking(voted, client, organizer):
    login(client, organizer)
    response, body = download(client, voted, "xlsx")
    assert response.headers["Content-Disposition"].endswith("shortlist-2026-10-15.xlsx")
    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook.active
    cells = [list(r) for r in sheet.iter_rows()]
    header, *rows = [[c.value for c in r] for r in cells]
    assert header == exports.headers()

    def cell(value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = exports.neutralise(as_text(value))
        return text or None  # an empty cell reads back as None

    assert rows == [[cell(v) for v in row] for row in expected_rows(voted)]
    # The formula-looking title is a string cell, not a formula.
    title_cell = cells[5][2]
    assert title_cell.data_type == "s" and title_cell.value == "'" + FORMULA_TITLE
    workbook.close()


def test_json_parsed_back_equals_the_ranking(voted, client, organizer):
    login(client, organizer)
    response, body = download(client, voted, "json")
    assert response.mimetype == "application/json"
    data = json.loads(body)
    assert data["campaign"]["slug"] == voted.campaign.slug
    assert [c["key"] for c in data["columns"]] == list(exports.KEYS)
    assert [c["label"] for c in data["columns"]] == exports.headers()
    expected = [
        {
            k: (v.value if isinstance(v, ProposalState) else v)
            for k, v in zip(exports.KEYS, row, strict=True)
        }
        for row in expected_rows(voted)
    ]
    assert data["rows"] == expected
    assert data["rows"][4]["title"] == FORMULA_TITLE  # JSON is data, not a spreadsheet


def test_exports_follow_the_filters(voted, client, organizer):
    login(client, organizer)
    theme = voted.themes["T2"].id
    _response, body = download(client, voted, "json", f"?theme={theme}&top=1")
    assert [(r["rank"], r["title"]) for r in json.loads(body)["rows"]] == [(1, "Kermes")]


def test_every_export_is_audit_logged(voted, client, organizer):
    login(client, organizer)
    for fmt in ("csv", "xlsx", "json"):
        download(client, voted, fmt)
    download(client, voted, "csv", "?status=submitted")
    db.session.expire_all()
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "shortlist.export").order_by(AuditEntry.id)
    ).all()
    assert [e.after for e in entries] == [
        {"format": "csv"},
        {"format": "xlsx"},
        {"format": "json"},
        {"format": "csv", "filters": {"status": "submitted"}},
    ]
    assert {(e.actor_id, e.target_type, e.target_id) for e in entries} == {
        (organizer.id, "Campaign", voted.campaign.id)
    }


def test_headers_are_in_the_exporters_language(voted, client, make_user):
    from auth.models import Role

    english = make_user(Role.organizer, locale="en")
    login(client, english)
    _response, body = download(client, voted, "csv")
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[:3] == ["Rank", "Tied", "Title"]
    _response, body = download(client, voted, "xlsx")
    assert next(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))[0] == "Rank"


# --- streaming ---------------------------------------------------------------------------------


@contextmanager
def counting_queries():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def detail_batches(statements: list[str]) -> int:
    """How many batches of details were loaded (one query for the proposals' own columns)."""
    return sum(1 for s in statements if "proposals.estimated_budget" in s)


def test_csv_streams_and_loads_details_in_batches(voted, client, organizer, monkeypatch):
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    monkeypatch.setattr(exports, "CSV_CHUNK", 1)  # hand over every row at once
    login(client, organizer)
    with counting_queries() as statements:
        response = client.get(f"/campaigns/{voted.campaign.slug}/results.csv")
        try:
            assert response.is_streamed
            # The test client reads the first chunk to start the response: one batch so far.
            assert detail_batches(statements) == 1
            chunks = iter(response.response)
            first = next(chunks).decode("utf-8-sig")
            assert first.startswith(exports.headers()[0]) and "Mor Bank" in first
            seen = [detail_batches(statements)]
            for _chunk in chunks:
                seen.append(detail_batches(statements))
        finally:
            response.close()
    # Five proposals two at a time: batches are loaded as the rows go out, not up front.
    assert seen == [1, 1, 2, 2, 3, 3]


def test_csv_of_many_proposals_is_sent_in_pieces(voted, client, organizer, monkeypatch):
    """1,200 proposals: the default batch (500) and chunk (64 KiB) sizes, as in production."""
    campaign = voted.campaign
    author = voted.orgs["A"]
    db.session.execute(
        insert(Proposal),
        [
            {"campaign_id": campaign.id, "organization_id": author.id, "title": f"Öneri {n:04d}",
             "summary": "Özet", "description": "Açıklama " * 50, "state": ProposalState.submitted}
            for n in range(1200)
        ],
    )  # fmt: skip
    db.session.commit()
    monkeypatch.setattr(exports, "BATCH_SIZE", 500)
    login(client, organizer)
    with counting_queries() as statements:
        response = client.get(f"/campaigns/{campaign.slug}/results.csv")
        try:
            assert response.is_streamed
            sizes, loaded = [], []
            for chunk in response.response:
                sizes.append(len(chunk))
                loaded.append(detail_batches(statements))
        finally:
            response.close()
    # 1,205 rows: batches of 500 + 500 + 205, loaded while the first chunks are already out.
    assert loaded[0] < 3 and loaded[-1] == 3
    assert len(sizes) >= 2 and max(sizes) < 2 * exports.CSV_CHUNK
    assert sum(sizes) > 100_000


def test_the_comments_sheet_stops_at_its_limit_and_says_how_many_are_left_out(voted, clock):
    """A national campaign's 200,000 comments do not go into a meeting workbook."""
    proposal = next(iter(voted.proposals.values()))
    author = next(iter(voted.reps.values()))
    db.session.execute(
        insert(Comment),
        [
            {"proposal_id": proposal.id, "author_id": author.id, "kind": CommentKind.comment,
             "body": f"Yorum {n}", "created_at": clock.now}
            for n in range(7)
        ],
    )  # fmt: skip
    db.session.commit()
    everything = list(exports.comment_rows(voted.campaign, batch_size=2, limit=1000))
    total = len(everything)
    assert [row[5] for row in everything[-7:]] == [f"Yorum {n}" for n in range(7)]
    rows = list(exports.comment_rows(voted.campaign, batch_size=2, limit=total - 2))
    assert rows[: total - 2] == everything[: total - 2]
    assert len(rows) == total - 1
    assert "2" in rows[-1][0] and rows[-1][5] == ""  # "… and 2 more comments"
    exact = list(exports.comment_rows(voted.campaign, batch_size=2, limit=total))
    assert exact == everything  # exactly at the limit: no closing line
