"""Stored credentials embedded in connectors: which credentials a create carried (kept in its
submission's context as non-secret JSON, then on the connector), the links a recorded connector
keeps to them, and pushing a rotated credential's new secret into the connectors that still
carry the old one.

A link is {"slot", "credential" (id), "mapping" (where each value goes), "fingerprints" (the
credential's when the create was sent)}; `EmbeddedCredential` rows are made from them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action as AuditAction
from connectors_admin.core import crypto
from connectors_admin.core.crypto import DecryptionError
from connectors_admin.credentials.models import Credential
from connectors_admin.providers.base import ActionResult, ProviderError
from connectors_admin.providers.embedding import fill

from .models import Connector, EmbeddedCredential, Submission

logger = logging.getLogger("connectors_admin.connectors")


# --- links ---------------------------------------------------------------------------------------
def stamped(context: dict[str, Any] | None) -> dict[str, Any]:
    """A create's record context with each embedded credential's fingerprints as they are when
    the create is sent: a connector adopted later (its answer was lost) is linked to the secret
    it carries, even if the credential is rotated meanwhile."""
    context = dict(context or {})
    links = context.get("embedded") or []
    if not links:
        return context
    found = Credential.objects.in_bulk([link["credential"] for link in links])
    context["embedded"] = [
        {**link, "fingerprints": found[link["credential"]].fingerprints()}
        for link in links
        if link["credential"] in found
    ]
    return context


def embedded_credentials(submission: Submission) -> list[tuple[dict[str, Any], Credential]]:
    """The stored credentials a create carried, with their link."""
    links = submission.context.get("embedded") or []
    found = Credential.objects.in_bulk([link["credential"] for link in links])
    return [(link, found[link["credential"]]) for link in links if link["credential"] in found]


def link(connector: Connector, submission: Submission) -> list[EmbeddedCredential]:
    """Keep a link to every stored credential whose secret the connector carries, with the
    secret's fingerprints as embedded (a later rotation shows which copies are old)."""
    return EmbeddedCredential.objects.bulk_create(
        EmbeddedCredential(
            connector=connector,
            credential=credential,
            slot=entry["slot"],
            fingerprints=entry.get("fingerprints") or credential.fingerprints(),
        )
        for entry, credential in embedded_credentials(submission)
    )


def outdated(credential: Credential):
    """Links of live connectors that carry this credential's secret from before its rotation."""
    return (
        EmbeddedCredential.objects.filter(credential=credential, connector__deleted_at=None)
        .exclude(fingerprints=credential.fingerprints())
        .select_related("connector__credential", "connector__team")
        .order_by("connector__created_at", "pk")
    )


# --- pushing a rotated secret --------------------------------------------------------------------
def push_rotated(
    credential: Credential, user: Any, request: HttpRequest | None = None
) -> list[tuple[Connector, Submission | None, str]]:
    """Put a rotated credential's new secret into every live connector that embeds the old one,
    where the provider allows updating a connector; one recorded submission per connector.
    Returns (connector, submission or None when skipped, what happened) for each."""
    by_connector: dict[Any, list[EmbeddedCredential]] = {}
    for entry in outdated(credential):
        by_connector.setdefault(entry.connector_id, []).append(entry)
    outcomes = []
    for links in by_connector.values():
        connector = links[0].connector
        template = connector.template_obj
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


def _push_one(
    connector: Connector,
    links: list[EmbeddedCredential],
    credential: Credential,
    user: Any,
    request: HttpRequest | None,
) -> Submission:
    """One connector: its kept configuration with the new values where each link's slot puts
    them, sent whole (the provider replaces the configuration), recorded as its own operation."""
    # services imports this module: its recording helpers are looked up when a push runs.
    from .services import (
        UNDECRYPTABLE_MESSAGE,
        _apply,
        _client_for,
        _fail,
        _finish,
        _kept,
        _operation_on,
        _record_attempts,
        _used,
    )

    submission = _operation_on(connector, user, Submission.PUSH_ROTATED)
    current = credential.fingerprints()
    client = None
    try:
        client = _client_for(connector)
        kept = _kept(connector)()
        configuration = kept.get("configuration")
        mappings = {e["slot"]: e.get("mapping") for e in connector.context.get("embedded", [])}
        if not isinstance(configuration, dict) or any(not mappings.get(x.slot) for x in links):
            raise ProviderError(
                "Where the secret goes in this connector was not kept, so it cannot be "
                "updated here: create it again with the new secret."
            )
        try:
            secrets = credential.secrets()
        except DecryptionError:
            raise ProviderError(UNDECRYPTABLE_MESSAGE, kind="credential") from None
        written: list[str] = []
        for entry in links:
            written += fill(configuration, mappings[entry.slot], credential.public, secrets)
        client.redactor.add(values=written)
        _used(connector.credential, submission, request)
        _used(credential, submission, request)
        _record_attempts(submission, client)
        remote = client.update_configuration(connector.remote_id, connector.context, configuration)
    except ProviderError as error:
        _fail(submission, error, client)
    else:
        values = list(dict.fromkeys([*kept.get("secret_values", []), *written]))
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
