from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "connectors_admin.accounts"
    label = "accounts"
    verbose_name = "Teams and members"

    def ready(self) -> None:
        # Before the URL configuration is loaded, which would import it.
        from .webauthn import defer_webauthn

        defer_webauthn()
