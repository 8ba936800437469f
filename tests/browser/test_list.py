"""In the browser: search the connector list as you type, filter it, pick three connectors and
refresh them in the background, and see the list follow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from connectors_admin.connectors.models import Connector
from connectors_admin.connectors.tasks import run_connector_action
from connectors_admin.sandbox.models import SandboxConnector
from tests.browser.pages import S3_PATH, main_nav, sign_in, wait_htmx_idle
from tests.conftest import S3_FORM

pytestmark = pytest.mark.browser


def test_search_filter_pick_three_and_refresh(
    page: Page, sandbox, owner, credential, client_for, console_errors, screenshot
):
    import uuid

    client = client_for(owner)
    for prefix in ("raw/a", "raw/b", "raw/c", "exports/d"):
        body = {**S3_FORM, "s3_prefix": prefix, "credential": credential.pk}
        assert client.post(S3_PATH, {**body, "form_token": uuid.uuid4()}).status_code == 302
    Connector.objects.update(remote_status="active")
    # The sandbox reports a connector "active" once it is two seconds old: age them, so that the
    # refresh below finds them active however fast this test runs.
    SandboxConnector.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/")
    main_nav(page).get_by_role("link", name="Connectors").click()
    rows = page.locator("#connector-table tbody tr")
    expect(rows).to_have_count(4)

    clear = page.get_by_role("link", name="Clear filters")
    expect(clear).to_have_count(0)
    region = page.locator("#connector-count-said").element_handle()
    page.get_by_label("Search").fill("raw/")
    expect(rows).to_have_count(3)  # as you type, no button
    # Said in the page's one live region, the same element all along (a screen reader reads a
    # change in a region it knows, not a region that comes with the new table).
    expect(page.locator("#connector-count-said")).to_have_text("3 connectors match")
    assert region.evaluate("(e) => e.isConnected && e.getAttribute('role')") == "status"
    expect(clear).to_be_visible()  # comes with the first filter
    wait_htmx_idle(page)
    assert "q=raw%2F" in page.url or "q=raw/" in page.url  # the search is in the address
    page.get_by_label("Status").select_option("active")
    wait_htmx_idle(page)
    expect(rows).to_have_count(3)
    # The team's credentials and members, offered by name and applied by id.
    page.get_by_label("Credential").select_option(label=credential.label)
    wait_htmx_idle(page)
    page.get_by_label("Created by").select_option(label=owner.username)
    wait_htmx_idle(page)
    expect(rows).to_have_count(3)
    assert f"credential={credential.pk}" in page.url and f"creator={owner.pk}" in page.url
    page.get_by_label("Select every connector on this page").check()
    screenshot("list-01-searched-and-picked")
    page.get_by_role("button", name="Refresh", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Refreshing 3 connectors in the background")
    expect(page.locator("#connector-table")).to_contain_text("refreshing…")
    assert page.get_by_label("Search").input_value() == "raw/"  # the search is kept
    for connector in Connector.objects.filter(name__contains="raw/"):
        run_connector_action.call(str(connector.pk), "refresh", owner.pk)
    expect(page.locator("#connector-table")).not_to_contain_text("refreshing…", timeout=10_000)
    screenshot("list-02-refreshed")

    # Delete all that match: a page lists what goes before anything is sent.
    page.get_by_label("Apply to").select_option("matching")
    page.get_by_role("button", name="Delete…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Delete 3 connectors at their providers?"
    )
    expect(page.locator("tbody tr")).to_have_count(3)
    screenshot("list-03-bulk-delete-confirm")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_label("Search")).to_have_value("raw/")  # back to the same filters
    assert Connector.objects.filter(deleted_at__isnull=False).count() == 0
    assert console_errors == []


def test_the_list_keeps_what_a_keyboard_user_is_doing(
    page: Page, sandbox, team, owner, credential, other_team, console_errors
):
    from connectors_admin.accounts.models import Membership, Role
    from tests.test_connectors_pages import make_connectors

    now = timezone.now()
    for i, row in enumerate(make_connectors(team, credential, owner, 30)):
        Connector.objects.filter(pk=row.pk).update(created_at=now - timedelta(seconds=60 - i))
    # Still settling (made within Mixpanel's ten minutes), the newest and the oldest: both
    # pages poll.
    settling = make_connectors(team, credential, owner, 2, status="")
    Connector.objects.filter(pk=settling[0].pk).update(created_at=now - timedelta(minutes=5))
    Connector.objects.filter(pk=settling[1].pk).update(created_at=now)
    Membership.objects.create(team=other_team, user=owner, role=Role.MEMBER)
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/")
    table = page.locator("#connector-table")
    expect(table).to_have_attribute("hx-trigger", "every 4s")

    def poll_now() -> bool:
        """Issue the table's poll at once (as its 4-second timer does): was it sent?"""
        return page.evaluate(
            """() => new Promise((done) => {
              const table = document.getElementById("connector-table");
              let sent = false;
              document.addEventListener("htmx:beforeSend", (e) => {
                if (e.detail.elt === table) sent = true;
              });
              htmx.ajax("GET", table.getAttribute("hx-get"),
                        {source: table, target: table, swap: "outerHTML"})
                .finally(() => done(sent));
            })"""
        )

    # A poll never resets "Apply to", even with focus elsewhere...
    page.get_by_label("Apply to").select_option("page")
    page.get_by_label("Search").focus()
    assert not poll_now()
    expect(page.get_by_label("Apply to")).to_have_value("page")
    # ...nor takes focus away from the button about to be pressed...
    page.get_by_label("Apply to").select_option("selected")
    page.get_by_role("button", name="Refresh", exact=True).focus()
    assert not poll_now()
    expect(page.get_by_role("button", name="Refresh", exact=True)).to_be_focused()
    # ...and polls otherwise.
    page.get_by_label("Search").focus()
    assert poll_now()
    wait_htmx_idle(page)

    # Paging from the keyboard lands on what the new page shows, not on the top of the page;
    # the poll goes on, and focus stays on the count through it.
    page.get_by_role("link", name="Older →").focus()  # newest first
    page.keyboard.press("Enter")
    expect(page.locator("#connector-count")).to_be_focused()
    expect(page.locator(".pager")).to_contain_text("Page 2")
    with page.expect_request(lambda r: r.headers.get("hx-trigger") == "connector-table"):
        pass  # the timer's own poll, within its 4 seconds
    wait_htmx_idle(page)
    expect(page.locator("#connector-count")).to_be_focused()

    # Arrowing through the team switcher moves through the teams; the Switch button goes.
    switcher = page.get_by_label("Current team")
    switcher.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    assert page.url.startswith(f"{sandbox}/teams/acme/connectors/")
    page.get_by_role("button", name="Switch").click()
    expect(page).to_have_url(f"{sandbox}/teams/other/")
    wait_htmx_idle(page)
    assert console_errors == [], "\n".join(console_errors)


def test_on_a_phone_each_connector_shows_whole(
    page: Page, sandbox, team, owner, credential, screenshot
):
    from tests.test_connectors_pages import make_connectors

    rows = make_connectors(team, credential, owner, 3)
    Connector.objects.filter(pk=rows[0].pk).update(name="a-long-bucket-name/and/a/long/prefix")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/")
    box = page.locator("#connector-table .table-scroll")
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing off to the side
    for status in page.locator("#connector-table tbody .status").all():
        assert status.bounding_box()["x"] + status.bounding_box()["width"] <= 390
    expect(page.get_by_label("Select every connector on this page")).to_be_visible()
    screenshot("list-phone")


def test_a_settling_record_waits_while_someone_is_in_it(
    page: Page, sandbox, team, owner, credential, console_errors
):
    """The record panel polls while its provider settles the connector; a poll would drop the
    focus on its buttons and close its JSON, so it waits until the user has left them."""
    from tests.test_connectors_pages import make_connectors

    (settling,) = make_connectors(team, credential, owner, 1, status="")
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/{settling.pk}/")
    panel = page.locator("#record-panel")
    expect(panel).to_have_attribute("hx-trigger", "every 3s")

    def poll_now() -> bool:
        """Issue the panel's poll at once (as its timer does): was it sent?"""
        return page.evaluate(
            """() => new Promise((done) => {
              const panel = document.getElementById("record-panel");
              let sent = false;
              document.addEventListener("htmx:beforeSend", (e) => {
                if (e.detail.elt === panel) sent = true;
              });
              htmx.ajax("GET", panel.getAttribute("hx-get"),
                        {source: panel, target: panel, swap: "outerHTML"})
                .finally(() => done(sent));
            })"""
        )

    refresh = page.get_by_role("button", name="Refresh status")
    refresh.focus()
    assert not poll_now()
    expect(refresh).to_be_focused()
    page.locator("#main").focus()
    page.locator("#record-panel summary").first.click()
    page.locator("#main").focus()
    assert not poll_now()
    expect(page.locator("#record-panel details").first).to_have_attribute("open", "")
    page.locator("#record-panel summary").first.click()  # closed: the poll goes on
    page.locator("#main").focus()
    assert poll_now()
    wait_htmx_idle(page)
    # After Refresh status, focus is on its outcome: read it, and the panel goes on polling.
    page.get_by_role("button", name="Refresh status").click()
    wait_htmx_idle(page)
    expect(page.locator("#record-panel .alert")).to_be_focused()
    assert poll_now()
    wait_htmx_idle(page)
    assert console_errors == [], "\n".join(console_errors)


def test_a_date_filter_shows_focus_on_its_calendar_button_too(
    page: Page, sandbox, owner, credential, console_errors
):
    # Tab walks through a date input's month, day and year, then its calendar button. On the
    # button the input matches neither :focus nor :focus-visible, only :focus-within.
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/")
    page.get_by_label("Created by").focus()
    on_button = False
    for _ in range(6):
        page.keyboard.press("Tab")
        on_button = page.evaluate(
            """() => document.activeElement.id === "filter-since"
                     && !document.activeElement.matches(":focus")"""
        )
        if on_button:
            break
    assert on_button, "Tab never reached the calendar button of “Created from”"
    ring = page.locator("#filter-since").evaluate(
        "(el) => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert ring == ["solid", "3px"], ring
    assert console_errors == []


def test_back_after_a_search_asks_the_server_and_the_browser_keeps_no_copy(
    page: Page, sandbox, owner, team, credential, console_errors
):
    from tests.test_connectors_pages import make_connectors

    make_connectors(team, credential, owner, 3)
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/")
    rows = page.locator("#connector-table tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_label("Search").fill("bucket-1/")
    expect(rows).to_have_count(1)
    wait_htmx_idle(page)
    # Only what is set goes into the address.
    assert page.url.endswith("/teams/acme/connectors/?q=bucket-1%2F&sort=newest"), page.url
    # htmx keeps no snapshot of the team's pages in the tab's storage (it would outlive a
    # sign-out there): Back asks the server for the page again.
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None
    with page.expect_request(lambda r: r.headers.get("hx-history-restore-request") == "true"):
        page.go_back()
    expect(rows).to_have_count(3)
    expect(page.get_by_label("Search")).to_have_value("")
    assert "q=" not in page.url
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None
    assert console_errors == []
