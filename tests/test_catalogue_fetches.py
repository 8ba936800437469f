"""A catalogue a create form is built from (AI Squared's connector definitions), fetched with
the credential, is an operation like every call: a submission with each exchange an attempt
(the request as a redacted curl, the provider's answer), linked from what the form says when
the fetch fails, and listed with the credential's calls. What is served from the copy kept
records nothing; a fetch nobody asked for that found the list unchanged is routine."""

from __future__ import annotations

import html
import logging
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.urls import reverse
from django.utils import timezone

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Attempt, Submission
from connectors_admin.credentials.models import Credential, CredentialCache

from .conftest import AISQ_TOKEN, make_aisquared_credential

HTMX = {"HX-Request": "true"}
CREATE = reverse("connectors:create", args=["acme", "aisquared-source"])
FIELDS = reverse("connectors:fields", args=["acme", "aisquared-source"])
FETCH = "fetch-catalogue"  # Submission.FETCH_CATALOGUE


@pytest.fixture
def aisq(team, owner) -> Credential:
    return make_aisquared_credential(team, owner)


def fetches():
    return Submission.objects.filter(action=FETCH).order_by("pk")


def operation_url(submission: Submission) -> str:
    return reverse("connectors:submission", args=["acme", submission.pk])


def credential_page(client, credential: Credential, query: str = "") -> str:
    return client.get(reverse("credentials:detail", args=["acme", credential.pk]) + query).text


def everything_stored() -> str:
    return "".join(
        serializers.serialize("json", model.objects.all())
        for model in (Submission, Attempt, AuditEvent)
    )


def age_the_kept_copy(credential: Credential) -> None:
    """The copy kept is past its day: the next form fetches the catalogue again by itself."""
    CredentialCache.objects.filter(credential=credential).update(
        fetched_at=timezone.now() - CredentialCache.MAX_AGE - timedelta(minutes=1)
    )


@pytest.mark.django_db(transaction=True)
def test_a_fetch_is_an_operation_with_its_exchange_and_the_token_as_a_placeholder(
    owner_client, owner, sandbox, aisq, caplog
):
    caplog.set_level(logging.DEBUG)
    page = owner_client.get(CREATE).text
    assert '<option value="Postgresql">PostgreSQL</option>' in page

    fetch = fetches().get()
    assert (fetch.template, fetch.connector, fetch.provider) == (
        "aisquared-source",
        None,
        "aisquared",
    )
    assert (fetch.user, fetch.credential, fetch.team) == (owner, aisq, aisq.team)
    assert fetch.outcome == Submission.Outcome.SUCCEEDED and not fetch.routine
    assert fetch.finished_at is not None and fetch.response_status == 200
    exchange = fetch.attempts.get()
    assert exchange.method == "GET" and exchange.url.endswith("connector_definitions?type=source")
    assert "Authorization: Bearer $AISQUARED_TOKEN" in exchange.request["curl"]
    assert "PostgreSQL" in exchange.response_body  # the provider's answer, as it came
    # The credential was used: said on the trail, like any call made with it.
    used = AuditEvent.objects.get(action="credential.used")
    assert used.target_id == str(aisq.pk) and str(fetch.pk) in used.message
    # In words, not the template's slug.
    assert (
        used.message == f"Fetch the catalogue: AI Squared: Source connector (submission {fetch.pk})"
    )
    aisq.refresh_from_db()
    assert aisq.last_used_at is not None

    # Listed with the credential's calls, said plainly; its page leads back to the credential.
    calls = credential_page(owner_client, aisq)
    assert f'href="{operation_url(fetch)}">Fetch the catalogue</a>' in calls
    operation = owner_client.get(operation_url(fetch)).text
    assert (
        "<h1>Fetch the catalogue</h1>" in operation and "AI Squared: Source connector" in operation
    )
    crumbs = operation.split('aria-label="Breadcrumb">', 1)[1].split("</nav>", 1)[0]
    assert reverse("credentials:detail", args=["acme", aisq.pk]) in crumbs
    assert "Bearer $AISQUARED_TOKEN" in html.unescape(operation)

    # Served from the copy kept, the next forms call nobody and record nothing.
    owner_client.get(CREATE)
    owner_client.post(
        FIELDS + "?changed=connector_name",
        {"credential": aisq.pk, "connector_name": "Postgresql"},
        headers=HTMX,
    )
    assert fetches().count() == 1 and Attempt.objects.count() == 1
    assert AuditEvent.objects.filter(action="credential.used").count() == 1

    shown = page + calls + operation + caplog.text + everything_stored()
    assert AISQ_TOKEN not in shown


@pytest.mark.django_db(transaction=True)
def test_a_failed_fetch_is_linked_from_the_error_the_form_shows(owner_client, sandbox, aisq, fault):
    fault("status", provider="aisquared", status=503, method="GET")
    page = owner_client.get(CREATE).text
    assert "server error (HTTP 503)" in page

    failed = fetches().get()
    assert failed.outcome == Submission.Outcome.FAILED and not failed.routine
    assert failed.response_status == 503 and failed.error_message
    link = f'href="{operation_url(failed)}">What was sent and answered</a>'
    alert = page.split('class="alert alert-error" role="alert"', 1)[1].split("</div>", 1)[0]
    assert link in alert
    operation = owner_client.get(operation_url(failed)).text
    assert "HTTP 503" in operation and "Bearer $AISQUARED_TOKEN" in html.unescape(operation)
    assert f'href="{operation_url(failed)}">Fetch the catalogue</a>' in credential_page(
        owner_client, aisq
    )

    # Fetched once it answers; then a refresh it fails keeps that list, and links its failure.
    assert "PostgreSQL" in owner_client.post(FIELDS + "?refresh=1", {"credential": aisq.pk}).text
    fault("status", provider="aisquared", status=502, method="GET")
    stale = owner_client.post(FIELDS + "?refresh=1", {"credential": aisq.pk}, headers=HTMX).text
    refused = fetches().last()
    assert refused.outcome == Submission.Outcome.FAILED and refused.response_status == 502
    note = stale.split('class="alert alert-warning" role="status">', 1)[1].split("</div>", 1)[0]
    assert "is shown instead" in note
    assert f'href="{operation_url(refused)}">What was sent and answered</a>' in note
    assert "PostgreSQL" in stale
    assert AISQ_TOKEN not in page + operation + stale + everything_stored()


@pytest.mark.django_db(transaction=True)
def test_a_refetch_nobody_asked_for_that_finds_nothing_new_is_routine_a_refresh_never(
    owner_client, sandbox, aisq
):
    owner_client.get(CREATE)
    first = fetches().get()
    audited = AuditEvent.objects.filter(action="credential.used").count()

    # A day later the form fetches it again by itself, and finds the same list: routine.
    age_the_kept_copy(aisq)
    owner_client.get(CREATE)
    same = fetches().last()
    assert same.pk != first.pk and same.outcome == Submission.Outcome.SUCCEEDED
    assert same.routine and same.attempts.count() == 1
    assert AuditEvent.objects.filter(action="credential.used").count() == audited
    assert CredentialCache.objects.get(credential=aisq).fresh  # kept anew
    link = f'href="{operation_url(same)}"'
    assert link not in credential_page(owner_client, aisq)
    assert link in credential_page(owner_client, aisq, "?routine=1")

    # Asked for ("Refresh the catalogue"), it is recorded and said, though nothing changed.
    owner_client.post(FIELDS + "?refresh=1", {"credential": aisq.pk}, headers=HTMX)
    asked = fetches().last()
    assert asked.pk != same.pk and not asked.routine
    assert AuditEvent.objects.filter(action="credential.used").count() == audited + 1
    assert f'href="{operation_url(asked)}"' in credential_page(owner_client, aisq)

    # By itself again, but the catalogue changed since the copy kept: not routine.
    kept = CredentialCache.objects.get(credential=aisq)
    kept.data = [d for d in kept.data if d["name"] != "Postgresql"]
    kept.save()
    age_the_kept_copy(aisq)
    page = owner_client.get(CREATE).text
    changed = fetches().last()
    assert changed.pk != asked.pk and not changed.routine
    assert "PostgreSQL" in page  # the list as fetched, not as kept


@pytest.mark.django_db(transaction=True)
def test_operators_see_a_fetch_by_its_label(client, owner_client, sandbox, aisq):
    owner_client.get(CREATE)
    fetch = fetches().get()
    operator = get_user_model().objects.create_superuser("ops", "ops@example.com", "x")
    client.force_login(operator)
    listed = client.get(reverse("admin:connectors_submission_changelist")).text
    assert '<td class="field-operation">Fetch the catalogue</td>' in listed
    assert '<td class="field-subject">AI Squared: Source connector</td>' in listed
    filtered = client.get(
        reverse("admin:connectors_submission_changelist") + f"?action={FETCH}"
    ).text
    assert "Fetch the catalogue" in filtered and ">fetch-catalogue<" not in listed
    change = client.get(reverse("admin:connectors_submission_change", args=[fetch.pk])).text
    assert "Fetch the catalogue" in change and AISQ_TOKEN not in change + listed
    assert AISQ_TOKEN not in everything_stored()
