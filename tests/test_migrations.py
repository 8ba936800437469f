"""Data migrations, run forwards from the migration before them on real tables."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("connectors", "0008_scheduled_refresh_queue")]
AFTER = [("connectors", "0010_connector_recorded_once")]


@pytest.fixture(autouse=True)
def latest_schema_afterwards():
    """Each test leaves the tables as every migration makes them: the tests that run after it
    in this process see today's schema, not the one a test migrated back to."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_connector_recorded_twice_keeps_its_newest_record_live(team, owner, credential):
    apps = migrate(BEFORE)
    Connector = apps.get_model("connectors", "Connector")
    row = {
        "team_id": team.pk,
        "credential_id": credential.pk,
        "provider": "kafkaconnect",
        "template": "kafka-connect",
    }
    older = Connector.objects.create(**row, remote_id="orders", secret_config="kept")
    newest = Connector.objects.create(**row, remote_id="orders")
    Connector.objects.filter(pk=older.pk).update(created_at="2026-01-01T00:00Z")
    other = Connector.objects.create(**row, remote_id="invoices")
    gone = Connector.objects.create(**row, remote_id="invoices", deleted_at="2026-01-01T00:00Z")

    apps = migrate(AFTER)

    Connector = apps.get_model("connectors", "Connector")
    live = set(Connector.objects.filter(deleted_at=None).values_list("pk", flat=True))
    assert live == {newest.pk, other.pk}
    closed = Connector.objects.get(pk=older.pk)  # closed, not removed: its history stays
    assert closed.secret_config == "kept" and str(newest.pk) in closed.last_error
    assert Connector.objects.filter(pk=gone.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_connection_uris_stored_before_lose_their_hint_and_keep_the_rest(team):
    apps = migrate([("credentials", "0002_alter_credential_secret_ciphertext")])
    Credential = apps.get_model("credentials", "Credential")
    hint = {"uri": {"last4": "4dor", "fingerprint": "f1"}}
    uri = Credential.objects.create(team_id=team.pk, kind="uri", label="DB", secret_hints=hint)
    aws = Credential.objects.create(team_id=team.pk, kind="aws", label="AWS", secret_hints=hint)

    apps = migrate([("credentials", "0003_forget_uri_hints")])

    Credential = apps.get_model("credentials", "Credential")
    assert Credential.objects.get(pk=uri.pk).secret_hints == {
        "uri": {"last4": "", "fingerprint": "f1"}
    }
    assert Credential.objects.get(pk=aws.pk).secret_hints == hint


@pytest.mark.django_db(transaction=True)
def test_records_closed_as_deleted_say_deleted(team, credential):
    apps = migrate(AFTER)
    Connector = apps.get_model("connectors", "Connector")
    row = {"team_id": team.pk, "credential_id": credential.pk, "provider": "mixpanel"}
    closed = Connector.objects.create(
        **row, template="mixpanel-s3", remote_id="a", remote_status="active",
        deleted_at="2026-01-01T00:00Z",
    )  # fmt: skip
    live = Connector.objects.create(
        **row, template="mixpanel-s3", remote_id="b", remote_status="active"
    )

    apps = migrate([("connectors", "0011_deleted_records_say_deleted")])

    Connector = apps.get_model("connectors", "Connector")
    assert Connector.objects.get(pk=closed.pk).remote_status == "deleted"
    assert Connector.objects.get(pk=live.pk).remote_status == "active"


@pytest.mark.django_db(transaction=True)
def test_summaries_lose_the_status_copy_they_held(team, credential):
    apps = migrate([("connectors", "0011_deleted_records_say_deleted")])
    Connector = apps.get_model("connectors", "Connector")
    row = {"team_id": team.pk, "credential_id": credential.pk, "provider": "mixpanel"}
    old = Connector.objects.create(
        **row, template="mixpanel-s3", remote_id="a", summary={"Bucket": "b", "Status": "active"}
    )
    new = Connector.objects.create(
        **row, template="mixpanel-s3", remote_id="c", summary={"Bucket": "c"}
    )
    kafka = Connector.objects.create(
        **row, template="kafka-connect", remote_id="k", summary={"Name": "k", "State": "RUNNING"}
    )

    apps = migrate([("connectors", "0012_summaries_without_status")])

    Connector = apps.get_model("connectors", "Connector")
    assert Connector.objects.get(pk=old.pk).summary == {"Bucket": "b"}
    assert Connector.objects.get(pk=new.pk).summary == {"Bucket": "c"}
    assert Connector.objects.get(pk=kafka.pk).summary == {"Name": "k"}


@pytest.mark.django_db(transaction=True)
def test_teams_with_a_create_lost_this_week_keep_their_panel(team, owner, credential):
    from datetime import timedelta

    from django.utils import timezone

    from connectors_admin.accounts.models import Team

    apps = migrate(
        [("connectors", "0013_lookup_task_queued"), ("accounts", "0003_team_requires_two_factor")]
    )
    Submission = apps.get_model("connectors", "Submission")
    row = {"team_id": team.pk, "provider": "mixpanel", "template": "mixpanel-s3"}
    made = timezone.now() - timedelta(days=2)
    lost = Submission.objects.create(**row, action="create", reconciliation="pending")
    Submission.objects.filter(pk=lost.pk).update(created_at=made)
    old = Submission.objects.create(**row, action="create", reconciliation="unknown")
    Submission.objects.filter(pk=old.pk).update(created_at=made - timedelta(days=30))
    quiet = apps.get_model("accounts", "Team").objects.create(slug="quiet", name="Quiet")
    Submission.objects.create(**{**row, "team_id": quiet.pk}, action="create")  # answered

    migrate([("connectors", "0014_teams_lost_answers_until")])

    team.refresh_from_db()
    assert abs(team.lost_answers_until - (made + timedelta(days=7))) < timedelta(seconds=1)
    assert Team.objects.get(pk=quiet.pk).lost_answers_until is None


@pytest.mark.django_db(transaction=True)
def test_kafka_sandbox_rows_kept_before_have_their_secrets_sealed():
    from connectors_admin.sandbox import kafkaconnect, sealed, upstash

    apps = migrate([("sandbox", "0004_longer_remote_ids")])
    SandboxConnector = apps.get_model("sandbox", "SandboxConnector")
    config = {"connector.class": "x", "topics": "t", "connection.password": "old-pw-in-clear"}
    kc = SandboxConnector.objects.create(
        provider="kafkaconnect", remote_id="kafka-connect:a", data={"config": config}
    )
    bad = "postgres://app:old-uri-pw@db.example.net"
    up = SandboxConnector.objects.create(
        provider="upstash",
        remote_id="u-1",
        data={
            "properties": {"connector.class": "x", "connection.uri": bad},
            "state_error_message": f"Invalid value {bad} for configuration connection.uri",
        },
    )

    apps = migrate([("sandbox", "0005_seal_kafka_secrets")])

    SandboxConnector = apps.get_model("sandbox", "SandboxConnector")
    kc = SandboxConnector.objects.get(pk=kc.pk)
    up = SandboxConnector.objects.get(pk=up.pk)
    assert "old-pw-in-clear" not in str(kc.data) and "old-uri-pw" not in str(up.data)
    assert kc.data["config"]["connection.password"] == sealed.digest("old-pw-in-clear")
    assert kc.data["config"]["topics"] == "t"
    assert kafkaconnect.configuration(kc.data) == config  # still answered as it was sent
    assert upstash.properties_of(up.data)["connection.uri"] == bad
