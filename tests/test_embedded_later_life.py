"""Stored credentials embedded in Kafka connectors, through a connector's later life: a
reconfigure that types over an embedded value, a rotation pushed into a connector changed
elsewhere or whose stored login moved to another host, a disabled credential; and an import of
more connectors than one post takes. Through the test client and the sandbox."""

from __future__ import annotations

import html
import json
import re
import threading
import time
import uuid

import pytest
import requests
from django.db import connections
from django.test import Client
from django.urls import reverse

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Attempt, Connector, EmbeddedCredential, Submission
from connectors_admin.credentials.models import Credential
from connectors_admin.sandbox.models import SandboxConnector
from connectors_admin.sandbox.sealed import digest as as_kept

from .conftest import KAFKA_CONNECT_PASSWORD, stored_uri
from .test_kafka import create

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HX-Request": "true"}
S3_SINK = "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector"
JDBC_SINK = "io.aiven.connect.jdbc.JdbcSinkConnector"
AWS_SECRET = "reviewAwsSecretDoNotLeak" + "7" * 16
ROTATED = "reviewAwsRotatedDoNotLeak" + "8" * 15
TYPED = "reviewAwsTypedDoNotLeak" + "9" * 17


@pytest.fixture
def aws(team, owner) -> Credential:
    credential = Credential(
        team=team, kind="aws", label="Lake", public={"aws_access_key_id": "AKIA" + "K" * 16}
    )
    credential.set_secrets({"aws_secret_access_key": AWS_SECRET}, owner)
    credential.save()
    return credential


def s3_sink(credential, aws, **extra) -> dict:
    return {
        "credential": credential.pk,
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
        **extra,
    }


def jdbc_sink(credential, login, name: str) -> dict:
    """A JDBC sink to db.example.com, its login from the stored URI `login`."""
    return {
        "credential": credential.pk,
        "connector_class": JDBC_SINK,
        "name": name,
        "editor": "form",
        "tasks_max": "1",
        "use__login": str(login.pk),
        "p_connection_url": "jdbc:postgresql://db.example.com:5432/shop",
        "p_topics": "orders",
        "form_token": str(uuid.uuid4()),
    }


def rotate(client, aws, secret: str = ROTATED) -> None:
    client.post(
        reverse("credentials:rotate", args=["acme", aws.pk]), {"aws_secret_access_key": secret}
    )


def push(client, credential) -> str:
    url = reverse("connectors:push-rotated", args=["acme", credential.pk])
    return client.post(url, follow=True).content.decode()


def at_cluster(name: str) -> dict:
    return SandboxConnector.objects.get(remote_id=f"kafka-connect:{name}").data["config"]


def read_at_cluster(sandbox, name: str) -> dict:
    """The connector's configuration as another tool reads it from the cluster."""
    answer = requests.get(
        f"{sandbox}/sandbox/kafka-connect/connectors/{name}/config",
        auth=("ops", KAFKA_CONNECT_PASSWORD),
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def change_at_cluster(sandbox, name: str, config: dict) -> None:
    """Someone replaces the connector's configuration at the cluster, with another tool."""
    answer = requests.put(
        f"{sandbox}/sandbox/kafka-connect/connectors/{name}/config",
        json=config,
        auth=("ops", KAFKA_CONNECT_PASSWORD),
        timeout=5,
    )
    assert answer.status_code == 200, answer.text


def reconfigure_form(client, connector) -> tuple[str, dict]:
    url = reverse("connectors:action", args=["acme", connector.pk, "reconfigure"])
    page = client.get(url).content.decode()
    shown = re.search(r'name="properties"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    return url, json.loads(html.unescape(shown))


# --- a reconfigure that types over an embedded value ----------------------------------------------
def test_a_secret_typed_over_a_stored_one_by_a_reconfigure_is_no_longer_linked(
    owner_client, sandbox, kc, aws
):
    assert "Connector created" in create(owner_client, "kafka-connect", s3_sink(kc, aws))
    connector = Connector.objects.get()
    # A reconfigure that leaves the stored key pair as it is keeps the link.
    url, properties = reconfigure_form(owner_client, connector)
    properties["topics"] = "orders,invoices,refunds"
    assert owner_client.post(url, {"properties": json.dumps(properties)}).status_code == 302
    assert EmbeddedCredential.objects.get().credential == aws
    # One that types another secret in its place: the connector no longer carries the stored one.
    url, properties = reconfigure_form(owner_client, connector)
    response = owner_client.post(
        url,
        {
            "properties": json.dumps(properties),
            "secret_properties": f"aws.secret.access.key={TYPED}",
        },
    )
    assert response.status_code == 302
    assert at_cluster("lake-sink")["aws.secret.access.key"] == as_kept(TYPED)
    assert not EmbeddedCredential.objects.exists()
    page = owner_client.get(reverse("credentials:detail", args=["acme", aws.pk])).content.decode()
    assert "No connector carries its secret." in page
    # A rotation of the stored key has nothing to push over what was typed.
    rotate(owner_client, aws)
    push(owner_client, aws)
    assert at_cluster("lake-sink")["aws.secret.access.key"] == as_kept(TYPED)
    assert not Submission.objects.filter(action="push-rotated").exists()
    # Nor does the connector keep the credential from being deleted.
    delete = reverse("credentials:delete", args=["acme", aws.pk])
    assert owner_client.post(delete).status_code == 302
    # Its own host stays free to change: no stored login is bound to it any more.
    assert Connector.objects.get().context["embedded"] == []


# --- a push into a connector changed elsewhere ----------------------------------------------------
def test_a_push_keeps_what_was_changed_at_the_cluster_since(owner_client, sandbox, kc, aws):
    assert "Connector created" in create(owner_client, "kafka-connect", s3_sink(kc, aws))
    connector = Connector.objects.get()
    changed = {
        **read_at_cluster(sandbox, "lake-sink"),
        "topics": "orders,invoices,refunds",
        "tasks.max": "4",
    }
    change_at_cluster(sandbox, "lake-sink", changed)
    # No refresh in between: the push reads what the cluster holds before it sends.
    rotate(owner_client, aws)
    assert "pushed" in push(owner_client, aws)
    config = at_cluster("lake-sink")
    assert config["aws.secret.access.key"] == as_kept(ROTATED)
    assert config["topics"] == "orders,invoices,refunds" and config["tasks.max"] == "4"
    assert config["aws.s3.bucket.name"] == "acme-lake"
    # What was pushed is what a reconfigure starts from next.
    _, properties = reconfigure_form(owner_client, connector)
    assert properties["topics"] == "orders,invoices,refunds"


def test_an_aws_rotation_takes_the_new_keys_id_with_its_secret_and_pushes_both(
    owner_client, sandbox, kc, aws
):
    """AWS issues a new secret only with a new access key id: the rotate form asks for both
    (the id prefilled as optional), and the push carries the pair."""
    assert "Connector created" in create(owner_client, "kafka-connect", s3_sink(kc, aws))
    url = reverse("credentials:rotate", args=["acme", aws.pk])
    form = owner_client.get(url).text
    assert 'name="aws_access_key_id"' in form and "Left empty, it stays." in form
    new_id = "AKIA" + "N" * 16
    owner_client.post(url, {"aws_access_key_id": new_id, "aws_secret_access_key": ROTATED})
    aws.refresh_from_db()
    assert aws.public["aws_access_key_id"] == new_id
    assert "pushed" in push(owner_client, aws)
    config = at_cluster("lake-sink")
    assert config["aws.access.key.id"] == as_kept(new_id) and config[
        "aws.secret.access.key"
    ] == as_kept(ROTATED)
    # Left empty, the id stays; one that is no key id is refused, nothing replaced.
    owner_client.post(url, {"aws_access_key_id": "", "aws_secret_access_key": AWS_SECRET})
    aws.refresh_from_db()
    assert (
        aws.public["aws_access_key_id"] == new_id
        and aws.secrets()["aws_secret_access_key"] == AWS_SECRET
    )
    refused = owner_client.post(
        url, {"aws_access_key_id": "nope", "aws_secret_access_key": ROTATED}
    )
    assert "An access key id is AKIA or ASIA" in refused.text
    aws.refresh_from_db()
    assert aws.secrets()["aws_secret_access_key"] == AWS_SECRET


def test_a_push_over_a_secret_changed_elsewhere_is_refused_never_sent_masked(
    owner_client, sandbox, kc, aws
):
    assert "Connector created" in create(owner_client, "kafka-connect", s3_sink(kc, aws))
    changed = {
        **read_at_cluster(sandbox, "lake-sink"),
        "sasl.jaas.config": "elsewhere-secret-do-not-leak",
    }
    change_at_cluster(sandbox, "lake-sink", changed)
    rotate(owner_client, aws)
    result = push(owner_client, aws)
    assert "sasl.jaas.config changed at the provider" in result
    assert at_cluster("lake-sink")["sasl.jaas.config"] == as_kept("elsewhere-secret-do-not-leak")
    assert at_cluster("lake-sink")["aws.secret.access.key"] == as_kept(AWS_SECRET)
    assert Submission.objects.get(action="push-rotated").outcome == "failed"
    assert "elsewhere-secret-do-not-leak" not in result


# --- a stored login rotated to another host -------------------------------------------------------
def test_a_login_rotated_to_another_host_is_not_pushed_to_the_old_one(
    owner_client, sandbox, kc, team, owner
):
    uri = stored_uri(team, owner, "postgresql://reader:old-pw-1@db.example.com/shop")
    form = jdbc_sink(kc, uri, "shop-sink")
    assert "Connector created" in create(owner_client, "kafka-connect", form)
    # The same host, a new password: pushed.
    rotate_uri = reverse("credentials:rotate", args=["acme", uri.pk])
    owner_client.post(rotate_uri, {"uri": "postgresql://reader:new-pw-2@db.example.com/shop"})
    assert "pushed" in push(owner_client, uri)
    assert at_cluster("shop-sink")["connection.password"] == as_kept("new-pw-2")
    # Another host: its login is not sent to the host the connector still names.
    owner_client.post(rotate_uri, {"uri": "postgresql://reader:new-host-pw-3@newdb.example.org/s"})
    result = push(owner_client, uri)
    assert "The stored login is now for newdb.example.org, and connection.url names" in result
    config = at_cluster("shop-sink")
    assert config["connection.password"] == as_kept("new-pw-2")
    assert config["connection.url"] == "jdbc:postgresql://db.example.com:5432/shop"
    last = Submission.objects.filter(action="push-rotated").latest("pk")
    # What the cluster holds was read; nothing was sent to it.
    assert last.outcome == "failed"
    assert [a.method for a in last.attempts.all()] == ["GET", "GET"]
    assert "new-host-pw-3" not in result


def test_a_push_of_a_newer_secret_asked_for_while_the_older_one_s_runs_is_not_said_done(
    owner_client, owner, between, kc, aws, settings
):
    """Rotated again while the last rotation's push is on its way: pushing the newer secret is
    another change, not the running one asked for twice. It is refused with nothing sent (not
    said done by the older push), and the connector stays flagged until the newer one is sent."""
    assert "Connector created" in create(owner_client, "kafka-connect", s3_sink(kc, aws))
    rotate(owner_client, aws)
    newer = "reviewAwsNewerDoNotLeak" + "6" * 17
    said: dict[str, str] = {}

    def second_push() -> None:
        client = Client()
        client.force_login(owner)
        said["page"] = push(client, aws)
        connections.close_all()

    def meanwhile() -> None:  # the first push's PUT has arrived, not yet passed on
        client = Client()
        client.force_login(owner)
        rotate(client, aws, newer)
        thread = threading.Thread(target=second_push)
        thread.start()
        for _ in range(40):  # until the second push has looked at what runs, or has ended
            if (
                not thread.is_alive()
                or Submission.objects.filter(action="push-rotated").count() > 1
            ):
                break
            time.sleep(0.05)
        said["thread"] = thread

    settings.PROVIDER_READ_TIMEOUT = 10  # the PUT held by the hook is waited for
    between.on("PUT", r"/connectors/lake-sink/config$", meanwhile)
    assert "pushed" in push(owner_client, aws)
    between.check()
    said.pop("thread").join(10)
    assert at_cluster("lake-sink")["aws.secret.access.key"] == as_kept(ROTATED)  # the older push's
    assert "still running" in said["page"] and ">pushed<" not in said["page"]
    first, second = Submission.objects.filter(action="push-rotated").order_by("pk")
    assert first.outcome == "succeeded" and second.outcome == "failed"
    assert not second.attempts.exists()
    detail = reverse("credentials:detail", args=["acme", aws.pk])
    assert "1 connector embeds the old secret" in owner_client.get(detail).content.decode()
    # Asked for again once the older push has ended, the newer secret goes.
    between.hooks.clear()
    assert "pushed" in push(owner_client, aws)
    assert at_cluster("lake-sink")["aws.secret.access.key"] == as_kept(newer)
    assert "embeds the old secret" not in owner_client.get(detail).content.decode()


# --- a disabled credential ------------------------------------------------------------------------
def test_a_disabled_credential_s_new_secret_is_not_pushed(owner_client, sandbox, kc, aws):
    assert "Connector created" in create(owner_client, "kafka-connect", s3_sink(kc, aws))
    rotate(owner_client, aws)
    owner_client.post(reverse("credentials:toggle", args=["acme", aws.pk]), {"enabled": "0"})
    page = owner_client.get(reverse("credentials:detail", args=["acme", aws.pk])).content.decode()
    assert "1 connector embeds the old secret" in page
    assert "Push the new secret" not in page and "enable it to push" in page
    result = push(owner_client, aws)  # a form left open from before
    assert "disabled: nothing was pushed" in result and "skipped" in result
    assert at_cluster("lake-sink")["aws.secret.access.key"] == as_kept(AWS_SECRET)
    assert not Submission.objects.filter(action="push-rotated").exists()
    # Enabled again, it is pushed.
    owner_client.post(reverse("credentials:toggle", args=["acme", aws.pk]), {"enabled": "1"})
    assert "pushed" in push(owner_client, aws)
    assert at_cluster("lake-sink")["aws.secret.access.key"] == as_kept(ROTATED)


# --- importing more than one post takes -----------------------------------------------------------
def test_an_import_of_more_than_the_cap_says_how_many_were_left(
    owner_client, sandbox, kc, settings
):
    from connectors_admin.connectors.views import MAX_IMPORT

    # The sandbox lists 503 connectors with their states: on a busy machine that takes more
    # than the suite's one-second read time-out, which is not what this test is about.
    settings.PROVIDER_READ_TIMEOUT = 10
    from connectors_admin.sandbox import kafkaconnect

    config = {"connector.class": JDBC_SINK, "connection.url": "jdbc:postgresql://db/shop"}
    names = [f"legacy-{i:04}" for i in range(MAX_IMPORT + 3)]
    SandboxConnector.objects.bulk_create(
        SandboxConnector(
            provider="kafkaconnect",
            remote_id=kafkaconnect.ID_PREFIX + name,
            data=kafkaconnect._fresh(name, {**config, "name": name, "topics": "t"}, "RUNNING"),
        )
        for name in names
    )
    url = reverse("connectors:import", args=["acme", "kafka-connect"])
    page = owner_client.get(url, {"credential": kc.pk}).content.decode()
    ticked = re.findall(r'name="remote_id" value="([^"]+)"', page)
    assert len(ticked) == len(names)  # every one is offered, ticked
    done = owner_client.post(url, {"credential": kc.pk, "remote_id": ticked}, follow=True)
    said = done.content.decode()
    assert Connector.objects.count() == MAX_IMPORT
    assert f"Imported {MAX_IMPORT} connectors" in said
    assert f"3 more were ticked: at most {MAX_IMPORT} are imported at a time" in said
    # Listed again, the rest are the ones still offered.
    again = owner_client.get(url, {"credential": kc.pk}).content.decode()
    assert len(re.findall(r'name="remote_id" value="', again)) == 3


# --- importing connectors that carry stored credentials -------------------------------------------
def made_elsewhere(sandbox, name: str, config: dict) -> None:
    body = {"name": name, "config": {"topics": "orders", **config}}
    answer = requests.post(f"{sandbox}/sandbox/kafka-connect/connectors", json=body, timeout=5)
    assert answer.status_code == 201, answer.text


def imported(owner_client, sandbox, kc, name: str, config: dict) -> Connector:
    """A connector made at the cluster with another tool, then imported here."""
    made_elsewhere(sandbox, name, config)
    url = reverse("connectors:import", args=["acme", "kafka-connect"])
    owner_client.post(url, {"credential": kc.pk, "remote_id": [name]})
    return Connector.objects.get(remote_id=name)


def test_an_imported_connector_is_linked_to_the_stored_credentials_it_carries(
    owner_client, sandbox, kc, aws, team, owner
):
    """A connector made elsewhere with the team's stored AWS pair, or a stored database login,
    in its configuration is linked to them when imported: the credential counts it as in use,
    refuses deletion for it, and flags it after a rotation. Only exact values link: the same
    key id with another secret does not."""
    login = stored_uri(
        team, owner, f"postgresql://loader:{KAFKA_CONNECT_PASSWORD}@db.internal/shop", "Shop DB"
    )
    s3 = {
        "connector.class": S3_SINK,
        "aws.access.key.id": "AKIA" + "K" * 16,
        "aws.s3.bucket.name": "acme-lake",
        "aws.s3.region": "eu-west-1",
    }
    made_elsewhere(sandbox, "lake-elsewhere", {**s3, "aws.secret.access.key": AWS_SECRET})
    made_elsewhere(sandbox, "lake-other-secret", {**s3, "aws.secret.access.key": TYPED})
    made_elsewhere(
        sandbox,
        "shop-elsewhere",
        {
            "connector.class": JDBC_SINK,
            "connection.url": "jdbc:postgresql://db.internal:5432/shop",
            "connection.user": "loader",
            "connection.password": KAFKA_CONNECT_PASSWORD,
        },
    )
    # The same login sent to another host is not that credential's copy (as a create checks).
    made_elsewhere(
        sandbox,
        "shop-other-host",
        {
            "connector.class": JDBC_SINK,
            "connection.url": "jdbc:postgresql://db.elsewhere:5432/shop",
            "connection.user": "loader",
            "connection.password": KAFKA_CONNECT_PASSWORD,
        },
    )
    url = reverse("connectors:import", args=["acme", "kafka-connect"])
    page = owner_client.get(url, {"credential": kc.pk}).content.decode()
    rows = {
        name: re.search(rf'value="{name}".*?</tr>', page, re.S).group(0)
        for name in ("lake-elsewhere", "lake-other-secret", "shop-elsewhere", "shop-other-host")
    }
    assert ">Lake</a>" in rows["lake-elsewhere"]
    assert ">Shop DB</a>" in rows["shop-elsewhere"]
    assert (
        ">Lake</a>" not in rows["lake-other-secret"] and ">none found<" in rows["lake-other-secret"]
    )

    assert ">none found<" in rows["shop-other-host"]

    owner_client.post(url, {"credential": kc.pk, "remote_id": list(rows)})
    assert Connector.objects.count() == 4
    lake = EmbeddedCredential.objects.get(credential=aws)
    assert lake.connector.remote_id == "lake-elsewhere" and lake.is_current
    assert lake.connector.context["embedded"][0]["credential"] == aws.pk
    shop = EmbeddedCredential.objects.get(credential=login)
    assert shop.connector.remote_id == "shop-elsewhere" and shop.slot == "login"
    assert EmbeddedCredential.objects.count() == 2

    # Delete protection and the credential's page cover the imported copy.
    assert aws.in_use()
    refused = owner_client.post(reverse("credentials:delete", args=["acme", aws.pk]), follow=True)
    assert "lake-elsewhere" in refused.content.decode()
    assert Credential.objects.filter(pk=aws.pk).exists()
    # A rotation flags it and is pushed: its only secret is the stored pair's, so what the
    # cluster holds can be sent again whole with the new one in it.
    lake_connector = Connector.objects.get(remote_id="lake-elsewhere")
    rotate(owner_client, aws)
    said = push(owner_client, aws)
    assert "pushed" in said
    assert at_cluster("lake-elsewhere")["aws.secret.access.key"] == as_kept(ROTATED)
    assert at_cluster("lake-elsewhere")["aws.s3.bucket.name"] == "acme-lake"
    assert EmbeddedCredential.objects.get(credential=aws).is_current
    for secret in (AWS_SECRET, TYPED, ROTATED, KAFKA_CONNECT_PASSWORD):
        assert secret not in page and secret not in said
        assert secret not in json.dumps(list(Connector.objects.values()), default=str)
        assert secret not in json.dumps(list(Attempt.objects.values()), default=str)
    # A reconfigure that types what the credential holds now keeps the link, current.
    url, properties = reconfigure_form(owner_client, lake_connector)
    typed = {"properties": json.dumps(properties)}
    typed["secret_properties"] = f"aws.secret.access.key={ROTATED}"
    assert owner_client.post(url, typed).status_code == 302
    assert at_cluster("lake-elsewhere")["aws.secret.access.key"] == as_kept(ROTATED)
    assert EmbeddedCredential.objects.get(credential=aws).is_current
    # An imported connector whose secrets are all a stored login's is reconfigured without
    # typing them: the login goes in from the credential.
    shop_connector = Connector.objects.get(remote_id="shop-elsewhere")
    url, properties = reconfigure_form(owner_client, shop_connector)
    assert "Needed:" not in owner_client.get(url).content.decode()
    properties["batch.size"] = "500"
    used = AuditEvent.objects.filter(action="credential.used", target_id=str(login.pk))
    before = used.count()
    assert owner_client.post(url, {"properties": json.dumps(properties)}).status_code == 302
    assert used.count() == before + 1  # its login went out from the credential
    shop_config = at_cluster("shop-elsewhere")
    assert shop_config["batch.size"] == "500"
    assert shop_config["connection.password"] == as_kept(KAFKA_CONNECT_PASSWORD)
    assert EmbeddedCredential.objects.get(credential=login).is_current
    # One not linked to any stored credential still asks for its secret.
    other = Connector.objects.get(remote_id="lake-other-secret")
    other_url, other_properties = reconfigure_form(owner_client, other)
    asked = owner_client.post(other_url, {"properties": json.dumps(other_properties)})
    assert "Needed: aws.secret.access.key, one key=value" in html.unescape(asked.content.decode())
    # One that types another value drops the link.
    url, properties = reconfigure_form(owner_client, shop_connector)
    typed = {"properties": json.dumps(properties)}
    typed["secret_properties"] = "connection.password=another-password-typed"
    assert owner_client.post(url, typed).status_code == 302
    assert not EmbeddedCredential.objects.filter(credential=login).exists()
    assert not login.in_use()


def test_a_stored_login_typed_over_in_an_imported_connector_s_first_reconfigure_is_not_used(
    owner_client, sandbox, kc, team, owner
):
    """The first reconfigure of an imported connector whose password is a stored login's, with
    another password typed: what goes out is the typed one, so the stored login is not recorded
    as used (nor its password handed out), and the link is dropped."""
    login = stored_uri(
        team, owner, f"postgresql://loader:{KAFKA_CONNECT_PASSWORD}@db.internal/shop", "Shop DB"
    )
    connector = imported(
        owner_client,
        sandbox,
        kc,
        "shop-typed-over",
        {
            "connector.class": JDBC_SINK,
            "connection.url": "jdbc:postgresql://db.internal:5432/shop",
            "connection.user": "loader",
            "connection.password": KAFKA_CONNECT_PASSWORD,
        },
    )
    assert EmbeddedCredential.objects.get().credential == login
    used = AuditEvent.objects.filter(action="credential.used", target_id=str(login.pk))
    before = used.count()
    url, properties = reconfigure_form(owner_client, connector)
    typed = {
        "properties": json.dumps(properties),
        "secret_properties": "connection.password=another-password-typed",
    }
    assert owner_client.post(url, typed).status_code == 302
    assert at_cluster("shop-typed-over")["connection.password"] == as_kept("another-password-typed")
    assert used.count() == before
    assert not EmbeddedCredential.objects.exists()


def test_an_imported_connector_with_a_secret_no_stored_credential_holds_is_not_pushed(
    owner_client, sandbox, kc, aws
):
    """Made elsewhere with the stored AWS pair and a secret of its own: a rotation of the pair
    cannot send the whole configuration back (that secret is masked and not known here), so
    nothing is sent; a reconfigure asks for that secret only, and then the push can go."""
    connector = imported(
        owner_client,
        sandbox,
        kc,
        "lake-with-jaas",
        {
            "connector.class": S3_SINK,
            "aws.access.key.id": "AKIA" + "K" * 16,
            "aws.secret.access.key": AWS_SECRET,
            "aws.s3.bucket.name": "acme-lake",
            "aws.s3.region": "eu-west-1",
            "sasl.jaas.config": "own-jaas-do-not-leak",
        },
    )
    assert EmbeddedCredential.objects.get().credential == aws
    rotate(owner_client, aws)
    said = push(owner_client, aws)
    assert "holds secrets that are not known here" in said
    # It says which: the one to give with the new secret in a reconfigure.
    assert "not known here: sasl.jaas.config (" in html.unescape(said)
    pushed = Submission.objects.get(action="push-rotated")
    assert pushed.outcome == "failed"
    assert [a.method for a in pushed.attempts.all()] == ["GET", "GET"]  # read, nothing sent
    assert at_cluster("lake-with-jaas")["aws.secret.access.key"] == as_kept(AWS_SECRET)
    assert not EmbeddedCredential.objects.get().is_current
    # The reconfigure asks for the one secret not stored here (the pair is outdated: the
    # rotated one is not put in by a reconfigure, which asks for it too).
    reconfigure, properties = reconfigure_form(owner_client, connector)
    # Said on the form before anything is sent, the field required.
    shown = html.unescape(owner_client.get(reconfigure).content.decode())
    assert "Needed: aws.secret.access.key, sasl.jaas.config, one key=value per line." in shown
    assert re.search(r'<textarea name="secret_properties"[^>]*required', shown)
    asked = owner_client.post(reconfigure, {"properties": json.dumps(properties)})
    said = html.unescape(asked.content.decode())
    # Sent without them, the form says again which are needed, and nothing is sent.
    assert "Needed: aws.secret.access.key, sasl.jaas.config, one key=value per line." in said
    assert re.search(r'<textarea name="secret_properties"[^>]*required', said)
    assert not Submission.objects.filter(action="reconfigure").exists()
    # With one of them, the other is asked for by name, nothing sent.
    asked = owner_client.post(
        reconfigure,
        {
            "properties": json.dumps(properties),
            "secret_properties": "sasl.jaas.config=own-jaas-do-not-leak",
        },
    )
    said = html.unescape(asked.content.decode())
    assert "give aws.secret.access.key under Secret properties" in said
    assert "Needed: aws.secret.access.key, sasl.jaas.config" in said
    lines = f"sasl.jaas.config=own-jaas-do-not-leak\naws.secret.access.key={ROTATED}"
    used = AuditEvent.objects.filter(action="credential.used", target_id=str(aws.pk))
    before = used.count()
    done = owner_client.post(
        reconfigure, {"properties": json.dumps(properties), "secret_properties": lines}
    )
    assert done.status_code == 302
    assert used.count() == before  # what went out was typed, not taken from the credential
    assert at_cluster("lake-with-jaas")["aws.secret.access.key"] == as_kept(ROTATED)
    assert EmbeddedCredential.objects.get().is_current
    for secret in (AWS_SECRET, ROTATED, "own-jaas-do-not-leak"):
        assert secret not in said
        assert secret not in json.dumps(list(Attempt.objects.values()), default=str)


def test_an_imported_connector_moved_to_another_host_does_not_get_the_stored_login(
    owner_client, sandbox, kc, team, owner
):
    """An imported JDBC sink is linked to a stored login only at that login's own host. Moved
    to another host at the cluster (with the password that host takes), a reconfigure does not
    fill in the stored login's password for it: the stored login is sent to its own host only,
    so the password there is asked for."""
    login = stored_uri(
        team, owner, "postgresql://loader:stored-login-pw-do-not-leak@db.internal/shop", "Shop DB"
    )
    connector = imported(
        owner_client,
        sandbox,
        kc,
        "shop-moving",
        {
            "connector.class": JDBC_SINK,
            "connection.url": "jdbc:postgresql://db.internal:5432/shop",
            "connection.user": "loader",
            "connection.password": "stored-login-pw-do-not-leak",
        },
    )
    assert EmbeddedCredential.objects.get().credential == login
    # At the cluster, the connector now writes to another database, with that one's password.
    moved = {
        **read_at_cluster(sandbox, "shop-moving"),
        "connection.url": "jdbc:postgresql://db.elsewhere.example:5432/shop",
        "connection.password": "elsewhere-pw-do-not-leak",
    }
    change_at_cluster(sandbox, "shop-moving", moved)
    owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    reconfigure, properties = reconfigure_form(owner_client, connector)
    assert properties["connection.url"] == "jdbc:postgresql://db.elsewhere.example:5432/shop"
    properties["batch.size"] = "500"
    answer = owner_client.post(reconfigure, {"properties": json.dumps(properties)})
    said = html.unescape(answer.content.decode())
    held = at_cluster("shop-moving")
    assert held["connection.password"] != as_kept("stored-login-pw-do-not-leak")
    assert "Needed: connection.password, one key=value per line." in said
    # Sent with another secret only, the stored login is still not filled in for that host.
    answer = owner_client.post(
        reconfigure,
        {"properties": json.dumps(properties), "secret_properties": "sasl.jaas.config=x"},
    )
    said = html.unescape(answer.content.decode())
    assert "give connection.password under Secret properties" in said
    assert at_cluster("shop-moving") == held
    for secret in ("stored-login-pw-do-not-leak", "elsewhere-pw-do-not-leak"):
        assert secret not in said
        assert secret not in json.dumps(list(Attempt.objects.values()), default=str)


def test_a_connector_moved_to_another_host_at_the_cluster_is_not_sent_the_stored_login(
    owner_client, sandbox, kc, team, owner
):
    """Made here with a stored login; at the cluster, someone points it at another database with
    that one's password. A reconfigure does not send the stored password after it: it says the
    login stays with its own host, and nothing is sent."""
    uri = stored_uri(team, owner, "postgresql://reader:bound-pw-do-not-leak@db.example.com/shop")
    form = jdbc_sink(kc, uri, "shop-bound")
    assert "Connector created" in create(owner_client, "kafka-connect", form)
    connector = Connector.objects.get()
    moved = {
        **read_at_cluster(sandbox, "shop-bound"),
        "connection.url": "jdbc:postgresql://db.elsewhere.example:5432/shop",
        "connection.password": "elsewhere-pw-do-not-leak",
    }
    change_at_cluster(sandbox, "shop-bound", moved)
    owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    reconfigure, properties = reconfigure_form(owner_client, connector)
    properties["batch.size"] = "500"
    answer = owner_client.post(reconfigure, {"properties": json.dumps(properties)})
    said = html.unescape(answer.content.decode())
    assert (
        "connection.url stays db.example.com (the cluster names db.elsewhere.example now): "
        "the stored database login is sent to its own host only." in said
    )
    held = at_cluster("shop-bound")
    assert held["connection.password"] == as_kept("elsewhere-pw-do-not-leak")
    assert "batch.size" not in held  # nothing was sent
    # Pointed back at its own host, it goes, with the stored login.
    properties["connection.url"] = "jdbc:postgresql://db.example.com:5432/shop"
    assert owner_client.post(reconfigure, {"properties": json.dumps(properties)}).status_code == 302
    assert at_cluster("shop-bound")["connection.password"] == as_kept("bound-pw-do-not-leak")
    for secret in ("bound-pw-do-not-leak", "elsewhere-pw-do-not-leak"):
        assert secret not in said
        assert secret not in json.dumps(list(Attempt.objects.values()), default=str)


def test_a_secret_typed_under_a_plain_name_changed_at_the_cluster_is_never_stored(
    owner_client, sandbox, kc
):
    """A secret typed under Secret properties is masked by its name in every answer about the
    connector, whatever the name looks like: changed at the cluster to a value never seen here,
    a refresh does not store it in clear (in the record or the exchange)."""
    from .test_kafka import MONGO_URI, mongo_form

    form = mongo_form(kc, secret_properties="team.handshake=typed-handshake-do-not-leak")
    assert "Connector created" in create(owner_client, "kafka-connect", form)
    connector = Connector.objects.get()
    changed = {
        **read_at_cluster(sandbox, "orders-cdc"),
        "team.handshake": "changed-handshake-do-not-leak",
    }
    change_at_cluster(sandbox, "orders-cdc", changed)
    page = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    ).content.decode()
    connector.refresh_from_db()
    assert connector.record["config"]["team.handshake"] == "[redacted]"
    detail = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk]))
    stored = json.dumps(list(Attempt.objects.values()), default=str) + json.dumps(
        list(Connector.objects.values()), default=str
    )
    for secret in ("typed-handshake-do-not-leak", "changed-handshake-do-not-leak", MONGO_URI):
        assert secret not in stored
        assert secret not in page + detail.content.decode()


def test_a_secret_typed_under_a_plain_name_is_not_stored_by_the_lookup_of_a_lost_create(
    owner_client, sandbox, kc, fault, tasks
):
    """A create whose answer was lost is looked for afterwards: the connector found, its record
    and the lookup's exchanges mask the secret typed under a plain name, as a refresh does."""
    from .test_kafka import MONGO_URI, mongo_form

    fault("slow", provider="kafkaconnect", delay_ms=0)  # the validation passes
    fault("late", provider="kafkaconnect")  # the create is applied, its answer lost
    form = mongo_form(kc, secret_properties="team.handshake=typed-handshake-do-not-leak")
    create(owner_client, "kafka-connect", form)
    lost = Submission.objects.get(action="create")
    assert lost.reconciliation == "pending" and not Connector.objects.exists()
    tasks.run("reconcile_create")
    lost.refresh_from_db()
    assert lost.reconciliation == "found"
    connector = Connector.objects.get()
    assert connector.record["config"]["team.handshake"] == "[redacted]"
    detail = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk]))
    stored = json.dumps(list(Attempt.objects.values()), default=str) + json.dumps(
        list(Connector.objects.values()), default=str
    )
    for secret in ("typed-handshake-do-not-leak", MONGO_URI):
        assert secret not in stored
        assert secret not in detail.content.decode()
