"""Creates whose answer was lost, as the team's dashboard and connector list show them: each
whose outcome is not known yet, for a week, and what became of the others for a day after.

Most teams have none most of the time: a team row says until when it may have some, set as an
answer is lost, so that their pages make no query for an empty panel."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from connectors_admin.accounts.models import Team

from .models import Submission

SHOWN_FOR = timedelta(days=7)  # a create whose outcome is not known, from when it was made
RESOLVED_SHOWN_FOR = timedelta(days=1)  # one found out since, from when it was made
UNRESOLVED = (Submission.Reconciliation.PENDING, Submission.Reconciliation.UNKNOWN)


def _may_have_some(team: Team) -> bool:
    return team.lost_answers_until is not None and team.lost_answers_until > timezone.now()


def lost_answers(team: Team) -> list[Submission]:
    now = timezone.now()
    if not _may_have_some(team):
        return []
    week, day = now - SHOWN_FOR, now - RESOLVED_SHOWN_FOR
    return list(
        Submission.objects.filter(team=team, action=Submission.CREATE, created_at__gte=week)
        .filter(Q(reconciliation__in=UNRESOLVED) | Q(created_at__gte=day))
        .exclude(reconciliation="")
        .select_related("user", "connector")
        .only(
            "template",
            "created_at",
            "reconciliation",
            "identity",
            "user__username",
            "connector__name",
            "connector__remote_id",
        )
        .order_by("-created_at")[:5]
    )


def unclear(team: Team) -> QuerySet[Submission] | None:
    """The creates among them whose outcome is still unclear (being looked for, or could not be
    found out), to count; None when the team's row says it has none, so nothing is asked. (The
    partial index on creates with a reconciliation answers it.)"""
    if not _may_have_some(team):
        return None
    return Submission.objects.filter(
        team=team,
        action=Submission.CREATE,
        created_at__gte=timezone.now() - SHOWN_FOR,
        reconciliation__in=UNRESOLVED,
    ).exclude(reconciliation="")


def note_lost(teams: Iterable[Any], made_at: datetime) -> None:
    """Creates made at `made_at` by these teams (ids, or a query of them) lost their answer:
    their pages look for them as long as the panel may show them. Called wherever a create gets
    a reconciliation."""
    until = made_at + SHOWN_FOR
    Team.objects.filter(pk__in=teams).filter(
        Q(lost_answers_until=None) | Q(lost_answers_until__lt=until)
    ).update(lost_answers_until=until)
