"""Django forms generated from a JSON Schema (draft-07), as connector definitions publish them.

Strings, integers, numbers and booleans become inputs; `enum` (named by `enumNames` where the
schema gives them) and `oneOf`/`const` become selects; nested objects become fieldsets; arrays of
strings become one-per-line text areas (or checkboxes when their items are an enum). `title`,
`description`, `default`, `examples` and `order` give the label, help, initial value (a real,
prefilled value), placeholder ("e.g. …") and order; `readOnly` and `const` fields are shown but
fixed; fields marked `multiwoven_secret`, and strings under a key that looks secret, never show
their value. Whatever cannot be rendered faithfully gets an honest JSON field for its whole
subtree, validated as JSON, rather than being dropped.
Finally the assembled configuration is validated against the schema itself, formats included.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from connectors_admin.core.redaction import redact_text, strings_in
from connectors_admin.core.safety import JSONTooDeep, has_control_characters, loads_bounded

PREFIX = "cfg"
SEP = "__"
SECRET_MARKERS = ("multiwoven_secret", "x-secret", "airbyte_secret")
# Keys whose values are secret by their look, marked or not (Multiwoven's Microsoft Excel
# `token` is not marked), and in connectors whose definition we do not have at hand.
SECRET_LOOK = re.compile(r"password|passwd|secret|private_?key|token|api_?key|access_?key", re.I)
# ...but not the names, types and addresses that travel with them (token_uri, secret_name), nor
# an access key's id (AWS shows it; our AWS credentials keep it public).
NOT_SECRET = re.compile(r"_(uri|url|type|name|method)$|access_?key_?id$", re.I)


FORMAT_WORDS = {
    "email": "an e-mail address",
    "uri": "an address such as https://example.com/path",
    "date-time": "a date and time such as 2024-05-01T10:00:00Z",
    "date": "a date such as 2024-05-01",
    "ipv4": "an IPv4 address",
    "ipv6": "an IPv6 address",
}


def _is_uri(value: Any) -> bool:
    """Absolute (a scheme, then a host or a path), without spaces."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path)) and not re.search(r"\s", value)


def _is_date_time(value: Any) -> bool:
    """A date, then a time of day ("2024-05-01T10:00:00Z"), as datetime reads it."""
    if not isinstance(value, str):
        return True
    return value[10:11] in ("T", "t", " ") and bool(datetime.fromisoformat(value))


@cache
def draft7() -> tuple[type, Any]:
    """jsonschema's draft-07 validator and the format checker the forms use.

    Imported on the first validation, not with this module: jsonschema and what it loads
    (referencing, rpds, attrs, its bundled meta-schemas) cost each worker about 2 MB that only
    a schema form's submit needs. Formats are checked, as Multiwoven's own validator
    (json_schemer) does: jsonschema's checks, plus `uri` and `date-time`, whose checks would
    need packages not installed here."""
    from jsonschema import Draft7Validator, FormatChecker

    formats = FormatChecker(Draft7Validator.FORMAT_CHECKER.checkers)
    formats.checks("uri", raises=ValueError)(_is_uri)
    formats.checks("date-time", raises=ValueError)(_is_date_time)
    return Draft7Validator, formats


@dataclass
class Node:
    """The layout of the generated form: a field, or a group (fieldset) of nodes."""

    name: str  # form field name, or group path
    title: str
    description: str = ""
    children: list[Node] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return bool(self.children)


OPTIONAL_MARK = re.compile(r"\s*\(optional\)\s*$", re.IGNORECASE)


def _title(key: str, spec: dict[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, str) and title.strip():
        # The form marks optional fields itself ("Dataset (optional)" would say it twice).
        return OPTIONAL_MARK.sub("", title).strip() or title.strip()
    return key.replace("_", " ").replace("-", " ").strip().capitalize() or key


def _ordered(properties: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    items = [(k, v if isinstance(v, dict) else {}) for k, v in properties.items()]
    big = 10**9
    return sorted(
        items,
        key=lambda kv: kv[1]["order"] if isinstance(kv[1].get("order"), int | float) else big,
    )


def is_secret_key(key: str) -> bool:
    return bool(SECRET_LOOK.search(key)) and not NOT_SECRET.search(key)


def _is_secret(spec: dict[str, Any], key: str) -> bool:
    """Marked secret, or a free string under a key that looks secret."""
    if any(spec.get(marker) is True for marker in SECRET_MARKERS):
        return True
    free = spec.get("type") == "string" and "const" not in spec and not _const_choices(spec)
    return free and is_secret_key(key)


def _const_choices(spec: dict[str, Any]) -> list[tuple[Any, str]] | None:
    """`enum`, or a `oneOf`/`anyOf` made only of `const` entries, as select choices: each
    value with the title the schema gives it (a `const`'s `title`, or the `enumNames` beside
    an `enum`, one name per value), else the value itself."""
    if isinstance(spec.get("enum"), list) and spec["enum"]:
        values, names = spec["enum"], spec.get("enumNames")
        named = (
            isinstance(names, list)
            and len(names) == len(values)
            and all(isinstance(n, str) and n.strip() for n in names)
        )
        return [(v, names[i].strip() if named else str(v)) for i, v in enumerate(values)]
    for key in ("oneOf", "anyOf"):
        options = spec.get(key)
        if (
            isinstance(options, list)
            and options
            and all(isinstance(o, dict) and "const" in o for o in options)
        ):
            return [(o["const"], str(o.get("title") or o["const"])) for o in options]
    return None


class SecretTextarea(forms.Textarea):
    """A text area that, like a password input, never renders the value it holds. Marked
    data-write-only: the form script keeps no copy of it either (as for a password input)."""

    def __init__(self, attrs=None):
        super().__init__({**(attrs or {}), "data-write-only": ""})

    def format_value(self, value):
        return None


class JSONTextField(forms.CharField):
    """The honest fallback: the subtree as JSON text, parsed and checked on submit."""

    def __init__(self, *args, expected: str | None = None, **kwargs):
        self.expected = expected
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "class": "mono"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict | list | int | float | bool):
            return json.dumps(value, indent=2)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            parsed = loads_bounded(value)
        except JSONTooDeep as exc:
            raise forms.ValidationError(f"This is not JSON we can read: {exc}") from None
        except ValueError as exc:
            raise forms.ValidationError(
                f"This is not valid JSON ({exc.msg}, line {exc.lineno})."
            ) from None
        if has_control_characters(parsed):  # escaped (\u0000): no provider takes them
            raise forms.ValidationError("Remove the control characters (such as \\u0000).")
        kinds = {"object": dict, "array": list}
        if self.expected in kinds and not isinstance(parsed, kinds[self.expected]):
            raise forms.ValidationError(f"Enter a JSON {self.expected}.")
        return parsed


class LinesField(forms.CharField):
    """An array of strings, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(map(str, value)) if isinstance(value, list) else value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return []
        return [line.strip() for line in str(value).splitlines() if line.strip()]


# --- what a schema requires, and when ---------------------------------------------------------------
# Said of a field that an `if` this form does not read may require (one on several properties,
# a pattern...): it is not optional, nor always needed. The schema check says it on submit.
MAY_BE_NEEDED = "May be needed, depending on the other choices."
# What an `if` may hold besides the one property it reads and still be read here.
READABLE_RULE = {"enum", "const", "type", "title", "description"}


@dataclass(frozen=True)
class Condition:
    """A schema's `if` that reads one property's value (S3's `auth_type` is `user`)."""

    key: str
    values: tuple[Any, ...]
    when_absent: bool  # does it hold while the property is not given? (unless it requires it)

    def holds(self, instance: Any) -> bool:
        """Does it hold for `instance`, the object the `if` is beside?"""
        if not isinstance(instance, dict) or self.key not in instance:
            return self.when_absent
        value = instance[self.key]
        # As JSON Schema compares: true is not 1.
        return any(
            v == value and isinstance(v, bool) == isinstance(value, bool) for v in self.values
        )


def read_condition(rule: Any) -> Condition | None:
    """The `if` as a `Condition` when it reads one property's `enum` or `const`; None for any
    other `if` (several properties, a pattern, a boolean schema...)."""
    if not isinstance(rule, dict) or not set(rule) <= {"properties", "required"}:
        return None
    on = rule.get("properties")
    if not isinstance(on, dict) or len(on) != 1:
        return None
    ((key, spec),) = on.items()
    needs = rule.get("required", [])
    if not isinstance(spec, dict) or not set(spec) <= READABLE_RULE or not isinstance(needs, list):
        return None
    if not set(needs) <= {key}:
        return None
    if isinstance(spec.get("enum"), list) and spec["enum"]:
        values = tuple(spec["enum"])
    elif "const" in spec and "enum" not in spec:
        values = (spec["const"],)
    else:
        return None
    return Condition(key=str(key), values=values, when_absent=key not in needs)


def requirements(
    schema: dict[str, Any],
) -> tuple[set[str], dict[str, list[tuple[Condition | None, bool]]]]:
    """The keys an object's schema always requires, and those it requires only under an
    `if`: key -> [(its condition, None when not readable here; True when `then` requires it,
    False when `else` does)]. A key that both `then` and `else` require is always required, as
    is one in the `required` of the schema or of any `allOf` member (every one always applies)."""
    always: set[str] = set()
    sometimes: dict[str, list[tuple[Condition | None, bool]]] = {}

    def listed(part: Any) -> set[str]:
        keys = part.get("required") if isinstance(part, dict) else None
        return {k for k in keys if isinstance(k, str)} if isinstance(keys, list) else set()

    cases = [schema, *(c for c in schema.get("allOf") or [] if isinstance(c, dict))]
    for case in cases:
        always |= listed(case)
        if "if" not in case:
            continue  # a `then` or `else` without an `if` is ignored (draft-07)
        condition = read_condition(case["if"])
        then, else_ = listed(case.get("then")), listed(case.get("else"))
        always |= then & else_
        for keys, when in ((then - else_, True), (else_ - then, False)):
            for key in sorted(keys):
                sometimes.setdefault(key, []).append((condition, when))
    return always, {k: v for k, v in sometimes.items() if k not in always}


@dataclass(frozen=True)
class Need:
    """Under which choice a field the schema does not always require is needed: while
    `condition`, read on the object at `within`, holds (or, `when` False, does not)."""

    within: tuple[str, ...]
    condition: Condition | None  # None: an `if` not read here (MAY_BE_NEEDED)
    when: bool


@dataclass
class _Built:
    fields: dict[str, forms.Field] = field(default_factory=dict)
    layout: list[Node] = field(default_factory=list)
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field name -> config path
    types: dict[str, str] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)
    # Fields the schema requires only under a condition: field name -> when (any one suffices).
    needs: dict[str, tuple[Need, ...]] = field(default_factory=dict)


def _field_for(key: str, spec: dict[str, Any], required: bool) -> tuple[forms.Field, str, bool]:
    """A form field for one non-object property: (field, JSON type, is it a JSON fallback)."""
    label, help_text = _title(key, spec), str(spec.get("description") or "")
    kind = spec.get("type")
    if isinstance(kind, list):  # ["string", "null"] and the like
        non_null = [k for k in kind if k != "null"]
        kind = non_null[0] if len(non_null) == 1 else None
        required = required and "null" not in spec.get("type", [])
    examples = spec.get("examples")
    # An example must never look like a value already filled in: it reads "e.g. 5432".
    placeholder = f"e.g. {examples[0]}" if isinstance(examples, list) and examples else ""
    attrs = {"placeholder": placeholder} if placeholder else {}
    common = {"label": label, "help_text": help_text, "required": required}
    default = spec.get("const", spec.get("default"))
    if default is not None:
        common["initial"] = default
    choices = _const_choices(spec)
    if choices is not None and kind in ("string", "integer", "number", None):
        # Each choice is sent as the value itself (3, True), not as the text that names it.
        values = {str(v): v for v, _ in choices}
        typed = [("", "—")] if not required else []
        field_ = forms.TypedChoiceField(
            choices=typed + [(str(v), t) for v, t in choices],
            coerce=values.__getitem__,
            empty_value=None,
            **common,
        )
        return field_, kind or "string", False
    if kind == "string":
        if spec.get("format") == "textarea" or (spec.get("maxLength") or 0) > 500:
            widget = forms.Textarea(attrs={"rows": 3, **attrs})
        else:
            widget = forms.TextInput(attrs=attrs)
        length = {k: spec[k] for k in ("maxLength", "minLength") if isinstance(spec.get(k), int)}
        field_ = forms.CharField(
            widget=widget,
            max_length=length.get("maxLength"),
            min_length=length.get("minLength"),
            **common,
        )
        return field_, "string", False
    if kind in ("integer", "number"):
        cls = forms.IntegerField if kind == "integer" else forms.FloatField
        bounds = {
            "min_value": spec.get("minimum"),
            "max_value": spec.get("maximum"),
        }
        field_ = cls(
            widget=forms.NumberInput(attrs=attrs),
            **{k: v for k, v in bounds.items() if v is not None},
            **common,
        )
        return field_, kind, False
    if kind == "boolean":
        common["required"] = False  # an unchecked box is a valid false
        return forms.BooleanField(**common), "boolean", False
    if kind == "array":
        items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
        item_choices = _const_choices(items)
        if items.get("type") == "string" and item_choices:
            field_ = forms.MultipleChoiceField(
                choices=[(str(v), t) for v, t in item_choices],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
            return field_, "array", False
        if items.get("type") == "string":
            common["help_text"] = (help_text + " One per line.").strip()
            return (
                LinesField(widget=forms.Textarea(attrs={"rows": 3, **attrs}), **common),
                "array",
                False,
            )
    # Anything else: its JSON, honestly.
    common["help_text"] = (help_text + " Enter this part as JSON.").strip()
    field_ = JSONTextField(
        expected=kind if kind in ("object", "array") else None,
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono", "autocomplete": "off"}),
        **common,
    )
    return field_, kind or "any", True


def _walk(
    schema: dict[str, Any],
    path: tuple[str, ...],
    required_here: bool,
    out: _Built,
    layout: list[Node],
    needed_here: tuple[Need, ...] = (),
) -> None:
    """The fields of one object's properties. `needed_here`: when the object itself is needed,
    if the schema requires it only under a condition (its own required members are then too)."""
    required, sometimes = requirements(schema)
    for key, spec in _ordered(schema.get("properties") or {}):
        sub_path = (*path, key)
        name = SEP.join((PREFIX, *sub_path))
        child_required = required_here and key in required
        if key in required:
            needs = () if required_here else needed_here
        else:
            needs = tuple(Need(path, c, when) for c, when in sometimes.get(key, ()))
        is_object = spec.get("type") == "object" or ("properties" in spec and "type" not in spec)
        if (
            is_object
            and isinstance(spec.get("properties"), dict)
            and not (
                spec.get("oneOf")
                or spec.get("anyOf")
                or spec.get("allOf")
                or spec.get("patternProperties")
            )
        ):
            group = Node(
                name=name, title=_title(key, spec), description=str(spec.get("description") or "")
            )
            _walk(spec, sub_path, child_required, out, group.children, needs)
            if group.children:
                layout.append(group)
            continue
        form_field, kind, fallback = _field_for(key, spec, child_required)
        if (spec.get("readOnly") or "const" in spec) and not fallback:
            form_field.disabled = True
            form_field.required = False
            form_field.help_text = (form_field.help_text + " Fixed by the connector.").strip()
        elif needs and not form_field.required and not isinstance(form_field, forms.BooleanField):
            out.needs[name] = needs  # (an unticked box is a value: false)
        out.fields[name] = form_field
        out.paths[name] = sub_path
        out.types[name] = kind
        layout.append(Node(name=name, title=form_field.label or key))


def _write_only(form_field: forms.Field) -> None:
    """A secret's input never renders the value it holds, whatever its type. (A select or a
    box shows only what the page offers anyway.)"""
    widget = form_field.widget
    if isinstance(widget, forms.Textarea):
        form_field.widget = SecretTextarea(attrs=widget.attrs)
    elif isinstance(widget, forms.widgets.Input) and not isinstance(widget, forms.CheckboxInput):
        attrs = {**widget.attrs, "autocomplete": "new-password"}
        form_field.widget = forms.PasswordInput(render_value=False, attrs=attrs)
    form_field.widget.is_required = form_field.required
    if isinstance(form_field, forms.CharField):
        form_field.strip = False  # a secret is sent as typed


def _local_ref(root: dict[str, Any], ref: str) -> Any:
    """The part of `root` a local reference ("#/definitions/login") points to."""
    target: Any = root
    for part in ref[2:].split("/"):
        part = unquote(part).replace("~1", "/").replace("~0", "~")
        if isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            target = target.get(part) if isinstance(target, dict) else None
    return target


def secret_paths(
    schema: Any,
    path: tuple[str, ...] = (),
    root: dict[str, Any] | None = None,
    seen: frozenset[str] = frozenset(),
) -> list[tuple[str, ...]]:
    """Every secret path (see `_is_secret`), searched through nested objects, their
    `oneOf`/`anyOf`/`allOf` alternatives and conditionals, array items (an item index is
    written "*") and local `$ref`s."""
    if not isinstance(schema, dict):
        return []
    root = schema if root is None else root
    if path and _is_secret(schema, path[-1]):
        return [path]  # the whole subtree is secret
    found: list[tuple[str, ...]] = []
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
        found += secret_paths(_local_ref(root, ref), path, root, seen | {ref})
    for key, sub in (schema.get("properties") or {}).items():
        found += secret_paths(sub, (*path, str(key)), root, seen)
    for keyword in ("oneOf", "anyOf", "allOf"):
        for sub in schema.get(keyword) or []:
            found += secret_paths(sub, path, root, seen)
    for keyword in ("if", "then", "else"):
        found += secret_paths(schema.get(keyword), path, root, seen)
    if isinstance(schema.get("items"), dict):
        found += secret_paths(schema["items"], (*path, "*"), root, seen)
    return list(dict.fromkeys(found))


def values_at(data: Any, path: tuple[str, ...]) -> list[Any]:
    """The values at `path` in `data` ("*" walks every item of a list)."""
    if not path:
        return [data]
    head, rest = path[0], path[1:]
    if head == "*" and isinstance(data, list):
        return [v for item in data for v in values_at(item, rest)]
    if isinstance(data, dict) and head in data:
        return values_at(data[head], rest)
    return []


def mask_at(data: Any, path: tuple[str, ...], mask: str, already: str = "") -> None:
    """Replace, in place, the non-empty values at `path` with `mask` (values equal to
    `already`, a mask the provider applied itself, are left as they are)."""
    if not path:
        return
    head, rest = path[0], path[1:]
    if head == "*" and isinstance(data, list):
        for item in data:
            mask_at(item, rest, mask, already)
    elif isinstance(data, dict) and head in data:
        if rest:
            mask_at(data[head], rest, mask, already)
        elif data[head] not in (None, "", already):
            data[head] = mask


def secret_values(config: Any, schema: dict[str, Any]) -> list[str]:
    """Every secret value in `config`: strings as they are; anything else as its JSON and as
    each string inside it."""

    found: list[str] = []
    for path in secret_paths(schema):
        for value in values_at(config, path):
            if value in (None, ""):
                continue
            if not isinstance(value, str):
                found.append(json.dumps(value))
            found += strings_in(value)
    return [v for v in dict.fromkeys(found) if v]


class SchemaForm(forms.Form):
    """A form generated by `schema_form`; `configuration()` rebuilds the nested document."""

    schema: dict[str, Any] = {}
    built: _Built

    def secret_names(self) -> list[str]:
        widgets = [n for n, f in self.fields.items() if isinstance(f.widget, forms.PasswordInput)]
        return list(dict.fromkeys([*widgets, *self.built.secrets]))

    def given(self) -> dict[str, Any]:
        """The values the user gave, nested (the fixed ones aside)."""
        config: dict[str, Any] = {}
        for name, path in self.built.paths.items():
            if name not in self.cleaned_data or self.fields[name].disabled:
                continue
            value = self.cleaned_data[name]
            if value in (None, "") or (value == [] and not self.fields[name].required):
                continue
            _put(config, path, value)
        return config

    def configuration(self) -> dict[str, Any]:
        config = self.given()
        for name, path in self.built.paths.items():
            form_field = self.fields.get(name)
            # A fixed value alone must not create an optional object: the object would then
            # demand its other members, which the user chose not to give.
            if (
                name in self.cleaned_data
                and form_field.disabled
                and form_field.initial not in (None, "")
                and self._has_place(config, path[:-1])
            ):
                _put(config, path, form_field.initial)
        return config

    def _has_place(self, config: Any, path: tuple[str, ...]) -> bool:
        """Is the object at `path` in `config`, or required there (and so it will be)?"""
        schema = self.schema
        for part in path:
            given = isinstance(config, dict) and part in config
            if not given and part not in requirements(schema)[0]:
                return False
            config = config[part] if given else None
            sub = (schema.get("properties") or {}).get(part)
            schema = sub if isinstance(sub, dict) else {}
        return True

    def field_for_path(self, path: tuple[str, ...] | list[Any]) -> str | None:
        """The form field that edits `path` (or the nearest enclosing field)."""
        path = tuple(str(p) for p in path)
        while path:
            name = SEP.join((PREFIX, *path))
            if name in self.fields:
                return name
            path = path[:-1]
        return None

    def clean(self):
        cleaned = super().clean()
        self._check_needs()
        if self.errors:
            return cleaned
        config = self.configuration()
        secrets = self._secret_values(config)
        validator, formats = draft7()
        for error in validator(self.schema, format_checker=formats).iter_errors(config):
            path = list(error.absolute_path)
            message = error.message
            if error.validator == "required":
                missing = [p for p in error.validator_value if p not in (error.instance or {})]
                for prop in missing:
                    target = self.field_for_path([*path, prop])
                    said = self.errors.get(target or NON_FIELD_ERRORS, [])
                    message = "This field is required." if target else f"{prop} is required."
                    if not (target and said) and message not in said:  # once per field
                        self.add_error(target, message)
                continue
            target = self.field_for_path(path)
            if error.validator == "format":
                wanted = error.validator_value
                message = f"Enter {FORMAT_WORDS.get(wanted, f'a value in the {wanted} format')}."
                if target and self.built.paths.get(target) != tuple(map(str, path)):
                    message = f"{path[-1]}: {message}"  # a member of a key file, say
            elif target in self.built.secrets or any(
                tuple(map(str, path[: len(p)])) == p for p in secret_paths(self.schema)
            ):
                message = "This value is not one the connector accepts."  # never echo a secret
            elif not target and isinstance(error.instance, dict | list):
                message = self._in_words(error)  # jsonschema's message quotes it whole
            message = redact_text(message, secrets)
            if target and target not in self.errors:
                self.add_error(target, message)
            elif not target:
                self.add_error(None, message)
        return cleaned

    def _check_needs(self) -> None:
        """A field the schema requires only under a condition (`if`/`then`/`else`), left empty
        while that condition holds, is refused next to it as a required field is, whatever else
        is wrong; not while it does not. An `if` not read here is left to the schema check."""
        if not self.built.needs:
            return
        config = self.configuration()
        for name, needs in self.built.needs.items():
            path, form_field = self.built.paths.get(name), self.fields.get(name)
            if not path or form_field is None or form_field.disabled:
                continue
            target = self.field_for_path(path)  # a stored credential's picker, say
            if target is None or target in self.errors:
                continue
            if any(value not in (None, "", []) for value in values_at(config, path)):
                continue
            for need in needs:
                condition = need.condition
                if condition is None:
                    continue
                control = self.field_for_path((*need.within, condition.key))
                if control is not None and control in self.errors:
                    continue  # what it is is not known
                place = values_at(config, need.within)
                if place and condition.holds(place[0]) == need.when:
                    self.add_error(target, "This field is required.")
                    break

    def _secret_values(self, configuration: dict[str, Any]) -> list[str]:
        return secret_values(configuration, self.schema)

    def _in_words(self, error: Any) -> str:
        """An error about a whole object (its alternatives, say), without quoting it."""
        options = error.validator_value if error.validator in ("oneOf", "anyOf") else []
        wanted = [o.get("required") if isinstance(o, dict) else None for o in options]
        if not wanted or not all(isinstance(keys, list) and keys for keys in wanted):
            return "These values do not fit together as the connector requires."
        path = tuple(map(str, error.absolute_path))
        names = [" and ".join(self._label((*path, str(key))) for key in keys) for keys in wanted]
        how = "exactly one" if error.validator == "oneOf" else "at least one"
        return f"Fill in {how} of: {'; '.join(names)}."

    def _label(self, path: tuple[str, ...]) -> str:
        form_field = self.fields.get(SEP.join((PREFIX, *path)))
        return str(form_field.label) if form_field is not None and form_field.label else path[-1]


def needed_words(needs: tuple[Need, ...], fields: dict[str, forms.Field]) -> str:
    """When a field is needed, in the words the form shows: the label of the field that decides
    it and the names of its choices ("Needed when “How to sign in to AWS” is “Assumed role (IAM
    role)”."), never the API's codes."""
    said = []
    for need in needs:
        condition = need.condition
        if condition is None:
            return MAY_BE_NEEDED
        control = fields.get(SEP.join((PREFIX, *need.within, condition.key)))
        label = str(control.label) if control is not None and control.label else condition.key
        names = {
            str(value): str(title)
            for value, title in getattr(control, "choices", None) or ()
            if value != "" and not isinstance(title, list | tuple)  # no optgroups here
        }
        wanted = {str(v) for v in condition.values}
        if need.when:
            shown = [names.get(str(v), str(v)) for v in condition.values]
            said.append(f"“{label}” is {_either(shown)}")
        elif names and any(v not in wanted for v in names):
            said.append(f"“{label}” is {_either([t for v, t in names.items() if v not in wanted])}")
        elif names:
            return MAY_BE_NEEDED  # every choice makes the `if` hold: only an absent value would not
        else:
            shown = [str(v) for v in condition.values]
            said.append(f"“{label}” is not {_either(shown)}")
    return f"Needed when {', or when '.join(dict.fromkeys(said))}."


def _either(words: list[str]) -> str:
    quoted = [f"“{w}”" for w in words]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def said_when(form_field: forms.Field, words: str) -> None:
    """Mark a field needed only under a condition: its label says no "(optional)", its help
    says when (before what the schema says of it)."""
    form_field.needed_when = words
    help_text = str(form_field.help_text or "")
    form_field.help_text = f"{words} {help_text}".strip()


def _put(config: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        config = config.setdefault(part, {})
    config[path[-1]] = value


def schema_form(
    schema: dict[str, Any],
    base: type[SchemaForm] = SchemaForm,
    extra: dict[str, Any] | None = None,
) -> type[SchemaForm]:
    """A form class for `schema` (a connection specification), on `base`, with `extra` class
    attributes (fields built for this request, say)."""
    built = _Built()
    _walk(schema, (), True, built, built.layout)
    for name, needs in built.needs.items():
        said_when(built.fields[name], needed_words(needs, built.fields))
    secrets = secret_paths(schema)
    for name, path in built.paths.items():
        # A field that holds a secret, or is part of one (an object marked secret as a whole).
        if any(p[: len(path)] == path or path[: len(p)] == p for p in secrets):
            built.secrets.add(name)
            _write_only(built.fields[name])
    return type(
        "GeneratedSchemaForm",
        (base,),
        {**(extra or {}), **built.fields, "schema": schema, "built": built},
    )


def initial_from(config: dict[str, Any], form_class: type[SchemaForm]) -> dict[str, Any]:
    """Form initial values from a stored configuration."""
    initial = {}
    for name, path in form_class.built.paths.items():
        found = values_at(config, path)
        if found and found[0] is not None:
            initial[name] = found[0]
    return initial
