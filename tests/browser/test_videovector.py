"""In the browser: a VideoVector GCS connector made by uploading a service-account key file, then
tested and browsed for *.mp4; an S3 connector made from a stored AWS key pair. Screenshots at
desktop and phone widths go to test-artifacts/screenshots/vv-<width>-<nn>-<screen>.png."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from connectors_admin.connectors.models import Connector, EmbeddedCredential
from connectors_admin.credentials.models import Credential
from tests.browser.pages import assert_nothing_leaks, sign_in, wait_htmx_idle
from tests.test_embedded_credentials import PEM_LINES, key_file
from tests.test_videovector import ADMIN_KEY, AWS_SECRET

pytestmark = pytest.mark.browser
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def videovector_credential(team, owner) -> Credential:
    credential = Credential(
        team=team, kind="videovector", label="Media", public={"auth_type": "api_key"}
    )
    credential.set_secrets({"token": ADMIN_KEY}, owner)
    credential.save()
    return credential


@pytest.mark.parametrize("width", SIZES)
def test_gcs_by_upload_then_test_and_browse(
    page: Page, width, sandbox, team, owner, console_errors, screenshot
):
    videovector_credential(team, owner)
    page.set_viewport_size(SIZES[width])
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/new/videovector-gcs/")
    page.get_by_label("Name", exact=True).fill("Raw footage")
    page.get_by_label("Bucket").fill("raw-footage")
    page.get_by_label("GCP project id").fill("acme-media")
    page.get_by_label("…or upload the key file").set_input_files(
        files=[
            {
                "name": "media.json",
                "mimeType": "application/json",
                "buffer": json.dumps(key_file()).encode(),
            }
        ]
    )
    # Export is off: no export path asked; ticking it brings the field in.
    expect(page.get_by_label("Export base path")).to_have_count(0)
    page.get_by_label("New files only — skip files that were imported before").check()
    screenshot(f"vv-{width}-01-gcs-form")
    page.get_by_role("button", name="Create connector").click()
    expect(page.get_by_role("heading", name="Connector created")).to_be_visible()
    connector = Connector.objects.get()
    assert connector.summary["Import mode"] == "new_only"  # as VideoVector spells it
    expect(page.locator("#create-panel .summary")).to_contain_text("New files only")

    page.goto(f"{sandbox}/teams/acme/connectors/{connector.pk}/")
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#record-panel .alert-success")).to_contain_text("the connection works")
    screenshot(f"vv-{width}-02-tested")
    page.get_by_role("link", name="Browse files…").click()
    page.get_by_label("Prefix").fill("incoming/")
    page.get_by_label("Pattern").fill("*.mp4")
    page.get_by_role("button", name="Browse files").click()
    expect(page.get_by_role("heading", name="3 files")).to_be_visible()
    wait_htmx_idle(page)
    assert "pattern=*.mp4" in page.url  # the browse is in the address: shareable
    expect(page.locator("#action-result tbody tr")).to_have_count(3)
    screenshot(f"vv-{width}-03-browse-mp4")
    page.reload()  # the shared link shows the same listing
    expect(page.locator("#action-result tbody tr")).to_have_count(3)
    assert_nothing_leaks(page, PEM_LINES[1], ADMIN_KEY)
    assert console_errors == []


def test_s3_from_a_stored_aws_key_pair(
    page: Page, sandbox, team, owner, console_errors, screenshot
):
    videovector_credential(team, owner)
    aws = Credential(
        team=team, kind="aws", label="Footage", public={"aws_access_key_id": "AKIA" + "F" * 16}
    )
    aws.set_secrets({"aws_secret_access_key": AWS_SECRET}, owner)
    aws.save()
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/new/videovector-s3/")
    expect(
        page.get_by_label("AWS access key", exact=True).locator("option:checked")
    ).to_contain_text("Footage")
    expect(page.get_by_label("Secret access key")).to_have_count(0)  # the stored pair is used
    page.get_by_label("Name", exact=True).fill("Archive")
    page.get_by_label("Bucket").fill("media-archive")
    page.get_by_label("AWS region").fill("us-east-1")
    page.get_by_label("Export — VideoVector writes results").check()
    expect(page.get_by_label("Export base path")).to_be_visible()  # shown once exporting
    page.get_by_label("Export base path").fill("exports/review")
    wait_htmx_idle(page)
    screenshot("vv-desktop-04-s3-stored-pair")
    page.get_by_role("button", name="Create connector").click()
    expect(page.get_by_role("heading", name="Connector created")).to_be_visible()
    assert EmbeddedCredential.objects.get().credential == aws
    assert Connector.objects.get().summary["Export base path"] == "exports/review"
    assert_nothing_leaks(page, AWS_SECRET, ADMIN_KEY)
    assert console_errors == []
