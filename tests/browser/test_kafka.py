"""In the browser, on each Kafka template: a MongoDB source made from the catalogue form, seen
to become running as the background follows it, paused, and seen paused; the raw JSON editor
and back. Screenshots at desktop and phone widths go to
test-artifacts/screenshots/kafka-<template>-<width>-<nn>-<screen>.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from connectors_admin.connectors.models import Connector
from connectors_admin.connectors.tasks import follow_status
from connectors_admin.credentials.models import Credential
from connectors_admin.sandbox.models import SandboxConnector
from connectors_admin.sandbox.sealed import digest as as_kept
from tests.browser.pages import assert_nothing_leaks, sign_in, wait_htmx_idle
from tests.conftest import stored_uri
from tests.test_kafka import CLUSTER, CONNECT_PASSWORD, MONGO_PASSWORD, MONGO_URI, UPSTASH_KEY

pytestmark = pytest.mark.browser
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
TEMPLATES = {
    "kafka-connect": ("kafkaconnect", {"cluster": "Sandbox", "username": "ops"}, "password"),
    "upstash-kafka": ("upstash", {"email": "ops@example.com"}, "api_key"),
}
STATES = {"kafka-connect": ("RUNNING", "PAUSED"), "upstash-kafka": ("running", "paused")}


def settle(page: Page, label: str) -> None:
    """Leave a field and let its inline check finish before the next step: the live server
    shares one SQLite connection between threads, so two requests at once can fail in tests
    (never with PostgreSQL in production)."""
    page.get_by_label(label, exact=True).blur()
    wait_htmx_idle(page)


def type_in(page: Page, label: str, value: str) -> None:
    page.get_by_label(label, exact=True).fill(value)
    settle(page, label)


def credential(template: str, team, owner) -> Credential:
    kind, public, secret = TEMPLATES[template]
    stored = Credential(team=team, kind=kind, label="Ops", public=public)
    stored.set_secrets({secret: CONNECT_PASSWORD if kind == "kafkaconnect" else UPSTASH_KEY})
    stored.save()
    return stored


@pytest.mark.parametrize("width", SIZES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_a_mongodb_source_becomes_running_and_is_paused(
    page: Page, template, width, sandbox, team, owner, console_errors, screenshot
):
    credential(template, team, owner)
    shot = f"kafka-{template}-{width}"
    page.set_viewport_size(SIZES[width])
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/new/{template}/")
    page.get_by_label("Connector class").select_option(label="MongoDB Source")
    expect(
        page.get_by_label("Connection URI", exact=True)
    ).to_be_visible()  # the class's fields came in
    if template == "upstash-kafka":
        type_in(page, "Cluster id", CLUSTER)
    type_in(page, "Name", "orders-cdc")
    type_in(page, "Connection URI", MONGO_URI)
    type_in(page, "Database (optional)", "shop")
    type_in(page, "Collection (optional)", "orders")
    type_in(page, "Other properties (optional)", "errors.tolerance=all")
    screenshot(f"{shot}-01-form")

    # The same properties as raw JSON, edited there, and back to the fields.
    page.get_by_label("Raw JSON").check()
    json_box = page.get_by_label("Properties (JSON)")
    expect(json_box).to_contain_text('"errors.tolerance": "all"')
    expect(json_box).not_to_contain_text(MONGO_PASSWORD)
    screenshot(f"{shot}-02-json")
    json_box.fill(json_box.input_value().replace('"orders"', '"invoices"'))
    settle(page, "Properties (JSON)")
    page.get_by_label("Fields").check()
    expect(page.get_by_label("Collection (optional)")).to_have_value("invoices")
    wait_htmx_idle(page)

    page.get_by_role("button", name="Create connector").click()
    expect(page.get_by_role("heading", name="Connector created")).to_be_visible()
    wait_htmx_idle(page)
    connector = Connector.objects.get()
    starting, paused = STATES[template]
    page.goto(f"{sandbox}/teams/acme/connectors/{connector.pk}/")
    expect(page.locator("#record-panel")).to_contain_text("still setting this connector up")
    screenshot(f"{shot}-03-setting-up")

    # What the db_worker does in the background (the queue is the server thread's here).
    follow_status.call(str(connector.pk), 1)
    status = page.locator("#record-heading + .status")
    expect(status).to_have_text(starting, timeout=8000)  # the page polls until it settles
    screenshot(f"{shot}-04-running")

    page.get_by_role("button", name="Pause").click()
    expect(status).to_have_text(paused)
    expect(page.get_by_role("button", name="Pause")).to_have_count(0)  # offered by state
    wait_htmx_idle(page)
    screenshot(f"{shot}-05-paused")
    assert_nothing_leaks(page, MONGO_URI, MONGO_PASSWORD, CONNECT_PASSWORD, UPSTASH_KEY)
    assert console_errors == []


@pytest.mark.parametrize("width", SIZES)
def test_a_cluster_credential_then_import_and_reconfigure(
    page: Page, width, sandbox, team, owner, console_errors, screenshot
):
    import requests

    shot = f"kafka-tour-{width}"
    page.set_viewport_size(SIZES[width])
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/credentials/new/kafkaconnect/")
    page.get_by_label("Label").fill("Ops cluster")
    expect(page.get_by_label("Cluster").locator("option")).to_have_text(["Sandbox"])
    screenshot(f"{shot}-01-credential")
    page.get_by_role("button", name="Save credential").click()
    panel = page.locator("#check-panel")
    panel.get_by_role("button", name="Test now").click()
    expect(panel).to_contain_text("Kafka Connect 4.1.0 answered; Kafka cluster id")
    screenshot(f"{shot}-02-credential-tested")

    made_elsewhere = {
        "name": "legacy-sink",
        "config": {
            "connector.class": "io.aiven.connect.jdbc.JdbcSinkConnector",
            "connection.url": "jdbc:postgresql://db/shop",
            "connection.user": "loader",
            "connection.password": "ElsewherePwDoNotLeak",
            "topics": "orders",
        },
    }
    requests.post(f"{sandbox}/sandbox/kafka-connect/connectors", json=made_elsewhere, timeout=5)
    # The team stores that login: the import finds it in the connector.
    stored_uri(team, owner, "postgresql://loader:ElsewherePwDoNotLeak@db/shop", "Shop DB")
    page.goto(f"{sandbox}/teams/acme/connectors/new/")
    expect(page.get_by_text("Upstash retired hosted Kafka connectors")).to_be_visible()
    screenshot(f"{shot}-03-picker")
    page.get_by_role("link", name="Import existing ones (Kafka Connect: connector)").click()
    page.get_by_role("button", name="List connectors").click()
    expect(page.get_by_role("heading", name="1 connector at Kafka Connect")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="legacy-sink")
    expect(row.get_by_role("link", name="Shop DB")).to_be_visible()
    screenshot(f"{shot}-04-import-list")
    page.get_by_role("button", name="Import the ones ticked").click()
    expect(page.locator(".messages")).to_contain_text("Imported 1 connector from Kafka Connect.")
    page.get_by_role("link", name="legacy-sink").click()
    page.get_by_role("link", name="Reconfigure…").click()
    box = page.get_by_label("Properties (JSON)")
    expect(box).to_contain_text('"topics": "orders"')
    box.fill(box.input_value().replace('"orders"', '"orders,refunds"'))
    screenshot(f"{shot}-05-reconfigure")
    # The login it carries is the stored one's: it goes in from the credential, nothing typed.
    page.get_by_role("button", name="Reconfigure at Kafka Connect").click()
    expect(page.locator(".messages")).to_contain_text("The new configuration is at Kafka Connect")
    screenshot(f"{shot}-06-reconfigured")
    config = SandboxConnector.objects.get(remote_id="kafka-connect:legacy-sink").data["config"]
    assert config["topics"] == "orders,refunds"
    assert config["connection.password"] == as_kept("ElsewherePwDoNotLeak")
    assert_nothing_leaks(page, "ElsewherePwDoNotLeak")
    assert console_errors == []


def test_what_was_typed_for_one_class_comes_back_when_it_is_picked_again(
    page: Page, sandbox, team, owner, console_errors
):
    """Another connector class replaces the class's fields; picking the first again brings back
    what was typed in them (a re-render alone would show them empty). Secrets are not kept."""
    credential("kafka-connect", team, owner)
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/new/kafka-connect/")
    page.get_by_label("Connector class").select_option(label="MongoDB Source")
    expect(page.get_by_label("Connection URI", exact=True)).to_be_visible()
    type_in(page, "Name", "orders-cdc")
    type_in(page, "Connection URI", MONGO_URI)
    type_in(page, "Database (optional)", "shop")
    type_in(page, "Collection (optional)", "orders")
    page.get_by_label("Connector class").select_option(label="HTTP Sink")
    expect(page.get_by_label("Endpoint URL", exact=True)).to_be_visible()
    wait_htmx_idle(page)
    expect(page.get_by_label("Name", exact=True)).to_have_value("orders-cdc")  # sent, kept
    type_in(page, "Endpoint URL", "https://hooks.example.com/orders")
    page.get_by_label("Connector class").select_option(label="MongoDB Source")
    expect(page.get_by_label("Collection (optional)", exact=True)).to_have_value("orders")
    expect(page.get_by_label("Database (optional)", exact=True)).to_have_value("shop")
    expect(page.get_by_label("Connection URI", exact=True)).to_have_value("")  # a secret
    wait_htmx_idle(page)  # the swap ended: a change of class mid-swap would be lost
    page.get_by_label("Connector class").select_option(label="HTTP Sink")
    expect(page.get_by_label("Endpoint URL", exact=True)).to_have_value(
        "https://hooks.example.com/orders"
    )
    wait_htmx_idle(page)
    assert_nothing_leaks(page, MONGO_URI, MONGO_PASSWORD, CONNECT_PASSWORD)


def test_a_secret_typed_in_a_text_area_does_not_come_back_with_its_class(
    page: Page, sandbox, team, owner, console_errors
):
    """A secret's text area never shows what it holds, like a password input: picking its
    class again brings back what was typed in the class's other fields, not the secret."""
    key = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwDoNotLeak"
    credential("kafka-connect", team, owner)
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/new/kafka-connect/")
    page.get_by_label("Connector class").select_option(label="Snowflake Sink")
    expect(page.get_by_label("Private key", exact=True)).to_be_visible()
    type_in(page, "Account URL", "acme.snowflakecomputing.com:443")
    type_in(page, "Private key", key)
    page.get_by_label("Connector class").select_option(label="HTTP Sink")
    expect(page.get_by_label("Endpoint URL", exact=True)).to_be_visible()
    wait_htmx_idle(page)
    page.get_by_label("Connector class").select_option(label="Snowflake Sink")
    expect(page.get_by_label("Account URL", exact=True)).to_have_value(
        "acme.snowflakecomputing.com:443"
    )
    wait_htmx_idle(page)
    expect(page.get_by_label("Private key", exact=True)).to_have_value("")  # a secret
    assert_nothing_leaks(page, key)


def test_on_a_phone_a_refused_push_says_why_without_scrolling_sideways(
    page: Page, sandbox, team, owner, client_for, console_errors, screenshot
):
    """An imported connector holding a secret no stored credential holds refuses the push of
    a rotated one; on a phone, the reason (which secret to give) wraps in its row instead of
    running on as one line off the screen."""
    from tests.conftest import KAFKA_CONNECT_PASSWORD
    from tests.test_embedded_later_life import AWS_SECRET, ROTATED, S3_SINK, made_elsewhere

    kafka = Credential(
        team=team,
        kind="kafkaconnect",
        label="Ops",
        public={"cluster": "Sandbox", "username": "ops"},
    )
    kafka.set_secrets({"password": KAFKA_CONNECT_PASSWORD}, owner)
    kafka.save()
    lake = Credential(
        team=team, kind="aws", label="Lake", public={"aws_access_key_id": "AKIA" + "K" * 16}
    )
    lake.set_secrets({"aws_secret_access_key": AWS_SECRET}, owner)
    lake.save()
    config = {
        "connector.class": S3_SINK,
        "aws.access.key.id": "AKIA" + "K" * 16,
        "aws.secret.access.key": AWS_SECRET,
        "aws.s3.bucket.name": "acme-lake",
        "aws.s3.region": "eu-west-1",
        "sasl.jaas.config": "own-jaas-do-not-leak",
    }
    made_elsewhere(sandbox, "lake-with-jaas", config)
    client = client_for(owner)
    client.post(
        "/teams/acme/connectors/import/kafka-connect/",
        {"credential": kafka.pk, "remote_id": ["lake-with-jaas"]},
    )
    client.post(f"/teams/acme/credentials/{lake.pk}/rotate/", {"aws_secret_access_key": ROTATED})
    page.set_viewport_size(SIZES["phone"])
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/credentials/{lake.pk}/")
    page.get_by_role("button", name="Push the new secret").click()
    details = page.get_by_role("row").filter(has_text="lake-with-jaas").locator("td").last
    expect(details).to_contain_text("not known here: sasl.jaas.config")
    screenshot("kafka-phone-07-push-refused")
    box = page.locator("#push-heading ~ .table-scroll")
    overflow = box.evaluate("(el) => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the results run {overflow}px off the screen"
    assert_nothing_leaks(page, AWS_SECRET, ROTATED, "own-jaas-do-not-leak")
    assert console_errors == []
