"""In the browser: an owner invites someone by email; the invitee opens the link, makes an
account and lands in the team."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from connectors_admin.accounts.models import Membership
from tests.browser.pages import send_invitation, sign_in

pytestmark = pytest.mark.browser


def test_an_invitee_makes_an_account_and_joins(
    page: Page, browser, sandbox, team, owner, console_errors, screenshot
):
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/members/")
    invite = page.locator("form", has=page.get_by_role("button", name="Send invitation"))
    invite.get_by_label("Email").fill("nina@example.com")
    invite.get_by_label("Role").select_option(label="Viewer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".messages")).to_contain_text("An invitation is on its way")
    expect(page.get_by_role("row").filter(has_text="nina@example.com")).to_contain_text("pending")
    screenshot("invite-01-sent")
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)

    stranger = browser.new_context().new_page()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Join Acme Data")
    stranger.get_by_label("Username").fill("nina")
    stranger.get_by_label("Password").fill("a long passphrase 4 nina")
    stranger.screenshot(
        path=str(screenshot("invite-02-join-form").parent / "invite-02-join-form.png")
    )
    stranger.get_by_role("button", name="Make my account and join").click()
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Acme Data")
    expect(stranger.locator(".messages")).to_contain_text(
        "Welcome to Acme Data. Your role: Viewer."
    )
    assert Membership.objects.get(user__username="nina").role == "viewer"
    # Her link again: she is in the team already; anyone else is told it no longer works.
    stranger.goto(link)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Acme Data")
    expect(stranger.locator(".messages")).to_contain_text(
        "You joined Acme Data with this invitation already."
    )
    someone = browser.new_context().new_page()
    someone.goto(link)
    expect(someone.get_by_role("heading", level=1)).to_have_text("This invitation no longer works")
    assert console_errors == []


def test_after_a_refused_invitation_the_add_form_still_adds_a_member(
    page: Page, sandbox, team, owner, make_user, console_errors
):
    from allauth.account.models import EmailAddress

    vera = make_user("vera", email="vera@example.com")
    EmailAddress.objects.create(user=vera, email=vera.email, verified=True)
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/members/")
    invite = send_invitation(page, "not an address")
    expect(invite.get_by_role("alert")).to_contain_text("The invitation was not sent")

    # The page that says so is the members page: its add form adds, whatever its address.
    add = page.locator("form", has=page.get_by_role("button", name="Add member"))
    add.get_by_label("Username or email").fill("vera")
    add.get_by_label("Role").select_option(label="Viewer")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator(".messages")).to_have_text("vera joined as Viewer.")
    assert Membership.objects.get(user=vera).role == "viewer"
    # The refused invitation's page is a 400, which the console reports; nothing else.
    assert [e for e in console_errors if "status of 400" not in e] == []
