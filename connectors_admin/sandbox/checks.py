"""The sandbox's authentication checks for VideoVector and Upstash: the calls
Connectors Admin makes to test a credential, with each provider's auth rules and error shapes.

As for Mixpanel, a secret that starts with "invalid" is refused.
"""

from __future__ import annotations

import base64
import binascii
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from . import faults

VIDEOVECTOR_KEY = re.compile(r"^sk_live_[0-9a-f]{48}$")


def _videovector_error(status: int, message: str) -> JsonResponse:
    code = {401: "unauthorized", 403: "forbidden", 429: "rate_limited"}.get(status, "error")
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt
@require_GET
def videovector_validate(request: HttpRequest) -> HttpResponse:
    fault = faults.play(request, "videovector", _videovector_error)
    if fault is not None:
        return fault
    key = request.headers.get("X-API-Key", "")
    bearer = request.headers.get("Authorization", "")
    if key and bearer:
        return _videovector_error(400, "Send either X-API-Key or a bearer token, not both.")
    if key:
        if not VIDEOVECTOR_KEY.match(key):
            return _videovector_error(401, "Invalid API key.")
        return JsonResponse({"valid": True, "auth_type": "api_key"})
    if bearer.startswith("Bearer ") and bearer[7:] and not bearer[7:].startswith("invalid"):
        return JsonResponse({"valid": True, "auth_type": "bearer"})
    return _videovector_error(401, "Missing or invalid credentials.")


def _upstash_error(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain")


@csrf_exempt
@require_GET
def upstash_clusters(request: HttpRequest) -> HttpResponse:
    fault = faults.play(request, "upstash", _upstash_error)
    if fault is not None:
        return fault
    header = request.headers.get("Authorization", "")
    try:
        email, _, key = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        email = key = ""
    if not header.startswith("Basic ") or not email or not key or key.startswith("invalid"):
        return _upstash_error(401, "Unauthorized")
    return JsonResponse([], safe=False)
