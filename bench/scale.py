"""Connector records at scale, measured against Django's stock admin on the same rows.

    make bench-scale      (needs PostgreSQL: DATABASE_URL, or scripts/start-postgres)

Seeds 100,000 connectors (50,000 in one team) and 160,000 submissions, then times, interleaved
(ours, stock, ours, stock…), the median server time of each page through Django's test client
and prints both sides and the ratio. A ratio is stock time / our time: above 1, ours is faster.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.served import served_measures  # noqa: E402

CONNECTORS = int(os.environ.get("BENCH_CONNECTORS", "100000"))
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "160000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
STATUSES = ["active", "failed", "", "RUNNING", "PAUSED", "connected", "pending"]
TEMPLATES = ["mixpanel-s3", "mixpanel-gcs", "videovector-s3", "kafka-connect", "upstash-kafka"]
PROVIDER = {
    "mixpanel-s3": "mixpanel",
    "mixpanel-gcs": "mixpanel",
    "videovector-s3": "videovector",
    "kafka-connect": "kafkaconnect",
    "upstash-kafka": "upstash",
}


def seed(connectors: int = CONNECTORS, submissions: int = SUBMISSIONS) -> dict:
    from django.contrib.auth import get_user_model

    from connectors_admin.accounts.models import Membership, Role, Team
    from connectors_admin.audit.models import AuditEvent
    from connectors_admin.connectors.models import Connector, Submission
    from connectors_admin.credentials.models import Credential

    user_model = get_user_model()
    operator = user_model.objects.create_superuser("operator", "op@example.com", "bench-operator-1")
    big = Team.objects.create(slug="big", name="Big")
    others = [Team.objects.create(slug=f"t{i}", name=f"Team {i}") for i in range(10)]
    Membership.objects.create(team=big, user=operator, role=Role.OWNER)
    credentials = {}
    for team in [big, *others]:
        credential = Credential(
            team=team,
            kind="mixpanel",
            label=f"{team.slug} prod",
            public={"username": "sa.bench", "project_id": 1, "residency": "us"},
        )
        credential.set_secrets({"secret": "bench-secret-0000"})
        credential.save()
        credentials[team.pk] = credential
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    ids = []
    for number in range(connectors):
        team = big if number % 2 == 0 else others[number % 10]
        template = TEMPLATES[number % len(TEMPLATES)]
        pk = uuid.uuid4()
        ids.append((pk, team.pk))
        batch.append(
            Connector(
                id=pk,
                team=team,
                credential=credentials[team.pk],
                provider=PROVIDER[template],
                template=template,
                remote_id=f"{uuid.uuid4().hex[:12]}-{number}",
                remote_status=STATUSES[number % len(STATUSES)],
                name=f"bucket-{number}/events",
                record={"connector_id": number, "properties": {"topics": "orders", "x": "y" * 200}},
                summary={"Name": f"bucket-{number}"},
                created_by=operator,
                created_at=now - timedelta(minutes=number),
            )
        )
        if len(batch) == 5000:
            Connector.objects.bulk_create(batch)
            batch = []
    Connector.objects.bulk_create(batch)
    # created_at is auto_now_add: set the spread afterwards in one statement per team half.
    batch = []
    for number in range(submissions):
        pk, team_id = ids[number % len(ids)]
        batch.append(
            Submission(
                team_id=team_id,
                user=operator,
                credential=credentials[team_id],
                provider="mixpanel",
                template="mixpanel-s3",
                action="refresh" if number % 3 else "create",
                connector_id=pk,
                outcome="succeeded" if number % 11 else "failed",
                request={"method": "GET", "url": "x" * 80},
                response_body='{"results": []}' * 20,
            )
        )
        if len(batch) == 5000:
            Submission.objects.bulk_create(batch)
            batch = []
    Submission.objects.bulk_create(batch)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action="connector.refreshed",
            actor=operator,
            actor_name="operator",
            team=big,
            target_type="connector",
            target_id=str(ids[i][0]),
            target_label=f"bucket-{i}",
            after={"n": i},
        )
        for i in range(0, min(connectors, 50000), 2)
    )
    from django.db import connection

    with connection.cursor() as cursor:
        # As autovacuum leaves a table in steady use: statistics, and the visibility map that
        # index-only scans (and counts) rely on.
        cursor.execute("VACUUM ANALYZE")
    return {
        "operator": operator,
        "credential": credentials[big.pk],
        "seconds": time.perf_counter() - started,
    }


def median_ms(
    client: Client, url: str, params: dict | None = None, headers: dict | None = None
) -> float:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url, params or {}, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return statistics.median(samples)


def interleaved(client: Client, ours: tuple, stock: tuple) -> tuple[float, float]:
    median_ms(client, *ours), median_ms(client, *stock)  # warm both
    a, b = [], []
    for _ in range(3):
        a.append(median_ms(client, *ours))
        b.append(median_ms(client, *stock))
    return statistics.median(a), statistics.median(b)


def main() -> None:
    setup_test_environment()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/scale.py measures PostgreSQL: set DATABASE_URL (scripts/start-postgres).")
    served = {}
    # The growth comparison: the same create on 1,000 rows, then on the full seed.
    with bench_database(connection, "bench_connectors_small"):
        seeded = seed(1000, 1600)
        served["small"] = served_measures(
            connection.settings_dict["NAME"],
            cookie_for(seeded),
            seeded["credential"].pk,
            full=False,
        )
    with bench_database(connection, "bench_connectors_scale"):
        measure(connection, served)


@contextmanager
def bench_database(connection, name: str):
    connection.settings_dict["TEST"]["NAME"] = name
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


def cookie_for(seeded: dict) -> str:
    client = Client()
    client.force_login(seeded["operator"])
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def deep_pages() -> tuple[int, int]:
    """A deep page of 'provider + status' on each side: ours 25 a page in the big team, the
    stock admin 100 a page over every team."""
    from connectors_admin.connectors.models import Connector

    matching = Connector.objects.filter(provider="mixpanel", remote_status="active")
    ours = matching.filter(team__slug="big").count()
    return max(1, ours // 25 - 1), max(1, matching.count() // 100 - 1)


def measure(connection, served: dict) -> None:
    seeded = seed()
    client = Client()
    client.force_login(seeded["operator"])
    team_pages = "/teams/big/connectors/"
    our_page, stock_page = deep_pages()
    stock = "/stock-admin/connectors/connector/"
    measures = [
        ("list page", (team_pages, {}), (stock, {})),
        ("search by name", (team_pages, {"q": "bucket-4242/"}), (stock, {"q": "bucket-4242/"})),
        ("search by provider id", (team_pages, {"q": "-77777"}), (stock, {"q": "-77777"})),
        # Hundreds of matches, most far down the list: the planner's walk of the list read
        # some 57,000 rows to fill the page (filters.search_in_creation_order).
        (
            "search, matches deep down",
            (team_pages, {"q": "bucket-42"}),
            (stock, {"q": "bucket-42"}),
        ),
        # What each keystroke in the search box asks for: the table alone (htmx).
        (
            "search as you type (table only)",
            (team_pages, {"q": "bucket-4242/"}, {"HX-Request": "true"}),
            (stock, {"q": "bucket-4242/"}),
        ),
        (
            "provider + status, deep page",
            (team_pages, {"provider": "mixpanel", "status": "active", "page": our_page}),
            (stock, {"provider": "mixpanel", "remote_status__exact": "active", "p": stock_page}),
        ),
        ("admin: connectors", ("/admin/connectors/connector/", {}), (stock, {})),
        (
            "admin: submissions",
            ("/admin/connectors/submission/", {}),
            ("/stock-admin/connectors/submission/", {}),
        ),
        (
            "admin: audit trail",
            ("/admin/audit/auditevent/", {}),
            ("/stock-admin/audit/auditevent/", {}),
        ),
    ]
    print(
        f"Seeded {CONNECTORS:,} connectors ({CONNECTORS // 2:,} in one team) and "
        f"{SUBMISSIONS:,} submissions in {seeded['seconds']:.0f} s; PostgreSQL "
        f"{connection.pg_version // 10000}; load average {os.getloadavg()[0]:.2f}"
    )
    print(f"{'measure':34} {'ours (ms)':>10} {'stock (ms)':>11} {'ratio':>7}")
    with override_settings(ROOT_URLCONF="bench.stock_admin", DEBUG=False):
        for label, ours, baseline in measures:
            a, b = interleaved(client, ours, baseline)
            print(f"{label:34} {a:10.1f} {b:11.1f} {b / a:6.1f}x")
    schedule_runs()
    big = served_measures(
        connection.settings_dict["NAME"], cookie_for(seeded), seeded["credential"].pk, full=True
    )
    report_served(served["small"], big)


def schedule_runs() -> None:
    """The scheduled refresh over the seed, where every connector is due: what one run queues
    and how long it takes, then a second run while the first one's refreshes still wait."""
    from django.tasks import default_task_backend

    from connectors_admin.connectors.models import Connector
    from connectors_admin.connectors.tasks import refresh_live_connectors

    print()
    for label in ("first run", "second run"):
        before = len(default_task_backend.results)
        started = time.perf_counter()
        said = refresh_live_connectors()
        ms = (time.perf_counter() - started) * 1000
        rows = len(default_task_backend.results) - before
        print(f"scheduled refresh, {label}: {said} in {rows} queue rows, {ms:.0f} ms")
    Connector.objects.update(refresh_queued_at=None)
    default_task_backend.clear()


def report_served(small: dict, big: dict) -> None:
    print()
    print("Served by gunicorn -w 2 on loopback:")
    if "throughput" in big:
        ours, stock = big["throughput"]
        print(
            f"{'throughput, list (req/s, wrk -c8)':34} {ours:10.1f} {stock:11.1f} {ours / stock:6.1f}x"
        )
    else:
        print("throughput: skipped (install wrk: apt-get install wrk)")
    for label, rows in (("1,000", small), (f"{CONNECTORS:,}", big)):
        ours, direct = rows["create"]
        print(
            f"create at {label} rows: {ours:.0f} ms through the app, {direct:.0f} ms direct "
            f"(sandbox holds each answer 200 ms): overhead {ours - direct:.1f} ms"
        )
    for label, key in (("sign-in page", "wire"), ("connector list", "wire_list")):
        kb, count = big[key]
        print(f"first view of the {label}: {kb:.1f} KB on the wire in {count} requests")
    print(f"largest app worker after 1,000 requests: {big['rss']:.0f} MB resident")


if __name__ == "__main__":
    main()
