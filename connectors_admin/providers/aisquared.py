"""AI Squared (Multiwoven) — providers.md §2. Credential and its check; connector templates follow.

Bearer token plus a `Workspace-Id` header on every call; the instance (hosted or a self-hosted
Multiwoven that operators list in AISQUARED_INSTANCES) is picked from a list, never typed.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from requests.auth import AuthBase

from .base import Call, CredentialForm, Provider, ProviderClient


def instance_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in settings.AISQUARED_INSTANCES]


class AISquaredCredentialForm(CredentialForm):
    secret_fields = ("token",)

    instance = forms.ChoiceField(
        label="Instance",
        choices=instance_choices,
        help_text="The hosted service, or a self-hosted Multiwoven your operators configured.",
    )
    workspace_id = forms.IntegerField(
        label="Workspace id", min_value=1, help_text="Sent as the Workspace-Id header."
    )
    token = forms.CharField(
        label="API token",
        max_length=4000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="The bearer token (JWT) from AI Squared. Stored encrypted, never shown again.",
    )


class _Bearer(AuthBase):
    def __init__(self, token: str, workspace_id: str) -> None:
        self.token = token
        self.workspace_id = workspace_id

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.headers["Workspace-Id"] = self.workspace_id
        return request


class AISquaredClient(ProviderClient):
    label = "AI Squared"

    def auth(self) -> AuthBase:
        return _Bearer(self.secrets.get("token", ""), str(self.public.get("workspace_id", "")))

    def api_url(self, path: str) -> str:
        instances = settings.AISQUARED_INSTANCES
        base = instances.get(self.public.get("instance", "")) or self.base_url("AISQUARED_API_URL")
        return f"{base.rstrip('/')}/api/v1/{path}"

    def check_call(self) -> Call:
        return Call("GET", self.api_url("connector_definitions?type=source"))

    def error_details(self, exchange):
        try:
            body = exchange.json()
        except ValueError:
            return "", {}
        errors = body.get("errors") if isinstance(body, dict) else None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("detail", "")), {}
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            return body["error"], {}
        return "", {}


PROVIDER = Provider(
    slug="aisquared",
    label="AI Squared",
    description="Source and destination connectors on AI Squared or a self-hosted Multiwoven.",
    notice="",
    credential_form=AISquaredCredentialForm,
    templates=(),
    client_class=AISquaredClient,
    secret_keys=(),
)
