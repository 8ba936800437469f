"""Where a form takes a Google service-account key and also asks for a GCP project (VideoVector's
GCS storage, the Kafka BigQuery sink, AI Squared's BigQuery source), the project may be left
empty: the key file's own project_id is sent, read from the stored credential's public values
(it is not secret) or from the key typed here. A project typed is sent as typed: a service
account may be granted another project's bucket or dataset, and no provider refuses that."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from connectors_admin.connectors.models import Connector, Submission
from connectors_admin.credentials.models import Credential

from .conftest import make_aisquared_credential
from .test_embedded_credentials import key_file

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HX-Request": "true"}
BIGQUERY_SINK = "com.wepay.kafka.connect.bigquery.BigQuerySinkConnector"
LEAVE_EMPTY = (
    "Leave it empty to use acme-analytics, the project in the Google service account&#x27;s key "
    "file."
)


@pytest.fixture
def gcp(team, owner) -> Credential:
    key = key_file()
    credential = Credential(
        team=team,
        kind="gcp",
        label="Loader key",
        public={"client_email": key["client_email"], "project_id": key["project_id"]},
    )
    credential.set_secrets({"service_account_json": json.dumps(key)}, owner)
    credential.save()
    return credential


def gcs_form(vv, **fields) -> dict:
    return {
        "credential": vv.pk,
        "name": "Footage",
        "scopes": ["import"],
        "import_mode": "all",
        "bucket": "raw-footage",
        "gcp_project_id": "",
        "form_token": str(uuid.uuid4()),
        **fields,
    }


def sent_body() -> dict:
    """What the latest create sent."""
    create = Submission.objects.filter(action="create").latest("created_at", "pk")
    return create.attempts.get(method="POST").request["body"]


def test_videovector_gcs_takes_the_stored_keys_project_when_none_is_typed(
    owner_client, sandbox, vv, gcp
):
    url = reverse("connectors:create", args=["acme", "videovector-gcs"])
    page = owner_client.get(url, {"credential": vv.pk}).content.decode()
    assert LEAVE_EMPTY in page
    assert 'name="gcp_project_id"' in page and 'GCP project id <span class="optional">' in page
    html = owner_client.post(url, gcs_form(vv, use__credentials_file=str(gcp.pk))).content
    assert ["gcp_project_id", "acme-analytics"] in sent_body()["form"], html
    connector = Connector.objects.get()
    assert connector.summary["GCP project"] == "acme-analytics"  # the record says which
    # Another project typed (the bucket's, granted to the key's service account) is its own.
    form = gcs_form(
        vv, name="Other", use__credentials_file=str(gcp.pk), gcp_project_id="media-bucket-home"
    )
    owner_client.post(url, form)
    assert ["gcp_project_id", "media-bucket-home"] in sent_body()["form"]


def test_videovector_gcs_takes_the_project_of_a_key_file_uploaded_here(owner_client, sandbox, vv):
    upload = SimpleUploadedFile(
        "key.json", json.dumps(key_file()).encode(), content_type="application/json"
    )
    form = gcs_form(vv, use__credentials_file="here", keyfile__credentials_file=upload)
    owner_client.post(reverse("connectors:create", args=["acme", "videovector-gcs"]), form)
    assert ["gcp_project_id", "acme-analytics"] in sent_body()["form"]


def bigquery_sink(kc, **fields) -> dict:
    return {
        "credential": kc.pk,
        "connector_class": BIGQUERY_SINK,
        "name": "orders-to-bq",
        "editor": "form",
        "p_defaultDataset": "events",
        "p_keySource": "JSON",
        "p_topics": "orders",
        "p_autoCreateTables": "false",
        "tasks_max": "1",
        "form_token": str(uuid.uuid4()),
        **fields,
    }


@pytest.mark.parametrize("editor", ["form", "json"])
def test_the_kafka_bigquery_sink_takes_the_stored_keys_project(
    owner_client, sandbox, kc, gcp, editor
):
    url = reverse("connectors:create", args=["acme", "kafka-connect"])
    page = owner_client.get(url, {"connector_class": BIGQUERY_SINK}).content.decode()
    assert LEAVE_EMPTY in page
    form = bigquery_sink(kc, use__gcp=str(gcp.pk))
    if editor == "json":
        shown = {"defaultDataset": "events", "topics": "orders", "keySource": "JSON"}
        form.update(editor="json", raw_json=json.dumps(shown))
    html = owner_client.post(url, form, headers=HTMX).content.decode()
    assert "Connector created" in html, html
    assert sent_body()["config"]["project"] == "acme-analytics"


def test_a_kafka_key_that_names_no_project_asks_for_one(owner_client, kc):
    """Kafka's key source FILE takes a path, not a key: there is no project to read in it."""
    form = bigquery_sink(kc, use__gcp="here", p_keySource="FILE", p_keyfile="/etc/bq/key.json")
    html = owner_client.post(reverse("connectors:create", args=["acme", "kafka-connect"]), form)
    html = html.content.decode()
    assert "The key file names no project to use here: type the project id." in html
    assert not Submission.objects.exists()


def test_ai_squareds_bigquery_source_takes_the_stored_keys_project(owner_client, sandbox, gcp):
    from connectors_admin.sandbox.models import SandboxConnector

    aisq = make_aisquared_credential(gcp.team)
    url = reverse("connectors:create", args=["acme", "aisquared-source"])
    page = owner_client.get(url, {"connector_name": "Bigquery"}).content.decode()
    assert LEAVE_EMPTY in page
    form = {
        "credential": aisq.pk,
        "connector_name": "Bigquery",
        "name": "Warehouse",
        "description": "",
        "cfg__project_id": "",
        "cfg__dataset_id": "",
        "use__credentials_json": str(gcp.pk),
        "form_token": str(uuid.uuid4()),
    }
    html = owner_client.post(url, form, headers=HTMX).content.decode()
    assert "Connector created" in html, html
    remote = SandboxConnector.objects.get(provider="aisquared")
    assert remote.data["configuration"]["project_id"] == "acme-analytics"
    assert sent_body()["connector"]["configuration"]["project_id"] == "acme-analytics"
