from __future__ import annotations

from django.contrib import admin

from .models import ScheduledJob


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    """The periodic jobs' chains: when each last ran and what it said. Read-only: the chain
    itself keeps them (manage.py ensure_schedules starts a missing one)."""

    list_display = ["name", "last_run_at", "next_run_at", "last_outcome"]
    readonly_fields = ["name", "result_id", "next_run_at", "last_run_at", "last_outcome"]

    def has_add_permission(self, request) -> bool:
        return False
