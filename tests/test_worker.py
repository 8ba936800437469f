"""The real `db_worker`: two worker processes on one PostgreSQL share the queue, and every job,
periodic chains included, runs exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from connectors_admin.accounts.models import Team
from connectors_admin.audit.models import AuditEvent
from connectors_admin.core.models import ScheduledJob
from connectors_admin.core.scheduling import JOBS, ensure_schedules
from connectors_admin.credentials.models import Credential
from connectors_admin.credentials.tasks import verify_credential

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_every_job_exactly_once():
    if connection.vendor != "postgresql":
        pytest.skip("several workers share a queue on PostgreSQL (SKIP LOCKED)")
    team = Team.objects.create(name="Queue", slug="queue")
    credentials = []
    for number in range(24):
        credential = Credential(team=team, kind="aws", label=f"Key {number}")
        credential.public = {"aws_access_key_id": f"AKIA{number:016d}"}
        credential.set_secrets({"aws_secret_access_key": "w" * 40})
        credential.save()
        credentials.append(credential)
        verify_credential.using(backend="db").enqueue(credential.pk)
    assert sorted(ensure_schedules("db")) == sorted(JOBS)
    assert ensure_schedules("db") == []  # a second start finds every chain alive
    chains = dict(ScheduledJob.objects.values_list("name", "result_id"))

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    env["DATABASE_URL"] = _database_url()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--backend",
                "db",
                "--batch",
                "--no-startup-delay",
                "--interval",
                "0.05",
                "--worker-id",
                f"worker-{number}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for number in (1, 2)
    ]
    outputs = [worker.communicate(timeout=120)[0].decode() for worker in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs

    tested = Counter(
        AuditEvent.objects.filter(action="credential.tested").values_list("target_id", flat=True)
    )
    assert tested == Counter({str(c.pk): 1 for c in credentials})
    results = DBTaskResult.objects.filter(task_path__endswith="verify_credential")
    assert results.count() == 24
    assert set(results.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert all(len(ids) == 1 for ids in results.values_list("worker_ids", flat=True))

    # Each periodic job ran once and queued exactly one next run, which the chain row names.
    ran = DBTaskResult.objects.filter(task_path__endswith="run_job", status="SUCCESSFUL")
    assert sorted(str(r.id) for r in ran) == sorted(chains.values())
    waiting = DBTaskResult.objects.filter(task_path__endswith="run_job", status="READY")
    assert waiting.count() == len(JOBS)
    assert set(ScheduledJob.objects.values_list("result_id", flat=True)) == {
        str(r.id) for r in waiting
    }
    assert all(job.last_run_at is not None for job in ScheduledJob.objects.all())
