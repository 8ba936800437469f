"""The small interface every provider implements, and the HTTP machinery they share.

A provider module exposes a `Provider` with its credential form, its connector templates (each
with a form class) and a `ProviderClient` subclass that knows how to build a create request, how
to read the answer (or the error) and how to refresh a record. Views only talk to this interface.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests
import urllib3
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from connectors_admin import __version__
from connectors_admin.core.redaction import (
    REDACTED,
    curl_command,
    redact_data,
    redact_headers,
    redact_text,
)

logger = logging.getLogger("connectors_admin.providers")

USER_AGENT = f"ConnectorsAdmin/{__version__} (+https://github.com/connectors-admin)"
MAX_STORED_BODY = 64 * 1024  # characters of a response body kept on a submission


class ProviderError(Exception):
    """Something went wrong talking to a provider, said in plain words for the user.

    `field_errors` maps our form field names to messages when the provider names a field.
    `may_have_reached` is true when a write could have been applied although we got no answer.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        field_errors: dict[str, str] | None = None,
        kind: str = "rejected",
        may_have_reached: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field_errors = field_errors or {}
        self.kind = kind
        self.may_have_reached = may_have_reached


@dataclass
class Call:
    """An outbound request before it is sent."""

    method: str
    url: str
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # Multipart bodies (VideoVector's GCS connector uploads a key file): form fields as a list of
    # pairs, so a name can repeat, and files as {field: (filename, bytes, content type)}.
    form: list[tuple[str, str]] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    # Secret values inside the body (a database password in a configuration, say), masked
    # wherever the call or its answer is recorded, shown or logged.
    redact: list[str] = field(default_factory=list)

    def prepare(self, session: requests.Session) -> requests.PreparedRequest:
        return session.prepare_request(
            requests.Request(
                self.method,
                self.url,
                json=self.json,
                data=self.form,
                files=self.files,
                headers=self.headers,
            )
        )


@dataclass
class Exchange:
    """One request as sent and its answer, with everything needed to record it."""

    call: Call
    status: int | None = None
    content_type: str = ""
    text: str = ""
    duration_ms: int = 0
    error: ProviderError | None = None
    retry_after: str = ""

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class RemoteRecord:
    """What a provider returned for one connector, in our terms."""

    remote_id: str
    status: str | None  # None: the provider reports no status (keep what we know)
    title: str  # a short name people recognise in lists (Mixpanel: bucket and prefix)
    summary: dict[str, Any]  # label -> value, shown on the result card and the detail page
    raw: dict[str, Any]  # the provider's object as returned


def display_time(value: Any) -> str:
    """A provider's ISO-8601 timestamp as people read it ("2026-11-23 16:20 UTC"); anything
    that is not one is shown as it came."""
    if not isinstance(value, str) or not value:
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class CheckResult:
    """The outcome of testing a credential, in plain words."""

    ok: bool
    message: str


@dataclass(frozen=True)
class ConnectorTemplate:
    slug: str
    label: str
    description: str
    form_class: type[ConnectorForm]
    provider_slug: str
    short_label: str = ""  # within its provider's context, such as "Amazon S3"
    # True when the provider can test a connection from the form before creating it.
    checks_connection: bool = False

    @property
    def provider(self) -> Provider:
        from connectors_admin.providers import get_provider

        return get_provider(self.provider_slug)

    def form_class_for(self, context: FormContext) -> type[ConnectorForm]:
        """The form for this request. Templates whose fields depend on a choice (a connector
        from the provider's catalogue, say) build it here; most return their fixed form."""
        return self.form_class


@dataclass
class FormContext:
    """What a template may use to build its form: the chosen credential's client, the request's
    values, and a per-credential cache for catalogues fetched from the provider."""

    client: Callable[[], ProviderClient] | None
    params: Mapping[str, Any]
    cached: Callable[[str, Callable[[], Any]], Any]


class CredentialForm(forms.Form):
    """Base for a provider's credential fields. `secret_fields` are encrypted and write-only."""

    secret_fields: ClassVar[tuple[str, ...]] = ()
    # The inputs that carry the secrets (a key file, say); rotating a secret asks for these only.
    secret_inputs: ClassVar[tuple[str, ...] | None] = None

    @classmethod
    def secret_input_names(cls) -> tuple[str, ...]:
        return cls.secret_inputs if cls.secret_inputs is not None else cls.secret_fields

    def normalize_secret(self, name: str, value: str) -> str:
        """How a pasted value is compared with the stored secret."""
        return value.strip()

    label = forms.CharField(
        max_length=100, help_text="A name your team will recognise, such as “Production”."
    )

    def hint_for(self, name: str, value: str) -> str:
        """What of a secret may be shown: by default its last four characters."""
        return value[-4:] if len(value) >= 8 else ""

    def public_data(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.secret_fields and name != "label"
        }

    def secret_data(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.secret_fields}


class ConnectorForm(forms.Form):
    """Base for a template's form. The view adds the `credential` field in front."""

    # Fields whose initial value comes from the chosen credential's stored (public) fields.
    credential_defaults: ClassVar[tuple[str, ...]] = ()
    # Fields whose change re-renders the form (its other fields depend on them).
    reload_on: ClassVar[tuple[str, ...]] = ()
    # A message shown instead of fields when the form cannot be built (catalogue unreachable).
    problem: ClassVar[str] = ""
    # Offer to fetch again what the form was built from (a provider's catalogue), and a search box
    # over one long select.
    refreshable: ClassVar[str] = ""  # the button's label, or "" for none
    searchable: ClassVar[str] = ""  # the name of the select to search, or ""

    def layout(self) -> list[Any]:
        """The fields to render after the credential, as names or groups (see schema_forms)."""
        return [name for name in self.fields if name != "credential"]

    def secret_names(self) -> list[str]:
        return [n for n, f in self.fields.items() if isinstance(f.widget, forms.PasswordInput)]

    def provider_data(self) -> dict[str, Any]:
        """What the client's build_create receives."""
        return {k: v for k, v in self.cleaned_data.items() if k != "credential"}

    def record_context(self) -> dict[str, Any]:
        """The non-secret inputs a later refresh or check of the record needs."""
        return {n: self.cleaned_data[n] for n in self.credential_defaults if n in self.cleaned_data}

    def configuration_secrets(self) -> dict[str, Any]:
        """The secret part of what was sent, kept encrypted with the record for later checks."""
        return {}


class ProviderClient:
    """HTTP access to one provider with one credential.

    Subclasses set `label` and implement `build_create`, `read_create`, `refresh` and
    `error_message`. `send` never raises for transport problems: it records them on the exchange.
    """

    label: ClassVar[str] = "The provider"

    def __init__(self, public: dict[str, Any], secrets: dict[str, str]) -> None:
        self.public = public
        self.secrets = secrets
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.session.auth = self.auth()
        self.last_exchange: Exchange | None = None  # the newest call, for the caller to record
        # Secrets that are not the credential's (a connector's configuration secrets, say),
        # masked like the credential's wherever a call is recorded or shown.
        self.extra_secrets: list[str] = []

    # --- to implement ----------------------------------------------------------------------
    def auth(self) -> requests.auth.AuthBase | tuple[str, str] | None:
        return None

    def build_create(self, template: ConnectorTemplate, data: dict[str, Any]) -> Call:
        raise NotImplementedError

    def read_create(self, template: ConnectorTemplate, exchange: Exchange) -> RemoteRecord:
        raise NotImplementedError

    def refresh(self, remote_id: str, context: dict[str, Any]) -> tuple[Exchange, RemoteRecord]:
        raise NotImplementedError

    def delete(self, remote_id: str, context: dict[str, Any]) -> Exchange:
        """Delete the connector at the provider; a 404 means it is already gone."""
        raise NotImplementedError

    def check_connector(self, template: ConnectorTemplate, data: dict[str, Any]) -> CheckResult:
        """Test a connector's configuration before creating it (templates with checks_connection)."""
        raise NotImplementedError

    def recheck(self, connector_context: dict[str, Any], secrets: dict[str, Any]) -> CheckResult:
        """Test a created connector's stored configuration again, if the provider allows it."""
        raise NotImplementedError

    def error_details(self, exchange: Exchange) -> tuple[str, dict[str, str]]:
        """The provider's own message and field errors from an error body ("" if none)."""
        return "", {}

    def check_call(self) -> Call:
        """The provider's cheapest authenticated call, used to test a credential."""
        raise NotImplementedError

    def check(self) -> CheckResult:
        try:
            call = self.check_call()
        except ProviderError as error:
            return CheckResult(False, error.message)
        exchange = self.send(call)
        if exchange.error:
            return CheckResult(False, exchange.error.message)
        return CheckResult(True, f"{self.label} accepted the credential (HTTP {exchange.status}).")

    def curl_user(self) -> str | None:
        """The `--user` value for the redacted curl command, if the provider uses Basic auth."""
        return None

    def curl_auth_header(self) -> str | None:
        """An auth header for the curl command, with a `$VARIABLE` in place of the secret."""
        return None

    # --- shared machinery ----------------------------------------------------------------------
    @staticmethod
    def base_url(setting_name: str) -> str:
        url = getattr(settings, setting_name, "")
        if url:
            return url.rstrip("/")
        if settings.SANDBOX:
            return settings.SANDBOX_URL.rstrip("/") + "/sandbox"
        raise ImproperlyConfigured(f"{setting_name} is not set and the sandbox is off.")

    def secret_values(self) -> list[str]:
        return [value for value in (*self.secrets.values(), *self.extra_secrets) if value]

    @property
    def timeout(self) -> tuple[float, float]:
        return (settings.PROVIDER_CONNECT_TIMEOUT, settings.PROVIDER_READ_TIMEOUT)

    def send(self, call: Call) -> Exchange:
        exchange = Exchange(call=call)
        request = call.prepare(self.session)
        started = time.monotonic()
        writes = call.method not in {"GET", "HEAD"}
        try:
            response = self.session.send(request, timeout=self.timeout, allow_redirects=False)
        except requests.ConnectTimeout:
            exchange.error = ProviderError(
                f"Could not connect to {self.label} in time. Nothing was sent; "
                "try again in a moment.",
                kind="unreachable",
            )
        except requests.ReadTimeout:
            exchange.error = self._timed_out(writes)
        except requests.ConnectionError as exc:
            causes = list(_causes(exc))
            if any(isinstance(c, urllib3.exceptions.ReadTimeoutError) for c in causes):
                exchange.error = self._timed_out(writes)  # stalled while the answer arrived
            elif any(isinstance(c, NOT_SENT) for c in causes):
                exchange.error = ProviderError(
                    f"Could not reach {self.label} (connection refused or host not found). "
                    "Nothing was sent.",
                    kind="unreachable",
                )
            else:
                exchange.error = ProviderError(
                    f"{self.label} closed the connection without answering."
                    + (
                        " The request may have been applied: check before retrying."
                        if writes
                        else ""
                    ),
                    kind="dropped",
                    may_have_reached=writes,
                )
        except requests.RequestException:
            exchange.error = ProviderError(
                f"The connection to {self.label} failed mid-answer.",
                kind="dropped",
                may_have_reached=writes,
            )
        else:
            exchange.status = response.status_code
            exchange.content_type = response.headers.get("Content-Type", "")
            exchange.text = response.text
            exchange.retry_after = response.headers.get("Retry-After", "")
            if response.status_code >= 400:
                exchange.error = self.error_for_status(exchange)
        exchange.duration_ms = round((time.monotonic() - started) * 1000)
        self.last_exchange = exchange
        logger.info(
            "%s %s -> %s in %d ms",
            call.method,
            call.url,
            exchange.status or (exchange.error and exchange.error.kind),
            exchange.duration_ms,
        )
        return exchange

    def _timed_out(self, writes: bool) -> ProviderError:
        return ProviderError(
            f"{self.label} did not answer within {settings.PROVIDER_READ_TIMEOUT:g} seconds."
            + (
                " The request may still have been applied: refresh the connector list "
                "before trying again."
                if writes
                else ""
            ),
            kind="timeout",
            may_have_reached=writes,
        )

    def get(self, url: str, attempts: int = 3) -> Exchange:
        """GETs are safe to repeat: retry connection failures and 5xx with a short backoff."""
        for attempt in range(attempts):
            exchange = self.send(Call("GET", url))
            error = exchange.error
            transient = error is not None and (
                error.kind in {"unreachable", "dropped", "timeout"} or (error.status or 0) >= 500
            )
            if not transient:
                return exchange
            if attempt < attempts - 1:
                time.sleep(0.25 * 2**attempt)
        return exchange

    def error_for_status(self, exchange: Exchange) -> ProviderError:
        status = exchange.status or 0
        message, field_errors = self.error_details(exchange)
        said = f" {self.label} said: “{message.rstrip('.')}.”" if message else ""
        if status == 401:
            text = f"{self.label} did not accept the credential (HTTP 401).{said}"
        elif status == 403:
            text = f"{self.label} refused access (HTTP 403).{said}"
        elif status == 404:
            text = f"{self.label} has no such resource (HTTP 404).{said}"
        elif status == 429:
            wait = exchange.retry_after
            text = f"{self.label} is rate limiting requests (HTTP 429)." + (
                f" Try again in {wait} seconds." if wait.isdigit() else " Try again in a minute."
            )
        elif status >= 500:
            text = (
                f"{self.label} had a server error (HTTP {status}).{said} "
                "This is on their side; try again later."
            )
        else:
            text = f"{self.label} rejected the request (HTTP {status}).{said}"
        secrets = [*self.secret_values(), *exchange.call.redact]
        return ProviderError(
            redact_text(text, secrets),
            status=status,
            field_errors={name: redact_text(msg, secrets) for name, msg in field_errors.items()},
            may_have_reached=status >= 500,
        )

    def expect_json(self, exchange: Exchange) -> Any:
        """The parsed body of a successful exchange, or a ProviderError in plain words."""
        if exchange.error:
            raise exchange.error
        try:
            return exchange.json()
        except ValueError:
            kind = exchange.content_type.split(";")[0] or "no content type"
            raise ProviderError(
                f"{self.label} answered HTTP {exchange.status} with something that is not JSON "
                f"({kind}). The request may have been applied: check before retrying.",
                status=exchange.status,
                kind="bad_response",
                may_have_reached=True,
            ) from None

    def unexpected_shape(self, exchange: Exchange, what: str) -> ProviderError:
        return ProviderError(
            f"{self.label} answered HTTP {exchange.status} but the answer does not look like "
            f"{what}. The request may have been applied: check before retrying.",
            status=exchange.status,
            kind="bad_response",
            may_have_reached=True,
        )

    # --- what we store and show of an exchange ------------------------------------------------------
    def redacted_request(self, call: Call) -> dict[str, Any]:
        secrets = [*self.secret_values(), *call.redact]
        headers = redact_headers(call.prepare(self.session).headers, secrets)
        body: Any = None
        if call.json is not None:
            body = redact_data(call.json, secrets)
        elif call.form is not None or call.files:
            # Files are described, never copied: a key file is a secret in itself.
            body = {
                "form": redact_data([list(pair) for pair in call.form or []], secrets),
                "files": {
                    name: f"<{filename}: {len(content)} bytes, {kind}>"
                    for name, (filename, content, kind) in (call.files or {}).items()
                },
            }
        return {
            "method": call.method,
            "url": redact_text(call.url, secrets),
            "headers": headers,
            "body": body,
            "curl": curl_command(
                call.method,
                call.url,
                headers,
                body,
                user=self.curl_user(),
                auth_header=self.curl_auth_header(),
                form=body["form"] if call.json is None and body else None,
                files={name: (f, kind) for name, (f, _, kind) in (call.files or {}).items()},
            ),
        }

    def redacted_response(self, exchange: Exchange) -> str:
        secrets = [*self.secret_values(), *exchange.call.redact]
        return redact_text(exchange.text[:MAX_STORED_BODY], secrets)


# Failures that happen before a request leaves: the provider cannot have seen it.
NOT_SENT = (urllib3.exceptions.NewConnectionError, ConnectionRefusedError, socket.gaierror)


def _causes(exc: BaseException):
    """The exception and everything it wraps (requests wraps urllib3, which wraps the socket)."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack += [getattr(current, "reason", None), current.__cause__, current.__context__]
        stack += [a for a in current.args if isinstance(a, BaseException)]


class Provider:
    def __init__(
        self,
        *,
        slug: str,
        label: str,
        description: str,
        notice: str,
        credential_form: type[CredentialForm],
        templates: tuple[ConnectorTemplate, ...],
        client_class: type[ProviderClient],
        empty_status: str = "pending",
    ) -> None:
        self.slug = slug
        self.label = label
        self.description = description
        self.notice = notice
        self.credential_form = credential_form
        self.templates = templates
        self.client_class = client_class
        self.empty_status = empty_status  # what a connector with no reported status shows

    def __repr__(self) -> str:
        return f"<Provider {self.slug}>"

    def client(self, public: dict[str, Any], secrets: dict[str, str]) -> ProviderClient:
        return self.client_class(public, secrets)


__all__ = [
    "REDACTED",
    "Call",
    "CheckResult",
    "ConnectorForm",
    "ConnectorTemplate",
    "CredentialForm",
    "Exchange",
    "FormContext",
    "Provider",
    "ProviderClient",
    "ProviderError",
    "RemoteRecord",
]
