"""VideoVector (VectorMethods) storage connectors: GCS, S3 and Azure — providers.md §3."""

from __future__ import annotations

from typing import Any

from connectors_admin.providers.base import (
    DELETE,
    REFRESH,
    Action,
    ActionResult,
    Provider,
    ProviderClient,
    Target,
)
from connectors_admin.providers.forms import NoInputs

from .client import VideoVectorClient, VideoVectorCredentialForm
from .forms import AzureForm, BrowseForm, GCSForm, S3Form, StorageTemplate


def _test(client: ProviderClient, target: Target) -> ActionResult:
    ok, problem = client.test(target.remote_id)
    record = client.refresh(target.remote_id, target.context)  # last tested, status
    if ok:  # the action's `done` says it worked; a message here is a problem's
        return ActionResult(record=record)
    return ActionResult(ok=False, message=problem or "The storage refused access.", record=record)


def _size(size: Any) -> str:
    if not isinstance(size, int):
        return "—"
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return "—"


def _browse(client: ProviderClient, target: Target) -> ActionResult:
    inputs = target.inputs
    files = client.browse(
        target.remote_id,
        prefix=inputs.get("prefix") or "",
        pattern=inputs.get("pattern") or "*",
        recursive=bool(inputs.get("recursive")),
    )
    rows = [
        {
            "path": f.get("path", ""),
            "size": _size(f.get("size_bytes")),
            "modified": str(f.get("last_modified") or "").replace("T", " ").replace("Z", " UTC"),
            "type": f.get("content_type") or f.get("extension") or "—",
        }
        for f in files
    ]
    return ActionResult(
        columns={"path": "Path", "size": "Size", "modified": "Modified", "type": "Type"},
        rows=rows,
        message=f"{len(rows)} file{'s' if len(rows) != 1 else ''}",
    )


TEST = Action(
    "test",
    "Test connection",
    _test,
    done="VideoVector reached the storage: the connection works.",
    audit="connector.checked",
)
BROWSE = Action(
    "browse", "Browse files", _browse, inputs=BrowseForm, done="Listed.", capability="view"
)
ACTIONS = (REFRESH, TEST, BROWSE, DELETE)
COMMON = "Name, scopes, import mode"

GCS = StorageTemplate(
    slug="videovector-gcs",
    label="VideoVector: Google Cloud Storage",
    description="Import videos from, or export results to, a GCS bucket (service-account key).",
    form_class=GCSForm,
    provider_slug="videovector",
    short_label="Google Cloud Storage",
    actions=ACTIONS,
    imports=NoInputs,
    import_column=("Storage", "Storage"),
    storage="gcs",
)
S3 = StorageTemplate(
    slug="videovector-s3",
    label="VideoVector: Amazon S3",
    description="Import videos from, or export results to, an S3 bucket (access key pair).",
    form_class=S3Form,
    provider_slug="videovector",
    short_label="Amazon S3",
    actions=ACTIONS,
    imports=NoInputs,
    import_column=("Storage", "Storage"),
    storage="s3",
    fields=("bucket", "region", "aws_access_key_id", "aws_secret_access_key"),
)
AZURE = StorageTemplate(
    slug="videovector-azure",
    label="VideoVector: Azure Blob Storage",
    description="Import videos from, or export results to, an Azure container (service principal).",
    form_class=AzureForm,
    provider_slug="videovector",
    short_label="Azure Blob Storage",
    actions=ACTIONS,
    imports=NoInputs,
    import_column=("Storage", "Storage"),
    storage="azure",
    fields=("storage_account", "container", "tenant_id", "client_id", "client_secret"),
)

PROVIDER = Provider(
    slug="videovector",
    label="VideoVector",
    description="Storage connectors (GCS, S3, Azure) that feed VideoVector's video indexes.",
    notice="",
    credential_form=VideoVectorCredentialForm,
    templates=(GCS, S3, AZURE),
    client_class=VideoVectorClient,
    transitional_states=frozenset({"testing"}),
    idempotent_creates=True,
    statuses=("active", "testing", "failed", "disabled"),
    # "disabled" is a choice made there, not a failure.
    failing_statuses=frozenset({"failed"}),
)
