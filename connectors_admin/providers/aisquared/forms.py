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
from connectors_admin.providers.schema_forms import (
    SchemaForm,
    schema_form,
    secret_paths,
    secret_values,
)


class AISquaredConnectorForm(ConnectorForm, SchemaForm):
    reload_on = ("connector_name",)
    refreshable = "Refresh the catalogue"
    searchable = "connector_name"
    connector_type: ClassVar[str] = "source"
    definition: ClassVar[dict[str, Any] | None] = None

    name = forms.CharField(
        label="Name",
        max_length=255,
        help_text="Unique among your workspace's connectors of this type.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
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
        return ["connector_name", "name", "description", *self.built.layout]

    def provider_data(self) -> dict[str, Any]:
        configuration = self.configuration()
        return {
            "connector_name": self.cleaned_data["connector_name"],
            "name": self.cleaned_data["name"],
            "description": self.cleaned_data.get("description", ""),
            "configuration": configuration,
            "secret_values": secret_values(configuration, self.schema),
            "secret_paths": [list(p) for p in secret_paths(self.schema)],
        }

    def record_context(self) -> dict[str, Any]:
        return {
            "connector_type": self.connector_type,
            "connector_name": self.cleaned_data["connector_name"],
            "secret_paths": [list(p) for p in secret_paths(self.schema)],
        }

    def identity(self) -> dict[str, Any]:
        return {**self.record_context(), "name": self.cleaned_data["name"]}

    def configuration_secrets(self) -> dict[str, Any]:
        # The provider never returns secrets, so the whole configuration is kept (encrypted)
        # to check the connection again later.
        configuration = self.configuration()
        return {
            "configuration": configuration,
            "secret_values": secret_values(configuration, self.schema),
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
        return schema_form(
            spec,
            base=AISquaredConnectorForm,
            extra={
                "connector_name": connector,
                "connector_type": self.connector_type,
                "definition": definition,
            },
        )
