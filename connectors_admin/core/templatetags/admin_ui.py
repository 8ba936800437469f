from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def can(membership: Any, capability: str) -> bool:
    """`{% if membership|can:"create_connector" %}`"""
    return bool(membership) and membership.can(capability)


@register.filter
def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
