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


def asked_from(request: HttpRequest) -> dict[str, str | None]:
    """What the audit keeps of a request whose work runs later (a bulk action's tasks): the
    address it came from and its id, passed with the work (see `request_as_asked`)."""
    return {"client_ip": client_ip(request), "request_id": getattr(request, "request_id", "")}


def request_as_asked(asked: dict[str, Any] | None, user: Any) -> HttpRequest | None:
    """A stand-in for the request that queued some work, for the audit of what the work does:
    its address, its id and who asked. None when nothing was kept (work queued before)."""
    if not asked:
        return None
    request = HttpRequest()
    if asked.get("client_ip"):
        request.META["REMOTE_ADDR"] = str(asked["client_ip"])
    request.request_id = str(asked.get("request_id") or "")
    request.user = user
    return request


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
