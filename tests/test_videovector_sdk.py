"""VideoVector's own Python SDK (PyPI `videovector` 2.0.0), unmodified, against our sandbox:
if the official client works with it, the sandbox speaks the real API."""

from __future__ import annotations

import io
import json

import pytest
import videovector
from videovector import VideoVector

from connectors_admin.sandbox.models import SandboxConnector

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_KEY = "sk_live_" + "ab" * 24
WRITE_KEY = "sk_live_111111" + "c" * 42  # write, but not admin
READ_KEY = "sk_live_000000" + "d" * 42  # read only
AWS_SECRET = "vv-aws-secret-" + "s" * 26
AZURE_SECRET = "vv-azure-secret-do-not-leak"
PEM = "-----BEGIN " + "PRIVATE KEY-----\nZmFrZQ==\n-----END " + "PRIVATE KEY-----\n"
KEY_FILE = json.dumps(
    {
        "type": "service_account",
        "project_id": "acme-media",
        "private_key_id": "k1",
        "private_key": PEM,
        "client_email": "media@acme-media.iam.gserviceaccount.com",
    }
).encode()
TENANT, CLIENT = "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"


@pytest.fixture
def sdk(sandbox):
    def make(key: str = ADMIN_KEY, **options) -> VideoVector:
        return VideoVector(
            api_key=key, base_url=f"{sandbox}/sandbox/api/v2", max_retries=0, **options
        )

    return make


def test_the_sdk_creates_reads_lists_tests_browses_and_deletes(sdk):
    client = sdk()
    s3 = client.connectors.create_s3(
        name="Archive S3",
        bucket="media-archive",
        region="us-east-1",
        aws_access_key_id="AKIA" + "A" * 16,
        aws_secret_access_key=AWS_SECRET,
        scopes=["import", "export"],
        export_base_path="exports/review",
    )
    assert (s3.provider, s3.status, s3.scopes, s3.import_mode) == (
        "s3",
        "active",
        ["import", "export"],
        "all",
    )
    gcs = client.connectors.create_gcs(
        name="Raw GCS",
        bucket="raw-footage",
        gcp_project_id="acme-media",
        credentials_file=io.BytesIO(KEY_FILE),
        import_mode="new_only",
    )
    assert gcs.provider == "gcs" and gcs.import_mode == "new_only" and gcs.scopes == ["import"]
    azure = client.connectors.create_azure(
        name="Azure",
        storage_account="acmemedia",
        container="videos",
        tenant_id=TENANT,
        client_id=CLIENT,
        client_secret=AZURE_SECRET,
    )
    assert azure.container == "videos"

    assert client.connectors.retrieve(s3.connector_id).name == "Archive S3"
    assert [c.connector_id for c in client.connectors.list()] == [
        s3.connector_id,
        gcs.connector_id,
        azure.connector_id,
    ]
    assert client.connectors.test(s3.connector_id).success is True
    assert client.connectors.retrieve(s3.connector_id).last_test_result == "success"

    videos = client.connectors.browse(gcs.connector_id, prefix="incoming/", pattern="*.{mp4,mov}")
    assert [f.name for f in videos] == [
        "keynote.mp4",
        "interview.mov",
        "harbour.mp4",
        "skyline.mp4",
    ]
    flat = client.connectors.browse(gcs.connector_id, prefix="incoming/2026/11/", recursive=False)
    assert "harbour.mp4" not in [f.name for f in flat] and len(flat) == 3
    assert all(isinstance(f.size_bytes, int) for f in videos)

    assert "deleted" in client.connectors.delete(azure.connector_id).message
    # Secrets are never sent back, in any answer.
    everything = json.dumps([c.model_dump() for c in client.connectors.list()])
    assert AWS_SECRET not in everything and "PRIVATE KEY" not in everything


def test_a_documented_bucket_fails_its_test(sdk):
    client = sdk()
    made = client.connectors.create_s3(
        name="Broken",
        bucket="unreachable-bucket",
        region="eu-west-1",
        aws_access_key_id="AKIA" + "B" * 16,
        aws_secret_access_key=AWS_SECRET,
    )
    result = client.connectors.test(made.connector_id)
    assert result.success is False and "unreachable-bucket" in result.error_message
    assert client.connectors.retrieve(made.connector_id).status == "failed"


def test_idempotent_creates_with_and_without_an_explicit_key(sdk):
    client = sdk()
    fields = {
        "name": "Once",
        "bucket": "raw-footage",
        "gcp_project_id": "acme-media",
        "credentials_file": io.BytesIO(KEY_FILE),
    }
    first = client.connectors.create_gcs(**fields, idempotency_key="form-123")
    fields["credentials_file"] = io.BytesIO(KEY_FILE)  # a new multipart boundary, same fields
    replay = client.connectors.create_gcs(**fields, idempotency_key="form-123")
    assert replay.connector_id == first.connector_id
    with pytest.raises(videovector.IdempotencyError):
        client.connectors.create_gcs(
            **{**fields, "credentials_file": io.BytesIO(KEY_FILE), "bucket": "other-bucket"},
            idempotency_key="form-123",
        )
    fields["credentials_file"] = io.BytesIO(KEY_FILE)
    generated = client.connectors.create_gcs(**fields)  # the SDK makes a fresh key
    assert generated.connector_id != first.connector_id
    assert SandboxConnector.objects.filter(provider="videovector").count() == 2


def test_the_sdks_error_classes(sdk):
    with pytest.raises(videovector.AuthenticationError):
        sdk("sk_live_nothex").connectors.list()
    made = sdk().connectors.create_s3(
        name="Kept",
        bucket="media-archive",
        region="us-east-1",
        aws_access_key_id="AKIA" + "C" * 16,
        aws_secret_access_key=AWS_SECRET,
    )
    with pytest.raises(videovector.AuthorizationError, match="lacks the admin scope"):
        sdk(WRITE_KEY).connectors.delete(made.connector_id)
    with pytest.raises(videovector.AuthorizationError, match="write scope"):
        sdk(READ_KEY).connectors.test(made.connector_id)
    assert sdk(READ_KEY).connectors.browse(made.connector_id, pattern="*.txt")[0].name == (
        "readme.txt"
    )
    with pytest.raises(videovector.NotFoundError):
        sdk().connectors.retrieve("conn_missing")
    with pytest.raises(videovector.ValidationError) as refused:
        sdk().connectors.create_azure(
            name="x" * 101,
            storage_account="Not-Valid",
            container="videos",
            tenant_id="nope",
            client_id=CLIENT,
            client_secret=AZURE_SECRET,
        )
    assert set(refused.value.details) == {"name", "storage_account", "tenant_id"}
    assert refused.value.request_id.startswith("req_")


def test_bearer_tokens_and_the_credential_check(sandbox):
    import requests

    url = f"{sandbox}/sandbox/api/v2/auth/validate"
    ok = requests.get(url, headers={"Authorization": "Bearer team-token"}, timeout=5)
    assert ok.status_code == 204 and ok.content == b""
    refused = requests.get(url, headers={"Authorization": "Bearer invalid-token"}, timeout=5)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    both = requests.get(
        url, headers={"Authorization": "Bearer t", "X-API-Key": ADMIN_KEY}, timeout=5
    )
    assert both.status_code == 400
    reader = VideoVector(bearer_token="read-token", base_url=f"{sandbox}/sandbox/api/v2")
    assert reader.connectors.list() == []


def test_the_api_answers_its_own_error_shape_for_odd_requests(sdk, sandbox):
    """What the SDK cannot send, sent plainly: the sandbox answers as the API does, with its
    {"error": {...}} body, and keeps nothing that would break the SDK's reads afterwards."""
    import requests

    api = f"{sandbox}/sandbox/api/v2"
    headers = {"X-API-Key": ADMIN_KEY}
    client = sdk()
    made = client.connectors.create_s3(
        name="Archive",
        bucket="media-archive",
        region="us-east-1",
        aws_access_key_id="AKIA" + "A" * 16,
        aws_secret_access_key=AWS_SECRET,
    )
    bad = {"import_mode": "bogus", "scopes": "import", "name": ""}
    patched = requests.patch(
        f"{api}/connectors/{made.connector_id}", json=bad, headers=headers, timeout=5
    )
    assert patched.status_code == 422
    assert set(patched.json()["error"]["details"]) == {"import_mode", "scopes", "name"}
    assert client.connectors.list()[0].scopes == ["import"]  # nothing of it was kept
    renamed = requests.patch(
        f"{api}/connectors/{made.connector_id}",
        json={"name": "Renamed"},
        headers=headers,
        timeout=5,
    )
    assert renamed.status_code == 200 and client.connectors.retrieve(made.connector_id).name == (
        "Renamed"
    )

    for path in ("nope", "connectors/", f"connectors/{made.connector_id}/nope"):
        answer = requests.get(f"{api}/{path}", headers=headers, timeout=5)
        assert answer.status_code == 404
        assert answer.json()["error"]["request_id"].startswith("req_")
    with pytest.raises(videovector.NotFoundError):
        VideoVector(
            api_key=ADMIN_KEY, base_url=f"{api}/nothing-here", max_retries=0
        ).connectors.list()

    browse = f"{api}/connectors/{made.connector_id}/browse"
    for body in ([], "x", {"recursive": "no"}):
        assert requests.post(browse, json=body, headers=headers, timeout=5).status_code == 422

    gcs = requests.post(
        f"{api}/connectors/gcs",
        data={"name": "No scopes", "bucket": "raw-footage", "gcp_project_id": "acme-media"},
        files={"credentials_file": ("key.json", KEY_FILE, "application/json")},
        headers=headers,
        timeout=5,
    )
    assert gcs.status_code == 201 and gcs.json()["scopes"] == ["import"]
