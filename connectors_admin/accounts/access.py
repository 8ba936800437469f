"""Team access checks: a team the user is not a member of answers 404, as if it did not exist."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import Membership


def get_membership(request: HttpRequest, team_slug: str, capability: str = "view") -> Membership:
    membership = (
        Membership.objects.select_related("team")
        .filter(team__slug=team_slug, user=request.user)
        .first()
    )
    if membership is None:
        raise Http404("No such team.")
    if not membership.can(capability):
        raise PermissionDenied(f"Your role ({membership.get_role_display()}) cannot do this.")
    return membership
