from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from connectors_admin.providers import TEMPLATES, ConnectorTemplate, get_template


def template_choices() -> list[tuple[str, str]]:
    return [(slug, template.label) for slug, template in TEMPLATES.items()]


class Connector(models.Model):
    """A connector a provider created for us, with the last record it returned."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="connectors")
    credential = models.ForeignKey(
        "credentials.Credential",
        null=True,
        on_delete=models.SET_NULL,
        related_name="connectors",
        help_text="A credential cannot be deleted while a connector that is not deleted uses it.",
    )
    provider = models.CharField(max_length=30)
    template = models.CharField(max_length=50, choices=template_choices)
    remote_id = models.CharField("provider's id", max_length=255)
    remote_status = models.CharField("status", max_length=50, blank=True)
    name = models.CharField(max_length=255, blank=True)
    summary = models.JSONField(default=dict)  # label -> value, as shown
    record = models.JSONField(default=dict)  # the provider's object, secrets masked
    context = models.JSONField(default=dict)  # what refresh needs (project id, residency...)
    # Secrets sent with the configuration (the provider never returns them), encrypted, so the
    # connection can be checked again later.
    secret_config = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    DELETED = "deleted"

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["team", "-created_at"])]

    def __str__(self) -> str:
        return self.name or self.remote_id

    @property
    def template_obj(self) -> ConnectorTemplate:
        return get_template(self.template)

    @property
    def status_label(self) -> str:
        return self.remote_status or self.template_obj.provider.empty_status


class Submission(models.Model):
    """One call to a provider on behalf of a user: a create or a refresh, whatever its outcome."""

    class Action(models.TextChoices):
        CREATE = "create", "Create"
        REFRESH = "refresh", "Refresh"
        CHECK = "check", "Check connection"
        DELETE = "delete", "Delete"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    credential = models.ForeignKey(
        "credentials.Credential",
        null=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    provider = models.CharField(max_length=30)
    template = models.CharField(max_length=50, choices=template_choices)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.CREATE)
    connector = models.ForeignKey(
        Connector, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    # The one-time token of the rendered form: a second POST with it replays the first result.
    form_token = models.UUIDField(null=True, blank=True, editable=False)
    request = models.JSONField(default=dict)  # method, url, headers, body, curl; redacted
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)  # redacted, capped
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    error_kind = models.CharField(max_length=20, blank=True)
    error_message = models.TextField(blank=True)
    field_errors = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "form_token"],
                condition=models.Q(form_token__isnull=False),
                name="one_submission_per_form_token",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.template} ({self.outcome})"
