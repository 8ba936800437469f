"""The sandbox's imitation of a self-run Kafka Connect worker's REST API (providers.md §4.10),
under /sandbox/kafka-connect/: the root, the twelve connector plugins of §4.5 with their
configuration definitions and validation, connectors keyed by name (create, replace, read, list
with expansions, status, pause, resume, stop, restarts, delete) and the
`{"error_code": <status>, "message": "…"}` shape of every error.

Rules for demos and tests:
- requests without credentials are accepted (a worker without the Basic-auth extension); a Basic
  header whose password starts with `invalid` is refused (401);
- all configuration values are strings; the plugins' required keys, INT, BOOLEAN and enum values
  and the MongoDB connection URI are checked as Kafka Connect checks them; other keys pass;
- a new or reconfigured connector is UNASSIGNED until its status is next read, which moves it to
  its target state (RUNNING, or the create's `initial_state`) with `tasks.max` tasks (at most 4);
  pause, resume and stop answer 202 and likewise show on the next status read; a connector
  whose name starts with `slow-` takes three more status reads to get there (a busy worker);
- a configuration value containing `unreachable-host` makes task 0 FAILED with a stack trace,
  until the configuration changes (a restart alone does not cure it);
- a connector's configuration is answered as it was sent, secrets in clear, as Kafka Connect
  does; the sandbox's rows keep each secret as its sha256 digest, the values only encrypted
  (sealed.py);
- names are at most 86 characters (the sandbox's storage) and may not contain `/`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse, RawPostDataException
from django.views.decorators.csrf import csrf_exempt

from connectors_admin.core.safety import has_control_characters, loads_bounded

from . import faults, sealed
from .empty import no_content
from .models import SandboxConnector

PROVIDER = "kafkaconnect"
SLOW_READS = 3  # status reads a "slow-" connector takes to reach a new target state
ID_PREFIX = "kafka-connect:"
MAX_NAME = 300 - len(ID_PREFIX)  # SandboxConnector.remote_id holds the prefix and the name
VERSION = {
    "version": "4.1.0",
    "commit": "c0ffee15b0a7d5e2",
    "kafka_cluster_id": "SbxK4fkaC1usterId0000w",
}
WORKER = "sandbox-worker:8083"
MAX_TASKS = 4
FAILING_HOST = "unreachable-host"
INT_RANGE = (-(2**31), 2**31 - 1)
STATES = ("RUNNING", "PAUSED", "STOPPED")
MONGO_CLASSES = (
    "com.mongodb.kafka.connect.MongoSourceConnector",
    "com.mongodb.kafka.connect.MongoSinkConnector",
)
MONGO_SCHEMES = ("mongodb://", "mongodb+srv://")
ACRONYMS = {"uri", "url", "id", "aws", "s3", "http", "pk"}
ISO_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# --- the plugins ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Key:
    """One configuration key a plugin defines (Kafka's ConfigDef.ConfigKey, as the API shows it)."""

    name: str
    type: str = "STRING"  # STRING INT BOOLEAN PASSWORD LIST
    required: bool = False
    default: str | None = None
    documentation: str = ""
    group: str = "Connector"
    display_name: str = ""
    allowed: tuple[str, ...] = ()  # an enum's values


@dataclass(frozen=True)
class Plugin:
    cls: str
    type: str  # source | sink
    version: str
    keys: tuple[Key, ...]


COMMON = (
    Key("name", required=False, documentation="Globally unique name to use for this connector.",
        group="Common", display_name="Connector name"),
    Key("connector.class", required=True, group="Common", display_name="Connector class",
        documentation="Name or alias of the class for this connector."),
    Key("tasks.max", "INT", default="1", group="Common", display_name="Tasks max",
        documentation="Maximum number of tasks to use for this connector."),
    Key("key.converter", group="Common", display_name="Key converter class",
        documentation="Converter class used to convert between Kafka Connect format and the "
        "serialized form that is written to Kafka (record keys)."),
    Key("value.converter", group="Common", display_name="Value converter class",
        documentation="Converter class used to convert between Kafka Connect format and the "
        "serialized form that is written to Kafka (record values)."),
)  # fmt: skip


def _k(name: str, kind: str = "STRING", required: bool = False, **extra: Any) -> Key:
    words = [w.upper() if w in ACRONYMS else w for w in name.split(".")]
    display = extra.pop("display_name", "") or " ".join(words)[:1].upper() + " ".join(words)[1:]
    return Key(name, kind, required, display_name=display, **extra)


TOPICS = _k("topics", "LIST", True, documentation="Topics to consume, separated by commas.")
# What every Debezium source asks for to reach its database server.
DEBEZIUM_CONNECTION = (
    _k(
        "database.hostname",
        required=True,
        group="Connection",
        documentation="Resolvable hostname or IP address of the database server.",
    ),
    _k(
        "database.port",
        "INT",
        True,
        group="Connection",
        documentation="Port of the database server.",
    ),
    _k(
        "database.user",
        required=True,
        group="Connection",
        documentation="Name of the database user to connect as.",
    ),
    _k(
        "database.password",
        "PASSWORD",
        True,
        group="Connection",
        documentation="Password of the database user.",
    ),
)
DEBEZIUM_TOPIC_PREFIX = _k(
    "topic.prefix",
    required=True,
    documentation="Prefix of every topic that receives this connector's events.",
)
PLUGINS = {
    p.cls: p
    for p in (
        Plugin("com.mongodb.kafka.connect.MongoSourceConnector", "source", "1.13.1", (
            _k("connection.uri", "PASSWORD", True, group="Connection",
               documentation="The connection URI as supported by the official drivers."),
            _k("database", documentation="The database to watch; all databases when empty."),
            _k("collection", documentation="The collection to watch; all when empty."),
            _k("topic.prefix", documentation="Prefix prepended to database and collection."),
            _k("pipeline", default="[]", documentation="An aggregation pipeline, as JSON."),
            _k("publish.full.document.only", "BOOLEAN", default="false",
               documentation="Publish only the changed document, not the change event."),
        )),
        Plugin("com.mongodb.kafka.connect.MongoSinkConnector", "sink", "1.13.1", (
            _k("connection.uri", "PASSWORD", True, group="Connection",
               documentation="The connection URI as supported by the official drivers."),
            _k("database", required=True, documentation="The database to write to."),
            TOPICS,
            _k("collection", documentation="The collection; the topic's name when empty."),
        )),
        Plugin("io.debezium.connector.mysql.MySqlConnector", "source", "2.7.3.Final", (
            *DEBEZIUM_CONNECTION,
            _k("database.server.id", "INT", True,
               documentation="A numeric id of this client, unique among the server's replicas."),
            DEBEZIUM_TOPIC_PREFIX,
            _k("database.include.list", "LIST", documentation="Databases to capture."),
            _k("table.include.list", "LIST", documentation="Tables to capture (db.table)."),
        )),
        Plugin("io.debezium.connector.postgresql.PostgresConnector", "source", "2.7.3.Final", (
            *DEBEZIUM_CONNECTION,
            _k("database.dbname", required=True, group="Connection",
               documentation="The name of the database to capture."),
            DEBEZIUM_TOPIC_PREFIX,
            _k("schema.include.list", "LIST", documentation="Schemas to capture."),
            _k("table.include.list", "LIST", documentation="Tables to capture (schema.table)."),
            _k("plugin.name", default="decoderbufs", allowed=("decoderbufs", "pgoutput"),
               documentation="The logical decoding plug-in installed on the server."),
        )),
        Plugin("io.debezium.connector.mongodb.MongoDbConnector", "source", "2.7.3.Final", (
            _k("mongodb.connection.string", "PASSWORD", True, group="Connection",
               documentation="The MongoDB connection string."),
            DEBEZIUM_TOPIC_PREFIX,
            _k("database.include.list", "LIST", documentation="Databases to capture."),
            _k("collection.include.list", "LIST", documentation="Collections (db.collection)."),
        )),
        Plugin("io.aiven.connect.jdbc.JdbcSourceConnector", "source", "6.10.0", (
            _k("connection.url", required=True, group="Database",
               documentation="JDBC connection URL."),
            _k("mode", required=True, group="Mode",
               allowed=("bulk", "incrementing", "timestamp", "timestamp+incrementing"),
               documentation="How to detect new and changed rows on each poll."),
            _k("connection.user", group="Database", documentation="JDBC connection user."),
            _k("connection.password", "PASSWORD", group="Database",
               documentation="JDBC connection password."),
            _k("table.whitelist", "LIST", documentation="Tables to copy; all when empty."),
            _k("incrementing.column.name", group="Mode",
               documentation="A strictly increasing column, for the incrementing modes."),
            _k("timestamp.column.name", group="Mode",
               documentation="A modification timestamp column, for the timestamp modes."),
            _k("topic.prefix", documentation="Prefix prepended to table names for topic names."),
            _k("poll.interval.ms", "INT", default="5000",
               documentation="Frequency in ms to poll for new data in each table."),
        )),
        Plugin("io.aiven.connect.jdbc.JdbcSinkConnector", "sink", "6.10.0", (
            _k("connection.url", required=True, group="Connection",
               documentation="JDBC connection URL."),
            TOPICS,
            _k("connection.user", group="Connection", documentation="JDBC connection user."),
            _k("connection.password", "PASSWORD", group="Connection",
               documentation="JDBC connection password."),
            _k("insert.mode", default="insert", allowed=("insert", "multi", "upsert", "update"),
               group="Writes", documentation="The insertion mode to use."),
            _k("pk.mode", default="none", allowed=("none", "kafka", "record_key", "record_value"),
               group="Data Mapping", documentation="The primary key mode."),
            _k("pk.fields", "LIST", group="Data Mapping",
               documentation="Primary key fields, their meaning depending on pk.mode."),
            _k("auto.create", "BOOLEAN", default="false", group="DDL Support",
               documentation="Create the destination table when it is missing."),
        )),
        Plugin("io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector", "sink", "3.1.0", (
            _k("aws.access.key.id", "PASSWORD", True, group="AWS",
               documentation="AWS access key id."),
            _k("aws.secret.access.key", "PASSWORD", True, group="AWS",
               documentation="AWS secret access key."),
            _k("aws.s3.bucket.name", required=True, group="AWS",
               documentation="The S3 bucket to write to."),
            _k("aws.s3.region", required=True, group="AWS", documentation="The bucket's region."),
            TOPICS,
            _k("format.output.type", default="csv",
               allowed=("csv", "json", "jsonl", "parquet", "avro"), group="Format",
               documentation="The format of the files written."),
            _k("file.compression.type", default="gzip",
               allowed=("none", "gzip", "snappy", "zstd"), group="File",
               documentation="The compression of the files written."),
            _k("aws.s3.prefix", group="AWS", documentation="Prefix of the object keys."),
        )),
        Plugin("io.aiven.kafka.connect.opensearch.OpensearchSinkConnector", "sink", "3.1.1", (
            _k("connection.url", "LIST", True, group="Connector",
               documentation="OpenSearch HTTP connection URLs."),
            TOPICS,
            _k("connection.username", documentation="The username of the OpenSearch user."),
            _k("connection.password", "PASSWORD", documentation="The password of that user."),
            _k("key.ignore", "BOOLEAN", default="false", group="Data Conversion",
               documentation="Use topic+partition+offset as the document id, not the key."),
            _k("schema.ignore", "BOOLEAN", default="false", group="Data Conversion",
               documentation="Ignore schemas when mapping records to documents."),
        )),
        Plugin("io.aiven.kafka.connect.http.HttpSinkConnector", "sink", "0.8.0", (
            _k("http.url", required=True, group="Connection",
               documentation="The URL to send data to."),
            _k("http.authorization.type", required=True, group="Connection",
               allowed=("none", "static", "oauth2", "apikey"),
               documentation="The HTTP authorization type."),
            TOPICS,
            _k("http.headers.authorization", "PASSWORD", group="Connection",
               documentation="The static content of the Authorization header."),
            _k("batching.enabled", "BOOLEAN", default="false", group="Batching",
               documentation="Send records in batches."),
        )),
        Plugin("com.wepay.kafka.connect.bigquery.BigQuerySinkConnector", "sink", "2.5.7", (
            _k("project", required=True, documentation="The BigQuery project to write to."),
            _k("defaultDataset", required=True, display_name="Default dataset",
               documentation="The default dataset to write to."),
            _k("keyfile", "PASSWORD", True, display_name="Key file",
               documentation="The service-account key, as JSON or a path (see keySource)."),
            TOPICS,
            _k("keySource", default="FILE", allowed=("FILE", "JSON", "APPLICATION_DEFAULT"),
               display_name="Key source", documentation="How keyfile is to be read."),
            _k("autoCreateTables", "BOOLEAN", default="false", display_name="Auto create tables",
               documentation="Create BigQuery tables that do not exist yet."),
        )),
        Plugin("com.snowflake.kafka.connector.SnowflakeSinkConnector", "sink", "2.4.1", (
            _k("snowflake.url.name", required=True, group="Snowflake Connection",
               documentation="The account URL, such as acme.snowflakecomputing.com:443."),
            _k("snowflake.user.name", required=True, group="Snowflake Connection",
               documentation="The user the connector connects as."),
            _k("snowflake.private.key", "PASSWORD", True, group="Snowflake Connection",
               documentation="The user's private key, without its header and footer."),
            _k("snowflake.database.name", required=True, group="Snowflake Connection",
               documentation="The database holding the tables."),
            _k("snowflake.schema.name", required=True, group="Snowflake Connection",
               documentation="The schema holding the tables."),
            TOPICS,
            _k("snowflake.role.name", group="Snowflake Connection",
               documentation="The role the connector uses."),
            _k("buffer.count.records", "INT", default="10000", group="Buffer",
               documentation="Records buffered in memory per partition before ingestion."),
        )),
    )
}  # fmt: skip


def keys_of(plugin: Plugin) -> tuple[Key, ...]:
    return COMMON + plugin.keys


# The keys a plugin declares PASSWORD: kept sealed, with any other that looks secret.
SECRET_KEYS = frozenset(
    k.name for p in PLUGINS.values() for k in keys_of(p) if k.type == "PASSWORD"
)


def connector_type(cls: str) -> str:
    """source or sink, for a class the sandbox knows or one whose name says which it is."""
    plugin = PLUGINS.get(cls)
    if plugin is not None:
        return plugin.type
    return "sink" if "Sink" in cls.rsplit(".", 1)[-1] else "source"


def bad_mongo_uri(uri: str) -> str:
    """The MongoDB connectors' validator message for a URI of the wrong scheme (it echoes it)."""
    return (
        f"Invalid value {uri} for configuration connection.uri: The connection string is invalid."
        " Connection strings must start with either 'mongodb://' or 'mongodb+srv://"
    )


def problems(plugin: Plugin, config: dict[str, str]) -> dict[str, list[str]]:
    """Each defined key's validation errors (Kafka's ConfigDef rules), keyed by name."""
    found: dict[str, list[str]] = {}
    for key in keys_of(plugin):
        value = config.get(key.name)
        errors = found.setdefault(key.name, [])
        if value is None or (key.required and not value.strip()):
            if key.required:
                errors.append(
                    f'Missing required configuration "{key.name}" which has no default value.'
                )
            continue
        bare = value.strip()
        if key.type == "INT":
            if not re.fullmatch(r"[+-]?[0-9]{1,12}", bare) or not (
                INT_RANGE[0] <= int(bare) <= INT_RANGE[1]
            ):
                errors.append(
                    f"Invalid value {value} for configuration {key.name}: Not a number of type INT"
                )
            elif key.name == "tasks.max" and int(bare) < 1:
                errors.append(
                    f"Invalid value {value} for configuration {key.name}: Value must be at least 1"
                )
        elif key.type == "BOOLEAN" and bare.lower() not in ("true", "false"):
            errors.append(
                f"Invalid value {value} for configuration {key.name}: "
                "Expected value to be either true or false"
            )
        elif key.allowed and value not in key.allowed:
            errors.append(
                f"Invalid value {value} for configuration {key.name}: "
                f"String must be one of: {', '.join(key.allowed)}"
            )
        elif (
            key.name == "connection.uri"
            and plugin.cls in MONGO_CLASSES
            and bare
            and not value.startswith(MONGO_SCHEMES)
        ):
            errors.append(bad_mongo_uri(value))
    return found


def invalid_message(found: dict[str, list[str]]) -> str:
    lines = [e for errors in found.values() for e in errors]
    return (
        f"Connector configuration is invalid and contains the following {len(lines)} error(s):\n"
        + "".join(f"{line}\n" for line in lines)
        + "You can also find the above list of errors at the endpoint "
        "`/connector-plugins/{connectorType}/config/validate`"
    )


def tasks_max(config: dict[str, Any]) -> int:
    """How many tasks run: tasks.max when it is a whole number, 1 to 4."""
    value = str(config.get("tasks.max", "1")).strip()
    count = int(value) if re.fullmatch(r"[0-9]{1,6}", value) else 1
    return min(max(count, 1), MAX_TASKS)


def fails(config: dict[str, Any]) -> bool:
    return any(isinstance(v, str) and FAILING_HOST in v for v in config.values())


def trace(cls: str) -> str:
    simple = cls.rsplit(".", 1)[-1].removesuffix("Connector") or "Connector"
    return (
        "org.apache.kafka.connect.errors.ConnectException: Could not connect to "
        f"{FAILING_HOST}: Connection refused\n"
        f"\tat {cls.rsplit('.', 1)[0]}.{simple}Task.start({simple}Task.java:142)\n"
        "\tat org.apache.kafka.connect.runtime.WorkerTask.doStart(WorkerTask.java:179)\n"
        "\tat org.apache.kafka.connect.runtime.WorkerTask.doRun(WorkerTask.java:203)\n"
        "\tat org.apache.kafka.connect.runtime.WorkerTask.run(WorkerTask.java:259)\n"
        "\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1144)\n"
        "\tat java.base/java.lang.Thread.run(Thread.java:1583)\n"
        "Caused by: java.net.ConnectException: Connection refused\n"
        "\t... 6 more\n"
    )


# --- answers ----------------------------------------------------------------------------------------
def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error_code": status, "message": message}, status=status)


def _not_allowed() -> JsonResponse:
    return error(405, "HTTP 405 Method Not Allowed")


def _guard(request: HttpRequest, *methods: str) -> HttpResponse | None:
    fault = faults.play(request, PROVIDER, error)
    if fault is not None:
        return fault
    if request.method not in methods:
        return _not_allowed()
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except ValueError:  # binascii.Error, UnicodeDecodeError, non-ASCII text
            decoded = ""
        _user, colon, password = decoded.partition(":")
        if not colon or password.startswith("invalid"):
            return error(401, "User cannot access the resource.")
    return None


def raw_body(request: HttpRequest) -> bytes | None:
    """The request's body, or None when it was already read as a form (a POST sent as
    multipart or urlencoded is parsed by the middleware that looks for control characters)."""
    try:
        return request.body
    except RawPostDataException:
        return None


def _json(request: HttpRequest) -> tuple[Any, HttpResponse | None]:
    raw = raw_body(request)
    try:
        if raw is None:
            raise ValueError("a form, not JSON")
        body = loads_bounded(raw)
    except ValueError:
        return None, error(400, "Request body is not valid JSON.")
    if has_control_characters(body):
        return None, error(400, "Request body contains control characters.")
    return body, None


def _named_config(raw: Any, name: str) -> tuple[dict[str, str], HttpResponse | None]:
    """A connector's configuration for `name`, checked as create and PUT config check it."""
    config, failure = _flat_config(raw)
    if failure:
        return config, failure
    if config.get("name", name) != name:
        return config, error(
            400,
            f"Connector name configuration ({config['name']}) doesn't match connector name "
            f"in the URL ({name})",
        )
    config = {**config, "name": name}
    return config, _check_config(config)


def _flat_config(body: Any) -> tuple[dict[str, str], HttpResponse | None]:
    if not isinstance(body, dict):
        return {}, error(400, "The configuration must be a JSON object of strings.")
    for key, value in body.items():
        if not isinstance(value, str):
            return {}, error(400, f"Configuration {key} must be a string.")
    return body, None


def _name_problem(name: str) -> str | None:
    if not name:
        return "Connector name must not be empty."
    if "/" in name:
        return "Connector name may not contain '/'."
    if ISO_CONTROL.search(name):
        return f"Connector name {name!r} may not contain control characters."
    if len(name) > MAX_NAME:
        return f"Connector name may be at most {MAX_NAME} characters long in the sandbox."
    return None


def _plugin_for(cls: str) -> Plugin | None:
    return PLUGINS.get(cls)


def _unknown_class(cls: str) -> JsonResponse:
    return error(
        400,
        f"Failed to find any class that implements Connector and which name matches {cls}, "
        f"available connectors are: {', '.join(PLUGINS)}",
    )


def _check_config(config: dict[str, str]) -> HttpResponse | None:
    """The refusal of a create or a replace, or None when the configuration is valid."""
    cls = config.get("connector.class")
    if not cls:
        return error(400, "Connector config contains no connector type")
    plugin = _plugin_for(cls)
    if plugin is None:
        return _unknown_class(cls)
    found = problems(plugin, config)
    if any(found.values()):
        return error(400, invalid_message(found))
    return None


def _row(name: str) -> SandboxConnector | None:
    return SandboxConnector.objects.filter(provider=PROVIDER, remote_id=ID_PREFIX + name).first()


def _missing(name: str, said: str = "Connector {name} not found") -> JsonResponse:
    """Kafka Connect's 404 on a connector it does not have, in the words of the herder call
    behind the endpoint: "Connector X not found" (info, config, delete), "No status found for
    connector X" (status), "Unknown connector X" (pause, resume, stop) and "Unknown connector:
    X" (restart)."""
    return error(404, said.format(name=name))


def configuration(data: dict[str, Any]) -> dict[str, str]:
    """The connector's configuration as it was sent (kept with its secrets sealed)."""
    return sealed.reveal(data["config"], data.get(sealed.SEALED))


def _info(data: dict[str, Any]) -> dict[str, Any]:
    name = data["name"]
    return {
        "name": name,
        "config": configuration(data),
        "tasks": [{"connector": name, "task": t["id"]} for t in data["tasks"]],
        "type": data["type"],
    }


def _tasks(config: dict[str, Any], state: str) -> list[dict[str, Any]]:
    if state == "STOPPED":
        return []
    tasks = [{"id": i, "state": state} for i in range(tasks_max(config))]
    if state == "RUNNING" and fails(config):
        tasks[0] = {"id": 0, "state": "FAILED", "trace": trace(config["connector.class"])}
    return tasks


def _settle(row: SandboxConnector) -> None:
    """What a status read finds: the connector in its target state, if it was not yet."""
    data = row.data
    if data.get("settled"):
        return
    if data.get("slow_reads", 0) > 0:  # a "slow-" connector: a worker still busy with it
        data["slow_reads"] -= 1
        row.save(update_fields=["data"])
        return
    data["state"] = data["target"]
    data["tasks"] = _tasks(configuration(data), data["target"])
    data["settled"] = True
    row.save(update_fields=["data"])


def _status(data: dict[str, Any]) -> dict[str, Any]:
    connector = {"state": data["state"], "worker_id": WORKER}
    if data["state"] == "FAILED":
        connector["trace"] = data.get("trace", "")
    return {
        "name": data["name"],
        "connector": connector,
        "tasks": [{**t, "worker_id": WORKER} for t in data["tasks"]],
        "type": data["type"],
    }


def _kept(config: dict[str, str]) -> dict[str, Any]:
    """What a row keeps of a configuration: its secrets as digests, and sealed (sealed.py)."""
    kept, secrets = sealed.seal(config, SECRET_KEYS)
    return {"config": kept, sealed.SEALED: secrets}


def _fresh(name: str, config: dict[str, str], target: str) -> dict[str, Any]:
    return {
        "name": name,
        **_kept(config),
        "type": connector_type(config["connector.class"]),
        "target": target,
        "state": "UNASSIGNED",
        "tasks": [],
        "settled": False,
        "slow_reads": SLOW_READS if name.startswith("slow-") else 0,
    }


def _created(request: HttpRequest, path: str, data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(_info(data), status=201)
    response["Location"] = request.build_absolute_uri(path)
    return response


# --- views ------------------------------------------------------------------------------------------
@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    """`GET /`: the worker's version, the cheapest check."""
    return _guard(request, "GET") or JsonResponse(VERSION)


@csrf_exempt
def plugins(request: HttpRequest) -> HttpResponse:
    failure = _guard(request, "GET")
    if failure:
        return failure
    listed = [{"class": p.cls, "type": p.type, "version": p.version} for p in PLUGINS.values()]
    return JsonResponse(listed, safe=False)


def _definition(key: Key, order: int) -> dict[str, Any]:
    return {
        "name": key.name,
        "type": key.type,
        "required": key.required,
        "default_value": key.default,
        "importance": "HIGH" if key.required else "MEDIUM",
        "documentation": key.documentation,
        "group": key.group,
        "width": "LONG" if key.type in ("PASSWORD", "LIST") else "MEDIUM",
        "display_name": key.display_name or key.name,
        "dependents": [],
        "order": order,
    }


def _definitions(plugin: Plugin) -> list[dict[str, Any]]:
    orders: dict[str, int] = {}
    listed = []
    for key in keys_of(plugin):
        orders[key.group] = orders.get(key.group, 0) + 1
        listed.append(_definition(key, orders[key.group]))
    return listed


@csrf_exempt
def plugin_config(request: HttpRequest, cls: str) -> HttpResponse:
    """`GET /connector-plugins/{class}/config`: the plugin's configuration definitions."""
    failure = _guard(request, "GET")
    if failure:
        return failure
    plugin = _plugin_for(cls)
    if plugin is None:
        return error(404, f"Unknown plugin {cls}.")
    return JsonResponse(_definitions(plugin), safe=False)


@csrf_exempt
def validate(request: HttpRequest, cls: str) -> HttpResponse:
    """`PUT /connector-plugins/{class}/config/validate`: 200 with every key's errors, even when
    the configuration is invalid."""
    failure = _guard(request, "PUT")
    if failure:
        return failure
    plugin = _plugin_for(cls)
    if plugin is None:
        return _unknown_class(cls)
    body, failure = _json(request)
    if failure:
        return failure
    config, failure = _flat_config(body)
    if failure:
        return failure
    included = config.get("connector.class")
    if included is not None and included != cls:
        return error(400, f"Included connector type {included} does not match request type {cls}")
    config = {**config, "connector.class": cls}
    found = problems(plugin, config)
    configs = []
    for definition, key in zip(_definitions(plugin), keys_of(plugin), strict=True):
        value = config.get(key.name, key.default)
        if value is not None and key.type == "PASSWORD":
            value = "[hidden]"
        configs.append(
            {
                "definition": definition,
                "value": {
                    "name": key.name,
                    "value": value,
                    "recommended_values": list(key.allowed),
                    "errors": found[key.name],
                    "visible": True,
                },
            }
        )
    return JsonResponse(
        {
            "name": cls,
            "error_count": sum(len(e) for e in found.values()),
            "groups": list(dict.fromkeys(k.group for k in keys_of(plugin))),
            "configs": configs,
        }
    )


@csrf_exempt
def connectors(request: HttpRequest) -> HttpResponse:
    """`GET /connectors[?expand=status&expand=info]` and `POST /connectors`."""
    failure = _guard(request, "GET", "POST")
    if failure:
        return failure
    if request.method == "POST":
        return _create(request)
    rows = sorted(SandboxConnector.objects.filter(provider=PROVIDER), key=lambda r: r.data["name"])
    expand = request.GET.getlist("expand")
    if not expand:
        return JsonResponse([r.data["name"] for r in rows], safe=False)
    expanded = {}
    for row in rows:
        shown: dict[str, Any] = {}
        if "status" in expand:
            _settle(row)
            shown["status"] = _status(row.data)
        if "info" in expand:
            shown["info"] = _info(row.data)
        expanded[row.data["name"]] = shown
    return JsonResponse(expanded)


def _create(request: HttpRequest) -> HttpResponse:
    body, failure = _json(request)
    if failure:
        return failure
    if not isinstance(body, dict):
        return error(400, "The request must be a JSON object with name and config.")
    name = body.get("name")
    if not isinstance(name, str):
        return error(400, "Connector name is required.")
    name = name.strip()
    problem = _name_problem(name)
    if problem:
        return error(400, problem)
    initial = body.get("initial_state") or "RUNNING"
    if not isinstance(initial, str) or initial.upper() not in STATES:
        return error(400, f"Invalid initial state: it must be one of {', '.join(STATES)}.")
    if "config" not in body or body["config"] is None:
        return error(400, "Connector config is required.")
    config, failure = _named_config(body["config"], name)
    if failure:
        return failure
    if _row(name) is not None:
        return error(409, f"Connector {name} already exists")
    data = _fresh(name, config, initial.upper())
    SandboxConnector.objects.create(
        provider=PROVIDER, scope="", remote_id=ID_PREFIX + name, data=data
    )
    return _created(request, quote(request.path.rstrip("/")) + "/" + quote(name, safe=""), data)


@csrf_exempt
def connector(request: HttpRequest, name: str) -> HttpResponse:
    """`GET` and `DELETE /connectors/{name}`."""
    failure = _guard(request, "GET", "DELETE")
    if failure:
        return failure
    row = _row(name)
    if row is None:
        return _missing(name)
    if request.method == "DELETE":
        row.delete()
        return no_content()
    return JsonResponse(_info(row.data))


@csrf_exempt
def config(request: HttpRequest, name: str) -> HttpResponse:
    """`GET /connectors/{name}/config` (the flat map) and `PUT` (create or replace it)."""
    failure = _guard(request, "GET", "PUT")
    if failure:
        return failure
    row = _row(name)
    if request.method == "GET":
        return JsonResponse(configuration(row.data)) if row else _missing(name)
    problem = _name_problem(name)
    if problem:
        return error(400, problem)
    body, failure = _json(request)
    if failure:
        return failure
    new, failure = _named_config(body, name)
    if failure:
        return failure
    if row is None:
        data = _fresh(name, new, "RUNNING")
        SandboxConnector.objects.create(
            provider=PROVIDER, scope="", remote_id=ID_PREFIX + name, data=data
        )
        return _created(request, quote(request.path.removesuffix("/config")), data)
    row.data = {
        **row.data,
        **_kept(new),
        "type": connector_type(new["connector.class"]),
        "settled": False,
    }
    row.save(update_fields=["data"])
    return JsonResponse(_info(row.data))


@csrf_exempt
def status(request: HttpRequest, name: str) -> HttpResponse:
    failure = _guard(request, "GET")
    if failure:
        return failure
    row = _row(name)
    if row is None:
        return _missing(name, "No status found for connector {name}")
    _settle(row)
    return JsonResponse(_status(row.data))


@csrf_exempt
def target(request: HttpRequest, name: str, action: str) -> HttpResponse:
    """`PUT /connectors/{name}/pause|resume|stop`: 202, applied by the next status read."""
    failure = _guard(request, "PUT")
    if failure:
        return failure
    row = _row(name)
    if row is None:
        return _missing(name, "Unknown connector {name}")
    wanted = {"pause": "PAUSED", "resume": "RUNNING", "stop": "STOPPED"}[action]
    if row.data["target"] != wanted or row.data["state"] != wanted:
        slow = SLOW_READS if name.startswith("slow-") else 0
        row.data = {**row.data, "target": wanted, "settled": False, "slow_reads": slow}
        row.save(update_fields=["data"])
    return no_content(202)


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name, "").strip().lower() == "true"


@csrf_exempt
def restart(request: HttpRequest, name: str) -> HttpResponse:
    """`POST /connectors/{name}/restart`: 204, empty (as Kafka's ConnectorsResource answers when
    only the connector restarts, whatever its comment says; providers.md §4.10 says 200); with
    includeTasks or onlyFailed, 202 and the status with what restarts marked RESTARTING."""
    failure = _guard(request, "POST")
    if failure:
        return failure
    row = _row(name)
    if row is None:
        return _missing(name, "Unknown connector: {name}")
    include_tasks, only_failed = _flag(request, "includeTasks"), _flag(request, "onlyFailed")
    if not include_tasks and not only_failed:
        row.data = {**row.data, "settled": False}
        row.save(update_fields=["data"])
        return no_content()
    _settle(row)
    shown = _status(row.data)
    restarted = False
    if not only_failed or shown["connector"]["state"] == "FAILED":
        shown["connector"] = {"state": "RESTARTING", "worker_id": WORKER}
        restarted = True
    if include_tasks:
        for task in shown["tasks"]:
            if not only_failed or task["state"] == "FAILED":
                task.pop("trace", None)
                task["state"] = "RESTARTING"
                restarted = True
    if restarted:
        row.data = {**row.data, "settled": False}
        row.save(update_fields=["data"])
    return JsonResponse(shown, status=202)


@csrf_exempt
def restart_task(request: HttpRequest, name: str, task_id: str) -> HttpResponse:
    """`POST /connectors/{name}/tasks/{id}/restart`: 204."""
    failure = _guard(request, "POST")
    if failure:
        return failure
    row = _row(name)
    if row is None:
        return _missing(name, "Unknown connector: {name}")
    tasks = row.data["tasks"]
    number = int(task_id) if re.fullmatch(r"[0-9]{1,6}", task_id) else -1
    if not 0 <= number < len(tasks):
        return error(404, f"Unknown task: {name}-{task_id}")
    if row.data["state"] == "RUNNING":
        fresh = _tasks(configuration(row.data), "RUNNING")
        tasks[number] = fresh[number] if number < len(fresh) else tasks[number]
        row.save(update_fields=["data"])
    return no_content()


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under the worker: Kafka Connect's 404 in its error shape."""
    return faults.play(request, PROVIDER, error) or error(404, "HTTP 404 Not Found")
