"""Moderators' routes for merging proposals, undoing merges and deciding a proposal's status.

Thin views on ``moderation.bp``: load (404) → ``Permission.moderate`` (403) → validate →
call :mod:`proposals.merging` / :mod:`proposals.decisions` → commit once and redirect
(303) with a flash. The merge is done in two steps without JavaScript: the form first
shows its consequences (votes moving, partners added), a second button confirms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from auth.errors import DomainError
from auth.permissions import Permission, permission_required
from extensions import db
from proposals import decisions, merging
from proposals.labels import label
from proposals.models import Comment, Merge, Proposal, ProposalState
from proposals.moderation import bp
from proposals.search import words_match
from web import attach_error, clock, safe_next

CANDIDATES_SHOWN = 50


class MergeForm(FlaskForm):
    sources = SelectMultipleField(
        _l("Proposals to merge into this one"), coerce=int, validate_choice=False
    )
    reason = TextAreaField(
        _l("Note for the record (optional)"),
        validators=[Length(max=2000)],
        description=_l("Kept with the merge in the audit log."),
    )


class DecisionForm(FlaskForm):
    state = RadioField(
        _l("Status"),
        choices=[SelectChoice(s.value, s.value) for s in decisions.DECIDABLE_STATES],
        validators=[InputRequired(message=_l("Choose a status."))],
    )
    answer_tr = TextAreaField(
        _l("Official answer in Turkish"), validators=[Length(max=decisions.ANSWER_MAX)]
    )
    answer_en = TextAreaField(
        _l("Official answer in English"), validators=[Length(max=decisions.ANSWER_MAX)]
    )
    reason = TextAreaField(
        _l("Reason for changing an earlier decision"),
        validators=[Length(max=2000)],
        description=_l("Needed when a decision is undone or changed; kept in the audit log."),
    )


def _published_or_404(proposal_id: int) -> Proposal:
    """Moderators see every published proposal; drafts are their organisation's alone."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not proposal.is_published:
        abort(404)
    return proposal


# --- merge ---------------------------------------------------------------------------------


def _ids(values: Iterable[str]) -> list[int]:
    """Proposal ids from ``?sources=1,2`` (or repeated ``sources``); anything else is ignored."""
    found = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part.isascii() and part.isdigit() and len(part) < 10:
                found.append(int(part))
    return list(dict.fromkeys(found))


def _sources(ids: list[int]) -> list[Proposal]:
    if not ids:
        return []
    return list(db.session.scalars(select(Proposal).where(Proposal.id.in_(ids))))


def _candidates(target: Proposal, q: str, selected: list[int]) -> tuple[list[Proposal], int]:
    """Proposals of the campaign that could be merged into ``target``, matching ``q``;
    the selected ones always come first, whatever the search."""
    statement = select(Proposal).where(
        Proposal.campaign_id == target.campaign_id,
        Proposal.id != target.id,
        Proposal.state.in_(merging.MERGEABLE_STATES),
    )
    statement = statement.where(*words_match(Proposal.search_text, q))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    found = db.session.scalars(
        statement.order_by(Proposal.title, Proposal.id).limit(CANDIDATES_SHOWN)
    ).all()
    chosen = [p for p in _sources(selected) if p.id != target.id]
    chosen.sort(key=lambda p: selected.index(p.id))
    return [*chosen, *(p for p in found if p.id not in selected)], total


@bp.route("/proposals/<int:proposal_id>/merge", methods=["GET", "POST"])
@permission_required(Permission.moderate)
def merge(proposal_id: int) -> ResponseReturnValue:
    target = _published_or_404(proposal_id)
    now = clock()
    q = (request.args.get("q") or "").replace("\x00", "")[:200].strip()
    form = MergeForm()
    plan: merging.MergePlan | None = None
    if request.method == "POST":
        selected = [i for i in (form.sources.data or []) if isinstance(i, int) and 0 < i < 2**31]
        if form.validate_on_submit():
            try:
                if request.form.get("action") == "merge":
                    merging.merge(
                        target, _sources(selected), current_user, now, form.reason.data or ""
                    )
                    db.session.commit()
                    flash(
                        _(
                            "The proposals have been merged into “%(title)s”. The organisations "
                            "concerned have been notified.",
                            title=target.title,
                        ),
                        "success",
                    )
                    return redirect(url_for("proposals.proposal", proposal_id=target.id), 303)
                plan = merging.plan_merge(target, _sources(selected), now)
            except DomainError as error:
                db.session.rollback()
                attach_error(form, error)
    else:
        selected = _ids(request.args.getlist("sources"))
        form.sources.data = selected
    candidates, total = _candidates(target, q, selected)
    return render_template(
        "moderation/merge.html",
        target=target,
        campaign=target.campaign,
        form=form,
        q=q,
        selected=set(selected),
        candidates=candidates,
        total=total,
        shown=CANDIDATES_SHOWN,
        plan=plan,
        mergeable=target.state in merging.MERGEABLE_STATES,
    )


@bp.post("/merges/<int:merge_id>/undo")
@permission_required(Permission.moderate)
def unmerge(merge_id: int) -> ResponseReturnValue:
    merge_row = db.session.get(Merge, merge_id)
    if merge_row is None:
        abort(404)
    back = safe_next(request.form.get("next")) or url_for(
        "proposals.proposal", proposal_id=merge_row.target_id
    )
    try:
        outcome = merging.unmerge(merge_row, current_user, clock())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back, 303)
    db.session.commit()
    flash(_("The merge has been undone: the proposals are as they were before it."), "success")
    if outcome.short:
        flash(
            ngettext(
                "%(num)d organisation could not get all its votes back (its ballot had no room "
                "left); it has been told.",
                "%(num)d organisations could not get all their votes back (their ballots had no "
                "room left); they have been told.",
                len(outcome.short),
            ),
            "error",
        )
    return redirect(back, 303)


# --- status decision -----------------------------------------------------------------------


def _why_no_decision(proposal: Proposal) -> str:
    if not decisions.is_decidable(proposal):
        return _("A draft, a withdrawn or a merged proposal takes no decision.")
    return _("Decisions are made once submissions have closed.")


@bp.route("/proposals/<int:proposal_id>/decision", methods=["GET", "POST"])
@permission_required(Permission.moderate)
def decide(proposal_id: int) -> ResponseReturnValue:
    proposal = _published_or_404(proposal_id)
    now = clock()
    if request.method == "GET":
        form = DecisionForm(
            data={
                "state": proposal.state.value,
                "answer_tr": proposal.answer_tr,
                "answer_en": proposal.answer_en,
            }
        )
    else:
        form = DecisionForm()
    if form.validate_on_submit():
        try:
            decided = decisions.decide(
                proposal,
                ProposalState(form.state.data),
                current_user,
                now,
                answer_tr=form.answer_tr.data or "",
                answer_en=form.answer_en.data or "",
                reason=form.reason.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "The status is now “%(state)s”. The organisations concerned have been "
                    "notified.",
                    state=label("state", proposal.state),
                ),
                "success",
            )
            if decided.returned_to:
                flash(
                    ngettext(
                        "The votes of %(num)d organisation went back to its ballot.",
                        "The votes of %(num)d organisations went back to their ballots.",
                        len(decided.returned_to),
                    ),
                    "success",
                )
            return redirect(url_for("proposals.proposal", proposal_id=proposal.id), 303)
    possible = decisions.possible_states(proposal, now)
    return render_template(
        "moderation/decision.html",
        proposal=proposal,
        campaign=proposal.campaign,
        form=form,
        possible=possible,
        why_not=None if possible else _why_no_decision(proposal),
        needs_reason={s.value for s in possible if decisions.needs_reason(proposal.state, s)},
    )


# --- what the proposal page shows ------------------------------------------------------------


@bp.app_template_global()
def merge_links(proposal: Proposal) -> dict[str, Any]:
    """The merge banner and the "merged from" list of a proposal page, with the number of
    comments each source keeps (its discussion stays on it, one link away)."""
    links = merging.links(proposal)
    ids = [p.id for _merge, sources in links.merged_from for p in sources]
    comments: dict[int, int] = {}
    if ids:
        comments = dict(
            db.session.execute(
                select(Comment.proposal_id, func.count(Comment.id))
                .where(Comment.proposal_id.in_(ids), Comment.deleted_at.is_(None))
                .group_by(Comment.proposal_id)
            ).all()
        )
    return {"links": links, "comments": comments}
