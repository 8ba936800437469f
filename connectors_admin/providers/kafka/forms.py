"""The create form both Kafka templates share: a connector class from the catalogue, then its
common properties as fields, every other property as `key=value` lines, or the whole map as raw
JSON. Switching between fields and JSON converts on the server, so each keeps what the other
held. Secret properties are always typed in their own write-only inputs or taken from the
team's stored credentials: one typed into the JSON or the other properties is moved into its
input (kept encrypted between attempts), never shown back."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.core.validators import RegexValidator
from django.utils.html import format_html

from connectors_admin.core.redaction import REDACTED
from connectors_admin.core.safety import loads_bounded
from connectors_admin.providers.base import (
    ConnectorForm,
    ConnectorTemplate,
    FormContext,
    Likeness,
    Original,
    copy_name,
)
from connectors_admin.providers.embedding import (
    USE,
    EmbeddedSecretsForm,
    slot_fields,
    stored_picks,
)
from connectors_admin.providers.naming import aws_region_field, check_aws_region
from connectors_admin.providers.schema_forms import SecretTextarea

from .actions import configuration_now
from .catalogue import (
    BY_NAME,
    CLASS_KEY,
    CLASSES,
    MAX_PROPERTIES_TEXT,
    RESERVED,
    TASKS_KEY,
    ConnectorClass,
    LineError,
    Property,
    Values,
    format_lines,
    from_properties,
    merged_lines,
    parse_lines,
    readable_lines,
    to_properties,
    without_keys,
)
from .secrets import (
    as_text,
    is_secret_key,
    parse_properties,
    readable_members,
    secret_values,
    typed_map,
    without_members,
)

FORM, JSON_EDITOR = "form", "json"
SHOWN_EDITOR = "editor_shown"  # the editor the page showed when it was sent


class EditorSwitch(forms.RadioSelect):
    """Fields / Raw JSON, and beside it the editor the page shows: a form sent without
    JavaScript (nothing reloads it when the switch changes) says so, and is converted."""

    def render(self, name, value, attrs=None, renderer=None):
        shown = JSON_EDITOR if value == JSON_EDITOR else FORM
        hidden = format_html('<input type="hidden" name="{}" value="{}">', SHOWN_EDITOR, shown)
        return super().render(name, value, attrs, renderer) + hidden


NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,248}$")


def class_choices() -> list[Any]:
    groups = {"source": [], "sink": []}
    for connector_class in CLASSES:
        groups[connector_class.type].append((connector_class.name, connector_class.title))
    return [
        ("", "Choose a connector class…"),
        ("Sources (into Kafka)", groups["source"]),
        ("Sinks (out of Kafka)", groups["sink"]),
    ]


def property_field(prop: Property) -> forms.Field:
    help_text = " ".join(filter(None, (prop.help, f"Property {prop.key}.")))
    common = {"label": prop.label, "required": prop.required, "help_text": help_text}
    if prop.secret:
        widget = (
            SecretTextarea(attrs={"rows": 4, "class": "mono", "autocomplete": "off"})
            if prop.kind == "text"
            else forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
        )
        return forms.CharField(max_length=20_000, strip=False, widget=widget, **common)
    if prop.choices or prop.kind == "bool":
        values = prop.choices or ("true", "false")
        choices = [(v, v) for v in values]
        if not prop.required and not prop.default:
            choices = [("", "— not set —"), *choices]
        return forms.ChoiceField(choices=choices, initial=prop.default or None, **common)
    if prop.kind == "aws-region":
        return aws_region_field(**common)
    if prop.kind == "int":
        return forms.CharField(
            max_length=20,
            initial=prop.default or None,
            validators=[RegexValidator(r"^-?[0-9]+$", "A whole number.")],
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    several = prop.kind in ("text", "json-array")
    widget = forms.Textarea(attrs={"rows": 3, "class": "mono"}) if several else None
    validators = [_json_array] if prop.kind == "json-array" else []
    return forms.CharField(
        max_length=10_000,
        initial=prop.default or None,
        widget=widget,
        validators=validators,
        **common,
    )


def _json_array(value: str) -> None:
    """What Kafka Connect passes on as a JSON array (a MongoDB pipeline) is one, before it is
    sent (the connector would fail only once running)."""
    try:
        data = loads_bounded(value)
    except ValueError:
        raise forms.ValidationError('This is not valid JSON: such as [{"$match": {}}].') from None
    if not isinstance(data, list):
        raise forms.ValidationError("A JSON array of stages: [ … ].")


SECRET_LINES = "secret_properties"  # noqa: S105 (a field name)


def secret_lines_field() -> forms.CharField:
    return forms.CharField(
        label="Other secret properties",
        required=False,
        max_length=MAX_PROPERTIES_TEXT,
        strip=False,
        widget=SecretTextarea(attrs={"rows": 3, "class": "mono", "autocomplete": "off"}),
        help_text="Secrets the fields above do not cover (a SASL JAAS config, a schema "
        "registry's user info): one key=value per line. Kept encrypted, never shown again.",
    )


class KafkaConnectorForm(EmbeddedSecretsForm, ConnectorForm):
    """Base of both Kafka templates' forms; `form_class_for` adds the chosen class's fields."""

    connector: ClassVar[ConnectorClass | None] = None
    property_names: ClassVar[dict[str, Property]] = {}  # field name -> property
    reload_on: ClassVar[tuple[str, ...]] = ("connector_class", "editor")
    view_choices: ClassVar[tuple[str, ...]] = ("editor",)

    connector_class = forms.ChoiceField(
        label="Connector class",
        choices=class_choices,
        help_text="The Kafka Connect plugin, by what it connects. Its common properties follow.",
    )
    name = forms.CharField(
        label="Name",
        max_length=249,
        validators=[
            RegexValidator(NAME, "Letters, digits, dots, hyphens and underscores; 249 at most.")
        ],
        help_text="Unique on the cluster; it cannot be changed later.",
    )
    editor = forms.ChoiceField(
        label="Edit the properties as",
        choices=[(FORM, "Fields"), (JSON_EDITOR, "Raw JSON")],
        initial=FORM,
        widget=EditorSwitch,
    )
    tasks_max = forms.IntegerField(
        label="Tasks",
        min_value=1,
        max_value=1000,
        initial=1,
        help_text="How many tasks may run in parallel. Property tasks.max.",
    )
    other_properties = forms.CharField(
        label="Other properties",
        required=False,
        max_length=MAX_PROPERTIES_TEXT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono", "spellcheck": "false"}),
        help_text="Anything else Kafka Connect accepts (converters, transforms, …): one "
        "key=value per line. Values are sent as typed, as strings.",
    )
    secret_properties = secret_lines_field()
    raw_json = forms.CharField(
        label="Properties (JSON)",
        required=False,
        max_length=MAX_PROPERTIES_TEXT,
        strip=False,
        # data-holds-fields: while it is on the form, it holds what the fields would (the form
        # script then puts back no value remembered from a field).
        widget=forms.Textarea(
            attrs={"rows": 14, "class": "mono", "spellcheck": "false", "data-holds-fields": ""}
        ),
        help_text="The flat map Kafka Connect takes; every value a string. Secrets are not "
        "shown here: one typed here moves to its own write-only field.",
    )

    def __init__(self, *args, kept: Mapping[str, Any] | None = None, **kwargs) -> None:
        # The secrets kept from an earlier try are put in below, once those typed in this one
        # (in their inputs, the JSON or the other properties) are known: a newer one wins.
        super().__init__(*args, **kwargs)
        self._properties: dict[str, str] | None = None
        self.moved: list[str] = []  # secret keys taken out of what is shown
        # Secrets typed twice in this try with different values: (input, key, where else).
        self.twice: list[tuple[str, str, str]] = []
        self.switch_said = ""  # a switch of editor sent as a create (without JavaScript)
        if self.is_bound:
            self.data = self.data.copy()
            if not self.data.get("editor"):  # a client that sent no choice
                self.data["editor"] = FORM
            lines_typed = bool(str(self.data.get(SECRET_LINES) or "").strip())
            if self.connector is not None:
                for name, value in self.typed_secrets(self.data).items():
                    self.data[name] = value
                self._strip_shown_secrets(self.data)
                if self.data.get(SHOWN_EDITOR, self.data["editor"]) != self.data["editor"]:
                    # The switch changed and the form was sent without JavaScript (which
                    # would have reloaded it): converted as a reload does, and nothing sent.
                    self.switch_said = self._switch_editor(self.data) or (
                        f"Now shown as {'Raw JSON' if self.editing_json() else 'fields'}, "
                        "every value kept: nothing was sent. Check them, then create it."
                    )
            for name, value in (kept or {}).items():
                if name not in self.fields:
                    continue
                if name == SECRET_LINES and not lines_typed and self.data.get(name):
                    # Only lines moved from the JSON or the other properties: over the kept ones.
                    self.data[name] = merged_lines(str(value), str(self.data[name]))
                elif not self.data.get(name):
                    self.data[name] = value
        elif self.connector is not None:
            self._switch_editor()
            self._strip_shown_secrets(self.initial)
        if self.editing_json():  # the fields are not shown: the JSON holds their values
            for name, prop in self.property_names.items():
                if not prop.secret:
                    self.fields[name].required = False
            self.fields["tasks_max"].required = False
            self.fields["raw_json"].required = True
        if self.moved:
            note = (
                f"{', '.join(self.moved)} {'is' if len(self.moved) == 1 else 'are'} secret: "
                "moved to the secret fields below."
            )
            for name in ("raw_json", "other_properties"):
                self.fields[name].help_text = f"{note} {self.fields[name].help_text}"

    # --- secrets typed where values are shown ----------------------------------------------------
    def _is_secret(self, key: str) -> bool:
        prop = self.connector.property(key) if self.connector else None
        return prop.secret if prop is not None else is_secret_key(key)

    def _shown_maps(self, source: Any) -> dict[str, dict[str, str]]:
        """The property maps the page shows as text (the JSON, the other properties), parsed;
        one that does not parse is left alone (its error is said on submit)."""
        maps: dict[str, dict[str, str]] = {}
        # JSON is posted only from the JSON editor: also when the choice now is the fields.
        if source.get("raw_json"):
            text = str(source["raw_json"])
            typed = typed_map(text)  # its other values may be refused later
            # JSON that does not parse is shown again as typed, but for its secret members.
            maps["raw_json"] = typed if typed is not None else readable_members(text)
        if source.get("other_properties"):
            # Line by line: a secret typed on a good line is taken out even while another line
            # is refused (the text is shown again with that line's error).
            maps["other_properties"] = readable_lines(str(source["other_properties"]))
        return maps

    def typed_secrets(self, source: Any) -> dict[str, str]:
        """What the user typed into secret inputs, plus secrets typed into the JSON or the other
        properties, each moved to its own input (declared) or to the secret lines: there, it
        replaces one kept from an earlier try. Typed into its input too, with another value,
        the input's stays, and the form says so (`twice`)."""
        typed = {n: source.get(n) for n in self.secret_names() if source.get(n)}
        extra = {}
        try:
            extra = parse_lines(str(source.get(SECRET_LINES) or ""))
        except LineError:
            return typed
        lines = dict(extra)  # as typed into the secret lines themselves
        for where, shown in self._shown_maps(source).items():
            for key, typed_value in shown.items():
                value = as_text(typed_value)
                if not value or not self._is_secret(key):
                    continue
                prop = self.connector.property(key)
                name = prop.field_name if prop is not None and prop.secret else SECRET_LINES
                held = typed.get(name) if name != SECRET_LINES else lines.get(key)
                if held and held != value:
                    self._typed_twice(name, key, where)
                elif name != SECRET_LINES:
                    typed.setdefault(name, value)
                else:
                    extra.setdefault(key, value)
        if extra:
            typed[SECRET_LINES] = format_lines(extra)
        return typed

    def _typed_twice(self, name: str, key: str, where: str) -> None:
        if any(n == name and k == key for n, k, _ in self.twice):
            return
        self.twice.append((name, key, where))
        if not self.is_bound:  # a reload (the editor switched): said beside the input
            said = self._twice_words(key, where)
            field = self.fields[name]
            field.help_text = f"{said} {field.help_text}".strip()
            self[name].help_text = field.help_text  # a bound field copies it when made

    def _twice_words(self, key: str, where: str) -> str:
        place = "the JSON" if where == "raw_json" else "Other properties"
        here = "here" if self.connector.property(key) else "in these lines"
        return (
            f"{key} was typed {here} and in {place} with different values. The one typed "
            f"{here} is kept (leave it empty to send that one); type the one to send {here}."
        )

    def kept_with(self, kept: Mapping[str, Any], source: Any) -> dict[str, Any]:
        typed = self.typed_secrets(source)
        merged = {**kept, **typed}
        lines_typed = str(source.get(SECRET_LINES) or "").strip()
        if not lines_typed and kept.get(SECRET_LINES) and typed.get(SECRET_LINES):
            merged[SECRET_LINES] = merged_lines(str(kept[SECRET_LINES]), typed[SECRET_LINES])
        return merged

    def _strip_shown_secrets(self, values: Any) -> None:
        """Take secrets out of the JSON and the other properties before they are shown."""
        for name, shown in self._shown_maps(values).items():
            secret = [k for k in shown if self._is_secret(k)]
            if not secret:
                continue
            self.moved += [k for k in secret if k not in self.moved]
            if name == "raw_json" and typed_map(str(values[name])) is None:
                values[name] = without_members(str(values[name]), secret)
            elif name == "raw_json":
                rest = {k: v for k, v in shown.items() if k not in secret}
                values[name] = json.dumps(rest, indent=2)
            else:
                values[name] = without_keys(str(values[name]), secret)

    # --- which editor, and converting between them --------------------------------------------
    def editing_json(self) -> bool:
        source = self.data if self.is_bound else self.initial
        return source.get("editor") == JSON_EDITOR

    def secret_fields(self) -> list[str]:
        return [name for name, p in self.property_names.items() if p.secret]

    def _typed_values(self, source: Any) -> Values:
        fields = {
            name: str(source.get(name) or "")
            for name, prop in self.property_names.items()
            if not prop.secret and name not in self.hidden_by_stored()
        }
        return Values(
            fields=fields,
            tasks_max=str(source.get("tasks_max") or "1"),
            other=str(source.get("other_properties") or ""),
        )

    def _switch_editor(self, initial: Any = None) -> str:
        """A reload after the editor changed: fields -> JSON, or JSON -> fields, in `initial`
        (by default the form's). A class picked above while the JSON is shown becomes the
        JSON's connector.class. What is said of a switch refused, or "" ."""
        initial = self.initial if initial is None else initial
        if initial.get("editor") == JSON_EDITOR and initial.get("raw_json"):
            with contextlib.suppress(ValueError):
                shown = parse_properties(str(initial["raw_json"]))
                if shown.get(CLASS_KEY, self.connector.name) != self.connector.name:
                    shown[CLASS_KEY] = self.connector.name
                    initial["raw_json"] = json.dumps(shown, indent=2)
        if initial.get("editor") == JSON_EDITOR and not initial.get("raw_json"):
            values = self._typed_values(
                # (by key: a QueryDict unpacked gives lists)
                {
                    **{n: f.initial for n, f in self.fields.items()},
                    **{k: initial.get(k) for k in initial},
                }
            )
            try:
                self._own_keys_in_lines(values.other)
                properties = to_properties(self.connector, values)
            except LineError as error:
                # Stay on the fields: switching would lose the other properties.
                initial["editor"] = FORM
                # Said under the switch just used, not beside a text further down.
                said = f"Still shown as fields: {error} (in Other properties)"
                self.fields["editor"].help_text = said
                return said
            initial["raw_json"] = json.dumps(properties, indent=2)
        elif initial.get("editor") != JSON_EDITOR and initial.get("raw_json"):
            try:
                properties = self._parse_json(str(initial["raw_json"]))
                properties = {k: v for k, v in properties.items() if not self._is_secret(k)}
                self._fits_the_fields(properties)
            except forms.ValidationError as error:
                # Stay on the JSON: switching would lose what it holds.
                initial["editor"] = JSON_EDITOR
                said = f"Still shown as JSON: {' '.join(error.messages)}"
                self.fields["editor"].help_text = said
                return said
            values = from_properties(self.connector, properties)
            if properties.get("name") and not initial.get("name"):
                initial["name"] = properties["name"]
            for name, value in values.fields.items():  # (a QueryDict's update appends)
                initial[name] = value
            initial["tasks_max"] = values.tasks_max
            initial["other_properties"] = values.other
            initial.pop("raw_json", None)
        return ""

    def _fits_the_fields(self, properties: dict[str, str]) -> None:
        """Every value can be shown by the fields: a choice among its options, one line."""
        for prop in self.connector.properties:
            value = properties.get(prop.key)
            field = self.fields.get(prop.field_name)
            offered = {str(v) for v, _ in getattr(field, "choices", [])}
            if value and isinstance(field, forms.ChoiceField) and value not in offered:
                raise forms.ValidationError(
                    f"{prop.key} is “{value[:40]}”, which its field does not offer: edit "
                    "it here, or set it to one of its options first."
                )
        declared = {p.key for p in self.connector.properties} | RESERVED
        for key, value in properties.items():
            if key not in declared and ("\n" in value or "\r" in value):
                raise forms.ValidationError(
                    f"{key} holds several lines, which the other properties cannot: edit it here."
                )
        if TASKS_KEY in properties and not properties[TASKS_KEY].isdigit():
            raise forms.ValidationError("tasks.max is a whole number from 1.")

    def _parse_json(self, text: str) -> dict[str, str]:
        try:
            data = parse_properties(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        chosen = data.get(CLASS_KEY)
        if chosen is not None and self.connector is not None and chosen != self.connector.name:
            raise forms.ValidationError(
                f"connector.class here is {chosen[:200]}, but the form's connector class is "
                f"{self.connector.name}: pick the class above first."
            )
        return data

    # --- validation ----------------------------------------------------------------------------
    def clean_secret_properties(self) -> dict[str, str]:
        try:
            return parse_lines(self.cleaned_data.get(SECRET_LINES) or "")
        except LineError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        self.clean_embedded()
        cleaned = super().clean()
        if self.connector is None:
            return cleaned
        for name, key, where in self.twice:  # which one to send is the user's to say
            self.add_error(name, self._twice_words(key, where))
        if self.switch_said:
            self.add_error(None, self.switch_said)
        if self.editing_json():
            self._clean_json(cleaned)
        else:
            self.fill_from_keys(cleaned)
            self._clean_other(cleaned)
        declared = {p.key for p in self.connector.properties} | RESERVED
        taken = [k for k in cleaned.get(SECRET_LINES) or {} if k in declared]
        if taken:
            self.add_error(
                SECRET_LINES,
                f"{', '.join(taken)} {'has its' if len(taken) == 1 else 'have their'} own "
                "field above: set it there.",
            )
        if not self.errors:
            self.check_hosts(self.properties())
        return cleaned

    def _own_keys_in_lines(self, text: str) -> None:
        """Other properties may not set a key that has its own field (which would win over the
        line unsaid): LineError naming them."""
        own = {p.key for p in self.connector.properties} | RESERVED
        # A secret's line is not refused: it is moved to its own input.
        taken = [k for k in parse_lines(text) if k in own and not self._is_secret(k)]
        if taken:
            raise LineError(
                f"{', '.join(taken)} {'has its' if len(taken) == 1 else 'have their'} own "
                "field above: set it there."
            )

    def _clean_other(self, cleaned: dict[str, Any]) -> None:
        try:
            self._own_keys_in_lines(cleaned.get("other_properties") or "")
        except LineError as error:
            self.add_error("other_properties", str(error))

    def _clean_json(self, cleaned: dict[str, Any]) -> None:
        try:
            data = self._parse_json(cleaned.get("raw_json") or "{}")
        except forms.ValidationError as error:
            self.add_error("raw_json", error)
            return
        covered = {
            self.property_names[n].key for n in self.hidden_by_stored() if n in self.property_names
        }
        for path, value in self.key_fills().items():  # a key's project, where none is typed
            if value and not data.get(path[0]):
                data[path[0]] = value
        missing = [
            p.key
            for p in self.connector.properties
            if p.required and not p.secret and p.key not in covered and not data.get(p.key)
        ]
        if missing:
            self.add_error("raw_json", f"Missing required properties: {', '.join(missing)}.")
            return
        if TASKS_KEY in data and not re.fullmatch(r"[1-9][0-9]{0,3}", data[TASKS_KEY]):
            self.add_error("raw_json", "tasks.max is a whole number from 1.")
            return
        for prop in self.connector.properties:  # what the fields check, the JSON is checked for
            if prop.kind == "aws-region" and data.get(prop.key):
                # Kept as AWS spells it, in lower case, as the field keeps it.
                data[prop.key] = str(data[prop.key]).strip().lower()
                try:
                    check_aws_region(data[prop.key])
                except forms.ValidationError as error:
                    self.add_error("raw_json", f"{prop.key}: {' '.join(error.messages)}")
                    return
        if "name" in data and data["name"] != cleaned.get("name"):
            self.add_error("raw_json", "name here differs from the Name field: remove it here.")
            return
        cleaned["json_properties"] = data

    def error_field(self, name: str) -> str | None:
        """Where a provider's error about a field is said: in the JSON editor, on the JSON."""
        if self.editing_json() and (
            name == "tasks_max"
            or (name in self.property_names and not self.property_names[name].secret)
        ):
            return "raw_json"
        return super().error_field(name)

    # --- what is sent -------------------------------------------------------------------------
    def properties(self) -> dict[str, str]:
        """The flat map sent to Kafka Connect, secrets and stored credentials' values included."""
        if self._properties is None:
            cleaned = self.cleaned_data
            if self.editing_json():
                properties = {CLASS_KEY: self.connector.name, TASKS_KEY: "1"}
                properties.update(cleaned.get("json_properties") or {})
            else:
                properties = to_properties(self.connector, self._typed_values(cleaned))
                properties[TASKS_KEY] = str(cleaned.get("tasks_max") or 1)
            for name in self.secret_fields():
                value = cleaned.get(name)
                if value and name not in self.hidden_by_stored():
                    properties[self.property_names[name].key] = value
            properties.update(cleaned.get(SECRET_LINES) or {})
            properties.update(self.embedded()["config"])
            self._properties = properties
        return self._properties

    def secret_keys(self) -> list[str]:
        """The keys whose values are secret: declared, by their look, or typed as secrets."""
        typed = list(self.cleaned_data.get(SECRET_LINES) or {})
        return [k for k in self.properties() if self._is_secret(k) or k in typed]

    def secret_values(self) -> list[str]:
        properties = self.properties()
        found = secret_values(properties, extra=self.secret_keys())
        return list(dict.fromkeys([*found, *self.embedded()["secrets"]]))

    def provider_data(self) -> dict[str, Any]:
        return {
            "name": self.cleaned_data["name"],
            "properties": self.properties(),
            "secret_values": self.secret_values(),
        }

    def record_context(self) -> dict[str, Any]:
        return {"connector_class": self.connector.name, "embedded": self.embedded()["links"]}

    def identity(self) -> dict[str, Any]:
        return {"name": self.cleaned_data["name"], "connector_class": self.connector.name}

    def configuration_secrets(self) -> dict[str, Any]:
        # The whole map is kept encrypted: a rotated stored secret is pushed into it, and a
        # reconfigure starts from it.
        return {
            "configuration": self.properties(),
            "secret_values": self.secret_values(),
            "secret_keys": self.secret_keys(),
        }

    # --- rendering ----------------------------------------------------------------------------
    def field_name(self, path: tuple[str, ...]) -> str:
        prop = self.connector.property(path[0]) if self.connector else None
        return prop.field_name if prop else path[0]

    def covered(self, slot) -> list[str]:
        names = [self.field_name(path) for path in slot.paths]
        return [n for n in names if n in self.fields]

    def secret_names(self) -> list[str]:
        names = [*super().secret_names(), *self.secret_fields(), SECRET_LINES]
        return list(dict.fromkeys(names))

    def head_fields(self) -> list[str]:
        return ["connector_class", "name"]

    def layout(self) -> list[Any]:
        names = self.head_fields()
        if self.connector is None:
            return [n for n in names if n in self.fields]
        hidden = self.hidden_by_stored()
        names += ["editor", *self.picker_layout()]
        if self.editing_json():
            names += ["raw_json", *self.secret_fields()]
        else:
            names += [*self.property_names, "tasks_max", "other_properties"]
        names.append(SECRET_LINES)
        return [n for n in dict.fromkeys(names) if n in self.fields and n not in hidden]


@dataclass(frozen=True)
class KafkaTemplate(ConnectorTemplate):
    """A Kafka template: the form gains the chosen class's property fields and the pickers for
    the storage secrets it embeds."""

    def imported_context(self, record: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        raw = record.raw if isinstance(record.raw, dict) else {}
        config = raw.get("config") if isinstance(raw.get("config"), dict) else {}
        properties = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
        connector_class = config.get(CLASS_KEY) or raw.get("connector_class") or ""
        return {
            **inputs,
            "connector_class": str(connector_class or properties.get(CLASS_KEY) or ""),
            "embedded": [],
            "imported": True,
        }

    def embeddable_slots(self, record: Any) -> tuple[Any, ...]:
        chosen = BY_NAME.get(self.imported_context(record, {})["connector_class"])
        return chosen.slots if chosen is not None else ()

    def listed_configuration(self, record: Any) -> dict[str, Any]:
        raw = record.raw if isinstance(record.raw, dict) else {}
        for key in ("config", "properties"):  # Kafka Connect's map, Upstash's
            if isinstance(raw.get(key), dict):
                return raw[key]
        return {}

    def configuration_to_push(self, target: Any) -> dict[str, Any] | None:
        # What the cluster holds now (as last read), as a reconfigure starts from: a change
        # made elsewhere since is not reverted by a push.
        return configuration_now(target)

    def like(self, original: Original) -> Likeness:
        """The same connector class, a suggested name (unique on a cluster), and the properties
        the cluster last showed that are not secret: declared ones in their fields, the others as
        lines; the stored credentials picked for embedded secrets. A secret (masked in the
        record, or a value holding a masked password) is typed again, never sent masked."""
        class_name = str(original.context.get("connector_class") or "")
        chosen = BY_NAME.get(class_name)
        if chosen is None:
            return Likeness(
                values={"credential": original.credential},
                notes=[
                    f"Its connector class {class_name[:200] or '(none recorded)'} is not in "
                    "this catalogue: pick one, then fill in its properties."
                ],
            )
        raw = original.record if isinstance(original.record, dict) else {}
        shown = next(
            (raw[k] for k in ("config", "properties") if isinstance(raw.get(k), dict)), None
        )
        values: dict[str, Any] = {
            "credential": original.credential,
            "connector_class": chosen.name,
            "name": copy_name(original.name, 249, "-copy"),
            "editor": FORM,
        }
        notes = ["Names are unique on a cluster: a new one is suggested."]
        retype: list[str] = []
        picks = stored_picks(original.embedded)
        values.update(picks)
        if shown is None:
            notes.append(
                "Its last record shows no properties (Upstash shows them only once it is read "
                "again): refresh it first, or fill them in."
            )
            shown = {}
        covered = {
            path[0] for slot in chosen.slots if USE + slot.name in picks for path in slot.paths
        }
        plain: dict[str, str] = {}
        hidden_lines: list[str] = []
        for key, value in shown.items():
            prop = chosen.property(key)
            secret = prop.secret if prop is not None else is_secret_key(key)
            if not secret and REDACTED not in as_text(value):
                plain[key] = as_text(value)
            elif key in covered or key in RESERVED:
                continue
            elif prop is not None:
                retype.append(prop.field_name)
                if not secret:  # a password inside its URL: the whole value is typed again
                    notes.append(f"{key} holds a password: type the whole value again.")
            else:
                hidden_lines.append(key)
        form_values = from_properties(chosen, plain)
        values.update(form_values.fields)
        values["tasks_max"] = form_values.tasks_max
        values["other_properties"] = form_values.other
        if hidden_lines:
            retype.append(SECRET_LINES)
            notes.append(
                f"Type again under Other secret properties: {', '.join(sorted(hidden_lines))}."
            )
        if "cluster_id" in original.context:
            values["cluster_id"] = original.context["cluster_id"]
        return Likeness(values=values, retype=retype, notes=notes)

    def form_class_for(self, context: FormContext) -> type[ConnectorForm]:
        chosen = BY_NAME.get(str(context.params.get("connector_class") or ""))
        extra: dict[str, Any] = {
            "connector": chosen,
            "resolve": staticmethod(context.resolve),
            "stored_public": staticmethod(context.public),
        }
        if chosen is None:
            return type(self.form_class.__name__, (self.form_class,), extra)
        extra["property_names"] = {p.field_name: p for p in chosen.properties}
        extra.update({p.field_name: property_field(p) for p in chosen.properties})
        extra["slots"] = chosen.slots
        extra.update(slot_fields(chosen.slots, context))
        extra["reload_on"] = (*self.form_class.reload_on, *(USE + s.name for s in chosen.slots))
        return type(self.form_class.__name__, (self.form_class,), extra)
