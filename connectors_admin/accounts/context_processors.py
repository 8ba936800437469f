"""What every page's layout needs: the section for the navigation, the team switcher's
memberships and the sandbox flag. It lives with the teams, since core imports no app."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from connectors_admin import __version__

from .models import Membership
from .twofactor import RETURN_TO

SECTIONS = {
    "connectors:dashboard": "dashboard",
    "connectors": "connectors",
    "credentials": "credentials",
    "accounts:members": "members",
    "audit": "audit",
}


def app(request: HttpRequest) -> dict[str, object]:
    match = getattr(request, "resolver_match", None)
    nav = ""
    if match is not None:
        nav = SECTIONS.get(match.view_name) or SECTIONS.get(match.namespace, "")
    context: dict[str, object] = {"sandbox": settings.SANDBOX, "version": __version__, "nav": nav}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        # A member sent to set up two-factor is offered the way back to their team.
        context["two_factor_return_to"] = request.session.get(RETURN_TO, "")
        # The list a team page's access check already read, or else lazily evaluated: pages
        # without the header's team switcher pay no query.
        context["my_memberships"] = getattr(
            request, "team_memberships", None
        ) or Membership.objects.filter(user=request.user).select_related("team")
    return context
