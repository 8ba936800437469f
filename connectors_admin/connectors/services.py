"""Creating and refreshing connectors: every provider call is recorded before its outcome is known."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from connectors_admin.core.crypto import DecryptionError
from connectors_admin.core.redaction import redact_data
from connectors_admin.credentials.models import Credential
from connectors_admin.providers.base import ConnectorTemplate, ProviderClient, ProviderError

from .models import Connector, Submission

logger = logging.getLogger("connectors_admin.connectors")

UNDECRYPTABLE_MESSAGE = (
    "The stored secret of this credential cannot be decrypted with the configured keys. "
    "An admin needs to enter it again."
)


def _client(credential: Credential) -> ProviderClient:
    try:
        return credential.client()
    except DecryptionError:
        raise ProviderError(UNDECRYPTABLE_MESSAGE, kind="credential") from None


def _finish(submission: Submission, client: ProviderClient | None) -> None:
    exchange = client.last_exchange if client else None
    if exchange is not None:
        submission.response_status = exchange.status
        submission.response_body = client.redacted_response(exchange)
        submission.duration_ms = exchange.duration_ms
    submission.finished_at = timezone.now()


def _fail(submission: Submission, error: ProviderError) -> None:
    submission.outcome = Submission.Outcome.FAILED
    submission.error_kind = error.kind
    submission.error_message = error.message
    submission.field_errors = error.field_errors


def create_connector(
    *,
    team: Any,
    user: Any,
    template: ConnectorTemplate,
    credential: Credential,
    data: dict[str, Any],
    token: uuid.UUID,
) -> Submission:
    """Send the create request once per form token; a repeated token returns the first result."""
    base = {
        "team": team,
        "user": user,
        "credential": credential,
        "provider": template.provider_slug,
        "template": template.slug,
        "form_token": token,
    }
    client = None
    try:
        client = _client(credential)
        call = client.build_create(template, data)
        request = client.redacted_request(call)
    except ProviderError as error:
        call, request = None, {}
        failure = error
    else:
        failure = None
    try:
        with transaction.atomic():
            submission = Submission.objects.create(**base, request=request)
    except IntegrityError:
        return wait_for(Submission.objects.get(team=team, form_token=token))
    logger.info("submission %s: create %s", submission.pk, template.slug)
    if failure is not None:
        _fail(submission, failure)
        _finish(submission, None)
        submission.save()
        return submission
    try:
        exchange = client.send(call)
        record = client.read_create(template, exchange)
    except ProviderError as error:
        _fail(submission, error)
    except Exception:
        _fail(submission, ProviderError("An internal error stopped this request.", kind="internal"))
        _finish(submission, client)
        submission.save()
        raise
    else:
        provider = template.provider
        submission.connector = Connector.objects.create(
            team=team,
            credential=credential,
            provider=template.provider_slug,
            template=template.slug,
            remote_id=record.remote_id,
            remote_status=record.status,
            name=record.title,
            summary=record.summary,
            record=redact_data(record.raw, client.secret_values(), provider.secret_keys),
            context=_context(template, data),
            created_by=user,
        )
        submission.outcome = Submission.Outcome.SUCCEEDED
    _finish(submission, client)
    submission.save()
    logger.info("submission %s: %s", submission.pk, submission.outcome)
    return submission


def _context(template: ConnectorTemplate, data: dict[str, Any]) -> dict[str, Any]:
    """The non-secret inputs a later refresh needs (the form's credential defaults)."""
    return {name: data[name] for name in template.form_class.credential_defaults if name in data}


def wait_for(submission: Submission) -> Submission:
    """A repeated POST while the first is still in flight waits for the first to finish."""
    deadline = time.monotonic() + settings.PROVIDER_READ_TIMEOUT + 5
    while submission.outcome == Submission.Outcome.PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
        submission.refresh_from_db()
    return submission


def refresh_connector(connector: Connector, user: Any) -> Submission:
    submission = Submission.objects.create(
        team=connector.team,
        user=user,
        credential=connector.credential,
        provider=connector.provider,
        template=connector.template,
        action=Submission.Action.REFRESH,
        connector=connector,
    )
    client = None
    try:
        client = _client(connector.credential)
        _, record = client.refresh(connector.remote_id, connector.context)
    except ProviderError as error:
        _fail(submission, error)
        connector.last_error = error.message
        connector.save(update_fields=["last_error"])
    else:
        connector.remote_status = record.status
        connector.name = record.title
        connector.summary = record.summary
        connector.record = redact_data(
            record.raw, client.secret_values(), connector.template_obj.provider.secret_keys
        )
        connector.refreshed_at = timezone.now()
        connector.last_error = ""
        connector.save()
        submission.outcome = Submission.Outcome.SUCCEEDED
    if client and client.last_exchange:
        submission.request = client.redacted_request(client.last_exchange.call)
    _finish(submission, client)
    submission.save()
    return submission
