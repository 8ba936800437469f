"""The sandbox's imitation of Upstash's hosted Kafka connectors (providers.md §4.3 to §4.9): the
same paths under /v2/kafka, HTTP Basic email:api_key, create, get, list by cluster, update with a
flat properties map, delete, pause, start and restart, the Connector JSON of §4.3 and the
`{"error": "…"}` bodies the official CLI reads.

Rules for demos and tests:
- any email is accepted with a key that does not start with `invalid` (that one answers 401
  "Unauthorized" as plain text); each email sees only its own connectors;
- a connector is `pending` when created or updated; the next GET (one or the list) finds it
  `running`, with one task per `tasks.max` (1 to 4) and the topics it reads or writes, except:
- a MongoDB connector whose `connection.uri` is not mongodb:// or mongodb+srv:// goes `failed`
  with Kafka Connect's validator message, which echoes the URI (clients must redact it);
- a property value containing `unreachable-host` leaves the connector running with task 0
  FAILED and a stack trace;
- properties come back in plain text on GET and list, secrets included, as Upstash did; the
  sandbox's rows keep each secret as its sha256 digest, the values only encrypted (sealed.py);
- DELETE, pause, start and restart take no body or a JSON `null` (as Terraform sends).
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from connectors_admin.core.safety import has_control_characters, loads_bounded

from . import faults, kafkaconnect, sealed
from .models import SandboxConnector

PROVIDER = "upstash"
CLASS_KEY = "connector.class"
UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
TTL_SECONDS = 1800
MAX_NAME = 255


def text_error(status: int, message: str) -> HttpResponse:
    """What Upstash's gateway answers for auth failures (and the faults play): plain text."""
    return HttpResponse(message, status=status, content_type="text/plain")


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def customer(request: HttpRequest) -> tuple[str, HttpResponse | None]:
    """The account's email from HTTP Basic email:api_key, or the 401 to answer."""
    header = request.headers.get("Authorization", "")
    try:
        decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
    except ValueError:  # binascii.Error, UnicodeDecodeError, non-ASCII text
        decoded = ""
    email, _, key = decoded.partition(":")
    if (
        not header.startswith("Basic ")
        or not email
        or not key
        or key.startswith("invalid")
        or has_control_characters(email)
        or len(email) > 320
    ):
        return "", text_error(401, "Unauthorized")
    return email, None


def _guard(request: HttpRequest, *methods: str) -> tuple[str, HttpResponse | None]:
    fault = faults.play(request, PROVIDER, text_error)
    if fault is not None:
        return "", fault
    if request.method not in methods:
        return "", error(405, "method not allowed")
    return customer(request)


def _json(request: HttpRequest) -> tuple[Any, HttpResponse | None]:
    raw = kafkaconnect.raw_body(request)
    try:
        if raw is None:
            raise ValueError("a form, not JSON")
        body = loads_bounded(raw)
    except ValueError:
        return None, error(400, "invalid request body: not JSON")
    if has_control_characters(body):
        return None, error(400, "invalid request body: control characters are not allowed")
    return body, None


def _properties_problem(properties: Any) -> str | None:
    if not isinstance(properties, dict):
        return "properties must be an object"
    for key, value in properties.items():
        if not isinstance(value, str):
            return f"property {key} must be a string"
    if not properties.get(CLASS_KEY):
        return f"properties must include {CLASS_KEY}"
    return None


# --- the connector's life ---------------------------------------------------------------------------
def _topics(properties: dict[str, str]) -> list[str]:
    listed = [t.strip() for t in properties.get("topics", "").split(",") if t.strip()]
    if listed:
        return listed
    if kafkaconnect.connector_type(properties[CLASS_KEY]) == "source":
        parts = [properties.get(k, "") for k in ("topic.prefix", "database", "collection")]
        if all(parts):
            return [".".join(parts)]
    return []


def _config_error(properties: dict[str, str]) -> str:
    """The validator's message for the documented bad MongoDB URI, or ""."""
    uri = properties.get("connection.uri")
    if (
        properties[CLASS_KEY] in kafkaconnect.MONGO_CLASSES
        and isinstance(uri, str)
        and not uri.startswith(kafkaconnect.MONGO_SCHEMES)
    ):
        return (
            "Connector configuration is invalid and contains the following 1 error(s):\n"
            f"{kafkaconnect.bad_mongo_uri(uri)}\n"
        )
    return ""


def properties_of(data: dict[str, Any]) -> dict[str, str]:
    """The connector's properties as they were sent (kept with their secrets sealed)."""
    return sealed.reveal(data["properties"], data.get(sealed.SEALED))


def _kept(properties: dict[str, str]) -> dict[str, Any]:
    """What a row keeps of the properties: their secrets as digests, and sealed (sealed.py)."""
    kept, secrets = sealed.seal(properties, kafkaconnect.SECRET_KEYS)
    return {"properties": kept, sealed.SEALED: secrets}


def _start(data: dict[str, Any], state: str = "running") -> None:
    """Run the connector as the worker would: failed for a bad config, else `state` with tasks."""
    properties = properties_of(data)
    message = _config_error(properties)
    if message:
        # The validator's message quotes the URI: kept with its secrets as kept.
        message = sealed.hide(message, properties, data["properties"])
        data.update(state="failed", connector_state="FAILED", state_error_message=message, tasks=[])
        return
    task_state = state.upper()
    tasks = [
        {"id": i, "state": task_state, "trace": ""}
        for i in range(kafkaconnect.tasks_max(properties))
    ]
    if state == "running" and kafkaconnect.fails(properties):
        tasks[0] = {"id": 0, "state": "FAILED", "trace": kafkaconnect.trace(properties[CLASS_KEY])}
    data.update(
        state=state,
        connector_state=task_state,
        state_error_message="",
        tasks=tasks,
        topics=_topics(properties),
    )


def _advance(row: SandboxConnector) -> None:
    """A pending connector has started by the time anyone looks again."""
    if row.data["state"] == "pending":
        _start(row.data)
        row.save(update_fields=["data"])


def _present(row: SandboxConnector, with_properties: bool = True) -> dict[str, Any]:
    data = row.data
    properties = properties_of(data)
    shown = {
        "connector_id": row.remote_id,
        "name": data["name"],
        "customer_id": data["customer_id"],
        "cluster_id": data["cluster_id"],
        "creation_time": data["creation_time"],
        "deletion_time": data["deletion_time"],
        "state": data["state"],
        "state_error_message": sealed.show(
            data["state_error_message"], properties, data["properties"]
        ),
        "connector_state": data["connector_state"],
        "tasks": data["tasks"],
        "topics": data["topics"],
        "connector_class": data["connector_class"],
    }
    if with_properties:
        shown["properties"] = properties
    shown["encoded_username"] = data["encoded_username"]
    shown["TTL"] = data["TTL"]
    return shown


def _live(email: str):
    return SandboxConnector.objects.filter(
        provider=PROVIDER, data__customer_id=email, data__deletion_time=0
    )


def _row(email: str, connector_id: str) -> SandboxConnector | None:
    return _live(email).filter(remote_id=connector_id).first()


def _missing() -> JsonResponse:
    return error(404, "connector not found")


# --- views ------------------------------------------------------------------------------------------
@csrf_exempt
def create(request: HttpRequest) -> HttpResponse:
    """`POST /v2/kafka/connector`: 200 with the Connector, `pending`, without its properties."""
    email, failure = _guard(request, "POST")
    if failure:
        return failure
    body, failure = _json(request)
    if failure:
        return failure
    if not isinstance(body, dict):
        return error(400, "invalid request body: expected an object")
    name, cluster_id, properties = body.get("name"), body.get("cluster_id"), body.get("properties")
    if not isinstance(name, str) or not name.strip():
        return error(400, "name is required")
    if len(name) > MAX_NAME:
        return error(400, f"name must be at most {MAX_NAME} characters")
    if not isinstance(cluster_id, str) or not UUID.match(cluster_id):
        return error(400, "cluster_id must be a UUID")
    problem = _properties_problem(properties)
    if problem:
        return error(400, problem)
    if _live(email).filter(scope=cluster_id, data__name=name).exists():
        return error(400, f"connector with name {name} already exists")
    now = int(time.time())
    row = SandboxConnector.objects.create(
        provider=PROVIDER,
        scope=cluster_id,
        remote_id=str(uuid.uuid4()),
        data={
            "name": name,
            "customer_id": email,
            "cluster_id": cluster_id,
            "creation_time": now,
            "deletion_time": 0,
            "state": "pending",
            "state_error_message": "",
            "connector_state": "",
            "tasks": [],
            "topics": [],
            "connector_class": properties[CLASS_KEY],
            **_kept(properties),
            "encoded_username": base64.b64encode(email.encode()).decode(),
            "TTL": now + TTL_SECONDS,
        },
    )
    return JsonResponse(_present(row, with_properties=False))


@csrf_exempt
def connector(request: HttpRequest, connector_id: str) -> HttpResponse:
    """`GET` (with properties; a pending connector advances) and `DELETE` ("OK")."""
    email, failure = _guard(request, "GET", "DELETE")
    if failure:
        return failure
    row = _row(email, connector_id)
    if row is None:
        return _missing()
    if request.method == "DELETE":
        failure = _no_body(request)
        if failure:
            return failure
        row.data = {**row.data, "deletion_time": int(time.time()), "state": "deleted"}
        row.save(update_fields=["data"])
        return JsonResponse("OK", safe=False)
    _advance(row)
    return JsonResponse(_present(row))


@csrf_exempt
def cluster_connectors(request: HttpRequest, cluster_id: str) -> HttpResponse:
    """`GET /v2/kafka/connectors/{cluster_id}`: the account's connectors in the cluster."""
    email, failure = _guard(request, "GET")
    if failure:
        return failure
    rows = list(_live(email).filter(scope=cluster_id).order_by("created_at", "id"))
    for row in rows:
        _advance(row)
    return JsonResponse([_present(r) for r in rows], safe=False)


@csrf_exempt
def update(request: HttpRequest, connector_id: str) -> HttpResponse:
    """`POST /v2/kafka/update-connector/{id}` with the flat properties map: back to pending."""
    email, failure = _guard(request, "POST")
    if failure:
        return failure
    row = _row(email, connector_id)
    if row is None:
        return _missing()
    properties, failure = _json(request)
    if failure:
        return failure
    problem = _properties_problem(properties)
    if problem:
        return error(400, problem)
    row.data = {
        **row.data,
        **_kept(properties),
        "connector_class": properties[CLASS_KEY],
        "state": "pending",
        "state_error_message": "",
        "connector_state": "",
        "tasks": [],
        "topics": [],
    }
    row.save(update_fields=["data"])
    return JsonResponse(_present(row))


def _no_body(request: HttpRequest) -> HttpResponse | None:
    """Actions take no body or any JSON (Terraform sends `null`); anything else is a 400."""
    raw = kafkaconnect.raw_body(request)
    if raw is None and not request.POST and not request.FILES:
        return None  # an empty form
    if raw is not None and not raw.strip():
        return None
    _body, failure = _json(request)
    return failure


@csrf_exempt
def action(request: HttpRequest, connector_id: str, verb: str) -> HttpResponse:
    """`POST /v2/kafka/connector/{id}/pause|start|restart`: 200 "OK"."""
    email, failure = _guard(request, "POST")
    if failure:
        return failure
    row = _row(email, connector_id)
    if row is None:
        return _missing()
    failure = _no_body(request)
    if failure:
        return failure
    data = row.data
    if data["state"] == "pending":
        _start(data)
    if verb == "pause":
        if data["state"] == "failed":
            row.save(update_fields=["data"])
            return error(400, "connector is in failed state and cannot be paused")
        _start(data, "paused")
    elif verb == "restart" or data["state"] != "running":
        _start(data)
    row.save(update_fields=["data"])
    return JsonResponse("OK", safe=False)
