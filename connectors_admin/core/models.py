from __future__ import annotations

from django.db import models


class ScheduledJob(models.Model):
    """One periodic job's chain of deferred tasks. `result_id` names the one queued run that is
    the chain: a run that finds another id here is a stray duplicate and stops, so two chains
    never run side by side however many processes start one."""

    name = models.CharField(max_length=50, primary_key=True)
    result_id = models.CharField(max_length=64, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name
