"""The team's audit trail as its admins browse and export it. It lives with the teams (which
decide who may see it); the audit app below only records events and knows no team rules."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from connectors_admin.audit.models import Action, AuditEvent
from connectors_admin.core.csvexport import csv_download
from connectors_admin.core.paging import CappedPaginator

from .access import get_membership

PAGE_SIZE = 50
# What a team's trail can hold: an account's own events (signing in, its second factors) belong
# to no team, and are in the operators' trail only.
TEAM_ACTIONS = [(value, label) for value, label in Action.choices if not value.startswith("auth.")]
CSV_COLUMNS = [
    "time",
    "action",
    "actor",
    "target_type",
    "target_id",
    "target",
    "client_ip",
    "request_id",
    "before",
    "after",
    "message",
]


def _date(text: str, label: str, problems: list[str]):
    """A filter date, or None; an impossible one (2024-02-30) is said, not a server error."""
    if not text:
        return None
    try:
        found = parse_date(text)
    except ValueError:
        found = None
    if found is None:
        problems.append(f"“{text[:20]}” is not a date: the {label} filter is left out.")
    return found


def _filtered(request: HttpRequest, team) -> tuple[object, dict[str, str], list[str]]:
    events = AuditEvent.objects.filter(team=team)
    chosen = {k: request.GET.get(k, "").strip() for k in ("action", "actor", "since", "until")}
    problems: list[str] = []
    if chosen["action"] in Action.values:
        events = events.filter(action=chosen["action"])
    if chosen["actor"]:
        events = events.filter(actor_name__iexact=chosen["actor"][:150])
    since = _date(chosen["since"], "From", problems)
    until = _date(chosen["until"], "To", problems)
    if since and until and until < since:
        problems.append(
            f"From ({since:%b %-d, %Y}) is after To ({until:%b %-d, %Y}): nothing is between "
            "them, so both dates are left out."
        )
        since = until = None
    zone = timezone.get_current_timezone()
    if since:
        events = events.filter(created_at__gte=datetime.combine(since, time.min, zone))
    if until:
        events = events.filter(created_at__lte=datetime.combine(until, time.max, zone))
    return events, chosen, problems


@login_required
def audit_list(request: HttpRequest, team: str) -> HttpResponse:
    membership = get_membership(request, team, "view_audit")
    events, chosen, problems = _filtered(request, membership.team)
    # A capped count: a team's trail grows without end, and a page must not count it all.
    page = CappedPaginator(events.select_related("team"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "audit/list.html",
        {
            "membership": membership,
            "team": membership.team,
            "page": page,
            "actions": TEAM_ACTIONS,
            "chosen": chosen,
            "problems": problems,
            "filtered": any(chosen.values()),
        },
    )


@login_required
def audit_csv(request: HttpRequest, team: str) -> HttpResponse:
    membership = get_membership(request, team, "view_audit")
    events, _, problems = _filtered(request, membership.team)
    if problems:
        # Said before anything streams: a truncated export must never look like a success.
        return HttpResponse(" ".join(problems), status=400, content_type="text/plain")
    rows = (
        (
            event.created_at.isoformat(),
            event.action,
            event.actor_name,
            event.target_type,
            event.target_id,
            event.target_label,
            event.client_ip or "",
            event.request_id,
            event.before,
            event.after,
            event.message,
        )
        for event in events.iterator(chunk_size=500)
    )
    return csv_download(f"audit-{membership.team.slug}", CSV_COLUMNS, rows)
