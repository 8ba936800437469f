"""Helpers shared by the browser tests: signing in, filling the S3 and AI Squared forms, waiting
for htmx, checking that no secret is in the page."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.conftest import (  # noqa: F401 (AISQ_TOKEN, DB_PASSWORD: used by the browser tests)
    AISQ_TOKEN,
    DB_PASSWORD,
    MIXPANEL_SECRET,
    S3_FORM,
    aisquared_payload,
    make_aisquared_credential,
)

S3_PATH = "/teams/acme/connectors/new/mixpanel-s3/"
GCS_PATH = "/teams/acme/connectors/new/mixpanel-gcs/"
AISQ_PATH = "/teams/acme/connectors/new/aisquared-source/"
# The PostgreSQL source form as a person fills it, by label (host: one that cannot resolve).
PG_FORM = {
    "Name": "Shop DB",
    "Database user": "reader",
    "Server address": "unreachable.invalid",
    "Server port": "5432",
    "Database name": "shop",
    "Schema name": "public",
}
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


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def assert_nothing_leaks(page: Page, *secrets: str) -> None:
    """None of `secrets` is in the page's HTML (typed input values are not part of it)."""
    html = page.content()
    for secret in secrets:
        assert secret not in html, f"a secret ending …{secret[-4:]} is in the page"


def mark_no_reload(page: Page) -> None:
    """Set a marker that a full page load would wipe out; `assert_no_reload` checks it."""
    page.evaluate("() => { window.__noReload = true; }")


def assert_no_reload(page: Page) -> None:
    assert page.evaluate("() => window.__noReload === true"), "the page was reloaded"


def pick_postgres_source(page: Page) -> None:
    """On the AI Squared source form: search the catalogue, pick PostgreSQL, wait for its fields."""
    page.get_by_label("Search the list").fill("postgres")
    page.get_by_label("Connector", exact=True).select_option("Postgresql")
    expect(page.get_by_label("Server address")).to_be_visible()
    wait_htmx_idle(page)


def labelled(page: Page, label: str) -> Locator:
    """The control labelled exactly `label`, with or without the "(optional)" mark."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(optional\))?$"))


def fill_pg_form(page: Page, values: dict[str, str] = PG_FORM) -> None:
    for label, value in values.items():
        labelled(page, label).fill(value)
    fill_and_leave(page, "Database password", DB_PASSWORD)


def fill_and_leave(page: Page, label: str, value: str) -> None:
    """Type into a field, leave it, and wait for its inline check to come back.

    "Check connection" is not in the form's hx-sync queue, so a click that also ends an edit
    sends the field's inline check and the connection check together; under SQLite's shared
    in-memory test database the second writer then fails with "database table is locked".
    """
    field = labelled(page, label)
    field.fill(value)
    field.press("Tab")
    wait_htmx_idle(page)


def aisq_payload(credential, **config) -> dict:
    """What the AI Squared source form posts for a PostgreSQL source, with a fresh form token."""
    return {**aisquared_payload(credential, **config), "form_token": str(uuid.uuid4())}


def slow_network(page: Page, latency_ms: int) -> None:
    """Every request from the page takes `latency_ms` longer (Chromium's own emulation)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def send_invitation(page: Page, email: str) -> Locator:
    """On the members page: the invitation form filled with `email` and sent; the form."""
    invite = page.locator("form", has=page.get_by_role("button", name="Send invitation"))
    invite.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send invitation").click()
    return invite
