"""A team's membership changed, from its members page or the admin: each change on the team's
audit trail, and the invitations it makes wrong withdrawn (those the member may no longer give,
and those to someone now in the team or just removed from it)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest

from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action

from .invitations import addresses_of, revoke_what_they_cannot_give, withdraw_invitations_to
from .models import Membership, Role

LAST_OWNER = "A team keeps at least one owner: make someone else owner first."


def last_owner(membership: Membership, lock: bool = False) -> bool:
    """Is this its team's only owner (who may then be neither demoted nor removed)? `lock`: in
    a transaction, hold the team's owners until it ends, so two changes cannot both pass (a
    page that only asks, outside one, reads them)."""
    owners = Membership.objects.filter(team_id=membership.team_id, role=Role.OWNER)
    if lock and connection.in_atomic_block:
        owners = owners.select_for_update()
    return membership.role == Role.OWNER and not owners.exclude(pk=membership.pk).exists()


def member_added(request: HttpRequest, membership: Membership, message: str = "") -> None:
    user = membership.user
    record(
        Action.MEMBER_ADDED,
        request=request,
        team=membership.team,
        target=membership,
        after={"user": user.username, "role": membership.role},
        message=message,
    )
    withdraw_invitations_to(
        request, membership.team, addresses_of(user), f"{user.username} was added directly"
    )


def role_changed(request: HttpRequest, membership: Membership, was: str, message: str = "") -> None:
    record(
        Action.MEMBER_ROLE_CHANGED,
        request=request,
        team=membership.team,
        target=membership,
        before={"role": was},
        after={"role": membership.role},
        message=message,
    )
    revoke_what_they_cannot_give(request, membership.team, membership.user)


def remove_member(request: HttpRequest, membership: Membership, message: str = "") -> None:
    """Delete the membership, audited (the caller has checked the team keeps an owner)."""
    user, team = membership.user, membership.team
    record(
        Action.MEMBER_REMOVED,
        request=request,
        team=team,
        target=membership,
        before={"user": user.username, "role": membership.role},
        message=message,
    )
    membership.delete()
    revoke_what_they_cannot_give(request, team, user)
    withdraw_invitations_to(
        request, team, addresses_of(user), f"{user.username} was removed from the team"
    )
