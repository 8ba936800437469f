"""Stored credentials embedded in connectors: which credentials a create carried (kept in its
submission's context as non-secret JSON, then on the connector), the links a recorded connector
keeps to them, and which of them carry a secret from before its rotation (services.push_rotated
pushes the new one).

A link is {"slot", "credential" (id), "mapping" (where each value goes), "fingerprints" (the
credential's when the create was sent)}; `EmbeddedCredential` rows are made from them.
"""

from __future__ import annotations

from typing import Any

from connectors_admin.credentials.models import Credential

from .models import Connector, EmbeddedCredential, Submission


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


def _at(configuration: Any, path: list[str] | tuple[str, ...]) -> Any:
    value = configuration
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def unlink_replaced(connector: Connector, before: Any, after: Any) -> list[str]:
    """After a change of a connector's whole configuration (a reconfigure): the links whose
    values it no longer carries as they were (typed over, removed) are dropped, with their
    context entries. The connector no longer embeds those credentials: a rotation must not push
    them over what was typed, nor their deletion be refused for it. The slots dropped."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    entries = connector.context.get("embedded") or []
    mappings = {entry.get("slot"): entry.get("mapping") or [] for entry in entries}
    dropped = [
        slot
        for slot in connector.embedded.values_list("slot", flat=True)
        if any(_at(before, path) != _at(after, path) for path, _ in mappings.get(slot, []))
    ]
    if dropped:
        EmbeddedCredential.objects.filter(connector=connector, slot__in=dropped).delete()
        context = {
            **connector.context,
            "embedded": [e for e in entries if e.get("slot") not in dropped],
        }
        Connector.objects.filter(pk=connector.pk).update(context=context)
        connector.context = context
    return dropped
