"""A delete answered 2xx otherwise than the provider documents (AI Squared and Kafka Connect: 204
No Content; Upstash: 200 and "OK") is not the provider's word that the connector went: it is
read back first. Gone there, it is recorded deleted; still there, the delete failed; unreadable,
nobody knows yet, and the page says so."""

from __future__ import annotations

import html
import uuid

import pytest
from django.urls import reverse

from connectors_admin.connectors.models import Connector, Submission
from connectors_admin.sandbox.models import SandboxConnector

from .conftest import aisquared_payload, make_aisquared_credential
from .test_fault_matrix import MAKERS
from .test_kafka import CLUSTER, create, mongo_form
from .test_odd_answers import answering, script  # noqa: F401 (a fixture)

SANDBOX = pytest.mark.django_db(transaction=True)  # served by live_server
HTMX = {"HX-Request": "true"}
READ_BACK = ["aisquared", "upstash", "kafkaconnect"]


def made_in_the_sandbox(provider: str, client, team, owner, upstash, kc) -> Connector:
    if provider == "aisquared":
        form = aisquared_payload(make_aisquared_credential(team, owner))
        client.post(
            reverse("connectors:create", args=["acme", "aisquared-source"]),
            {**form, "form_token": str(uuid.uuid4())},
            headers=HTMX,
        )
    elif provider == "upstash":
        create(client, "upstash-kafka", mongo_form(upstash, cluster_id=CLUSTER))
    else:
        create(client, "kafka-connect", mongo_form(kc))
    return Connector.objects.get()


def delete(client, connector: Connector) -> str:
    url = reverse("connectors:action", args=["acme", connector.pk, "delete"])
    return html.unescape(client.post(url, headers=HTMX, follow=True).content.decode())


# --- through the sandbox: a 2xx that did not delete anything ------------------------------------
@SANDBOX
@pytest.mark.parametrize(
    ("mode", "options"),
    [("shape", {}), ("status", {"status": 202})],
    ids=["200-json", "202-body"],
)
@pytest.mark.parametrize("provider", READ_BACK)
def test_an_undocumented_2xx_to_a_delete_is_read_back_and_not_taken_as_done(
    owner_client, sandbox, fault, team, owner, upstash, kc, provider, mode, options
):
    connector = made_in_the_sandbox(provider, owner_client, team, owner, upstash, kc)
    assert connector.refreshed_at is None
    Connector.objects.filter(pk=connector.pk).update(last_error="An earlier refresh failed.")
    # Something between the app and the provider answers the DELETE with a 2xx of its own: the
    # provider never got it (the sandbox plays the fault instead of the delete).
    fault(mode, provider=provider, method="DELETE", **options)

    page = delete(answering(owner), connector)

    connector.refresh_from_db()
    assert connector.deleted_at is None and connector.remote_status != "deleted"
    # What the read found is stored as a refresh's: the page does not say "Not refreshed yet".
    # The last error is left as it was (the delete's own failure is its operation's).
    assert connector.refreshed_at is not None
    assert connector.last_error == "An earlier refresh failed."
    detail = answering(owner).get(reverse("connectors:detail", args=["acme", connector.pk]))
    assert "Not refreshed yet" not in detail.content.decode()
    assert SandboxConnector.objects.filter(provider=provider).exists()  # nothing was deleted
    submission = Submission.objects.get(action="delete")
    assert submission.outcome == "failed"
    said = submission.error_message
    assert "it still has the connector when read back: it was not deleted" in said, said
    assert said in page
    methods = list(submission.attempts.order_by("number").values_list("method", flat=True))
    assert methods[0] == "DELETE" and "GET" in methods[1:]
    # The operation's summary is the delete's answer, not the read made to check it.
    assert submission.response_status == options.get("status", 200)
    assert submission.request["method"] == "DELETE"


@SANDBOX
@pytest.mark.parametrize("provider", READ_BACK)
def test_a_read_back_that_fails_says_the_delete_may_have_happened(
    owner_client, sandbox, fault, team, owner, upstash, kc, tasks, settings, provider
):
    settings.PROVIDER_RETRY_BACKOFF = 0
    connector = made_in_the_sandbox(provider, owner_client, team, owner, upstash, kc)
    tasks.backend.clear()
    fault("shape", provider=provider, method="DELETE")
    fault("status", provider=provider, method="GET", status=503, times=3)

    page = delete(answering(owner), connector)

    connector.refresh_from_db()
    assert connector.deleted_at is None
    submission = Submission.objects.get(action="delete")
    assert submission.outcome == "failed"
    said = submission.error_message
    assert "and reading the connector back to make sure failed: " in said and "HTTP 503" in said
    assert said in page
    if provider == "upstash":  # no refresh of it can tell that it is gone: nothing promised
        assert said.endswith("may still have been applied: check before retrying.")
        assert tasks.names() == []
    else:  # the refresh that follows records it deleted once it is
        assert said.endswith("will look for it at the provider and tell you.")
        assert tasks.names() == ["follow_status"]


# --- on a loopback server: a 2xx that did delete it ---------------------------------------------
GONE_WORDS = {
    "aisquared": (
        r"/api/v1/connectors/4$",
        {"errors": [{"status": 404, "title": "Error", "detail": "Connector not found"}]},
    ),
    "upstash": (r"/v2/kafka/connector/u1$", {"error": "connector not found"}),
    "kafkaconnect": (
        r"/connectors/orders$",
        {"error_code": 404, "message": "Connector orders not found"},
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("provider", READ_BACK)
def test_an_undocumented_2xx_then_the_provider_s_own_not_found_is_recorded_deleted(
    script,  # noqa: F811 (the fixture imported above)
    settings,
    team,
    owner,
    provider,
):
    settings.KAFKA_CONNECT_CLUSTERS = {"Loop": script.url}
    connector, _ = MAKERS[provider](team, owner)
    path, not_found = GONE_WORDS[provider]
    script.on("DELETE", r".*", 200, json={"deleted": True})
    script.on("GET", path, 404, json=not_found)
    script.on("GET", rf"/v2/kafka/connectors/{CLUSTER}$", json=[])  # Upstash's list agrees

    delete(answering(owner), connector)

    connector.refresh_from_db()
    assert connector.deleted_at is not None and connector.remote_status == "deleted"
    submission = Submission.objects.get(action="delete")
    assert submission.outcome == "succeeded"
    assert [a.method for a in submission.attempts.order_by("number")][:2] == ["DELETE", "GET"]
    # Its summary is the delete's 200, not the read's 404.
    assert submission.response_status == 200 and submission.request["method"] == "DELETE"


@pytest.mark.django_db
def test_upstash_s_404_that_its_cluster_list_contradicts_is_no_delete(
    script,  # noqa: F811 (the fixture imported above)
    team,
    owner,
):
    """Upstash documents no words for "no such connector": its 404 on one is believed only where
    the cluster's list agrees; one that still lists it has not deleted it."""
    connector, _ = MAKERS["upstash"](team, owner)
    script.on("DELETE", r".*", 200, json={"deleted": True})
    script.on("GET", r"/v2/kafka/connector/u1$", 404, json={"error": "connector not found"})
    script.on("GET", rf"/v2/kafka/connectors/{CLUSTER}$", json=[{"connector_id": "u1"}])

    delete(answering(owner), connector)

    connector.refresh_from_db()
    assert connector.deleted_at is None
    submission = Submission.objects.get(action="delete")
    assert submission.outcome == "failed" and "it was not deleted" in submission.error_message


@SANDBOX
@pytest.mark.parametrize(
    ("provider", "status", "answered"),
    [
        # The documented status with another body: the body is what differs, and is said.
        ("upstash", 200, 'HTTP 200 and a body other than the "OK" it documents'),
        # Another status: the status is said, beside the documented answer.
        ("upstash", 204, 'HTTP 204, where it documents 200 "OK"'),
        ("kafkaconnect", 200, "HTTP 200, where it documents 204 No Content"),
    ],
    ids=["upstash-200-other-body", "upstash-204", "kafkaconnect-200"],
)
def test_the_failed_delete_says_what_differed_from_the_documented_answer(
    owner_client, sandbox, fault, team, owner, upstash, kc, provider, status, answered
):
    connector = made_in_the_sandbox(provider, owner_client, team, owner, upstash, kc)
    fault("status", provider=provider, method="DELETE", status=status)

    page = delete(answering(owner), connector)

    said = Submission.objects.get(action="delete").error_message
    assert f"answered the delete with {answered}, and it still has the connector" in said, said
    assert said in page
    # Never "HTTP 200, where it documents 200": that reads as the documented answer refused.
    assert f"HTTP {status}, where it documents {status}" not in said
