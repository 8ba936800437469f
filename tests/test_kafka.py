"""Both Kafka templates end to end through the test client and the sandbox: validate before
create (errors on their fields), create, the state followed by the background refresh, pause /
resume / stop / restart offered by state, delete, both kinds of 409, and secrets (connection
URIs, passwords, AWS keys) found nowhere."""

from __future__ import annotations

import html
import json
import logging
import re
import uuid
from datetime import timedelta

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Attempt, Connector, EmbeddedCredential, Submission
from connectors_admin.credentials.models import Credential
from connectors_admin.sandbox.kafkaconnect import configuration as as_received
from connectors_admin.sandbox.models import SandboxConnector
from connectors_admin.sandbox.sealed import digest as as_kept

from .conftest import KAFKA_CONNECT_PASSWORD as CONNECT_PASSWORD
from .conftest import UPSTASH_KEY, stored_uri

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HX-Request": "true"}
MONGO = "com.mongodb.kafka.connect.MongoSourceConnector"
S3_SINK = "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector"
MONGO_PASSWORD = "MongoPwDoNotLeak77"
MONGO_URI = f"mongodb://orders:{MONGO_PASSWORD}@mongo.internal:27017/?replicaSet=rs0"
AWS_SECRET = "kafkaAwsSecretDoNotLeak" + "7" * 17
CLUSTER = "7568431c-88d5-4409-a808-2167f22a7133"


def mongo_form(credential, **fields) -> dict:
    return {
        "credential": credential.pk,
        "connector_class": MONGO,
        "name": "orders-cdc",
        "editor": "form",
        "p_connection_uri": MONGO_URI,
        "p_database": "shop",
        "p_collection": "orders",
        "p_topic_prefix": "mongo",
        "p_publish_full_document_only": "false",
        "tasks_max": "1",
        "form_token": str(uuid.uuid4()),
        **fields,
    }


def create(client, template: str, form: dict) -> str:
    url = reverse("connectors:create", args=["acme", template])
    return client.post(url, form, headers=HTMX).content.decode()


def act(client, connector: Connector, action: str) -> str:
    url = reverse("connectors:action", args=["acme", connector.pk, action])
    return client.post(url, headers=HTMX).content.decode()


def everything() -> str:
    return json.dumps(
        [
            list(Attempt.objects.values()),
            list(Submission.objects.values()),
            list(AuditEvent.objects.values()),
            list(Connector.objects.values()),
        ],
        default=str,
    )


def offered(client, connector: Connector) -> set[str]:
    html = client.get(reverse("connectors:detail", args=["acme", connector.pk])).content.decode()
    return {
        slug
        for slug in (
            "pause",
            "resume",
            "stop",
            "restart",
            "start",
            "refresh",
            "reconfigure",
            "delete",
        )
        if reverse("connectors:action", args=["acme", connector.pk, slug]) in html
    }


# --- Kafka Connect ---------------------------------------------------------------------------------
def test_a_name_reused_after_a_delete_elsewhere_is_a_new_record_and_the_old_one_closes(
    owner_client, sandbox, kc
):
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    old = Connector.objects.get()
    gone = requests.delete(
        f"{sandbox}/sandbox/kafka-connect/connectors/orders-cdc",
        auth=("ops", CONNECT_PASSWORD),
        timeout=5,
    )
    assert gone.status_code == 204  # deleted with another tool: our record does not know yet

    again = create(owner_client, "kafka-connect", mongo_form(kc, p_collection="invoices"))

    assert "Connector created" in again
    old.refresh_from_db()
    new = Connector.objects.get(deleted_at=None)
    assert new.pk != old.pk and new.remote_id == old.remote_id == "orders-cdc"
    assert new.record["config"]["collection"] == "invoices"
    assert old.deleted_at is not None and "gave this connector's id to a new" in old.last_error
    assert old.remote_status == "deleted"  # listed and filtered as deleted
    assert AuditEvent.objects.filter(action="connector.deleted", target_id=str(old.pk)).exists()


def test_kafka_connect_validates_creates_follows_pauses_and_deletes(
    owner_client, sandbox, kc, tasks, caplog
):
    caplog.set_level(logging.DEBUG)
    html = create(owner_client, "kafka-connect", mongo_form(kc))
    assert "Connector created" in html, html
    submission = Submission.objects.get(action="create")
    validate, post = submission.attempts.order_by("number")
    assert validate.method == "PUT" and validate.url.endswith(
        f"/sandbox/kafka-connect/connector-plugins/{MONGO}/config/validate"
    )
    assert post.method == "POST" and post.response_status == 201
    assert post.request["body"] == {
        "name": "orders-cdc",
        "config": {
            "connector.class": MONGO,
            "tasks.max": "1",
            "connection.uri": "[redacted]",
            "database": "shop",
            "collection": "orders",
            "topic.prefix": "mongo",
            "publish.full.document.only": "false",
        },
    }
    assert '--user ops:"$KAFKA_CONNECT_PASSWORD"' in post.request["curl"]
    connector = Connector.objects.get()
    assert connector.remote_id == "orders-cdc" and connector.remote_status == "UNASSIGNED"
    assert connector.in_flight and tasks.names() == ["follow_status"]

    tasks.run("follow_status")  # the background follows it until it settles
    connector.refresh_from_db()
    assert connector.remote_status == "RUNNING" and not connector.in_flight
    assert offered(owner_client, connector) == {
        "refresh",
        "pause",
        "stop",
        "restart",
        "reconfigure",
        "delete",
    }

    act(owner_client, connector, "pause")
    connector.refresh_from_db()
    assert connector.remote_status == "PAUSED"
    assert offered(owner_client, connector) == {
        "refresh",
        "resume",
        "stop",
        "reconfigure",
        "delete",
    }
    pause = Submission.objects.get(action="pause")
    first = pause.attempts.order_by("number").first()
    assert first.method == "PUT" and first.response_status == 202

    act(owner_client, connector, "resume")
    connector.refresh_from_db()
    assert connector.remote_status == "RUNNING"

    owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "delete"]))
    connector.refresh_from_db()
    assert connector.deleted_at is not None
    assert not SandboxConnector.objects.filter(provider="kafkaconnect").exists()
    for secret in (MONGO_URI, MONGO_PASSWORD, CONNECT_PASSWORD):
        assert secret not in everything() and secret not in caplog.text


def test_validation_errors_are_shown_on_their_fields_and_nothing_is_created(
    owner_client, sandbox, kc
):
    bad_uri = f"postgres://orders:{MONGO_PASSWORD}@db/shop"
    html = create(owner_client, "kafka-connect", mongo_form(kc, p_connection_uri=bad_uri))
    assert "found 1 problem" in html
    assert "Connection strings must start with" in html
    assert MONGO_PASSWORD not in html and bad_uri not in html
    assert not SandboxConnector.objects.filter(provider="kafkaconnect").exists()
    submission = Submission.objects.get(action="create")
    assert submission.outcome == "failed" and "p_connection_uri" in submission.field_errors
    assert submission.attempts.count() == 1  # the validate; no create was sent
    assert bad_uri not in everything() and MONGO_PASSWORD not in everything()


def test_a_name_that_exists_is_a_409_said_on_the_name(owner_client, sandbox, kc):
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    recorded = Connector.objects.get()
    html = create(owner_client, "kafka-connect", mongo_form(kc))
    assert "already exists on the cluster" in html
    # Recorded here already: it is opened, not imported a second time.
    detail = reverse("connectors:detail", args=["acme", recorded.pk])
    assert "It is recorded here already" in html and f'href="{detail}"' in html
    importing = reverse("connectors:import", args=["acme", "kafka-connect"])
    assert importing not in html
    # The Name field's error says the same: it does not tell to import what is recorded here.
    assert "import the existing one" not in html.lower()
    # Not recorded here (closed here, say, but still on the cluster): it is offered to import.
    Connector.objects.update(deleted_at=timezone.now(), remote_status="deleted")
    html = create(owner_client, "kafka-connect", mongo_form(kc))
    assert f'href="{importing}?credential={kc.pk}"' in html
    assert "It is recorded here already" not in html
    assert "import the existing one" not in html.lower()
    assert Submission.objects.filter(error_kind="exists").count() == 2
    assert Connector.objects.count() == 1


def test_a_rebalance_409_is_retried(owner_client, sandbox, kc, fault):
    fault(
        "status",
        provider="kafkaconnect",
        status=409,
        message="Cannot complete request momentarily due to stale configuration",
        times=2,
    )
    html = create(owner_client, "kafka-connect", mongo_form(kc))
    assert "Connector created" in html, html
    attempts = Submission.objects.get(action="create").attempts.order_by("number")
    assert [a.response_status for a in attempts] == [409, 409, 200, 201]


def test_kafka_connects_header_line_of_a_refused_create_is_not_an_error_of_its_own(
    owner_client, sandbox, kc, fault
):
    # Kafka Connect's own 400 for a create: a header line, one line a property, a footer. Only
    # the property's line is an error of a field; the header names no property ("is" is none).
    header = "Connector configuration is invalid and contains the following 1 error(s):"
    line = "Invalid value shop for configuration database: no such database on the server"
    footer = "You can also find the above list of errors at the endpoint `/connector-plugins/…`"
    fault(
        "status",
        provider="kafkaconnect",
        method="POST",  # the validate (a PUT) passes; the create itself is refused
        status=400,
        message=f"{header}\n{line}\n{footer}",
    )
    url = reverse("connectors:create", args=["acme", "kafka-connect"])
    response = owner_client.post(url, mongo_form(kc), headers=HTMX)
    assert "Not created." in response.content.decode()
    assert response.context["form"].errors == {"p_database": [line]}


def test_an_s3_sink_takes_its_keys_from_a_stored_aws_credential(
    owner_client, sandbox, kc, team, owner
):
    aws = Credential(
        team=team, kind="aws", label="Lake", public={"aws_access_key_id": "AKIA" + "K" * 16}
    )
    aws.set_secrets({"aws_secret_access_key": AWS_SECRET}, owner)
    aws.save()
    page = owner_client.get(
        reverse("connectors:create", args=["acme", "kafka-connect"]), {"connector_class": S3_SINK}
    ).content.decode()
    assert f'<option value="{aws.pk}" selected>' in page
    form = {
        "credential": kc.pk,
        "connector_class": S3_SINK,
        "name": "lake-sink",
        "editor": "form",
        "use__aws": str(aws.pk),
        "p_aws_s3_bucket_name": "acme-lake",
        "p_aws_s3_region": "eu-west-1",
        "p_topics": "orders,invoices",
        "p_format_output_type": "jsonl",
        "p_file_compression_type": "gzip",
        "tasks_max": "2",
        "form_token": str(uuid.uuid4()),
    }
    assert "Connector created" in create(owner_client, "kafka-connect", form)
    sent = Submission.objects.get(action="create").attempts.get(method="POST").request["body"]
    assert sent["config"]["aws.access.key.id"] == "AKIA" + "K" * 16
    assert sent["config"]["aws.secret.access.key"] == "[redacted]"
    assert EmbeddedCredential.objects.get().credential == aws
    remote = SandboxConnector.objects.get(provider="kafkaconnect")
    assert remote.data["config"]["aws.secret.access.key"] == as_kept(
        AWS_SECRET
    )  # it did reach the worker
    assert AWS_SECRET not in everything()


# --- Upstash ----------------------------------------------------------------------------------------
def test_upstash_creates_follows_to_running_pauses_starts_and_deletes(
    owner_client, sandbox, upstash, tasks, caplog
):
    caplog.set_level(logging.DEBUG)
    html = create(owner_client, "upstash-kafka", mongo_form(upstash, cluster_id=CLUSTER))
    assert "Connector created" in html, html
    post = Submission.objects.get(action="create").attempts.get()
    assert post.url.endswith("/sandbox/v2/kafka/connector")
    assert post.request["body"]["cluster_id"] == CLUSTER
    assert post.request["body"]["properties"]["connection.uri"] == "[redacted]"
    connector = Connector.objects.get()
    assert connector.remote_status == "pending" and connector.in_flight
    tasks.run("follow_status")
    connector.refresh_from_db()
    assert connector.remote_status == "running"
    assert connector.record["properties"]["connection.uri"] == "[redacted]"  # echoed in clear
    assert offered(owner_client, connector) == {
        "refresh",
        "pause",
        "restart",
        "reconfigure",
        "delete",
    }

    act(owner_client, connector, "pause")
    connector.refresh_from_db()
    assert connector.remote_status == "paused"
    pause = Submission.objects.get(action="pause").attempts.order_by("number")[0]
    assert pause.request["body"] == "null"  # the literal JSON null Upstash's Terraform sent
    assert offered(owner_client, connector) == {"refresh", "start", "reconfigure", "delete"}
    act(owner_client, connector, "start")
    connector.refresh_from_db()
    assert connector.remote_status == "running"

    owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "delete"]))
    connector.refresh_from_db()
    assert connector.deleted_at is not None
    for secret in (MONGO_URI, MONGO_PASSWORD, UPSTASH_KEY):
        assert secret not in everything() and secret not in caplog.text


def test_upstash_reports_a_bad_uri_as_failed_with_the_validator_text_redacted(
    owner_client, sandbox, upstash, tasks
):
    bad_uri = f"mongo://orders:{MONGO_PASSWORD}@mongo.internal"
    form = mongo_form(upstash, cluster_id=CLUSTER, p_connection_uri=bad_uri)
    assert "Connector created" in create(owner_client, "upstash-kafka", form)
    tasks.run("follow_status")
    connector = Connector.objects.get()
    assert connector.remote_status == "failed"
    assert "Connection strings must start with" in connector.last_error
    assert "[redacted]" in connector.last_error
    html = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk])).content
    assert b"Connection strings must start with" in html
    assert bad_uri not in everything() and MONGO_PASSWORD not in everything()
    assert bad_uri.encode() not in html


# --- import existing ----------------------------------------------------------------------------------
def test_import_existing_kafka_connect_connectors(owner_client, sandbox, kc, tasks):
    import requests

    made_elsewhere = {
        "name": "legacy-sink",
        "config": {
            "connector.class": "io.aiven.connect.jdbc.JdbcSinkConnector",
            "connection.url": "jdbc:postgresql://db/shop",
            "connection.password": "ElsewherePwDoNotLeak",
            "topics": "orders",
        },
    }
    base = f"{sandbox}/sandbox/kafka-connect"
    assert requests.post(f"{base}/connectors", json=made_elsewhere, timeout=5).status_code == 201
    requests.get(f"{base}/connectors/legacy-sink/status", timeout=5)  # assigned: RUNNING
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    url = reverse("connectors:import", args=["acme", "kafka-connect"])
    assert url in owner_client.get(reverse("connectors:pick", args=["acme"])).content.decode()
    page = owner_client.get(url, {"credential": kc.pk}).content.decode()
    assert "2 connectors at Kafka Connect" in page and "Recorded already" in page
    assert 'value="legacy-sink"' in page and 'value="orders-cdc"' not in page
    assert "ElsewherePwDoNotLeak" not in page

    # Ticked with one recorded already and one gone from the cluster since it was listed.
    response = owner_client.post(
        url, {"credential": kc.pk, "remote_id": ["legacy-sink", "orders-cdc", "deleted-since"]}
    )
    assert response.status_code == 302
    said = html.unescape(owner_client.get(response.url).content.decode())
    assert "Imported 1 connector from Kafka Connect." in said
    assert (
        "2 of those ticked were not imported: 1 is already recorded here; 1 is no longer "
        "listed by Kafka Connect." in said
    )
    # Ticked again (a form left open in another tab): nothing is imported, and it says why.
    again = owner_client.post(url, {"credential": kc.pk, "remote_id": ["legacy-sink"]})
    said = html.unescape(owner_client.get(again.url).content.decode())
    assert "1 of those ticked was not imported: 1 is already recorded here." in said
    assert "Imported" not in said and "Nothing was imported" not in said
    nothing = owner_client.post(url, {"credential": kc.pk})
    said = owner_client.get(nothing.url).content.decode()
    assert "Nothing was imported: pick at least one connector not recorded yet." in said
    imported = Connector.objects.get(remote_id="legacy-sink")
    assert imported.remote_status == "RUNNING" and imported.created_by.username == "olivia"
    assert imported.context["connector_class"] == "io.aiven.connect.jdbc.JdbcSinkConnector"
    assert imported.record["config"]["connection.password"] == "[redacted]"
    assert Connector.objects.filter(remote_id="orders-cdc").count() == 1  # not twice
    assert AuditEvent.objects.filter(action="connector.imported").count() == 1
    # Each listing recorded (none for a post with nothing ticked).
    assert Submission.objects.filter(action="import").count() == 3
    # The imported connector runs its actions like one made here.
    act(owner_client, imported, "pause")
    imported.refresh_from_db()
    assert imported.remote_status == "PAUSED"
    # Its secrets were never known here: a reconfigure asks for them rather than dropping them.
    url = reverse("connectors:action", args=["acme", imported.pk, "reconfigure"])
    properties = {
        "connector.class": "io.aiven.connect.jdbc.JdbcSinkConnector",
        "connection.url": "jdbc:postgresql://db/shop",
        "topics": "orders,refunds",
    }
    asked = owner_client.post(url, {"properties": json.dumps(properties)}).content.decode()
    assert "Needed: connection.password, one key=value per line." in html.unescape(asked)
    owner_client.post(
        url,
        {
            "properties": json.dumps(properties),
            "secret_properties": "connection.password=RetypedPwDoNotLeak",
        },
    )
    remote = SandboxConnector.objects.get(remote_id="kafka-connect:legacy-sink").data["config"]
    assert remote["topics"] == "orders,refunds"
    assert remote["connection.password"] == as_kept("RetypedPwDoNotLeak")
    for secret in ("ElsewherePwDoNotLeak", "RetypedPwDoNotLeak"):
        assert secret not in everything()


@pytest.fixture
def recorded_meanwhile():
    """A database trigger standing for another request (a second click, the background
    lookup): as this one records connector `first`, the other records `second`, between this
    request's look at what is recorded and its own insert of `second`."""
    from django.db import connection

    table = Connector._meta.db_table
    postgres = connection.vendor == "postgresql"

    def arm(first: str, second: str) -> None:
        # The test's own fixed names, not input: plain SQL is fine here.
        columns = [f.column for f in Connector._meta.concrete_fields]
        new_id = "gen_random_uuid()" if postgres else "lower(hex(randomblob(16)))"
        picked = {"id": new_id, "remote_id": f"'{second}'"}
        copy = (
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(picked.get(c, c) for c in columns)} FROM {table} "
            "WHERE id = NEW.id"
        )
        when = f"NEW.remote_id = '{first}'"
        with connection.cursor() as cursor:
            if postgres:
                cursor.execute(
                    f"CREATE FUNCTION other_request() RETURNS trigger AS $$ BEGIN {copy}; "
                    "RETURN NULL; END $$ LANGUAGE plpgsql"
                )
                cursor.execute(
                    f"CREATE TRIGGER other_request AFTER INSERT ON {table} FOR EACH ROW "
                    f"WHEN ({when}) EXECUTE FUNCTION other_request()"
                )
            else:
                cursor.execute(
                    f"CREATE TRIGGER other_request AFTER INSERT ON {table} WHEN {when} "
                    f"BEGIN {copy}; END"
                )

    yield arm
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(f"DROP TRIGGER IF EXISTS other_request ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS other_request()")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS other_request")


def test_an_import_that_loses_a_race_for_a_connector_skips_it(
    owner_client, sandbox, kc, recorded_meanwhile
):
    base = f"{sandbox}/sandbox/kafka-connect"
    for name in ("legacy-a", "legacy-b"):
        config = {
            "connector.class": "io.aiven.connect.jdbc.JdbcSinkConnector",
            "connection.url": "jdbc:postgresql://db/shop",
            "topics": "orders",
        }
        made_elsewhere = {"name": name, "config": config}
        assert requests.post(f"{base}/connectors", json=made_elsewhere, timeout=5).ok
    url = reverse("connectors:import", args=["acme", "kafka-connect"])
    assert 'value="legacy-b"' in owner_client.get(url, {"credential": kc.pk}).content.decode()
    recorded_meanwhile("legacy-a", "legacy-b")
    response = owner_client.post(url, {"credential": kc.pk, "remote_id": ["legacy-a", "legacy-b"]})
    assert response.status_code == 302
    assert sorted(Connector.objects.values_list("remote_id", flat=True)) == [
        "legacy-a",
        "legacy-b",
    ]
    imported = AuditEvent.objects.filter(action="connector.imported")
    assert [event.target_label for event in imported] == ["legacy-a"]


def test_the_import_form_starts_with_a_verified_credential_and_says_each_one_s_last_test(
    owner_client, team, owner, upstash
):
    """As the create form does: a credential whose last test failed is neither the one the
    form starts with nor offered without saying so."""
    broken = Credential(team=team, kind="upstash", label="A broken one", public=upstash.public)
    broken.set_secrets({"api_key": "invalid-upstash-key-1234"}, owner)
    broken.last_check_at, broken.last_check_ok = timezone.now(), False
    broken.save()
    upstash.last_check_at, upstash.last_check_ok = timezone.now(), True
    upstash.save()
    url = reverse("connectors:import", args=["acme", "upstash-kafka"])
    page = html.unescape(owner_client.get(url).content.decode())
    offered = re.findall(r'<option value="(\d+)"', page)  # none marked: a browser takes the first
    assert offered == [str(upstash.pk), str(broken.pk)]
    assert "A broken one (…1234) — last test failed" in page
    assert "Upstash (…leak) — verified" in page


def test_import_existing_upstash_connectors_by_cluster(owner_client, sandbox, upstash):
    assert "Connector created" in create(
        owner_client, "upstash-kafka", mongo_form(upstash, cluster_id=CLUSTER)
    )
    Connector.objects.all().delete()  # as if it had been made elsewhere
    url = reverse("connectors:import", args=["acme", "upstash-kafka"])
    bad = owner_client.get(url, {"credential": upstash.pk, "cluster_id": "nope"}).content.decode()
    assert "A UUID" in bad and not Submission.objects.filter(action="import").exists()
    page = owner_client.get(url, {"credential": upstash.pk, "cluster_id": CLUSTER}).content
    assert b"1 connector at Upstash" in page
    remote_id = SandboxConnector.objects.get(provider="upstash").remote_id
    owner_client.post(
        url, {"credential": upstash.pk, "cluster_id": CLUSTER, "remote_id": remote_id}
    )
    connector = Connector.objects.get()
    assert connector.context["cluster_id"] == CLUSTER and connector.name == "orders-cdc"
    assert connector.record["properties"]["connection.uri"] == "[redacted]"
    assert MONGO_URI not in everything()


# --- reconfigure ------------------------------------------------------------------------------------------
def test_a_secret_typed_into_the_other_properties_survives_their_check(owner_client, sandbox, kc):
    """Leaving Other properties checks them, and the check shows them again without the secret
    typed there: it is kept for the create, which sends it."""
    form = mongo_form(kc, other_properties="errors.tolerance=all\nconnection.password=hunter2x")
    check = reverse("connectors:validate", args=["acme", "kafka-connect", "other_properties"])
    row = owner_client.post(check, form, headers=HTMX).content.decode()
    assert "hunter2x" not in row and "connection.password is secret: moved" in row
    shown = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", row, re.S)[1]).strip()
    assert shown == "errors.tolerance=all"
    assert "Connector created" in create(
        owner_client, "kafka-connect", {**form, "other_properties": shown}
    )
    remote = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert remote["connection.password"] == as_kept("hunter2x")
    assert remote["errors.tolerance"] == "all"


def test_a_secret_in_the_other_properties_is_not_shown_back_beside_a_refused_line(
    owner_client, sandbox, upstash
):
    """One bad line refuses the other properties, and they are shown again as typed: but a
    secret typed on another line is taken out first, kept for the next try, never shown."""
    lines = "max.batch.size=100\nthis line is bad\nconnection.password=hunter2xLeak"
    form = {**mongo_form(upstash, cluster_id=CLUSTER), "other_properties": lines}
    page = create(owner_client, "upstash-kafka", form)
    assert "Line 2 is not key=value." in page
    assert "hunter2xLeak" not in page and "connection.password is secret: moved" in page
    other = re.search(r"<textarea[^>]*name=\"other_properties\"[^>]*>(.*?)</textarea>", page, re.S)
    shown = html.unescape(other[1]).strip()
    assert shown == "max.batch.size=100\nthis line is bad"
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    retry = {**form, "other_properties": "max.batch.size=100", "form_token": token}
    assert "Connector created" in create(owner_client, "upstash-kafka", retry)
    remote = SandboxConnector.objects.get(provider="upstash").data["properties"]
    assert remote["connection.password"] == as_kept("hunter2xLeak")


@pytest.mark.parametrize(
    "line", ["connection.password: hunter2xLeak", "connection.password hunter2xLeak"]
)
def test_a_secret_on_the_refused_line_itself_is_not_shown_back(
    owner_client, sandbox, upstash, line
):
    """A line written as a Java properties file allows (key: value, or key value) names a secret
    as a key=value line does: it is taken out and moved to the secret lines, never shown back."""
    lines = f"max.batch.size=100\n{line}\nthis line is bad"
    form = {**mongo_form(upstash, cluster_id=CLUSTER), "other_properties": lines}
    page = create(owner_client, "upstash-kafka", form)
    assert "Line 2 is not key=value." in page
    assert "hunter2xLeak" not in page and "connection.password is secret: moved" in page
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    retry = {**form, "other_properties": "max.batch.size=100", "form_token": token}
    assert "Connector created" in create(owner_client, "upstash-kafka", retry)
    remote = SandboxConnector.objects.get(provider="upstash").data["properties"]
    assert remote["connection.password"] == as_kept("hunter2xLeak")


def test_a_secret_in_json_that_does_not_parse_is_not_shown_back(owner_client, sandbox, kc):
    """JSON cut short is refused and shown again as typed, but for its secret members: taken
    out first, kept for the next try, never shown."""
    form = mongo_form(kc, editor="json")
    form.pop("p_connection_uri")
    form["raw_json"] = (
        f'{{"connector.class": "{MONGO}", "database": "shop",\n'
        f' "connection.uri": "{MONGO_URI}", "topic.prefix": "mongo"'
    )  # no closing brace
    page = create(owner_client, "kafka-connect", form)
    assert "This is not valid JSON" in page
    assert MONGO_PASSWORD not in page and MONGO_URI not in page
    assert "connection.uri is secret: moved to the secret fields" in page
    shown = re.search(r"<textarea[^>]*name=\"raw_json\"[^>]*>(.*?)</textarea>", page, re.S)
    assert html.unescape(shown[1]).strip() == (
        f'{{"connector.class": "{MONGO}", "database": "shop",\n "topic.prefix": "mongo"'
    )
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    fixed = {**form, "form_token": token}
    fixed["raw_json"] = json.dumps({"connector.class": MONGO, "database": "shop"})
    assert "Connector created" in create(owner_client, "kafka-connect", fixed)
    sent = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert sent["connection.uri"] == as_kept(MONGO_URI)


@pytest.mark.parametrize(
    "member",
    [
        f"\"connection.password\": '{MONGO_PASSWORD}'",  # quoted as Python quotes
        f'"connection.password": {MONGO_PASSWORD}',  # not quoted at all
        f"'connection.password': '{MONGO_PASSWORD}'",
    ],
)
def test_a_secret_not_in_double_quotes_in_json_that_does_not_parse_is_not_shown_back(
    owner_client, sandbox, kc, member
):
    """The usual reason JSON does not parse is a value quoted the wrong way: a secret typed so
    is not shown back either."""
    form = mongo_form(kc, editor="json")
    form["raw_json"] = f'{{"connector.class": "{MONGO}", "database": "shop",\n {member}}}'
    page = create(owner_client, "kafka-connect", form)
    assert "This is not valid JSON" in page
    assert MONGO_PASSWORD not in page
    url = reverse("connectors:action", args=["acme", _made(owner_client, kc).pk, "reconfigure"])
    page = owner_client.post(url, {"properties": form["raw_json"]}).content.decode()
    assert "This is not valid JSON" in page
    assert MONGO_PASSWORD not in page


def _made(client, credential) -> Connector:
    connector = Connector.objects.first()
    if connector is None:
        assert "Connector created" in create(client, "kafka-connect", mongo_form(credential))
        connector = Connector.objects.get()
    return connector


def test_a_reconfigure_refused_never_shows_a_secret_typed_into_its_json(owner_client, sandbox, kc):
    """Refused for its JSON (cut short) or for its secret lines, the reconfigure form is shown
    again with the JSON as typed, but for the secrets typed into it."""
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    connector = Connector.objects.get()
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    typed = f'{{"connector.class": "{MONGO}", "connection.uri": "{MONGO_URI}", "database": "x"'
    page = owner_client.post(url, {"properties": typed}).content.decode()
    assert "This is not valid JSON" in page and "connection.uri is secret: moved" in page
    assert MONGO_PASSWORD not in page and "&quot;database&quot;: &quot;x&quot;" in page
    page = owner_client.post(
        url, {"properties": typed + "}", "secret_properties": "not a line"}
    ).content.decode()
    assert "connection.uri is secret: taken out, never shown; type it again" in page
    assert MONGO_PASSWORD not in page
    remote = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert remote["database"] == "shop"  # neither was sent


def test_reconfigure_starts_from_the_current_map_and_keeps_the_secrets(owner_client, sandbox, kc):
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    connector = Connector.objects.get()
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    page = owner_client.get(url).content.decode()
    assert "&quot;collection&quot;: &quot;orders&quot;" in page
    assert "connection.uri" not in page and MONGO_PASSWORD not in page
    current = {
        "connector.class": MONGO,
        "tasks.max": "1",
        "database": "shop",
        "collection": "invoices",
        "topic.prefix": "mongo",
    }
    response = owner_client.post(url, {"properties": json.dumps(current)})
    assert response.status_code == 302
    remote = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert remote["collection"] == "invoices" and remote["connection.uri"] == as_kept(MONGO_URI)
    assert "publish.full.document.only" not in remote  # removed here, removed there
    look, put = Submission.objects.get(action="reconfigure").attempts.order_by("number")[:2]
    assert look.method == "GET"  # it still exists: a PUT would otherwise create it anew
    assert put.method == "PUT" and put.request["body"]["connection.uri"] == "[redacted]"
    # A new secret, typed once.
    new_uri = "mongodb://orders:NewMongoPwDoNotLeak@mongo.internal:27017"
    owner_client.post(
        url, {"properties": json.dumps(current), "secret_properties": f"connection.uri={new_uri}"}
    )
    remote = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert remote["connection.uri"] == as_kept(new_uri)
    assert "NewMongoPwDoNotLeak" not in everything() and MONGO_PASSWORD not in everything()
    # Typed into the JSON, a secret moves under Secret properties: never shown back, even when
    # something else is refused (here the class), and sent with the next try.
    typed_uri = "mongodb://orders:TypedInJsonDoNotLeak@mongo.internal:27017"
    refused = owner_client.post(
        url,
        {
            "properties": json.dumps(
                {**current, "connector.class": "x.Other", "connection.uri": typed_uri}
            )
        },
    ).content.decode()
    assert "connector.class cannot change" in refused
    assert "connection.uri is secret: moved to Secret properties" in refused
    assert "TypedInJsonDoNotLeak" not in refused
    assert owner_client.post(url, {"properties": json.dumps(current)}).status_code == 302
    remote = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert remote["connection.uri"] == as_kept(typed_uri)
    assert "TypedInJsonDoNotLeak" not in everything()


def test_reconfigure_starts_from_the_configuration_the_cluster_holds_now(
    owner_client, sandbox, kc, tasks
):
    """A teammate changed the connector's collection with another tool; a Refresh shows the new
    configuration in the record. The Reconfigure form still starts from the map this app sent
    at creation (kept encrypted), so saving it as shown silently reverts the teammate's change."""
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    tasks.run("follow_status")
    connector = Connector.objects.get()
    base = f"{sandbox}/sandbox/kafka-connect/connectors/orders-cdc"
    auth = ("ops", CONNECT_PASSWORD)
    config = requests.get(f"{base}/config", auth=auth, timeout=5).json()
    changed = requests.put(
        f"{base}/config", json={**config, "collection": "invoices"}, auth=auth, timeout=5
    )
    assert changed.status_code in (200, 201)
    act(owner_client, connector, "refresh")
    connector.refresh_from_db()
    assert connector.record["config"]["collection"] == "invoices"  # the record knows

    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    page = owner_client.get(url).content.decode()

    assert "&quot;collection&quot;: &quot;invoices&quot;" in page, (
        "the form offers collection=orders: saved as shown, it reverts the change"
        if "&quot;collection&quot;: &quot;orders&quot;" in page
        else "no collection in the form"
    )


def test_reconfigure_on_upstash_sends_the_flat_map_and_follows_the_state(
    owner_client, sandbox, upstash, tasks
):
    assert "Connector created" in create(
        owner_client, "upstash-kafka", mongo_form(upstash, cluster_id=CLUSTER)
    )
    tasks.run("follow_status")
    connector = Connector.objects.get()
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    properties = {"connector.class": MONGO, "tasks.max": "2", "database": "shop"}
    owner_client.post(url, {"properties": json.dumps(properties)})
    call = Submission.objects.get(action="reconfigure").attempts.order_by("number").first()
    assert call.url.endswith(f"/v2/kafka/update-connector/{connector.remote_id}")
    assert call.request["body"] == {**properties, "connection.uri": "[redacted]"}  # unwrapped
    connector.refresh_from_db()
    assert connector.remote_status == "pending" and tasks.names() == ["follow_status"]
    tasks.run("follow_status")
    connector.refresh_from_db()
    assert connector.remote_status == "running"


def test_a_failed_task_is_said_with_its_trace_and_restart_is_followed(
    owner_client, sandbox, kc, tasks
):
    form = mongo_form(kc, p_connection_uri="mongodb://orders:pw@unreachable-host:27017")
    assert "Connector created" in create(owner_client, "kafka-connect", form)
    tasks.run("follow_status")
    connector = Connector.objects.get()
    assert connector.remote_status == "RUNNING"
    assert connector.last_error.startswith("Task 0 failed: org.apache.kafka.connect")
    html = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk])).content
    assert b'<details class="trace"><summary>Trace</summary>' in html
    # A refresh that read it says what it read: not that the refresh failed.
    refreshed = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]),
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Refreshed: Kafka Connect reports a failure.</strong> Task 0 failed:" in refreshed
    assert "Refresh status failed" not in refreshed
    act(owner_client, connector, "restart")
    restart = Submission.objects.get(action="restart").attempts.order_by("number").first()
    assert restart.url.endswith("/connectors/orders-cdc/restart?includeTasks=true")
    assert restart.response_status == 202
    connector.refresh_from_db()
    # The worker restarted it at once, and the task failed again: said, not hidden.
    assert connector.remote_status == "RUNNING"
    assert connector.last_error.startswith("Task 0 failed:")


def test_a_pause_that_shows_late_is_followed_until_it_does(owner_client, sandbox, kc, tasks):
    # The sandbox's "slow-" connectors take three status reads to reach a new state.
    assert "Connector created" in create(
        owner_client, "kafka-connect", mongo_form(kc, name="slow-orders")
    )
    tasks.run("follow_status")
    connector = Connector.objects.get()
    assert connector.remote_status == "RUNNING"
    act(owner_client, connector, "pause")
    connector.refresh_from_db()
    assert connector.remote_status == "PAUSING" and connector.in_flight
    assert connector.context["settling"]["target"] == "PAUSED"
    assert offered(owner_client, connector) == {"refresh", "reconfigure", "delete"}
    assert tasks.names() == ["follow_status"]  # the background follows it
    tasks.run("follow_status")
    connector.refresh_from_db()
    assert connector.remote_status == "PAUSED" and "settling" not in connector.context
    assert not connector.in_flight


def test_a_pause_accepted_but_not_read_back_is_followed_not_said_failed(
    owner_client, sandbox, kc, fault, tasks
):
    """Kafka Connect answered 202 to the pause, then its status could not be read: the pause
    is not recorded failed with the state it left (RUNNING, offering Pause again); it is on
    its way, and the background reads where it got to."""
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    tasks.run("follow_status")
    connector = Connector.objects.get()
    fault("status", provider="kafkaconnect", method="GET", status=500, times=3)

    html = act(owner_client, connector, "pause")

    pause = Submission.objects.get(action="pause")
    assert pause.attempts.order_by("number").first().response_status == 202
    assert pause.outcome == "succeeded" and "Pause failed" not in html
    connector.refresh_from_db()
    assert connector.remote_status == "PAUSING" and connector.in_flight
    assert "pause" not in offered(owner_client, connector)
    event = AuditEvent.objects.filter(target_id=str(connector.pk)).latest("pk")
    assert "status could not be read yet" in event.message
    assert tasks.names() == ["follow_status"]
    tasks.run("follow_status")
    connector.refresh_from_db()
    assert connector.remote_status == "PAUSED" and "settling" not in connector.context


def test_an_upstash_pause_not_read_back_is_followed_not_said_failed(
    owner_client, sandbox, upstash, fault, tasks
):
    """Upstash answered "OK" to the pause, then the read-back met server errors: the state it
    left is not kept as its state, and the background reads the new one."""
    create(owner_client, "upstash-kafka", mongo_form(upstash, cluster_id=CLUSTER))
    tasks.run("follow_status")
    connector = Connector.objects.get()
    assert connector.remote_status == "running"
    fault("status", provider="upstash", method="GET", status=503, times=3)

    act(owner_client, connector, "pause")

    assert Submission.objects.get(action="pause").outcome == "succeeded"
    connector.refresh_from_db()
    assert connector.remote_status == "" and connector.in_flight
    assert tasks.names() == ["follow_status"]
    tasks.run("follow_status")
    connector.refresh_from_db()
    assert connector.remote_status == "paused"


def test_a_delete_whose_answer_was_lost_is_looked_for_and_recorded(
    owner_client, sandbox, kc, fault, tasks
):
    """The cluster deleted the connector but answered too late: the page says Connectors Admin
    will look for it, and the refresh it queues records it deleted (no action offered, its
    credential free to delete)."""
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    tasks.run("follow_status")
    Connector.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    connector = Connector.objects.get()
    fault("late", provider="kafkaconnect", method="DELETE")

    url = reverse("connectors:action", args=["acme", connector.pk, "delete"])
    page = owner_client.post(url).content.decode()

    assert not SandboxConnector.objects.filter(provider="kafkaconnect").exists()
    assert "will look for it at the provider and tell you" in page
    assert tasks.names() == ["follow_status"]
    tasks.run()
    connector.refresh_from_db()
    assert connector.deleted_at is not None and connector.remote_status == "deleted"
    assert "no longer has the connector" in connector.last_error
    assert connector.available_actions() == []
    kc.refresh_from_db()
    assert not kc.in_use()


def test_a_404_for_a_path_the_worker_does_not_serve_is_no_delete(
    owner_client, sandbox, kc, tasks, settings
):
    """A worker answers a path it does not serve (its cluster now listed under a wrong prefix,
    say) with its own JSON 404, "HTTP 404 Not Found", not "Connector X not found": that says
    nothing of the connector, which is neither recorded deleted nor found missing."""
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    tasks.run("follow_status")
    Connector.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    connector = Connector.objects.get()
    settings.KAFKA_CONNECT_CLUSTERS = {"Sandbox": f"{sandbox}/sandbox/kafka-connect/v1"}

    owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "delete"]))

    connector.refresh_from_db()
    assert connector.deleted_at is None and connector.remote_status == "RUNNING"
    delete = Submission.objects.get(action="delete")
    assert delete.outcome == "failed" and "HTTP 404" in delete.error_message
    assert SandboxConnector.objects.filter(provider="kafkaconnect").exists()


def test_a_lost_delete_answer_promises_no_lookup_where_a_refresh_cannot_tell(
    owner_client, sandbox, upstash, fault, tasks
):
    """Upstash's answers do not say a connector is gone, so a refresh could not tell a delete
    that went through: nothing is promised, nothing queued."""
    create(owner_client, "upstash-kafka", mongo_form(upstash, cluster_id=CLUSTER))
    tasks.run("follow_status")
    connector = Connector.objects.get()
    fault("late", provider="upstash", method="DELETE")

    url = reverse("connectors:action", args=["acme", connector.pk, "delete"])
    page = owner_client.post(url).content.decode()

    assert "may still have been applied: check before retrying" in page
    assert "will look for it" not in page and tasks.names() == []


def test_a_connector_deleted_elsewhere_is_recorded_gone_by_a_refresh(
    owner_client, sandbox, kc, tasks
):
    """Deleted with another tool: Kafka Connect's own 404 ("Connector orders-cdc not found")
    on a refresh, by hand or scheduled, records it deleted there instead of RUNNING with
    Pause, Stop and Restart offered."""
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    tasks.run("follow_status")
    connector = Connector.objects.get()
    gone = requests.delete(
        f"{sandbox}/sandbox/kafka-connect/connectors/orders-cdc",
        auth=("ops", CONNECT_PASSWORD),
        timeout=5,
    )
    assert gone.status_code == 204

    # Made moments ago, it is not closed by one "not found" (a worker may not have read its
    # configuration yet): said, and asked again later.
    act(owner_client, connector, "refresh")
    connector.refresh_from_db()
    assert connector.deleted_at is None and "no longer has" in connector.last_error

    Connector.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    act(owner_client, connector, "refresh")

    connector.refresh_from_db()
    assert connector.remote_status == "deleted" and connector.deleted_at is not None
    assert connector.last_error == (
        "Kafka Connect no longer has the connector “orders-cdc”: it was deleted there."
    )
    # Its page says deleted, with no state copied from before into the summary.
    page = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk])).text
    assert "status-deleted" in page and "<dt>State</dt>" not in page
    assert offered(owner_client, connector) == set()
    refresh = Submission.objects.filter(action="refresh").latest("pk")
    assert refresh.outcome == "succeeded"


@pytest.mark.parametrize(
    ("action", "said"),
    [
        ("pause", "Unknown connector orders-cdc"),
        ("stop", "Unknown connector orders-cdc"),
        ("restart", "Unknown connector: orders-cdc"),
    ],
)
def test_an_action_on_a_connector_deleted_elsewhere_records_it_gone(
    owner_client, sandbox, kc, tasks, action, said
):
    """Kafka Connect's pause, resume and stop say "Unknown connector X" of a connector it does
    not have, and its restart "Unknown connector: X" (not "Connector X not found", which only
    its reads and delete say): either is its own word that the connector is gone."""
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    tasks.run("follow_status")
    connector = Connector.objects.get()
    assert connector.remote_status == "RUNNING"
    gone = requests.delete(
        f"{sandbox}/sandbox/kafka-connect/connectors/orders-cdc",
        auth=("ops", CONNECT_PASSWORD),
        timeout=5,
    )
    assert gone.status_code == 204
    Connector.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    act(owner_client, connector, action)

    connector.refresh_from_db()
    assert connector.deleted_at is not None and connector.remote_status == "deleted"
    assert connector.last_error == (
        "Kafka Connect no longer has the connector “orders-cdc”: it was deleted there."
    )
    sent = Submission.objects.filter(action=action).latest("pk")
    assert said in json.dumps([a.response_body for a in sent.attempts.all()])


# --- secrets typed where values are shown, and secrets of connectors made elsewhere -------------------
def test_a_secret_typed_into_the_json_moves_to_its_field_and_is_never_shown(
    owner_client, sandbox, kc
):
    form = mongo_form(kc, editor="json", name="bad name/")
    form.pop("p_connection_uri")
    form["raw_json"] = json.dumps(
        {
            "connector.class": MONGO,
            "database": "shop",
            "connection.uri": MONGO_URI,
            "sasl.jaas.config": "org.apache.kafka.common.security.plain.PlainLoginModule "
            'required username="u" password="JaasPwDoNotLeak";',
        }
    )
    html = create(owner_client, "kafka-connect", form)  # refused (the name): shown again
    assert "Letters, digits, dots" in html
    assert MONGO_PASSWORD not in html and "JaasPwDoNotLeak" not in html
    assert "connection.uri, sasl.jaas.config are secret: moved to the secret fields" in html
    assert "kept from your last attempt" in html
    # Fixed and sent again with nothing retyped: the moved secrets were kept, encrypted.
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    retry = {**form, "name": "orders-cdc", "form_token": token}
    retry["raw_json"] = json.dumps({"connector.class": MONGO, "database": "shop"})
    assert "Connector created" in create(owner_client, "kafka-connect", retry)
    sent = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert sent["connection.uri"] == as_kept(MONGO_URI)
    jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" '
    assert sent["sasl.jaas.config"] == as_kept(jaas + 'password="JaasPwDoNotLeak";')
    for secret in (MONGO_PASSWORD, "JaasPwDoNotLeak"):
        assert secret not in everything()


def test_reconfigure_never_shows_a_password_inside_a_url_and_sends_the_kept_one(
    owner_client, client_for, member, sandbox, kc
):
    jdbc = "io.aiven.connect.jdbc.JdbcSinkConnector"
    url_with_password = "jdbc:postgresql://writer:JdbcPwDoNotLeak@db.example.com:5432/shop"
    form = {
        "credential": kc.pk,
        "connector_class": jdbc,
        "name": "shop-sink",
        "editor": "form",
        "tasks_max": "1",
        "p_topics": "orders",
        "p_connection_url": url_with_password,
        "form_token": str(uuid.uuid4()),
    }
    assert "Connector created" in create(owner_client, "kafka-connect", form)
    connector = Connector.objects.get()
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    page = client_for(member).get(url).content.decode()
    assert "JdbcPwDoNotLeak" not in page
    masked = "jdbc:postgresql://writer:[redacted]@db.example.com:5432/shop"
    assert masked in html.unescape(page)
    # Sent back as shown, the kept password goes with it, not the mask.
    properties = {"connector.class": jdbc, "tasks.max": "1", "topics": "orders,refunds"}
    response = owner_client.post(
        url, {"properties": json.dumps({**properties, "connection.url": masked})}
    )
    assert response.status_code == 302
    remote = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert (
        remote["connection.url"] == as_kept(url_with_password)
        and remote["topics"] == "orders,refunds"
    )
    # Moved to another host with the mask, the kept password does not follow: it is asked for.
    elsewhere = masked.replace("db.example.com", "db.attacker.example")
    refused = owner_client.post(
        url, {"properties": json.dumps({**properties, "connection.url": elsewhere})}
    ).content.decode()
    assert "connection.url holds a masked password" in refused
    remote = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert remote["connection.url"] == as_kept(url_with_password)
    assert "JdbcPwDoNotLeak" not in refused + everything()


def test_a_secret_typed_into_a_failed_reconfigure_is_sent_by_the_next_try(
    owner_client, sandbox, kc, fault
):
    """The secret text area never shows what was typed: after a failed try, sending the form
    again as it stands sends the new secret, not the old one kept with the connector."""
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    connector = Connector.objects.get()
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    properties = json.dumps({"connector.class": MONGO, "database": "shop"})
    new_uri = "mongodb://orders:RetriedPwDoNotLeak@mongo.internal:27017"
    fault("status", provider="kafkaconnect", method="PUT", status=500, message="worker busy")
    failed = owner_client.post(
        url, {"properties": properties, "secret_properties": f"connection.uri={new_uri}"}
    ).content.decode()
    assert "worker busy" in failed and "kept from your last attempt" in failed
    assert "RetriedPwDoNotLeak" not in failed
    # Its help says one true thing about an empty field now: what was typed is sent.
    said = html.unescape(failed)
    assert "Left empty, what you typed in the failed try is sent" in said
    assert "the secrets set now are kept" not in said
    response = owner_client.post(url, {"properties": properties, "secret_properties": ""})
    assert response.status_code == 302
    remote = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert remote["connection.uri"] == as_kept(new_uri)
    # Once it went through, nothing is kept: a fresh form starts from the connector.
    assert "kept from your last attempt" not in owner_client.get(url).content.decode()
    assert "RetriedPwDoNotLeak" not in everything()


def test_a_secret_line_that_is_not_key_value_is_not_quoted(owner_client, sandbox, kc):
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    connector = Connector.objects.get()
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    properties = {"connector.class": MONGO, "database": "shop"}
    html = owner_client.post(
        url,
        {
            "properties": json.dumps(properties),
            "secret_properties": "basic.auth mongodb://u:LinePw@h",
        },
    ).content.decode()
    assert "Line 1 is not key=value." in html and "LinePw" not in html


def test_secrets_typed_under_any_key_are_kept_secret_through_reconfigure(owner_client, sandbox, kc):
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    connector = Connector.objects.get()
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    properties = {"connector.class": MONGO, "database": "shop"}
    owner_client.post(
        url,
        {
            "properties": json.dumps(properties),
            "secret_properties": "value.converter.schema.registry.auth=u:RegistryPwDoNotLeak",
        },
    )
    sent = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert sent["value.converter.schema.registry.auth"] == as_kept("u:RegistryPwDoNotLeak")
    page = owner_client.get(url).content.decode()
    assert "RegistryPwDoNotLeak" not in page and "schema.registry.auth" not in page
    assert "RegistryPwDoNotLeak" not in everything()
    # key= removes a secret.
    owner_client.post(
        url,
        {
            "properties": json.dumps(properties),
            "secret_properties": "value.converter.schema.registry.auth=",
        },
    )
    sent = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert "value.converter.schema.registry.auth" not in sent
    assert sent["connection.uri"] == as_kept(MONGO_URI)


def test_an_imported_connector_s_echoed_secrets_are_masked_everywhere(
    owner_client, sandbox, upstash, tasks
):
    import requests

    bad_uri = "mongo://orders:ImportedPwDoNotLeak@mongo.internal"
    made = requests.post(
        f"{sandbox}/sandbox/v2/kafka/connector",
        json={
            "name": "elsewhere",
            "cluster_id": CLUSTER,
            "properties": {
                "connector.class": MONGO,
                "connection.uri": bad_uri,
                "jdbc.fallback": "jdbc:postgresql://db/shop?user=x&password=ParamPwDoNotLeak",
            },
        },
        auth=("ops@example.com", UPSTASH_KEY),
        timeout=5,
    )
    assert made.status_code == 200
    url = reverse("connectors:import", args=["acme", "upstash-kafka"])
    remote_id = made.json()["connector_id"]
    owner_client.post(
        url, {"credential": upstash.pk, "cluster_id": CLUSTER, "remote_id": remote_id}
    )
    connector = Connector.objects.get()
    act(owner_client, connector, "refresh")  # now failed, its message echoing the URI
    connector.refresh_from_db()
    assert (
        connector.remote_status == "failed"
        and "Connection strings must start" in connector.last_error
    )
    html = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk])).content
    for secret in ("ImportedPwDoNotLeak", "ParamPwDoNotLeak"):
        assert secret not in everything() and secret.encode() not in html


def test_a_rebalance_409_on_the_create_itself_is_retried(owner_client, sandbox, kc, fault):
    fault("slow", provider="kafkaconnect", delay_ms=0)  # the validate passes untouched
    fault(
        "status",
        provider="kafkaconnect",
        status=409,
        message="Request cannot be completed because a rebalance is expected",
    )
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    attempts = Submission.objects.get(action="create").attempts.order_by("number")
    assert [(a.method, a.response_status) for a in attempts] == [
        ("PUT", 200),
        ("POST", 409),
        ("POST", 201),
    ]
    assert Connector.objects.count() == 1 and SandboxConnector.objects.count() == 1


def test_a_long_trace_line_is_cut_between_words_never_through_a_secret():
    from connectors_admin.providers.kafka.records import first_failure

    secret = "MongoPwDoNotLeak"
    line = "x " * 145 + "pw=" + secret + " trailing words"  # the secret spans character 300
    said = first_failure([{"label": "Task 0", "state": "FAILED", "detail": line}])
    assert said.endswith("x …") and len(said) < 330
    assert "Mongo" not in said and "pw=" not in said


@pytest.mark.parametrize(
    ("connector_class", "fields"),
    [
        (
            "io.debezium.connector.postgresql.PostgresConnector",
            {"p_database_hostname": "{host}", "p_database_port": "5432",
             "p_database_dbname": "shop", "p_topic_prefix": "pg"},
        ),
        (
            "io.aiven.connect.jdbc.JdbcSinkConnector",
            {"p_connection_url": "jdbc:postgresql://{host}:5432/shop", "p_topics": "orders"},
        ),
    ],
)  # fmt: skip
def test_a_stored_database_login_goes_to_the_uri_s_own_host_only(
    owner_client, sandbox, kc, team, owner, connector_class, fields
):
    uri = stored_uri(
        team, owner, "postgresql://reader:pw-not-for-evil@db.example.com/shop", label="Replica"
    )

    def form(host: str) -> dict:
        return {
            "credential": kc.pk,
            "connector_class": connector_class,
            "name": "shop-cdc",
            "editor": "form",
            "tasks_max": "1",
            "use__login": str(uri.pk),
            "form_token": str(uuid.uuid4()),
            **{k: v.format(host=host) for k, v in fields.items()},
        }

    refused = create(owner_client, "kafka-connect", form("evil.example"))
    assert "This stored login is for db.example.com" in refused
    assert "pw-not-for-evil" not in refused and not SandboxConnector.objects.exists()
    assert "Connector created" in create(owner_client, "kafka-connect", form("db.example.com"))
    sent = SandboxConnector.objects.get().data["config"]
    password_key = "database.password" if "database.password" in sent else "connection.password"
    assert sent[password_key] == as_kept("pw-not-for-evil")
    # A reconfigure sends the kept login again: it cannot move it to another host either.
    host_key = "database.hostname" if "database.hostname" in sent else "connection.url"
    connector = Connector.objects.get()
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    moved = {k: v for k, v in sent.items() if k != password_key}
    moved[host_key] = sent[host_key].replace("db.example.com", "evil.example")
    page = owner_client.post(url, {"properties": json.dumps(moved)}).content.decode()
    assert f"{host_key} stays db.example.com" in page
    # Nor through a secret line, which would override the properties.
    kept = {k: v for k, v in sent.items() if k != password_key}
    line = f"{host_key}={moved[host_key]}"
    page = owner_client.post(
        url, {"properties": json.dumps(kept), "secret_properties": line}
    ).content.decode()
    assert f"{host_key} stays db.example.com" in page
    assert SandboxConnector.objects.get().data["config"][host_key] == sent[host_key]


@pytest.mark.parametrize(
    "url",
    [
        "jdbc:postgresql://db.example.com:5432,evil.example:5432/shop?targetServerType=secondary",
        "jdbc:sqlserver://db.example.com:1433;serverName=evil.example",
        "jdbc:postgresql://db.example.com@evil.example/shop",
        "jdbc:postgresql://db.example.com/shop?host=evil.example",
        "jdbc:postgresql://[evil.example/shop",
    ],
)
def test_a_url_that_could_lead_elsewhere_takes_no_stored_login(
    owner_client, sandbox, kc, team, owner, url
):
    uri = stored_uri(team, owner, "postgresql://reader:pw-not-for-evil@db.example.com/shop")
    form = {
        "credential": kc.pk,
        "connector_class": "io.aiven.connect.jdbc.JdbcSinkConnector",
        "name": "shop-sink",
        "editor": "form",
        "tasks_max": "1",
        "use__login": str(uri.pk),
        "p_connection_url": url,
        "p_topics": "orders",
        "form_token": str(uuid.uuid4()),
    }
    page = create(owner_client, "kafka-connect", form)
    assert "This stored login is for db.example.com" in page
    assert not SandboxConnector.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_lost_create_imported_meanwhile_keeps_the_imported_record(
    owner_client, sandbox, kc, fault, tasks
):
    from connectors_admin.audit.models import AuditEvent

    fault("slow", provider="kafkaconnect", delay_ms=0)  # the validation passes
    fault("late", provider="kafkaconnect")  # the create is applied, its answer lost
    create(owner_client, "kafka-connect", mongo_form(kc))
    lost = Submission.objects.get(action="create")
    assert lost.reconciliation == "pending" and not Connector.objects.exists()
    # The user imports it before the background lookup runs.
    url = reverse("connectors:import", args=["acme", "kafka-connect"])
    owner_client.post(url, {"credential": kc.pk, "remote_id": ["orders-cdc"]})
    imported = Connector.objects.get()
    tasks.run("reconcile_create")
    imported.refresh_from_db()
    lost.refresh_from_db()
    # The lookup found that very connector: its record stays, and is not made twice.
    assert imported.deleted_at is None and not imported.last_error
    assert Connector.objects.filter(remote_id="orders-cdc").count() == 1
    assert not AuditEvent.objects.filter(action="connector.deleted").exists()
    assert lost.reconciliation == "found" and lost.connector == imported
    assert lost.outcome == "succeeded" and "already recorded since" in lost.error_message


@pytest.mark.django_db(transaction=True)
def test_a_lost_create_retried_meanwhile_keeps_the_retry_s_record(
    owner_client, sandbox, kc, fault, tasks
):
    fault("slow", provider="kafkaconnect", delay_ms=0)  # the validation passes
    fault("drop", provider="kafkaconnect")  # the create never reaches Kafka Connect
    create(owner_client, "kafka-connect", mongo_form(kc))
    lost = Submission.objects.get(action="create")
    assert lost.reconciliation == "pending"
    # The user tries again before the background lookup runs, and it works.
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    retry = Submission.objects.get(action="create", outcome="succeeded")
    tasks.run("reconcile_create")
    lost.refresh_from_db()
    retry.connector.refresh_from_db()
    assert retry.connector.deleted_at is None
    assert Connector.objects.get() == retry.connector == lost.connector


@pytest.mark.django_db(transaction=True)
def test_a_refresh_read_before_a_pause_does_not_store_its_older_state(
    owner_client, sandbox, kc, owner, tasks
):
    from django.db import connection
    from django.utils import timezone

    from connectors_admin.connectors.tasks import refresh_connector

    create(owner_client, "kafka-connect", mongo_form(kc))
    tasks.run("follow_status")
    connector = Connector.objects.get()
    assert connector.remote_status == "RUNNING"
    other = []

    def a_pause_lands_meanwhile(execute, sql, params, many, context):
        # The refresh has its answer (RUNNING) and records the exchange; just then another
        # request's pause finishes and stores what it got (what its rows would say).
        result = execute(sql, params, many, context)
        if not other and sql.startswith('INSERT INTO "connectors_attempt"'):
            other.append(True)
            Submission.objects.create(
                team=connector.team,
                user=owner,
                credential=kc,
                provider=connector.provider,
                template=connector.template,
                action="pause",
                connector=connector,
                outcome="succeeded",
                finished_at=timezone.now(),
            )
            Connector.objects.filter(pk=connector.pk).update(remote_status="PAUSED")
        return result

    with connection.execute_wrapper(a_pause_lands_meanwhile):
        assert refresh_connector.call(str(connector.pk)) == "succeeded"
    assert other
    connector.refresh_from_db()
    assert connector.remote_status == "PAUSED"  # not the older RUNNING the refresh read
    # The next refresh, read after the pause, stores what it reads.
    assert refresh_connector.call(str(connector.pk)) == "succeeded"
    connector.refresh_from_db()
    assert connector.remote_status == "RUNNING"  # the sandbox was never paused here


def test_a_name_as_long_as_the_form_allows_is_created(owner_client, sandbox, kc):
    name = "orders-" + "x" * 242  # 249 characters, the form's limit
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc, name=name))
    assert Connector.objects.get().remote_id == name


# --- the JSON editor and the record, for keys that only look secret ------------------------------
HTTP_SINK = "io.aiven.kafka.connect.http.HttpSinkConnector"
MONGO_SINK = "com.mongodb.kafka.connect.MongoSinkConnector"
MONGO_SINK_URI = "mongodb://sink:MongoSinkPwDoNotLeak@mongo.internal:27017"


def _raw_json(page: str) -> dict:
    start = page.index('name="raw_json"')
    return json.loads(
        html.unescape(page[page.index(">", start) + 1 : page.index("</textarea>", start)])
    )


def test_a_declared_non_secret_property_that_looks_secret_is_shown_and_reconfigurable(
    owner_client, sandbox, kc
):
    """The HTTP sink declares `http.authorization.type` (none / static / oauth2 / apikey) as a
    plain choice. Because its key contains "authorization", the record shows it "[redacted]",
    reconfigure hides it from the current map and refuses it in the JSON as "secret"."""
    create = {
        "credential": kc.pk,
        "connector_class": HTTP_SINK,
        "name": "hooks",
        "editor": "form",
        "p_http_url": "https://hooks.example.com/in",
        "p_http_authorization_type": "none",
        "p_topics": "orders",
        "p_batching_enabled": "false",
        "tasks_max": "1",
        "form_token": str(uuid.uuid4()),
    }
    page = owner_client.post(
        reverse("connectors:create", args=["acme", "kafka-connect"]), create, headers=HTMX
    ).content.decode()
    assert "Connector created" in page
    connector = Connector.objects.get()
    detail = html.unescape(
        owner_client.get(reverse("connectors:detail", args=["acme", connector.pk])).content.decode()
    )
    assert '"http.authorization.type": "[redacted]"' not in detail
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    current = html.unescape(owner_client.get(url).content.decode())
    assert '"http.authorization.type": "none"' in current  # reconfigure starts from it
    properties = {
        "connector.class": HTTP_SINK,
        "tasks.max": "1",
        "http.url": "https://hooks.example.com/in",
        "http.authorization.type": "static",
        "topics": "orders",
        "batching.enabled": "false",
    }
    response = owner_client.post(
        url,
        {
            "properties": json.dumps(properties),
            "secret_properties": "http.headers.authorization=Bearer hook-token-do-not-leak",
        },
    )
    assert response.status_code == 302, re.findall(r"is secret[^<]*", response.content.decode())
    remote = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert remote["http.authorization.type"] == "static"


def test_changing_the_class_while_editing_json_changes_it_in_the_json(owner_client, sandbox, kc):
    """In the raw JSON editor, picking another class reloads the form, but the JSON keeps the
    old `connector.class`; sending it is then refused with "pick the class above first",
    although that is exactly what the user did."""
    fields = reverse("connectors:fields", args=["acme", "kafka-connect"])
    raw = {"connector.class": MONGO, "tasks.max": "1", "database": "shop", "topics": "orders"}
    page = owner_client.post(
        fields + "?changed=connector_class",
        {
            "credential": kc.pk,
            "connector_class": MONGO_SINK,
            "name": "orders-sink",
            "editor": "json",
            "raw_json": json.dumps(raw),
        },
        headers=HTMX,
    ).content.decode()
    shown = _raw_json(page)
    page = owner_client.post(
        reverse("connectors:create", args=["acme", "kafka-connect"]),
        {
            "credential": kc.pk,
            "connector_class": MONGO_SINK,
            "name": "orders-sink",
            "editor": "json",
            "raw_json": json.dumps(shown),
            "p_connection_uri": MONGO_SINK_URI,
            "form_token": str(uuid.uuid4()),
        },
        headers=HTMX,
    ).content.decode()
    assert "pick the class above first" not in page
    assert "Connector created" in page


def test_a_json_map_with_its_name_switches_to_fields_that_can_be_sent(owner_client, sandbox, kc):
    """A Kafka Connect map as GET …/config returns it holds `name`; the JSON editor accepts it
    (it equals the Name field). Switched to fields, `name` becomes an "other property" line,
    which the form then refuses ("name has its own field above"): the round trip breaks."""
    fields = reverse("connectors:fields", args=["acme", "kafka-connect"])
    raw = {"name": "orders-cdc", "connector.class": MONGO, "tasks.max": "1", "database": "shop"}
    page = owner_client.post(
        fields + "?changed=editor",
        {
            "credential": kc.pk,
            "connector_class": MONGO,
            "name": "orders-cdc",
            "editor": "form",
            "raw_json": json.dumps(raw),
        },
        headers=HTMX,
    ).content.decode()
    other = html.unescape(
        re.search(r'name="other_properties"[^>]*>([^<]*)</textarea>', page).group(1)
    ).strip()
    page = owner_client.post(
        reverse("connectors:create", args=["acme", "kafka-connect"]),
        {
            "credential": kc.pk,
            "connector_class": MONGO,
            "name": "orders-cdc",
            "editor": "form",
            "p_connection_uri": MONGO_SINK_URI,
            "p_database": "shop",
            "p_publish_full_document_only": "false",
            "tasks_max": "1",
            "other_properties": other,
            "form_token": str(uuid.uuid4()),
        },
        headers=HTMX,
    ).content.decode()
    assert "has its own field above" not in page
    assert "Connector created" in page


def test_a_secret_in_a_json_map_with_unquoted_values_is_never_shown_back(
    owner_client, sandbox, kc, tasks
):
    """A pasted map often has `"tasks.max": 1` (a number): it is refused, but the secret typed
    beside it is moved first, on the create form and on Reconfigure alike."""
    uri = "mongodb://orders:TypedPwDoNotLeak@mongo.internal:27017"
    typed = {"connector.class": MONGO, "tasks.max": 1, "database": "shop", "connection.uri": uri}
    form = {**mongo_form(kc, editor="json", raw_json=json.dumps(typed))}
    form.pop("p_connection_uri")
    page = html.unescape(create(owner_client, "kafka-connect", form))
    assert "Not a string: tasks.max." in page and "TypedPwDoNotLeak" not in page

    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    connector = Connector.objects.get()
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    page = html.unescape(owner_client.post(url, {"properties": json.dumps(typed)}).text)
    assert "Not a string: tasks.max." in page and "TypedPwDoNotLeak" not in page
    # The value typed is never quoted back, nor a "1" that was not typed: the key is named.
    page = owner_client.post(url, {"properties": json.dumps({**typed, "tasks.max": 100})}).text
    page = html.unescape(page)
    said = page[page.index("Kafka Connect takes every value") :].split("<")[0]
    assert "Not a string: tasks.max." in said and "100" not in said and "not 1" not in said
    # A secret typed as a number is a secret too, moved as Kafka Connect takes it.
    numeric = {"connector.class": MONGO, "tasks.max": "1", "database": "shop", "password": 1234567}
    assert owner_client.post(url, {"properties": json.dumps(numeric)}).status_code == 302
    remote = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    assert remote["password"] == as_kept("1234567")


# --- from a review: place, use and grace -----------------------------------------------------------
OTHER_CLUSTER = "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"


def test_an_upstash_name_clash_on_another_cluster_is_not_the_record_on_this_one(
    owner_client, sandbox, upstash
):
    """Upstash names are unique per cluster (the cluster is the connector's, not the
    credential's), so 'recorded here already' must compare the cluster too."""
    # A connector "orders-cdc" on OTHER_CLUSTER that this team does not follow (closed here).
    assert "Connector created" in create(
        owner_client, "upstash-kafka", mongo_form(upstash, cluster_id=OTHER_CLUSTER)
    )
    Connector.objects.update(deleted_at=timezone.now(), remote_status="deleted")
    # A live record of another "orders-cdc", on CLUSTER.
    assert "Connector created" in create(
        owner_client, "upstash-kafka", mongo_form(upstash, cluster_id=CLUSTER)
    )
    on_cluster = Connector.objects.get(deleted_at=None)
    assert on_cluster.context["cluster_id"] == CLUSTER

    html = create(owner_client, "upstash-kafka", mongo_form(upstash, cluster_id=OTHER_CLUSTER))

    assert Submission.objects.filter(error_kind="exists").count() == 1
    wrong = reverse("connectors:detail", args=["acme", on_cluster.pk])
    assert f'href="{wrong}"' not in html, "links the CLUSTER record for a clash on OTHER_CLUSTER"
    importing = reverse("connectors:import", args=["acme", "upstash-kafka"])
    assert importing in html, "the unrecorded namesake on OTHER_CLUSTER is not offered"


def test_an_upstash_name_recorded_here_is_not_said_to_be_imported(owner_client, sandbox, upstash):
    """The field's words cannot know whether the namesake is recorded here: they say both ways,
    never only "import" (the banner names the one that applies)."""
    form = mongo_form(upstash, cluster_id=CLUSTER)
    assert "Connector created" in create(owner_client, "upstash-kafka", form)
    html = create(owner_client, "upstash-kafka", {**form, "form_token": str(uuid.uuid4())})
    assert "open it if it is recorded here, import it if not" in html
    assert "import the existing one" not in html.lower()


def test_a_reconfigure_refused_before_any_call_does_not_mark_the_stored_login_used(
    owner_client, sandbox, kc, team, owner
):
    """Reading the kept configuration is not using the stored login inside it: a reconfigure
    refused here sends nothing, and marks nothing used."""
    uri = stored_uri(
        team, owner, "postgresql://reader:pw-not-for-evil@db.example.com/shop", label="Replica"
    )
    form = {
        "credential": kc.pk,
        "connector_class": "io.debezium.connector.postgresql.PostgresConnector",
        "name": "shop-cdc",
        "editor": "form",
        "tasks_max": "1",
        "use__login": str(uri.pk),
        "form_token": str(uuid.uuid4()),
        "p_database_hostname": "db.example.com",
        "p_database_port": "5432",
        "p_database_dbname": "shop",
        "p_topic_prefix": "pg",
    }
    assert "Connector created" in create(owner_client, "kafka-connect", form)
    sent = SandboxConnector.objects.get().data["config"]
    connector = Connector.objects.get()
    Credential.objects.filter(pk=uri.pk).update(last_used_at=None)
    used = AuditEvent.objects.filter(action="credential.used", target_id=str(uri.pk)).count()

    moved = {k: v for k, v in sent.items() if k != "database.password"}
    moved["database.hostname"] = "evil.example"
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    page = owner_client.post(url, {"properties": json.dumps(moved)}).content.decode()

    assert "database.hostname stays db.example.com" in page
    run = Submission.objects.get(action="reconfigure")
    assert not run.attempts.exists()  # refused here: nothing went to Kafka Connect
    uri.refresh_from_db()
    assert uri.last_used_at is None, "its page says the login was just used for a connector"
    assert (
        AuditEvent.objects.filter(action="credential.used", target_id=str(uri.pk)).count() == used
    ), "the audit trail records a use of the stored login that sent nothing"


def test_a_lost_delete_of_a_connector_made_a_minute_ago_is_recorded_by_the_promised_lookup(
    owner_client, sandbox, kc, fault, tasks
):
    """The grace a new connector gets before a "not found" closes it does not cover the look
    after a delete of it whose answer was lost: that "not found" is what the delete did."""
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    tasks.run("follow_status")
    connector = Connector.objects.get()  # made moments ago, as in any "oops, delete it"
    fault("late", provider="kafkaconnect", method="DELETE")
    url = reverse("connectors:action", args=["acme", connector.pk, "delete"])
    page = owner_client.post(url).content.decode()
    assert not SandboxConnector.objects.filter(provider="kafkaconnect").exists()  # deleted there
    assert "will look for it at the provider and tell you" in page

    tasks.run()  # the promised look, and anything it queues

    connector.refresh_from_db()
    assert connector.deleted_at is not None, (
        f"still live after the look (error: {connector.last_error!r}); "
        f"actions offered: {[a.slug for a in connector.available_actions()]}; "
        f"queued: {tasks.names()}"
    )


def test_a_connector_whose_name_is_longer_than_a_record_keeps_is_listed_but_not_imported(
    owner_client, sandbox, kc
):
    """Kafka Connect sets no limit on a name; a record keeps 255 characters of a provider's id.
    Such a connector is listed, said not importable, and skipped if ticked anyway."""
    long_name = "legacy-" + "x" * 253  # 260 characters
    config = {
        "connector.class": "io.aiven.connect.jdbc.JdbcSinkConnector",
        "connection.url": "jdbc:postgresql://db/shop",
        "topics": "orders",
    }
    base = f"{sandbox}/sandbox/kafka-connect"
    for name in (long_name, "legacy-short"):
        made = requests.post(f"{base}/connectors", json={"name": name, "config": config}, timeout=5)
        assert made.status_code == 201
    url = reverse("connectors:import", args=["acme", "kafka-connect"])
    page = owner_client.get(url, {"credential": kc.pk}).content.decode()
    assert "2 connectors at Kafka Connect" in page
    assert "Its id is 260 characters long" in page and "at most 255" in page
    assert f'value="{long_name}"' not in page and 'value="legacy-short"' in page

    response = owner_client.post(
        url, {"credential": kc.pk, "remote_id": [long_name, "legacy-short"]}
    )
    assert response.status_code == 302
    assert list(Connector.objects.values_list("remote_id", flat=True)) == ["legacy-short"]


# --- a secret typed anew into the JSON or the lines wins over one typed before ---------------------
JDBC_SINK = "io.aiven.connect.jdbc.JdbcSinkConnector"
FIRST_PW, SECOND_PW = "firstSEKRET111", "secondSEKRET222"


def jdbc_form(credential, **fields) -> dict:
    return {
        "credential": credential.pk,
        "connector_class": JDBC_SINK,
        "name": "orders-jdbc",
        "editor": "form",
        "p_connection_url": "jdbc:postgresql://db.internal:5432/shop",
        "p_connection_user": "writer",
        "p_topics": "orders",
        "p_insert_mode": "insert",
        "p_pk_mode": "none",
        "p_auto_create": "false",
        "tasks_max": "1",
        **fields,
    }


def switch(client, form: dict) -> str:
    url = reverse("connectors:fields", args=["acme", "kafka-connect"]) + "?changed=editor"
    return client.post(url, form, headers=HTMX).content.decode()


def sent_config(name: str = "orders-jdbc") -> dict:
    """The configuration the sandbox received, its secrets unsealed (rows keep digests)."""
    found = SandboxConnector.objects.filter(provider="kafkaconnect")
    return next(as_received(c.data) for c in found if c.data["name"] == name)


@pytest.mark.parametrize("route", ["from the JSON", "back to the fields", "after a refused try"])
def test_a_secret_typed_into_the_json_replaces_the_one_typed_in_its_field(
    owner_client, sandbox, kc, route
):
    """The password typed in the Fields editor, then another typed into the Raw JSON: the
    connector was created with the first, unsaid. The one typed last is sent."""
    token = str(uuid.uuid4())
    typed = jdbc_form(kc, p_connection_password=FIRST_PW, form_token=token)
    if route == "after a refused try":  # the first is kept from the try, encrypted
        page = create(owner_client, "kafka-connect", {**typed, "name": "bad name/"})
        assert "Letters, digits, dots" in page and "kept from your last attempt" in page
        token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    page = switch(owner_client, {**typed, "editor": "json", "form_token": token})
    assert FIRST_PW not in page and "kept from your last attempt" in page
    shown = {**_raw_json(page), "connection.password": SECOND_PW}
    in_json = {**typed, "editor": "json", "raw_json": json.dumps(shown), "form_token": token}
    del in_json["p_connection_password"]  # its input shows nothing, and is left so
    if route == "back to the fields":
        page = switch(owner_client, {**in_json, "editor": "form"})
        assert 'name="raw_json"' not in page and SECOND_PW not in page
        assert "kept from your last attempt" in page
        sent = {**typed, "form_token": token}
        del sent["p_connection_password"]
    else:
        sent = in_json
    page = create(owner_client, "kafka-connect", sent)

    assert "Connector created" in page, re.findall(r'class="errorlist"[^>]*>(.*?)</ul>', page)
    assert sent_config()["connection.password"] == SECOND_PW
    for secret in (FIRST_PW, SECOND_PW):
        assert secret not in everything()


def test_a_secret_typed_twice_in_one_try_with_different_values_is_sent_by_neither(
    owner_client, sandbox, kc
):
    """Typed into its input and into the JSON at once, with different values: which one is
    meant is the user's to say; the one in its input is kept for the next try, and said."""
    raw = {"connector.class": JDBC_SINK, "connection.url": "jdbc:postgresql://db/shop"}
    form = jdbc_form(kc, editor="json", form_token=str(uuid.uuid4()), p_connection_password="")
    twice = {
        **form,
        "p_connection_password": FIRST_PW,
        "raw_json": json.dumps({**raw, "topics": "orders", "connection.password": SECOND_PW}),
    }
    page = html.unescape(create(owner_client, "kafka-connect", twice))

    assert not SandboxConnector.objects.exists()
    assert "connection.password was typed here and in the JSON with different values" in page
    assert FIRST_PW not in page and SECOND_PW not in page
    # Sent again with the input left empty: the one typed in it, as said.
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    again = {**form, "raw_json": json.dumps({**raw, "topics": "orders"}), "form_token": token}
    assert "Connector created" in create(owner_client, "kafka-connect", again)
    assert sent_config()["connection.password"] == FIRST_PW
    # The same value in both is no question.
    same = {**twice, "name": "orders-jdbc-2", "p_connection_password": SECOND_PW}
    same["form_token"] = str(uuid.uuid4())
    assert "Connector created" in create(owner_client, "kafka-connect", same)
    assert sent_config("orders-jdbc-2")["connection.password"] == SECOND_PW
    # Both typed, then a switch back to the fields: said beside the input, the input's kept.
    token = str(uuid.uuid4())
    page = html.unescape(switch(owner_client, {**twice, "editor": "form", "form_token": token}))
    assert 'name="raw_json"' not in page and "kept from your last attempt" in page
    assert "connection.password was typed here and in the JSON with different values" in page
    assert FIRST_PW not in page and SECOND_PW not in page
    fields = jdbc_form(kc, name="orders-jdbc-3", form_token=token)
    assert "Connector created" in create(owner_client, "kafka-connect", fields)
    assert sent_config("orders-jdbc-3")["connection.password"] == FIRST_PW


def test_a_secret_line_typed_into_the_json_replaces_the_kept_line_of_its_key_only(
    owner_client, sandbox, kc
):
    """Secrets without a field of their own are kept as lines; a new value typed into the
    JSON for one of them replaces that line, and the other lines kept stay."""
    jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required password="{}";'
    lines = f"sasl.jaas.config={jaas.format(FIRST_PW)}\nbasic.auth.user.info=u:InfoSEKRET999"
    form = jdbc_form(kc, editor="json", name="bad name/", form_token=str(uuid.uuid4()))
    raw = {"connector.class": JDBC_SINK, "connection.url": "jdbc:postgresql://db/shop"}
    form["raw_json"] = json.dumps({**raw, "topics": "orders"})
    page = create(owner_client, "kafka-connect", {**form, "secret_properties": lines})
    assert "Letters, digits, dots" in page and "kept from your last attempt" in page
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    retry = {**form, "name": "orders-jdbc", "form_token": token}
    retry["raw_json"] = json.dumps(
        {**raw, "topics": "orders", "sasl.jaas.config": jaas.format(SECOND_PW)}
    )
    assert "Connector created" in create(owner_client, "kafka-connect", retry)
    config = sent_config()
    assert config["sasl.jaas.config"] == jaas.format(SECOND_PW)
    assert config["basic.auth.user.info"] == "u:InfoSEKRET999"
    for secret in (FIRST_PW, SECOND_PW, "InfoSEKRET999"):
        assert secret not in everything()


def test_without_javascript_the_switch_sent_as_a_create_converts_and_sends_nothing(
    owner_client, sandbox, kc
):
    """Without JavaScript nothing reloads the form when the switch changes: sent as it was,
    the fields' values were lost (an empty JSON, "This field is required"). The page says
    which editor it showed; the server converts as a reload does, and sends nothing."""
    url = reverse("connectors:create", args=["acme", "kafka-connect"])
    page = owner_client.get(url, {"connector_class": JDBC_SINK}).content.decode()
    assert 'name="editor_shown" value="form"' in page
    typed = jdbc_form(kc, p_connection_password=FIRST_PW, form_token=str(uuid.uuid4()))
    typed.update(editor="json", editor_shown="form", other_properties="insert.mode=upsert")
    page = html.unescape(owner_client.post(url, typed).content.decode())  # a plain POST
    # A line for a key with its own field: refused as the submit is, said beside the lines.
    assert 'name="raw_json"' not in page and "insert.mode=upsert" in page
    assert "Still shown as fields: insert.mode has its own field above" in page
    assert re.search(r'id="id_other_properties_error"><li>insert.mode has its own field', page)
    assert not SandboxConnector.objects.exists() and FIRST_PW not in page
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    typed.update(other_properties="batch.size=500", form_token=token)
    del typed["p_connection_password"]  # kept from the try, as the page says
    page = html.unescape(owner_client.post(url, typed).content.decode())
    assert "Now shown as Raw JSON, every value kept: nothing was sent." in page
    assert 'name="editor_shown" value="json"' in page and "kept from your last attempt" in page
    assert not SandboxConnector.objects.exists() and FIRST_PW not in page
    shown = _raw_json(page)
    assert shown["insert.mode"] == "insert" and shown["batch.size"] == "500"
    # A new password typed into the JSON, sent from the JSON editor: created with it.
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    sent = {
        "credential": kc.pk,
        "connector_class": JDBC_SINK,
        "name": "orders-jdbc",
        "editor": "json",
        "editor_shown": "json",
        "raw_json": json.dumps({**shown, "connection.password": SECOND_PW}),
        "form_token": token,
    }
    response = owner_client.post(url, sent)
    assert response.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</ul>", response.text)
    assert sent_config()["connection.password"] == SECOND_PW
    assert sent_config()["batch.size"] == "500"
    # And back to the fields from the JSON, without JavaScript: the values in their fields.
    page = owner_client.post(
        url, {**sent, "name": "orders-jdbc-2", "editor": "form", "form_token": token}
    ).content.decode()
    assert "Now shown as fields, every value kept" in html.unescape(page)
    assert 'name="raw_json"' not in page and "batch.size=500" in page
    assert '<option value="insert" selected>' in page and SECOND_PW not in page


def test_a_secret_typed_into_reconfigure_s_json_replaces_the_one_kept_from_a_failed_try(
    owner_client, sandbox, kc, fault
):
    """Reconfigure keeps the secret lines of a failed try; one typed into the JSON on the
    next try lost to the kept line of its key, unsaid. The newer one is sent, the other kept
    lines with it."""
    assert "Connector created" in create(owner_client, "kafka-connect", mongo_form(kc))
    connector = Connector.objects.get()
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    properties = {"connector.class": MONGO, "database": "shop"}
    first = "mongodb://orders:firstSEKRET111@mongo.internal:27017"
    second = "mongodb://orders:secondSEKRET222@mongo.internal:27017"
    fault("status", provider="kafkaconnect", method="PUT", status=500, message="worker busy")
    lines = f"connection.uri={first}\nbasic.auth.user.info=u:InfoSEKRET999"
    failed = owner_client.post(
        url, {"properties": json.dumps(properties), "secret_properties": lines}
    ).content.decode()
    assert "worker busy" in failed and "kept from your last attempt" in failed
    retry = json.dumps({**properties, "connection.uri": second})
    response = owner_client.post(url, {"properties": retry, "secret_properties": ""})

    assert response.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</ul>", response.text)
    remote = as_received(SandboxConnector.objects.get(provider="kafkaconnect").data)
    assert remote["connection.uri"] == second
    assert remote["basic.auth.user.info"] == "u:InfoSEKRET999"
    for secret in ("firstSEKRET111", "secondSEKRET222", "InfoSEKRET999"):
        assert secret not in everything()
    # Typed in one try both under Secret properties and in the JSON, with different values:
    # which one to send is the user's to say; nothing is sent.
    twice = owner_client.post(
        url, {"properties": retry, "secret_properties": f"connection.uri={first}"}
    )
    said = html.unescape(twice.content.decode())
    assert twice.status_code == 200 and "connection.uri typed here and in the JSON" in said
    assert as_received(SandboxConnector.objects.get().data)["connection.uri"] == second
    assert "firstSEKRET111" not in said and "secondSEKRET222" not in said
