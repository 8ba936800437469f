"""The sandbox's authentication check for Upstash: the call Connectors Admin makes to test a
credential, with the provider's auth rules and error shape.

As for Mixpanel, a secret that starts with "invalid" is refused.
"""

from __future__ import annotations

import base64
import binascii

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from . import faults


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
