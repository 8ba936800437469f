from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "connectors_admin.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import checks  # noqa: F401
