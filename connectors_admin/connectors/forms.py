from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet

from connectors_admin.credentials.models import Credential
from connectors_admin.providers.base import ConnectorForm, ConnectorTemplate


class CredentialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Credential) -> str:
        return f"{obj.label} ({obj.hint_text()})"


def build_form(
    template: ConnectorTemplate,
    credentials: QuerySet[Credential],
    data: Any = None,
    credential: Credential | None = None,
) -> ConnectorForm:
    """The template's form with the team's credentials for its provider in front.

    Unbound, the fields listed in `credential_defaults` start from the chosen credential.
    """
    initial: dict[str, Any] = {}
    if credential is None and data is None:
        credential = credentials.first()
    if credential is not None:
        initial["credential"] = credential.pk
        initial.update(
            {
                k: v
                for k, v in credential.public.items()
                if k in template.form_class.credential_defaults
            }
        )
    form = template.form_class(data=data, initial=initial)
    field = CredentialChoiceField(
        queryset=credentials,
        empty_label=None,
        label="Credential",
        help_text="The stored service account this connector is created with.",
    )
    form.fields = {"credential": field, **form.fields}
    return form


def form_token(data: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(data.get("form_token", "")))
    except ValueError:
        return None
