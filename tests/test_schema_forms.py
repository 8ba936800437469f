"""Forms generated from JSON Schema: hand-written edge schemas."""

from __future__ import annotations

import json

import pytest
from django import forms

from connectors_admin.providers.schema_forms import (
    JSONTextField,
    LinesField,
    initial_from,
    schema_form,
    secret_paths,
)

POSTGRES = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["data_type", "host", "port", "database", "schema", "credentials"],
    "properties": {
        "data_type": {
            "type": "string",
            "oneOf": [{"const": "structured", "title": "Structured"}, {"const": "vector"}],
            "default": "structured",
            "order": 0,
        },
        "credentials": {
            "type": "object",
            "required": ["auth_type", "username", "password"],
            "order": 1,
            "properties": {
                "auth_type": {
                    "type": "string",
                    "default": "username/password",
                    "readOnly": True,
                    "order": 0,
                },
                "username": {"type": "string", "title": "Username", "order": 1},
                "password": {
                    "type": "string",
                    "title": "Password",
                    "multiwoven_secret": True,
                    "order": 2,
                },
            },
        },
        "host": {
            "type": "string",
            "order": 2,
            "examples": ["db.example.com"],
            "description": "Where it runs.",
        },
        "port": {"type": "string", "order": 3},
        "database": {"type": "string", "order": 4},
        "schema": {"type": "string", "order": 5},
    },
}
VALID = {
    "cfg__data_type": "structured",
    "cfg__credentials__username": "u",
    "cfg__credentials__password": "example-password",
    "cfg__host": "db.example.com",
    "cfg__port": "5432",
    "cfg__database": "app",
    "cfg__schema": "public",
}


def test_fields_follow_order_nesting_and_markers():
    form_class = schema_form(POSTGRES)
    form = form_class()
    assert list(form.fields) == [
        "cfg__data_type",
        "cfg__credentials__auth_type",
        "cfg__credentials__username",
        "cfg__credentials__password",
        "cfg__host",
        "cfg__port",
        "cfg__database",
        "cfg__schema",
    ]
    layout = form_class.built.layout
    assert [node.title for node in layout][:2] == ["Data type", "Credentials"]
    assert [c.name for c in layout[1].children] == [
        "cfg__credentials__auth_type",
        "cfg__credentials__username",
        "cfg__credentials__password",
    ]
    assert form.fields["cfg__data_type"].choices == [
        ("structured", "Structured"),
        ("vector", "vector"),
    ]
    assert form.fields["cfg__data_type"].initial == "structured"
    assert isinstance(form.fields["cfg__credentials__password"].widget, forms.PasswordInput)
    assert form.fields["cfg__credentials__auth_type"].disabled
    # An example reads as one, never as a value already filled in; a default is a real value.
    assert form.fields["cfg__host"].widget.attrs["placeholder"] == "e.g. db.example.com"
    assert form.fields["cfg__host"].initial is None
    assert form.fields["cfg__host"].help_text == "Where it runs."
    assert form.fields["cfg__port"].label == "Port"  # no title: from the key
    assert secret_paths(POSTGRES) == [("credentials", "password")]


def test_configuration_is_rebuilt_nested_and_read_only_values_fixed():
    form = schema_form(POSTGRES)(data={**VALID, "cfg__credentials__auth_type": "tampered"})
    assert form.is_valid(), form.errors
    assert form.configuration() == {
        "data_type": "structured",
        "credentials": {
            "auth_type": "username/password",
            "username": "u",
            "password": "example-password",
        },
        "host": "db.example.com",
        "port": "5432",
        "database": "app",
        "schema": "public",
    }


def test_required_fields_are_required_on_our_side():
    form = schema_form(POSTGRES)(
        data={k: v for k, v in VALID.items() if k != "cfg__credentials__username"}
    )
    assert not form.is_valid()
    assert "cfg__credentials__username" in form.errors


def test_numbers_booleans_arrays_and_enums():
    schema = {
        "type": "object",
        "required": ["batch"],
        "properties": {
            "batch": {"type": "integer", "minimum": 1, "maximum": 100},
            "ratio": {"type": "number"},
            "ssl": {"type": "boolean", "default": True},
            "tags": {"type": "array", "items": {"type": "string"}},
            "scopes": {"type": "array", "items": {"type": "string", "enum": ["read", "write"]}},
            "mode": {"type": "string", "enum": ["full", "incremental"]},
        },
    }
    form_class = schema_form(schema)
    assert isinstance(form_class.base_fields["cfg__tags"], LinesField)
    assert isinstance(form_class.base_fields["cfg__scopes"], forms.MultipleChoiceField)
    form = form_class(data={"cfg__batch": "500", "cfg__mode": "sideways"})
    assert not form.is_valid()
    assert "cfg__batch" in form.errors and "cfg__mode" in form.errors
    form = form_class(
        data={
            "cfg__batch": "5",
            "cfg__ratio": "0.5",
            "cfg__ssl": "on",
            "cfg__tags": "a\n\n b \n",
            "cfg__scopes": ["read"],
            "cfg__mode": "full",
        }
    )
    assert form.is_valid(), form.errors
    assert form.configuration() == {
        "batch": 5,
        "ratio": 0.5,
        "ssl": True,
        "tags": ["a", "b"],
        "scopes": ["read"],
        "mode": "full",
    }


def test_what_cannot_be_rendered_becomes_an_honest_json_field():
    schema = {
        "type": "object",
        "required": ["auth"],
        "properties": {
            "auth": {
                "type": "object",
                "oneOf": [
                    {"properties": {"token": {"type": "string"}}, "required": ["token"]},
                    {"properties": {"key": {"type": "string"}}, "required": ["key"]},
                ],
            },
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "odd": {"type": "wizard"},
            "pairs": {"type": "array", "items": {"type": "object"}},
        },
    }
    form_class = schema_form(schema)
    for name in ("cfg__auth", "cfg__headers", "cfg__odd", "cfg__pairs"):
        assert isinstance(form_class.base_fields[name], JSONTextField), name
    bad = form_class(data={"cfg__auth": "{not json"})
    assert not bad.is_valid()
    assert "not valid JSON" in str(bad.errors["cfg__auth"])
    wrong = form_class(data={"cfg__auth": '{"neither": 1}'})
    assert not wrong.is_valid()
    assert "cfg__auth" in wrong.errors  # the schema's own oneOf check, pinned to the subtree
    good = form_class(
        data={"cfg__auth": '{"token": "t"}', "cfg__headers": '{"X-A": "1"}', "cfg__pairs": "[{}]"}
    )
    assert good.is_valid(), good.errors
    assert good.configuration() == {"auth": {"token": "t"}, "headers": {"X-A": "1"}, "pairs": [{}]}


def test_initial_from_a_stored_configuration():
    form_class = schema_form(POSTGRES)
    initial = initial_from({"host": "h", "credentials": {"username": "u"}}, form_class)
    assert initial == {"cfg__host": "h", "cfg__credentials__username": "u"}


def test_empty_schema_gives_an_empty_form():
    form = schema_form({"type": "object"})(data={})
    assert form.is_valid()
    assert form.configuration() == {}


def test_a_title_that_says_optional_is_not_marked_twice():
    schema = {
        "type": "object",
        "required": ["project"],
        "properties": {
            "project": {"type": "string", "title": "Project"},
            "dataset": {"type": "string", "title": "Dataset (Optional)"},
            "only": {"type": "string", "title": "(optional)"},
        },
    }
    form = schema_form(schema)()
    labels = [form.fields[name].label for name in ("cfg__project", "cfg__dataset", "cfg__only")]
    assert labels == ["Project", "Dataset", "(optional)"]
    assert form.fields["cfg__dataset"].required is False  # the form says "(optional)" itself


def test_a_field_required_by_a_condition_is_said_once_next_to_it():
    """The S3 source needs a role's ARN and external id when auth_type is role (if/then/else):
    each missing one is said next to its field, once, and not again at the top."""
    import json
    from pathlib import Path

    import connectors_admin.sandbox

    catalogue = Path(connectors_admin.sandbox.__file__).parent / "aisquared_catalog"
    definition = json.loads((catalogue / "source-amazons3.json").read_text())
    form = schema_form(definition["connector_spec"]["connection_specification"])(
        data={
            "cfg__data_type": "structured",
            "cfg__auth_type": "role",
            "cfg__region": "us-east-1",
            "cfg__bucket": "lake",
            "cfg__file_type": "csv",
        }
    )
    assert not form.is_valid()
    assert form.errors == {
        "cfg__arn": ["This field is required."],
        "cfg__external_id": ["This field is required."],
    }


def s3_source_schema() -> dict:
    from pathlib import Path

    import connectors_admin.sandbox

    catalogue = Path(connectors_admin.sandbox.__file__).parent / "aisquared_catalog"
    definition = json.loads((catalogue / "source-amazons3.json").read_text())
    return definition["connector_spec"]["connection_specification"]


def test_what_both_branches_of_an_if_require_is_required_and_what_one_requires_says_when():
    """S3's `then` (an IAM user) and `else` (a role) both require the sign-in, the region and
    the bucket: required, as a top-level `required` would make them. The key pair and the role's
    ARN and external id are needed in one case each: not "(optional)", and said when, in the
    words the form shows (the sign-in's label and its choices' names, never "user" or "role")."""
    form_class = schema_form(s3_source_schema())
    fields = form_class.base_fields
    assert [n for n, f in fields.items() if f.required] == [
        "cfg__auth_type",
        "cfg__region",
        "cfg__bucket",
    ]
    user = "Needed when “How to sign in to AWS” is “Access key pair (IAM user)”."
    role = "Needed when “How to sign in to AWS” is “Assumed role (IAM role)”."
    said = {n: getattr(f, "needed_when", "") for n, f in fields.items() if not f.required}
    assert said == {
        "cfg__arn": role,
        "cfg__external_id": role,
        "cfg__access_id": user,
        "cfg__secret_access": user,
        "cfg__path": "",
        "cfg__file_type": "",
        "cfg__data_type": "",
    }
    # Said first, then what the schema says of the field.
    assert fields["cfg__external_id"].help_text == (
        f"{role} Shared value the role's trust policy expects when the role is assumed."
    )
    assert fields["cfg__region"].help_text == "AWS region of the bucket."


def test_a_field_needed_in_one_branch_is_refused_empty_only_then_whatever_else_is_wrong():
    """Refused next to the field, with the usual words, while its case applies, even when
    another field is wrong too (the schema check, which said it before, waits for those);
    never while the other case applies."""
    form_class = schema_form(s3_source_schema())
    wrong = {"cfg__data_type": "spreadsheets", "cfg__region": "us-east-1", "cfg__bucket": "lake"}
    form = form_class(data={**wrong, "cfg__auth_type": "role"})
    assert not form.is_valid()
    assert form.errors == {
        "cfg__data_type": [
            "Select a valid choice. spreadsheets is not one of the available choices."
        ],
        "cfg__arn": ["This field is required."],
        "cfg__external_id": ["This field is required."],
    }
    form = form_class(data={**wrong, "cfg__auth_type": "user", "cfg__bucket": ""})
    assert set(form.errors) == {
        "cfg__data_type",
        "cfg__bucket",
        "cfg__access_id",
        "cfg__secret_access",
    }
    assert form.errors["cfg__bucket"] == ["This field is required."]
    # The role's fields are not asked for an IAM user, nor the key pair for a role.
    form = form_class(
        data={
            "cfg__auth_type": "user",
            "cfg__region": "us-east-1",
            "cfg__bucket": "lake",
            "cfg__access_id": "AKIAEXAMPLE",
            "cfg__secret_access": "example-secret",
        }
    )
    assert form.is_valid(), form.errors
    role = {"cfg__auth_type": "role", "cfg__arn": "arn:aws:iam::1:role/r", "cfg__external_id": "x"}
    form = form_class(data={**role, "cfg__region": "us-east-1", "cfg__bucket": "lake"})
    assert form.is_valid(), form.errors
    assert form.configuration() == {
        "auth_type": "role",
        "arn": "arn:aws:iam::1:role/r",
        "external_id": "x",
        "region": "us-east-1",
        "bucket": "lake",
    }


CONDITIONS = {
    "type": "object",
    "properties": {
        "mode": {
            "title": "Mode",
            "type": "string",
            "oneOf": [
                {"const": "a", "title": "Plain"},
                {"const": "b", "title": "Batched"},
                {"const": "c", "title": "Streamed"},
            ],
        },
        "host": {"type": "string", "title": "Host"},
        "kind": {"type": "string", "title": "Kind"},
        "batch": {"type": "integer", "title": "Batch size"},
        "region": {"type": "string", "title": "Region"},
        "tls": {"type": "boolean", "title": "TLS"},
        "ca": {"type": "string", "title": "CA certificate"},
        "login": {
            "type": "object",
            "title": "Login",
            "required": ["user"],
            "properties": {"user": {"type": "string"}, "note": {"type": "string"}},
        },
    },
    "allOf": [
        {"required": ["host"]},  # always applies
        {
            "if": {"properties": {"mode": {"const": "a"}}, "required": ["mode"]},
            "then": {"required": ["login"]},
            "else": {"required": ["batch"]},
        },
        {
            "if": {"properties": {"kind": {"enum": ["cloud"]}}},
            "then": {"required": ["mode"]},
            "else": {"required": ["region"]},
        },
        {  # an `if` on two properties at once: not read here
            "if": {"properties": {"mode": {"const": "c"}, "tls": {"const": True}}},
            "then": {"required": ["ca"]},
        },
    ],
}


def test_conditions_are_read_from_allof_on_any_one_property_with_enum_or_const():
    form_class = schema_form(CONDITIONS)
    fields = form_class.base_fields
    assert fields["cfg__host"].required
    said = {n: getattr(f, "needed_when", "") for n, f in fields.items()}
    assert said == {
        "cfg__mode": "Needed when “Kind” is “cloud”.",
        "cfg__host": "",
        "cfg__kind": "",
        # `else` of an `if` on a select: its other choices, by name.
        "cfg__batch": "Needed when “Mode” is “Batched” or “Streamed”.",
        # `else` of an `if` on free text: "is not".
        "cfg__region": "Needed when “Kind” is not “cloud”.",
        "cfg__tls": "",  # a box left unticked is a value (false)
        "cfg__ca": "May be needed, depending on the other choices.",
        # A group needed in one case: its own required members then too.
        "cfg__login__user": "Needed when “Mode” is “Plain”.",
        "cfg__login__note": "",
    }
    rendered = str(form_class()["cfg__ca"].help_text)
    assert rendered == "May be needed, depending on the other choices."

    def errors(**data):
        form = form_class(data={"cfg__host": "h", **{f"cfg__{k}": v for k, v in data.items()}})
        form.is_valid()
        return set(form.errors)

    # An `if` on a property not given holds, unless it requires it: no `kind` asks for a mode,
    # and no `mode` for a batch size; but that waits until the mode itself is right.
    assert errors() == {"cfg__mode"}
    assert errors(mode="") == {"cfg__mode"}
    assert errors(kind="local") == {"cfg__region", "cfg__batch"}
    assert errors(kind="cloud", mode="b") == {"cfg__batch"}
    assert errors(kind="cloud", mode="a") == {"cfg__login__user"}
    assert errors(kind="cloud", mode="a", login__user="u") == set()
    assert errors(kind="local", mode="a") == {"cfg__region", "cfg__login__user"}
    # What the form does not read is left to the schema check, said next to the field as before.
    assert errors(kind="cloud", mode="c", batch="5", tls="on") == {"cfg__ca"}
    assert errors(kind="cloud", mode="c", batch="5") == set()


def test_a_json_field_refuses_deep_nesting_and_escaped_control_characters_in_words():
    schema = {"type": "object", "properties": {"headers": {"type": "object", "title": "Headers"}}}
    form_class = schema_form(schema)
    for typed, said in (
        ("[" * 65 + "]" * 65, "This is not JSON we can read: The JSON is nested deeper than"),
        ('{"X-A": "a\\u0000b"}', "Remove the control characters"),
    ):
        form = form_class(data={"cfg__headers": typed})
        assert not form.is_valid()
        assert said in form.errors["cfg__headers"][0]


def test_an_error_about_the_whole_configuration_is_said_in_words_without_its_secrets():
    """jsonschema's message for a root-level `oneOf` quotes the whole configuration, secrets and
    all: the form names the alternatives instead."""
    schema = {
        "type": "object",
        "required": ["host"],
        "properties": {
            "host": {"type": "string"},
            "password": {"type": "string", "multiwoven_secret": True},
            "private_key": {"type": "string", "multiwoven_secret": True},
        },
        "oneOf": [{"required": ["password"]}, {"required": ["private_key"]}],
    }
    form = schema_form(schema)(
        data={
            "cfg__host": "db.example.com",
            "cfg__password": "RootOneOfPasswordDoNotLeak",
            "cfg__private_key": "RootOneOfKeyDoNotLeak",
        }
    )
    assert not form.is_valid()
    assert form.non_field_errors() == ["Fill in exactly one of: Password; Private key."]
    said = str(form.errors)
    assert "RootOneOfPasswordDoNotLeak" not in said
    assert "RootOneOfKeyDoNotLeak" not in said


def test_an_enum_of_numbers_or_booleans_without_a_type_sends_the_values_themselves():
    """`enum: [1, 3, 5]`, or a `oneOf` of boolean consts, with no `type`: the chosen value is
    sent as 3 or True (the schema refuses "3" and "True")."""
    schema = {
        "type": "object",
        "properties": {
            "retries": {"title": "Retries", "enum": [1, 3, 5]},
            "verify": {"oneOf": [{"const": True, "title": "Yes"}, {"const": False, "title": "No"}]},
        },
    }
    form_class = schema_form(schema)
    assert "3" in dict(form_class.base_fields["cfg__retries"].choices)
    verify = next(v for v, t in form_class.base_fields["cfg__verify"].choices if t == "Yes")
    form = form_class(data={"cfg__retries": "3", "cfg__verify": verify})
    assert form.is_valid(), form.errors
    assert form.configuration() == {"retries": 3, "verify": True}


def test_an_enum_shows_the_names_the_schema_gives_its_values_and_sends_the_values():
    """`enumNames` beside an `enum` (S3's "user"/"role") name the choices; names that do not
    match the values one for one are not guessed at: the values are shown."""
    schema = {
        "type": "object",
        "properties": {
            "auth_type": {
                "type": "string",
                "enum": ["user", "role"],
                "enumNames": ["Access key pair (IAM user)", "Assumed role (IAM role)"],
            },
            "mode": {"type": "string", "enum": ["a", "b"], "enumNames": ["Only one name"]},
        },
    }
    form_class = schema_form(schema)
    assert form_class.base_fields["cfg__auth_type"].choices == [
        ("", "—"),
        ("user", "Access key pair (IAM user)"),
        ("role", "Assumed role (IAM role)"),
    ]
    assert form_class.base_fields["cfg__mode"].choices == [("", "—"), ("a", "a"), ("b", "b")]
    form = form_class(data={"cfg__auth_type": "role"})
    assert form.is_valid(), form.errors
    assert form.configuration() == {"auth_type": "role"}


@pytest.mark.parametrize(
    ("spec", "typed", "said"),
    [
        ({"type": "string", "format": "email"}, "not-an-email", "Enter an e-mail address."),
        (
            {"type": "string", "format": "uri"},
            "not a uri",
            "Enter an address such as https://example.com/path.",
        ),
        (
            {"type": "string", "format": "date-time"},
            "yesterday afternoon",
            "Enter a date and time such as 2024-05-01T10:00:00Z.",
        ),
    ],
    ids=["email", "uri", "date-time"],
)
def test_formats_are_checked_and_said_next_to_the_field(spec, typed, said):
    """Multiwoven checks `format` (the Google key files declare `email` and `uri`): so does the
    form, before anything is sent."""
    schema = {"type": "object", "required": ["value"], "properties": {"value": spec}}
    form = schema_form(schema)(data={"cfg__value": typed})
    assert not form.is_valid()
    assert form.errors["cfg__value"] == [said]


@pytest.mark.parametrize(
    ("format_", "typed"),
    [
        ("email", "reader@example.com"),
        ("uri", "https://oauth2.googleapis.com/token"),
        ("uri", "urn:isbn:0451450523"),
        ("date-time", "2024-05-01T10:00:00Z"),
        ("date-time", "2024-05-01T10:00:00.123+02:00"),
    ],
)
def test_well_formed_values_pass_the_format_checks(format_, typed):
    schema = {"type": "object", "properties": {"value": {"type": "string", "format": format_}}}
    form = schema_form(schema)(data={"cfg__value": typed})
    assert form.is_valid(), form.errors


def test_a_read_only_or_lone_const_is_fixed_and_sent():
    """`auth_type: {const: "username/password", readOnly: true}` has no default: the disabled
    field holds the const (it never says "required" of a field no one can fill); a lone
    `const` is fixed too."""
    schema = {
        "type": "object",
        "required": ["auth_type", "username"],
        "properties": {
            "auth_type": {"type": "string", "const": "username/password", "readOnly": True},
            "version": {"type": "integer", "const": 2},
            "username": {"type": "string"},
        },
    }
    form = schema_form(schema)(data={"cfg__username": "reader", "cfg__version": "3"})
    assert form.fields["cfg__version"].disabled
    assert form.is_valid(), form.errors
    assert form.configuration() == {
        "auth_type": "username/password",
        "version": 2,
        "username": "reader",
    }


@pytest.mark.parametrize(
    "schema",
    [
        {
            "type": "object",
            "definitions": {
                "login": {
                    "type": "object",
                    "properties": {"password": {"type": "string", "multiwoven_secret": True}},
                }
            },
            "properties": {"login": {"$ref": "#/definitions/login"}, "port": {"type": "integer"}},
        },
        {
            "type": "object",
            "properties": {
                "login": {"type": "integer", "title": "PIN", "multiwoven_secret": True},
                "port": {"type": "integer"},
            },
        },
        {
            "type": "object",
            "properties": {
                "login": {
                    "type": "object",
                    "multiwoven_secret": True,
                    "properties": {"pin": {"type": "string"}},
                },
                "port": {"type": "integer"},
            },
        },
    ],
    ids=["secret-in-a-ref", "integer-secret", "secret-object"],
)
def test_a_marked_secret_is_never_rendered_back_whatever_its_shape(schema):
    """A secret behind a local `$ref`, one that is not a string, or a whole object marked
    secret: after an error elsewhere, the page does not render what was typed."""
    name = "cfg__login__pin" if "pin" in json.dumps(schema) else "cfg__login"
    typed = '{"password": "987654321"}' if "definitions" in schema else "987654321"
    form = schema_form(schema)(data={name: typed, "cfg__port": "not a number"})
    assert not form.is_valid()
    assert name in form.secret_names()
    assert "987654321" not in str(form[name])
    assert secret_paths(schema) == [
        ("login", "password") if "definitions" in schema else ("login",)
    ]


def test_a_secret_in_a_recursive_reference_is_found_without_looping():
    schema = {
        "type": "object",
        "definitions": {
            "node": {
                "type": "object",
                "properties": {"next": {"$ref": "#/definitions/node"}, "token": {"type": "string"}},
            }
        },
        "properties": {"tree": {"$ref": "#/definitions/node"}},
    }
    assert secret_paths(schema) == [("tree", "token")]  # each reference followed once


def test_an_if_on_values_that_are_arrays_or_objects_still_gives_a_form():
    """JSON Schema allows any JSON value in an `enum`: one that does not hash (an array, an
    object) is no reason to refuse the whole connector's form."""
    from connectors_admin.providers.aisquared.forms import slots_for

    schema = {
        "type": "object",
        "if": {"properties": {"mode": {"enum": [["a", "b"], {"x": 1}]}}},
        "then": {"required": ["access_id", "secret_access"]},
        "properties": {
            "mode": {"type": "string"},
            "access_id": {"type": "string"},
            "secret_access": {"type": "string", "multiwoven_secret": True},
        },
    }
    (slot,) = slots_for({"name": "Odd", "category": "Data Lake"}, schema)
    assert slot.kinds == ("aws",)
    assert slot.when == (("mode",), (["a", "b"], {"x": 1}))
