"""The sandbox's imitation of VideoVector's storage-connector API (providers.md §3 and §3.7): the
same paths under /api/v2, both auth schemes with key scopes, the three creates with their
validation and idempotency, list, get, test, browse over a fixed fake listing, delete, and the
`{"error": {code, message, details, request_id}}` shape the official SDK reads.

Rules for demos and tests:
- an API key is `sk_live_` and 48 hex digits; one whose hex starts with `000000` has only the
  read scope, `111111` has write but not admin, any other has admin; a bearer token that starts
  with `invalid` is refused, `read-` has read, `write-` has write, any other admin;
- a bucket, container or storage account named `unreachable-bucket` fails its test;
- browse lists the same fake files in every connector (FILES below).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from connectors_admin.core.safety import loads_bounded

from . import faults, sealed
from .empty import no_content
from .models import SandboxConnector

PROVIDER = "videovector"
API_KEY = re.compile(r"^sk_live_[0-9a-f]{48}$")
SCOPES = ("search", "read", "write", "admin")
AZURE_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
AZURE_CONTAINER = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
FAILING_BUCKET = "unreachable-bucket"
REQUIRED = {
    "gcs": ("name", "bucket", "gcp_project_id"),
    "s3": ("name", "bucket", "region", "aws_access_key_id", "aws_secret_access_key"),
    "azure": ("name", "storage_account", "container", "tenant_id", "client_id", "client_secret"),
}
SECRET_FIELDS = ("aws_secret_access_key", "client_secret", "credentials_file")
# What every connector's storage holds, for browse: (path, size in bytes, modified).
FILES = [
    ("incoming/2026/11/keynote.mp4", 734_003_200, "2026-11-02T09:15:00Z"),
    ("incoming/2026/11/keynote-captions.srt", 48_213, "2026-11-02T09:16:30Z"),
    ("incoming/2026/11/interview.mov", 1_288_490_189, "2026-11-05T14:02:11Z"),
    ("incoming/2026/11/b-roll/harbour.mp4", 212_860_928, "2026-11-06T07:45:00Z"),
    ("incoming/2026/11/b-roll/skyline.mp4", 98_566_144, "2026-11-06T07:47:40Z"),
    ("incoming/thumbnails/keynote.jpg", 310_442, "2026-11-02T09:20:00Z"),
    ("archive/2025/launch.mp4", 2_147_483_648, "2025-06-11T18:00:00Z"),
    ("archive/2025/launch.wav", 52_428_800, "2025-06-11T18:05:00Z"),
    ("readme.txt", 1_024, "2025-01-01T00:00:00Z"),
]
CONTENT_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "srt": "application/x-subrip",
    "jpg": "image/jpeg",
    "wav": "audio/wav",
    "txt": "text/plain",
}


def error(status: int, message: str, code: str = "", details: Any = None) -> JsonResponse:
    codes = {400: "bad_request", 401: "unauthorized", 403: "insufficient_scope", 404: "not_found"}
    codes |= {409: "conflict", 422: "validation_error", 429: "rate_limited"}
    body = {
        "error": {
            "code": code or codes.get(status, "server_error"),
            "message": message,
            "details": details or {},
            "request_id": f"req_{uuid.uuid4().hex[:16]}",
            "timestamp": _now(),
        }
    }
    response = JsonResponse(body, status=status)
    if status == 429:
        response["Retry-After"] = "30"
    return response


def _now() -> str:
    return timezone.now().isoformat(timespec="seconds").replace("+00:00", "Z")


def _scope_of(request: HttpRequest) -> tuple[str | None, HttpResponse | None]:
    key = request.headers.get("X-API-Key", "")
    bearer = request.headers.get("Authorization", "")
    if key and bearer:
        return None, error(400, "Send either X-API-Key or a bearer token, not both.")
    if key:
        if not API_KEY.match(key):
            return None, error(401, "Invalid API key.")
        hex_part = key.removeprefix("sk_live_")
        return (
            "read"
            if hex_part.startswith("000000")
            else "write"
            if hex_part.startswith("111111")
            else "admin"
        ), None
    token = bearer.removeprefix("Bearer ") if bearer.startswith("Bearer ") else ""
    if not token or token.startswith("invalid"):
        return None, error(401, "Missing or invalid credentials.")
    for scope in ("read", "write"):
        if token.startswith(f"{scope}-"):
            return scope, None
    return "admin", None


def _guard(request: HttpRequest, needs: str) -> HttpResponse | None:
    fault = faults.play(request, PROVIDER, lambda status, message: error(status, message))
    if fault is not None:
        return fault
    scope, failure = _scope_of(request)
    if failure:
        return failure
    if SCOPES.index(scope) < SCOPES.index(needs):
        return error(403, f"This API key lacks the {needs} scope (it has {scope}).")
    return None


@csrf_exempt
def validate(request: HttpRequest) -> HttpResponse:
    """`GET /api/v2/auth/validate`: 204 with no body when the credential is accepted."""
    if request.method != "GET":
        return error(405, "Use GET.", code="method_not_allowed")
    return _guard(request, "search") or no_content()


# --- creates ---------------------------------------------------------------------------------------
def _parse(request: HttpRequest, provider: str) -> tuple[dict[str, Any], HttpResponse | None]:
    """The create's fields, from multipart (GCS) or JSON (S3, Azure)."""
    if provider == "gcs":
        fields: dict[str, Any] = {k: request.POST.get(k) for k in request.POST if k != "scopes"}
        if "scopes" in request.POST:  # absent: the default, as in a JSON body
            fields["scopes"] = request.POST.getlist("scopes")
        upload = request.FILES.get("credentials_file")
        fields["credentials_file"] = upload.read() if upload else None
        return fields, None
    try:
        body = loads_bounded(request.body or b"null")
    except ValueError:
        return {}, error(400, "The body is not valid JSON.")
    if not isinstance(body, dict):
        return {}, error(422, "The body must be a JSON object.")
    return body, None


def _problems(provider: str, fields: dict[str, Any]) -> dict[str, str]:
    problems = {}
    for name in REQUIRED[provider]:
        if not isinstance(fields.get(name), str) or not fields[name].strip():
            problems[name] = "Field required."
    name = fields.get("name")
    if isinstance(name, str) and not 1 <= len(name) <= 100:
        problems["name"] = "Must be 1 to 100 characters."
    scopes = fields.get("scopes", ["import"])
    if (
        not isinstance(scopes, list)
        or not scopes
        or not set(scopes) <= {"import", "export"}
        or len(set(scopes)) != len(scopes)
    ):
        problems["scopes"] = "Scopes are import and/or export, at least one."
    if fields.get("import_mode", "all") not in ("all", "new_only"):
        problems["import_mode"] = "Import mode is all or new_only."
    export_path = fields.get("export_base_path")
    if export_path not in (None, "") and not isinstance(export_path, str):
        problems["export_base_path"] = "A path prefix, as text."
    if provider == "azure":
        if "storage_account" not in problems and not AZURE_ACCOUNT.match(fields["storage_account"]):
            problems["storage_account"] = "3 to 24 lowercase letters and digits."
        if "container" not in problems and not AZURE_CONTAINER.match(fields["container"]):
            problems["container"] = "3 to 63 lowercase letters, digits and single hyphens."
        for guid in ("tenant_id", "client_id"):
            if guid not in problems and not GUID.match(fields[guid]):
                problems[guid] = "A GUID."
    if provider == "gcs":
        problems.update(_key_file_problems(fields.get("credentials_file")))
    return problems


def _key_file_problems(payload: bytes | None) -> dict[str, str]:
    if not payload:
        return {"credentials_file": "A service-account key file is required."}
    if len(payload) > 64 * 1024:
        return {"credentials_file": "The key file cannot exceed 64 KiB."}
    try:
        key = loads_bounded(payload)
    except ValueError:
        return {"credentials_file": "The key file is not JSON."}
    if not isinstance(key, dict) or key.get("type") != "service_account":
        return {"credentials_file": "The key file is not a service-account key."}
    if not all(key.get(k) for k in ("private_key", "client_email", "project_id")):
        return {"credentials_file": "The key file lacks private_key, client_email or project_id."}
    return {}


def _digest(fields: dict[str, Any]) -> str:
    """What the idempotency check compares: the parsed fields (never the raw multipart bytes);
    secrets are kept only as digests."""
    comparable = {
        k: (hashlib.sha256(v).hexdigest() if isinstance(v, bytes) else v) for k, v in fields.items()
    }
    comparable.setdefault("scopes", ["import"])
    comparable.setdefault("import_mode", "all")
    if not comparable.get("export_base_path"):
        comparable.pop("export_base_path", None)
    return hashlib.sha256(json.dumps(comparable, sort_keys=True).encode()).hexdigest()


def _present(row: SandboxConnector) -> dict[str, Any]:
    """A Connector as the API returns it: never a secret."""
    data = row.data
    shown = {k: v for k, v in data.items() if not k.startswith("_")}
    return {"connector_id": row.remote_id, **shown}


@csrf_exempt
def create(request: HttpRequest, provider: str) -> HttpResponse:
    if request.method != "POST":
        return error(405, "Use POST.", code="method_not_allowed")
    failure = _guard(request, "write")
    if failure:
        return failure
    fields, failure = _parse(request, provider)
    if failure:
        return failure
    problems = _problems(provider, fields)
    if problems:
        return error(422, "The connector is not valid.", details=problems)
    key = request.headers.get("Idempotency-Key", "").strip()
    digest = _digest(fields)
    if key:
        earlier = SandboxConnector.objects.filter(provider=PROVIDER, data___idempotency_key=key)
        earlier = earlier.first()
        if earlier is not None:
            if earlier.data.get("_request_digest") != digest:
                return error(
                    422,
                    "This Idempotency-Key was used with a different request.",
                    code="idempotency_key_reused",
                )
            return JsonResponse(_present(earlier), status=201)
    now = _now()
    data = {
        "name": fields["name"],
        "provider": provider,
        "status": "active",
        "scopes": fields.get("scopes") or ["import"],
        "import_mode": fields.get("import_mode") or "all",
        "export_base_path": fields.get("export_base_path") or None,
        "bucket": fields.get("bucket"),
        "region": fields.get("region"),
        "storage_account": fields.get("storage_account"),
        "container": fields.get("container"),
        "gcp_project_id": fields.get("gcp_project_id"),
        "created_at": now,
        "updated_at": now,
        "last_tested_at": None,
        "last_test_result": None,
        "last_test_error": None,
        "_idempotency_key": key,
        "_request_digest": digest,
        # What the sandbox kept of the secrets it received: digests only.
        "_secrets": {
            k: sealed.digest(v if isinstance(v, bytes) else str(v))
            for k, v in fields.items()
            if k in SECRET_FIELDS and v
        },
    }
    if provider == "gcs":
        data["_service_account"] = json.loads(fields["credentials_file"]).get("client_email")
    row = SandboxConnector.objects.create(
        provider=PROVIDER, scope="account", remote_id=f"conn_{uuid.uuid4().hex[:12]}", data=data
    )
    return JsonResponse(_present(row), status=201)


# --- one connector ----------------------------------------------------------------------------------
@csrf_exempt
def connectors(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return error(
            405, "Use GET, or POST to /connectors/{gcs|s3|azure}.", code="method_not_allowed"
        )
    failure = _guard(request, "read")
    if failure:
        return failure
    rows = SandboxConnector.objects.filter(provider=PROVIDER).order_by("created_at", "id")
    return JsonResponse([_present(r) for r in rows], safe=False)


def _row(connector_id: str) -> SandboxConnector | None:
    return SandboxConnector.objects.filter(provider=PROVIDER, remote_id=connector_id).first()


@csrf_exempt
def connector(request: HttpRequest, connector_id: str) -> HttpResponse:
    needs = {"GET": "read", "PATCH": "write", "DELETE": "admin"}.get(request.method)
    if needs is None:
        return error(405, "Use GET, PATCH or DELETE.", code="method_not_allowed")
    failure = _guard(request, needs)
    if failure:
        return failure
    row = _row(connector_id)
    if row is None:
        return error(404, f"Connector {connector_id} not found.")
    if request.method == "DELETE":
        row.delete()
        return JsonResponse({"message": f"Connector {connector_id} deleted."})
    if request.method == "PATCH":
        try:
            body = loads_bounded(request.body or b"{}")
        except ValueError:
            return error(400, "The body is not valid JSON.")
        mutable = {"name", "scopes", "export_base_path", "import_mode"}
        if not isinstance(body, dict) or set(body) - mutable:
            return error(422, f"Only {', '.join(sorted(mutable))} can change.")
        problems = {
            k: v
            for k, v in _problems(row.data.get("provider", ""), {**row.data, **body}).items()
            if k in body
        }
        if problems:
            return error(422, "The connector is not valid.", details=problems)
        row.data = {**row.data, **body, "updated_at": _now()}
        row.save(update_fields=["data"])
    return JsonResponse(_present(row))


@csrf_exempt
def test(request: HttpRequest, connector_id: str) -> HttpResponse:
    if request.method != "POST":
        return error(405, "Use POST.", code="method_not_allowed")
    failure = _guard(request, "write")
    if failure:
        return failure
    row = _row(connector_id)
    if row is None:
        return error(404, f"Connector {connector_id} not found.")
    place = row.data.get("bucket") or row.data.get("container") or ""
    ok = FAILING_BUCKET not in (place, row.data.get("storage_account"))
    message = None if ok else f"Access denied to {place or 'the storage account'}: check the grant."
    row.data = {
        **row.data,
        "status": "active" if ok else "failed",
        "last_tested_at": _now(),
        "last_test_result": "success" if ok else "failure",
        "last_test_error": message,
    }
    row.save(update_fields=["data"])
    return JsonResponse({"success": ok, "error_message": message})


def _globs(pattern: str) -> list[str]:
    """Brace alternatives expanded: `*.{mp4,mov}` -> `*.mp4`, `*.mov`."""
    found = re.search(r"\{([^{}]*)\}", pattern)
    if not found:
        return [pattern]
    head, tail = pattern[: found.start()], pattern[found.end() :]
    return [g for option in found.group(1).split(",") for g in _globs(head + option + tail)]


@csrf_exempt
def browse(request: HttpRequest, connector_id: str) -> HttpResponse:
    if request.method != "POST":
        return error(405, "Use POST.", code="method_not_allowed")
    failure = _guard(request, "read")
    if failure:
        return failure
    if _row(connector_id) is None:
        return error(404, f"Connector {connector_id} not found.")
    try:
        body = loads_bounded(request.body or b"{}")
    except ValueError:
        return error(400, "The body is not valid JSON.")
    if not isinstance(body, dict):
        return error(422, "The body must be a JSON object.")
    prefix, pattern = body.get("prefix", ""), body.get("pattern", "*") or "*"
    recursive = body.get("recursive", True)
    if not isinstance(prefix, str) or not isinstance(pattern, str) or len(pattern) > 200:
        return error(422, "prefix and pattern are text.", details={"pattern": "Text."})
    if not isinstance(recursive, bool):
        return error(422, "recursive is true or false.", details={"recursive": "A boolean."})
    globs = _globs(pattern)
    listed = []
    for path, size, modified in FILES:
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix) :]
        if not recursive and "/" in rest:
            continue
        name = path.rsplit("/", 1)[-1]
        if not any(fnmatch.fnmatchcase(name, g) for g in globs):
            continue
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        listed.append(
            {
                "path": path,
                "name": name,
                "size_bytes": size,
                "last_modified": modified,
                "content_type": CONTENT_TYPES.get(extension),
                "extension": extension,
            }
        )
    return JsonResponse(listed, safe=False)


@csrf_exempt
def unknown(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under /api/v2: the API's own 404, never a web page."""
    return error(404, f"No such endpoint: /api/v2/{rest[:200]}.")
