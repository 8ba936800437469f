"""Kafka Connect: any cluster that speaks the standard REST API (providers.md §4.10), with the
same connector catalogue as the Upstash template."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from connectors_admin.providers.base import (
    DELETE,
    GONE,
    REFRESH,
    Action,
    ActionResult,
    Provider,
    ProviderError,
    Target,
)
from connectors_admin.providers.forms import NoInputs
from connectors_admin.providers.kafka import records
from connectors_admin.providers.kafka.actions import RECONFIGURE
from connectors_admin.providers.kafka.catalogue import SECRET_KEYS
from connectors_admin.providers.kafka.forms import KafkaConnectorForm, KafkaTemplate

from .client import INSTANCES, KafkaConnectClient, KafkaConnectCredentialForm

STATES = (
    "UNASSIGNED",
    "RUNNING",
    "PAUSED",
    "STOPPED",
    "FAILED",
    "RESTARTING",
    "PAUSING",
    "RESUMING",
    "STOPPING",
)


# While a pause, resume or stop (202) has not shown yet: our own states, followed in the
# background until the worker reports the target (or for SETTLE_FOR at most).
SETTLING = {"PAUSED": "PAUSING", "RUNNING": "RESUMING", "STOPPED": "STOPPING"}
SETTLE_FOR = timedelta(minutes=2)


def _said(record, **extra: Any) -> ActionResult:
    """The record, and its first failed part (a task's trace) as the problem to show."""
    tasks = record.summary.get("Tasks")
    problem = records.first_failure(tasks) if isinstance(tasks, list) else ""
    return ActionResult(ok=not problem, message=problem, record=record, **extra)


def _settling(record, target_state: str, since: datetime) -> ActionResult:
    if record.status == target_state or timezone.now() - since > SETTLE_FOR:
        return _said(record, context={"settling": None})
    return _said(
        record,
        status=SETTLING[target_state],
        context={"settling": {"target": target_state, "since": since.isoformat()}},
    )


def _refresh(client: KafkaConnectClient, target: Target) -> ActionResult:
    record = client.refresh(target.remote_id, target.context)
    settling = target.context.get("settling")
    if isinstance(settling, dict) and settling.get("target") in SETTLING:
        try:
            since = datetime.fromisoformat(str(settling.get("since")))
        except ValueError:
            since = timezone.now() - SETTLE_FOR
        return _settling(record, settling["target"], since)
    return _said(record)


def _not_read_back(status: str, error: ProviderError, **extra: Any) -> ActionResult:
    """Kafka Connect accepted the change, then its status could not be read: the change is
    not said failed, and the record says it is on its way (a state the background follows)
    rather than the state it is leaving. One whose answer says it is gone is gone."""
    if error.kind == GONE:
        raise error
    return ActionResult(
        status=status,
        message="Kafka Connect accepted it, but its status could not be read yet; it is "
        f"followed in the background. {error.message}",
        **extra,
    )


def _state_action(verb: str, target_state: str):
    def perform(client: KafkaConnectClient, target: Target) -> ActionResult:
        client.request_state(target.remote_id, verb)
        since = timezone.now()
        try:
            record = client.read_until(target.remote_id, target_state)
        except ProviderError as error:
            settling = {"target": target_state, "since": since.isoformat()}
            return _not_read_back(SETTLING[target_state], error, context={"settling": settling})
        return _settling(record, target_state, since)

    return perform


def _restart(client: KafkaConnectClient, target: Target) -> ActionResult:
    client.request_restart(target.remote_id)
    try:
        record = client.read(target.remote_id)
    except ProviderError as error:
        return _not_read_back("RESTARTING", error, context={"settling": None})
    return _said(record, context={"settling": None})


REFRESH_STATUS = Action(
    "refresh", "Refresh status", _refresh, done=REFRESH.done, audit="connector.refreshed"
)
PAUSE = Action(
    "pause",
    "Pause",
    _state_action("pause", "PAUSED"),
    changes_remote=True,
    states=frozenset({"RUNNING", "FAILED", "UNASSIGNED"}),
    done="Kafka Connect accepted the pause: its tasks take no records until it is resumed.",
)
RESUME = Action(
    "resume",
    "Resume",
    _state_action("resume", "RUNNING"),
    changes_remote=True,
    states=frozenset({"PAUSED", "STOPPED"}),
    done="Kafka Connect accepted the resume.",
)
STOP = Action(
    "stop",
    "Stop",
    _state_action("stop", "STOPPED"),
    changes_remote=True,
    states=frozenset({"RUNNING", "PAUSED", "FAILED"}),
    confirm="Stop this connector? Its tasks are shut down (not only paused) until it is resumed.",
    done="Kafka Connect accepted the stop.",
)
RESTART = Action(
    "restart",
    "Restart",
    _restart,
    changes_remote=True,
    states=frozenset({"RUNNING", "FAILED"}),
    done="Restart asked: the connector and its tasks start again.",
)


class KafkaConnectForm(KafkaConnectorForm):
    pass


CONNECTOR = KafkaTemplate(
    slug="kafka-connect",
    label="Kafka Connect: connector",
    description="Any Kafka Connect cluster (Confluent, Strimzi, Aiven, your own): MongoDB, "
    "Debezium, JDBC, S3, OpenSearch, HTTP, BigQuery and Snowflake connectors.",
    form_class=KafkaConnectForm,
    provider_slug="kafkaconnect",
    short_label="Connector",
    actions=(REFRESH_STATUS, PAUSE, RESUME, STOP, RESTART, RECONFIGURE, DELETE),
    secret_keys=SECRET_KEYS,
    pushes_secrets=True,
    imports=NoInputs,
)

PROVIDER = Provider(
    slug="kafkaconnect",
    label="Kafka Connect",
    description="Connectors on any Kafka Connect cluster your operators list, through its "
    "standard REST API. Where teams that used Upstash's connectors went.",
    notice="",
    credential_form=KafkaConnectCredentialForm,
    templates=(CONNECTOR,),
    client_class=KafkaConnectClient,
    empty_status="UNASSIGNED",
    transitional_states=frozenset({"UNASSIGNED", "RESTARTING", "", *SETTLING.values()}),
    instances=INSTANCES,
    statuses=STATES,
    failing_statuses=frozenset({"FAILED"}),
)
