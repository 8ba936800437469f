"""The scheduled refresh of live connectors at scale: each run tops the queue up to a limit, the
longest unrefreshed first, never queues a connector that is still waiting, and runs them in
batches where one failure leaves the rest to run. Through the sandbox and the dummy queue."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from connectors_admin.connectors import tasks as connector_tasks
from connectors_admin.connectors.models import Connector, Submission
from connectors_admin.connectors.tasks import refresh_connectors, refresh_live_connectors

from .conftest import MIXPANEL_SECRET
from .test_platform import create_s3


def made(owner_client, credential, count: int) -> list[Connector]:
    for number in range(count):
        create_s3(owner_client, credential, s3_bucket=f"bucket-{number}")
    return list(Connector.objects.order_by("created_at"))


def queued_ids(tasks) -> list[list[str]]:
    return [r.args[0] for r in tasks.queued("refresh_connectors")]


@pytest.mark.django_db(transaction=True)
def test_a_connector_waiting_in_the_queue_is_not_queued_again(
    owner_client, sandbox, credential, tasks
):
    connectors = made(owner_client, credential, 3)
    tasks.backend.clear()

    assert refresh_live_connectors() == "queued 3 refreshes"
    assert refresh_live_connectors() == "queued 0 refreshes"
    assert len(tasks.queued("refresh_connectors")) == 1
    assert sorted(queued_ids(tasks)[0]) == sorted(str(c.pk) for c in connectors)

    assert tasks.run("refresh_connectors") == [["succeeded"] * 3]
    for connector in Connector.objects.all():
        assert connector.refreshed_at is not None and connector.refresh_queued_at is None
    assert refresh_live_connectors() == "queued 0 refreshes"  # refreshed recently
    assert Submission.objects.filter(action="refresh").count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_queue_is_topped_up_to_the_limit_longest_unrefreshed_first(
    owner_client, sandbox, credential, tasks, settings
):
    settings.STATUS_REFRESH_LIMIT = 2
    never, older, old = made(owner_client, credential, 3)
    now = timezone.now()
    Connector.objects.filter(pk=older.pk).update(refreshed_at=now - timedelta(hours=3))
    Connector.objects.filter(pk=old.pk).update(refreshed_at=now - timedelta(hours=1))
    tasks.backend.clear()

    assert refresh_live_connectors() == "queued 2 refreshes"
    assert queued_ids(tasks) == [[str(never.pk), str(older.pk)]]
    assert refresh_live_connectors() == "queued 0 refreshes (2 still waiting)"

    tasks.run("refresh_connectors")
    assert refresh_live_connectors() == "queued 1 refreshes"
    assert queued_ids(tasks) == [[str(old.pk)]]


@pytest.mark.django_db(transaction=True)
def test_refreshes_are_queued_in_batches(owner_client, sandbox, credential, tasks, monkeypatch):
    monkeypatch.setattr(connector_tasks, "REFRESH_BATCH", 2)
    made(owner_client, credential, 5)
    tasks.backend.clear()

    assert refresh_live_connectors() == "queued 5 refreshes"
    assert [len(ids) for ids in queued_ids(tasks)] == [2, 2, 1]
    assert tasks.run("refresh_connectors") == [["succeeded"] * 2, ["succeeded"] * 2, ["succeeded"]]


@pytest.mark.django_db(transaction=True)
def test_a_refresh_whose_task_was_lost_is_queued_again_after_its_lease(
    owner_client, sandbox, credential, tasks, settings
):
    (connector,) = made(owner_client, credential, 1)
    tasks.backend.clear()
    assert refresh_live_connectors() == "queued 1 refreshes"
    tasks.backend.clear()  # the worker's database was restored, say: the task is gone

    assert refresh_live_connectors() == "queued 0 refreshes"
    lease = timedelta(minutes=settings.STATUS_REFRESH_MINUTES) * 4  # four intervals
    Connector.objects.filter(pk=connector.pk).update(
        refresh_queued_at=timezone.now() - lease - timedelta(minutes=1)
    )
    assert refresh_live_connectors() == "queued 1 refreshes"


@pytest.mark.django_db(transaction=True)
def test_a_failing_refresh_leaves_the_rest_of_its_batch_to_run(
    owner_client, sandbox, credential, tasks, fault, caplog
):
    first, second = made(owner_client, credential, 2)
    retired = Connector.objects.create(
        team=credential.team,
        credential=credential,
        provider="mixpanel",
        template="retired-template",
        remote_id="r-1",
    )
    tasks.backend.clear()
    fault("status", status=403, message="Service account lacks access")

    with caplog.at_level(logging.ERROR, logger="connectors_admin.connectors"):
        outcomes = refresh_connectors.call([str(first.pk), str(retired.pk), str(second.pk)])

    assert outcomes == ["failed", "error", "succeeded"]
    assert f"scheduled refresh of connector {retired.pk} failed: KeyError" in caplog.text
    assert MIXPANEL_SECRET not in caplog.text
    assert not Connector.objects.filter(refresh_queued_at__isnull=False).exists()
    first.refresh_from_db()
    assert "lacks access" in first.last_error and first.refreshed_at is None
    assert first.refresh_tried_at is not None


@pytest.mark.django_db(transaction=True)
def test_connectors_that_keep_failing_wait_their_turn_behind_the_others(
    owner_client, sandbox, credential, tasks, fault, settings
):
    settings.STATUS_REFRESH_LIMIT = 1
    failing, healthy = made(owner_client, credential, 2)
    tasks.backend.clear()
    assert refresh_live_connectors() == "queued 1 refreshes"
    assert queued_ids(tasks) == [[str(failing.pk)]]
    fault("status", status=403, message="Service account lacks access")
    assert tasks.run("refresh_connectors") == [["failed"]]

    # Never refreshed, but just tried: the other one goes first.
    assert refresh_live_connectors() == "queued 1 refreshes"
    assert queued_ids(tasks) == [[str(healthy.pk)]]
    assert tasks.run("refresh_connectors") == [["succeeded"]]
    assert refresh_live_connectors() == "queued 0 refreshes"  # both tried within the interval

    # An interval later the failing one is tried again.
    Connector.objects.filter(pk=failing.pk).update(
        refresh_tried_at=timezone.now() - timedelta(minutes=settings.STATUS_REFRESH_MINUTES)
    )
    assert refresh_live_connectors() == "queued 1 refreshes"
    assert queued_ids(tasks) == [[str(failing.pk)]]


@pytest.mark.django_db(transaction=True)
def test_when_both_are_due_the_one_tried_longest_ago_goes_first_even_if_never_refreshed(
    owner_client, sandbox, credential, tasks, settings
):
    settings.STATUS_REFRESH_LIMIT = 1
    failing, healthy = made(owner_client, credential, 2)
    every = timedelta(minutes=settings.STATUS_REFRESH_MINUTES)
    now = timezone.now()
    # Both due: the one that keeps failing was tried an interval ago and never refreshed; the
    # healthy one was refreshed, and last tried, two intervals ago.
    Connector.objects.filter(pk=failing.pk).update(refreshed_at=None, refresh_tried_at=now - every)
    Connector.objects.filter(pk=healthy.pk).update(
        refreshed_at=now - 2 * every, refresh_tried_at=now - 2 * every
    )
    tasks.backend.clear()
    assert refresh_live_connectors() == "queued 1 refreshes"
    assert queued_ids(tasks) == [[str(healthy.pk)]]


@pytest.mark.django_db(transaction=True)
def test_a_connector_refreshed_from_its_page_is_not_queued_until_it_is_due(
    owner_client, sandbox, credential, tasks
):
    from django.urls import reverse

    by_hand, other = made(owner_client, credential, 2)
    answer = owner_client.post(
        reverse("connectors:action", args=["acme", by_hand.pk, "refresh"]),
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    by_hand.refresh_from_db()
    assert by_hand.refreshed_at is not None and by_hand.refresh_tried_at is None
    tasks.backend.clear()
    assert refresh_live_connectors() == "queued 1 refreshes"
    assert queued_ids(tasks) == [[str(other.pk)]]


@pytest.mark.django_db(transaction=True)
def test_a_refresh_still_waiting_past_its_lease_is_not_queued_twice(
    owner_client, sandbox, credential, tasks, settings
):
    """The workers are behind: the task is still in the queue, so the mark holds."""
    settings.STATUS_REFRESH_MINUTES = 0  # every mark is past its lease at once
    (connector,) = made(owner_client, credential, 1)
    tasks.backend.clear()
    assert refresh_live_connectors() == "queued 1 refreshes"

    assert refresh_live_connectors() == "queued 0 refreshes"
    assert len(tasks.queued("refresh_connectors")) == 1
    assert tasks.run("refresh_connectors") == [["succeeded"]]
    connector.refresh_from_db()
    assert connector.refresh_queued_at is None and connector.refresh_task == ""


@pytest.mark.django_db(transaction=True)
def test_a_batch_leaves_the_mark_of_a_later_queueing_alone(owner_client, sandbox, credential):
    (connector,) = made(owner_client, credential, 1)
    assert refresh_live_connectors() == "queued 1 refreshes"
    connector.refresh_from_db()
    queued = connector.refresh_queued_at

    # An older batch of the same connector ends after this queueing: the mark stays.
    refresh_connectors.call([str(connector.pk)], (queued - timedelta(hours=2)).isoformat())
    connector.refresh_from_db()
    assert connector.refresh_queued_at == queued and connector.refresh_tried_at is not None

    refresh_connectors.call([str(connector.pk)], queued.isoformat())
    connector.refresh_from_db()
    assert connector.refresh_queued_at is None


@pytest.mark.django_db(transaction=True)
def test_connectors_of_a_disabled_credential_are_not_refreshed_until_it_is_enabled(
    owner_client, sandbox, credential, tasks
):
    made(owner_client, credential, 2)
    tasks.backend.clear()
    type(credential).objects.filter(pk=credential.pk).update(enabled=False)
    # Each refresh would only fail, a failed operation more in each history every run.
    assert refresh_live_connectors() == "queued 0 refreshes"
    type(credential).objects.filter(pk=credential.pk).update(enabled=True)
    assert refresh_live_connectors() == "queued 2 refreshes"


@pytest.mark.django_db(transaction=True)
def test_a_batch_reads_a_mixpanel_projects_list_once_for_all_its_connectors(
    owner_client, between, credential, tasks, team, owner
):
    """Mixpanel's list is its only read: a batch of refreshes of one project's connectors reads
    each page once, not once a connector; each refresh still records the answer it was read
    from. Another credential's reads are its own."""
    from connectors_admin.sandbox.mixpanel import PAGE_SIZE

    from .conftest import make_credential

    connectors = made(owner_client, credential, PAGE_SIZE + 2)  # two pages
    other = make_credential(team, owner, label="Other", secret="another-secret-do-not-leak")
    Connector.objects.filter(pk=connectors[-1].pk).update(credential=other)
    sent = []
    between.on("GET", r"/connectors", lambda: sent.append("GET"))
    outcomes = refresh_connectors.call([str(c.pk) for c in connectors])
    between.check()
    assert outcomes == ["succeeded"] * len(connectors)
    # Page 1 and page 2 once with the first credential; page 1 and 2 again with the other.
    assert len(sent) == 4
    refreshes = Submission.objects.filter(action="refresh")
    assert refreshes.count() == len(connectors)
    assert all(r.attempts.filter(method="GET").exists() for r in refreshes)
    # Outside a batch, each refresh reads for itself.
    sent.clear()
    refresh_connectors.call([])  # nothing: no reads
    owner_client.post(f"/teams/acme/connectors/{connectors[0].pk}/actions/refresh/")
    owner_client.post(f"/teams/acme/connectors/{connectors[1].pk}/actions/refresh/")
    assert len(sent) == 2


@pytest.mark.django_db
def test_past_their_lease_a_thousand_and_more_waiting_refreshes_all_hold(
    team, credential, tasks, settings
):
    """The workers are far behind: more than a thousand connectors wait past their lease, in
    tasks still in the queue. Every one of those tasks is asked about, not only those of the
    newest thousand connectors (the list's own order would make each connector a row of its
    own), so none of them is queued a second time."""
    settings.STATUS_REFRESH_LIMIT = 2000
    queued_at = timezone.now() - connector_tasks._refresh_lease() - timedelta(minutes=5)
    rows = []
    for batch in range(41):  # 1,025 connectors in 41 tasks, all still waiting
        task = refresh_connectors.enqueue([], queued_at.isoformat())
        rows += [
            Connector(
                team=team,
                credential=credential,
                provider="mixpanel",
                template="mixpanel-s3",
                remote_id=f"c-{batch}-{number}",
                refresh_queued_at=queued_at,
                refresh_task=str(task.id),
            )
            for number in range(connector_tasks.REFRESH_BATCH)
        ]
    Connector.objects.bulk_create(rows)

    assert refresh_live_connectors() == "queued 0 refreshes"
    assert len(tasks.queued("refresh_connectors")) == 41
