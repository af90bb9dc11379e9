"""Thin routes for the results: the organisers' results page and downloads, publishing the
results, and the public shortlist once they are published.

The page's filters are a plain GET form (no JavaScript needed). Every list — the page, the
downloads, the public shortlist — comes from ``results.shortlist``, i.e. ``ranking.rank``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_percent, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from auth import security_log
from auth.audit import record
from auth.errors import DomainError
from auth.permissions import Permission, permission_required
from extensions import db, limit_per_user, login_manager
from proposals import charts, exports, ranking, results
from proposals.labels import STATE_LABELS
from proposals.models import Campaign, VotingMethod
from proposals.views import bp, campaign_or_404
from web import clock

MAX_CUT = 10_000  # the largest "top N" / "top K per theme" the form accepts
DISPLAY_LIMIT = 500  # rows shown on the page; the downloads have them all


@dataclass(frozen=True)
class ResultsQuery:
    """The results page's filters, from a query string; unknown values are ignored."""

    theme: int | None = None
    status: str = ""
    top: int | None = None
    per_theme: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str], campaign: Campaign) -> ResultsQuery:
        def number(name: str) -> int | None:
            value = (args.get(name) or "").strip()
            if not (value.isascii() and value.isdigit() and len(value) < 7):
                return None
            return int(value) if 1 <= int(value) <= MAX_CUT else None

        theme = number("theme")
        status = args.get("status", "")
        return cls(
            theme=theme if theme in {t.id for t in campaign.themes} else None,
            status=status if status in {s.value for s in results.IN_VOTE_STATES} else "",
            top=number("top"),
            per_theme=number("per_theme"),
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments for a link, defaults left out."""
        query = replace(self, **changes)
        values = {
            "theme": query.theme,
            "status": query.status,
            "top": query.top,
            "per_theme": query.per_theme,
        }
        return {k: v for k, v in values.items() if v not in ("", None)}

    @property
    def filtered(self) -> bool:
        return bool(self.theme or self.status)


def _rows(campaign: Campaign, query: ResultsQuery) -> list[ranking.RankedRow]:
    rows = results.shortlist(campaign, theme_id=query.theme, status=query.status or None)
    return ranking.top(rows, query.top) if query.top else rows


def _chart(bars: list[tuple[str, int, str]]) -> charts.Chart:
    return charts.horizontal_bars(bars)


@bp.get("/campaigns/<slug>/results", endpoint="results")
@permission_required(Permission.manage_campaigns)
def results_page(slug: str) -> ResponseReturnValue:
    campaign = campaign_or_404(slug)
    now = clock()
    locale = str(get_locale())
    query = ResultsQuery.from_args(request.args, campaign)
    everything = results.shortlist(campaign)
    rows = _rows(campaign, query) if (query.filtered or query.top) else everything
    by_theme: list[tuple[Any, list[ranking.RankedRow]]] | None = None
    if query.per_theme:
        selected = ranking.top_per_theme(rows, query.per_theme)
        by_theme = [
            (theme, selected.get(theme.id, []))
            for theme in campaign.themes
            if theme.archived_at is None or selected.get(theme.id)
        ]
        shown = [row for _theme, theme_rows in by_theme for row in theme_rows]
    else:
        shown = rows[:DISPLAY_LIMIT]
    theme_bars = results.votes_by_theme(campaign, everything, locale)
    days = results.votes_per_day(campaign)
    day_bars = [(format_date(day, "d MMM"), points, "#1d4f91") for day, points in days]
    return render_template(
        "proposals/results.html",
        campaign=campaign,
        phase=campaign.phase(now),
        query=query,
        rows=shown,
        total_rows=len(rows),
        by_theme=by_theme,
        details=results.details({row.entry.proposal_id for row in shown}),
        turnout=results.turnout(campaign),
        theme_chart=_chart([(b.label, b.value, b.colour) for b in theme_bars]),
        day_chart=_chart(day_bars),
        day_rows=[(format_date(day, "long"), points) for day, points in days],
        may_publish=results.may_publish(campaign, now),
        points_label=_points_label(campaign),
        state_labels={s.value: STATE_LABELS[s.value] for s in results.IN_VOTE_STATES},
        percent=format_percent,
        formats=exports.FORMATS,
        display_limit=DISPLAY_LIMIT,
    )


def _points_label(campaign: Campaign) -> str:
    return _("Points") if campaign.voting_method == VotingMethod.points else _("Votes")


@bp.get("/campaigns/<slug>/results.<any(csv, xlsx, json):fmt>")
@limit_per_user("RATELIMIT_EXPORT")
@permission_required(Permission.manage_campaigns)
def results_export(slug: str, fmt: str) -> ResponseReturnValue:
    campaign = campaign_or_404(slug)
    now = clock()
    query = ResultsQuery.from_args(request.args, campaign)
    rows = _rows(campaign, query)
    filters = query.args(per_theme=None)
    record(current_user, "shortlist.export", campaign,
           after={"format": fmt, **({"filters": filters} if filters else {})})  # fmt: skip
    db.session.commit()
    security_log.event("export.results", campaign=campaign.slug, format=fmt, rows=len(rows))
    name = exports.filename(campaign, fmt, now)
    header = exports.headers()
    body = exports.iter_rows(rows, str(get_locale()))
    if fmt == "xlsx":
        return send_file(
            exports.xlsx_file(exports.meeting_sheets(campaign, rows, str(get_locale()))),
            mimetype=exports.MIMETYPES[fmt],
            as_attachment=True,
            download_name=name,
        )
    chunks = (
        exports.csv_chunks(header, body)
        if fmt == "csv"
        else exports.json_chunks(campaign, header, body, now)
    )
    response = Response(stream_with_context(chunks), mimetype=exports.MIMETYPES[fmt])
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response


@bp.post("/campaigns/<slug>/results/publish", endpoint="publish_results")
@permission_required(Permission.manage_campaigns)
def publish_results_view(slug: str) -> ResponseReturnValue:
    campaign = campaign_or_404(slug)
    try:
        mails = results.publish_results(campaign, current_user, clock())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "The results have been published. %(num)d member of the organisations will "
                "be told by mail.",
                "The results have been published. %(num)d members of the organisations will "
                "be told by mail.",
                mails,
            ),
            "success",
        )
    return redirect(url_for("proposals.results", slug=campaign.slug), 303)


@bp.get("/campaigns/<slug>/shortlist", endpoint="shortlist")
def shortlist_page(slug: str) -> ResponseReturnValue:
    """The published shortlist, for everyone who can see the campaign."""
    campaign = campaign_or_404(slug)
    if not campaign.can_view(current_user):
        return login_manager.unauthorized()
    if campaign.results_published_at is None:
        abort(404)
    rows = results.shortlist(campaign)
    return render_template(
        "proposals/shortlist.html",
        campaign=campaign,
        rows=rows,
        organizations=results.organization_names(campaign),
        points_label=_points_label(campaign),
    )
