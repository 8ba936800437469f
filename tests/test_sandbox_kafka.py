"""The sandbox behaves like Upstash's hosted Kafka connectors (providers.md §4.3 to §4.9) and like a
Kafka Connect worker's REST API (§4.10): paths, auth, validation, states, status codes, shapes."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest

from connectors_admin.sandbox.models import SandboxConnector
from connectors_admin.sandbox.sealed import digest

pytestmark = pytest.mark.django_db
UP = "/sandbox/v2/kafka"
KC = "/sandbox/kafka-connect"
EMAIL = "data@example.com"
CLUSTER = "7568431c-88d5-4409-a808-2167f22a7133"
MONGO_SOURCE = "com.mongodb.kafka.connect.MongoSourceConnector"
MONGO_SINK = "com.mongodb.kafka.connect.MongoSinkConnector"
JDBC_SINK = "io.aiven.connect.jdbc.JdbcSinkConnector"
URI = "mongodb+srv://app:s3cret@cluster0.example.net"
BAD_URI_ERROR = (
    "Invalid value {uri} for configuration connection.uri: The connection string is invalid. "
    "Connection strings must start with either 'mongodb://' or 'mongodb+srv://"
)


def basic(user: str = EMAIL, key: str = "upstash-key-1") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{key}".encode()).decode()}


def queue_fault(client, provider: str, mode: str = "status", **options) -> None:
    body = {"provider": provider, "mode": mode, **options}
    response = client.post("/sandbox/_faults/", body, content_type="application/json")
    assert response.status_code == 201, response.content


# --- Upstash ----------------------------------------------------------------------------------------
def up_create(client, name: str = "orders", email: str = EMAIL, cluster: str = CLUSTER, **props):
    properties = {"connector.class": MONGO_SOURCE, "connection.uri": URI, **props}
    body = {"name": name, "cluster_id": cluster, "properties": properties}
    return client.post(
        f"{UP}/connector", body, content_type="application/json", headers=basic(email)
    )


def up_get(client, connector_id: str, email: str = EMAIL):
    return client.get(f"{UP}/connector/{connector_id}", headers=basic(email))


def up_post(client, path: str, body: bytes | None = None, email: str = EMAIL, **extra):
    if body is None:
        return client.post(f"{UP}/{path}", headers=basic(email), **extra)
    return client.generic(
        "POST", f"{UP}/{path}", body, content_type="application/json", headers=basic(email)
    )


def test_upstash_create_answers_the_connector_without_properties(client):
    before = int(time.time())
    response = up_create(client)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == [
        "connector_id",
        "name",
        "customer_id",
        "cluster_id",
        "creation_time",
        "deletion_time",
        "state",
        "state_error_message",
        "connector_state",
        "tasks",
        "topics",
        "connector_class",
        "encoded_username",
        "TTL",
    ]
    assert str(uuid.UUID(body["connector_id"], version=4)) == body["connector_id"]
    assert body["name"] == "orders" and body["customer_id"] == EMAIL
    assert body["cluster_id"] == CLUSTER and body["connector_class"] == MONGO_SOURCE
    assert before <= body["creation_time"] <= int(time.time())
    assert body["TTL"] == body["creation_time"] + 1800
    assert body["deletion_time"] == 0
    assert (body["state"], body["state_error_message"], body["connector_state"]) == (
        "pending",
        "",
        "",
    )
    assert body["tasks"] == [] and body["topics"] == []
    assert base64.b64decode(body["encoded_username"]).decode() == EMAIL
    row = SandboxConnector.objects.get(remote_id=body["connector_id"])
    assert (row.provider, row.scope) == ("upstash", CLUSTER)


def test_upstash_get_advances_pending_to_running_with_plain_properties(client):
    created = up_create(client, **{"tasks.max": "9", "topics": "orders, refunds,"}).json()
    got = up_get(client, created["connector_id"])
    assert got.status_code == 200
    body = got.json()
    assert body["properties"]["connection.uri"] == URI  # Upstash echoed secrets
    assert (body["state"], body["connector_state"]) == ("running", "RUNNING")
    assert body["tasks"] == [{"id": i, "state": "RUNNING", "trace": ""} for i in range(4)]
    assert body["topics"] == ["orders", "refunds"]
    assert up_get(client, created["connector_id"]).json()["state"] == "running"


def test_upstash_source_topics_come_from_prefix_database_and_collection(client):
    created = up_create(
        client, **{"topic.prefix": "shop", "database": "sales", "collection": "orders"}
    ).json()
    body = up_get(client, created["connector_id"]).json()
    assert body["topics"] == ["shop.sales.orders"]
    assert body["tasks"] == [{"id": 0, "state": "RUNNING", "trace": ""}]


def test_upstash_a_bad_mongodb_uri_goes_failed_and_echoes_it(client):
    bad = "postgres://app:s3cret@db.example.net"
    created = up_create(client, **{"connection.uri": bad}).json()
    assert created["state"] == "pending"
    body = up_get(client, created["connector_id"]).json()
    assert body["state"] == "failed" and body["connector_state"] == "FAILED"
    assert body["state_error_message"] == (
        "Connector configuration is invalid and contains the following 1 error(s):\n"
        + BAD_URI_ERROR.format(uri=bad)
        + "\n"
    )
    assert body["tasks"] == []
    paused = up_post(client, f"connector/{created['connector_id']}/pause")
    assert paused.status_code == 400 and "failed" in paused.json()["error"]
    assert up_post(client, f"connector/{created['connector_id']}/restart").json() == "OK"
    assert up_get(client, created["connector_id"]).json()["state"] == "failed"


def test_upstash_a_sink_with_a_bad_uri_fails_too(client):
    body = {
        "name": "sink",
        "cluster_id": CLUSTER,
        "properties": {"connector.class": MONGO_SINK, "connection.uri": "mongo://x", "topics": "t"},
    }
    created = client.post(
        f"{UP}/connector", body, content_type="application/json", headers=basic()
    ).json()
    assert up_get(client, created["connector_id"]).json()["state"] == "failed"


def test_upstash_an_unreachable_host_fails_task_zero_with_a_trace(client):
    uri = "mongodb://app:pw@unreachable-host:27017"
    created = up_create(client, **{"connection.uri": uri, "tasks.max": "2"}).json()
    body = up_get(client, created["connector_id"]).json()
    assert (body["state"], body["connector_state"]) == ("running", "RUNNING")
    failed, running = body["tasks"]
    assert failed["state"] == "FAILED" and running == {"id": 1, "state": "RUNNING", "trace": ""}
    assert failed["trace"].startswith(
        "org.apache.kafka.connect.errors.ConnectException: Could not connect to unreachable-host"
    )
    assert failed["trace"].count("\n\tat ") >= 3
    assert "pw" not in failed["trace"]


def test_upstash_list_by_cluster_advances_and_is_per_cluster(client):
    first = up_create(client, "one").json()
    up_create(client, "two", cluster=str(uuid.uuid4()))
    listed = client.get(f"{UP}/connectors/{CLUSTER}", headers=basic())
    assert listed.status_code == 200
    (only,) = listed.json()
    assert only["connector_id"] == first["connector_id"]
    assert only["state"] == "running" and only["properties"]["connection.uri"] == URI
    for cluster in (str(uuid.uuid4()), "not-a-cluster"):
        assert client.get(f"{UP}/connectors/{cluster}", headers=basic()).json() == []


def test_upstash_connectors_belong_to_their_email(client):
    mine = up_create(client).json()["connector_id"]
    other = "someone@example.org"
    assert up_get(client, mine, email=other).status_code == 404
    assert up_get(client, mine, email=other).json() == {"error": "connector not found"}
    assert client.get(f"{UP}/connectors/{CLUSTER}", headers=basic(other)).json() == []
    assert up_post(client, f"connector/{mine}/pause", email=other).status_code == 404
    update = up_post(client, f"update-connector/{mine}", b'{"connector.class": "x"}', email=other)
    assert update.status_code == 404
    deleted = client.delete(f"{UP}/connector/{mine}", headers=basic(other))
    assert deleted.status_code == 404
    assert up_get(client, mine).status_code == 200
    # The same name in the same cluster is another account's business.
    assert up_create(client, email=other).status_code == 200


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"cluster_id": CLUSTER, "properties": {"connector.class": "c"}}, "name is required"),
        ({"name": "", "cluster_id": CLUSTER, "properties": {"connector.class": "c"}}, "name"),
        ({"name": "n" * 256, "cluster_id": CLUSTER, "properties": {"connector.class": "c"}}, "255"),
        ({"name": "n", "cluster_id": "cluster-1", "properties": {"connector.class": "c"}}, "UUID"),
        ({"name": "n", "cluster_id": 7, "properties": {"connector.class": "c"}}, "UUID"),
        ({"name": "n", "cluster_id": CLUSTER}, "properties must be an object"),
        ({"name": "n", "cluster_id": CLUSTER, "properties": []}, "properties must be an object"),
        ({"name": "n", "cluster_id": CLUSTER, "properties": {"a": "b"}}, "connector.class"),
        (
            {"name": "n", "cluster_id": CLUSTER, "properties": {"connector.class": 1}},
            "property connector.class must be a string",
        ),
        (
            {
                "name": "n",
                "cluster_id": CLUSTER,
                "properties": {"connector.class": "c", "tasks.max": 2},
            },
            "property tasks.max must be a string",
        ),
        (["not", "an", "object"], "object"),
        ("{not json", "JSON"),
        ({"name": "n\u0000", "cluster_id": CLUSTER, "properties": {}}, "control"),
    ],
)
def test_upstash_create_refusals_are_400_with_an_error_field(client, body, said):
    raw = body if isinstance(body, str) else json.dumps(body)
    response = client.generic(
        "POST", f"{UP}/connector", raw, content_type="application/json", headers=basic()
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert said in response.json()["error"]


def test_upstash_a_duplicate_name_in_a_cluster_is_refused_until_deleted(client):
    first = up_create(client).json()["connector_id"]
    again = up_create(client)
    assert again.status_code == 400
    assert again.json() == {"error": "connector with name orders already exists"}
    assert up_create(client, cluster=str(uuid.uuid4())).status_code == 200
    assert client.delete(f"{UP}/connector/{first}", headers=basic()).status_code == 200
    assert up_create(client).status_code == 200


def test_upstash_update_replaces_the_flat_properties_and_goes_pending(client):
    connector_id = up_create(client, **{"connection.uri": "nope://x"}).json()["connector_id"]
    assert up_get(client, connector_id).json()["state"] == "failed"
    flat = {"connector.class": MONGO_SOURCE, "connection.uri": URI, "topic.prefix": "p"}
    updated = up_post(client, f"update-connector/{connector_id}", json.dumps(flat).encode())
    assert updated.status_code == 200
    body = updated.json()
    assert body["properties"] == flat and body["state"] == "pending"
    assert body["state_error_message"] == "" and body["tasks"] == []
    assert up_get(client, connector_id).json()["state"] == "running"

    wrapped = up_post(
        client, f"update-connector/{connector_id}", json.dumps({"properties": flat}).encode()
    )
    assert wrapped.status_code == 400
    assert wrapped.json() == {"error": "property properties must be a string"}
    numbers = up_post(
        client,
        f"update-connector/{connector_id}",
        json.dumps({**flat, "tasks.max": 3}).encode(),
    )
    assert numbers.json() == {"error": "property tasks.max must be a string"}
    assert up_post(client, f"update-connector/{connector_id}", b"{").status_code == 400
    missing = up_post(client, f"update-connector/{uuid.uuid4()}", json.dumps(flat).encode())
    assert missing.status_code == 404 and missing.json() == {"error": "connector not found"}


def test_upstash_delete_answers_ok_then_the_connector_is_gone(client):
    connector_id = up_create(client).json()["connector_id"]
    deleted = client.generic(
        "DELETE", f"{UP}/connector/{connector_id}", "null", "application/json", headers=basic()
    )
    assert deleted.status_code == 200 and deleted.json() == "OK"
    assert up_get(client, connector_id).json() == {"error": "connector not found"}
    assert up_get(client, connector_id).status_code == 404
    assert client.get(f"{UP}/connectors/{CLUSTER}", headers=basic()).json() == []
    again = client.delete(f"{UP}/connector/{connector_id}", headers=basic())
    assert again.status_code == 404


@pytest.mark.parametrize("body", [None, b"", b"null"])
def test_upstash_actions_take_no_body_or_null(client, body):
    connector_id = up_create(client, **{"tasks.max": "2"}).json()["connector_id"]
    paused = up_post(client, f"connector/{connector_id}/pause", body)
    assert paused.status_code == 200 and paused.json() == "OK"
    state = up_get(client, connector_id).json()
    assert (state["state"], state["connector_state"]) == ("paused", "PAUSED")
    assert [t["state"] for t in state["tasks"]] == ["PAUSED", "PAUSED"]
    assert up_post(client, f"connector/{connector_id}/start", body).json() == "OK"
    state = up_get(client, connector_id).json()
    assert (state["state"], state["connector_state"]) == ("running", "RUNNING")
    assert [t["state"] for t in state["tasks"]] == ["RUNNING", "RUNNING"]
    assert up_post(client, f"connector/{connector_id}/restart", body).json() == "OK"
    assert up_get(client, connector_id).json()["state"] == "running"


def test_upstash_an_action_with_a_body_that_is_not_json_is_400(client):
    connector_id = up_create(client).json()["connector_id"]
    response = up_post(client, f"connector/{connector_id}/pause", b"pause please")
    assert response.status_code == 400 and "JSON" in response.json()["error"]
    unknown = up_post(client, f"connector/{uuid.uuid4()}/start")
    assert unknown.status_code == 404 and unknown.json() == {"error": "connector not found"}


@pytest.mark.parametrize("headers", [{}, basic(key="invalid-key"), {"Authorization": "Basic ***"}])
def test_upstash_auth_failures_are_plain_text(client, headers):
    for response in (
        client.get(f"{UP}/connectors/{CLUSTER}", headers=headers),
        client.get(f"{UP}/clusters", headers=headers),
        client.post(f"{UP}/connector", {}, content_type="application/json", headers=headers),
    ):
        assert response.status_code == 401
        assert response["Content-Type"] == "text/plain"
        assert response.content == b"Unauthorized"


def test_upstash_clusters_still_answer(client):
    response = client.get(f"{UP}/clusters", headers=basic())
    assert response.status_code == 200 and response.json() == []


def test_upstash_wrong_method_and_faults(client):
    response = client.put(f"{UP}/connector", headers=basic())
    assert response.status_code == 405 and "error" in response.json()
    queue_fault(client, "upstash", status=503, message="Service Unavailable")
    fault = up_create(client)
    assert fault.status_code == 503 and fault.content == b"Service Unavailable"
    assert up_create(client).status_code == 200


# --- Kafka Connect ----------------------------------------------------------------------------------
JDBC = {
    "connector.class": JDBC_SINK,
    "connection.url": "jdbc:postgresql://db.example.net/shop",
    "topics": "orders",
}


def kc_create(client, name: str = "orders-sink", config: dict | None = None, **extra):
    body = {"name": name, "config": JDBC if config is None else config, **extra}
    return client.post(f"{KC}/connectors", body, content_type="application/json")


def kc_status(client, name: str = "orders-sink") -> dict:
    response = client.get(f"{KC}/connectors/{name}/status")
    assert response.status_code == 200, response.content
    return response.json()


def kc_put(client, path: str, body: dict | None = None):
    return client.put(f"{KC}/{path}", json.dumps(body or {}), content_type="application/json")


def test_kafka_connect_root_and_plugins(client):
    root = client.get(f"{KC}/")
    assert root.status_code == 200
    body = root.json()
    assert body["version"] == "4.1.0" and int(body["commit"], 16) >= 0
    assert len(body["kafka_cluster_id"]) == 22
    plugins = client.get(f"{KC}/connector-plugins").json()
    assert len(plugins) == 12
    assert {"class": MONGO_SOURCE, "type": "source", "version": "1.13.1"} in plugins
    types = {p["class"]: p["type"] for p in plugins}
    assert types[JDBC_SINK] == "sink"
    assert types["io.debezium.connector.postgresql.PostgresConnector"] == "source"
    assert sum(t == "source" for t in types.values()) == 5


def test_kafka_connect_validate_answers_200_with_every_keys_errors(client):
    url = f"{KC}/connector-plugins/{JDBC_SINK}/config/validate"
    response = kc_put(
        client,
        url.removeprefix(f"{KC}/"),
        {"connection.password": "hunter2", "insert.mode": "merge", "tasks.max": "two"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == JDBC_SINK and body["error_count"] == 4
    assert "Common" in body["groups"]
    configs = {c["value"]["name"]: c for c in body["configs"]}
    assert set(configs) == {
        "name",
        "connector.class",
        "tasks.max",
        "key.converter",
        "value.converter",
        "connection.url",
        "topics",
        "connection.user",
        "connection.password",
        "insert.mode",
        "pk.mode",
        "pk.fields",
        "auto.create",
    }
    assert configs["connection.url"]["value"]["errors"] == [
        'Missing required configuration "connection.url" which has no default value.'
    ]
    assert configs["topics"]["value"]["errors"] == [
        'Missing required configuration "topics" which has no default value.'
    ]
    assert configs["insert.mode"]["value"]["errors"] == [
        "Invalid value merge for configuration insert.mode: "
        "String must be one of: insert, multi, upsert, update"
    ]
    assert configs["tasks.max"]["value"]["errors"] == [
        "Invalid value two for configuration tasks.max: Not a number of type INT"
    ]
    assert configs["connection.password"]["value"]["value"] == "[hidden]"
    assert configs["connector.class"]["value"]["value"] == JDBC_SINK
    definition = configs["insert.mode"]["definition"]
    assert {"name", "type", "required", "default_value", "importance", "documentation"} <= set(
        definition
    )
    assert {"group", "order", "display_name"} <= set(definition)
    assert configs["auto.create"]["definition"]["type"] == "BOOLEAN"
    assert configs["connection.url"]["definition"]["required"] is True
    assert configs["insert.mode"]["value"]["recommended_values"] == [
        "insert",
        "multi",
        "upsert",
        "update",
    ]
    assert configs["pk.fields"]["value"] == {
        "name": "pk.fields",
        "value": None,
        "recommended_values": [],
        "errors": [],
        "visible": True,
    }


def test_kafka_connect_validate_checks_booleans_and_mongodb_uris(client):
    response = kc_put(
        client,
        f"connector-plugins/{MONGO_SOURCE}/config/validate",
        {"connection.uri": "mysql://x", "publish.full.document.only": "yes", "extra.key": "ok"},
    ).json()
    errors = [e for c in response["configs"] for e in c["value"]["errors"]]
    assert errors == [
        BAD_URI_ERROR.format(uri="mysql://x"),
        "Invalid value yes for configuration publish.full.document.only: "
        "Expected value to be either true or false",
    ]
    valid = kc_put(
        client, f"connector-plugins/{MONGO_SOURCE}/config/validate", {"connection.uri": URI}
    )
    assert valid.json()["error_count"] == 0


def test_kafka_connect_validate_refusals(client):
    unknown = kc_put(client, "connector-plugins/org.example.Nope/config/validate", {})
    assert unknown.status_code == 400
    assert unknown.json()["error_code"] == 400
    assert unknown.json()["message"].startswith(
        "Failed to find any class that implements Connector and which name matches "
        "org.example.Nope, available connectors are: "
    )
    mismatch = kc_put(
        client,
        f"connector-plugins/{JDBC_SINK}/config/validate",
        {"connector.class": MONGO_SOURCE},
    )
    assert mismatch.status_code == 400
    number = kc_put(client, f"connector-plugins/{JDBC_SINK}/config/validate", {"tasks.max": 1})
    assert number.status_code == 400 and "must be a string" in number.json()["message"]
    broken = client.put(
        f"{KC}/connector-plugins/{JDBC_SINK}/config/validate", "{", "application/json"
    )
    assert broken.status_code == 400 and set(broken.json()) == {"error_code", "message"}


def test_kafka_connect_create_answers_201_with_location_then_runs(client):
    created = kc_create(client, config={**JDBC, "tasks.max": "6"})
    assert created.status_code == 201
    assert created["Location"] == "http://testserver/sandbox/kafka-connect/connectors/orders-sink"
    assert created.json() == {
        "name": "orders-sink",
        "config": {**JDBC, "tasks.max": "6", "name": "orders-sink"},
        "tasks": [],
        "type": "sink",
    }
    row = SandboxConnector.objects.get(remote_id="kafka-connect:orders-sink")
    assert (row.provider, row.scope) == ("kafkaconnect", "")
    assert row.data["state"] == "UNASSIGNED"
    status = kc_status(client)
    assert status["connector"] == {"state": "RUNNING", "worker_id": "sandbox-worker:8083"}
    assert status["tasks"] == [
        {"id": i, "state": "RUNNING", "worker_id": "sandbox-worker:8083"} for i in range(4)
    ]
    assert status["type"] == "sink" and status["name"] == "orders-sink"
    info = client.get(f"{KC}/connectors/orders-sink").json()
    assert info["tasks"] == [{"connector": "orders-sink", "task": i} for i in range(4)]
    assert client.get(f"{KC}/connectors/orders-sink/config").json()["tasks.max"] == "6"


def test_kafka_connect_a_new_connector_is_unassigned_until_its_status_is_read(client):
    kc_create(client)
    assert client.get(f"{KC}/connectors/orders-sink").json()["tasks"] == []
    listed = client.get(f"{KC}/connectors?expand=info").json()
    assert listed == {"orders-sink": {"info": client.get(f"{KC}/connectors/orders-sink").json()}}
    assert kc_status(client)["connector"]["state"] == "RUNNING"


def test_kafka_connect_initial_state_and_names_with_spaces(client):
    created = kc_create(client, name="orders sink v1.2", initial_state="PAUSED")
    assert created.status_code == 201
    assert created["Location"].endswith("/connectors/orders%20sink%20v1.2")
    status = kc_status(client, "orders%20sink%20v1.2")
    assert status["connector"]["state"] == "PAUSED"
    assert [t["state"] for t in status["tasks"]] == ["PAUSED"]
    stopped = kc_create(client, name="stopped", initial_state="stopped")
    assert stopped.status_code == 201
    assert kc_status(client, "stopped")["tasks"] == []


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"config": JDBC}, "name"),
        ({"name": "", "config": JDBC}, "name"),
        ({"name": 5, "config": JDBC}, "name"),
        ({"name": "a/b", "config": JDBC}, "/"),
        ({"name": "x" * 287, "config": JDBC}, "286"),
        ({"name": "n"}, "config"),
        ({"name": "n", "config": ["a"]}, "object"),
        ({"name": "n", "config": {**JDBC, "tasks.max": 2}}, "tasks.max must be a string"),
        (
            {"name": "n", "config": {**JDBC, "name": "other"}},
            "Connector name configuration (other) doesn't match connector name in the URL (n)",
        ),
        ({"name": "n", "config": {"topics": "t"}}, "contains no connector type"),
        ({"name": "n", "config": {"connector.class": "x.Y"}}, "Failed to find any class"),
        ({"name": "n", "config": JDBC, "initial_state": "SLEEPING"}, "initial state"),
        ({"name": "n", "config": {**JDBC, "topics": "\u0000"}}, "control"),
    ],
)
def test_kafka_connect_create_refusals_are_400(client, body, said):
    response = client.post(f"{KC}/connectors", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error_code"] == 400
    assert said in response.json()["message"]


def test_kafka_connect_an_invalid_config_lists_its_errors(client):
    response = kc_create(
        client, config={"connector.class": MONGO_SINK, "connection.uri": "x", "tasks.max": "0"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error_code": 400,
        "message": "Connector configuration is invalid and contains the following 4 error(s):\n"
        "Invalid value 0 for configuration tasks.max: Value must be at least 1\n"
        + BAD_URI_ERROR.format(uri="x")
        + "\n"
        'Missing required configuration "database" which has no default value.\n'
        'Missing required configuration "topics" which has no default value.\n'
        "You can also find the above list of errors at the endpoint "
        "`/connector-plugins/{connectorType}/config/validate`",
    }


def test_kafka_connect_a_duplicate_name_is_409(client):
    assert kc_create(client).status_code == 201
    again = kc_create(client)
    assert again.status_code == 409
    assert again.json() == {"error_code": 409, "message": "Connector orders-sink already exists"}


def test_kafka_connect_list_is_sorted_and_expands(client):
    for name in ("zeta", "alpha", "mid"):
        kc_create(client, name=name)
    assert client.get(f"{KC}/connectors").json() == ["alpha", "mid", "zeta"]
    both = client.get(f"{KC}/connectors?expand=status&expand=info").json()
    assert list(both) == ["alpha", "mid", "zeta"]
    assert both["alpha"]["status"]["connector"]["state"] == "RUNNING"
    assert both["alpha"]["info"]["config"]["name"] == "alpha"
    only_status = client.get(f"{KC}/connectors", {"expand": "status"}).json()
    assert set(only_status["mid"]) == {"status"}


def test_kafka_connect_unknown_connectors_are_404(client):
    """Each in the words of the herder call behind it (Apache Kafka's AbstractHerder and
    DistributedHerder): a client that knows only "Connector X not found" misses the rest."""
    said = {
        ("GET", ""): "Connector ghost not found",
        ("GET", "/config"): "Connector ghost not found",
        ("DELETE", ""): "Connector ghost not found",
        ("GET", "/status"): "No status found for connector ghost",
        ("PUT", "/pause"): "Unknown connector ghost",
        ("PUT", "/resume"): "Unknown connector ghost",
        ("PUT", "/stop"): "Unknown connector ghost",
        ("POST", "/restart"): "Unknown connector: ghost",
        ("POST", "/restart?includeTasks=true"): "Unknown connector: ghost",
        ("POST", "/tasks/0/restart"): "Unknown connector: ghost",
    }
    for (method, path), message in said.items():
        response = client.generic(method, f"{KC}/connectors/ghost{path}")
        assert response.status_code == 404, path
        assert response.json() == {"error_code": 404, "message": message}, path
    assert client.get(f"{KC}/no/such/path").json()["error_code"] == 404


def test_kafka_connect_put_config_creates_then_replaces(client):
    created = kc_put(client, "connectors/by-put/config", JDBC)
    assert created.status_code == 201
    assert created["Location"] == "http://testserver/sandbox/kafka-connect/connectors/by-put"
    assert created.json()["config"] == {**JDBC, "name": "by-put"}
    assert kc_status(client, "by-put")["connector"]["state"] == "RUNNING"
    replaced = kc_put(client, "connectors/by-put/config", {**JDBC, "topics": "refunds"})
    assert replaced.status_code == 200
    assert replaced.json()["config"]["topics"] == "refunds"
    invalid = kc_put(client, "connectors/by-put/config", {**JDBC, "auto.create": "maybe"})
    assert invalid.status_code == 400
    assert "Expected value to be either true or false" in invalid.json()["message"]
    renamed = kc_put(client, "connectors/by-put/config", {**JDBC, "name": "other"})
    assert renamed.status_code == 400
    assert client.get(f"{KC}/connectors/by-put/config").json()["topics"] == "refunds"


def test_kafka_connect_pause_resume_stop_answer_202(client):
    kc_create(client, config={**JDBC, "tasks.max": "2"})
    assert kc_status(client)["connector"]["state"] == "RUNNING"
    paused = client.put(f"{KC}/connectors/orders-sink/pause")
    assert paused.status_code == 202 and paused.content == b""
    status = kc_status(client)
    assert status["connector"]["state"] == "PAUSED"
    assert [t["state"] for t in status["tasks"]] == ["PAUSED", "PAUSED"]
    assert client.put(f"{KC}/connectors/orders-sink/resume").status_code == 202
    assert kc_status(client)["connector"]["state"] == "RUNNING"
    assert client.put(f"{KC}/connectors/orders-sink/stop").status_code == 202
    stopped = kc_status(client)
    assert stopped["connector"]["state"] == "STOPPED" and stopped["tasks"] == []
    assert client.post(f"{KC}/connectors/orders-sink/pause").status_code == 405


def test_kafka_connect_restarts(client):
    failing = {**JDBC, "connection.url": "jdbc:postgresql://unreachable-host/db", "tasks.max": "2"}
    kc_create(client, config=failing)
    status = kc_status(client)
    assert status["connector"]["state"] == "RUNNING"
    assert status["tasks"][0]["state"] == "FAILED"
    assert "\n\tat " in status["tasks"][0]["trace"]
    assert status["tasks"][1] == {"id": 1, "state": "RUNNING", "worker_id": "sandbox-worker:8083"}

    plain = client.post(f"{KC}/connectors/orders-sink/restart")
    assert plain.status_code == 204 and plain.content == b""
    assert kc_status(client)["tasks"][0]["state"] == "FAILED"  # the host is still unreachable

    with_tasks = client.post(
        f"{KC}/connectors/orders-sink/restart?includeTasks=true&onlyFailed=true"
    )
    assert with_tasks.status_code == 202
    body = with_tasks.json()
    assert body["connector"]["state"] == "RUNNING"  # only failed parts restart
    assert [t["state"] for t in body["tasks"]] == ["RESTARTING", "RUNNING"]
    everything = client.post(f"{KC}/connectors/orders-sink/restart?includeTasks=true").json()
    assert everything["connector"]["state"] == "RESTARTING"
    assert [t["state"] for t in everything["tasks"]] == ["RESTARTING", "RESTARTING"]

    kc_put(client, "connectors/orders-sink/config", {**JDBC, "tasks.max": "2"})
    assert client.post(f"{KC}/connectors/orders-sink/restart").status_code == 204
    assert [t["state"] for t in kc_status(client)["tasks"]] == ["RUNNING", "RUNNING"]


def test_kafka_connect_task_restart(client):
    kc_create(client, config={**JDBC, "connection.url": "jdbc:x://unreachable-host"})
    assert kc_status(client)["tasks"][0]["state"] == "FAILED"
    assert client.post(f"{KC}/connectors/orders-sink/tasks/0/restart").status_code == 204
    assert kc_status(client)["tasks"][0]["state"] == "FAILED"
    for task in ("1", "x", "-1"):
        missing = client.post(f"{KC}/connectors/orders-sink/tasks/{task}/restart")
        assert missing.status_code == 404 and missing.json()["error_code"] == 404


def test_kafka_connect_delete_answers_204_then_404(client):
    kc_create(client)
    deleted = client.delete(f"{KC}/connectors/orders-sink")
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get(f"{KC}/connectors/orders-sink").status_code == 404
    assert client.get(f"{KC}/connectors").json() == []
    assert kc_create(client).status_code == 201


def test_kafka_connect_auth_is_optional_but_checked(client):
    assert client.get(f"{KC}/connectors", headers=basic("connect", "pw")).status_code == 200
    for headers in (basic("connect", "invalid-pw"), {"Authorization": "Basic %%%"}):
        refused = client.get(f"{KC}/connectors", headers=headers)
        assert refused.status_code == 401
        assert refused.json()["error_code"] == 401 and refused.json()["message"]


def test_kafka_connect_wrong_methods_are_405(client):
    for method, path in (("DELETE", "connectors"), ("POST", ""), ("GET", "connectors/x/restart")):
        response = client.generic(method, f"{KC}/{path}")
        assert response.status_code == 405
        assert response.json() == {"error_code": 405, "message": "HTTP 405 Method Not Allowed"}


def test_kafka_connect_a_queued_fault_answers_in_its_error_shape(client):
    queue_fault(client, "kafkaconnect", status=409, message="Cannot complete request momentarily")
    response = kc_create(client)
    assert response.status_code == 409
    assert response.json() == {"error_code": 409, "message": "Cannot complete request momentarily"}
    assert kc_create(client).status_code == 201
    queue_fault(client, "kafkaconnect", mode="garbage")
    garbage = client.get(f"{KC}/connectors")
    assert garbage.status_code == 200 and garbage["Content-Type"].startswith("text/html")


# --- malformed input never answers a server error ------------------------------------------------
MALFORMED = [
    b"",
    b"{",
    b"null",
    b'"text"',
    b"[1, 2]",
    b"\xff\xfe",
    b'{"name": "\\u0000", "config": {"a": "\\u0000"}}',
    b'{"name": {"x": 1}, "cluster_id": [], "properties": "p", "config": 7}',
    b'{"name": "n", "config": {"connector.class": null}, "initial_state": 5}',
    b"[" * 5000 + b"]" * 5000,
    b'{"a": "' + b"x" * 3_000_000 + b'"}',
    b"1" * 5000,
]
PATHS = [
    f"{UP}/connector",
    f"{UP}/connector/{{id}}",
    f"{UP}/connector/{{id}}/pause",
    f"{UP}/connector/{{id}}/start",
    f"{UP}/connector/{{id}}/restart",
    f"{UP}/update-connector/{{id}}",
    f"{UP}/connectors/{CLUSTER}",
    f"{KC}/",
    f"{KC}/connector-plugins",
    f"{KC}/connector-plugins/{MONGO_SOURCE}/config",
    f"{KC}/connector-plugins/{MONGO_SOURCE}/config/validate",
    f"{KC}/connectors",
    f"{KC}/connectors/orders-sink",
    f"{KC}/connectors/orders-sink/config",
    f"{KC}/connectors/{'y' * 120}/config",
    f"{KC}/connectors/orders-sink/status",
    f"{KC}/connectors/orders-sink/pause",
    f"{KC}/connectors/orders-sink/restart?includeTasks=%C2%B2",
    f"{KC}/connectors/orders-sink/tasks/{'9' * 30}/restart",
]


@pytest.mark.parametrize("path", PATHS)
def test_malformed_requests_never_answer_a_server_error(client, path):
    connector_id = up_create(client).json()["connector_id"]
    kc_create(client)
    url = path.replace("{id}", connector_id)
    for method in ("GET", "POST", "PUT", "DELETE"):
        for body in MALFORMED:
            response = client.generic(
                method, url, body, content_type="application/json", headers=basic()
            )
            assert response.status_code < 500, (method, url, body[:40])


# --- what the sandbox keeps of the secrets it receives ------------------------------------------------
JAAS = (
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="j4as";'
)


def test_kafka_connect_keeps_secrets_as_digests_and_answers_them_as_sent(client, admin_client):
    config = {
        **JDBC,
        "name": "orders-sink",
        "connection.password": "kc-pw-do-not-keep",
        "sasl.jaas.config": JAAS,
    }
    assert kc_create(client, config=config).status_code == 201
    row = SandboxConnector.objects.get(provider="kafkaconnect")
    kept = json.dumps(row.data)
    assert "kc-pw-do-not-keep" not in kept and "j4as" not in kept
    assert row.data["config"]["connection.password"] == digest("kc-pw-do-not-keep")
    assert row.data["config"]["sasl.jaas.config"] == digest(JAAS)
    assert row.data["config"]["topics"] == JDBC["topics"]  # the others as they came
    # Answered as Kafka Connect answers: the configuration as it was sent.
    assert client.get(f"{KC}/connectors/orders-sink/config").json() == config
    assert client.get(f"{KC}/connectors/orders-sink").json()["config"] == config
    # Replaced: the new secrets are kept the same way.
    replaced = {**config, "connection.password": "kc-pw-2-do-not-keep"}
    assert kc_put(client, "connectors/orders-sink/config", replaced).status_code == 200
    row.refresh_from_db()
    assert "kc-pw-2-do-not-keep" not in json.dumps(row.data)
    assert row.data["config"]["connection.password"] == digest("kc-pw-2-do-not-keep")
    assert client.get(f"{KC}/connectors/orders-sink/config").json() == replaced
    page = admin_client.get(f"/admin/sandbox/sandboxconnector/{row.pk}/change/")
    assert page.status_code == 200 and "kc-pw-2-do-not-keep" not in page.content.decode()


def test_upstash_keeps_secrets_as_digests_and_answers_them_as_sent(client, admin_client):
    created = up_create(client, **{"sasl.jaas.config": JAAS}).json()
    row = SandboxConnector.objects.get(provider="upstash")
    assert "s3cret" not in json.dumps(row.data) and "j4as" not in json.dumps(row.data)
    assert row.data["properties"]["connection.uri"] == digest(URI)
    answered = up_get(client, created["connector_id"]).json()["properties"]
    assert answered == {
        "connector.class": MONGO_SOURCE,
        "connection.uri": URI,
        "sasl.jaas.config": JAAS,
    }
    updated = {"connector.class": MONGO_SOURCE, "connection.uri": URI.replace("s3cret", "n3w")}
    up_post(client, f"update-connector/{created['connector_id']}", json.dumps(updated).encode())
    row.refresh_from_db()
    assert "n3w" not in json.dumps(row.data)
    listed = client.get(f"{UP}/connectors/{CLUSTER}", headers=basic()).json()
    assert listed[0]["properties"] == updated
    page = admin_client.get(f"/admin/sandbox/sandboxconnector/{row.pk}/change/").content.decode()
    assert "n3w" not in page


def test_upstash_a_failed_connector_s_message_is_kept_without_the_uri_s_password(client):
    bad = "postgres://app:s3cret@db.example.net"
    created = up_create(client, **{"connection.uri": bad}).json()
    body = up_get(client, created["connector_id"]).json()
    assert BAD_URI_ERROR.format(uri=bad) in body["state_error_message"]  # said as Upstash says it
    assert "s3cret" not in json.dumps(SandboxConnector.objects.get().data)


def test_a_short_secret_inside_another_s_digest_is_not_replaced_there():
    """A validator's message is kept with each secret as its digest and said back in full: a
    short secret ("a1") that occurs inside the digest written for a longer one stays there."""
    from connectors_admin.sandbox import sealed

    config = {"connection.uri": "mongodb://u:longpass@h/db", "connection.password": "a1"}
    kept = {key: digest(value) for key, value in config.items()}
    assert "a1" in kept["connection.uri"]  # the case: the short one is inside the other's digest
    said = "bad uri mongodb://u:longpass@h/db and a1"
    hidden = sealed.hide(said, config, kept)
    assert "longpass" not in hidden and kept["connection.uri"] in hidden
    assert sealed.show(hidden, config, kept) == said
