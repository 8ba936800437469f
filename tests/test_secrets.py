"""A stored secret appears in no page, log record, stored request or exception message."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

from connectors_admin.audit.models import AuditEvent
from connectors_admin.connectors.models import Attempt, Connector, Submission

from .conftest import MIXPANEL_SECRET, S3_FORM

pytestmark = pytest.mark.django_db(transaction=True)


def test_secret_is_nowhere_after_a_full_session(
    owner_client, sandbox, credential, fault, caplog, tasks
):
    caplog.set_level(logging.DEBUG)
    create = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    data = {**S3_FORM, "credential": credential.pk}
    owner_client.post(create, {**data, "form_token": str(uuid.uuid4())})
    # The provider echoes the secret in an error: it must be redacted before it is stored or shown.
    fault("status", status=400, message=f"s3_bucket rejected for {MIXPANEL_SECRET}")
    failed = owner_client.post(
        create, {**data, "form_token": str(uuid.uuid4())}, headers={"HX-Request": "true"}
    )
    connector = Connector.objects.get()
    # A refresh retried after an answer that echoes the secret, and a create whose answer is lost
    # (reconciled in the background).
    fault("status", status=503, message=f"overloaded, {MIXPANEL_SECRET}")
    owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "refresh"]))
    fault("late")
    owner_client.post(create, {**data, "s3_prefix": "late", "form_token": str(uuid.uuid4())})
    queued = [(r.task.name, r.args, r.kwargs) for r in tasks.queued()]
    outcomes = tasks.run()
    assert "reconcile_create" in {name for name, _, _ in queued}
    assert MIXPANEL_SECRET not in json.dumps([queued, outcomes], default=str)

    pages = [failed.content.decode()]
    for url in [
        reverse("connectors:dashboard", args=["acme"]),
        reverse("connectors:list", args=["acme"]),
        reverse("connectors:detail", args=["acme", connector.pk]),
        reverse("credentials:list", args=["acme"]),
        reverse("credentials:detail", args=["acme", credential.pk]),
        create,
    ]:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        pages.append(response.content.decode())
    pages += [
        owner_client.get(reverse("connectors:submission", args=["acme", s.pk])).content.decode()
        for s in Submission.objects.all()
    ]
    for page in pages:
        assert MIXPANEL_SECRET not in page
    assert "[redacted]" in pages[0]
    assert Attempt.objects.filter(response_status=503).count() == 1
    for attempt in Attempt.objects.all():
        stored = json.dumps(
            [attempt.url, attempt.request, attempt.response_body, attempt.error_message]
        )
        assert MIXPANEL_SECRET not in stored

    for submission in Submission.objects.all():
        stored = " ".join(
            [
                str(submission.request),
                submission.response_body,
                submission.error_message,
                str(submission.field_errors),
            ]
        )
        assert MIXPANEL_SECRET not in stored
    assert MIXPANEL_SECRET not in str(list(Connector.objects.values()))
    assert MIXPANEL_SECRET not in str(list(AuditEvent.objects.values()))
    assert MIXPANEL_SECRET not in caplog.text


def test_an_undecryptable_secret_fails_in_plain_words(owner_client, sandbox, credential, settings):
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    response = owner_client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    html = response.content.decode()
    assert "cannot be decrypted with the configured keys" in html
    assert 'value="acme-events"' in html
    submission = Submission.objects.get()
    assert submission.outcome == "failed"
    assert submission.error_kind == "credential"
