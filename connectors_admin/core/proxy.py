"""Behind reverse proxies, the client's address is the one the outermost trusted proxy saw.
With TRUSTED_PROXY_COUNT = N, each of the N proxies appends the address it received from to
X-Forwarded-For, so the client is the Nth entry from the right; REMOTE_ADDR is set to it before
anything reads it (sign-in throttling counts per client address, and the audit trail keeps it).
A header with fewer entries than that did not come through the proxies: it is ignored."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def forwarded_client(request: HttpRequest, trusted: int) -> str | None:
    entries = [e.strip() for e in request.headers.get("X-Forwarded-For", "").split(",")]
    entries = [e for e in entries if e]
    if trusted < 1 or len(entries) < trusted:
        return None
    try:
        return str(ipaddress.ip_address(entries[-trusted]))
    except ValueError:
        return None


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        client = forwarded_client(request, settings.TRUSTED_PROXY_COUNT)
        if client:
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
