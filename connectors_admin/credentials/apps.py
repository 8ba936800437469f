from __future__ import annotations

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "connectors_admin.credentials"
    label = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the periodic jobs)
