"""Teams and credentials in a real browser: add, test, rotate, compare, members, team switcher."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from connectors_admin.accounts.models import Membership, Role
from connectors_admin.connectors.models import Connector
from connectors_admin.credentials.models import Credential, fingerprint
from tests.browser.pages import (
    assert_no_reload,
    assert_nothing_leaks,
    main_nav,
    mark_no_reload,
    sign_in,
    wait_htmx_idle,
)
from tests.conftest import MIXPANEL_SECRET

pytestmark = pytest.mark.browser


def secret_row(page: Page, label: str):
    """The value cell of one row of the detail page's Secret card."""
    card = page.get_by_role("region", name="Secret", exact=True)
    return card.locator("div", has=page.locator(f"dt:text-is({label!r})")).locator("dd")


def test_owner_adds_an_aws_key_and_tests_it_in_place(page: Page, sandbox, owner, console_errors):
    # Built at run time so no key-shaped string sits in the repository.
    key_id = "AKIA" + "FAKE" * 4
    secret = "fAkE" * 9 + "x/9Q"
    assert len(secret) == 40
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/")

    main_nav(page).get_by_role("link", name="Credentials").click()
    page.get_by_role("link", name="Add a credential").click()
    page.get_by_role("link", name="AWS access key").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New credential: AWS access key")
    page.get_by_label("Label").fill("Exports bucket")
    page.get_by_label("Access key id").fill(key_id)
    page.get_by_label("Secret access key").fill(secret)
    page.get_by_role("button", name="Save credential").click()

    expect(page.get_by_role("heading", level=1, name="Exports bucket")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("“Exports bucket” is stored.")
    expect(secret_row(page, "Secret access key ends with")).to_have_text(f"…{secret[-4:]}")
    expect(secret_row(page, "Fingerprint")).to_have_text(fingerprint(secret))
    expect(page.get_by_role("region", name="Fields")).to_contain_text(key_id)
    assert_nothing_leaks(page, secret)

    mark_no_reload(page)
    panel = page.locator("#check-panel")
    # Saving queued a background test (this suite's queue holds it): the panel says so and polls.
    expect(panel).to_contain_text("being tested in the background")
    expect(panel).to_have_attribute("hx-trigger", "every 2s")
    panel.get_by_role("button", name="Test now").click()
    expect(panel.locator(".status-succeeded")).to_have_text("verified")
    expect(panel).to_contain_text("The stored values are well formed.")
    expect(panel.locator(".check-outcome")).to_be_focused()  # the outcome, read out where it is
    wait_htmx_idle(page)
    assert_no_reload(page)
    assert Credential.objects.get(kind="aws").last_check_ok is True
    assert_nothing_leaks(page, secret)
    assert console_errors == [], "\n".join(console_errors)


def test_rotating_a_secret_changes_its_hint_and_compare_tells_old_from_new(
    page: Page, sandbox, owner, credential, console_errors
):
    new_secret = "mp-rotated-" + "K3Y" * 6 + "-7730"
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/credentials/{credential.pk}/")
    ends_with = secret_row(page, "Service account secret ends with")
    expect(ends_with).to_have_text(f"…{MIXPANEL_SECRET[-4:]}")
    expect(secret_row(page, "Fingerprint")).to_have_text(fingerprint(MIXPANEL_SECRET))

    page.get_by_role("link", name="Rotate secret").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rotate the secret of “Production”")
    expect(page.locator(".lede")).to_contain_text(f"…{MIXPANEL_SECRET[-4:]}")
    page.get_by_label("Service account secret").fill(new_secret)
    page.get_by_role("button", name="Replace the secret").click()

    expect(page.get_by_role("heading", level=1, name="Production")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("The secret is replaced.")
    expect(ends_with).to_have_text(f"…{new_secret[-4:]}")
    expect(secret_row(page, "Fingerprint")).to_have_text(fingerprint(new_secret))
    assert fingerprint(new_secret) != fingerprint(MIXPANEL_SECRET)
    assert_nothing_leaks(page, MIXPANEL_SECRET, new_secret)

    mark_no_reload(page)
    compare = page.locator("#compare-panel")
    for value, answer in (
        (new_secret, "yes, it is the stored secret."),
        (MIXPANEL_SECRET, "no, it differs from the stored secret."),
    ):
        compare.get_by_label("Service account secret").fill(value)
        compare.get_by_role("button", name="Compare").click()
        expect(compare.locator(".alert")).to_have_text(f"Service account secret: {answer}")
        wait_htmx_idle(page)
        # The swapped-in field is empty again; what was pasted is nowhere in the page.
        expect(compare.get_by_label("Service account secret")).to_have_value("")
        assert_nothing_leaks(page, MIXPANEL_SECRET, new_secret)
    assert_no_reload(page)
    assert console_errors == [], "\n".join(console_errors)


def test_owner_manages_a_member_and_cannot_demote_the_last_owner(
    page: Page, sandbox, owner, make_user, console_errors
):
    from allauth.account.models import EmailAddress

    vera = make_user("vera", email="vera@example.com")
    EmailAddress.objects.create(user=vera, email=vera.email, verified=True)  # confirmed
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/")
    main_nav(page).get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)

    page.get_by_label("Username or email").fill("VERA@example.com")
    page.get_by_role("region", name="Add a member").get_by_label("Role").select_option(
        label="Viewer"
    )
    page.get_by_role("button", name="Add member").click()
    messages = page.locator(".messages")
    expect(messages).to_have_text("vera joined as Viewer.")
    expect(rows).to_have_count(2)
    vera = rows.filter(has_text="vera@example.com")
    expect(vera.get_by_label("Role of vera")).to_have_value(Role.VIEWER)

    vera.get_by_label("Role of vera").select_option(label="Member")
    vera.get_by_role("button", name="Change role of vera").click()
    expect(messages).to_have_text("vera is now Member.")
    expect(vera.get_by_label("Role of vera")).to_have_value(Role.MEMBER)
    assert Membership.objects.get(user__username="vera").role == Role.MEMBER

    vera.get_by_role("link", name="Remove… vera").click()  # removing asks first
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove vera from Acme Data?")
    page.get_by_role("button", name="Remove vera").click()
    expect(messages).to_have_text("vera was removed from Acme Data.")
    expect(rows).to_have_count(1)
    assert not Membership.objects.filter(user__username="vera").exists()

    # The last owner is offered no step down (the server refuses one: tests/test_members.py):
    # the row says why instead.
    olivia = rows.filter(has_text="olivia")
    expect(olivia.get_by_label("Role of olivia")).to_have_count(0)
    expect(olivia.get_by_role("button", name="Change role of olivia")).to_have_count(0)
    expect(olivia).to_contain_text("The team's only owner: make someone else owner first.")
    assert Membership.objects.get(user=owner).role == Role.OWNER
    assert console_errors == [], "\n".join(console_errors)


def test_header_team_switcher_lands_on_the_other_teams_dashboard(
    page: Page, sandbox, owner, other_team, console_errors
):
    Membership.objects.create(team=other_team, user=owner, role=Role.MEMBER)
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/")
    switcher = page.get_by_label("Current team")
    expect(switcher).to_have_value("acme")

    switcher.select_option(label="Other Co")  # submits on change
    page.wait_for_url(re.compile(r"/teams/other/$"))
    expect(page.get_by_role("heading", level=1, name="Other Co")).to_be_visible()
    expect(page.get_by_label("Current team")).to_have_value("other")
    # A member of Other Co: no Audit link for that team.
    expect(main_nav(page).get_by_role("link", name="Audit")).to_have_count(0)
    assert console_errors == [], "\n".join(console_errors)


def test_header_marks_members_and_audit_as_the_current_page(
    page: Page, sandbox, owner, console_errors
):
    sign_in(page.context, owner, sandbox)
    for name, path in (("Members", "/teams/acme/members/"), ("Audit", "/teams/acme/audit/")):
        page.goto(sandbox + path)
        current = main_nav(page).locator("[aria-current=page]")
        expect(current).to_have_text(name, timeout=1000)
    assert console_errors == [], "\n".join(console_errors)


TOO_WIDE = """() => {
  const doc = document.documentElement;
  const scrolled = [...document.querySelectorAll('.table-scroll')].filter(
    (box) => box.scrollWidth > box.clientWidth + 1);
  const cells = [...document.querySelectorAll('td.long-text, h1, .alert')].filter(
    (el) => el.getBoundingClientRect().width > doc.clientWidth);
  return {page: doc.scrollWidth > doc.clientWidth + 1,
          tables: scrolled.map((box) => box.getAttribute('aria-label') || box.className),
          cells: cells.map((el) => el.outerHTML.slice(0, 60))};
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_long_names_and_messages_wrap_instead_of_widening_the_page(
    page: Page, sandbox, team, owner, credential, make_user, width, screenshot
):
    from connectors_admin.accounts.models import Invitation
    from connectors_admin.audit.models import AuditEvent
    from tests.test_connectors_pages import make_connectors

    long_name = "m" * 150
    Membership.objects.create(
        team=team, user=make_user(long_name, email="e" * 200 + "@example.com"), role=Role.MEMBER
    )
    Invitation.objects.create(
        team=team,
        email="i" * 240 + "@example.com",
        role=Role.MEMBER,
        invited_by=owner,
        token_hash="x" * 64,
        expires_at=timezone.now() + timedelta(days=7),
    )
    AuditEvent.objects.create(
        action="credential.added", team=team, actor_name=long_name, target_label="t" * 200
    )
    (connector,) = make_connectors(team, credential, owner, 1)
    Connector.objects.filter(pk=connector.pk).update(
        name="n" * 100, last_error="org.apache.kafka.connect.errors.ConnectException:" + "x" * 300
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page.context, owner, sandbox)
    for path in ("members/", "audit/", f"connectors/{connector.pk}/"):
        page.goto(f"{sandbox}/teams/acme/{path}")
        layout = page.evaluate(TOO_WIDE)
        screenshot(f"long-names-{width}-{path.split('/')[0]}")
        assert not layout["page"] and layout["cells"] == [], (path, layout)
        if width > 640:  # a phone scrolls a wide table sideways; a desktop never needs to
            assert layout["tables"] == [], (path, layout)
