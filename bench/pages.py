"""Page and encryption speed, as ratios against a baseline measured in the same run.

    make bench        (or: DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/pages.py)

Each figure is the median of several timed rounds divided by the median of the baseline, so the
numbers compare across machines: the connector list with 25 rows against the sign-in page (a page
with no query beyond the session), and decrypting a credential against parsing the same JSON.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def median_seconds(work, rounds: int = 7, repeat: int = 20) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(repeat):
            work()
        samples.append((time.perf_counter() - started) / repeat)
    return statistics.median(samples)


def main() -> None:
    setup_test_environment()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0)
    call_command(
        "seed_demo",
        "--username",
        "bench",
        "--password",
        "bench-password-1",
        stdout=io.StringIO(),
    )
    from django.contrib.auth import get_user_model

    from connectors_admin.accounts.models import Team
    from connectors_admin.connectors.models import Connector
    from connectors_admin.core import crypto
    from connectors_admin.credentials.models import Credential

    team = Team.objects.get(slug="demo")
    user = get_user_model().objects.get(username="bench")
    credential = Credential(
        team=team, kind="mixpanel", label="Bench", public={"project_id": 1, "residency": "us"}
    )
    credential.set_secrets({"secret": "bench-secret-0000"})
    credential.save()
    Connector.objects.bulk_create(
        Connector(
            team=team,
            credential=credential,
            provider="mixpanel",
            template="mixpanel-s3",
            remote_id=str(uuid.uuid4()),
            name=f"bucket-{i}/events",
            created_by=user,
        )
        for i in range(25)
    )
    client = Client()
    client.force_login(user)
    anonymous = Client()

    baseline = median_seconds(lambda: anonymous.get("/accounts/login/"))
    listing = median_seconds(lambda: client.get("/teams/demo/connectors/"))
    dashboard = median_seconds(lambda: client.get("/teams/demo/"))
    document = json.dumps({"secret": "bench-secret-0000"})
    parse = median_seconds(lambda: json.loads(document), repeat=2000)
    stored = crypto.encrypt_json({"secret": "bench-secret-0000"})
    decrypt = median_seconds(lambda: crypto.decrypt_json(stored), repeat=2000)

    print(f"sign-in page (baseline)      {baseline * 1000:8.2f} ms")
    print(f"connector list, 25 rows      {listing / baseline:8.2f} x baseline")
    print(f"dashboard                    {dashboard / baseline:8.2f} x baseline")
    print(f"decrypt a credential         {decrypt / parse:8.1f} x json.loads of the same document")


if __name__ == "__main__":
    main()
