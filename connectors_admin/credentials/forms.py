from __future__ import annotations

from typing import Any

from connectors_admin.providers.base import CredentialForm

from .models import Credential


def save_credential(form: CredentialForm, *, team: Any, provider: str, user: Any) -> Credential:
    credential = Credential(
        team=team,
        provider=provider,
        label=form.cleaned_data["label"],
        public=form.public_data(),
        created_by=user,
    )
    credential.set_secrets(form.secret_data(), user)
    credential.save()
    return credential


def label_is_taken(team: Any, provider: str, label: str) -> bool:
    return Credential.objects.filter(team=team, provider=provider, label=label).exists()
