from __future__ import annotations

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    CREDENTIAL_ADDED = "credential.added", "Credential added"
    CREDENTIAL_EDITED = "credential.edited", "Credential edited"
    CREDENTIAL_ROTATED = "credential.rotated", "Credential secret rotated"
    CREDENTIAL_TESTED = "credential.tested", "Credential tested"
    CREDENTIAL_DISABLED = "credential.disabled", "Credential disabled"
    CREDENTIAL_ENABLED = "credential.enabled", "Credential enabled"
    CREDENTIAL_DELETED = "credential.deleted", "Credential deleted"
    CREDENTIAL_USED = "credential.used", "Credential used"
    CONNECTOR_CREATED = "connector.created", "Connector created"
    CONNECTOR_REFRESHED = "connector.refreshed", "Connector refreshed"
    CONNECTOR_CHECKED = "connector.checked", "Connector connection checked"
    CONNECTOR_DELETED = "connector.deleted", "Connector deleted"
    CONNECTOR_ACTION = "connector.action", "Connector action run"
    CONNECTOR_SECRET_PUSHED = "connector.secret_pushed", "Rotated secret pushed to a connector"
    CONNECTOR_IMPORTED = "connector.imported", "Existing connector imported"
    MEMBER_ADDED = "member.added", "Member added"
    MEMBER_ROLE_CHANGED = "member.role_changed", "Member role changed"
    MEMBER_REMOVED = "member.removed", "Member removed"
    MEMBER_INVITED = "member.invited", "Member invited"
    INVITATION_REVOKED = "member.invitation_revoked", "Invitation revoked"
    INVITATION_ACCEPTED = "member.invitation_accepted", "Invitation accepted"
    SIGNED_IN = "auth.signed_in", "Signed in"
    SIGN_IN_FAILED = "auth.sign_in_failed", "Sign-in failed"
    SIGN_IN_LOCKED = "auth.locked_out", "Sign-in paused after failures"
    SIGNED_UP_SSO = "auth.sso_account_created", "Account created through single sign-on"
    PASSWORD_CHANGED = "auth.password_changed", "Password changed"
    ACCOUNT_ADDED = "auth.account_added", "Account added by an operator"
    ACCOUNT_CHANGED = "auth.account_changed", "Account changed by an operator"
    ACCOUNT_DELETED = "auth.account_deleted", "Account deleted by an operator"
    PASSWORD_RESET = "auth.password_reset", "Password reset"
    TWO_FACTOR_ADDED = "auth.two_factor_added", "Two-factor method added"
    TWO_FACTOR_REMOVED = "auth.two_factor_removed", "Two-factor method removed"
    RECOVERY_CODES_RESET = "auth.recovery_codes_reset", "Recovery codes regenerated"
    TWO_FACTOR_FAILED = "auth.two_factor_failed", "Two-factor code refused"
    TEAM_TWO_FACTOR = "team.two_factor", "Team two-factor requirement changed"


class AppendOnlyError(Exception):
    """Audit events are never changed or deleted once written."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what, to what, when and from where. Secret fields appear as fingerprints only."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)  # kept if the user is deleted
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=500, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-created_at"]),
            # The operators' admin lists every team's events, newest first.
            models.Index(fields=["-created_at", "-id"], name="audit_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_name or 'someone'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")
