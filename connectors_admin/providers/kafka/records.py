"""Reading a Kafka connector's answer the same way on both templates: its properties with
secret values masked (both APIs echo them in clear), its tasks with their traces, and the first
failure in words."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from connectors_admin.core.redaction import REDACTED

from .catalogue import BY_NAME, SECRET_KEYS, looks_secret


def masked(properties: Any) -> Any:
    """The properties with every secret-looking value replaced, whoever created the connector
    (an imported one's secrets are not known to us by value)."""
    if not isinstance(properties, dict):
        return properties
    return {
        key: REDACTED if (key in SECRET_KEYS or looks_secret(str(key))) and value else value
        for key, value in properties.items()
    }


def class_title(name: Any) -> str:
    known = BY_NAME.get(str(name or ""))
    return known.title if known else str(name or "—")


def tasks(items: Any) -> list[dict[str, str]]:
    """Tasks as the detail page lists them: a label, a state and, when failed, the trace."""
    if not isinstance(items, list):
        return []
    return [
        {
            "label": f"Task {item.get('id', index)}",
            "state": str(item.get("state") or "—"),
            "detail": str(item.get("trace") or ""),
        }
        for index, item in enumerate(items)
        if isinstance(item, dict)
    ]


def first_failure(items: list[dict[str, str]]) -> str:
    for item in items:
        if item["state"].upper() == "FAILED":
            line = item["detail"].strip().splitlines()[0] if item["detail"].strip() else ""
            return f"{item['label']} failed" + (f": {line[:300]}" if line else ".")
    return ""


# A JSON member whose value is a string: "key": "value" (escapes kept whole).
MEMBER = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:\s*)"((?:[^"\\]|\\.)*)"')


def mask_text(text: str) -> str:
    """An answer's text with the value of every secret-looking property masked, found by its key
    (the answer may be cut short, so this does not parse it)."""

    def mask(found: re.Match) -> str:
        key = found.group(1)
        if (key in SECRET_KEYS or looks_secret(key)) and found.group(3):
            return f'"{key}"{found.group(2)}"{REDACTED}"'
        return found.group(0)

    return MEMBER.sub(mask, text)


class MaskedAnswers:
    """For a Kafka client: answers are stored with secret-looking properties masked by key, so
    even a connector made elsewhere (whose secrets we do not know by value) leaks nothing."""

    def redacted_response(self, exchange: Any) -> str:
        masked = mask_text(exchange.text)
        if masked != exchange.text:
            exchange = replace(exchange, text=masked)
        return super().redacted_response(exchange)  # type: ignore[misc]
