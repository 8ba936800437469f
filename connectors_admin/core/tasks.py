"""Small helpers for enqueueing background work."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.tasks import Task


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """Enqueue once the current transaction commits, so the worker sees the rows it needs."""
    transaction.on_commit(lambda: task.enqueue(*args))
