"""The sandbox behaves like Mixpanel's API: paths, Basic auth, validation, status codes and shapes."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.django_db(transaction=True)
AUTH = ("sa.sandbox", "sandbox-secret-1")
BODY = {
    "connector_type": "gcsImport",
    "connector_properties": {"gcs_bucket": "sample-data", "gcs_prefix": "cloudimport/event"},
    "category_properties": {"data_format": "mixpanel_event", "compression": "gzip"},
}


def url(sandbox: str, project: int = 7, suffix: str = "") -> str:
    return f"{sandbox}/sandbox/api/app/projects/{project}/connectors{suffix}"


def test_create_list_get_delete(sandbox):
    created = requests.post(url(sandbox), json=BODY, auth=AUTH, timeout=5)
    assert created.status_code == 200
    body = created.json()
    assert body["status"] == "ok"
    record = body["results"]
    assert set(record) == {
        "connector_id",
        "label",
        "connector_type",
        "connector_properties",
        "category_properties",
        "status",
        "created_at",
        "created_by",
    }
    assert record["label"] == ""
    assert record["created_by"] == "sa.sandbox"
    assert record["created_at"].endswith("Z")
    connector_id = record["connector_id"]

    listed = requests.get(url(sandbox, suffix="/"), auth=AUTH, timeout=5).json()["results"]
    assert listed["has_more"] is False and listed["url"] is None
    assert [c["connector_id"] for c in listed["data"]] == [connector_id]

    one = requests.get(url(sandbox, suffix=f"/{connector_id}"), auth=AUTH, timeout=5)
    assert one.json()["results"]["connector_id"] == connector_id
    deleted = requests.delete(url(sandbox, suffix=f"/{connector_id}"), auth=AUTH, timeout=5)
    assert deleted.json() == {
        "status": "ok",
        "results": f"Successfully deleted Connector with ID:{connector_id}",
    }
    gone = requests.get(url(sandbox, suffix=f"/{connector_id}"), auth=AUTH, timeout=5)
    assert gone.status_code == 404
    assert gone.json()["status"] == "error"


def test_projects_are_separate(sandbox):
    requests.post(url(sandbox, 1), json=BODY, auth=AUTH, timeout=5)
    assert requests.get(url(sandbox, 2), auth=AUTH, timeout=5).json()["results"]["data"] == []


def test_list_paginates_with_absolute_next_urls(sandbox):
    for _ in range(11):
        requests.post(url(sandbox), json=BODY, auth=AUTH, timeout=5)
    first = requests.get(url(sandbox), auth=AUTH, timeout=5).json()["results"]
    assert first["has_more"] is True and len(first["data"]) == 10
    assert first["url"].startswith(sandbox)
    second = requests.get(first["url"], auth=AUTH, timeout=5).json()["results"]
    assert second["has_more"] is False and len(second["data"]) == 1


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        (None, "Authentication credentials were not provided."),
        (("sa", "invalid-secret"), "Invalid service account credentials."),
    ],
)
def test_auth_is_checked(sandbox, auth, message):
    response = requests.post(url(sandbox), json=BODY, auth=auth, timeout=5)
    assert response.status_code == 401
    assert response.json() == {"status": "error", "error": message}


def test_unenrolled_project_is_forbidden(sandbox):
    response = requests.get(url(sandbox, 403), auth=AUTH, timeout=5)
    assert response.status_code == 403
    assert "not enrolled" in response.json()["error"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"connector_type": "ftpImport"}, "connector_type must be one of"),
        ({"connector_properties": {"gcs_prefix": "x"}}, "gcs_bucket is required"),
        (
            {"category_properties": {"data_format": "csv", "compression": "none"}},
            "data_format must be one of",
        ),
        (
            {"category_properties": {"data_format": "mixpanel_event", "compression": "zip"}},
            "compression must be one of",
        ),
        (
            {
                "connector_type": "s3Import",
                "connector_properties": {"s3_bucket": "b-1", "s3_region": "us", "s3_role": "x"},
            },
            "s3_region must be an AWS region code",
        ),
        # S3's naming rules for an S3 bucket (§1.4), not Google's longer ones.
        (
            {
                "connector_type": "s3Import",
                "connector_properties": {
                    "s3_bucket": "my_bucket",
                    "s3_region": "us-east-1",
                    "s3_role": "arn:aws:iam::123456789012:role/mixpanel-import",
                },
            },
            "s3_bucket is required and must be a valid bucket name",
        ),
        ({"connector_properties": {"gcs_bucket": "google-data"}}, "gcs_bucket is required"),
    ],
)
def test_validation_errors_are_400_with_mixpanels_error_shape(sandbox, change, message):
    response = requests.post(url(sandbox), json={**BODY, **change}, auth=AUTH, timeout=5)
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert message in response.json()["error"]


def test_faults_are_played_then_consumed(sandbox, fault):
    fault("status", status=503, times=2)
    assert requests.get(url(sandbox), auth=AUTH, timeout=5).status_code == 503
    assert requests.get(url(sandbox), auth=AUTH, timeout=5).status_code == 503
    assert requests.get(url(sandbox), auth=AUTH, timeout=5).status_code == 200


def test_a_fault_for_one_method_waits_for_a_request_of_that_method(sandbox, fault):
    fault("status", status=503, method="post")
    assert requests.get(url(sandbox), auth=AUTH, timeout=5).status_code == 200  # a refresh, say
    listed = requests.get(f"{sandbox}/sandbox/_faults/", timeout=5).json()["faults"]
    assert [(f["method"], f["times"]) for f in listed] == [("POST", 1)]
    created = requests.post(url(sandbox), json=BODY, auth=AUTH, timeout=5)
    assert created.status_code == 503
    assert requests.post(url(sandbox), json=BODY, auth=AUTH, timeout=5).status_code == 200


def test_fault_requests_are_validated(sandbox):
    response = requests.post(
        f"{sandbox}/sandbox/_faults/", json={"provider": "x", "mode": "explode"}, timeout=5
    )
    assert response.status_code == 400
    assert "provider must be one of" in response.json()["error"]
    assert "mode must be one of" in response.json()["error"]
    wrong = {"provider": "mixpanel", "mode": "drop", "method": "BREW"}
    response = requests.post(f"{sandbox}/sandbox/_faults/", json=wrong, timeout=5)
    assert response.status_code == 400 and "method must be one of" in response.json()["error"]


def test_drop_closes_the_connection(sandbox, fault):
    fault("drop")
    with pytest.raises(requests.ConnectionError):
        requests.get(url(sandbox), auth=AUTH, timeout=5)


def test_garbage_is_a_200_that_is_not_json(sandbox, fault):
    fault("garbage")
    response = requests.get(url(sandbox), auth=AUTH, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")


def test_sandbox_is_absent_when_off(client, settings):
    from django.urls import clear_url_caches

    settings.SANDBOX = False
    import importlib

    import connectors_admin.urls

    try:
        clear_url_caches()
        importlib.reload(connectors_admin.urls)
        assert client.get("/sandbox/_faults/").status_code == 404
    finally:
        settings.SANDBOX = True
        importlib.reload(connectors_admin.urls)
        clear_url_caches()


# --- answers without a body ----------------------------------------------------------------------
def test_answers_without_a_body_carry_no_content_type(sandbox):
    """A 204 has no body, so nothing to type: Multiwoven's `head :no_content` sends no
    Content-Type (Rack's spec forbids one on a 204), nor does Kafka Connect's Jersey for a
    response without an entity (its 204s, and the 202 of pause, resume and stop), nor
    VideoVector's /auth/validate. Django gives every response `text/html` unless told."""
    import json
    from pathlib import Path

    samples = Path(__file__).resolve().parents[1] / "connectors_admin/sandbox/aisquared_catalog"
    postgres = json.loads((samples / "_samples.json").read_text())["source-postgresql"]
    aisq = {"Authorization": "Bearer sandbox-token", "Workspace-Id": "7"}
    made = requests.post(
        f"{sandbox}/sandbox/api/v1/connectors",
        json={
            "connector": {
                "name": "Shop DB",
                "connector_type": "source",
                "connector_name": "Postgresql",
                "configuration": postgres,
            }
        },
        headers=aisq,
        timeout=5,
    )
    assert made.status_code == 201, made.text
    kc = f"{sandbox}/sandbox/kafka-connect/connectors"
    config = {
        "connector.class": "io.aiven.connect.jdbc.JdbcSinkConnector",
        "connection.url": "jdbc:postgresql://db.example.net/shop",
        "topics": "orders",
    }
    assert requests.post(kc, json={"name": "sink", "config": config}, timeout=5).ok
    assert requests.get(f"{kc}/sink/status", timeout=5).json()["tasks"]  # running, with a task
    empty = [
        requests.get(
            f"{sandbox}/sandbox/api/v2/auth/validate",
            headers={"X-API-Key": "sk_live_" + "ab" * 24},
            timeout=5,
        ),
        requests.put(f"{kc}/sink/pause", timeout=5),
        requests.post(f"{kc}/sink/restart", timeout=5),
        requests.post(f"{kc}/sink/tasks/0/restart", timeout=5),
        requests.delete(f"{kc}/sink", timeout=5),
        requests.delete(
            f"{sandbox}/sandbox/api/v1/connectors/{made.json()['data']['id']}",
            headers=aisq,
            timeout=5,
        ),
    ]
    assert [r.status_code for r in empty] == [204, 202, 204, 204, 204, 204]
    for answer in empty:
        assert answer.content == b"", answer.url
        assert "Content-Type" not in answer.headers, (answer.url, answer.headers)
