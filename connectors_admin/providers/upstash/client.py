"""Upstash's hosted Kafka connectors — providers.md §4.3 to §4.9 (the Terraform client wins
where the docs disagree). HTTP Basic with the account email and a Management API key.

Answers echo a connector's properties in clear, secrets included: they are masked before
anything is stored or shown.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django import forms

from connectors_admin.providers.base import (
    Call,
    ConnectorTemplate,
    CredentialForm,
    Exchange,
    ProviderClient,
    ProviderError,
    RemoteRecord,
)
from connectors_admin.providers.embedding import value_digests
from connectors_admin.providers.http import is_web_page
from connectors_admin.providers.kafka import records

CLUSTER_ID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
CONNECTOR_ID = re.compile(r"^[A-Za-z0-9-]{1,100}$")


class UpstashCredentialForm(CredentialForm):
    secret_fields = ("api_key",)

    email = forms.EmailField(label="Account email")
    api_key = forms.CharField(
        label="Management API key",
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


def _time(value: Any) -> str:
    if not isinstance(value, int) or value <= 0:
        return "—"
    try:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):  # past any calendar
        return "—"


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class UpstashClient(records.MaskedAnswers, ProviderClient):
    label = "Upstash"

    def auth(self) -> tuple[str, str]:
        return (self.public.get("email", ""), self.secrets.get("api_key", ""))

    def curl_user(self) -> str:
        return f"{self.public.get('email', '')}:$UPSTASH_API_KEY"

    def url(self, path: str) -> str:
        return f"{self.base_url('UPSTASH_API_URL')}/v2/kafka/{path}"

    def check_call(self) -> Call:
        return Call("GET", self.url("clusters"))

    def check_answer_unlike(self, body: Any) -> str:
        listed = isinstance(body, list) and all(isinstance(c, dict) for c in body)
        return "" if listed else "Upstash's list of Kafka clusters"

    def error_details(self, exchange: Exchange) -> tuple[str, dict[str, str]]:
        try:
            body = exchange.json()
        except ValueError:
            return self.plain_text_said(exchange), {}
        if isinstance(body, dict):
            for key in ("error", "message"):
                if isinstance(body.get(key), str):
                    message = body[key]
                    fields = {}
                    if "already exists" in message:
                        fields["name"] = (
                            "A connector with this name already exists in the cluster. Pick "
                            "another name, or use that one: open it if it is recorded here, "
                            "import it if not."
                        )
                    elif "cluster" in message.lower():
                        fields["cluster_id"] = message
                    return message, fields
        return "", {}

    def error_for_status(self, exchange: Exchange) -> ProviderError:
        error = super().error_for_status(exchange)
        if exchange.status == 400 and "already exists" in exchange.text:
            error.kind = "exists"  # the create page offers to import it
        return error

    def _item_url(self, remote_id: str, tail: str = "") -> str:
        if not CONNECTOR_ID.match(remote_id):
            raise ProviderError(f"“{remote_id}” is not an Upstash connector id.")
        return self.url(f"connector/{remote_id}" + (f"/{tail}" if tail else ""))

    # --- create ----------------------------------------------------------------------------------
    def build_create(
        self, template: ConnectorTemplate, data: dict[str, Any], *, idempotency_key: str = ""
    ) -> Call:
        return Call(
            "POST",
            self.url("connector"),
            json={
                "name": data["name"],
                "cluster_id": data["cluster_id"],
                "properties": data["properties"],
            },
            headers={"Content-Type": "application/json"},
            redact=data.get("secret_values", []),
        )

    def read_create(self, template: ConnectorTemplate, exchange: Exchange) -> RemoteRecord:
        return self.read_item(exchange, self.expect_json(exchange))

    # --- reading ---------------------------------------------------------------------------------
    def read_item(self, exchange: Exchange, item: Any) -> RemoteRecord:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("connector_id"), str)
            and isinstance(item.get("state"), str)
        ):
            raise self.unexpected_shape(exchange, "an Upstash connector")
        self.learn_secrets(item.get("properties"))  # echoed in clear: known before anything is kept
        tasks = records.tasks(item.get("tasks"))
        summary = {
            "Connector id": item["connector_id"],
            "Name": str(item.get("name") or ""),
            "Cluster": str(item.get("cluster_id") or ""),
            "Connector class": records.class_name(item.get("connector_class")),
            "Connector state": str(item.get("connector_state") or "—"),
            "Error": self.redactor.text(str(item.get("state_error_message") or "")) or "—",
            "Tasks": tasks or "none yet",
            "Topics": ", ".join(str(t) for t in _listed(item.get("topics"))) or "—",
            "Created at": _time(item.get("creation_time")),
        }
        raw = dict(item)
        if "properties" in raw:
            raw["properties"] = records.masked(raw["properties"], self.secret_keys)
        for key in ("user_password", "properties_encrypted"):
            if key in raw:
                raw[key] = records.REDACTED
        return RemoteRecord(
            remote_id=item["connector_id"],
            status=item["state"],
            title=str(item.get("name") or item["connector_id"]),
            summary=summary,
            raw=raw,
            digests=value_digests(item.get("properties")),
        )

    def refresh(self, remote_id: str, context: dict[str, Any]) -> RemoteRecord:
        exchange = self.get(self._item_url(remote_id))
        return self.read_item(exchange, self.expect_json(exchange))

    def _list(self, cluster_id: str) -> tuple[Exchange, list[Any]]:
        if not CLUSTER_ID.match(str(cluster_id)):
            raise ProviderError("A cluster id is a UUID.", field_errors={"cluster_id": "A UUID."})
        exchange = self.get(self.url(f"connectors/{cluster_id}"))
        body = self.expect_json(exchange)
        if not isinstance(body, list):
            raise self.unexpected_shape(exchange, "Upstash's connector list")
        return exchange, body

    def find_created(
        self, template: ConnectorTemplate, identity: dict[str, Any]
    ) -> RemoteRecord | None:
        """Names are unique in a cluster: the listed connector with the name sent."""
        exchange, body = self._list(identity["cluster_id"])
        for item in body:
            if isinstance(item, dict) and item.get("name") == identity["name"]:
                return self.read_item(exchange, item)
        return None

    def list_existing(
        self, template: ConnectorTemplate, inputs: dict[str, Any]
    ) -> list[RemoteRecord]:
        exchange, body = self._list(inputs["cluster_id"])
        return [self.read_item(exchange, item) for item in body]

    # --- changing --------------------------------------------------------------------------------
    def update_configuration(
        self, remote_id: str, context: dict[str, Any], configuration: dict[str, Any]
    ) -> RemoteRecord:
        """update-connector takes the flat properties map, unwrapped (§4.3)."""
        call = Call(
            "POST",
            self._item_url(remote_id).replace("/connector/", "/update-connector/"),
            json=configuration,
            headers={"Content-Type": "application/json"},
        )
        exchange = self.send(call)
        return self.read_item(exchange, self.expect_json(exchange))

    def act(self, remote_id: str, verb: str) -> None:
        """pause / start / restart, with the literal JSON null body Upstash's Terraform client
        sends (§4.9); 200 "OK"."""
        call = Call(
            "POST",
            self._item_url(remote_id, verb),
            headers={"Content-Type": "application/json"},
            raw="null",
        )
        self.accepted(self.send(call))

    # Upstash's delete answers 200 and the JSON string "OK" (§4.3, its docs' example); any other
    # 2xx is not its word that the connector went, and it is read back before it is said deleted.
    documented_delete = '200 "OK"'

    def delete_answer_documented(self, exchange: Exchange) -> bool:
        if exchange.status != 200:
            return False
        try:
            return exchange.json() == "OK"
        except ValueError:
            return False

    def delete(self, remote_id: str, context: dict[str, Any]) -> Exchange:
        exchange = self.send_delete(self._item_url(remote_id))
        return self.confirmed_deleted(remote_id, context, exchange)

    def read_back(
        self, remote_id: str, context: dict[str, Any]
    ) -> tuple[bool, RemoteRecord | None]:
        """Upstash documents no words for "no such connector", so its 404 on one (never a web
        page) is believed only where the cluster's list, which it documents, agrees."""
        exchange = self.get(self._item_url(remote_id))
        if exchange.status == 404 and not is_web_page(exchange):
            cluster_id = str(context.get("cluster_id") or "")
            if not cluster_id:
                raise exchange.error or self.unexpected_shape(exchange, "an Upstash connector")
            listing, body = self._list(cluster_id)
            if not all(
                isinstance(i, dict) and isinstance(i.get("connector_id"), str) for i in body
            ):
                raise self.unexpected_shape(listing, "Upstash's connector list")
            # Still listed: there, with no record read (a line of a list is not one).
            return all(item["connector_id"] != remote_id for item in body), None
        return False, self.read_item(exchange, self.expect_json(exchange))
