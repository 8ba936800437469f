"""Reconfigure, for both Kafka templates: the connector's whole properties map is replaced (Kafka
Connect's PUT …/config, Upstash's update-connector), starting from what it holds now. Secrets are
never shown: those kept (encrypted) with the connector are sent again unless new ones are typed."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from connectors_admin.core.redaction import REDACTED
from connectors_admin.core.safety import JSONTooDeep, has_control_characters, loads_bounded
from connectors_admin.providers.base import Action, ActionResult, ProviderError, Target
from connectors_admin.providers.schema_forms import SecretTextarea

from .catalogue import BY_NAME, CLASS_KEY, SECRET_KEYS, LineError, looks_secret, parse_lines
from .catalogue import secret_values as catalogue_secret_values
from .forms import MAX_PROPERTIES_TEXT, _uri_parts


def is_secret(key: str) -> bool:
    return key in SECRET_KEYS or looks_secret(key)


class ReconfigureForm(forms.Form):
    properties = forms.CharField(
        label="Properties (JSON)",
        max_length=MAX_PROPERTIES_TEXT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono", "spellcheck": "false"}),
        help_text="The connector's whole configuration except its secrets; every value a "
        "string. What you remove here is removed from the connector.",
    )
    secret_properties = forms.CharField(
        label="Secret properties",
        required=False,
        max_length=MAX_PROPERTIES_TEXT,
        strip=False,
        widget=SecretTextarea(attrs={"rows": 3, "class": "mono", "autocomplete": "off"}),
        help_text="Only to change them: one key=value per line, such as connection.password=…. "
        "Left empty, the secrets set now are kept.",
    )

    def clean_properties(self) -> dict[str, str]:
        try:
            data = loads_bounded(self.cleaned_data["properties"])
        except JSONTooDeep:
            raise forms.ValidationError("This JSON is nested too deeply.") from None
        except ValueError as error:
            raise forms.ValidationError(f"This is not valid JSON ({error}).") from None
        if not isinstance(data, dict):
            raise forms.ValidationError('The properties are one JSON object: {"key": "value"}.')
        wrong = [k for k, v in data.items() if not isinstance(v, str)]
        if wrong:
            raise forms.ValidationError(
                f'Kafka Connect takes every value as a string: write "1", not 1 '
                f"({', '.join(wrong[:5])})."
            )
        if has_control_characters(data):
            raise forms.ValidationError("A value holds a control character (such as NUL).")
        secret = [k for k, v in data.items() if is_secret(k) and v != REDACTED]
        if secret:
            raise forms.ValidationError(
                f"{', '.join(secret)} {'is' if len(secret) == 1 else 'are'} secret: give "
                "it under Secret properties, which is never shown again."
            )
        return {k: v for k, v in data.items() if v != REDACTED}

    def clean_secret_properties(self) -> dict[str, str]:
        try:
            return parse_lines(self.cleaned_data.get("secret_properties") or "")
        except LineError as error:
            raise forms.ValidationError(str(error)) from None


def _current(target: Target) -> tuple[dict[str, str], bool]:
    """The configuration as sent last (kept encrypted), or as the provider last showed it
    (masked) for a connector imported from elsewhere; and whether it was kept."""
    try:
        kept = target.kept().get("configuration")
    except ProviderError:
        kept = None
    if isinstance(kept, dict):
        return kept, True
    record = target.record or {}
    shown = record.get("config") or record.get("properties") or {}
    return (dict(shown) if isinstance(shown, dict) else {}), False


def _initial(target: Target) -> dict[str, Any]:
    config, _ = _current(target)
    public = {k: v for k, v in config.items() if not is_secret(k) and v != REDACTED}
    return {"properties": json.dumps(public, indent=2)}


def _reconfigure(client: Any, target: Target) -> ActionResult:
    inputs = target.inputs
    new: dict[str, str] = dict(inputs["properties"])
    was = str(target.context.get("connector_class") or "")
    if was and new.get(CLASS_KEY, was) != was:
        raise ProviderError(
            "connector.class cannot change: create a new connector with the other class.",
            field_errors={"properties": "connector.class cannot change."},
        )
    new.setdefault(CLASS_KEY, was)
    config, kept = _current(target)
    secrets = {k: v for k, v in config.items() if is_secret(k) and kept and v != REDACTED}
    secrets.update(inputs.get("secret_properties") or {})
    missing = [k for k, v in config.items() if is_secret(k) and v == REDACTED and k not in secrets]
    if missing:
        raise ProviderError(
            f"This connector was made elsewhere, so its secrets are not known here: give "
            f"{', '.join(missing)} under Secret properties.",
            field_errors={"secret_properties": f"Needed: {', '.join(missing)}."},
        )
    final = {**new, **secrets}
    values = catalogue_secret_values(BY_NAME.get(final.get(CLASS_KEY, "")), final)
    values += [part for value in list(values) for part in _uri_parts(value)]
    client.redactor.add(values=values)
    record = client.update_configuration(target.remote_id, target.context, final)
    return ActionResult(record=record, kept={"configuration": final, "secret_values": values})


RECONFIGURE = Action(
    "reconfigure",
    "Reconfigure",
    _reconfigure,
    changes_remote=True,
    inputs=ReconfigureForm,
    initial=_initial,
    done="The new configuration is at {provider}.",
    audit="connector.action",
)
