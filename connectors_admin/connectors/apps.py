from __future__ import annotations

from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "connectors_admin.connectors"
    label = "connectors"
    verbose_name = "Connectors"
