"""An AWS secret access key is checked by one rule wherever it is typed: a stored AWS
credential, and each connector's "Enter it here" (VideoVector's S3, the Kafka S3 sink, AI
Squared's S3 key pair). A key of the wrong length is refused next to its field, never sent."""

from __future__ import annotations

import uuid
from html import unescape

import pytest
from django.urls import reverse

from connectors_admin.connectors.models import Connector, Submission

from .conftest import make_aisquared_credential

HTMX = {"HX-Request": "true"}
SAID = "A secret access key is 40 letters, digits, / + or =."
KEY_ID = "AKIA" + "W" * 16
S3_SINK = "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector"


def typed_forms(vv, kc, aisq) -> dict[str, tuple[str, dict]]:
    """Each template where an AWS key pair is typed by hand: the secret's field and a form
    otherwise valid."""
    return {
        "videovector-s3": (
            "aws_secret_access_key",
            {
                "credential": vv.pk,
                "name": "Archive",
                "scopes": ["import"],
                "import_mode": "all",
                "bucket": "media-archive",
                "region": "us-east-1",
                "use__aws": "here",
                "aws_access_key_id": KEY_ID,
            },
        ),
        "kafka-connect": (
            "p_aws_secret_access_key",
            {
                "credential": kc.pk,
                "connector_class": S3_SINK,
                "name": "lake-sink",
                "editor": "form",
                "use__aws": "here",
                "p_aws_access_key_id": KEY_ID,
                "p_aws_s3_bucket_name": "acme-lake",
                "p_aws_s3_region": "eu-west-1",
                "p_topics": "orders",
                "p_format_output_type": "jsonl",
                "p_file_compression_type": "gzip",
                "tasks_max": "1",
            },
        ),
        "aisquared-source": (
            "cfg__secret_access",
            {
                "credential": aisq.pk,
                "connector_name": "AmazonS3",
                "name": "Lake files",
                "description": "",
                "cfg__data_type": "structured",
                "use__aws": "here",
                "cfg__auth_type": "user",
                "cfg__access_id": KEY_ID,
                "cfg__bucket": "acme-lake",
                "cfg__region": "us-east-1",
                "cfg__file_type": "csv",
                "cfg__path": "/exports",
            },
        ),
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("template", ["videovector-s3", "kafka-connect", "aisquared-source"])
@pytest.mark.parametrize("length", [39, 41])
def test_a_typed_secret_access_key_of_another_length_is_refused_with_nothing_sent(
    owner_client, sandbox, team, owner, vv, kc, template, length
):
    aisq = make_aisquared_credential(team, owner)
    field, form = typed_forms(vv, kc, aisq)[template]
    url = reverse("connectors:create", args=["acme", template])
    data = {**form, field: "k" * length, "form_token": str(uuid.uuid4())}
    page = unescape(owner_client.post(url, data, headers=HTMX).content.decode())
    refused = page.split(f'id="field-{field}"', 1)[1].split('id="field-', 1)[0]
    assert SAID in refused, page[:3000]
    assert "Connector created" not in page
    assert not Submission.objects.filter(action="create").exists()
    assert not Connector.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("template", ["videovector-s3", "kafka-connect", "aisquared-source"])
def test_a_typed_secret_access_key_of_forty_characters_is_sent(
    owner_client, sandbox, team, owner, vv, kc, template
):
    aisq = make_aisquared_credential(team, owner)
    field, form = typed_forms(vv, kc, aisq)[template]
    url = reverse("connectors:create", args=["acme", template])
    data = {**form, field: "wJalrXUtnFEMI/K7MDENG+bPxRfiCY" + "0" * 10}
    data["form_token"] = str(uuid.uuid4())
    page = unescape(owner_client.post(url, data, headers=HTMX).content.decode())
    assert "Connector created" in page, page[:3000]


def test_the_stored_aws_credential_says_the_same(owner_client):
    url = reverse("credentials:add", args=["acme", "aws"])
    data = {"label": "Lake", "aws_access_key_id": KEY_ID, "aws_secret_access_key": "k" * 37}
    assert SAID in unescape(owner_client.post(url, data).content.decode())
