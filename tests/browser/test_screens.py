"""Every screen checked for what a person notices at once, with screenshots for design review.

On each screen: the page does not scroll sideways (tables and code blocks scroll inside their own
box on purpose), the console stays clean (CSP included) and no test secret is in the HTML.

`test_phone_pages_fit` runs by default: the data-heavy pages at phone width, loaded directly.
`test_screens` walks through every screen and state at desktop and phone widths, saving
full-page PNGs to test-artifacts/screenshots/ (git-ignored) as <width>-<nn>-<screen>.png;
`test_team_screens` does the same for credentials (add, test, compare, rotate, delete refused),
members, the audit trail and the AI Squared flow, as <width>-t<nn>-<screen>.png. Together they
take about 45 s, so they run only on request:
    SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_screens.py
"""

from __future__ import annotations

import os
import uuid

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from connectors_admin.accounts.models import Membership, Role
from connectors_admin.connectors.models import Connector
from connectors_admin.credentials.models import Credential
from tests.browser.conftest import SCREENSHOTS
from tests.browser.pages import (
    AISQ_PATH,
    AISQ_TOKEN,
    DB_PASSWORD,
    GCS_PATH,
    S3_PATH,
    aisq_payload,
    fill_and_leave,
    fill_mixpanel_credential,
    fill_pg_form,
    fill_s3_form,
    make_aisquared_credential,
    pick_postgres_source,
    sign_in,
    wait_htmx_idle,
)
from tests.conftest import GCS_FORM, MIXPANEL_SECRET, PASSWORD, S3_FORM, make_credential
from tests.test_kafka import mongo_form

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


SECRETS = (MIXPANEL_SECRET, DB_PASSWORD, AISQ_TOKEN)


class Tour:
    def __init__(self, page: Page, width: str, console_errors: list[str], prefix: str = ""):
        self.page, self.width, self.errors, self.count = page, width, console_errors, 0
        self.prefix = prefix

    def shot(self, name: str, *, full_page: bool = True) -> None:
        wait_htmx_idle(self.page)
        self.count += 1
        path = SCREENSHOTS / f"{self.width}-{self.prefix}{self.count:02d}-{name}.png"
        # caret="initial": hiding the caret (the default) puts style="" on inputs, which htmx
        # copies while settling a swap, and the CSP then reports an inline style.
        self.page.screenshot(
            path=str(path), full_page=full_page, animations="disabled", caret="initial"
        )
        check_screen(self.page, name, self.errors)


def keyboard_focus(page: Page, target) -> None:
    """Focus `target` the way a keyboard does, so :focus-visible applies (a click would not)."""
    target.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")


def check_screen(page: Page, name: str, console_errors: list[str]) -> None:
    wait_htmx_idle(page)
    layout = page.evaluate(OVERFLOW_CHECK)
    assert layout["scroll"] <= layout["client"], (name, layout)
    assert layout["wide"] == [], (name, layout)
    html = page.content()
    assert not [secret for secret in SECRETS if secret in html], name
    assert console_errors == [], (name, console_errors)


def test_phone_pages_fit(
    page: Page, sandbox, team, owner, credential, kc, make_user, client_for, console_errors
):
    # A member with an address long enough to need wrapping on the phone's member cards.
    email = "ada.lovelace-analytical-engine-notes@computing-history.example.com"
    Membership.objects.create(team=team, user=make_user("ada", email=email), role=Role.ADMIN)
    client = client_for(owner)
    body = {**S3_FORM, "credential": credential.pk, "form_token": uuid.uuid4()}
    assert client.post(S3_PATH, body).status_code == 302
    aisq = make_aisquared_credential(team, owner)
    assert client.post(AISQ_PATH, aisq_payload(aisq)).status_code == 302
    # A Kafka connector: its class's name as the API spells it is long, one word.
    kafka_path = reverse("connectors:create", args=["acme", "kafka-connect"])
    assert client.post(kafka_path, mongo_form(kc)).status_code == 302
    connector = Connector.objects.get(template="mixpanel-s3")
    aisq_connector = Connector.objects.get(template="aisquared-source")
    kafka_connector = Connector.objects.get(template="kafka-connect")
    sign_in(page.context, owner, sandbox)
    page.set_viewport_size(VIEWPORTS["phone"])
    cred = f"/teams/acme/credentials/{credential.pk}/"
    pages = {
        "dashboard": "/teams/acme/",
        "credentials": "/teams/acme/credentials/",
        "credential kinds": "/teams/acme/credentials/new/",
        "add aws": "/teams/acme/credentials/new/aws/",
        "add gcp": "/teams/acme/credentials/new/gcp/",
        "credential": cred,
        "rotate": cred + "rotate/",
        "edit": cred + "edit/",
        "delete refused": cred + "delete/",
        "connectors": "/teams/acme/connectors/",
        "connector": f"/teams/acme/connectors/{connector.pk}/",
        "operation": f"/teams/acme/submissions/{connector.submissions.first().pk}/",
        "confirm delete": f"/teams/acme/connectors/{connector.pk}/actions/delete/",
        "aisquared connector": f"/teams/acme/connectors/{aisq_connector.pk}/",
        "kafka connector": f"/teams/acme/connectors/{kafka_connector.pk}/",
        "picker": "/teams/acme/connectors/new/",
        "members": "/teams/acme/members/",
        "remove member": f"/teams/acme/members/{Membership.objects.get(user__username='ada').pk}/remove/",
        "audit": "/teams/acme/audit/",
        "aisquared create": AISQ_PATH,
        "create": S3_PATH,
    }
    for name, path in pages.items():
        page.goto(sandbox + path)
        check_screen(page, name, console_errors)
    # The history is cards, not a table scrolling sideways: every column on screen, and an
    # exchange's long URL and curl kept inside the card.
    page.goto(sandbox + pages["connector"])
    page.locator("#history-panel summary").first.click()
    expect(page.locator("#history-panel .attempts").first).to_be_visible()
    wide = page.evaluate(
        "() => { const box = document.querySelector('#history-panel .table-scroll');"
        " return [box.scrollWidth, box.clientWidth]; }"
    )
    assert wide[0] <= wide[1], wide
    # The audit trail is cards too: what happened is on screen, not scrolled off to the side.
    page.goto(sandbox + pages["audit"])
    entry = page.locator("table.audit-rows tbody tr").first
    for cell in ("a-what", "a-when", "a-who", "a-target"):
        box = entry.locator(f"td.{cell}").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS["phone"]["width"], (
            cell,
            box,
        )
    scroll = page.evaluate(
        "() => { const box = document.querySelector('.table-scroll');"
        " return [box.scrollWidth, box.clientWidth]; }"
    )
    assert scroll[0] <= scroll[1], scroll
    # The credentials too: a credential's last test and its connectors are on screen.
    page.goto(sandbox + pages["credentials"])
    for scroll in page.evaluate(
        "() => [...document.querySelectorAll('.table-scroll')]"
        ".map(box => [box.scrollWidth, box.clientWidth])"
    ):
        assert scroll[0] <= scroll[1], scroll
    row = page.locator("table.credential-rows tbody tr").first
    for cell in ("k-label", "k-test", "k-count"):
        box = row.locator(f"td.{cell}").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS["phone"]["width"], (
            cell,
            box,
        )
    page.goto(sandbox + S3_PATH)
    page.get_by_role("button", name="Create connector").click()
    expect(page.locator("#create-panel .alert-error")).to_be_visible()
    check_screen(page, "create with errors", console_errors)

    # The generated fields and a failed check, the widest state of the AI Squared form.
    page.goto(sandbox + AISQ_PATH)
    pick_postgres_source(page)
    fill_pg_form(page)
    page.get_by_role("button", name="Check connection").click()
    expect(page.locator(".check-connection .alert")).to_contain_text("Connection failed.")
    check_screen(page, "aisquared check failed", console_errors)


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
    page.get_by_label("Username or email").fill(owner.username)
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
    page.get_by_role("link", name="Mixpanel Cloud Import: Amazon S3", exact=True).focus()
    tour.shot("focus-template-card", full_page=False)
    page.get_by_role("link", name="Mixpanel Cloud Import: Amazon S3", exact=True).click()
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


@pytest.mark.skipif(not TAKE_SCREENSHOTS, reason="set SCREENSHOTS=1 to take the screenshots")
@pytest.mark.parametrize("width", VIEWPORTS)
def test_team_screens(
    page: Page, width, sandbox, team, owner, make_user, client_for, console_errors
):
    """Credentials, members, audit trail and AI Squared, as files <width>-t<nn>-<screen>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORTS[width])
    tour = Tour(page, width, console_errors, prefix="t")
    for name, role in (("ada", Role.ADMIN), ("mia", Role.MEMBER), ("victor", Role.VIEWER)):
        user = make_user(name, email=f"{name}@example.com")
        Membership.objects.create(team=team, user=user, role=role)
    from allauth.account.models import EmailAddress

    vera = make_user("vera", email="vera.longname-for-wrapping@example.com")
    EmailAddress.objects.create(user=vera, email=vera.email, verified=True)  # confirmed
    mixpanel = make_credential(team, owner)
    client = client_for(owner)
    body = {**S3_FORM, "credential": mixpanel.pk, "form_token": uuid.uuid4()}
    assert client.post(S3_PATH, body).status_code == 302
    sign_in(page.context, owner, sandbox)

    # Adding storage secrets: the kind picker, then two forms sent back with errors.
    page.goto(f"{sandbox}/teams/acme/credentials/")
    page.get_by_role("link", name="Add a credential").click()
    tour.shot("credential-kinds")
    page.get_by_role("link", name="GCP service account").click()
    page.get_by_label("Service-account key file (JSON)").set_input_files(
        files=[{"name": "key.json", "mimeType": "application/json", "buffer": b'{"type": "user"}'}]
    )
    page.get_by_role("button", name="Save credential").click()
    expect(page.locator(".alert-error")).to_be_visible()
    tour.shot("gcp-add-errors")
    page.get_by_role("link", name="New", exact=True).click()
    page.get_by_role("link", name="AWS access key").click()
    page.get_by_label("Label").fill("Exports bucket")
    page.get_by_label("Access key id").fill("AKIA-short")
    page.get_by_label("Secret access key").fill("too short")
    page.get_by_role("button", name="Save credential").click()
    expect(page.locator(".field.has-error")).to_have_count(2)
    tour.shot("aws-add-errors")
    page.get_by_label("Access key id").fill("AKIA" + "FAKE" * 4)
    page.get_by_label("Secret access key").fill("fAkE" * 9 + "x/9Q")
    page.get_by_role("button", name="Save credential").click()
    expect(page.get_by_role("heading", level=1, name="Exports bucket")).to_be_visible()
    page.get_by_role("button", name="Test now").click()
    expect(page.locator("#check-panel .status")).to_have_text("verified")
    keyboard_focus(page, page.get_by_role("link", name="Edit"))
    tour.shot("credential-detail-tested")

    # The Mixpanel credential: tested (a failure from the sandbox), compared, rotated.
    page.goto(f"{sandbox}/teams/acme/credentials/{mixpanel.pk}/")
    page.get_by_role("button", name="Test now").click()
    expect(page.locator("#check-panel .status")).to_be_visible()
    compare = page.locator("#compare-panel")
    compare.get_by_label("Service account secret").fill("not-the-secret")
    compare.get_by_role("button", name="Compare").click()
    expect(compare.locator(".alert")).to_contain_text("no, it differs")
    tour.shot("credential-detail-compared")
    page.get_by_role("link", name="Rotate secret").click()
    tour.shot("rotate")
    page.get_by_role("button", name="Replace the secret").click()
    expect(page.locator(".alert-error")).to_be_visible()
    tour.shot("rotate-errors")
    page.get_by_label("Service account secret").fill("mp-rotated-" + "K3Y" * 6 + "-7730")
    page.get_by_role("button", name="Replace the secret").click()
    expect(page.locator(".messages")).to_contain_text("The secret is replaced.")
    tour.shot("rotated")
    page.get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be deleted")
    tour.shot("delete-refused")

    # Members: add one by email, change a role, a refusal, an error.
    page.goto(f"{sandbox}/teams/acme/members/")
    page.get_by_label("Username or email").fill("vera.longname-for-wrapping@example.com")
    page.get_by_role("region", name="Add a member").get_by_label("Role").select_option(
        label="Viewer"
    )
    page.get_by_role("button", name="Add member").click()
    expect(page.locator(".messages")).to_contain_text("vera joined as Viewer.")
    page.get_by_label("Role of vera").select_option(label="Member")
    page.get_by_role("button", name="Change role of vera").click()
    expect(page.locator(".messages")).to_contain_text("vera is now Member.")
    tour.shot("members")
    keyboard_focus(page, page.get_by_label("Role of vera"))
    tour.shot("focus-member-role", full_page=False)
    page.get_by_label("Role of olivia").select_option(label="Viewer")
    page.get_by_role("button", name="Change role of olivia").click()
    expect(page.locator(".messages .alert-error")).to_be_visible()
    page.get_by_label("Username or email").fill("nobody@example.com")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator(".field.has-error")).to_have_count(1)
    tour.shot("members-errors")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    tour.shot("audit")

    # AI Squared: the catalogue, the generated PostgreSQL fields, checks, create, detail.
    make_aisquared_credential(team, owner)
    page.goto(sandbox + AISQ_PATH)
    keyboard_focus(page, page.get_by_label("Search the list"))
    tour.shot("aisq-create-catalogue")
    pick_postgres_source(page)
    page.get_by_label("Connector", exact=True).focus()
    tour.shot("aisq-create-postgres")
    fill_pg_form(page)
    page.get_by_role("button", name="Check connection").click()
    expect(page.locator(".check-connection .alert")).to_contain_text("Connection failed.")
    tour.shot("aisq-check-failed")
    page.get_by_role("button", name="Create connector").click()
    expect(page.locator("[name=confirm_failed_check]")).to_be_visible()
    tour.shot("aisq-create-needs-confirmation")
    keyboard_focus(page, page.locator("[name=confirm_failed_check]"))
    tour.shot("focus-confirm-checkbox", full_page=False)
    fill_and_leave(page, "Server address", "db.example.com")
    page.get_by_role("button", name="Check connection").click()
    expect(page.locator(".check-connection .alert")).to_contain_text("Connection succeeded.")
    tour.shot("aisq-check-succeeded")
    page.get_by_role("button", name="Create connector").click()
    expect(page.get_by_role("heading", name="Connector created")).to_be_visible()
    tour.shot("aisq-created")
    page.get_by_role("link", name="View details").click()
    page.get_by_text("Record as returned (JSON)").click()
    tour.shot("aisq-detail")
    # "Refresh status", not "Check connection": see test_aisquared.py's xfail.
    page.get_by_role("button", name="Refresh status").click()
    expect(page.locator("#record-panel .alert")).to_contain_text("Refreshed from AI Squared")
    tour.shot("aisq-detail-refreshed")


@pytest.mark.skipif(not TAKE_SCREENSHOTS, reason="set SCREENSHOTS=1 to take the screenshots")
@pytest.mark.parametrize("width", VIEWPORTS)
def test_platform_screens(
    page: Page, width, sandbox, team, owner, credential, fault, console_errors
):
    """Lost answers, operations and their exchanges, bulk refresh, a confirmed action, as
    <width>-p<nn>-<screen>.png."""
    from connectors_admin.connectors.models import Submission
    from connectors_admin.connectors.tasks import reconcile_create, refresh_connector
    from connectors_admin.sandbox.models import SandboxConnector

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORTS[width])
    tour = Tour(page, width, console_errors, prefix="p")
    sign_in(page.context, owner, sandbox)

    # A create whose answer is lost: the form says so, the operation's page follows it.
    page.goto(sandbox + S3_PATH)
    fill_s3_form(page)
    wait_htmx_idle(page)
    fault("late")
    page.get_by_role("button", name="Create connector").click()
    expect(page.locator("#create-panel .alert-error")).to_contain_text("did not answer within")
    tour.shot("create-answer-lost")
    submission = Submission.objects.get(action="create")
    page.goto(f"{sandbox}/teams/acme/submissions/{submission.pk}/")
    expect(page.locator("#outcome-panel")).to_contain_text("looking for the connector")
    tour.shot("operation-looking")
    page.goto(f"{sandbox}/teams/acme/")
    tour.shot("dashboard-lost-answer")
    # The live server queues work in its own thread's queue: run the job here as the worker would.
    reconcile_create.call(submission.pk)
    page.goto(f"{sandbox}/teams/acme/submissions/{submission.pk}/")
    expect(page.locator("#outcome-panel")).to_contain_text("Created — found afterwards")
    tour.shot("operation-found-afterwards")

    # A retried refresh: three exchanges under one operation.
    connector = Connector.objects.get()
    SandboxConnector.objects.update(created_at="2026-01-01T00:00:00Z")
    page.goto(f"{sandbox}/teams/acme/connectors/{connector.pk}/")
    fault("status", status=503, times=2)
    page.get_by_role("button", name="Refresh status").click()
    expect(page.locator("#record-panel .alert-success")).to_be_visible()
    page.reload()
    page.get_by_text("3 exchanges").click()
    tour.shot("connector-history-exchanges")

    # Pick rows on the list and refresh them in the background.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Connectors").click()
    box = page.locator('#connector-table input[name="connector"]').first
    picked = box.get_attribute("value")
    box.check()
    keyboard_focus(page, page.get_by_role("button", name="Refresh", exact=True))
    tour.shot("list-picked", full_page=False)
    page.get_by_role("button", name="Refresh", exact=True).click()
    expect(page.locator("#connector-table")).to_contain_text("refreshing…")
    tour.shot("list-refreshing")
    refresh_connector.call(str(picked))
    expect(page.locator("#connector-table")).not_to_contain_text("refreshing…", timeout=10000)
    tour.shot("list-refreshed")

    # A destructive action asks first.
    page.goto(f"{sandbox}/teams/acme/connectors/{connector.pk}/")
    page.get_by_role("link", name="Delete…").click()
    tour.shot("confirm-delete")
    page.get_by_role("button", name="Delete at Mixpanel").click()
    expect(page.locator(".alert-success")).to_contain_text("deleted at the provider")
    tour.shot("connector-deleted")
