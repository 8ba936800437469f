"""VideoVector storage connectors through the test client and the sandbox: the three creates
(from stored credentials and typed), idempotent retries, test, browse, delete and the errors."""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Attempt, Connector, EmbeddedCredential, Submission
from connectors_admin.credentials.models import Credential
from connectors_admin.providers.http import Call, Exchange
from connectors_admin.sandbox.models import SandboxConnector

from .conftest import VIDEOVECTOR_KEY
from .test_embedded_credentials import PEM, PEM_LINES, digest, key_file

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HX-Request": "true"}
ADMIN_KEY = VIDEOVECTOR_KEY
WRITE_KEY = "sk_live_111111" + "c" * 42
AWS_SECRET = "vvAwsSecretDoNotLeak" + "9" * 20
AZURE_SECRET = "vv-azure-client-secret-do-not-leak"
TENANT, CLIENT = "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"


def create_url(kind: str) -> str:
    return reverse("connectors:create", args=["acme", f"videovector-{kind}"])


@pytest.fixture
def aws(team, owner) -> Credential:
    credential = Credential(
        team=team, kind="aws", label="Footage", public={"aws_access_key_id": "AKIA" + "F" * 16}
    )
    credential.set_secrets({"aws_secret_access_key": AWS_SECRET}, owner)
    credential.save()
    return credential


def common(vv, **fields) -> dict:
    return {
        "credential": vv.pk,
        "name": "Footage",
        "scopes": ["import"],
        "import_mode": "all",
        "form_token": str(uuid.uuid4()),
        **fields,
    }


def sent(attempt: Attempt) -> dict:
    return attempt.request["body"]


def test_an_s3_connector_from_a_stored_aws_key_pair(owner_client, sandbox, vv, aws, caplog):
    caplog.set_level(logging.DEBUG)
    page = owner_client.get(create_url("s3")).content.decode()
    assert "AWS access key" in page and f'<option value="{aws.pk}" selected>' in page
    assert "Import — VideoVector reads videos" in page and "New files only —" in page
    assert 'name="export_base_path"' not in page  # only when exporting
    response = owner_client.post(
        create_url("s3"),
        common(vv, bucket="media-archive", region="us-east-1", use__aws=str(aws.pk)),
        headers=HTMX,
    )
    assert "Connector created" in response.content.decode()
    remote = SandboxConnector.objects.get(provider="videovector")
    assert remote.data["_secrets"]["aws_secret_access_key"] == digest(AWS_SECRET)
    attempt = Submission.objects.get(action="create").attempts.get()
    assert sent(attempt) == {
        "name": "Footage",
        "scopes": ["import"],
        "import_mode": "all",
        "bucket": "media-archive",
        "region": "us-east-1",
        "aws_access_key_id": "AKIA" + "F" * 16,
        "aws_secret_access_key": "[redacted]",
    }
    assert attempt.request["headers"]["Idempotency-Key"].startswith(
        "connector-create-videovector-s3:"
    )
    assert attempt.request["headers"]["X-API-Key"] == "[redacted]"
    connector = Connector.objects.get()
    assert connector.name == "Footage" and connector.remote_status == "active"
    assert EmbeddedCredential.objects.get().credential == aws
    everything = json.dumps(
        [
            list(Attempt.objects.values()),
            list(AuditEvent.objects.values()),
            list(Connector.objects.values()),
        ],
        default=str,
    )
    for secret in (AWS_SECRET, ADMIN_KEY):
        assert secret not in everything and secret not in caplog.text


def test_an_azure_connector_typed_here_with_export(owner_client, sandbox, vv):
    page = owner_client.get(create_url("azure"), {"scopes": ["import", "export"]}).content
    assert b'name="export_base_path"' in page
    form = common(
        vv,
        scopes=["import", "export"],
        export_base_path="exports/review",
        storage_account="acmemedia",
        container="videos",
        use__azure="here",
        tenant_id=TENANT,
        client_id=CLIENT,
        client_secret=AZURE_SECRET,
    )
    bad = owner_client.post(
        create_url("azure"), {**form, "container": "Bad--Name", "tenant_id": "x"}, headers=HTMX
    ).content.decode()
    assert "never two hyphens in a row" in bad and "A GUID" in bad
    assert AZURE_SECRET not in bad  # a typed secret is never echoed back
    assert not SandboxConnector.objects.exists()  # checked on our side, nothing sent
    response = owner_client.post(create_url("azure"), form, headers=HTMX)
    assert "Connector created" in response.content.decode()
    body = sent(Submission.objects.get(action="create", outcome="succeeded").attempts.get())
    assert body["export_base_path"] == "exports/review" and body["client_secret"] == "[redacted]"
    assert body["scopes"] == ["import", "export"]
    remote = SandboxConnector.objects.get(provider="videovector")
    assert remote.data["_secrets"]["client_secret"] == digest(AZURE_SECRET)


def test_a_gcs_connector_with_an_uploaded_key_file_is_sent_as_multipart(owner_client, sandbox, vv):
    upload = SimpleUploadedFile(
        "media.json", json.dumps(key_file()).encode(), content_type="application/json"
    )
    form = common(
        vv,
        scopes=["import", "export"],
        export_base_path="",
        bucket="raw-footage",
        gcp_project_id="acme-media",
        use__credentials_file="here",
        keyfile__credentials_file=upload,
    )
    response = owner_client.post(create_url("gcs"), form, headers=HTMX)
    assert "Connector created" in response.content.decode()
    body = sent(Submission.objects.get(action="create").attempts.get())
    assert body["form"] == [
        ["name", "Footage"],
        ["bucket", "raw-footage"],
        ["gcp_project_id", "acme-media"],
        ["scopes", "import"],
        ["scopes", "export"],
        ["import_mode", "all"],
    ]  # scopes repeated, import_mode always, no empty export_base_path
    assert body["files"]["credentials_file"].endswith("bytes, application/json>")
    remote = SandboxConnector.objects.get(provider="videovector")
    assert remote.data["_service_account"] == key_file()["client_email"]
    assert remote.data["scopes"] == ["import", "export"]
    for attempt in Attempt.objects.all():
        assert PEM_LINES[1] not in json.dumps(attempt.request) + attempt.response_body
    assert PEM  # the key's PEM reached the sandbox: its digest is what it kept
    assert remote.data["_secrets"]["credentials_file"].startswith("sha256:")


def test_a_retry_after_a_lost_answer_returns_the_same_connector(
    owner_client, sandbox, vv, aws, fault
):
    fault("late", provider="videovector")
    form = common(vv, bucket="media-archive", region="us-east-1", use__aws=str(aws.pk))
    html = owner_client.post(create_url("s3"), form, headers=HTMX).content.decode()
    assert "Outcome unclear." in html
    first = Submission.objects.get(action="create")
    assert first.reconciliation == "pending"
    create_key = html.split('name="create_key" value="', 1)[1].split('"', 1)[0]
    assert create_key == form["form_token"]  # the key stays while the outcome is unclear
    retry = {**form, "form_token": str(uuid.uuid4()), "create_key": create_key}
    assert (
        "Connector created"
        in owner_client.post(create_url("s3"), retry, headers=HTMX).content.decode()
    )
    assert SandboxConnector.objects.filter(provider="videovector").count() == 1  # not two
    first.refresh_from_db()
    assert (first.reconciliation, first.outcome) == ("found", "succeeded")
    assert first.connector == Connector.objects.get()


def test_a_retry_after_the_background_lookup_found_it_keeps_one_record(
    owner_client, sandbox, vv, aws, fault, tasks
):
    """The lookup adopts the connector first; the retry, with the same key, gets it too."""
    fault("late", provider="videovector")
    form = common(vv, bucket="media-archive", region="us-east-1", use__aws=str(aws.pk))
    html = owner_client.post(create_url("s3"), form, headers=HTMX).content.decode()
    create_key = html.split('name="create_key" value="', 1)[1].split('"', 1)[0]
    first = Submission.objects.get(action="create")
    assert tasks.run("reconcile_create") == ["found"]
    found = Connector.objects.get()

    retry = {**form, "form_token": str(uuid.uuid4()), "create_key": create_key}
    page = owner_client.post(create_url("s3"), retry, headers=HTMX).content.decode()

    assert "Connector created" in page
    assert Connector.objects.get() == found  # one record, not a second of the same connector
    second = Submission.objects.filter(action="create").exclude(pk=first.pk).get()
    assert (second.outcome, second.connector) == ("succeeded", found)


def test_test_browse_and_delete_on_the_detail_page(owner_client, sandbox, vv, aws, team, owner):
    owner_client.post(
        create_url("s3"),
        common(vv, bucket="unreachable-bucket", region="us-east-1", use__aws=str(aws.pk)),
    )
    connector = Connector.objects.get()
    detail = reverse("connectors:detail", args=["acme", connector.pk])
    html = owner_client.get(detail).content.decode()
    assert "Test connection" in html and "Browse files…" in html

    test = reverse("connectors:action", args=["acme", connector.pk, "test"])
    failed = owner_client.post(test, headers=HTMX).content.decode()
    assert "Test connection failed." in failed and "Access denied to unreachable-bucket" in failed
    connector.refresh_from_db()
    assert connector.remote_status == "failed"
    assert "failure" in connector.summary["Last tested"]
    test_call = Submission.objects.get(action="test").attempts.order_by("number").first()
    assert test_call.method == "POST" and test_call.request["body"] is None

    browse = reverse("connectors:action", args=["acme", connector.pk, "browse"])
    empty_form = owner_client.get(browse).content.decode()
    assert (
        "Choose what to look for" in empty_form
        and not Submission.objects.filter(action="browse").exists()
    )
    listed = owner_client.get(
        browse, {"prefix": "incoming/", "pattern": "*.mp4", "recursive": "on"}
    )
    page = listed.content.decode()
    assert "3 files" in page
    assert "incoming/2026/11/keynote.mp4" in page and "700.0 MB" in page
    assert "interview.mov" not in page
    partial = owner_client.get(
        browse, {"prefix": "archive/", "pattern": "*.{mp4,wav}", "recursive": "on"}, headers=HTMX
    ).content.decode()
    assert "<html" not in partial and "2 files" in partial
    none = owner_client.get(browse, {"prefix": "", "pattern": "*.avi"}).content.decode()
    assert "Nothing matches" in none
    # A glob that does not close is refused next to it, not sent to match nothing.
    asked = Submission.objects.filter(action="browse").count()
    for pattern in ("*.{mp4", "*.[0-9", "*.mp4}", "*.{a,{b}}"):
        refused = unescape(owner_client.get(browse, {"pattern": pattern}).text)
        assert "Nothing matches" not in refused and "errorlist" in refused, pattern
    assert "A “{” is not closed" in refused or "Braces cannot nest" in refused
    assert Submission.objects.filter(action="browse").count() == asked

    # A key without the admin scope cannot delete: said plainly.
    limited = Credential(
        team=team, kind="videovector", label="Editor key", public={"auth_type": "api_key"}
    )
    limited.set_secrets({"token": WRITE_KEY}, owner)
    limited.save()
    Connector.objects.filter(pk=connector.pk).update(credential=limited)
    delete = reverse("connectors:action", args=["acme", connector.pk, "delete"])
    refused = owner_client.post(delete).content.decode()
    assert "lacks the admin scope" in refused
    Connector.objects.filter(pk=connector.pk).update(credential=vv)
    owner_client.post(delete)
    connector.refresh_from_db()
    assert connector.deleted_at is not None
    assert not SandboxConnector.objects.filter(provider="videovector").exists()


def test_a_connector_deleted_at_videovector_is_recorded_deleted_by_a_refresh(
    owner_client, sandbox, vv, aws
):
    """The API's own 404 for it, which its list agrees with, is its word that the connector is
    gone: a refresh records it deleted there (the way AI Squared's and Kafka Connect's do)."""
    owner_client.post(
        create_url("s3"),
        common(vv, bucket="media-archive", region="us-east-1", use__aws=str(aws.pk)),
    )
    connector = Connector.objects.get()
    Connector.objects.filter(pk=connector.pk).update(
        created_at=connector.created_at - timedelta(hours=1)
    )
    SandboxConnector.objects.filter(provider="videovector").delete()  # deleted elsewhere

    owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )

    connector.refresh_from_db()
    assert connector.deleted_at is not None
    assert Submission.objects.get(action="refresh").outcome == "succeeded"


def test_a_test_that_worked_is_said_and_audited_as_working(owner_client, sandbox, vv, aws):
    """The audit trail says what the page says: no "The storage refused access." for a test
    that worked."""
    owner_client.post(
        create_url("s3"),
        common(vv, bucket="acme-footage", region="us-east-1", use__aws=str(aws.pk)),
    )
    connector = Connector.objects.get()
    test = reverse("connectors:action", args=["acme", connector.pk, "test"])

    said = owner_client.post(test, headers=HTMX).content.decode()

    assert "the connection works" in said and "refused" not in said
    event = AuditEvent.objects.get(action="connector.checked")
    assert event.message == "" and event.after["ok"] is True
    assert Submission.objects.get(action="test").error_message == ""


def test_both_error_shapes_become_plain_messages_on_their_fields(vv):
    client = vv.client()

    def said(body: dict, status: int = 422):
        exchange = Exchange(call=Call("POST", "x"), status=status, text=json.dumps(body))
        return client.error_for_status(exchange)

    error = said(
        {
            "error": {
                "code": "validation_error",
                "message": "The connector is not valid.",
                "details": {"bucket": "No such bucket.", "unknown": "x"},
                "request_id": "req_42",
            }
        }
    )
    assert error.field_errors == {"bucket": "No such bucket."}
    assert "request id req_42" in error.message
    fastapi = said({"detail": [{"loc": ["body", "region"], "msg": "field required"}]})
    assert fastapi.field_errors == {"region": "field required"}
    assert "region: field required" in fastapi.message
    assert "Not authenticated" in said({"detail": "Not authenticated"}, 401).message


def test_a_server_error_says_so_with_the_request_id(owner_client, sandbox, vv, aws, fault):
    fault("status", provider="videovector", status=503, message="Storage service overloaded")
    html = owner_client.post(
        create_url("s3"),
        common(vv, bucket="media-archive", region="us-east-1", use__aws=str(aws.pk)),
        headers=HTMX,
    ).content.decode()
    assert "server error (HTTP 503)" in html and "request id req_" in html
    assert 'value="media-archive"' in html  # every typed value kept


@pytest.fixture
def azure(team, owner) -> Credential:
    credential = Credential(
        team=team,
        kind="azure",
        label="Media principal",
        public={"tenant_id": TENANT, "client_id": CLIENT},
    )
    credential.set_secrets({"client_secret": AZURE_SECRET}, owner)
    credential.save()
    return credential


@pytest.fixture
def gcp(team, owner) -> Credential:
    credential = Credential(team=team, kind="gcp", label="Media key", public={"project_id": "acme"})
    credential.set_secrets({"service_account_json": json.dumps(key_file())}, owner)
    credential.save()
    return credential


@pytest.mark.parametrize(
    ("kind", "fields", "stored"),
    [
        ("s3", {"bucket": "media-archive", "region": "eu-west-1"}, None),
        ("azure", {"storage_account": "acmemedia", "container": "videos"}, "azure"),
        ("gcs", {"bucket": "raw-footage", "gcp_project_id": "acme-media"}, "gcp"),
    ],
)
def test_the_other_secret_paths_and_no_secret_anywhere(
    request, owner_client, sandbox, vv, kind, fields, stored, caplog, tasks
):
    caplog.set_level(logging.DEBUG)
    form = common(vv, **fields)
    if stored is None:  # typed here
        form |= {
            "use__aws": "here",
            "aws_access_key_id": "AKIA" + "T" * 16,
            "aws_secret_access_key": AWS_SECRET,
        }
    else:
        credential = request.getfixturevalue(stored)
        slot = {"azure": "use__azure", "gcp": "use__credentials_file"}[stored]
        form[slot] = str(credential.pk)
    response = owner_client.post(create_url(kind), form, headers=HTMX)
    assert "Connector created" in response.content.decode(), response.content.decode()[:2000]
    remote = SandboxConnector.objects.get(provider="videovector")
    expected = {
        "s3": ("aws_secret_access_key", AWS_SECRET),
        "azure": ("client_secret", AZURE_SECRET),
    }.get(kind)
    if expected:
        assert remote.data["_secrets"][expected[0]] == digest(expected[1])
    else:
        assert remote.data["_service_account"] == key_file()["client_email"]
    assert EmbeddedCredential.objects.count() == (0 if stored is None else 1)
    connector = Connector.objects.get()
    owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "test"]))
    pages = [
        response.content.decode(),
        owner_client.get(
            reverse("connectors:detail", args=["acme", connector.pk])
        ).content.decode(),
        owner_client.get(reverse("connectors:list", args=["acme"])).content.decode(),
    ]
    pages += [
        owner_client.get(reverse("connectors:submission", args=["acme", s.pk])).content.decode()
        for s in Submission.objects.all()
    ]
    stored_rows = json.dumps(
        [
            list(Attempt.objects.values()),
            list(Submission.objects.values()),
            list(AuditEvent.objects.values()),
            list(Connector.objects.values()),
            [(r.task.name, r.args) for r in tasks.queued()],
        ],
        default=str,
    )
    for secret in (AWS_SECRET, AZURE_SECRET, PEM_LINES[1], ADMIN_KEY):
        assert secret not in stored_rows and secret not in caplog.text
        assert not any(secret in page for page in pages)


def test_an_empty_browse_suggests_subfolders_only_when_they_were_left_out(
    owner_client, sandbox, vv, aws
):
    owner_client.post(
        create_url("s3"), common(vv, bucket="media", region="us-east-1", use__aws=str(aws.pk))
    )
    connector = Connector.objects.get()
    browse = reverse("connectors:action", args=["acme", connector.pk, "browse"])
    asked = {"prefix": "incoming/", "pattern": "*.avi"}
    flat = owner_client.get(browse, asked).content.decode()
    assert "Nothing matches" in flat and "include subfolders" in flat
    deep = owner_client.get(browse, {**asked, "recursive": "on"}).content.decode()
    assert "Nothing matches" in deep and "include subfolders" not in deep


def test_the_result_card_offers_test_and_browse(owner_client, sandbox, vv, aws):
    html = owner_client.post(
        create_url("s3"),
        common(vv, bucket="media-archive", region="us-east-1", use__aws=str(aws.pk)),
        headers=HTMX,
    ).content.decode()
    connector = Connector.objects.get()
    assert reverse("connectors:action", args=["acme", connector.pk, "test"]) in html
    assert reverse("connectors:action", args=["acme", connector.pk, "browse"]) in html
    tested = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "test"]), follow=True
    ).content.decode()
    assert "the connection works" in tested


def ticked_scopes(page: str) -> list[str]:
    boxes = re.findall(r'<input[^>]*name="scopes"[^>]*>', page)
    assert boxes, "no scope boxes on the page"
    return [re.search(r'value="([^"]*)"', box)[1] for box in boxes if " checked" in box]


def test_a_scope_unticked_stays_unticked_when_the_fields_reload(owner_client, vv):
    url = reverse("connectors:fields", args=["acme", "videovector-s3"]) + "?changed=scopes"
    page = owner_client.get(create_url("s3")).content.decode()
    assert ticked_scopes(page) == ["import"]
    assert '<input type="hidden" name="_shown" value="scopes">' in page

    # Import unticked, nothing else: no scope is posted, and none comes back ticked.
    shown = {"credential": vv.pk, "name": "Footage", "_shown": "scopes"}
    assert ticked_scopes(owner_client.post(url, shown).content.decode()) == []
    assert ticked_scopes(
        owner_client.post(url, {**shown, "scopes": "export"}).content.decode()
    ) == ["export"]

    # A reload from a page that did not show the scopes starts from their default.
    unshown = owner_client.post(url, {"credential": vv.pk, "name": "Footage"}).content.decode()
    assert ticked_scopes(unshown) == ["import"]


def test_a_key_file_credential_asks_to_compare_the_whole_key(owner_client, gcp):
    page = owner_client.get(reverse("credentials:detail", args=["acme", gcp.pk])).text
    assert "Service-account key (the whole JSON file&#x27;s text)" in page
    assert "Service account json" not in page


def test_connectors_made_elsewhere_are_imported_by_storage_kind(owner_client, sandbox, vv, aws):
    """VideoVector lists every connector of the account: an import of one storage kind offers
    that kind's, each recorded as made here and tested like one. The list names no key id or
    principal (§3.2), so which stored credential one carries cannot be told, and is not said."""
    import requests

    base = f"{sandbox}/sandbox/api/v2/connectors"
    key = {"X-API-Key": ADMIN_KEY}
    s3 = {
        "name": "Archive",
        "scopes": ["import"],
        "import_mode": "all",
        "bucket": "media-archive",
        "region": "us-east-1",
        "aws_access_key_id": "AKIA" + "F" * 16,
        "aws_secret_access_key": AWS_SECRET,
    }
    other = {**s3, "name": "Other key", "aws_access_key_id": "AKIA" + "G" * 16}
    azure = {
        "name": "Blobs",
        "scopes": ["import"],
        "import_mode": "all",
        "storage_account": "mediablobs",
        "container": "footage",
        "tenant_id": "11111111-2222-3333-4444-555555555555",
        "client_id": "66666666-7777-8888-9999-000000000000",
        "client_secret": AZURE_SECRET,
    }
    for kind, body in (("s3", s3), ("s3", other), ("azure", azure)):
        made = requests.post(f"{base}/{kind}", json=body, headers=key, timeout=5)
        assert made.status_code == 201, made.text
    url = reverse("connectors:import", args=["acme", "videovector-s3"])
    page = owner_client.get(url, {"credential": vv.pk}).content.decode()
    assert "2 connectors at VideoVector" in page and "Blobs" not in page
    assert "s3://media-archive" in page and ">Storage<" in page
    assert re.search(r"<label[^>]*>Archive</label>", page)
    assert re.search(r"<label[^>]*>Other key</label>", page)
    assert "Stored credentials in it" not in page and "none found" not in page

    ids = re.findall(r'name="remote_id" value="([^"]+)"', page)
    assert owner_client.post(url, {"credential": vv.pk, "remote_id": ids}).status_code == 302
    assert Connector.objects.filter(template="videovector-s3").count() == 2
    assert not EmbeddedCredential.objects.exists() and not aws.in_use()
    archive = Connector.objects.get(name="Archive")
    assert archive.remote_status == "active" and archive.context == {}
    tested = owner_client.post(
        reverse("connectors:action", args=["acme", archive.pk, "test"]), follow=True
    )
    assert "VideoVector reached the storage" in tested.content.decode()
    everything = json.dumps(list(Connector.objects.values()), default=str)
    for secret in (AWS_SECRET, AZURE_SECRET, ADMIN_KEY):
        assert secret not in page and secret not in everything
