"""A stored secret appears in no page, log record, stored request or exception message."""

from __future__ import annotations

import logging
import uuid

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

from connectors_admin.connectors.models import Connector, Submission

from .conftest import MIXPANEL_SECRET, S3_FORM

pytestmark = pytest.mark.django_db(transaction=True)


def test_secret_is_nowhere_after_a_full_session(owner_client, sandbox, credential, fault, caplog):
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
    owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "refresh"]))

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
    for page in pages:
        assert MIXPANEL_SECRET not in page
    assert "[redacted]" in pages[0]

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
    assert MIXPANEL_SECRET not in str(Connector.objects.values().get())
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
