"""AI Squared's templates: the connector is picked from the provider's own catalogue (fetched
with the credential, cached per credential), and its form is generated from the definition's
`connection_specification`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms

from connectors_admin.providers.base import (
    ConnectorForm,
    ConnectorTemplate,
    FormContext,
    ProviderError,
)
from connectors_admin.providers.embedding import (
    USE,
    EmbeddedSecretsForm,
    Slot,
    slot_fields,
    slots_in_schema,
)
from connectors_admin.providers.schema_forms import (
    PREFIX,
    SEP,
    Node,
    SchemaForm,
    schema_form,
    secret_paths,
    secret_values,
)


class AISquaredConnectorForm(EmbeddedSecretsForm, ConnectorForm, SchemaForm):
    reload_on = ("connector_name",)
    refreshable = "Refresh the catalogue"
    searchable = "connector_name"
    connector_type: ClassVar[str] = "source"
    definition: ClassVar[dict[str, Any] | None] = None

    def covered(self, slot: Slot) -> list[str]:
        """The generated fields a slot's values replace (a path's whole subtree)."""
        prefixes = [SEP.join((PREFIX, *path)) for path in slot.paths]
        return [
            name
            for name in self.built.paths
            if any(name == p or name.startswith(p + SEP) for p in prefixes) and name in self.fields
        ]

    def configuration(self) -> dict[str, Any]:
        config = super().configuration()
        config.update(self.typed_key_files())
        for key, value in self.embedded()["config"].items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key] = {**config[key], **value}
            else:
                config[key] = value
        return config

    def _secret_values(self, configuration: dict[str, Any]) -> list[str]:
        found = [*secret_values(configuration, self.schema), *self.embedded()["secrets"]]
        return list(dict.fromkeys(found))

    name = forms.CharField(
        label="Name",
        max_length=255,
        help_text="Unique among your workspace's connectors of this type.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        self.clean_embedded()
        cleaned = super().clean()
        # A self-hosted Multiwoven resolves values of the form ENV["NAME"] from its own
        # environment before connecting: never let a form read a server's secrets that way.
        for name in self.built.paths:
            value = cleaned.get(name)
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            if "ENV[" in text and name not in self.errors:
                self.add_error(name, "Values of the form ENV[…] are not allowed here.")
        return cleaned

    def layout(self) -> list[Any]:
        hidden = self.hidden_by_stored()

        def visible(node: Any) -> Any:
            if isinstance(node, Node) and node.is_group:
                children = [c for c in map(visible, node.children) if c is not None]
                return Node(node.name, node.title, node.description, children) if children else None
            return None if getattr(node, "name", node) in hidden else node

        entries = [e for e in map(visible, self.built.layout) if e is not None]
        return ["connector_name", "name", "description", *self.picker_layout(), *entries]

    def provider_data(self) -> dict[str, Any]:
        configuration = self.configuration()
        return {
            "connector_name": self.cleaned_data["connector_name"],
            "name": self.cleaned_data["name"],
            "description": self.cleaned_data.get("description", ""),
            "configuration": configuration,
            "secret_values": self._secret_values(configuration),
            "secret_paths": [list(p) for p in secret_paths(self.schema)],
        }

    def record_context(self) -> dict[str, Any]:
        return {
            "connector_type": self.connector_type,
            "connector_name": self.cleaned_data["connector_name"],
            "secret_paths": [list(p) for p in secret_paths(self.schema)],
            "embedded": self.embedded()["links"],
        }

    def identity(self) -> dict[str, Any]:
        context = {k: v for k, v in self.record_context().items() if k != "embedded"}
        return {**context, "name": self.cleaned_data["name"]}

    def configuration_secrets(self) -> dict[str, Any]:
        # The provider never returns secrets, so the whole configuration is kept (encrypted)
        # to check the connection again later.
        configuration = self.configuration()
        return {
            "configuration": configuration,
            "secret_values": self._secret_values(configuration),
        }


def _choices(definitions: list[dict[str, Any]]) -> list[Any]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for definition in definitions:
        category = str(definition.get("category") or "Other")
        groups.setdefault(category, []).append(
            (definition["name"], str(definition.get("title") or definition["name"]))
        )
    return [("", "Choose a connector…")] + [
        (category, sorted(options, key=lambda o: o[1].lower()))
        for category, options in sorted(groups.items())
    ]


@dataclass(frozen=True)
class CatalogTemplate(ConnectorTemplate):
    connector_type: str = "source"

    def form_class_for(self, context: FormContext) -> type[ConnectorForm]:
        if context.client is None:
            raise ProviderError("Pick a credential to load AI Squared's catalogue.")
        definitions = context.cached(
            f"definitions:{self.connector_type}",
            lambda: context.client().definitions(self.connector_type),
        )
        chosen = str(context.params.get("connector_name") or "")
        definition = next((d for d in definitions if d.get("name") == chosen), None)
        spec = ((definition or {}).get("connector_spec") or {}).get("connection_specification")
        if not isinstance(spec, dict):
            spec = {"type": "object"}
        connector = forms.ChoiceField(
            label="Connector",
            choices=_choices(definitions),
            help_text=f"From your AI Squared workspace's {self.connector_type} catalogue, by category.",
        )
        slots = tuple(slots_in_schema(spec))
        extra: dict[str, Any] = {
            "connector_name": connector,
            "connector_type": self.connector_type,
            "definition": definition,
            "slots": slots,
            "resolve": staticmethod(context.resolve),
            "reload_on": ("connector_name", *(USE + slot.name for slot in slots)),
        }
        extra.update(slot_fields(slots, context))
        form_class = schema_form(spec, base=AISquaredConnectorForm, extra=extra)
        for slot in slots:
            if slot.one_json_field:
                _fold_into_one_field(form_class, slot)
        return form_class


def _fold_into_one_field(form_class: type[AISquaredConnectorForm], slot: Slot) -> None:
    """Replace the fields generated for a key file's object by the one pasted JSON field."""
    prefix = SEP.join((PREFIX, slot.name))
    for name in [n for n in form_class.base_fields if n == prefix or n.startswith(prefix + SEP)]:
        del form_class.base_fields[name]
        form_class.built.paths.pop(name, None)
        form_class.built.types.pop(name, None)
        form_class.built.secrets.discard(name)
    form_class.built.layout = [node for node in form_class.built.layout if node.name != prefix]
