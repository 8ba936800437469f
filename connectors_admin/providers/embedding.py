"""Storage secrets that a connector's configuration embeds (a Google service-account key, an AWS
key pair, a database login), declared with the template so that the form can offer the team's
stored credentials for them and the record can keep a link to every credential it embeds.

A slot says which credential kinds fill it and, declaratively, where each credential value goes
in the configuration, so that a rotated secret can be pushed into every copy later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from connectors_admin.core.redaction import strings_in

# Where a value comes from: ("public" | "secret", the credential's field, how to read it).
Source = tuple[str, str, str]


@dataclass(frozen=True)
class Slot:
    """A part of a configuration that a stored credential can fill."""

    name: str  # unique within the form, such as "credentials_json"
    label: str  # "Google service account"
    kinds: tuple[str, ...]  # credential kinds that fill it
    targets: tuple[tuple[tuple[str, ...], Source], ...]  # configuration path <- credential value
    optional: bool = False  # "may take": typing the values stays the default
    one_json_field: bool = False  # typed by hand as one pasted JSON document

    @property
    def paths(self) -> tuple[tuple[str, ...], ...]:
        return tuple(path for path, _ in self.targets)

    def mapping(self) -> list[list[Any]]:
        """The targets as JSON, kept with a connector so a rotated secret can be pushed."""
        return [[list(path), list(source)] for path, source in self.targets]


def read_value(source: Source | list[str], public: dict[str, Any], secrets: dict[str, str]) -> Any:
    where, name, how = source
    raw = (public if where == "public" else secrets).get(name, "")
    if how == "json":
        return json.loads(raw)
    if how in ("uri_user", "uri_password"):
        parts = urlsplit(str(raw))
        value = parts.username if how == "uri_user" else parts.password
        return unquote(value or "")
    return raw


def fill(
    config: dict[str, Any], mapping, public: dict[str, Any], secrets: dict[str, str]
) -> list[str]:
    """Write a credential's values into `config` along `mapping` (a slot's targets, or the
    JSON kept with a connector); the secret strings written, for the redactor."""
    written: list[str] = []
    for path, source in mapping:
        value = read_value(source, public, secrets)
        target = config
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
        if source[0] == "secret":
            written += strings_in(value)
    return [w for w in written if w]


# --- finding slots in a JSON Schema --------------------------------------------------------------
SERVICE_ACCOUNT_KEYS = {"private_key", "client_email"}
AWS_PAIRS = (("access_key_id", "secret_access_key"), ("access_id", "secret_access"))


def slots_in_schema(schema: dict[str, Any]) -> list[Slot]:
    """The embedded secrets a connection specification carries, found by their shape."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return []
    found: list[Slot] = []
    for key, spec in properties.items():
        inner = spec.get("properties") if isinstance(spec, dict) else None
        if isinstance(inner, dict) and set(inner) >= SERVICE_ACCOUNT_KEYS:
            found.append(
                Slot(
                    name=key,
                    label="Google service account",
                    kinds=("gcp",),
                    targets=(((key,), ("secret", "service_account_json", "json")),),
                    one_json_field=True,
                )
            )
        if isinstance(inner, dict) and {"username", "password"} <= set(inner):
            found.append(
                Slot(
                    name=key,
                    label="Database user and password",
                    kinds=("uri",),
                    targets=(
                        ((key, "username"), ("secret", "uri", "uri_user")),
                        ((key, "password"), ("secret", "uri", "uri_password")),
                    ),
                    optional=True,
                )
            )
    for key_id, secret in AWS_PAIRS:
        if key_id in properties and secret in properties:
            found.append(
                Slot(
                    name="aws",
                    label="AWS access key",
                    kinds=("aws",),
                    targets=(
                        ((key_id,), ("public", "aws_access_key_id", "")),
                        ((secret,), ("secret", "aws_secret_access_key", "")),
                    ),
                )
            )
    return found


# --- a service-account key typed by hand ---------------------------------------------------------
SERVICE_ACCOUNT_REQUIRED = ("project_id", "private_key_id", "private_key", "client_email")
MAX_KEY_FILE = 64 * 1024


def parse_service_account(text: str) -> dict[str, Any]:
    """A Google service-account key file's JSON, checked; ValueError says what is wrong."""
    if len(text.encode()) > MAX_KEY_FILE:
        raise ValueError("A key file is a few kilobytes; this one is over 64 KiB.")
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError(
            "This is not JSON: a key file is one JSON document, braces included."
        ) from None
    if not isinstance(data, dict) or data.get("type") != "service_account":
        raise ValueError(
            'This is not a service-account key (its "type" must be "service_account").'
        )
    missing = [k for k in SERVICE_ACCOUNT_REQUIRED if not data.get(k)]
    if missing:
        raise ValueError(f"The key file lacks: {', '.join(missing)}.")
    if "PRIVATE KEY" not in str(data["private_key"]):
        raise ValueError("The key file's private_key is not a PEM private key.")
    return data
