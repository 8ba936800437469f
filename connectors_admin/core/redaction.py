"""Removing secret values from anything we store or show: headers, bodies, text, curl commands.

One `Redactor` serves one operation: it is told every secret value (a credential's, a
configuration's), every key whose values are secret wherever they appear, and every header that
carries a credential, and then masks requests, responses, stored records, error messages, curl
commands and log lines alike.
"""

from __future__ import annotations

import json
import re
import shlex
import traceback
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

REDACTED = "[redacted]"
# Headers that carry credentials in any HTTP API; a provider declares its own on top of these.
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
CURL_DROPS = {"user-agent", "content-length", "connection", "accept-encoding"}


def _spellings(secret: str) -> set[str]:
    """A secret as it may appear in a body: raw, and escaped inside a JSON string (with or
    without ASCII escapes, and with the HTML-safe escapes some servers add)."""
    ascii_form = json.dumps(secret)[1:-1]
    html_safe = ascii_form.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return {secret, ascii_form, json.dumps(secret, ensure_ascii=False)[1:-1], html_safe}


def strings_in(value: Any) -> list[str]:
    """Every string inside JSON-like data (a secret object's parts are secrets too)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


# A secret shorter than this may be a piece of ordinary text too (a password "connect" is in
# "kafka-connect" and "io.aiven.kafka.connect"): it is masked where it stands on its own, not
# inside a longer word, name or path segment. A longer one is masked wherever it appears.
SHORT_SECRET = 12


@lru_cache(maxsize=1024)
def _standing_alone(form: str) -> re.Pattern:
    # Not after or before a letter, digit, "_", "~" or "-", nor a "." joining two such; but
    # right after an escape it stands alone: \n, \" or \u003d in JSON, %3D in a URL.
    start = (
        r"(?:(?<![\w~-])(?<!\w\.)"
        r"|(?<=\\[nrtbf\"'/\\])|(?<=\\u[0-9A-Fa-f]{4})|(?<=%[0-9A-Fa-f]{2}))"
    )
    return re.compile(start + re.escape(form) + r"(?![\w~-])(?!\.\w)", re.ASCII)


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of every secret (longest spelling first) with a marker; a short
    secret only where it stands on its own (see SHORT_SECRET)."""
    spellings = {form for secret in secrets if secret for form in _spellings(secret)}
    for form in sorted(spellings, key=len, reverse=True):
        if form not in text:
            continue
        if len(form) >= SHORT_SECRET:
            text = text.replace(form, REDACTED)
        else:
            text = _standing_alone(form).sub(REDACTED, text)
    return text


# A JSON member whose value is a string: "key": "value" (escapes kept whole).
MEMBER = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:\s*)"((?:[^"\\]|\\.)*)"')


def mask_members(text: str, is_secret_key: Callable[[str], bool]) -> str:
    """JSON text with the value of every string member whose key `is_secret_key` masked, found
    by its key without parsing (an answer may be cut short)."""

    def mask(found: re.Match) -> str:
        if found.group(3) and is_secret_key(found.group(1)):
            return f'"{found.group(1)}"{found.group(2)}"{REDACTED}"'
        return found.group(0)

    return MEMBER.sub(mask, text)


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


def redact_headers(
    headers: Mapping[str, str], secrets: Iterable[str], sensitive: Iterable[str] = ()
) -> dict[str, str]:
    secrets = list(secrets)
    hidden = SENSITIVE_HEADERS | {name.lower() for name in sensitive}
    return {
        name: REDACTED if name.lower() in hidden else redact_text(value, secrets)
        for name, value in headers.items()
    }


class Redactor:
    """Everything one operation must never show: secret values, secret keys, secret headers."""

    def __init__(
        self, values: Iterable[str] = (), keys: Iterable[str] = (), headers: Iterable[str] = ()
    ) -> None:
        self.values: list[str] = []
        self.keys: set[str] = set()
        self.headers: set[str] = set()
        self.add(values=values, keys=keys, headers=headers)

    def add(
        self, values: Iterable[str] = (), keys: Iterable[str] = (), headers: Iterable[str] = ()
    ) -> None:
        for value in values:
            if isinstance(value, str) and value and value not in self.values:
                self.values.append(value)
        self.keys.update(keys)
        self.headers.update(name.lower() for name in headers)

    def text(self, text: str) -> str:
        return redact_text(text, self.values)

    def data(self, value: Any) -> Any:
        return redact_data(value, self.values, self.keys)

    def header_values(self, headers: Mapping[str, str]) -> dict[str, str]:
        return redact_headers(headers, self.values, self.headers)


def curl_command(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Any = None,
    user: str | None = None,
    form: list[tuple[str, str]] | None = None,
    files: Mapping[str, tuple[str, str]] | None = None,
    auth_header: str | None = None,
    sensitive_headers: Iterable[str] = (),
    raw: str | None = None,
) -> str:
    """A copyable curl command. Callers pass headers and values already redacted.

    `user` is a `--user` value; `form` and `files` ({field: (filename, content type)}) make a
    multipart body, where curl reads each file from a local path of that name.
    """
    multipart = form is not None or bool(files)
    hidden = SENSITIVE_HEADERS | CURL_DROPS | {name.lower() for name in sensitive_headers}
    parts = ["curl", "--request", method, "--url", shlex.quote(url)]
    # Double quotes so that a `$VARIABLE` placeholder for the secret expands in the shell.
    if user:
        # The name is quoted as data; only the `$VARIABLE` after the colon expands.
        name, _, variable = user.partition(":")
        parts += ["--user", f'{shlex.quote(name)}:"{variable}"']
    if auth_header:
        parts += ["--header", '"' + auth_header.replace('"', '\\"') + '"']
    for name, value in headers.items():
        if name.lower() in hidden:
            continue  # credentials come from --user or auth_header placeholders
        if multipart and name.lower() == "content-type":
            continue  # curl writes its own, with the boundary
        parts += ["--header", shlex.quote(f"{name}: {value}")]
    for name, value in form or []:
        parts += ["--form-string", shlex.quote(f"{name}={value}")]
    for name, (filename, kind) in (files or {}).items():
        parts += ["--form", shlex.quote(f"{name}=@{filename};type={kind}")]
    if raw is not None:
        parts += ["--data", shlex.quote(raw)]
    elif body is not None and not multipart:
        parts += ["--data", shlex.quote(json.dumps(body, indent=2))]
    return " \\\n     ".join(_pairs(parts))


def _pairs(parts: list[str]) -> list[str]:
    """Keep each option with its value on one line."""
    lines, i = [" ".join(parts[:3])], 3
    while i < len(parts):
        lines.append(f"{parts[i]} {parts[i + 1]}")
        i += 2
    return lines


def crash_site(exc: BaseException) -> str:
    """An exception as it may be logged: its type and where it was raised ("KeyError in
    read_item, line 12"), never its text, which may quote a provider's answer."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" in {frames[-1].name}, line {frames[-1].lineno}" if frames else ""
    return type(exc).__name__ + where
