"""Answers a provider should not give, from a scripted server on loopback: odd types inside an
otherwise good answer, answers no reader can read, redirects and web pages where the API should
answer, and secrets the answer echoes. None is a server error, none loses a record, none says
more of a secret than the rest of the app does."""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connectors_admin.connectors.models import Attempt, Connector, Submission
from connectors_admin.connectors.services import reconcile
from connectors_admin.connectors.tasks import refresh_connector
from connectors_admin.credentials.models import Credential
from connectors_admin.providers import registered
from connectors_admin.providers.base import (
    Action,
    ActionResult,
    ConnectorForm,
    ConnectorTemplate,
    Provider,
    ProviderClient,
    RemoteRecord,
    display_time,
)
from connectors_admin.providers.http import Call

from .conftest import (
    MIXPANEL_SECRET,
    S3_FORM,
    UPSTASH_KEY,
    aisquared_payload,
    make_aisquared_credential,
)
from .test_kafka import CLUSTER, mongo_form
from .test_platform import PingCredentialForm

HTMX = {"HX-Request": "true"}
PROVIDER_URLS = (
    "MIXPANEL_API_URL",
    "MIXPANEL_EU_API_URL",
    "MIXPANEL_IN_API_URL",
    "AISQUARED_API_URL",
    "VIDEOVECTOR_API_URL",
    "UPSTASH_API_URL",
)


class Script:
    """What the server answers: for a method and a path pattern, a status, a body and headers.
    Every request it got is kept."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, re.Pattern, dict[str, Any]]] = []
        self.seen: list[tuple[str, str]] = []
        self.connections = 0
        self.url = ""

    def on(self, method: str, path: str, status: int = 200, **answer: Any) -> None:
        self.answers.insert(0, (method, re.compile(path), {"status": status, **answer}))

    def answer(self, method: str, path: str) -> dict[str, Any]:
        self.seen.append((method, path))
        for wanted, pattern, answer in self.answers:
            if wanted == method and pattern.search(path):
                return answer
        return {"status": 404, "json": {"error": "not scripted"}}


@pytest.fixture
def script(settings):
    state = Script()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keeps a connection open, as providers' servers do

        def setup(self) -> None:
            super().setup()
            state.connections += 1

        def log_message(self, *args: Any) -> None:
            pass

        def serve(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = state.answer(self.command, self.path)
            if "json" in answer:
                body, kind = json.dumps(answer["json"]).encode(), "application/json"
            else:
                body, kind = answer.get("text", "").encode(), answer.get("type", "text/html")
            self.send_response(answer["status"])
            self.send_header("Content-Type", kind)
            for name, value in answer.get("headers", {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if "trickle" in answer:  # a byte at a time, each well within the read timeout
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(answer["trickle"])
                return
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = serve

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    for name in PROVIDER_URLS:
        setattr(settings, name, state.url)
    yield state
    server.shutdown()
    server.server_close()


def answering(user) -> Client:
    """A client that gets the error page rather than the exception, as a browser would."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# --- a made-up provider whose reader trips over what it is given --------------------------------
class BrittleClient(ProviderClient):
    label = "Brittle"

    def auth(self):
        return ("brittle", self.secrets.get("token", ""))

    def build_create(self, template, data, *, idempotency_key=""):
        return Call("POST", f"{self.public['url']}/things", json={"name": "thing"})

    def read_create(self, template, exchange) -> RemoteRecord:
        body = self.expect_json(exchange)
        name = body["name"].upper()  # a number here is an AttributeError
        return RemoteRecord(remote_id=name, status="ok", title=name, summary={}, raw=body)


def _refresh(client: ProviderClient, target) -> ActionResult:
    body = client.expect_json(client.get(f"{client.public['url']}/things/{target.remote_id}"))
    return ActionResult(status=body["state"].lower())


def _stop(client: ProviderClient, target) -> ActionResult:
    exchange = client.send(Call("POST", f"{client.public['url']}/things/{target.remote_id}/stop"))
    body = client.expect_json(exchange)
    return ActionResult(status=body["state"].lower())


BRITTLE = Provider(
    slug="brittle",
    label="Brittle",
    description="Made up for a test.",
    notice="",
    credential_form=PingCredentialForm,
    templates=(
        ConnectorTemplate(
            slug="brittle-thing",
            label="Brittle: thing",
            description="",
            form_class=ConnectorForm,
            provider_slug="brittle",
            actions=(
                Action("refresh", "Refresh status", _refresh),
                Action("stop", "Stop it", _stop, changes_remote=True),
            ),
        ),
    ),
    client_class=BrittleClient,
)
BRITTLE_TOKEN = "brittle-token-do-not-leak"


@pytest.fixture
def brittle(script, team, owner):
    with registered(BRITTLE):
        credential = Credential(team=team, kind="brittle", label="Brittle key")
        credential.public = {"url": script.url}
        credential.set_secrets({"token": BRITTLE_TOKEN})
        credential.save()
        connector = Connector.objects.create(
            team=team, credential=credential, provider="brittle", template="brittle-thing",
            remote_id="t-1", remote_status="ok", name="The thing",
        )  # fmt: skip
        yield credential, connector


@pytest.mark.django_db
def test_a_create_answer_no_reader_can_read_is_looked_for_afterwards(
    script, brittle, owner, tasks, caplog, django_capture_on_commit_callbacks
):
    credential, _ = brittle
    script.on("POST", r"/things$", 201, json={"name": 12345, "note": "quoted-in-no-log"})
    url = reverse("connectors:create", args=["acme", "brittle-thing"])
    form = {"credential": credential.pk, "form_token": str(uuid.uuid4())}

    with (
        caplog.at_level(logging.ERROR, logger="connectors_admin"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        page = answering(owner).post(url, form, headers=HTMX)

    assert page.status_code == 200
    assert "Brittle answered HTTP 201 in a shape Connectors Admin cannot read" in page.text
    submission = Submission.objects.get(action="create")
    assert (submission.outcome, submission.error_kind) == ("failed", "bad_response")
    # The create may have been made: the background work looks for it, as for a lost answer.
    assert submission.reconciliation == "pending"
    assert [r.task.name for r in tasks.queued()] == ["reconcile_create"]
    assert "AttributeError in read_create" in caplog.text
    assert "quoted-in-no-log" not in caplog.text and "12345" not in caplog.text


@pytest.mark.django_db
def test_an_action_answer_no_reader_can_read_fails_in_plain_words(script, brittle, owner):
    _, connector = brittle
    script.on("GET", r"/things/t-1$", json={"state": ["running"]})
    script.on("POST", r"/things/t-1/stop$", json={"state": None})
    client = answering(owner)

    refresh = client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    stop = client.post(
        reverse("connectors:action", args=["acme", connector.pk, "stop"]), headers=HTMX
    )

    assert refresh.status_code == stop.status_code == 200
    read, write = Submission.objects.order_by("pk")
    assert read.outcome == write.outcome == "failed"
    assert read.error_message == (
        "Brittle answered HTTP 200 in a shape Connectors Admin cannot read."
    )
    # Only a write may have been applied.
    assert write.error_message.endswith("The request may have been applied: check before retrying.")
    connector.refresh_from_db()
    assert connector.remote_status == "ok" and "cannot read" in connector.last_error


@pytest.mark.django_db
def test_a_background_refresh_of_an_unreadable_answer_is_recorded_not_raised(script, brittle):
    _, connector = brittle
    script.on("GET", r"/things/t-1$", json={"state": 7})
    assert refresh_connector.call(str(connector.pk)) == "failed"
    assert Submission.objects.get().outcome == "failed"  # not left pending


@pytest.mark.django_db
def test_a_crash_before_any_answer_is_still_a_server_error_and_recorded(brittle, owner):
    """Ours, not the provider's: not dressed up as an unreadable answer."""
    _, connector = brittle
    connector.remote_id = "t-1"
    connector.context = {"unused": True}
    connector.save()
    credential = connector.credential
    credential.public = {}  # the actions read public["url"]: a KeyError before any request
    credential.save()
    page = answering(owner).post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    assert page.status_code == 500
    submission = Submission.objects.get()
    assert (submission.outcome, submission.error_kind) == ("failed", "internal")


# --- odd types inside otherwise good answers: read, not fatal -----------------------------------
@pytest.mark.django_db
def test_odd_types_in_an_upstash_answer_still_record_the_connector(script, upstash, owner):
    script.on(
        "POST",
        r"/v2/kafka/connector$",
        json={
            "connector_id": "u1",
            "name": "orders-cdc",
            "cluster_id": CLUSTER,
            "state": "pending",
            "tasks": [],
            "topics": 5,
            "creation_time": 10**20,
        },
    )
    url = reverse("connectors:create", args=["acme", "upstash-kafka"])
    page = answering(owner).post(url, mongo_form(upstash, cluster_id=CLUSTER), headers=HTMX)
    assert page.status_code == 200 and "Connector created" in page.text
    connector = Connector.objects.get()
    assert connector.summary["Topics"] == "—" and connector.summary["Created at"] == "—"


@pytest.mark.django_db
def test_a_failed_kafka_connect_trace_that_is_not_text_is_shown_as_text(script, team, owner):
    credential = Credential(
        team=team, kind="kafkaconnect", label="Loop", public={"cluster": "Loop", "username": ""}
    )
    credential.set_secrets({"password": ""}, owner)
    credential.save()
    connector = Connector.objects.create(
        team=team, credential=credential, provider="kafkaconnect", template="kafka-connect",
        remote_id="orders", remote_status="RUNNING", name="orders",
    )  # fmt: skip
    script.on("GET", r"/connectors/orders$", json={"name": "orders", "config": {}})
    script.on(
        "GET",
        r"/connectors/orders/status$",
        json={"name": "orders", "connector": {"state": "FAILED", "trace": 12345}, "tasks": []},
    )
    from django.conf import settings

    settings.KAFKA_CONNECT_CLUSTERS = {"Loop": script.url}
    page = answering(owner).post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    assert page.status_code == 200
    connector.refresh_from_db()
    assert connector.remote_status == "FAILED" and "12345" in connector.last_error


@pytest.mark.django_db
def test_a_kafka_connect_answer_cut_short_is_stored_with_its_secrets_masked_by_key(
    script, team, owner, settings
):
    """An imported connector's secrets were never known here, and an answer cut short cannot be
    parsed to learn them: its secret-looking members are masked by their keys all the same."""
    credential = Credential(
        team=team, kind="kafkaconnect", label="Loop", public={"cluster": "Loop", "username": ""}
    )
    credential.set_secrets({"password": ""}, owner)
    credential.save()
    connector = Connector.objects.create(
        team=team, credential=credential, provider="kafkaconnect", template="kafka-connect",
        remote_id="orders", remote_status="RUNNING", name="orders",
    )  # fmt: skip
    never_known = "pw-never-known-here-7781"
    cut = (
        '{"name": "orders", "config": {"connector.class": "io.debezium.MySqlConnector", '
        f'"database.password": "{never_known}", "database.hostname": "db.internal", "tas'
    )
    script.on("GET", r"/connectors/orders$", text=cut, type="application/json")
    script.on("GET", r"/connectors/orders/status$", text=cut, type="application/json")
    settings.KAFKA_CONNECT_CLUSTERS = {"Loop": script.url}
    answering(owner).post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    attempts = Attempt.objects.filter(submission__connector=connector)
    assert attempts.exists()
    stored = [a.response_body for a in attempts] + [
        s.response_body for s in Submission.objects.filter(connector=connector)
    ]
    assert any('"database.password": "[redacted]"' in body for body in stored), stored
    assert never_known not in json.dumps(stored)
    assert never_known not in json.dumps(list(Connector.objects.values()), default=str)


# --- redirects and web pages are not the API's answer -------------------------------------------
@pytest.mark.django_db
def test_a_delete_answered_by_a_redirect_or_a_web_page_leaves_the_connector(
    script, upstash, team, owner
):
    connector = Connector.objects.create(
        team=team, credential=upstash, provider="upstash", template="upstash-kafka",
        remote_id="u1", remote_status="running", name="orders", context={"cluster_id": CLUSTER},
    )  # fmt: skip
    delete = reverse("connectors:action", args=["acme", connector.pk, "delete"])
    client = answering(owner)

    script.on(
        "DELETE", r"/v2/kafka/connector/u1", 302, headers={"Location": "https://sso.example.com/"}
    )
    client.post(delete, headers=HTMX)
    script.on("DELETE", r"/v2/kafka/connector/u1", 200, text="<html><h1>Sign in</h1></html>")
    client.post(delete, headers=HTMX)

    connector.refresh_from_db()
    assert connector.deleted_at is None
    redirected, portal = Submission.objects.filter(action="delete").order_by("pk")
    assert (redirected.outcome, portal.outcome) == ("failed", "failed")
    assert "redirect (HTTP 302 to sso.example.com)" in redirected.error_message
    assert "with a web page, not the API's answer" in portal.error_message

    script.on("DELETE", r"/v2/kafka/connector/u1", 404, text="<html><h1>404 Not Found</h1></html>")
    client.post(delete, headers=HTMX)
    connector.refresh_from_db()
    assert connector.deleted_at is None  # a proxy's page says nothing of the connector

    # An empty 204 labelled text/html, as many servers send, is no web page: a 2xx, which is
    # read back (Upstash documents 200 "OK"), and a delete that worked once the read agrees.
    script.on("DELETE", r"/v2/kafka/connector/u1", 204, text="")
    script.on("GET", r"/v2/kafka/connector/u1$", 404, json={"error": "connector not found"})
    script.on("GET", rf"/v2/kafka/connectors/{CLUSTER}$", json=[])
    client.post(delete, headers=HTMX)
    connector.refresh_from_db()
    assert connector.deleted_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer",
    [
        {"status": 302, "headers": {"Location": "https://portal.example.com/login"}},
        {"status": 200, "text": "<!doctype html><title>Wi-Fi sign-in</title>"},
    ],
)
def test_a_credential_test_answered_by_a_sign_in_page_is_not_accepted(
    script, credential, owner, answer
):
    script.on("GET", r".*", **answer)
    url = reverse("credentials:test", args=["acme", credential.pk])
    answering(owner).post(url, headers=HTMX)
    credential.refresh_from_db()
    assert credential.last_check_ok is False
    assert "accepted" not in credential.last_check_message


@pytest.mark.django_db
def test_a_batch_of_scheduled_refreshes_reuses_one_connection_a_host(script, upstash, team):
    from connectors_admin.connectors.tasks import refresh_connectors

    ids = []
    for number in range(1, 4):
        connector = Connector.objects.create(
            team=team, credential=upstash, provider="upstash", template="upstash-kafka",
            remote_id=f"u{number}", remote_status="pending", name=f"orders-{number}",
            context={"cluster_id": CLUSTER},
        )  # fmt: skip
        ids.append(str(connector.pk))
        script.on(
            "GET",
            rf"/v2/kafka/connector/u{number}$",
            json={"connector_id": f"u{number}", "name": f"orders-{number}", "state": "running"},
        )
    assert refresh_connectors.call(ids) == ["succeeded"] * 3
    assert len(script.seen) == 3 and script.connections == 1
    assert set(Connector.objects.values_list("remote_status", flat=True)) == {"running"}
    # Outside a batch, each operation has its own connection.
    refresh_connector.call(ids[0])
    assert script.connections == 2


@pytest.mark.django_db
def test_a_read_that_is_not_json_does_not_say_it_may_have_been_applied(script, upstash, team):
    connector = Connector.objects.create(
        team=team, credential=upstash, provider="upstash", template="upstash-kafka",
        remote_id="u1", remote_status="running", name="orders", context={"cluster_id": CLUSTER},
    )  # fmt: skip
    script.on("GET", r"/v2/kafka/connector/u1", 200, text="not json", type="text/plain")
    assert refresh_connector.call(str(connector.pk)) == "failed"
    message = Submission.objects.get().error_message
    assert "not JSON (text/plain)" in message and "applied" not in message


@pytest.mark.django_db
def test_an_html_error_page_is_named_not_quoted(script, upstash, owner):
    script.on("POST", r"/v2/kafka/connector$", 500, text="<html><body>boom</body></html>")
    url = reverse("connectors:create", args=["acme", "upstash-kafka"])
    answering(owner).post(url, mongo_form(upstash, cluster_id=CLUSTER), headers=HTMX)
    message = Submission.objects.get(action="create").error_message
    assert "server error (HTTP 500)" in message and "<html>" not in message


# --- secrets an answer echoes ------------------------------------------------------------------
@pytest.mark.django_db
def test_a_secret_echoed_at_the_end_of_a_long_answer_is_masked_before_it_is_cut(
    script, credential, owner
):
    script.on("POST", r"/connectors$", 400, text="x" * (64 * 1024 - 10) + MIXPANEL_SECRET)
    url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    form = {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}
    answering(owner).post(url, form, headers=HTMX)
    stored = Attempt.objects.get().response_body
    assert len(stored) == 64 * 1024 and stored.endswith("x[redacted]")
    assert MIXPANEL_SECRET[:8] not in stored


@pytest.mark.django_db
def test_an_error_text_cut_short_never_keeps_the_start_of_a_secret(script, upstash, owner):
    script.on("POST", r"/v2/kafka/connector$", 401, text="y" * 180 + UPSTASH_KEY, type="text/plain")
    url = reverse("connectors:create", args=["acme", "upstash-kafka"])
    page = answering(owner).post(url, mongo_form(upstash, cluster_id=CLUSTER), headers=HTMX)
    message = Submission.objects.get(action="create").error_message
    assert "y" * 20 in message and UPSTASH_KEY[:12] not in message + page.text


@pytest.mark.django_db
def test_a_basic_auth_header_echoed_back_is_masked(script, credential, owner):
    pair = base64.b64encode(f"sa.acme:{MIXPANEL_SECRET}".encode()).decode()
    script.on("POST", r"/connectors$", 401, text=f"Authorization: Basic {pair}", type="text/plain")
    url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    form = {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}
    page = answering(owner).post(url, form, headers=HTMX)
    stored = Attempt.objects.get().response_body
    assert stored == "Authorization: Basic [redacted]"
    assert pair not in page.text + Submission.objects.get().error_message


# --- a catalogue entry the form builder cannot read ----------------------------------------------
@pytest.mark.django_db
def test_a_catalogue_entry_in_an_odd_shape_says_so_instead_of_a_server_error(
    script, team, owner, caplog
):
    catalogue = Path(__file__).resolve().parents[1] / "connectors_admin/sandbox/aisquared_catalog"
    postgres = json.loads((catalogue / "source-postgresql.json").read_text())
    postgres["connector_spec"]["connection_specification"]["properties"] = [1, 2]
    script.on("GET", r"/api/v1/connector_definitions", json=[postgres])
    credential = make_aisquared_credential(team, owner)
    url = reverse("connectors:create", args=["acme", "aisquared-source"])

    with caplog.at_level(logging.ERROR, logger="connectors_admin"):
        page = answering(owner).get(
            url, {"credential": credential.pk, "connector_name": "Postgresql"}
        )

    assert page.status_code == 200
    assert (
        "AI Squared describes this connector in a shape Connectors Admin cannot read" in page.text
    )
    assert "could not build the aisquared-source form: AttributeError" in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["check", "create"])
def test_a_form_whose_catalogue_is_unreachable_sends_nothing_and_keeps_what_was_typed(
    script, team, owner, view
):
    script.on("GET", r"/api/v1/connector_definitions", 503, json={"errors": [{"detail": "down"}]})
    credential = make_aisquared_credential(team, owner)
    form = {**aisquared_payload(credential), "form_token": str(uuid.uuid4())}
    url = reverse(f"connectors:{view}", args=["acme", "aisquared-source"])

    page = answering(owner).post(url, form, headers=HTMX)

    assert page.status_code == 200
    assert "AI Squared" in page.text and "503" in page.text
    assert not Submission.objects.exclude(outcome="failed").exists()  # nothing left pending
    assert not [seen for seen in script.seen if seen[0] == "POST"]  # nothing sent


# --- the lookup for a lost create, over a list with odd ids -------------------------------------
@pytest.mark.django_db
def test_the_lookup_for_a_lost_create_reads_past_odd_ids(script, credential, owner, tasks):
    script.on("POST", r"/connectors$", 502, text="Bad gateway", type="text/plain")
    url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    form = {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}
    answering(owner).post(url, form, headers=HTMX)
    submission = Submission.objects.get(action="create")
    assert submission.reconciliation == "pending"
    odd = {"connector_id": ["not", "an", "id"], "connector_type": "s3Import"}
    listed = {"status": "ok", "results": {"data": [odd], "has_more": False}}
    script.on("GET", r"/connectors", json=listed)

    reconcile(submission)

    submission.refresh_from_db()
    assert submission.reconciliation == "not_created"
    assert Submission.objects.get(action="reconcile").outcome == "succeeded"


@pytest.mark.django_db
def test_other_connectors_secrets_in_a_listing_are_masked_before_it_is_stored(script, team, owner):
    catalogue = Path(__file__).resolve().parents[1] / "connectors_admin/sandbox/aisquared_catalog"
    postgres = json.loads((catalogue / "source-postgresql.json").read_text())
    script.on("GET", r"/api/v1/connector_definitions", json=[postgres])
    script.on("POST", r"/api/v1/connectors$", 503, json={"errors": [{"detail": "busy"}]})
    credential = make_aisquared_credential(team, owner)
    url = reverse("connectors:create", args=["acme", "aisquared-source"])
    form = {**aisquared_payload(credential), "form_token": str(uuid.uuid4())}
    answering(owner).post(url, form, headers=HTMX)
    submission = Submission.objects.get(action="create")
    assert submission.reconciliation == "pending"
    other = {
        "id": "41",
        "type": "connectors",
        "attributes": {
            "name": "Warehouse",
            "connector_name": "Bigquery",
            "connector_type": "source",
            "configuration": {
                "project_id": "acme-analytics",
                "credentials_json": {
                    "type": "service_account",
                    "project_id": "acme-analytics",
                    "private_key_id": "pkid-of-another-0123",
                    "token_uri": "https://oauth2.googleapis.com/token",
                },
                "password": "pw-of-another-connector",
                "dataset": "pw-of-another-connector is named here too",
            },
        },
    }
    script.on("GET", r"/api/v1/connectors\?type=source", json={"data": [other], "links": {}})

    reconcile(submission)

    listing = Attempt.objects.filter(submission__action="reconcile").get().response_body
    assert "pkid-of-another-0123" not in listing and "pw-of-another-connector" not in listing
    assert '"private_key_id": "[redacted]"' in listing and "acme-analytics" in listing
    # What travels with a secret is not one: left readable, and not masked anywhere else.
    assert '"type": "service_account"' in listing and "oauth2.googleapis.com/token" in listing
    assert '"dataset": "[redacted] is named here too"' in listing


def test_a_provider_time_at_the_calendars_end_is_shown_as_it_came():
    assert display_time("2026-11-23T16:20:00Z") == "2026-11-23 16:20 UTC"
    assert display_time("9999-12-31T23:00:00-05:00") == "9999-12-31T23:00:00-05:00"


@pytest.mark.django_db
def test_a_provider_error_about_a_value_from_a_stored_credential_is_said_by_its_picker(
    script, owner, team
):
    """The input a stored credential fills is not shown: the provider's word on it is said
    next to the picker, naming the value, rather than nowhere."""
    from .test_videovector import ADMIN_KEY, AWS_SECRET

    vv = Credential(team=team, kind="videovector", label="Media", public={"auth_type": "api_key"})
    vv.set_secrets({"token": ADMIN_KEY}, owner)
    vv.save()
    aws = Credential(
        team=team, kind="aws", label="Footage", public={"aws_access_key_id": "AKIA" + "F" * 16}
    )
    aws.set_secrets({"aws_secret_access_key": AWS_SECRET}, owner)
    aws.save()
    script.on(
        "POST",
        r"/connectors",
        422,
        json={
            "error": {
                "code": "validation_error",
                "message": "The connector is not valid.",
                "details": {"aws_access_key_id": "This key id is not active in the account."},
            }
        },
    )
    form = {
        "credential": vv.pk,
        "name": "Footage",
        "bucket": "media-archive",
        "region": "us-east-1",
        "use__aws": str(aws.pk),
        "scopes": ["import"],
        "import_mode": "all",
        "form_token": str(uuid.uuid4()),
    }
    page = answering(owner).post(
        reverse("connectors:create", args=["acme", "videovector-s3"]), form, headers=HTMX
    )
    assert page.status_code == 200
    html = page.content.decode()
    said = re.search(r'<ul class="errorlist" id="id_use__aws_error">(.*?)</ul>', html, re.S)
    assert said, "nothing said next to the picker"
    assert "Access key id: This key id is not active in the account." in said.group(1)
    assert AWS_SECRET not in html


# --- Kafka Connect's validation before a create --------------------------------------------------
@pytest.fixture
def looped_kafka_connect(script, team, owner, settings):
    settings.KAFKA_CONNECT_CLUSTERS = {"Loop": script.url}
    credential = Credential(
        team=team, kind="kafkaconnect", label="Loop", public={"cluster": "Loop", "username": ""}
    )
    credential.set_secrets({"password": ""}, owner)
    credential.save()
    return credential


VALIDATE = r"/connector-plugins/.*/config/validate$"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer",
    [
        {"status": 503, "json": {"error_code": 503, "message": "busy"}},
        {"status": 200, "text": "<html><body>Sign in</body></html>"},
        {"status": 200, "json": {"error_count": 1, "configs": "many"}},
    ],
    ids=["5xx", "web page", "odd shape"],
)
def test_a_failed_validation_says_nothing_was_created_and_looks_for_nothing(
    script, looped_kafka_connect, owner, answer, tasks
):
    from .test_kafka import mongo_form

    script.on("PUT", VALIDATE, **answer)
    url = reverse("connectors:create", args=["acme", "kafka-connect"])
    page = answering(owner).post(url, mongo_form(looped_kafka_connect), headers=HTMX)

    assert page.status_code == 200
    assert not [seen for seen in script.seen if seen[0] == "POST"]  # the create was not sent
    submission = Submission.objects.get(action="create")
    assert submission.outcome == "failed" and submission.reconciliation == ""
    assert "may have been applied" not in page.text
    assert not tasks.queued()


@pytest.mark.django_db
def test_validation_errors_in_an_odd_shape_are_still_said_on_their_field(
    script, looped_kafka_connect, owner
):
    from .test_kafka import MONGO_PASSWORD, mongo_form

    found = {"name": "connection.uri", "errors": f"refused for {MONGO_PASSWORD}"}
    script.on("PUT", VALIDATE, json={"error_count": 1, "configs": [{"value": found}]})
    url = reverse("connectors:create", args=["acme", "kafka-connect"])
    page = answering(owner).post(url, mongo_form(looped_kafka_connect), headers=HTMX)

    assert page.status_code == 200
    assert "Kafka Connect found 1 problem in this configuration; nothing was created" in page.text
    assert "connection.uri: refused for [redacted]" in page.text
    assert MONGO_PASSWORD not in page.text


# --- Kafka Connect on a second cluster; 404s that are not its own ---------------------------------
MONGO_CLASS = "com.mongodb.kafka.connect.MongoSourceConnector"


def _listed(name: str, state: str = "RUNNING") -> dict:
    """One connector as a Kafka Connect cluster lists it with ?expand=status&expand=info."""
    return {
        name: {
            "info": {
                "name": name,
                "config": {"connector.class": MONGO_CLASS, "database": "shop"},
                "tasks": [],
                "type": "source",
            },
            "status": {
                "name": name,
                "connector": {"state": state, "worker_id": "w:8083"},
                "tasks": [],
                "type": "source",
            },
        }
    }


@pytest.mark.django_db(transaction=True)
def test_a_same_named_connector_of_another_cluster_can_be_imported(
    owner_client, owner, team, sandbox, kc, script, looped_kafka_connect
):
    """Staging and production clusters run connectors of the same names: one recorded from
    one cluster is not "recorded already" on another, and is imported from there."""
    from .test_kafka import create

    staging = looped_kafka_connect  # the scripted cluster, "Loop"
    script.on("GET", r"^/connectors\?expand", json=_listed("orders-cdc"))
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    url = reverse("connectors:import", args=["acme", "kafka-connect"])

    page = owner_client.get(url, {"credential": staging.pk}).content.decode()
    assert "1 connector at Kafka Connect" in page
    assert "Recorded already" not in page and 'value="orders-cdc"' in page
    owner_client.post(url, {"credential": staging.pk, "remote_id": ["orders-cdc"]})

    imported = Connector.objects.get(credential=staging, remote_id="orders-cdc")
    assert imported.deleted_at is None
    assert Connector.objects.filter(credential=kc, remote_id="orders-cdc").count() == 1
    # Another credential on the same cluster (another user, say) sees it recorded already.
    same = Credential(team=team, kind="kafkaconnect", label="Loop too", public={"cluster": "Loop"})
    same.set_secrets({}, owner)
    same.save()
    page = owner_client.get(url, {"credential": same.pk}).content.decode()
    assert "Recorded already" in page and 'value="orders-cdc"' not in page


@pytest.mark.django_db
def test_a_404_that_is_not_kafka_connect_s_own_says_nothing_of_the_connector(
    script, looped_kafka_connect, owner
):
    """A 404 for a path the worker does not serve (a wrong address behind a proxy) is no word
    about the connector: the record stays live, with the error said."""
    connector = Connector.objects.create(
        team=looped_kafka_connect.team,
        credential=looped_kafka_connect,
        provider="kafkaconnect",
        template="kafka-connect",
        remote_id="orders-cdc",
        remote_status="RUNNING",
    )
    script.on(
        "GET",
        r"^/connectors/orders-cdc$",
        404,
        json={"error_code": 404, "message": "HTTP 404 Not Found"},
    )

    answering(owner).post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )

    connector.refresh_from_db()
    assert connector.deleted_at is None and connector.remote_status == "RUNNING"
    assert "no such resource (HTTP 404)" in connector.last_error


# --- error bodies their reader trips over --------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("loc", [None, 5])
def test_an_error_body_its_reader_trips_over_still_says_the_status(
    script, team, owner, loc, caplog
):
    from .test_videovector import ADMIN_KEY

    vv = Credential(team=team, kind="videovector", label="Media", public={"auth_type": "api_key"})
    vv.set_secrets({"token": ADMIN_KEY}, owner)
    vv.save()
    connector = Connector.objects.create(
        team=team, credential=vv, provider="videovector", template="videovector-s3",
        remote_id="conn_1", remote_status="active", name="Footage",
    )  # fmt: skip
    script.on("GET", r"/connectors/conn_1$", 422, json={"detail": [{"loc": loc, "msg": "odd"}]})

    with caplog.at_level(logging.ERROR, logger="connectors_admin"):
        page = answering(owner).post(
            reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
        )

    assert page.status_code == 200
    assert "VideoVector rejected the request (HTTP 422)" in page.text
    assert Submission.objects.get(action="refresh").outcome == "failed"


# --- answers that never end, that are too big, that point nowhere, that no page can hold ----------
@pytest.mark.django_db
def test_an_answer_trickled_a_byte_at_a_time_is_cut_off_by_the_timeout(
    script, credential, owner, settings
):
    settings.PROVIDER_CONNECT_TIMEOUT = settings.PROVIDER_READ_TIMEOUT = 0.5
    script.on("POST", r"/connectors$", 500, json={"error": "x" * 60}, trickle=0.05)
    url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    form = {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}

    started = time.monotonic()
    page = answering(owner).post(url, form, headers=HTMX)
    took = time.monotonic() - started

    assert page.status_code == 200
    submission = Submission.objects.get(action="create")
    assert submission.error_kind == "timeout" and submission.reconciliation == "pending"
    assert "Mixpanel was still sending its answer after 1 second." in page.text
    assert took < 3.5  # the whole answer would take 3.6 s; the deadline is 1 s


@pytest.mark.django_db
def test_a_redirect_to_an_address_no_one_can_read_is_said_in_plain_words(script, credential, owner):
    script.on("POST", r"/connectors$", 302, text="", headers={"Location": "http://[proxy"})
    url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    form = {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}

    page = answering(owner).post(url, form, headers=HTMX)

    assert page.status_code == 200
    assert "answered with a redirect (HTTP 302)" in page.text
    submission = Submission.objects.get(action="create")
    assert submission.attempts.count() == 1 and submission.reconciliation == "pending"


@pytest.mark.django_db
def test_nul_characters_in_an_answer_are_replaced_not_a_failure_to_record(script, upstash, team):
    """PostgreSQL keeps no NUL in text or JSON (SQLite does): one in an answer, written out or
    escaped, is replaced as it is read, so that a background refresh records what came on
    every database instead of crashing and leaving its operation pending."""
    connector = Connector.objects.create(
        team=team, credential=upstash, provider="upstash", template="upstash-kafka",
        remote_id="u1", remote_status="pending", name="orders", context={"cluster_id": CLUSTER},
    )  # fmt: skip
    script.on(
        "GET",
        r"/v2/kafka/connector/u1$",
        text='{"connector_id": "u1", "name": "orders\\u0000", "state": "running",'
        ' "properties": {"topics": "a\\u0000b"}}',
        type="application/json",
    )
    assert refresh_connector.call(str(connector.pk)) == "succeeded"
    connector.refresh_from_db()
    assert connector.name == "orders\ufffd" and connector.remote_status == "running"

    script.on("GET", r"/v2/kafka/connector/u1$", text="\x1f\x8b\x00\x00 binary", type="x/gzip")
    assert refresh_connector.call(str(connector.pk)) == "failed"
    failed = Submission.objects.filter(action="refresh").order_by("pk").last()
    assert failed.outcome == "failed" and "not JSON (x/gzip)" in failed.error_message
    assert "\ufffd" in failed.attempts.get().response_body


@pytest.mark.django_db
def test_lone_surrogates_in_an_answer_are_replaced_not_a_failure_to_record(
    script, credential, owner
):
    body = (
        '{"status": "ok", "results": {"connector_id": "c1", "connector_type": "s3Import", '
        '"name": "lake \\ud800", "created_at": "2026-11-24T10:00:00.000000Z", '
        '"connector_properties": {}, "category_properties": {}}}'
    )
    script.on("POST", r"/connectors$", text=body, type="application/json")
    url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    form = {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}

    page = answering(owner).post(url, form, headers=HTMX)

    assert page.status_code == 200 and "Connector created" in page.text
    assert Connector.objects.get().remote_id == "c1"


@pytest.mark.django_db
def test_an_answer_too_big_to_be_an_api_answer_is_refused(script, credential, owner):
    from connectors_admin.providers.http import MAX_ANSWER_BYTES

    script.on("POST", r"/connectors$", 400, text="x" * (MAX_ANSWER_BYTES + 1), type="text/plain")
    url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    form = {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}

    page = answering(owner).post(url, form, headers=HTMX)

    assert page.status_code == 200
    assert "answered with more than 8 MB" in page.text


@pytest.mark.django_db
def test_a_provider_error_message_of_any_length_is_quoted_short(script, credential, owner):
    essay = "é" * 200_000
    script.on("POST", r"/connectors$", 400, json={"status": "error", "error": essay})
    url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    form = {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}

    page = answering(owner).post(url, form, headers=HTMX)

    assert page.status_code == 200 and "Mixpanel rejected the request (HTTP 400)" in page.text
    assert "é" * 500 in page.text and "é" * 700 not in page.text
    assert len(Submission.objects.get(action="create").error_message) < 1000


@pytest.mark.django_db
def test_an_answer_in_a_charset_python_does_not_know_is_read_as_utf8(script, credential, owner):
    body = {
        "status": "ok",
        "results": {
            "connector_id": "c1", "connector_type": "s3Import", "name": "lake",
            "created_at": "2026-11-24T10:00:00.000000Z",
            "connector_properties": {}, "category_properties": {},
        },
    }  # fmt: skip
    script.on(
        "POST", r"/connectors$", text=json.dumps(body), type="application/json; charset=binary"
    )
    url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    form = {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}

    page = answering(owner).post(url, form, headers=HTMX)

    assert page.status_code == 200 and "Connector created" in page.text
    assert Connector.objects.get().remote_id == "c1"


# --- AI Squared: only Multiwoven's own "Connector not found" says a connector is gone ------------
MULTIWOVEN_NOT_FOUND = {
    "errors": [{"status": 404, "title": "Error", "detail": "Connector not found"}]
}


@pytest.mark.django_db
@pytest.mark.parametrize("theirs", [True, False])
def test_an_ai_squared_delete_answered_404_is_done_only_on_multiwoven_s_own_words(
    script, team, owner, theirs
):
    """Multiwoven answers a connector the workspace does not have with its own JSON:API 404:
    a delete met by it was done already. A JSON 404 in other words (a wrong address behind a
    proxy) says nothing of the connector, which stays live with the error said."""
    credential = make_aisquared_credential(team, owner)
    connector = Connector.objects.create(
        team=team,
        credential=credential,
        provider="aisquared",
        template="aisquared-source",
        remote_id="4",
        remote_status="active",
    )
    if theirs:
        script.on("DELETE", r"/connectors/4$", 404, json=MULTIWOVEN_NOT_FOUND)

    answering(owner).post(reverse("connectors:action", args=["acme", connector.pk, "delete"]))

    connector.refresh_from_db()
    delete = Submission.objects.get(action="delete")
    assert ("DELETE", "/api/v1/connectors/4") in script.seen
    if theirs:
        assert connector.deleted_at is not None and delete.outcome == "succeeded"
    else:
        assert connector.deleted_at is None and connector.remote_status == "active"
        assert delete.outcome == "failed" and "HTTP 404" in delete.error_message


# --- next-page links in the shapes a server behind a proxy gives them ----------------------------
def _mixpanel_item(connector_id: str, status: str | None = "active") -> dict:
    return {
        "connector_id": connector_id,
        "label": "",
        "connector_type": "s3Import",
        "connector_properties": {"s3_bucket": "acme-events", "s3_prefix": "cloudimport/event"},
        "category_properties": {"data_format": "mixpanel_event", "compression": "gzip"},
        "status": status,
        "created_at": "2020-09-17T02:10:33.799738Z",
        "created_by": "user@example.com",
    }


def _mixpanel_page(*items: dict, url: str | None = None) -> dict:
    return {"status": "ok", "results": {"url": url, "has_more": url is not None, "data": [*items]}}


def _mixpanel_connector(credential, remote_id: str, status: str = "") -> Connector:
    return Connector.objects.create(
        team=credential.team, credential=credential, provider="mixpanel", template="mixpanel-s3",
        remote_id=remote_id, remote_status=status, name="Events",
        context={"project_id": 4242, "residency": "us"},
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    "link",
    [
        "/api/app/projects/4242/connectors?page=2",  # relative to the host
        "connectors?page=2",  # relative to the page
        "?page=2",
        "{url}/api/app/projects/4242/connectors?page=2",  # absolute, as documented
    ],
)
def test_a_mixpanel_next_page_link_relative_to_its_page_is_followed(
    script, credential, owner, link
):
    """§1.4 documents `results.url` only as "the next page's URL or null", not its shape: one
    given relative to the page it came on is read against it, on the same host."""
    other = str(uuid.uuid4())
    wanted = str(uuid.uuid4())
    connector = _mixpanel_connector(credential, wanted, "active")
    next_url = link.format(url=script.url)
    script.on("GET", r"/connectors$", json=_mixpanel_page(_mixpanel_item(other), url=next_url))
    script.on("GET", r"/connectors\?page=2$", json=_mixpanel_page(_mixpanel_item(wanted)))

    answering(owner).post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )

    connector.refresh_from_db()
    assert ("GET", "/api/app/projects/4242/connectors?page=2") in script.seen
    assert connector.last_error == "" and connector.remote_status == "active"
    assert Submission.objects.get(action="refresh").outcome == "succeeded"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "link",
    [
        "http://elsewhere.invalid/api/app/projects/4242/connectors?page=2",
        "//elsewhere.invalid/api/app/projects/4242/connectors?page=2",
        "https://127.0.0.1.elsewhere.invalid/api/app/projects/4242/connectors?page=2",
    ],
)
def test_a_mixpanel_next_page_on_another_host_is_never_asked_for(script, credential, owner, link):
    wanted = str(uuid.uuid4())
    connector = _mixpanel_connector(credential, wanted, "active")
    script.on("GET", r"/connectors$", json=_mixpanel_page(url=link))
    script.on("GET", r"page=2", json=_mixpanel_page(_mixpanel_item(wanted)))

    answering(owner).post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )

    assert [path for _, path in script.seen] == ["/api/app/projects/4242/connectors"]
    connector.refresh_from_db()
    assert "no longer lists" in connector.last_error


def _multiwoven_source(connector_id: str, name: str) -> dict:
    return {
        "id": connector_id,
        "type": "connectors",
        "attributes": {
            "name": name,
            "connector_name": "Postgresql",
            "connector_type": "source",
            "workspace_id": 7,
            "configuration": {"host": "db.example.com", "credentials": {"password": "*" * 13}},
        },
    }


def _lost_aisquared_create(script, team, owner) -> Submission:
    catalogue = Path(__file__).resolve().parents[1] / "connectors_admin/sandbox/aisquared_catalog"
    postgres = json.loads((catalogue / "source-postgresql.json").read_text())
    script.on("GET", r"/api/v1/connector_definitions", json=[postgres])
    script.on("POST", r"/api/v1/connectors$", 503, json={"errors": [{"detail": "busy"}]})
    credential = make_aisquared_credential(team, owner)
    url = reverse("connectors:create", args=["acme", "aisquared-source"])
    form = {**aisquared_payload(credential), "form_token": str(uuid.uuid4())}
    answering(owner).post(url, form, headers=HTMX)
    submission = Submission.objects.get(action="create")
    assert submission.reconciliation == "pending"
    return submission


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_an_ai_squared_lookup_reads_past_page_one_whatever_scheme_rails_saw(
    script, team, owner, scheme
):
    """Multiwoven builds its `links` from the address Rails sees (custom_pagination_links.rb):
    behind a proxy that ends TLS they say http:// for an https:// API, and the other way round.
    The same host's next page is asked for at the API's own address."""
    submission = _lost_aisquared_create(script, team, owner)
    host = script.url.split("://", 1)[1]
    second = f"{scheme}://{host}/api/v1/connectors?page=2&per_page=20&type=source"
    first = {
        "data": [_multiwoven_source(str(n), f"Other {n}") for n in range(60, 40, -1)],
        "links": {"self": "…", "first": "…", "prev": None, "next": second, "last": second},
    }
    script.on("GET", r"/api/v1/connectors\?type=source", json=first)
    found = {"data": [_multiwoven_source("12", "Shop DB")], "links": {"next": None}}
    script.on("GET", r"/api/v1/connectors\?page=2", json=found)

    reconcile(submission)

    submission.refresh_from_db()
    assert ("GET", "/api/v1/connectors?page=2&per_page=20&type=source") in script.seen
    assert submission.reconciliation == "found"
    assert Connector.objects.get(remote_id="12").name == "Shop DB"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "link",
    [
        "https://elsewhere.invalid/api/v1/connectors?page=2&per_page=20&type=source",
        "//elsewhere.invalid/api/v1/connectors?page=2&per_page=20&type=source",
        "{scheme}://{host}/not-the-api/connectors?page=2",
    ],
)
def test_an_ai_squared_next_page_elsewhere_is_never_asked_for(script, team, owner, link):
    submission = _lost_aisquared_create(script, team, owner)
    scheme, host = script.url.split("://", 1)
    first = {"data": [], "links": {"next": link.format(scheme=scheme, host=host)}}
    script.on("GET", r"/api/v1/connectors\?type=source", json=first)
    script.on("GET", r"page=2", json={"data": [_multiwoven_source("12", "Shop DB")]})

    reconcile(submission)

    submission.refresh_from_db()
    assert submission.reconciliation == "not_created"
    assert not [path for _, path in script.seen if "page=2" in path]


# --- VideoVector's own "no such connector" --------------------------------------------------------
VIDEOVECTOR_NOT_FOUND = {
    "error": {
        "code": "not_found",
        "message": "Connector conn_1 not found.",
        "details": {},
        "request_id": "req_0123456789abcdef",
    }
}
FASTAPI_NOT_FOUND = {"detail": "Not Found"}  # FastAPI's answer for a path it does not serve


def _videovector_connector(team, owner) -> Connector:
    from .test_videovector import ADMIN_KEY

    vv = Credential(team=team, kind="videovector", label="Media", public={"auth_type": "api_key"})
    vv.set_secrets({"token": ADMIN_KEY}, owner)
    vv.save()
    connector = Connector.objects.create(
        team=team, credential=vv, provider="videovector", template="videovector-s3",
        remote_id="conn_1", remote_status="active", name="Footage",
    )  # fmt: skip
    # Older than the grace a new connector has before "not found" is believed.
    Connector.objects.filter(pk=connector.pk).update(created_at=timezone.now() - timedelta(hours=1))
    return connector


@pytest.mark.django_db
def test_a_videovector_connector_deleted_there_is_recorded_deleted_by_a_refresh(
    script, team, owner
):
    connector = _videovector_connector(team, owner)
    script.on("GET", r"/api/v2/connectors/conn_1$", 404, json=VIDEOVECTOR_NOT_FOUND)
    script.on("GET", r"/api/v2/connectors$", json=[])

    answering(owner).post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )

    connector.refresh_from_db()
    assert connector.deleted_at is not None
    assert Submission.objects.get(action="refresh").outcome == "succeeded"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer",
    [
        {"json": FASTAPI_NOT_FOUND},  # a path it does not serve, or a proxy's JSON
        {"text": "<html><body><h1>404 Not Found</h1></body></html>"},  # a proxy's page
        {"json": {"error": "Not Found"}},  # not the shape the API answers in
        {"json": VIDEOVECTOR_NOT_FOUND, "listed": True},  # its list still has it
        {"json": VIDEOVECTOR_NOT_FOUND, "listed": None},  # its list cannot be read
    ],
)
def test_a_videovector_404_it_does_not_stand_by_leaves_the_connector_live(
    script, team, owner, answer
):
    connector = _videovector_connector(team, owner)
    listed = answer.pop("listed", False)
    script.on("GET", r"/api/v2/connectors/conn_1$", 404, **answer)
    if listed is None:
        script.on("GET", r"/api/v2/connectors$", 500, json=FASTAPI_NOT_FOUND)
    else:
        item = {"connector_id": "conn_1", "name": "Footage", "provider": "s3", "status": "active"}
        script.on("GET", r"/api/v2/connectors$", json=[item] if listed else [])

    answering(owner).post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )

    connector.refresh_from_db()
    assert connector.deleted_at is None and connector.remote_status == "active"
    assert connector.last_error and Submission.objects.get(action="refresh").outcome == "failed"


@pytest.mark.django_db
@pytest.mark.parametrize("theirs", [True, False])
def test_a_videovector_delete_answered_404_is_done_only_on_the_api_s_own_words(
    script, team, owner, theirs
):
    connector = _videovector_connector(team, owner)
    script.on(
        "DELETE",
        r"/api/v2/connectors/conn_1$",
        404,
        json=VIDEOVECTOR_NOT_FOUND if theirs else FASTAPI_NOT_FOUND,
    )
    script.on("GET", r"/api/v2/connectors$", json=[])

    answering(owner).post(reverse("connectors:action", args=["acme", connector.pk, "delete"]))

    connector.refresh_from_db()
    delete = Submission.objects.get(action="delete")
    if theirs:
        assert connector.deleted_at is not None and delete.outcome == "succeeded"
    else:
        assert connector.deleted_at is None and connector.remote_status == "active"
        assert delete.outcome == "failed" and "HTTP 404" in delete.error_message


# --- a Mixpanel status that stays null --------------------------------------------------------------
@pytest.mark.django_db
def test_a_mixpanel_status_null_for_good_is_not_followed_or_polled_for_ever(
    script, credential, owner, tasks
):
    """§1.4's list shows `"status": null` on a connector made in 2020: a null status can last.
    The background follow stops after its rounds (MAX_FOLLOW_ROUNDS); the pages, which poll
    while a connector is in flight, stop once it is older than Mixpanel's settling time."""
    wanted = str(uuid.uuid4())
    connector = _mixpanel_connector(credential, wanted)
    script.on("GET", r"/connectors$", json=_mixpanel_page(_mixpanel_item(wanted, status=None)))
    client = answering(owner)
    table = reverse("connectors:list", args=["acme"])
    detail = reverse("connectors:detail", args=["acme", connector.pk])

    # New, it is followed in the background, and the pages poll, until the follow gives up.
    assert connector.in_flight
    assert 'hx-trigger="every 4s"' in client.get(table, headers=HTMX).text
    page = client.get(detail).text
    assert "?poll=1" in page
    # Without scripts nothing polls: the page says to reload, not that it updates by itself.
    assert '<span class="js-only">; its status updates here by itself</span>' in page
    assert "<noscript>: reload the page to see its status" in page
    tasks.backend.clear()
    from connectors_admin.connectors.tasks import MAX_FOLLOW_ROUNDS, follow_status

    follow_status.enqueue(str(connector.pk), 1)
    outcomes = tasks.run("follow_status")
    assert len(outcomes) == MAX_FOLLOW_ROUNDS
    assert outcomes[-1] == "still in flight; the scheduled refresh takes over"

    # Made long ago and still without a status: that is its status, not one it is settling.
    Connector.objects.filter(pk=connector.pk).update(created_at=timezone.now() - timedelta(days=1))
    answering(owner).post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    connector.refresh_from_db()
    assert connector.remote_status == "" and connector.last_error == ""
    assert not connector.in_flight
    assert 'hx-trigger="every 4s"' not in client.get(table, headers=HTMX).text
    page = client.get(detail).text
    assert "?poll=1" not in page and "still setting this connector up" not in page
    assert follow_status.call(str(connector.pk), 1).startswith("settled")


@pytest.mark.django_db
def test_a_connector_made_but_not_recordable_is_said_and_its_exchange_kept(script, owner, team):
    """An answer the database will not store (an id longer than a record keeps, which
    PostgreSQL refuses): the provider made the connector, so that is said, with its id; the
    exchange is kept, and nothing says it was recorded."""
    from django.db import connection

    from connectors_admin.audit.models import AuditEvent

    from .test_videovector import ADMIN_KEY

    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores a string of any length")
    vv = Credential(team=team, kind="videovector", label="Media", public={"auth_type": "api_key"})
    vv.set_secrets({"token": ADMIN_KEY}, owner)
    vv.save()
    made = "conn_" + "x" * 300
    script.on("POST", r"/connectors/s3$", 201, json={"connector_id": made, "status": "active"})
    form = {
        "credential": vv.pk,
        "name": "Footage",
        "bucket": "media-archive",
        "region": "us-east-1",
        "aws_access_key_id": "AKIA" + "F" * 16,
        "aws_secret_access_key": "typedSecretDoNotLeak" + "0" * 20,
        "scopes": ["import"],
        "import_mode": "all",
        "form_token": str(uuid.uuid4()),
    }
    page = answering(owner).post(
        reverse("connectors:create", args=["acme", "videovector-s3"]), form, headers=HTMX
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "but Connectors Admin could not record it" in html and made[:100] in html
    submission = Submission.objects.get(action="create")
    assert submission.outcome == "failed" and submission.error_kind == "unrecorded"
    assert submission.attempts.count() == 1 and submission.response_status == 201
    assert not Connector.objects.exists()
    assert not AuditEvent.objects.filter(action="connector.created").exists()
    assert "typedSecretDoNotLeak" not in html + json.dumps(
        list(Attempt.objects.values()), default=str
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "call",
    [
        # An operator's address with a port no request can go to (a typo in the settings).
        Call("POST", "http://connect.internal:808080/connectors", json={"name": "orders"}),
        # A body that is not JSON (a NaN typed into a JSON field parses in Python).
        Call("POST", "http://127.0.0.1:9/connectors", json={"batch.size": float("nan")}),
    ],
    ids=["address", "body"],
)
def test_a_request_that_cannot_be_built_is_not_said_to_have_failed_mid_answer(team, owner, call):
    """requests refuses to build it before anything is sent: that is said as it is, not as a
    connection that failed mid-answer (a "dropped" call that may have been applied, retried
    and looked for again), and its error, which quotes the address, is not quoted."""
    client = make_aisquared_credential(team, owner).client()
    exchange = client.send(call)
    error = exchange.error
    assert error is not None and exchange.status is None
    assert "Nothing was sent" in error.message and "mid-answer" not in error.message
    assert not error.may_have_reached and error.kind not in ("dropped", "unreachable")
    assert "808080" not in error.message
