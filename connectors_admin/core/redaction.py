"""Removing secret values from anything we store or show: headers, bodies, text, curl commands."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[redacted]"
SENSITIVE_HEADERS = {"authorization", "x-api-key", "proxy-authorization", "cookie"}
CURL_DROPS = {"user-agent", "content-length", "connection", "accept-encoding"}


def _spellings(secret: str) -> set[str]:
    """A secret as it may appear in a body: raw, and escaped inside a JSON string (with or
    without ASCII escapes, and with the HTML-safe escapes some servers add)."""
    ascii_form = json.dumps(secret)[1:-1]
    html_safe = ascii_form.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return {secret, ascii_form, json.dumps(secret, ensure_ascii=False)[1:-1], html_safe}


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of every secret (longest spelling first) with a marker."""
    spellings = {form for secret in secrets if secret for form in _spellings(secret)}
    for form in sorted(spellings, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text


def redact_data(value: Any, secrets: Iterable[str], secret_keys: Iterable[str] = ()) -> Any:
    """Deep-copy JSON-like data, masking values under `secret_keys` and any secret substring."""
    secrets = list(secrets)
    keys = set(secret_keys)

    def walk(item: Any, key: str | None = None) -> Any:
        if key in keys and item not in (None, ""):
            return REDACTED
        if isinstance(item, Mapping):
            return {k: walk(v, k) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        if isinstance(item, str):
            return redact_text(item, secrets)
        return item

    return walk(value)


def redact_headers(headers: Mapping[str, str], secrets: Iterable[str]) -> dict[str, str]:
    secrets = list(secrets)
    return {
        name: REDACTED if name.lower() in SENSITIVE_HEADERS else redact_text(value, secrets)
        for name, value in headers.items()
    }


def curl_command(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Any = None,
    user: str | None = None,
    form: list[tuple[str, str]] | None = None,
    files: Mapping[str, tuple[str, str]] | None = None,
    auth_header: str | None = None,
) -> str:
    """A copyable curl command. Callers pass headers and values already redacted.

    `user` is a `--user` value; `form` and `files` ({field: (filename, content type)}) make a
    multipart body, where curl reads each file from a local path of that name.
    """
    multipart = form is not None or bool(files)
    parts = ["curl", "--request", method, "--url", shlex.quote(url)]
    # Double quotes so that a `$VARIABLE` placeholder for the secret expands in the shell.
    if user:
        # The name is quoted as data; only the `$VARIABLE` after the colon expands.
        name, _, variable = user.partition(":")
        parts += ["--user", f'{shlex.quote(name)}:"{variable}"']
    if auth_header:
        parts += ["--header", '"' + auth_header.replace('"', '\\"') + '"']
    for name, value in headers.items():
        if name.lower() in SENSITIVE_HEADERS | CURL_DROPS:
            continue  # credentials come from --user or auth_header placeholders
        if multipart and name.lower() == "content-type":
            continue  # curl writes its own, with the boundary
        parts += ["--header", shlex.quote(f"{name}: {value}")]
    for name, value in form or []:
        parts += ["--form-string", shlex.quote(f"{name}={value}")]
    for name, (filename, kind) in (files or {}).items():
        parts += ["--form", shlex.quote(f"{name}=@{filename};type={kind}")]
    if body is not None and not multipart:
        parts += ["--data", shlex.quote(json.dumps(body, indent=2))]
    return " \\\n     ".join(_pairs(parts))


def _pairs(parts: list[str]) -> list[str]:
    """Keep each option with its value on one line."""
    lines, i = [" ".join(parts[:3])], 3
    while i < len(parts):
        lines.append(f"{parts[i]} {parts[i + 1]}")
        i += 2
    return lines
