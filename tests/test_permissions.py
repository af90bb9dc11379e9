"""The permission matrix: every route × every kind of visitor → the expected status.

A route added without a row here fails ``test_every_route_has_a_row``, so the
matrix cannot silently fall behind the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from auth.invitations import invite
from auth.models import Role
from extensions import db
from tests.conftest import PASSWORD

VISITORS = ("anonymous", "participant_a", "participant_b", "moderator", "organizer")
LOGIN = 302  # anonymous visitors are sent to the login page


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    path: str  # formatted with the ids of the world below
    expected: dict[str, int]
    data: tuple[tuple[str, str], ...] = ()
    # Rows whose request changes what later rows would see (state, session) get a world
    # of their own; the others share one world per visitor, which keeps the matrix fast.
    isolated: bool = False


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(VISITORS, status)


def members(status: int) -> dict[str, int]:
    return {"anonymous": LOGIN, **dict.fromkeys(VISITORS[1:], status)}


def api_members(status: int) -> dict[str, int]:
    """The API's members-only things: a 404 for anonymous callers (no login page to go to)."""
    return {"anonymous": 404, **dict.fromkeys(VISITORS[1:], status)}


def organizers_only(status: int) -> dict[str, int]:
    return {
        "anonymous": LOGIN,
        "participant_a": 403,
        "participant_b": 403,
        "moderator": 403,
        "organizer": status,
    }


def representatives_only(status: int) -> dict[str, int]:
    """Writing proposals: people who speak for an organisation."""
    return {"anonymous": LOGIN, "participant_a": status, "participant_b": status,
            "moderator": 403, "organizer": 403}  # fmt: skip


MATRIX: list[Row] = [
    Row("static", "GET", "/static/ortak.css", everyone(200)),
    Row("proposals.index", "GET", "/", everyone(200)),
    Row("proposals.campaign", "GET", "/campaigns/{public}", everyone(200)),
    Row("proposals.campaign", "GET", "/campaigns/{members}", members(200)),
    Row("proposals.new_campaign", "GET", "/campaigns/new", organizers_only(200)),
    Row("proposals.new_campaign", "POST", "/campaigns/new", organizers_only(200)),
    Row("proposals.edit_campaign", "GET", "/campaigns/{public}/edit", organizers_only(200)),
    Row("proposals.edit_campaign", "POST", "/campaigns/{public}/edit", organizers_only(200)),
    Row("proposals.advance_phase", "POST", "/campaigns/{public}/advance", organizers_only(303),
        isolated=True),
    Row("proposals.proposal_list", "GET", "/campaigns/{public}/proposals", everyone(303)),
    Row("proposals.proposal_list", "GET", "/campaigns/{members}/proposals", members(303)),
    Row("proposals.new_proposal", "GET", "/campaigns/{public}/proposals/new",
        representatives_only(200)),
    Row("proposals.new_proposal", "POST", "/campaigns/{public}/proposals/new",
        representatives_only(200)),
    Row("proposals.new_proposal", "GET", "/campaigns/{members}/proposals/new",
        representatives_only(200)),
    # The autosave always answers a status line (signed out, refused, saved), never a redirect.
    Row("proposals.autosave", "POST", "/campaigns/{public}/proposals/autosave", everyone(200),
        isolated=True),
    Row("proposals.autosave", "POST", "/proposals/{api_draft_a}/autosave",
        {**everyone(200), "participant_b": 404, "moderator": 404, "organizer": 404}),
    Row("proposals.proposal", "GET", "/proposals/{api_proposal}", everyone(200)),
    Row("proposals.proposal", "GET", "/proposals/{api_members_proposal}", members(200)),
    Row("proposals.proposal", "GET", "/proposals/{api_draft_a}",
        {**everyone(404), "participant_a": 200}),
    Row("proposals.proposal", "GET", "/proposals/999999", everyone(404)),
    Row("proposals.edit_proposal", "GET", "/proposals/{api_proposal}/edit",
        {"anonymous": LOGIN, "participant_a": 200, "participant_b": 403, "moderator": 200,
         "organizer": 200}),
    Row("proposals.edit_proposal", "POST", "/proposals/{api_proposal}/edit",
        {"anonymous": LOGIN, "participant_a": 200, "participant_b": 403, "moderator": 200,
         "organizer": 200}),
    Row("proposals.edit_proposal", "GET", "/proposals/{api_draft_a}/edit",
        {"anonymous": LOGIN, "participant_a": 200, "participant_b": 404, "moderator": 404,
         "organizer": 404}),
    Row("proposals.withdraw", "POST", "/proposals/{api_proposal}/withdraw",
        {**organizers_only(403), "participant_a": 303}, isolated=True),
    Row("proposals.undo_withdrawal", "POST", "/proposals/{api_proposal}/restore",
        organizers_only(403)),
    Row("proposals.answer_partnership", "POST", "/partnerships/{partnership_b}/confirm",
        {**organizers_only(403), "participant_b": 303}, isolated=True),
    Row("proposals.answer_partnership", "POST", "/partnerships/{partnership_b}/decline",
        {**organizers_only(403), "participant_b": 303}, isolated=True),
    # The discussion: an empty POST shows the form again (200); {comment_b} is participant_b's.
    Row("discussion.add_comment", "POST", "/proposals/{api_proposal}/comments", members(200)),
    Row("discussion.add_comment", "POST", "/proposals/{api_draft_a}/comments",
        {**members(404), "participant_a": 403}),
    Row("discussion.add_comment", "POST", "/proposals/999999/comments", members(404)),
    Row("discussion.comment", "GET", "/comments/{comment_b}", everyone(303)),
    Row("discussion.edit_comment", "GET", "/comments/{comment_b}/edit",
        {**organizers_only(403), "participant_b": 200}),
    Row("discussion.edit_comment", "POST", "/comments/{comment_b}/edit",
        {**organizers_only(403), "participant_b": 200}),
    Row("discussion.delete_comment", "POST", "/comments/{comment_b}/delete",
        {**organizers_only(403), "participant_b": 303}, isolated=True),
    Row("discussion.report_proposal", "GET", "/proposals/{api_proposal}/report", members(200)),
    Row("discussion.report_proposal", "POST", "/proposals/{api_proposal}/report", members(200)),
    Row("discussion.report_proposal", "GET", "/proposals/{api_draft_a}/report",
        {**members(404), "participant_a": 403}),
    Row("discussion.report_comment", "GET", "/comments/{comment_b}/report", members(200)),
    Row("discussion.report_comment", "POST", "/comments/{comment_b}/report", members(200)),
    Row("discussion.notifications_page", "GET", "/notifications", members(200)),
    Row("discussion.mark_read", "POST", "/notifications/read", members(303)),
    Row("discussion.notification_settings", "GET", "/notifications/settings", members(200)),
    Row("discussion.notification_settings", "POST", "/notifications/settings", members(303)),
    # Voting: an empty POST is refused in words (303 + flash) for a representative; people
    # without an organisation may not vote (403). {open_ballots} shows ballots to organisers.
    Row("proposals.vote", "POST", "/proposals/{api_proposal}/vote", representatives_only(303)),
    Row("proposals.vote", "POST", "/proposals/{api_draft_a}/vote",
        {**members(404), "participant_a": 303}),
    Row("proposals.vote", "POST", "/proposals/999999/vote", members(404)),
    Row("proposals.our_ballot", "GET", "/campaigns/{public}/ballot", representatives_only(200)),
    Row("proposals.our_ballot", "GET", "/campaigns/{members}/ballot", representatives_only(200)),
    Row("proposals.our_ballot", "GET", "/campaigns/unknown/ballot", members(404)),
    Row("proposals.ballots", "GET", "/campaigns/{public}/ballots", organizers_only(404)),
    Row("proposals.ballots", "GET", "/campaigns/{open_ballots}/ballots", organizers_only(200)),
    # Results: organisers see the page and download; publishing needs a closed vote (a
    # refusal is a 303 with a flash); the public shortlist exists only once published.
    Row("proposals.results", "GET", "/campaigns/{public}/results", organizers_only(200)),
    Row("proposals.results", "GET", "/campaigns/{members}/results", organizers_only(200)),
    Row("proposals.results", "GET", "/campaigns/unknown/results", organizers_only(404)),
    Row("proposals.results_export", "GET", "/campaigns/{closed}/results.csv",
        organizers_only(200), isolated=True),
    Row("proposals.results_export", "GET", "/campaigns/{closed}/results.xlsx",
        organizers_only(200), isolated=True),
    Row("proposals.results_export", "GET", "/campaigns/{closed}/results.json",
        organizers_only(200), isolated=True),
    Row("proposals.results_export", "GET", "/campaigns/unknown/results.csv",
        organizers_only(404)),
    Row("proposals.publish_results", "POST", "/campaigns/{public}/results/publish",
        organizers_only(303)),
    Row("proposals.publish_results", "POST", "/campaigns/{closed}/results/publish",
        organizers_only(303), isolated=True),
    Row("proposals.shortlist", "GET", "/campaigns/{public}/shortlist", everyone(404)),
    Row("proposals.shortlist", "GET", "/campaigns/{published}/shortlist", everyone(200)),
    Row("proposals.shortlist", "GET", "/campaigns/{published_members}/shortlist", members(200)),
    Row("proposals.shortlist", "GET", "/campaigns/unknown/shortlist", everyone(404)),
    Row("auth.login", "GET", "/login", {**everyone(302), "anonymous": 200}),
    Row("auth.login", "POST", "/login", {**everyone(302), "anonymous": 200}),
    Row("auth.logout", "POST", "/logout", members(303), isolated=True),
    Row("auth.forgot_password", "GET", "/password/forgot", everyone(200)),
    Row("auth.forgot_password", "POST", "/password/forgot", everyone(200)),
    Row("auth.reset_password", "GET", "/password/reset/not-a-token", everyone(303)),
    Row("auth.reset_password", "POST", "/password/reset/not-a-token", everyone(303)),
    Row("auth.account", "GET", "/account", members(200)),
    Row("auth.account", "POST", "/account", members(303)),
    Row("auth.change_password", "GET", "/account/password", members(200)),
    Row("auth.change_password", "POST", "/account/password", members(200)),
    Row("auth.accept_invitation", "GET", "/invitation/{token}", everyone(200)),
    Row("auth.accept_invitation", "POST", "/invitation/{token}", everyone(200)),
    Row("auth.accept_invitation", "GET", "/invitation/unknown-token", everyone(404)),
    Row("auth.invitations_admin", "GET", "/admin/invitations", organizers_only(200)),
    Row("auth.invitations_admin", "POST", "/admin/invitations", organizers_only(200)),
    Row("auth.resend_invitation", "POST", "/admin/invitations/{invitation}/resend",
        organizers_only(303), isolated=True),
    Row("auth.resend_invitation", "POST", "/admin/invitations/999999/resend",
        organizers_only(404)),
    Row("auth.revoke_invitation", "POST", "/admin/invitations/{invitation}/revoke",
        organizers_only(303), isolated=True),
    Row("auth.people", "GET", "/admin/people", organizers_only(200)),
    Row("auth.set_user_active", "POST", "/admin/people/{rep_b}/active", organizers_only(303),
        (("active", "1"),)),
    Row("auth.set_user_active", "POST", "/admin/people/999999/active", organizers_only(404)),
    Row("auth.organizations", "GET", "/organizations", everyone(200)),
    Row("auth.organization", "GET", "/organizations/{org_a}", everyone(200)),
    Row("auth.organization", "GET", "/organizations/999999", everyone(404)),
    Row("auth.edit_organization", "GET", "/organizations/{org_a}/edit",
        {"anonymous": LOGIN, "participant_a": 200, "participant_b": 403, "moderator": 403,
         "organizer": 200}),
    # An empty POST keeps the stored values (Flask-WTF falls back to the object): saved, 303.
    Row("auth.edit_organization", "POST", "/organizations/{org_a}/edit",
        {"anonymous": LOGIN, "participant_a": 303, "participant_b": 403, "moderator": 403,
         "organizer": 303}),
    Row("auth.set_organization_active", "POST", "/organizations/{org_a}/active",
        organizers_only(303), (("active", "1"),)),
    Row("auth.set_language", "POST", "/language", everyone(303), (("locale", "en"),),
        isolated=True),
    Row("auth.privacy", "GET", "/privacy", everyone(200)),
    # The open-data API: what one may not see is a JSON 404, never a redirect to log in.
    Row("api.campaigns", "GET", "/api/v1/campaigns", everyone(200)),
    Row("api.campaign", "GET", "/api/v1/campaigns/{public}", everyone(200)),
    Row("api.campaign", "GET", "/api/v1/campaigns/{members}", api_members(200)),
    Row("api.campaign", "GET", "/api/v1/campaigns/unknown", everyone(404)),
    Row("api.campaign_proposals", "GET", "/api/v1/campaigns/{public}/proposals", everyone(200)),
    Row("api.campaign_proposals", "GET", "/api/v1/campaigns/{members}/proposals",
        api_members(200)),
    Row("api.campaign_proposals", "GET", "/api/v1/campaigns/{public}/proposals?seed=x",
        everyone(400)),
    Row("api.proposal", "GET", "/api/v1/proposals/{api_proposal}", everyone(200)),
    Row("api.proposal", "GET", "/api/v1/proposals/{api_members_proposal}", api_members(200)),
    Row("api.proposal", "GET", "/api/v1/proposals/{api_draft_a}",
        {**everyone(404), "participant_a": 200}),
    Row("api.proposal", "GET", "/api/v1/proposals/999999", everyone(404)),
    Row("api.openapi", "GET", "/api/v1/openapi.json", everyone(200)),
    # Reports (issue 5, item 7): moderators and organisers only; a refusal (nothing to
    # restore) or a form without its reason is said in words (303 + flash, or 200).
    Row("moderation.reports", "GET", "/campaigns/{public}/reports",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.reports", "GET", "/campaigns/{public}/reports?show=decided",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.reports", "GET", "/campaigns/unknown/reports",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.dismiss_report", "POST", "/reports/{report_b}/dismiss",
        {**organizers_only(303), "moderator": 303}, isolated=True),
    Row("moderation.dismiss_report", "POST", "/reports/999999/dismiss",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.hide_proposal", "GET", "/proposals/{api_proposal}/hide",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.hide_proposal", "POST", "/proposals/{api_proposal}/hide",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.hide_proposal", "POST", "/proposals/{api_proposal}/hide",
        {**organizers_only(303), "moderator": 303}, (("reason", "Reklam"),), isolated=True),
    Row("moderation.hide_proposal", "GET", "/proposals/{api_draft_a}/hide",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.restore_proposal", "POST", "/proposals/{api_proposal}/unhide",
        {**organizers_only(303), "moderator": 303}),
    Row("moderation.restore_proposal", "POST", "/proposals/999999/unhide",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.hide_comment", "GET", "/comments/{comment_b}/hide",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.hide_comment", "POST", "/comments/{comment_b}/hide",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.hide_comment", "POST", "/comments/{comment_b}/hide",
        {**organizers_only(303), "moderator": 303}, (("reason", "Hakaret"),), isolated=True),
    Row("moderation.hide_comment", "GET", "/comments/999999/hide",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.restore_comment", "POST", "/comments/{comment_b}/unhide",
        {**organizers_only(303), "moderator": 303}),
    # Themes and the theme board (issue 5, items 1-3): moderators and organisers only. An
    # empty or refused form comes back with its message (200; ids of nothing here: 400); a
    # move or an archive goes back to the themes page (303). {theme} is {public}'s one theme.
    Row("moderation.dashboard", "GET", "/campaigns/{public}/moderation",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.dashboard", "GET", "/campaigns/unknown/moderation",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.themes", "GET", "/campaigns/{public}/themes",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.themes", "GET", "/campaigns/unknown/themes",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.new_theme", "GET", "/campaigns/{public}/themes/new",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.new_theme", "POST", "/campaigns/{public}/themes/new",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.edit_theme", "GET", "/themes/{theme}/edit",
        {**organizers_only(200), "moderator": 200}),
    # An empty POST keeps the stored values (Flask-WTF falls back to the object): 303.
    Row("moderation.edit_theme", "POST", "/themes/{theme}/edit",
        {**organizers_only(303), "moderator": 303}),
    Row("moderation.edit_theme", "GET", "/themes/999999/edit",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.move_theme", "POST", "/themes/{theme}/move",
        {**organizers_only(303), "moderator": 303}, (("direction", "up"),)),
    Row("moderation.move_theme", "POST", "/themes/{theme}/move",
        {**organizers_only(400), "moderator": 400}, (("direction", "sideways"),)),
    Row("moderation.move_theme", "POST", "/themes/999999/move",
        {**organizers_only(404), "moderator": 404}, (("direction", "up"),)),
    Row("moderation.archive_theme", "POST", "/themes/{theme}/archive",
        {**organizers_only(303), "moderator": 303}, isolated=True),
    Row("moderation.archive_theme", "POST", "/themes/999999/archive",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.board", "GET", "/campaigns/{public}/board",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.board", "GET", "/campaigns/{public}/board?theme=none&status=merged&q=%25",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.board", "GET", "/campaigns/unknown/board",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.board_assign", "POST", "/campaigns/{public}/board/assign",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.board_assign", "POST", "/campaigns/{public}/board/assign",
        {**organizers_only(400), "moderator": 400},
        (("proposal_ids", "999999"), ("theme_ids", "999999"), ("action", "add"))),
    Row("moderation.board_assign", "POST", "/campaigns/unknown/board/assign",
        {**organizers_only(404), "moderator": 404}),
    # Personal data and the audit log (issue 5, items 9-10): the list of confirmed personal
    # data is for moderators and organisers; "Mark reviewed" on an item with nothing
    # confirmed changes nothing (303 + flash). The audit log is organisers' alone.
    Row("moderation.personal_data", "GET", "/campaigns/{public}/personal-data",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.personal_data", "GET", "/campaigns/unknown/personal-data",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.review_personal_data", "POST", "/personal-data/proposal/{api_proposal}/review",
        {**organizers_only(303), "moderator": 303}),
    Row("moderation.review_personal_data", "POST", "/personal-data/comment/{comment_b}/review",
        {**organizers_only(303), "moderator": 303}),
    Row("moderation.review_personal_data", "POST", "/personal-data/comment/999999/review",
        {**organizers_only(404), "moderator": 404}),
    Row("audit.log", "GET", "/audit", organizers_only(200)),
    Row("audit.log", "GET", "/audit?campaign={public}&date_from=not-a-day&page=x",
        organizers_only(200)),
    Row("audit.export", "GET", "/audit.csv", organizers_only(200), isolated=True),
    # Merges and status decisions (issue 5, items 6 and 8): moderators and organisers only.
    # An empty or refused form comes back with its message (200); {merge} merged two
    # proposals of {public}: undoing it goes back to the target (303).
    Row("moderation.merge", "GET", "/proposals/{api_proposal}/merge",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.merge", "GET", "/proposals/{api_proposal}/merge?q=%25&sources=x,999999",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.merge", "POST", "/proposals/{api_proposal}/merge",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.merge", "POST", "/proposals/{api_proposal}/merge",
        {**organizers_only(200), "moderator": 200},
        (("sources", "999999"), ("action", "merge"))),
    Row("moderation.merge", "GET", "/proposals/{api_draft_a}/merge",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.merge", "GET", "/proposals/999999/merge",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.unmerge", "POST", "/merges/{merge}/undo",
        {**organizers_only(303), "moderator": 303}, isolated=True),
    Row("moderation.unmerge", "POST", "/merges/999999/undo",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.decide", "GET", "/proposals/{api_proposal}/decision",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.decide", "POST", "/proposals/{api_proposal}/decision",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.decide", "POST", "/proposals/{api_proposal}/decision",
        {**organizers_only(200), "moderator": 200}, (("state", "accepted"),)),
    Row("moderation.decide", "GET", "/proposals/{api_draft_a}/decision",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.decide", "GET", "/proposals/999999/decision",
        {**organizers_only(404), "moderator": 404}),
    # Theme suggestions and likely duplicates (issue 5, items 4-5): moderators and organisers
    # only; accepting or dismissing goes back to the suggestions page (303). The list of
    # similar proposals on the proposal form: whoever may propose there now, and moderators.
    Row("moderation.suggestions", "GET", "/campaigns/{public}/suggestions",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.suggestions", "GET", "/campaigns/unknown/suggestions",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.accept_suggestion", "POST",
        "/proposals/{api_proposal}/suggestions/{theme}/accept",
        {**organizers_only(303), "moderator": 303}, isolated=True),
    Row("moderation.accept_suggestion", "POST",
        "/proposals/{api_draft_a}/suggestions/{theme}/accept",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.dismiss_suggestion", "POST",
        "/proposals/{api_proposal}/suggestions/{theme}/dismiss",
        {**organizers_only(303), "moderator": 303}, isolated=True),
    Row("moderation.dismiss_suggestion", "POST", "/proposals/999999/suggestions/{theme}/dismiss",
        {**organizers_only(404), "moderator": 404}),
    Row("moderation.duplicates", "GET", "/campaigns/{public}/duplicates?min=60",
        {**organizers_only(200), "moderator": 200}),
    Row("moderation.duplicates", "GET", "/campaigns/unknown/duplicates",
        {**organizers_only(404), "moderator": 404}),
    Row("proposals.similar", "GET", "/campaigns/{public}/proposals/similar?title=Yayında",
        members(200)),
    Row("proposals.similar", "GET", "/campaigns/{members}/proposals/similar?title=Özel",
        members(200)),
    Row("proposals.similar", "GET", "/campaigns/{closed}/proposals/similar?title=Yayında",
        {**members(403), "moderator": 200, "organizer": 200}),
    Row("proposals.similar", "GET", "/campaigns/unknown/proposals/similar", members(404)),
    # The campaign's theme stylesheet (issue 5 follow-up: theme colours without inline
    # style): for whoever may see the campaign, like its page.
    Row("proposals.theme_styles", "GET", "/campaigns/{public}/themes.css", everyone(200)),
    Row("proposals.theme_styles", "GET", "/campaigns/{members}/themes.css?v=x", members(200)),
    Row("proposals.theme_styles", "GET", "/campaigns/unknown/themes.css", everyone(404)),
    # --- end of moderation rows ---
    # KVKK data rights (issue 6): one's own data (no id in the URL), deletion (an empty POST
    # shows the form with its errors; the matrix's only organiser is told they cannot leave),
    # the consent re-ask (already accepted: POST goes on, 303), the record of processing.
    Row("privacy.export_my_data", "GET", "/account/data.json", members(200)),
    Row("privacy.delete_account", "GET", "/account/delete", members(200)),
    Row("privacy.delete_account", "POST", "/account/delete", members(200)),
    Row("privacy.consent", "GET", "/account/consent", members(200)),
    Row("privacy.consent", "POST", "/account/consent", members(303)),
    Row("privacy.record_of_processing", "GET", "/privacy/record-of-processing",
        organizers_only(200)),
    Row("privacy.record_of_processing_csv", "GET", "/privacy/record-of-processing.csv",
        organizers_only(200)),
    # Sign-in security (issue 6): the second step and set-up of two-factor authentication,
    # recovery codes, ending sessions, the idle warning's keep-alive. Without a password
    # just given, the second step sends back to the login page (and the signed-in home).
    Row("auth.two_factor_login", "GET", "/login/two-factor", everyone(303)),
    Row("auth.two_factor_login", "POST", "/login/two-factor", everyone(303)),
    Row("auth.two_factor_setup", "GET", "/account/two-factor/setup", members(200)),
    Row("auth.two_factor_setup", "POST", "/account/two-factor/setup", members(200)),
    Row("auth.two_factor", "GET", "/account/two-factor", members(200)),
    Row("auth.regenerate_recovery_codes", "POST", "/account/two-factor/recovery-codes",
        members(303)),
    Row("auth.disable_two_factor", "POST", "/account/two-factor/disable", members(200)),
    Row("auth.end_other_sessions", "POST", "/account/sessions/end", members(303),
        isolated=True),
    Row("auth.end_user_sessions", "POST", "/admin/people/{rep_b}/sessions/end",
        organizers_only(303)),
    Row("auth.end_user_sessions", "POST", "/admin/people/999999/sessions/end",
        organizers_only(404)),
    Row("auth.reset_two_factor", "POST", "/admin/people/{rep_b}/two-factor/reset",
        organizers_only(303)),
    Row("auth.reset_two_factor", "POST", "/admin/people/999999/two-factor/reset",
        organizers_only(404)),
    Row("auth.keep_alive", "POST", "/session/keep-alive", {**everyone(200), "anonymous": 401}),
    # --- end of security rows ---
    # Production serving: health checks for the proxy and the process manager.
    Row("serving.healthz", "GET", "/healthz", everyone(200)),
    Row("serving.readyz", "GET", "/readyz", everyone(200)),
    # --- end of serving rows ---
]  # fmt: skip


@pytest.fixture
def world(app, clock, make_campaign, org_a, org_b, rep_a, rep_b, moderator, organizer):
    from proposals.models import Visibility

    public = make_campaign(slug="herkese-acik")
    members_only = make_campaign(slug="uyelere-ozel", visibility=Visibility.members)
    from proposals.models import BallotSecrecy

    open_ballots = make_campaign(slug="acik-oy-pusulalari", ballot_secrecy=BallotSecrecy.open)
    past = {
        "submission_opens_at": clock.now - timedelta(days=30),
        "submission_closes_at": clock.now - timedelta(days=20),
        "voting_opens_at": clock.now - timedelta(days=15),
        "voting_closes_at": clock.now - timedelta(days=1),
    }
    closed = make_campaign(slug="kapanmis", **past)
    published = make_campaign(
        slug="yayimlanmis", results_published_at=clock.now - timedelta(hours=12), **past
    )
    published_members = make_campaign(
        slug="yayimlanmis-uyelere", visibility=Visibility.members,
        results_published_at=clock.now - timedelta(hours=12), **past,
    )  # fmt: skip
    invitation = invite(
        organizer,
        email="yeni@dernek.example",
        role=Role.participant,
        now=clock.now,
        organization=org_a,
    )
    token = "known-token-for-the-matrix"
    from auth.models import hash_token

    invitation.token_hash = hash_token(token)
    from proposals.models import ActivityType
    from proposals.submission import ProposalFields, save_draft, submit

    def proposal(campaign, title, draft=False):
        fields = ProposalFields(title=title, summary="Özet", description="Açıklama",
                                activity_type=ActivityType.workshop, district="Konak")  # fmt: skip
        made = save_draft(campaign, rep_a, fields, clock.now)
        if not draft:
            submit(made, rep_a, clock.now)
        return made

    api_proposal = proposal(public, "Yayında")
    api_members_proposal = proposal(members_only, "Üyelere özel")
    api_draft_a = proposal(public, "Taslak", draft=True)
    partnered = save_draft(
        public, rep_a,
        ProposalFields(title="Ortaklı", summary="Özet", description="Açıklama",
                       activity_type="event", district="Buca", partner_ids=[org_b.id]),
        clock.now,
    )  # fmt: skip
    submit(partnered, rep_a, clock.now)
    from proposals.discussion import post_comment
    from proposals.models import CommentKind

    comment_b = post_comment(api_proposal, rep_b, "Bir yorum", CommentKind.comment, clock.now)
    from proposals.discussion import report

    report_b = report(rep_b, proposal=api_proposal, reason="Kopya öneri", now=clock.now)
    from proposals.models import Theme

    theme = Theme(campaign=public, name_tr="Kurumlar arası koordinasyon")
    db.session.add(theme)
    from proposals.merging import merge

    merged = merge(proposal(public, "Hedef"), [proposal(public, "Birleşen")], moderator, clock.now)
    db.session.commit()
    people = {
        "participant_a": rep_a,
        "participant_b": rep_b,
        "moderator": moderator,
        "organizer": organizer,
    }
    ids: dict[str, Any] = {
        "public": public.slug,
        "members": members_only.slug,
        "open_ballots": open_ballots.slug,
        "closed": closed.slug,
        "published": published.slug,
        "published_members": published_members.slug,
        "token": token,
        "invitation": invitation.id,
        "org_a": org_a.id,
        "rep_b": rep_b.id,
        "api_proposal": api_proposal.id,
        "api_members_proposal": api_members_proposal.id,
        "api_draft_a": api_draft_a.id,
        "partnership_b": partnered.partnerships[0].id,
        "comment_b": comment_b.id,
        "report_b": report_b.id,
        "theme": theme.id,
        "merge": merged.id,
    }
    return people, ids


def test_every_route_has_a_row(app):
    covered = {(row.endpoint, row.method) for row in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in covered:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes without a row in the permission matrix:\n" + "\n".join(missing)


def _check(client: Any, visitor: str, row: Row, ids: dict[str, Any]) -> str | None:
    path = row.path.format(**ids)
    if row.method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data=dict(row.data))
    response.close()  # static files are streamed from an open file
    expected = row.expected[visitor]
    if response.status_code != expected:
        return f"{visitor} {row.method} {path}: got {response.status_code}, expected {expected}"
    if expected == LOGIN and visitor == "anonymous" and "/login" not in response.location:
        return f"{visitor} {row.method} {path}: redirected to {response.location}, not login"
    return None


def _client(app: Any, people: dict[str, Any], visitor: str) -> Any:
    client = app.test_client()
    if visitor != "anonymous":
        response = client.post(
            "/login", data={"email": people[visitor].email, "password": PASSWORD}
        )
        assert response.status_code == 303, f"{visitor} could not log in"
    return client


@pytest.mark.parametrize("visitor", VISITORS)
def test_permission_matrix(app, world, visitor):
    people, ids = world
    client = _client(app, people, visitor)
    failures = [_check(client, visitor, row, ids) for row in MATRIX if not row.isolated]
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "row", [r for r in MATRIX if r.isolated], ids=lambda r: f"{r.method} {r.path}"
)
@pytest.mark.parametrize("visitor", VISITORS)
def test_permission_matrix_isolated(app, world, visitor, row):
    people, ids = world
    failure = _check(_client(app, people, visitor), visitor, row, ids)
    assert failure is None, failure
