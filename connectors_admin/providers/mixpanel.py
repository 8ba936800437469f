"""Mixpanel Cloud Import: `s3Import` and `gcsImport` connectors (providers.md §1).

HTTP Basic with a service account; one host per data residency; create with POST
`/api/app/projects/{id}/connectors`; read back through the list endpoint (the only documented read).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django import forms
from django.core.validators import RegexValidator

from .base import (
    Call,
    ConnectorForm,
    ConnectorTemplate,
    CredentialForm,
    Exchange,
    Likeness,
    Original,
    Provider,
    ProviderClient,
    ProviderError,
    RemoteRecord,
    display_time,
)
from .http import next_page
from .naming import aws_region_field, gcs_bucket_field, s3_bucket_field

RESIDENCY_CHOICES = [("us", "United States"), ("eu", "European Union"), ("in", "India")]
RESIDENCY_SETTINGS = {
    "us": "MIXPANEL_API_URL",
    "eu": "MIXPANEL_EU_API_URL",
    "in": "MIXPANEL_IN_API_URL",
}
DATA_FORMATS = [
    ("mixpanel_event", "Mixpanel events"),
    ("mixpanel_people", "Mixpanel user profiles"),
    ("mixpanel_group", "Mixpanel group profiles"),
    ("remap_event", "Events with remapped properties"),
    ("remap_people", "User profiles with remapped properties"),
    ("remap_group", "Group profiles with remapped properties"),
]
COMPRESSIONS = [("none", "None"), ("gzip", "gzip")]

IAM_ROLE_ARN = re.compile(r"^arn:aws(-[a-z]+)?:iam::\d{12}:role/[A-Za-z0-9+=,.@_\-/]{1,512}$")


# A project id is a number in the project's URL; past a 64-bit integer it is a typing slip.
PROJECT_ID_MAX = 2**63 - 1
TOO_LONG_PROJECT_ID = "This is longer than any Mixpanel project id: check it in your project's URL."


def project_id_field(label: str = "Project id", **options: Any) -> forms.IntegerField:
    """A Mixpanel project id: a positive number that fits the API's 64 bits."""
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=PROJECT_ID_MAX,
        error_messages={"max_value": TOO_LONG_PROJECT_ID},
        **options,
    )


class MixpanelCredentialForm(CredentialForm):
    secret_fields = ("secret",)

    username = forms.CharField(
        label="Service account username",
        max_length=200,
        help_text="From Mixpanel: Organization settings → Service accounts.",
    )
    secret = forms.CharField(
        label="Service account secret",
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted. It is never shown again, only its last four characters.",
    )
    project_id = project_id_field(
        "Default project id",
        help_text="The numeric id in your project's URL; connectors start from it.",
    )
    residency = forms.ChoiceField(
        label="Default data residency",
        choices=RESIDENCY_CHOICES,
        help_text="Where the project's data lives: it picks mixpanel.com, eu. or in.",
    )


def _prefix(value: str) -> str:
    return value.strip().lstrip("/")


class _MixpanelConnectorForm(ConnectorForm):
    credential_defaults = ("project_id", "residency")
    connector_type = ""

    def identity(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **self.record_context(),
            "properties": {n: data[n] for n in PROPERTY_FIELDS[self.connector_type]},
            "categories": {n: data[n] for n in CATEGORY_FIELDS},
        }

    project_id = project_id_field()
    residency = forms.ChoiceField(label="Data residency", choices=RESIDENCY_CHOICES)
    data_format = forms.ChoiceField(
        label="Data format",
        choices=DATA_FORMATS,
        help_text="What the files hold: newline-delimited JSON of this kind.",
    )
    compression = forms.ChoiceField(label="Compression", choices=COMPRESSIONS)


class S3ImportForm(_MixpanelConnectorForm):
    connector_type = "s3Import"
    s3_bucket = s3_bucket_field()
    s3_prefix = forms.CharField(
        label="Prefix",
        required=False,
        max_length=1024,
        help_text="Folder to import, such as cloudimport/event. Leave empty for the whole bucket.",
    )
    s3_region = aws_region_field("us-east-2")
    s3_role = forms.CharField(
        label="IAM role ARN",
        max_length=600,
        validators=[
            RegexValidator(
                IAM_ROLE_ARN,
                "An IAM role ARN: arn:aws:iam::<12-digit account id>:role/<name>.",
            )
        ],
        help_text="The role in your AWS account that Mixpanel assumes to read the bucket.",
        widget=forms.TextInput(
            attrs={"placeholder": "e.g. arn:aws:iam::123456789012:role/mixpanel-import"}
        ),
    )
    field_order = [
        "project_id",
        "residency",
        "s3_bucket",
        "s3_prefix",
        "s3_region",
        "s3_role",
        "data_format",
        "compression",
    ]

    def clean_s3_prefix(self) -> str:
        return _prefix(self.cleaned_data["s3_prefix"])


class GCSImportForm(_MixpanelConnectorForm):
    connector_type = "gcsImport"
    gcs_bucket = gcs_bucket_field()
    gcs_prefix = forms.CharField(
        label="Prefix",
        required=False,
        max_length=1024,
        help_text="Folder to import, such as cloudimport/event. Leave empty for the whole bucket.",
    )
    field_order = [
        "project_id",
        "residency",
        "gcs_bucket",
        "gcs_prefix",
        "data_format",
        "compression",
    ]

    def clean_gcs_prefix(self) -> str:
        return _prefix(self.cleaned_data["gcs_prefix"])


class ProjectForm(forms.Form):
    """Which project's connectors to list: Mixpanel lists them project by project."""

    credential_defaults = ("project_id", "residency")

    project_id = project_id_field(help_text="The numeric id in your project's URL.")
    residency = forms.ChoiceField(label="Data residency", choices=RESIDENCY_CHOICES)


@dataclass(frozen=True)
class CloudImportTemplate(ConnectorTemplate):
    """A Cloud Import template: another connector like one made can start from its record."""

    def value_words(self) -> dict[str, dict[str, str]]:
        """The form's words, and the connector type by the template it was picked as."""
        types = {t.slug: t.short_label for t in (S3, GCS)}
        kinds = {kind: types[slug] for slug, kind in CONNECTOR_TYPES.items()}
        return {**super().value_words(), "Type": kinds}

    def like(self, original: Original) -> Likeness:
        """The project and residency it was made in (its record context), and the bucket,
        prefix, region, role, data format and compression Mixpanel last showed for it. Mixpanel
        names no connector and holds no secret in one (the role is a grant): nothing to retype,
        but the same bucket and prefix would import the same files twice."""
        connector_type = CONNECTOR_TYPES[self.slug]
        raw = original.record if isinstance(original.record, dict) else {}
        properties = raw.get("connector_properties")
        categories = raw.get("category_properties")
        values: dict[str, Any] = {"credential": original.credential}
        values.update(
            {n: original.context[n] for n in ("project_id", "residency") if n in original.context}
        )
        notes = []
        shown = {
            **(properties if isinstance(properties, dict) else {}),
            **(categories if isinstance(categories, dict) else {}),
        }
        names = (*PROPERTY_FIELDS[connector_type], *CATEGORY_FIELDS)
        missing = [n for n in names if not isinstance(shown.get(n), str)]
        values.update({n: shown[n] for n in names if n not in missing})
        if missing:
            notes.append(
                f"Mixpanel's last record of it holds no {', '.join(missing)}: "
                f"{'it is' if len(missing) == 1 else 'they are'} left empty."
            )
        notes.append(
            "Change the bucket or the prefix: two connectors reading the same files import "
            "them twice."
        )
        return Likeness(values=values, notes=notes)


S3 = CloudImportTemplate(
    slug="mixpanel-s3",
    label="Mixpanel Cloud Import: Amazon S3",
    description="Import events or profiles from an S3 bucket through an IAM role.",
    form_class=S3ImportForm,
    provider_slug="mixpanel",
    short_label="Amazon S3",
    imports=ProjectForm,
    import_column=("Data format", "Data"),
)
GCS = CloudImportTemplate(
    slug="mixpanel-gcs",
    label="Mixpanel Cloud Import: Google Cloud Storage",
    description="Import events or profiles from a GCS bucket shared with Mixpanel.",
    form_class=GCSImportForm,
    provider_slug="mixpanel",
    short_label="Google Cloud Storage",
    imports=ProjectForm,
    import_column=("Data format", "Data"),
)
CONNECTOR_TYPES = {S3.slug: "s3Import", GCS.slug: "gcsImport"}
PROPERTY_FIELDS = {
    "s3Import": ("s3_bucket", "s3_prefix", "s3_region", "s3_role"),
    "gcsImport": ("gcs_bucket", "gcs_prefix"),
}
CATEGORY_FIELDS = ("data_format", "compression")
MAX_LIST_PAGES = 50


def _moment(value: Any) -> datetime | None:
    """An ISO-8601 time with its zone, or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class MixpanelClient(ProviderClient):
    label = "Mixpanel"

    def auth(self) -> tuple[str, str]:
        return (self.public.get("username", ""), self.secrets.get("secret", ""))

    def curl_user(self) -> str:
        return f"{self.public.get('username', '')}:$MIXPANEL_SECRET"

    def connectors_url(self, project_id: int | str, residency: str) -> str:
        base = self.base_url(RESIDENCY_SETTINGS.get(residency, "MIXPANEL_API_URL"))
        return f"{base}/api/app/projects/{int(project_id)}/connectors"

    def check_call(self) -> Call:
        """Listing the default project's connectors is the cheapest authenticated call."""
        return Call("GET", self.connectors_url(self.public["project_id"], self.public["residency"]))

    def check_answer_unlike(self, body: Any) -> str:
        results = body.get("results") if isinstance(body, dict) else None
        return "" if isinstance(results, dict) else "Mixpanel's connector list"

    def build_create(
        self, template: ConnectorTemplate, data: dict[str, Any], *, idempotency_key: str = ""
    ) -> Call:
        connector_type = CONNECTOR_TYPES[template.slug]
        body = {
            "connector_type": connector_type,
            "connector_properties": {name: data[name] for name in PROPERTY_FIELDS[connector_type]},
            "category_properties": {name: data[name] for name in CATEGORY_FIELDS},
        }
        url = self.connectors_url(data["project_id"], data["residency"])
        return Call("POST", url, json=body, headers={"Content-Type": "application/json"})

    def error_details(self, exchange: Exchange) -> tuple[str, dict[str, str]]:
        try:
            body = exchange.json()
        except ValueError:
            return "", {}
        message = body.get("error") if isinstance(body, dict) else None
        if not isinstance(message, str):
            return "", {}
        named = [
            name
            for fields in (*PROPERTY_FIELDS.values(), CATEGORY_FIELDS)
            for name in fields
            if re.search(rf"\b{name}\b", message)
        ]
        return message, dict.fromkeys(named, message)

    def read_record(self, exchange: Exchange, item: Any) -> RemoteRecord:
        if not (isinstance(item, dict) and isinstance(item.get("connector_id"), str)):
            raise self.unexpected_shape(exchange, "a Mixpanel connector")
        props = item.get("connector_properties") or {}
        category = item.get("category_properties") or {}
        if not isinstance(props, dict) or not isinstance(category, dict):
            raise self.unexpected_shape(exchange, "a Mixpanel connector")
        kind = item.get("connector_type", "")
        prefix = "s3" if kind == "s3Import" else "gcs"
        summary = {
            "Connector id": item["connector_id"],
            "Type": kind,
            "Bucket": props.get(f"{prefix}_bucket", ""),
            "Prefix": props.get(f"{prefix}_prefix") or "(whole bucket)",
        }
        if kind == "s3Import":
            summary["AWS region"] = props.get("s3_region", "")
            summary["IAM role"] = props.get("s3_role", "")
        summary.update(
            {
                "Data format": category.get("data_format", ""),
                "Compression": category.get("compression", ""),
                "Created at": display_time(item.get("created_at")),
                "Created by": item.get("created_by", ""),
            }
        )
        bucket, path = props.get(f"{prefix}_bucket", ""), props.get(f"{prefix}_prefix", "")
        return RemoteRecord(
            remote_id=item["connector_id"],
            status=str(item.get("status") or ""),
            title=f"{bucket}/{path}" if path else f"{bucket} (whole bucket)",
            summary=summary,
            raw=item,
        )

    def read_create(self, template: ConnectorTemplate, exchange: Exchange) -> RemoteRecord:
        body = self.expect_json(exchange)
        if not isinstance(body, dict) or body.get("status") != "ok":
            raise self.unexpected_shape(exchange, "a created Mixpanel connector")
        return self.read_record(exchange, body.get("results"))

    def delete(self, remote_id: str, context: dict[str, Any]) -> Exchange:
        url = self.connectors_url(context["project_id"], context["residency"])
        exchange = self.send_delete(f"{url}/{quote(remote_id, safe='')}")
        if exchange.status == 404:
            return exchange
        body = self.expect_json(exchange)
        if not isinstance(body, dict) or body.get("status") != "ok":
            raise self.unexpected_shape(exchange, "Mixpanel's answer to a delete")
        return exchange

    def _each(self, context: dict[str, Any]) -> Iterator[tuple[Exchange, dict[str, Any]]]:
        """The project's connectors (the list is the only documented read), page by page,
        following next-page links on the same host only. §1.4 says `results.url` is the next
        page's URL, not whether it is absolute: either is read."""
        first_url = self.connectors_url(context["project_id"], context["residency"])
        url: str | None = first_url
        api = first_url.split("/api/", 1)[0] + "/api/"
        for _ in range(MAX_LIST_PAGES):
            exchange = self.get(url)
            body = self.expect_json(exchange)
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, dict) or not isinstance(results.get("data"), list):
                raise self.unexpected_shape(exchange, "Mixpanel's connector list")
            for item in results["data"]:
                if isinstance(item, dict):
                    yield exchange, item
            url = next_page(results.get("url"), url, api) if results.get("has_more") else None
            if url is None:
                break
        else:
            self.listed_in_part = (
                f"Mixpanel lists more than {MAX_LIST_PAGES} pages of connectors in project "
                f"{context['project_id']}: only those pages were read."
            )

    def _listed(self, context: dict[str, Any], match) -> RemoteRecord | None:
        """The first connector of the project's list that `match` accepts."""
        for exchange, item in self._each(context):
            if match(item):
                return self.read_record(exchange, item)
        return None

    def list_existing(
        self, template: ConnectorTemplate, inputs: dict[str, Any]
    ) -> list[RemoteRecord]:
        """The project's connectors of this template's type (S3 or GCS)."""
        wanted = CONNECTOR_TYPES[template.slug]
        return [
            self.read_record(exchange, item)
            for exchange, item in self._each(inputs)
            if item.get("connector_type") == wanted
        ]

    def refresh(self, remote_id: str, context: dict[str, Any]) -> RemoteRecord:
        found = self._listed(context, lambda item: item.get("connector_id") == remote_id)
        if found is None and self.listed_in_part:
            raise ProviderError(
                f"{self.listed_in_part} Connector {remote_id} is not in them, so its status "
                "cannot be read."
            )
        if found is None:
            raise ProviderError(
                f"Mixpanel no longer lists connector {remote_id} in project "
                f"{context['project_id']}. It may have been deleted.",
                kind="missing",
            )
        return found

    def find_created(
        self, template: ConnectorTemplate, identity: dict[str, Any]
    ) -> RemoteRecord | None:
        """Mixpanel names no connector: one of the same type reading the same bucket and prefix
        with the same categories, that we do not already know, is the one that was created."""
        connector_type = CONNECTOR_TYPES[template.slug]
        wanted = identity.get("properties", {})
        categories = identity.get("categories", {})
        known = identity.get("known_ids", ())  # asked last: each question is a query
        since = _moment(identity.get("since"))

        def match(item: dict[str, Any]) -> bool:
            props = item.get("connector_properties") or {}
            category = item.get("category_properties") or {}
            created = _moment(item.get("created_at"))
            return (
                item.get("connector_type") == connector_type
                and (since is None or created is None or created >= since)
                and isinstance(props, dict)
                and isinstance(category, dict)
                and all(props.get(k) == v for k, v in wanted.items())
                and all(category.get(k) == v for k, v in categories.items())
                and str(item.get("connector_id")) not in known
            )

        found = self._listed(identity, match)
        if found is None and self.listed_in_part:
            raise ProviderError(f"{self.listed_in_part} The connector is not in them.")
        return found


PROVIDER = Provider(
    slug="mixpanel",
    label="Mixpanel",
    description="Cloud Import connectors that load files from S3 or GCS into a Mixpanel project.",
    notice=(
        "Mixpanel's Cloud Import API is in maintenance mode: it serves projects already enrolled "
        "and accepts no new ones."
    ),
    credential_form=MixpanelCredentialForm,
    templates=(S3, GCS),
    client_class=MixpanelClient,
    transitional_states=frozenset({""}),  # a new connector reports no status at first
    # ... and some never report one (§1.4's list shows null on a 2020 connector): past the
    # background follow's five minutes or so, null is the connector's status, not a settling.
    settles_within=timedelta(minutes=10),
    statuses=("active",),
    # None documented: providers.md §1.5 has seen only null and "active".
    failing_statuses=frozenset(),
)
