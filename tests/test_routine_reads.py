"""The background work reads every live connector every few minutes. A read that finds nothing
new is recorded with its exchanges like any call, but it is not audited and the connector's
history and the credential's calls leave it out unless asked: what people did, and what changed,
stay in sight. Through the sandbox, whose connector rows are the provider's side."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Attempt, Connector, Submission
from connectors_admin.connectors.tasks import prune_routine_reads, refresh_connector
from connectors_admin.sandbox.models import SandboxConnector

from .test_platform import HTMX, create_s3


def events_since(pk: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(pk__gt=pk).order_by("pk").values_list("action", flat=True)
    )


def last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def background_refresh(connector: Connector) -> Submission:
    assert refresh_connector.call(str(connector.pk)) in ("succeeded", "failed")
    return Submission.objects.filter(action="refresh").latest("pk")


@pytest.mark.django_db(transaction=True)
def test_a_background_refresh_that_finds_nothing_new_stays_out_of_sight(
    owner_client, sandbox, credential
):
    create_s3(owner_client, credential)
    connector = Connector.objects.get()
    detail = reverse("connectors:detail", args=["acme", connector.pk])

    # Mixpanel has made it active meanwhile: the refresh that finds it is audited and shown.
    SandboxConnector.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    before = last_event()
    found = background_refresh(connector)
    connector.refresh_from_db()
    assert connector.remote_status == "active" and not found.routine
    assert sorted(events_since(before)) == ["connector.refreshed", "credential.used"]

    # Nothing new since: recorded with its exchange, the credential's last use moved on, but
    # neither audited nor in the history.
    credential.refresh_from_db()
    used = credential.last_used_at
    before = last_event()
    quiet = background_refresh(connector)
    assert quiet.routine and quiet.outcome == Submission.Outcome.SUCCEEDED
    assert quiet.attempts.count() == 1
    assert events_since(before) == []
    credential.refresh_from_db()
    assert credential.last_used_at > used

    def shown(url: str) -> str:
        return owner_client.get(url).content.decode()

    one = f'href="{reverse("connectors:submission", args=["acme", quiet.pk])}"'
    other = f'href="{reverse("connectors:submission", args=["acme", found.pk])}"'
    page = shown(detail)
    assert other in page and one not in page
    assert "Background refreshes that found nothing new are left out" in page
    tag = '<span class="small">nothing new</span>'
    assert tag not in page
    page = shown(detail + "?routine=1")
    assert other in page and one in page
    assert page.count(tag) == 1  # the routine read's row
    calls = reverse("credentials:detail", args=["acme", credential.pk])
    assert one not in shown(calls) and other in shown(calls)
    assert one in shown(calls + "?routine=1")

    # Someone asking for a refresh is always on the record, whatever it finds.
    before = last_event()
    owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    asked = Submission.objects.filter(action="refresh").latest("pk")
    assert not asked.routine and asked.user is not None
    assert events_since(before) == ["credential.used", "connector.refreshed"]
    assert f'href="{reverse("connectors:submission", args=["acme", asked.pk])}"' in shown(detail)


@pytest.mark.django_db(transaction=True)
def test_a_background_refresh_failing_is_shown_once_until_it_fails_otherwise(
    owner_client, sandbox, credential, fault
):
    create_s3(owner_client, credential)
    connector = Connector.objects.get()

    fault("status", status=404, times=1)
    first = background_refresh(connector)
    connector.refresh_from_db()
    assert first.outcome == Submission.Outcome.FAILED and not first.routine
    assert connector.last_error

    fault("status", status=404, times=1)
    again = background_refresh(connector)  # the same failure: said once already
    assert again.outcome == Submission.Outcome.FAILED and again.routine

    back = background_refresh(connector)  # working again: a change worth seeing
    connector.refresh_from_db()
    assert back.outcome == Submission.Outcome.SUCCEEDED and not back.routine
    assert connector.last_error == ""


@pytest.mark.django_db(transaction=True)
def test_routine_reads_go_after_their_days_and_nothing_else_does(
    owner_client, sandbox, credential, settings
):
    settings.ROUTINE_READS_KEPT_DAYS = 7
    create_s3(owner_client, credential)
    connector = Connector.objects.get()
    old_quiet, recent_quiet = background_refresh(connector), background_refresh(connector)
    asking = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    assert asking.status_code == 200
    asked = Submission.objects.filter(action="refresh").latest("pk")
    assert old_quiet.routine and recent_quiet.routine and not asked.routine
    long_ago = timezone.now() - timedelta(days=8)
    Submission.objects.filter(pk__in=[old_quiet.pk, asked.pk]).update(created_at=long_ago)
    Submission.objects.filter(action="create").update(created_at=long_ago)

    assert prune_routine_reads() == "1 routine reads deleted"
    assert not Submission.objects.filter(pk=old_quiet.pk).exists()
    assert not Attempt.objects.filter(submission_id=old_quiet.pk).exists()
    assert set(Submission.objects.values_list("pk", flat=True)) == {
        recent_quiet.pk,
        asked.pk,
        Submission.objects.get(action="create").pk,
    }
    assert Attempt.objects.filter(submission_id=recent_quiet.pk).count() == 1
    assert prune_routine_reads() == "0 routine reads deleted"

    settings.ROUTINE_READS_KEPT_DAYS = 0  # kept for ever
    Submission.objects.filter(pk=recent_quiet.pk).update(created_at=long_ago)
    assert prune_routine_reads() == "0 routine reads deleted"
    assert Submission.objects.filter(pk=recent_quiet.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_background_refresh_not_stored_for_a_change_in_flight_is_not_said_to_find_nothing(
    owner_client, sandbox, credential
):
    """A read that finds another state while a change of the connector runs (a delete sent by
    another worker) is not stored over it: what it found is not "nothing new", so it is not
    hidden from the history, nor deleted with the routine reads after their days."""
    create_s3(owner_client, credential)
    connector = Connector.objects.get()
    running = Submission.objects.create(
        team=connector.team,
        credential=credential,
        connector=connector,
        provider=connector.provider,
        template=connector.template,
        action="delete",
    )
    SandboxConnector.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    read = background_refresh(connector)
    connector.refresh_from_db()
    assert connector.remote_status != "active"  # not stored while the delete runs
    assert not read.routine
    detail = reverse("connectors:detail", args=["acme", connector.pk])
    page = owner_client.get(detail).content.decode()
    assert f'href="{reverse("connectors:submission", args=["acme", read.pk])}"' in page
    assert running.outcome == Submission.Outcome.PENDING


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fails", [True, False])
def test_a_background_refresh_compares_with_the_row_as_it_is_when_it_stores(
    owner_client, between, credential, fault, fails
):
    """A user's refresh may end while a background one waits on the provider: the background
    one is "nothing new" only against the row as that left it. Failing again with the error a
    user's refresh had just cleared is a failure worth seeing; succeeding while a user's
    refresh had just found an error clears it, worth seeing too."""
    create_s3(owner_client, credential)
    connector = Connector.objects.get()
    fault("status", status=404, times=1)
    first = background_refresh(connector)  # the connector's last refresh failed
    connector.refresh_from_db()
    assert not first.routine and connector.last_error
    said = connector.last_error

    # Meanwhile, as the background read's call arrives, a user's refresh ends: it cleared the
    # error (then the background read fails again), or found it again (then it works).
    def meanwhile():
        Connector.objects.filter(pk=connector.pk).update(last_error="" if fails else said)

    if fails:
        fault("status", status=404, times=1)
    else:
        Connector.objects.filter(pk=connector.pk).update(last_error="")
    between.on("GET", r"/connectors", meanwhile)
    read = background_refresh(connector)
    between.check()
    connector.refresh_from_db()
    assert connector.last_error == (said if fails else "")
    assert not read.routine
