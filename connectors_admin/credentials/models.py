from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from connectors_admin.core import crypto
from connectors_admin.providers import PROVIDERS, Provider, get_provider


def provider_choices() -> list[tuple[str, str]]:
    return [(slug, provider.label) for slug, provider in PROVIDERS.items()]


class Credential(models.Model):
    """A provider's API credential stored once for a team.

    Non-secret fields live in `public`; the secret fields are one encrypted JSON document in
    `secret_ciphertext`, which nothing displays. `secret_hints` keeps the last four characters of
    each secret so people can tell credentials apart.
    """

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="credentials")
    provider = models.CharField(max_length=30, choices=provider_choices)
    label = models.CharField(max_length=100)
    public = models.JSONField(default=dict, blank=True)
    secret_ciphertext = models.TextField(editable=False)
    secret_hints = models.JSONField(default=dict, editable=False)
    secret_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    secret_set_at = models.DateTimeField(null=True, editable=False)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "provider", "label"], name="credential_label_unique_per_team"
            )
        ]

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"<Credential {self.pk} {self.provider} {self.label!r}>"

    @property
    def provider_obj(self) -> Provider:
        return get_provider(self.provider)

    def set_secrets(self, secrets: dict[str, str], user: Any = None) -> None:
        self.secret_ciphertext = crypto.encrypt_json(secrets)
        self.secret_hints = {name: crypto.hint(value) for name, value in secrets.items()}
        self.secret_set_by = user if getattr(user, "is_authenticated", False) else None
        self.secret_set_at = timezone.now()

    def secrets(self) -> dict[str, str]:
        return crypto.decrypt_json(self.secret_ciphertext)

    def client(self):
        return self.provider_obj.client(self.public, self.secrets())

    def hint_text(self) -> str:
        hints = [f"…{hint}" for hint in self.secret_hints.values() if hint]
        return ", ".join(hints) or "stored"
