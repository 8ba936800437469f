"""Small helpers for enqueueing background work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, Task, TaskResultStatus, task_backends
from django.tasks.exceptions import TaskResultDoesNotExist


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """Enqueue once the current transaction commits, so the worker sees the rows it needs."""
    transaction.on_commit(lambda: task.enqueue(*args))


def is_pending(
    result_id: str,
    backend: str = DEFAULT_TASK_BACKEND_ALIAS,
    started_since: datetime | None = None,
) -> bool:
    """Is this queued task still to run, or running (started since `started_since`, when given:
    one whose worker was killed mid-run stays "running" for ever)?"""
    if not result_id:
        return False
    try:
        result = task_backends[backend].get_result(result_id)
    except (TaskResultDoesNotExist, NotImplementedError):
        return False
    if result.status == TaskResultStatus.READY:
        return True
    if result.status != TaskResultStatus.RUNNING:
        return False
    return started_since is None or (result.started_at or started_since) >= started_since
