"""Stored credentials embedded in connectors: which credentials a create carried (kept in its
submission's context as non-secret JSON, then on the connector), the links a recorded connector
keeps to them, and which of them carry a secret from before its rotation (services.push_rotated
pushes the new one).

A link is {"slot", "credential" (id), "mapping" (where each value goes), "fingerprints" (the
credential's when the create was sent)}; `EmbeddedCredential` rows are made from them.
"""

from __future__ import annotations

from typing import Any

from connectors_admin.core.crypto import DecryptionError
from connectors_admin.credentials.models import Credential
from connectors_admin.providers.embedding import (
    carries,
    login_host,
    named_host,
    read_value,
)

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


def found_in(team: Any, template: Any, records: list[Any]) -> dict[str, list[tuple[dict, Any]]]:
    """For connectors listed at a provider (made elsewhere), the team's stored credentials
    whose values each one's configuration holds, slot by slot, as links like a create's
    (fingerprints: the credential's, as every value it puts there was found): by remote id.
    Of two that fit a slot (a login stored twice), the older."""
    wanted = {record.remote_id: template.embeddable_slots(record) for record in records}
    kinds = {kind for slots in wanted.values() for slot in slots for kind in slot.kinds}
    if not kinds:
        return {}
    candidates = list(Credential.objects.filter(team=team, kind__in=kinds).order_by("pk"))
    opened: dict[int, dict[str, str] | None] = {}

    def values(credential: Credential) -> dict[str, str] | None:
        if credential.pk not in opened:
            try:
                opened[credential.pk] = credential.secrets()
            except DecryptionError:
                opened[credential.pk] = None
        return opened[credential.pk]

    found: dict[str, list[tuple[dict, Any]]] = {}
    for record in records:
        links = []
        configuration = template.listed_configuration(record)
        for slot in wanted[record.remote_id]:
            credential = next(
                (
                    credential
                    for credential in candidates
                    if credential.kind in slot.kinds
                    and (secrets := values(credential)) is not None
                    and carries(slot, record.digests, credential.public, secrets)
                    and _at_its_host(slot, configuration, credential, secrets)
                ),
                None,
            )
            if credential is None:
                continue
            links.append(
                (
                    {
                        "slot": slot.name,
                        "credential": credential.pk,
                        "mapping": slot.mapping(),
                        **(
                            {"hosts": [list(p) for p in slot.host_paths]} if slot.host_paths else {}
                        ),
                        "fingerprints": credential.fingerprints(),
                    },
                    credential,
                )
            )
        if links:
            found[record.remote_id] = links
    return found


def _at_its_host(slot: Any, configuration: dict, credential: Credential, secrets: dict) -> bool:
    """Is a login sent where the stored one is for (as a create checks)? The same user and
    password for another host is not that credential's copy: the database behind may differ."""
    if not slot.host_paths:
        return True
    own = login_host(slot.targets, credential.public, secrets)
    return bool(own) and all(named_host(_at(configuration, p)) == own for p in slot.host_paths)


def link_found(connector: Connector, links: list[tuple[dict, Any]]) -> list[EmbeddedCredential]:
    """Keep the links `found_in` gave for a connector recorded from the provider's list."""
    return EmbeddedCredential.objects.bulk_create(
        EmbeddedCredential(
            connector=connector,
            credential=credential,
            slot=entry["slot"],
            fingerprints=entry["fingerprints"],
        )
        for entry, credential in links
    )


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
    them over what was typed, nor their deletion be refused for it. A link whose values were
    typed as the credential holds them now stays, current; and where the configuration before
    was never known here (an imported connector), only such links stay. The slots dropped."""
    if not isinstance(after, dict):
        return []
    entries = connector.context.get("embedded") or []
    mappings = {entry.get("slot"): entry.get("mapping") or [] for entry in entries}
    dropped = []
    for link in connector.embedded.select_related("credential"):
        mapping = mappings.get(link.slot, [])
        if isinstance(before, dict) and all(_at(before, p) == _at(after, p) for p, _ in mapping):
            continue  # as it was
        if mapping and _holds_now(after, mapping, link.credential):
            EmbeddedCredential.objects.filter(pk=link.pk).update(
                fingerprints=link.credential.fingerprints()
            )
            continue
        dropped.append(link.slot)
    if dropped:
        EmbeddedCredential.objects.filter(connector=connector, slot__in=dropped).delete()
        context = {
            **connector.context,
            "embedded": [e for e in entries if e.get("slot") not in dropped],
        }
        Connector.objects.filter(pk=connector.pk).update(context=context)
        connector.context = context
    return dropped


def _holds_now(configuration: dict[str, Any], mapping: list, credential: Credential) -> bool:
    """Does the configuration hold, at each of the mapping's places, what the credential puts
    there now?"""
    try:
        secrets = credential.secrets()
        return all(
            _at(configuration, path) == read_value(source, credential.public, secrets)
            for path, source in mapping
        )
    except (DecryptionError, ValueError):
        return False
