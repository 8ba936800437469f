from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


# What each role may do; a role includes every capability listed for it.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.VIEWER: frozenset({"view"}),
    Role.MEMBER: frozenset({"view", "create_connector"}),
    Role.ADMIN: frozenset(
        {"view", "create_connector", "manage_credentials", "manage_members", "view_audit"}
    ),
    Role.OWNER: frozenset(
        {
            "view",
            "create_connector",
            "manage_credentials",
            "manage_members",
            "view_audit",
            "manage_security",
        }
    ),
}


class Team(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Members without an authenticator app or a security key are sent to set one up first.
    require_two_factor = models.BooleanField("require two-factor authentication", default=False)
    # Until when a create of this team's whose answer was lost may still be on its pages' panel
    # (set as one is lost): before then the panel is looked up, after it no query is made.
    lost_answers_until = models.DateTimeField(null=True, blank=True, editable=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The stamp is moved only by its own update, which only ever moves it later: a team
        # read before a create lost its answer, then saved (its admin, its settings), must not
        # put the older stamp back and hide that create.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "lost_answers_until"
            ]
        super().save(*args, **kwargs)


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the user last chose this team in the header; the newest is their current team.
    selected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")
        ]
        ordering = ["team__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    def can(self, capability: str) -> bool:
        return capability in CAPABILITIES[self.role]


def users_named(name: str):
    """Accounts whose username or email is `name`, ignoring case (an empty email never matches)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        models.Q(username__iexact=name) | (models.Q(email__iexact=name) & ~models.Q(email=""))
    )


def accounts_an_admin_means(value: str):
    """The account a team admin means by `value`: a username, or an email address its owner has
    confirmed (by accepting an invitation mailed there, or through single sign-on). An address
    only typed into Account security matches nothing: anyone can type anyone's address there."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    if "@" in value:
        confirmed = EmailAddress.objects.filter(email__iexact=value, verified=True)
        return users.filter(pk__in=confirmed.values("user_id"))
    return users.filter(username__iexact=value)


def current_membership(user) -> Membership | None:
    return (
        Membership.objects.filter(user=user)
        .select_related("team")
        .order_by(models.F("selected_at").desc(nulls_last=True), "team__name")
        .first()
    )


class Invitation(models.Model):
    """An invitation by email to join a team with a role. The link carries a random token;
    only its hash is stored. It works once, until it expires or is revoked."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.team} ({self.role})"

    @property
    def state(self) -> str:
        from django.utils import timezone

        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
