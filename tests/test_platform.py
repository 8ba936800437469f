"""The connector platform: declared actions, an attempt row per HTTP exchange, and the
background work (status following, reconciliation of lost creates, scheduled refreshes and
credential re-tests), all through the test client and the sandbox."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Attempt, Connector, Submission
from connectors_admin.credentials.models import Credential
from connectors_admin.providers import registered
from connectors_admin.providers.base import (
    Action,
    ActionResult,
    ConnectorForm,
    ConnectorTemplate,
    CredentialForm,
    Provider,
    ProviderClient,
    ProviderError,
)
from connectors_admin.sandbox.models import SandboxConnector

from .conftest import MIXPANEL_SECRET, S3_FORM

HTMX = {"HX-Request": "true"}


def create_s3(client, credential, **overrides) -> Any:
    data = {**S3_FORM, **overrides, "credential": credential.pk, "form_token": str(uuid.uuid4())}
    return client.post(reverse("connectors:create", args=["acme", "mixpanel-s3"]), data)


# --- every exchange recorded ---------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_every_exchange_of_a_retried_refresh_is_its_own_attempt(
    owner_client, sandbox, credential, fault
):
    create_s3(owner_client, credential)
    connector = Connector.objects.get()
    fault("status", status=503, times=2)
    response = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    )
    assert "Refreshed from Mixpanel just now" in response.content.decode()
    refresh = Submission.objects.get(action="refresh")
    attempts = list(refresh.attempts.order_by("number"))
    assert [a.response_status for a in attempts] == [503, 503, 200]
    assert [a.number for a in attempts] == [1, 2, 3]
    assert all(a.method == "GET" and "/connectors" in a.url for a in attempts)
    assert "Simulated HTTP 503" in attempts[0].response_body
    assert attempts[0].error_kind == "rejected" and "HTTP 503" in attempts[0].error_message
    assert attempts[2].error_message == "" and attempts[2].request["curl"].startswith("curl")
    # The summary on the submission is the last exchange, the time is all of them.
    assert refresh.response_status == 200
    assert refresh.duration_ms == sum(a.duration_ms for a in attempts)
    # The history shows each exchange with its curl, and the secret nowhere.
    html = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk])).content
    assert html.decode().count("3 exchanges") == 1
    assert MIXPANEL_SECRET.encode() not in html
    for attempt in Attempt.objects.all():
        assert MIXPANEL_SECRET not in json.dumps(
            [attempt.url, attempt.request, attempt.response_body, attempt.error_message]
        )


# --- declared actions: a made-up provider needs no view, URL or migration ---------------------------
class PingCredentialForm(CredentialForm):
    secret_fields = ("token",)
    token = forms.CharField(widget=forms.PasswordInput)


class PingClient(ProviderClient):
    label = "Ping"

    def auth(self):
        return ("ping", self.secrets.get("token", ""))


def _ping(client: ProviderClient, target) -> ActionResult:
    exchange = client.get(f"{settings.SANDBOX_URL}/sandbox/_faults/")
    body = client.expect_json(exchange)
    return ActionResult(status="paused", details={"Faults queued": len(body["faults"])})


def _resume(client: ProviderClient, target) -> ActionResult:
    return ActionResult(status="running", message="")


PING_TEMPLATE = ConnectorTemplate(
    slug="ping-thing",
    label="Ping: thing",
    description="A template that exists only in this test.",
    form_class=ConnectorForm,
    provider_slug="ping",
    actions=(
        Action("pause", "Pause it", _ping, changes_remote=True, states=frozenset({"running"})),
        Action(
            "resume",
            "Resume it",
            _resume,
            changes_remote=True,
            confirm="Resume the thing?",
            states=frozenset({"paused"}),
        ),
    ),
)
PING = Provider(
    slug="ping",
    label="Ping",
    description="Made up for a test.",
    notice="",
    credential_form=PingCredentialForm,
    templates=(PING_TEMPLATE,),
    client_class=PingClient,
)


@pytest.mark.django_db(transaction=True)
def test_a_made_up_provider_declares_actions_that_appear_and_run(
    owner_client, client_for, viewer, sandbox, team, owner
):
    with registered(PING):
        credential = Credential(team=team, kind="ping", label="Ping key")
        credential.set_secrets({"token": "ping-token-do-not-leak"})
        credential.save()
        connector = Connector.objects.create(
            team=team,
            credential=credential,
            provider="ping",
            template="ping-thing",
            remote_id="t-1",
            remote_status="running",
            name="The thing",
        )
        detail = reverse("connectors:detail", args=["acme", connector.pk])
        html = owner_client.get(detail).content.decode()
        pause = reverse("connectors:action", args=["acme", connector.pk, "pause"])
        resume = reverse("connectors:action", args=["acme", connector.pk, "resume"])
        assert "Pause it" in html and pause in html
        assert "Resume it" not in html  # offered only when paused
        # A viewer cannot run it; a run-only action has no GET.
        assert client_for(viewer).post(pause).status_code == 403
        assert owner_client.get(pause).status_code == 405
        # Not offered in this state: refused in plain words, nothing sent.
        refused = owner_client.post(resume, follow=True).content.decode()
        assert "“Resume it” is not available while it is “running”" in refused

        panel = owner_client.post(pause, headers=HTMX).content.decode()
        connector.refresh_from_db()
        assert connector.remote_status == "paused"
        assert "Faults queued" in panel and "<html" not in panel
        submission = Submission.objects.get(action="pause")
        assert submission.action_label == "Pause it" and submission.outcome == "succeeded"
        assert submission.attempts.count() == 1
        event = AuditEvent.objects.get(action="connector.action")
        assert event.after["action"] == "pause"

        # A confirmed action asks first (GET), then runs on POST.
        ask = owner_client.get(resume).content.decode()
        assert "Resume the thing?" in ask and 'method="post"' in ask
        owner_client.post(resume)
        connector.refresh_from_db()
        assert connector.remote_status == "running"
        assert "ping-token-do-not-leak" not in json.dumps(
            list(Attempt.objects.values()), default=str
        )


@pytest.mark.django_db
def test_an_action_a_template_does_not_declare_is_404(owner_client, team, owner, credential):
    connector = Connector.objects.create(
        team=team, credential=credential, provider="mixpanel", template="mixpanel-s3", remote_id="x"
    )
    url = reverse("connectors:action", args=["acme", connector.pk, "check"])
    assert owner_client.post(url).status_code == 404  # Mixpanel declares no connection check


# --- background work ---------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_new_connector_is_followed_until_its_status_settles(
    owner_client, sandbox, credential, tasks
):
    create_s3(owner_client, credential)
    connector = Connector.objects.get()
    assert connector.remote_status == "" and connector.in_flight
    html = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk])).content
    assert b'hx-trigger="every 3s"' in html  # the page polls while it is in flight
    assert tasks.names() == ["follow_status"]
    assert tasks.queued()[0].args == [str(connector.pk), 1]  # ids only, never secrets

    tasks.run("follow_status", due_only=True)  # too early: still pending, so it comes back
    (again,) = tasks.queued("follow_status")
    assert again.args == [str(connector.pk), 2] and again.task.run_after is not None
    time.sleep(2.1)  # the sandbox reports "active" two seconds after creation
    tasks.backend.results[:] = [again]
    tasks.run("follow_status")
    connector.refresh_from_db()
    assert connector.remote_status == "active" and not connector.in_flight
    assert tasks.queued("follow_status") == []  # settled: no more rounds
    background = Submission.objects.filter(action="refresh", user=None)
    assert background.count() == 2 and background.last().outcome == "succeeded"
    html = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk])).content
    assert b"every 3s" not in html and b"background" in html


@pytest.mark.django_db(transaction=True)
def test_a_create_whose_answer_came_too_late_is_found_afterwards(
    owner_client, sandbox, credential, fault, tasks
):
    fault("late")  # the sandbox creates it, then answers after our read timeout
    html = create_s3(owner_client, credential).content.decode()
    assert "did not answer within" in html
    assert "look for it at the provider" in html
    submission = Submission.objects.get(action="create")
    assert (submission.outcome, submission.reconciliation) == ("failed", "pending")
    assert SandboxConnector.objects.count() == 1 and Connector.objects.count() == 0
    assert submission.secret_config == ""  # Mixpanel keeps no configuration secrets

    assert tasks.run("reconcile_create") == ["found"]
    submission.refresh_from_db()
    connector = Connector.objects.get()
    assert submission.outcome == "succeeded" and submission.connector == connector
    assert submission.get_reconciliation_display() == "Created — found afterwards"
    assert connector.remote_id == SandboxConnector.objects.get().remote_id
    assert connector.name == "acme-events/cloudimport/event"
    lookup = Submission.objects.get(action="reconcile")
    assert lookup.outcome == "succeeded" and lookup.attempts.count() >= 1
    assert AuditEvent.objects.filter(
        action="connector.created", message__contains="found at the provider"
    ).exists()
    page = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk]))
    assert "Created — found afterwards" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_create_the_provider_applies_after_our_timeout_is_not_called_not_created(
    owner_client, sandbox, credential, fault, tasks
):
    # The provider holds the create longer than our read timeout, then applies it. A lookup
    # made at once would not find it yet, say "not created: safe to try again", and a retry
    # would make a second connector.
    fault("slow", delay_ms=2500, method="POST")
    html = create_s3(owner_client, credential).content.decode()
    assert "did not answer within" in html
    submission = Submission.objects.get(action="create")
    assert submission.reconciliation == "pending"

    assert tasks.run("reconcile_create", due_only=True) == []  # not looked for yet
    deadline = time.monotonic() + 10
    while not SandboxConnector.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tasks.run("reconcile_create") == ["found"]
    submission.refresh_from_db()
    assert submission.connector == Connector.objects.get()


@pytest.mark.django_db(transaction=True)
def test_a_create_dropped_before_it_was_applied_is_marked_not_created(
    owner_client, sandbox, credential, fault, tasks
):
    fault("drop")
    create_s3(owner_client, credential)
    submission = Submission.objects.get(action="create")
    assert submission.reconciliation == "pending"
    assert tasks.run("reconcile_create") == ["not_created"]
    submission.refresh_from_db()
    assert submission.outcome == "failed" and Connector.objects.count() == 0
    assert "it was not created" in submission.error_message


@pytest.mark.django_db(transaction=True)
def test_a_refused_create_is_not_reconciled(owner_client, sandbox, credential, fault, tasks):
    fault("status", status=400, message="s3_bucket is invalid")
    create_s3(owner_client, credential)
    assert Submission.objects.get(action="create").reconciliation == ""
    assert tasks.queued("reconcile_create") == []


@pytest.mark.django_db(transaction=True)
def test_the_schedule_refreshes_live_connectors_and_retests_credentials(
    owner_client, sandbox, credential, tasks
):
    from connectors_admin.connectors.tasks import refresh_live_connectors
    from connectors_admin.credentials.tasks import retest_credentials

    create_s3(owner_client, credential)
    connector = Connector.objects.get()
    tasks.backend.clear()
    Connector.objects.create(
        team=credential.team,
        credential=credential,
        provider="mixpanel",
        template="mixpanel-s3",
        remote_id="gone-1",
        deleted_at="2026-01-01T00:00:00Z",
    )
    assert refresh_live_connectors() == "queued 1 refreshes"
    assert [r.args[0] for r in tasks.queued("refresh_connectors")] == [[str(connector.pk)]]
    assert tasks.run("refresh_connectors") == [["succeeded"]]
    connector.refresh_from_db()
    assert connector.refreshed_at is not None
    assert refresh_live_connectors() == "queued 0 refreshes"  # refreshed recently

    assert retest_credentials() == "queued 1 tests"
    assert tasks.run("verify_credential") == ["ok"]
    credential.refresh_from_db()
    assert credential.last_check_ok is True and credential.last_check_at is not None
    assert AuditEvent.objects.filter(
        action="credential.tested", message__startswith="(background)"
    ).exists()
    assert retest_credentials() == "queued 0 tests"
    # A test that ended a moment after the previous daily run is due at the next one, not
    # the one after: once a day, not every other day.
    hours = settings.CREDENTIAL_RETEST_HOURS
    type(credential).objects.filter(pk=credential.pk).update(
        last_check_at=timezone.now() - timedelta(hours=hours) + timedelta(seconds=5)
    )
    assert retest_credentials() == "queued 1 tests"


@pytest.mark.django_db(transaction=True)
def test_saving_and_rotating_a_credential_tests_it_in_the_background(owner_client, tasks, team):
    data = {
        "label": "Warehouse",
        "aws_access_key_id": "AKIA" + "X" * 16,
        "aws_secret_access_key": "s" * 40,
    }
    owner_client.post(reverse("credentials:add", args=["acme", "aws"]), data)
    credential = Credential.objects.get(kind="aws")
    assert [r.args for r in tasks.queued("verify_credential")] == [[credential.pk]]
    tasks.run("verify_credential")
    page = owner_client.get(reverse("credentials:detail", args=["acme", credential.pk]))
    assert "well formed" in page.content.decode()
    owner_client.post(
        reverse("credentials:rotate", args=["acme", credential.pk]),
        {"aws_secret_access_key": "t" * 40},
    )
    assert [r.args for r in tasks.queued("verify_credential")] == [[credential.pk]]


@pytest.mark.django_db(transaction=True)
def test_the_submission_page_follows_a_lost_create_to_its_outcome(
    owner_client, client_for, outsider, sandbox, credential, fault, tasks
):
    fault("late")
    create_s3(owner_client, credential)
    submission = Submission.objects.get(action="create")
    url = reverse("connectors:submission", args=["acme", submission.pk])
    page = owner_client.get(url).content.decode()
    assert "is looking for the connector there" in page and 'hx-trigger="every 3s"' in page
    # Without scripts nothing polls: the page says to reload, not that it updates by itself.
    assert '<span class="js-only">; this updates by itself</span>' in page
    assert "<noscript>: reload the page to see what it found</noscript>" in page
    assert "POST" in page and "curl --request POST" in page  # the exchange, as curl
    assert MIXPANEL_SECRET not in page
    dashboard = owner_client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    assert "Creates whose answer was lost" in dashboard and url in dashboard
    assert "Looking for it at the provider" in dashboard

    tasks.run("reconcile_create")
    panel = owner_client.get(url + "?poll=1", headers=HTMX).content.decode()
    assert "Created — found afterwards" in panel and "every 3s" not in panel
    assert "<html" not in panel
    listing = owner_client.get(reverse("connectors:list", args=["acme"])).content.decode()
    assert "Created — found afterwards" in listing
    # Found, it is named and opened from the panel, where it was only its template's name.
    found = Connector.objects.get()
    dashboard = owner_client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    assert reverse("connectors:detail", args=["acme", found.pk]) in dashboard
    assert f">{found}</a>" in dashboard and "Open the connector" in dashboard
    assert client_for(outsider).get(url).status_code == 404
    # Told for a day, then it leaves the panel; one still looked for stays there all week.
    Submission.objects.filter(pk=submission.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    dashboard = owner_client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    assert "Creates whose answer was lost" not in dashboard
    Submission.objects.filter(pk=submission.pk).update(reconciliation="pending")
    dashboard = owner_client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    assert "Looking for it at the provider" in dashboard
    Submission.objects.filter(pk=submission.pk).update(reconciliation="unknown")  # not known
    dashboard = owner_client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    assert "Could not find out" in dashboard


@pytest.mark.django_db
@pytest.mark.parametrize("exchanges", [1, 12])
def test_the_submission_page_query_count_does_not_grow(
    owner_client, team, owner, credential, exchanges, django_assert_num_queries
):
    submission = Submission.objects.create(
        team=team, user=owner, credential=credential, provider="mixpanel", template="mixpanel-s3"
    )
    for number in range(1, exchanges + 1):
        Attempt.objects.create(
            submission=submission,
            number=number,
            method="GET",
            url="https://example.invalid/x",
            request={"curl": "curl --request GET"},
            response_status=503,
        )
    # session, user, memberships+teams (the page's and the switcher's),
    # submission+user+credential+connector, attempts
    with django_assert_num_queries(5):
        response = owner_client.get(reverse("connectors:submission", args=["acme", submission.pk]))
    assert response.content.decode().count("curl --request GET") == exchanges


@pytest.mark.django_db(transaction=True)
def test_refresh_selected_queues_background_refreshes_and_the_list_follows_them(
    owner_client, client_for, viewer, sandbox, credential, tasks
):
    from datetime import timedelta

    from django.utils import timezone

    for prefix in ("a", "b", "c"):
        create_s3(owner_client, credential, s3_prefix=prefix)
    tasks.backend.clear()
    # The sandbox reports "active" two seconds after creation: make that moment past.
    SandboxConnector.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    a, b, c = Connector.objects.order_by("created_at")
    listing = reverse("connectors:list", args=["acme"])
    html = owner_client.get(listing).content.decode()
    assert 'value="refresh">Refresh</button>' in html and 'data-select-all="connector"' in html
    assert 'hx-trigger="every 4s"' in html  # new connectors are still settling
    assert "acme-events/a" in html  # named by their own title

    bulk = reverse("connectors:bulk", args=["acme"])
    assert client_for(viewer).post(bulk, {"connector": [str(a.pk)]}).status_code == 403
    response = owner_client.post(
        bulk, {"connector": [str(a.pk), str(c.pk)], "scope": "selected", "next": "?page=1"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?page=1")
    assert sorted(r.args[0] for r in tasks.queued("run_connector_action")) == sorted(
        [str(a.pk), str(c.pk)]
    )
    page = owner_client.get(listing, follow=True).content.decode()
    assert "Refreshing 2 connectors in the background" in page
    assert page.count("refreshing…") == 2

    tasks.run("run_connector_action")
    html = owner_client.get(listing, headers=HTMX).content.decode()
    assert "refreshing…" not in html and "<html" not in html
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.remote_status == "active" and b.remote_status == ""  # only the picked ones

    owner_client.post(bulk, {"on_page": [str(a.pk), str(b.pk), str(c.pk)], "scope": "page"})
    assert len(tasks.queued("run_connector_action")) == 3
    tasks.run("run_connector_action")
    html = owner_client.get(listing, headers=HTMX).content.decode()
    assert "every 4s" not in html  # everything settled: the list stops polling


@pytest.mark.django_db(transaction=True)
def test_the_credential_page_shows_the_background_test_when_it_lands(owner_client, tasks, team):
    data = {
        "label": "Warehouse",
        "aws_access_key_id": "AKIA" + "Y" * 16,
        "aws_secret_access_key": "u" * 40,
    }
    owner_client.post(reverse("credentials:add", args=["acme", "aws"]), data)
    credential = Credential.objects.get(kind="aws")
    url = reverse("credentials:detail", args=["acme", credential.pk])
    page = owner_client.get(url).content.decode()
    assert "being tested in the background" in page and 'hx-trigger="every 2s"' in page
    dashboard = owner_client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    assert "testing…" in dashboard
    tasks.run("verify_credential")
    panel = owner_client.get(url + "?poll=check", headers=HTMX).content.decode()
    assert "<html" not in panel and "every 2s" not in panel
    assert "verified" in panel and "well formed" in panel and 'role="status"' in panel
    # The result arrives while the user may be typing elsewhere: announced, not focused.
    assert "data-focus" not in panel
    listing = owner_client.get(reverse("credentials:list", args=["acme"])).content.decode()
    assert "verified" in listing and "last tested" in listing


@pytest.mark.django_db(transaction=True)
def test_the_calls_list_takes_the_background_test_when_it_lands(owner_client, sandbox, tasks):
    """The test panel polls and shows the background test; the calls list beside it, which
    said "No call made with it yet", takes the test too (out of band), its links made for the
    page and not for the poll."""
    data = {
        "label": "Prod",
        "username": "sa.acme",
        "secret": MIXPANEL_SECRET,
        "project_id": "4242",
        "residency": "us",
    }
    owner_client.post(reverse("credentials:add", args=["acme", "mixpanel"]), data)
    credential = Credential.objects.get(kind="mixpanel")
    url = reverse("credentials:detail", args=["acme", credential.pk])
    page = owner_client.get(url + "?routine=1").text
    assert "No call made with it yet" in page
    # The poll carries the page's query, so the list comes back as the page shows it.
    assert f'hx-get="{url}?routine=1&amp;poll=check"' in page
    pending = owner_client.get(url + "?routine=1&poll=check", headers=HTMX).text
    assert "provider-calls" not in pending  # nothing to update while it is still to come
    tasks.run("verify_credential")
    panel = owner_client.get(url + "?routine=1&poll=check", headers=HTMX).text
    calls = panel.split('<div id="provider-calls" hx-swap-oob="true">', 1)[1]
    test = Submission.objects.get(action="test-credential")
    assert reverse("connectors:submission", args=["acme", test.pk]) in calls
    assert "No call made with it yet" not in calls and "poll=" not in calls
    assert "leave them out" in calls  # still with the routine calls, as asked
    assert MIXPANEL_SECRET not in panel


def test_operator_listed_instances_are_a_provider_declaration(settings, monkeypatch):
    from connectors_admin.providers.base import Instances

    clusters = Instances(setting="TEST_CLUSTERS")
    monkeypatch.setenv("TEST_CLUSTERS", "Prod=https://connect.example.com,Dev=http://127.0.0.1:1")
    assert clusters.all() == {"Prod": "https://connect.example.com", "Dev": "http://127.0.0.1:1"}
    assert clusters.url("Prod", "Kafka Connect") == "https://connect.example.com"
    settings.TEST_CLUSTERS = {"Only": "https://only.example.com"}  # a setting wins
    assert clusters.choices() == [("Only", "Only")]
    with pytest.raises(ProviderError, match="“Prod” is no longer configured"):
        clusters.url("Prod", "Kafka Connect")


@pytest.mark.django_db(transaction=True)
def test_a_lost_create_is_reconciled_once_however_often_it_is_asked(
    owner_client, sandbox, credential, fault, tasks
):
    from connectors_admin.connectors.services import reconcile

    fault("late")
    create_s3(owner_client, credential)
    submission = Submission.objects.get(action="create")
    first, second = (
        Submission.objects.get(pk=submission.pk),
        Submission.objects.get(pk=submission.pk),
    )
    assert reconcile(first).reconciliation == "found"
    assert reconcile(second).reconciliation == "found"  # the second run finds it claimed
    assert Connector.objects.count() == 1
    assert Submission.objects.filter(action="reconcile").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("others", [0, 6])
def test_a_lost_create_skips_a_look_alike_recorded_here_in_queries_that_do_not_grow(
    owner_client, sandbox, credential, fault, tasks, others
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(others):  # the team's other connectors of the template
        create_s3(owner_client, credential, s3_prefix=f"other-{number}/")
    create_s3(owner_client, credential)  # the same bucket and prefix, recorded here
    fault("late")
    create_s3(owner_client, credential)
    with CaptureQueriesContext(connection) as queries:
        assert tasks.run("reconcile_create") == ["found"]
    adopted = Submission.objects.get(action="create", reconciliation="found").connector
    assert adopted.remote_id == SandboxConnector.objects.latest("created_at").remote_id
    assert Connector.objects.values("remote_id").distinct().count() == others + 2
    # The look-alike and the new one are looked up; the team's other ids are never read.
    assert len([q for q in queries if "remote_id" in q["sql"] and "LIMIT 1" in q["sql"]]) == 2
    # The lookup marks its credential used (an update, an audit row); its claim and its record
    # are one transaction (its BEGIN and COMMIT); the try is linked as the record is made.
    assert len(queries) == 17


@pytest.mark.django_db(transaction=True)
def test_reconciliation_never_adopts_an_older_look_alike(
    owner_client, sandbox, credential, fault, tasks
):
    from datetime import timedelta

    from django.utils import timezone

    # A connector with the same bucket and prefix, made at the provider long ago and not
    # known here: a lost create that never arrived must not adopt it.
    create_s3(owner_client, credential)
    Connector.objects.all().delete()
    older = SandboxConnector.objects.get()
    older.data = {**older.data, "created_at": "2026-01-01T00:00:00Z"}
    older.save()
    SandboxConnector.objects.update(created_at=timezone.now() - timedelta(days=30))
    tasks.backend.clear()
    fault("drop")
    create_s3(owner_client, credential)
    assert tasks.run("reconcile_create") == ["not_created"]
    assert Connector.objects.count() == 0


def _echo(client: ProviderClient, target) -> ActionResult:
    """A provider that echoes a connector's properties back in clear (as Upstash does)."""
    from connectors_admin.providers.base import RemoteRecord

    raw = {"name": "orders", "properties": {"connection.password": "echoed-pw-do-not-leak"}}
    summary = {"Password": "echoed-pw-do-not-leak"}
    return ActionResult(
        record=RemoteRecord(
            remote_id=target.remote_id, status="RUNNING", title="orders", summary=summary, raw=raw
        )
    )


ECHO = Provider(
    slug="echo",
    label="Echo",
    description="Made up for a test.",
    notice="",
    credential_form=PingCredentialForm,
    templates=(
        ConnectorTemplate(
            slug="echo-thing",
            label="Echo: thing",
            description="",
            form_class=ConnectorForm,
            provider_slug="echo",
            actions=(Action("refresh", "Refresh status", _echo),),
            secret_keys=("connection.password", "Password"),
        ),
    ),
    client_class=PingClient,
)


@pytest.mark.django_db
def test_secret_keys_declared_by_a_template_are_masked_before_anything_is_stored(
    owner_client, team, owner
):
    with registered(ECHO):
        credential = Credential(team=team, kind="echo", label="Echo key")
        credential.set_secrets({"token": "echo-token"})
        credential.save()
        connector = Connector.objects.create(
            team=team, credential=credential, provider="echo", template="echo-thing", remote_id="e1"
        )
        url = reverse("connectors:action", args=["acme", connector.pk, "refresh"])
        panel = owner_client.post(url, headers=HTMX).content.decode()
        connector.refresh_from_db()
        assert connector.record["properties"]["connection.password"] == "[redacted]"
        assert connector.summary["Password"] == "[redacted]"
        assert connector.remote_status == "RUNNING"
        assert "echoed-pw-do-not-leak" not in panel


@pytest.mark.django_db(transaction=True)
def test_a_lookup_that_fails_while_the_provider_is_down_is_asked_again(
    owner_client, sandbox, credential, fault, tasks
):
    from connectors_admin.connectors import services
    from connectors_admin.connectors.tasks import sweep_submissions

    fault("late")  # the create is applied, its answer lost
    create_s3(owner_client, credential)
    lost = Submission.objects.get(action="create")
    fault("status", status=503, times=3)  # and the provider is still failing afterwards
    assert tasks.run("reconcile_create") == ["pending"]  # asked again later, not given up
    lost.refresh_from_db()
    assert "could not find out" not in lost.error_message
    # The schedule's sweep asks again once the provider is back: the connector is recorded.
    Submission.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    assert sweep_submissions().endswith("1 reconciliations queued")
    assert tasks.run("reconcile_create") == ["found"]
    lost.refresh_from_db()
    assert lost.connector is not None and Connector.objects.count() == 1
    # Asking again has an end: after LOOKUPS failed lookups, "could not find out".
    fault("late")
    create_s3(owner_client, credential, s3_prefix="other/")
    second = Submission.objects.filter(action="create").latest("created_at")
    tasks.backend.clear()
    outcomes = []
    for _ in range(services.LOOKUPS):
        fault("status", status=503, times=3)
        second = services.reconcile(Submission.objects.get(pk=second.pk))
        outcomes.append(second.reconciliation)
    assert outcomes == ["pending"] * (services.LOOKUPS - 1) + ["unknown"]
    assert "could not find out" in second.error_message


class FlagForm(ConnectorForm):
    name = forms.CharField()
    verify = forms.BooleanField(label="Verify first", required=False, initial=True)
    fixed = forms.BooleanField(label="Fixed", required=False, initial=True, disabled=True)
    reload_on: ClassVar[tuple[str, ...]] = ("verify",)


FLAG = Provider(
    slug="flag",
    label="Flag",
    description="Made up for a test.",
    notice="",
    credential_form=PingCredentialForm,
    templates=(
        ConnectorTemplate(
            slug="flag-thing",
            label="Flag: thing",
            description="A template that exists only in this test.",
            form_class=FlagForm,
            provider_slug="flag",
        ),
    ),
    client_class=PingClient,
)


def test_a_box_ticked_by_default_and_unticked_stays_unticked_when_the_fields_reload(
    owner_client, team
):
    def ticked(page: str, name: str = "verify") -> bool:
        box = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)[0]
        return " checked" in box

    with registered(FLAG):
        credential = Credential(team=team, kind="flag", label="Flag key")
        credential.set_secrets({"token": "flag-token"})
        credential.save()
        page = owner_client.get(reverse("connectors:create", args=["acme", "flag-thing"]))
        assert ticked(page.content.decode())
        # A fixed box is never posted: it does not say it was shown, and keeps its value.
        assert 'name="_shown" value="fixed"' not in page.content.decode()
        url = reverse("connectors:fields", args=["acme", "flag-thing"]) + "?changed=verify"
        shown = {"credential": credential.pk, "name": "x", "_shown": "verify"}
        reloaded = owner_client.post(url, shown).content.decode()
        assert not ticked(reloaded) and ticked(reloaded, "fixed")
        assert ticked(owner_client.post(url, {**shown, "verify": "on"}).content.decode())
        # Not on the page it was reloaded from: it starts from its default.
        assert ticked(owner_client.post(url, {"credential": credential.pk}).content.decode())


# --- the app's own answers without a body ----------------------------------------------------------
@pytest.mark.django_db
def test_the_apps_own_answers_without_a_body_carry_no_content_type(client_for, owner, member, team):
    """A 204 has no body, so nothing to type: Django says `text/html` on every response unless
    told, which a client reads as a page to come. Both of the app's own 204s say nothing."""
    client = client_for(owner)
    # The inline check of a form that cannot be built yet (no AI Squared credential to fetch
    # its catalogue with): nothing to check against, the field is left as it is.
    url = reverse("connectors:validate", args=["acme", "aisquared-source", "name"])
    nothing_to_check = client.post(url, {"name": "Shop DB"}, headers=HTMX)
    # An htmx request of a member who must set up two-factor first: sent there by a header.
    team.require_two_factor = True
    team.save()
    sent_to_set_up = client_for(member).get(reverse("connectors:list", args=["acme"]), headers=HTMX)
    assert sent_to_set_up["HX-Redirect"] == reverse("mfa_index")
    for answer in (nothing_to_check, sent_to_set_up):
        assert answer.status_code == 204 and answer.content == b""
        assert "Content-Type" not in answer.headers, answer.headers
