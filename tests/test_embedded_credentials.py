"""Stored credentials flow into connectors: the form offers the team's stored storage secrets
(or one field to type them), the request carries them, and the record links every credential it
embeds — through the sandbox, with the test client."""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import uuid

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Attempt, Connector, EmbeddedCredential, Submission
from connectors_admin.credentials.models import Credential
from connectors_admin.sandbox.models import SandboxConnector

from .conftest import AISQ_TOKEN, make_aisquared_credential, stored_uri

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
ROTATED_PEM_BODY = "cm90YXRlZC1rZXktZG8tbm90LWxlYWs="
ROTATED_PEM = "\n".join([PEM_LINES[0], ROTATED_PEM_BODY, PEM_LINES[2]]) + "\n"
AWS_SECRET = "awsSecretDoNotLeak" + "0" * 22
ROTATED_AWS_SECRET = "awsRotatedDoNotLeak" + "1" * 21


def key_file(key_id: str = "kid-1", pem: str = PEM) -> dict:
    return {
        "type": "service_account",
        "project_id": "acme-analytics",
        "private_key_id": key_id,
        "private_key": pem,
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
    # Its connectors, embedding it, are one link away, and the list's filter and search find
    # them like the connectors made with a credential.
    connectors = reverse("connectors:list", args=["acme"])
    assert f'href="{connectors}?credential={aws.pk}"' in refused.content.decode()
    for query in ({"credential": aws.pk}, {"q": "Data lake"}):
        found = owner_client.get(connectors, query).content.decode()
        assert "Lake files" in found and "1 connector match" in found


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
    response = owner_client.post(push)
    assert response.status_code == 302 and response["Location"] == push  # POST, redirect, GET
    result = owner_client.get(push).content.decode()
    assert "Lake files" in result and "pushed" in result
    assert "Lake files" in owner_client.get(push).content.decode()  # a reload pushes nothing
    assert Submission.objects.filter(action="push-rotated").count() == 1
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    assert sent["secret_access"] == digest(ROTATED_AWS_SECRET)
    assert sent["bucket"] == "acme-lake"  # the rest of the configuration is kept
    pushed = Submission.objects.get(action="push-rotated")
    assert pushed.outcome == "succeeded" and pushed.connector == connector
    # What AI Squared holds now is read first, then the whole configuration is sent back.
    assert [a.method for a in pushed.attempts.order_by("number")] == ["GET", "PUT"]
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

    uri = stored_uri(
        team,
        owner,
        "postgresql://reader:p%40ss-do-not-leak@db.example.com/shop",
        label="Shop replica",
    )
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


# --- more of the flow: typed secrets kept, lost creates, conditions, rotation of a key file ----------
def form_token_in(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def everything_stored(caplog) -> str:
    """Every place of ours a secret must never reach: rows of every kind, and the log (the
    sandbox's own rows are the provider's side, not ours)."""
    from connectors_admin.connectors.models import Submission as S

    rows = [
        list(Attempt.objects.values()),
        list(S.objects.values()),
        list(AuditEvent.objects.values()),
        list(Connector.objects.values("summary", "record", "context", "last_error", "name")),
        list(EmbeddedCredential.objects.values()),
    ]
    return json.dumps(rows, default=str) + caplog.text


def test_a_typed_key_file_is_kept_across_a_failed_attempt_and_never_echoed(
    owner_client, sandbox, aisq, gcp
):
    # A connector named "Weekly sheet" exists: the next create with that name is refused (422).
    owner_client.post(
        DESTINATION, sheets_form(aisq, use__credentials_json=str(gcp.pk)), headers=HTMX
    )
    typed = sheets_form(
        aisq,
        use__credentials_json="here",
        keyjson__credentials_json=json.dumps(key_file("kid-typed")),
    )
    html = owner_client.post(DESTINATION, typed, headers=HTMX).content.decode()
    assert "same name already exists" in html
    assert "kept from your last attempt" in html  # the key file is kept, not sent back
    assert PEM_LINES[1] not in html and "kid-typed" not in html
    again = {
        **typed,
        "name": "Second sheet",
        "keyjson__credentials_json": "",
        "form_token": form_token_in(html),
    }
    html = owner_client.post(DESTINATION, again, headers=HTMX).content.decode()
    assert "Connector created" in html
    sent = SandboxConnector.objects.get(data__name="Second sheet").data["configuration"]
    assert sent["credentials_json"]["private_key"] == digest(PEM)
    assert sent["credentials_json"]["private_key_id"] == "kid-typed"
    assert EmbeddedCredential.objects.count() == 1  # only the stored key's connector


def test_an_old_key_file_without_universe_domain_is_completed_and_a_partial_one_is_refused(
    owner_client, sandbox, aisq
):
    old = {k: v for k, v in key_file().items() if k != "universe_domain"}
    form = sheets_form(
        aisq, use__credentials_json="here", keyjson__credentials_json=json.dumps(old)
    )
    assert (
        "Connector created" in owner_client.post(DESTINATION, form, headers=HTMX).content.decode()
    )
    sent = SandboxConnector.objects.get().data["configuration"]["credentials_json"]
    assert sent["universe_domain"] == "googleapis.com"  # what Google's libraries assume
    partial = {k: v for k, v in key_file().items() if k != "client_id"}
    form = sheets_form(
        aisq,
        name="Other",
        use__credentials_json="here",
        keyjson__credentials_json=json.dumps(partial),
    )
    html = owner_client.post(DESTINATION, form, headers=HTMX).content.decode()
    assert "This key file lacks client_id, which this connector requires." in html
    assert SandboxConnector.objects.count() == 1


def test_the_key_files_private_parts_are_masked_and_its_public_parts_shown(
    owner_client, sandbox, aisq, gcp, caplog
):
    caplog.set_level(logging.DEBUG)
    owner_client.post(
        DESTINATION, sheets_form(aisq, use__credentials_json=str(gcp.pk)), headers=HTMX
    )
    create = Attempt.objects.get(method="POST")
    sent = create.request["body"]["connector"]["configuration"]["credentials_json"]
    assert sent["private_key"] == "[redacted]" and sent["private_key_id"] == "[redacted]"
    # Which service account went in stays readable (it is public on the credential's page).
    assert sent["client_email"] == key_file()["client_email"]
    assert sent["token_uri"] == key_file()["token_uri"]
    assert "kid-1" not in everything_stored(caplog)
    assert PEM_LINES[1] not in everything_stored(caplog)


@pytest.mark.django_db(transaction=True)
def test_a_stored_uri_of_another_database_is_not_offered(
    owner_client, sandbox, aisq, kc, team, owner
):
    """A MongoDB URI is no PostgreSQL login, nor a PostgreSQL URI a MongoDB connection: each
    picker offers the URIs of its own schemes, and says so when there is none; a pick of one
    not offered is refused before anything is sent."""
    pg = stored_uri(team, owner, "postgresql://reader:pg-pw-do-not-leak@db.example.com/shop", "PG")
    mongo = stored_uri(
        team, owner, "mongodb+srv://app:mongo-pw-do-not-leak@cluster0.example.net/db", "Mongo"
    )

    aisquared = owner_client.get(SOURCE, {"connector_name": "Postgresql"}).text
    assert f'<option value="{pg.pk}">PG' in aisquared
    assert f'<option value="{mongo.pk}">' not in aisquared

    kafka = reverse("connectors:create", args=["acme", "kafka-connect"])
    mongo_class = "com.mongodb.kafka.connect.MongoSourceConnector"
    page = owner_client.get(kafka, {"credential": kc.pk, "connector_class": mongo_class}).text
    assert f'<option value="{mongo.pk}">Mongo' in page
    assert f'<option value="{pg.pk}">' not in page
    # Picked anyway (a crafted post): refused next to the picker, nothing sent.
    from .test_kafka import create, mongo_form

    refused = create(owner_client, "kafka-connect", mongo_form(kc, use__uri=str(pg.pk)))
    assert "Select a valid choice" in refused
    assert not SandboxConnector.objects.filter(provider="kafkaconnect").exists()
    # With none of its schemes stored, it says which it takes.
    mongo.delete()
    page = html.unescape(
        owner_client.get(kafka, {"credential": kc.pk, "connector_class": mongo_class}).text
    )
    assert "no enabled stored credential of this kind for mongodb:// or mongodb+srv://" in page


def test_a_database_login_from_a_uri_shows_the_user_and_masks_the_password(
    owner_client, sandbox, aisq, team, owner, caplog
):
    from .conftest import aisquared_payload

    uri = stored_uri(
        team, owner, "postgresql://postgres:pw-do-not-leak-77@db.example.com/shop", label="Replica"
    )
    form = aisquared_payload(aisq, "Postgresql")
    response = owner_client.post(
        SOURCE, {**form, "use__credentials": str(uri.pk), "form_token": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    body = Attempt.objects.get(method="POST").request["body"]["connector"]["configuration"]
    # The user name is not a secret: masking "postgres" would garble every "postgresql".
    assert body["credentials"] == {
        "auth_type": "username/password",
        "username": "postgres",
        "password": "[redacted]",
    }
    assert "pw-do-not-leak-77" not in everything_stored(caplog)


def test_a_uri_without_a_password_is_said_next_to_the_picker(
    owner_client, sandbox, aisq, team, owner
):
    from .conftest import aisquared_payload

    uri = stored_uri(team, owner, "postgresql://reader@db.example.com/shop", label="No password")
    form = {**aisquared_payload(aisq, "Postgresql"), "use__credentials": str(uri.pk)}
    html = owner_client.post(
        SOURCE, {**form, "form_token": str(uuid.uuid4())}, headers=HTMX
    ).content.decode()
    assert "This stored credential has no password to put here." in html
    assert not SandboxConnector.objects.exists()


def test_a_disabled_storage_secret_says_what_it_stops_and_what_it_does_not(
    owner_client, sandbox, aisq, aws
):
    """Disabling a stored AWS key stops new connectors from taking it; the connectors that
    carry it are refreshed and deleted with their provider's credential, as before."""
    owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    connector = Connector.objects.get()
    owner_client.post(reverse("credentials:toggle", args=["acme", aws.pk]), {"enabled": "0"})

    page = html.unescape(
        owner_client.get(reverse("credentials:detail", args=["acme", aws.pk])).content.decode()
    )
    refreshed = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    ).content.decode()

    owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "delete"]), headers=HTMX
    )
    connector.refresh_from_db()

    assert "Refreshed from AI Squared" in refreshed  # refreshed and deleted, as the page says
    assert connector.deleted_at is not None
    assert "no new connector can use it until an admin enables it" in page
    assert "Connectors that carry its secret keep it" in page
    assert "no connector can be created, refreshed or deleted with it" not in page
    # A provider's API credential disabled: nothing is created, refreshed or deleted with it.
    owner_client.post(reverse("credentials:toggle", args=["acme", aisq.pk]), {"enabled": "0"})
    provider_page = owner_client.get(
        reverse("credentials:detail", args=["acme", aisq.pk])
    ).content.decode()
    assert "no connector can be created, refreshed or deleted with it" in provider_page


def test_an_s3_source_that_assumes_a_role_embeds_no_key_pair(owner_client, sandbox, aisq, aws):
    html = owner_client.get(
        SOURCE, {"connector_name": "AmazonS3", "cfg__auth_type": "role"}
    ).content.decode()
    assert 'name="use__aws"' not in html  # the key pair is not part of a role's sign-in
    # Switching the sign-in reloads the fields, like the picker itself.
    assert (
        'hx-post="/teams/acme/connectors/new/aisquared-source/fields/?changed=cfg__auth_type"'
        in (owner_client.get(SOURCE, {"connector_name": "AmazonS3"}).content.decode())
    )
    form = s3_source_form(
        aisq,
        use__aws=str(aws.pk),
        cfg__auth_type="role",
        cfg__arn="arn:aws:iam::123456789012:role/reader",
        cfg__external_id="acme-external",
    )
    assert "Connector created" in owner_client.post(SOURCE, form, headers=HTMX).content.decode()
    sent = SandboxConnector.objects.get().data["configuration"]
    assert "access_id" not in sent and "secret_access" not in sent
    assert not EmbeddedCredential.objects.exists()


def test_the_key_pair_an_iam_user_needs_comes_from_the_picker_or_its_fields_and_is_kept(
    owner_client, sandbox, aisq, aws
):
    """S3 needs the key pair only for an IAM user (`if`/`then`): the picker says so as the
    pair's fields do; a stored pair fills what would be needed; typed here, an empty key id is
    refused next to it whatever else is wrong, and the secret typed with it is kept for the
    next try, which needs no retyping."""
    user = "Needed when “How to sign in to AWS” is “Access key pair (IAM user)”."
    page = html.unescape(owner_client.get(SOURCE, {"connector_name": "AmazonS3"}).content.decode())
    picker = page.split('id="field-use__aws"', 1)[1].split('id="field-', 1)[0]
    assert f'<p class="help" id="id_use__aws_helptext">{user}' in picker
    refused = re.compile(r'class="field has-error" id="field-(\w+)"')
    stored = s3_source_form(aisq, use__aws=str(aws.pk), cfg__bucket="")
    page = owner_client.post(SOURCE, stored, headers=HTMX).content.decode()
    assert refused.findall(page) == ["cfg__bucket"]  # the stored pair fills the rest
    typed = s3_source_form(
        aisq, use__aws="here", cfg__secret_access=AWS_SECRET, cfg__region="us-east-9"
    )
    page = owner_client.post(SOURCE, typed, headers=HTMX).content.decode()
    assert refused.findall(page) == ["cfg__access_id", "cfg__region"]
    secret = page.split('id="field-cfg__secret_access"', 1)[1].split('id="field-', 1)[0]
    assert "kept from your last attempt" in secret and AWS_SECRET not in page
    assert not Submission.objects.filter(action="create").exists()
    again = {
        **typed,
        "cfg__access_id": "AKIA" + "T" * 16,
        "cfg__secret_access": "",
        "cfg__region": "us-east-1",
        "form_token": form_token_in(page),
    }
    assert "Connector created" in (owner_client.post(SOURCE, again, headers=HTMX).content.decode())
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    assert sent["access_id"] == "AKIA" + "T" * 16
    assert sent["secret_access"] == digest(AWS_SECRET)
    assert not EmbeddedCredential.objects.exists()


def test_the_picker_reloads_the_fields_in_place(owner_client, sandbox, aisq, gcp):
    fields = reverse("connectors:fields", args=["acme", "aisquared-destination"])
    owner_client.get(DESTINATION, {"connector_name": "GoogleSheets"})  # caches the catalogue
    base = {
        "credential": aisq.pk,
        "connector_name": "GoogleSheets",
        "form_token": str(uuid.uuid4()),
    }
    here = owner_client.post(
        fields + "?changed=use__credentials_json",
        {**base, "use__credentials_json": "here"},
        headers=HTMX,
    ).content.decode()
    assert here.lstrip().startswith('<div id="template-fields"')
    assert 'name="keyjson__credentials_json"' in here and 'name="keyfile__credentials_json"' in here
    assert '<label for="id_keyjson__credentials_json">' in here
    stored = owner_client.post(
        fields + "?changed=use__credentials_json",
        {**base, "use__credentials_json": str(gcp.pk)},
        headers=HTMX,
    ).content.decode()
    assert 'name="keyjson__credentials_json"' not in stored
    assert f'<option value="{gcp.pk}" selected>' in stored


def test_without_javascript_switching_to_enter_it_here_asks_for_the_key_file(
    owner_client, sandbox, aisq, gcp
):
    """A plain POST after changing the picker shows the key file's field with a plain message."""
    response = owner_client.post(DESTINATION, sheets_form(aisq, use__credentials_json="here"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="keyjson__credentials_json"' in html
    assert "Paste the key file here, or upload it below." in html
    form = sheets_form(
        aisq, use__credentials_json="here", keyjson__credentials_json=json.dumps(key_file())
    )
    assert owner_client.post(DESTINATION, form).status_code == 302


def test_a_lost_create_found_afterwards_is_linked_to_the_secret_it_was_sent_with(
    owner_client, sandbox, aisq, aws, fault, tasks
):
    owner_client.get(SOURCE, {"connector_name": "AmazonS3"})  # caches the catalogue
    fingerprints = aws.fingerprints()
    fault("late", provider="aisquared")
    owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    submission = Submission.objects.get(action="create")
    assert submission.reconciliation == "pending"
    assert submission.context["embedded"][0]["fingerprints"] == fingerprints
    assert AWS_SECRET not in json.dumps(submission.context)
    # The key is rotated before the background work finds the connector.
    owner_client.post(
        reverse("credentials:rotate", args=["acme", aws.pk]),
        {"aws_secret_access_key": ROTATED_AWS_SECRET},
    )
    assert tasks.run("reconcile_create") == ["found"]
    link = EmbeddedCredential.objects.get()
    assert link.connector.name == "Lake files" and link.credential == aws
    assert link.fingerprints == fingerprints and not link.is_current  # it carries the old one
    page = owner_client.get(reverse("credentials:detail", args=["acme", aws.pk])).content.decode()
    assert "1 connector embeds the old secret" in page


def test_a_rotated_key_file_is_pushed_into_a_google_sheets_destination(
    owner_client, sandbox, aisq, gcp, caplog
):
    caplog.set_level(logging.DEBUG)
    owner_client.post(
        DESTINATION, sheets_form(aisq, use__credentials_json=str(gcp.pk)), headers=HTMX
    )
    connector = Connector.objects.get()
    rotate = reverse("credentials:rotate", args=["acme", gcp.pk])
    # Before the rotation, its page says which connectors carry the secret.
    before = owner_client.get(rotate).content.decode()
    assert "1 connector carries this secret" in before and "Weekly sheet" in before
    upload = SimpleUploadedFile(
        "rotated.json", json.dumps(key_file("kid-2", ROTATED_PEM)).encode(), "application/json"
    )
    rotated = owner_client.post(rotate, {"key_file": upload}, follow=True).content.decode()
    assert "1 connector carries the old secret inside its configuration" in rotated
    assert "1 connector embeds the old secret" in rotated and "Push the new secret" in rotated
    result = owner_client.post(
        reverse("connectors:push-rotated", args=["acme", gcp.pk]), follow=True
    ).content.decode()
    assert "pushed" in result and "Weekly sheet" in result
    sent = SandboxConnector.objects.get().data["configuration"]
    assert sent["credentials_json"]["private_key"] == digest(ROTATED_PEM)  # line breaks kept
    assert sent["credentials_json"]["private_key_id"] == "kid-2"
    assert sent["spreadsheet_link"] == "https://docs.google.com/spreadsheets/d/abc"
    pushed = Submission.objects.get(action="push-rotated")
    assert pushed.outcome == "succeeded" and pushed.connector == connector
    put = pushed.attempts.get(method="PUT")
    assert put.method == "PUT" and put.response_status == 200
    assert put.request["body"]["connector"]["configuration"]["credentials_json"]["private_key"] == (
        "[redacted]"
    )
    assert AuditEvent.objects.filter(action="connector.secret_pushed").count() == 1
    assert (
        AuditEvent.objects.filter(action="credential.used", target_id=str(gcp.pk)).count() == 2
    )  # the create, and the push
    # Pushing again finds nothing left to do.
    again = owner_client.post(
        reverse("connectors:push-rotated", args=["acme", gcp.pk]), follow=True
    ).content.decode()
    assert "already has the current one" in again
    assert Submission.objects.filter(action="push-rotated").count() == 1
    stored = everything_stored(caplog) + result + rotated + before
    for pages in (
        reverse("connectors:detail", args=["acme", connector.pk]),
        reverse("connectors:submission", args=["acme", pushed.pk]),
        reverse("credentials:detail", args=["acme", gcp.pk]),
        reverse("audit:list", args=["acme"]),
    ):
        stored += owner_client.get(pages).content.decode()
    csv = owner_client.get(reverse("audit:csv", args=["acme"]))
    stored += b"".join(csv.streaming_content).decode()
    for secret in (PEM_LINES[1], ROTATED_PEM_BODY):
        assert secret not in stored


def change_at_aisquared(sandbox, connector, **configuration) -> None:
    """A teammate changes the connector in AI Squared itself (its own app or API), typing the
    secret again as AI Squared asks."""
    answer = requests.put(
        f"{sandbox}/sandbox/api/v1/connectors/{connector.remote_id}",
        json={"connector": {"configuration": configuration}},
        headers={"Authorization": f"Bearer {AISQ_TOKEN}", "Workspace-Id": "7"},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text


def test_a_push_keeps_what_was_changed_at_ai_squared_since_without_a_refresh(
    owner_client, sandbox, aisq, aws
):
    owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    connector = Connector.objects.get()
    elsewhere = {
        **SandboxConnector.objects.get().data["configuration"],
        "bucket": "acme-lake-v2",
        "path": "/exports/2027",
        "secret_access": AWS_SECRET,
    }
    change_at_aisquared(sandbox, connector, **elsewhere)
    # No refresh in between: the record still shows the old bucket.
    assert connector.record["attributes"]["configuration"]["bucket"] == "acme-lake"
    owner_client.post(
        reverse("credentials:rotate", args=["acme", aws.pk]),
        {"aws_secret_access_key": ROTATED_AWS_SECRET},
    )
    result = owner_client.post(
        reverse("connectors:push-rotated", args=["acme", aws.pk]), follow=True
    ).content.decode()
    assert "pushed" in result
    held = SandboxConnector.objects.get().data["configuration"]
    assert held["secret_access"] == digest(ROTATED_AWS_SECRET)
    assert held["bucket"] == "acme-lake-v2" and held["path"] == "/exports/2027"
    assert held["region"] == "us-east-1"
    connector.refresh_from_db()
    assert connector.record["attributes"]["configuration"]["bucket"] == "acme-lake-v2"
    assert EmbeddedCredential.objects.get().is_current
    # What is kept for the next push is what was sent, the change made there included.
    owner_client.post(
        reverse("credentials:rotate", args=["acme", aws.pk]), {"aws_secret_access_key": AWS_SECRET}
    )
    owner_client.post(reverse("connectors:push-rotated", args=["acme", aws.pk]))
    held = SandboxConnector.objects.get().data["configuration"]
    assert held["secret_access"] == digest(AWS_SECRET) and held["bucket"] == "acme-lake-v2"
    for secret in (AWS_SECRET, ROTATED_AWS_SECRET):
        assert secret not in result + json.dumps(list(Attempt.objects.values()), default=str)


def test_a_push_over_a_secret_set_only_at_ai_squared_is_refused_and_sends_nothing(
    owner_client, sandbox, aisq, aws, team, owner
):
    from .conftest import aisquared_payload

    uri = stored_uri(team, owner, "postgresql://reader:first-pw-do-not-leak@db.example.com/shop")
    form = aisquared_payload(aisq, "Postgresql")
    form.pop("cfg__credentials__username")
    form.pop("cfg__credentials__password")
    owner_client.post(
        SOURCE, {**form, "use__credentials": str(uri.pk), "form_token": str(uuid.uuid4())}
    )
    connector = Connector.objects.get()
    held = SandboxConnector.objects.get().data["configuration"]
    # At AI Squared, the login moves under another key this app never sent a secret to.
    change_at_aisquared(
        sandbox,
        connector,
        **{
            **held,
            "credentials": {
                "auth_type": "username/password",
                "username": "reader",
                "password": "first-pw-do-not-leak",
            },
            "ssh_tunnel": {"password": "tunnel-pw-do-not-leak"},
        },
    )
    owner_client.post(
        reverse("credentials:rotate", args=["acme", uri.pk]),
        {"uri": "postgresql://reader:second-pw-do-not-leak@db.example.com/shop"},
    )
    result = owner_client.post(
        reverse("connectors:push-rotated", args=["acme", uri.pk]), follow=True
    ).content.decode()
    pushed = Submission.objects.get(action="push-rotated")
    assert pushed.outcome == "failed"
    assert "ssh_tunnel.password changed at AI Squared" in html.unescape(result)
    assert [a.method for a in pushed.attempts.all()] == ["GET"]  # read, nothing sent
    assert SandboxConnector.objects.get().data["configuration"]["credentials"]["password"] == (
        digest("first-pw-do-not-leak")
    )
    assert not EmbeddedCredential.objects.get().is_current
    for secret in ("first-pw-do-not-leak", "second-pw-do-not-leak", "tunnel-pw-do-not-leak"):
        assert secret not in result + json.dumps(list(Attempt.objects.values()), default=str)


def test_a_failed_push_is_recorded_and_leaves_the_link_old(owner_client, sandbox, aisq, aws, fault):
    owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    owner_client.post(
        reverse("credentials:rotate", args=["acme", aws.pk]),
        {"aws_secret_access_key": ROTATED_AWS_SECRET},
    )
    fault(
        "status", provider="aisquared", method="PUT", status=422, message="Connector update failed"
    )
    result = owner_client.post(
        reverse("connectors:push-rotated", args=["acme", aws.pk]), follow=True
    ).content.decode()
    assert "failed" in result and "Connector update failed" in result
    pushed = Submission.objects.get(action="push-rotated")
    assert pushed.outcome == "failed"
    assert [(a.method, a.response_status) for a in pushed.attempts.order_by("number")] == [
        ("GET", 200),
        ("PUT", 422),
    ]
    assert not EmbeddedCredential.objects.get().is_current
    assert SandboxConnector.objects.get().data["configuration"]["secret_access"] == digest(
        AWS_SECRET
    )
    for secret in (AWS_SECRET, ROTATED_AWS_SECRET):
        assert secret not in result + json.dumps(list(Attempt.objects.values()), default=str)


def test_only_admins_push_and_deleting_is_allowed_once_no_live_connector_embeds_it(
    owner_client, client_for, member, sandbox, aisq, aws
):
    owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    owner_client.post(
        reverse("credentials:rotate", args=["acme", aws.pk]),
        {"aws_secret_access_key": ROTATED_AWS_SECRET},
    )
    push = reverse("connectors:push-rotated", args=["acme", aws.pk])
    assert client_for(member).post(push).status_code == 403
    # Nothing pushed yet: the results page leads back to the credential.
    assert owner_client.get(push)["Location"] == reverse(
        "credentials:detail", args=["acme", aws.pk]
    )
    member_page = client_for(member).get(reverse("credentials:detail", args=["acme", aws.pk]))
    assert "Push the new secret" not in member_page.content.decode()
    assert not Submission.objects.filter(action="push-rotated").exists()
    connector = Connector.objects.get()
    delete = reverse("credentials:delete", args=["acme", aws.pk])
    refused = owner_client.get(delete).content.decode()
    assert "carries its secret in its configuration" in refused
    owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "delete"]))
    assert Connector.objects.get().deleted_at is not None
    assert owner_client.post(delete).status_code == 302
    assert not Credential.objects.filter(pk=aws.pk).exists()


def test_a_create_whose_process_died_is_found_with_its_configuration_and_gets_pushes(
    owner_client, sandbox, aisq, aws, tasks
):
    """A worker killed after the provider made the connector, before anything was recorded:
    the sweep's lookup records it with the configuration it was sent with, so a rotation of
    the secret it carries can still be pushed to it."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from connectors_admin.connectors.tasks import sweep_submissions

    def killed_before_recording(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "connectors_connector"'):
            raise SystemExit(1)  # what a worker's timeout does to a request
        return execute(sql, params, many, context)

    with connection.execute_wrapper(killed_before_recording), pytest.raises(SystemExit):
        owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    assert SandboxConnector.objects.filter(provider="aisquared").exists()
    assert not Connector.objects.exists()
    lost = Submission.objects.get(action="create")
    assert lost.outcome == "pending"
    assert AWS_SECRET not in json.dumps(list(Submission.objects.values()), default=str)
    Submission.objects.update(created_at=timezone.now() - timedelta(hours=1))

    tasks.backend.clear()
    assert sweep_submissions() == "1 abandoned, 1 reconciliations queued"
    assert tasks.run("reconcile_create") == ["found"]
    connector = Connector.objects.get()
    assert EmbeddedCredential.objects.get().credential == aws
    assert Submission.objects.get(pk=lost.pk).secret_config == ""  # settled: the record keeps it
    owner_client.post(
        reverse("credentials:rotate", args=["acme", aws.pk]),
        {"aws_secret_access_key": ROTATED_AWS_SECRET},
    )
    owner_client.post(reverse("connectors:push-rotated", args=["acme", aws.pk]))
    pushed = Submission.objects.get(action="push-rotated")
    assert pushed.outcome == "succeeded" and pushed.connector == connector
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    assert sent["secret_access"] == digest(ROTATED_AWS_SECRET)
    assert sent["bucket"] == "acme-lake"


def test_a_credential_a_lost_create_needs_cannot_be_deleted_until_it_settles(
    owner_client, client_for, django_user_model, sandbox, aisq, aws, fault, tasks
):
    """The lookup of a lost create asks the provider with its credential and links what it
    finds to the secrets the create carried: neither may go before it has settled."""
    owner_client.get(SOURCE, {"connector_name": "AmazonS3"})  # caches the catalogue
    fault("late", provider="aisquared")
    owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    lost = Submission.objects.get(action="create")
    assert lost.reconciliation == "pending" and not Connector.objects.exists()
    operator = client_for(django_user_model.objects.create_superuser("root", "r@example.com", "-"))
    for credential in (aisq, aws):
        delete = reverse("credentials:delete", args=["acme", credential.pk])
        page = owner_client.get(delete).content.decode()
        assert "cannot be deleted yet: 1 create made with it has not settled" in page
        assert reverse("connectors:submission", args=["acme", lost.pk]) in page
        assert "looking for it at the provider" in page
        assert owner_client.post(delete).status_code == 409
        admin = reverse("admin:credentials_credential_delete", args=[credential.pk])
        refused = operator.post(admin, {"post": "yes"})
        assert refused.status_code == 409
        assert "cannot be deleted yet: 1 create made with it has not settled" in refused.text
    assert Credential.objects.filter(pk__in=[aisq.pk, aws.pk]).count() == 2

    assert tasks.run("reconcile_create") == ["found"]
    connector = Connector.objects.get()
    assert EmbeddedCredential.objects.get().credential == aws
    owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "delete"]))
    for credential in (aws, aisq):
        delete = reverse("credentials:delete", args=["acme", credential.pk])
        assert owner_client.post(delete).status_code == 302
    assert not Credential.objects.filter(pk__in=[aisq.pk, aws.pk]).exists()


def test_the_credential_list_counts_connectors_that_embed_it(owner_client, sandbox, aisq, aws):
    owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    html = owner_client.get(reverse("credentials:list", args=["acme"])).content.decode()
    row = re.search(r"Data lake</a>.*?</tr>", html, re.S).group(0)
    assert '<td class="k-count">1</td>' in row


# --- the sandbox's update, as §2.3 describes it ---------------------------------------------------
def test_the_sandbox_update_replaces_the_configuration_and_validates_it(sandbox, aisq):
    api = f"{sandbox}/sandbox/api/v1/connectors"
    headers = {"Authorization": "Bearer t", "Workspace-Id": "7"}
    body = {
        "connector": {
            "name": "Lake",
            "connector_type": "destination",
            "connector_name": "AmazonS3",
            "configuration": {
                "access_key_id": "AKIA" + "F" * 16,
                "secret_access_key": "s" * 40,
                "region": "us-east-1",
                "bucket_name": "b",
                "file_path": "p",
                "file_name": "f",
                "format_type": "csv",
            },
        }
    }
    created = requests.post(api, json=body, headers=headers, timeout=5).json()["data"]
    url = f"{api}/{created['id']}"
    config = {**body["connector"]["configuration"], "secret_access_key": "n" * 40}
    updated = requests.put(
        url, json={"connector": {"configuration": config}}, headers=headers, timeout=5
    )
    assert updated.status_code == 200
    assert updated.json()["data"]["attributes"]["configuration"]["secret_access_key"] == "*" * 13
    assert SandboxConnector.objects.get().data["configuration"]["secret_access_key"] == digest(
        "n" * 40
    )
    # The whole hash is replaced, and checked against the schema again.
    partial = requests.put(
        url,
        json={"connector": {"configuration": {"region": "us-east-1"}}},
        headers=headers,
        timeout=5,
    )
    assert partial.status_code == 422
    assert partial.json()["errors"][0]["detail"] == "Connector update failed"
    empty = requests.put(url, json={"connector": {}}, headers=headers, timeout=5)
    assert empty.status_code == 422 and "param is missing" in empty.json()["error"]
    blank = requests.put(url, json={"connector": {"configuration": {}}}, headers=headers, timeout=5)
    assert blank.status_code == 400
    assert blank.json() == {"errors": {"connector": {"configuration": ["must be filled"]}}}
    body["connector"]["name"] = "Other"
    requests.post(api, json=body, headers=headers, timeout=5)
    # Only a create looks for a namesake (providers.md §2.3); an update saves the name as it is.
    renamed = requests.put(url, json={"connector": {"name": "Other"}}, headers=headers, timeout=5)
    assert renamed.status_code == 200


def test_a_key_file_may_not_read_a_self_hosted_servers_environment(owner_client, sandbox, aisq):
    sneaky = {**key_file(), "client_id": 'ENV["SECRET_KEY_BASE"]'}
    form = sheets_form(
        aisq, use__credentials_json="here", keyjson__credentials_json=json.dumps(sneaky)
    )
    html = owner_client.post(DESTINATION, form, headers=HTMX).content.decode()
    assert "Values of the form ENV[…] are not allowed here." in html
    assert not SandboxConnector.objects.exists()


def test_a_stored_database_login_is_sent_to_its_own_host_only(
    owner_client, sandbox, aisq, team, owner
):
    from .conftest import aisquared_payload

    uri = stored_uri(
        team, owner, "postgresql://reader:pw-not-for-evil@db.example.com/shop", label="Replica"
    )
    form = {**aisquared_payload(aisq, "Postgresql"), "use__credentials": str(uri.pk)}
    form.pop("cfg__credentials__username")
    form.pop("cfg__credentials__password")
    html = owner_client.post(
        SOURCE, {**form, "cfg__host": "evil.example", "form_token": str(uuid.uuid4())}
    ).content.decode()
    assert "This stored login is for db.example.com, and host names evil.example" in html
    assert not SandboxConnector.objects.exists() and "pw-not-for-evil" not in html
    # Its own host, in any case, is fine.
    response = owner_client.post(
        SOURCE, {**form, "cfg__host": "DB.example.com", "form_token": str(uuid.uuid4())}
    )
    assert response.status_code == 302 and SandboxConnector.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "host"),
    [
        ("db.example.com", "db.example.com"),
        ("DB.Example.com.", "db.example.com"),
        ("jdbc:postgresql://db.example.com:5432/shop?ssl=true", "db.example.com"),
        ("jdbc:postgresql://[::1]:5432/shop", "::1"),
        ("https://search.example.com:9200", "search.example.com"),
        # Anything that could lead elsewhere names no host.
        ("jdbc:postgresql://db.example.com:5432,evil.example:5432/shop", ""),
        ("jdbc:mysql://db.example.com:3306,(host=evil.example,port=3306)/db", ""),
        ("jdbc:sqlserver://db.example.com:1433;serverName=evil.example", ""),
        ("jdbc:postgresql://db.example.com@evil.example/shop", ""),
        ("jdbc:postgresql://db.example.com/shop?PGHOST=evil.example", ""),
        ("jdbc:postgresql://db.example.com:99999999/shop", ""),
        ("jdbc:postgresql://[evil.example/shop", ""),
        ("evil.example/../", ""),
        ("", ""),
    ],
)
def test_the_host_a_value_names(value, host):
    from connectors_admin.providers.embedding import named_host

    assert named_host(value) == host


def test_a_connection_check_audits_the_stored_key_it_sends(client_for, member, sandbox, aisq, aws):
    check = reverse("connectors:check", args=["acme", "aisquared-source"])
    response = client_for(member).post(
        check, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX
    )
    assert response.status_code == 200
    submission = Submission.objects.get(action="check-config")
    assert submission.attempts.exists() and AWS_SECRET not in str(submission.request)
    # Both credentials the check sent are audited as used, and say when.
    for credential in (aisq, aws):
        credential.refresh_from_db()
        assert credential.last_used_at is not None, credential.label
        assert AuditEvent.objects.filter(
            action="credential.used", target_id=str(credential.pk)
        ).exists(), credential.label
    # Its page does not say "no call yet" beside a last use.
    page = client_for(member).get(reverse("credentials:detail", args=["acme", aws.pk]))
    html = page.content.decode()
    assert "No call yet." not in html and "goes to providers inside connectors" in html


def test_a_new_access_key_id_marks_the_copies_old_and_is_pushed(owner_client, sandbox, aisq, aws):
    owner_client.post(SOURCE, s3_source_form(aisq, use__aws=str(aws.pk)), headers=HTMX)
    new_id = "AKIA" + "N" * 16
    response = owner_client.post(
        reverse("credentials:edit", args=["acme", aws.pk]),
        {"label": "Data lake", "aws_access_key_id": new_id},
    )
    assert response.status_code == 302
    link = EmbeddedCredential.objects.get()
    assert not link.is_current
    page = owner_client.get(reverse("credentials:detail", args=["acme", aws.pk])).content.decode()
    assert "carry the old values" in page or "carries the old values" in page
    assert "Push the new secret" in page
    owner_client.post(reverse("connectors:push-rotated", args=["acme", aws.pk]))
    link.refresh_from_db()
    assert link.is_current
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    assert new_id in json.dumps(sent)


def test_a_key_file_uploaded_while_the_catalogue_cannot_be_fetched_is_kept_for_its_return(
    owner_client, sandbox, aisq, fault
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fault("status", provider="aisquared", status=503, method="GET")  # none cached
    upload = SimpleUploadedFile(
        "loader.json", json.dumps(key_file("kid-up")).encode(), content_type="application/json"
    )
    typed = sheets_form(aisq, use__credentials_json="here", keyfile__credentials_json=upload)
    down = owner_client.post(DESTINATION, typed, headers=HTMX).content.decode()
    assert "server error (HTTP 503)" in down and "kid-up" not in down
    token = form_token_in(down)

    back = owner_client.post(
        reverse("connectors:fields", args=["acme", "aisquared-destination"]) + "?refresh=1",
        {"credential": aisq.pk, "form_token": token},
        headers=HTMX,
    ).content.decode()

    key = back.split('id="field-keyjson__credentials_json"', 1)[1].split('id="field-', 1)[0]
    assert "kept from your last attempt" in key and "kid-up" not in back
    again = sheets_form(aisq, use__credentials_json="here", form_token=token)
    assert (
        "Connector created" in owner_client.post(DESTINATION, again, headers=HTMX).content.decode()
    )
    sent = SandboxConnector.objects.get(provider="aisquared").data["configuration"]
    assert sent["credentials_json"]["private_key_id"] == "kid-up"
