"""Reconfigure, for both Kafka templates: the connector's whole properties map is replaced (Kafka
Connect's PUT …/config, Upstash's update-connector), starting from what it holds now. Secrets are
never shown: those kept (encrypted) with the connector are sent again unless new ones are typed,
and an empty `key=` line removes one."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, ClassVar

from django import forms
from django.views.decorators.debug import sensitive_variables

from connectors_admin.core.redaction import REDACTED
from connectors_admin.providers.base import Action, ActionResult, ProviderError, Target
from connectors_admin.providers.embedding import named_host
from connectors_admin.providers.schema_forms import SecretTextarea

from .catalogue import (
    BY_NAME,
    CLASS_KEY,
    MAX_PROPERTIES_TEXT,
    LineError,
    format_lines,
    merged_lines,
    parse_lines,
)
from .secrets import (
    as_text,
    is_secret_key,
    mask_urls,
    parse_properties,
    readable_members,
    secret_values,
    typed_map,
    without_members,
)

# The initial value that names the secrets a reconfigure of a connector made elsewhere needs.
NEEDED = "needed_secrets"
KEPT_IF_EMPTY = "Left empty, the secrets set now are kept."


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
        help_text="Only to change them: one key=value per line, such as connection.password=…; "
        "key= with nothing after it removes that secret. " + KEPT_IF_EMPTY,
    )
    secret_properties.if_empty = KEPT_IF_EMPTY  # not true after a failed try: see mark_kept

    # The secrets kept from a failed try are given to the form (kept=), not put in its data
    # first: a secret typed anew into the JSON replaces the kept line of its key.
    takes_kept: ClassVar[bool] = True

    def __init__(self, *args, kept: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.twice: list[str] = []  # keys typed here and in the JSON, with different values
        if self.is_bound:
            self.data = self.data.copy()
            lines_typed = bool(str(self.data.get("secret_properties") or "").strip())
            self._move_typed_secrets()
            kept_lines = str((kept or {}).get("secret_properties") or "")
            if kept_lines and not lines_typed:
                moved = str(self.data.get("secret_properties") or "")
                self.data["secret_properties"] = (
                    merged_lines(kept_lines, moved) if moved else kept_lines
                )
        needed = self.initial.get(NEEDED)
        if needed:  # a connector made elsewhere: what must be given is said before it is sent
            field = self.fields["secret_properties"]
            field.required = True
            field.help_text = (
                f"Needed: {', '.join(needed)}, one key=value per line. This connector was made "
                "elsewhere, so these secrets are not known here (the others come from the "
                "stored credentials it carries)."
            )

    def _move_typed_secrets(self) -> None:
        """A secret typed into the JSON goes under Secret properties, as on the create form:
        the JSON is shown again after any error, a secret never is."""
        text = str(self.data.get("properties") or "")
        shown = typed_map(text)
        # JSON that does not parse (said by clean_properties, never quoting a value) is shown
        # again as typed, but for its secret members, found without parsing.
        members = shown if shown is not None else readable_members(text)
        typed = {
            k: as_text(v)
            for k, v in members.items()
            if is_secret_key(k) and as_text(v) and v != REDACTED
        }
        if not typed:
            return
        if shown is not None:
            self.data["properties"] = json.dumps(
                {k: v for k, v in shown.items() if k not in typed}, indent=2
            )
        else:
            self.data["properties"] = without_members(text, typed)
        moved = sorted(typed)
        said = f"{', '.join(moved)} {'is' if len(moved) == 1 else 'are'} secret"
        try:
            lines = parse_lines(str(self.data.get("secret_properties") or ""))
        except LineError:
            # Refused by the clean method, which never quotes a value: what was typed there is
            # not mixed with the secrets taken out of the JSON, which are typed again there.
            said += ": taken out, never shown; type it again under Secret properties."
        else:
            # Typed in both with different values: the line's stays, and the form says so.
            self.twice = [k for k in moved if lines.get(k) and lines[k] != typed[k]]
            self.data["secret_properties"] = format_lines({**typed, **lines})
            said += ": moved to Secret properties, never shown."
        self.fields["properties"].help_text = f"{said} {self.fields['properties'].help_text}"

    def clean_properties(self) -> dict[str, str]:
        try:
            data = parse_properties(self.cleaned_data["properties"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return {k: v for k, v in data.items() if v != REDACTED}

    def clean_secret_properties(self) -> dict[str, str]:
        if self.twice:
            raise forms.ValidationError(
                f"{', '.join(self.twice)} typed here and in the JSON with different values. "
                "The one typed here is kept (leave it empty to send that one); type the one "
                "to send here."
            )
        try:
            return parse_lines(self.cleaned_data.get("secret_properties") or "")
        except LineError as error:
            raise forms.ValidationError(str(error)) from None


@sensitive_variables()
def _current(target: Target) -> tuple[dict[str, str], list[str], bool]:
    """The configuration as the provider last showed it (the record, masked), so that a change
    made elsewhere since is not reverted; with the secrets it masks put back from what was sent
    last (kept encrypted), where they still match. Also the keys typed as secrets, and whether
    anything was kept. A value still masked here is one this app does not know."""
    try:
        kept = target.kept()
    except ProviderError:
        kept = {}
    record = target.record or {}
    shown = record.get("config") or record.get("properties") or {}
    shown = dict(shown) if isinstance(shown, dict) else {}
    sent = kept.get("configuration")
    if not isinstance(sent, dict):
        return shown, [], False
    typed = list(kept.get("secret_keys") or [])
    if not shown:
        return sent, typed, True
    for key, value in shown.items():
        was = sent.get(key)
        masked = isinstance(value, str) and REDACTED in value and isinstance(was, str)
        if masked and (value == REDACTED or mask_urls(was) == value):
            shown[key] = was
    return shown, typed, True


@sensitive_variables()
def configuration_now(target: Target) -> dict[str, str] | None:
    """The whole map to send again without a reconfigure's inputs (a rotated secret pushed into
    it): what the cluster last showed, with the kept secrets put back; None when nothing was
    kept or stored. A secret changed elsewhere since, or one of a connector made elsewhere that
    no linked stored credential holds, is not known here: refused (naming it), never sent
    masked."""
    config, _, kept = _current(target)
    if not kept:
        # Made elsewhere (imported): what the cluster holds, each masked secret from the stored
        # credential linked at its place; sent only if that covers them all.
        config = _from_stored(config, target)
        if not config:
            return None
        unknown = sorted(k for k, v in config.items() if isinstance(v, str) and REDACTED in v)
        if unknown:
            raise ProviderError(
                "This connector was made elsewhere (imported) and holds secrets that are not "
                f"known here: {', '.join(unknown)} (none of the stored credentials it is linked "
                "to holds them). Nothing was sent: reconfigure it, giving those and the new "
                "secret under Secret properties."
            )
        return config
    unknown = sorted(k for k, v in config.items() if isinstance(v, str) and REDACTED in v)
    if unknown:
        raise ProviderError(
            f"{', '.join(unknown)} changed at the provider since it was sent from here, and "
            "its secret is not known here: reconfigure the connector with it, then push again."
        )
    return dict(config)


def _from_stored(
    config: dict[str, Any], target: Target, given: Collection[str] = ()
) -> dict[str, Any]:
    """`config` with each wholly masked value that a linked stored credential puts at its key
    taken from that credential (asked only when something is masked and not `given` otherwise,
    typed; a stored login only where `config` names its own host)."""
    wanted = [k for k, v in config.items() if v == REDACTED and k not in given]
    if not wanted:
        return dict(config)
    stored = target.stored(config, wanted)
    return {
        k: stored[k] if v == REDACTED and isinstance(stored.get(k), str) else v
        for k, v in config.items()
    }


def _secret(key: str, typed: list[str]) -> bool:
    return is_secret_key(key, typed)


def _initial(target: Target) -> dict[str, Any]:
    config, typed, kept = _current(target)
    public = {
        k: mask_urls(v) if isinstance(v, str) else v  # a password inside a URL is never shown
        for k, v in config.items()
        if not _secret(k, typed) and v != REDACTED
    }
    initial: dict[str, Any] = {"properties": json.dumps(public, indent=2)}
    if not kept:  # made elsewhere: the secrets no linked stored credential holds are asked for
        filled = _from_stored(config, target)
        initial[NEEDED] = sorted(
            k for k, v in filled.items() if _secret(k, typed) and v == REDACTED
        )
    return initial


def _unmasked(new: dict[str, str], config: dict[str, str], kept: bool, given: dict) -> None:
    """A value sent back with the masked password of its URL, unchanged, gets the kept password
    again. Changed (another host, say), or never known here (imported), the whole value is
    asked for under Secret properties: the mask is not sent as a password, and a kept password
    does not follow its URL elsewhere."""
    asked = []
    for key, value in new.items():
        if key in given or not isinstance(value, str) or REDACTED not in value:
            continue
        was = config.get(key)
        if kept and isinstance(was, str) and REDACTED not in was and mask_urls(was) == value:
            new[key] = was
        else:
            asked.append(key)
    if asked:
        message = (
            f"{', '.join(asked)} holds a masked password: give the whole value under Secret "
            "properties, as key=value, to change it."
        )
        raise ProviderError(message, field_errors={"properties": message})


def _keep_bound_hosts(target: Target, config: dict[str, str], new: dict[str, str]) -> None:
    """A login filled from a stored credential stays with its host: the kept secrets are sent
    again, so moving the host would send them elsewhere. Its host is the one it was sent to from
    here (kept), not the one the cluster names now: moved there, the stored password is not sent
    after it."""
    connector_class = BY_NAME.get(str(target.context.get("connector_class") or ""))
    linked = {link.get("slot") for link in target.context.get("embedded") or []}
    try:
        sent = target.kept().get("configuration")
    except ProviderError:
        sent = None
    bound = sent if isinstance(sent, dict) else config
    for slot in connector_class.slots if connector_class else ():
        if slot.name not in linked:
            continue
        for key, *_ in slot.host_paths:
            own = named_host(bound.get(key))
            moved_to = named_host(new.get(key))
            if not moved_to or moved_to != own:
                now = named_host(config.get(key))
                elsewhere = f" (the cluster names {now} now)" if now and now != own else ""
                message = (
                    f"{key} stays {own or 'as it was'}{elsewhere}: the stored database login "
                    "is sent to its own host only."
                )
                raise ProviderError(message, field_errors={"properties": message})


@sensitive_variables()
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
    config, typed, kept = _current(target)
    given: dict[str, str] = dict(inputs.get("secret_properties") or {})
    if not kept:  # made elsewhere: its stored credentials' values, where none was typed
        config = _from_stored(config, target, given)
    _unmasked(new, config, kept, given)
    # Kept, or (made elsewhere) taken from a stored credential: the ones still masked are not
    # known here.
    secrets = {k: v for k, v in config.items() if _secret(k, typed) and v != REDACTED}
    secrets.update(given)
    secrets = {k: v for k, v in secrets.items() if v}  # "key=" removes it
    missing = sorted(  # in one order whatever the record's (PostgreSQL's jsonb reorders keys)
        k for k, v in config.items() if _secret(k, typed) and v == REDACTED and k not in given
    )
    if missing:
        raise ProviderError(
            f"This connector was made elsewhere, so its secrets are not known here: give "
            f"{', '.join(missing)} under Secret properties (or key= to remove one).",
            field_errors={"secret_properties": f"Needed: {', '.join(missing)}."},
        )
    final = {**new, **secrets}
    _keep_bound_hosts(target, config, final)  # secret lines may set a host too
    keys = sorted({*typed, *given, *(k for k in final if is_secret_key(k))} & set(final))
    values = secret_values(final, extra=keys)
    client.redactor.add(values=values)
    record = client.update_configuration(target.remote_id, target.context, final)
    kept_now = {"configuration": final, "secret_values": values, "secret_keys": keys}
    return ActionResult(record=record, kept=kept_now)


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
