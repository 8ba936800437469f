"""Pages more than one view renders."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import AddMemberForm, InviteForm, assignable_roles
from .models import Membership
from .twofactor import with_two_factor


def members_page(
    request: HttpRequest,
    membership: Membership,
    form: AddMemberForm | None,
    invite_form: InviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The members page, with the add and invite forms as given (bound, with their errors)."""
    members = with_two_factor(membership.team.memberships.select_related("user")).order_by(
        "user__username"
    )
    if form and invite_form is None:
        invite_form = InviteForm(team=membership.team, acting=membership)
    return render(
        request,
        "accounts/members.html",
        {
            "membership": membership,
            "team": membership.team,
            "members": members,
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
