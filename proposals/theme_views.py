"""Thin routes for the moderator's overview, the campaign's themes and the theme board.

They add themselves to the moderation blueprint. Every form posts and redirects (303)
without JavaScript. With htmx, a move or an archive swaps ``#theme-list``
(``moderation/_theme_list.html``) and a bulk assignment or a filter swaps ``#board``
(``moderation/_board.html``); each region says what happened in its own live region
and puts focus back on the button that was pressed. Validation errors come back as the
re-rendered form with status 200, with or without htmx; ids that are not of this
campaign (a tampered or foreign form) get 400.

One route is public and lives on the campaign pages' blueprint: the campaign's theme
stylesheet (``proposals.theme_styles``), which gives theme chips their colours without
any inline style. This module must therefore be imported before that blueprint is
registered (``proposals.init_app``).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import ColorInput

from auth.errors import DomainError
from auth.permissions import Permission, permission_required
from extensions import db, login_manager
from proposals import labels, themes, voting
from proposals.models import Campaign, Theme, Visibility
from proposals.moderation import bp, campaign_for_moderation
from proposals.views import bp as campaign_pages
from proposals.views import campaign_or_404
from web import attach_error, clock, page_or_fragment, wants_fragment

THEME_LIST = "theme-list"  # the id of the themes table's region, htmx target of move/archive
BOARD = "board"  # the id of the board's region, htmx target of the filters and bulk action

# What the dashboard's recent activity says for the audit actions it knows; any other
# action (from a feature added later) is shown by its code.
ACTION_LABELS: dict[str, Any] = {
    "theme.create": _l("Theme created"),
    "theme.update": _l("Theme edited"),
    "theme.move": _l("Themes reordered"),
    "theme.archive": _l("Theme archived"),
    "theme.unarchive": _l("Theme brought back"),
    "proposal.themes": _l("Themes of a proposal changed"),
    "proposal.submit": _l("Proposal submitted"),
    "proposal.withdraw": _l("Proposal withdrawn"),
    "proposal.undo_withdraw": _l("Withdrawal undone"),
    "proposal.moderator_edit": _l("Proposal edited by moderation"),
    "proposal.decide": _l("Status decided"),
    "proposal.merge": _l("Proposals merged"),
    "proposal.unmerge": _l("Merge undone"),
    "proposal.hide": _l("Proposal hidden"),
    "proposal.auto_hide": _l("Proposal hidden after reports"),
    "proposal.restore": _l("Proposal restored"),
    "comment.edit": _l("Comment edited"),
    "comment.delete": _l("Comment deleted"),
    "comment.hide": _l("Comment hidden"),
    "comment.auto_hide": _l("Comment hidden after reports"),
    "comment.restore": _l("Comment restored"),
    "report.dismiss": _l("Report dismissed"),
    "campaign.create": _l("Campaign created"),
    "campaign.update": _l("Campaign edited"),
    "campaign.advance_phase": _l("Phase closed early"),
    "campaign.publish_results": _l("Results published"),
}


class ThemeForm(FlaskForm):
    """Names and descriptions in Turkish (the name required) and English, and a colour.

    The colour is checked by :func:`proposals.themes.create_theme`/``update_theme`` (one
    rule for the form and any other caller); browsers without a colour picker show the
    colour input as a text field, hence the hint.
    """

    name_tr = StringField(
        _l("Name in Turkish"),
        validators=[
            DataRequired(message=_l("Please give the theme a name in Turkish.")),
            Length(max=themes.NAME_MAX),
        ],
        render_kw={"lang": "tr", "maxlength": themes.NAME_MAX},
    )
    name_en = StringField(
        _l("Name in English"),
        validators=[Length(max=themes.NAME_MAX)],
        description=_l("Optional; English readers see the Turkish name without it."),
        render_kw={"lang": "en", "maxlength": themes.NAME_MAX},
    )
    description_tr = TextAreaField(
        _l("Description in Turkish"),
        validators=[Length(max=themes.DESCRIPTION_MAX)],
        render_kw={"lang": "tr", "rows": 4},
    )
    description_en = TextAreaField(
        _l("Description in English"),
        validators=[Length(max=themes.DESCRIPTION_MAX)],
        render_kw={"lang": "en", "rows": 4},
    )
    colour = StringField(
        _l("Colour"),
        widget=ColorInput(),
        default=themes.DEFAULT_COLOUR,
        description=_l(
            "Shown as a small square beside the theme's name. Without a colour picker, "
            "type # and six hexadecimal digits, for example #6b3fa0."
        ),
    )

    def data_for_theme(self) -> themes.ThemeData:
        return themes.ThemeData(
            name_tr=self.name_tr.data or "",
            name_en=self.name_en.data or "",
            description_tr=self.description_tr.data or "",
            description_en=self.description_en.data or "",
            colour=self.colour.data or "",
        )


def _theme_or_404(theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    return theme


def _render(template: str, status: int = 200, **context: Any) -> Response:
    response = current_app.make_response((render_template(template, **context), status))
    response.vary.add("HX-Request")
    return response


# --- the campaign's theme stylesheet (public) -----------------------------------------------

YEAR = 365 * 24 * 3600


@campaign_pages.app_template_global("theme_styles_url")
def theme_styles_url(campaign: Campaign, campaign_themes: list[Theme] | None = None) -> str:
    """The address of the campaign's theme stylesheet, versioned by its themes' colours.

    Pages that show theme chips link it in base.html's ``styles`` block. Pass the themes
    when the page already has them all (the board does); otherwise the campaign's are
    loaded, one small query.
    """
    listed = campaign.themes if campaign_themes is None else campaign_themes
    return url_for("proposals.theme_styles", slug=campaign.slug, v=themes.styles_version(listed))


@campaign_pages.get("/campaigns/<slug>/themes.css")
def theme_styles(slug: str) -> ResponseReturnValue:
    """``.theme-<id>`` colours for the campaign's chips: CSP allows no inline style, and
    a theme's colour is whatever a moderator chose, so the rules are served, not fixed.

    Readable by whoever may see the campaign. With the current ``v`` (the address pages
    link) it is cached for a year: a change of colour changes ``v``. Any other address
    revalidates with its ETag (304 when nothing changed).
    """
    campaign = campaign_or_404(slug)
    if not campaign.can_view(current_user):
        return login_manager.unauthorized()
    listed = list(campaign.themes)
    version = themes.styles_version(listed)
    response = current_app.response_class(themes.stylesheet(listed), mimetype="text/css")
    # Weak: the same rules whether or not they are sent compressed (Flask-Compress rewrites
    # strong ETags only).
    response.set_etag(version, weak=True)
    shared = campaign.visibility == Visibility.public and not current_user.is_authenticated
    if request.args.get("v") == version:
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    if shared:
        response.cache_control.public = True
    else:
        response.cache_control.private = True  # a member's: no shared cache keeps it
    return response.make_conditional(request)


# --- the dashboard -----------------------------------------------------------------------


@bp.get("/campaigns/<slug>/moderation")
@permission_required(Permission.moderate)
def dashboard(slug: str) -> ResponseReturnValue:
    campaign = campaign_for_moderation(slug)
    reports_url = (
        url_for("moderation.reports", slug=campaign.slug)
        if "moderation.reports" in current_app.view_functions
        else None
    )
    return render_template(
        "moderation/dashboard.html",
        campaign=campaign,
        overview=themes.overview(campaign),
        reports_url=reports_url,
        action_labels=ACTION_LABELS,
        state_labels=labels.STATE_LABELS,
    )


# --- themes ------------------------------------------------------------------------------


def _theme_list_context(campaign: Campaign, **extra: Any) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "themes": sorted(campaign.themes, key=lambda t: (t.position, t.id)),
        "counts": themes.theme_counts(campaign),
        **extra,
    }


@bp.get("/campaigns/<slug>/themes", endpoint="themes")
@permission_required(Permission.moderate)
def themes_page(slug: str) -> ResponseReturnValue:
    campaign = campaign_for_moderation(slug)
    return render_template("moderation/themes.html", **_theme_list_context(campaign))


@bp.route("/campaigns/<slug>/themes/new", methods=["GET", "POST"])
@permission_required(Permission.moderate)
def new_theme(slug: str) -> ResponseReturnValue:
    campaign = campaign_for_moderation(slug)
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = themes.create_theme(campaign, current_user, form.data_for_theme())
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The theme “%(name)s” has been created.", name=theme.name_tr), "success")
            return redirect(url_for("moderation.themes", slug=campaign.slug), 303)
    return render_template("moderation/theme_form.html", form=form, campaign=campaign, theme=None)


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.moderate)
def edit_theme(theme_id: int) -> ResponseReturnValue:
    theme = _theme_or_404(theme_id)
    campaign = theme.campaign
    form = ThemeForm(obj=theme)
    if form.validate_on_submit():
        try:
            changed = themes.update_theme(theme, current_user, form.data_for_theme())
        except DomainError as error:
            db.session.rollback()  # nothing half-changed stays in the session
            attach_error(form, error)
        else:
            db.session.commit()
            if changed:
                flash(_("The theme “%(name)s” has been saved.", name=theme.name_tr), "success")
            return redirect(
                url_for("moderation.themes", slug=campaign.slug, _anchor=f"theme-{theme.id}"), 303
            )
    return render_template("moderation/theme_form.html", form=form, campaign=campaign, theme=theme)


def _after_theme_change(theme: Theme, message: str, focus: str) -> ResponseReturnValue:
    """The themes region with ``message`` read out and focus on ``focus`` (htmx), or a
    redirect to the themes page with the message flashed."""
    campaign = theme.campaign
    if wants_fragment(THEME_LIST):
        return _render(
            "moderation/_theme_list.html",
            **_theme_list_context(
                campaign, announcement=message, focus_theme=theme.id, focus=focus
            ),
        )
    flash(message, "success")
    response = redirect(
        url_for("moderation.themes", slug=campaign.slug, _anchor=f"theme-{theme.id}"), 303
    )
    response.vary.add("HX-Request")
    return response


@bp.post("/themes/<int:theme_id>/move")
@permission_required(Permission.moderate)
def move_theme(theme_id: int) -> ResponseReturnValue:
    theme = _theme_or_404(theme_id)
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)
    moved = themes.move_theme(theme, current_user, direction)
    db.session.commit()
    name = theme.name_tr
    if not moved:
        message = (
            _("“%(name)s” is already first.", name=name)
            if direction == "up"
            else _("“%(name)s” is already last.", name=name)
        )
    elif direction == "up":
        message = _("“%(name)s” moved up.", name=name)
    else:
        message = _("“%(name)s” moved down.", name=name)
    return _after_theme_change(theme, message, direction)


@bp.post("/themes/<int:theme_id>/archive")
@permission_required(Permission.moderate)
def archive_theme(theme_id: int) -> ResponseReturnValue:
    theme = _theme_or_404(theme_id)
    archive = theme.archived_at is None
    themes.set_archived(theme, current_user, archive, clock())
    db.session.commit()
    message = (
        _("“%(name)s” has been archived; its proposals keep it.", name=theme.name_tr)
        if archive
        else _("“%(name)s” is offered again.", name=theme.name_tr)
    )
    return _after_theme_change(theme, message, "archive")


# --- the theme board ---------------------------------------------------------------------


def _board_context(
    campaign: Campaign,
    filters: themes.BoardFilters,
    chosen: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """What the board's templates need. ``chosen`` ``"page"`` ticks every row of the page
    shown (the "Select all on this page" button); otherwise ``chosen_proposals`` in
    ``extra`` says which rows are ticked."""
    show_points = voting.results_visible(campaign, current_user, clock())
    found = themes.board(campaign, filters, with_points=show_points)
    context = {
        "campaign": campaign,
        "board": found,
        "show_points": show_points,
        "state_labels": labels.STATE_LABELS,
        "board_states": {s.value for s in themes.BOARD_STATES},
        "chosen_proposals": set(),
        "chosen_themes": set(),
        "action": "add",
        "error": None,
        "announcement": "",
        "focus": "",
        **extra,
    }
    if chosen == "page":
        context["chosen_proposals"] = {row.proposal.id for row in found.rows}
    return context


def _shown_message(found: themes.Board) -> str:
    """What a screen reader hears after the filters or a page link swapped the board."""
    if found.pages == 1:
        return ngettext("%(num)d proposal shown.", "%(num)d proposals shown.", len(found.rows))
    return _(
        "Page %(page)s of %(pages)s: proposals %(first)s–%(last)s of %(total)s.",
        page=format_number(found.page),
        pages=format_number(found.pages),
        first=format_number(found.first),
        last=format_number(found.last),
        total=format_number(found.total),
    )


@bp.get("/campaigns/<slug>/board")
@permission_required(Permission.moderate)
def board(slug: str) -> ResponseReturnValue:
    campaign = campaign_for_moderation(slug)
    context = _board_context(campaign, themes.BoardFilters.from_args(request.args))
    if wants_fragment(BOARD):
        context["announcement"] = _shown_message(context["board"])
        # A page link (its id starts "board-page") was followed: the reader starts on the
        # new rows. A change of the filters keeps focus where the moderator is typing.
        if (request.headers.get("HX-Trigger") or "").startswith("board-page"):
            context["focus"] = "table"
    return page_or_fragment("moderation/board.html", "moderation/_board.html", BOARD, **context)


def _form_ids(name: str) -> list[int]:
    """The integers a multi-valued field sent; anything else is a malformed form (400)."""
    values = request.form.getlist(name)
    if not all(v.isascii() and v.isdigit() and len(v) < 10 for v in values):
        abort(400)
    return [int(v) for v in values]


@bp.post("/campaigns/<slug>/board/assign")
@permission_required(Permission.moderate)
def board_assign(slug: str) -> ResponseReturnValue:
    campaign = campaign_for_moderation(slug)
    filters = themes.BoardFilters.from_args(request.form)
    proposal_ids, theme_ids = _form_ids("proposal_ids"), _form_ids("theme_ids")
    action = request.form.get("action", "")
    selection = request.form.get("select", "")
    if selection in ("page", "none"):
        return _select(campaign, filters, selection, set(theme_ids), action)
    status = 200
    try:
        if action not in ("add", "remove"):
            raise DomainError(_("Choose whether to add or remove the themes."), "action")
        changed = themes.assign_themes(
            campaign, proposal_ids, theme_ids, action == "add", current_user, clock()
        )
        db.session.commit()
    except themes.NotInCampaign as error:
        db.session.rollback()
        message, status = error.message, 400
    except DomainError as error:
        db.session.rollback()
        message = error.message
    except IntegrityError:  # another moderator added the same theme at the same moment
        db.session.rollback()
        message = _("The themes changed meanwhile; please check the board and try again.")
    else:
        if changed == 0:
            message = (
                _("Nothing changed: the chosen proposals already had these themes.")
                if action == "add"
                else _("Nothing changed: the chosen proposals did not have these themes.")
            )
        elif action == "add":
            message = ngettext(
                "Themes added to %(num)d proposal.", "Themes added to %(num)d proposals.", changed
            )
        else:
            message = ngettext(
                "Themes removed from %(num)d proposal.",
                "Themes removed from %(num)d proposals.",
                changed,
            )
        if wants_fragment(BOARD):
            return page_or_fragment(
                "moderation/board.html",
                "moderation/_board.html",
                BOARD,
                **_board_context(
                    campaign,
                    filters,
                    chosen_themes=set(theme_ids),
                    action=action,
                    announcement=message,
                    focus="apply",
                ),
            )
        flash(message, "success")
        response = redirect(url_for("moderation.board", slug=campaign.slug, **filters.args()), 303)
        response.vary.add("HX-Request")
        return response
    # Refused: the board again with the message, and everything chosen still chosen.
    return page_or_fragment(
        "moderation/board.html",
        "moderation/_board.html",
        BOARD,
        status=status,
        **_board_context(
            campaign,
            filters,
            chosen_proposals=set(proposal_ids),
            chosen_themes=set(theme_ids),
            action=action if action in ("add", "remove") else "add",
            error=message,
            announcement=message,
            focus="error",
        ),
    )


def _select(
    campaign: Campaign,
    filters: themes.BoardFilters,
    selection: str,
    theme_ids: set[int],
    action: str,
) -> ResponseReturnValue:
    """The board again with every row of the page ticked ("page") or none ("none"); the
    themes and the action chosen so far stay chosen. Nothing is changed: the moderator
    still presses "Apply", which acts on the rows ticked then."""
    context = _board_context(
        campaign,
        filters,
        chosen="page" if selection == "page" else "",
        chosen_themes=theme_ids,
        action=action if action in ("add", "remove") else "add",
        focus=f"select-{selection}",
    )
    chosen = len(context["chosen_proposals"])
    context["announcement"] = (
        ngettext(
            "The %(num)d proposal on this page is chosen.",
            "All %(num)d proposals on this page are chosen.",
            chosen,
        )
        if chosen
        else _("No proposal is chosen.")
    )
    return page_or_fragment("moderation/board.html", "moderation/_board.html", BOARD, **context)
