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
from connectors_admin.providers.embedding import Slot, fill, parse_service_account, slots_in_schema
from connectors_admin.providers.schema_forms import (
    PREFIX,
    SEP,
    Node,
    SchemaForm,
    SecretTextarea,
    schema_form,
    secret_paths,
    secret_values,
)

USE, KEY, KEYFILE = "use__", "keyjson__", "keyfile__"
ENTER_HERE = "here"


class ServiceAccountField(forms.CharField):
    """A whole service-account key file, pasted once; never rendered back."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "widget", SecretTextarea(attrs={"rows": 6, "class": "mono", "autocomplete": "off"})
        )
        super().__init__(strip=False, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_service_account(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class AISquaredConnectorForm(ConnectorForm, SchemaForm):
    reload_on = ("connector_name",)
    refreshable = "Refresh the catalogue"
    searchable = "connector_name"
    connector_type: ClassVar[str] = "source"
    definition: ClassVar[dict[str, Any] | None] = None
    # Storage secrets the chosen connector embeds, and how to fetch a stored credential's values.
    slots: ClassVar[tuple[Slot, ...]] = ()
    resolve: ClassVar[Any] = staticmethod(lambda pk, kinds: None)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._filled: dict[str, Any] | None = None
        for slot in self.slots:
            if self.stored_choice(slot):  # the stored credential fills these fields
                for name in self._covered(slot):
                    self.fields[name].required = False

    # --- embedded secrets: a stored credential, or typed here ------------------------------------
    def stored_choice(self, slot: Slot) -> str:
        """The stored credential picked for `slot` ("" when it is entered here)."""
        name = USE + slot.name
        if self.is_bound:
            chosen = self.data.get(name, "")
        else:
            chosen = self.initial.get(name, self.fields[name].initial)
        return "" if chosen in (None, "", ENTER_HERE) else str(chosen)

    def _take_key_file(self, slot: Slot) -> None:
        """A key file typed here is pasted or uploaded, once; an upload is read into the pasted
        field so that a failed attempt keeps it like any typed secret."""
        upload = self.cleaned_data.get(KEYFILE + slot.name)
        if upload:
            try:
                text = upload.read().decode("utf-8")
                self.cleaned_data[KEY + slot.name] = parse_service_account(text)
            except (UnicodeDecodeError, ValueError) as error:
                message = str(error) if isinstance(error, ValueError) else "This file is not JSON."
                self.add_error(KEYFILE + slot.name, message)
                return
            self.data = self.data.copy()
            self.data[KEY + slot.name] = text
            self.errors.pop(KEY + slot.name, None)
        elif not self.cleaned_data.get(KEY + slot.name) and KEY + slot.name not in self.errors:
            self.add_error(KEY + slot.name, "Paste the key file here, or upload it below.")

    def _covered(self, slot: Slot) -> list[str]:
        """The generated fields a slot's values replace."""
        prefixes = [SEP.join((PREFIX, *path)) for path in slot.paths]
        return [
            name
            for name in self.built.paths
            if any(name == p or name.startswith(p + SEP) for p in prefixes) and name in self.fields
        ]

    def _embedded(self) -> dict[str, Any]:
        """What the picked stored credentials put in the configuration: the values by path,
        the secret strings written, and the links to keep (slot, credential, mapping)."""
        if self._filled is None:
            config: dict[str, Any] = {}
            written: list[str] = []
            links = []
            for slot in self.slots:
                pk = self.stored_choice(slot)
                found = self.resolve(pk, slot.kinds) if pk else None
                if found is None:
                    continue
                public, secrets = found
                written += fill(config, slot.targets, public, secrets)
                links.append({"slot": slot.name, "credential": int(pk), "mapping": slot.mapping()})
            self._filled = {"config": config, "secrets": written, "links": links}
        return self._filled

    def configuration(self) -> dict[str, Any]:
        config = super().configuration()
        for slot in self.slots:
            if slot.one_json_field and not self.stored_choice(slot):
                typed = self.cleaned_data.get(KEY + slot.name)
                if typed:
                    config[slot.name] = typed
        for key, value in self._embedded()["config"].items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key] = {**config[key], **value}
            else:
                config[key] = value
        return config

    def secret_names(self) -> list[str]:
        return [*super().secret_names(), *(KEY + s.name for s in self.slots if s.one_json_field)]

    def _secret_values(self, configuration: dict[str, Any]) -> list[str]:
        found = [*secret_values(configuration, self.schema), *self._embedded()["secrets"]]
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
        for slot in self.slots:
            if slot.one_json_field and not self.stored_choice(slot):
                self._take_key_file(slot)
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
        hidden: set[str] = set()
        for slot in self.slots:
            if self.stored_choice(slot):
                hidden.update(self._covered(slot))

        def visible(node: Any) -> Any:
            if isinstance(node, Node) and node.is_group:
                children = [c for c in map(visible, node.children) if c is not None]
                return Node(node.name, node.title, node.description, children) if children else None
            return None if getattr(node, "name", node) in hidden else node

        entries = [e for e in map(visible, self.built.layout) if e is not None]
        pickers = []
        for slot in self.slots:
            pickers.append(USE + slot.name)
            if slot.one_json_field and not self.stored_choice(slot):
                pickers += [KEY + slot.name, KEYFILE + slot.name]
        return ["connector_name", "name", "description", *pickers, *entries]

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
            "embedded": self._embedded()["links"],
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
        for slot in slots:
            options = context.stored(slot.kinds)
            extra[USE + slot.name] = forms.ChoiceField(
                label=slot.label,
                choices=[(ENTER_HERE, "Enter it here"), *options],
                required=False,  # a missing choice means "enter it here"
                initial=options[0][0] if options and not slot.optional else ENTER_HERE,
                help_text="Use one of your team's stored credentials, or enter the values here."
                if options
                else "Your team has no stored credential of this kind yet: enter it here.",
            )
            if slot.one_json_field:
                extra[KEY + slot.name] = ServiceAccountField(
                    label=f"{slot.label} key file (JSON)",
                    required=False,
                    help_text="Paste the whole JSON key file once; its line breaks are kept.",
                )
                extra[KEYFILE + slot.name] = forms.FileField(
                    label="…or upload the key file",
                    required=False,
                    help_text="The .json file downloaded from Google Cloud; at most 64 KiB.",
                    widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
                )
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
