"""Every AWS region field (Mixpanel's s3Import, VideoVector's S3, the Kafka S3 sink, AI Squared's
S3 connectors) takes a region AWS has: a code that only looks like one (us-east-9) is refused
with the regions it may have meant, before anything is sent. The regions are offered as
suggestions, and a region AWS opened since the list was written is let in by an operator."""

from __future__ import annotations

import json
import uuid
from html import unescape as html_unescape

import pytest
from django.urls import reverse

from connectors_admin.connectors.models import Submission
from connectors_admin.credentials.models import Credential

from .conftest import S3_FORM, make_aisquared_credential

HTMX = {"HX-Request": "true"}
S3_SINK = "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector"
TYPO = "AWS has no region us-east-9. Did you mean us-east-1 or us-east-2?"


@pytest.fixture
def aws(team, owner) -> Credential:
    credential = Credential(
        team=team, kind="aws", label="Lake", public={"aws_access_key_id": "AKIA" + "R" * 16}
    )
    credential.set_secrets({"aws_secret_access_key": "regionsTestSecret" + "0" * 23}, owner)
    credential.save()
    return credential


def region_forms(credential, vv, kc, aws) -> dict[str, tuple[str, dict]]:
    """Each template with an AWS region: the region field's name and a form otherwise valid."""
    return {
        "mixpanel-s3": ("s3_region", {**S3_FORM, "credential": credential.pk}),
        "videovector-s3": (
            "region",
            {
                "credential": vv.pk,
                "name": "Archive",
                "scopes": ["import"],
                "import_mode": "all",
                "bucket": "media-archive",
                "use__aws": str(aws.pk),
            },
        ),
        "kafka-connect": (
            "p_aws_s3_region",
            {
                "credential": kc.pk,
                "connector_class": S3_SINK,
                "name": "lake-sink",
                "editor": "form",
                "use__aws": str(aws.pk),
                "p_aws_s3_bucket_name": "acme-lake",
                "p_topics": "orders",
                "p_format_output_type": "jsonl",
                "p_file_compression_type": "gzip",
                "tasks_max": "1",
            },
        ),
    }


@pytest.mark.parametrize("template", ["mixpanel-s3", "videovector-s3", "kafka-connect"])
def test_a_region_aws_does_not_have_is_refused_as_the_field_is_left(
    owner_client, credential, vv, kc, aws, template
):
    field, form = region_forms(credential, vv, kc, aws)[template]
    url = reverse("connectors:validate", args=["acme", template, field])
    html = owner_client.post(url, {**form, field: "us-east-9"}, headers=HTMX).content.decode()
    assert TYPO in html
    assert 'value="us-east-9"' in html  # kept as typed, to be corrected
    fixed = owner_client.post(url, {**form, field: "us-east-2"}, headers=HTMX).content.decode()
    assert "AWS has no region" not in fixed and "errorlist" not in fixed


@pytest.mark.django_db(transaction=True)
def test_a_typo_is_refused_on_submit_with_nothing_sent(
    owner_client, sandbox, credential, vv, kc, aws
):
    for template, (field, form) in region_forms(credential, vv, kc, aws).items():
        url = reverse("connectors:create", args=["acme", template])
        data = {**form, field: "eu-wset-1", "form_token": str(uuid.uuid4())}
        html = owner_client.post(url, data).content.decode()
        assert "AWS has no region eu-wset-1. Did you mean eu-west-1" in html, template
    assert not Submission.objects.exists()


def test_the_regions_are_suggested_with_their_names_and_the_code_is_what_is_kept(
    owner_client, credential
):
    html = owner_client.get(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]), {"credential": credential.pk}
    ).content.decode()
    assert 'list="id_s3_region-regions"' in html
    assert '<datalist id="id_s3_region-regions">' in html
    assert '<option value="us-east-2">US East (Ohio)</option>' in html
    assert '<option value="eu-central-2">Europe (Zurich)</option>' in html
    # Typed in capitals, it is the code AWS spells in lower case.
    url = reverse("connectors:validate", args=["acme", "mixpanel-s3", "s3_region"])
    form = {**S3_FORM, "credential": credential.pk, "s3_region": "EU-WEST-1"}
    assert "errorlist" not in owner_client.post(url, form, headers=HTMX).content.decode()


def test_an_operator_lets_in_a_region_opened_since(owner_client, credential, settings):
    url = reverse("connectors:validate", args=["acme", "mixpanel-s3", "s3_region"])
    form = {**S3_FORM, "credential": credential.pk, "s3_region": "eu-south-3"}
    refused = html_unescape(owner_client.post(url, form, headers=HTMX).content.decode())
    assert "AWS has no region eu-south-3" in refused
    assert "(An operator can add a region newer than this list.)" in refused
    settings.AWS_EXTRA_REGIONS = ["eu-south-3=Europe (Lisbon)"]
    html = owner_client.post(url, form, headers=HTMX).content.decode()
    assert "errorlist" not in html
    assert '<option value="eu-south-3">Europe (Lisbon)</option>' in html


def create_s3_sink_from_json(owner_client, kc, aws, properties: dict) -> str:
    """The Kafka S3 sink sent from its Raw JSON editor, with a stored AWS key; the page."""
    form = {
        "credential": kc.pk,
        "connector_class": S3_SINK,
        "name": "lake-sink",
        "editor": "json",
        "use__aws": str(aws.pk),
        "raw_json": json.dumps(properties),
        "form_token": str(uuid.uuid4()),
    }
    url = reverse("connectors:create", args=["acme", "kafka-connect"])
    return owner_client.post(url, form).content.decode()


def test_kafka_json_is_checked_as_its_fields_are(owner_client, kc, aws):
    properties = {
        "aws.s3.bucket.name": "acme-lake",
        "aws.s3.region": "us-east-9",
        "topics": "orders",
        "format.output.type": "jsonl",
    }
    html = create_s3_sink_from_json(owner_client, kc, aws, properties)
    assert f"aws.s3.region: {TYPO}" in html
    assert not Submission.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_ai_squared_s3_region_beside_an_access_key_is_checked(
    owner_client, sandbox, team, owner, aws
):
    aisq = make_aisquared_credential(team, owner)
    url = reverse("connectors:create", args=["acme", "aisquared-source"])
    form = {
        "credential": aisq.pk,
        "connector_name": "AmazonS3",
        "name": "Lake files",
        "description": "",
        "cfg__data_type": "structured",
        "cfg__auth_type": "user",
        "use__aws": str(aws.pk),
        "cfg__region": "us-east-9",
        "cfg__bucket": "acme-lake",
        "cfg__path": "/exports",
        "cfg__file_type": "csv",
        "form_token": str(uuid.uuid4()),
    }
    html = owner_client.post(url, form).content.decode()
    assert TYPO in html
    assert 'list="id_cfg__region-regions"' in html
    assert not Submission.objects.filter(action="create").exists()


@pytest.mark.django_db(transaction=True)
def test_a_region_in_capitals_in_the_kafka_json_is_taken_as_its_field_takes_it(
    owner_client, sandbox, kc, aws
):
    """The Fields view takes EU-WEST-1 and sends eu-west-1; switched to the raw JSON, the same
    value (carried as typed) is neither refused as "not a region code" nor sent in capitals."""
    from connectors_admin.sandbox.models import SandboxConnector

    properties = {
        "aws.s3.bucket.name": "acme-lake",
        "aws.s3.region": "EU-WEST-1",
        "topics": "orders",
        "format.output.type": "jsonl",
    }
    html = create_s3_sink_from_json(owner_client, kc, aws, properties)

    assert "An AWS region code" not in html
    sent = SandboxConnector.objects.get(provider="kafkaconnect").data
    assert sent["config"]["aws.s3.region"] == "eu-west-1", sent
