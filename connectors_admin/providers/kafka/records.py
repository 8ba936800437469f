"""Reading a Kafka connector's answer the same way on both templates: its properties with
secret values masked (both APIs echo them in clear), its tasks with their traces, and the first
failure in words."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

from connectors_admin.core.redaction import REDACTED
from connectors_admin.core.safety import loads_bounded

from .secrets import mask_text, masked, secret_values

__all__ = ["REDACTED", "MaskedAnswers", "class_name", "first_failure", "masked", "tasks"]


def class_name(name: Any) -> str:
    """A connector's class as the API names it: the record's page shows it in the create form's
    words ("MongoDB Source", from the form's choices) with this name beside them."""
    return str(name or "—")


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


def _cut(line: str, most: int = 300) -> str:
    """A line cut short between words: the secrets in it are masked later, whole, and a word
    cut in two could be the start of one."""
    if len(line) <= most:
        return line
    kept = line[:most]
    if not line[most].isspace():
        kept = kept.rsplit(None, 1)[0] if " " in kept.strip() else ""
    return kept.rstrip() + " …"


def first_failure(items: list[dict[str, str]]) -> str:
    for item in items:
        if item["state"].upper() == "FAILED":
            line = item["detail"].strip().splitlines()[0] if item["detail"].strip() else ""
            return f"{item['label']} failed" + (f": {_cut(line)}" if line else ".")
    return ""


class MaskedAnswers:
    """For a Kafka client. Both APIs echo a connector's properties in clear, and a connector made
    elsewhere has secrets we do not know by value: every answer is read for the values under
    secret keys (and URL passwords) before anything of it is stored, so they are masked wherever
    they appear in it (a validator's message, a task's trace) as well as under their keys."""

    def learn_secrets(self, data: Any) -> None:
        keys = self.secret_keys  # type: ignore[attr-defined]
        self.redactor.add(values=secret_values(data, keys))  # type: ignore[attr-defined]

    def redacted_response(self, exchange: Any) -> str:
        with contextlib.suppress(ValueError):
            self.learn_secrets(loads_bounded(exchange.text))
        shown = mask_text(exchange.text, self.secret_keys)  # type: ignore[attr-defined]
        if shown != exchange.text:
            exchange = replace(exchange, text=shown)
        return super().redacted_response(exchange)  # type: ignore[misc]
