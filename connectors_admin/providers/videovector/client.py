"""VideoVector (VectorMethods) client — providers.md §3, with §3.7 (the official SDK) winning.

Either an API key (`X-API-Key: sk_live_…`) or a bearer token; `GET /api/v2/auth/validate` checks
it. Creates carry an Idempotency-Key that stays the same across retries of one form submission.
"""

from __future__ import annotations

import json
import re
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
    display_time,
    is_web_page,
)

API_KEY = re.compile(r"^sk_live_[0-9a-f]{48}$")
FORM_FIELDS = {
    "name",
    "bucket",
    "region",
    "gcp_project_id",
    "storage_account",
    "container",
    "tenant_id",
    "client_id",
    "client_secret",
    "aws_access_key_id",
    "aws_secret_access_key",
    "scopes",
    "import_mode",
    "export_base_path",
}
# What the API calls a field -> our form's field.
FIELD_NAMES = {"credentials_file": "keyjson__credentials_file"}


class VideoVectorCredentialForm(CredentialForm):
    secret_fields = ("token",)

    auth_type = forms.ChoiceField(
        label="Authentication",
        choices=[("api_key", "API key (X-API-Key)"), ("bearer", "Bearer token")],
    )
    token = forms.CharField(
        label="API key or token",
        max_length=4000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="An API key looks like sk_live_ followed by 48 hex characters.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.current("auth_type") != "api_key":
            return cleaned
        if "token" in self.fields:  # typed (adding, rotating)
            # An empty one is told it is required, and only that.
            if "token" in cleaned and not API_KEY.match(cleaned["token"]):
                self.add_error(
                    "token", "An API key is sk_live_ followed by 48 lowercase hex characters."
                )
        elif cleaned.get("auth_type") != self.initial.get("auth_type"):  # an edit switching
            stored = self.secret_value("token")
            if stored is not None and not API_KEY.match(stored):
                self.add_error(
                    "auth_type",
                    "The stored secret is not an API key (sk_live_ followed by 48 hex "
                    "characters), so it cannot be sent as one: rotate it to the API key first, "
                    "then change this.",
                )
        return cleaned


class VideoVectorClient(ProviderClient):
    label = "VideoVector"
    secret_headers = ("X-API-Key",)

    def auth(self):
        token = self.secrets.get("token", "")

        def apply(request):
            if self.public.get("auth_type") == "bearer":
                request.headers["Authorization"] = f"Bearer {token}"
            else:
                request.headers["X-API-Key"] = token
            return request

        return apply

    def curl_auth_header(self) -> str:
        if self.public.get("auth_type") == "bearer":
            return "Authorization: Bearer $VIDEOVECTOR_TOKEN"
        return "X-API-Key: $VIDEOVECTOR_API_KEY"

    def url(self, path: str) -> str:
        return f"{self.base_url('VIDEOVECTOR_API_URL')}/api/v2/{path}"

    def check_call(self) -> Call:
        return Call("GET", self.url("auth/validate"))

    # --- errors: {"error": {code, message, details, request_id}} or FastAPI's {"detail": …} ------
    def error_details(self, exchange: Exchange) -> tuple[str, dict[str, str]]:
        try:
            body = exchange.json()
        except ValueError:
            return "", {}
        if not isinstance(body, dict):
            return "", {}
        fields: dict[str, str] = {}
        error = body.get("error")
        if isinstance(error, dict):
            message = str(error.get("message") or "")
            details = error.get("details")
            if isinstance(details, dict):
                for name, problem in details.items():
                    target = FIELD_NAMES.get(name, name)
                    if target in FORM_FIELDS or target in FIELD_NAMES.values():
                        fields[target] = str(problem)
            if error.get("request_id"):
                message = f"{message} (request id {error['request_id']})".strip()
            return message, fields
        detail = body.get("detail")
        if isinstance(detail, str):
            return detail, {}
        if isinstance(detail, list):
            said = []
            for item in detail:
                if not isinstance(item, dict):
                    continue
                loc = item.get("loc")
                location = [str(p) for p in loc if p != "body"] if isinstance(loc, list) else []
                text = str(item.get("msg", ""))
                name = FIELD_NAMES.get(location[-1], location[-1]) if location else ""
                if name in FORM_FIELDS or name in FIELD_NAMES.values():
                    fields[name] = text
                said.append(f"{'.'.join(location)}: {text}" if location else text)
            return "; ".join(said), fields
        return "", {}

    def error_for_status(self, exchange: Exchange) -> ProviderError:
        error = super().error_for_status(exchange)
        if exchange.status == 403:
            error.message = (
                f"{error.message} The credential's key lacks the scope this needs: deleting a "
                "connector needs the admin scope, testing and creating need write."
            )
        return error

    # --- connectors -----------------------------------------------------------------------------------
    def build_create(
        self, template: ConnectorTemplate, data: dict[str, Any], *, idempotency_key: str = ""
    ) -> Call:
        kind = template.storage
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        common = {
            "name": data["name"],
            "scopes": data["scopes"],
            "import_mode": data["import_mode"],
        }
        if data.get("export_base_path"):
            common["export_base_path"] = data["export_base_path"]
        if kind == "gcs":
            pairs = [("name", data["name"]), ("bucket", data["bucket"])]
            pairs.append(("gcp_project_id", data["gcp_project_id"]))
            pairs += [("scopes", scope) for scope in data["scopes"]]
            pairs.append(("import_mode", data["import_mode"]))
            if data.get("export_base_path"):
                pairs.append(("export_base_path", data["export_base_path"]))
            key_file = json.dumps(data["credentials_file"]).encode()
            return Call(
                "POST",
                self.url("connectors/gcs"),
                headers=headers,
                form=pairs,
                files={"credentials_file": ("credentials.json", key_file, "application/json")},
                redact=data.get("secret_values", []),
            )
        body = {**common, **{name: data[name] for name in template.fields}}
        return Call(
            "POST",
            self.url(f"connectors/{kind}"),
            json=body,
            headers={"Content-Type": "application/json", **headers},
            redact=data.get("secret_values", []),
        )

    def read_item(self, exchange: Exchange, item: Any) -> RemoteRecord:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("connector_id"), str)
            and isinstance(item.get("status"), str)
        ):
            raise self.unexpected_shape(exchange, "a VideoVector connector")
        kind = str(item.get("provider"))
        where = {
            "gcs": lambda: f"gs://{item.get('bucket')}",
            "s3": lambda: f"s3://{item.get('bucket')}",
            "azure": lambda: f"{item.get('storage_account')}/{item.get('container')}",
        }.get(kind, lambda: "")()
        tested = item.get("last_test_result")
        summary = {
            "Connector id": item["connector_id"],
            "Storage": where,
            # As VideoVector spells them: pages show them in the create form's words.
            **({"AWS region": str(item.get("region") or "")} if kind == "s3" else {}),
            **({"GCP project": str(item.get("gcp_project_id") or "")} if kind == "gcs" else {}),
            "Scopes": ", ".join(
                str(s) for s in (item["scopes"] if isinstance(item.get("scopes"), list) else [])
            ),
            "Import mode": str(item.get("import_mode") or "all"),  # the API's default
            "Export base path": item.get("export_base_path") or "—",
            "Last tested": (
                f"{display_time(item.get('last_tested_at'))}: {tested}"
                + (f" ({item['last_test_error']})" if item.get("last_test_error") else "")
                if tested
                else "never"
            ),
            "Created at": display_time(item.get("created_at")),
        }
        return RemoteRecord(
            remote_id=item["connector_id"],
            status=item["status"],
            title=str(item.get("name") or item["connector_id"]),
            summary=summary,
            raw=item,
        )

    def read_create(self, template: ConnectorTemplate, exchange: Exchange) -> RemoteRecord:
        return self.read_item(exchange, self.expect_json(exchange))

    def _item_url(self, remote_id: str, action: str = "") -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", remote_id):
            raise ProviderError(f"“{remote_id}” is not a VideoVector connector id.")
        return self.url(f"connectors/{remote_id}" + (f"/{action}" if action else ""))

    # --- "no such connector" ----------------------------------------------------------------------
    # The SDK maps any 404 to NotFoundError and reads `{"error": {code, message, …}}` (§3.4, §3.7);
    # no `code` string is documented. So the API's own 404 is one in that shape, never a web page
    # nor FastAPI's `{"detail": "Not Found"}` for a path it does not serve; and since that shape
    # names no connector, the list (which the SDK documents as all of them) must agree.
    says_gone = True

    def says_not_found(self, exchange: Exchange) -> bool:
        if exchange.status != 404 or is_web_page(exchange):
            return False
        try:
            body = exchange.json()
        except ValueError:
            return False
        error = body.get("error") if isinstance(body, dict) else None
        return (
            isinstance(error, dict)
            and isinstance(error.get("code"), str)
            and isinstance(error.get("message"), str)
        )

    def _unlisted(self, remote_id: str) -> bool:
        """Does the account's connector list, read in full, not have it?"""
        _, body = self._all()
        return all(
            not isinstance(item, dict) or item.get("connector_id") != remote_id for item in body
        )

    def refresh(self, remote_id: str, context: dict[str, Any]) -> RemoteRecord:
        exchange = self.get(self._item_url(remote_id))
        if self.says_not_found(exchange) and self._unlisted(remote_id):
            raise self.gone(exchange, f"the connector {remote_id}")
        return self.read_item(exchange, self.expect_json(exchange))

    def delete(self, remote_id: str, context: dict[str, Any]) -> Exchange:
        """Already gone on the API's own 404 that its list agrees with; any other 404 (a proxy's,
        a path it does not serve) says nothing of the connector, and is raised."""
        exchange = self.send_delete(self._item_url(remote_id))
        if exchange.status == 404:
            if not self._unlisted(remote_id):
                raise exchange.error or self.unexpected_shape(exchange, "an answer to a delete")
            return exchange
        body = self.expect_json(exchange)
        if not isinstance(body, dict) or not isinstance(body.get("message"), str):
            raise self.unexpected_shape(exchange, "VideoVector's answer to a delete")
        return exchange

    def test(self, remote_id: str) -> tuple[bool, str]:
        """`POST …/test` with no body (and never retried)."""
        exchange = self.send(Call("POST", self._item_url(remote_id, "test")))
        body = self.expect_json(exchange)
        if not isinstance(body, dict) or not isinstance(body.get("success"), bool):
            raise self.unexpected_shape(exchange, "a connection test result")
        return body["success"], self.redactor.text(str(body.get("error_message") or ""))

    def browse(self, remote_id: str, prefix: str, pattern: str, recursive: bool) -> list[dict]:
        call = Call(
            "POST",
            self._item_url(remote_id, "browse"),
            json={"prefix": prefix, "pattern": pattern, "recursive": recursive},
            headers={"Content-Type": "application/json"},
        )
        exchange = self.send(call)
        body = self.expect_json(exchange)
        if not isinstance(body, list) or not all(
            isinstance(f, dict) and isinstance(f.get("path"), str) for f in body
        ):
            raise self.unexpected_shape(exchange, "a list of files")
        return body

    def _all(self) -> tuple[Exchange, list[Any]]:
        """The account's connectors: the list is one array, every connector in it (§3.2)."""
        exchange = self.get(self.url("connectors"))
        body = self.expect_json(exchange)
        # Every entry read, or none: a list whose entries cannot be read (not objects, no
        # `connector_id`) does not say which connectors exist, so it cannot agree that one is
        # gone, that a create made none, or that an account has none to import.
        if not isinstance(body, list) or not all(
            isinstance(item, dict) and isinstance(item.get("connector_id"), str) for item in body
        ):
            raise self.unexpected_shape(exchange, "VideoVector's connector list")
        return exchange, body

    def list_existing(
        self, template: ConnectorTemplate, inputs: dict[str, Any]
    ) -> list[RemoteRecord]:
        """The account's connectors of this template's storage (GCS, S3 or Azure)."""
        exchange, body = self._all()
        return [
            self.read_item(exchange, item)
            for item in body
            if isinstance(item, dict) and item.get("provider") == template.storage
        ]

    def find_created(
        self, template: ConnectorTemplate, identity: dict[str, Any]
    ) -> RemoteRecord | None:
        """The listed connector of this kind with the name and place sent, made since."""
        exchange, body = self._all()
        known = identity.get("known_ids", ())  # asked last: each question is a query
        since = str(identity.get("since", ""))[:19]
        for item in body:
            if not isinstance(item, dict):
                continue
            same = item.get("provider") == template.storage and all(
                item.get(k) == v for k, v in identity.get("match", {}).items()
            )
            if (
                same
                and str(item.get("created_at") or "")[:19] >= since
                and str(item.get("connector_id")) not in known
            ):
                return self.read_item(exchange, item)
        return None
