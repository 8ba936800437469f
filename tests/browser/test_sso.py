"""In the browser: single sign-on through a real OpenID Connect provider on loopback. One click on
the sign-in page, the provider's own login, and back with an account that has no team yet."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.test_sso import configure

pytestmark = pytest.mark.browser
pytest_plugins = ["tests.oidc_harness"]


def test_sign_in_through_sso(page: Page, sandbox, settings, oidc_provider, console_errors):
    configure(settings, oidc_provider.issuer, oidc_provider.client_secret, oidc_provider.client_id)
    # As settings.py does for the configured issuers: the SSO button's redirect may leave.
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": ["'self'", oidc_provider.base_url],
    }
    page.goto(f"{sandbox}/accounts/login/")
    page.screenshot(path=str(SCREENSHOTS / "sso-01-sign-in.png"), full_page=True)
    page.get_by_role("button", name="Loopback IdP (single sign-on)").click()
    # The identity provider's own login page (another process, another origin).
    page.get_by_label("Username").fill(oidc_provider.username)
    page.get_by_label("Password").fill(oidc_provider.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.startswith(sandbox)
    page.screenshot(path=str(SCREENSHOTS / "sso-02-no-team-yet.png"), full_page=True)
    expect(page.locator("main")).to_contain_text("team")
    assert console_errors == []
