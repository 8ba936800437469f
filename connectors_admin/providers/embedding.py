"""Storage secrets that a connector's configuration embeds (a Google service-account key, an AWS
key pair, a database login), declared with the template so that the form can offer the team's
stored credentials for them and the record can keep a link to every credential it embeds.

A slot says which credential kinds fill it and, declaratively, where each credential value goes
in the configuration, so that a rotated secret can be pushed into every copy later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from django import forms

from connectors_admin.core.redaction import strings_in
from connectors_admin.core.safety import JSONTooDeep, has_control_characters, loads_bounded

from .schema_forms import SecretTextarea

# Where a value comes from: ("public" | "secret", the credential's field, how to read it).
Source = tuple[str, str, str]


@dataclass(frozen=True)
class Slot:
    """A part of a configuration that a stored credential can fill."""

    name: str  # unique within the form, such as "credentials_json"
    label: str  # "Google service account"
    kinds: tuple[str, ...]  # credential kinds that fill it
    targets: tuple[tuple[tuple[str, ...], Source], ...]  # configuration path <- credential value
    optional: bool = False  # "may take": typing the values stays the default
    one_json_field: bool = False  # typed by hand as one pasted JSON document

    @property
    def paths(self) -> tuple[tuple[str, ...], ...]:
        return tuple(path for path, _ in self.targets)

    def mapping(self) -> list[list[Any]]:
        """The targets as JSON, kept with a connector so a rotated secret can be pushed."""
        return [[list(path), list(source)] for path, source in self.targets]


def read_value(source: Source | list[str], public: dict[str, Any], secrets: dict[str, str]) -> Any:
    where, name, how = source
    raw = (public if where == "public" else secrets).get(name, "")
    if how == "json":
        return json.loads(raw)
    if how in ("uri_user", "uri_password"):
        parts = urlsplit(str(raw))
        value = parts.username if how == "uri_user" else parts.password
        return unquote(value or "")
    return raw


def fill(
    config: dict[str, Any], mapping, public: dict[str, Any], secrets: dict[str, str]
) -> list[str]:
    """Write a credential's values into `config` along `mapping` (a slot's targets, or the
    JSON kept with a connector); the secret strings written, for the redactor."""
    written: list[str] = []
    for path, source in mapping:
        value = read_value(source, public, secrets)
        target = config
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
        if source[0] == "secret":
            written += strings_in(value)
    return [w for w in written if w]


# --- finding slots in a JSON Schema --------------------------------------------------------------
SERVICE_ACCOUNT_KEYS = {"private_key", "client_email"}
AWS_PAIRS = (("access_key_id", "secret_access_key"), ("access_id", "secret_access"))


def slots_in_schema(schema: dict[str, Any]) -> list[Slot]:
    """The embedded secrets a connection specification carries, found by their shape."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return []
    found: list[Slot] = []
    for key, spec in properties.items():
        inner = spec.get("properties") if isinstance(spec, dict) else None
        if isinstance(inner, dict) and set(inner) >= SERVICE_ACCOUNT_KEYS:
            found.append(
                Slot(
                    name=key,
                    label="Google service account",
                    kinds=("gcp",),
                    targets=(((key,), ("secret", "service_account_json", "json")),),
                    one_json_field=True,
                )
            )
        if isinstance(inner, dict) and {"username", "password"} <= set(inner):
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
                )
            )
    return found


# --- a service-account key typed by hand ---------------------------------------------------------
SERVICE_ACCOUNT_REQUIRED = ("project_id", "private_key_id", "private_key", "client_email")
MAX_KEY_FILE = 64 * 1024


def parse_service_account(text: str) -> dict[str, Any]:
    """A Google service-account key file's JSON, checked; ValueError says what is wrong."""
    if len(text.encode()) > MAX_KEY_FILE:
        raise ValueError("A key file is a few kilobytes; this one is over 64 KiB.")
    try:
        data = loads_bounded(text)
    except JSONTooDeep as error:
        raise ValueError(f"This is not a key file: {error}") from None
    except ValueError:
        raise ValueError(
            "This is not JSON: a key file is one JSON document, braces included."
        ) from None
    if not isinstance(data, dict) or data.get("type") != "service_account":
        raise ValueError(
            'This is not a service-account key (its "type" must be "service_account").'
        )
    if has_control_characters(data):
        raise ValueError("The key file holds a control character (such as NUL) in a value.")
    missing = [k for k in SERVICE_ACCOUNT_REQUIRED if not data.get(k)]
    if missing:
        raise ValueError(f"The key file lacks: {', '.join(missing)}.")
    if "PRIVATE KEY" not in str(data["private_key"]):
        raise ValueError("The key file's private_key is not a PEM private key.")
    return data


# --- the form side: "Use a stored credential" or "Enter it here" ------------------------------------
USE, KEY, KEYFILE = "use__", "keyjson__", "keyfile__"
ENTER_HERE = "here"


class ServiceAccountField(forms.CharField):
    """A whole service-account key file, pasted once; never rendered back."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "widget",
            SecretTextarea(attrs={"rows": 6, "class": "mono", "autocomplete": "off"}),
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


def slot_fields(slots: tuple[Slot, ...], context: Any) -> dict[str, forms.Field]:
    """The form fields that offer each slot: a choice of the team's stored credentials of its
    kinds (or "Enter it here"), and for a key file, one field to paste it and one to upload it."""
    fields: dict[str, forms.Field] = {}
    for slot in slots:
        options = context.stored(slot.kinds)
        fields[USE + slot.name] = forms.ChoiceField(
            label=slot.label,
            choices=[(ENTER_HERE, "Enter it here"), *options],
            required=False,  # a missing choice means "enter it here"
            initial=options[0][0] if options and not slot.optional else ENTER_HERE,
            help_text="Use one of your team's stored credentials, or enter the values here."
            if options
            else "Your team has no stored credential of this kind yet: enter it here.",
        )
        if slot.one_json_field:
            fields[KEY + slot.name] = ServiceAccountField(
                label=f"{slot.label} key file (JSON)",
                required=False,
                help_text="Paste the whole JSON key file once; its line breaks are kept.",
            )
            fields[KEY + slot.name].one_of = True  # one of these two is needed: not "optional"
            fields[KEYFILE + slot.name] = forms.FileField(
                label="…or upload the key file",
                required=False,
                help_text="The .json file downloaded from Google Cloud; at most 64 KiB.",
                widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
            )
            fields[KEYFILE + slot.name].one_of = True
    return fields


class EmbeddedSecretsForm(forms.Form):
    """A form whose template embeds storage secrets (`slots`): each is filled from a stored
    credential the user picks (`resolve` gives its values, server side) or typed here."""

    slots: ClassVar[tuple[Slot, ...]] = ()
    resolve: ClassVar[Any] = staticmethod(lambda pk, kinds: None)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._filled: dict[str, Any] | None = None
        for slot in self.slots:
            if self.stored_choice(slot):  # the stored credential fills these fields
                for name in self.covered(slot):
                    self.fields[name].required = False

    def covered(self, slot: Slot) -> list[str]:
        """The fields a slot's values replace: by default, those named as its paths."""
        return [path[0] for path in slot.paths if len(path) == 1 and path[0] in self.fields]

    def stored_choice(self, slot: Slot) -> str:
        """The stored credential picked for `slot` ("" when it is entered here)."""
        name = USE + slot.name
        if self.is_bound:
            chosen = self.data.get(name, "")
        else:
            chosen = self.initial.get(name, self.fields[name].initial)
        return "" if chosen in (None, "", ENTER_HERE) else str(chosen)

    def clean_embedded(self) -> None:
        """Read a key file typed here (pasted or uploaded); call from `clean`."""
        for slot in self.slots:
            if slot.one_json_field and not self.stored_choice(slot):
                self._take_key_file(slot)

    def _take_key_file(self, slot: Slot) -> None:
        """An upload is read into the pasted field, so a failed attempt keeps it like any typed
        secret."""
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

    def embedded(self) -> dict[str, Any]:
        """What the picked stored credentials put in the configuration (`config`, by path),
        the secret strings written (`secrets`), and the links to keep (`links`)."""
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

    def typed_key_files(self) -> dict[str, Any]:
        """Key files typed here, by slot name (parsed JSON)."""
        return {
            slot.name: self.cleaned_data[KEY + slot.name]
            for slot in self.slots
            if slot.one_json_field
            and not self.stored_choice(slot)
            and self.cleaned_data.get(KEY + slot.name)
        }

    def picker_layout(self) -> list[str]:
        names: list[str] = []
        for slot in self.slots:
            names.append(USE + slot.name)
            if slot.one_json_field and not self.stored_choice(slot):
                names += [KEY + slot.name, KEYFILE + slot.name]
        return names

    def hidden_by_stored(self) -> set[str]:
        return {n for slot in self.slots if self.stored_choice(slot) for n in self.covered(slot)}

    def secret_names(self) -> list[str]:
        keys = [KEY + s.name for s in self.slots if s.one_json_field]
        return [*super().secret_names(), *keys]  # type: ignore[misc]
