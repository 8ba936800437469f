"""Background work on credentials: a test when one is saved or rotated, and re-tests on a
schedule, so "last verified" stays true without anyone clicking."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from connectors_admin.core.scheduling import register

from .models import Credential
from .testing import run_test


@task()
def verify_credential(credential_id: int) -> str:
    credential = Credential.objects.select_related("team").filter(pk=credential_id).first()
    if credential is None:
        return "gone"
    return "ok" if run_test(credential).ok else "failed"


def retest_credentials() -> str:
    """Queue a test of every enabled credential not verified since about the last run: the
    interval's half, so that a test ending just after the previous run (it waits in the queue)
    is not skipped until the run after next, which would make the interval twice as long."""
    every = timedelta(hours=settings.CREDENTIAL_RETEST_HOURS)
    due = Credential.objects.filter(enabled=True).filter(
        Q(last_check_at__isnull=True) | Q(last_check_at__lt=timezone.now() - every / 2)
    )
    ids = list(due.values_list("pk", flat=True))
    for pk in ids:
        verify_credential.enqueue(pk)
    return f"queued {len(ids)} tests"


register(
    "retest-credentials",
    "connectors_admin.credentials.tasks.retest_credentials",
    lambda: timedelta(hours=settings.CREDENTIAL_RETEST_HOURS),
)
