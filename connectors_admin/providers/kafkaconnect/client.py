"""The standard Kafka Connect REST API — providers.md §4.10.

A cluster is picked from the ones operators list in KAFKA_CONNECT_CLUSTERS (never typed), with
an optional Basic auth user and password. The connector's name is its key. A configuration is
validated before it is created, and each of the validator's errors is said next to its field.
Writes that Kafka Connect refuses for a moment (a 409 during a rebalance) are retried.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings

from connectors_admin.providers.base import (
    Call,
    CheckResult,
    ConnectorTemplate,
    CredentialForm,
    Exchange,
    Instances,
    ProviderClient,
    ProviderError,
    RemoteRecord,
)
from connectors_admin.providers.embedding import value_digests
from connectors_admin.providers.http import is_web_page
from connectors_admin.providers.kafka import records
from connectors_admin.providers.kafka.catalogue import CLASS_KEY, Property

INSTANCES = Instances(setting="KAFKA_CONNECT_CLUSTERS", sandbox_path="/sandbox/kafka-connect")
REBALANCE_TRIES = 4
ALREADY_EXISTS = re.compile(r"already exists", re.I)
# Its own 404 on a connector, in the words of the herder call behind the endpoint (Apache
# Kafka's AbstractHerder and DistributedHerder): "Connector NAME not found" (info, config,
# delete), "No status found for connector NAME" (status), "Unknown connector NAME" (pause,
# resume, stop) and "Unknown connector: NAME" (restarts).
NOT_FOUND = re.compile(
    r"^(Connector .+ not found|No status found for connector .+|Unknown connector:? .+)", re.S
)
# "Missing required configuration "x" which…" / "Invalid value v for configuration x: …", never
# the header above them ("Connector configuration is invalid and contains…" names no property).
NAMED_KEY = re.compile(r'(?:for|required) configuration "?([A-Za-z0-9_.+-]+)"?[ :]')
SETTLE_POLLS = 1  # status reads again after a pause/resume/stop, 0.3 s later


class KafkaConnectCredentialForm(CredentialForm):
    secret_fields = ("password",)
    place_fields = ("cluster",)

    cluster = forms.ChoiceField(
        label="Cluster",
        choices=INSTANCES.choices,
        help_text="The Kafka Connect clusters your operators listed (KAFKA_CONNECT_CLUSTERS).",
    )
    username = forms.CharField(
        label="User",
        required=False,
        max_length=200,
        help_text="Only if the cluster's REST API asks for Basic auth.",
    )
    password = forms.CharField(
        label="Password",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and not self.current("username"):
            if "username" in self.fields:
                self.add_error("username", "A password needs the user it belongs to.")
            else:  # rotating: the user is not asked for here
                self.add_error(
                    "password",
                    "This credential has no user, and a password needs one: edit the "
                    "credential to set its user first.",
                )
        return cleaned


def field_for_key(key: str) -> str:
    """The form field for a property key (the catalogue's naming)."""
    return {"name": "name", CLASS_KEY: "connector_class", "tasks.max": "tasks_max"}.get(
        key, Property(key, key).field_name
    )


class KafkaConnectClient(records.MaskedAnswers, ProviderClient):
    label = "Kafka Connect"
    says_gone = True

    def auth(self):
        user = str(self.public.get("username") or "")
        return (user, self.secrets.get("password", "")) if user else None

    def curl_user(self) -> str | None:
        user = str(self.public.get("username") or "")
        return f"{user}:$KAFKA_CONNECT_PASSWORD" if user else None

    def base(self) -> str:
        return INSTANCES.url(str(self.public.get("cluster", "")), self.label)

    def url(self, path: str) -> str:
        return f"{self.base()}/{path}"

    def connector_url(self, name: str, tail: str = "") -> str:
        return self.url(f"connectors/{quote(name, safe='')}" + (f"/{tail}" if tail else ""))

    # --- errors: {"error_code": n, "message": "…"} -------------------------------------------------
    def error_details(self, exchange: Exchange) -> tuple[str, dict[str, str]]:
        try:
            body = exchange.json()
        except ValueError:
            return self.plain_text_said(exchange), {}
        if not isinstance(body, dict) or not isinstance(body.get("message"), str):
            return "", {}
        message = body["message"]
        fields: dict[str, str] = {}
        for line in message.splitlines():
            found = NAMED_KEY.search(line)
            if found:
                fields.setdefault(field_for_key(found.group(1)), line.strip())
        if exchange.status == 409 and ALREADY_EXISTS.search(message):
            fields["name"] = (
                "A connector with this name already exists on the cluster. Pick another name, "
                "or use that one: open it if it is recorded here, import it if not."
            )
        return message, fields

    def says_not_found(self, exchange: Exchange) -> bool:
        """Is this Kafka Connect's own answer that the connector does not exist? Not a proxy's
        404 page, nor a 404 for a path the worker does not serve (a wrong address)."""
        if exchange.status != 404 or is_web_page(exchange):
            return False
        try:
            body = exchange.json()
        except ValueError:
            return False
        return (
            isinstance(body, dict)
            and body.get("error_code") == 404
            and isinstance(body.get("message"), str)
            and bool(NOT_FOUND.match(body["message"]))
        )

    def raise_for(self, exchange: Exchange, name: str) -> None:
        """A failed exchange about connector `name` as its error; "not found" says it is gone."""
        if self.says_not_found(exchange):
            raise self.gone(exchange, f"the connector “{name}”")
        self.accepted(exchange)

    def error_for_status(self, exchange: Exchange) -> ProviderError:
        error = super().error_for_status(exchange)
        if exchange.status == 409 and ALREADY_EXISTS.search(exchange.text):
            error.kind = "exists"  # the create page offers to import it
        return error

    def send(self, call: Call) -> Exchange:
        """A 409 that is not "already exists" means the cluster is rebalancing or its config is
        stale for a moment: nothing was applied, so the same call is sent again, with backoff."""
        for attempt in range(REBALANCE_TRIES):
            exchange = super().send(call)
            if exchange.status != 409 or attempt == REBALANCE_TRIES - 1:
                return exchange
            message, _ = self.error_details(exchange)
            if ALREADY_EXISTS.search(message):
                return exchange
            time.sleep(settings.PROVIDER_RETRY_BACKOFF * 2**attempt)
        return exchange

    # --- credential check: GET / ---------------------------------------------------------------------
    def check_call(self) -> Call:
        return Call("GET", self.url(""))

    def check(self) -> CheckResult:
        try:
            exchange = self.send_retrying(self.check_call())  # a read: tried again on a 5xx
            body = self.expect_json(exchange)
        except ProviderError as error:
            return CheckResult(False, error.message, error.kind)
        if not isinstance(body, dict) or "version" not in body:
            return CheckResult(
                False, "This answered, but not as a Kafka Connect REST API does.", "bad_response"
            )
        return CheckResult(
            True,
            f"Kafka Connect {body.get('version')} answered; Kafka cluster id "
            f"{body.get('kafka_cluster_id') or 'not given'}.",
        )

    # --- create --------------------------------------------------------------------------------------
    def validate_create(self, template: ConnectorTemplate, data: dict[str, Any]) -> None:
        """PUT …/config/validate answers 200 even when the configuration is invalid: each
        `configs[].value.errors` entry is said on its field."""
        properties = data["properties"]
        plugin = quote(properties[CLASS_KEY], safe="")
        call = Call(
            "PUT",
            self.url(f"connector-plugins/{plugin}/config/validate"),
            json={**properties, "name": data["name"]},
            headers={"Content-Type": "application/json"},
            redact=data.get("secret_values", []),
            read_only=True,  # validating creates nothing
        )
        exchange = self.send(call)
        body = self.expect_json(exchange)
        if not isinstance(body, dict) or not isinstance(body.get("configs"), list):
            raise self.unexpected_shape(exchange, "a Kafka Connect validation result")
        if not body.get("error_count"):
            return
        fields: dict[str, str] = {}
        said: list[str] = []
        for config in body["configs"]:
            value = config.get("value") if isinstance(config, dict) else None
            if not isinstance(value, dict) or not value.get("errors"):
                continue
            key = str(value.get("name") or "")
            errors = value["errors"] if isinstance(value["errors"], list) else [value["errors"]]
            text = self.redactor.text(" ".join(str(e) for e in errors))
            fields[field_for_key(key)] = text
            said.append(f"{key}: {text}")
        count = body["error_count"]
        raise ProviderError(
            f"Kafka Connect found {count} problem{'s' if count != 1 else ''} in this "
            f"configuration; nothing was created. {' '.join(said)}".strip(),
            status=exchange.status,
            field_errors=fields,
        )

    def build_create(
        self, template: ConnectorTemplate, data: dict[str, Any], *, idempotency_key: str = ""
    ) -> Call:
        return Call(
            "POST",
            self.url("connectors"),
            json={"name": data["name"], "config": data["properties"]},
            headers={"Content-Type": "application/json"},
            redact=data.get("secret_values", []),
        )

    def read_create(self, template: ConnectorTemplate, exchange: Exchange) -> RemoteRecord:
        body = self.expect_json(exchange)
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise self.unexpected_shape(exchange, "a Kafka Connect connector")
        return self.record(body, {"connector": {"state": "UNASSIGNED"}, "tasks": []})

    # --- reading ---------------------------------------------------------------------------------------
    def record(self, info: dict[str, Any], status: dict[str, Any]) -> RemoteRecord:
        config = info.get("config") if isinstance(info.get("config"), dict) else {}
        self.learn_secrets(config)
        connector = status.get("connector") if isinstance(status.get("connector"), dict) else {}
        state = str(connector.get("state") or "UNASSIGNED")
        tasks = records.tasks(status.get("tasks"))
        if connector.get("trace"):
            trace = str(connector["trace"])
            tasks.insert(0, {"label": "Connector", "state": state, "detail": trace})
        summary = {
            "Name": info["name"],
            "Connector class": records.class_name(config.get(CLASS_KEY)),
            "Type": str(info.get("type") or status.get("type") or "—"),
            "Worker": str(connector.get("worker_id") or "—"),
            "Tasks": tasks or "none yet",
            "Topics": config.get("topics") or "—",
        }
        raw = {**info, "config": records.masked(config, self.secret_keys), "status": status}
        return RemoteRecord(
            remote_id=info["name"],
            status=state,
            title=info["name"],
            summary=summary,
            raw=raw,
            digests=value_digests(config),
        )

    def read(self, name: str) -> RemoteRecord:
        # The configuration first: its secrets are then masked in the status's traces too.
        info_exchange = self.get(self.connector_url(name))
        self.raise_for(info_exchange, name)
        info = self.expect_json(info_exchange)
        if not isinstance(info, dict) or not isinstance(info.get("name"), str):
            raise self.unexpected_shape(info_exchange, "a Kafka Connect connector")
        status_exchange = self.get(self.connector_url(name, "status"))
        self.raise_for(status_exchange, name)
        status = self.expect_json(status_exchange)
        if not isinstance(status, dict) or not isinstance(status.get("connector"), dict):
            raise self.unexpected_shape(status_exchange, "a Kafka Connect connector status")
        return self.record(info, status)

    def refresh(self, remote_id: str, context: dict[str, Any]) -> RemoteRecord:
        return self.read(remote_id)

    def find_created(
        self, template: ConnectorTemplate, identity: dict[str, Any]
    ) -> RemoteRecord | None:
        """The name is the key: the connector of that name, if it has the class sent."""
        exchange = self.get(self.connector_url(identity["name"]))
        if self.says_not_found(exchange):
            return None
        info = self.expect_json(exchange)
        config = info.get("config") if isinstance(info, dict) else None
        if not isinstance(config, dict) or config.get(CLASS_KEY) != identity["connector_class"]:
            return None
        return self.read(identity["name"])

    def list_existing(
        self, template: ConnectorTemplate, inputs: dict[str, Any]
    ) -> list[RemoteRecord]:
        exchange = self.get(self.url("connectors?expand=status&expand=info"))
        body = self.expect_json(exchange)
        if not isinstance(body, dict):
            raise self.unexpected_shape(exchange, "Kafka Connect's expanded connector list")
        found = []
        self.learn_secrets(body)
        for name, entry in sorted(body.items()):
            info = entry.get("info") if isinstance(entry, dict) else None
            status = entry.get("status") if isinstance(entry, dict) else None
            if not isinstance(info, dict) or not isinstance(status, dict):
                # Expanded, every entry has both: one without is not skipped unsaid (the page
                # would show a list with connectors missing from it).
                raise self.unexpected_shape(exchange, "Kafka Connect's expanded connector list")
            found.append(self.record({**info, "name": name}, status))
        return found

    # --- changing ----------------------------------------------------------------------------------------
    def update_configuration(
        self, remote_id: str, context: dict[str, Any], configuration: dict[str, Any]
    ) -> RemoteRecord:
        """PUT …/config replaces the map, and would create the connector anew were it deleted
        meanwhile: it is looked for first."""
        exchange = self.get(self.connector_url(remote_id))
        if exchange.status == 404:
            raise ProviderError(
                f"Kafka Connect has no connector “{remote_id}” any more (deleted elsewhere?): "
                "nothing was changed. Refresh its status to record that it is gone."
            )
        if exchange.error:
            raise exchange.error
        call = Call(
            "PUT",
            self.connector_url(remote_id, "config"),
            json=configuration,
            headers={"Content-Type": "application/json"},
        )
        self.accepted(self.send(call))
        return self.read(remote_id)

    def request_state(self, name: str, verb: str) -> None:
        """PUT pause / resume / stop: 202, acted on a moment later (raises if refused)."""
        self.raise_for(self.send(Call("PUT", self.connector_url(name, verb))), name)

    def read_until(self, name: str, target: str) -> RemoteRecord:
        """The status after a pause / resume / stop, read once more after a short wait if it
        does not show yet; the background follows it from there."""
        record = self.read(name)
        for _ in range(SETTLE_POLLS):
            if record.status == target:
                break
            time.sleep(0.3)
            record = self.read(name)
        return record

    def request_restart(self, name: str) -> None:
        call = Call("POST", self.connector_url(name, "restart") + "?includeTasks=true")
        self.raise_for(self.send(call), name)

    # ConnectorsResource#destroyConnector returns nothing: 204 (§4.10). Any other 2xx is not the
    # worker's word that the connector went, and it is read back before it is said deleted.
    documented_delete = "204 No Content"

    def delete_answer_documented(self, exchange: Exchange) -> bool:
        return exchange.status == 204

    def delete(self, remote_id: str, context: dict[str, Any]) -> Exchange:
        # Already gone only on its own "Connector X not found" (says_not_found): the JSON 404 a
        # worker gives a path it does not serve ("HTTP 404 Not Found") says nothing of it.
        exchange = self.send_delete(self.connector_url(remote_id))
        return self.confirmed_deleted(remote_id, context, exchange)
