"""The dashboard's "Needs attention" panel: what background work found broken (connectors failing
at their provider, refreshes that failed, creates whose outcome is unclear, credentials that
failed their test or are disabled while in use), each line counted and leading to exactly
those; one quiet line when nothing is wrong. Through the test client, the sandbox and the
dummy task queue."""

from __future__ import annotations

import html as entities
import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors_admin.connectors.lost import note_lost
from connectors_admin.connectors.models import Connector, Submission
from connectors_admin.connectors.tasks import refresh_live_connectors
from connectors_admin.credentials.models import Credential
from connectors_admin.credentials.tasks import retest_credentials
from connectors_admin.providers import PROVIDERS
from connectors_admin.sandbox.models import SandboxConnector

from .conftest import make_credential
from .test_connectors_pages import make_connectors
from .test_platform import create_s3

HTMX = {"HX-Request": "true"}
QUIET = "Nothing needs attention"
AZURE_SECRET = "attention-azure-secret-do-not-leak"


def dashboard(client) -> str:
    return client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()


def panel(page: str) -> str:
    """The panel's markup alone, its lines as one line of text each."""
    start = page.index('aria-labelledby="attention-heading"')
    return page[start : page.index("</section>", start)]


def lines(page: str) -> list[str]:
    items = re.findall(r"<li>(.*?)</li>", panel(page), re.S)
    return [" ".join(entities.unescape(re.sub(r"<[^>]+>", "", i)).split()) for i in items]


def links(page: str) -> list[str]:
    return [entities.unescape(h) for h in re.findall(r'href="([^"]+)"', panel(page))]


def listed(client, url: str) -> set[str]:
    """The names of the connectors a list link shows."""
    page = client.get(url).content.decode()
    table = page[page.index('id="connector-table"') :]
    return {c.name for c in Connector.objects.all() if f">{c.name}<" in table}


def background_refresh(tasks) -> None:
    """What the schedule does every STATUS_REFRESH_MINUTES: queue the live connectors that
    are due, then the worker runs them."""
    long_ago = timezone.now() - timedelta(hours=1)
    Connector.objects.update(refreshed_at=long_ago, refresh_tried_at=long_ago)
    tasks.backend.clear()
    refresh_live_connectors()
    tasks.run("refresh_connectors")


def create_azure(client, credential, name: str) -> Connector:
    form = {
        "credential": credential.pk,
        "name": name,
        "scopes": ["import"],
        "import_mode": "all",
        "form_token": str(uuid.uuid4()),
        "storage_account": "acmemedia",
        "container": "videos",
        "use__azure": "here",
        "tenant_id": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        "client_id": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
        "client_secret": AZURE_SECRET,
    }
    url = reverse("connectors:create", args=["acme", "videovector-azure"])
    assert "Connector created" in client.post(url, form, headers=HTMX).content.decode()
    return Connector.objects.get(name=name)


def test_every_failing_status_declared_is_one_of_the_providers_statuses():
    for provider in PROVIDERS.values():
        assert provider.failing_statuses <= set(provider.statuses), provider


@pytest.mark.django_db(transaction=True)
def test_a_connector_failing_at_the_provider_shows_after_a_background_refresh(
    owner_client, sandbox, vv, tasks
):
    create_azure(owner_client, vv, "Footage")
    create_azure(owner_client, vv, "Archive")
    assert QUIET in dashboard(owner_client)

    remote = SandboxConnector.objects.get(data__name="Footage")  # it fails there
    remote.data["status"] = "failed"
    remote.save()
    background_refresh(tasks)

    page = dashboard(owner_client)
    assert QUIET not in page
    assert lines(page) == ["1 connector is failing at its provider"]
    [url] = links(page)
    assert url == reverse("connectors:list", args=["acme"]) + "?problem=failing"
    assert listed(owner_client, url) == {"Footage"}
    # The filter combines with the others, and the page shows it applied.
    shown = owner_client.get(f"{url}&template=videovector-azure").content.decode()
    assert '<option value="failing" selected>' in shown
    assert listed(owner_client, f"{url}&template=videovector-azure") == {"Footage"}
    assert listed(owner_client, f"{url}&template=videovector-s3") == set()
    assert AZURE_SECRET not in page + shown


@pytest.mark.django_db(transaction=True)
def test_a_refresh_that_failed_shows_until_one_succeeds(
    owner_client, sandbox, credential, fault, tasks
):
    create_s3(owner_client, credential, s3_bucket="events-a")
    create_s3(owner_client, credential, s3_bucket="events-b")
    fault("status", status=503, times=3)  # every try of the first read: the second works
    background_refresh(tasks)
    [failed] = Connector.objects.exclude(last_error="")
    assert "503" in failed.last_error

    page = dashboard(owner_client)
    assert lines(page) == ["The last refresh of 1 connector failed or found a problem"]
    [url] = links(page)
    assert url == reverse("connectors:list", args=["acme"]) + "?problem=refresh"
    assert listed(owner_client, url) == {failed.name}

    background_refresh(tasks)  # the provider answers again
    assert QUIET in dashboard(owner_client)
    assert listed(owner_client, url) == set()


@pytest.mark.django_db(transaction=True)
def test_credentials_that_failed_their_test_or_are_disabled_in_use_show_to_viewers_too(
    owner_client, client_for, viewer, team, owner, sandbox, credential, tasks
):
    create_s3(owner_client, credential)
    stale = make_credential(team, owner, secret="invalid-secret-do-not-leak", label="Stale")
    tasks.backend.clear()
    retest_credentials()  # the daily re-test
    tasks.run("verify_credential")
    stale.refresh_from_db()
    assert stale.last_check_ok is False
    Credential.objects.filter(pk=credential.pk).update(enabled=False)  # while a connector uses it

    for client in (owner_client, client_for(viewer)):
        page = dashboard(client)
        assert lines(page) == [
            "1 credential failed its last test: Stale",
            "1 disabled credential is still used by live connectors: Production (1 connector)",
        ]
        assert links(page) == [
            reverse("credentials:detail", args=["acme", stale.pk]),
            reverse("credentials:detail", args=["acme", credential.pk]),
        ]
        assert "invalid-secret-do-not-leak" not in page
        assert "<form" not in panel(page)  # links to read, nothing to act on

    Connector.objects.update(deleted_at=timezone.now(), remote_status="deleted")
    assert lines(dashboard(owner_client)) == ["1 credential failed its last test: Stale"]


@pytest.mark.django_db
def test_nothing_wrong_is_one_quiet_line(owner_client, team, owner, credential):
    make_connectors(team, credential, owner, 3)
    Credential.objects.filter(pk=credential.pk).update(
        last_check_ok=True, last_check_at=timezone.now()
    )
    page = dashboard(owner_client)
    assert QUIET in page and lines(page) == [] and links(page) == []
    assert page.count(QUIET) == 1


@pytest.mark.django_db
def test_another_teams_problems_never_show(
    owner_client, team, owner, credential, other_team, outsider
):
    theirs = make_credential(other_team, outsider, label="Theirs")
    _, erring = make_connectors(other_team, theirs, outsider, 2, status="failed")
    Connector.objects.filter(pk=erring.pk).update(remote_status="active", last_error="HTTP 503")
    Credential.objects.filter(pk=theirs.pk).update(enabled=False)
    failed = make_credential(other_team, outsider, label="Failed")
    Credential.objects.filter(pk=failed.pk).update(
        last_check_ok=False, last_check_at=timezone.now()
    )
    Submission.objects.create(
        team=other_team, action=Submission.CREATE, template="mixpanel-s3", reconciliation="pending"
    )
    note_lost([other_team.pk], timezone.now())
    make_connectors(team, credential, owner, 1)

    assert QUIET in dashboard(owner_client)
    url = reverse("connectors:list", args=["acme"])
    for problem in ("failing", "refresh"):
        assert listed(owner_client, f"{url}?problem={problem}") == set()


@pytest.mark.django_db
def test_a_create_whose_outcome_is_unclear_leads_to_the_lost_answers_panel(
    owner_client, team, owner, credential
):
    made = Submission.objects.create(
        team=team, user=owner, action=Submission.CREATE, template="mixpanel-s3"
    )
    Submission.objects.filter(pk=made.pk).update(reconciliation="pending")
    note_lost([team.pk], made.created_at)
    page = dashboard(owner_client)
    assert lines(page) == ["1 create lost its answer: whether it made a connector is still unclear"]
    assert links(page) == ["#lost-heading"]
    assert page.count('id="lost-heading"') == 1  # the one list of them, not a second
    assert page.index("attention-heading") < page.index("lost-heading")

    Submission.objects.filter(pk=made.pk).update(reconciliation="not_created")
    page = dashboard(owner_client)
    assert QUIET in page and 'id="lost-heading"' in page  # settled: said there, not a problem


@pytest.mark.django_db
def test_counts_are_capped_like_the_lists(owner_client, team, owner, credential, settings):
    settings.LIST_COUNT_CAP = 3
    make_connectors(team, credential, owner, 5, status="FAILED")
    assert lines(dashboard(owner_client)) == ["3+ connectors are failing at their provider"]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 50])
def test_the_panel_costs_one_query_whatever_the_team_holds(
    owner_client, team, owner, credential, rows, django_assert_num_queries
):
    """Every kind of problem at once, on 1 and on 50 rows of each."""
    make_connectors(team, credential, owner, rows, status="failed")
    erring = make_connectors(team, credential, owner, rows)
    Connector.objects.filter(pk__in=[c.pk for c in erring]).update(last_error="HTTP 503")
    for number in range(rows):
        stale = make_credential(team, owner, label=f"Stale {number}")
        Credential.objects.filter(pk=stale.pk).update(
            last_check_ok=False, last_check_at=timezone.now()
        )
        made = Submission.objects.create(
            team=team, user=owner, action=Submission.CREATE, template="mixpanel-s3"
        )
        Submission.objects.filter(pk=made.pk).update(reconciliation="unknown")
    Credential.objects.filter(pk=credential.pk).update(enabled=False)
    note_lost([team.pk], timezone.now())
    # session, user, memberships+teams, recent connectors, credentials with their live use,
    # the lost answers panel, and every count of the panel in one query
    with django_assert_num_queries(7):
        page = dashboard(owner_client)
    assert len(lines(page)) == 5
    if rows > 3:  # three named, the others on the credentials page
        assert lines(page)[3].endswith(f"and {rows - 3} more")
        assert reverse("credentials:list", args=["acme"]) in links(page)


@pytest.mark.django_db
def test_a_record_closed_with_a_failing_status_is_not_failing(
    owner_client, team, owner, credential
):
    """Records closed as recorded twice (migration 0009) keep the status they had: closed, a
    FAILED one is not "failing at its provider", on the dashboard nor under the Problem filter."""
    live, closed = make_connectors(team, credential, owner, 2, status="FAILED")
    Connector.objects.filter(pk=closed.pk).update(
        deleted_at=timezone.now(),
        last_error=f"Recorded again as connector {live.pk}, which is the live record.",
    )
    assert lines(dashboard(owner_client)) == ["1 connector is failing at its provider"]
    url = reverse("connectors:list", args=["acme"])
    assert listed(owner_client, f"{url}?problem=failing") == {live.name}
