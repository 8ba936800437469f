"""VideoVector (VectorMethods) — providers.md §3. Credential and its check; templates follow.

Either an API key (`X-API-Key: sk_live_…`) or a bearer token; `GET /api/v2/auth/validate` checks it.
"""

from __future__ import annotations

import re

from django import forms

from .base import Call, CredentialForm, Provider, ProviderClient

API_KEY = re.compile(r"^sk_live_[0-9a-f]{48}$")


class VideoVectorCredentialForm(CredentialForm):
    secret_fields = ("token",)

    auth_type = forms.ChoiceField(
        label="Authentication",
        choices=[("api_key", "API key (X-API-Key)"), ("bearer", "Bearer token")],
    )
    token = forms.CharField(
        label="API key or token",
        max_length=4000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="An API key looks like sk_live_ followed by 48 hex characters.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("auth_type") == "api_key" and not API_KEY.match(cleaned.get("token", "")):
            self.add_error(
                "token", "An API key is sk_live_ followed by 48 lowercase hex characters."
            )
        return cleaned


class VideoVectorClient(ProviderClient):
    label = "VideoVector"
    secret_headers = ("X-API-Key",)

    def auth(self):
        token = self.secrets.get("token", "")

        def apply(request):
            if self.public.get("auth_type") == "bearer":
                request.headers["Authorization"] = f"Bearer {token}"
            else:
                request.headers["X-API-Key"] = token
            return request

        return apply

    def curl_auth_header(self) -> str:
        if self.public.get("auth_type") == "bearer":
            return "Authorization: Bearer $VIDEOVECTOR_TOKEN"
        return "X-API-Key: $VIDEOVECTOR_API_KEY"

    def check_call(self) -> Call:
        return Call("GET", f"{self.base_url('VIDEOVECTOR_API_URL')}/api/v2/auth/validate")

    def error_details(self, exchange):
        try:
            body = exchange.json()
        except ValueError:
            return "", {}
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            return str(error.get("message", "")), {}
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            return body["detail"], {}
        return "", {}


PROVIDER = Provider(
    slug="videovector",
    label="VideoVector",
    description="Storage connectors (GCS, S3, Azure) that feed VideoVector's video indexes.",
    notice="",
    credential_form=VideoVectorCredentialForm,
    templates=(),
    client_class=VideoVectorClient,
)
