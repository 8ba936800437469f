from __future__ import annotations

from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "connectors_admin.sandbox"
    label = "sandbox"
    verbose_name = "Sandbox (local provider imitations)"
