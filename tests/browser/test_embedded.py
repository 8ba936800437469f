"""In the browser: a Google Sheets destination made with the team's stored GCP key, then the key
rotated and pushed into the connector; and a key file pasted once instead."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from connectors_admin.connectors.models import Connector, EmbeddedCredential, Submission
from connectors_admin.credentials.models import Credential
from tests.browser.pages import assert_nothing_leaks, sign_in, wait_htmx_idle
from tests.conftest import make_aisquared_credential
from tests.test_embedded_credentials import PEM_LINES, key_file

pytestmark = pytest.mark.browser
DESTINATION = "/teams/acme/connectors/new/aisquared-destination/"


def pick_sheets(page: Page) -> None:
    page.get_by_label("Search the list").fill("sheets")
    page.get_by_label("Connector", exact=True).select_option("GoogleSheets")
    expect(page.get_by_label("Google service account", exact=True)).to_be_visible()
    wait_htmx_idle(page)


def test_a_stored_key_goes_into_a_sheet_and_a_rotation_is_pushed(
    page: Page, sandbox, team, owner, console_errors, screenshot
):
    make_aisquared_credential(team, owner)
    gcp = Credential(team=team, kind="gcp", label="Loader key", public={"project_id": "acme"})
    gcp.set_secrets({"service_account_json": json.dumps(key_file())}, owner)
    gcp.save()
    sign_in(page.context, owner, sandbox)
    page.goto(sandbox + DESTINATION)
    pick_sheets(page)
    picker = page.get_by_label("Google service account", exact=True)
    expect(picker.locator("option:checked")).to_contain_text("Loader key")
    expect(picker.locator("option:checked")).to_contain_text("not verified yet")
    # The stored key stands in for the key file's fields: none of them is asked for.
    expect(page.get_by_label("Private key")).to_have_count(0)
    page.get_by_label("Name", exact=True).fill("Weekly sheet")
    page.get_by_label("Spreadsheet link").fill("https://docs.google.com/spreadsheets/d/abc")
    screenshot("embedded-01-stored-key-picked")

    # "Enter it here" swaps in one field for the whole key file, and back.
    picker.select_option(label="Enter it here")
    expect(page.get_by_label("Google service account key file (JSON)")).to_be_visible()
    screenshot("embedded-02-enter-it-here")
    page.get_by_label("Google service account", exact=True).select_option(label=picker_label(gcp))
    expect(page.get_by_label("Google service account key file (JSON)")).to_have_count(0)
    wait_htmx_idle(page)

    page.get_by_role("button", name="Create connector").click()
    expect(page.get_by_role("heading", name="Connector created")).to_be_visible()
    connector = Connector.objects.get()
    assert EmbeddedCredential.objects.get().credential == gcp

    # Rotate the key: the credential page shows the connector carries the old one; push it.
    page.goto(f"{sandbox}/teams/acme/credentials/{gcp.pk}/rotate/")
    page.get_by_label("Service-account key file (JSON)").set_input_files(
        files=[
            {
                "name": "rotated.json",
                "mimeType": "application/json",
                "buffer": json.dumps(key_file("kid-2")).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Replace the secret").click()
    expect(page.locator(".alert-warning")).to_contain_text("1 connector embeds the old secret")
    expect(page.get_by_role("listitem").filter(has_text="Weekly sheet")).to_contain_text(
        "old secret"
    )
    screenshot("embedded-03-blast-radius")
    # Disabled, its new secret is not pushed: the page says to enable it first.
    page.get_by_role("button", name="Disable").click()
    expect(page.get_by_text("It is disabled: enable it to push the new secret.")).to_be_visible()
    expect(page.get_by_role("button", name="Push the new secret")).to_have_count(0)
    screenshot("embedded-03b-disabled-no-push")
    page.get_by_role("button", name="Enable").click()
    page.get_by_role("button", name="Push the new secret").click()
    expect(page.get_by_role("heading", name="Result per connector")).to_be_focused()
    expect(page.locator("tbody tr")).to_contain_text("pushed")
    screenshot("embedded-04-pushed")
    assert Submission.objects.get(action="push-rotated", connector=connector).outcome == (
        "succeeded"
    )
    assert_nothing_leaks(page, PEM_LINES[1])
    assert console_errors == []


def picker_label(credential: Credential) -> str:
    from connectors_admin.connectors.forms import stored_label

    return stored_label(credential)


def test_a_key_file_uploaded_in_the_form_reaches_the_provider(
    page: Page, sandbox, team, owner, console_errors
):
    from connectors_admin.sandbox.models import SandboxConnector
    from tests.test_embedded_credentials import PEM, digest

    make_aisquared_credential(team, owner)
    sign_in(page.context, owner, sandbox)
    page.goto(sandbox + DESTINATION)
    pick_sheets(page)
    # No stored GCP credential: typing it here is the only choice, one document for the key.
    expect(page.get_by_label("Google service account", exact=True)).to_have_value("here")
    page.get_by_label("Name", exact=True).fill("Uploaded key sheet")
    page.get_by_label("…or upload the key file").set_input_files(
        files=[
            {
                "name": "loader.json",
                "mimeType": "application/json",
                "buffer": json.dumps(key_file()).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Create connector").click()
    expect(page.get_by_role("heading", name="Connector created")).to_be_visible()
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    assert sent["credentials_json"]["private_key"] == digest(PEM)
    assert_nothing_leaks(page, PEM_LINES[1])
    assert console_errors == []
