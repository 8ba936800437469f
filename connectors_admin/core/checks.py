from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def sandbox_off_in_production(app_configs, **kwargs):
    """The sandbox imitates providers for local use; in production it would answer instead of
    them, and its fault endpoint takes anonymous requests."""
    if settings.SANDBOX and not settings.DEBUG:
        return [
            Warning(
                "SANDBOX is on with DEBUG off: provider URLs left unset point at the local "
                "imitation, and /sandbox/ is served to anyone.",
                hint="Unset SANDBOX in production and set every provider URL you use.",
                id="connectors_admin.W001",
            )
        ]
    return []
