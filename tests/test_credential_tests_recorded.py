"""A credential's test is an operation like any other call: a submission with each exchange an
attempt (request as curl, the provider's answer, both redacted), linked from the credential's
page; a scheduled re-test that says what the last one said is routine."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import serializers
from django.urls import reverse
from django.utils import timezone

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Attempt, Submission
from connectors_admin.credentials.models import Credential
from connectors_admin.credentials.tasks import retest_credentials

from .conftest import MIXPANEL_SECRET

REFUSED = "invalid-secret-do-not-leak-3141"

# Each kind that calls a provider, as stored with a secret its sandbox refuses (401).
REFUSED_CREDENTIALS = {
    "mixpanel": (
        {"username": "sa.acme", "project_id": 4242, "residency": "us"},
        {"secret": REFUSED},
    ),
    "aisquared": ({"instance": "AI Squared (hosted)", "workspace_id": 7}, {"token": REFUSED}),
    "videovector": ({"auth_type": "bearer"}, {"token": REFUSED}),
    "upstash": ({"email": "ops@example.com"}, {"api_key": REFUSED}),
    "kafkaconnect": ({"cluster": "Sandbox", "username": "ops"}, {"password": REFUSED}),
}


def stored(team, owner, kind: str) -> Credential:
    public, secrets = REFUSED_CREDENTIALS[kind]
    credential = Credential(team=team, kind=kind, label=f"Refused {kind}", public=dict(public))
    credential.set_secrets(secrets, owner)
    credential.save()
    return credential


def everything_stored(*querysets) -> str:
    return "".join(serializers.serialize("json", qs) for qs in querysets)


def test_url(credential: Credential) -> str:
    return reverse("credentials:test", args=["acme", credential.pk])


test_url.__test__ = False  # a helper, not a test


@pytest.mark.django_db(transaction=True)
def test_a_test_by_a_user_is_an_operation_with_each_exchange(
    owner_client, owner, sandbox, credential, fault, caplog
):
    caplog.set_level(logging.DEBUG)
    fault("status", status=503, times=2, method="GET")  # retried twice, then answered
    html = owner_client.post(test_url(credential), headers={"HX-Request": "true"}).text
    assert "accepted the credential" in html

    test = Submission.objects.get()
    assert (test.action, test.template, test.connector, test.provider) == (
        "test-credential",
        "",
        None,
        "mixpanel",
    )
    assert (test.user, test.credential, test.team) == (owner, credential, credential.team)
    assert test.outcome == Submission.Outcome.SUCCEEDED and not test.routine
    assert test.finished_at is not None and test.response_status == 200
    attempts = list(test.attempts.all())
    assert [a.response_status for a in attempts] == [503, 503, 200]
    assert [a.error_kind for a in attempts][:2] != ["", ""]
    assert all(a.method == "GET" and "/sandbox/" in a.url for a in attempts)
    assert all(a.request["curl"].startswith("curl") for a in attempts)

    # The panel that just answered links to it, and so does the page.
    link = f'href="{reverse("connectors:submission", args=["acme", test.pk])}"'
    assert link in html
    detail = reverse("credentials:detail", args=["acme", credential.pk])
    page = owner_client.get(detail).text
    assert page.count(link) == 2  # the test panel and the list of provider calls
    assert "Test the credential" in page

    operation = owner_client.get(reverse("connectors:submission", args=["acme", test.pk])).text
    assert "Mixpanel API credential" in operation and "Test the credential" in operation
    assert operation.count("curl ") >= 3 and "503" in operation
    assert f'href="{detail}"' in operation  # back to the credential

    shown = page + operation + html + caplog.text
    shown += everything_stored(Submission.objects.all(), Attempt.objects.all())
    shown += everything_stored(AuditEvent.objects.all())
    assert MIXPANEL_SECRET not in shown


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", sorted(REFUSED_CREDENTIALS))
def test_a_failed_test_keeps_the_providers_answer_without_the_secret(
    owner_client, team, owner, sandbox, kind, caplog
):
    caplog.set_level(logging.DEBUG)
    credential = stored(team, owner, kind)
    answer = owner_client.post(test_url(credential), follow=True).text
    credential.refresh_from_db()
    assert credential.last_check_ok is False

    test = Submission.objects.get()
    assert test.outcome == Submission.Outcome.FAILED and test.action == "test-credential"
    assert test.error_kind and test.error_message
    attempt = test.attempts.get()
    assert attempt.response_status == 401 and attempt.response_body  # the provider's words
    assert test.response_status == 401 and test.response_body == attempt.response_body

    operation = owner_client.get(reverse("connectors:submission", args=["acme", test.pk])).text
    assert "HTTP 401" in operation and "curl" in operation
    page = owner_client.get(reverse("credentials:detail", args=["acme", credential.pk])).text
    assert reverse("connectors:submission", args=["acme", test.pk]) in page

    shown = answer + operation + page + caplog.text
    shown += everything_stored(Submission.objects.all(), Attempt.objects.all())
    shown += everything_stored(AuditEvent.objects.all())
    assert REFUSED not in shown
    assert REFUSED[len("invalid") :] not in shown  # nor the part a redactor could miss


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_retest_that_says_the_same_is_routine_and_not_audited_again(
    owner_client, sandbox, credential, fault, tasks
):
    owner_client.post(test_url(credential))
    first = Submission.objects.get()
    detail = reverse("credentials:detail", args=["acme", credential.pk])

    def retest() -> Submission:
        Credential.objects.filter(pk=credential.pk).update(
            last_check_at=timezone.now() - timedelta(days=2)
        )
        retest_credentials()
        assert tasks.run("verify_credential")
        return Submission.objects.latest("pk")

    def tests_audited() -> int:
        return AuditEvent.objects.filter(action="credential.tested").count()

    audited = tests_audited()
    same = retest()
    assert same.pk != first.pk and same.user is None
    assert same.routine and same.outcome == Submission.Outcome.SUCCEEDED
    assert same.attempts.count() == 1
    assert tests_audited() == audited  # said already
    credential.refresh_from_db()
    assert credential.last_check_ok is True and credential.last_check_at > timezone.now() - (
        timedelta(minutes=1)
    )
    # Out of the provider calls unless asked for; the test panel links to it, the latest.
    link = f'href="{reverse("connectors:submission", args=["acme", same.pk])}"'
    assert owner_client.get(detail).text.count(link) == 1
    assert owner_client.get(detail + "?routine=1").text.count(link) == 2

    # The provider now refuses it: a different result, shown and audited.
    fault("status", status=401, method="GET")
    changed = retest()
    assert not changed.routine and changed.outcome == Submission.Outcome.FAILED
    assert tests_audited() == audited + 1
    event = AuditEvent.objects.filter(action="credential.tested").latest("pk")
    assert event.actor is None and event.message.startswith("(background)")
    link = f'href="{reverse("connectors:submission", args=["acme", changed.pk])}"'
    assert owner_client.get(detail).text.count(link) == 2

    # Refused again: the same result, routine again.
    fault("status", status=401, method="GET")
    assert retest().routine and tests_audited() == audited + 1


@pytest.mark.django_db
def test_a_storage_secret_tested_for_form_only_records_no_operation(owner_client, team, owner):
    credential = Credential(team=team, kind="aws", label="Bucket key", public={})
    credential.set_secrets(
        {"aws_access_key_id": "AKIA" + "EXAMPLE0" * 2, "aws_secret_access_key": "x" * 40}, owner
    )
    credential.save()
    owner_client.post(test_url(credential))
    credential.refresh_from_db()
    assert credential.last_check_at is not None
    assert not Submission.objects.exists() and not Attempt.objects.exists()
    page = owner_client.get(reverse("credentials:detail", args=["acme", credential.pk])).text
    assert "What was sent and answered" not in page


@pytest.mark.django_db(transaction=True)
def test_the_admin_action_records_its_tests_too(sandbox, credential, client):
    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.create_superuser("ops", "ops@example.com", "x")
    client.force_login(operator)
    url = reverse("admin:credentials_credential_changelist")
    data = {"action": "test_credentials", "_selected_action": [credential.pk], "index": "0"}
    client.post(url, data)
    test = Submission.objects.get()
    assert test.user == operator and test.outcome == Submission.Outcome.SUCCEEDED
    assert test.attempts.count() == 1
    page = client.get(reverse("admin:connectors_submission_change", args=[test.pk])).text
    assert "Test the credential" in page and MIXPANEL_SECRET not in page
    # Titled by the credential's name, and the provider in words, not its slug.
    title = f"<h2>Test the credential: {credential.label}, Mixpanel API credential (succeeded)</h2>"
    assert title in page, page
    assert '<div class="readonly">Mixpanel</div>' in page
    changelist = client.get(reverse("admin:connectors_submission_changelist")).text
    assert "test-credential" in changelist or "Test the credential" in changelist


@pytest.mark.django_db
@pytest.mark.parametrize(("tested", "queries"), [(False, 7), (True, 8)])
def test_the_credential_page_looks_its_last_test_up_in_one_query(
    owner_client, team, owner, credential, tested, queries, django_assert_num_queries
):
    now = timezone.now()
    if tested:
        Credential.objects.filter(pk=credential.pk).update(
            last_check_at=now, last_check_ok=False, last_check_message="Refused (HTTP 401)."
        )
        Submission.objects.bulk_create(
            Submission(
                team=team,
                credential=credential,
                provider="mixpanel",
                action="test-credential",
                outcome=Submission.Outcome.FAILED,
                response_status=401,
            )
            for _ in range(3)
        )
    url = reverse("credentials:detail", args=["acme", credential.pk])
    # session, user, memberships+teams, credential, the two lists, embedded copies, and the
    # latest test where one is shown
    with django_assert_num_queries(queries):
        html = owner_client.get(url).text
    assert ("What was sent and answered" in html) is tested
    if tested:
        latest = Submission.objects.latest("created_at", "pk")
        assert reverse("connectors:submission", args=["acme", latest.pk]) in html
