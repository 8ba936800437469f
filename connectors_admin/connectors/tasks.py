"""Background work on connectors (Django's tasks framework; ids in, never objects or secrets):
statuses followed until they settle, live connectors refreshed on a schedule, creates whose
answer was lost reconciled, stale operations closed."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import default_task_backend, task
from django.utils import timezone

from connectors_admin.core.scheduling import register
from connectors_admin.core.tasks import enqueue_on_commit
from connectors_admin.providers import TEMPLATES

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
def run_connector_action(connector_id: str, slug: str, user_id: int | None) -> str:
    """One connector of a bulk action from the list, run as the user who asked, if they may
    still run it and the connector still offers it."""
    from connectors_admin.accounts.models import Membership
    from connectors_admin.accounts.twofactor import has_two_factor

    connector = (
        Connector.objects.select_related("credential", "team")
        .filter(pk=connector_id, deleted_at=None)
        .first()
    )
    if connector is None:
        return "gone"
    action = connector.template_obj.action(slug)
    if action is None or action not in connector.available_actions():
        return "not available"
    membership = (
        Membership.objects.select_related("user").filter(team=connector.team, user_id=user_id)
    ).first()
    if membership is None or not membership.can(action.capability):
        return "not allowed"
    if connector.team.require_two_factor and not has_two_factor(membership.user):
        return "not allowed"  # queued before the team required two-factor, by a member without
    return services.run_action(connector, slug, membership.user).outcome


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


def refresh_live_connectors() -> str:
    """Queue a refresh of every live connector not refreshed within the interval."""
    every = timedelta(minutes=settings.STATUS_REFRESH_MINUTES)
    due = Connector.objects.filter(deleted_at=None).filter(
        Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=timezone.now() - every / 2)
    )
    refreshable = [slug for slug, t in TEMPLATES.items() if t.action("refresh") is not None]
    count = 0
    for connector_id in (
        due.filter(template__in=refreshable).values_list("pk", flat=True).iterator()
    ):
        refresh_connector.enqueue(str(connector_id))
        count += 1
    return f"queued {count} refreshes"


def sweep_submissions() -> str:
    """Close operations whose process died, and reconcile creates left pending."""
    abandoned = services.abandon_stale_submissions()
    stuck = Submission.objects.filter(
        reconciliation=Submission.Reconciliation.PENDING,
        created_at__lt=timezone.now() - timedelta(minutes=2),
    ).values_list("pk", flat=True)
    for pk in stuck:
        reconcile_create.enqueue(pk)
    return f"{abandoned} abandoned, {len(stuck)} reconciliations queued"


def _reconcile_later(submission: Submission, **kwargs) -> None:
    enqueue_on_commit(reconcile_create, submission.pk)


def _follow_if_settling(connector: Connector, **kwargs) -> None:
    if connector.in_flight:
        enqueue_on_commit(follow_status, str(connector.pk), 1)


signals.create_unclear.connect(_reconcile_later, dispatch_uid="reconcile-unclear-creates")
signals.connector_recorded.connect(_follow_if_settling, dispatch_uid="follow-new-connectors")
signals.status_unsettled.connect(_follow_if_settling, dispatch_uid="follow-unsettled-connectors")

register(
    "refresh-live-connectors",
    "connectors_admin.connectors.tasks.refresh_live_connectors",
    lambda: timedelta(minutes=settings.STATUS_REFRESH_MINUTES),
)
register(
    "sweep-submissions",
    "connectors_admin.connectors.tasks.sweep_submissions",
    lambda: timedelta(minutes=5),
)
