"""Stored credentials flow into connectors: the form offers the team's stored storage secrets
(or one field to type them), the request carries them, and the record links every credential it
embeds — through the sandbox, with the test client."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid

import pytest
from django.urls import reverse

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Attempt, Connector, EmbeddedCredential, Submission
from connectors_admin.credentials.models import Credential
from connectors_admin.sandbox.models import SandboxConnector

from .conftest import make_aisquared_credential

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HX-Request": "true"}
DESTINATION = reverse("connectors:create", args=["acme", "aisquared-destination"])
SOURCE = reverse("connectors:create", args=["acme", "aisquared-source"])

# Fake secrets built at run time; a PEM-looking key with real line breaks.
PEM_LINES = [
    "-----BEGIN " + "PRIVATE KEY-----",
    "ZmFrZS1rZXktZG8tbm90LWxlYWs=",
    "-----END " + "PRIVATE KEY-----",
]
PEM = "\n".join(PEM_LINES) + "\n"
AWS_SECRET = "awsSecretDoNotLeak" + "0" * 22
ROTATED_AWS_SECRET = "awsRotatedDoNotLeak" + "1" * 21


def key_file(key_id: str = "kid-1") -> dict:
    return {
        "type": "service_account",
        "project_id": "acme-analytics",
        "private_key_id": key_id,
        "private_key": PEM,
        "client_email": "loader@acme-analytics.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/loader",
        "universe_domain": "googleapis.com",
    }


def digest(value: str) -> str:
    """How the sandbox keeps a secret it received (never in clear)."""
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


@pytest.fixture
def aisq(team, owner) -> Credential:
    return make_aisquared_credential(team, owner)


@pytest.fixture
def gcp(team, owner) -> Credential:
    credential = Credential(
        team=team,
        kind="gcp",
        label="Loader key",
        public={"client_email": key_file()["client_email"], "project_id": "acme-analytics"},
    )
    credential.set_secrets({"service_account_json": json.dumps(key_file())}, owner)
    credential.save()
    return credential


@pytest.fixture
def aws(team, owner) -> Credential:
    credential = Credential(
        team=team, kind="aws", label="Data lake", public={"aws_access_key_id": "AKIA" + "D" * 16}
    )
    credential.set_secrets({"aws_secret_access_key": AWS_SECRET}, owner)
    credential.save()
    return credential


def sheets_form(aisq, **fields) -> dict:
    return {
        "credential": aisq.pk,
        "connector_name": "GoogleSheets",
        "name": "Weekly sheet",
        "description": "",
        "cfg__spreadsheet_link": "https://docs.google.com/spreadsheets/d/abc",
        "form_token": str(uuid.uuid4()),
        **fields,
    }


def s3_source_form(aisq, **fields) -> dict:
    return {
        "credential": aisq.pk,
        "connector_name": "AmazonS3",
        "name": "Lake files",
        "description": "",
        "cfg__data_type": "structured",
        "cfg__auth_type": "user",
        "cfg__region": "us-east-1",
        "cfg__bucket": "acme-lake",
        "cfg__path": "/exports",
        "cfg__file_type": "csv",
        "form_token": str(uuid.uuid4()),
        **fields,
    }


def test_the_form_offers_stored_credentials_and_one_field_for_a_key_file(
    owner_client, sandbox, aisq, gcp
):
    html = owner_client.get(DESTINATION, {"connector_name": "GoogleSheets"}).content.decode()
    assert "Google service account" in html
    assert f'<option value="{gcp.pk}" selected>Loader key (' in html
    assert "not verified yet" in html
    # The key file's eleven fields are not there: one pasted document replaces them.
    assert "cfg__credentials_json__private_key" not in html
    # "Enter it here" shows the one JSON field.
    entered = owner_client.get(
        DESTINATION, {"connector_name": "GoogleSheets", "use__credentials_json": "here"}
    ).content.decode()
    assert 'name="keyjson__credentials_json"' in entered
    assert "cfg__credentials_json__client_email" not in entered


def test_a_google_sheets_destination_uses_a_stored_gcp_key_and_links_it(
    owner_client, sandbox, aisq, gcp, caplog
):
    caplog.set_level(logging.DEBUG)
    response = owner_client.post(
        DESTINATION, sheets_form(aisq, use__credentials_json=str(gcp.pk)), headers=HTMX
    )
    assert "Connector created" in response.content.decode()
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    account = sent["credentials_json"]
    assert account["client_email"] == key_file()["client_email"]
    assert account["private_key"] == digest(PEM)  # the stored key, newlines and all
    connector = Connector.objects.get()
    link = EmbeddedCredential.objects.get()
    assert (link.connector, link.credential, link.slot) == (connector, gcp, "credentials_json")
    assert link.fingerprints == gcp.fingerprints() and link.is_current
    # Used by the connector, and audited as a use of the credential.
    assert AuditEvent.objects.filter(action="credential.used", target_id=str(gcp.pk)).exists()
    page = owner_client.get(reverse("credentials:detail", args=["acme", gcp.pk])).content
    assert b"Weekly sheet" in page
    for text in [
        page.decode(),
        caplog.text,
        json.dumps(list(Attempt.objects.values()), default=str),
    ]:
        assert PEM_LINES[1] not in text


def test_a_key_file_typed_once_keeps_its_line_breaks(owner_client, sandbox, aisq):
    form = sheets_form(
        aisq, use__credentials_json="here", keyjson__credentials_json=json.dumps(key_file())
    )
    response = owner_client.post(DESTINATION, form, headers=HTMX)
    assert "Connector created" in response.content.decode()
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    assert sent["credentials_json"]["private_key"] == digest(PEM)
    assert not EmbeddedCredential.objects.exists()  # typed, not stored: nothing to link
    create = Submission.objects.get(action="create")
    assert PEM_LINES[1] not in json.dumps([create.request, create.response_body])


def test_a_typed_key_file_is_checked(owner_client, sandbox, aisq):
    bad = {**key_file(), "type": "authorized_user"}
    html = owner_client.post(
        DESTINATION,
        sheets_form(aisq, use__credentials_json="here", keyjson__credentials_json=json.dumps(bad)),
        headers=HTMX,
    ).content.decode()
    assert "not a service-account key" in html
    assert PEM_LINES[1] not in html  # never echoed back
    assert not Submission.objects.filter(action="create").exists()


def test_an_s3_source_uses_a_stored_aws_key_pair(owner_client, sandbox, aisq, aws):
    html = owner_client.get(SOURCE, {"connector_name": "AmazonS3"}).content.decode()
    assert "AWS access key" in html and f'<option value="{aws.pk}" selected>' in html
    assert 'name="cfg__secret_access"' not in html  # filled from the stored pair
    response = owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    assert "Connector created" in response.content.decode()
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    assert sent["access_id"] == "AKIA" + "D" * 16
    assert sent["secret_access"] == digest(AWS_SECRET)
    assert EmbeddedCredential.objects.get().credential == aws
    # Deleting the AWS credential is refused while the connector embeds it.
    delete = reverse("credentials:delete", args=["acme", aws.pk])
    refused = owner_client.post(delete)
    assert refused.status_code == 409 and "Lake files" in refused.content.decode()
    assert Credential.objects.filter(pk=aws.pk).exists()
    listing = owner_client.get(reverse("credentials:list", args=["acme"])).content.decode()
    assert AWS_SECRET not in listing


def test_another_teams_credential_cannot_be_embedded(
    owner_client, sandbox, aisq, other_team, outsider
):
    theirs = Credential(
        team=other_team, kind="aws", label="Theirs", public={"aws_access_key_id": "AKIA" + "E" * 16}
    )
    theirs.set_secrets({"aws_secret_access_key": "t" * 40}, outsider)
    theirs.save()
    html = owner_client.post(
        SOURCE, s3_source_form(aisq, use__aws=str(theirs.pk)), headers=HTMX
    ).content.decode()
    assert "Select a valid choice" in html
    assert not SandboxConnector.objects.exists()


def test_rotation_shows_the_blast_radius_and_pushes_the_new_secret(
    owner_client, sandbox, aisq, aws
):
    owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    connector = Connector.objects.get()
    owner_client.post(
        reverse("credentials:rotate", args=["acme", aws.pk]),
        {"aws_secret_access_key": ROTATED_AWS_SECRET},
    )
    page = owner_client.get(reverse("credentials:detail", args=["acme", aws.pk])).content.decode()
    assert "1 connector embeds the old secret" in page and "Lake files" in page
    assert "Push the new secret" in page

    push = reverse("connectors:push-rotated", args=["acme", aws.pk])
    result = owner_client.post(push).content.decode()
    assert "Lake files" in result and "pushed" in result
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    assert sent["secret_access"] == digest(ROTATED_AWS_SECRET)
    assert sent["bucket"] == "acme-lake"  # the rest of the configuration is kept
    pushed = Submission.objects.get(action="push-rotated")
    assert pushed.outcome == "succeeded" and pushed.connector == connector
    assert pushed.attempts.get().method == "PUT"
    link = EmbeddedCredential.objects.get()
    assert link.is_current
    page = owner_client.get(reverse("credentials:detail", args=["acme", aws.pk])).content.decode()
    assert "the old secret</strong>" not in page
    # The connection check afterwards uses the new secret kept with the record.
    checked = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "check"]), headers=HTMX
    ).content.decode()
    assert "it works" in checked
    for secret in (AWS_SECRET, ROTATED_AWS_SECRET):
        assert secret not in result + page + checked
        assert secret not in json.dumps(list(Attempt.objects.values()), default=str)
        assert secret not in json.dumps(list(AuditEvent.objects.values()), default=str)
        assert secret not in json.dumps(list(Connector.objects.values()), default=str)


def test_a_database_source_may_take_a_stored_uris_login(owner_client, sandbox, aisq, team, owner):
    from .conftest import aisquared_payload

    uri = Credential(team=team, kind="uri", label="Shop replica", public={"scheme": "postgresql"})
    uri.set_secrets({"uri": "postgresql://reader:p%40ss-do-not-leak@db.example.com/shop"}, owner)
    uri.save()
    html = owner_client.get(SOURCE, {"connector_name": "Postgresql"}).content.decode()
    # Optional: typing the login stays the default, the stored URI is offered.
    assert '<option value="here" selected>Enter it here</option>' in html
    assert f'<option value="{uri.pk}">Shop replica' in html
    form = aisquared_payload(aisq, "Postgresql")
    form.pop("cfg__credentials__username")
    form.pop("cfg__credentials__password")
    response = owner_client.post(
        SOURCE, {**form, "use__credentials": str(uri.pk), "form_token": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    assert sent["credentials"]["username"] == "reader"
    assert sent["credentials"]["password"] == digest("p@ss-do-not-leak")  # percent-decoded
    assert EmbeddedCredential.objects.get().credential == uri
    assert "p@ss-do-not-leak" not in json.dumps(list(Attempt.objects.values()), default=str)


def test_a_key_file_can_be_uploaded_instead_of_pasted(owner_client, sandbox, aisq):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "loader.json", json.dumps(key_file()).encode(), content_type="application/json"
    )
    form = sheets_form(aisq, use__credentials_json="here", keyfile__credentials_json=upload)
    response = owner_client.post(DESTINATION, form, headers=HTMX)
    assert "Connector created" in response.content.decode()
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    assert sent["credentials_json"]["private_key"] == digest(PEM)
    bad = SimpleUploadedFile("x.json", b"{not json", content_type="application/json")
    form = sheets_form(
        aisq, name="Other", use__credentials_json="here", keyfile__credentials_json=bad
    )
    html = owner_client.post(DESTINATION, form, headers=HTMX).content.decode()
    assert "This is not JSON" in html
    nothing = sheets_form(aisq, name="Third", use__credentials_json="here")
    html = owner_client.post(DESTINATION, nothing, headers=HTMX).content.decode()
    assert "Paste the key file here, or upload it below." in html
