"""The sandbox's authentication check for Upstash: the call Connectors Admin makes to test a
credential, with the provider's auth rules and error shape (upstash.py holds both).

As for Mixpanel, a secret that starts with "invalid" is refused.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from . import faults
from .upstash import customer, text_error


@csrf_exempt
@require_GET
def upstash_clusters(request: HttpRequest) -> HttpResponse:
    fault = faults.play(request, "upstash", text_error)
    if fault is not None:
        return fault
    _email, failure = customer(request)
    if failure is not None:
        return failure
    return JsonResponse([], safe=False)
