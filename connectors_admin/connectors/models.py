from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from connectors_admin.core.fields import EncryptedTextField
from connectors_admin.credentials import testing as credential_testing
from connectors_admin.providers import PROVIDERS, TEMPLATES, ConnectorTemplate, get_template
from connectors_admin.providers.base import Action, Original


def template_choices() -> list[tuple[str, str]]:
    return [(slug, template.label) for slug, template in TEMPLATES.items()]


def provider_choices() -> list[tuple[str, str]]:
    return [(slug, provider.label) for slug, provider in PROVIDERS.items()]


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
    provider = models.CharField(max_length=30, choices=provider_choices)
    template = models.CharField(max_length=50, choices=template_choices)
    remote_id = models.CharField("provider's id", max_length=255)
    remote_status = models.CharField("status", max_length=50, blank=True)
    name = models.CharField(max_length=255, blank=True)
    summary = models.JSONField(default=dict)  # label -> value, as shown
    record = models.JSONField(default=dict)  # the provider's object, secrets masked
    context = models.JSONField(default=dict)  # what refresh needs (project id, residency...)
    # Secrets sent with the configuration (the provider never returns them), encrypted, so the
    # connection can be checked again later.
    secret_config = EncryptedTextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # When the scheduled refresh queued this connector; cleared once its refresh has run. While
    # set (and recent), the schedule does not queue it again.
    refresh_queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The queued task's id: a mark older than the lease still holds while that task waits.
    refresh_task = models.CharField(max_length=64, blank=True, editable=False)
    # When a scheduled refresh last ran for it, whatever came of it: the schedule takes the
    # least recently tried first, so connectors that keep failing do not crowd out the rest.
    refresh_tried_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    DELETED = "deleted"

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["team", "-created_at"]),
            # The operators' admin lists every team's connectors, newest first.
            models.Index(fields=["-created_at"], name="connector_newest"),
            # The list's filters by template and by status, newest first.
            models.Index(
                fields=["team", "template", "-created_at"], name="connector_team_template"
            ),
            models.Index(
                fields=["team", "remote_status", "-created_at"], name="connector_team_status"
            ),
            # Provider and status together (a provider's own statuses). With the id as its last
            # key (the list's tie-break), a deep page's ids and the capped count come from the
            # index alone.
            models.Index(
                fields=["team", "provider", "remote_status", "-created_at", "-id"],
                name="connector_provider_status",
            ),
            # Live connectors whose last refresh or action left an error (few, most of the
            # time): the dashboard's "Needs attention" counts a team's from the index alone (the
            # status is in it, to leave out those counted as failing), and the list's filter
            # reads them newest first.
            models.Index(
                fields=["team", "-created_at", "remote_status"],
                condition=models.Q(deleted_at=None) & ~models.Q(last_error=""),
                name="connector_live_problem",
            ),
            # A credential's live connectors: how many still use one that is disabled.
            models.Index(
                fields=["credential"],
                condition=models.Q(deleted_at=None),
                name="connector_live_by_credential",
            ),
        ]
        constraints = [
            # One live record of a provider's connector a credential reaches: a retry and the
            # background lookup that both get the same connector record it once.
            models.UniqueConstraint(
                fields=["credential", "template", "remote_id"],
                condition=models.Q(deleted_at=None),
                name="connector_recorded_once",
            ),
        ]
        # On PostgreSQL, search by name and provider's id also uses trigram indexes
        # (migration 0004, which creates the pg_trgm extension).

    def __str__(self) -> str:
        return self.name or self.remote_id

    @property
    def template_obj(self) -> ConnectorTemplate:
        return get_template(self.template)

    # What a connector shows when its provider reports no status past the time it settles in
    # (Mixpanel reports null for good on some): not "pending" for ever.
    NO_STATUS_LABEL = "no status reported"

    @property
    def status_label(self) -> str:
        if self.remote_status:
            return self.remote_status
        provider = self.template_obj.provider
        if provider.settles_within is None or self.in_flight:
            return provider.empty_status
        return self.NO_STATUS_LABEL

    @property
    def in_flight(self) -> bool:
        """Is the provider still moving it between states (so its page keeps polling)?"""
        if self.deleted_at:
            return False
        provider = self.template_obj.provider
        if self.remote_status not in provider.transitional_states:
            return False
        within = provider.settles_within
        return (
            within is None or self.created_at is None or timezone.now() - self.created_at < within
        )

    def original(self) -> Original:
        """What it was made with, as a create form can start from it (never a secret)."""
        return Original(
            name=self.name,
            credential=self.credential_id,
            context=dict(self.context or {}),
            record=dict(self.record or {}) if isinstance(self.record, dict) else {},
            summary=dict(self.summary or {}) if isinstance(self.summary, dict) else {},
            embedded=dict(self.embedded.values_list("slot", "credential_id")),
        )

    def available_actions(self) -> list[Action]:
        if self.deleted_at:
            return []
        return [a for a in self.template_obj.actions if a.offered_in(self.remote_status)]


class EmbeddedCredential(models.Model):
    """A stored credential whose secret a connector carries inside its configuration (an AWS key
    pair in an S3 connector, say): usage, delete protection, rotation and the audit trail cover
    the embedded copy through this link."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="embedded")
    credential = models.ForeignKey(
        "credentials.Credential", on_delete=models.CASCADE, related_name="embedded_in"
    )
    slot = models.CharField(max_length=50)  # which part of the configuration it fills
    # The secret's fingerprints when it was embedded: after a rotation, links whose fingerprints
    # differ from the credential's carry the old value.
    fingerprints = models.JSONField(default=dict)
    embedded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connector", "slot"], name="one_credential_per_slot")
        ]

    def __str__(self) -> str:
        return f"its {self.slot} slot, from credential {self.credential_id}"

    @property
    def is_current(self) -> bool:
        return self.fingerprints == self.credential.fingerprints()


class Submission(models.Model):
    """One operation with a provider on behalf of a user or of the background work: a create, a
    connection check or any declared action, whatever its outcome. Each HTTP exchange it made,
    retries included, is an `Attempt` under it."""

    # Operations that are not declared actions of a template; the rest are action slugs.
    CREATE = "create"
    CHECK_BEFORE_CREATE = "check-config"
    RECONCILE = "reconcile"
    PUSH_ROTATED = "push-rotated"
    IMPORT = "import"
    # A credential's test: made with a credential alone, it has no template.
    TEST_CREDENTIAL = credential_testing.OPERATION
    # What a template's create form is built from, fetched from the provider with a credential
    # (a catalogue of connectors and their schemas), when no copy kept is fresh or one is asked.
    FETCH_CATALOGUE = "fetch-catalogue"
    OPERATIONS = {
        CREATE: "Create",
        CHECK_BEFORE_CREATE: "Check before create",
        RECONCILE: "Look for a create whose answer was lost",
        PUSH_ROTATED: "Push a rotated secret",
        IMPORT: "List existing connectors to import",
        TEST_CREDENTIAL: "Test the credential",
        FETCH_CATALOGUE: "Fetch the catalogue",
    }
    # Made with a credential before there is any connector: their page leads back to it.
    CREDENTIAL_OPERATIONS = frozenset({TEST_CREDENTIAL, FETCH_CATALOGUE})

    class Reconciliation(models.TextChoices):
        NONE = "", "—"
        PENDING = "pending", "Looking for it at the provider"
        FOUND = "found", "Created — found afterwards"
        NOT_CREATED = "not_created", "Not created"
        UNKNOWN = "unknown", "Could not find out"

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
    provider = models.CharField(max_length=30, choices=provider_choices)
    # Empty for an operation made with a credential alone (a test of it).
    template = models.CharField(max_length=50, choices=template_choices, blank=True)
    action = models.CharField(max_length=30, default=CREATE)
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
    # A create whose answer was lost (timeout, dropped connection, 5xx, unreadable answer) is
    # looked for at the provider afterwards, by what identifies it (never a secret).
    reconciliation = models.CharField(
        max_length=12, choices=Reconciliation.choices, default="", blank=True
    )
    identity = models.JSONField(default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True)  # a create's record context
    # The configuration secrets of a create whose outcome is unclear, kept (encrypted) only until
    # it is reconciled, so that a connector found afterwards can still be checked.
    secret_config = EncryptedTextField()
    # The queued task of its latest lookup: the sweep queues no other while that one waits.
    reconcile_task = models.CharField(max_length=64, blank=True, editable=False)
    # A background read that found nothing new (the status, title, parts and error as they
    # were; a re-test's result; a catalogue fetched again by itself, as it was kept): recorded
    # with its exchanges like any call, but left out of the connector's history and the
    # credential's calls unless asked for, and not audited, so that the scheduled refreshes
    # every few minutes do not bury what people did and what changed.
    routine = models.BooleanField("routine background read", default=False, editable=False)
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
        indexes = [
            # The operators' admin lists every operation, newest first.
            models.Index(fields=["-created_at"], name="submission_newest"),
            # A connector's history, newest first.
            models.Index(fields=["connector", "-created_at"], name="submission_history"),
            # What the history shows unless asked: not the routine background reads.
            models.Index(
                fields=["connector", "-created_at"],
                condition=models.Q(routine=False),
                name="submission_history_shown",
            ),
            # The routine reads past their days, which the schedule deletes.
            models.Index(
                fields=["created_at"],
                condition=models.Q(routine=True),
                name="submission_routine",
            ),
            # A credential's page: its latest test, whatever else it was used for.
            models.Index(
                fields=["credential", "-created_at"],
                condition=models.Q(action="test-credential"),
                name="submission_credential_tests",
            ),
            # The sweep: operations still pending, and creates still being looked for.
            models.Index(
                fields=["created_at"],
                condition=models.Q(outcome="pending"),
                name="submission_pending",
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(reconciliation="pending"),
                name="submission_reconciling",
            ),
            # The list's and dashboard's "answers that were lost" panel: a team's few creates
            # with a reconciliation, newest first (without it, a scan of the team's operations).
            models.Index(
                fields=["team", "-created_at"],
                condition=models.Q(action="create") & ~models.Q(reconciliation=""),
                name="submission_lost_answers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_label}: {self.subject} ({self.outcome})"

    @property
    def subject(self) -> str:
        """What it was about, as shown: its template, or the provider whose credential it
        tested (an operation without a template)."""
        if self.template:
            return self.get_template_display()
        provider = PROVIDERS.get(self.provider)
        return f"{provider.label} API credential" if provider else self.provider

    @property
    def of_credential(self) -> bool:
        """Was it made with its credential alone, before any connector (a test of it, a
        catalogue fetched with it)?"""
        return self.connector_id is None and self.action in self.CREDENTIAL_OPERATIONS

    @property
    def action_label(self) -> str:
        if self.action in self.OPERATIONS:
            return self.OPERATIONS[self.action]
        template = TEMPLATES.get(self.template)
        declared = template.action(self.action) if template else None
        return declared.label if declared else self.action.replace("-", " ").capitalize()


class Attempt(models.Model):
    """One HTTP exchange of an operation, as sent and as answered, redacted."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=10)
    url = models.TextField()
    request = models.JSONField(default=dict)  # headers, body and curl; redacted
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)  # redacted, capped
    duration_ms = models.PositiveIntegerField(default=0)
    error_kind = models.CharField(max_length=20, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.response_status or self.error_kind} (#{self.number})"
