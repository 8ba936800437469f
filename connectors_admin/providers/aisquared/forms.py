"""AI Squared's templates: the connector is picked from the provider's own catalogue (fetched
with the credential, cached per credential), and its form is generated from the definition's
`connection_specification`. The storage secrets a connector embeds (a Google service account, an
AWS key pair, a database login) are found in that schema by their shape, and offered from the
team's stored credentials."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms

from connectors_admin.core.redaction import REDACTED
from connectors_admin.providers.base import (
    WORDS,
    ConnectorForm,
    ConnectorTemplate,
    FormContext,
    Likeness,
    Original,
    ProviderError,
    copy_name,
)
from connectors_admin.providers.embedding import (
    KEY,
    USE,
    EmbeddedSecretsForm,
    Slot,
    condition_fields,
    slot_fields,
    stored_picks,
)
from connectors_admin.providers.naming import aws_region_field
from connectors_admin.providers.schema_forms import (
    PREFIX,
    SEP,
    Node,
    SchemaForm,
    requirements,
    said_when,
    schema_form,
    secret_paths,
)

from .client import PROVIDER_MASK, connector_words


class AISquaredConnectorForm(EmbeddedSecretsForm, ConnectorForm, SchemaForm):
    reload_on = ("connector_name",)
    refreshable = "Refresh the catalogue"
    searchable = "connector_name"
    connector_type: ClassVar[str] = "source"
    definition: ClassVar[dict[str, Any] | None] = None

    def field_name(self, path: tuple[str, ...]) -> str:
        return SEP.join((PREFIX, *path))

    def covered(self, slot: Slot) -> list[str]:
        """The generated fields a slot's values replace (a path's whole subtree)."""
        prefixes = [SEP.join((PREFIX, *path)) for path in slot.paths]
        return [
            name
            for name in self.built.paths
            if any(name == p or name.startswith(p + SEP) for p in prefixes) and name in self.fields
        ]

    def given(self) -> dict[str, Any]:
        """What was typed, key files pasted, and what the picked stored credentials fill."""
        config = super().given()
        config.update(self.typed_key_files())
        for key, value in self.embedded()["config"].items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key] = {**config[key], **value}
            else:
                config[key] = value
        return config

    def _secret_values(self, configuration: dict[str, Any]) -> list[str]:
        found = [*super()._secret_values(configuration), *self.embedded_secret_values()]
        return list(dict.fromkeys(found))

    def field_for_path(self, path: tuple[str, ...] | list[Any]) -> str | None:
        """A schema error inside what a slot fills is said next to its picker or key file."""
        parts = tuple(str(p) for p in path)
        for slot in self.slots:
            if self.applies(slot) and any(parts[: len(p)] == p for p in slot.paths):
                if self.stored_choice(slot):
                    return USE + slot.name
                if slot.one_json_field:
                    return KEY + slot.name
        return super().field_for_path(path)

    def error_field(self, name: str) -> str | None:
        """A provider's error about a configuration member (cfg__credentials_json__client_email)
        is said next to the field that edits it (the one key file)."""
        if name in self.fields or not name.startswith(PREFIX + SEP):
            return super().error_field(name)
        return self.field_for_path(name.split(SEP)[1:])

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
        self._check_key_files()
        self.fill_from_keys(self.cleaned_data)  # before the schema asks for what they fill
        cleaned = super().clean()
        # A self-hosted Multiwoven resolves values of the form ENV["NAME"] from its own
        # environment before connecting: never let a form read a server's secrets that way.
        for name in self.built.paths:
            value = cleaned.get(name)
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            if "ENV[" in text and name not in self.errors:
                self.add_error(name, "Values of the form ENV[…] are not allowed here.")
        embedded = {**self.embedded()["config"], **self.typed_key_files()}
        for slot in self.slots:
            text = json.dumps([embedded.get(p[0]) for p in slot.paths], default=str)
            target = self.field_for_path(slot.paths[0])
            if "ENV[" in text and target in self.fields and target not in self.errors:
                self.add_error(target, "Values of the form ENV[…] are not allowed here.")
        if not self.errors:
            self.check_hosts(self.configuration())
        return cleaned

    def _check_key_files(self) -> None:
        """A key file (stored or typed) has every key this connector's schema requires: said
        in words next to it, rather than as a schema error about a field not shown."""
        files = {**self.embedded()["config"], **self.typed_key_files()}
        properties = self.schema.get("properties") or {}
        for slot in self.slots:
            data = files.get(slot.name)
            spec = properties.get(slot.name)
            if not slot.one_json_field or not isinstance(data, dict) or not isinstance(spec, dict):
                continue
            missing = [k for k in spec.get("required") or [] if data.get(k) in (None, "")]
            target = self.field_for_path((slot.name,))
            if missing and target and target not in self.errors:
                stored = " stored" if self.stored_choice(slot) else ""
                self.add_error(
                    target,
                    f"This{stored} key file lacks {', '.join(missing)}, which this connector "
                    "requires. Download a new key file from Google Cloud.",
                )

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
            "connector_title": self.connector_title(),
            "name": self.cleaned_data["name"],
            "description": self.cleaned_data.get("description", ""),
            "configuration": configuration,
            "secret_values": self._secret_values(configuration),
            "secret_paths": [list(p) for p in secret_paths(self.schema)],
        }

    def record_context(self) -> dict[str, Any]:
        name = self.cleaned_data["connector_name"]
        return {
            "connector_type": self.connector_type,
            "connector_name": name,
            "secret_paths": [list(p) for p in secret_paths(self.schema)],
            "embedded": self.embedded()["links"],
            # Its title, as the form offered it: the record's pages say it, not the name.
            **connector_words(name, self.definition),
        }

    def connector_title(self) -> str:
        """The catalogue's title of the connector picked ("Amazon S3"), not its name."""
        return str((self.definition or {}).get("title") or self.cleaned_data["connector_name"])

    def identity(self) -> dict[str, Any]:
        context = {k: v for k, v in self.record_context().items() if k not in ("embedded", WORDS)}
        return {**context, "name": self.cleaned_data["name"]}

    def configuration_secrets(self) -> dict[str, Any]:
        # The provider never returns secrets, so the whole configuration is kept (encrypted)
        # to check the connection again later.
        configuration = self.configuration()
        return {
            "configuration": configuration,
            "secret_values": self._secret_values(configuration),
        }


# --- the storage secrets a catalogue connector embeds, found by their shape in its schema --------
SERVICE_ACCOUNT_KEYS = {"private_key", "client_email"}
AWS_PAIRS = (("access_key_id", "secret_access_key"), ("access_id", "secret_access"))
LOGIN_KEYS = {"username", "password"}
HOST_KEYS = ("host", "hostname", "server")  # where a database definition names its server
DATABASE_CATEGORIES = {"data warehouse", "database", "data lake"}


# The connection URI schemes of the catalogue's databases, by connector name (lower case): a
# stored URI of another scheme is not offered for its login. A name not listed takes any.
DATABASE_SCHEMES = {
    "postgresql": ("postgresql", "postgres"),
    "redshift": ("redshift", "postgresql", "postgres"),
    "mysql": ("mysql", "mariadb"),
    "mariadb": ("mariadb", "mysql"),
    "mssql": ("mssql", "sqlserver"),
    "sqlserver": ("sqlserver", "mssql"),
    "oracle": ("oracle",),
    "clickhouse": ("clickhouse",),
    "snowflake": ("snowflake",),
    "databricks": ("databricks",),
    "mongodb": ("mongodb", "mongodb+srv"),
}


def is_database(definition: dict[str, Any]) -> bool:
    category = str(definition.get("category") or "").lower()
    sub_category = str(definition.get("sub_category") or "").lower()
    return category in DATABASE_CATEGORIES or "database" in sub_category


def slots_for(definition: dict[str, Any], schema: dict[str, Any]) -> tuple[Slot, ...]:
    """The slots of one catalogue connector: an object holding a private key and a client email
    is a Google service account (a GCP credential, typed as one key file); a pair of access-key
    fields an AWS key pair; on a database, a `credentials` object with a username and a password
    may take a connection URI's login."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return ()
    found: list[Slot] = []
    for key, spec in properties.items():
        inner = spec.get("properties") if isinstance(spec, dict) else None
        if not isinstance(inner, dict):
            continue
        if set(inner) >= SERVICE_ACCOUNT_KEYS:
            found.append(
                Slot(
                    name=key,
                    label="Google service account",
                    kinds=("gcp",),
                    targets=(((key,), ("secret", "service_account_json", "json")),),
                    one_json_field=True,
                    fills=_project_beside(properties),
                )
            )
        elif (
            key == "credentials"
            and set(inner) >= LOGIN_KEYS
            and is_database(definition)
            and any(k in properties for k in HOST_KEYS)  # a stored login goes to its own host
        ):
            found.append(
                Slot(
                    name=key,
                    label="Database user and password",
                    kinds=("uri",),
                    targets=(
                        ((key, "username"), ("secret", "uri", "uri_user")),
                        ((key, "password"), ("secret", "uri", "uri_password")),
                    ),
                    optional=True,
                    host_paths=tuple((k,) for k in HOST_KEYS if k in properties),
                    schemes=DATABASE_SCHEMES.get(str(definition.get("name") or "").lower(), ()),
                )
            )
    for key_id, secret in AWS_PAIRS:
        if key_id in properties and secret in properties:
            found.append(
                Slot(
                    name="aws",
                    label="AWS access key",
                    kinds=("aws",),
                    targets=(
                        ((key_id,), ("public", "aws_access_key_id", "")),
                        ((secret,), ("secret", "aws_secret_access_key", "")),
                    ),
                    when=_required_when(schema, (key_id, secret)),
                )
            )
            break
    return tuple(found)


def _project_beside(properties: dict[str, Any]) -> tuple[tuple[tuple[str, ...], str], ...]:
    """A free-text `project_id` beside a service account's key (BigQuery's): left empty, it
    takes the key file's own project."""
    spec = properties.get("project_id")
    free = isinstance(spec, dict) and spec.get("type") == "string"
    fixed = free and ("const" in spec or "enum" in spec or spec.get("readOnly"))
    return ((("project_id",), "project_id"),) if free and not fixed else ()


def _required_when(schema: dict[str, Any], keys: tuple[str, ...]):
    """The condition under which a schema requires `keys`, when it says so with one
    `if`/`then` on one property's value (S3's `auth_type: user`), as the form reads it for
    its fields (`requirements`); None when always, or under any other condition."""
    always, sometimes = requirements(schema)
    if set(keys) <= always:
        return None
    # (A list: a condition's values may be arrays or objects, which do not hash.)
    needs = [tuple(sometimes.get(key, ())) for key in keys]
    if any(need != needs[0] for need in needs) or len(needs[0]) != 1:
        return None  # not the same one condition for every key
    ((condition, when),) = needs[0]
    if condition is None or not when:
        return None
    return ((condition.key,), condition.values)


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
            lambda client: client.definitions(self.connector_type),
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
        slots = slots_for(definition or {}, spec)
        conditions = condition_fields(slots, lambda path: SEP.join((PREFIX, *path)))
        extra: dict[str, Any] = {
            "connector_name": connector,
            "connector_type": self.connector_type,
            "definition": definition,
            "slots": slots,
            "resolve": staticmethod(context.resolve),
            "stored_public": staticmethod(context.public),
            "reload_on": ("connector_name", *(USE + slot.name for slot in slots), *conditions),
        }
        extra.update(slot_fields(slots, context))
        form_class = schema_form(spec, base=AISquaredConnectorForm, extra=extra)
        for slot in slots:
            if slot.one_json_field:
                _fold_into_one_field(form_class, slot)
            _picker_says_when(form_class, slot)
        if any("aws" in slot.kinds for slot in slots):
            _checked_aws_region(form_class)
        return form_class

    def configuration_to_push(self, target: Any) -> dict[str, Any] | None:
        # What AI Squared holds now (the record just read, its secrets masked) with each masked
        # secret put back from what was sent last: a bucket or a host changed there since is
        # not reverted by a pushed secret, as a PUT replaces the whole configuration.
        sent = target.kept().get("configuration")
        if not isinstance(sent, dict):
            return None
        attributes = (target.record or {}).get("attributes")
        shown = attributes.get("configuration") if isinstance(attributes, dict) else None
        if not isinstance(shown, dict):
            # Sending what was kept would revert whatever was changed there since.
            raise ProviderError(
                "AI Squared's answer shows no configuration for this connector, so the new "
                "secret cannot be written into what it holds now: nothing was sent."
            )
        unknown: list[str] = []
        configuration = _unmasked(shown, sent, (), unknown)
        if unknown:
            raise ProviderError(
                f"{', '.join(unknown)} changed at AI Squared since the connector was sent from "
                "here, and the secret there is not known here: nothing was sent. Update it at "
                "AI Squared, or create the connector again with the new secret."
            )
        return configuration

    def like(self, original: Original) -> Likeness:
        """The catalogue connector (record context), a suggested name, the description and
        every configuration value AI Squared last showed that is not secret nor masked, by the
        generated fields' names; the stored credentials picked for embedded secrets (one since
        deleted too, so the form says to pick another). Secrets (by the schema kept in the
        context, or masked in the record) are typed again where no stored credential fills them."""
        attributes = (original.record or {}).get("attributes")
        attributes = attributes if isinstance(attributes, dict) else {}
        name = str(attributes.get("name") or original.name or "")
        values: dict[str, Any] = {
            "credential": original.credential,
            "connector_name": original.context.get("connector_name")
            or attributes.get("connector_name"),
            "name": copy_name(name, 255),
            "description": str(attributes.get("description") or ""),
        }
        notes = [
            f"Names are unique among the workspace's {self.connector_type}s at AI Squared: "
            "a new one is suggested."
        ]
        secret = [
            tuple(str(p) for p in path)
            for path in original.context.get("secret_paths") or []
            if isinstance(path, list)
        ]
        configuration = attributes.get("configuration")
        retype: list[str] = []
        if isinstance(configuration, dict):
            for path, value in _leaves(configuration, ()):
                hidden = (
                    _masked_in(value)
                    or _redacted_inside(value)
                    or any(_within(path, p) for p in secret)
                )
                if hidden:
                    retype += [SEP.join((PREFIX, *path)), KEY + path[0]]
                else:
                    values[SEP.join((PREFIX, *path))] = value
        else:
            notes.append(
                "AI Squared's last record of it shows no configuration: its fields start empty."
            )
        for path in secret:  # secrets the record left out are typed again too
            retype += [SEP.join((PREFIX, *path)), KEY + path[0]]
        # A stored credential picked at creation: its link goes with the credential, but the
        # record context keeps which it was, so the form says to pick again, not to type.
        picked = {
            str(link["slot"]): link["credential"]
            for link in original.context.get("embedded") or []
            if isinstance(link, dict) and link.get("slot") and link.get("credential")
        }
        values.update(stored_picks({**picked, **original.embedded}))
        return Likeness(values=values, retype=list(dict.fromkeys(retype)), notes=notes)


def _leaves(value: Any, path: tuple[str, ...]):
    """Each (path, value) of a configuration: its objects whole (a field may hold one as
    JSON), then their members."""
    if path:
        yield path, value
    if isinstance(value, dict):
        for key, member in value.items():
            yield from _leaves(member, (*path, str(key)))


def _within(path: tuple[str, ...], secret: tuple[str, ...]) -> bool:
    """Does `path` hold, or lie inside, the secret at `secret` ("*" stands for any item)?"""
    shorter = min(len(path), len(secret))
    return all(a == b or b == "*" for a, b in zip(path[:shorter], secret[:shorter], strict=True))


def _unmasked(shown: Any, sent: Any, path: tuple[str, ...], unknown: list[str]) -> Any:
    """`shown` with each masked value replaced by the value at the same place in `sent`; the
    places where `sent` has none are added to `unknown` (their secret was set elsewhere)."""
    if isinstance(shown, dict):
        sent = sent if isinstance(sent, dict) else {}
        return {k: _unmasked(v, sent.get(k), (*path, str(k)), unknown) for k, v in shown.items()}
    if isinstance(shown, list):
        sent = sent if isinstance(sent, list) else []
        items = []
        for i, item in enumerate(shown):
            was = sent[i] if i < len(sent) else None
            if _masked_in(item) and not _same_but_masks(item, was):
                # Items moved or changed there: a kept secret would go into another item (one
                # endpoint's token beside another's URL). Not known here.
                unknown.append(".".join((*path, str(i))))
                items.append(item)
            else:
                items.append(_unmasked(item, was, (*path, str(i)), unknown))
        return items
    if shown in (REDACTED, PROVIDER_MASK):
        if sent in (None, "", REDACTED, PROVIDER_MASK):
            unknown.append(".".join(path))
        return sent
    return shown


def _redacted_inside(value: Any) -> bool:
    """Does a value hold a secret masked inside a longer text (the record masks a secret's value
    wherever it appears)? Copied, the mask would be sent as a value."""
    if isinstance(value, dict):
        return any(map(_redacted_inside, value.values()))
    if isinstance(value, list):
        return any(map(_redacted_inside, value))
    return isinstance(value, str) and REDACTED in value


def _masked_in(value: Any) -> bool:
    if isinstance(value, dict):
        return any(map(_masked_in, value.values()))
    if isinstance(value, list):
        return any(map(_masked_in, value))
    return value in (REDACTED, PROVIDER_MASK)


def _same_but_masks(shown: Any, sent: Any) -> bool:
    """Is `shown` what was `sent`, apart from the values masked in it?"""
    if shown in (REDACTED, PROVIDER_MASK):
        return sent not in (None, "")
    if isinstance(shown, dict):
        return (
            isinstance(sent, dict)
            and shown.keys() == sent.keys()
            and all(_same_but_masks(v, sent[k]) for k, v in shown.items())
        )
    if isinstance(shown, list):
        return (
            isinstance(sent, list)
            and len(shown) == len(sent)
            and all(map(_same_but_masks, shown, sent))
        )
    return shown == sent


def _checked_aws_region(form_class: type[AISquaredConnectorForm]) -> None:
    """Beside an AWS key pair, a free-text `region` is the bucket's AWS region: checked against
    AWS's regions and suggested from them, as every AWS region field here is."""
    name = SEP.join((PREFIX, "region"))
    field = form_class.base_fields.get(name)
    if type(field) is not forms.CharField or field.disabled:
        return
    needed_when = getattr(field, "needed_when", "")
    help_text = str(field.help_text or "").removeprefix(needed_when).strip()
    described = {"help_text": help_text} if help_text else {}
    form_class.base_fields[name] = aws_region_field(
        label=field.label, required=field.required, initial=field.initial, **described
    )
    if needed_when:  # the schema requires it under a condition: the new field says so too
        said_when(form_class.base_fields[name], needed_when)


def _picker_says_when(form_class: type[AISquaredConnectorForm], slot: Slot) -> None:
    """The picker of a slot whose fields the schema requires only under a condition (S3's key
    pair, for an IAM user) says when, as those fields do: without script, it stays on the page
    whatever is chosen."""
    picker = form_class.base_fields.get(USE + slot.name)
    fields = [form_class.base_fields.get(SEP.join((PREFIX, *path))) for path in slot.paths]
    said = {getattr(field, "needed_when", "") for field in fields}
    if picker is not None and len(said) == 1 and (words := said.pop()):
        said_when(picker, words)


def _fold_into_one_field(form_class: type[AISquaredConnectorForm], slot: Slot) -> None:
    """Replace the fields generated for a key file's object by the one pasted JSON field."""
    prefix = SEP.join((PREFIX, slot.name))
    for name in [n for n in form_class.base_fields if n == prefix or n.startswith(prefix + SEP)]:
        del form_class.base_fields[name]
        form_class.built.paths.pop(name, None)
        form_class.built.types.pop(name, None)
        form_class.built.secrets.discard(name)
        form_class.built.needs.pop(name, None)
    form_class.built.layout = [node for node in form_class.built.layout if node.name != prefix]
