# ruff: noqa: F811 - the shared fixture is imported from tests/results_helpers.py
"""``flask shortlist``: the same ranking and writers as the downloads, parsed back with the
csv module, openpyxl and json; the meeting workbook's sheets; errors exit non-zero."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from openpyxl import load_workbook

from extensions import db
from proposals import results
from proposals.models import Comment, CommentKind
from tests.people_helpers import tr
from tests.results_helpers import voted  # noqa: F401 - fixture

ENGLISH_HEADER = [
    "Rank", "Tied", "Title", "Organisation", "Partners (confirmed)", "Themes", "District",
    "Type of activity", "Votes (points)", "Supporting organisations", "Comments",
    "Estimated budget (TRY)", "Status", "Link",
]  # fmt: skip


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["shortlist", *args])


def ranking(voted) -> list[tuple[int, str, int]]:
    return [(r.rank, r.entry.title, r.entry.points) for r in results.shortlist(voted.campaign)]


def test_csv_to_stdout_equals_the_ranking(app, voted):
    result = run(app, voted.campaign.slug, "--format", "csv")
    assert result.exit_code == 0, result.output
    text = result.stdout_bytes.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert header == ENGLISH_HEADER
    assert [(int(r[0]), r[2].removeprefix("'"), int(r[8])) for r in rows] == ranking(voted)
    mor = rows[0]
    assert mor[:8] == [
        "1", "no", "Mor Bank", "Karşıyaka Kadın Dayanışma Derneği", "Foça Kadın Kooperatifi",
        "Ending violence", "Konak", "Workshop",
    ]  # fmt: skip
    assert mor[9:13] == ["4", "1", "15000", "Submitted"]
    assert mor[13].startswith("http")
    assert mor[13].endswith(f"/proposals/{voted.proposals['mor'].id}")
    assert rows[1][1] == "yes"  # Atölye, tied with Kermes
    assert rows[4][2] == "'=SUM(A1:A2) Söyleşi"


def test_csv_in_turkish_to_a_file_with_per_theme(app, voted, tmp_path):
    target = tmp_path / "list.csv"
    result = run(app, voted.campaign.slug, "--per-theme", "1", "--locale", "tr", "-o", str(target))
    assert result.exit_code == 0, result.output
    header, *rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert header[:3] == [tr("Rank"), tr("Tied"), tr("Title")]
    # The best of T1 is Mor Bank, the best of T2 Kermes; Söyleşi has no theme.
    assert [(r[0], r[2]) for r in rows] == [("1", "Mor Bank"), ("2", "Kermes")]


def test_json_with_top_keeps_a_tie_at_the_cut(app, voted):
    result = run(app, voted.campaign.slug, "--format", "json", "--top", "2")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout_bytes)
    assert data["campaign"]["slug"] == voted.campaign.slug
    assert [c["label"] for c in data["columns"]] == ENGLISH_HEADER
    assert [(r["rank"], r["tied"], r["title"]) for r in data["rows"]] == [
        (1, False, "Mor Bank"),
        (2, True, "Atölye"),
        (2, True, "Kermes"),
    ]
    assert data["rows"][0]["status"] == "submitted"
    assert data["rows"][0]["district"] == "Konak"


def test_xlsx_is_the_meeting_workbook(app, voted, tmp_path):
    mor, kermes = voted.proposals["mor"], voted.proposals["kermes"]
    when = datetime(2026, 10, 14, 9, 0)
    db.session.add_all(
        [
            Comment(proposal=kermes, author=voted.reps["C"], organization=voted.orgs["C"],
                    kind=CommentKind.question, body="=cmd|' /C calc'!A0", created_at=when),
            Comment(proposal=mor, author=voted.reps["D"], organization=voted.orgs["D"],
                    body="Silinecek", created_at=when, deleted_at=when),
        ]
    )  # fmt: skip
    db.session.commit()
    target = tmp_path / "meeting.xlsx"
    result = run(app, voted.campaign.slug, "--format", "xlsx", "--top", "4", "-o", str(target))
    assert result.exit_code == 0, result.output
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["Shortlist", "All proposals", "Comments", "Themes", "Turnout"]

    sheet = workbook["Shortlist"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 40
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert list(header) == ENGLISH_HEADER
    assert [(r[0], r[2], r[8]) for r in rows] == ranking(voted)[:4]
    for row in sheet.iter_rows(min_row=2):
        link = row[13]
        assert link.hyperlink is not None and link.hyperlink.target == link.value
        assert link.value.startswith("http") and "/proposals/" in link.value

    proposals = workbook["All proposals"]
    assert proposals.freeze_panes == "A2"
    _header, *every = list(proposals.iter_rows(values_only=True))
    assert [(r[0], r[2].removeprefix("'")) for r in every[:5]] == [
        (rank, title) for rank, title, _p in ranking(voted)
    ]
    assert every[4][2] == "'=SUM(A1:A2) Söyleşi"
    others = {r[2]: (r[0], r[12]) for r in every[5:]}
    assert others == {
        "Taslak öneri": (None, "Draft"),
        "Birleştirilen": (None, "Merged"),
        "Kabul edilmeyen": (None, "Not accepted"),
        "Geri çekilen": (None, "Withdrawn"),
    }

    comments = list(workbook["Comments"].iter_rows(values_only=True))
    assert comments[0] == ("Proposal", "Author", "Organisation", "Kind", "Date", "Comment")
    by_body = {row[5]: row for row in comments[1:]}
    assert set(by_body) == {"Çok güzel bir fikir", "'=cmd|' /C calc'!A0", "(deleted)"}
    question = by_body["'=cmd|' /C calc'!A0"]
    assert question[0] == "Kermes" and question[2] == "Buca Kadın Kültür Evi"
    assert question[3] == "Question"
    assert question[4] == datetime(2026, 10, 14, 12, 0)  # Istanbul time
    assert by_body["(deleted)"][0] == "Mor Bank"
    text_cell = next(
        row[5] for row in workbook["Comments"].iter_rows(min_row=2) if row[0].value == "Kermes"
    )
    assert text_cell.data_type == "s"

    themes = list(workbook["Themes"].iter_rows(values_only=True))
    assert themes[1:] == [
        ("Ending violence", 3, 8),
        ("Women's work", 2, 3),
        ("Without a theme", 1, 0),
    ]
    figures = results.turnout(voted.campaign)
    turnout = list(workbook["Turnout"].iter_rows(values_only=True))
    active = figures.active_organizations
    assert turnout[1][:3] == ("Organisations that voted", figures.voted, active)
    assert turnout[3][:3] == ("Votes used", figures.points_used, figures.points_total)
    workbook.close()


def test_xlsx_needs_an_output_file(app, voted):
    result = run(app, voted.campaign.slug, "--format", "xlsx")
    assert result.exit_code != 0
    assert "-o" in result.output


def test_an_unknown_slug_exits_non_zero(app, voted):
    result = run(app, "no-such-campaign")
    assert result.exit_code != 0
    assert "no campaign with the slug 'no-such-campaign'" in result.output
