from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def can(membership: Any, capability: str) -> bool:
    """`{% if membership|can:"create_connector" %}`"""
    return bool(membership) and membership.can(capability)


@register.filter
def plain(value: Any) -> str:
    """An audit value in words: yes/no for booleans, "—" for nothing."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, ""):
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@register.filter
def changes(event: Any) -> list[tuple[str, str]]:
    """An audit event's details, a (key, words) line each: a key changed as "before → after",
    a key set as its value; a key only before, as it was when the target was deleted or, the
    target still there, as "before → —". Keys the same on both sides say nothing. In the
    keys' order, as every database gives it (PostgreSQL's jsonb keeps no order of its own)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    lines = []
    for key, value in after.items():
        if key not in before:
            lines.append((key, plain(value)))
        elif before[key] != value:
            lines.append((key, f"{plain(before[key])} → {plain(value)}"))
    for key, value in before.items():
        if key not in after:
            lines.append((key, plain(value) if not after else f"{plain(value)} → —"))
    return sorted(lines)


@register.filter
def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`{{ row|get_item:key }}`: a mapping's value by a key held in a variable."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def items_list(value: Any) -> list[Any] | None:
    """A summary value that is a list of parts ({label, state, detail}: a connector's tasks), or
    None for a plain value."""
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return value
    return None


@register.simple_tag
def shown_value(template: Any, label: str, value: Any, own: Any = None) -> SafeString:
    """`{% shown_value template label value own %}`: a record's value as a page shows it, in the
    words the create form offered for it (`ConnectorTemplate.shown_value`; `own`, optional: the
    record's own words, kept in its context), with the value as the provider's API spells it
    beside them, muted, where the two differ: findable by whoever compares with the API.
    Without a template (or words for it), the value as it is; "—" for nothing."""
    shows = getattr(template, "shown_value", None)
    said, raw = shows(label, value, own) if shows is not None else (value, "")
    shown = conditional_escape(said if said else "—")
    if not raw:
        return shown
    api = f"{template.provider.label}'s API"
    return format_html(
        '{} <span class="api-value" title="As {} spells it">'
        '<span class="visually-hidden">(in {}:</span> <code>{}</code>'
        '<span class="visually-hidden">)</span></span>',
        shown,
        api,
        api,
        raw,
    )
