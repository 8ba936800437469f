"""Upstash Kafka Connect — providers.md §4. Credential and its check; templates follow.

HTTP Basic with the account email and a Management API key.
"""

from __future__ import annotations

from django import forms

from .base import Call, CredentialForm, Provider, ProviderClient


class UpstashCredentialForm(CredentialForm):
    secret_fields = ("api_key",)

    email = forms.EmailField(label="Account email")
    api_key = forms.CharField(
        label="Management API key",
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class UpstashClient(ProviderClient):
    label = "Upstash"

    def auth(self) -> tuple[str, str]:
        return (self.public.get("email", ""), self.secrets.get("api_key", ""))

    def curl_user(self) -> str:
        return f"{self.public.get('email', '')}:$UPSTASH_API_KEY"

    def check_call(self) -> Call:
        return Call("GET", f"{self.base_url('UPSTASH_API_URL')}/v2/kafka/clusters")

    def error_details(self, exchange):
        try:
            body = exchange.json()
        except ValueError:
            return exchange.text.strip()[:200], {}
        if isinstance(body, dict):
            for key in ("error", "message"):
                if isinstance(body.get(key), str):
                    return body[key], {}
        return "", {}


PROVIDER = Provider(
    slug="upstash",
    label="Upstash",
    description="Kafka Connect connectors on Upstash, or any Kafka Connect with the same API.",
    notice=(
        "Upstash retired hosted Kafka connectors in 2024 and Kafka itself in March 2025; "
        "point UPSTASH_API_URL at a compatible endpoint."
    ),
    credential_form=UpstashCredentialForm,
    templates=(),
    client_class=UpstashClient,
)
