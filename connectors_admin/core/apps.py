from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "connectors_admin.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401

        post_migrate.connect(_start_schedules, sender=self)


def _start_schedules(**kwargs) -> None:
    """Every deploy runs migrate: start any periodic job's chain that is missing."""
    from .scheduling import ensure_schedules

    ensure_schedules()
