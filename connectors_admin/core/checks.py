from __future__ import annotations

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


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


@register(Tags.security)
def credential_keys_are_fernet_keys(app_configs, **kwargs):
    """A malformed CREDENTIAL_KEYS entry would fail the first time a secret is read or written:
    refuse to start instead. The message names the variable and the position, never a key."""
    errors = []
    for position, key in enumerate(settings.CREDENTIAL_KEYS, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            errors.append(
                Error(
                    f"CREDENTIAL_KEYS entry {position} is not a Fernet key.",
                    hint="Each entry is 32 url-safe base64-encoded bytes (44 characters); "
                    "generate one with Fernet.generate_key().",
                    id="connectors_admin.E001",
                )
            )
    return errors
