from __future__ import annotations

import json
from functools import cache

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from connectors_admin.core.admin_lists import LeanChangelist, declared_filter
from connectors_admin.providers import PROVIDERS, TEMPLATES

from .filters import declared_statuses, status_spellings
from .models import Attempt, Connector, EmbeddedCredential, Submission


class RecordsOnly:
    """What providers answered and what was sent: operators read it, nobody edits or deletes it
    here. A connector marked deleted or removed by hand would leave one live at its provider
    unrecorded, and free its credential for a delete that protection exists to refuse; a
    removed operation would take its history away. None of it would reach the audit trail."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _pretty(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True))


class SubmissionInline(admin.TabularInline):
    model = Submission
    extra = 0
    can_delete = False
    fields = ["created_at", "operation", "user", "outcome", "response_status", "duration_ms"]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description="Operation")
    def operation(self, obj: Submission) -> str:
        return obj.action_label

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
class AttemptAdmin(RecordsOnly, admin.ModelAdmin):
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


def _providers():
    return [(slug, provider.label) for slug, provider in PROVIDERS.items()]


def _statuses():
    return [(status, status) for status in declared_statuses()]


def _operations():
    slugs = {a.slug: a.label for t in TEMPLATES.values() for a in t.actions}
    return [*Submission.OPERATIONS.items(), *sorted(slugs.items())]


@admin.register(Connector)
class ConnectorAdmin(RecordsOnly, LeanChangelist, admin.ModelAdmin):
    list_display = [
        "remote_id",
        "name",
        "template",
        "team",
        "remote_status",
        "created_by",
        "created_at",
    ]
    list_filter = [
        declared_filter("provider", "provider", _providers),
        "template",
        declared_filter("remote_status", "status", _statuses, status_spellings),
        "team",
    ]
    # Name and provider's id only: both use trigram indexes on PostgreSQL (no joins, no ORs
    # across tables).
    search_fields = ["name", "remote_id"]
    list_select_related = ["team", "created_by"]
    list_defer = ("summary", "record", "context", "secret_config", "last_error")
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
        "refresh_queued_at",
        "refresh_task",
        "refresh_tried_at",
        "last_error",
        "record_json",
        "context",
    ]
    exclude = ["record", "summary"]
    inlines = [EmbeddedCredentialInline, SubmissionInline]

    @admin.display(description="Record as returned")
    def record_json(self, obj: Connector) -> str:
        return _pretty(obj.record)


SLOT = "0CREDENTIALSLOT0"


@cache
def _credential_url() -> tuple[str, str]:
    """A credential's change page, around its key: reversed once, not once a row."""
    before, _, after = reverse("admin:credentials_credential_change", args=[SLOT]).partition(SLOT)
    return before, after


@admin.register(Submission)
class SubmissionAdmin(RecordsOnly, LeanChangelist, admin.ModelAdmin):
    list_display = [
        "created_at",
        "operation",
        "subject",
        "team",
        "user",
        "outcome",
        "response_status",
        "duration_ms",
    ]
    # Dates by range (today, past 7 days…): a date hierarchy would scan the table for its years.
    list_filter = [
        "created_at",
        "outcome",
        "reconciliation",
        "routine",
        declared_filter("action", "operation", _operations),
        declared_filter("provider", "provider", _providers),
        "template",
        "team",
    ]
    # The connector's provider id, exactly (indexed through the connector), or the user.
    search_fields = ["=connector__remote_id", "=user__username"]
    # The credential for a test's row, in the same query: its label and kind, nothing else.
    list_select_related = ["team", "user", "credential"]
    list_defer = (
        "request",
        "response_body",
        "field_errors",
        "identity",
        "context",
        "secret_config",
        "error_message",
        "credential__public",
        "credential__secret_ciphertext",
        "credential__secret_hints",
        "credential__last_check_message",
    )
    exclude = ["request", "action"]  # the operation is said by its label
    readonly_fields = [
        "team",
        "user",
        "credential",
        "provider",
        "template",
        "operation",
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
        "routine",
        "identity",
        "context",
        "created_at",
        "finished_at",
    ]
    inlines = [AttemptInline]

    @admin.display(description="Operation", ordering="action")
    def operation(self, obj: Submission) -> str:
        return obj.action_label

    @admin.display(description="About", ordering="template")
    def subject(self, obj: Submission) -> str:
        """Its template; for an operation made with a credential alone (a test of it), that
        credential, linked, and its kind."""
        if obj.template:
            template = TEMPLATES.get(obj.template)
            return template.label if template is not None else obj.template
        if obj.credential_id is None:
            return f"{obj.subject} (since deleted)"
        before, after = _credential_url()
        return format_html(
            '<a href="{}{}{}">{}</a> ({})',
            before,
            obj.credential_id,
            after,
            obj.credential.label,
            obj.subject,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.template == "" and obj.credential_id is not None:
            # The credential by its name, not its kind alone (every test of a Mixpanel
            # credential would read the same).
            context["subtitle"] = (
                f"{obj.action_label}: {obj.credential.label}, {obj.subject} "
                f"({obj.get_outcome_display().lower()})"
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="Request as sent (redacted)")
    def request_json(self, obj: Submission) -> str:
        return _pretty(obj.request)
