"""Acting on many connectors from the list, through the sandbox: a bulk delete confirmed from a
page that lists what goes, run in the background with a fault in the middle (the rest complete,
the failed one says why); "all N matching" the filters; and the CSV export of the filtered list,
secret-free."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid

import pytest
from django.urls import reverse

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Connector, Submission
from connectors_admin.sandbox.models import SandboxConnector

from .conftest import aisquared_payload, make_aisquared_credential
from .test_connectors_pages import make_connectors
from .test_kafka import MONGO_PASSWORD, MONGO_URI, create, mongo_form

pytestmark = pytest.mark.django_db(transaction=True)


def make_three(owner_client, kc) -> list[Connector]:
    for name in ("orders-a", "orders-b", "refunds-c"):
        assert "Connector created" in create(
            owner_client, "kafka-connect", mongo_form(kc, name=name)
        )
    return list(Connector.objects.order_by("name"))


def test_bulk_delete_confirms_runs_in_the_background_and_says_what_failed(
    owner_client,
    sandbox,
    kc,
    tasks,
    fault,
):
    a, b, c = make_three(owner_client, kc)
    tasks.backend.clear()
    bulk = reverse("connectors:bulk", args=["acme"])
    picked = {
        "action": "delete",
        "scope": "selected",
        "connector": [a.pk, b.pk, c.pk],
        "next": "?q=s",
    }
    ask = owner_client.post(bulk, picked).content.decode()
    assert "Delete 3 connectors at their providers?" in ask
    for connector in (a, b, c):
        assert connector.remote_id in ask
    assert tasks.queued() == []  # nothing runs before it is confirmed
    response = owner_client.post(bulk, {**picked, "confirmed": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?q=s")
    assert len(tasks.queued("run_connector_action")) == 3
    listing = owner_client.get(reverse("connectors:list", args=["acme"])).content.decode()
    assert listing.count("deleting…") == 3 and "3 still waiting" in listing

    fault("slow", provider="kafkaconnect", delay_ms=0)  # the first delete goes through
    fault("status", provider="kafkaconnect", status=500, message="Request timed out")
    tasks.run("run_connector_action")
    for connector in (a, b, c):
        connector.refresh_from_db()
    assert a.deleted_at is not None and c.deleted_at is not None
    assert b.deleted_at is None  # the fault in the middle: the rest completed
    failed = Submission.objects.get(connector=b, action="delete")
    assert failed.outcome == "failed" and "HTTP 500" in failed.error_message
    listing = owner_client.get(reverse("connectors:list", args=["acme"])).content.decode()
    assert "Delete, 3 connectors:</strong> 2 done, 1 failed." in listing
    assert "orders-b</a>: Kafka Connect had a server error (HTTP 500)" in listing
    assert "deleting…" not in listing
    assert SandboxConnector.objects.filter(provider="kafkaconnect").count() == 1
    # Each run's audit event says where the asking request came from and its id, as one run
    # from a connector's page does; so do the log lines of its exchanges.
    confirmed = response["X-Request-ID"]
    events = AuditEvent.objects.filter(action="connector.deleted")
    assert events.count() == 2
    assert {(e.client_ip, e.request_id) for e in events} == {("127.0.0.1", confirmed)}


def test_those_left_alone_for_not_offering_an_action_are_named(
    owner_client, sandbox, kc, tasks, team, owner
):
    orders = make_three(owner_client, kc)  # Kafka Connect declares no connection test
    form = aisquared_payload(make_aisquared_credential(team, owner))
    owner_client.post(
        reverse("connectors:create", args=["acme", "aisquared-source"]),
        {**form, "form_token": str(uuid.uuid4())},
        headers={"HX-Request": "true"},
    )
    checked = Connector.objects.get(template="aisquared-source")
    tasks.backend.clear()
    bulk = reverse("connectors:bulk", args=["acme"])
    picked = [checked.pk, *(c.pk for c in orders)]
    said = html.unescape(
        owner_client.post(
            bulk, {"action": "test", "scope": "selected", "connector": picked}, follow=True
        ).text
    )
    assert "Testing 1 connector in the background" in said
    left = said.split("3 of those picked do not offer it and were left alone: ", 1)[1]
    assert all(c.name in left.split(".", 1)[0] for c in orders), left[:200]
    assert [r.args[0] for r in tasks.queued("run_connector_action")] == [str(checked.pk)]


def test_all_matching_takes_the_filters_not_the_page(owner_client, sandbox, kc, tasks):
    make_three(owner_client, kc)
    tasks.backend.clear()
    bulk = reverse("connectors:bulk", args=["acme"])
    owner_client.post(bulk, {"action": "refresh", "scope": "matching", "next": "?q=orders"})
    queued = {
        Connector.objects.get(pk=r.args[0]).name for r in tasks.queued("run_connector_action")
    }
    assert queued == {"orders-a", "orders-b"}
    # Kafka Connect declares no connection test: said, nothing queued.
    tasks.backend.clear()
    response = owner_client.post(
        bulk, {"action": "test", "scope": "matching", "next": "?q=orders"}, follow=True
    )
    assert "None of the 2 picked can be tested here" in response.content.decode()
    assert tasks.queued() == []


def test_connectors_deleted_already_are_counted_and_said_not_taken(
    owner_client, sandbox, kc, tasks
):
    """The list shows deleted connectors and "all N matching" counts them; no action takes
    them, and the answer says how many were left alone for it."""
    a, b, _ = make_three(owner_client, kc)
    Connector.objects.filter(pk=a.pk).update(remote_status="deleted", deleted_at=b.created_at)
    tasks.backend.clear()
    bulk = reverse("connectors:bulk", args=["acme"])
    said = owner_client.post(
        bulk, {"action": "refresh", "scope": "matching", "next": "?q=orders"}, follow=True
    ).content.decode()
    assert "Refreshing 1 connector in the background" in said
    assert "1 of those picked is deleted already and was left alone." in said
    assert [r.args[0] for r in tasks.queued("run_connector_action")] == [str(b.pk)]
    # Only deleted ones picked: refused, saying so.
    tasks.backend.clear()
    said = owner_client.post(
        bulk, {"action": "refresh", "scope": "selected", "connector": [a.pk]}, follow=True
    ).content.decode()
    assert "The 1 connector picked is deleted already: nothing to refresh." in said
    assert tasks.queued() == []
    # The delete's confirmation says it too.
    ask = owner_client.post(
        bulk, {"action": "delete", "scope": "selected", "connector": [a.pk, b.pk]}
    ).content.decode()
    assert "Delete 1 connector at its provider?" in ask
    assert "1 picked is deleted already." in ask


def test_a_viewer_can_export_but_not_act(client_for, viewer, owner_client, sandbox, kc, tasks):
    make_three(owner_client, kc)
    bulk = reverse("connectors:bulk", args=["acme"])
    assert (
        client_for(viewer).post(bulk, {"action": "refresh", "scope": "matching"}).status_code == 403
    )
    export = client_for(viewer).get(reverse("connectors:export", args=["acme"]))
    assert export.status_code == 200


def test_the_csv_export_is_the_filtered_list_and_secret_free(owner_client, sandbox, kc):
    make_three(owner_client, kc)
    Connector.objects.filter(name="orders-a").update(name="=HYPERLINK(evil)")
    url = reverse("connectors:export", args=["acme"])
    response = owner_client.get(url, {"q": "orders", "provider": "kafkaconnect"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="connectors-acme-' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["name"] for r in rows} == {"'=HYPERLINK(evil)", "orders-b"}  # no formulas run
    assert rows[0]["provider"] == "kafkaconnect" and rows[0]["status"] == "UNASSIGNED"
    assert rows[0]["credential"] == "Ops cluster" and rows[0]["created_by"] == "olivia"
    assert "T" in rows[0]["created_at"] and '"' not in rows[0]["created_at"]
    assert MONGO_URI not in text and MONGO_PASSWORD not in text
    bad = owner_client.get(url, {"since": "2024-02-30"})
    assert bad.status_code == 400 and b"Created from" in bad.content  # said before streaming
    # The list's own link exports what the list applies: a filter it ignored is left out.
    listing = owner_client.get(
        reverse("connectors:list", args=["acme"]), {"q": "orders", "since": "2024-02-30"}
    ).text
    link = html.unescape(re.search(r'href="([^"]*/export.csv[^"]*)"', listing).group(1))
    assert "since" not in link
    exported = owner_client.get(link)
    assert exported.status_code == 200
    exported_rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert len(exported_rows) == listing.count("<tr>") - 1 == 2  # the list's rows, no header


@pytest.mark.django_db
def test_all_matching_refuses_a_filter_it_cannot_read_rather_than_take_everything(
    owner_client, team, owner, credential
):
    make_connectors(team, credential, owner, 3)
    url = reverse("connectors:bulk", args=["acme"])
    page = owner_client.post(
        url, {"action": "delete", "scope": "matching", "next": "?creator=not-a-number"}, follow=True
    ).content.decode()
    assert "A filter of this list is not valid any more" in page
    assert Connector.objects.filter(deleted_at=None).count() == 3


@pytest.mark.django_db
def test_a_status_link_in_another_case_still_filters(owner_client, team, owner, credential):
    make_connectors(team, credential, owner, 2, template="kafka-connect", status="RUNNING")
    make_connectors(team, credential, owner, 1, template="kafka-connect", status="FAILED")
    page = owner_client.get(reverse("connectors:list", args=["acme"]), {"status": "RUNNING"})
    assert page.content.decode().count("<tr>") == 3  # header + the two running


@pytest.mark.django_db
def test_a_batch_outcome_is_said_on_its_own_team_s_list_only(
    client_for, make_user, owner, team, other_team, credential
):
    from django.utils import timezone

    from connectors_admin.accounts.models import Membership, Role

    user = make_user("leaver")
    Membership.objects.create(team=team, user=user, role=Role.MEMBER)
    Membership.objects.create(team=other_team, user=user, role=Role.MEMBER)
    (connector,) = make_connectors(team, credential, owner, 1)
    Connector.objects.filter(pk=connector.pk).update(name="acme-private-connector")
    client = client_for(user)
    client.post(
        reverse("connectors:bulk", args=["acme"]),
        {"action": "refresh", "scope": "selected", "connector": [str(connector.pk)]},
    )
    Submission.objects.create(  # the batch's run, as the worker records it
        team=team,
        user=user,
        connector=connector,
        action="refresh",
        outcome=Submission.Outcome.FAILED,
        error_message="acme-private-failure",
        finished_at=timezone.now(),
    )
    own = client.get(reverse("connectors:list", args=["acme"])).content.decode()
    assert "acme-private-failure" in own  # said where it was run
    elsewhere = client.get(
        reverse("connectors:list", args=["other"]), headers={"HX-Request": "true"}
    )
    assert "acme-private" not in elsewhere.content.decode()


@pytest.mark.django_db
def test_a_new_bulk_attempt_replaces_the_last_batch_s_summary(
    owner_client, team, owner, credential
):
    (connector,) = make_connectors(team, credential, owner, 1)
    bulk_url = reverse("connectors:bulk", args=["acme"])
    listing = reverse("connectors:list", args=["acme"])
    owner_client.post(bulk_url, {"action": "refresh", "connector": [str(connector.pk)]})
    assert "Refresh, 1 connector:" in owner_client.get(listing).content.decode()
    owner_client.post(bulk_url, {"action": "refresh"})  # nothing picked: refused
    page = owner_client.get(listing).content.decode()
    assert "Pick at least one connector to refresh." in page
    assert "Refresh, 1 connector:" not in page
    # Opening the delete confirmation (then cancelling) is not an attempt: the summary stays.
    owner_client.post(bulk_url, {"action": "refresh", "connector": [str(connector.pk)]})
    confirm = owner_client.post(bulk_url, {"action": "delete", "connector": [str(connector.pk)]})
    assert (
        confirm.status_code == 200
        and "Refresh, 1 connector:" in owner_client.get(listing).content.decode()
    )


@pytest.mark.django_db
def test_a_bulk_action_that_can_no_longer_run_says_why_and_the_batch_ends(
    owner_client, team, owner, credential, tasks
):
    from django.utils import timezone

    from connectors_admin.accounts.models import Membership, Role

    a, b = make_connectors(team, credential, owner, 2)
    owner_client.post(
        reverse("connectors:bulk", args=["acme"]),
        {"action": "refresh", "scope": "selected", "connector": [str(a.pk), str(b.pk)]},
    )
    # Before the worker runs: b is deleted, and the owner is made a viewer.
    Connector.objects.filter(pk=b.pk).update(deleted_at=timezone.now())
    Membership.objects.filter(user=owner, team=team).update(role=Role.VIEWER)
    assert sorted(tasks.run("run_connector_action")) == ["gone", "not allowed"]
    Membership.objects.filter(user=owner, team=team).update(role=Role.OWNER)
    refused = Submission.objects.filter(action="refresh", error_kind="refused")
    assert {s.connector_id for s in refused} == {a.pk, b.pk}
    assert all(s.finished_at and "Nothing was sent." in s.error_message for s in refused)
    # The list's batch summary ends, with each reason; no row is left "refreshing…".
    html = owner_client.get(reverse("connectors:list", args=["acme"])).content.decode()
    assert "still waiting" not in html and "refreshing…" not in html
    assert "It was deleted before this could run." in html
    assert "Whoever asked may no longer do this in this team." in html


@pytest.mark.django_db
def test_a_bulk_action_of_someone_deactivated_since_does_not_run(
    owner_client, team, owner, credential, tasks
):
    (a,) = make_connectors(team, credential, owner, 1)
    owner_client.post(
        reverse("connectors:bulk", args=["acme"]),
        {"action": "refresh", "scope": "selected", "connector": [str(a.pk)]},
    )
    owner.is_active = False  # by an operator, before the worker runs
    owner.save(update_fields=["is_active"])
    assert tasks.run("run_connector_action") == ["not allowed"]
    refused = Submission.objects.get(action="refresh")
    assert refused.error_kind == "refused" and refused.attempts.count() == 0


@pytest.mark.django_db
def test_a_bulk_delete_of_a_connector_deleted_meanwhile_is_done(
    owner_client, team, owner, credential, tasks
):
    from django.utils import timezone

    (a,) = make_connectors(team, credential, owner, 1)
    owner_client.post(
        reverse("connectors:bulk", args=["acme"]),
        {"action": "delete", "scope": "selected", "connector": [str(a.pk)], "confirmed": "1"},
    )
    Connector.objects.filter(pk=a.pk).update(deleted_at=timezone.now())
    tasks.run("run_connector_action")
    done = Submission.objects.get(connector=a, action="delete")
    assert done.outcome == "succeeded" and done.error_message == "It was already deleted."


def test_a_batch_waits_for_its_own_runs_not_a_scheduled_refresh_meanwhile(
    owner_client, sandbox, kc, tasks
):
    """The schedule refreshes two of the picked connectors before the workers reach the
    batch's own refreshes: the list still says they wait, rows and summary, and keeps
    polling, until the batch's runs end."""
    from connectors_admin.connectors.tasks import refresh_connectors

    a, b, _ = make_three(owner_client, kc)
    tasks.backend.clear()
    owner_client.post(
        reverse("connectors:bulk", args=["acme"]),
        {"action": "refresh", "scope": "selected", "connector": [a.pk, b.pk]},
    )
    assert refresh_connectors.call([str(a.pk), str(b.pk)]) == ["succeeded"] * 2

    listing = owner_client.get(reverse("connectors:list", args=["acme"])).content.decode()
    assert "Refresh, 2 connectors:</strong> 0 done, 2 still waiting." in listing
    assert listing.count("refreshing…") == 2 and 'hx-trigger="every 4s"' in listing

    assert tasks.run("run_connector_action") == ["succeeded"] * 2
    listing = owner_client.get(reverse("connectors:list", args=["acme"])).content.decode()
    assert "Refresh, 2 connectors:</strong> 2 done." in listing
    assert "refreshing…" not in listing


def test_back_from_a_bulk_action_on_the_unfiltered_list_is_its_plain_address(
    owner_client, sandbox, kc, tasks
):
    a, _, _ = make_three(owner_client, kc)
    bulk = reverse("connectors:bulk", args=["acme"])
    response = owner_client.post(
        bulk, {"action": "refresh", "scope": "selected", "connector": [a.pk], "next": "?"}
    )
    assert response["Location"] == reverse("connectors:list", args=["acme"])
