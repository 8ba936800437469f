"""Acting on many connectors from the list: refresh, test and delete the ones picked, all on
the page or all that match the filters, each run as a background task and recorded as its own
operation; the list shows each row's progress and the batch's outcome. And the CSV export of
the filtered list (secret-free: records hold no secrets, and no record body is exported)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from connectors_admin.accounts.access import get_membership
from connectors_admin.audit.log import asked_from
from connectors_admin.core.csvexport import csv_download

from .filters import ConnectorFilter
from .models import Connector, Submission
from .tasks import run_connector_action

WATCHING = "connectors_watching"  # session: connector id -> {"action", "at"} queued from here
BATCH = "connectors_batch"  # session: the last batch run from the list
WATCH_FOR = timedelta(minutes=10)
MAX_BULK = 1000  # connectors one bulk action may take
FIELDS = ("pk", "template", "remote_status", "name", "remote_id", "deleted_at")
# What each bulk button runs: the first of these a connector's template declares.
BULK_ACTIONS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "refresh": ("Refresh", ("refresh",), "refreshing…"),
    "test": ("Test", ("test", "check"), "testing…"),
    "delete": ("Delete", ("delete",), "deleting…"),
}
PARTICIPLES = {"refresh": "refreshed", "test": "tested", "delete": "deleted"}
EXPORT_COLUMNS = [
    "name",
    "provider_id",
    "provider",
    "template",
    "status",
    "credential",
    "created_by",
    "created_at",
    "refreshed_at",
    "deleted_at",
    "last_error",
]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _back(request: HttpRequest, team: str) -> str:
    back = request.POST.get("next", "")
    # The list's own query ("?q=…"); a bare "?" (no filter set) adds nothing to the address.
    return reverse("connectors:list", args=[team]) + (
        back if back.startswith("?") and len(back) > 1 else ""
    )


def _chosen(request: HttpRequest, team: Any) -> tuple[list[Connector], int, str]:
    """The live connectors a bulk action takes, how many of those picked (or matching) are
    deleted already (the list shows them; no action takes them), and a problem in words ("" when
    none)."""
    scope = request.POST.get("scope", "selected")
    live = Connector.objects.filter(team=team, deleted_at=None)
    deleted = Connector.objects.filter(team=team, deleted_at__isnull=False)
    if scope == "matching":
        query = QueryDict(request.POST.get("next", "").lstrip("?"))
        filters = ConnectorFilter(query, team)
        if filters.errors:
            # The list ignores a filter it cannot read; an action on "all matching" must not
            # take more than the user saw filtered.
            return [], 0, "A filter of this list is not valid any more: filter the list again."
        found = list(filters.filter(live).only(*FIELDS)[: MAX_BULK + 1])
        if len(found) > MAX_BULK:
            return [], 0, f"More than {MAX_BULK:,} connectors match: narrow the filters first."
        return found, filters.filter(deleted).count(), ""
    field = "on_page" if scope == "page" else "connector"
    ids = [v for v in request.POST.getlist(field) if _is_uuid(v)][:MAX_BULK]
    if not ids:
        return [], 0, ""
    return list(live.filter(pk__in=ids).only(*FIELDS)), deleted.filter(pk__in=ids).count(), ""


def _gone_said(gone: int) -> str:
    if not gone:
        return ""
    return (
        f" {gone} of those picked {'is' if gone == 1 else 'are'} deleted already and "
        f"{'was' if gone == 1 else 'were'} left alone."
    )


@login_required
@require_POST
def bulk_action(request: HttpRequest, team: str) -> HttpResponse:
    """Refresh, test or delete many connectors in the background. A delete first shows what
    will be deleted at each provider and asks to confirm."""
    membership = get_membership(request, team, "create_connector")
    kind = request.POST.get("action", "refresh")
    if kind not in BULK_ACTIONS:
        kind = "refresh"
    label, slugs, verb = BULK_ACTIONS[kind]
    connectors, gone, problem = _chosen(request, membership.team)
    if problem:
        return _refused(request, team, problem)
    if not connectors and gone:
        return _refused(
            request,
            team,
            f"The {gone} connector{'s' if gone != 1 else ''} picked "
            f"{'is' if gone == 1 else 'are'} deleted already: nothing to {label.lower()}.",
        )
    runs: list[tuple[Connector, str]] = []
    for connector in connectors:
        offered = {a.slug for a in connector.available_actions()}
        slug = next((s for s in slugs if s in offered), None)
        if slug is not None:
            runs.append((connector, slug))
    skipped = len(connectors) - len(runs)
    if not runs:
        return _refused(
            request,
            team,
            f"Pick at least one connector to {label.lower()}."
            if not connectors
            else f"None of the {len(connectors)} picked can be {PARTICIPLES[kind]} here "
            "(their template or state does not offer it).",
        )
    if kind == "delete" and not request.POST.get("confirmed"):
        return render(
            request,
            "connectors/bulk_confirm.html",
            {
                "membership": membership,
                "team": membership.team,
                "runs": runs,
                "skipped": skipped,
                "gone": gone,
                "next": request.POST.get("next", "")
                if request.POST.get("next", "").startswith("?")
                else "",
            },
        )
    now = timezone.now().isoformat()
    watching = {k: v for k, v in request.session.get(WATCHING, {}).items() if isinstance(v, dict)}
    # Each run is audited with this request's address and id, as one run from a page is.
    asked = asked_from(request)
    for connector, slug in runs:
        watching[str(connector.pk)] = {"action": slug, "at": now}
        run_connector_action.enqueue(str(connector.pk), slug, request.user.pk, asked)
    request.session[WATCHING] = watching
    request.session[BATCH] = {
        "team": membership.team.pk,
        "label": label,
        "at": now,
        "ids": [str(c.pk) for c, _ in runs],
        "actions": list(slugs),
    }
    count = len(runs)
    said = f"{verb.rstrip('…').capitalize()} {count} connector{'s' if count != 1 else ''} in the background; the list follows them."
    if skipped:
        ran = {connector.pk for connector, _ in runs}
        left = [str(c) for c in connectors if c.pk not in ran]
        named = ", ".join(left[:3]) + (f" and {len(left) - 3} more" if len(left) > 3 else "")
        said += (
            f" {skipped} of those picked {'does' if skipped == 1 else 'do'} not offer it "
            f"and {'was' if skipped == 1 else 'were'} left alone: {named}."
        )
    said += _gone_said(gone)
    messages.success(request, said)
    return redirect(_back(request, team))


def _refused(request: HttpRequest, team: str, why: str) -> HttpResponse:
    """A bulk attempt refused: said, in place of the last batch's summary (which would now sit
    under it as if they were one)."""
    request.session.pop(BATCH, None)
    messages.error(request, why)
    return redirect(_back(request, team))


def waiting(request: HttpRequest, connectors) -> dict[str, str]:
    """The connectors on this page whose action, queued from the list by this user, has not
    finished yet: id -> what is happening ("deleting…"). Only this user's operations end it:
    a scheduled refresh of the same connector meanwhile is not the one queued from here."""
    queued = request.session.get(WATCHING, {})
    if not queued:
        return {}
    horizon = (timezone.now() - WATCH_FOR).isoformat()
    queued = {
        pk: entry
        for pk, entry in queued.items()
        if isinstance(entry, dict) and entry.get("at", "") > horizon
    }
    on_page = {str(c.pk) for c in connectors} & set(queued)
    done = set()
    if on_page:
        finished = Submission.objects.filter(
            user_id=request.user.pk,
            connector_id__in=on_page,
            action__in={queued[pk]["action"] for pk in on_page},
            finished_at__gte=min(queued[pk]["at"] for pk in on_page),
        ).values_list("connector_id", "action", "finished_at")
        done = {
            str(pk)
            for pk, action, at in finished
            if action == queued[str(pk)]["action"] and at.isoformat() >= queued[str(pk)]["at"]
        }
    remaining = {pk: entry for pk, entry in queued.items() if pk not in done}
    if remaining != request.session.get(WATCHING):
        request.session[WATCHING] = remaining
    verbs = {slug: verb for _, slugs, verb in BULK_ACTIONS.values() for slug in slugs}
    return {pk: verbs.get(queued[pk]["action"], "working…") for pk in on_page - done}


def batch_outcome(request: HttpRequest, team: Any) -> dict[str, Any] | None:
    """How the last batch run from this team's list went: done, failed (each with why),
    waiting. Another team's list says nothing of it, nor does this one once the user has left
    the team (its submissions are read through the team). Each connector's outcome is the
    user's own operation (the batch runs as them): another's, or a scheduled refresh of it
    meanwhile, is not the batch's, which still waits for its own."""
    batch = request.session.get(BATCH)
    if (
        not isinstance(batch, dict)
        or batch.get("team") != team.pk
        or batch.get("at", "") < (timezone.now() - WATCH_FOR).isoformat()
    ):
        return None
    results = (
        Submission.objects.filter(
            team=team,
            user_id=request.user.pk,
            connector_id__in=batch["ids"],
            action__in=batch["actions"],
            created_at__gte=batch["at"],
        )
        .exclude(outcome=Submission.Outcome.PENDING)
        .select_related("connector")
        .order_by("created_at")
    )
    latest = {str(s.connector_id): s for s in results}
    failed = [s for s in latest.values() if s.outcome == Submission.Outcome.FAILED]
    return {
        "label": batch["label"],
        "total": len(batch["ids"]),
        "done": len(latest) - len(failed),
        "failed": failed[:20],
        "failed_count": len(failed),
        "waiting": len(batch["ids"]) - len(latest),
    }


@login_required
@require_GET
def export_csv(request: HttpRequest, team: str) -> HttpResponse:
    """The filtered list as CSV, streamed. The filters are checked before anything streams: a
    truncated export must never look like a success."""
    membership = get_membership(request, team)
    filters = ConnectorFilter(request.GET, membership.team)
    if filters.errors:
        problems = " ".join(
            f"{filters.fields[name].label}: {' '.join(errors)}"
            for name, errors in filters.errors.items()
        )
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    rows = (
        filters.filter(Connector.objects.filter(team=membership.team))
        .values_list(
            "name",
            "remote_id",
            "provider",
            "template",
            "remote_status",
            "credential__label",
            "created_by__username",
            "created_at",
            "refreshed_at",
            "deleted_at",
            "last_error",
        )
        .iterator(chunk_size=2000)
    )
    return csv_download(f"connectors-{membership.team.slug}", EXPORT_COLUMNS, rows)
