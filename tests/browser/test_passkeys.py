"""In the browser, with Chromium's virtual authenticator standing in for a security key: a user
adds a passkey, signs out, and signs in with the passkey alone."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def virtual_authenticator(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_add_a_passkey_and_sign_in_with_it(page: Page, sandbox, owner, console_errors, settings):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # live_server speaks http
    virtual_authenticator(page)
    page.goto(f"{sandbox}/accounts/login/")
    page.get_by_label("Username or email").fill(owner.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Acme Data")).to_be_visible()

    page.get_by_role("link", name="Account security").click()
    page.get_by_role("link", name="Add").click()
    if "reauthenticate" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Passwordless").check()
    page.screenshot(path=str(SCREENSHOTS / "passkey-01-add.png"), full_page=True)
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".messages")).to_contain_text("Security key added")
    page.screenshot(path=str(SCREENSHOTS / "passkey-02-added.png"), full_page=True)
    assert Authenticator.objects.filter(user=owner, type="webauthn").count() == 1

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="A passkey").click()
    page.screenshot(path=str(SCREENSHOTS / "passkey-03-sign-in.png"), full_page=True)
    page.get_by_role("button", name="Use my passkey").click()
    expect(page.get_by_role("heading", level=1, name="Acme Data")).to_be_visible()
    assert console_errors == []


def test_a_security_key_is_the_second_factor_after_a_password(
    page: Page, sandbox, owner, console_errors, settings
):
    """A key added as a second factor only: the password sign-in then asks for it. Its button
    is disabled until allauth's script has hooked it (an early click did nothing). A key the
    server refuses (here: the page was opened again in another tab, so this one's challenge is
    stale) is said on the page, not a silent reload; the next try signs in."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    virtual_authenticator(page)
    sign_in_with_password(page, sandbox, owner)
    page.get_by_role("link", name="Account security").click()
    page.get_by_role("link", name="Add").click()
    if "reauthenticate" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".messages")).to_contain_text("Security key added")

    page.get_by_role("button", name="Sign out").click()
    sign_in_with_password(page, sandbox, owner, then=None)
    expect(page.get_by_role("heading", level=1, name="Two-factor sign-in")).to_be_visible()
    served = page.request.get(page.url).text()  # as sent, before any script ran; another tab
    assert re.search(r'id="mfa_webauthn_authenticate" disabled data-enabled-by-script', served)
    key = page.get_by_role("button", name="Use a security key or passkey")
    expect(key).to_be_enabled()
    key.click()
    refused = page.get_by_role("alert")
    expect(refused).to_contain_text("The security key or passkey was not accepted")
    page.screenshot(path=str(SCREENSHOTS / "passkey-04-second-factor-refused.png"), full_page=True)
    page.get_by_role("button", name="Use a security key or passkey").click()
    expect(page.get_by_role("heading", level=1, name="Acme Data")).to_be_visible()
    assert console_errors == []


def sign_in_with_password(page: Page, sandbox, user, then: str | None = "Acme Data") -> None:
    page.goto(f"{sandbox}/accounts/login/")
    page.get_by_label("Username or email").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if then:
        expect(page.get_by_role("heading", level=1, name=then)).to_be_visible()


def test_a_passkey_the_browser_refuses_is_said_on_the_page(page: Page, sandbox, console_errors):
    # Browsers refuse WebAuthn on an IP address: the page says so, and what to open instead.
    by_address = sandbox.replace("localhost", "127.0.0.1")
    page.goto(f"{by_address}/accounts/login/")
    page.get_by_role("link", name="A passkey").click()
    page.get_by_role("button", name="Use my passkey").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("does not allow passkeys or security keys at this address")
    expect(alert).to_contain_text("http://localhost:")
    assert console_errors == []
