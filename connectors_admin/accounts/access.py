"""Team access checks: a team the user is not a member of answers 404, as if it did not exist."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import Membership
from .twofactor import TwoFactorRequired, has_two_factor

# What each capability lets a role do, as a refusal names it.
REFUSED = {
    "view": "see this team",
    "create_connector": "create or change connectors",
    "manage_credentials": "manage credentials",
    "manage_members": "manage members",
    "view_audit": "see the audit trail",
    "manage_security": "change the team's sign-in rules",
}


def get_membership(request: HttpRequest, team_slug: str, capability: str = "view") -> Membership:
    membership = next((m for m in memberships(request) if m.team.slug == team_slug), None)
    if membership is None:
        raise Http404("No such team.")
    if membership.team.require_two_factor and not has_two_factor(request.user):
        raise TwoFactorRequired(membership.team)
    return require(membership, capability)


def memberships(request: HttpRequest) -> list[Membership]:
    """The user's memberships with their teams, read once a request: the page's team is one of
    them, and the header's team switcher lists them all."""
    found = getattr(request, "team_memberships", None)
    if found is None:
        found = list(Membership.objects.filter(user=request.user).select_related("team"))
        request.team_memberships = found
    return found


def require(membership: Membership, capability: str) -> Membership:
    """The membership, if its role allows `capability`; else a refusal that says why."""
    if not membership.can(capability):
        refused = REFUSED.get(capability, "do this")
        raise PermissionDenied(f"Your role ({membership.get_role_display()}) cannot {refused}.")
    return membership
