"""Inviting people to a team by email: the link carries a random token (only its hash is kept),
works once, expires after INVITATION_DAYS, and can be revoked; accepting creates the membership.
Every step is in the audit trail."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action

from .access import get_membership
from .forms import AddMemberForm, InviteForm, JoinForm, assignable_roles
from .models import Invitation, Membership, Role
from .pages import members_page


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sender_may_give(invitation: Invitation) -> bool:
    """Whether whoever sent the invitation may still give its role in its team: a link sent by
    someone since removed, demoted, deactivated or deleted does not let anyone in."""
    sender = (
        Membership.objects.select_related("user")
        .filter(team_id=invitation.team_id, user_id=invitation.invited_by_id)
        .first()
    )
    return (
        sender is not None
        and sender.user.is_active  # an account an operator deactivated lets no one in
        and sender.can("manage_members")
        and invitation.role in dict(assignable_roles(sender))
    )


def _pending(team):
    return Invitation.objects.filter(
        team=team, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    )


def _withdraw(request: HttpRequest, team, invitations, why: str) -> int:
    """Revoke each of these invitations, audited with why. How many."""
    withdrawn = 0
    for invitation in invitations:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(
            Action.INVITATION_REVOKED,
            request=request,
            team=team,
            target=invitation,
            before={"email": invitation.email, "role": invitation.role},
            message=why,
        )
        withdrawn += 1
    return withdrawn


def revoke_what_they_cannot_give(request: HttpRequest, team, user) -> int:
    """Withdraw the pending invitations `user` sent to `team` that they may no longer give
    (after their removal or a change of role); each is audited. How many were withdrawn."""
    sent = [i for i in _pending(team).filter(invited_by=user) if not sender_may_give(i)]
    why = f"its sender {user.get_username()} may no longer give this role"
    return _withdraw(request, team, sent, why)


def withdraw_invitations_to(
    request: HttpRequest, team, emails: set[str], why: str, keep: Invitation | None = None
) -> int:
    """Withdraw the team's pending invitations to these addresses (but `keep`), each audited:
    a link left pending would let someone back in after their removal, or with another role
    than the one the team gave them since. How many were withdrawn."""
    emails = {email.strip().lower() for email in emails if email}
    pending = _pending(team).exclude(pk=keep.pk if keep else None)
    return _withdraw(request, team, [i for i in pending if i.email.lower() in emails], why)


def addresses_of(user, confirmed_only: bool = False) -> set[str]:
    """Every address of an account: its own, and those it added (confirmed or not; only those
    confirmed, when what it says of itself must not withdraw someone else's invitation)."""
    added = EmailAddress.objects.filter(user=user)
    if confirmed_only:
        added = added.filter(verified=True)
    found = set(added.values_list("email", flat=True))
    own = () if confirmed_only else (user.email,)
    return {email.lower() for email in (*found, *own) if email}


@login_required
@require_POST
def invite(request: HttpRequest, team: str) -> HttpResponse:
    acting = get_membership(request, team, "manage_members")
    form = InviteForm(request.POST, team=acting.team, acting=acting)
    if not form.is_valid():
        # The members page again, the invitation as typed, its errors next to its fields.
        adding = AddMemberForm(team=acting.team, acting=acting)
        return members_page(request, acting, adding, invite_form=form, status=400)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        team=acting.team,
        email=form.cleaned_data["email"],
        role=form.cleaned_data["role"],
        token_hash=_hash(token),
        invited_by=request.user,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    link = request.build_absolute_uri(reverse("invitation", args=[token]))
    send_mail(
        subject=f"Join {acting.team.name} on Connectors Admin",
        message=(
            f"{request.user.get_username()} invites you to the team “{acting.team.name}” as "
            f"{invitation.get_role_display()}.\n\nAccept within {settings.INVITATION_DAYS} days: "
            f"{link}\n\nThe link works once. If you did not expect this, ignore it."
            + (
                "\n\nThis team requires two-factor authentication: after joining you will set "
                "up an authenticator app or a security key."
                if acting.team.require_two_factor
                else ""
            )
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )
    record(
        Action.MEMBER_INVITED,
        request=request,
        team=acting.team,
        target=invitation,
        after={"email": invitation.email, "role": invitation.role},
    )
    withdraw_invitations_to(
        request, acting.team, {invitation.email}, "a newer invitation replaces it", keep=invitation
    )
    messages.success(request, f"An invitation is on its way to {invitation.email}.")
    return redirect("accounts:members", team=team)


@login_required
@require_POST
def revoke(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    acting = get_membership(request, team, "manage_members")
    invitation = get_object_or_404(Invitation, team=acting.team, pk=pk)
    if invitation.state == "pending":
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(
            Action.INVITATION_REVOKED,
            request=request,
            team=acting.team,
            target=invitation,
            before={"email": invitation.email, "role": invitation.role},
        )
        messages.success(request, f"The invitation to {invitation.email} no longer works.")
    return redirect("accounts:members", team=team)


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email: says plainly when it no longer works; a signed-in person joins
    with one click; someone without an account makes one here."""
    invitation = (
        Invitation.objects.select_related("team", "invited_by")
        .filter(token_hash=_hash(token))
        .first()
    )
    if invitation is None or invitation.state != "pending":
        if invitation is not None and _joined_with(invitation, request.user):
            return _joined_already(request, invitation)
        state = invitation.state if invitation else "unknown"
        return render(
            request, "accounts/invitation.html", {"state": state}, status=410 if invitation else 404
        )
    if not sender_may_give(invitation):
        return render(request, "accounts/invitation.html", {"state": "withdrawn"}, status=410)
    join = JoinForm(request.POST or None) if not request.user.is_authenticated else None
    if request.method == "POST":
        if join is not None and not join.is_valid():
            return render(
                request, "accounts/invitation.html", {"invitation": invitation, "join": join}
            )
        return _join(request, invitation, join)
    return render(request, "accounts/invitation.html", {"invitation": invitation, "join": join})


def _joined_with(invitation: Invitation, user) -> bool:
    """Did this signed-in person accept this invitation, and are they in its team still?"""
    return (
        user.is_authenticated
        and invitation.accepted_by_id == user.pk
        and Membership.objects.filter(team_id=invitation.team_id, user=user).exists()
    )


def _joined_already(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """Their own invitation again (a second click, the link opened later): they are in."""
    messages.info(request, f"You joined {invitation.team.name} with this invitation already.")
    return redirect("connectors:dashboard", team=invitation.team.slug)


class _NameTaken(Exception):
    """The username typed was free when the form was checked, and taken before it was added."""


def _join(request: HttpRequest, invitation: Invitation, join: JoinForm | None) -> HttpResponse:
    """Claim the invitation, then make the account (`join`: someone without one) and the
    membership, in one transaction: a second acceptance at the same instant waits for the first
    to commit, finds the invitation used, and has made nothing (no account for nothing)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            # Used once: the row is claimed before anything is made.
            claimed = Invitation.objects.filter(
                pk=invitation.pk, accepted_at=None, revoked_at=None, expires_at__gt=now
            ).update(accepted_at=now)
            if claimed:
                membership = _joined(request, invitation, join)
    except _NameTaken:
        join.add_error("username", "This username is taken.")
        return render(request, "accounts/invitation.html", {"invitation": invitation, "join": join})
    if not claimed:
        invitation.refresh_from_db()
        if _joined_with(invitation, request.user):
            return _joined_already(request, invitation)
        return render(request, "accounts/invitation.html", {"state": "used"}, status=410)
    membership.selected_at = timezone.now()
    membership.save(update_fields=["selected_at"])
    role = Role(membership.role).label
    messages.success(request, f"Welcome to {invitation.team.name}. Your role: {role}.")
    return redirect("connectors:dashboard", team=invitation.team.slug)


def _joined(request: HttpRequest, invitation: Invitation, join: JoinForm | None) -> Membership:
    """What accepting a claimed invitation makes (in its claim's transaction): the account
    when `join` asks for one (signed in), the membership, the audit event; and the person's
    other pending invitations to the team withdrawn."""
    if join is not None:
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    join.cleaned_data["username"],
                    email=invitation.email,
                    password=join.cleaned_data["password"],
                )
        except IntegrityError:
            raise _NameTaken from None
        # The link was mailed to this address: opening it confirms it (unless another
        # account confirmed it first: an address belongs to one account).
        if not EmailAddress.objects.filter(email__iexact=invitation.email, verified=True):
            try:
                with transaction.atomic():
                    EmailAddress.objects.create(
                        user=user, email=invitation.email, primary=True, verified=True
                    )
            except IntegrityError:  # confirmed by another account meanwhile
                pass
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=request.user)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                team=invitation.team, user=request.user, role=invitation.role
            )
    except IntegrityError:
        membership = Membership.objects.get(team=invitation.team, user=request.user)
    record(
        Action.INVITATION_ACCEPTED,
        request=request,
        team=invitation.team,
        target=membership,
        after={"user": request.user.get_username(), "role": invitation.role},
        message=f"invited by {invitation.invited_by.get_username() if invitation.invited_by else 'someone'}",
    )
    withdraw_invitations_to(
        request,
        invitation.team,
        {invitation.email, *addresses_of(request.user, confirmed_only=True)},
        f"{request.user.get_username()} joined with another invitation",
    )
    return membership
