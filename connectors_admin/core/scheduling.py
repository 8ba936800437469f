"""Periodic jobs on Django's tasks framework, without cron: each run of a job enqueues the next
one with `run_after`, and a `ScheduledJob` row keeps the chain single.

Apps register their jobs (`register`) when their tasks module loads; `ensure_schedules()` starts
any chain that is missing (after `migrate`, and from `manage.py ensure_schedules`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledJob
from .tasks import is_pending

logger = logging.getLogger("connectors_admin.schedule")


@dataclass(frozen=True)
class Job:
    name: str
    function: str  # dotted path of a function that takes no argument
    every: Callable[[], timedelta]


JOBS: dict[str, Job] = {}


def register(name: str, function: str, every: Callable[[], timedelta]) -> None:
    JOBS[name] = Job(name, function, every)


def _enqueue_next(name: str, delay: timedelta, backend: str) -> str:
    result = run_job.using(run_after=timezone.now() + delay, backend=backend).enqueue(name)
    return str(result.id)


def ensure_schedules(backend: str = DEFAULT_TASK_BACKEND_ALIAS) -> list[str]:
    """Start the chain of every registered job that has none; the names started."""
    queue = task_backends[backend]
    if not (queue.supports_defer and queue.supports_get_result):
        return []  # only a real queue can hold deferred runs
    started = []
    for job in JOBS.values():
        with transaction.atomic():
            row, _ = ScheduledJob.objects.select_for_update().get_or_create(name=job.name)
            if is_pending(row.result_id, backend):
                continue
            row.next_run_at = timezone.now()
            row.result_id = _enqueue_next(job.name, timedelta(0), backend)
            row.save()
            started.append(job.name)
    return started


@task(takes_context=True)
def run_job(context, name: str) -> str:
    """Run one periodic job, then queue its next run, unless this run is not the chain's."""
    job = JOBS.get(name)
    if job is None:
        return "unknown job"
    own_id = str(context.task_result.id)
    with transaction.atomic():
        row = ScheduledJob.objects.select_for_update().filter(name=name).first()
        if row is None or row.result_id != own_id:
            return "superseded"
        row.result_id = _enqueue_next(name, job.every(), context.task_result.backend)
        row.next_run_at = timezone.now() + job.every()
        row.last_run_at = timezone.now()
        row.save()
    try:
        outcome = str(import_string(job.function)())
    except Exception:
        logger.exception("scheduled job %s failed", name)
        outcome = "failed"
    ScheduledJob.objects.filter(name=name).update(last_outcome=outcome[:200])
    return outcome
