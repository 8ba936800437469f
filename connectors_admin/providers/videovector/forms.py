"""VideoVector's three storage-connector forms (GCS, S3, Azure) on one common base: name, scopes,
import mode and, when exporting, an export base path; each embeds its cloud's secret, picked from
the team's stored credentials or typed here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.core.validators import RegexValidator

from connectors_admin.providers.base import (
    ConnectorForm,
    ConnectorTemplate,
    FormContext,
    Likeness,
    Original,
)
from connectors_admin.providers.embedding import (
    KEY,
    USE,
    EmbeddedSecretsForm,
    Slot,
    slot_fields,
    stored_picks,
)
from connectors_admin.providers.naming import (
    aws_region_field,
    gcs_bucket_field,
    s3_bucket_field,
)

GCP_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
AZURE_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
AZURE_CONTAINER = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

SCOPE_CHOICES = [
    ("import", "Import — VideoVector reads videos from this storage into your indexes"),
    ("export", "Export — VideoVector writes results (metadata, clips) back to this storage"),
]
IMPORT_MODES = [
    ("all", "All files — import every matching file, each time an import runs"),
    ("new_only", "New files only — skip files that were imported before"),
]


def _secret(label: str, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class StorageForm(EmbeddedSecretsForm, ConnectorForm):
    """The fields every VideoVector storage connector shares."""

    reload_on: ClassVar[tuple[str, ...]] = ("scopes",)
    place_fields: ClassVar[tuple[str, ...]] = ()

    name = forms.CharField(label="Name", min_length=1, max_length=100)
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        choices=SCOPE_CHOICES,
        initial=["import"],
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one.",
    )
    import_mode = forms.ChoiceField(
        label="Import mode", choices=IMPORT_MODES, initial="all", widget=forms.RadioSelect
    )
    export_base_path = forms.CharField(
        label="Export base path",
        required=False,
        max_length=1024,
        help_text="Exports are written under this prefix only, such as exports/review.",
    )

    def exporting(self) -> bool:
        source = self.data if self.is_bound else self.initial
        picked = (
            source.getlist("scopes")
            if hasattr(source, "getlist")
            else source.get("scopes", self.fields["scopes"].initial)
        )
        return "export" in (picked or [])

    def clean(self):
        self.clean_embedded()
        cleaned = super().clean()
        if "export" not in (cleaned.get("scopes") or []):
            cleaned["export_base_path"] = ""
        return cleaned

    def layout(self) -> list[Any]:
        hidden = self.hidden_by_stored() | (set() if self.exporting() else {"export_base_path"})
        names = [
            "name",
            *self.place_fields,
            *self.picker_layout(),
            *[n for slot in self.slots for n in self.covered(slot)],
            "scopes",
            "import_mode",
            "export_base_path",
        ]
        return [n for n in dict.fromkeys(names) if n in self.fields and n not in hidden]

    def provider_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k in self.sent_fields()}
        data.update(self.embedded()["config"])
        data.update(self.typed_key_files())
        typed = [data[n] for n in self.secret_names() if isinstance(data.get(n), str)]
        data["secret_values"] = [v for v in [*typed, *self.embedded()["secrets"]] if v]
        return data

    def sent_fields(self) -> set[str]:
        return {
            "name",
            "scopes",
            "import_mode",
            "export_base_path",
            *self.place_fields,
            *(n for slot in self.slots for n in self.covered(slot)),
        }

    def record_context(self) -> dict[str, Any]:
        return {"embedded": self.embedded()["links"]}

    def identity(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"match": {"name": data["name"], **{n: data[n] for n in self.place_fields}}}


class S3Form(StorageForm):
    place_fields = ("bucket", "region")
    slots = (
        Slot(
            name="aws",
            label="AWS access key",
            kinds=("aws",),
            targets=(
                (("aws_access_key_id",), ("public", "aws_access_key_id", "")),
                (("aws_secret_access_key",), ("secret", "aws_secret_access_key", "")),
            ),
        ),
    )

    bucket = s3_bucket_field()
    region = aws_region_field("us-east-1")
    aws_access_key_id = forms.CharField(
        label="Access key id",
        max_length=20,
        validators=[RegexValidator(r"^(AKIA|ASIA)[A-Z0-9]{16}$", "AKIA or ASIA and 16 more.")],
    )
    aws_secret_access_key = _secret("Secret access key", 40)


class AzureForm(StorageForm):
    place_fields = ("storage_account", "container")
    slots = (
        Slot(
            name="azure",
            label="Azure service principal",
            kinds=("azure",),
            targets=(
                (("tenant_id",), ("public", "tenant_id", "")),
                (("client_id",), ("public", "client_id", "")),
                (("client_secret",), ("secret", "client_secret", "")),
            ),
        ),
    )

    storage_account = forms.CharField(
        label="Storage account",
        max_length=24,
        validators=[RegexValidator(AZURE_ACCOUNT, "3 to 24 lowercase letters and digits.")],
    )
    container = forms.CharField(
        label="Container",
        max_length=63,
        validators=[
            RegexValidator(
                AZURE_CONTAINER,
                "3 to 63 lowercase letters, digits and hyphens, starting and ending with a "
                "letter or digit, never two hyphens in a row.",
            )
        ],
    )
    tenant_id = forms.CharField(
        label="Tenant id", validators=[RegexValidator(GUID, "A GUID: 8-4-4-4-12 hex digits.")]
    )
    client_id = forms.CharField(
        label="Client (application) id",
        validators=[RegexValidator(GUID, "A GUID: 8-4-4-4-12 hex digits.")],
    )
    client_secret = _secret("Client secret", 500)


class GCSForm(StorageForm):
    place_fields = ("bucket", "gcp_project_id")
    slots = (
        Slot(
            name="credentials_file",
            label="Google service account",
            kinds=("gcp",),
            targets=((("credentials_file",), ("secret", "service_account_json", "json")),),
            one_json_field=True,
            # Left empty, the project is the key file's own (its project_id, not secret).
            fills=((("gcp_project_id",), "project_id"),),
        ),
    )

    bucket = gcs_bucket_field()
    gcp_project_id = forms.CharField(
        label="GCP project id",
        max_length=30,
        validators=[RegexValidator(GCP_PROJECT, "6 to 30 lowercase letters, digits or hyphens.")],
    )

    def clean(self):
        cleaned = super().clean()
        self.fill_from_keys(cleaned)
        return cleaned

    def provider_data(self) -> dict[str, Any]:
        data = super().provider_data()
        key = data.get("credentials_file") or {}
        data["secret_values"] += [str(key.get("private_key", ""))] if key else []
        return data


class BrowseForm(forms.Form):
    prefix = forms.CharField(
        label="Prefix",
        required=False,
        max_length=1024,
        help_text="A folder, such as incoming/2026/. Empty for the whole storage.",
    )
    pattern = forms.CharField(
        label="Pattern",
        required=False,
        max_length=200,
        initial="*",
        help_text="A glob over file names: *.mp4, or *.{mp4,mov} for either.",
    )
    recursive = forms.BooleanField(label="Include subfolders", required=False, initial=True)

    def clean_pattern(self) -> str:
        """A glob whose brackets and braces close (and braces do not nest): an unclosed one
        matches nothing at VideoVector, which would read as an empty storage."""
        pattern = self.cleaned_data["pattern"]
        braces = 0
        bracket = False
        for character in pattern:
            if bracket:
                bracket = character != "]"
            elif character == "[":
                bracket = True
            elif character == "{":
                braces += 1
                if braces > 1:
                    raise forms.ValidationError("Braces cannot nest: write *.{mp4,mov}.")
            elif character == "}":
                if not braces:
                    raise forms.ValidationError("A “}” closes no “{”: write *.{mp4,mov}.")
                braces -= 1
        if bracket:
            raise forms.ValidationError("A “[” is not closed: write [0-9] for one digit.")
        if braces:
            raise forms.ValidationError("A “{” is not closed: write *.{mp4,mov} for either.")
        return pattern


@dataclass(frozen=True)
class StorageTemplate(ConnectorTemplate):
    storage: str = "s3"  # the API's provider: gcs | s3 | azure
    fields: tuple[str, ...] = ()  # what a JSON create sends besides the common fields

    def form_class_for(self, context: FormContext) -> type[ConnectorForm]:
        """The template's form, with the team's stored credentials offered for its secret."""
        extra: dict[str, Any] = {**slot_fields(self.form_class.slots, context)}
        extra["resolve"] = staticmethod(context.resolve)
        extra["stored_public"] = staticmethod(context.public)
        extra["reload_on"] = ("scopes", *(USE + slot.name for slot in self.form_class.slots))
        return type(self.form_class.__name__, (self.form_class,), extra)

    def like(self, original: Original) -> Likeness:
        """The name, place, scopes, import mode and export path VideoVector last showed, and
        the stored credential picked for the storage secret. A secret typed by hand is typed
        again, and so are the ids typed beside it (an access key's id, a tenant and a client),
        which VideoVector never shows back. Names need not be unique at VideoVector, so the name
        is kept: the usual reason is to make it again with a new secret, then delete the old."""
        form_class = self.form_class
        raw = original.record if isinstance(original.record, dict) else {}
        values: dict[str, Any] = {"credential": original.credential}
        notes: list[str] = []
        for name in ("name", *form_class.place_fields, "import_mode", "export_base_path"):
            if isinstance(raw.get(name), str):
                values[name] = raw[name]
        missing = [n for n in ("name", *form_class.place_fields) if n not in values]
        if missing:
            notes.append(
                f"VideoVector's last record of it holds no {', '.join(missing)}: left empty."
            )
        scopes = raw.get("scopes")
        if isinstance(scopes, list) and all(isinstance(s, str) for s in scopes):
            values["scopes"] = scopes
        retype: list[str] = []
        picks = stored_picks(original.embedded)
        values.update(picks)
        for slot in form_class.slots:
            if USE + slot.name in picks:
                continue
            typed = [path[0] for path, _ in slot.targets]
            retype += [KEY + slot.name] if slot.one_json_field else typed
            public = [path[0] for path, (where, _, _) in slot.targets if where == "public"]
            if public:
                notes.append(
                    f"{slot.label} was entered by hand: VideoVector never shows it back, so "
                    "its ids are typed again with its secret."
                )
        notes.append(
            "VideoVector does not require a new name. Change the name or the storage to tell "
            "the two apart."
        )
        return Likeness(values=values, retype=retype, notes=notes)
