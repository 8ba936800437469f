"""AI Squared (Multiwoven) client — providers.md §2.

Bearer token plus a `Workspace-Id` header on every call; the instance (hosted, or a self-hosted
Multiwoven that operators list in AISQUARED_INSTANCES) is picked from a list, never typed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from django import forms
from requests.auth import AuthBase

from connectors_admin.core.redaction import REDACTED, mask_members
from connectors_admin.providers.base import (
    WORDS,
    Call,
    CheckResult,
    ConnectorTemplate,
    CredentialForm,
    Exchange,
    Instances,
    ProviderClient,
    ProviderError,
    RemoteRecord,
    display_time,
)
from connectors_admin.providers.http import next_page
from connectors_admin.providers.schema_forms import is_secret_key, mask_at, secret_paths

# What the provider calls a field (in error bodies) -> our form's field name.
FIELD_NAMES = {"name": "name", "description": "description", "connector_name": "connector_name"}
DUPLICATE_NAME = "same name already exists"
PROVIDER_MASK = "*" * 13  # how Multiwoven masks secrets since 2025-08


# The hosted service, plus self-hosted Multiwoven servers operators list in AISQUARED_INSTANCES.
INSTANCES = Instances(
    setting="AISQUARED_INSTANCES",
    default_name="AI Squared (hosted)",
    default_url_setting="AISQUARED_API_URL",
)
MAX_LIST_PAGES = 50
LIST_PAGE_SIZE = 100
# The summary entry that names the catalogue connector, by its internal name ("Postgresql").
CONNECTOR = "Connector"


def connector_words(name: str, definition: dict[str, Any] | None) -> dict[str, Any]:
    """What a record context keeps of its catalogue connector's title ("PostgreSQL"), which the
    create form offered for its name ("Postgresql"): pages say the connector in it, and no
    catalogue is fetched to show a record. {} where the catalogue gives no other title."""
    title = (definition or {}).get("title")
    if not isinstance(title, str) or not title.strip() or title == name:
        return {}
    return {WORDS: {CONNECTOR: {name: title.strip()}}}


def configuration_secrets(answer: Any) -> list[str]:
    """The strings under secret-looking keys of every connector configuration in an answer:
    a listing returns the workspace's other connectors too, in clear on older deployments."""
    found: list[str] = []

    def secrets(value: Any, secret: bool) -> None:
        if isinstance(value, dict):
            # Each member by its own key: a key file's type, project and e-mail are not secret.
            for key, item in value.items():
                secrets(item, is_secret_key(str(key)))
        elif isinstance(value, list):
            for item in value:
                secrets(item, secret)
        elif secret and isinstance(value, str) and value not in ("", REDACTED, PROVIDER_MASK):
            found.append(value)

    def configurations(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "configuration":
                    secrets(item, False)
                else:
                    configurations(item)
        elif isinstance(value, list):
            for item in value:
                configurations(item)

    configurations(answer)
    return found


class AISquaredCredentialForm(CredentialForm):
    secret_fields = ("token",)
    place_fields = ("instance", "workspace_id")

    instance = forms.ChoiceField(
        label="Instance",
        choices=INSTANCES.choices,
        help_text="The hosted service, or a self-hosted Multiwoven your operators configured.",
    )
    workspace_id = forms.IntegerField(
        label="Workspace id", min_value=1, help_text="Sent as the Workspace-Id header."
    )
    token = forms.CharField(
        label="API token",
        max_length=4000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="The bearer token (JWT) from AI Squared. Stored encrypted, never shown again.",
    )


class _Bearer(AuthBase):
    def __init__(self, token: str, workspace_id: str) -> None:
        self.token = token
        self.workspace_id = workspace_id

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.headers["Workspace-Id"] = self.workspace_id
        return request


def _configuration_field(attribute: str, message: str) -> str | None:
    """`source.configuration` names a property as '#/host' or '#/credentials/username'; the
    generated form's field for it is cfg__host, cfg__credentials__username."""
    found = re.search(r"#/([\w/-]+)", message)
    if attribute != "configuration" or not found:
        return None
    return "__".join(("cfg", *found.group(1).split("/")))


def _flatten(errors: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """Contract errors {"connector": {"name": ["is missing"]}} as (path, message) pairs."""
    if isinstance(errors, dict):
        return [pair for k, v in errors.items() for pair in _flatten(v, (*path, str(k)))]
    if isinstance(errors, list):
        return [(path, str(m)) for m in errors if not isinstance(m, dict | list)]
    return [(path, str(errors))]


class AISquaredClient(ProviderClient):
    label = "AI Squared"
    says_gone = True
    configuration_secret_paths: list[Any] = []  # set by build_create for read_create

    def auth(self) -> AuthBase:
        return _Bearer(self.secrets.get("token", ""), str(self.public.get("workspace_id", "")))

    def curl_auth_header(self) -> str:
        return "Authorization: Bearer $AISQUARED_TOKEN"

    def api_url(self, path: str) -> str:
        base = INSTANCES.url(str(self.public.get("instance", "")), self.label)
        return f"{base}/api/v1/{path}"

    def check_call(self) -> Call:
        return Call("GET", self.api_url("connector_definitions?type=source"))

    def check_answer_unlike(self, body: Any) -> str:
        listed = isinstance(body, list) and all(isinstance(d, dict) for d in body)
        return "" if listed else "a list of connector definitions"

    # --- catalogue -----------------------------------------------------------------------------
    def definitions(self, connector_type: str) -> list[dict[str, Any]]:
        # One attempt: someone is waiting on this form.
        exchange = self.get(
            self.api_url(f"connector_definitions?type={connector_type}"), attempts=1
        )
        body = self.expect_json(exchange)
        if not isinstance(body, list) or not all(
            isinstance(d, dict) and isinstance(d.get("name"), str) for d in body
        ):
            raise self.unexpected_shape(exchange, "a list of connector definitions")
        return body

    # --- connectors ------------------------------------------------------------------------------
    def build_create(
        self, template: ConnectorTemplate, data: dict[str, Any], *, idempotency_key: str = ""
    ) -> Call:
        connector = {
            "name": data["name"],
            "connector_type": template.connector_type,
            "connector_name": data["connector_name"],
            "configuration": data["configuration"],
        }
        if data.get("description"):
            connector["description"] = data["description"]
        self.configuration_secret_paths = data.get("secret_paths", [])
        return Call(
            "POST",
            self.api_url("connectors"),
            json={"connector": connector},
            headers={"Content-Type": "application/json"},
            redact=data.get("secret_values", []),
        )

    def redacted_response(self, exchange: Exchange) -> str:
        # Other connectors' secrets in a listing: masked under their keys, and the values
        # (long enough to be told from ordinary words) wherever else they appear.
        with contextlib.suppress(ValueError):
            learned = configuration_secrets(exchange.json())
            self.redactor.add(values=[value for value in learned if len(value) >= 6])
        shown = mask_members(exchange.text, is_secret_key)
        if shown != exchange.text:
            exchange = replace(exchange, text=shown)
        return super().redacted_response(exchange)

    def read_record(self, exchange: Exchange, secret_paths: list[Any]) -> RemoteRecord:
        """The record, with the configuration's secrets masked whatever the provider sent
        (deployments before 2025-08 return them in clear)."""
        body = self.expect_json(exchange)
        return self.read_item(
            exchange, body.get("data") if isinstance(body, dict) else None, secret_paths
        )

    def read_item(self, exchange: Exchange, data: Any, secret_paths: list[Any]) -> RemoteRecord:
        attributes = data.get("attributes") if isinstance(data, dict) else None
        if not isinstance(attributes, dict) or data.get("id") in (None, ""):
            raise self.unexpected_shape(exchange, "an AI Squared connector")
        configuration = attributes.get("configuration")
        for path in secret_paths:
            mask_at(configuration, tuple(path), REDACTED, already=PROVIDER_MASK)
        summary = {
            "Connector id": str(data["id"]),
            "Name": attributes.get("name", ""),
            "Type": attributes.get("connector_type", ""),
            CONNECTOR: attributes.get("connector_name", ""),
            "Workspace": attributes.get("workspace_id", ""),
            "Description": attributes.get("description") or "",
            "Created at": display_time(attributes.get("created_at")),
            "Updated at": display_time(attributes.get("updated_at")),
        }
        return RemoteRecord(
            remote_id=str(data["id"]),
            status=None,
            title=str(attributes.get("name", "")),
            summary=summary,
            raw=data,
        )

    def read_create(self, template: ConnectorTemplate, exchange: Exchange) -> RemoteRecord:
        return self.read_record(exchange, self.configuration_secret_paths)

    def _item_url(self, remote_id: str) -> str:
        if not str(remote_id).isdigit():
            raise ProviderError(
                f"“{remote_id}” is not an AI Squared connector id.", kind="rejected"
            )
        return self.api_url(f"connectors/{int(remote_id)}")

    def says_not_found(self, exchange: Exchange) -> bool:
        """Is this Multiwoven's own answer that the workspace has no such connector
        (ConnectorsController#set_connector's render_error), not a proxy's or a wrong
        address's 404?"""
        if exchange.status != 404:
            return False
        try:
            body = exchange.json()
        except ValueError:
            return False
        errors = body.get("errors") if isinstance(body, dict) else None
        return isinstance(errors, list) and any(
            isinstance(e, dict) and e.get("detail") == "Connector not found" for e in errors
        )

    def refresh(self, remote_id: str, context: dict[str, Any]) -> RemoteRecord:
        exchange = self.get(self._item_url(remote_id))
        if self.says_not_found(exchange):
            raise self.gone(exchange, f"the connector {remote_id}")
        return self.read_record(exchange, context.get("secret_paths", []))

    def update_configuration(
        self, remote_id: str, context: dict[str, Any], configuration: dict[str, Any]
    ) -> RemoteRecord:
        """PUT replaces the whole stored configuration (§2.3), so it is sent whole."""
        call = Call(
            "PUT",
            self._item_url(remote_id),
            json={"connector": {"configuration": configuration}},
            headers={"Content-Type": "application/json"},
        )
        return self.read_record(self.send(call), context.get("secret_paths", []))

    def _each(self, kind: str) -> Iterator[tuple[Exchange, dict[str, Any], dict[str, Any]]]:
        """The workspace's connectors of a type, page by page: (exchange, item, attributes)."""
        # A hundred a page where the server takes `per_page` (10 a page otherwise, and older
        # servers ignore it, 20 a page): fewer calls to read a large workspace. The `next`
        # link says where the rest is, whatever the size.
        url: str | None = self.api_url(f"connectors?type={kind}&per_page={LIST_PAGE_SIZE}")
        api = self.api_url("")
        for _ in range(MAX_LIST_PAGES):
            exchange = self.get(url)
            body = self.expect_json(exchange)
            items = body.get("data") if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise self.unexpected_shape(exchange, "AI Squared's connector list")
            for item in items:
                attributes = item.get("attributes") if isinstance(item, dict) else None
                if isinstance(attributes, dict):
                    yield exchange, item, attributes
            links = body.get("links") if isinstance(body, dict) else None
            url = next_page(links.get("next"), url, api) if isinstance(links, dict) else None
            if url is None:
                break
        else:
            self.listed_in_part = (
                f"AI Squared lists more than {MAX_LIST_PAGES} pages of {kind} connectors: only "
                "those pages were read."
            )

    def find_created(
        self, template: ConnectorTemplate, identity: dict[str, Any]
    ) -> RemoteRecord | None:
        """Names are unique per type in a workspace: the listed connector with the name sent."""
        for exchange, item, attributes in self._each(identity["connector_type"]):
            if (
                attributes.get("name") == identity["name"]
                and attributes.get("connector_name") == identity["connector_name"]
            ):
                return self.read_item(exchange, item, identity.get("secret_paths", []))
        if self.listed_in_part:
            raise ProviderError(f"{self.listed_in_part} The connector is not in them.")
        return None

    def list_existing(
        self, template: ConnectorTemplate, inputs: dict[str, Any]
    ) -> list[RemoteRecord]:
        """The workspace's connectors of the template's type, each with what a refresh needs
        (its type, its catalogue connector, and where that connector's schema keeps secrets,
        masked whatever the provider sent)."""
        kind = template.connector_type
        definitions = {d["name"]: d for d in self.definitions(kind)}
        found = []
        for exchange, item, attributes in self._each(kind):
            name = str(attributes.get("connector_name") or "")
            definition = definitions.get(name) or {}
            schema = (definition.get("connector_spec") or {}).get("connection_specification")
            paths = [list(p) for p in secret_paths(schema)]
            record = self.read_item(exchange, item, paths)
            record.context = {
                "connector_type": kind,
                "connector_name": name,
                "secret_paths": paths,
                "embedded": [],
                **connector_words(name, definition),
            }
            found.append(record)
        return found

    # ConnectorsController#destroy answers `head :no_content` (§2.3): any other 2xx is not
    # Multiwoven's word that the connector went, and it is read back before it is said deleted.
    documented_delete = "204 No Content"

    def delete_answer_documented(self, exchange: Exchange) -> bool:
        return exchange.status == 204

    def delete(self, remote_id: str, context: dict[str, Any]) -> Exchange:
        exchange = self.send_delete(self._item_url(remote_id))
        return self.confirmed_deleted(remote_id, context, exchange)

    def check_connector(self, template: ConnectorTemplate, data: dict[str, Any]) -> CheckResult:
        return self._check(
            template.connector_type,
            data["connector_name"],
            data["configuration"],
            data.get("secret_values", []),
            title=data.get("connector_title", ""),
        )

    def recheck(self, context: dict[str, Any], secrets: dict[str, Any]) -> CheckResult:
        configuration = secrets.get("configuration")
        if not isinstance(configuration, dict):
            raise ProviderError(
                "The configuration sent at creation was not kept; it cannot be checked."
            )
        return self._check(
            context["connector_type"],
            context["connector_name"],
            configuration,
            secrets.get("secret_values", []),
        )

    def _check(
        self, kind: str, name: str, configuration: dict, redact: list[str], title: str = ""
    ) -> CheckResult:
        """`title`: the catalogue's title of the connector ("Amazon S3") for the message, never
        its `name` ("AmazonS3"); a check of a record has none (its success is not shown)."""
        call = Call(
            "POST",
            self.api_url("connector_definitions/check_connection"),
            json={"type": kind, "name": name, "connection_spec": configuration},
            headers={"Content-Type": "application/json"},
            redact=redact,
        )
        exchange = self.send(call)
        body = self.expect_json(exchange)
        status = body.get("connection_status") if isinstance(body, dict) else None
        if not isinstance(status, dict) or status.get("status") not in ("succeeded", "failed"):
            raise self.unexpected_shape(exchange, "a connection status")
        if status["status"] == "succeeded":
            system = f"the {title} connector's system" if title else "the connector's system"
            return CheckResult(True, f"{self.label} reached {system}.")
        message = self.redactor.text(str(status.get("message") or "no reason given"))
        return CheckResult(False, f"{self.label} could not connect: {message}")

    # --- the four error shapes of §2.6 -------------------------------------------------------------
    def error_details(self, exchange: Exchange) -> tuple[str, dict[str, str]]:
        try:
            body = exchange.json()
        except ValueError:
            return "", {}
        if not isinstance(body, dict):
            return "", {}
        messages: list[str] = []
        fields: dict[str, str] = {}
        errors = body.get("errors")
        if isinstance(errors, dict):  # 1. contract failure
            for path, message in _flatten(errors):
                target = FIELD_NAMES.get(path[-1]) if path else None
                if target:
                    fields[target] = message
                shown = path[1:] if len(path) > 1 and path[0] == "connector" else path
                messages.append(f"{'.'.join(shown)} {message}".strip())
        elif isinstance(errors, list):  # 2. JSON:API errors, and 4. bad request
            for error in errors:
                if not isinstance(error, dict):
                    continue
                if error.get("detail"):
                    messages.append(str(error["detail"]))
                source = error.get("source")
                if isinstance(source, dict):
                    for attribute, message in source.items():
                        if attribute == "pointer":
                            continue
                        target = FIELD_NAMES.get(attribute) or _configuration_field(
                            attribute, str(message)
                        )
                        if target:
                            fields[target] = str(message)
                        else:
                            messages.append(f"{attribute}: {message}")
        elif isinstance(body.get("error"), str):  # 3. not found / parameter missing
            messages.append(body["error"])
        text = " ".join(messages)
        if DUPLICATE_NAME in text.lower() and "name" not in fields:
            fields["name"] = "A connector with the same name already exists."
        return text, fields
