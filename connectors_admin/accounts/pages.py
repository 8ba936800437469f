"""Pages more than one view renders."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import AddMemberForm, InviteForm, assignable_roles
from .models import Membership, Role
from .twofactor import with_two_factor


def members_page(
    request: HttpRequest,
    membership: Membership,
    form: AddMemberForm | None,
    invite_form: InviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The members page, with the add and invite forms as given (bound, with their errors)."""
    members = list(
        with_two_factor(membership.team.memberships.select_related("user")).order_by(
            "user__username"
        )
    )
    # The team's only owner can be neither demoted nor removed: no role change is offered.
    owners = [m.pk for m in members if m.role == Role.OWNER]
    if form and invite_form is None:
        invite_form = InviteForm(team=membership.team, acting=membership)
    return render(
        request,
        "accounts/members.html",
        {
            "membership": membership,
            "team": membership.team,
            "members": members,
            "only_owner": owners[0] if len(owners) == 1 else None,
            "form": form,
            "roles": assignable_roles(membership),
            "invite_form": invite_form if form else None,
            "invitations": membership.team.invitations.select_related("invited_by")[:20]
            if form
            else [],
            "invitation_days": settings.INVITATION_DAYS,
        },
        status=status,
    )
