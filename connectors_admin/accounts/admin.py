from __future__ import annotations

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action

from .changes import LAST_OWNER, last_owner, member_added, remove_member, role_changed
from .models import Invitation, Membership, Role, Team

VIA_ADMIN = "via the admin"


class MembershipInline(admin.TabularInline):
    """Who is in the team, to read: members are changed one at a time (Memberships), where the
    team's rules and its audit trail apply."""

    model = Membership
    extra = 0
    can_delete = False
    fields = ["user", "role", "created_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "require_two_factor", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "require_two_factor" in form.changed_data:
            record(
                Action.TEAM_TWO_FACTOR,
                request=request,
                team=obj,
                target=obj,
                before={"require_two_factor": not obj.require_two_factor},
                after={"require_two_factor": obj.require_two_factor},
                message=VIA_ADMIN,
            )


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "team", "role"]

    def clean(self):
        cleaned = super().clean()
        member = self.instance
        if member.pk and cleaned.get("role") != Role.OWNER and last_owner(member):
            raise forms.ValidationError(LAST_OWNER)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Operators may add, change and remove members, under the team's own rules (a team keeps
    an owner; invitations a member can no longer give stop working) and on its audit trail."""

    form = MembershipAdminForm
    list_display = ["user", "team", "role", "created_at"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "user__email", "team__name"]
    list_select_related = ["user", "team"]
    autocomplete_fields = ["user", "team"]
    actions = None  # one at a time, each with its own checks and audit row

    def get_readonly_fields(self, request, obj=None):
        return ["user", "team"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not last_owner(obj))

    def save_model(self, request, obj, form, change):
        was = form.initial.get("role")
        super().save_model(request, obj, form, change)
        if not change:
            member_added(request, obj, VIA_ADMIN)
        elif "role" in form.changed_data:
            role_changed(request, obj, was, VIA_ADMIN)

    def delete_model(self, request, obj):
        if last_owner(obj):
            messages.error(request, LAST_OWNER)
            return
        remove_member(request, obj, VIA_ADMIN)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations as sent, to read; the token itself was never stored, only its hash (not
    shown). They are sent and revoked from the team's members page, where the mail goes and
    the audit trail says so: a revoked or expired one is not made to work again here."""

    list_display = ["email", "team", "role", "state", "invited_by", "created_at", "expires_at"]
    list_filter = ["role", "team"]
    search_fields = ["email", "team__name"]
    list_select_related = ["team", "invited_by"]
    exclude = ["token_hash"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# allauth's own admin for second factors deletes one without a word on the audit trail (its
# removal signal is sent by its views only): ours reads them, and records each removal.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj):
        record(
            Action.TWO_FACTOR_REMOVED,
            request=request,
            target=obj.user,
            before={"method": obj.get_type_display()},
            message=f"{obj.user.get_username()}'s, {VIA_ADMIN}",
        )
        super().delete_model(request, obj)


# Django's own admin for accounts writes its log only: an operator who makes someone a
# superuser, sets their password or deletes them leaves nothing on the audit trail. Ours
# records each, by the names of the fields changed (never a value, never a password's hash).
User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


def _fields(message: list | str) -> list[str]:
    """The names of the fields a change message (as the admin builds it) says were changed."""
    if not isinstance(message, list):
        return []
    return [
        str(name)
        for entry in message
        if isinstance(entry, dict)
        for name in (entry.get("changed") or {}).get("fields", [])
    ]


@admin.register(User)
class AuditedUserAdmin(UserAdmin):
    def log_addition(self, request, obj, message):
        record(Action.ACCOUNT_ADDED, request=request, target=obj, message=VIA_ADMIN)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        fields = _fields(message)
        if fields == ["password"]:  # the admin's password form, which sets nothing else
            record(Action.PASSWORD_CHANGED, request=request, target=obj, message=f"set {VIA_ADMIN}")
        elif fields:
            record(
                Action.ACCOUNT_CHANGED,
                request=request,
                target=obj,
                after={"fields": fields},
                message=VIA_ADMIN,
            )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for user in queryset:
            record(Action.ACCOUNT_DELETED, request=request, target=user, message=VIA_ADMIN)
        return super().log_deletions(request, queryset)
