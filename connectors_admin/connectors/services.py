"""Creating connectors and running their declared actions. Every operation is a submission,
recorded before its outcome is known; every HTTP exchange it makes is an attempt under it; every
use of a credential is audited. Background work (tasks.py) runs the same functions."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action as AuditAction
from connectors_admin.core import crypto
from connectors_admin.core.crypto import DecryptionError
from connectors_admin.core.redaction import crash_site
from connectors_admin.credentials import testing
from connectors_admin.credentials.models import Credential
from connectors_admin.providers import get_template
from connectors_admin.providers.base import (
    CONNECTED,
    DELETE,
    GONE,
    ActionResult,
    CheckResult,
    ConnectorTemplate,
    ProviderClient,
    ProviderError,
    RemoteRecord,
    Target,
)
from connectors_admin.providers.embedding import fill, misplaced_login
from connectors_admin.providers.http import LOOKED_FOR, UNANSWERED_WRITE, Exchange

from . import embedding, signals
from .lost import note_lost
from .models import Attempt, Connector, EmbeddedCredential, Submission

logger = logging.getLogger("connectors_admin.connectors")

UNDECRYPTABLE_MESSAGE = (
    "The stored secret of this credential cannot be decrypted with the configured keys. "
    "An admin needs to enter it again."
)
INTERNAL_ERROR = ProviderError("An internal error stopped this request.", kind="internal")
DISABLED_MESSAGE = "This credential is disabled. An admin can enable it, or pick another."
# A connector keeps the credential it was made with: there is no other to pick.
DISABLED_ACTION = "This credential is disabled: nothing was sent. An admin can enable it."
DISABLED_PUSH = "The credential is disabled: nothing was pushed. An admin can enable it first."
IMPORTED_PUSH = (
    "This connector was made elsewhere (imported) and holds secrets that are not known here "
    "(none of the stored credentials it is linked to holds them), so it cannot be sent again "
    "whole: reconfigure it with the new secret instead."
)
NOT_KEPT_MESSAGE = (
    "Where the secret goes in this connector was not kept, so it cannot be updated here: "
    "create it again with the new secret."
)


def _client(credential: Credential, template: ConnectorTemplate) -> ProviderClient:
    if not credential.enabled:
        raise ProviderError(DISABLED_MESSAGE, kind="credential")
    try:
        client = credential.client()
    except DecryptionError:
        raise ProviderError(UNDECRYPTABLE_MESSAGE, kind="credential") from None
    client.redactor.add(keys=template.secret_keys)
    return client


@contextmanager
def _answers_read(client: ProviderClient) -> Iterator[None]:
    """A crash while reading a provider's answer (a number where a list was expected, say)
    becomes a failure in plain words: the provider answered in a shape we cannot read (and a
    write may have been applied). A crash before any answer came is ours, and is raised; so
    is a database error (recording the exchange, say), which says nothing of the answer."""
    try:
        yield
    except (ProviderError, DatabaseError):
        raise
    except Exception as exc:
        exchange = client.last_exchange
        if exchange is None or exchange.status is None:
            raise
        logger.error("could not read %s's answer: %s", client.label, crash_site(exc))
        raise client.unreadable(exchange, "in a shape Connectors Admin cannot read") from None


def _record_attempts(
    submission: Submission, client: ProviderClient
) -> Callable[[Exchange, int], None]:
    """Store each exchange of the operation as its own attempt, as soon as it ends. Returns
    the store, for a caller that holds some exchanges to store them with its outcome."""

    def store(exchange: Exchange, number: int | None = None) -> None:
        stored = client.exchange_record(exchange)
        request = stored.pop("request")
        Attempt.objects.create(
            submission=submission,
            number=number or len(client.exchanges),
            method=request["method"],
            url=request["url"],
            request=request,
            **stored,
        )

    client.on_exchange = store
    return store


def _finish(submission: Submission, client: ProviderClient | None) -> None:
    """The operation's summary: the exchange that answered it, and when it ended."""
    exchange = client.answering_exchange if client else None
    if exchange is not None:
        if not submission.request:
            submission.request = client.redacted_request(exchange.call)
        submission.response_status = exchange.status
        submission.response_body = client.redacted_response(exchange)
        submission.duration_ms = sum(e.duration_ms for e in client.exchanges)
    submission.finished_at = timezone.now()


def _fail(submission: Submission, error: ProviderError, client: ProviderClient | None) -> None:
    submission.outcome = Submission.Outcome.FAILED
    submission.error_kind = error.kind
    redact = client.redactor.text if client else str
    submission.error_message = redact(error.message)
    submission.field_errors = {k: redact(v) for k, v in error.field_errors.items()}


def _crashed(submission: Submission, client: ProviderClient | None) -> None:
    """An operation that raised something unexpected: recorded as failed and saved, never left
    pending (the caller raises it on)."""
    _fail(submission, INTERNAL_ERROR, client)
    _finish(submission, client)
    submission.save()


def _looked_for(error: ProviderError) -> None:
    """A write whose answer was lost, which the background looks for: said so, in place of
    asking the user to check before retrying. Said only where the lookup is queued."""
    if error.message.endswith(UNANSWERED_WRITE):
        error.message = error.message.removesuffix(UNANSWERED_WRITE) + LOOKED_FOR


def _used(credential: Credential, submission: Submission, request: HttpRequest | None) -> None:
    _all_used([credential], submission, request)


def _all_used(
    credentials: list[Credential], submission: Submission, request: HttpRequest | None
) -> None:
    """Mark credentials used by an operation, each with its audit event. One update marks them
    all: its rows are locked in one order, whichever credential the operation is made with."""
    Credential.objects.filter(pk__in=[c.pk for c in credentials]).update(
        last_used_at=timezone.now()
    )
    # In words: "Create: Mixpanel: Amazon S3 (submission 12)", not the template's slug.
    said = f"{submission.action_label}: {submission.subject} (submission {submission.pk})"
    for credential in credentials:
        record(
            AuditAction.CREDENTIAL_USED,
            request=request,
            actor=submission.user,
            team=submission.team,
            target=credential,
            message=said,
        )


# --- create ---------------------------------------------------------------------------------------
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
    identity: dict[str, Any] | None = None,
    kept: dict[str, Any] | None = None,
    idempotency_key: str = "",
    checked: bool = False,
    create_key: str = "",
    request: HttpRequest | None = None,
) -> Submission:
    """Send the create request once per form token; a repeated token returns the first result.
    `create_key`: the same for every try of one form while a try's outcome is unclear (kept
    with the try, so that the next one can find it: see `unsettled_try`).
    `checked`: the connection of exactly this configuration was checked just before, and
    worked; a connector with no status of its own then says so, as a check would.

    A create whose answer was lost after it may have reached the provider is handed to the
    background reconciliation, which finds out whether the connector exists."""
    if not template.provider.idempotent_creates:
        idempotency_key = ""  # not sent, and no earlier try is resolved by it
    client = None
    failure = None
    call = None
    recorded_request: dict[str, Any] = {}
    try:
        client = _client(credential, template)
        call = client.build_create(template, data, idempotency_key=idempotency_key)
        recorded_request = client.redacted_request(call)
    except ProviderError as error:
        failure = error
    try:
        # The try, and its credentials marked used, in one commit before anything is sent:
        # should the process die mid-call, the try stays pending and the sweep looks for it.
        with transaction.atomic():
            submission = Submission.objects.create(
                team=team,
                user=user,
                credential=credential,
                provider=template.provider_slug,
                template=template.slug,
                form_token=token,
                request=recorded_request,
                identity={
                    **(identity or {}),
                    **({"idempotency_key": idempotency_key} if idempotency_key else {}),
                    **({"create_key": create_key} if create_key else {}),
                },
                context=embedding.stamped(context),
                # Kept until the create settles: if its process dies mid-call, the lookup
                # that the sweep queues records the connector with it (pushes need it).
                secret_config=crypto.encrypt_json(kept) if kept and failure is None else "",
            )
            if failure is None:
                embedded = [c for _, c in embedding.embedded_credentials(submission)]
                _all_used([credential, *embedded], submission, request)
    except IntegrityError:
        first = Submission.objects.filter(team=team, form_token=token).first()
        if first is None and not Credential.objects.filter(pk=credential.pk).exists():
            return _credential_gone(team, user, template, token)
        if first is None:
            raise
        return wait_for(first)
    logger.info("submission %s: create %s", submission.pk, template.slug)
    if failure is not None:
        _fail(submission, failure, client)
        _finish(submission, None)
        submission.save()
        return submission
    store = _record_attempts(submission, client)
    held: list[tuple[Exchange, int]] = []
    outcome: RemoteRecord | ProviderError
    try:
        with _answers_read(client):
            client.validate_create(template, data)  # a check first, where the provider has one
            # The create's own exchanges are stored with its outcome, in the one transaction
            # that records it: a record and the answer it was made from are never apart.
            client.on_exchange = lambda sent: held.append((sent, len(client.exchanges)))
            exchange = client.send(call)
            outcome = client.read_create(template, exchange)
    except ProviderError as error:
        outcome = error
    except Exception:
        _fail(submission, INTERNAL_ERROR, client)
        _finish(submission, client)
        submission.secret_config = ""
        with transaction.atomic():
            for sent, number in held:
                store(sent, number)
            submission.save()
        raise

    def settle(in_one_transaction: bool) -> None:
        for sent, number in held:
            store(sent, number)
        if isinstance(outcome, ProviderError):
            if outcome.may_have_reached:
                _looked_for(outcome)
                submission.reconciliation = Submission.Reconciliation.PENDING
            _fail(submission, outcome, client)
        else:
            _adopt(
                submission,
                client,
                template,
                outcome,
                kept,
                request,
                saved_with_it=in_one_transaction,
            )
            made = submission.connector
            if checked and made is not None and not made.remote_status:
                Connector.objects.filter(pk=made.pk, remote_status="").update(
                    remote_status=CONNECTED
                )
                made.remote_status = CONNECTED
            if idempotency_key and submission.connector is not None:
                # The provider honoured the key: this connector is what the earlier tries made.
                _resolve_earlier_tries(submission, idempotency_key)
        if submission.reconciliation != Submission.Reconciliation.PENDING:
            submission.secret_config = ""  # settled: the connector keeps its own, if any
        _finish(submission, client)
        submission.save()
        if submission.reconciliation == Submission.Reconciliation.PENDING:
            # With the reconciliation, in its commit: the team's pages look for it from then.
            note_lost([submission.team_id], submission.created_at)

    # The answer, the connector it made, its audit event and the try's outcome: one commit.
    try:
        with transaction.atomic():
            settle(in_one_transaction=True)
    except IntegrityError:
        # A row the record refers to went during the call, which the database says only at
        # the commit: recorded part by part instead, each part as far as it can be (a
        # connector that cannot be recorded is said to be at the provider, unrecorded).
        logger.warning("submission %s: recorded part by part", submission.pk)
        submission.refresh_from_db()
        settle(in_one_transaction=False)
    if submission.reconciliation == Submission.Reconciliation.PENDING:
        signals.create_unclear.send(Submission, submission=submission)
    logger.info("submission %s: %s", submission.pk, submission.outcome)
    return submission


def _credential_gone(
    team: Any, user: Any, template: ConnectorTemplate, token: uuid.UUID
) -> Submission:
    """A create whose credential an admin deleted between the form's check and its record:
    said, with nothing sent (a repeat of the form replays this)."""
    try:
        with transaction.atomic():
            return Submission.objects.create(
                team=team,
                user=user,
                credential=None,
                provider=template.provider_slug,
                template=template.slug,
                form_token=token,
                outcome=Submission.Outcome.FAILED,
                error_kind="credential",
                error_message="This credential was deleted while the form was being sent. "
                "Nothing was sent: pick another credential.",
                finished_at=timezone.now(),
            )
    except IntegrityError:
        return wait_for(Submission.objects.get(team=team, form_token=token))


def unsettled_try(team: Any, template: ConnectorTemplate, create_key: str) -> Submission | None:
    """An earlier try of the same form whose outcome is not known yet (still waiting for its
    answer, or its answer lost and the connector being looked for), where a provider that
    takes no idempotency key would make a second connector if the form were sent again."""
    if template.provider.idempotent_creates:
        return None  # the same key: the provider answers with the first connector
    unsettled = Q(outcome=Submission.Outcome.PENDING) | Q(
        reconciliation=Submission.Reconciliation.PENDING
    )
    return (
        Submission.objects.filter(unsettled, team=team, action=Submission.CREATE)
        .filter(identity__create_key=create_key)
        .order_by("-pk")
        .first()
    )


def _resolve_earlier_tries(submission: Submission, idempotency_key: str) -> None:
    """A retry with the same idempotency key got the connector an earlier try's lost answer
    was about: that try is resolved as created, not looked for any more."""
    Submission.objects.filter(
        team=submission.team,
        action=Submission.CREATE,
        identity__idempotency_key=idempotency_key,
        reconciliation=Submission.Reconciliation.PENDING,
    ).exclude(pk=submission.pk).update(
        reconciliation=Submission.Reconciliation.FOUND,
        outcome=Submission.Outcome.SUCCEEDED,
        connector=submission.connector,
        secret_config="",
        error_message="The answer was lost, but a retry with the same idempotency key got the "
        "connector it had created.",
    )


def _adopt(
    submission: Submission,
    client: ProviderClient,
    template: ConnectorTemplate,
    remote: RemoteRecord,
    kept: dict[str, Any] | None,
    request: HttpRequest | None,
    found_afterwards: bool = False,
    retired: bool = False,
    saved_with_it: bool = False,
) -> None:
    """Record the connector the provider returned for this submission. The unique constraint
    refuses a second live record of it: one that an earlier try of the same form recorded (the
    background lookup of a try whose answer was lost, say) is this connector and is adopted;
    any other is a record of a connector the provider has since given its id to this new one
    (a Kafka Connect name reused), and is closed as deleted; unless the connector was found
    after a lost answer and recorded since that try (imported meanwhile): then it is this one.
    `saved_with_it`: the caller saves the submission, linked, in the same transaction."""
    try:
        with transaction.atomic():
            connector = Connector.objects.create(
                team=submission.team,
                credential=submission.credential,
                provider=template.provider_slug,
                template=template.slug,
                remote_id=remote.remote_id,
                remote_status=(remote.status or "")[:50],
                name=remote.title[:255],
                summary=client.redactor.data(remote.summary),
                record=client.redactor.data(remote.raw),
                context=submission.context,
                secret_config=crypto.encrypt_json(kept) if kept else "",
                created_by=submission.user,
            )
            embedding.link(connector, submission)
            if not saved_with_it:
                # Linked as it is recorded: another try of the same form meeting this record
                # (_same_form) sees that it is that form's connector, not an older one to close.
                Submission.objects.filter(pk=submission.pk).update(connector=connector)
            record(
                AuditAction.CONNECTOR_CREATED,
                request=request,
                actor=submission.user,
                team=submission.team,
                target=connector,
                after={"template": template.slug, "remote_id": remote.remote_id},
                message="found at the provider after its answer was lost"
                if found_afterwards
                else "",
            )
    except Exception as error:
        connector = _recorded(submission, template, remote)
        if isinstance(error, IntegrityError) and connector is not None:
            if _same_form(connector, submission):
                _adopted(submission, connector)
                return
            if found_afterwards and connector.created_at >= submission.created_at:
                # Recorded since the lost try (imported, or made by a later try): that record
                # is this connector, not an old one whose id the provider gave anew. Nothing is
                # recorded twice, and nothing is closed.
                _adopted(submission, connector)
                submission.error_message = (
                    f"{template.provider.label}'s answer was lost. The connector was found "
                    "there afterwards, already recorded since (imported, or made by a later "
                    "try)."
                )
                return
            if not retired:
                _retire(connector, submission, request)
                _adopt(
                    submission,
                    client,
                    template,
                    remote,
                    kept,
                    request,
                    found_afterwards,
                    retired=True,
                    saved_with_it=saved_with_it,
                )
                return
        logger.exception("submission %s: created remotely but not recorded", submission.pk)
        _fail(
            submission,
            ProviderError(
                f"{template.provider.label} created the connector (id {remote.remote_id[:100]}) "
                "but Connectors Admin could not record it. Find it at the provider before "
                "trying again.",
                kind="unrecorded",
            ),
            client,
        )
        return
    submission.connector = connector
    submission.outcome = Submission.Outcome.SUCCEEDED
    signals.connector_recorded.send(Connector, connector=connector)


def _recorded(
    submission: Submission, template: ConnectorTemplate, remote: RemoteRecord
) -> Connector | None:
    return Connector.objects.filter(
        credential=submission.credential,
        template=template.slug,
        remote_id=remote.remote_id,
        deleted_at=None,
    ).first()


def _same_form(connector: Connector, submission: Submission) -> bool:
    """Was `connector` recorded by a try of the same form (its idempotency key)?"""
    key = (submission.identity or {}).get("idempotency_key")
    return bool(key) and (
        connector.submissions.filter(action=Submission.CREATE, identity__idempotency_key=key)
        .exclude(pk=submission.pk)
        .exists()
    )


def _retire(connector: Connector, submission: Submission, request: HttpRequest | None) -> None:
    message = (
        "The provider gave this connector's id to a new connector (submission "
        f"{submission.pk}): this one had been deleted there."
    )
    Connector.objects.filter(pk=connector.pk).update(
        remote_status=Connector.DELETED, deleted_at=timezone.now(), last_error=message
    )
    record(
        AuditAction.CONNECTOR_DELETED,
        request=request,
        actor=submission.user,
        team=submission.team,
        target=connector,
        message=message,
    )


def _adopted(submission: Submission, connector: Connector) -> None:
    logger.info("submission %s: got connector %s, already recorded", submission.pk, connector.pk)
    submission.connector = connector
    submission.outcome = Submission.Outcome.SUCCEEDED


def reconcile(submission: Submission) -> Submission:
    """Find out whether a create whose answer was lost made a connector: adopt it if the provider
    has it, say "not created" if it does not, "could not find out" if the provider cannot say."""
    template = get_template(submission.template)
    credential = submission.credential
    try:
        if credential is None:
            raise ProviderError("Its credential was deleted.", kind="credential")
        client = _client(credential, template)
    except ProviderError as error:
        if _claim_lookup(submission):
            submission.reconciliation = Submission.Reconciliation.UNKNOWN
            submission.error_message += f" Could not look for it afterwards: {error.message}"
            submission.secret_config = ""
            submission.save(update_fields=["reconciliation", "error_message", "secret_config"])
        else:
            submission.refresh_from_db()
        return submission
    # Claim it: of two runs (the task and the sweep's retry, say) only one looks. Should the
    # process die while it looks, the submission honestly stays "could not find out". The
    # lookup is recorded with the claim: while it is pending, the credential it asks with is
    # not deleted (a credential deleted meanwhile undoes the claim; the next run says so).
    try:
        with transaction.atomic():
            lookup = None
            if _claim_lookup(submission):
                lookup = Submission.objects.create(
                    team=submission.team,
                    user=None,
                    credential=credential,
                    provider=template.provider_slug,
                    template=template.slug,
                    action=Submission.RECONCILE,
                    identity={"reconciles": submission.pk},  # which try it looks for
                )
    except IntegrityError:
        lookup = None
    if lookup is None:
        submission.refresh_from_db()
        return submission
    known = _RecordedIds(submission.team, template.slug)
    _used(credential, lookup, None)
    _record_attempts(lookup, client)
    kept = crypto.decrypt_json(submission.secret_config) if submission.secret_config else None
    _mask_kept(client, kept)  # the connector found echoes them, as a refresh's answer does
    try:
        with _answers_read(client):
            found = client.find_created(
                template,
                {
                    **submission.identity,
                    "known_ids": known,
                    "since": (submission.created_at - timedelta(minutes=1)).isoformat(),
                },
            )
    except (ProviderError, NotImplementedError) as error:
        message = getattr(error, "message", "This provider cannot be asked.")
        _fail(lookup, ProviderError(message), client)
        if isinstance(error, ProviderError) and _passing(error) and _lookups(submission) < LOOKUPS:
            # The provider is down or busy, as it often still is just after a lost answer:
            # the schedule's sweep asks again in a few minutes, with what it needs kept.
            submission.reconciliation = Submission.Reconciliation.PENDING
        else:
            submission.reconciliation = Submission.Reconciliation.UNKNOWN
            submission.error_message += (
                " Connectors Admin could not find out whether it was created."
            )
    else:
        lookup.outcome = Submission.Outcome.SUCCEEDED
        if found is None:
            submission.reconciliation = Submission.Reconciliation.NOT_CREATED
            submission.error_message += (
                f" {template.provider.label} has no such connector: it was not created."
            )
        else:
            submission.reconciliation = Submission.Reconciliation.FOUND
            submission.error_message = (
                f"{template.provider.label}'s answer was lost, but it had created the "
                "connector: it was found there afterwards."
            )
            _adopt(submission, client, template, found, kept, None, found_afterwards=True)
            lookup.connector = submission.connector
    _finish(lookup, client)
    lookup.save()
    if submission.reconciliation != Submission.Reconciliation.PENDING:
        submission.secret_config = ""
    submission.save()
    logger.info("submission %s: reconciled as %s", submission.pk, submission.reconciliation)
    return submission


def _claim_lookup(submission: Submission) -> bool:
    return bool(
        Submission.objects.filter(
            pk=submission.pk, reconciliation=Submission.Reconciliation.PENDING
        ).update(reconciliation=Submission.Reconciliation.UNKNOWN)
    )


# Lookups of one lost create, a few minutes apart (the sweep's pace), before "could not find out".
LOOKUPS = 6


def _passing(error: ProviderError) -> bool:
    """A failure that may pass (unreachable, timed out, rate limited, a server error), not an
    answer that asking again would repeat (a refused credential, a provider that cannot say)."""
    return error.kind in ("unreachable", "dropped", "timeout") or (
        error.status is not None and (error.status == 429 or error.status >= 500)
    )


def _lookups(submission: Submission) -> int:
    return Submission.objects.filter(
        action=Submission.RECONCILE, identity__reconciles=submission.pk
    ).count()


class _RecordedIds:
    """Answers `remote_id in known` for a team's connectors of one template, asking the
    database for each id it is asked about: a lookup reads one or two candidates, where
    loading every recorded id would read tens of thousands."""

    def __init__(self, team: Any, template_slug: str) -> None:
        self.recorded = Connector.objects.filter(team=team, template=template_slug)
        self.answers: dict[str, bool] = {}

    def __contains__(self, remote_id: object) -> bool:
        key = str(remote_id)
        if key not in self.answers:
            self.answers[key] = self.recorded.filter(remote_id=key).exists()
        return self.answers[key]


@sensitive_variables("data")
def check_before_create(
    *,
    team: Any,
    user: Any,
    template: ConnectorTemplate,
    credential: Credential,
    data: dict[str, Any],
    context: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> CheckResult:
    """Test a configuration with the provider before creating anything; recorded and audited
    like every call made with a credential, the stored ones it embeds included (`context`:
    the form's record context, which names them)."""
    submission = _operation(team, user, credential, template, Submission.CHECK_BEFORE_CREATE)
    client = None
    try:
        client = _client(credential, template)
        _used(credential, submission, request)
        submission.context = embedding.stamped(context)
        for _, embedded in embedding.embedded_credentials(submission):
            _used(embedded, submission, request)
        _record_attempts(submission, client)
        with _answers_read(client):
            result = client.check_connector(template, data)
    except ProviderError as error:
        _fail(submission, error, client)
        result = CheckResult(False, submission.error_message)
    except Exception:
        _crashed(submission, client)
        raise
    else:
        submission.outcome = (
            Submission.Outcome.SUCCEEDED if result.ok else Submission.Outcome.FAILED
        )
        submission.error_message = "" if result.ok else result.message
    _finish(submission, client)
    submission.save()
    return result


# --- a credential's test ---------------------------------------------------------------------------
def run_credential_test(
    credential: Credential,
    client: ProviderClient,
    user: Any,
    routine: Callable[[CheckResult], bool],
) -> CheckResult:
    """Run a credential's test (`client.check()`, the provider's cheapest authenticated call)
    as an operation: a submission without template or connector, each exchange an attempt, so
    that a failed test shows what was sent and what the provider answered, redacted. A
    background re-test that says what the last one said (`routine`) is kept out of the lists
    unless asked for, and deleted after ROUTINE_READS_KEPT_DAYS. The credential's app runs
    it (`credentials.testing`) and keeps the result and the audit."""
    submission = Submission.objects.create(
        team_id=credential.team_id,
        user=user,
        credential=credential,
        provider=credential.kind,
        template="",
        action=Submission.TEST_CREDENTIAL,
    )
    _record_attempts(submission, client)
    try:
        with _answers_read(client):
            result = client.check()
    except ProviderError as error:
        _fail(submission, error, client)
        result = CheckResult(False, submission.error_message, error.kind)
    except Exception:
        _crashed(submission, client)
        raise
    else:
        # Its words may quote the answer: masked as the exchanges are.
        result = CheckResult(result.ok, client.redactor.text(result.message), result.kind)
        if result.ok:
            submission.outcome = Submission.Outcome.SUCCEEDED
        else:
            _fail(submission, ProviderError(result.message, kind=result.kind or "rejected"), client)
    submission.routine = routine(result)
    _finish(submission, client)
    submission.save()
    return result


testing.record_tests_with(run_credential_test)


# --- what a create form is built from -------------------------------------------------------------
def fetch_for_form(
    *,
    team: Any,
    user: Any,
    credential: Credential,
    template: ConnectorTemplate,
    fetch: Callable[[ProviderClient], Any],
    routine: Callable[[Any], bool],
    request: HttpRequest | None = None,
) -> tuple[Submission, Any]:
    """Fetch what a template's create form is built from (a provider's catalogue of connectors
    and their schemas) with a credential, as an operation like any call: a submission with the
    template and no connector, each exchange an attempt (the request as a redacted curl, the
    answer), so that a fetch that failed shows what was sent and what the provider answered.
    `fetch(client)` makes the calls. A fetch nobody asked for that found what was kept before
    (`routine(data)`) is kept out of the lists unless asked for, not audited, and deleted after
    ROUTINE_READS_KEPT_DAYS. Returns the operation and what was fetched (None when it failed:
    the operation says why). What is served from a copy kept is not fetched, and not recorded."""
    submission = _operation(team, user, credential, template, Submission.FETCH_CATALOGUE)
    client = None
    data = None
    try:
        client = _client(credential, template)
        _record_attempts(submission, client)
        with _answers_read(client):
            data = fetch(client)
    except ProviderError as error:
        _fail(submission, error, client)
    except Exception:
        _crashed(submission, client)
        raise
    else:
        submission.outcome = Submission.Outcome.SUCCEEDED
        submission.routine = routine(data)
    if submission.routine:
        Credential.objects.filter(pk=credential.pk).update(last_used_at=timezone.now())
    elif client is not None:
        _used(credential, submission, request)
    _finish(submission, client)
    submission.save()
    return submission, data


def call_budget() -> timedelta:
    """The longest a provider call can keep a submission pending, with room to spare."""
    seconds = settings.PROVIDER_CONNECT_TIMEOUT + settings.PROVIDER_READ_TIMEOUT
    return timedelta(seconds=seconds * 3 + 60)


def lost_create_age() -> timedelta:
    """How old a create whose answer was lost must be before the sweep looks for it at the
    provider, worked out from the time-outs as its bounds are: no sooner than the lookup its
    lost answer queued would have run (its call may last connect + read time-out, then that
    lookup waits as long again: a provider still applying the create would not show it yet,
    and "not created" would invite a second one); no later than the age at which the same
    sweep says a pending create abandoned (`call_budget()`), which it is to look for in that
    run. Midway between the two: about two minutes under the default time-outs (5 s, 30 s)."""
    call = settings.PROVIDER_CONNECT_TIMEOUT + settings.PROVIDER_READ_TIMEOUT
    own_lookup = 2 * call
    return timedelta(seconds=(own_lookup + call_budget().total_seconds()) / 2)


# Routine reads deleted at once, and the most a run deletes: a run's transactions stay short.
PRUNE_BATCH = 2_000
PRUNE_AT_MOST = 50_000


def prune_routine_reads() -> int:
    """Delete the background reads that found nothing new (`Submission.routine`) once they are
    `ROUTINE_READS_KEPT_DAYS` old, with their exchanges, a batch at a time: what people did and
    what the background work found changed is kept for ever. Returns how many went."""
    if settings.ROUTINE_READS_KEPT_DAYS <= 0:
        return 0
    before = timezone.now() - timedelta(days=settings.ROUTINE_READS_KEPT_DAYS)
    gone = 0
    while gone < PRUNE_AT_MOST:
        batch = list(
            Submission.objects.filter(routine=True, created_at__lt=before)
            .order_by()
            .values_list("pk", flat=True)[:PRUNE_BATCH]
        )
        if not batch:
            break
        with transaction.atomic():
            Attempt.objects.filter(submission_id__in=batch).delete()
            Submission.objects.filter(pk__in=batch).delete()
        gone += len(batch)
    return gone


def abandon_stale_submissions() -> int:
    """Submissions still pending long after any call could last lost their process (a worker
    killed mid-call, say): say so, instead of leaving them pending for ever. Run by the
    background schedule, not on every request. A create among them may have been applied
    before its process died: it is looked for at the provider like a create whose answer was
    lost (the sweep that called this queues the lookup)."""
    stale = Submission.objects.filter(
        outcome=Submission.Outcome.PENDING, created_at__lt=timezone.now() - call_budget()
    )
    said = {
        "outcome": Submission.Outcome.FAILED,
        "error_kind": "abandoned",
        "finished_at": timezone.now(),
    }
    # The creates said lost and their teams' stamps in one commit: a sweep stopped between
    # the two would leave creates that no later sweep stamps (they are no longer pending).
    with transaction.atomic():
        creates = stale.filter(action=Submission.CREATE).update(
            **said,
            reconciliation=Submission.Reconciliation.PENDING,
            error_message="The server stopped before recording an outcome.",
        )
        if creates:  # the teams of the creates just said lost, found by what was just written
            lost = Submission.objects.filter(
                action=Submission.CREATE,
                reconciliation=Submission.Reconciliation.PENDING,  # its partial index, no scan
                **said,
            ).values("team_id")
            note_lost(lost, said["finished_at"])
    return creates + stale.update(
        **said,
        error_message="The server stopped before recording an outcome. Check the provider "
        "before trying again.",
    )


def wait_for(submission: Submission) -> Submission:
    """A repeated POST while the first is still in flight waits for the first to finish: as
    long as its call can last (the whole answer has a deadline), and a second to record it."""
    deadline = (
        time.monotonic() + settings.PROVIDER_CONNECT_TIMEOUT + settings.PROVIDER_READ_TIMEOUT + 1
    )
    while submission.outcome == Submission.Outcome.PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
        submission.refresh_from_db()
    return submission


# --- declared actions ----------------------------------------------------------------------------
def _kept(connector: Connector) -> Callable[[], dict[str, Any]]:
    def decrypt() -> dict[str, Any]:
        if not connector.secret_config:
            raise ProviderError(
                "This connector's configuration was never sent from here (it was imported, "
                "say), so its secrets are not known here: it cannot be sent again from here."
            )
        try:
            return crypto.decrypt_json(connector.secret_config)
        except DecryptionError:
            raise ProviderError(UNDECRYPTABLE_MESSAGE, kind="credential") from None

    return decrypt


class _KeptReads:
    """The kept configuration for an action, noting whether the action read it: one that reads
    it sends it again (a check, a reconfigure), with the stored credentials embedded in it."""

    def __init__(self, connector: Connector) -> None:
        self._decrypt = _kept(connector)
        self.read = False

    def __call__(self) -> dict[str, Any]:
        self.read = True
        return self._decrypt()


class _StoredValues:
    """What the stored credentials a connector is linked to put in its configuration (only
    links whose copy is current, of enabled credentials, and those of `pushing`, whose new
    values are going in): for an action on a connector made elsewhere, whose own secrets were
    never known here. The values handed out are added to the client's redactor, and their
    credentials noted (`handed`) to be recorded as used."""

    def __init__(
        self,
        connector: Connector,
        client: ProviderClient | None,
        pushing: Credential | None = None,
    ) -> None:
        self.connector, self.client, self.pushing = connector, client, pushing
        self.handed: list[Credential] = []
        self.values: list[str] = []  # the secret strings handed out

    @sensitive_variables()
    def __call__(
        self, within: dict[str, Any] | None = None, wanted: Collection[str] | None = None
    ) -> dict[str, Any]:
        """`within`: the configuration the values would go into (as the provider holds it now).
        A stored login is handed out only where it names the login's own host: moved elsewhere
        at the provider, the connector's password there is not known here (the one being pushed
        is checked by the push itself, which says why it stops). `wanted`: the top-level keys
        asked for; a credential that fills none of them is not handed out, nor said used."""
        configuration: dict[str, Any] = {}
        entries = {e.get("slot"): e for e in self.connector.context.get("embedded") or []}
        for link in self.connector.embedded.select_related("credential").order_by("pk"):
            credential = link.credential
            entry = entries.get(link.slot) or {}
            mapping = entry.get("mapping")
            pushed = self.pushing is not None and credential.pk == self.pushing.pk
            if pushed:
                credential = self.pushing
            elif not credential.enabled or link.fingerprints != credential.fingerprints():
                continue
            if not mapping:
                continue
            try:
                secrets = credential.secrets()
            except DecryptionError:
                continue
            if (
                not pushed
                and within is not None
                and misplaced_login(within, entry, credential.public, secrets)
            ):
                continue
            if wanted is not None and not set(_filled(mapping, credential, secrets)) & set(wanted):
                continue
            written = fill(configuration, mapping, credential.public, secrets)
            if self.client is not None:  # None: a form's starting values, nothing is sent
                self.client.redactor.add(values=written)
            self.values += written
            if credential not in self.handed:
                self.handed.append(credential)
        return configuration


def _filled(mapping: Any, credential: Credential, secrets: dict[str, str]) -> dict[str, Any]:
    """What a credential's values fill in on their own, at the places `mapping` puts them."""
    alone: dict[str, Any] = {}
    fill(alone, mapping, credential.public, secrets)
    return alone


def _kept_configuration(connector: Connector) -> Any:
    """The configuration kept with the record (None when none was, or it cannot be read)."""
    if not connector.secret_config:
        return None
    try:
        return crypto.decrypt_json(connector.secret_config).get("configuration")
    except DecryptionError:
        return None


def _kept_secrets(connector: Connector) -> dict[str, Any]:
    """The configuration secrets kept with the record (their values, and the names typed as
    secrets), so that answers echoing them, or new values under those names, are masked."""
    if not connector.secret_config:
        return {}
    try:
        kept = crypto.decrypt_json(connector.secret_config)
    except DecryptionError:
        return {}
    return kept if isinstance(kept, dict) else {}


def _changed_meanwhile(connector: Connector, submission: Submission) -> bool:
    """Did an operation that changes the connector at its provider (a pause, a pushed secret)
    finish while this read (a refresh) ran, or is one still running? Then what the read found
    may be older than that change, and is not stored over it: the next refresh reads it again.
    A running one counts: it stores what it did before its operation is closed."""
    return (
        Submission.objects.filter(connector_id=connector.pk, action__in=_changing(connector))
        .filter(
            Q(finished_at__gte=submission.created_at)
            | Q(outcome=Submission.Outcome.PENDING, created_at__gte=timezone.now() - call_budget())
        )
        .exclude(pk=submission.pk)
        .exclude(error_kind="refused")  # queued, then not run: it changed nothing
        .exists()
    )


def _hold(connector: Connector) -> None:
    """Lock the connector's row until the transaction ends: a change claims its operation, and a
    read checks for changes and stores what it found, one at a time. (On SQLite, whose
    transactions here are immediate, the write lock does the same.)"""
    Connector.objects.select_for_update().filter(pk=connector.pk).exists()


def _apply_read(
    connector: Connector, submission: Submission, result: ActionResult, client: ProviderClient
) -> tuple | None:
    """Store what a read found unless a change ran meanwhile: what the connector's row showed
    just before (see `_shown`), None when nothing was stored. The check and the store hold the
    connector's row, which a change takes to claim its operation: a change is either seen
    (running or done), or claimed after the store, and sent after the read."""
    with transaction.atomic():
        _hold(connector)
        if _changed_meanwhile(connector, submission):
            return None
        before = _shown_now(connector)
        _apply(connector, result, client)
        return before


SHOWN_FIELDS = ("remote_status", "name", "summary", "last_error", "deleted_at")


def _shown(connector: Connector) -> tuple:
    """What the list and the record's page show of a connector, which a read may change (not
    the raw record, whose timestamps some providers move on every read)."""
    return tuple(getattr(connector, name) for name in SHOWN_FIELDS)


def _shown_now(connector: Connector) -> tuple:
    """`_shown` as its row holds it now, read into `connector`: another operation (a user's
    refresh) may have stored something since it was read. Called holding the row."""
    connector.refresh_from_db(fields=SHOWN_FIELDS)
    return _shown(connector)


def _apply(connector: Connector, result: ActionResult, client: ProviderClient) -> None:
    """Store what an action found; a record deleted meanwhile is left as it is."""
    changes: dict[str, Any] = {"last_error": "" if result.ok else result.message}
    if result.record is not None:
        remote = result.record
        if remote.status is not None:
            changes["remote_status"] = remote.status[:50]
        changes.update(
            name=remote.title[:255],
            summary=client.redactor.data(remote.summary),
            record=client.redactor.data(remote.raw),
            refreshed_at=timezone.now(),
        )
    if result.status is not None:
        changes["remote_status"] = result.status[:50]
    if result.context:
        merged = {**connector.context, **result.context}
        changes["context"] = {k: v for k, v in merged.items() if v is not None}
    if result.deleted:
        changes.update(
            remote_status=Connector.DELETED, deleted_at=timezone.now(), last_error=result.message
        )
    Connector.objects.filter(pk=connector.pk, deleted_at=None).update(**changes)
    for name, value in changes.items():
        setattr(connector, name, value)


def _operation(
    team: Any, user: Any, credential: Credential, template: ConnectorTemplate, action: str
) -> Submission:
    """The submission recording one operation made with a credential (no connector yet)."""
    return Submission.objects.create(
        team=team,
        user=user,
        credential=credential,
        provider=template.provider_slug,
        template=template.slug,
        action=action,
    )


def refuse(
    connector: Connector, user_id: int | None, action: str, why: str, *, done: bool = False
) -> Submission:
    """Record an operation queued on a connector that did not run, and why: nothing was sent.
    `done`: what it was for is so already (a delete of a connector deleted meanwhile)."""
    users = get_user_model().objects.filter(pk=user_id) if user_id else None
    return Submission.objects.create(
        team=connector.team,
        user_id=user_id if users is not None and users.exists() else None,  # deleted since
        credential=connector.credential,
        provider=connector.provider,
        template=connector.template,
        action=action,
        connector=connector,
        outcome=Submission.Outcome.SUCCEEDED if done else Submission.Outcome.FAILED,
        error_kind="" if done else "refused",
        error_message=why if done else f"{why} Nothing was sent.",
        finished_at=timezone.now(),
    )


def _operation_on(connector: Connector, user: Any, action: str, **settled: Any) -> Submission:
    """The submission recording one operation on an existing connector, before it starts (or,
    with `settled` fields, one that ended without sending anything)."""
    return Submission.objects.create(
        team=connector.team,
        user=user,
        credential=connector.credential,
        provider=connector.provider,
        template=connector.template,
        action=action,
        connector=connector,
        **settled,
    )


def _changing(connector: Connector) -> list[str]:
    """The operations that change a connector at its provider."""
    declared = [a.slug for a in connector.template_obj.actions if a.changes_remote]
    return [*declared, Submission.PUSH_ROTATED]


def _claim(
    connector: Connector,
    user: Any,
    slug: str,
    *,
    same_shared: bool,
    sends: dict[str, str] | None = None,
) -> Submission:
    """The submission of a change about to be sent, unless another change of this connector is
    still running (a double click, two tabs, two workers of a bulk action): one change at a
    time is sent. The same change (`same_shared`: one whose inputs cannot differ, or differ
    only by what `sends` tells apart, kept with the submission) waits for the running one and
    records its outcome, with nothing sent; any other is refused, nothing sent.
    The connector's row is locked while it looks (SQLite's immediate transactions serialize
    the same way), so two requests cannot both find nothing running."""
    with transaction.atomic():
        _hold(connector)
        running = (
            Submission.objects.filter(
                connector_id=connector.pk,
                action__in=_changing(connector),
                outcome=Submission.Outcome.PENDING,
                created_at__gte=timezone.now() - call_budget(),
            )
            .order_by("created_at", "pk")
            .first()
        )
        if running is None:
            return _operation_on(connector, user, slug, context=sends or {})
    if not same_shared or running.action != slug or running.context != (sends or {}):
        return refuse(
            connector,
            getattr(user, "pk", None),
            slug,
            f"“{running.action_label}” of this connector is still running: try again once "
            "it has finished.",
        )
    running = wait_for(running)
    connector.refresh_from_db()
    note = f"Asked for again while it ran: sent once, by operation {running.pk}."
    outcome, error_kind = running.outcome, running.error_kind
    if outcome == Submission.Outcome.PENDING:
        outcome, error_kind = Submission.Outcome.FAILED, "unknown"
        note = f"Asked for again while it ran (operation {running.pk}), whose outcome is not known yet."
    return _operation_on(
        connector,
        user,
        slug,
        outcome=outcome,
        error_kind=error_kind,
        error_message=f"{running.error_message} {note}".strip()
        if outcome == Submission.Outcome.FAILED
        else note,
        finished_at=timezone.now(),
    )


def _client_for(connector: Connector) -> ProviderClient:
    """A client with the connector's provider credential that also masks the configuration
    secrets kept with the connector."""
    if connector.credential is None:
        raise ProviderError(
            "Its credential was deleted: add one and create the record anew.", kind="credential"
        )
    if not connector.credential.enabled:
        raise ProviderError(DISABLED_ACTION, kind="credential")
    client = _client(connector.credential, connector.template_obj)
    _mask_kept(client, _kept_secrets(connector))
    return client


def _mask_kept(client: ProviderClient, kept: dict[str, Any] | None) -> None:
    """The client masks the configuration secrets kept (their values, and the names typed as
    secrets) in every answer it records."""
    if not isinstance(kept, dict):
        return
    client.redactor.add(values=list(kept.get("secret_values") or []))
    client.secret_keys = tuple(map(str, kept.get("secret_keys") or ()))


def action_initial(connector: Connector, slug: str) -> dict[str, Any]:
    """The starting values of a declared action's form (its current configuration, say)."""
    action = connector.template_obj.action(slug)
    if action is None or action.initial is None:
        return {}
    target = Target(
        remote_id=connector.remote_id,
        context=connector.context,
        status=connector.remote_status,
        kept=_kept(connector),
        record=connector.record,
        stored=_StoredValues(connector, None),
    )
    return action.initial(target)


@sensitive_variables("inputs", "target", "result")
def run_action(
    connector: Connector,
    slug: str,
    user: Any,
    request: HttpRequest | None = None,
    inputs: dict[str, Any] | None = None,
) -> Submission:
    """Run one of the template's declared actions on a connector, recorded as a submission with
    an attempt per exchange, and audited."""
    template = connector.template_obj
    action = template.action(slug)
    if action is None:
        raise ValueError(f"{template.slug} declares no action {slug!r}")
    if action.changes_remote:
        submission = _claim(connector, user, action.slug, same_shared=action.inputs is None)
        if submission.finished_at is not None:
            return submission  # another change of it was running: nothing was sent
    else:
        submission = _operation_on(connector, user, action.slug)
    client = None
    unclear = False
    kept = _KeptReads(connector)
    had_kept = bool(connector.secret_config)  # a reconfigure may keep one for the next time
    stored = None
    # A read by the background work (a scheduled refresh, a state followed) is audited, and
    # shown in the history, only if it found something new: see `Submission.routine`.
    background_read = user is None and not action.changes_remote
    shown_before = _shown(connector)
    stored_read = True
    performed: ActionResult | None = None  # what the action did, when it was answered
    try:
        client = _client_for(connector)
        if not background_read:
            _used(connector.credential, submission, request)
        _record_attempts(submission, client)
        stored = _StoredValues(connector, client)
        target = Target(
            remote_id=connector.remote_id,
            context=connector.context,
            status=connector.remote_status,
            kept=kept,
            inputs=inputs or {},
            record=connector.record,
            stored=stored,
        )
        with _answers_read(client):
            try:
                result = action.perform(client, target)
            except ProviderError as error:
                if error.kind != GONE or _maybe_not_seen_yet(connector):
                    raise
                # The provider says it has no such connector: it was deleted there. A read
                # has found out what it was for; a change could not be made.
                result = ActionResult(
                    ok=not action.changes_remote, deleted=True, message=error.message
                )
    except ProviderError as error:
        unclear = (
            action.changes_remote
            and error.may_have_reached
            and _looks_again(connector, client, action)
        )
        if unclear:
            _looked_for(error)
        _fail(submission, error, client)
        if error.found is not None:
            # The change read back what it changed (a delete, the connector still there): what
            # the read found is stored as a refresh stores it.
            # (Its last error is left as it was: the delete's own failure is the operation's.)
            found = ActionResult(
                ok=not connector.last_error, message=connector.last_error, record=error.found
            )
            _apply_read(connector, submission, found, client)
        if not action.changes_remote:
            with transaction.atomic():
                _hold(connector)
                shown_before = _shown_now(connector)
                # Not over what a delete that ended meanwhile said (a record deleted is left as
                # is).
                Connector.objects.filter(pk=connector.pk, deleted_at=None).update(
                    last_error=submission.error_message
                )
            connector.last_error = submission.error_message
    except Exception:
        _crashed(submission, client)
        raise
    else:
        result.message = client.redactor.text(result.message)
        if result.kept is not None:
            # A configuration replaced: the stored credentials it no longer carries as they
            # were (a secret typed over one, or removed) are not embedded in it any more.
            before = _kept_configuration(connector)
            embedding.unlink_replaced(connector, before, result.kept.get("configuration"))
            connector.secret_config = crypto.encrypt_json(result.kept)
            Connector.objects.filter(pk=connector.pk).update(secret_config=connector.secret_config)
            client.redactor.add(values=result.kept.get("secret_values", []))
        if action.changes_remote:
            _apply(connector, result, client)
        else:
            # Not stored over a change in flight: what it found is not known to be nothing new.
            found_before = _apply_read(connector, submission, result, client)
            stored_read = found_before is not None
            shown_before = found_before or shown_before
        if action.changes_remote and connector.in_flight:
            signals.status_unsettled.send(Connector, connector=connector)
        submission.outcome = (
            Submission.Outcome.SUCCEEDED if result.ok else Submission.Outcome.FAILED
        )
        submission.error_message = "" if result.ok else result.message
        # Shown once with the answer, not stored (the exchanges are).
        submission.details = client.redactor.data(result.details)
        result.rows = client.redactor.data(result.rows)
        submission.result = performed = result
    submission.routine = background_read and stored_read and _shown(connector) == shown_before
    if performed is not None and not submission.routine:
        record(
            action.audit,
            request=request,
            actor=user,
            team=connector.team,
            target=connector,
            after={"action": action.slug, "ok": performed.ok, "status": connector.remote_status},
            message=performed.message,
        )
    sent: list[Credential] = []
    if background_read and client is not None:
        # Marked used once it was (a read shared by a batch's connectors included): audited
        # unless the read found nothing new.
        sent.append(connector.credential)
    if client is not None and client.exchanges:
        if kept.read and had_kept:
            # The kept configuration went out again: so did the stored credentials inside it.
            sent += [link.credential for link in connector.embedded.select_related("credential")]
        # A connector made elsewhere: the stored credentials whose values were handed out.
        sent += [c for c in (stored.handed if stored else []) if c not in sent]
    if submission.routine:
        Credential.objects.filter(pk__in=[c.pk for c in sent]).update(last_used_at=timezone.now())
    else:
        for credential in sent:
            _used(credential, submission, request)
    _finish(submission, client)
    submission.save()
    if unclear:
        signals.action_unclear.send(Connector, connector=connector)
    return submission


# A connector made moments ago that a provider says it does not have is not closed: a worker of
# a Kafka Connect cluster may not have read its configuration yet. The next refresh asks again.
GONE_GRACE = timedelta(minutes=2)


def _maybe_not_seen_yet(connector: Connector) -> bool:
    """Could a provider's "not found" on this connector mean only that it has not caught up?
    Not once a delete of it was sent: then it is what the delete did."""
    if connector.created_at <= timezone.now() - GONE_GRACE:
        return False
    return not connector.submissions.filter(action=DELETE.slug).exists()


def _looks_again(connector: Connector, client: ProviderClient | None, action: Any) -> bool:
    """Can a refresh tell what a change whose answer was lost did? It reads the state a pause
    left; that a delete went through, only where the provider says a connector is gone."""
    if client is None or connector.template_obj.action("refresh") is None:
        return False
    return action.slug != DELETE.slug or client.says_gone


# --- importing connectors made elsewhere ---------------------------------------------------------
def list_importable(
    *,
    team: Any,
    user: Any,
    template: ConnectorTemplate,
    credential: Credential,
    inputs: dict[str, Any],
    request: HttpRequest | None = None,
) -> tuple[Submission, list[Importable]]:
    """The provider's connectors of this template (see `Importable`). The listing is recorded
    as an operation."""
    submission = _operation(team, user, credential, template, Submission.IMPORT)
    client = None
    remotes: list[RemoteRecord] = []
    try:
        client = _client(credential, template)
        _used(credential, submission, request)
        _record_attempts(submission, client)
        with _answers_read(client):
            remotes = client.list_existing(template, inputs)
    except ProviderError as error:
        _fail(submission, error, client)
    else:
        submission.outcome = Submission.Outcome.SUCCEEDED
        for remote in remotes:
            remote.summary = client.redactor.data(remote.summary)
            remote.raw = client.redactor.data(remote.raw)
    _finish(submission, client)
    submission.save()
    # Shown with the list, not stored: a list cut at its page limit says so.
    submission.listed_in_part = client.listed_in_part if client is not None else ""
    # Recorded already: at the same place (the same cluster, say), not merely under the same
    # name; another cluster's connector of that name is another connector.
    recorded = Connector.objects.filter(
        team=team,
        template=template.slug,
        deleted_at=None,
        remote_id__in=[r.remote_id for r in remotes],
    ).select_related("credential")
    known: dict[str, Connector] = {}
    for connector in sorted(recorded, key=lambda c: c.credential_id != credential.pk):
        if connector.credential is not None and connector.credential.reaches_same_place(credential):
            known.setdefault(connector.remote_id, connector)
    listed = [
        Importable(remote, known.get(remote.remote_id), unrecordable(remote), [])
        for remote in remotes
    ]
    new = [item.remote for item in listed if item.known is None and not item.cannot]
    carried = embedding.found_in(team, template, new)
    return submission, [
        item._replace(carries=carried.get(item.remote.remote_id, [])) for item in listed
    ]


class Importable(NamedTuple):
    """A connector a provider listed: the record this team already has of it (None when it is
    not recorded yet), why it cannot be recorded ("" when it can), and the team's stored
    credentials its configuration carries (links, as `embedding.found_in` gives them)."""

    remote: RemoteRecord
    known: Connector | None
    cannot: str
    carries: list[tuple[dict[str, Any], Credential]]


KEPT_ID = Connector._meta.get_field("remote_id").max_length


def unrecordable(remote: RemoteRecord) -> str:
    """Why a listed connector cannot be recorded here ("" when it can): an id longer than a
    record keeps (Kafka Connect sets no limit on a name; a create here allows 249)."""
    if len(remote.remote_id) > KEPT_ID:
        return (
            f"Its id is {len(remote.remote_id):,} characters long, and a record here keeps "
            f"at most {KEPT_ID}: it cannot be imported."
        )
    return ""


def import_connectors(
    *,
    team: Any,
    user: Any,
    template: ConnectorTemplate,
    credential: Credential,
    inputs: dict[str, Any],
    chosen: set[str],
    request: HttpRequest | None = None,
) -> tuple[Submission, list[Connector], dict[str, int]]:
    """Record the chosen connectors from a fresh listing (never from what the browser sent
    back), skipping those already recorded; each import is audited. Also how many of the
    chosen were not imported, by why: already recorded here (perhaps meanwhile, by someone
    else), no longer listed at the provider, or not recordable."""
    submission, listed = list_importable(
        team=team,
        user=user,
        template=template,
        credential=credential,
        inputs=inputs,
        request=request,
    )
    imported: list[Connector] = []
    missing = len(chosen - {r.remote_id for r, *_ in listed})
    skipped = {"recorded": 0, "gone": 0, "unread": 0, "cannot": 0}
    if submission.outcome == Submission.Outcome.SUCCEEDED:  # else nothing is known of them
        # Not in a list cut at its page limit: perhaps past the cut, not gone.
        skipped["unread" if submission.listed_in_part else "gone"] = missing
    seen: set[str] = set()
    for remote, known, cannot, carries in listed:
        if remote.remote_id not in chosen or remote.remote_id in seen:
            continue  # not ticked, or listed twice (moved up a page while the list was read)
        seen.add(remote.remote_id)
        if known is not None or cannot:
            skipped["recorded" if known is not None else "cannot"] += 1
            continue
        try:
            connector = _import_one(team, user, template, credential, remote, inputs, carries)
        except IntegrityError:  # recorded meanwhile (a second click, the background lookup)
            skipped["recorded"] += 1
            continue
        record(
            AuditAction.CONNECTOR_IMPORTED,
            request=request,
            actor=user,
            team=team,
            target=connector,
            after={
                "template": template.slug,
                "remote_id": remote.remote_id,
                **({"carries": [c.pk for _, c in carries]} if carries else {}),
            },
            message=f"imported from {template.provider.label} (operation {submission.pk})",
        )
        imported.append(connector)
        signals.connector_recorded.send(Connector, connector=connector)
    return submission, imported, skipped


def _import_one(team, user, template, credential, remote, inputs, carries) -> Connector:
    """One connector recorded from the list, linked to the stored credentials it carries
    (usage, delete protection and rotation cover those copies too)."""
    context = template.imported_context(remote, inputs)
    if carries:
        context["embedded"] = [entry for entry, _ in carries]
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
            record=remote.raw,
            context=context,
            created_by=user,
            refreshed_at=timezone.now(),
        )
        embedding.link_found(connector, carries)
        return connector


# --- pushing a rotated secret --------------------------------------------------------------------
def push_rotated(
    credential: Credential, user: Any, request: HttpRequest | None = None
) -> list[tuple[Connector, Submission | None, str]]:
    """Put a rotated credential's new secret into every live connector that embeds the old one,
    where the provider allows updating a connector; one recorded submission per connector.
    Returns (connector, submission or None when skipped, what happened) for each."""
    by_connector: dict[Any, list[EmbeddedCredential]] = {}
    for entry in embedding.outdated(credential):
        by_connector.setdefault(entry.connector_id, []).append(entry)
    outcomes = []
    for links in by_connector.values():
        connector = links[0].connector
        template = connector.template_obj
        if not credential.enabled:
            outcomes.append((connector, None, DISABLED_PUSH))
            continue
        if not template.pushes_secrets:
            outcomes.append(
                (
                    connector,
                    None,
                    f"{template.provider.label} cannot update a connector's configuration: "
                    "create it again with the new secret, then delete this one.",
                )
            )
            continue
        submission = _push_one(connector, links, credential, user, request)
        outcomes.append(
            (
                connector,
                submission,
                submission.error_message or "The new secret is in the connector's configuration.",
            )
        )
    return outcomes


def _pushing(credential: Credential) -> dict[str, str]:
    """What tells one push from another: the credential and the values it sends now, as one
    digest of their fingerprints and public parts (no secret). A push of the values after a
    later rotation is not the running push asked for twice."""
    values = json.dumps([credential.public, credential.fingerprints()], sort_keys=True)
    return {"pushes": f"{credential.pk}:{hashlib.sha256(values.encode()).hexdigest()[:16]}"}


def _push_one(
    connector: Connector,
    links: list[EmbeddedCredential],
    credential: Credential,
    user: Any,
    request: HttpRequest | None,
) -> Submission:
    """One connector: the configuration the provider holds now (read first, its masked secrets
    put back from the kept one) with the new values where each link's slot puts them, sent
    whole (the provider replaces the configuration), recorded as its own operation."""
    submission = _claim(
        connector, user, Submission.PUSH_ROTATED, same_shared=True, sends=_pushing(credential)
    )
    if submission.finished_at is not None:
        return submission  # another change of it was running: nothing was sent
    current = credential.fingerprints()
    client = None
    try:
        client = _client_for(connector)
        # A connector made elsewhere (imported) has nothing kept: its configuration can still
        # be sent where every secret in it comes from the stored credentials it is linked to.
        kept = _kept(connector)() if connector.secret_config else {}
        mappings = {e["slot"]: e.get("mapping") for e in connector.context.get("embedded", [])}
        if any(not mappings.get(x.slot) for x in links):
            raise ProviderError(NOT_KEPT_MESSAGE)
        try:
            secrets = credential.secrets()
        except DecryptionError:
            raise ProviderError(UNDECRYPTABLE_MESSAGE, kind="credential") from None
        _used(connector.credential, submission, request)
        _record_attempts(submission, client)
        # The configuration as the provider holds it now, not as last read: a change made
        # elsewhere since the last refresh is not reverted by sending the new secret.
        with _answers_read(client):
            now = client.refresh(connector.remote_id, connector.context)
        stored = _StoredValues(connector, client, pushing=credential)
        configuration = connector.template_obj.configuration_to_push(
            Target(
                remote_id=connector.remote_id,
                context=connector.context,
                status=now.status or connector.remote_status,
                kept=lambda: kept,
                record=now.raw,
                stored=stored,
            )
        )
        if not isinstance(configuration, dict):
            raise ProviderError(NOT_KEPT_MESSAGE if kept else IMPORTED_PUSH)
        written: list[str] = []
        entries = {e["slot"]: e for e in connector.context.get("embedded", [])}
        for entry in links:
            written += fill(configuration, mappings[entry.slot], credential.public, secrets)
            misplaced = misplaced_login(
                configuration, entries[entry.slot], credential.public, secrets
            )
            if misplaced:
                raise ProviderError(misplaced, kind="refused")
        client.redactor.add(values=written)
        _all_used(
            [credential, *(c for c in stored.handed if c.pk != credential.pk)], submission, request
        )
        with _answers_read(client):
            remote = client.update_configuration(
                connector.remote_id, connector.context, configuration
            )
    except ProviderError as error:
        _fail(submission, error, client)
    else:
        values = list(dict.fromkeys([*kept.get("secret_values", []), *stored.values, *written]))
        connector.secret_config = crypto.encrypt_json(
            {**kept, "configuration": configuration, "secret_values": values}
        )
        connector.save(update_fields=["secret_config"])
        _apply(connector, ActionResult(record=remote), client)
        EmbeddedCredential.objects.filter(pk__in=[e.pk for e in links]).update(fingerprints=current)
        submission.outcome = Submission.Outcome.SUCCEEDED
        record(
            AuditAction.CONNECTOR_SECRET_PUSHED,
            request=request,
            actor=user,
            team=connector.team,
            target=connector,
            after={"credential": credential.pk, "slots": [e.slot for e in links]},
        )
    _finish(submission, client)
    submission.save()
    logger.info("submission %s: push-rotated %s", submission.pk, submission.outcome)
    return submission
