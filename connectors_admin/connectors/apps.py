from __future__ import annotations

from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "connectors_admin.connectors"
    label = "connectors"
    verbose_name = "Connectors"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the periodic jobs)
