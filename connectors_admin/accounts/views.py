from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action

from .access import get_membership
from .changes import LAST_OWNER, last_owner, member_added, remove_member, role_changed
from .forms import AddMemberForm
from .models import Membership, Role
from .pages import members_page
from .twofactor import has_two_factor


@login_required
def member_list(request: HttpRequest, team: str) -> HttpResponse:
    membership = get_membership(
        request, team, "manage_members" if request.method == "POST" else "view"
    )
    form = None
    if membership.can("manage_members"):
        form = AddMemberForm(request.POST or None, team=membership.team, acting=membership)
        if request.method == "POST" and form.is_valid():
            added = Membership.objects.create(
                team=membership.team, user=form.cleaned_data["user"], role=form.cleaned_data["role"]
            )
            member_added(request, added)
            messages.success(
                request, f"{added.user.username} joined as {added.get_role_display()}."
            )
            return redirect("accounts:members", team=team)
    return members_page(request, membership, form)


def _refusal(acting: Membership, target: Membership, new_role: str | None) -> str:
    """Why `acting` may not change `target` (to `new_role`, or remove it when None); "" if allowed."""
    if acting.role != Role.OWNER and (target.role == Role.OWNER or new_role == Role.OWNER):
        return "Only an owner can change an owner or make someone an owner."
    if new_role != Role.OWNER and last_owner(target, lock=True):
        return LAST_OWNER
    return ""


@login_required
@require_POST
def member_role(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    acting = get_membership(request, team, "manage_members")
    new_role = request.POST.get("role", "")
    if new_role not in Role.values:
        messages.error(request, "Pick one of the roles.")
        return redirect("accounts:members", team=team)
    with transaction.atomic():
        target = get_object_or_404(
            Membership.objects.select_related("user"), team=acting.team, pk=pk
        )
        refusal = _refusal(acting, target, new_role)
        if not refusal and new_role != target.role:
            was = target.role
            target.role = new_role
            target.save(update_fields=["role"])
            role_changed(request, target, was)
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, f"{target.user.username} is now {target.get_role_display()}.")
    return redirect("accounts:members", team=team)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    """GET asks "Remove X from the team?"; POST removes (the last owner is kept)."""
    acting = get_membership(request, team, "manage_members")
    if request.method == "GET":
        target = get_object_or_404(
            Membership.objects.select_related("user"), team=acting.team, pk=pk
        )
        return render(
            request,
            "accounts/member_remove.html",
            {
                "membership": acting,
                "team": acting.team,
                "target": target,
                "refusal": _refusal(acting, target, None),
                "nav": "members",
            },
        )
    with transaction.atomic():
        target = get_object_or_404(
            Membership.objects.select_related("user"), team=acting.team, pk=pk
        )
        refusal = _refusal(acting, target, None)
        if not refusal:
            remove_member(request, target)
    if refusal:
        messages.error(request, refusal)
        return redirect("accounts:members", team=team)
    messages.success(request, f"{target.user.username} was removed from {acting.team.name}.")
    if target.user_id == request.user.pk:
        return redirect("connectors:home")
    return redirect("accounts:members", team=team)


LAST_OWNER_LEAVING = (
    "You are the team's last owner, and a team keeps at least one: make someone else owner "
    "first, then leave."
)


@login_required
@require_http_methods(["GET", "POST"])
def team_leave(request: HttpRequest, team: str) -> HttpResponse:
    """Anyone leaves a team of theirs: GET asks first, POST leaves (audited). The last owner
    stays until someone else is owner."""
    membership = get_membership(request, team, "view")
    if request.method == "GET":
        return render(
            request,
            "accounts/team_leave.html",
            {
                "membership": membership,
                "team": membership.team,
                "refusal": LAST_OWNER_LEAVING if last_owner(membership) else "",
                "nav": "members",
            },
        )
    with transaction.atomic():
        # Its role as it is now (an owner may have changed it since the page was read).
        membership = get_object_or_404(
            Membership.objects.select_for_update().select_related("user", "team"),
            pk=membership.pk,
        )
        refusal = LAST_OWNER_LEAVING if last_owner(membership, lock=True) else ""
        if not refusal:
            remove_member(request, membership, message="left the team")
    if refusal:
        messages.error(request, refusal)
        return redirect("accounts:members", team=team)
    messages.success(request, f"You left {membership.team.name}.")
    return redirect("connectors:home")


@login_required
@require_POST
def team_two_factor(request: HttpRequest, team: str) -> HttpResponse:
    """An owner requires two-factor of every member, or stops requiring it."""
    acting = get_membership(request, team, "manage_security")
    required = request.POST.get("require") == "on"
    if required == acting.team.require_two_factor:
        return redirect("accounts:members", team=team)
    if required and not has_two_factor(request.user):
        messages.error(
            request,
            "Set up two-factor for your own account first (Account security), so that "
            "requiring it cannot lock you out.",
        )
        return redirect("accounts:members", team=team)
    acting.team.require_two_factor = required
    acting.team.save(update_fields=["require_two_factor"])
    record(
        Action.TEAM_TWO_FACTOR,
        request=request,
        team=acting.team,
        target=acting.team,
        before={"require_two_factor": not required},
        after={"require_two_factor": required},
    )
    if required:
        messages.success(
            request,
            "Two-factor is now required: members without it are asked to set it up "
            "before they see the team.",
        )
    else:
        messages.success(request, "Two-factor is no longer required for this team.")
    return redirect("accounts:members", team=team)


@login_required
@require_POST
def switch_team(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request, request.POST.get("team", ""))
    membership.selected_at = timezone.now()
    membership.save(update_fields=["selected_at"])
    return redirect("connectors:dashboard", team=membership.team.slug)
