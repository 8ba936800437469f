from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html_join

from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action
from connectors_admin.core.paging import count_label
from connectors_admin.core.safety import loads_bounded
from connectors_admin.core.tasks import enqueue_on_commit

from .kinds import KINDS
from .models import Credential, usage_counts
from .tasks import verify_credential
from .testing import run_test
from .views import _in_use as connectors_in_use

ADMIN_IN_USE_SHOWN = 10  # connectors the admin's refusal names; the rest are counted


class CredentialAdminForm(forms.ModelForm):
    """Operators can replace a secret but never read it: the field starts empty every time."""

    new_secret = forms.CharField(
        label="Replace secret",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the stored secret. For a kind with several secret fields, "
        'enter a JSON object of them, such as {"client_secret": "..."}.',
    )

    class Meta:
        model = Credential
        fields = ["team", "kind", "label", "public", "enabled"]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind", self.instance.kind if self.instance.pk else None)
        public = cleaned.get("public")
        if self.instance.pk and isinstance(public, dict):
            # As on the team's edit page: the place its live connectors are at stays put.
            stored = Credential.objects.get(pk=self.instance.pk)
            moved = [n for n, v in stored.place(public).items() if v != stored.place()[n]]
            if moved and (why := stored.place_fixed(", ".join(moved))):
                self.add_error("public", why)
        value = cleaned.get("new_secret")
        if not self.instance.pk and not value:
            self.add_error("new_secret", "A new credential needs its secret.")
        if value and kind in KINDS:
            names = KINDS[kind].secret_fields
            if len(names) == 1:
                cleaned["secrets"] = {names[0]: value.strip()}
            else:
                try:
                    data = loads_bounded(value)
                except ValueError:
                    data = None
                if not isinstance(data, dict) or set(data) != set(names):
                    self.add_error(
                        "new_secret", f"Enter a JSON object with the keys {', '.join(names)}."
                    )
                else:
                    cleaned["secrets"] = data
        return cleaned


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialAdminForm
    list_display = [
        "label",
        "team",
        "kind",
        "hint_text",
        "enabled",
        "last_check",
        "connector_count",
        "last_used_at",
        "secret_set_at",
    ]
    list_filter = ["kind", "enabled", "last_check_ok", "team"]
    search_fields = ["label", "team__name", "team__slug"]
    list_select_related = ["team"]
    readonly_fields = [
        "hint_text",
        "fingerprints",
        "secret_set_by",
        "secret_set_at",
        "last_check",
        "last_used_at",
        "usage",
        "created_by",
        "created_at",
    ]
    fields = [
        "team",
        "kind",
        "label",
        "public",
        "enabled",
        "new_secret",
        *readonly_fields,
    ]
    actions = ["test_credentials", "disable_credentials"]

    def get_readonly_fields(self, request, obj=None):
        # A credential's kind decides what its secret is: it is chosen once, at creation.
        fixed = ["kind", "team"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def get_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        # Counted as the team's pages count them: a storage secret carried inside connectors
        # is in use by them too (and keeps the credential from being deleted).
        counts = usage_counts()
        return (
            super()
            .get_queryset(request)
            .annotate(connector_count=counts["using"] + counts["embedding"])
        )

    @admin.display(description="Secret ends with")
    def hint_text(self, obj: Credential) -> str:
        return obj.hint_text() if obj.pk else "—"

    @admin.display(description="Fingerprints")
    def fingerprints(self, obj: Credential) -> str:
        return ", ".join(f"{k}: {v}" for k, v in obj.fingerprints().items()) or "—"

    @admin.display(description="Last test")
    def last_check(self, obj: Credential) -> str:
        if obj.last_check_at is None:
            return "never"
        verdict = "passed" if obj.last_check_ok else "failed"
        return f"{verdict} {timezone.localtime(obj.last_check_at):%Y-%m-%d %H:%M}"

    @admin.display(description="Connectors", ordering="connector_count")
    def connector_count(self, obj: Credential) -> str:
        return count_label(getattr(obj, "connector_count", 0))

    @admin.display(description="Used by")
    def usage(self, obj: Credential) -> str:
        if not obj.pk:
            return "—"
        shown = 20
        made = obj.connectors.order_by("-created_at").values_list("remote_id", "template")
        rows = [(remote_id, template) for remote_id, template in made[:shown]]
        carried = (
            obj.embedded_in.filter(connector__deleted_at=None)
            .exclude(connector__credential=obj)
            .order_by("-connector__created_at")
            .values_list("connector__remote_id", "connector__template")
            .distinct()
        )
        rows += [
            (remote_id, f"{template}, carries its secret")
            for remote_id, template in carried[: shown - len(rows)]
        ]
        return format_html_join(", ", "{} ({})", rows) or "no connector"

    def save_model(self, request, obj, form, change):
        secrets = form.cleaned_data.get("secrets")
        # Locked until saved (the admin's change runs in one transaction): a test or a rotation
        # ending meanwhile waits, and is then not written over (only what changes is saved).
        stored = Credential.objects.select_for_update().get(pk=obj.pk) if change else None
        before = stored.audit_state() if stored else None
        if secrets:
            obj.set_secrets(secrets, request.user)
        if not change:
            obj.created_by = request.user
        # New values (a secret, a user, a host) are tested anew, as on the team's pages, and
        # so is a credential enabled again (its last test may say only that it was disabled).
        # What the operator changed, against the row as it is now (locked above).
        public_changed = change and "public" in form.changed_data and obj.public != stored.public
        retest = (
            not change or bool(secrets) or public_changed or (obj.enabled and not stored.enabled)
        )
        if retest:
            obj.forget_check()
        if change:
            edited = [n for n in ("label", "public", "enabled") if n in form.changed_data]
            obj.save(
                update_fields=[
                    *edited,
                    *(Credential.SECRET_FIELDS if secrets else ()),
                    *(Credential.CHECK_FIELDS if retest else ()),
                    "updated_at",
                ]
            )
        else:
            super().save_model(request, obj, form, change)
        if public_changed:
            obj.mark_copies_old()
        if retest:
            obj.cache.all().delete()  # catalogues fetched with the old values
            enqueue_on_commit(verify_credential, obj.pk)
        action = Action.CREDENTIAL_ADDED
        if change:
            action = Action.CREDENTIAL_ROTATED if secrets else Action.CREDENTIAL_EDITED
        record(
            action,
            request=request,
            team=obj.team,
            target=obj,
            before=before,
            after=obj.audit_state(),
            message="via the admin",
        )

    # Delete protection, as on the team's pages: a credential a live connector uses or
    # embeds is not deleted (that would leave the connector without it, or drop the links
    # that rotation and usage follow).
    # The operator keeps the permission; the delete page says why this one cannot go (not a
    # 403 about roles), and no path deletes it.
    def delete_view(self, request, object_id, extra_context=None):
        credential = self.get_object(request, unquote(object_id))
        if (
            credential is not None
            and self.has_delete_permission(request, credential)
            and credential.in_use()
        ):
            return self._delete_refused(request, credential)
        return super().delete_view(request, object_id, extra_context)

    def _delete_refused(self, request, credential: Credential) -> HttpResponse:
        in_use, in_use_count = connectors_in_use(credential)
        shown = in_use[:ADMIN_IN_USE_SHOWN]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"“{credential.label}” cannot be deleted",
            "credential": credential,
            "in_use": shown,
            "in_use_count": in_use_count,
            "in_use_label": count_label(in_use_count),
            "others": in_use_count - len(shown),
            "unsettled": credential.creates_in_flight(),
        }
        status = 409 if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/credentials/credential/delete_refused.html", context, status=status
        )

    def get_deleted_objects(self, objs, request):
        """The confirmation of 'delete selected' names each credential in use as protected,
        and why, instead of saying the operator lacks a permission."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        in_use = [credential for credential in objs if credential.in_use()]
        if in_use:
            perms_needed.discard(Credential._meta.verbose_name)
            protected = [
                *protected,
                *(
                    f"{credential}: live connectors use it or carry it, or a create with it has not settled"
                    for credential in in_use
                ),
            ]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        self._delete(request, obj)

    def delete_queryset(self, request, queryset):
        kept = [
            credential.label for credential in queryset if not self._delete(request, credential)
        ]
        if kept:
            self.message_user(
                request,
                f"Not deleted, connectors use them or creates with them have not settled: "
                f"{', '.join(kept)}.",
                messages.ERROR,
            )

    def _delete(self, request, credential: Credential) -> bool:
        if credential.in_use():
            return False
        record(
            Action.CREDENTIAL_DELETED,
            request=request,
            team=credential.team,
            target=credential,
            before=credential.audit_state(),
            message="via the admin",
        )
        credential.delete()
        return True

    @admin.action(description="Test the selected credentials", permissions=["change"])
    def test_credentials(self, request, queryset):
        # As the credential's page tests it: recorded as an operation, kept and audited.
        for credential in queryset.select_related("team"):
            result = run_test(credential, request)
            self.message_user(
                request,
                f"{credential.label}: {result.message}",
                messages.SUCCESS if result.ok else messages.ERROR,
            )

    @admin.action(description="Disable the selected credentials", permissions=["change"])
    def disable_credentials(self, request, queryset):
        for credential in queryset.filter(enabled=True):
            credential.enabled = False
            credential.save(update_fields=["enabled", "updated_at"])
            record(
                Action.CREDENTIAL_DISABLED,
                request=request,
                team=credential.team,
                target=credential,
                after={"enabled": False},
                message="via the admin",
            )
        self.message_user(request, "Disabled. No new connector can use them.")
