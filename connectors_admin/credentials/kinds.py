"""Every kind of credential a team can store: each provider's API credential and the storage
secrets connectors embed. A kind declares its form (hence its fields and which are secret) and how
it is tested."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from connectors_admin.providers import PROVIDERS, Provider
from connectors_admin.providers.base import CheckResult, CredentialForm

from . import storage

PROVIDER_GROUP = "provider"
STORAGE_GROUP = "storage"


@dataclass(frozen=True)
class CredentialKind:
    slug: str
    label: str
    group: str
    description: str
    form_class: type[CredentialForm]
    check: Callable[[dict[str, Any], dict[str, str]], CheckResult]
    multipart: bool = False

    @property
    def secret_fields(self) -> tuple[str, ...]:
        return self.form_class.secret_fields


def _provider_kind(provider: Provider) -> CredentialKind:
    def check(public: dict[str, Any], secrets: dict[str, str]) -> CheckResult:
        return provider.client(public, secrets).check()

    return CredentialKind(
        slug=provider.slug,
        label=f"{provider.label} API credential",
        group=PROVIDER_GROUP,
        description=provider.description,
        form_class=provider.credential_form,
        check=check,
    )


_STORAGE = (
    CredentialKind(
        "aws",
        "AWS access key",
        STORAGE_GROUP,
        "An access key pair for S3 buckets that connectors read or write.",
        storage.AwsKeyForm,
        storage.check_format(storage.AwsKeyForm),
    ),
    CredentialKind(
        "gcp",
        "GCP service account",
        STORAGE_GROUP,
        "A service-account key file for Google Cloud Storage.",
        storage.GcpServiceAccountForm,
        storage.check_format(storage.GcpServiceAccountForm),
        multipart=True,
    ),
    CredentialKind(
        "azure",
        "Azure service principal",
        STORAGE_GROUP,
        "Tenant id, client id and client secret for Azure Blob Storage.",
        storage.AzureServicePrincipalForm,
        storage.check_format(storage.AzureServicePrincipalForm),
    ),
    CredentialKind(
        "uri",
        "Connection URI",
        STORAGE_GROUP,
        "A database or message-broker connection URI with its password.",
        storage.ConnectionUriForm,
        storage.check_format(storage.ConnectionUriForm),
    ),
)


class _Kinds(Mapping[str, CredentialKind]):
    """Each registered provider's API credential, then the storage secrets; read through the
    provider registry each time, so a provider registered later has its kind too."""

    def _all(self) -> dict[str, CredentialKind]:
        providers = {slug: _provider_kind(p) for slug, p in PROVIDERS.items()}
        return {**providers, **{kind.slug: kind for kind in _STORAGE}}

    def __getitem__(self, slug: str) -> CredentialKind:
        return self._all()[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


KINDS = _Kinds()


def kind_choices() -> list[tuple[str, str]]:
    return [(slug, kind.label) for slug, kind in KINDS.items()]
