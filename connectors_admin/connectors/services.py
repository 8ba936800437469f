"""Creating, refreshing and deleting connectors. Every provider call is recorded as a submission
before its outcome is known, and audited as a use of the credential."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action
from connectors_admin.core import crypto
from connectors_admin.core.crypto import DecryptionError
from connectors_admin.core.redaction import redact_data
from connectors_admin.credentials.models import Credential
from connectors_admin.providers.base import (
    CheckResult,
    ConnectorTemplate,
    ProviderClient,
    ProviderError,
)

from .models import Connector, Submission

logger = logging.getLogger("connectors_admin.connectors")

UNDECRYPTABLE_MESSAGE = (
    "The stored secret of this credential cannot be decrypted with the configured keys. "
    "An admin needs to enter it again."
)
DISABLED_MESSAGE = "This credential is disabled. An admin can enable it, or pick another."


def _client(credential: Credential) -> ProviderClient:
    if not credential.enabled:
        raise ProviderError(DISABLED_MESSAGE, kind="credential")
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


def _used(credential: Credential, submission: Submission, request: HttpRequest | None) -> None:
    Credential.objects.filter(pk=credential.pk).update(last_used_at=timezone.now())
    record(
        Action.CREDENTIAL_USED,
        request=request,
        actor=submission.user,
        team=submission.team,
        target=credential,
        message=f"{submission.get_action_display()} {submission.template} (submission {submission.pk})",
    )


@sensitive_variables("data", "kept")
def create_connector(
    *,
    team: Any,
    user: Any,
    template: ConnectorTemplate,
    credential: Credential,
    data: dict[str, Any],
    token: uuid.UUID,
    context: dict[str, Any] | None = None,
    kept: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Submission:
    """Send the create request once per form token; a repeated token returns the first result."""
    client = None
    failure = None
    call = None
    recorded_request: dict[str, Any] = {}
    try:
        client = _client(credential)
        call = client.build_create(template, data)
        recorded_request = client.redacted_request(call)
    except ProviderError as error:
        failure = error
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                team=team,
                user=user,
                credential=credential,
                provider=template.provider_slug,
                template=template.slug,
                form_token=token,
                request=recorded_request,
            )
    except IntegrityError:
        return wait_for(Submission.objects.get(team=team, form_token=token))
    abandon_stale_submissions()
    logger.info("submission %s: create %s", submission.pk, template.slug)
    if failure is not None:
        _fail(submission, failure)
        _finish(submission, None)
        submission.save()
        return submission
    _used(credential, submission, request)
    try:
        exchange = client.send(call)
        remote = client.read_create(template, exchange)
    except ProviderError as error:
        _fail(submission, error)
    except Exception:
        _fail(submission, ProviderError("An internal error stopped this request.", kind="internal"))
        _finish(submission, client)
        submission.save()
        raise
    else:
        try:
            with transaction.atomic():
                connector = Connector.objects.create(
                    team=team,
                    credential=credential,
                    provider=template.provider_slug,
                    template=template.slug,
                    remote_id=remote.remote_id,
                    remote_status=(remote.status or "")[:50],
                    name=remote.title[:255],
                    summary=remote.summary,
                    record=redact_data(remote.raw, client.secret_values()),
                    context=context or {},
                    secret_config=crypto.encrypt_json(kept) if kept else "",
                    created_by=user,
                )
                record(
                    Action.CONNECTOR_CREATED,
                    request=request,
                    actor=user,
                    team=team,
                    target=connector,
                    after={"template": template.slug, "remote_id": remote.remote_id},
                )
        except Exception:
            logger.exception("submission %s: created remotely but not recorded", submission.pk)
            _fail(
                submission,
                ProviderError(
                    f"{template.provider.label} created the connector (id {remote.remote_id[:100]}) "
                    "but Connectors Admin could not record it. Find it at the provider before "
                    "trying again.",
                    kind="unrecorded",
                ),
            )
        else:
            submission.connector = connector
            submission.outcome = Submission.Outcome.SUCCEEDED
    _finish(submission, client)
    submission.save()
    logger.info("submission %s: %s", submission.pk, submission.outcome)
    return submission


@sensitive_variables("data")
def check_before_create(
    *,
    team: Any,
    user: Any,
    template: ConnectorTemplate,
    credential: Credential,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> CheckResult:
    """Test a configuration with the provider before creating anything; recorded and audited
    like every call made with a credential."""
    submission = Submission.objects.create(
        team=team,
        user=user,
        credential=credential,
        provider=template.provider_slug,
        template=template.slug,
        action=Submission.Action.CHECK,
    )
    client = None
    try:
        client = _client(credential)
        _used(credential, submission, request)
        result = client.check_connector(template, data)
    except ProviderError as error:
        _fail(submission, error)
        result = CheckResult(False, error.message)
    else:
        submission.outcome = (
            Submission.Outcome.SUCCEEDED if result.ok else Submission.Outcome.FAILED
        )
        submission.error_message = "" if result.ok else result.message
    if client and client.last_exchange:
        submission.request = client.redacted_request(client.last_exchange.call)
    _finish(submission, client)
    submission.save()
    return result


def call_budget() -> timedelta:
    """The longest a provider call can keep a submission pending, with room to spare."""
    seconds = settings.PROVIDER_CONNECT_TIMEOUT + settings.PROVIDER_READ_TIMEOUT
    return timedelta(seconds=seconds * 3 + 60)


def abandon_stale_submissions() -> int:
    """Submissions still pending long after any call could last lost their process (a worker
    killed mid-call, say): say so, instead of leaving them pending for ever."""
    return Submission.objects.filter(
        outcome=Submission.Outcome.PENDING, created_at__lt=timezone.now() - call_budget()
    ).update(
        outcome=Submission.Outcome.FAILED,
        error_kind="abandoned",
        error_message="The server stopped before recording an outcome. Check the provider "
        "before trying again.",
        finished_at=timezone.now(),
    )


def wait_for(submission: Submission) -> Submission:
    """A repeated POST while the first is still in flight waits for the first to finish."""
    deadline = time.monotonic() + settings.PROVIDER_READ_TIMEOUT + 5
    while submission.outcome == Submission.Outcome.PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
        submission.refresh_from_db()
    return submission


def _kept_secret_values(connector: Connector) -> list[str]:
    """The configuration secrets kept with the record, so that answers echoing them are masked."""
    if not connector.secret_config:
        return []
    try:
        return list(crypto.decrypt_json(connector.secret_config).get("secret_values", []))
    except DecryptionError:
        return []


def _on_record(
    connector: Connector,
    user: Any,
    action: str,
    request: HttpRequest | None,
    work: Callable[[ProviderClient, Submission], None],
) -> Submission:
    """Run one provider call about an existing record, recorded as a submission like a create."""
    submission = Submission.objects.create(
        team=connector.team,
        user=user,
        credential=connector.credential,
        provider=connector.provider,
        template=connector.template,
        action=action,
        connector=connector,
    )
    client = None
    try:
        if connector.credential is None:
            raise ProviderError("Its credential was deleted: add one and create the record anew.")
        client = _client(connector.credential)
        client.extra_secrets = _kept_secret_values(connector)
        _used(connector.credential, submission, request)
        work(client, submission)
    except ProviderError as error:
        _fail(submission, error)
        if action != Submission.Action.DELETE:
            connector.last_error = error.message
            connector.save(update_fields=["last_error"])
    if client and client.last_exchange:
        submission.request = client.redacted_request(client.last_exchange.call)
    _finish(submission, client)
    submission.save()
    return submission


def refresh_connector(
    connector: Connector, user: Any, request: HttpRequest | None = None
) -> Submission:
    def work(client: ProviderClient, submission: Submission) -> None:
        _, remote = client.refresh(connector.remote_id, connector.context)
        if remote.status is not None:
            connector.remote_status = remote.status[:50]
        connector.name = remote.title[:255]
        connector.summary = remote.summary
        connector.record = redact_data(remote.raw, client.secret_values())
        connector.refreshed_at = timezone.now()
        connector.last_error = ""
        fields = ["remote_status", "name", "summary", "record", "refreshed_at", "last_error"]
        # Only a record that was not deleted meanwhile is updated.
        Connector.objects.filter(pk=connector.pk, deleted_at=None).update(
            **{name: getattr(connector, name) for name in fields}
        )
        submission.outcome = Submission.Outcome.SUCCEEDED
        record(
            Action.CONNECTOR_REFRESHED,
            request=request,
            actor=user,
            team=connector.team,
            target=connector,
            after={"status": remote.status},
        )

    return _on_record(connector, user, Submission.Action.REFRESH, request, work)


def delete_connector(
    connector: Connector, user: Any, request: HttpRequest | None = None
) -> Submission:
    """Delete at the provider, then mark the record deleted (it and its history are kept)."""

    def work(client: ProviderClient, submission: Submission) -> None:
        exchange = client.delete(connector.remote_id, connector.context)
        connector.remote_status = Connector.DELETED
        connector.deleted_at = timezone.now()
        connector.last_error = ""
        if exchange.status == 404:
            connector.last_error = "The provider no longer had it: it was already deleted."
        connector.save()
        submission.outcome = Submission.Outcome.SUCCEEDED
        record(
            Action.CONNECTOR_DELETED,
            request=request,
            actor=user,
            team=connector.team,
            target=connector,
            before={"remote_id": connector.remote_id},
        )

    return _on_record(connector, user, Submission.Action.DELETE, request, work)


CONNECTED, CHECK_FAILED = "connected", "check failed"


def recheck_connector(
    connector: Connector, user: Any, request: HttpRequest | None = None
) -> Submission:
    """Check the connection again with the configuration kept (encrypted) at creation."""

    def work(client: ProviderClient, submission: Submission) -> None:
        if not connector.secret_config:
            raise ProviderError("No configuration was kept for this connector to check.")
        try:
            kept = crypto.decrypt_json(connector.secret_config)
        except DecryptionError:
            raise ProviderError(UNDECRYPTABLE_MESSAGE, kind="credential") from None
        result = client.recheck(connector.context, kept)
        connector.remote_status = CONNECTED if result.ok else CHECK_FAILED
        connector.last_error = "" if result.ok else result.message
        connector.save(update_fields=["remote_status", "last_error"])
        submission.outcome = (
            Submission.Outcome.SUCCEEDED if result.ok else Submission.Outcome.FAILED
        )
        submission.error_message = "" if result.ok else result.message
        record(
            Action.CONNECTOR_CHECKED,
            request=request,
            actor=user,
            team=connector.team,
            target=connector,
            after={"ok": result.ok},
            message=result.message,
        )

    return _on_record(connector, user, Submission.Action.CHECK, request, work)
