from __future__ import annotations

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "connectors_admin.credentials"
    label = "credentials"
    verbose_name = "Credentials"
