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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from auth.mail import external_url
from proposals import results
from proposals.labels import STATE_LABELS
from proposals.models import Campaign, ProposalState
from proposals.ranking import RankedRow

FORMATS = ("csv", "xlsx", "json")
MIMETYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8"
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
BATCH_SIZE = 500  # proposals whose details are loaded (and written) at a time

COLUMNS: tuple[tuple[str, Any], ...] = (
    ("rank", _l("Rank")),
    ("tied", _l("Tied")),
    ("title", _l("Title")),
    ("organization", _l("Organisation")),
    ("partners", _l("Partners (confirmed)")),
    ("themes", _l("Themes")),
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
    row: RankedRow, detail: results.Details, locale: str, link: Callable[[int], str]
) -> list[Any]:
    """One proposal's typed values, in the order of ``COLUMNS``."""
    return [
        row.rank,
        row.tied,
        row.entry.title,
        detail.organization,
        list(detail.partners),
        [theme.name(locale) for theme in detail.themes],
        row.entry.points,
        row.entry.supporters,
        detail.comments,
        detail.estimated_budget,
        detail.state,
        link(row.entry.proposal_id),
    ]


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
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        found = results.details(row.entry.proposal_id for row in batch)
        for row in batch:
            detail = found.get(row.entry.proposal_id)
            if detail is not None:  # deleted since the ranking was read: leave it out
                yield build_row(row, detail, locale, link)


# --- formatting cells -----------------------------------------------------------------------

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (and so XLSX) cannot hold; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return "'" + text if text.startswith(_DANGEROUS_START) else text


def spreadsheet_cell(value: Any) -> Any:
    """A typed value as a spreadsheet shows it: words for yes/no and states, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, ProposalState):
        return neutralise(str(STATE_LABELS.get(value.value, value.value)))
    if isinstance(value, list | tuple):
        return neutralise("; ".join(str(v) for v in value))
    if isinstance(value, str):
        return neutralise(value)
    return value


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
    for row in rows:
        writer.writerow([spreadsheet_cell(v) for v in row])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()


def _xlsx_text(value: Any) -> Any:
    cell = spreadsheet_cell(value)
    return _ILLEGAL_XML.sub("", cell) if isinstance(cell, str) else cell


def xlsx_file(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> IO[bytes]:
    """A workbook in a temporary file (rewound), written row by row in write-only mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Ortak")
    sheet.append([_xlsx_text(h) for h in header])
    for row in rows:
        sheet.append([_xlsx_text(v) for v in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output


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
