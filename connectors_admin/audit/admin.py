from __future__ import annotations

from django.contrib import admin

from connectors_admin.core.admin_lists import LeanChangelist

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(LeanChangelist, admin.ModelAdmin):
    """Read-only: operators can browse and search the trail, never change or delete it."""

    list_display = ["created_at", "action", "actor_name", "team", "target_label", "client_ip"]
    list_filter = ["created_at", "action", "team"]
    search_fields = ["=actor_name", "=target_id", "=request_id"]
    list_defer = ("before", "after", "message")
    list_select_related = ["team"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
