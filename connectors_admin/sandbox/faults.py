"""Playing the faults queued with POST /sandbox/_faults/."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from .models import SandboxFault

ErrorBody = Callable[[int, str], JsonResponse]


def take_fault(provider: str, method: str) -> SandboxFault | None:
    """Consume one play of the oldest fault queued for `provider` and this request's method."""
    with transaction.atomic():
        fault = (
            SandboxFault.objects.select_for_update()
            .filter(provider=provider, method__in=["", method], times__gt=0)
            .order_by("created_at", "id")
            .first()
        )
        if fault is None:
            return None
        fault.times -= 1
        if fault.times:
            fault.save(update_fields=["times"])
        else:
            fault.delete()
        return fault


def play(request: HttpRequest, provider: str, error_body: ErrorBody) -> HttpResponse | None:
    """The faulty answer to give instead of the real one, or None to answer normally."""
    fault = take_fault(provider, request.method)
    if fault is None:
        return None
    mode = fault.mode
    if mode == SandboxFault.Mode.LATE:
        request.sandbox_late = True  # answered by `late_answers` after the view ran
        return None
    if mode == SandboxFault.Mode.SLOW:
        time.sleep(fault.delay_ms / 1000)
        return None
    if mode == SandboxFault.Mode.STATUS:
        response = error_body(fault.status, fault.message or f"Simulated HTTP {fault.status}")
        if fault.status == 429:
            response["Retry-After"] = "30"
        return response
    if mode == SandboxFault.Mode.TIMEOUT:
        time.sleep(settings.PROVIDER_READ_TIMEOUT + 1)
        return error_body(504, "The answer came too late")
    if mode == SandboxFault.Mode.GARBAGE:
        return HttpResponse(
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
            content_type="text/html",
        )
    if mode == SandboxFault.Mode.SHAPE:
        return JsonResponse({"status": "ok", "results": "Done"})
    if mode == SandboxFault.Mode.DROP:
        _close_connection(request)
    return error_body(500, "The sandbox could not drop this connection")


def _close_connection(request: HttpRequest) -> None:
    """Shut the client's socket so that it sees the connection close with no answer."""
    environ = request.META
    sock = environ.get("gunicorn.socket")
    if sock is None:
        # Django's development and test servers: wsgi.input wraps the socket's buffered file.
        reader = getattr(getattr(environ.get("wsgi.input"), "_read", None), "__self__", None)
        sock = getattr(getattr(reader, "raw", None), "_sock", None)
    if isinstance(sock, socket.socket):
        sock.shutdown(socket.SHUT_RDWR)


def late_answers(view):
    """Wrap a sandbox view so that a `late` fault lets the provider apply the request and then
    answer only after the client's read timeout: the write happened, the answer is lost."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if getattr(request, "sandbox_late", False):
            time.sleep(settings.PROVIDER_READ_TIMEOUT + 1)
        return response

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped
