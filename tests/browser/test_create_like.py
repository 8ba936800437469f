"""“Create another like this” in a real browser: the link on a Mixpanel S3 connector's page opens
its create form prefilled; a new bucket makes a second connector in place."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from connectors_admin.connectors.models import Connector
from tests.browser.pages import assert_nothing_leaks, sign_in, wait_htmx_idle
from tests.conftest import MIXPANEL_SECRET, S3_FORM

pytestmark = pytest.mark.browser


def test_create_another_like_a_mixpanel_s3_connector(
    page: Page, sandbox, owner, credential, console_errors, screenshot
):
    made = Client()
    made.force_login(owner)
    made.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    first = Connector.objects.get()
    sign_in(page.context, owner, sandbox)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{sandbox}{reverse('connectors:detail', args=['acme', first.pk])}")
    screenshot("create-like-detail-1280")

    page.get_by_role("link", name="Create another like this").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mixpanel Cloud Import: Amazon S3")
    notice = page.get_by_role("status").filter(has_text="Starts like")
    expect(notice).to_contain_text("No secret to type again")
    expect(page.get_by_label("Bucket")).to_have_value("acme-events")
    expect(page.get_by_label("Prefix")).to_have_value("cloudimport/event")
    expect(page.get_by_label("AWS region")).to_have_value("us-east-2")
    expect(page.get_by_label("IAM role ARN")).to_have_value(S3_FORM["s3_role"])
    expect(page.get_by_label("Data format")).to_have_value("mixpanel_event")
    expect(page.get_by_label("Compression")).to_have_value("gzip")
    expect(page.get_by_label("Credential")).to_have_value(str(credential.pk))
    assert MIXPANEL_SECRET not in page.url
    assert_nothing_leaks(page, MIXPANEL_SECRET)
    screenshot("create-like-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("create-like-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Bucket").fill("acme-events-eu")
    page.get_by_role("button", name="Create connector").click()
    result = page.locator("#create-panel .result")
    expect(result.get_by_role("heading", name="Connector created")).to_be_visible()
    expect(result).to_contain_text("acme-events-eu")
    wait_htmx_idle(page)
    second = Connector.objects.exclude(pk=first.pk).get()
    assert second.record["connector_properties"]["s3_bucket"] == "acme-events-eu"
    assert second.record["connector_properties"]["s3_role"] == S3_FORM["s3_role"]
    assert_nothing_leaks(page, MIXPANEL_SECRET)
    assert console_errors == [], "\n".join(console_errors)
