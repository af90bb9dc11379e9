"""The audit log for organisers: browse, filter and download what moderators and organisers did.

Entries are appended by :func:`auth.audit.record` and never change. The page lists them
newest first, 50 a page, filtered by action, person, kind of target, campaign and dates
(days in the configured time zone, Europe/Istanbul by default). ``/audit.csv`` streams the
same selection as CSV; downloading the log is itself audited.

The campaign filter reaches the campaign's themes, proposals, comments, merges, reports and
ballots in SQL. Auth sits below proposals and never imports it (DESIGN §1), so those tables
are named here through SQLAlchemy's lightweight ``table()`` clauses: the schema (one source,
the migrations) is what the two packages share.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context
from flask import url_for as flask_url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement, Select, and_, column, or_, select, table
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError
from wtforms import SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice

from auth import security_log
from auth.audit import record
from auth.models import AuditEntry, Invitation, Organization, User
from auth.permissions import Permission, permission_required
from extensions import db, limit_per_user
from web import clock, page_number

bp = Blueprint("audit", __name__)

PER_PAGE = 50
NO_ACTOR = "none"  # the actor filter's value for entries without a person (automatic)

# Readable names of the actions the application records; others are shown as recorded.
ACTION_LABELS: dict[str, Any] = {
    "audit.export": _l("Audit log downloaded"),
    "campaign.create": _l("Campaign created"),
    "campaign.update": _l("Campaign edited"),
    "campaign.advance_phase": _l("Campaign phase closed early"),
    "campaign.publish_results": _l("Results published"),
    "shortlist.export": _l("Results downloaded"),
    "invitation.create": _l("Invitation sent"),
    "invitation.resend": _l("Invitation re-sent"),
    "invitation.revoke": _l("Invitation revoked"),
    "invitation.accept": _l("Invitation accepted"),
    "organization.create": _l("Organisation created"),
    "organization.update": _l("Organisation edited"),
    "organization.activate": _l("Organisation reactivated"),
    "organization.deactivate": _l("Organisation deactivated"),
    "user.activate": _l("Account reactivated"),
    "user.deactivate": _l("Account deactivated"),
    "user.role": _l("Role changed"),
    "user.password_change": _l("Password changed"),
    "user.end_sessions": _l("Signed out everywhere"),
    "user.two_factor_enable": _l("Two-step sign-in turned on"),
    "user.two_factor_disable": _l("Two-step sign-in turned off"),
    "user.two_factor_reset": _l("Two-step sign-in reset"),
    "user.recovery_code_used": _l("Recovery code used"),
    "user.consent": _l("Consent given"),
    "user.erase": _l("Account erased"),
    "theme.create": _l("Theme created"),
    "theme.update": _l("Theme edited"),
    "theme.move": _l("Themes reordered"),
    "theme.archive": _l("Theme archived"),
    "theme.unarchive": _l("Theme restored"),
    "proposal.themes": _l("Themes of a proposal changed"),
    "proposal.submit": _l("Proposal submitted"),
    "proposal.moderator_edit": _l("Proposal edited by a moderator"),
    "proposal.withdraw": _l("Proposal withdrawn"),
    "proposal.undo_withdraw": _l("Withdrawal undone"),
    "proposal.decide": _l("Status decided"),
    "proposal.merge": _l("Proposals merged"),
    "proposal.unmerge": _l("Merge undone"),
    "proposal.hide": _l("Proposal hidden"),
    "proposal.auto_hide": _l("Proposal hidden automatically"),
    "proposal.restore": _l("Proposal restored"),
    "comment.edit": _l("Comment edited"),
    "comment.delete": _l("Comment deleted"),
    "comment.hide": _l("Comment hidden"),
    "comment.auto_hide": _l("Comment hidden automatically"),
    "comment.restore": _l("Comment restored"),
    "report.dismiss": _l("Report dismissed"),
    "personal_data.review": _l("Personal data reviewed"),
}

TARGET_LABELS: dict[str, Any] = {
    "Campaign": _l("Campaign"),
    "Theme": _l("Theme"),
    "Proposal": _l("Proposal"),
    "Comment": _l("Comment"),
    "Merge": _l("Merge"),
    "Report": _l("Report"),
    "Ballot": _l("Ballot"),
    "Invitation": _l("Invitation"),
    "Organization": _l("Organisation"),
    "User": _l("Account"),
    "AuditLog": _l("Audit log"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def target_label(target_type: str) -> str:
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else target_type


# --- the campaign side's tables, by name ------------------------------------------------------

_campaigns = table("campaigns", column("id"), column("slug"), column("title"))
_themes = table("themes", column("id"), column("campaign_id"))
_proposals = table("proposals", column("id"), column("campaign_id"))
_comments = table("comments", column("id"), column("proposal_id"))
_merges = table("merges", column("id"), column("campaign_id"), column("target_id"))
_reports = table("reports", column("id"), column("proposal_id"), column("comment_id"))
_ballots = table("ballots", column("id"), column("campaign_id"))


def _is(target_type: str, ids: Any) -> ColumnElement[bool]:
    return and_(AuditEntry.target_type == target_type, AuditEntry.target_id.in_(ids))


def campaign_scope(campaign_id: int) -> ColumnElement[bool]:
    """Entries about the campaign or anything in it: one condition with subqueries."""
    proposal_ids = select(_proposals.c.id).where(_proposals.c.campaign_id == campaign_id)
    return or_(
        and_(AuditEntry.target_type == "Campaign", AuditEntry.target_id == campaign_id),
        _is("Theme", select(_themes.c.id).where(_themes.c.campaign_id == campaign_id)),
        _is("Proposal", proposal_ids),
        _is("Comment", select(_comments.c.id).where(_comments.c.proposal_id.in_(proposal_ids))),
        _is("Merge", select(_merges.c.id).where(_merges.c.campaign_id == campaign_id)),
        _is("Report", select(_reports.c.id).where(_reports.c.proposal_id.in_(proposal_ids))),
        _is("Ballot", select(_ballots.c.id).where(_ballots.c.campaign_id == campaign_id)),
    )


# --- the filters ------------------------------------------------------------------------------


def _parse_day(value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _check_day(value: str | None) -> None:
    """A day the log can hold: 0001-01-01 or 9999-12-31 would overflow the conversion to
    UTC (a 500), and no entry is from before 2000 or after 2100."""
    if not value:
        return
    day = _parse_day(value)
    if day is None:
        raise ValidationError(_l("Give a day as YYYY-MM-DD, for example 2026-11-25."))
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise ValidationError(_l("Give a date between 2000 and 2100."))


class AuditFilterForm(FlaskForm):
    """The page's filters: a GET form, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False)
    actor = SelectField(_l("Person"), validate_choice=False)
    target_type = SelectField(_l("Kind of target"), validate_choice=False)
    campaign = SelectField(_l("Campaign"), validate_choice=False)
    date_from = StringField(
        _l("From (day)"), description=_l("For example 2026-11-25."), render_kw={"type": "date"}
    )
    date_to = StringField(
        _l("To (day, included)"),
        description=_l("For example 2026-11-30."),
        render_kw={"type": "date"},
    )

    def validate_actor(self, field: SelectField) -> None:
        value = field.data or ""
        is_id = value.isascii() and value.isdigit() and len(value) < 10  # beyond: a 500
        if value not in ("", NO_ACTOR) and not is_id:
            raise ValidationError(_l("Choose a person from the list."))

    def validate_campaign(self, field: SelectField) -> None:
        if field.data and field.data not in {str(c.value) for c in field.choices}:
            raise ValidationError(_l("There is no campaign with this address."))

    def validate_date_from(self, field: StringField) -> None:
        _check_day(field.data)

    def validate_date_to(self, field: StringField) -> None:
        _check_day(field.data)
        start, end = _parse_day(self.date_from.data), _parse_day(field.data)
        if start and end and end < start:
            raise ValidationError(_l("This day is before the first day."))


@dataclass(frozen=True)
class AuditQuery:
    """The filters that passed their checks, as the query needs them."""

    action: str = ""
    actor: str = ""
    target_type: str = ""
    campaign_id: int | None = None
    start: datetime | None = None  # naive UTC, included
    end: datetime | None = None  # naive UTC, excluded

    def conditions(self) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if self.action:
            where.append(AuditEntry.action == self.action)
        if self.actor == NO_ACTOR:
            where.append(AuditEntry.actor_id.is_(None))
        elif self.actor:
            where.append(AuditEntry.actor_id == int(self.actor))
        if self.target_type:
            where.append(AuditEntry.target_type == self.target_type)
        if self.campaign_id is not None:
            where.append(campaign_scope(self.campaign_id))
        if self.start is not None:
            where.append(AuditEntry.created_at >= self.start)
        if self.end is not None:
            where.append(AuditEntry.created_at < self.end)
        return where

    def statement(self) -> Select[tuple[AuditEntry]]:
        return (
            select(AuditEntry)
            .where(*self.conditions())
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        )


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE", "Europe/Istanbul"))


def day_start_utc(day: date, zone: ZoneInfo) -> datetime:
    """The first moment of ``day`` in ``zone``, as naive UTC (how times are stored)."""
    return datetime.combine(day, time(), zone).astimezone(UTC).replace(tzinfo=None)


def _sorted_choices(values: Any, label: Any) -> list[SelectChoice]:
    return sorted((SelectChoice(v, label(v)) for v in values), key=lambda c: c.label.casefold())


def _choices(form: AuditFilterForm) -> dict[str, int]:
    """Fill the selects from what the log holds; returns campaign slug → id."""
    actions = db.session.scalars(select(AuditEntry.action).distinct()).all()
    form.action.choices = [
        SelectChoice("", _l("Any action")),
        *_sorted_choices(actions, action_label),
    ]
    actors = db.session.execute(
        select(User.id, User.name)
        .where(User.id.in_(select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None))))
        .order_by(User.name, User.id)
    ).all()
    form.actor.choices = [
        SelectChoice("", _l("Anyone")),
        *(SelectChoice(str(i), name) for i, name in actors),
        SelectChoice(NO_ACTOR, _l("No one (automatic)")),
    ]
    types = db.session.scalars(select(AuditEntry.target_type).distinct()).all()
    form.target_type.choices = [
        SelectChoice("", _l("Any kind")),
        *_sorted_choices(types, target_label),
    ]
    campaigns = db.session.execute(
        select(_campaigns.c.id, _campaigns.c.slug, _campaigns.c.title).order_by(_campaigns.c.title)
    ).all()
    form.campaign.choices = [
        SelectChoice("", _l("All campaigns")),
        *(SelectChoice(slug, title) for _id, slug, title in campaigns),
    ]
    return {slug: ident for ident, slug, _title in campaigns}


def read_filters() -> tuple[AuditFilterForm, AuditQuery]:
    """The filters from the query string; one that does not pass is shown with its message
    next to the field and left out of the query (the page still answers, never a 500)."""
    form = AuditFilterForm(formdata=request.args)
    campaign_ids = _choices(form)
    form.validate()
    ok = {name for name in ("action", "actor", "target_type", "campaign") if not form[name].errors}
    zone = _zone()
    start = _parse_day(form.date_from.data) if not form.date_from.errors else None
    end = _parse_day(form.date_to.data) if not form.date_to.errors else None
    query = AuditQuery(
        action=(form.action.data or "") if "action" in ok else "",
        actor=(form.actor.data or "") if "actor" in ok else "",
        target_type=(form.target_type.data or "") if "target_type" in ok else "",
        campaign_id=campaign_ids.get(form.campaign.data or "") if "campaign" in ok else None,
        start=day_start_utc(start, zone) if start else None,
        end=day_start_utc(end + timedelta(days=1), zone) if end else None,
    )
    return form, query


def active_filters(form: AuditFilterForm) -> dict[str, str]:
    """The query-string arguments of the filters in use (for page links and the download)."""
    names = ("action", "actor", "target_type", "campaign", "date_from", "date_to")
    return {name: form[name].data for name in names if form[name].data}


# --- what each row shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    key: str
    before: str
    after: str


def _show(value: Any, limit: int = 200) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        text = ", ".join(_show(v, limit) for v in value) or "[]"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The keys whose values differ between ``before`` and ``after``, in their order."""
    old, new = before or {}, after or {}
    keys = list(old) + [key for key in new if key not in old]
    return [
        Change(key, _show(old.get(key)), _show(new.get(key)))
        for key in keys
        if old.get(key) != new.get(key)
    ]


def _url(endpoint: str, **values: Any) -> str | None:
    """A link to a page, if that page exists in this application."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return flask_url_for(endpoint, **values)
    except BuildError:
        return None


def target_links(entries: list[AuditEntry]) -> dict[tuple[str, int], str]:
    """(type, id) → link, for targets that still exist: one query per kind of target."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.target_id is not None:
            wanted[entry.target_type].add(entry.target_id)
    links: dict[tuple[str, int], str | None] = {}

    def rows(statement: Any) -> list[Any]:
        return list(db.session.execute(statement).all())

    for kind, ids in wanted.items():
        if kind == "Campaign":
            for ident, slug in rows(
                select(_campaigns.c.id, _campaigns.c.slug).where(_campaigns.c.id.in_(ids))
            ):
                links[kind, ident] = _url("proposals.campaign", slug=slug)
        elif kind == "Theme":
            for ident, slug in rows(
                select(_themes.c.id, _campaigns.c.slug)
                .join(_campaigns, _campaigns.c.id == _themes.c.campaign_id)
                .where(_themes.c.id.in_(ids))
            ):
                links[kind, ident] = _url("moderation.themes", slug=slug)
        elif kind == "Proposal":
            for (ident,) in rows(select(_proposals.c.id).where(_proposals.c.id.in_(ids))):
                links[kind, ident] = _url("proposals.proposal", proposal_id=ident)
        elif kind == "Comment":
            for ident, proposal_id in rows(
                select(_comments.c.id, _comments.c.proposal_id).where(_comments.c.id.in_(ids))
            ):
                links[kind, ident] = _url(
                    "proposals.proposal", proposal_id=proposal_id, _anchor=f"comment-{ident}"
                )
        elif kind == "Merge":
            for ident, target_id in rows(
                select(_merges.c.id, _merges.c.target_id).where(_merges.c.id.in_(ids))
            ):
                links[kind, ident] = _url("proposals.proposal", proposal_id=target_id)
        elif kind == "Report":
            for ident, proposal_id in rows(
                select(_reports.c.id, _reports.c.proposal_id).where(_reports.c.id.in_(ids))
            ):
                links[kind, ident] = _url("proposals.proposal", proposal_id=proposal_id)
        elif kind == "Organization":
            for (ident,) in rows(select(Organization.id).where(Organization.id.in_(ids))):
                links[kind, ident] = _url("auth.organization", organization_id=ident)
        elif kind == "User":
            for (ident,) in rows(select(User.id).where(User.id.in_(ids))):
                links[kind, ident] = _url("auth.people")
        elif kind == "Invitation":
            for (ident,) in rows(select(Invitation.id).where(Invitation.id.in_(ids))):
                links[kind, ident] = _url("auth.invitations_admin")
    return {key: link for key, link in links.items() if link}


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    actor: str
    action: str
    target: str
    link: str | None
    changes: list[Change]


def _rows(entries: list[AuditEntry]) -> list[Row]:
    links = target_links(entries)
    return [
        Row(
            entry=entry,
            actor=entry.actor.name if entry.actor is not None else _("No one (automatic)"),
            action=action_label(entry.action),
            target=target_label(entry.target_type),
            link=links.get((entry.target_type, entry.target_id)) if entry.target_id else None,
            changes=changes(entry.before, entry.after),
        )
        for entry in entries
    ]


# --- routes -----------------------------------------------------------------------------------


@bp.get("/audit")
@permission_required(Permission.view_audit_log)
def log() -> ResponseReturnValue:
    form, query = read_filters()
    page = db.paginate(
        query.statement().options(selectinload(AuditEntry.actor)),
        page=page_number(request.args.get("page")),
        per_page=PER_PAGE,
        error_out=False,
        count=True,
    )
    filters = active_filters(form)
    campaign = None
    if query.campaign_id is not None:
        campaign = db.session.execute(
            select(_campaigns.c.id, _campaigns.c.slug, _campaigns.c.title).where(
                _campaigns.c.id == query.campaign_id
            )
        ).one()
    return render_template(
        "auth/audit_log.html",
        form=form,
        page=page,
        rows=_rows(list(page.items)),
        filters=filters,
        campaign=campaign,
    )


class AuditLog:
    """The target of an ``audit.export`` entry: the log itself, which has no id."""

    id = None


CSV_HEADERS = (
    _l("Time"),
    _l("Person"),
    _l("Action"),
    _l("Action (code)"),
    _l("Kind of target"),
    _l("Target id"),
    _l("Before"),
    _l("After"),
)
EXPORT_BATCH = 500


def csv_rows(query: AuditQuery, zone: ZoneInfo) -> Iterator[list[Any]]:
    """The selected entries as CSV rows, read in batches (the log only grows)."""
    statement = (
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(*query.conditions())
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .execution_options(yield_per=EXPORT_BATCH)
    )
    for entry, actor_name in db.session.execute(statement):
        local = entry.created_at.replace(tzinfo=UTC).astimezone(zone)
        yield [
            local.strftime("%Y-%m-%d %H:%M:%S"),
            actor_name or "",
            action_label(entry.action),
            entry.action,
            entry.target_type,
            entry.target_id,
            "" if entry.before is None else json.dumps(entry.before, ensure_ascii=False),
            "" if entry.after is None else json.dumps(entry.after, ensure_ascii=False),
        ]


@bp.get("/audit.csv")
@limit_per_user("RATELIMIT_EXPORT")
@permission_required(Permission.view_audit_log)
def export() -> ResponseReturnValue:
    # The shortlist's CSV writer (BOM, formula cells made inert), imported here, at the
    # request: auth does not import proposals at load time (DESIGN §1).
    from proposals.exports import csv_chunks

    form, query = read_filters()
    record(current_user, "audit.export", AuditLog(), after={"filters": active_filters(form)})
    db.session.commit()
    security_log.event("export.audit", filters=active_filters(form))
    zone = _zone()
    header = [f"{_('Time')} ({zone.key})", *(str(h) for h in CSV_HEADERS[1:])]
    response = Response(
        stream_with_context(csv_chunks(header, csv_rows(query, zone))), mimetype="text/csv"
    )
    day = clock().replace(tzinfo=UTC).astimezone(zone).date().isoformat()
    response.headers.set("Content-Disposition", "attachment", filename=f"ortak-audit-{day}.csv")
    return response
