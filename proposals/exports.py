"""The shortlist as CSV, XLSX and JSON: a pure ``(headers, rows)`` builder and three writers.

The builder turns ranked rows (``ranking.rank``, the same as the results page) and their
details into typed values; each writer formats them for its medium. Nothing is built up
whole: ``iter_rows`` loads details per batch, the CSV and JSON writers are generators, and
the XLSX writer uses openpyxl's write-only mode into a temporary file.

Spreadsheets execute a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some read a
leading tab or carriage return the same way): any such text cell gets a leading
apostrophe, so a proposal titled ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from auth.mail import external_url
from auth.models import Organization, User
from extensions import db
from proposals import results
from proposals.labels import STATE_LABELS, district_label, label
from proposals.models import Campaign, Comment, CommentKind, Proposal, ProposalState
from proposals.ranking import Entry, RankedRow

FORMATS = ("csv", "xlsx", "json")
MIMETYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8"
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
BATCH_SIZE = 2_000  # proposals whose details are loaded (and written) at a time

COLUMNS: tuple[tuple[str, Any], ...] = (
    ("rank", _l("Rank")),
    ("tied", _l("Tied")),
    ("title", _l("Title")),
    ("organization", _l("Organisation")),
    ("partners", _l("Partners (confirmed)")),
    ("themes", _l("Themes")),
    ("district", _l("District")),
    ("activity_type", _l("Type of activity")),
    ("points", _l("Votes (points)")),
    ("supporters", _l("Supporting organisations")),
    ("comments", _l("Comments")),
    ("estimated_budget", _l("Estimated budget (TRY)")),
    ("status", _l("Status")),
    ("link", _l("Link")),
)
KEYS = tuple(key for key, _label in COLUMNS)


# --- the builder (pure: no database, no request) ------------------------------------------


def headers() -> list[str]:
    """The column headers in the current language."""
    return [str(label) for _key, label in COLUMNS]


def build_row(
    row: RankedRow,
    detail: results.Details,
    locale: str,
    link: Callable[[int], str],
    texts: Callable[[str, Any], str] | None = None,
) -> list[Any]:
    """One proposal's typed values, in the order of ``COLUMNS``.

    ``texts`` (from ``label_texts``) gives the translated labels once per export.
    """
    text = texts or _label_text
    return [
        row.rank,
        row.tied,
        row.entry.title,
        detail.organization,
        list(detail.partners),
        [theme.name(locale) for theme in detail.themes],
        text("district", detail.district) if detail.district else "",
        text("activity", detail.activity_type),
        row.entry.points,
        row.entry.supporters,
        detail.comments,
        detail.estimated_budget,
        detail.state,
        link(row.entry.proposal_id),
    ]


def _label_text(kind: str, value: Any) -> str:
    return district_label(value) if kind == "district" else label(kind, value)


def label_texts() -> Callable[[str, Any], str]:
    """Translated labels, looked up once per (kind, value) for the length of one export."""
    return cache(_label_text)


def build(
    rows: Sequence[RankedRow],
    details: Mapping[int, results.Details],
    locale: str,
    link: Callable[[int], str],
) -> tuple[list[str], list[list[Any]]]:
    """``(headers, rows)`` for ranked rows whose details are all given."""
    return headers(), [build_row(row, details[row.entry.proposal_id], locale, link) for row in rows]


# --- loading details in batches -------------------------------------------------------------


def proposal_link() -> Callable[[int], str]:
    """An absolute link to a proposal, built from one ``external_url`` call for all rows."""
    marker = 987_654_321
    head, _sep, tail = external_url("proposals.proposal", proposal_id=marker).rpartition(
        str(marker)
    )
    return lambda proposal_id: f"{head}{proposal_id}{tail}"


def iter_rows(
    rows: Sequence[RankedRow], locale: str, batch_size: int | None = None
) -> Iterator[list[Any]]:
    """The typed rows, loading the details of ``batch_size`` proposals at a time."""
    size = batch_size or BATCH_SIZE
    link = proposal_link()
    texts = label_texts()
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        found = results.details(row.entry.proposal_id for row in batch)
        for row in batch:
            detail = found.get(row.entry.proposal_id)
            if detail is not None:  # deleted since the ranking was read: leave it out
                yield build_row(row, detail, locale, link, texts)


# --- formatting cells -----------------------------------------------------------------------

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (and so XLSX) cannot hold; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return "'" + text if text.startswith(_DANGEROUS_START) else text


def cell_formatter() -> Callable[[Any], Any]:
    """``spreadsheet_cell`` with its words translated once: an export of 20,000 rows would
    otherwise ask Babel for "yes" and each state's label 20,000 times."""
    yes_no = {True: _("yes"), False: _("no")}
    states = {state: neutralise(str(STATE_LABELS.get(state.value, state.value)))
              for state in ProposalState}  # fmt: skip

    def cell(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, bool):
            return yes_no[value]
        if isinstance(value, ProposalState):
            return states[value]
        if isinstance(value, list | tuple):
            return neutralise("; ".join(str(v) for v in value))
        if isinstance(value, str):
            return neutralise(value)
        return value

    return cell


def spreadsheet_cell(value: Any) -> Any:
    """A typed value as a spreadsheet shows it: words for yes/no and states, lists joined."""
    return cell_formatter()(value)


def json_value(value: Any) -> Any:
    if isinstance(value, ProposalState):
        return value.value
    return value


# --- writers ---------------------------------------------------------------------------------

CSV_CHUNK = 64 * 1024


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text in chunks of about 64 KiB, with a BOM so that Excel reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([neutralise(h) for h in header])
    cell = cell_formatter()
    for row in rows:
        writer.writerow([cell(v) for v in row])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()


def _xlsx_text(value: Any, cell: Callable[[Any], Any] = spreadsheet_cell) -> Any:
    text = cell(value)
    return _ILLEGAL_XML.sub("", text) if isinstance(text, str) else text


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its title, header and rows (an iterable, read once) and its layout."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = ()
    link_columns: tuple[int, ...] = ()  # columns (0-based) whose text is a URL


_WIDTHS = {
    "rank": 6, "tied": 8, "title": 40, "organization": 30, "partners": 30, "themes": 24,
    "district": 14, "activity_type": 16, "points": 10, "supporters": 12, "comments": 10,
    "estimated_budget": 14, "status": 18, "link": 40,
}  # fmt: skip
COLUMN_WIDTHS = tuple(_WIDTHS[key] for key in KEYS)
LINK_COLUMN = KEYS.index("link")


def _sheet_title(text: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", text)[:31] or "Ortak"
    title, n = base, 2
    while title.casefold() in used:  # sheet names are unique, case-insensitively
        title = f"{base[:27]} ({n})"
        n += 1
    used.add(title.casefold())
    return title


def xlsx_file(sheets: Iterable[Sheet]) -> IO[bytes]:
    """A workbook in a temporary file (rewound), written row by row in write-only mode.

    Every sheet has a bold, frozen header row and its column widths; the link columns are
    hyperlinks. Text cells are neutralised like the CSV's.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    link_font = Font(color="0563C1", underline="single")
    used: set[str] = set()
    cell_text = cell_formatter()
    for sheet in sheets:
        ws = workbook.create_sheet(title=_sheet_title(sheet.title, used))
        for index, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        header = []
        for text in sheet.header:
            cell = WriteOnlyCell(ws, value=_xlsx_text(text))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            values: list[Any] = [_xlsx_text(v, cell_text) for v in row]
            for column in sheet.link_columns:
                url = row[column]
                if isinstance(url, str) and url.startswith(("http://", "https://")):
                    cell = WriteOnlyCell(ws, value=values[column])
                    cell.hyperlink = url
                    cell.font = link_font
                    values[column] = cell
            ws.append(values)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output


# --- the workbook for the meeting -----------------------------------------------------------


def all_proposal_rows(
    campaign: Campaign,
    ranked: Sequence[RankedRow],
    locale: str,
    batch_size: int | None = None,
) -> Iterator[list[Any]]:
    """Every proposal of the campaign in any state: those in the vote in ranking order, then
    the others (without rank) by state and title; details loaded per batch."""
    listed = {row.entry.proposal_id for row in ranked}
    others = [
        (state.value, title.casefold(), pid, title)
        for pid, title, state in db.session.execute(
            select(Proposal.id, Proposal.title, Proposal.state).where(
                Proposal.campaign_id == campaign.id
            )
        )
        if pid not in listed
    ]
    unranked = [
        RankedRow(0, False, Entry(pid, title, 0, 0)) for *_key, pid, title in sorted(others)
    ]
    for values in iter_rows([*ranked, *unranked], locale, batch_size):
        if values[0] == 0:
            values[0] = values[1] = None
        yield values


# A meeting reads comments, it does not page through a national campaign's 200,000: past
# this many the sheet ends with a line saying how many more there are.
COMMENT_SHEET_LIMIT = 10_000


def comment_rows(
    campaign: Campaign, batch_size: int | None = None, limit: int | None = None
) -> Iterator[list[Any]]:
    """The comments on the campaign's proposals, oldest first, read in batches by id; at
    most ``limit`` (COMMENT_SHEET_LIMIT), then a line counting the rest."""
    from proposals.discussion import kind_label

    size = batch_size or BATCH_SIZE
    most = limit or COMMENT_SHEET_LIMIT
    zone = campaign.zone
    kinds = {kind: kind_label(kind) for kind in CommentKind}
    deleted = _("(deleted)")
    last = written = 0
    while True:
        if written >= most:
            rest = db.session.scalar(
                select(func.count(Comment.id))
                .join(Proposal, Proposal.id == Comment.proposal_id)
                .where(Proposal.campaign_id == campaign.id, Comment.id > last)
            )
            if rest:
                yield [_("… and %(num)d more comments, not included in this workbook.",
                         num=rest), "", "", "", None, ""]  # fmt: skip
            return
        batch = db.session.execute(
            select(
                Comment.id, Proposal.title, User.name, Organization.name, Comment.kind,
                Comment.created_at, Comment.body, Comment.deleted_at,
            )
            .join(Proposal, Proposal.id == Comment.proposal_id)
            .outerjoin(User, User.id == Comment.author_id)
            .outerjoin(Organization, Organization.id == Comment.organization_id)
            .where(Proposal.campaign_id == campaign.id, Comment.id > last)
            .order_by(Comment.id)
            .limit(size)
        ).all()  # fmt: skip
        for _id, title, author, organization, kind, created_at, body, deleted_at in batch:
            if written == most:
                break
            yield [
                title,
                author or "",
                organization or "",
                kinds[CommentKind(kind)],
                created_at.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None),
                deleted if deleted_at is not None else body,
            ]
            written += 1
            last = _id
        if len(batch) < size and written < most:
            return


def theme_rows(campaign: Campaign, ranked: Sequence[RankedRow], locale: str) -> Iterator[list[Any]]:
    """Per theme: its number of proposals in the vote and their points (a proposal with
    several themes counts in each)."""
    counts: dict[int | None, int] = defaultdict(int)
    points: dict[int | None, int] = defaultdict(int)
    for row in ranked:
        for theme_id in row.entry.theme_ids or (None,):
            counts[theme_id] += 1
            points[theme_id] += row.entry.points
    for theme in campaign.themes:
        if theme.archived_at is None or counts.get(theme.id):
            yield [theme.name(locale), counts.get(theme.id, 0), points.get(theme.id, 0)]
    if counts.get(None):
        yield [_("Without a theme"), counts[None], points[None]]


def turnout_rows(campaign: Campaign) -> list[list[Any]]:
    figures = results.turnout(campaign)

    def share(value: float) -> float:
        return round(value * 100, 1)

    whole = figures.active_organizations
    return [
        [_("Organisations that voted"), figures.voted, whole, share(figures.voted_share)],
        [_("Used their whole ballot"), figures.voted_fully, whole, share(figures.fully_share)],
        [_("Votes used"), figures.points_used, figures.points_total, share(figures.points_share)],
    ]


def meeting_sheets(campaign: Campaign, rows: Sequence[RankedRow], locale: str) -> list[Sheet]:
    """The workbook for the meeting: the shortlist (``rows``), every proposal, the comments,
    the themes and the turnout. Rows are produced while the workbook is written."""
    everything = results.shortlist(campaign)
    return [
        Sheet(_("Shortlist"), headers(), iter_rows(rows, locale), COLUMN_WIDTHS, (LINK_COLUMN,)),
        Sheet(
            _("All proposals"),
            headers(),
            all_proposal_rows(campaign, everything, locale),
            COLUMN_WIDTHS,
            (LINK_COLUMN,),
        ),
        Sheet(
            _("Comments"),
            [_("Proposal"), _("Author"), _("Organisation"), _("Kind"), _("Date"), _("Comment")],
            comment_rows(campaign),
            (40, 24, 30, 12, 18, 80),
        ),
        Sheet(
            _("Themes"),
            [_("Theme"), _("Proposals"), str(dict(COLUMNS)["points"])],
            theme_rows(campaign, everything, locale),
            (30, 12, 14),
        ),
        Sheet(
            _("Turnout"),
            [_("Turnout"), _("Number"), _("Out of"), _("Share (%)")],
            turnout_rows(campaign),
            (32, 12, 12, 12),
        ),
    ]


def json_chunks(
    campaign: Campaign, header: Sequence[str], rows: Iterable[Sequence[Any]], now: datetime
) -> Iterator[str]:
    """``{"campaign": …, "columns": […], "rows": [{key: value}, …]}``, one row at a time."""
    meta = {
        "slug": campaign.slug,
        "title": campaign.title,
        "generated_at": now.replace(tzinfo=UTC).isoformat(),
    }
    columns = [{"key": key, "label": label} for key, label in zip(KEYS, header, strict=True)]
    yield (
        '{"campaign": ' + json.dumps(meta, ensure_ascii=False)
        + ', "columns": ' + json.dumps(columns, ensure_ascii=False) + ', "rows": ['
    )  # fmt: skip
    for index, row in enumerate(rows):
        record = {key: json_value(v) for key, v in zip(KEYS, row, strict=True)}
        yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"


def filename(campaign: Campaign, fmt: str, now: datetime) -> str:
    """``ortak-<slug>-shortlist-YYYY-MM-DD.<fmt>``, dated in the campaign's time zone."""
    day = now.replace(tzinfo=UTC).astimezone(campaign.zone).date()
    return f"ortak-{campaign.slug}-shortlist-{day.isoformat()}.{fmt}"
