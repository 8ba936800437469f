"""Data migrations, run forwards from the migration before them on real tables."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("connectors", "0008_scheduled_refresh_queue")]
AFTER = [("connectors", "0010_connector_recorded_once")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_connector_recorded_twice_is_merged_into_its_first_record(team, owner, credential):
    apps = migrate(BEFORE)
    Connector = apps.get_model("connectors", "Connector")
    Submission = apps.get_model("connectors", "Submission")
    row = {
        "team_id": team.pk,
        "credential_id": credential.pk,
        "provider": "videovector",
        "template": "videovector-s3",
    }
    first = Connector.objects.create(**row, remote_id="conn_1")
    second = Connector.objects.create(**row, remote_id="conn_1")
    other = Connector.objects.create(**row, remote_id="conn_2")
    gone = Connector.objects.create(**row, remote_id="conn_2", deleted_at="2026-01-01T00:00Z")
    for connector in (first, second, other):
        Submission.objects.create(
            team_id=team.pk, credential_id=credential.pk, provider="videovector",
            template="videovector-s3", connector_id=connector.pk,
        )  # fmt: skip

    apps = migrate(AFTER)

    Connector = apps.get_model("connectors", "Connector")
    Submission = apps.get_model("connectors", "Submission")
    assert set(Connector.objects.values_list("pk", flat=True)) == {first.pk, other.pk, gone.pk}
    assert Submission.objects.filter(connector_id=first.pk).count() == 2
    assert Submission.objects.filter(connector_id=other.pk).count() == 1
