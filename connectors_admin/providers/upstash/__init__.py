"""Upstash's hosted Kafka connectors (providers.md §4), built completely although the service is
retired: compatible endpoints can be configured (UPSTASH_API_URL) and the sandbox serves it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator

from connectors_admin.providers.base import (
    DELETE,
    Action,
    ActionResult,
    Provider,
    ProviderError,
    Target,
)
from connectors_admin.providers.kafka import records
from connectors_admin.providers.kafka.actions import RECONFIGURE
from connectors_admin.providers.kafka.catalogue import SECRET_KEYS
from connectors_admin.providers.kafka.forms import KafkaConnectorForm, KafkaTemplate

from .client import CLUSTER_ID, UpstashClient, UpstashCredentialForm

STATES = ("pending", "running", "paused", "failed")


def cluster_id_field(help_text: str) -> forms.CharField:
    return forms.CharField(
        label="Cluster id",
        max_length=36,
        validators=[
            RegexValidator(CLUSTER_ID, "A UUID, such as 7568431c-88d5-4409-a808-2167f22a7133.")
        ],
        help_text=help_text,
    )


class UpstashConnectorForm(KafkaConnectorForm):
    cluster_id = cluster_id_field(
        "The Kafka cluster's id in the Upstash console (a UUID). It cannot be changed later."
    )

    def head_fields(self) -> list[str]:
        return ["connector_class", "cluster_id", "name"]

    def provider_data(self) -> dict[str, Any]:
        return {**super().provider_data(), "cluster_id": self.cleaned_data["cluster_id"].lower()}

    def record_context(self) -> dict[str, Any]:
        return {**super().record_context(), "cluster_id": self.cleaned_data["cluster_id"].lower()}

    def identity(self) -> dict[str, Any]:
        return {**super().identity(), "cluster_id": self.cleaned_data["cluster_id"].lower()}


class ClusterForm(forms.Form):
    cluster_id = cluster_id_field(
        "The Kafka cluster whose connectors to list (a UUID from the Upstash console)."
    )

    def clean_cluster_id(self) -> str:
        return self.cleaned_data["cluster_id"].lower()


def _refresh(client: UpstashClient, target: Target) -> ActionResult:
    record = client.refresh(target.remote_id, target.context)
    if record.status == "failed":
        error = record.summary.get("Error") or "Upstash gives no reason."
        return ActionResult(ok=False, message=f"The connector failed: {error}", record=record)
    tasks = record.summary.get("Tasks")
    problem = records.first_failure(tasks) if isinstance(tasks, list) else ""
    return ActionResult(ok=not problem, message=problem, record=record)


def _act(verb: str):
    def perform(client: UpstashClient, target: Target) -> ActionResult:
        client.act(target.remote_id, verb)
        try:
            return ActionResult(record=client.refresh(target.remote_id, target.context))
        except ProviderError as error:
            # Done (Upstash answered "OK"), but not read back: not said failed, and the state
            # it left is not shown as its state. No status yet is one the background follows.
            return ActionResult(
                status="",
                message="Upstash accepted it, but its state could not be read yet; it is "
                f"followed in the background. {error.message}",
            )

    return perform


REFRESH = Action(
    "refresh",
    "Refresh status",
    _refresh,
    done="Refreshed from {provider} just now.",
    audit="connector.refreshed",
)
PAUSE = Action(
    "pause",
    "Pause",
    _act("pause"),
    changes_remote=True,
    states=frozenset({"running"}),
    done="Paused.",
)
START = Action(
    "start",
    "Start",
    _act("start"),
    changes_remote=True,
    states=frozenset({"paused"}),
    done="Started.",
)
RESTART = Action(
    "restart",
    "Restart",
    _act("restart"),
    changes_remote=True,
    states=frozenset({"running", "failed"}),
    done="Restarted.",
)

CONNECTOR = KafkaTemplate(
    slug="upstash-kafka",
    label="Upstash: Kafka connector",
    description="A connector on an Upstash Kafka cluster (hosted connectors, retired in 2024).",
    form_class=UpstashConnectorForm,
    provider_slug="upstash",
    short_label="Kafka connector",
    actions=(REFRESH, PAUSE, START, RESTART, RECONFIGURE, DELETE),
    secret_keys=SECRET_KEYS,
    pushes_secrets=True,
    imports=ClusterForm,
)

PROVIDER = Provider(
    slug="upstash",
    label="Upstash",
    description="Kafka connectors on Upstash's hosted Kafka, through its developer API.",
    notice=(
        "Upstash retired hosted Kafka connectors in October 2024 and Kafka itself in March 2025: "
        "this template reaches only an endpoint your operators point UPSTASH_API_URL at (and the "
        "sandbox). For a cluster you run yourself, use the Kafka Connect template: same "
        "connectors, the standard REST API."
    ),
    credential_form=UpstashCredentialForm,
    templates=(CONNECTOR,),
    client_class=UpstashClient,
    transitional_states=frozenset({"pending", ""}),
    statuses=STATES,
    failing_statuses=frozenset({"failed"}),
)
