"""The sandbox's AI Squared (Multiwoven) API — providers.md §2: bearer and Workspace-Id checks,
the connector catalogue, check_connection, and connectors CRUD with the four error shapes.

Documented behaviours for demos and tests:
- any bearer token is accepted except one that starts with "invalid" (401); any numeric
  Workspace-Id is a workspace (a missing or non-numeric one is "Workspace not found", 400);
- check_connection fails when a value in the configuration names the host `unreachable.invalid`,
  or when a password starts with "wrong"; otherwise it succeeds;
- secrets (properties marked `multiwoven_secret`) are never returned: responses show 13 asterisks,
  and the sandbox keeps only a hash of them.
"""

from __future__ import annotations

import json
import re
import uuid
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from connectors_admin.core.safety import loads_bounded

from . import faults, sealed
from .empty import no_content
from .models import SandboxConnector

PROVIDER = "aisquared"
CATALOG = Path(__file__).resolve().parent / "aisquared_catalog"
MASK = "*" * 13
TYPES = ("source", "destination")
# ConnectorsController#index at the release providers.md §2 read (v0.124.0) pages with
# `.page(params[:page] || 1).per(params[:per_page])`: `per_page` when it is a positive whole
# number, else kaminari's default_per_page, 10 (kaminari_config.rb). Servers from before 2024-12
# ignored `per_page`, and before 2024-04 the default was 20.
PAGE_SIZE = 10


@cache
def catalogue() -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {"source": [], "destination": []}
    for path in sorted(CATALOG.glob("*.json")):
        if path.name.startswith("_"):
            continue
        definition = json.loads(path.read_text())
        found[definition["connector_type"]].append(definition)
    return found


def definition(kind: str, name: str) -> dict[str, Any] | None:
    return next((d for d in catalogue().get(kind, []) if d["name"] == name), None)


def spec_of(found: dict[str, Any]) -> dict[str, Any]:
    return found["connector_spec"]["connection_specification"]


# --- the four error shapes ------------------------------------------------------------------------
def contract_error(errors: dict[str, Any]) -> JsonResponse:  # 1
    return JsonResponse({"errors": errors}, status=400)


def api_error(status: int, detail: str, source: dict[str, str] | None = None) -> JsonResponse:  # 2
    error: dict[str, Any] = {"status": status, "title": "Error", "detail": detail}
    if source:
        error["source"] = source
    return JsonResponse({"errors": [error]}, status=status)


def bad_request(reason: str) -> JsonResponse:  # 4
    return JsonResponse(
        {
            "errors": [
                {
                    "status": 400,
                    "title": "Bad Request",
                    "detail": f"There was a problem with the request format: {reason}",
                    "source": {"pointer": "/request/payload"},
                }
            ]
        },
        status=400,
    )


def _fault_body(status: int, message: str) -> JsonResponse:
    return api_error(status, message)


def _guard(request: HttpRequest) -> tuple[str | None, HttpResponse | None]:
    fault = faults.play(request, PROVIDER, _fault_body)
    if fault is not None:
        return None, fault
    header = request.headers.get("Authorization", "")
    token = header[7:] if header.startswith("Bearer ") else ""
    if not token or token.startswith("invalid"):
        return None, api_error(401, "Unauthorized")
    workspace = request.headers.get("Workspace-Id", "")
    if not workspace.isdigit():
        return None, bad_request("Workspace not found")
    return workspace, None


def _body(request: HttpRequest) -> tuple[Any, HttpResponse | None]:
    try:
        return loads_bounded(request.body or b"null"), None
    except ValueError:
        return None, bad_request("the body is not valid JSON")


# --- connector definitions -------------------------------------------------------------------------
@csrf_exempt
def definitions(request: HttpRequest) -> HttpResponse:
    _, failure = _guard(request)
    if failure:
        return failure
    kind = request.GET.get("type")
    wanted = request.GET.get("category")
    found = {
        type_: [d for d in listed if wanted is None or _in_category(d, wanted)]
        for type_, listed in catalogue().items()
    }
    if kind is None:
        return JsonResponse(found)
    if kind not in TYPES:
        return contract_error({"type": ["invalid connector type"]})
    return JsonResponse(found[kind], safe=False)


# §2.2: the categories `category=data` and `category=ai_ml` keep; any other value is exact.
DATA_CATEGORIES = {
    "Data Warehouse",
    "Retail",
    "Data Lake",
    "Database",
    "Marketing Automation",
    "CRM",
    "Ad-Tech",
    "Team Collaboration",
    "Productivity Tools",
    "Payments",
    "File Storage",
    "HTTP",
    "Customer Support",
    "data",
}
CATEGORY_GROUPS = {"data": DATA_CATEGORIES, "ai_ml": {"AI Model"}}


def _in_category(definition: dict[str, Any], wanted: str) -> bool:
    return definition.get("category") in CATEGORY_GROUPS.get(wanted, {wanted})


@csrf_exempt
def definition_detail(request: HttpRequest, name: str) -> HttpResponse:
    _, failure = _guard(request)
    if failure:
        return failure
    kind = request.GET.get("type")
    if kind not in TYPES:
        return contract_error(
            {"type": ["is missing" if kind is None else "invalid connector type"]}
        )
    found = next((d for d in catalogue()[kind] if d["name"].lower() == name.lower()), None)
    return JsonResponse(found if found else {"data": []})


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@csrf_exempt
def check_connection(request: HttpRequest) -> HttpResponse:
    _, failure = _guard(request)
    if failure:
        return failure
    if request.method != "POST":
        return api_error(405, "Method not allowed")
    body, failure = _body(request)
    if failure:
        return failure
    if not isinstance(body, dict):
        return contract_error(
            {"type": ["is missing"], "name": ["is missing"], "connection_spec": ["is missing"]}
        )
    missing = {k: ["is missing"] for k in ("type", "name", "connection_spec") if not body.get(k)}
    if missing:
        return contract_error(missing)
    if str(body["type"]).lower() not in TYPES:
        return contract_error({"type": ["invalid connector type"]})
    if definition(str(body["type"]).lower(), str(body["name"])) is None:
        return contract_error({"name": ["invalid connector name"]})
    spec = body["connection_spec"]
    values = _strings(spec)
    status: dict[str, str] = {"status": "succeeded"}
    if any("unreachable.invalid" in v for v in values):
        status = {
            "status": "failed",
            "message": 'could not connect to server: could not translate host name "unreachable.invalid"',
        }
    elif any(
        isinstance(spec.get("credentials"), dict)
        and str(spec["credentials"].get(k, "")).startswith("wrong")
        for k in ("password", "secret_access_key", "private_key")
    ) or str(spec.get("password", "")).startswith("wrong"):
        status = {
            "status": "failed",
            "message": "password authentication failed for the given user",
        }
    return JsonResponse({"type": "connection_status", "connection_status": status})


# --- connectors ---------------------------------------------------------------------------------------
def _secret_keys(schema: Any) -> set[str]:
    """Property names marked `multiwoven_secret` anywhere in a schema. Like Multiwoven, the
    sandbox masks by key name, searched recursively (its own walk, independent of the app's)."""
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in (node.get("properties") or {}).items():
                if isinstance(value, dict) and value.get("multiwoven_secret"):
                    keys.add(key)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return keys


def _replace(value: Any, keys: set[str], how) -> Any:
    if isinstance(value, dict):
        return {
            k: how(v) if k in keys and v not in (None, "") else _replace(v, keys, how)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_replace(v, keys, how) for v in value]
    return value


def _masked(configuration: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return _replace(configuration, _secret_keys(spec), lambda _: MASK)


def _kept(configuration: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """What the sandbox stores: secrets only as a hash (it never gives them back)."""

    def kept(value: Any) -> str:
        return sealed.digest(value if isinstance(value, str) else json.dumps(value, sort_keys=True))

    return _replace(configuration, _secret_keys(spec), kept)


def _render(row: SandboxConnector, request: HttpRequest) -> dict[str, Any]:
    data = row.data
    found = definition(data["connector_type"], data["connector_name"])
    spec = spec_of(found) if found else {}
    return {
        "id": str(row.pk),
        "type": "connectors",
        "attributes": {
            "name": data["name"],
            "description": data.get("description"),
            "connector_type": data["connector_type"],
            "workspace_id": int(row.scope),
            "created_at": data["created_at"],
            "updated_at": data["updated_at"],
            "configuration": _masked(data["configuration"], spec),
            "connector_name": data["connector_name"],
            "icon": found["icon"] if found else None,
        },
    }


def _now() -> str:
    return timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _validate_connector(body: Any, partial: bool = False):
    """(values, error response) for a create (or an update when `partial`)."""
    if not isinstance(body, dict) or "connector" not in body:
        return None, contract_error({"connector": ["is missing"]})
    connector = body["connector"]
    if not isinstance(connector, dict):
        return None, contract_error({"connector": ["must be a hash"]})
    errors: dict[str, list[str]] = {}
    required = () if partial else ("name", "connector_name", "connector_type", "configuration")
    for key in required:
        if connector.get(key) in (None, "", {}):
            errors[key] = ["must be filled"] if key in connector else ["is missing"]
    if errors:
        return None, contract_error({"connector": errors})
    values = {
        k: connector[k]
        for k in ("name", "connector_name", "connector_type", "configuration", "description")
        if k in connector
    }
    if "connector_type" in values:
        values["connector_type"] = str(values["connector_type"]).lower()
        if values["connector_type"] not in TYPES:
            return None, contract_error(
                {"connector": {"connector_type": ["invalid connector type"]}}
            )
    if "configuration" in values and not isinstance(values["configuration"], dict):
        return None, contract_error({"connector": {"configuration": ["must be a hash"]}})
    return values, None


def _problems(
    values: dict[str, Any], workspace: str, failed: str = "creation"
) -> HttpResponse | None:
    from jsonschema import Draft7Validator  # here: only a create or update checks a schema

    found = definition(values["connector_type"], values["connector_name"])
    if found is None:
        return contract_error({"connector": {"connector_name": ["invalid connector name"]}})
    if failed == "creation" and _name_taken(values, workspace):
        # CreateConnector looks for a namesake before it builds the record, and fails with this
        # error alone: the JSON:API error's detail, with no `source` (providers.md §2.3).
        return api_error(422, "A connector with the same name already exists.")
    errors = sorted(
        # Formats too, as Multiwoven's json_schemer does (jsonschema's own checks: email, ipv4…).
        Draft7Validator(spec_of(found), format_checker=Draft7Validator.FORMAT_CHECKER).iter_errors(
            values["configuration"]
        ),
        key=lambda e: list(e.path),
    )
    if errors:
        first = errors[0]
        where = "/".join(map(str, first.absolute_path))
        message = f"The property '#/{where}' {first.message}" if where else first.message
        return api_error(422, f"Connector {failed} failed", {"configuration": message})
    # An update checks no name: UpdateConnector just saves, and the model validates presence
    # and the schema alone.
    return None


def _name_taken(values: dict[str, Any], workspace: str) -> bool:
    clash = SandboxConnector.objects.filter(provider=PROVIDER, scope=workspace)
    return any(
        row.data["name"] == values["name"]
        and row.data["connector_type"] == values["connector_type"]
        for row in clash
    )


@csrf_exempt
def connectors(request: HttpRequest) -> HttpResponse:
    workspace, failure = _guard(request)
    if failure:
        return failure
    if request.method == "GET":
        return _list(request, workspace)
    if request.method != "POST":
        return api_error(405, "Method not allowed")
    body, failure = _body(request)
    if failure:
        return failure
    values, failure = _validate_connector(body)
    if failure:
        return failure
    failure = _problems(values, workspace)
    if failure:
        return failure
    found = definition(values["connector_type"], values["connector_name"])
    now = _now()
    row = SandboxConnector.objects.create(
        provider=PROVIDER,
        scope=workspace,
        remote_id=uuid.uuid4().hex,  # replaced by the row's id just below
        data={
            **values,
            "configuration": _kept(values["configuration"], spec_of(found)),
            "created_at": now,
            "updated_at": now,
        },
    )
    row.remote_id = str(row.pk)
    row.save(update_fields=["remote_id"])
    return JsonResponse({"data": _render(row, request)}, status=201)


def _ruby_int(value: str | None) -> int:
    """Ruby's String#to_i: the leading whole number, 0 when there is none."""
    found = re.match(r"\s*([+-]?[0-9]+)", value or "")
    return int(found.group(1)) if found else 0


# The scopes ConnectorsController#index sends `category` and `sub_category` to (Connector model):
# what each keeps of a connector's category and sub-category.
LIST_SCOPES = {
    "category": {"data": DATA_CATEGORIES, "ai_ml": {"AI Model"}},
    "sub_category": {
        "llm": {"LLM"},
        "database": {"Relational Database", "database"},
        "web": {"Web Scraper"},
        "ai_ml_service": {"AI_ML Service"},
        "vector": {"Vector Database"},
    },
}


def _categories(row: SandboxConnector) -> dict[str, str]:
    """A connector's category and sub-category, as Multiwoven's Connector sets them when saved:
    its catalogue connector's (else "data" and "database"), and "Vector Database" for one whose
    configuration's data_type is vector."""
    data = row.data
    found = definition(data["connector_type"], data["connector_name"]) or {}
    sub_category = found.get("sub_category") or "database"
    if isinstance(data.get("configuration"), dict) and data["configuration"].get("data_type") == (
        "vector"
    ):
        sub_category = "Vector Database"
    return {"category": found.get("category") or "data", "sub_category": sub_category}


def _list(request: HttpRequest, workspace: str) -> HttpResponse:
    kind = request.GET.get("type")
    if kind is not None:  # a scope of the enum, in any case (`params[:type].downcase`)
        kind = kind.lower()
        if kind not in TYPES:
            return contract_error({"type": ["invalid type"]})
    wanted: dict[str, set[str]] = {}
    for param, scopes in LIST_SCOPES.items():
        value = request.GET.get(param)
        if value is None:
            continue
        if value.lower() not in scopes:
            # `@connectors.send(value.downcase)`: a name that is no scope raises NoMethodError.
            return bad_request(f"undefined method '{value.lower()[:100]}' for Connector")
        wanted[param] = scopes[value.lower()]
    # Kaminari: a page that is not a whole number is the first, and so is any below 1.
    page = max(_ruby_int(request.GET.get("page")), 1)
    asked = request.GET.get("per_page", "")
    per_page = _ruby_int(asked) if asked[:1].isdigit() and _ruby_int(asked) > 0 else PAGE_SIZE
    rows = [
        r
        for r in SandboxConnector.objects.filter(provider=PROVIDER, scope=workspace)
        if (kind is None or r.data["connector_type"] == kind)
        and all(_categories(r)[param] in kept for param, kept in wanted.items())
    ]
    rows.sort(key=lambda r: (r.data["updated_at"], r.pk), reverse=True)
    last = max((len(rows) + per_page - 1) // per_page, 1)
    chunk = rows[(page - 1) * per_page : page * per_page]

    def query_string(**changes: str) -> str:
        query = request.GET.copy()
        for key, value in changes.items():
            query[key] = value
        # Rails' to_query: keys in order.
        pairs = sorted((key, value) for key, values in query.lists() for value in values)
        return urlencode(pairs)

    def link(number: int | None) -> str | None:
        if number is None:
            return None
        query = query_string(page=str(number), per_page=str(per_page))
        return request.build_absolute_uri(f"{request.path}?{query}")

    return JsonResponse(
        {
            "data": [_render(r, request) for r in chunk],
            "links": {
                # The request's own query, as it came (CustomPaginationLinks#as_json).
                "self": request.build_absolute_uri(f"{request.path}?{query_string()}"),
                "first": link(1),
                "prev": link(page - 1 if page > 1 else None),
                "next": link(page + 1 if page < last else None),
                "last": link(last),
            },
        }
    )


@csrf_exempt
def connector(request: HttpRequest, connector_id: str) -> HttpResponse:
    workspace, failure = _guard(request)
    if failure:
        return failure
    if not connector_id.isdigit():
        return contract_error({"id": ["must be an integer"]})
    row = SandboxConnector.objects.filter(
        provider=PROVIDER, scope=workspace, pk=int(connector_id)
    ).first()
    if row is None:
        return api_error(404, "Connector not found")
    if request.method == "GET":
        return JsonResponse({"data": _render(row, request)})
    if request.method == "DELETE":
        row.delete()
        return no_content()
    if request.method in ("PUT", "PATCH"):
        return _update(request, row, workspace)
    return api_error(405, "Method not allowed")


def _update(request: HttpRequest, row: SandboxConnector, workspace: str) -> HttpResponse:
    """PUT/PATCH (§2.3): any of the connector's keys; `configuration` replaces the whole stored
    hash. The model is validated again on every update, as Rails does: the configuration against
    the connector's schema (names are not checked: only a create looks for a namesake)."""
    body, failure = _body(request)
    if failure:
        return failure
    if isinstance(body, dict) and "connector" in body and body["connector"] in (None, {}):
        # Rails' ParameterMissing (`params.require(:connector)` on nothing or an empty hash):
        # the one place this API answers {"error": "..."}.
        return JsonResponse(
            {"error": "param is missing or the value is empty: connector"}, status=422
        )
    values, failure = _validate_connector(body, partial=True)
    if failure:
        return failure
    empty = {
        k: ["must be filled"] for k, v in values.items() if k != "description" and v in ("", {})
    }
    if empty:
        return contract_error({"connector": empty})
    merged = {**row.data, **values}
    failure = _problems(merged, workspace, failed="update")
    if failure:
        return failure
    found = definition(merged["connector_type"], merged["connector_name"])
    if "configuration" in values:
        merged["configuration"] = _kept(values["configuration"], spec_of(found))
    merged["updated_at"] = _now()
    row.data = merged
    row.save(update_fields=["data"])
    return JsonResponse({"data": _render(row, request)})
