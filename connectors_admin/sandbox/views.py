from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from connectors_admin.core.safety import loads_bounded

from .models import SandboxFault

PROVIDERS = ("mixpanel", "aisquared", "videovector", "upstash", "kafkaconnect")

FAULT_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@csrf_exempt
def fault_list(request: HttpRequest) -> JsonResponse:
    """Queue a misbehaviour (POST), list the queue (GET) or clear it (DELETE)."""
    if request.method == "DELETE":
        SandboxFault.objects.all().delete()
        return JsonResponse({"faults": []})
    if request.method == "POST":
        try:
            body = loads_bounded(request.body)
        except ValueError:
            return JsonResponse({"error": "Body must be JSON."}, status=400)
        problems = _check(body)
        if problems:
            return JsonResponse({"error": "; ".join(problems)}, status=400)
        SandboxFault.objects.create(
            provider=body["provider"],
            method=body.get("method", "").upper(),
            mode=body["mode"],
            status=body.get("status", 500),
            message=body.get("message", ""),
            delay_ms=body.get("delay_ms", 0),
            times=body.get("times", 1),
        )
    elif request.method != "GET":
        return JsonResponse({"error": "Use GET, POST or DELETE."}, status=405)
    faults = SandboxFault.objects.values(
        "provider", "method", "mode", "status", "delay_ms", "times"
    )
    return JsonResponse({"faults": list(faults)}, status=201 if request.method == "POST" else 200)


def _check(body: object) -> list[str]:
    if not isinstance(body, dict):
        return ["Body must be a JSON object."]
    problems = []
    if body.get("provider") not in PROVIDERS:
        problems.append(f"provider must be one of {', '.join(PROVIDERS)}")
    if body.get("mode") not in SandboxFault.Mode.values:
        problems.append(f"mode must be one of {', '.join(SandboxFault.Mode.values)}")
    method = body.get("method", "")
    if not isinstance(method, str) or method.upper() not in ("", *FAULT_METHODS):
        problems.append(f"method must be one of {', '.join(FAULT_METHODS)} (or left out: any)")
    status = body.get("status", 500)
    if not isinstance(status, int) or not 100 <= status <= 599:
        problems.append("status must be an HTTP status code")
    for name in ("times", "delay_ms"):
        value = body.get(name, 1)
        if not isinstance(value, int) or value < 0 or value > 100_000:
            problems.append(f"{name} must be a whole number from 0 to 100000")
    return problems
