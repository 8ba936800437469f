"""AI Squared connectors: the catalogue, generated forms, check connection, create, refresh,
re-check and delete, against the sandbox over real HTTP."""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet, MultiFernet
from django.urls import reverse

from connectors_admin.connectors.models import Attempt, Connector, Submission
from connectors_admin.core import crypto
from connectors_admin.core.fields import encrypted_columns
from connectors_admin.credentials.models import Credential, CredentialCache
from connectors_admin.providers.aisquared import SOURCE
from connectors_admin.providers.base import Call, Exchange, FormContext
from connectors_admin.providers.embedding import KEY
from connectors_admin.providers.schema_forms import JSONTextField, LinesField, schema_form
from connectors_admin.sandbox.aisquared import catalogue
from connectors_admin.sandbox.models import SandboxConnector

from .conftest import AISQ_TOKEN, DB_PASSWORD, aisquared_payload, make_aisquared_credential

HTMX = {"HX-Request": "true"}
AISQ_HEADERS = {"Authorization": f"Bearer {AISQ_TOKEN}", "Workspace-Id": "7"}
SAMPLES = json.loads(
    (
        Path(__file__).resolve().parents[1]
        / "connectors_admin/sandbox/aisquared_catalog/_samples.json"
    ).read_text()
)
CREATE = reverse("connectors:create", args=["acme", "aisquared-source"])
CHECK = reverse("connectors:check", args=["acme", "aisquared-source"])
FIELDS = reverse("connectors:fields", args=["acme", "aisquared-source"])


@pytest.fixture
def aisq(team, owner) -> Credential:
    return make_aisquared_credential(team, owner)


def operations():
    """Every operation but the catalogue's fetches (each recorded too: see
    test_catalogue_fetches.py)."""
    return Submission.objects.exclude(action="fetch-catalogue")


def post_data(form_class, config: dict) -> dict:
    """What a browser posts for `config` in a generated form."""
    data = {}
    for name, path in form_class.built.paths.items():
        value = config
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            continue
        field = form_class.base_fields[name]
        if isinstance(field, JSONTextField):
            data[name] = json.dumps(value)
        elif isinstance(field, LinesField):
            data[name] = "\n".join(value)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = value
        else:
            data[name] = str(value)
    return data


@pytest.mark.parametrize(
    "key", sorted(f"{kind}-{d['name'].lower()}" for kind, ds in catalogue().items() for d in ds)
)
def test_the_generator_renders_every_catalogue_definition_and_round_trips_its_sample(key):
    kind = key.split("-", 1)[0]
    definition = next(d for d in catalogue()[kind] if f"{kind}-{d['name'].lower()}" == key)
    form_class = schema_form(definition["connector_spec"]["connection_specification"])
    assert form_class.base_fields, key
    sample = SAMPLES[key]
    form = form_class(data=post_data(form_class, sample))
    assert form.is_valid(), (key, form.errors)
    assert form.configuration() == sample


payload = aisquared_payload


@pytest.mark.django_db(transaction=True)
def test_catalogue_is_fetched_with_the_credential_grouped_and_cached(
    owner_client, sandbox, aisq, fault
):
    html = owner_client.get(CREATE).content.decode()
    assert '<optgroup label="Data Warehouse">' in html
    assert '<option value="Postgresql">PostgreSQL</option>' in html
    assert "Refresh the catalogue" in html and 'data-filter-select="#id_connector_name"' in html
    assert CredentialCache.objects.filter(credential=aisq, key="definitions:source").exists()
    assert "fetched again just now" not in html
    # Asked for again, it is fetched and said so where focus goes (the button was swapped out).
    again = owner_client.post(FIELDS + "?refresh=1", {"credential": aisq.pk}, headers=HTMX).text
    said = again.split('class="alert alert-success" role="status" tabindex="-1" data-focus>')[1]
    assert said.startswith("<p>AI Squared's catalogue was fetched again just now: 7 connectors")
    fault("status", provider="aisquared", status=503, times=3)
    assert "PostgreSQL" in owner_client.get(CREATE).content.decode()  # served from the cache
    refreshed = owner_client.post(
        FIELDS + "?refresh=1", {"credential": aisq.pk}, headers=HTMX
    ).content.decode()
    assert "server error (HTTP 503)" in refreshed
    # The copy fetched before stays usable, and the page says it is the older one.
    assert "is shown instead" in refreshed and "PostgreSQL" in refreshed
    assert "fetched again just now" not in refreshed


@pytest.mark.django_db(transaction=True)
def test_picking_a_connector_renders_its_generated_fields(owner_client, sandbox, aisq):
    html = owner_client.post(
        FIELDS + "?changed=connector_name",
        {"credential": aisq.pk, "connector_name": "Postgresql", "name": "Keep me"},
        headers=HTMX,
    ).content.decode()
    assert html.lstrip().startswith('<div id="template-fields"')
    assert 'name="cfg__host"' in html and 'name="cfg__credentials__password"' in html
    assert "<legend>" in html  # the nested credentials object is a fieldset
    assert 'value="Keep me"' in html
    assert 'type="password"' in html
    # Leaving the password field must not re-render it (that would empty it): no inline check.
    assert "connectors/new/aisquared-source/validate/cfg__credentials__password/" not in html
    assert "validate/cfg__host/" in html


@pytest.mark.django_db(transaction=True)
def test_create_sends_the_contract_and_stores_masked_record_and_encrypted_config(
    owner_client, sandbox, aisq, caplog
):
    caplog.set_level(logging.DEBUG)
    response = owner_client.post(
        CREATE, {**payload(aisq), "form_token": str(uuid.uuid4())}, headers=HTMX
    )
    html = response.content.decode()
    assert "Connector created" in html, html[:3000]
    remote = SandboxConnector.objects.get(provider="aisquared")
    assert remote.scope == "7"
    sent = remote.data
    assert (sent["name"], sent["connector_type"], sent["connector_name"]) == (
        "Shop DB",
        "source",
        "Postgresql",
    )
    assert "description" not in sent
    assert sent["configuration"] == {
        "data_type": "structured",
        "credentials": {
            "auth_type": "username/password",
            "username": "reader",
            "password": "sha256:" + hashlib.sha256(DB_PASSWORD.encode()).hexdigest(),
        },
        "host": "db.example.com",
        "port": "5432",
        "database": "shop",
        "schema": "public",
    }
    connector = Connector.objects.get()
    assert connector.remote_id == str(remote.pk)
    assert connector.record["attributes"]["configuration"]["credentials"]["password"] == "*" * 13
    kept = crypto.decrypt_json(connector.secret_config)
    assert kept["configuration"]["credentials"]["password"] == DB_PASSWORD
    assert connector.context == {
        "connector_type": "source",
        "connector_name": "Postgresql",
        "secret_paths": [["credentials", "password"]],
        "embedded": [],  # the password was typed, not taken from a stored credential
        "words": {"Connector": {"Postgresql": "PostgreSQL"}},  # the catalogue's title
    }
    assert connector.status_label == "not checked"

    submission = Submission.objects.get(action="create")
    assert submission.response_status == 201
    assert submission.request["headers"]["Workspace-Id"] == "7"
    assert (
        submission.request["body"]["connector"]["configuration"]["credentials"]["password"]
        == "[redacted]"
    )
    assert "Authorization: Bearer $AISQUARED_TOKEN" in submission.request["curl"]
    detail = owner_client.get(
        reverse("connectors:detail", args=["acme", connector.pk])
    ).content.decode()
    everything = (
        html + detail + json.dumps(submission.request) + submission.response_body + caplog.text
    )
    assert DB_PASSWORD not in everything and AISQ_TOKEN not in everything


@pytest.mark.django_db(transaction=True)
def test_every_encrypted_column_holds_ciphertext_that_the_keys_open(
    owner_client, sandbox, aisq, settings
):
    """A create keeps its configuration's secrets to re-check it later: in the database they
    are Fernet tokens under CREDENTIAL_KEYS, never the secret, whatever column keeps them."""
    response = owner_client.post(
        CREATE, {**payload(aisq), "form_token": str(uuid.uuid4())}, headers=HTMX
    )
    assert "Connector created" in response.content.decode()
    keys = MultiFernet([Fernet(key.encode()) for key in settings.CREDENTIAL_KEYS])
    seen = 0
    for model, name in encrypted_columns():
        # The column as stored: the field converts nothing on the way out of the database.
        stored = [v for v in model._base_manager.values_list(name, flat=True) if v]
        for value in stored:
            assert DB_PASSWORD not in value and AISQ_TOKEN not in value, (model, name)
            assert value.startswith("fernet:"), (model, name)
            keys.decrypt(value.removeprefix("fernet:").encode())  # a token, not a disguise
        seen += len(stored)
    assert seen >= 2  # the credential's secret and the connector's configuration at least


@pytest.mark.django_db(transaction=True)
def test_a_failed_check_keeps_values_and_secrets_and_create_then_needs_confirmation(
    owner_client, sandbox, aisq
):
    token = str(uuid.uuid4())
    data = {**payload(aisq, cfg__host="unreachable.invalid"), "form_token": token}
    html = owner_client.post(CHECK, data, headers=HTMX).content.decode()
    assert "Connection failed." in html and "could not translate host name" in html
    assert 'value="unreachable.invalid"' in html and 'value="reader"' in html
    assert DB_PASSWORD not in html
    assert "kept from your last attempt" in html
    password = html.split('id="field-cfg__credentials__password"', 1)[1].split('id="field-', 1)[0]
    assert password.count("Leave empty to keep what you typed.") == 1
    check = operations().get()  # the check is recorded like every call, secrets redacted
    assert (check.action, check.outcome) == ("check-config", "failed")
    assert check.request["body"]["connection_spec"]["credentials"]["password"] == "[redacted]"

    # The password is not retyped: it was kept, encrypted, for this form.
    without_password = {**data, "cfg__credentials__password": ""}
    refused = owner_client.post(CREATE, without_password, headers=HTMX).content.decode()
    assert "last connection check of this configuration failed" in refused
    assert 'name="confirm_failed_check"' in refused
    assert operations().count() == 1

    created = owner_client.post(
        CREATE, {**without_password, "confirm_failed_check": "1"}, headers=HTMX
    )
    assert "Connector created" in created.content.decode()
    stored = SandboxConnector.objects.get().data["configuration"]["credentials"]["password"]
    assert stored == "sha256:" + hashlib.sha256(DB_PASSWORD.encode()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_a_create_refused_after_a_failed_check_says_why_the_check_failed(
    owner_client, sandbox, aisq
):
    data = {**payload(aisq, cfg__host="unreachable.invalid"), "form_token": str(uuid.uuid4())}
    owner_client.post(CHECK, data, headers=HTMX)
    refused = owner_client.post(CREATE, data, headers=HTMX).content.decode()
    assert 'name="confirm_failed_check"' in refused
    reason = refused.split('id="failed-check-reason"', 1)[1].split("</p>", 1)[0]
    assert "The connection check failed:" in reason and "could not translate host name" in reason
    assert 'aria-describedby="failed-check-reason"' in refused
    assert DB_PASSWORD not in refused


@pytest.mark.django_db(transaction=True)
def test_create_it_anyway_stays_ticked_when_the_provider_then_fails(
    owner_client, sandbox, aisq, fault
):
    data = {**payload(aisq, cfg__host="unreachable.invalid"), "form_token": str(uuid.uuid4())}
    owner_client.post(CHECK, data, headers=HTMX)
    fault("status", provider="aisquared", status=503)
    confirmed = {**data, "confirm_failed_check": "1"}
    failed = owner_client.post(CREATE, confirmed, headers=HTMX).content.decode()
    assert "server error (HTTP 503)" in failed
    assert 'name="confirm_failed_check" value="1" checked' in failed
    token = failed.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    again = owner_client.post(CREATE, {**confirmed, "form_token": token}, headers=HTMX)
    assert "Connector created" in again.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_successful_check_lets_create_go_straight_through(owner_client, sandbox, aisq):
    data = {**payload(aisq), "form_token": str(uuid.uuid4())}
    checked = owner_client.post(CHECK, data, headers=HTMX).content.decode()
    assert "Connection succeeded." in checked
    # Named by the catalogue's title, as the Connector list shows it, not its internal name.
    assert "reached the PostgreSQL connector's system" in html.unescape(checked)
    created = owner_client.post(CREATE, data, headers=HTMX).content.decode()
    assert "Connector created" in created
    # Checked just before with exactly this configuration: it says so, not "not checked".
    assert Connector.objects.get().remote_status == "connected" and "not checked" not in created
    # Unchecked, or checked with other values, it has no status yet.
    other = {**payload(aisq, name="Other DB"), "form_token": str(uuid.uuid4())}
    owner_client.post(CHECK, other, headers=HTMX)
    changed = {**other, "cfg__schema": "sales"}
    assert "Connector created" in owner_client.post(CREATE, changed, headers=HTMX).content.decode()
    assert Connector.objects.get(name="Other DB").remote_status == ""


@pytest.mark.django_db(transaction=True)
def test_schema_is_checked_on_our_side_before_any_call(owner_client, sandbox, aisq):
    data = {**payload(aisq, cfg__host=""), "form_token": str(uuid.uuid4())}
    html = owner_client.post(CREATE, data, headers=HTMX).content.decode()
    block = html.split('id="field-cfg__host"', 1)[1].split('id="field-', 1)[0]
    assert "This field is required." in block
    assert operations().count() == 0


@pytest.mark.django_db(transaction=True)
def test_duplicate_name_lands_on_the_name_field_with_values_kept(owner_client, sandbox, aisq):
    owner_client.post(CREATE, {**payload(aisq), "form_token": str(uuid.uuid4())}, headers=HTMX)
    html = owner_client.post(
        CREATE, {**payload(aisq), "form_token": str(uuid.uuid4())}, headers=HTMX
    ).content.decode()
    block = html.split('id="field-name"', 1)[1].split('id="field-', 1)[0]
    assert "A connector with the same name already exists." in block
    assert 'value="db.example.com"' in html and DB_PASSWORD not in html
    assert "kept from your last attempt" in html
    failed = Submission.objects.filter(outcome="failed").get()
    assert failed.response_status == 422
    assert failed.field_errors == {"name": "A connector with the same name already exists."}


def _client(aisq):
    return aisq.client()


@pytest.mark.django_db(transaction=True)
def test_the_four_error_shapes_become_plain_messages(sandbox, aisq):
    client = _client(aisq)
    url = client.api_url("connectors")

    # 1. contract failure, nested under connector
    bad_type = client.send(
        Call(
            "POST",
            url,
            json={
                "connector": {
                    "name": "x",
                    "connector_name": "Postgresql",
                    "connector_type": "sideways",
                    "configuration": {"a": 1},
                }
            },
        )
    )
    assert bad_type.status == 400
    assert "connector_type invalid connector type" in bad_type.error.message
    missing = client.send(Call("POST", url, json={"nothing": True}))
    assert "connector is missing" in missing.error.message
    named = client.send(
        Call(
            "POST",
            url,
            json={
                "connector": {
                    "connector_name": "Postgresql",
                    "connector_type": "source",
                    "configuration": {"a": 1},
                }
            },
        )
    )
    assert named.error.field_errors == {"name": "is missing"}

    # 2. JSON:API errors: 404, 422 on the configuration, 401
    assert (
        "Connector not found"
        in client.send(Call("GET", client.api_url("connectors/999"))).error.message
    )
    invalid = client.send(
        Call(
            "POST",
            url,
            json={
                "connector": {
                    "name": "y",
                    "connector_name": "Postgresql",
                    "connector_type": "source",
                    "configuration": {"host": "h"},
                }
            },
        )
    )
    assert invalid.status == 422
    assert (
        "Connector creation failed" in invalid.error.message
        and "configuration:" in invalid.error.message
    )
    aisq.set_secrets({"token": "invalid-token"})
    assert "Unauthorized" in aisq.client().send(Call("GET", url)).error.message

    # 3. {"error": "..."}
    created = client.send(
        Call(
            "POST",
            url,
            json={
                "connector": {
                    "name": "z",
                    "connector_name": "Postgresql",
                    "connector_type": "source",
                    "configuration": SAMPLES["source-postgresql"],
                }
            },
        )
    ).json()
    put = client.send(
        Call("PUT", client.api_url(f"connectors/{created['data']['id']}"), json={"connector": None})
    )
    assert put.status == 422
    assert put.error.message.endswith("said: “param is missing or the value is empty: connector.”")

    # 4. bad request: no workspace
    aisq.public = {**aisq.public, "workspace_id": ""}
    aisq.set_secrets({"token": AISQ_TOKEN})
    no_workspace = aisq.client().send(Call("GET", url))
    assert no_workspace.status == 400
    assert "Workspace not found" in no_workspace.error.message


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_checks_formats_as_multiwoven_does(sandbox, aisq):
    client = _client(aisq)
    sample = SAMPLES["source-bigquery"]
    key = {**sample["credentials_json"], "client_email": "not-an-address"}
    body = {
        "connector": {
            "name": "bq",
            "connector_type": "source",
            "connector_name": "Bigquery",
            "configuration": {**sample, "credentials_json": key},
        }
    }
    refused = client.send(Call("POST", client.api_url("connectors"), json=body))
    assert refused.status == 422
    assert "#/credentials_json/client_email" in refused.text
    body["connector"]["configuration"] = sample
    assert client.send(Call("POST", client.api_url("connectors"), json=body)).status == 201


@pytest.mark.django_db(transaction=True)
def test_shape_three_error_is_read(sandbox, aisq):
    from connectors_admin.providers.base import Exchange

    exchange = Exchange(
        call=Call("GET", "x"), status=404, text='{"error": "Couldn\'t find Connector"}'
    )
    assert _client(aisq).error_details(exchange) == ("Couldn't find Connector", {})


@pytest.mark.django_db(transaction=True)
def test_detail_refresh_recheck_and_delete(owner_client, sandbox, aisq):
    owner_client.post(CREATE, {**payload(aisq), "form_token": str(uuid.uuid4())}, headers=HTMX)
    connector = Connector.objects.get()
    detail = reverse("connectors:detail", args=["acme", connector.pk])
    assert "Check connection" in owner_client.get(detail).content.decode()

    refreshed = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    assert "Refreshed from AI Squared just now" in refreshed.content.decode()

    checked = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "check"]), headers=HTMX
    ).content.decode()
    assert "Connection checked just now: it works." in checked
    connector.refresh_from_db()
    assert connector.remote_status == "connected"
    check = Submission.objects.get(action="check")
    assert check.request["body"]["connection_spec"]["credentials"]["password"] == "[redacted]"

    deleted = owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "delete"]))
    assert deleted.status_code == 302
    connector.refresh_from_db()
    assert connector.remote_status == "deleted"
    assert not SandboxConnector.objects.filter(provider="aisquared").exists()
    assert Submission.objects.get(action="delete").response_status == 204


@pytest.mark.django_db(transaction=True)
def test_a_connector_deleted_in_ai_squared_is_recorded_gone_by_a_refresh(
    owner_client, sandbox, aisq
):
    """Multiwoven answers a connector that is not in the workspace with its own JSON:API 404,
    {"errors": [{"status": 404, "title": "Error", "detail": "Connector not found"}]}
    (ConnectorsController#set_connector): the refresh records it deleted there, instead of
    failing every refresh of a record kept live for ever."""
    owner_client.post(CREATE, {**payload(aisq), "form_token": str(uuid.uuid4())}, headers=HTMX)
    connector = Connector.objects.get()
    SandboxConnector.objects.filter(provider="aisquared").delete()  # deleted in AI Squared
    Connector.objects.update(created_at=connector.created_at - timedelta(minutes=5))

    owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )

    connector.refresh_from_db()
    assert connector.deleted_at is not None and connector.remote_status == "deleted"
    assert "AI Squared no longer has" in connector.last_error


def test_a_404_that_is_not_multiwoven_s_own_says_nothing_of_the_connector(aisq, settings):
    """A 404 without Multiwoven's "Connector not found" (a wrong address, a proxy) is an error,
    not a deletion."""
    client = _client(aisq)
    ours = Exchange(call=Call("GET", "https://x/api/v1/connectors/4"), status=404)
    ours.content_type = "application/json"
    ours.text = json.dumps(
        {"errors": [{"status": 404, "title": "Error", "detail": "Connector not found"}]}
    )
    other = Exchange(call=ours.call, status=404, content_type="application/json")
    other.text = json.dumps({"error": "Not Found"})
    assert client.says_not_found(ours) and not client.says_not_found(other)


@pytest.mark.django_db(transaction=True)
def test_destination_template_uses_the_destination_catalogue(owner_client, sandbox, aisq):
    html = owner_client.get(
        reverse("connectors:create", args=["acme", "aisquared-destination"])
    ).content.decode()
    assert '<option value="Slack">' in html
    assert '<option value="Snowflake">' not in html


def _create_sources(client, count: int, prefix: str = "pg") -> None:
    for i in range(count):
        body = {
            "connector": {
                "name": f"{prefix}-{i}",
                "connector_type": "source",
                "connector_name": "Postgresql",
                "configuration": SAMPLES["source-postgresql"],
            }
        }
        assert client.send(Call("POST", client.api_url("connectors"), json=body)).status == 201


@pytest.mark.django_db(transaction=True)
def test_sandbox_lists_with_pagination_links_and_masks_secrets(sandbox, aisq):
    """`per_page` sets the page size (ConnectorsController#index, providers.md §2.3), and the
    links name the page size used."""
    client = _client(aisq)
    _create_sources(client, 3)
    page = client.send(Call("GET", client.api_url("connectors?type=source&per_page=2"))).json()
    assert len(page["data"]) == 2 and page["links"]["next"] and page["links"]["prev"] is None
    assert page["links"]["next"].startswith(sandbox)
    assert "page=2" in page["links"]["next"] and "per_page=2" in page["links"]["next"]
    second = requests.get(
        page["links"]["next"],
        headers={"Authorization": f"Bearer {AISQ_TOKEN}", "Workspace-Id": "7"},
        timeout=5,
    ).json()
    assert len(second["data"]) == 1 and second["links"]["next"] is None
    assert all(
        c["attributes"]["configuration"]["credentials"]["password"] == "*" * 13
        for c in page["data"]
    )
    one = client.send(
        Call("GET", client.api_url("connector_definitions/postgresql?type=source"))
    ).json()
    assert one["name"] == "Postgresql"
    unknown = client.send(
        Call("GET", client.api_url("connector_definitions/nothing?type=source"))
    ).json()
    assert unknown == {"data": []}
    # The catalogue's categories (§2.2): data, ai_ml, or one category by its exact name.
    lakes = client.send(
        Call("GET", client.api_url("connector_definitions?type=source&category=Data Lake"))
    ).json()
    assert [d["name"] for d in lakes] == ["AmazonS3"]
    assert (
        client.send(
            Call("GET", client.api_url("connector_definitions?type=source&category=ai_ml"))
        ).json()
        == []
    )
    every = client.send(Call("GET", client.api_url("connector_definitions?category=data"))).json()
    assert len(every["source"]) + len(every["destination"]) == 14


@pytest.mark.django_db
def test_a_provider_that_returns_secrets_in_clear_still_gets_them_masked(aisq):
    """Deployments before 2025-08 return configuration secrets unmasked (providers.md §2.4)."""
    from connectors_admin.providers.base import Exchange

    body = {
        "data": {
            "id": "5",
            "type": "connectors",
            "attributes": {
                "name": "Old",
                "connector_type": "source",
                "connector_name": "Postgresql",
                "configuration": {"host": "h", "credentials": {"password": DB_PASSWORD}},
            },
        }
    }
    client = _client(aisq)
    client.redactor.add(values=[DB_PASSWORD])
    exchange = Exchange(call=Call("GET", "x"), status=200, text=json.dumps(body))
    record = client.read_record(exchange, [["credentials", "password"]])
    assert record.raw["attributes"]["configuration"]["credentials"]["password"] == "[redacted]"
    assert DB_PASSWORD not in client.redacted_response(exchange)


@pytest.mark.django_db(transaction=True)
def test_refresh_masks_the_kept_configuration_secrets_in_what_it_records(
    owner_client, sandbox, aisq
):
    owner_client.post(CREATE, {**payload(aisq), "form_token": str(uuid.uuid4())}, headers=HTMX)
    connector = Connector.objects.get()
    owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    refresh = Submission.objects.get(action="refresh")
    assert refresh.outcome == "succeeded"
    assert DB_PASSWORD not in refresh.response_body + json.dumps(refresh.request)


def test_secrets_are_found_in_alternatives_items_and_whole_subtrees():
    from connectors_admin.providers.schema_forms import SecretTextarea, secret_paths, secret_values

    schema = {
        "type": "object",
        "properties": {
            "auth": {
                "type": "object",
                "oneOf": [
                    {"properties": {"password": {"type": "string", "multiwoven_secret": True}}},
                    {"properties": {"token": {"type": "string", "multiwoven_secret": True}}},
                ],
            },
            "key": {"type": "object", "multiwoven_secret": True},
            "peers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"secret": {"type": "string", "multiwoven_secret": True}},
                },
            },
        },
    }
    assert secret_paths(schema) == [
        ("auth", "password"),
        ("auth", "token"),
        ("key",),
        ("peers", "*", "secret"),
    ]
    config = {
        "auth": {"password": "p-1"},
        "key": {"pem": "k-2"},
        "peers": [{"secret": "s-3"}, {"secret": "s-4"}],
    }
    values = secret_values(config, schema)
    assert {"p-1", "k-2", "s-3", "s-4", json.dumps({"pem": "k-2"})} <= set(values)
    form_class = schema_form(schema)
    for name in ("cfg__auth", "cfg__key", "cfg__peers"):
        assert isinstance(form_class.base_fields[name].widget, SecretTextarea), name
    form = form_class(
        data={"cfg__auth": '{"password": "p-1"}', "cfg__key": '{"pem": "k-2"}', "cfg__peers": "[]"}
    )
    assert set(form.secret_names()) == {"cfg__auth", "cfg__key", "cfg__peers"}
    assert "p-1" not in str(form["cfg__auth"])  # never rendered back


def test_schema_errors_on_a_secret_never_echo_its_value():
    schema = {
        "type": "object",
        "properties": {"token": {"type": "string", "pattern": "^sk_", "multiwoven_secret": True}},
    }
    form = schema_form(schema)(data={"cfg__token": "hunter2-secret"})
    assert not form.is_valid()
    assert "hunter2-secret" not in str(form.errors)


@pytest.mark.django_db(transaction=True)
def test_env_references_are_refused(owner_client, sandbox, aisq):
    data = {
        **payload(aisq, cfg__credentials__password='ENV["SECRET_KEY_BASE"]'),
        "form_token": str(uuid.uuid4()),
    }
    html = owner_client.post(CHECK, data, headers=HTMX).content.decode()
    assert "Values of the form ENV[…] are not allowed here." in html
    assert operations().count() == 0


@pytest.mark.django_db(transaction=True)
def test_kept_secrets_never_follow_the_form_to_another_credential(
    owner_client, sandbox, aisq, team, owner
):
    other = Credential(
        team=team,
        kind="aisquared",
        label="Workspace 8",
        public={"instance": "AI Squared (hosted)", "workspace_id": 8},
        created_by=owner,
    )
    other.set_secrets({"token": AISQ_TOKEN}, owner)
    other.save()
    token = str(uuid.uuid4())
    owner_client.post(
        CHECK, {**payload(aisq, cfg__host="unreachable.invalid"), "form_token": token}, headers=HTMX
    )
    # Same form, another credential, password left empty: the kept one must not be used.
    switched = {**payload(other), "cfg__credentials__password": "", "form_token": token}
    html = owner_client.post(CREATE, switched, headers=HTMX).content.decode()
    block = html.split('id="field-cfg__credentials__password"', 1)[1].split('id="field-', 1)[0]
    assert "This field is required." in block
    assert not SandboxConnector.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_instance_no_longer_configured_fails_closed(owner_client, sandbox, aisq, settings):
    aisq.public = {**aisq.public, "instance": "Old self-hosted"}
    aisq.save()
    owner_client.post(reverse("credentials:test", args=["acme", aisq.pk]))
    aisq.refresh_from_db()
    assert aisq.last_check_ok is False
    assert "no longer configured" in aisq.last_check_message
    html = owner_client.get(CREATE).content.decode()
    assert "no longer configured" in html


def test_configuration_errors_are_pinned_to_the_generated_field(db):
    from connectors_admin.providers.aisquared.client import AISquaredClient
    from connectors_admin.providers.base import Exchange

    body = {
        "errors": [
            {
                "status": 422,
                "title": "Error",
                "detail": "Connector creation failed",
                "source": {"configuration": "The property '#/credentials/username' is required"},
            }
        ]
    }
    exchange = Exchange(call=Call("POST", "x"), status=422, text=json.dumps(body))
    message, fields = AISquaredClient({}, {}).error_details(exchange)
    assert fields == {
        "cfg__credentials__username": "The property '#/credentials/username' is required"
    }
    assert message == "Connector creation failed"


@pytest.mark.django_db(transaction=True)
def test_the_inline_check_never_calls_the_provider(owner_client, sandbox, aisq, fault):
    url = reverse("connectors:validate", args=["acme", "aisquared-source", "cfg__host"])
    data = {**payload(aisq), "form_token": str(uuid.uuid4())}
    # Nothing cached yet: nothing to check against, and no call is made.
    fault("status", provider="aisquared", status=500, times=5)
    assert owner_client.post(url, data, headers=HTMX).status_code == 204
    requests.delete(f"{sandbox}/sandbox/_faults/", timeout=5)
    owner_client.get(CREATE)  # loads and caches the catalogue
    fault("status", provider="aisquared", status=500, times=5)
    response = owner_client.post(url, {**data, "cfg__host": ""}, headers=HTMX)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    faults = requests.get(f"{sandbox}/sandbox/_faults/", timeout=5).json()["faults"]
    assert faults[0]["times"] == 5  # still queued: the provider was never asked


@pytest.mark.django_db(transaction=True)
def test_a_lost_create_behind_a_page_of_newer_connectors_is_found_on_the_next(
    owner_client, sandbox, aisq, fault, tasks
):
    """The list is newest first, read a hundred a page: a hundred connectors changed since put
    the one a lost create made on page 2, which its link leads to."""
    owner_client.get(CREATE)
    fault("late", provider="aisquared")
    owner_client.post(CREATE, {**payload(aisq), "form_token": str(uuid.uuid4())}, headers=HTMX)
    assert Submission.objects.get(action="create").reconciliation == "pending"
    client = _client(aisq)
    body = {
        "connector": {
            "name": "newer-0",
            "connector_type": "source",
            "connector_name": "Postgresql",
            "configuration": SAMPLES["source-postgresql"],
        }
    }
    assert client.send(Call("POST", client.api_url("connectors"), json=body)).status == 201
    made = SandboxConnector.objects.filter(provider="aisquared").latest("pk")
    SandboxConnector.objects.bulk_create(  # 99 more like it, as the workspace holds them
        SandboxConnector(
            provider="aisquared",
            scope=made.scope,
            remote_id=f"{made.pk * 1000 + i}",
            data={**made.data, "name": f"newer-{i}"},
        )
        for i in range(1, 100)
    )

    assert tasks.run("reconcile_create") == ["found"]

    lookup = Attempt.objects.filter(submission__action="reconcile").order_by("pk")
    assert [a.request["url"].rsplit("/", 1)[1] for a in lookup] == [
        "connectors?type=source&per_page=100",
        "connectors?page=2&per_page=100&type=source",
    ]
    assert Connector.objects.get().name == "Shop DB"


@pytest.mark.django_db(transaction=True)
def test_a_lost_create_is_found_by_name_and_keeps_its_configuration_for_checks(
    owner_client, sandbox, aisq, fault, tasks
):
    owner_client.get(CREATE)  # the catalogue is fetched (and cached) with the form
    fault("late", provider="aisquared")
    owner_client.post(CREATE, {**payload(aisq), "form_token": str(uuid.uuid4())}, headers=HTMX)
    submission = Submission.objects.get(action="create")
    assert submission.reconciliation == "pending"
    assert submission.identity == {
        "connector_type": "source",
        "connector_name": "Postgresql",
        "name": "Shop DB",
        "secret_paths": [["credentials", "password"]],
        "create_key": submission.identity["create_key"],  # the form's, for a retry to find
    }
    assert DB_PASSWORD not in str(submission.identity) + submission.secret_config
    assert tasks.run("reconcile_create") == ["found"]
    submission.refresh_from_db()
    connector = Connector.objects.get()
    assert submission.secret_config == ""  # kept only until reconciled, now on the connector
    assert connector.name == "Shop DB" and connector.remote_id == str(
        SandboxConnector.objects.get(provider="aisquared").remote_id
    )
    assert DB_PASSWORD not in json.dumps(connector.record)
    checked = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "check"]), headers=HTMX
    ).content.decode()
    assert "it works" in checked


@pytest.mark.django_db(transaction=True)
def test_a_form_whose_catalogue_cannot_be_fetched_sends_nothing(owner_client, sandbox, aisq, fault):
    fault("status", provider="aisquared", status=503)
    html = owner_client.post(
        CREATE, {**payload(aisq), "form_token": str(uuid.uuid4())}, headers=HTMX
    ).content.decode()
    assert "server error (HTTP 503)" in html
    assert not Submission.objects.filter(action="create").exists()
    assert not SandboxConnector.objects.filter(provider="aisquared").exists()


def form_token_of(page: str) -> str:
    return page.split('name="form_token" value="', 1)[1].split('"', 1)[0]


def typed_while_down(client, view: str, aisq, fault) -> str:
    """A create or check posted while the catalogue cannot be fetched and none is cached: the
    page, which shows no value typed (which are secret is not known), and keeps them all."""
    assert not CredentialCache.objects.exists()
    fault("status", provider="aisquared", status=503, method="GET")
    typed = {
        **payload(aisq, cfg__host="typed-host-42.example.com", cfg__port=""),
        "description": "Orders, typed once",
        "form_token": str(uuid.uuid4()),
    }
    page = html.unescape(client.post(view, typed, headers=HTMX).content.decode())
    assert "server error (HTTP 503)" in page
    assert "What you typed is kept for this form" in page
    for value in ("typed-host-42.example.com", "Orders, typed once", "reader", DB_PASSWORD):
        assert value not in page
    assert not operations().exists() and not SandboxConnector.objects.exists()
    assert DB_PASSWORD not in json.dumps(dict(client.session), default=str)
    return page


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("view", [CREATE, CHECK])
def test_what_is_typed_while_the_catalogue_cannot_be_fetched_comes_back_with_it(
    owner_client, aisq, fault, caplog, view
):
    with caplog.at_level(logging.DEBUG):
        down = typed_while_down(owner_client, view, aisq, fault)
        # The catalogue answers again: "Try again" posts what the page holds (no value).
        back = owner_client.post(
            FIELDS + "?refresh=1",
            {"credential": aisq.pk, "form_token": form_token_of(down)},
            headers=HTMX,
        ).content.decode()

    assert '<option value="Postgresql" selected>' in back
    for value in ("typed-host-42.example.com", "reader", "shop"):
        assert f'value="{value}"' in back
    assert ">\nOrders, typed once</textarea>" in back
    assert 'value="5432"' not in back  # emptied, as it was sent
    password = back.split('id="field-cfg__credentials__password"', 1)[1].split('id="field-', 1)[0]
    assert "kept from your last attempt" in password and "Leave empty to keep" in password
    assert "What you typed before is back" in html.unescape(back)
    assert DB_PASSWORD not in back + caplog.text
    # Sent with the password left empty: the one typed while the catalogue was down goes.
    sent = {
        **payload(aisq, cfg__host="typed-host-42.example.com", cfg__credentials__password=""),
        "form_token": form_token_of(down),
    }
    assert "Connector created" in owner_client.post(CREATE, sent, headers=HTMX).content.decode()
    configuration = SandboxConnector.objects.get().data["configuration"]
    assert configuration["credentials"]["password"] == (
        "sha256:" + hashlib.sha256(DB_PASSWORD.encode()).hexdigest()
    )


@pytest.mark.django_db(transaction=True)
def test_sent_again_without_javascript_once_the_catalogue_is_back_shows_the_values_first(
    owner_client, aisq, fault
):
    down = typed_while_down(owner_client, CREATE, aisq, fault)
    # What a browser without JavaScript posts from that page: the form's own fields only.
    again = {"credential": aisq.pk, "form_token": form_token_of(down)}

    shown = owner_client.post(CREATE, again).content.decode()

    assert not operations().exists()  # values it did not show are not sent
    assert 'value="typed-host-42.example.com"' in shown and "Nothing was sent" in shown
    assert DB_PASSWORD not in shown and "kept from your last attempt" in shown
    sent = {
        **payload(aisq, cfg__host="typed-host-42.example.com", cfg__credentials__password=""),
        "form_token": form_token_of(shown),
    }
    assert owner_client.post(CREATE, sent).status_code == 302
    assert SandboxConnector.objects.get().data["configuration"]["host"] == (
        "typed-host-42.example.com"
    )


PEM = "-----BEGIN " + "PRIVATE KEY-----\nMIIfake\n-----END " + "PRIVATE KEY-----\n"


def bigquery_form(**key_file):
    """The BigQuery source's form, its key file pasted with `key_file`'s changes."""
    context = FormContext(
        client=lambda: None,
        params={"connector_name": "Bigquery"},
        cached=lambda key, fetch: catalogue()["source"],
    )
    sample = SAMPLES["source-bigquery"]
    pasted = {**sample["credentials_json"], "private_key": PEM, **key_file}
    return SOURCE.form_class_for(context)(
        data={
            "connector_name": "Bigquery",
            "name": "Warehouse",
            "cfg__project_id": sample["project_id"],
            KEY + "credentials_json": json.dumps(pasted),
        }
    )


def test_a_key_file_member_in_the_wrong_format_is_said_next_to_the_key_file():
    form = bigquery_form(client_email="nope")
    assert not form.is_valid()
    assert form.errors[KEY + "credentials_json"] == ["client_email: Enter an e-mail address."]
    assert bigquery_form().is_valid()


def test_an_optional_login_left_empty_is_not_sent_for_its_read_only_auth_type():
    """The PostgreSQL destination does not require `credentials`; its read-only `auth_type`
    alone must not create the object, which would then demand a username and password."""
    from jsonschema import Draft7Validator

    from connectors_admin.sandbox.aisquared import spec_of

    definition = next(d for d in catalogue()["destination"] if d["name"] == "Postgresql")
    spec = spec_of(definition)
    config = {"host": "db.example.com", "port": "5432", "database": "shop", "schema": "public"}
    assert Draft7Validator(spec).is_valid(config)  # as the provider (and sandbox) check it
    form = schema_form(spec)(data={f"cfg__{k}": v for k, v in config.items()})
    assert form.is_valid(), form.errors
    assert form.configuration() == config
    login = {"cfg__credentials__username": "writer", "cfg__credentials__password": "pw-123456"}
    form = schema_form(spec)(data={**{f"cfg__{k}": v for k, v in config.items()}, **login})
    assert form.is_valid(), form.errors
    assert form.configuration()["credentials"] == {
        "auth_type": "username/password",
        "username": "writer",
        "password": "pw-123456",
    }


MICROSOFT_EXCEL = {
    "name": "MicrosoftExcel",
    "title": "Microsoft Excel",
    "connector_type": "destination",
    "category": "Productivity Tools",
    # As Multiwoven's own microsoft_excel/config/spec.json: the Graph token is not marked.
    "connector_spec": {
        "connection_specification": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "Microsoft Excel",
            "type": "object",
            "required": ["token"],
            "properties": {
                "token": {
                    "description": "Token from Microsoft Graph.",
                    "type": "string",
                    "title": "Token",
                    "order": 0,
                }
            },
        }
    },
}
GRAPH_TOKEN = "graph-token-do-not-leak-31337"


def test_a_password_like_key_without_a_marker_is_still_a_secret(settings):
    """Microsoft Excel names its secret `token` without marking it: a write-only input, kept
    encrypted between attempts, masked in what is recorded. An access key's id stays shown."""
    from connectors_admin.providers.aisquared import DESTINATION
    from connectors_admin.providers.aisquared.client import AISquaredClient

    settings.AISQUARED_API_URL = "https://api.squared.example"
    context = FormContext(
        client=lambda: None,
        params={"connector_name": "MicrosoftExcel"},
        cached=lambda key, fetch: [MICROSOFT_EXCEL],
    )
    form_class = DESTINATION.form_class_for(context)
    refused = form_class(data={"connector_name": "MicrosoftExcel", "cfg__token": GRAPH_TOKEN})
    assert not refused.is_valid()  # no name
    assert GRAPH_TOKEN not in str(refused["cfg__token"])
    assert "cfg__token" in refused.secret_names()
    form = form_class(
        data={"connector_name": "MicrosoftExcel", "name": "Sheets", "cfg__token": GRAPH_TOKEN}
    )
    assert form.is_valid(), form.errors
    client = AISquaredClient({"instance": "AI Squared (hosted)", "workspace_id": 7}, {"token": "t"})
    call = client.build_create(DESTINATION, form.provider_data())
    assert GRAPH_TOKEN not in json.dumps(client.redacted_request(call))
    assert form.provider_data()["secret_paths"] == [["token"]]  # masked in the record

    s3 = next(d for d in catalogue()["destination"] if d["name"] == "AmazonS3")
    s3_form = schema_form(s3["connector_spec"]["connection_specification"])()
    assert s3_form.secret_names() == ["cfg__secret_access_key"]


def test_a_provider_error_about_a_key_file_member_is_said_next_to_the_key_file():
    """Multiwoven names a key file's member ('#/credentials_json/client_email'); the form has
    one field for the whole key file, and the error is said there, not at the top."""
    from connectors_admin.providers.aisquared.client import AISquaredClient
    from connectors_admin.providers.base import Exchange

    form = bigquery_form()
    assert form.is_valid(), form.errors
    message = (
        "The property '#/credentials_json/client_email' value "
        '"reader@acme-data.iam.gserviceaccount.com" did not match the format email'
    )
    body = {
        "errors": [
            {
                "status": 422,
                "title": "Error",
                "detail": "Connector creation failed",
                "source": {"configuration": message},
            }
        ]
    }
    exchange = Exchange(call=Call("POST", "x"), status=422, text=json.dumps(body))
    _, fields = AISquaredClient({}, {}).error_details(exchange)
    for name, said in fields.items():  # as the create view does
        form.add_provider_error(name, said)
    assert form.errors == {KEY + "credentials_json": [message]}


@pytest.mark.django_db(transaction=True)
def test_import_the_workspaces_sources_made_elsewhere(owner_client, sandbox, aisq, tasks):
    """The workspace's connectors of the template's type are offered by their catalogue
    connector; one imported keeps where its schema holds secrets, so a refresh masks them
    whatever the provider sends, and its record never holds the password."""
    client = _client(aisq)
    password = "elsewhere-pg-password-do-not-leak"
    made = [
        ("source", "Postgresql", "Orders replica", {**SAMPLES["source-postgresql"]}),
        ("destination", "Postgresql", "Warehouse out", SAMPLES["destination-postgresql"]),
    ]
    made[0][3]["credentials"] = {**made[0][3]["credentials"], "password": password}
    for kind, name, title, configuration in made:
        body = {
            "connector": {
                "name": title,
                "connector_type": kind,
                "connector_name": name,
                "configuration": configuration,
            }
        }
        assert client.send(Call("POST", client.api_url("connectors"), json=body)).status == 201
    url = reverse("connectors:import", args=["acme", "aisquared-source"])
    page = owner_client.get(url, {"credential": aisq.pk}).content.decode()
    assert "1 connector at AI Squared" in page and "Warehouse out" not in page
    assert ">Connector<" in page and ">PostgreSQL<" in page  # the catalogue's title
    ids = re.findall(r'name="remote_id" value="([^"]+)"', page)
    assert owner_client.post(url, {"credential": aisq.pk, "remote_id": ids}).status_code == 302
    imported = Connector.objects.get()
    assert imported.name == "Orders replica"
    assert imported.context == {
        "connector_type": "source",
        "connector_name": "Postgresql",
        "secret_paths": [["credentials", "password"]],
        "embedded": [],
        "words": {"Connector": {"Postgresql": "PostgreSQL"}},
    }
    owner_client.post(reverse("connectors:action", args=["acme", imported.pk, "refresh"]))
    assert Submission.objects.get(action="refresh").outcome == "succeeded"
    imported.refresh_from_db()
    assert imported.record["attributes"]["configuration"]["credentials"]["password"] in (
        "[redacted]",
        "*************",
    )
    # A check sends the whole configuration again: its secrets were never known here.
    owner_client.post(reverse("connectors:action", args=["acme", imported.pk, "check"]))
    checked = Submission.objects.get(action="check")
    assert checked.outcome == "failed" and "never sent from here" in checked.error_message
    assert not checked.attempts.exists()  # nothing was sent
    everything = json.dumps(
        [list(Connector.objects.values()), list(Attempt.objects.values())], default=str
    )
    assert password not in page and password not in everything and AISQ_TOKEN not in everything


def test_a_pushed_secret_goes_into_the_item_it_was_sent_in_or_nowhere():
    """The configuration a rotated secret is pushed into is AI Squared's, its masked secrets
    put back from what was sent. In a list, a kept secret goes back only into an item that is
    still the one it was sent in (apart from its masks): moved or changed there, it is not
    known which secret it holds, and nothing is sent. An answer with no configuration sends
    nothing either, rather than the kept one over what AI Squared holds."""
    from connectors_admin.providers import get_template
    from connectors_admin.providers.base import ProviderError, Target

    template = get_template("aisquared-destination")
    mask = "*" * 13
    sent = {
        "region": "eu",
        "endpoints": [
            {"url": "https://a.example.com", "token": "token-a-do-not-leak"},
            {"url": "https://b.example.com", "token": "token-b-do-not-leak"},
        ],
    }

    def push_into(configuration):
        record = {"attributes": {"configuration": configuration}} if configuration else {}
        target = Target(
            remote_id="7",
            context={},
            status="",
            kept=lambda: {"configuration": sent},
            record=record,
        )
        return template.configuration_to_push(target)

    held = {
        "region": "us",  # changed there: kept
        "endpoints": [
            {"url": "https://a.example.com", "token": mask},
            {"url": "https://b.example.com", "token": mask},
        ],
    }
    assert push_into(held) == {**sent, "region": "us"}
    reordered = {"region": "eu", "endpoints": list(reversed(held["endpoints"]))}
    with pytest.raises(ProviderError) as refused:
        push_into(reordered)
    assert "endpoints.0, endpoints.1 changed at AI Squared" in refused.value.message
    assert "do-not-leak" not in refused.value.message
    with pytest.raises(ProviderError, match="shows no configuration"):
        push_into(None)


@pytest.mark.django_db(transaction=True)
def test_sandbox_lists_ten_a_page_by_default_as_multiwoven(sandbox, aisq):
    """providers.md §2.3: the list takes `page` and `per_page`, ten a page by default
    (kaminari_config.rb's default_per_page); `self` is the request's own address, as
    CustomPaginationLinks makes it, and a page that is not a number is the first (to_i)."""
    client = _client(aisq)
    _create_sources(client, 11)
    page = client.send(Call("GET", client.api_url("connectors?type=source"))).json()
    assert len(page["data"]) == 10
    assert page["links"]["self"].endswith("/api/v1/connectors?type=source")
    assert page["links"]["next"].endswith("/api/v1/connectors?page=2&per_page=10&type=source")
    assert page["links"]["last"].endswith("/api/v1/connectors?page=2&per_page=10&type=source")
    assert (
        len(requests.get(page["links"]["next"], headers=AISQ_HEADERS, timeout=5).json()["data"])
        == 1
    )
    wide = client.send(Call("GET", client.api_url("connectors?per_page=25"))).json()
    assert len(wide["data"]) == 11 and wide["links"]["next"] is None
    odd = client.send(Call("GET", client.api_url("connectors?page=first")))
    assert odd.status == 200 and len(odd.json()["data"]) == 10


@pytest.mark.django_db(transaction=True)
def test_sandbox_refuses_a_duplicate_name_in_multiwovens_words(sandbox, aisq):
    """providers.md §2.3: the same name and type again is a 422 "A connector with the same name
    already exists." (CreateConnector fails with that error and no record: the JSON:API error's
    detail is the sentence and it has no `source`)."""
    client = _client(aisq)
    _create_sources(client, 1, prefix="dup")
    again = _post_source(client, "dup-0", SAMPLES["source-postgresql"])
    assert again.status_code == 422
    assert again.json() == {
        "errors": [
            {
                "status": 422,
                "title": "Error",
                "detail": "A connector with the same name already exists.",
            }
        ]
    }
    # It looks for the namesake before it validates the configuration.
    invalid = _post_source(client, "dup-0", {"host": "h"})
    assert invalid.json() == again.json()


def _post_source(client, name: str, configuration: dict) -> requests.Response:
    """A PostgreSQL source posted to the sandbox as any client would, its answer as it came."""
    body = {
        "connector": {
            "name": name,
            "connector_type": "source",
            "connector_name": "Postgresql",
            "configuration": configuration,
        }
    }
    return requests.post(client.api_url("connectors"), headers=AISQ_HEADERS, json=body, timeout=5)


@pytest.mark.django_db(transaction=True)
def test_sandbox_update_does_not_check_names(sandbox, aisq):
    """providers.md §2.3 names no uniqueness rule for PUT/PATCH, and Multiwoven has none there:
    UpdateConnector saves the record, whose model validates only presence and the schema."""
    client = _client(aisq)
    _create_sources(client, 2, prefix="named")
    listed = client.send(Call("GET", client.api_url("connectors?type=source"))).json()["data"]
    second = next(c for c in listed if c["attributes"]["name"] == "named-1")
    renamed = requests.patch(
        client.api_url(f"connectors/{second['id']}"),
        headers=AISQ_HEADERS,
        json={"connector": {"name": "named-0"}},
        timeout=5,
    )
    assert renamed.status_code == 200
    assert renamed.json()["data"]["attributes"]["name"] == "named-0"


@pytest.mark.django_db(transaction=True)
def test_sandbox_list_filters_by_type_category_and_sub_category(sandbox, aisq):
    """providers.md §2.3: GET /api/v1/connectors?type=&category=&sub_category=. Each filter is a
    scope of Multiwoven's Connector: `type` in either case; `category` data or ai_ml (the
    catalogue's categories); `sub_category` llm, database, web, ai_ml_service or vector (a
    connector whose data_type is vector is a vector database). Another value is no scope: 400."""
    client = _client(aisq)
    _create_sources(client, 1, prefix="rows")
    vector = {**SAMPLES["source-postgresql"], "data_type": "vector"}
    body = {
        "connector": {
            "name": "vectors",
            "connector_type": "source",
            "connector_name": "Postgresql",
            "configuration": vector,
        }
    }
    assert client.send(Call("POST", client.api_url("connectors"), json=body)).status == 201

    def names(query: str) -> list[str]:
        answer = requests.get(
            client.api_url(f"connectors?{query}"), headers=AISQ_HEADERS, timeout=5
        )
        assert answer.status_code == 200, answer.text
        return sorted(c["attributes"]["name"] for c in answer.json()["data"])

    assert names("type=SOURCE") == ["rows-0", "vectors"]
    assert names("type=destination") == []
    assert names("category=data") == ["rows-0", "vectors"]
    assert names("category=ai_ml") == []
    assert names("sub_category=vector") == ["vectors"]
    assert names("sub_category=database") == ["rows-0"]
    assert names("sub_category=llm") == []
    unknown = requests.get(
        client.api_url("connectors?category=warehouse"), headers=AISQ_HEADERS, timeout=5
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["title"] == "Bad Request"
    bad_type = requests.get(
        client.api_url("connectors?type=sideways"), headers=AISQ_HEADERS, timeout=5
    )
    assert bad_type.status_code == 400 and bad_type.json() == {"errors": {"type": ["invalid type"]}}


@pytest.mark.django_db(transaction=True)
def test_sandbox_catalogue_refuses_an_unknown_type_in_the_contracts_words(sandbox, aisq):
    """providers.md §2.6, 1: a contract failure is a 400 {"errors": {field: [message]}}; for the
    catalogue's `type` Multiwoven's ConnectorDefinitionContracts say "invalid connector type"."""
    client = _client(aisq)
    for path in ("connector_definitions?type=sideways", "connector_definitions/postgresql?type=x"):
        answer = requests.get(client.api_url(path), headers=AISQ_HEADERS, timeout=5)
        assert answer.status_code == 400
        assert answer.json() == {"errors": {"type": ["invalid connector type"]}}
    missing = requests.get(
        client.api_url("connector_definitions/postgresql"), headers=AISQ_HEADERS, timeout=5
    )
    assert missing.status_code == 400 and missing.json() == {"errors": {"type": ["is missing"]}}


# --- fields an `if`/`then`/`else` requires (S3: an IAM user's key pair, or a role) ----------------
S3_ROLE = "Needed when “How to sign in to AWS” is “Assumed role (IAM role)”."
S3_USER = "Needed when “How to sign in to AWS” is “Access key pair (IAM user)”."


def s3_source(aisq, **config) -> dict:
    """What the S3 source form posts (an IAM role's sign-in, nothing else filled in)."""
    fields = {
        "data_type": "structured",
        "auth_type": "role",
        "arn": "",
        "external_id": "",
        "access_id": "",
        "secret_access": "",
        "region": "",
        "bucket": "",
        "path": "",
        "file_type": "csv",
        **config,
    }
    return {
        "credential": aisq.pk,
        "connector_name": "AmazonS3",
        "name": "Lake files",
        "description": "",
        "use__aws": "here",
        **{f"cfg__{key}": value for key, value in fields.items()},
        "form_token": str(uuid.uuid4()),
    }


def field_html(page: str, name: str) -> str:
    """One field's markup: label, input, errors and help."""
    return page.split(f'id="field-{name}"', 1)[1].split('id="field-', 1)[0]


@pytest.mark.django_db(transaction=True)
def test_the_s3_form_says_what_each_sign_in_needs_and_marks_nothing_needed_optional(
    owner_client, sandbox, aisq
):
    page = html.unescape(owner_client.get(CREATE, {"connector_name": "AmazonS3"}).content.decode())
    # Required by both cases of the schema's `if`: required, as a top-level `required` is.
    for name, label in (("cfg__region", "AWS region"), ("cfg__bucket", "S3 bucket")):
        assert f'<label for="id_{name}">{label}</label>' in page
        assert re.search(rf'<input [^>]*name="{name}"[^>]*required', page), name
    # Needed in one case: not "(optional)", and said when, by the sign-in's label and the name
    # of its choice; the help is tied to the input for screen readers.
    for name, label, when in (
        ("cfg__arn", "Role ARN", S3_ROLE),
        ("cfg__external_id", "Trust-policy external ID", S3_ROLE),
        ("cfg__access_id", "AWS access key ID", S3_USER),
        ("cfg__secret_access", "AWS secret key", S3_USER),
    ):
        field = field_html(page, name)
        assert f'<label for="id_{name}">{label}</label>' in field
        assert f'<p class="help" id="id_{name}_helptext">{when}' in field
        assert f'aria-describedby="id_{name}_helptext"' in field
    assert "(optional)" not in page.split('id="field-cfg__path"')[0].split('id="field-use__aws"')[1]
    assert (
        '<label for="id_cfg__path">Folder prefix <span class="optional">(optional)</span>' in page
    )
    assert '<option value="user" selected>Access key pair (IAM user)</option>' in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("script", [False, True], ids=["without-js", "htmx"])
def test_an_s3_source_missing_what_its_sign_in_needs_is_refused_next_to_each_field_unsent(
    owner_client, sandbox, aisq, script
):
    owner_client.get(CREATE, {"connector_name": "AmazonS3"})  # the catalogue, cached
    sent_before = Attempt.objects.count()
    headers = HTMX if script else {}
    # A role: its ARN and external id are needed, the key pair is not; a region that is not
    # one is said too (it was said alone before, the rest only on the next try).
    data = s3_source(aisq, region="us-east-9", bucket="")
    page = html.unescape(owner_client.post(CREATE, data, headers=headers).content.decode())
    assert ("<html" in page) is not script
    refused = re.findall(r'class="field has-error" id="field-(\w+)"', page)
    assert refused == ["cfg__arn", "cfg__external_id", "cfg__region", "cfg__bucket"]
    for name in ("cfg__arn", "cfg__external_id", "cfg__bucket"):
        assert "<li>This field is required.</li>" in field_html(page, name)
    assert "(optional)" not in field_html(page, "cfg__arn")
    # An IAM user: the other way round.
    data = s3_source(aisq, auth_type="user", region="us-east-1", bucket="lake", access_id="AKIA1")
    page = html.unescape(owner_client.post(CREATE, data, headers=headers).content.decode())
    assert re.findall(r'class="field has-error" id="field-(\w+)"', page) == ["cfg__secret_access"]
    # Nothing was sent: no create, no call of any kind.
    assert not operations().exists() and Attempt.objects.count() == sent_before
    assert not SandboxConnector.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_inline_check_asks_for_a_field_only_while_the_sign_in_chosen_needs_it(
    owner_client, sandbox, aisq
):
    owner_client.get(CREATE, {"connector_name": "AmazonS3"})  # the catalogue, cached

    def check(name: str, **config) -> str:
        """The check as a field is left, the form around it half filled in (no name yet)."""
        url = reverse("connectors:validate", args=["acme", "aisquared-source", f"cfg__{name}"])
        answer = owner_client.post(url, {**s3_source(aisq, **config), "name": ""}, headers=HTMX)
        assert answer.status_code == 200
        return answer.content.decode()

    required = "This field is required."
    assert required in check("arn", auth_type="role")
    assert required not in check("arn", auth_type="user")
    assert required not in check("external_id", auth_type="user")
    assert required in check("access_id", auth_type="user")
    assert required not in check("access_id", auth_type="role")
    assert required in check("region", auth_type="user")  # both cases need it
    assert required not in check("region", auth_type="user", region="us-east-1")
