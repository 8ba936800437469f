from __future__ import annotations

from django.db import models


class SandboxConnector(models.Model):
    """A connector held by the sandbox's imitation of a provider."""

    provider = models.CharField(max_length=30)
    scope = models.CharField(max_length=100)  # Mixpanel: the project id
    remote_id = models.CharField(max_length=300, unique=True)  # a prefix and a provider's id
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.remote_id}"


class SandboxFault(models.Model):
    """A misbehaviour the sandbox plays on the provider's next `times` requests."""

    class Mode(models.TextChoices):
        STATUS = "status"
        TIMEOUT = "timeout"
        LATE = "late"  # applies the request, then answers after the client gave up
        DROP = "drop"
        GARBAGE = "garbage"
        SHAPE = "shape"
        SLOW = "slow"

    provider = models.CharField(max_length=30)
    # Only requests of this method take it ("" for any): a create's fault is not spent by a
    # background status refresh that happens to come first.
    method = models.CharField(max_length=10, blank=True)
    mode = models.CharField(max_length=10, choices=Mode.choices)
    status = models.PositiveSmallIntegerField(default=500)
    message = models.CharField(max_length=500, blank=True)
    delay_ms = models.PositiveIntegerField(default=0)
    times = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.provider}: {self.mode} x{self.times}"
