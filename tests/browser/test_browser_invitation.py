"""An organiser invites a representative of a new organisation; the invitee accepts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_flask.live_server import LiveServer

from auth.models import OutboxMessage, User
from tests.browser.a11y import assert_accessible
from tests.conftest import PASSWORD, outbox_link

pytestmark = pytest.mark.browser

INVITEE = "zeynep@cigli-kadin.example"
INVITEE_NAME = "Zeynep Kaya"
NEW_ORGANISATION = "Çiğli Kadın Emeği Derneği"


def test_invite_a_new_organisation_and_accept(
    organizer: User,
    live_server: LiveServer,
    page: Page,
    open_page: Callable[[], Page],
    log_in: Callable[[Page, User], None],
    ui_text: Callable[..., str],
    read_outbox: Callable[[str], list[OutboxMessage]],
) -> None:
    log_in(page, organizer)
    page.get_by_role("navigation").get_by_role("link", name=ui_text("Invitations")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("Invitations"))
    assert_accessible(page)

    page.get_by_label(ui_text("Email address of the person invited"), exact=True).fill(INVITEE)
    page.get_by_label(ui_text("Role"), exact=True).select_option(
        label=ui_text("Representative of an organisation")
    )
    page.get_by_label(ui_text("Organisation"), exact=True).select_option(
        label=ui_text("New organisation")
    )
    page.get_by_label(ui_text("Name of the new organisation"), exact=True).fill(NEW_ORGANISATION)
    page.get_by_role("button", name=ui_text("Send the invitation")).click()
    expect(page.get_by_role("status")).to_contain_text(
        ui_text("The invitation to %(email)s is on its way.", email=INVITEE)
    )
    row = page.get_by_role("row").filter(has_text=INVITEE)
    expect(row).to_contain_text(NEW_ORGANISATION)
    expect(row).to_contain_text(ui_text("Pending"))
    assert_accessible(page)

    # The mail was written to the outbox in the same transaction as the invitation.
    (mail,) = read_outbox(INVITEE)
    assert NEW_ORGANISATION in mail.body_text
    link = outbox_link(mail.body_text)

    # The invitee, in their own browser (not signed in).
    invitee = open_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text(ui_text("Create your account"))
    expect(invitee.get_by_role("main")).to_contain_text(NEW_ORGANISATION)
    expect(invitee.get_by_role("main")).to_contain_text(INVITEE)
    assert_accessible(invitee)

    invitee.get_by_label(ui_text("Your name"), exact=True).fill(INVITEE_NAME)
    invitee.get_by_label(ui_text("New password"), exact=True).fill(PASSWORD)
    invitee.get_by_label(ui_text("New password again"), exact=True).fill(PASSWORD)
    invitee.get_by_label(
        ui_text("I have read the data-processing notice above and I agree to it."), exact=True
    ).check()
    invitee.get_by_role("button", name=ui_text("Create my account")).click()
    expect(invitee.get_by_role("status")).to_contain_text(
        ui_text("Welcome to Ortak, %(name)s. Your account is ready.", name=INVITEE_NAME)
    )
    header = invitee.get_by_role("banner")
    expect(header).to_contain_text(INVITEE_NAME)
    expect(header).to_contain_text(NEW_ORGANISATION)
    expect(header.get_by_role("button", name=ui_text("Log out"))).to_be_visible()
    assert_accessible(invitee)

    # The organiser sees the invitation accepted.
    page.reload()
    expect(page.get_by_role("row").filter(has_text=INVITEE)).to_contain_text(ui_text("Accepted"))
    assert_accessible(page)

    # The link works once only.
    response = invitee.goto(link)
    assert response is not None and response.status == 404
    expect(invitee.get_by_role("main")).to_contain_text(
        ui_text("This invitation has already been used. Log in instead.")
    )
    assert_accessible(invitee)
