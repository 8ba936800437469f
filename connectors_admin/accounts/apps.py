from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "connectors_admin.accounts"
    label = "accounts"
    verbose_name = "Teams and members"
