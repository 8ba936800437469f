"""Forms over a credential kind: add (everything), edit (non-secret fields), rotate (secrets only)
and compare (is this the same secret?)."""

from __future__ import annotations

from typing import Any

from django import forms

from connectors_admin.providers.base import CredentialForm

from .kinds import CredentialKind
from .models import Credential


def add_form(kind: CredentialKind, data=None, files=None) -> CredentialForm:
    return kind.form_class(data=data, files=files)


def edit_form(kind: CredentialKind, credential: Credential, data=None) -> CredentialForm:
    form = kind.form_class(data=data, initial={"label": credential.label, **credential.public})
    for name in kind.form_class.secret_input_names():
        del form.fields[name]
    form.stored_secrets = credential.secrets  # for a check of what is edited against them
    # Fields derived from a secret (a key file's client email) are not edited by hand.
    for name in list(form.fields):
        if name != "label" and name not in credential.public:
            del form.fields[name]
    # Where its connectors are stays put while they are live: refused, and said up front.
    for name in kind.form_class.place_fields:
        field = form.fields.get(name)
        why = credential.place_fixed(str(field.label)) if field is not None else ""
        if why:
            field.help_text = why
            field.validators.append(_stays(credential.public.get(name), why))
    return form


def _stays(stored: Any, message: str):
    def validate(value: Any) -> None:
        if str(value) != str(stored):
            raise forms.ValidationError(message, code="place_in_use")

    return validate


def rotate_form(
    kind: CredentialKind, credential: Credential, data=None, files=None
) -> CredentialForm:
    form = kind.form_class(data=data, files=files)
    keep = set(kind.form_class.secret_input_names())
    for name in list(form.fields):
        if name not in keep and name not in kind.form_class.rotated_with:
            del form.fields[name]
    for name in kind.form_class.rotated_with:
        field = form.fields[name]
        field.required = False
        stored = credential.public.get(name, "")
        field.help_text = (
            f"Now {stored}. A new key comes with its own id: type it here. Left empty, it stays."
        )
    # Checks across fields (a password needs its user) read the rest from what is stored.
    form.stored = dict(credential.public)
    return form


def compare_form(kind: CredentialKind, data=None) -> forms.Form:
    form = forms.Form(data=data)
    blank = kind.form_class()
    for name in kind.secret_fields:
        named = getattr(kind.form_class, "secret_labels", {})
        label = (
            blank.fields[name].label
            if name in blank.fields
            else named.get(name) or name.replace("_", " ").capitalize()
        )
        form.fields[name] = forms.CharField(
            label=label,
            required=len(kind.secret_fields) == 1,
            strip=False,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        )
    return form


def label_is_taken(team: Any, kind: str, label: str, exclude: int | None = None) -> bool:
    others = Credential.objects.filter(team=team, kind=kind, label=label)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return others.exists()
