"""Building a template's form for one request: the team's credentials in front, the template's
fields (which may depend on a choice, such as a connector from the provider's catalogue), values
kept across re-renders, and secrets typed once kept encrypted between attempts (never echoed)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Case, Value, When
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.crypto import salted_hmac

from connectors_admin.core import crypto
from connectors_admin.core.redaction import crash_site
from connectors_admin.credentials.models import Credential, CredentialCache
from connectors_admin.providers.base import (
    ConnectorForm,
    ConnectorTemplate,
    FormContext,
    Likeness,
    ProviderClient,
    ProviderError,
)
from connectors_admin.providers.embedding import ENTER_HERE, KEY, KEYFILE, MAX_KEY_FILE, USE
from connectors_admin.providers.forms import is_file_input
from connectors_admin.providers.schema_forms import Node, SecretTextarea

from .models import Submission
from .services import fetch_for_form

logger = logging.getLogger("connectors_admin.connectors")

DRAFTS = "connector_form_drafts"
CHECKS = "connector_form_checks"
MAX_DRAFTS = 20
SHOWN = "_shown"  # posted beside each checkbox shown (see templates/components/field.html)
# What the create page posts for itself, beside the template's fields.
FLOW_FIELDS = frozenset(
    {
        "csrfmiddlewaretoken",
        "form_token",
        "create_key",
        "credential",
        "send_again",
        "confirm_failed_check",
    }
)
HELD = "held"  # a draft's values posted while the form could not be built (see `_hold`)
HELD_NOTE = (
    "What you typed is kept for this form, encrypted, and comes back once its fields load. "
    "None of it is shown until then: without the fields, which values are secret cannot be told."
)
RESTORED_NOTE = (
    "What you typed before is back: the secrets are kept, not shown (each says so). Nothing "
    "was sent: check the values, then send them."
)


def _not_loaded():
    raise ProviderError("Not loaded yet.", kind="internal")


def stored_label(credential: Credential) -> str:
    """How a stored credential is offered: its label, secret hint and last test."""
    if credential.last_check_at is None:
        tested = "not verified yet"
    elif credential.last_check_ok:
        tested = f"verified {credential.last_check_at:%b %-d}"
    else:
        tested = f"last test failed {credential.last_check_at:%b %-d}"
    return f"{credential.label} ({credential.hint_text()}) — {tested}"


def by_trust(credentials: Any) -> Any:
    """Credentials in the order they are offered, the first being the one a new form starts
    with: those whose last test passed, then those not tested yet, then the others; by label
    among equals."""
    trust = Case(
        When(last_check_ok=True, then=Value(0)),
        When(last_check_ok__isnull=True, then=Value(1)),
        default=Value(2),
    )
    return credentials.order_by(trust, "label", "pk")


class CredentialChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, chosen: Credential | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chosen = chosen  # already read from the same queryset: not read a second time

    def to_python(self, value: Any) -> Credential | None:
        if self.chosen is not None and str(value) == str(self.chosen.pk):
            return self.chosen
        return super().to_python(value)

    def label_from_instance(self, obj: Credential) -> str:
        return stored_label(obj)


def form_token(data: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(data.get("form_token", "")))
    except ValueError:
        return None


class LikeValues(dict):
    """A Likeness's values as the create flow reads a request's (`get`, `getlist`, `in`): the
    checkboxes among them count as shown, and a stored-credential picker it does not name
    starts at "Enter it here" (the connector typed that secret by hand)."""

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or (isinstance(name, str) and name.startswith(USE))

    def get(self, name: Any, default: Any = None) -> Any:
        if isinstance(name, str) and name.startswith(USE) and not super().__contains__(name):
            return ENTER_HERE
        return super().get(name, default)

    def getlist(self, name: str) -> list[Any]:
        if name == SHOWN:
            return [k for k, v in self.items() if isinstance(v, bool)]
        value = self.get(name)
        return list(value) if isinstance(value, list | tuple) else [] if value is None else [value]


def _offered(field: forms.Field) -> set[str] | None:
    """The values a choice field offers (groups flattened), or None for another field."""
    if not isinstance(field, forms.ChoiceField) or isinstance(field, forms.ModelChoiceField):
        return None
    found: set[str] = set()
    for value, label in field.choices:
        if isinstance(label, list | tuple):
            found |= {str(v) for v, _ in label}
        else:
            found.add(str(value))
    return found


def _never_shown(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.PasswordInput | SecretTextarea | forms.FileInput)


def _uploaded_key_files(files: Any) -> dict[str, list[str]]:
    """Key files uploaded to a form that could not be built, as the text their pasted field
    takes (a form that reads an upload keeps it so: embedding.EmbeddedSecretsForm)."""
    found: dict[str, list[str]] = {}
    for name, upload in (files or {}).items():
        if not name.startswith(KEYFILE) or (upload.size or 0) > MAX_KEY_FILE:
            continue
        try:
            upload.seek(0)
            text = upload.read(MAX_KEY_FILE + 1).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        found[KEY + name.removeprefix(KEYFILE)] = [text]
    return found


@dataclass
class Item:
    """One entry of the rendered layout: a bound field, or a titled group of items."""

    field: forms.BoundField | None = None
    title: str = ""
    description: str = ""
    children: list[Item] | None = None


def mark_kept(form: forms.Form, name: str, note: str) -> None:
    """Say on a secret input that what was typed into it last time is kept (it is never shown
    again): a placeholder, and `note` in its help, in place of what the field says an empty
    value does otherwise (its `if_empty`), which is no longer true."""
    field = form.fields[name]
    field.widget.attrs["placeholder"] = "•••••• kept from your last attempt"
    if_empty = getattr(field, "if_empty", "")
    if if_empty:
        field.help_text = field.help_text.replace(if_empty, "").strip()
    if note not in field.help_text:
        field.help_text = f"{field.help_text} {note}".strip()
    form[name].help_text = field.help_text  # a bound field copies it when made


class CreateFlow:
    """One template's create form for one request."""

    def __init__(
        self, request: HttpRequest, team: Any, template: ConnectorTemplate, fetch: bool = True
    ) -> None:
        self.request = request
        self.fetch = fetch  # False: build from cached provider data only, never call out
        # Said above the form when the provider could not give its data afresh (a refresh of
        # the catalogue while it is down) and the copy fetched before was used instead.
        self.stale_note = ""
        # The recorded fetch of that data that failed, if one did: linked from what is said.
        self.failed_fetch: Submission | None = None
        self.team = team
        self.template = template
        self.credentials = Credential.objects.filter(
            team=team, kind=template.provider_slug, enabled=True
        )
        # The team's stored credentials by kinds, read once a request (`_stored_list`).
        self._stored_lists: dict[tuple[str, ...], list[Credential]] = {}

    # --- building --------------------------------------------------------------------------
    def _default_credential(self) -> Credential | None:
        return by_trust(self.credentials).first()

    def credential_from(self, values: Any) -> Credential | None:
        chosen = str(values.get("credential", "")) if values else ""
        return (
            self.credentials.filter(pk=chosen).first()
            if chosen.isascii() and chosen.isdigit()
            else None
        )

    def build(
        self,
        *,
        data: QueryDict | None = None,
        files: Any = None,
        values: Any = None,
        token: uuid.UUID | None = None,
        changed: str = "",
        refresh: bool = False,
    ) -> ConnectorForm:
        """A bound form (`data`, with uploaded `files`), or an unbound one starting from `values`
        (a reload)."""
        source = data if data is not None else (values or {})
        credential = self.credential_from(source)
        if credential is None and data is None:
            credential = self._default_credential()
            changed = "credential"  # a fresh choice: start from its defaults
        # Values posted while the form could not be built, kept for this form and credential:
        # the form is built with them, and gets them back if it can be built now.
        held = self._held(token, credential) if self.fetch else None
        if held is not None:
            source = self._with_held(held, source)
        form_class = self._form_class(credential, source, refresh)
        restored = held is not None and not form_class.problem
        if restored:
            self._add_earlier_secrets(held, source, form_class)
            if data is not None:
                data = source
            else:
                values = source
        kept: dict[str, str] = {}
        if data is not None and token is not None:
            kept = self.kept_secrets(token, self.scope(data, form_class))
        initial: dict[str, Any] = {}
        if credential is not None:
            initial["credential"] = credential.pk
            if data is None and (values is None or changed == "credential"):
                initial.update(
                    {
                        k: v
                        for k, v in credential.public.items()
                        if k in form_class.credential_defaults
                    }
                )
        if values is not None:
            # Checkboxes the page showed and the user left unticked are not posted at all.
            shown = set(values.getlist(SHOWN)) if hasattr(values, "getlist") else set()
            for name, field in form_class.base_fields.items():
                if (name in initial and changed == "credential") or field.disabled:
                    continue  # a fixed field keeps its own value
                if isinstance(field, forms.MultipleChoiceField):
                    picked = (
                        values.getlist(name) if hasattr(values, "getlist") else values.get(name)
                    )
                    if picked or name in shown:
                        initial[name] = picked or []
                elif isinstance(field, forms.BooleanField) and name in shown:
                    initial[name] = field.to_python(values.get(name))
                elif name in values and not isinstance(field.widget, forms.PasswordInput):
                    initial[name] = values.get(name)
        # The secrets kept from an earlier try fill the inputs this one left empty: the form
        # puts them in, as it alone knows where else a new one may have been typed.
        form = form_class(data=data, files=files, initial=initial, kept=kept)
        form.stale_note = self.stale_note
        form.failed_fetch = self.failed_fetch
        form.draft_scope = self.scope(source, form_class)
        # A form given back what was posted while it could not be built is shown, not sent.
        form.restored = restored
        form.restored_note = RESTORED_NOTE if restored else ""
        form.held_note = HELD_NOTE if held is not None and form.problem else ""
        if restored and data is None:
            # Shown again: the values that are not secret. The secrets are kept as typed ones.
            for name in {
                *form.secret_names(),
                *(n for n, f in form.fields.items() if _never_shown(f)),
            }:
                form.initial.pop(name, None)
            self._put_draft(token, token, form.draft_scope, form.typed_secrets(source))
        self._add_credential_field(form, credential)
        self._wire_reloads(form)
        if token is not None:
            self._mark_kept_secrets(form, token)
        return form

    def build_like(self, likeness: Likeness) -> tuple[ConnectorForm, dict[str, list[str]]]:
        """An unbound create form that starts from another connector's values ("create another
        like this"), and what the page says of it: the secrets to type again (`retype`, labels),
        the stored credentials it used that are no longer offered, to pick again (`repick`,
        the pickers' labels: their secrets were never typed), and what could not be taken over
        (`notes`). No secret is ever among its values: a field that never shows what it holds
        starts empty whatever the template gave."""
        values = LikeValues(likeness.values)
        notes = list(likeness.notes)
        wanted = values.get("credential")
        if wanted is not None and self.credential_from(values) is None:
            notes.insert(
                0,
                "The credential it was made with is disabled or deleted: the form starts with "
                "another, and its defaults.",
            )
        form = self.build(values=values)
        # A value the form no longer offers (a stored credential since disabled, a catalogue
        # connector gone): left to the user, and said, rather than sent as it was.
        dropped = []
        repick = []  # stored credentials it used, no longer offered: picked again, not typed
        for name, field in form.fields.items():
            offered = _offered(field)
            value = form.initial.get(name)
            if offered is None or value in (None, "") or name not in likeness.values:
                continue
            picked = value if isinstance(value, list) else [value]
            if not {str(v) for v in picked} <= offered:
                dropped.append(name)
                if name.startswith(USE):
                    repick.append(str(field.label))
                else:
                    notes.append(
                        f"{field.label}: what it used is no longer offered here; pick again."
                    )
        filled = set()  # inputs a dropped stored credential filled, shown now
        if dropped:
            before = self._shown_names(form)
            values = LikeValues({k: v for k, v in likeness.values.items() if k not in dropped})
            form = self.build(values=values)
            filled = self._shown_names(form) - before
        for name in {*form.secret_names(), *(n for n, f in form.fields.items() if _never_shown(f))}:
            form.initial.pop(name, None)
        shown = self._shown_names(form)
        again = [
            form.fields[name]
            for name in dict.fromkeys(
                [
                    *likeness.retype,
                    *(n for n in form.secret_names() if form.fields[n].required),
                ]
            )
            if name in shown and name in form.fields and name not in filled
        ]
        retype = [str(field.label) for field in again if not is_file_input(field)]
        rechoose = [str(field.label) for field in again if is_file_input(field)]
        return form, {"retype": retype, "rechoose": rechoose, "repick": repick, "notes": notes}

    def _shown_names(self, form: ConnectorForm) -> set[str]:
        names: set[str] = set()

        def walk(items: list[Item]) -> None:
            for item in items:
                if item.field is not None:
                    names.add(item.field.name)
                walk(item.children or [])

        walk(self.layout(form))
        return names

    def _form_class(
        self, credential: Credential | None, values: Any, refresh: bool
    ) -> type[ConnectorForm]:
        def cached(key: str, fetch: Callable[[ProviderClient], Any]) -> Any:
            """What the form is built from: the copy kept for the credential while it is
            fresh (unless a refresh is asked), or else fetched afresh, each fetch recorded."""
            if credential is None:
                raise ProviderError("Pick a credential first.")
            kept = CredentialCache.objects.filter(credential=credential, key=key).first()
            if kept is not None and kept.fresh and not refresh:
                return kept.data
            if not self.fetch:
                _not_loaded()
            submission, data = fetch_for_form(
                team=self.team,
                user=self.request.user,
                credential=credential,
                template=self.template,
                fetch=fetch,
                # Nobody asked for it (the copy kept was old) and it found what that held.
                routine=lambda data: not refresh and kept is not None and data == kept.data,
                request=self.request,
            )
            if submission.outcome == Submission.Outcome.SUCCEEDED:
                CredentialCache.keep(credential, key, data)
                return data
            self.failed_fetch = submission  # the form links to what was sent and answered
            if kept is None:
                raise ProviderError(submission.error_message, kind=submission.error_kind)
            # The copy fetched before, rather than no form at all: what was typed in it stays,
            # and the page says the list could not be fetched afresh.
            self.stale_note = (
                f"{submission.error_message} The list fetched on "
                f"{kept.fetched_at:%Y-%m-%d at %H:%M} UTC is shown instead."
            )
            return kept.data

        context = FormContext(
            client=(lambda: credential.client()) if credential is not None else None,
            params=values or {},
            cached=cached,
            stored=self.stored_options,
            resolve=self.resolve_stored,
            public=self.stored_public,
        )
        try:
            return self.template.form_class_for(context)
        except (ProviderError, crypto.DecryptionError) as error:
            message = getattr(error, "message", "The stored secret cannot be decrypted.")
        except Exception as exc:
            # A definition in a shape the form builder cannot read (properties as a list, say).
            logger.error("could not build the %s form: %s", self.template.slug, crash_site(exc))
            message = (
                f"{self.template.provider.label} describes this connector in a shape Connectors "
                "Admin cannot read, so there is no form for it. Reload the list from the "
                "provider, or pick another connector."
            )
        return type("UnavailableForm", (ConnectorForm,), {"problem": message})

    # --- the team's stored credentials, for the secrets a connector embeds ------------------------
    def _stored(self, kinds: tuple[str, ...]):
        return Credential.objects.filter(team=self.team, kind__in=kinds, enabled=True)

    def _stored_list(self, kinds: tuple[str, ...]) -> list[Credential]:
        """The team's enabled credentials of these kinds, read once a request."""
        if kinds not in self._stored_lists:
            self._stored_lists[kinds] = list(self._stored(kinds).order_by("label"))
        return self._stored_lists[kinds]

    def stored_options(self, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(str(c.pk), stored_label(c)) for c in self._stored_list(kinds)]

    def stored_public(self, pk: str, kinds: tuple[str, ...]) -> dict | None:
        """A stored credential's public values (nothing decrypted), only for this team and
        these kinds: what a form may say of it before it is used (a key file's project)."""
        found = next((c for c in self._stored_list(kinds) if str(c.pk) == str(pk)), None)
        return dict(found.public) if found is not None else None

    def resolve_stored(self, pk: str, kinds: tuple[str, ...]) -> tuple[dict, dict] | None:
        """A stored credential's values, only for this team and these kinds."""
        if not (str(pk).isascii() and str(pk).isdigit()):
            return None
        credential = self._stored(kinds).filter(pk=int(pk)).first()
        if credential is None:
            return None
        try:
            return credential.public, credential.secrets()
        except crypto.DecryptionError:
            return None

    def _add_credential_field(self, form: ConnectorForm, chosen: Credential | None) -> None:
        field = CredentialChoiceField(
            queryset=self.credentials,
            chosen=chosen,
            empty_label=None,
            label="Credential",
            help_text="The stored credential this connector is created with.",
        )
        form.fields = {"credential": field, **form.fields}

    def _wire_reloads(self, form: ConnectorForm) -> None:
        url = reverse("connectors:fields", args=[self.team.slug, self.template.slug])
        for name in ("credential", *form.reload_on):
            if name in form.fields:
                form.fields[name].widget.attrs.update(
                    {
                        "hx-post": f"{url}?changed={name}",
                        "hx-trigger": "change",
                        "hx-include": "closest form",
                        "hx-target": "#template-fields",
                        "hx-swap": "outerHTML",
                        "hx-indicator": "#fields-busy",
                        # One request at a time from the form, each sent with the values of
                        # when it leaves: answers cannot arrive out of order.
                        "hx-sync": "closest form:queue all",
                    }
                )

    # --- what templates render -------------------------------------------------------------------
    def layout(self, form: ConnectorForm) -> list[Item]:
        def item(entry: Any) -> Item | None:
            if isinstance(entry, Node):
                if entry.is_group:
                    children = [i for i in map(item, entry.children) if i is not None]
                    return Item(title=entry.title, description=entry.description, children=children)
                entry = entry.name
            if entry in form.fields and entry != "credential":
                return Item(field=form[entry])
            return None

        return [i for i in map(item, form.layout()) if i is not None]

    def unchecked_fields(self, form: ConnectorForm) -> set[str]:
        """Fields not re-rendered by the inline check when the user leaves them: those that
        reload the form anyway, and secret and file inputs (a re-render would empty them)."""
        files = [n for n, f in form.fields.items() if isinstance(f.widget, forms.FileInput)]
        return {"credential", *form.reload_on, *form.secret_names(), *files}

    # --- secrets typed once, kept encrypted in the session between attempts -------------------------
    def _drafts(self) -> dict[str, str]:
        return self.request.session.get(DRAFTS, {})

    def scope(self, values: Any, form_class: type[ConnectorForm]) -> str:
        """What kept secrets belong to: a password typed for one form shape (the template, the
        credential, and the choices the form's fields depend on, such as a catalogue connector)
        is never sent with another."""
        values = values or {}
        shaping = [n for n in form_class.reload_on if n not in form_class.view_choices]
        shape = [str(values.get(name, "")) for name in ("credential", *shaping)]
        return "|".join((self.template.slug, *shape))

    def _draft(self, token: uuid.UUID | None) -> dict[str, Any]:
        stored = self._drafts().get(str(token)) if token else None
        if not stored:
            return {}
        try:
            return dict(crypto.decrypt_json(stored))
        except crypto.DecryptionError:
            return {}

    def _put_draft(
        self, old: uuid.UUID | None, new: uuid.UUID, scope: str, secrets: dict[str, Any]
    ) -> None:
        """Keep `secrets` (typed for the form shape `scope`) under the token `new`, in place of
        what `old` kept."""
        drafts = {k: v for k, v in self._drafts().items() if k != str(old)}
        if secrets:
            drafts[str(new)] = crypto.encrypt_json({"scope": scope, "secrets": secrets})
        self.request.session[DRAFTS] = dict(list(drafts.items())[-MAX_DRAFTS:])

    def kept_secrets(self, token: uuid.UUID | None, scope: str) -> dict[str, str]:
        draft = self._draft(token)
        return dict(draft.get("secrets", {})) if draft.get("scope") == scope else {}

    def keep_secrets(
        self, form: ConnectorForm, old: uuid.UUID | None, new: uuid.UUID, values: Any = None
    ) -> None:
        """Carry what the user typed into secret inputs over to the re-rendered form's token
        (`values`: what a reload of an unbound form was sent)."""
        if form.problem:
            if form.is_bound:
                self._hold(form, old, new)
            return
        typed = self.kept_secrets(old, form.draft_scope)
        source = form.data if form.is_bound else values
        if source is not None:
            typed = form.kept_with(typed, source)
        self._put_draft(old, new, form.draft_scope, typed)
        self._mark_kept_secrets(form, new)

    # --- what was posted while the form could not be built ----------------------------------------
    def _base(self, credential: Credential | None) -> str:
        """What held values belong to: this template and credential (never sent with another)."""
        return f"{self.template.slug}|{credential.pk if credential is not None else ''}"

    def _hold(self, form: ConnectorForm, old: uuid.UUID | None, new: uuid.UUID) -> None:
        """Keep every value posted to a form that could not be built (a catalogue unreachable,
        none cached): without its fields, which values are secret cannot be told, so each is
        kept as a secret is, encrypted for this form and never rendered, until `build` can
        give them back. Secrets kept from an earlier try stay beside them."""
        base = self._base(self.credential_from(form.data))
        draft = self._draft(old)
        posted = {
            name: [str(v) for v in form.data.getlist(name)]
            for name in form.data
            if name not in FLOW_FIELDS
        }
        for name, text in _uploaded_key_files(form.files).items():
            if not any(posted.get(name, [])):
                posted[name] = text
        drafts = {k: v for k, v in self._drafts().items() if k != str(old)}
        if not posted:  # sent from the page without fields: what was kept stays as it was
            if str(old) in self._drafts():
                drafts[str(new)] = self._drafts()[str(old)]
            held_here = draft.get(HELD) and draft.get("base") == base
            form.held_note = HELD_NOTE if held_here else ""
        else:
            held: dict[str, list[str]] = {}
            earlier: dict[str, Any] = {}
            if draft.get(HELD) is not None:
                if draft.get("base") == base:
                    held, earlier = dict(draft[HELD]), draft.get("earlier") or {}
            elif draft.get("secrets"):
                earlier = {"scope": draft.get("scope"), "secrets": draft["secrets"]}
            for name, given in posted.items():
                if name not in held or any(given):
                    held[name] = given
            drafts[str(new)] = crypto.encrypt_json({"base": base, HELD: held, "earlier": earlier})
            form.held_note = HELD_NOTE
        self.request.session[DRAFTS] = dict(list(drafts.items())[-MAX_DRAFTS:])

    def _held(self, token: uuid.UUID | None, credential: Credential | None) -> dict | None:
        draft = self._draft(token)
        if draft.get(HELD) is None or draft.get("base") != self._base(credential):
            return None
        return draft

    @staticmethod
    def _with_held(draft: dict[str, Any], source: Any) -> QueryDict:
        """The held values, under what `source` gives (its own fields, anything it names)."""
        merged = QueryDict(mutable=True)
        for name, given in draft[HELD].items():
            merged.setlist(name, list(given))
        lists = (
            source.lists() if hasattr(source, "lists") else ((k, [v]) for k, v in source.items())
        )
        for name, given in lists:
            if name in FLOW_FIELDS or name not in merged or any(v not in ("", None) for v in given):
                merged.setlist(name, list(given))
        return merged

    def _add_earlier_secrets(self, draft: dict[str, Any], merged: QueryDict, form_class) -> None:
        """Secrets kept from a try before the held one, for the form shape they were typed for."""
        earlier = draft.get("earlier") or {}
        if earlier.get("scope") != self.scope(merged, form_class):
            return
        for name, value in (earlier.get("secrets") or {}).items():
            if name in form_class.base_fields and not merged.get(name):
                merged[name] = value

    def forget(self, token: uuid.UUID) -> None:
        for key in (DRAFTS, CHECKS):
            entries = self.request.session.get(key, {})
            if str(token) in entries:
                entries = {k: v for k, v in entries.items() if k != str(token)}
                self.request.session[key] = entries

    def _mark_kept_secrets(self, form: ConnectorForm, token: uuid.UUID) -> None:
        for name in self.kept_secrets(token, form.draft_scope):
            if name in form.fields:
                mark_kept(form, name, "Leave empty to keep what you typed.")

    # --- connection checks before create --------------------------------------------------------
    @staticmethod
    def fingerprint(data: dict[str, Any]) -> str:
        text = json.dumps(data, sort_keys=True, default=str)
        return salted_hmac(
            "connectors_admin.connectors.check", text, algorithm="sha256"
        ).hexdigest()

    def remember_check(
        self, token: uuid.UUID, data: dict[str, Any], ok: bool, message: str = ""
    ) -> None:
        """`message`: what the check said (shown on its page already, never a secret)."""
        checks = dict(self.request.session.get(CHECKS, {}))
        checks[str(token)] = {"fingerprint": self.fingerprint(data), "ok": ok, "message": message}
        self.request.session[CHECKS] = dict(list(checks.items())[-MAX_DRAFTS:])

    def check_message(self, token: uuid.UUID, data: dict[str, Any]) -> str:
        """What the last check of exactly this configuration said ("" if none)."""
        check = self.request.session.get(CHECKS, {}).get(str(token))
        if not check or check["fingerprint"] != self.fingerprint(data):
            return ""
        return check.get("message", "")

    def last_check(self, token: uuid.UUID, data: dict[str, Any]) -> bool | None:
        """Whether the last check of exactly this configuration worked (None: not checked)."""
        check = self.request.session.get(CHECKS, {}).get(str(token))
        if not check or check["fingerprint"] != self.fingerprint(data):
            return None
        return bool(check["ok"])

    def failed_check(self, token: uuid.UUID, data: dict[str, Any]) -> bool:
        """Did the last check of exactly this configuration fail?"""
        return self.last_check(token, data) is False

    def move_check(self, old: uuid.UUID, new: uuid.UUID) -> None:
        checks = dict(self.request.session.get(CHECKS, {}))
        if str(old) in checks:
            checks[str(new)] = checks.pop(str(old))
            self.request.session[CHECKS] = checks
