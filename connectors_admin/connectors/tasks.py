"""Background work on connectors (Django's tasks framework; ids in, never objects or secrets):
statuses followed until they settle, live connectors refreshed on a schedule, creates whose
answer was lost reconciled, stale operations closed."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from itertools import batched
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.tasks import default_task_backend, task
from django.utils import timezone

from connectors_admin.audit.log import request_as_asked
from connectors_admin.core.redaction import crash_site
from connectors_admin.core.requestid import CURRENT_REQUEST_ID
from connectors_admin.core.scheduling import register
from connectors_admin.core.tasks import enqueue_on_commit, is_pending
from connectors_admin.providers import TEMPLATES
from connectors_admin.providers.http import shared_connections, shared_reads

from . import services, signals
from .models import Connector, Submission

logger = logging.getLogger("connectors_admin.connectors")

MAX_FOLLOW_ROUNDS = 8  # about five minutes with the backoff below


def _follow_delay(round_: int) -> timedelta:
    return timedelta(seconds=min(2**round_, 60))


@task()
def refresh_connector(connector_id: str) -> str:
    """Refresh one connector from its provider, as the background work (no user)."""
    connector = (
        Connector.objects.select_related("credential", "team")
        .filter(pk=connector_id, deleted_at=None)
        .first()
    )
    if connector is None or connector.template_obj.action("refresh") is None:
        return "gone"
    submission = services.run_action(connector, "refresh", None)
    return submission.outcome


@task()
def run_connector_action(
    connector_id: str, slug: str, user_id: int | None, asked: dict[str, Any] | None = None
) -> str:
    """One connector of a bulk action from the list, run as the user who asked, if they may
    still run it and the connector still offers it. `asked`: the asking request's address and
    id (`audit.log.asked_from`), which its audit events and log lines carry."""
    from connectors_admin.accounts.models import Membership
    from connectors_admin.accounts.twofactor import has_two_factor

    connector = (
        Connector.objects.select_related("credential", "team").filter(pk=connector_id).first()
    )
    if connector is None:
        return "gone"
    # What changed since it was queued is recorded as this connector's outcome, in words:
    # the batch's summary and the list's progress read it, and do not wait for it for ever.
    if connector.deleted_at is not None:
        if slug == "delete":  # what was asked for is done
            services.refuse(connector, user_id, slug, "It was already deleted.", done=True)
        else:
            services.refuse(connector, user_id, slug, "It was deleted before this could run.")
        return "gone"
    action = connector.template_obj.action(slug)
    if action is None or action not in connector.available_actions():
        services.refuse(
            connector, user_id, slug, "It no longer offers this (its state changed meanwhile)."
        )
        return "not available"
    membership = (
        Membership.objects.select_related("user").filter(team=connector.team, user_id=user_id)
    ).first()
    if (
        membership is None
        or not membership.user.is_active  # deactivated by an operator since
        or not membership.can(action.capability)
    ):
        services.refuse(
            connector, user_id, slug, "Whoever asked may no longer do this in this team."
        )
        return "not allowed"
    if connector.team.require_two_factor and not has_two_factor(membership.user):
        # Queued before the team required two-factor, by a member without it.
        services.refuse(
            connector,
            user_id,
            slug,
            "The team now requires two-factor authentication, which whoever asked has not set up.",
        )
        return "not allowed"
    request = request_as_asked(asked, membership.user)
    token = CURRENT_REQUEST_ID.set(request.request_id or "-") if request else None
    try:
        return services.run_action(connector, slug, membership.user, request).outcome
    finally:
        if token is not None:
            CURRENT_REQUEST_ID.reset(token)


@task()
def follow_status(connector_id: str, round_: int) -> str:
    """Refresh a new connector until it leaves its provider's transitional states."""
    outcome = refresh_connector.call(connector_id)
    connector = Connector.objects.filter(pk=connector_id).first()
    if connector is None or not connector.in_flight:
        return f"settled: {outcome}"
    if round_ >= MAX_FOLLOW_ROUNDS or not default_task_backend.supports_defer:
        return "still in flight; the scheduled refresh takes over"
    follow_status.using(run_after=timezone.now() + _follow_delay(round_)).enqueue(
        connector_id, round_ + 1
    )
    return "still in flight"


@task()
def reconcile_create(submission_id: int) -> str:
    submission = (
        Submission.objects.select_related("credential", "team", "user")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        return "gone"
    return services.reconcile(submission).reconciliation


# Connectors a scheduled refresh task takes at once: fewer rows in the queue than one a task.
REFRESH_BATCH = 25


def _refresh_lease() -> timedelta:
    """How long a queued refresh may wait before the schedule asks whether its task is lost."""
    return timedelta(minutes=settings.STATUS_REFRESH_MINUTES) * 4


def refresh_live_connectors() -> str:
    """Queue refreshes of the live connectors that are due, the least recently tried first,
    topping the queue up to `STATUS_REFRESH_LIMIT`: one already waiting is not queued again,
    and one that keeps failing waits its turn behind the others."""
    now = timezone.now()
    every = timedelta(minutes=settings.STATUS_REFRESH_MINUTES)
    refreshable = [slug for slug, t in TEMPLATES.items() if t.action("refresh") is not None]
    # Not those whose credential is disabled or deleted: each refresh would only fail, and
    # add a failed operation to their history every run, until it is enabled again.
    live = Connector.objects.filter(
        deleted_at=None, template__in=refreshable, credential__enabled=True
    )
    lease = now - _refresh_lease()
    # Marks past the lease whose task still waits in the queue (the workers are behind) or
    # runs (started within the lease) hold; the others' tasks were lost. Without the list's
    # own order, which would make each connector a distinct row: a thousand tasks, not rows.
    expired = set(
        live.filter(refresh_queued_at__lt=lease)
        .order_by()
        .values_list("refresh_task", flat=True)
        .distinct()[:1000]
    )
    held = [task_id for task_id in expired if is_pending(task_id, started_since=lease)]
    waiting = live.filter(
        Q(refresh_queued_at__gte=lease) | Q(refresh_queued_at__isnull=False, refresh_task__in=held)
    ).count()
    room = settings.STATUS_REFRESH_LIMIT - waiting
    if room <= 0:
        return f"queued 0 refreshes ({waiting} still waiting)"
    recently = now - every / 2
    due = (
        live.filter(Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=recently))
        .filter(Q(refresh_tried_at__isnull=True) | Q(refresh_tried_at__lt=recently))
        .filter(Q(refresh_queued_at__isnull=True) | Q(refresh_queued_at__lt=lease))
        .exclude(refresh_queued_at__isnull=False, refresh_task__in=held)
        .order_by(
            F("refresh_tried_at").asc(nulls_first=True),
            F("refreshed_at").asc(nulls_first=True),
            "created_at",
            "pk",
        )
    )
    with transaction.atomic():
        ids = [str(pk) for pk in due.values_list("pk", flat=True)[:room]]
        for chunk in batched(ids, REFRESH_BATCH):
            result = refresh_connectors.enqueue(list(chunk), now.isoformat())
            Connector.objects.filter(pk__in=chunk).update(
                refresh_queued_at=now, refresh_task=str(result.id)
            )
    return f"queued {len(ids)} refreshes"


@task()
def refresh_connectors(connector_ids: list[str], queued_at: str | None = None) -> list[str]:
    """A batch of scheduled refreshes: each connector's outcome, one failing leaving the rest
    to run; calls to the same host reuse one connection, and a list read once serves every
    connector found in it (a Mixpanel project's). Each is then off the queue (unless a
    later run queued it again meanwhile), so a later run may queue it again when it is due."""
    outcomes = []
    try:
        with shared_connections(), shared_reads():
            for connector_id in connector_ids:
                try:
                    outcomes.append(refresh_connector.call(connector_id))
                except Exception as exc:
                    logger.error(
                        "scheduled refresh of connector %s failed: %s",
                        connector_id,
                        crash_site(exc),
                    )
                    outcomes.append("error")
    finally:
        ran = Connector.objects.filter(pk__in=connector_ids)
        ran.update(refresh_tried_at=timezone.now())
        if queued_at is not None:
            ran = ran.filter(refresh_queued_at=datetime.fromisoformat(queued_at))
        ran.update(refresh_queued_at=None, refresh_task="")
    return outcomes


def sweep_submissions() -> str:
    """Close operations whose process died, and reconcile creates left pending."""
    abandoned = services.abandon_stale_submissions()
    stuck = Submission.objects.filter(
        reconciliation=Submission.Reconciliation.PENDING,
        created_at__lt=timezone.now() - services.lost_create_age(),
    ).values_list("pk", "reconcile_task")
    # A lookup still waiting in the queue (the workers are behind), or running, is not queued
    # twice: run back to back, two would use up the few lookups a lost create gets, minutes
    # apart. One whose worker died mid-run (running for longer than any call) is lost.
    running_since = timezone.now() - services.call_budget()
    queued = 0
    for pk, task_id in stuck:
        if not is_pending(task_id, started_since=running_since):
            _queue_lookup(pk)
            queued += 1
    return f"{abandoned} abandoned, {queued} reconciliations queued"


def prune_routine_reads() -> str:
    return f"{services.prune_routine_reads()} routine reads deleted"


def _queue_lookup(submission_id: int, delay: timedelta | None = None) -> None:
    lookup = reconcile_create
    if delay and default_task_backend.supports_defer:
        lookup = reconcile_create.using(run_after=timezone.now() + delay)
    result = lookup.enqueue(submission_id)
    Submission.objects.filter(pk=submission_id).update(reconcile_task=str(result.id))


def _reconcile_later(submission: Submission, **kwargs) -> None:
    """A provider that did not answer in time may still be applying the create: looked for at
    once, it would not be found yet and be called "not created", safe to try again. The first
    look waits as long again as the call could have (then the sweep's, minutes apart)."""
    wait = timedelta(seconds=settings.PROVIDER_CONNECT_TIMEOUT + settings.PROVIDER_READ_TIMEOUT)
    transaction.on_commit(lambda: _queue_lookup(submission.pk, wait))


def _follow_if_settling(connector: Connector, **kwargs) -> None:
    if connector.in_flight:
        enqueue_on_commit(follow_status, str(connector.pk), 1)


def _look_again(connector: Connector, **kwargs) -> None:
    """An action whose answer was lost: the connector is read again in a moment (what the
    action did shows; a delete that went through is recorded), followed while it settles."""
    later = follow_status
    if default_task_backend.supports_defer:
        later = follow_status.using(run_after=timezone.now() + _follow_delay(1))
    enqueue_on_commit(later, str(connector.pk), 1)


signals.create_unclear.connect(_reconcile_later, dispatch_uid="reconcile-unclear-creates")
signals.connector_recorded.connect(_follow_if_settling, dispatch_uid="follow-new-connectors")
signals.status_unsettled.connect(_follow_if_settling, dispatch_uid="follow-unsettled-connectors")
signals.action_unclear.connect(_look_again, dispatch_uid="look-after-unclear-actions")

register(
    "refresh-live-connectors",
    "connectors_admin.connectors.tasks.refresh_live_connectors",
    lambda: timedelta(minutes=settings.STATUS_REFRESH_MINUTES),
)
register(
    "prune-routine-reads",
    "connectors_admin.connectors.tasks.prune_routine_reads",
    lambda: timedelta(minutes=10),
)
register(
    "sweep-submissions",
    "connectors_admin.connectors.tasks.sweep_submissions",
    lambda: timedelta(minutes=5),
)
