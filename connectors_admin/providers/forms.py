"""The bases of the forms providers declare: a credential's fields (which of them are secret)
and a connector template's fields (what is sent, kept and reloaded)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.forms.widgets import Input

from connectors_admin.core.crypto import DecryptionError
from connectors_admin.core.safety import NOT_ONE_LINE


def is_file_input(field: forms.Field) -> bool:
    """Is the field given by choosing a file (said "choose the file again", not "type it")?"""
    return isinstance(field.widget, forms.FileInput)


@dataclass
class FormContext:
    """What a template may use to build its form: the chosen credential's client, the request's
    values, a per-credential cache for catalogues fetched from the provider, and the team's
    stored credentials of given kinds (`stored` lists them as choices; `resolve` gives one's
    public and secret values, or None when it is not the team's or not of those kinds;
    `public` its public values alone, nothing decrypted, for what a form says before a submit).

    `cached(key, fetch)` gives what is kept under `key` for the chosen credential, or else
    calls `fetch(client)` with a client of it (its exchanges recorded as one operation, as every
    call is) and keeps what it returns; raises ProviderError when it cannot be had."""

    client: Callable[[], Any] | None  # makes the chosen credential's ProviderClient
    params: Mapping[str, Any]
    cached: Callable[[str, Callable[[Any], Any]], Any]
    stored: Callable[[tuple[str, ...]], list[tuple[str, str]]] = lambda kinds: []
    resolve: Callable[[str, tuple[str, ...]], tuple[dict, dict] | None] = lambda pk, kinds: None
    public: Callable[[str, tuple[str, ...]], dict | None] = lambda pk, kinds: None


def one_line(value: Any) -> None:
    """A value typed into a one-line input holds no line break or other control character
    (a crafted post can send one; in a header, no request could carry it). Never quoted."""
    if isinstance(value, str) and NOT_ONE_LINE.search(value):
        raise forms.ValidationError(
            "Type this on one line: it holds a line break or another control character.",
            code="control_character",
        )


class CredentialForm(forms.Form):
    """Base for a provider's credential fields. `secret_fields` are encrypted and write-only.
    Every one-line input (not a text area, a file or a choice) takes one line of text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, Input) and not isinstance(
                widget, forms.FileInput | forms.CheckboxInput
            ):
                field.validators.append(one_line)

    secret_fields: ClassVar[tuple[str, ...]] = ()
    # The fields that say where its calls go (a cluster; an instance and a workspace): the
    # connectors made with it are there, and are known there by ids that another place may
    # give to other connectors. So a place does not change while they are live, and a
    # connector is recorded once per place, not once per provider.
    place_fields: ClassVar[tuple[str, ...]] = ()
    # The inputs that carry the secrets (a key file, say); rotating a secret asks for these.
    secret_inputs: ClassVar[tuple[str, ...] | None] = None
    # Fields that are not secret but are issued anew with the secret (an AWS key's id: AWS
    # never gives an existing id a new secret). Rotating asks for them too, optional: left
    # empty, the stored value stays.
    rotated_with: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def secret_input_names(cls) -> tuple[str, ...]:
        return cls.secret_inputs if cls.secret_inputs is not None else cls.secret_fields

    # A rotate form's stored values of the fields it does not ask for (see `current`).
    stored: dict[str, Any] = {}

    def current(self, name: str) -> Any:
        """A field's value as the credential will hold it: what was typed, or, in a form that
        does not ask for it (rotating a secret), the stored value. For checks across fields."""
        return self.cleaned_data.get(name) if name in self.fields else self.stored.get(name)

    # An edit form's way to the stored secrets, which it does not ask for (decrypted only when
    # a check across fields needs one); None in a form that asks for them.
    stored_secrets: Callable[[], dict[str, str]] | None = None

    def secret_value(self, name: str) -> str | None:
        """A secret as the credential will hold it: what was typed or, in an edit form, the
        stored one (None when it cannot be read)."""
        if name in self.fields or self.stored_secrets is None:
            return self.cleaned_data.get(name)
        try:
            return self.stored_secrets().get(name)
        except DecryptionError:
            return None

    def normalize_secret(self, name: str, value: str) -> str:
        """How a pasted value is compared with the stored secret."""
        return value.strip()

    label = forms.CharField(
        max_length=100, help_text="A name your team will recognise, such as “Production”."
    )

    # What a secret's hint is the end of, where it is not the secret's own (a key file's hint
    # is its key id's end): the page says so instead of "<the secret> ends with".
    hint_of: ClassVar[dict[str, str]] = {}

    def hint_for(self, name: str, value: str) -> str:
        """What of a secret may be shown: by default its last four characters."""
        return value[-4:] if len(value) >= 8 else ""

    def public_data(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.secret_fields and name != "label"
        }

    def secret_data(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.secret_fields}

    def _secrets_given(self, files: bool) -> list[str]:
        if not self.is_bound:
            return []
        return [
            str(self.fields[name].label)
            for name in self.secret_input_names()
            if name in self.fields
            and is_file_input(self.fields[name]) == files
            and (self.data.get(name) or self.files.get(name))
        ]

    def secrets_to_retype(self) -> list[str]:
        """The labels of the secret inputs something was typed into: a form sent back with
        errors shows them empty (a secret never goes back to the browser), so it says so."""
        return self._secrets_given(files=False)

    def files_to_choose_again(self) -> list[str]:
        """The labels of the secret file inputs a file was chosen in: a browser never keeps
        a chosen file across a page, so the form sent back asks to choose it again."""
        return self._secrets_given(files=True)


class ConnectorForm(forms.Form):
    """Base for a template's form. The view adds the `credential` field in front."""

    # Fields whose initial value comes from the chosen credential's stored (public) fields.
    credential_defaults: ClassVar[tuple[str, ...]] = ()
    # Fields whose change re-renders the form (its other fields depend on them).
    reload_on: ClassVar[tuple[str, ...]] = ()
    # Those of them that change only how the form is shown (fields or raw JSON), not what it
    # sends: secrets typed before such a reload are kept across it.
    view_choices: ClassVar[tuple[str, ...]] = ()
    # A message shown instead of fields when the form cannot be built (catalogue unreachable).
    problem: ClassVar[str] = ""
    # Offer to fetch again what the form was built from (a provider's catalogue), and a search box
    # over one long select.
    refreshable: ClassVar[str] = ""  # the button's label, or "" for none
    searchable: ClassVar[str] = ""  # the name of the select to search, or ""

    def __init__(self, *args, kept: Mapping[str, Any] | None = None, **kwargs) -> None:
        """`kept`: the secrets typed into an earlier try of this form, kept encrypted between
        tries; each fills its input where this try left it empty."""
        data = kwargs.get("data")
        if data is not None and kept:
            data = kwargs["data"] = data.copy()
            for name, value in kept.items():
                if name in self.base_fields and not data.get(name):
                    data[name] = value
        super().__init__(*args, **kwargs)

    @property
    def searchable_count(self) -> int:
        """How many choices the searchable select offers (in its groups too); 0 with none."""
        field = self.fields.get(self.searchable) if self.searchable else None
        count = 0
        for value, label in getattr(field, "choices", None) or ():
            if isinstance(label, list | tuple):
                count += sum(1 for option, _ in label if option != "")
            elif value != "":
                count += 1
        return count

    def layout(self) -> list[Any]:
        """The fields to render after the credential, as names or groups (see schema_forms)."""
        return [name for name in self.fields if name != "credential"]

    def secret_names(self) -> list[str]:
        return [n for n, f in self.fields.items() if isinstance(f.widget, forms.PasswordInput)]

    def typed_secrets(self, source: Mapping[str, Any]) -> dict[str, Any]:
        """What was typed into the secret inputs of `source` (a request's values), to keep
        encrypted between attempts."""
        return {n: source.get(n) for n in self.secret_names() if source.get(n)}

    def kept_with(self, kept: Mapping[str, Any], source: Mapping[str, Any]) -> dict[str, Any]:
        """The secrets to keep for the next try: those kept before, each replaced by one typed
        anew into `source`."""
        return {**kept, **self.typed_secrets(source)}

    def error_field(self, name: str) -> str | None:
        """The field where a provider's error about `name` is said (None: the whole form)."""
        return name if name in self.fields else None

    def add_provider_error(self, name: str, message: str) -> None:
        """Say the provider's error about its field `name` where the user sees it."""
        self.add_error(self.error_field(name), message)

    def provider_data(self) -> dict[str, Any]:
        """What the client's build_create receives."""
        return {k: v for k, v in self.cleaned_data.items() if k != "credential"}

    def record_context(self) -> dict[str, Any]:
        """The non-secret inputs a later refresh or check of the record needs."""
        return {n: self.cleaned_data[n] for n in self.credential_defaults if n in self.cleaned_data}

    def identity(self) -> dict[str, Any]:
        """Non-secret values that let the provider's list find this connector again, should the
        answer to its create be lost."""
        return self.record_context()

    def configuration_secrets(self) -> dict[str, Any]:
        """The secret part of what was sent, kept encrypted with the record for later checks."""
        return {}


class NoInputs(forms.Form):
    """An import that needs nothing but the credential (the place is the credential's)."""
