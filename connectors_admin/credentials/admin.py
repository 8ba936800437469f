from __future__ import annotations

from django import forms
from django.contrib import admin

from .models import Credential


class CredentialAdminForm(forms.ModelForm):
    """Operators can replace a secret but never read it: the fields start empty every time."""

    new_secret = forms.CharField(
        label="Replace secret",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the stored secret. For a provider with several secret "
        "fields, enter a JSON object of them.",
    )

    class Meta:
        model = Credential
        fields = ["team", "provider", "label", "public", "enabled"]

    def clean(self):
        cleaned = super().clean()
        provider = cleaned.get("provider")
        value = cleaned.get("new_secret")
        if not self.instance.pk and not value:
            self.add_error("new_secret", "A new credential needs its secret.")
        if value and provider:
            from connectors_admin.providers import get_provider

            names = get_provider(provider).credential_form.secret_fields
            if len(names) == 1:
                cleaned["secrets"] = {names[0]: value}
            else:
                import json

                try:
                    data = json.loads(value)
                except ValueError:
                    data = None
                if not isinstance(data, dict) or set(data) != set(names):
                    self.add_error("new_secret", f"Enter a JSON object with keys: {names}.")
                else:
                    cleaned["secrets"] = data
        return cleaned


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialAdminForm
    list_display = ["label", "team", "provider", "hint_text", "enabled", "secret_set_at"]
    list_filter = ["provider", "enabled", "team"]
    search_fields = ["label", "team__name"]
    list_select_related = ["team"]
    readonly_fields = ["hint_text", "secret_set_by", "secret_set_at", "created_by", "created_at"]
    fields = [
        "team",
        "provider",
        "label",
        "public",
        "enabled",
        "new_secret",
        "hint_text",
        "secret_set_by",
        "secret_set_at",
        "created_by",
        "created_at",
    ]

    @admin.display(description="Secret")
    def hint_text(self, obj: Credential) -> str:
        return obj.hint_text() if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        secrets = form.cleaned_data.get("secrets")
        if secrets:
            obj.set_secrets(secrets, request.user)
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
