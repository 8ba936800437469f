"""Writing audit events. Callers pass before/after values already stripped of secrets."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.http import HttpRequest

from .models import Action, AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def record(
    action: Action,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    team: Any = None,
    target: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "",
        team=team,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        client_ip=client_ip(request),
        request_id=getattr(request, "request_id", "") if request is not None else "",
        before=before or {},
        after=after or {},
        message=message[:500],
    )
