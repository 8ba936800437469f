from __future__ import annotations

from django.contrib import admin

from .models import SandboxConnector, SandboxFault


@admin.register(SandboxConnector)
class SandboxConnectorAdmin(admin.ModelAdmin):
    list_display = ["remote_id", "provider", "scope", "created_at"]
    list_filter = ["provider"]
    search_fields = ["remote_id", "scope"]


@admin.register(SandboxFault)
class SandboxFaultAdmin(admin.ModelAdmin):
    list_display = ["provider", "mode", "status", "delay_ms", "times", "created_at"]
    list_filter = ["provider", "mode"]
