"""Helpers shared by the browser tests: signing in, filling the S3 form, waiting for htmx."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import MIXPANEL_SECRET, S3_FORM

S3_PATH = "/teams/acme/connectors/new/mixpanel-s3/"
GCS_PATH = "/teams/acme/connectors/new/mixpanel-gcs/"
SELECTS = {"residency", "data_format", "compression"}
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


def sign_in(context: BrowserContext, user, base_url: str) -> None:
    """Give the browser a session for `user` without going through the login page."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])


def wait_htmx_idle(page: Page) -> None:
    """Wait until no htmx request is in flight and no swap is still settling.

    Ending a test with a request in flight races live_server's database flush at teardown.
    """
    page.wait_for_function(f"() => !document.querySelector({HTMX_BUSY!r})")


def fill_s3_form(page: Page, values: dict[str, str] = S3_FORM) -> None:
    for name, value in values.items():
        field = page.locator(f"form [name={name}]")
        if name in SELECTS:
            field.select_option(value)
        else:
            field.fill(value)


def expect_form_keeps(page: Page, values: dict[str, str] = S3_FORM) -> None:
    for name, value in values.items():
        expect(page.locator(f"form [name={name}]")).to_have_value(value)


def add_mixpanel_credential(page: Page, label: str = "Production") -> None:
    """From the credentials list, store a Mixpanel API credential; lands on its detail page."""
    page.get_by_role("link", name="Add a credential").click()
    page.get_by_role("link", name="Mixpanel API credential").click()
    fill_mixpanel_credential(page, label)
    page.get_by_role("button", name="Save credential").click()


def fill_mixpanel_credential(page: Page, label: str = "Production") -> None:
    page.get_by_label("Label").fill(label)
    page.get_by_label("Service account username").fill("sa.acme")
    page.get_by_label("Service account secret").fill(MIXPANEL_SECRET)
    page.get_by_label("Default project id").fill("4242")
    page.get_by_label("Default data residency").select_option("us")
