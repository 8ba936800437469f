"""Storage secrets that connectors embed: AWS keys, a GCP service-account JSON, an Azure service
principal, a database or broker URI. They are checked for form here; no cloud call is made."""

from __future__ import annotations

import json
import re
from typing import ClassVar
from urllib.parse import urlsplit

from django import forms

from connectors_admin.core.safety import loads_bounded
from connectors_admin.providers.base import CheckResult, CredentialForm
from connectors_admin.providers.embedding import (
    MAX_KEY_FILE,
    check_aws_secret_key,
    named_host,
    parse_service_account,
)

AWS_KEY_ID = re.compile(r"^(AKIA|ASIA)[A-Z0-9]{16}$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _secret_input(label: str, help_text: str = "", max_length: int = 4000) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        help_text=help_text or "Stored encrypted. It is never shown again.",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class AwsKeyForm(CredentialForm):
    secret_fields = ("aws_secret_access_key",)
    rotated_with = ("aws_access_key_id",)

    aws_access_key_id = forms.CharField(
        label="Access key id",
        max_length=20,
        help_text="20 characters starting with AKIA (or ASIA for temporary keys).",
    )
    aws_secret_access_key = _secret_input("Secret access key", max_length=40)

    def clean_aws_access_key_id(self) -> str:
        value = self.cleaned_data["aws_access_key_id"].strip()
        if not value and not self.fields["aws_access_key_id"].required:
            return self.stored.get("aws_access_key_id", "")  # a rotation that keeps its id
        if not AWS_KEY_ID.match(value):
            raise forms.ValidationError(
                "An access key id is AKIA or ASIA and 16 more capitals or digits."
            )
        return value

    def clean_aws_secret_access_key(self) -> str:
        value = self.cleaned_data["aws_secret_access_key"].strip()
        check_aws_secret_key(value)
        return value


class GcpServiceAccountForm(CredentialForm):
    """The key file is uploaded, checked to be a service-account key, and stored whole."""

    secret_fields = ("service_account_json",)
    secret_inputs = ("key_file",)
    secret_labels: ClassVar[dict[str, str]] = {
        "service_account_json": "Service-account key (the whole JSON file's text)"
    }
    hint_of: ClassVar[dict[str, str]] = {
        "service_account_json": "The private key id in the key file"
    }

    key_file = forms.FileField(
        label="Service-account key file (JSON)",
        help_text="The JSON key downloaded from Google Cloud (IAM → Service accounts → Keys).",
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )

    def clean_key_file(self):
        upload = self.cleaned_data["key_file"]
        if upload.size > MAX_KEY_FILE:
            raise forms.ValidationError("A key file is a few kilobytes; this one is over 64 KiB.")
        try:
            self.key_data = parse_service_account(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise forms.ValidationError("This file is not JSON.") from None
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return upload

    def public_data(self) -> dict:
        data = self.key_data
        return {"client_email": data["client_email"], "project_id": data["project_id"]}

    def secret_data(self) -> dict[str, str]:
        return {"service_account_json": json.dumps(self.key_data)}

    def normalize_secret(self, name: str, value: str) -> str:
        try:
            return json.dumps(loads_bounded(value))
        except ValueError:
            return value.strip()

    def hint_for(self, name: str, value: str) -> str:
        try:  # the team's form checks the key file; the admin's replacement may not be one
            data = json.loads(value)
        except ValueError:
            return ""
        key_id = str(data.get("private_key_id", "")) if isinstance(data, dict) else ""
        return key_id[-4:]


class AzureServicePrincipalForm(CredentialForm):
    secret_fields = ("client_secret",)

    tenant_id = forms.CharField(label="Tenant id", max_length=36)
    client_id = forms.CharField(label="Client (application) id", max_length=36)
    client_secret = _secret_input("Client secret", max_length=500)

    def _guid(self, name: str) -> str:
        value = self.cleaned_data[name].strip()
        if not GUID.match(value):
            raise forms.ValidationError("A GUID: 8-4-4-4-12 hexadecimal digits.")
        return value.lower()

    def clean_tenant_id(self) -> str:
        return self._guid("tenant_id")

    def clean_client_id(self) -> str:
        return self._guid("client_id")


class ConnectionUriForm(CredentialForm):
    secret_fields = ("uri",)

    uri = _secret_input(
        "Connection URI",
        "Such as postgresql://user:password@host:5432/db or mongodb+srv://user:pass@cluster/db. "
        "Stored encrypted; only the scheme and host are shown.",
    )

    def clean_uri(self) -> str:
        value = self.cleaned_data["uri"].strip()
        try:
            parts = urlsplit(value)
            host = parts.hostname
        except ValueError:
            # Python's message quotes the part it could not read: often the password.
            raise forms.ValidationError(
                "This URI cannot be read. Characters such as [ and ] in a user or a password "
                "must be percent-encoded (%5B and %5D)."
            ) from None
        if not parts.scheme or not (host or parts.path):
            raise forms.ValidationError(
                "A URI with a scheme and a host, such as postgresql://host/db."
            )
        if host and named_host(host) != host.rstrip("."):
            # Shown on the credential's page, and the host a login from it may be sent to (as
            # connectors' configurations name hosts: `named_host`).
            raise forms.ValidationError(
                "The host after “@” is a name (letters, digits, dots, hyphens) or an IP "
                "address, such as db.example.com or 10.0.0.5."
            )
        return value

    def public_data(self) -> dict:
        parts = urlsplit(self.cleaned_data["uri"])
        return {"scheme": parts.scheme, "host": parts.hostname or ""}

    def hint_for(self, name: str, value: str) -> str:
        # A URI's end is often its password (…?password=…): the host, shown already, is enough.
        return ""


def check_format(form_class: type[CredentialForm]):
    """A storage secret is checked for form only: we make no call to a cloud with it."""

    def check(public: dict, secrets: dict[str, str]) -> CheckResult:
        if all(secrets.get(name) for name in form_class.secret_fields):
            return CheckResult(
                True, "The stored values are well formed. (No call is made to the cloud provider.)"
            )
        return CheckResult(False, "A secret value is missing: rotate it.")

    return check
