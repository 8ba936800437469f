"""The Mixpanel S3 connector flow in a real browser: htmx swaps, inline checks, errors, no-JS."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from connectors_admin.connectors.models import Connector
from tests.browser.pages import (
    S3_PATH,
    add_mixpanel_credential,
    expect_form_keeps,
    fill_s3_form,
    sign_in,
    slow_network,
    wait_htmx_idle,
)
from tests.conftest import MIXPANEL_SECRET, PASSWORD, S3_FORM

pytestmark = pytest.mark.browser


def test_new_user_creates_s3_connector_in_place(page: Page, sandbox, owner, console_errors):
    # Sign in through the login page like a person would.
    page.goto(f"{sandbox}/accounts/login/")
    page.get_by_label("Username or email").fill(owner.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Acme Data")).to_be_visible()

    # Store a Mixpanel credential.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Credentials").click()
    providers = page.get_by_role("region", name="Provider API credentials")
    expect(providers).to_contain_text("None stored yet.")
    add_mixpanel_credential(page)
    expect(page.get_by_role("heading", level=1, name="Production")).to_be_visible()
    expect(page.get_by_role("region", name="Secret", exact=True)).to_contain_text(
        f"…{MIXPANEL_SECRET[-4:]}"
    )
    assert MIXPANEL_SECRET not in page.content()

    # Pick the S3 template and fill its form; the credential's defaults are already there.
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="New connector").click()
    page.get_by_role("link", name="Mixpanel Cloud Import: Amazon S3", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mixpanel Cloud Import: Amazon S3")
    expect(page.get_by_label("Credential")).to_have_value(re.compile(r"^\d+$"))
    expect(page.get_by_label("Project id")).to_have_value("4242")
    form_url = page.url
    # A full page load would replace this marker; an htmx swap keeps it.
    page.evaluate("() => { window.__noReload = true; }")
    fill_s3_form(page)
    page.get_by_role("button", name="Create connector").click()

    result = page.locator("#create-panel .result")
    expect(result.get_by_role("heading", name="Connector created")).to_be_visible()
    expect(result.get_by_role("heading", name="Connector created")).to_be_focused()
    expect(result).to_contain_text("acme-events")
    expect(result).to_contain_text("arn:aws:iam::123456789012:role/mixpanel-import")
    wait_htmx_idle(page)
    assert page.url == form_url
    assert page.evaluate("() => window.__noReload === true")
    assert MIXPANEL_SECRET not in page.content()

    connector = Connector.objects.get()
    expect(result).to_contain_text(connector.remote_id)

    # The record is in the team's connector list.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Connectors").click()
    row = page.locator("#connector-table tbody tr", has_text=connector.remote_id)
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name="acme-events/cloudimport/event")).to_be_visible()
    expect(row).to_contain_text("Amazon S3")
    expect(row).to_contain_text("acme-events/cloudimport/event")
    expect(row).to_contain_text("Production")
    assert MIXPANEL_SECRET not in page.content()
    assert console_errors == [], "\n".join(console_errors)


def test_inline_validation_on_leaving_a_field(
    page: Page, sandbox, owner, credential, console_errors
):
    sign_in(page.context, owner, sandbox)
    page.goto(sandbox + S3_PATH)
    role = page.get_by_label("IAM role ARN")
    row = page.locator("#field-s3_role")
    errors = row.locator(".errorlist")

    role.fill("arn:aws:iam::12345:role/too-short-account")
    role.press("Tab")
    expect(errors).to_have_text(re.compile(r"An IAM role ARN: arn:aws:iam::<12-digit account id>"))
    expect(row).to_have_class(re.compile(r"\bhas-error\b"))
    # Checked without submitting: no summary alert, nothing sent, focus moved on as asked.
    expect(page.locator("#create-panel .alert-error")).to_have_count(0)
    expect(page.get_by_label("Data format")).to_be_focused()
    # The swapped-in input keeps what was typed and is described by its error.
    expect(role).to_have_value("arn:aws:iam::12345:role/too-short-account")
    expect(role).to_have_attribute("aria-invalid", "true")
    expect(role).to_have_attribute("aria-describedby", re.compile(r"\bid_s3_role_error\b"))

    role.fill(S3_FORM["s3_role"])
    role.press("Tab")
    expect(errors).to_have_count(0)
    expect(row).not_to_have_class(re.compile(r"\bhas-error\b"))
    expect(role).to_have_value(S3_FORM["s3_role"])
    expect(role).not_to_have_attribute("aria-invalid", "true")
    wait_htmx_idle(page)
    assert console_errors == [], "\n".join(console_errors)


def test_provider_error_keeps_the_form(
    page: Page, sandbox, owner, credential, fault, console_errors
):
    sign_in(page.context, owner, sandbox)
    page.goto(sandbox + S3_PATH)
    form_url = page.url
    fill_s3_form(page)
    fault("status", status=503)
    submit = page.get_by_role("button", name="Create connector")
    submit.click()

    alert = page.locator("#create-panel .alert-error")
    # A 5xx may hide a create that happened: the outcome is unclear until it is looked for.
    expect(alert).to_contain_text("Outcome unclear.")
    expect(alert).to_contain_text("Mixpanel had a server error (HTTP 503)")
    expect(alert).to_be_focused()
    wait_htmx_idle(page)
    expect_form_keeps(page)
    expect(submit).to_be_enabled()
    expect(page.locator("#submit-busy")).to_be_hidden()
    assert page.url == form_url
    assert Connector.objects.count() == 0

    # The button really works again. The first try may have created it (Mixpanel takes no
    # idempotency key): the second asks first, then goes through once that is ticked.
    submit.click()
    expect(alert).to_contain_text("The last try may have created this connector")
    expect(alert).to_be_focused()
    assert Connector.objects.count() == 0
    page.get_by_label("Send it again anyway, although the last try may have created it").check()
    submit.click()
    expect(page.get_by_role("heading", name="Connector created")).to_be_visible()
    wait_htmx_idle(page)
    assert Connector.objects.count() == 1
    # The app answered the provider's 503 with a 200 page, so a failed request would show here.
    assert console_errors == [], "\n".join(console_errors)


def test_form_works_without_javascript(browser, sandbox, owner, credential):
    context = browser.new_context(java_script_enabled=False)
    try:
        sign_in(context, owner, sandbox)
        page = context.new_page()
        page.goto(sandbox + S3_PATH)
        fill_s3_form(page)
        page.get_by_role("button", name="Create connector").click()

        page.wait_for_url(re.compile(r"/teams/acme/connectors/[0-9a-f-]{36}/$"))
        # The page is named after the connector itself; its template is the eyebrow above.
        expect(page.get_by_role("heading", level=1)).to_have_text("acme-events/cloudimport/event")
        expect(page.locator(".eyebrow")).to_have_text("Mixpanel Cloud Import: Amazon S3")
        connector = Connector.objects.get()
        assert page.url.endswith(f"/connectors/{connector.pk}/")
        expect(page.locator("#record-panel")).to_contain_text(connector.remote_id)
        expect(page.locator("#curl-command")).to_contain_text("$MIXPANEL_SECRET")
        assert MIXPANEL_SECRET not in page.content()
    finally:
        context.close()


def test_a_late_check_never_takes_back_what_was_typed_since(
    page: Page, sandbox, owner, credential, console_errors
):
    sign_in(page.context, owner, sandbox)
    page.goto(sandbox + S3_PATH)
    slow_network(page, 700)
    bucket = page.locator("form [name=s3_bucket]")
    bucket.fill("acme-events")
    bucket.press("Tab")  # its check leaves now, and answers late
    page.keyboard.press("Shift+Tab")
    bucket.press("End")
    page.keyboard.type("-raw")
    wait_htmx_idle(page)  # the check answered: its field was swapped in
    expect(bucket).to_have_value("acme-events-raw")
    expect(bucket).to_be_focused()
    assert console_errors == [], "\n".join(console_errors)


def test_boxes_ticked_while_the_fields_reload_stay_as_ticked(
    page: Page, sandbox, team, owner, console_errors
):
    from tests.browser.test_videovector import videovector_credential

    videovector_credential(team, owner)
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/new/videovector-s3/")
    scope = page.locator("form [name=scopes]")
    expect(scope.first).to_be_visible()
    slow_network(page, 500)
    export = page.locator("form [name=scopes][value=export]")
    imports = page.locator("form [name=scopes][value=import]")
    imports.uncheck()  # reloads the fields
    page.wait_for_timeout(150)
    export.check()  # while that reload is on its way: its own reload must still happen
    expect(page.get_by_label("Export base path")).to_have_count(1)  # the field export brings
    wait_htmx_idle(page)
    expect(export).to_be_checked()
    expect(imports).not_to_be_checked()
    assert console_errors == [], "\n".join(console_errors)


def test_while_a_create_is_sent_focus_is_on_what_is_happening(
    page: Page, sandbox, owner, credential, console_errors
):
    sign_in(page.context, owner, sandbox)
    page.goto(sandbox + S3_PATH)
    fill_s3_form(page)
    slow_network(page, 800)
    page.get_by_role("button", name="Create connector").click()
    expect(page.locator("#submit-busy")).to_be_focused()
    expect(page.get_by_role("heading", name="Connector created")).to_be_focused(timeout=10_000)
    wait_htmx_idle(page)
    assert console_errors == [], "\n".join(console_errors)


def test_every_change_made_while_checks_queue_up_is_still_acted_on(
    page: Page, sandbox, team, owner, console_errors
):
    """Checks queue behind each other; a swap that replaces a field whose next check is queued
    must not stop the changes queued after it (htmx drops that one and stalls the queue)."""
    from tests.browser.test_videovector import videovector_credential

    videovector_credential(team, owner)
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/new/videovector-s3/")
    expect(page.get_by_label("Bucket")).to_be_visible()
    slow_network(page, 300)
    page.get_by_label("Name", exact=True).fill("Archive")
    page.get_by_label("Bucket").fill("media-archive")
    page.get_by_label("Name", exact=True).fill("Archive 2")  # its check is queued again
    page.get_by_label("AWS region").fill("us-east-1")
    page.get_by_label("Export — VideoVector writes results").check()
    expect(page.get_by_label("Export base path")).to_be_visible(timeout=10_000)
    wait_htmx_idle(page)
    expect(page.get_by_label("Name", exact=True)).to_have_value("Archive 2")
    expect(page.get_by_label("Bucket")).to_have_value("media-archive")
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.parametrize("width", [1280, 390])
def test_import_a_connector_made_elsewhere(
    page: Page, width, sandbox, owner, credential, console_errors, screenshot
):
    import requests

    body = {
        "connector_type": "s3Import",
        "connector_properties": {
            "s3_bucket": "legacy-events",
            "s3_prefix": "exports/",
            "s3_region": "eu-west-1",
            "s3_role": S3_FORM["s3_role"],
        },
        "category_properties": {"data_format": "mixpanel_event", "compression": "gzip"},
    }
    made = requests.post(
        f"{sandbox}/sandbox/api/app/projects/4242/connectors",
        json=body,
        auth=("sa.elsewhere", "another-secret"),
        timeout=5,
    )
    assert made.ok
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/new/")
    page.get_by_role("link", name="Import existing ones (Mixpanel Cloud Import: Amazon S3)").click()
    expect(page.get_by_label("Project id")).to_have_value("4242")  # the credential's default
    page.get_by_role("button", name="List connectors").click()
    heading = page.get_by_role("heading", name="1 connector at Mixpanel")
    expect(heading).to_be_focused()
    expect(page.get_by_role("checkbox", name="Import legacy-events/exports/")).to_be_checked()
    screenshot(f"mixpanel-import-{width}")
    page.get_by_role("button", name="Import the ones ticked").click()
    expect(page.locator(".messages")).to_contain_text("Imported 1 connector from Mixpanel.")
    expect(page.locator("#connector-table")).to_contain_text("legacy-events/exports/")
    assert console_errors == []


def test_copy_curl_copies_or_selects_it_where_there_is_no_clipboard(
    browser, sandbox, owner, credential, client_for
):
    import uuid

    body = {**S3_FORM, "credential": credential.pk, "form_token": uuid.uuid4()}
    assert client_for(owner).post(S3_PATH, body).status_code == 302
    detail = f"{sandbox}/teams/acme/connectors/{Connector.objects.get().pk}/"
    # A browser that lets the page write the clipboard: the curl is there.
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sandbox)
    try:
        sign_in(context, owner, sandbox)
        page = context.new_page()
        page.goto(detail)
        copy = page.locator('[data-copy="#curl-command"]')
        copy.click()
        expect(copy).to_have_text("Copied")
        curl = page.locator("#curl-command").text_content()
        assert page.evaluate("() => navigator.clipboard.readText()") == curl
        assert "$MIXPANEL_SECRET" in curl
    finally:
        context.close()
    # One that gives no clipboard (plain http on a host other than localhost): selected instead.
    context = browser.new_context()
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    try:
        sign_in(context, owner, sandbox)
        page = context.new_page()
        page.goto(detail)
        copy = page.locator('[data-copy="#curl-command"]')
        copy.click()
        expect(copy).to_have_text(re.compile(r"^Selected: press (Ctrl\+C|⌘C)$"))
        selected = page.evaluate("() => window.getSelection().toString()")
        assert selected == page.locator("#curl-command").text_content()
        expect(copy).to_have_text("Copy curl", timeout=5000)  # and back
    finally:
        context.close()
