"""The connector classes both Kafka templates offer (providers.md §4.5), each with the properties
people set most, which of them are required and which are secret.

Kafka Connect takes a connector's configuration as one flat map of strings. `to_properties` turns
the form's values into that map and `from_properties` turns a map back into the form's values;
the two round-trip for every class (tests/test_kafka_catalogue.py). A key the class does not
declare is kept as an "other property" line, so nothing typed is lost in either direction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from connectors_admin.providers.embedding import Slot

CLASS_KEY = "connector.class"
TASKS_KEY = "tasks.max"
# Keys that never appear as a class's own fields: the form sets them itself.
RESERVED = frozenset({CLASS_KEY, TASKS_KEY, "name"})


@dataclass(frozen=True)
class Property:
    key: str
    label: str
    required: bool = False
    secret: bool = False
    # string | int | bool | text (several lines) | list (comma-separated) | json-array |
    # aws-region (checked against AWS's regions, as every AWS region field is)
    kind: str = "string"
    choices: tuple[str, ...] = ()
    default: str = ""  # shown as the initial value; sent when left as it is
    help: str = ""

    @property
    def field_name(self) -> str:
        return "p_" + re.sub(r"[^A-Za-z0-9]", "_", self.key)


@dataclass(frozen=True)
class ConnectorClass:
    name: str  # the Java class, as `connector.class`
    title: str
    type: str  # source | sink
    properties: tuple[Property, ...]
    slots: tuple[Slot, ...] = ()
    summary: str = ""

    @property
    def secret_keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.properties if p.secret)

    def property(self, key: str) -> Property | None:
        return next((p for p in self.properties if p.key == key), None)


def _topics(required: bool = True) -> Property:
    return Property(
        "topics",
        "Topics",
        required=required,
        kind="list",
        help="The Kafka topics to read, separated by commas.",
    )


MONGODB = ("mongodb", "mongodb+srv")
MYSQL = ("mysql", "mariadb")
POSTGRESQL = ("postgresql", "postgres")


def _uri_login(
    user_key: str, password_key: str, host_key: str, schemes: tuple[str, ...] = ()
) -> Slot:
    """A database login taken from a stored connection URI's user and password, sent only to
    the URI's own host (`host_key` names it: a host, or a JDBC URL), from a URI of one of
    `schemes` (any, for a JDBC connector: its URL says which database)."""
    return Slot(
        name="login",
        label="Stored database login",
        kinds=("uri",),
        targets=(
            ((user_key,), ("secret", "uri", "uri_user")),
            ((password_key,), ("secret", "uri", "uri_password")),
        ),
        optional=True,
        host_paths=((host_key,),),
        schemes=schemes,
    )


def _whole_uri(key: str, schemes: tuple[str, ...]) -> Slot:
    return Slot(
        name="uri",
        label="Stored connection URI",
        kinds=("uri",),
        targets=(((key,), ("secret", "uri", "")),),
        optional=True,
        schemes=schemes,
    )


AWS_KEYS = Slot(
    name="aws",
    label="AWS access key",
    kinds=("aws",),
    targets=(
        (("aws.access.key.id",), ("public", "aws_access_key_id", "")),
        (("aws.secret.access.key",), ("secret", "aws_secret_access_key", "")),
    ),
)
GCP_KEY_FILE = Slot(
    name="gcp",
    label="Google service account",
    kinds=("gcp",),
    targets=((("keyfile",), ("secret", "service_account_json", "")),),
    # Left empty, the BigQuery project is the key file's own (its project_id, not secret).
    fills=((("project",), "project_id"),),
)

MONGO_URI = Property(
    "connection.uri",
    "Connection URI",
    required=True,
    secret=True,
    help="mongodb:// or mongodb+srv://, with the user and password in it.",
)
PORT_HELP = "A number, such as {}."

CLASSES: tuple[ConnectorClass, ...] = (
    ConnectorClass(
        "com.mongodb.kafka.connect.MongoSourceConnector",
        "MongoDB Source",
        "source",
        (
            MONGO_URI,
            Property("database", "Database", help="Empty to watch every database."),
            Property("collection", "Collection", help="Empty to watch every collection."),
            Property("topic.prefix", "Topic prefix", help="Topics are prefix.database.collection."),
            Property(
                "publish.full.document.only",
                "Publish the full document only",
                kind="bool",
                default="false",
            ),
            Property("pipeline", "Pipeline", kind="json-array", help="A JSON array of stages."),
        ),
        slots=(_whole_uri("connection.uri", MONGODB),),
        summary="Change streams from MongoDB collections into topics.",
    ),
    ConnectorClass(
        "com.mongodb.kafka.connect.MongoSinkConnector",
        "MongoDB Sink",
        "sink",
        (
            MONGO_URI,
            Property("database", "Database", required=True),
            Property("collection", "Collection", help="Empty: one collection per topic."),
            _topics(),
        ),
        slots=(_whole_uri("connection.uri", MONGODB),),
        summary="Topics written into MongoDB collections.",
    ),
    ConnectorClass(
        "io.debezium.connector.mysql.MySqlConnector",
        "Debezium MySQL Source",
        "source",
        (
            Property("database.hostname", "Host", required=True),
            Property("database.port", "Port", required=True, kind="int", default="3306"),
            Property("database.user", "User", required=True),
            Property("database.password", "Password", required=True, secret=True),
            Property(
                "database.server.id",
                "Server id",
                required=True,
                kind="int",
                help="A number unique among the MySQL replicas, such as 184054.",
            ),
            Property("topic.prefix", "Topic prefix", required=True),
            Property("database.include.list", "Databases", kind="list"),
            Property("table.include.list", "Tables", kind="list", help="Such as shop.orders."),
        ),
        slots=(_uri_login("database.user", "database.password", "database.hostname", MYSQL),),
        summary="Row changes from the MySQL binlog (change data capture).",
    ),
    ConnectorClass(
        "io.debezium.connector.postgresql.PostgresConnector",
        "Debezium PostgreSQL Source",
        "source",
        (
            Property("database.hostname", "Host", required=True),
            Property("database.port", "Port", required=True, kind="int", default="5432"),
            Property("database.user", "User", required=True),
            Property("database.password", "Password", required=True, secret=True),
            Property("database.dbname", "Database", required=True),
            Property("topic.prefix", "Topic prefix", required=True),
            Property("schema.include.list", "Schemas", kind="list"),
            Property("table.include.list", "Tables", kind="list", help="Such as public.orders."),
            Property(
                "plugin.name",
                "Logical decoding plugin",
                choices=("pgoutput", "decoderbufs"),
                default="pgoutput",
            ),
        ),
        slots=(_uri_login("database.user", "database.password", "database.hostname", POSTGRESQL),),
        summary="Row changes from PostgreSQL's logical replication.",
    ),
    ConnectorClass(
        "io.debezium.connector.mongodb.MongoDbConnector",
        "Debezium MongoDB Source",
        "source",
        (
            Property(
                "mongodb.connection.string",
                "Connection string",
                required=True,
                secret=True,
                help="mongodb:// or mongodb+srv://, with the user and password in it.",
            ),
            Property("topic.prefix", "Topic prefix", required=True),
            Property("database.include.list", "Databases", kind="list"),
            Property("collection.include.list", "Collections", kind="list"),
        ),
        slots=(_whole_uri("mongodb.connection.string", MONGODB),),
        summary="Document changes from a MongoDB replica set.",
    ),
    ConnectorClass(
        "io.aiven.connect.jdbc.JdbcSourceConnector",
        "JDBC Source",
        "source",
        (
            Property(
                "connection.url",
                "JDBC URL",
                required=True,
                help="Such as jdbc:postgresql://db.example.com:5432/shop.",
            ),
            Property("connection.user", "User"),
            Property("connection.password", "Password", secret=True),
            Property(
                "mode",
                "Mode",
                required=True,
                choices=("bulk", "incrementing", "timestamp", "timestamp+incrementing"),
                default="bulk",
            ),
            Property("table.whitelist", "Tables", kind="list"),
            Property("incrementing.column.name", "Incrementing column"),
            Property("timestamp.column.name", "Timestamp column"),
            Property("topic.prefix", "Topic prefix"),
            Property("poll.interval.ms", "Poll interval (ms)", kind="int", default="5000"),
        ),
        slots=(_uri_login("connection.user", "connection.password", "connection.url"),),
        summary="Tables read over JDBC, in bulk or incrementally.",
    ),
    ConnectorClass(
        "io.aiven.connect.jdbc.JdbcSinkConnector",
        "JDBC Sink",
        "sink",
        (
            Property("connection.url", "JDBC URL", required=True),
            Property("connection.user", "User"),
            Property("connection.password", "Password", secret=True),
            _topics(),
            Property(
                "insert.mode",
                "Insert mode",
                choices=("insert", "multi", "upsert", "update"),
                default="insert",
            ),
            Property(
                "pk.mode",
                "Primary key mode",
                choices=("none", "kafka", "record_key", "record_value"),
                default="none",
            ),
            Property("pk.fields", "Primary key fields", kind="list"),
            Property("auto.create", "Create missing tables", kind="bool", default="false"),
        ),
        slots=(_uri_login("connection.user", "connection.password", "connection.url"),),
        summary="Topics written into database tables over JDBC.",
    ),
    ConnectorClass(
        "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector",
        "Amazon S3 Sink",
        "sink",
        (
            Property("aws.access.key.id", "Access key id", required=True),
            Property("aws.secret.access.key", "Secret access key", required=True, secret=True),
            Property("aws.s3.bucket.name", "Bucket", required=True),
            Property(
                "aws.s3.region",
                "AWS region",
                required=True,
                kind="aws-region",
                help="The bucket's region, such as eu-west-1.",
            ),
            Property("aws.s3.prefix", "Prefix"),
            _topics(),
            Property(
                "format.output.type",
                "Output format",
                choices=("csv", "json", "jsonl", "parquet", "avro"),
                default="jsonl",
            ),
            Property(
                "file.compression.type",
                "Compression",
                choices=("none", "gzip", "snappy", "zstd"),
                default="gzip",
            ),
        ),
        slots=(AWS_KEYS,),
        summary="Topics written as files into an S3 bucket.",
    ),
    ConnectorClass(
        "io.aiven.kafka.connect.opensearch.OpensearchSinkConnector",
        "OpenSearch Sink",
        "sink",
        (
            Property("connection.url", "OpenSearch URL", required=True),
            Property("connection.username", "User"),
            Property("connection.password", "Password", secret=True),
            _topics(),
            Property("key.ignore", "Ignore record keys", kind="bool", default="true"),
            Property("schema.ignore", "Ignore schemas", kind="bool", default="true"),
        ),
        summary="Topics indexed into OpenSearch.",
    ),
    ConnectorClass(
        "io.aiven.kafka.connect.http.HttpSinkConnector",
        "HTTP Sink",
        "sink",
        (
            Property("http.url", "Endpoint URL", required=True),
            Property(
                "http.authorization.type",
                "Authorization",
                required=True,
                choices=("none", "static", "oauth2", "apikey"),
                default="none",
            ),
            Property(
                "http.headers.authorization",
                "Authorization header",
                secret=True,
                help="Sent as the Authorization header when the type is static.",
            ),
            _topics(),
            Property("batching.enabled", "Send in batches", kind="bool", default="false"),
        ),
        summary="Each record POSTed to an HTTP endpoint.",
    ),
    ConnectorClass(
        "com.wepay.kafka.connect.bigquery.BigQuerySinkConnector",
        "Google BigQuery Sink",
        "sink",
        (
            Property("project", "GCP project", required=True),
            Property("defaultDataset", "Dataset", required=True),
            Property(
                "keyfile",
                "Service-account key (JSON)",
                required=True,
                secret=True,
                kind="text",
                help="The whole JSON key file.",
            ),
            Property(
                "keySource",
                "Key source",
                choices=("JSON", "FILE", "APPLICATION_DEFAULT"),
                default="JSON",
            ),
            _topics(),
            Property("autoCreateTables", "Create missing tables", kind="bool", default="false"),
        ),
        slots=(GCP_KEY_FILE,),
        summary="Topics streamed into BigQuery tables.",
    ),
    ConnectorClass(
        "com.snowflake.kafka.connector.SnowflakeSinkConnector",
        "Snowflake Sink",
        "sink",
        (
            Property(
                "snowflake.url.name",
                "Account URL",
                required=True,
                help="Such as myorg-account.snowflakecomputing.com:443.",
            ),
            Property("snowflake.user.name", "User", required=True),
            Property(
                "snowflake.private.key",
                "Private key",
                required=True,
                secret=True,
                kind="text",
                help="The PEM key without its header and footer lines.",
            ),
            Property("snowflake.database.name", "Database", required=True),
            Property("snowflake.schema.name", "Schema", required=True),
            Property("snowflake.role.name", "Role"),
            _topics(),
            Property("buffer.count.records", "Records per file", kind="int", default="10000"),
        ),
        summary="Topics loaded into Snowflake tables through Snowpipe.",
    ),
)
BY_NAME: dict[str, ConnectorClass] = {c.name: c for c in CLASSES}
# Every secret key of the catalogue, masked wherever a Kafka connector's properties appear.
SECRET_KEYS: tuple[str, ...] = tuple(dict.fromkeys(k for c in CLASSES for k in c.secret_keys))
# Keys declared as a choice among fixed words are never secret, whatever they look like
# (`http.authorization.type` is none, static, oauth2 or apikey).
PLAIN_KEYS: frozenset[str] = frozenset(
    p.key for c in CLASSES for p in c.properties if p.choices and not p.secret
) - set(SECRET_KEYS)


# --- properties <-> form values ---------------------------------------------------------------
@dataclass
class Values:
    """A connector's properties as the form holds them: one value per declared property (by
    field name), tasks.max, and every other key as `key=value` lines."""

    fields: dict[str, str] = field(default_factory=dict)
    tasks_max: str = "1"
    other: str = ""


def to_properties(connector_class: ConnectorClass, values: Values) -> dict[str, str]:
    """The flat map Kafka Connect takes: connector.class, tasks.max, every declared property
    that has a value, then the other properties (which may not override the declared ones)."""
    properties = {CLASS_KEY: connector_class.name, TASKS_KEY: str(values.tasks_max or "1")}
    for prop in connector_class.properties:
        value = values.fields.get(prop.field_name, "")
        if value not in ("", None):
            properties[prop.key] = str(value)
    for key, value in parse_lines(values.other).items():
        properties.setdefault(key, value)
    return properties


def from_properties(connector_class: ConnectorClass, properties: dict[str, Any]) -> Values:
    values = Values(tasks_max=str(properties.get(TASKS_KEY, "1")))
    declared = {p.key: p for p in connector_class.properties}
    other: dict[str, str] = {}
    for key, value in properties.items():
        if key in declared:
            values.fields[declared[key].field_name] = str(value)
        elif key not in RESERVED:  # the class, tasks.max and the name have their own fields
            other[key] = str(value)
    values.other = format_lines(other)
    return values


# The most a properties text (lines or JSON) may hold, in the create and reconfigure forms.
MAX_PROPERTIES_TEXT = 100_000


class LineError(ValueError):
    pass


def parse_lines(text: str) -> dict[str, str]:
    """`key=value` lines (blank lines and lines starting with # are skipped); the value is
    everything after the first `=`, kept as typed. Raises LineError naming the bad line."""
    found: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, equals, value = line.partition("=")
        key = key.strip()
        if not equals or not key:
            # Never quote the line: it may hold a secret.
            raise LineError(f"Line {number} is not key=value.")
        if key in found:
            raise LineError(f"Line {number} repeats the key {key}.")
        found[key] = value
    return found


def _line_member(line: str) -> tuple[str, str] | None:
    """A line's key and value: key=value, or as a Java properties file may also write it (key:
    value, key value), which parse_lines refuses; None for a blank line or a comment."""
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    key, equals, value = line.partition("=")
    if equals and key.strip():
        return key.strip(), value
    parts = re.split(r"\s*:\s*|\s+", line.strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 and parts[0] else None


def readable_lines(text: str) -> dict[str, str]:
    """The lines of `text` that read as key=value (the first of a repeated key), or as a
    properties file's key: value, the others skipped: what it holds while parse_lines refuses
    one of its lines."""
    found: dict[str, str] = {}
    for line in (text or "").splitlines():
        member = _line_member(line)
        if member is not None:
            found.setdefault(*member)
    return found


def without_keys(text: str, keys: Any) -> str:
    """`text` without its lines for `keys` (as `readable_lines` reads them), every other line
    kept as typed."""
    kept = []
    for line in (text or "").splitlines():
        member = _line_member(line)
        if member is None or member[0] not in keys:
            kept.append(line)
    return "\n".join(kept)


def format_lines(properties: dict[str, str]) -> str:
    return "\n".join(f"{key}={value}" for key, value in properties.items())


def merged_lines(kept: str, new: str) -> str:
    """Secret lines kept from an earlier try, with the newer value of each key from `new`."""
    try:
        return format_lines({**parse_lines(kept), **parse_lines(new)})
    except LineError:
        return new
