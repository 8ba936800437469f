from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from .models import Attempt, Connector, EmbeddedCredential, Submission


def _pretty(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True))


class SubmissionInline(admin.TabularInline):
    model = Submission
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "user", "outcome", "response_status", "duration_ms"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EmbeddedCredentialInline(admin.TabularInline):
    model = EmbeddedCredential
    extra = 0
    can_delete = False
    fields = ["credential", "slot", "embedded_at", "current"]
    readonly_fields = fields

    @admin.display(boolean=True, description="Carries the current secret")
    def current(self, obj: EmbeddedCredential) -> bool:
        return obj.is_current

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["number", "method", "url", "response_status", "duration_ms", "error_kind"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["created_at", "method", "url", "response_status", "duration_ms", "error_kind"]
    list_filter = ["method", "error_kind"]
    list_select_related = ["submission"]
    exclude = ["request"]
    readonly_fields = [
        "submission",
        "number",
        "method",
        "url",
        "request_json",
        "response_status",
        "response_body",
        "duration_ms",
        "error_kind",
        "error_message",
        "created_at",
    ]

    @admin.display(description="Request as sent (redacted)")
    def request_json(self, obj: Attempt) -> str:
        return _pretty(obj.request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin):
    list_display = ["remote_id", "template", "team", "remote_status", "created_by", "created_at"]
    list_filter = ["provider", "template", "remote_status", "team"]
    search_fields = ["remote_id", "name", "team__name", "created_by__username"]
    list_select_related = ["team", "created_by"]
    readonly_fields = [
        "id",
        "team",
        "credential",
        "provider",
        "template",
        "remote_id",
        "remote_status",
        "created_by",
        "created_at",
        "refreshed_at",
        "last_error",
        "record_json",
        "context",
    ]
    exclude = ["record", "summary"]
    inlines = [EmbeddedCredentialInline, SubmissionInline]

    @admin.display(description="Record as returned")
    def record_json(self, obj: Connector) -> str:
        return _pretty(obj.record)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "action",
        "template",
        "team",
        "user",
        "outcome",
        "response_status",
        "duration_ms",
    ]
    list_filter = ["outcome", "reconciliation", "action", "provider", "template", "team"]
    search_fields = ["error_message", "team__name", "user__username", "connector__remote_id"]
    list_select_related = ["team", "user"]
    date_hierarchy = "created_at"
    exclude = ["request"]
    readonly_fields = [
        "team",
        "user",
        "credential",
        "provider",
        "template",
        "action",
        "connector",
        "form_token",
        "request_json",
        "response_status",
        "response_body",
        "duration_ms",
        "outcome",
        "error_kind",
        "error_message",
        "field_errors",
        "reconciliation",
        "identity",
        "context",
        "created_at",
        "finished_at",
    ]
    inlines = [AttemptInline]

    @admin.display(description="Request as sent (redacted)")
    def request_json(self, obj: Submission) -> str:
        return _pretty(obj.request)

    def has_add_permission(self, request) -> bool:
        return False
