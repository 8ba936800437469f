"""The Kafka catalogue: every class's properties go form values -> flat map -> raw JSON -> form
values unchanged, on the functions and through the create form's editor switch."""

from __future__ import annotations

import html
import json
import re
import string
import uuid

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors_admin.providers.kafka.catalogue import (
    CLASSES,
    RESERVED,
    LineError,
    Values,
    from_properties,
    parse_lines,
    to_properties,
)
from connectors_admin.sandbox.models import SandboxConnector

VALUE = st.text(string.ascii_letters + string.digits + ":/._-@=, ", min_size=1, max_size=30)
LINES = st.text(string.ascii_letters + string.digits + ":/._-@=, \n[]{}", min_size=1, max_size=60)
OTHER_KEY = st.sampled_from(
    ["key.converter", "value.converter", "transforms", "errors.tolerance", "x.custom.thing"]
)


def test_the_catalogue_is_well_formed():
    assert len(CLASSES) == 12
    assert len({c.name for c in CLASSES}) == 12
    for connector_class in CLASSES:
        names = [p.field_name for p in connector_class.properties]
        assert len(names) == len(set(names)), connector_class.name
        assert not RESERVED & {p.key for p in connector_class.properties}
        assert any(p.required for p in connector_class.properties)
        for slot in connector_class.slots:  # a stored credential fills declared properties
            assert all(connector_class.property(path[0]) for path in slot.paths)


@pytest.mark.parametrize("connector_class", CLASSES, ids=lambda c: c.title)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_properties_round_trip_for_every_class(connector_class, data):
    fields = {
        p.field_name: data.draw(
            st.sampled_from(p.choices) if p.choices else LINES if p.kind == "text" else VALUE
        )
        for p in connector_class.properties
        if data.draw(st.booleans()) or p.required
    }
    other = data.draw(st.dictionaries(OTHER_KEY, VALUE, max_size=3))
    values = Values(
        fields=fields,
        tasks_max=str(data.draw(st.integers(1, 9))),
        other="\n".join(f"{k}={v}" for k, v in other.items()),
    )
    properties = to_properties(connector_class, values)
    assert all(isinstance(v, str) for v in properties.values())
    assert properties["connector.class"] == connector_class.name
    # through raw JSON text, and back
    again = from_properties(connector_class, json.loads(json.dumps(properties)))
    assert again == values
    assert to_properties(connector_class, again) == properties


def test_other_property_lines():
    assert parse_lines("a=1\n\n# a note\n b = x=y\n") == {"a": "1", "b": " x=y"}
    assert parse_lines("a=1\nb=x=y") == {"a": "1", "b": "x=y"}
    with pytest.raises(LineError, match="Line 2 is not key=value"):
        parse_lines("a=1\nnonsense")
    with pytest.raises(LineError, match="repeats the key a"):
        parse_lines("a=1\na=2")


# --- through the create form ----------------------------------------------------------------
MONGO = "com.mongodb.kafka.connect.MongoSourceConnector"
pytestmark = pytest.mark.django_db


def fields_url() -> str:
    return reverse("connectors:fields", args=["acme", "kafka-connect"])


def test_the_form_shows_the_chosen_class_fields(owner_client, kc):
    page = owner_client.get(reverse("connectors:create", args=["acme", "kafka-connect"])).content
    page = page.decode()
    assert "Choose a connector class" in page and "Debezium MySQL Source" in page
    assert 'name="p_connection_uri"' not in page  # no class picked yet
    page = owner_client.get(
        reverse("connectors:create", args=["acme", "kafka-connect"]), {"connector_class": MONGO}
    ).content.decode()
    assert 'name="p_connection_uri"' in page and 'type="password"' in page
    assert "Property connection.uri." in page and 'name="other_properties"' in page


def test_switching_to_json_and_back_keeps_every_value(owner_client, kc):
    typed = {
        "credential": kc.pk,
        "connector_class": MONGO,
        "name": "orders-cdc",
        "p_database": "shop",
        "p_collection": "orders",
        "p_topic_prefix": "mongo",
        "p_publish_full_document_only": "true",
        "tasks_max": "2",
        "other_properties": "key.converter=org.apache.kafka.connect.json.JsonConverter",
        "p_connection_uri": "mongodb://u:SecretMongoPw@db:27017",
        "editor": "json",
    }
    page = owner_client.post(fields_url() + "?changed=editor", typed).content.decode()
    assert 'name="p_database"' not in page and 'name="raw_json"' in page
    assert "SecretMongoPw" not in page  # secrets stay in their own write-only field
    start = page.index('name="raw_json"')
    text = page[page.index(">", start) + 1 : page.index("</textarea>", start)]
    shown = json.loads(html.unescape(text))
    assert shown == {
        "connector.class": MONGO,
        "tasks.max": "2",
        "database": "shop",
        "collection": "orders",
        "topic.prefix": "mongo",
        "publish.full.document.only": "true",
        "key.converter": "org.apache.kafka.connect.json.JsonConverter",
    }
    shown["collection"] = "invoices"
    back = {
        "credential": kc.pk,
        "connector_class": MONGO,
        "name": "orders-cdc",
        "editor": "form",
        "raw_json": json.dumps(shown),
    }
    page = owner_client.post(fields_url() + "?changed=editor", back).content.decode()
    assert 'name="raw_json"' not in page
    assert 'value="invoices"' in page and 'value="shop"' in page and 'value="2"' in page
    assert "key.converter=org.apache.kafka.connect.json.JsonConverter" in page
    broken = owner_client.post(
        fields_url() + "?changed=editor", {**back, "raw_json": '{"tasks.max": 2}'}
    ).content.decode()
    help_ = re.search(r'id="id_editor_helptext">([^<]*)<', html.unescape(broken))
    assert help_ and "Still shown as JSON" in help_[1] and "every value as a string" in help_[1]
    # A line the other properties cannot read keeps the fields, and says which line.
    bad = "key.converter=org.apache.kafka.connect.json.JsonConverter\nbadline"
    kept = owner_client.post(
        fields_url() + "?changed=editor", {**typed, "other_properties": bad}
    ).content.decode()
    assert 'name="raw_json"' not in kept
    help_ = re.search(r'id="id_editor_helptext">([^<]*)<', kept)  # under the switch itself
    assert help_ and help_[1].startswith("Still shown as fields: Line 2 is not key=value")
    assert "badline" in kept and "key.converter=org.apache.kafka.connect.json.JsonConverter" in kept


def test_form_errors_before_anything_is_sent(owner_client, kc):
    response = owner_client.post(
        reverse("connectors:create", args=["acme", "kafka-connect"]),
        {
            "credential": kc.pk,
            "connector_class": MONGO,
            "name": "bad name/",
            "tasks_max": "1",
            "other_properties": "database=x\nnonsense",
            "p_pipeline": '{"$match": {}}',
            "form_token": str(uuid.uuid4()),
        },
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Letters, digits, dots" in response
    assert "Line 2 is not key=value" in response
    assert "This field is required" in response  # the connection URI
    assert "A JSON array of stages: [ … ]." in response  # an object is not a pipeline


@pytest.mark.parametrize("connector_class", CLASSES, ids=lambda c: c.title)
def test_every_class_round_trips_through_the_form_editors(owner_client, kc, connector_class):
    """Fields -> raw JSON -> fields on the page keeps every non-secret value, for each class."""
    typed = {
        "credential": kc.pk,
        "connector_class": connector_class.name,
        "name": "round-trip",
        "tasks_max": "3",
        "other_properties": "errors.tolerance=all\nkey.converter=x.Y",
        "editor": "json",
    }
    expected = {"connector.class": connector_class.name, "tasks.max": "3"}
    for prop in connector_class.properties:
        if prop.secret:
            continue
        value = (
            prop.choices[-1]
            if prop.choices
            else {"bool": "true", "int": "42", "json-array": "[]"}.get(
                prop.kind, f"v-{prop.field_name}"
            )
        )
        typed[prop.field_name] = value
        expected[prop.key] = value
    expected |= {"errors.tolerance": "all", "key.converter": "x.Y"}
    page = owner_client.post(fields_url() + "?changed=editor", typed).content.decode()
    start = page.index('name="raw_json"')
    shown = json.loads(
        html.unescape(page[page.index(">", start) + 1 : page.index("</textarea>", start)])
    )
    assert shown == expected
    back = {k: v for k, v in typed.items() if k in ("credential", "connector_class", "name")}
    page = owner_client.post(
        fields_url() + "?changed=editor", {**back, "editor": "form", "raw_json": json.dumps(shown)}
    ).content.decode()
    for prop in connector_class.properties:
        if prop.secret:
            continue
        value = expected[prop.key]
        if prop.choices or prop.kind == "bool":
            assert f'<option value="{value}" selected>' in page, prop.key
        else:
            assert f'value="{value}"' in page or f"{value}</textarea>" in page, prop.key
    assert "errors.tolerance=all" in page and 'value="3"' in page


JDBC_SINK = "io.aiven.connect.jdbc.JdbcSinkConnector"


@pytest.mark.django_db(transaction=True)
def test_switching_to_json_with_a_line_for_a_key_that_has_its_own_field_keeps_the_fields(
    owner_client, sandbox, kc
):
    """`insert.mode=upsert` in Other properties became the field's default `insert` in the
    JSON, unsaid, and was sent so; submitting the same lines is refused. The switch is refused
    the same way, every value kept; set in its field, the value is what the JSON shows and
    what is sent."""
    typed = {
        "credential": kc.pk,
        "connector_class": JDBC_SINK,
        "name": "orders-jdbc",
        "p_connection_url": "jdbc:postgresql://db.internal:5432/shop",
        "p_topics": "orders",
        "p_insert_mode": "insert",
        "p_pk_mode": "none",
        "p_auto_create": "false",
        "tasks_max": "1",
        "other_properties": "insert.mode=upsert\nauto.create=true\nbatch.size=500",
        "editor": "json",
    }
    page = owner_client.post(fields_url() + "?changed=editor", typed).content.decode()

    assert 'name="raw_json"' not in page  # still the fields, each value as typed
    help_ = re.search(r'id="id_editor_helptext">([^<]*)<', html.unescape(page))
    assert help_ and help_[1] == (
        "Still shown as fields: insert.mode, auto.create have their own field above: set it "
        "there. (in Other properties)"
    )
    assert "insert.mode=upsert\nauto.create=true\nbatch.size=500" in page
    assert '<option value="insert" selected>' in page
    # Set in their fields instead, they switch, and are what is sent.
    fixed = {
        **typed,
        "p_insert_mode": "upsert",
        "p_auto_create": "true",
        "other_properties": "batch.size=500",
    }
    page = owner_client.post(fields_url() + "?changed=editor", fixed).content.decode()
    start = page.index('name="raw_json"')
    shown = json.loads(
        html.unescape(page[page.index(">", start) + 1 : page.index("</textarea>", start)])
    )
    assert shown["insert.mode"] == "upsert" and shown["auto.create"] == "true"
    page = owner_client.post(
        reverse("connectors:create", args=["acme", "kafka-connect"]),
        {**fixed, "raw_json": json.dumps(shown), "form_token": str(uuid.uuid4())},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Connector created" in page
    sent = SandboxConnector.objects.get(provider="kafkaconnect").data["config"]
    wanted = {"insert.mode": "upsert", "auto.create": "true", "batch.size": "500"}
    assert {k: sent[k] for k in wanted} == wanted
