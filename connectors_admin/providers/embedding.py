"""Storage secrets that a connector's configuration embeds (a Google service-account key, an AWS
key pair, a database login), declared with the template so that the form can offer the team's
stored credentials for them and the record can keep a link to every credential it embeds.

A slot says which credential kinds fill it and, declaratively, where each credential value goes
in the configuration, so that a rotated secret can be pushed into every copy later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets as token_source
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from django import forms

from connectors_admin.core.redaction import strings_in
from connectors_admin.core.safety import JSONTooDeep, has_control_characters, loads_bounded

from .schema_forms import SecretTextarea

# Where a value comes from: ("public" | "secret", the credential's field, how to read it). How:
# "" the value as stored; "json" a key file's JSON document, parsed; "uri_user" and
# "uri_password" the user and password of a connection URI, percent-decoded.
Source = tuple[str, str, str]
# Read from a secret but not secret itself: a login name is shown where it appears (masking a
# user such as "postgres" everywhere would garble every "postgresql" in a record).
NOT_SECRET = frozenset({"uri_user"})
# A Google service-account key file: what in it is secret (its client email and project are
# shown on the credential's page), and what it may lack that Google's libraries assume.
KEY_FILE_SECRETS = ("private_key", "private_key_id")
KEY_FILE_DEFAULTS = {"universe_domain": "googleapis.com"}  # absent from older key files


@dataclass(frozen=True)
class Slot:
    """A part of a configuration that a stored credential can fill."""

    name: str  # unique within the form, such as "credentials_json"
    label: str  # "Google service account"
    kinds: tuple[str, ...]  # credential kinds that fill it
    targets: tuple[tuple[tuple[str, ...], Source], ...]  # configuration path <- credential value
    optional: bool = False  # "may take": typing the values stays the default
    one_json_field: bool = False  # typed by hand as one pasted JSON document
    # The slot applies only while the configuration value at this path is one of these values
    # (or is not set): an S3 source signs in with the key pair only when auth_type is "user".
    when: tuple[tuple[str, ...], tuple[Any, ...]] | None = None
    # Where the filled login is sent (a host name, or a URL naming it): each must name the
    # stored credential's own host, so that a member who may use a stored database login but
    # not read it cannot send it to a host of their choosing.
    host_paths: tuple[tuple[str, ...], ...] = ()
    # Configuration paths that, left empty, take a member of the key the slot holds that is
    # not secret (a service account's project_id: the project asked for beside a key file is
    # the key's own unless another is typed).
    fills: tuple[tuple[tuple[str, ...], str], ...] = ()
    # For a connection URI: the schemes the connector can use (a MongoDB connector takes a
    # mongodb:// or mongodb+srv:// URI); a stored URI of another scheme is not offered. () for
    # any.
    schemes: tuple[str, ...] = ()

    @property
    def paths(self) -> tuple[tuple[str, ...], ...]:
        return tuple(path for path, _ in self.targets)

    def mapping(self) -> list[list[Any]]:
        """The targets as JSON, kept with a connector so a rotated secret can be pushed."""
        return [[list(path), list(source)] for path, source in self.targets]


def is_service_account(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "service_account"


def with_key_file_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """A key file with what Google's own libraries assume when it is absent."""
    if not is_service_account(data):
        return data
    return {**data, **{k: v for k, v in KEY_FILE_DEFAULTS.items() if not data.get(k)}}


def key_file_secrets(data: Any) -> list[str]:
    """The secret strings of a key file (all of a JSON document that is not one)."""
    if not is_service_account(data):
        return strings_in(data)
    return [str(data[k]) for k in KEY_FILE_SECRETS if data.get(k)]


def read_value(source: Source | list[str], public: dict[str, Any], secrets: dict[str, str]) -> Any:
    where, name, how = source
    raw = (public if where == "public" else secrets).get(name, "")
    if how == "json":
        return with_key_file_defaults(json.loads(raw))
    if how in ("uri_user", "uri_password"):
        try:
            parts = urlsplit(str(raw))
        except ValueError:
            # Python's message would quote the URI, password and all.
            raise ValueError("The stored connection URI cannot be read.") from None
        value = parts.username if how == "uri_user" else parts.password
        return unquote(value or "")
    return raw


# A URL naming one host: scheme(s) (JDBC's "jdbc:postgresql:"), the host, a numeric port, then
# only a path or a query. Anything else after the host (",other-host", ";serverName=…", "(host=…)")
# could send a connection elsewhere.
ONE_HOST_URL = re.compile(
    r"(?:[a-z][a-z0-9+.\-]*:)+//(?P<host>\[[0-9a-f:.]+\]|[^/?#:\[\]]+)(?::\d{1,5})?(?P<rest>[/?#].*)?"
)
HOST_PARAMETERS = {"host", "hosts", "hostname", "server", "servername", "pghost", "address"}


def named_host(value: Any) -> str:
    """The one host a configuration value names: a host name or address, or the host of a URL
    (JDBC's too); "" when it names none, several, or one in a form not read here (a URL with a
    second host, a host parameter, user info)."""
    text = str(value or "").strip().lower()
    if "://" in text:
        match = ONE_HOST_URL.fullmatch(text)
        if match is None:
            return ""
        rest = match["rest"] or ""
        if any(c in rest for c in ",;()@\\"):
            return ""
        query = rest.partition("?")[2].partition("#")[0]
        if {key for key, _ in parse_qsl(query, keep_blank_values=True)} & HOST_PARAMETERS:
            return ""
        text = match["host"]
    text = text.rstrip(".").removeprefix("[").removesuffix("]")
    return text if re.fullmatch(r"[a-z0-9:][a-z0-9.:\-]*", text) else ""


def uri_host(uri: str) -> str:
    """The host of a stored connection URI (user info and all), compared like `named_host`."""
    try:
        host = urlsplit(str(uri or "")).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def _login_host(slot: Slot, public: dict[str, Any], secrets: dict[str, str]) -> str:
    """The host of the URI a slot's login is read from (else the credential's public host)."""
    return login_host(slot.targets, public, secrets)


def login_host(mapping, public: dict[str, Any], secrets: dict[str, str]) -> str:
    """The host of the URI a mapping's login is read from (else the credential's public host)."""
    for _, (where, name, how) in mapping:
        if how in ("uri_user", "uri_password"):
            source = (public if where == "public" else secrets).get(name, "")
            if uri_host(source):
                return uri_host(source)
    return named_host(public.get("host"))


def misplaced_login(
    config: dict[str, Any], link: dict[str, Any], public: dict[str, Any], secrets: dict[str, str]
) -> str:
    """Why a stored login (a link kept with a connector, with its `hosts`) may not be written into
    `config`: the host a value there names is not the credential's own (a URI rotated to another
    host, say); "" when it may."""
    own = login_host(link.get("mapping") or [], public, secrets)
    for path in link.get("hosts") or []:
        value: Any = config
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        named = named_host(value)
        if not own or named != own:
            return (
                f"The stored login is now for {own or 'no named host'}, and {path[-1]} names "
                f"{named[:100] or 'no host'}: it is only sent to its own host. Create the "
                "connector again for that host, then delete this one."
            )
    return ""


def missing_values(mapping, public: dict[str, Any], secrets: dict[str, str]) -> list[str]:
    """The configuration keys a credential has no value for (a URI without a password, say)."""
    missing = []
    for path, source in mapping:
        try:
            value = read_value(source, public, secrets)
        except ValueError:
            value = None
        if value in (None, "", {}):
            missing.append(str(path[-1]))
    return missing


def fill(
    config: dict[str, Any], mapping, public: dict[str, Any], secrets: dict[str, str]
) -> list[str]:
    """Write a credential's values into `config` along `mapping` (a slot's targets, or the
    JSON kept with a connector); the secret strings written, for the redactor."""
    written: list[str] = []
    for path, source in mapping:
        value = read_value(source, public, secrets)
        target = config
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
        where, name, how = source
        if where != "secret" or how in NOT_SECRET:
            continue
        if how == "json":
            written += [secrets.get(name, ""), *key_file_secrets(value)]
        else:
            written += strings_in(value)
    return list(dict.fromkeys(w for w in written if w))


# --- what a listed connector carries --------------------------------------------------------------
# The process's own key for `value_digests`: a digest says nothing outside the process that made it.
_DIGEST_KEY = token_source.token_bytes(32)


def _digest(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return hmac.new(_DIGEST_KEY, text.encode(), hashlib.sha256).hexdigest()


def value_digests(config: Any, within: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    """A keyed digest of each value in a configuration, by path: a client gives them with a
    listed connector (RemoteRecord.digests) before it masks the secrets, so that an import can
    tell which stored credential's values are there without holding them."""
    if not isinstance(config, dict):
        return {}
    found: dict[tuple[str, ...], str] = {}
    for key, value in config.items():
        path = (*within, str(key))
        if isinstance(value, dict):
            found.update(value_digests(value, path))
        if value not in (None, "", {}):
            found[path] = _digest(value)
    return found


def carries(
    slot: Slot, digests: dict[tuple[str, ...], str], public: dict[str, Any], secrets: dict[str, str]
) -> bool:
    """Does a configuration (its `value_digests`) hold every value this credential puts in the
    slot, exactly? A value masked by the provider, or left out, is not there."""
    for path, source in slot.targets:
        try:
            value = read_value(source, public, secrets)
        except ValueError:  # a stored value that cannot be read (a URI, a key file)
            return False
        if value in (None, "", {}) or digests.get(tuple(path)) != _digest(value):
            return False
    return True


# --- a service-account key typed by hand ---------------------------------------------------------
SERVICE_ACCOUNT_REQUIRED = ("project_id", "private_key_id", "private_key", "client_email")
MAX_KEY_FILE = 64 * 1024


def parse_service_account(text: str) -> dict[str, Any]:
    """A Google service-account key file's JSON, checked; ValueError says what is wrong."""
    if len(text.encode()) > MAX_KEY_FILE:
        raise ValueError("A key file is a few kilobytes; this one is over 64 KiB.")
    try:
        data = loads_bounded(text)
    except JSONTooDeep as error:
        raise ValueError(f"This is not a key file: {error}") from None
    except ValueError:
        raise ValueError(
            "This is not JSON: a key file is one JSON document, braces included."
        ) from None
    if not isinstance(data, dict) or data.get("type") != "service_account":
        raise ValueError(
            'This is not a service-account key (its "type" must be "service_account").'
        )
    if has_control_characters(data):
        raise ValueError("The key file holds a control character (such as NUL) in a value.")
    missing = [k for k in SERVICE_ACCOUNT_REQUIRED if not data.get(k)]
    if missing:
        raise ValueError(f"The key file lacks: {', '.join(missing)}.")
    if "PRIVATE KEY" not in str(data["private_key"]):
        raise ValueError("The key file's private_key is not a PEM private key.")
    return data


# --- the form side: "Use a stored credential" or "Enter it here" ------------------------------------
USE, KEY, KEYFILE = "use__", "keyjson__", "keyfile__"
KEY_NAMES_NONE = "The key file names no project to use here: type the project id."
ENTER_HERE = "here"
# An AWS secret access key, wherever one is typed (a stored AWS credential, a connector's
# "Enter it here"): one rule, one sentence.
AWS_SECRET_KEY = re.compile(r"[A-Za-z0-9/+=]{40}")
AWS_SECRET_KEY_SAID = "A secret access key is 40 letters, digits, / + or =."  # noqa: S105
AWS_SECRET_SOURCE = ("secret", "aws_secret_access_key")


def check_aws_secret_key(value: Any) -> None:
    """A validator: is this an AWS secret access key (40 of its characters)?"""
    if not isinstance(value, str) or not AWS_SECRET_KEY.fullmatch(value):
        raise forms.ValidationError(AWS_SECRET_KEY_SAID, code="aws_secret_key")


UNUSABLE = (
    "This stored credential can no longer be used (it was disabled, deleted or its secret "
    "cannot be decrypted). Pick another, or enter it here."
)


class ServiceAccountField(forms.CharField):
    """A whole service-account key file, pasted once; never rendered back."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "widget",
            SecretTextarea(attrs={"rows": 6, "class": "mono", "autocomplete": "off"}),
        )
        super().__init__(strip=False, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_service_account(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


def slot_fields(slots: tuple[Slot, ...], context: Any) -> dict[str, forms.Field]:
    """The form fields that offer each slot: a choice of the team's stored credentials of its
    kinds (or "Enter it here"), and for a key file, one field to paste it and one to upload it."""
    fields: dict[str, forms.Field] = {}
    for slot in slots:
        options = context.stored(slot.kinds)
        if slot.schemes:
            options = [
                (pk, label)
                for pk, label in options
                if str((context.public(pk, slot.kinds) or {}).get("scheme", "")).lower()
                in slot.schemes
            ]
        of_kind = "of this kind" + (
            f" for {' or '.join(f'{scheme}://' for scheme in slot.schemes)}" if slot.schemes else ""
        )
        fields[USE + slot.name] = forms.ChoiceField(
            label=slot.label,
            choices=[(ENTER_HERE, "Enter it here"), *options],
            required=False,  # a missing choice means "enter it here"
            initial=options[0][0] if options and not slot.optional else ENTER_HERE,
            help_text="Use one of your team's stored credentials (filled in on the server, "
            "never sent to your browser), or enter the values here."
            if options
            else f"Your team has no enabled stored credential {of_kind}: enter it here.",
        )
        if slot.one_json_field:
            fields[KEY + slot.name] = ServiceAccountField(
                label=f"{slot.label} key file (JSON)",
                required=False,
                help_text="Paste the whole JSON key file once; its line breaks are kept.",
            )
            fields[KEY + slot.name].one_of = True  # one of these two is needed: not "optional"
            fields[KEYFILE + slot.name] = forms.FileField(
                label="…or upload the key file",
                required=False,
                help_text="The .json file downloaded from Google Cloud; at most 64 KiB.",
                widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
            )
            fields[KEYFILE + slot.name].one_of = True
    return fields


def condition_fields(slots: tuple[Slot, ...], name_for) -> tuple[str, ...]:
    """The form fields whose value decides whether a slot applies (they reload the form)."""
    return tuple(dict.fromkeys(name_for(slot.when[0]) for slot in slots if slot.when))


def stored_picks(embedded: dict[str, int]) -> dict[str, str]:
    """The "Use a stored credential" choices of a connector that embeds stored credentials
    (slot name -> credential id), as a create form's starting values. A slot not named here
    was typed by hand: the create flow starts it at "Enter it here", never at a guess."""
    return {USE + slot: str(pk) for slot, pk in embedded.items()}


class EmbeddedSecretsForm(forms.Form):
    """A form whose template embeds storage secrets (`slots`): each is filled from a stored
    credential the user picks (`resolve` gives its values, server side) or typed here."""

    slots: ClassVar[tuple[Slot, ...]] = ()
    resolve: ClassVar[Any] = staticmethod(lambda pk, kinds: None)
    # A stored credential's public values alone (FormContext.public): nothing is decrypted.
    stored_public: ClassVar[Any] = staticmethod(lambda pk, kinds: None)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._filled: dict[str, Any] | None = None
        for slot in self.slots:
            if self.stored_choice(slot):  # the stored credential fills these fields
                for name in self.covered(slot):
                    self.fields[name].required = False
            self._offer_key_members(slot)
            self._check_typed_secrets(slot)

    def _check_typed_secrets(self, slot: Slot) -> None:
        """A secret typed here in place of a stored credential's is checked by the rule that
        credential's own form checks it by (an AWS secret access key's 40 characters)."""
        for path, source in slot.targets:
            if tuple(source[:2]) != AWS_SECRET_SOURCE:
                continue
            field = self.fields.get(self.field_name(tuple(path)))
            if field is not None and check_aws_secret_key not in field.validators:
                field.validators = [*field.validators, check_aws_secret_key]

    # --- what a key's own members fill (its project) ---------------------------------------------
    def _offer_key_members(self, slot: Slot) -> None:
        """A field a slot's key fills when left empty (see `Slot.fills`) may be left empty, and
        says so: with the value it would take, where a stored key is picked (read from the
        credential's public values: its project is not secret)."""
        if not slot.fills or not self.applies(slot):
            return
        pk = self.stored_choice(slot)
        public = (self.stored_public(pk, slot.kinds) or {}) if pk else {}
        for path, member in slot.fills:
            field = self.fields.get(self.field_name(path))
            if field is None:
                continue
            field.required = False
            known = str(public.get(member) or "")
            said = (
                f"Leave it empty to use {known}, the project in the {slot.label}'s key file."
                if known
                else f"Leave it empty to use the project named in the {slot.label}'s key file."
            )
            field.help_text = f"{field.help_text} {said}".strip() if field.help_text else said

    def key_member(self, slot: Slot, member: str) -> str | None:
        """A non-secret member of the key the slot holds (a service account's project_id):
        from the stored credential picked (its public values), else from the key typed here;
        "" when that key has none, None when there is no key to read (its own field says
        what is wrong)."""
        if not self.applies(slot):
            return None
        if self.stored_choice(slot):
            public = self.embedded()["publics"].get(slot.name)
            return None if public is None else str(public.get(member) or "")
        typed: Any = None
        if slot.one_json_field:
            typed = self.cleaned_data.get(KEY + slot.name)
        else:
            for name in self.covered(slot):  # a key file pasted into the field it fills
                text = self.cleaned_data.get(name)
                if not text:
                    continue
                try:
                    typed = loads_bounded(text) if isinstance(text, str) else text
                except ValueError:
                    typed = {}  # not a key file (a path, say): it names no project
        if typed is None:
            return None
        return str(typed.get(member) or "") if isinstance(typed, dict) else ""

    def key_fills(self) -> dict[tuple[str, ...], str | None]:
        """What each path a slot fills from its key would take (see `key_member`)."""
        return {
            tuple(path): self.key_member(slot, member)
            for slot in self.slots
            for path, member in slot.fills
        }

    def fill_from_keys(self, cleaned: dict[str, Any]) -> None:
        """Put each key's member into the field left empty for it (call from `clean`): a key
        that names none leaves the field to be typed, and says so."""
        for path, value in self.key_fills().items():
            name = self.field_name(path)
            if name not in self.fields or cleaned.get(name) or name in self.errors:
                continue
            if value:
                cleaned[name] = value
            elif value is not None:
                self.add_error(name, KEY_NAMES_NONE)

    def field_name(self, path: tuple[str, ...]) -> str:
        """The form field that edits a configuration path (by default, its one key)."""
        return path[0]

    def covered(self, slot: Slot) -> list[str]:
        """The fields a slot's values replace: by default, those named as its paths."""
        return [path[0] for path in slot.paths if len(path) == 1 and path[0] in self.fields]

    def _value(self, name: str) -> Any:
        if self.is_bound:
            return self.data.get(name, "")
        field = self.fields.get(name)
        return self.initial.get(name, field.initial if field is not None else None)

    def applies(self, slot: Slot) -> bool:
        """Does the configuration embed this slot's secret, given the form's other choices?"""
        if slot.when is None:
            return True
        path, values = slot.when
        value = self._value(self.field_name(path))
        return value in (None, "") or str(value) in {str(v) for v in values}

    def stored_choice(self, slot: Slot) -> str:
        """The stored credential picked for `slot` ("" when it is entered here, or when the
        slot does not apply)."""
        if not self.applies(slot):
            return ""
        chosen = self._value(USE + slot.name)
        return "" if chosen in (None, "", ENTER_HERE) else str(chosen)

    def clean_embedded(self) -> None:
        """Read a key file typed here (pasted or uploaded) and check that each stored
        credential picked can fill its slot; call from `clean`."""
        for slot in self.slots:
            if not self.applies(slot):
                continue
            if self.stored_choice(slot):
                self._check_stored(slot)
            elif slot.one_json_field:
                self._take_key_file(slot)

    def _check_stored(self, slot: Slot) -> None:
        name = USE + slot.name
        if name in self.errors:  # not one of the choices offered (another team's, say)
            return
        problem = self.embedded()["problems"].get(slot.name)
        if problem:
            self.add_error(name, problem)

    def _take_key_file(self, slot: Slot) -> None:
        """An upload is read into the pasted field, so a failed attempt keeps it like any typed
        secret."""
        upload = self.cleaned_data.get(KEYFILE + slot.name)
        if upload:
            if upload.size is not None and upload.size > MAX_KEY_FILE:
                self.add_error(
                    KEYFILE + slot.name, "A key file is a few kilobytes; this one is over 64 KiB."
                )
                return
            try:
                text = upload.read(MAX_KEY_FILE + 1).decode("utf-8")
                self.cleaned_data[KEY + slot.name] = parse_service_account(text)
            except (UnicodeDecodeError, ValueError) as error:
                message = (
                    "This file is not JSON."
                    if isinstance(error, UnicodeDecodeError)
                    else str(error)
                )
                self.add_error(KEYFILE + slot.name, message)
                return
            self.data = self.data.copy()
            self.data[KEY + slot.name] = text
            self.errors.pop(KEY + slot.name, None)
        elif not self.cleaned_data.get(KEY + slot.name) and KEY + slot.name not in self.errors:
            self.add_error(KEY + slot.name, "Paste the key file here, or upload it below.")

    def embedded(self) -> dict[str, Any]:
        """What the picked stored credentials put in the configuration (`config`, by path),
        the secret strings written (`secrets`), the links to keep (`links`), and what keeps a
        picked credential from filling its slot (`problems`, by slot name)."""
        if self._filled is None:
            config: dict[str, Any] = {}
            written: list[str] = []
            links = []
            problems: dict[str, str] = {}
            hosts: dict[str, str] = {}
            publics: dict[str, dict[str, Any]] = {}
            for slot in self.slots:
                pk = self.stored_choice(slot)
                found = self.resolve(pk, slot.kinds) if pk else None
                if found is None:
                    if pk:
                        problems[slot.name] = UNUSABLE
                    continue
                public, secrets = found
                missing = missing_values(slot.targets, public, secrets)
                if missing:
                    problems[slot.name] = (
                        f"This stored credential has no {' or '.join(missing)} to put here. "
                        "Pick another, or enter it here."
                    )
                    continue
                written += fill(config, slot.targets, public, secrets)
                publics[slot.name] = dict(public)
                links.append(
                    {
                        "slot": slot.name,
                        "credential": int(pk),
                        "mapping": slot.mapping(),
                        # Where the login goes: a rotated one is pushed there only if it is its
                        # own host still.
                        **(
                            {"hosts": [list(p) for p in slot.host_paths]} if slot.host_paths else {}
                        ),
                    }
                )
                hosts[slot.name] = _login_host(slot, public, secrets)
            self._filled = {
                "config": config,
                "secrets": written,
                "links": links,
                "problems": problems,
                "hosts": hosts,
                "publics": publics,
            }
        return self._filled

    def check_hosts(self, config: dict[str, Any]) -> None:
        """Refuse a stored login sent elsewhere than its own host (see `Slot.host_paths`);
        call from `clean` with the configuration that will be sent."""
        for slot in self.slots:
            own = self.embedded()["hosts"].get(slot.name)
            if own is None or not slot.host_paths:
                continue
            for path in slot.host_paths:
                value: Any = config
                for part in path:
                    value = value.get(part) if isinstance(value, dict) else None
                named = named_host(value)
                if not own or named != own:
                    where = f"names {named[:100]}" if named else "names no host"
                    self.add_error(
                        USE + slot.name,
                        f"This stored login is for {own or 'no named host'}, and {path[-1]} "
                        f"{where}: it is only sent to its own host. Use that host, or enter "
                        "the login here.",
                    )
                    break

    def typed_key_files(self) -> dict[str, Any]:
        """Key files typed here, by slot name (parsed JSON)."""
        return {
            slot.name: with_key_file_defaults(self.cleaned_data[KEY + slot.name])
            for slot in self.slots
            if slot.one_json_field
            and self.applies(slot)
            and not self.stored_choice(slot)
            and self.cleaned_data.get(KEY + slot.name)
        }

    def embedded_secret_values(self) -> list[str]:
        """Every secret string the slots put in the configuration, stored or typed here."""
        typed = [s for data in self.typed_key_files().values() for s in key_file_secrets(data)]
        return list(dict.fromkeys([*self.embedded()["secrets"], *typed]))

    def picker_layout(self) -> list[str]:
        names: list[str] = []
        for slot in self.slots:
            if not self.applies(slot):
                continue
            names.append(USE + slot.name)
            if slot.one_json_field and not self.stored_choice(slot):
                names += [KEY + slot.name, KEYFILE + slot.name]
        return names

    def add_provider_error(self, name: str, message: str) -> None:
        """A provider's error about a value a picked stored credential filled is said next to
        the picker, naming the value (its own input is not shown)."""
        for slot in self.slots:
            if self.stored_choice(slot) and name in {*self.covered(slot), KEY + slot.name}:
                field = self.fields.get(name)
                label = field.label if field is not None and field.label else name
                self.add_error(USE + slot.name, f"{label}: {message}")
                return
        super().add_provider_error(name, message)  # type: ignore[misc]

    def hidden_by_stored(self) -> set[str]:
        """Fields a picked stored credential fills, and the pickers of slots that do not apply."""
        hidden = {n for slot in self.slots if self.stored_choice(slot) for n in self.covered(slot)}
        for slot in self.slots:
            if not self.applies(slot):
                hidden |= {USE + slot.name, KEY + slot.name, KEYFILE + slot.name}
        return hidden

    def secret_names(self) -> list[str]:
        keys = [KEY + s.name for s in self.slots if s.one_json_field]
        return [*super().secret_names(), *keys]  # type: ignore[misc]
