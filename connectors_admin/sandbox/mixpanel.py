"""The sandbox's Mixpanel Cloud Import: paths, Basic auth, validation, errors and shapes of §1.

Documented behaviours for demos and tests:
- any service account is accepted, except a secret that starts with "invalid" (HTTP 401);
- project 403 is not enrolled in Cloud Import (HTTP 403);
- a new connector reports status null until it is at least two seconds old, then "active".
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from connectors_admin.core.safety import loads_bounded

from . import faults
from .models import SandboxConnector

PROVIDER = "mixpanel"
NOT_ENROLLED = 403
PAGE_SIZE = 10
ACTIVE_AFTER = timedelta(seconds=2)
CONNECTOR_TYPES = ("s3Import", "gcsImport")
DATA_FORMATS = (
    "mixpanel_event",
    "mixpanel_group",
    "mixpanel_people",
    "remap_event",
    "remap_people",
    "remap_group",
)
COMPRESSIONS = ("none", "gzip")
# The bucket naming rules of each cloud (§1.4): S3's 3 to 63 characters without underscores;
# Google's longer names, with underscores and dotted parts of at most 63 characters.
S3_BUCKET = re.compile(r"^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
GCS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")


def _valid_bucket(kind: str, bucket: Any) -> bool:
    if not isinstance(bucket, str):
        return False
    if kind == "s3Import":
        return bool(S3_BUCKET.match(bucket))
    return (
        bool(GCS_BUCKET.match(bucket))
        and not bucket.startswith("goog")
        and "google" not in bucket
        and all(len(part) <= 63 for part in bucket.split("."))
    )


AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
ROLE_ARN = re.compile(r"^arn:aws(-[a-z]+)?:iam::\d{12}:role/[A-Za-z0-9+=,.@_\-/]{1,512}$")


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"status": "error", "error": message}, status=status)


def _service_account(request: HttpRequest) -> tuple[str | None, JsonResponse | None]:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None, error(401, "Authentication credentials were not provided.")
    try:
        username, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, error(401, "Malformed Basic authentication header.")
    if not username or not secret or secret.startswith("invalid"):
        return None, error(401, "Invalid service account credentials.")
    return username, None


def _guard(request: HttpRequest, project_id: int) -> tuple[str | None, HttpResponse | None]:
    fault = faults.play(request, PROVIDER, error)
    if fault is not None:
        return None, fault
    username, failure = _service_account(request)
    if failure is not None:
        return None, failure
    if project_id == NOT_ENROLLED:
        return None, error(403, f"Project {project_id} is not enrolled in Cloud Import.")
    return username, None


def _validate(body: object) -> str | None:
    if not isinstance(body, dict):
        return "Request body must be a JSON object."
    kind = body.get("connector_type")
    if kind not in CONNECTOR_TYPES:
        return f"connector_type must be one of {', '.join(CONNECTOR_TYPES)}."
    props = body.get("connector_properties")
    category = body.get("category_properties")
    if not isinstance(props, dict):
        return "connector_properties must be an object."
    if not isinstance(category, dict):
        return "category_properties must be an object."
    prefix = "s3" if kind == "s3Import" else "gcs"
    bucket = props.get(f"{prefix}_bucket")
    if not _valid_bucket(kind, bucket):
        return f"{prefix}_bucket is required and must be a valid bucket name."
    if not isinstance(props.get(f"{prefix}_prefix", ""), str):
        return f"{prefix}_prefix must be a string."
    if kind == "s3Import":
        if not AWS_REGION.match(str(props.get("s3_region", ""))):
            return "s3_region must be an AWS region code such as us-east-2."
        if not ROLE_ARN.match(str(props.get("s3_role", ""))):
            return "s3_role must be the ARN of an IAM role."
    if category.get("data_format") not in DATA_FORMATS:
        return f"data_format must be one of {', '.join(DATA_FORMATS)}."
    if category.get("compression") not in COMPRESSIONS:
        return "compression must be one of none, gzip."
    return None


def _present(connector: SandboxConnector) -> dict:
    data = dict(connector.data)
    if data.get("status") is None and timezone.now() - connector.created_at >= ACTIVE_AFTER:
        data["status"] = "active"
        connector.data = data
        connector.save(update_fields=["data"])
    return data


@csrf_exempt
def connectors(request: HttpRequest, project_id: str) -> HttpResponse:
    project_id = int(project_id)
    username, failure = _guard(request, project_id)
    if failure is not None:
        return failure
    if request.method == "GET":
        return _list(request, project_id)
    if request.method != "POST":
        return error(405, f"Method {request.method} not allowed.")
    try:
        body = loads_bounded(request.body or b"null")
    except ValueError:
        return error(400, "Request body is not valid JSON.")
    problem = _validate(body)
    if problem:
        return error(400, problem)
    kind = body["connector_type"]
    record = {
        "connector_id": str(uuid.uuid4()),
        "label": "",
        "connector_type": kind,
        "connector_properties": body["connector_properties"],
        "category_properties": body["category_properties"],
        "status": None,
        "created_at": timezone.now().isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "created_by": username,
    }
    SandboxConnector.objects.create(
        provider=PROVIDER, scope=str(project_id), remote_id=record["connector_id"], data=record
    )
    return JsonResponse({"status": "ok", "results": record})


def _list(request: HttpRequest, project_id: int) -> JsonResponse:
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return error(400, "page must be a positive integer.")
    rows = SandboxConnector.objects.filter(provider=PROVIDER, scope=str(project_id))
    chunk = list(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    has_more = len(chunk) > PAGE_SIZE
    next_url = None
    if has_more:
        next_url = request.build_absolute_uri(f"{request.path}?page={page + 1}")
    return JsonResponse(
        {
            "status": "ok",
            "results": {
                "url": next_url,
                "has_more": has_more,
                "data": [_present(c) for c in chunk[:PAGE_SIZE]],
            },
        }
    )


@csrf_exempt
def connector(request: HttpRequest, project_id: str, connector_id: str) -> HttpResponse:
    project_id = int(project_id)
    _, failure = _guard(request, project_id)
    if failure is not None:
        return failure
    found = SandboxConnector.objects.filter(
        provider=PROVIDER, scope=str(project_id), remote_id=connector_id
    ).first()
    if found is None:
        return error(404, f"Connector {connector_id} not found.")
    if request.method == "GET":
        return JsonResponse({"status": "ok", "results": _present(found)})
    if request.method == "DELETE":
        found.delete()
        return JsonResponse(
            {"status": "ok", "results": f"Successfully deleted Connector with ID:{connector_id}"}
        )
    return error(405, f"Method {request.method} not allowed.")
