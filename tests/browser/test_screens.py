"""Every screen checked for what a person notices at once, with screenshots for design review.

On each screen: the page does not scroll sideways (tables and code blocks scroll inside their own
box on purpose), the console stays clean (CSP included) and the Mixpanel secret is nowhere.

`test_phone_pages_fit` runs by default: the data-heavy pages at phone width, loaded directly.
`test_screens` walks through every screen and state at desktop and phone widths, saving
full-page PNGs to test-artifacts/screenshots/ (git-ignored) as <width>-<nn>-<screen>.png. It
takes about 15 s, so it runs only on request:
    SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_screens.py
"""

from __future__ import annotations

import os
import uuid

import pytest
from playwright.sync_api import Page, expect

from connectors_admin.connectors.models import Connector
from connectors_admin.credentials.models import Credential
from tests.browser.conftest import SCREENSHOTS
from tests.browser.pages import (
    GCS_PATH,
    S3_PATH,
    fill_mixpanel_credential,
    fill_s3_form,
    sign_in,
    wait_htmx_idle,
)
from tests.conftest import GCS_FORM, MIXPANEL_SECRET, PASSWORD, S3_FORM

pytestmark = pytest.mark.browser

TAKE_SCREENSHOTS = os.environ.get("SCREENSHOTS", "") not in {"", "0"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

# Elements allowed to be wider than the screen because they scroll inside themselves.
OVERFLOW_CHECK = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter((el) => {
    if (el.closest('.table-scroll, .code, .skip-link')) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > doc.clientWidth + 1 || box.left < -1);
  });
  return {scroll: doc.scrollWidth, client: doc.clientWidth,
          wide: wide.slice(0, 5).map((el) => el.outerHTML.slice(0, 120))};
}"""


class Tour:
    def __init__(self, page: Page, width: str, console_errors: list[str]):
        self.page, self.width, self.errors, self.count = page, width, console_errors, 0

    def shot(self, name: str, *, full_page: bool = True) -> None:
        wait_htmx_idle(self.page)
        self.count += 1
        path = SCREENSHOTS / f"{self.width}-{self.count:02d}-{name}.png"
        # caret="initial": hiding the caret (the default) puts style="" on inputs, which htmx
        # copies while settling a swap, and the CSP then reports an inline style.
        self.page.screenshot(
            path=str(path), full_page=full_page, animations="disabled", caret="initial"
        )
        check_screen(self.page, name, self.errors)


def check_screen(page: Page, name: str, console_errors: list[str]) -> None:
    wait_htmx_idle(page)
    layout = page.evaluate(OVERFLOW_CHECK)
    assert layout["scroll"] <= layout["client"], (name, layout)
    assert layout["wide"] == [], (name, layout)
    assert MIXPANEL_SECRET not in page.content(), name
    assert console_errors == [], (name, console_errors)


def test_phone_pages_fit(page: Page, sandbox, owner, credential, client_for, console_errors):
    client = client_for(owner)
    body = {**S3_FORM, "credential": credential.pk, "form_token": uuid.uuid4()}
    assert client.post(S3_PATH, body).status_code == 302
    connector = Connector.objects.get()
    sign_in(page.context, owner, sandbox)
    page.set_viewport_size(VIEWPORTS["phone"])
    pages = {
        "dashboard": "/teams/acme/",
        "credentials": "/teams/acme/credentials/",
        "credential": f"/teams/acme/credentials/{credential.pk}/",
        "connectors": "/teams/acme/connectors/",
        "connector": f"/teams/acme/connectors/{connector.pk}/",
        "picker": "/teams/acme/connectors/new/",
        "members": "/teams/acme/members/",
        "audit": "/teams/acme/audit/",
        "create": S3_PATH,
    }
    for name, path in pages.items():
        page.goto(sandbox + path)
        check_screen(page, name, console_errors)
    page.get_by_role("button", name="Create connector").click()
    expect(page.locator("#create-panel .alert-error")).to_be_visible()
    check_screen(page, "create with errors", console_errors)


@pytest.mark.skipif(not TAKE_SCREENSHOTS, reason="set SCREENSHOTS=1 to take the screenshots")
@pytest.mark.parametrize("width", VIEWPORTS)
def test_screens(page: Page, width, sandbox, owner, fault, client_for, console_errors):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORTS[width])
    tour = Tour(page, width, console_errors)

    page.goto(f"{sandbox}/accounts/login/")
    tour.shot("login")
    page.get_by_role("button", name="Sign in").click()
    tour.shot("login-errors")
    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Acme Data")).to_be_visible()
    tour.shot("dashboard-empty")

    # Focus visibility: the skip link, a nav link, the primary action.
    page.keyboard.press("Tab")
    tour.shot("focus-skip-link", full_page=False)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    tour.shot("focus-nav", full_page=False)
    page.get_by_role("link", name="New connector").focus()
    tour.shot("focus-button", full_page=False)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Credentials").click()
    tour.shot("credentials-empty")
    page.get_by_role("link", name="Add a credential").click()
    tour.shot("credential-kinds")
    page.get_by_role("link", name="Mixpanel API credential").click()
    page.get_by_label("Default project id").fill("0")
    page.get_by_role("button", name="Save credential").click()
    expect(page.locator(".alert-error")).to_be_visible()
    tour.shot("credential-add-errors")
    fill_mixpanel_credential(page)
    page.get_by_role("button", name="Save credential").click()
    expect(page.get_by_role("heading", level=1, name="Production")).to_be_visible()
    tour.shot("credential-detail")
    page.get_by_role("button", name="Test now").click()
    expect(page.locator("#check-panel .status")).to_be_visible()
    tour.shot("credential-tested")
    page.get_by_role("link", name="Credentials", exact=True).first.click()
    tour.shot("credentials-list")
    page.get_by_role("link", name="Members").click()
    tour.shot("members")
    page.get_by_role("link", name="Audit").click()
    tour.shot("audit")

    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="New connector").click()
    tour.shot("template-picker")
    page.get_by_role("link", name="Mixpanel Cloud Import: Amazon S3").focus()
    tour.shot("focus-template-card", full_page=False)
    page.get_by_role("link", name="Mixpanel Cloud Import: Amazon S3").click()
    tour.shot("create-empty")
    page.get_by_label("Bucket").fill("Acme_Events")
    page.get_by_label("AWS region").fill("ohio")
    page.get_by_label("IAM role ARN").fill("arn:aws:iam::1234:role/x")
    page.get_by_label("IAM role ARN").press("Tab")
    expect(page.locator("#field-s3_role .errorlist")).to_be_visible()
    expect(page.locator(".field.has-error")).to_have_count(3)
    tour.shot("create-inline-errors")
    page.get_by_label("Data format").focus()
    tour.shot("focus-select", full_page=False)

    fill_s3_form(page)
    wait_htmx_idle(page)
    fault("status", status=503, message="Upstream storage is unavailable")
    page.get_by_role("button", name="Create connector").click()
    expect(page.locator("#create-panel .alert-error")).to_contain_text("HTTP 503")
    tour.shot("create-provider-error")
    page.get_by_role("button", name="Create connector").click()
    expect(page.get_by_role("heading", name="Connector created")).to_be_visible()
    tour.shot("create-result")

    # A few more records, made the quick way, so the lists look like a team's.
    client = client_for(owner)
    credential = Credential.objects.get()
    for extra in ({"gcs_prefix": "exports/people"}, {"gcs_bucket": "acme-archive"}):
        body = {**GCS_FORM, **extra, "credential": credential.pk, "form_token": uuid.uuid4()}
        assert client.post(GCS_PATH, body).status_code == 302
    s3 = {**S3_FORM, "s3_prefix": "", "credential": credential.pk, "form_token": uuid.uuid4()}
    assert client.post(S3_PATH, s3).status_code == 302
    Connector.objects.filter(template="mixpanel-gcs").update(remote_status="active")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Connectors").click()
    expect(page.locator("#connector-table tbody tr")).to_have_count(4)
    tour.shot("connectors-list")
    page.locator("#connector-table tbody tr").last.get_by_role("link").click()
    expect(page.locator("#curl-command")).to_be_visible()
    page.get_by_text("Record as returned (JSON)").click()
    tour.shot("connector-detail")
    page.get_by_role("button", name="Refresh status").click()
    expect(page.locator("#record-panel .alert")).to_be_visible()
    tour.shot("connector-detail-refreshed")
    page.get_by_role("link", name="Dashboard").click()
    tour.shot("dashboard")
