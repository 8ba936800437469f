"""What a provider declares: the provider itself, its connector templates, the actions their
connectors support, the instances operators list, and the client interface every provider
implements. Views and services only talk to these declarations.

The HTTP machinery lives in `http.py` and the form bases in `forms.py`; both are re-exported
here so that a provider module imports its building blocks from one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import environ
from django import forms
from django.conf import settings

from connectors_admin.core.redaction import REDACTED

from .forms import ConnectorForm, CredentialForm, FormContext
from .http import (
    GONE,
    UNANSWERED_WRITE,
    Call,
    Exchange,
    HttpClient,
    ProviderError,
    is_web_page,
)


@dataclass
class RemoteRecord:
    """What a provider returned for one connector, in our terms."""

    remote_id: str
    status: str | None  # None: the provider reports no status (keep what we know)
    title: str  # a short name people recognise in lists (Mixpanel: bucket and prefix)
    summary: dict[str, Any]  # label -> value, shown on the result card and the detail page
    raw: dict[str, Any]  # the provider's object as returned
    # Keyed digests of the configuration's values as the provider showed them, secrets included
    # (embedding.value_digests): what an import matches the team's stored credentials against,
    # never their values. Held in memory only; the key is the process's own.
    digests: dict[tuple[str, ...], str] = field(default_factory=dict, repr=False)
    # What a listing told that a later refresh or action on it needs (the secret paths of its
    # catalogue connector, say): kept in an imported record's context. Never a secret.
    context: dict[str, Any] = field(default_factory=dict)


def display_time(value: Any) -> str:
    """A provider's ISO-8601 timestamp as people read it ("2026-11-23 16:20 UTC"); anything
    that is not one is shown as it came."""
    if not isinstance(value, str) or not value:
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    try:
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
    except OverflowError:  # at the calendar's very end: shown as it came
        return value
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# --- a record's values in the create form's words ---------------------------------------------
def choice_words(label: Any) -> str:
    """A choice as a record shows it: the words the form offers for it, without the explanation
    some add after a dash ("All files — import every matching file…" is "All files")."""
    return str(label).split(" — ", 1)[0].strip()


def offered_words(form_field: forms.Field) -> dict[str, str]:
    """The words a form field offers for each value it takes: a choice's label (groups
    flattened), or a text input's named suggestions (an AWS region's name); {} for others."""
    suggestions = getattr(form_field, "suggestions", None)
    if callable(suggestions):
        return {str(value): str(name) for value, name in suggestions().items()}
    if not isinstance(form_field, forms.ChoiceField) or isinstance(
        form_field, forms.ModelChoiceField
    ):
        return {}
    words: dict[str, str] = {}
    for value, label in form_field.choices:
        for inner, inner_label in label if isinstance(label, list | tuple) else [(value, label)]:
            if inner not in ("", None):
                words[str(inner)] = choice_words(inner_label)
    return words


# A record context's own words for values its create form took from the provider (a catalogue's
# titles for its connectors' names), by summary label, then value as the API spells it:
# {"Connector": {"Postgresql": "PostgreSQL"}}. No form held in memory offers them later, so they
# are kept with the record when it is created or imported, and pages show its values in them.
WORDS = "words"


def form_words(form_class: type[forms.BaseForm]) -> dict[str, dict[str, str]]:
    """A form's offered words by field label: a record's summary entry of the same label
    shows its value in them (the summary says "Data format" where the form asks it)."""
    found: dict[str, dict[str, str]] = {}
    for form_field in form_class.base_fields.values():
        words = offered_words(form_field)
        if words and form_field.label:
            found[str(form_field.label)] = words
    return found


@dataclass(frozen=True)
class CheckResult:
    """The outcome of testing a credential or a connection, in plain words; a failure's kind
    (`ProviderError.kind`: "auth", "unreachable"…) where a call said it."""

    ok: bool
    message: str
    kind: str = ""


# --- "create another like this" --------------------------------------------------------------------
@dataclass(frozen=True)
class Original:
    """A connector as this app knows it, for a create form that starts like it: its name, the
    credential it was made with, its record context, its last stored record and summary
    (secrets masked), and the stored credentials it embeds (slot name -> credential id). Never
    a secret: the configuration kept encrypted with it is not here."""

    name: str
    credential: int | None
    context: dict[str, Any]
    record: dict[str, Any]
    summary: dict[str, Any]
    embedded: dict[str, int] = field(default_factory=dict)


@dataclass
class Likeness:
    """A create form's starting values taken from a connector (`values`, by form field name:
    never a secret); the fields whose secret must be typed again (`retype`, field names); and
    what could not be taken from it, or was changed on purpose, in words (`notes`)."""

    values: dict[str, Any] = field(default_factory=dict)
    retype: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def copy_name(name: str, most: int, suffix: str = " (copy)") -> str:
    """A suggested name for a second connector where the provider wants names unique:
    "name (copy)", cut to fit `most` characters; "" when there was none."""
    return f"{name[: most - len(suffix)]}{suffix}" if name else ""


# --- actions -------------------------------------------------------------------------------------
@dataclass
class Target:
    """The connector an action runs on, as a provider sees it: its id at the provider, the
    non-secret context kept at creation, its last known status, and the configuration secrets
    kept encrypted with it (decrypted only when an action asks)."""

    remote_id: str
    context: dict[str, Any]
    status: str
    kept: Callable[[], dict[str, Any]] = dict
    inputs: dict[str, Any] = field(default_factory=dict)  # an action's own form, cleaned
    record: dict[str, Any] = field(default_factory=dict)  # the last stored answer (redacted)
    # What the team's stored credentials linked to the connector put in its configuration, at
    # their places (decrypted only when asked): how the secrets of a connector made elsewhere
    # are known here, where it carries stored ones. Given the configuration they would go into,
    # a stored login whose host that configuration no longer names is left out; given the keys
    # `wanted`, a credential that puts none of them there is left out (not handed out).
    stored: Callable[..., dict[str, Any]] = lambda within=None, wanted=None: {}


@dataclass
class ActionResult:
    """What an action found or changed. `record` replaces the stored record; `status` the stored
    status; `deleted` marks the connector deleted; `details` are shown to the user."""

    ok: bool = True
    message: str = ""
    record: RemoteRecord | None = None
    status: str | None = None
    deleted: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    # Rows to show as a table (a browse's files): column key -> label, and the rows.
    columns: dict[str, str] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    # The configuration now at the provider, to keep (encrypted) in place of the one kept: a
    # reconfigure's, say, so that later pushes of rotated secrets start from it.
    kept: dict[str, Any] | None = None
    # Keys to merge into the connector's record context (None removes one): what a provider
    # must remember between actions, such as the state a pause is on its way to.
    context: dict[str, Any] | None = None


@dataclass(frozen=True)
class Action:
    """Something a template's connectors support, run by one view and one service.

    `states` limits the remote states in which it is offered (None: any state of a live
    connector); `confirm` is the question asked before it runs ("" runs it at once);
    `capability` is what the user's role must allow; `audit` names the audit event; `done` is
    said on success ("{provider}" stands for the provider's name). An action with `inputs` (a
    form class) that changes nothing remote runs from a GET with those inputs in the query
    string, so its result page can be shared as a link (a browse, say).
    """

    slug: str
    label: str
    perform: Callable[[ProviderClient, Target], ActionResult]
    changes_remote: bool = False
    confirm: str = ""
    states: frozenset[str] | None = None
    capability: str = "create_connector"
    done: str = "Done."
    audit: str = "connector.action"
    style: str = ""  # "danger" for destructive actions
    inputs: Any = None  # a Form class whose cleaned data reaches `perform` as target.inputs
    # For an action with inputs that changes something: the form's starting values, from the
    # connector (its current configuration, say).
    initial: Callable[[Target], dict[str, Any]] | None = None

    def done_message(self, provider_label: str) -> str:
        return self.done.format(provider=provider_label)

    def offered_in(self, status: str) -> bool:
        return self.states is None or status in self.states


def _refresh(client: ProviderClient, target: Target) -> ActionResult:
    return ActionResult(record=client.refresh(target.remote_id, target.context))


def _delete(client: ProviderClient, target: Target) -> ActionResult:
    exchange = client.delete(target.remote_id, target.context)
    gone = exchange.status == 404
    return ActionResult(
        deleted=True,
        message="The provider no longer had it: it was already deleted." if gone else "",
    )


CONNECTED, CHECK_FAILED = "connected", "check failed"


def _recheck(client: ProviderClient, target: Target) -> ActionResult:
    result = client.recheck(target.context, target.kept())
    return ActionResult(
        ok=result.ok,
        message="" if result.ok else result.message,
        status=CONNECTED if result.ok else CHECK_FAILED,
    )


REFRESH = Action(
    "refresh",
    "Refresh status",
    _refresh,
    done="Refreshed from {provider} just now.",
    audit="connector.refreshed",
)
CHECK = Action(
    "check",
    "Check connection",
    _recheck,
    done="Connection checked just now: it works.",
    audit="connector.checked",
)
DELETE = Action(
    "delete",
    "Delete",
    _delete,
    changes_remote=True,
    confirm="Delete this connector at the provider? Its record and history stay here.",
    done="The connector is deleted at the provider. Its record stays here.",
    audit="connector.deleted",
    style="danger",
)


@dataclass(frozen=True)
class ConnectorTemplate:
    slug: str
    label: str
    description: str
    form_class: type[ConnectorForm]
    provider_slug: str
    short_label: str = ""  # within its provider's context, such as "Amazon S3"
    # True when the provider can test a connection from the form before creating it.
    checks_connection: bool = False
    actions: tuple[Action, ...] = (REFRESH, DELETE)
    # Configuration keys whose values are secret wherever they appear in a request, an answer
    # or a stored record (Kafka Connect's `connection.password`, say).
    secret_keys: tuple[str, ...] = ()
    # The provider can replace a connector's configuration, so a rotated secret that the
    # connector embeds can be pushed to it (`ProviderClient.update_configuration`).
    pushes_secrets: bool = False
    # The provider can list the connectors it has, so existing ones can be imported: a Form class
    # for what the listing needs (a cluster id, say; a form with no fields for nothing).
    imports: Any = None
    # The summary entry the import list shows beside each name, and its heading.
    import_column: tuple[str, str] = ("Connector class", "Class")

    @property
    def provider(self) -> Provider:
        from connectors_admin.providers import get_provider

        return get_provider(self.provider_slug)

    @property
    def new_label(self) -> str:
        """What a button that makes one says: "New Amazon S3 connector", "New Kafka connector"."""
        name = self.short_label or self.label
        if name.lower() == "connector":
            return "New connector"
        return f"New {name}" if name.lower().endswith("connector") else f"New {name} connector"

    def form_class_for(self, context: FormContext) -> type[ConnectorForm]:
        """The form for this request. Templates whose fields depend on a choice (a connector
        from the provider's catalogue, say) build it here; most return their fixed form."""
        return self.form_class

    def value_words(self) -> dict[str, dict[str, str]]:
        """The words its record's summary shows values in, by summary label: by default those
        its create form offers, under the field's label (see `form_words`)."""
        return form_words(self.form_class)

    def shown_value(self, label: str, value: Any, own: Any = None) -> tuple[Any, str]:
        """A summary value as a page shows it: in the words the create form offers for it (the
        words the user picked), with the value as the provider spells it when those words
        differ from it ("" when they do not, or when the form offers none for it). A list of
        values ("import, export") is shown item by item. `own`: the record's own words (its
        context's WORDS), which come first."""
        words = self.value_words().get(label)
        kept = own.get(label) if isinstance(own, dict) else None
        if isinstance(kept, dict) and kept:
            words = {**(words or {}), **{str(k): str(v) for k, v in kept.items()}}
        if not words or not isinstance(value, str) or not value:
            return value, ""
        if value in words:
            said = words[value]
        else:
            parts = [part.strip() for part in value.split(",")]
            if len(parts) < 2 or not all(part in words for part in parts):
                return value, ""
            said = ", ".join(words[part] for part in parts)
        return said, "" if said.casefold() == value.casefold() else value

    def action(self, slug: str) -> Action | None:
        return next((a for a in self.actions if a.slug == slug), None)

    def imported_context(self, record: RemoteRecord, inputs: dict[str, Any]) -> dict[str, Any]:
        """The record context of a connector imported from the provider's list (what a refresh
        or an action on it needs, as `ConnectorForm.record_context` gives for one created)."""
        return {**inputs, **record.context}

    def embeddable_slots(self, record: RemoteRecord) -> tuple[Any, ...]:
        """The slots (embedding.Slot) where a listed connector's configuration may carry a
        stored credential's values: an import links it to the team's credentials found there.
        None by default."""
        return ()

    def listed_configuration(self, record: RemoteRecord) -> dict[str, Any]:
        """A listed connector's configuration as kept (secrets masked): where a slot's login is
        sent (its `host_paths`) is read from it."""
        return {}

    def like(self, original: Original) -> Likeness:
        """The create form's starting values for another connector like `original` ("create
        another like this"): what the provider package can map back to its form's fields from
        the record context, record and summary, and the stored credentials it embeds. Never a
        secret typed by hand: those are named in `retype`. What cannot be mapped back is left
        empty and said in `notes`, never guessed. By default only the credential is taken."""
        return Likeness(
            values={"credential": original.credential},
            notes=[f"{self.label} does not say how to fill its form from a connector."],
        )

    def configuration_to_push(self, target: Target) -> dict[str, Any] | None:
        """The whole configuration a rotated secret is written into before it is sent (templates
        with pushes_secrets): by default the one kept when it was last sent from here; None
        when none was kept. Raises ProviderError when it cannot be known."""
        configuration = target.kept().get("configuration")
        return dict(configuration) if isinstance(configuration, dict) else None


# --- operator-listed instances -------------------------------------------------------------------
@dataclass(frozen=True)
class Instances:
    """Servers operators list for a provider in the environment (`setting` holds
    "Name=https://host,Other=https://host2"): users pick one by name, never type a URL.
    `default_name`, when set, is the provider's own service at `default_url_setting`."""

    setting: str
    default_name: str = ""
    default_url_setting: str = ""
    # Where the built-in sandbox imitates such a server: listed as "Sandbox" while it is on.
    sandbox_path: str = ""

    def all(self) -> dict[str, str]:
        listed = getattr(settings, self.setting, None)
        if listed is None:  # not overridden in settings: read the environment
            listed = environ.Env().dict(self.setting, default={})
        listed = dict(listed)
        if self.sandbox_path and settings.SANDBOX:
            listed.setdefault("Sandbox", settings.SANDBOX_URL.rstrip("/") + self.sandbox_path)
        if self.default_name:
            return {self.default_name: "", **listed}
        return listed

    def choices(self) -> list[tuple[str, str]]:
        return [(name, name) for name in self.all()]

    def url(self, name: str, label: str) -> str:
        instances = self.all()
        if name not in instances:
            # Never fall back to another host with this credential.
            raise ProviderError(
                f"The {label} instance “{name}” is no longer configured here. "
                "An admin can edit the credential to pick one that is."
            )
        return (instances[name] or HttpClient.base_url(self.default_url_setting)).rstrip("/")


# --- the client interface --------------------------------------------------------------------
class ProviderClient(HttpClient):
    """What a provider's client implements on top of the shared HTTP machinery.

    Subclasses set `label` and implement `build_create`, `read_create`, `refresh`, `delete`
    and `error_details`; `check_call` for the credential test; `find_created` to reconcile a
    create whose outcome was unclear; `check_connector` and `recheck` where the provider can
    test a connection.
    """

    # The names a connector keeps secrets under whatever they look like (typed as secrets when
    # it was sent): a provider that masks its answers by key masks these too, so that a value
    # changed there under one is never stored in clear.
    secret_keys: tuple[str, ...] = ()

    # Set by a listing that stopped at its page limit with more to read: what it did not find
    # may be further on, so it says nothing of whether a connector exists.
    listed_in_part: str = ""

    def build_create(
        self, template: ConnectorTemplate, data: dict[str, Any], *, idempotency_key: str = ""
    ) -> Call:
        """The create request. `idempotency_key` stays the same across retries of one form
        submission; providers that honour one (VideoVector) send it."""
        raise NotImplementedError

    def read_create(self, template: ConnectorTemplate, exchange: Exchange) -> RemoteRecord:
        raise NotImplementedError

    def refresh(self, remote_id: str, context: dict[str, Any]) -> RemoteRecord:
        raise NotImplementedError

    def delete(self, remote_id: str, context: dict[str, Any]) -> Exchange:
        """Delete the connector at the provider; a 404 means it is already gone."""
        raise NotImplementedError

    # --- a delete answered otherwise than documented ---------------------------------------------
    # How the provider documents its answer to a delete it did ("204 No Content"), where it
    # documents one that `delete_answer_documented` checks; "" where any 2xx that is not a web
    # page is its word (or the client reads the answer's body itself).
    documented_delete: str = ""

    def delete_answer_documented(self, exchange: Exchange) -> bool:
        """Is this 2xx answer to a DELETE the one the provider documents for a delete it did?"""
        return True

    def confirmed_deleted(
        self, remote_id: str, context: dict[str, Any], exchange: Exchange
    ) -> Exchange:
        """The delete's exchange once the provider is known to have deleted the connector. Its
        documented answer (or its own 404) says so; another 2xx (a 200 with a body where a 204
        is documented: a proxy, a gateway, another server at that address) does not, so the
        connector is read back first: gone there, it was deleted; still there, it was not (an
        error); unreadable, nobody knows yet (an error that says it may have been deleted)."""
        if exchange.status == 404 or self.delete_answer_documented(exchange):
            return exchange
        status, _, body = self.documented_delete.partition(" ")
        if str(exchange.status) == status and body:
            # The documented status with another body ('200 "OK"'): the body is what differed.
            answered = f"HTTP {status} and a body other than the {body} it documents"
        else:
            answered = f"HTTP {exchange.status}, where it documents {self.documented_delete}"
        said = f"{self.label} answered the delete with {answered}"
        first = len(self.exchanges)
        try:
            gone, found = self.read_back(remote_id, context)
        except ProviderError as error:
            raise ProviderError(
                f"{said}, and reading the connector back to make sure failed: "
                f"{error.message.rstrip('.')}." + UNANSWERED_WRITE,
                status=exchange.status,
                kind="bad_response",
                may_have_reached=True,
            ) from None
        finally:
            for check in self.exchanges[first:]:
                check.checks = True
        if gone:
            return exchange
        raise ProviderError(
            f"{said}, and it still has the connector when read back: it was not deleted.",
            status=exchange.status,
            kind="bad_response",
            found=found,
        )

    def read_back(
        self, remote_id: str, context: dict[str, Any]
    ) -> tuple[bool, RemoteRecord | None]:
        """Read the connector to find out whether the provider still has it: (True, None) when
        it says it does not (`refresh`'s GONE, on the provider's own words), (False, what it
        answered) when it has it (None where that answer is no record, a list's line, say);
        ProviderError when it cannot be told."""
        try:
            return False, self.refresh(remote_id, context)
        except ProviderError as error:
            if error.kind == GONE:
                return True, None
            raise

    def update_configuration(
        self, remote_id: str, context: dict[str, Any], configuration: dict[str, Any]
    ) -> RemoteRecord:
        """Replace a connector's whole configuration (templates with pushes_secrets)."""
        raise NotImplementedError

    def find_created(
        self, template: ConnectorTemplate, identity: dict[str, Any]
    ) -> RemoteRecord | None:
        """Look for a connector that a create whose answer was lost may have made, by what
        identifies it (`identity`, from the form's `identity()`); None when it is not there.
        `identity["known_ids"]` answers `in` for ids already recorded; each answer may be a
        query, so ask it last, of candidates that match otherwise.
        Raises ProviderError when the provider cannot be asked."""
        raise NotImplementedError

    def validate_create(self, template: ConnectorTemplate, data: dict[str, Any]) -> None:
        """Ask the provider to validate a configuration before the create is sent (Kafka
        Connect's validate); raise ProviderError with field errors to stop the create. Its
        exchanges are recorded with the create's. Most providers validate on create itself."""

    def list_existing(
        self, template: ConnectorTemplate, inputs: dict[str, Any]
    ) -> list[RemoteRecord]:
        """The provider's connectors of this template, for "import existing" (templates with
        `imports`); `inputs` are the import form's cleaned values (a cluster id, say)."""
        raise NotImplementedError

    def check_connector(self, template: ConnectorTemplate, data: dict[str, Any]) -> CheckResult:
        """Test a connector's configuration before creating it (templates with checks_connection)."""
        raise NotImplementedError

    def recheck(self, connector_context: dict[str, Any], secrets: dict[str, Any]) -> CheckResult:
        """Test a created connector's stored configuration again, if the provider allows it."""
        raise NotImplementedError

    def check_call(self) -> Call:
        """The provider's cheapest authenticated call, used to test a credential."""
        raise NotImplementedError

    def check(self) -> CheckResult:
        try:
            call = self.check_call()
        except ProviderError as error:
            return CheckResult(False, error.message, error.kind)
        # A read, like any: a 5xx or a lost connection is tried again (each try recorded).
        exchange = self.send(call) if call.writes else self.send_retrying(call)
        if exchange.error:
            return CheckResult(False, exchange.error.message, exchange.error.kind)
        if is_web_page(exchange):  # a captive portal or a sign-in page, not the API
            error = self.web_page(exchange)
            return CheckResult(False, error.message, error.kind)
        try:
            body = exchange.json() if exchange.text.strip() else None
        except ValueError:
            body = NOT_JSON
        unlike = self.check_answer_unlike(body)
        if unlike:  # another server answering at that address, not the provider's API
            error = self.unexpected_shape(exchange, unlike)
            return CheckResult(False, error.message, error.kind)
        return CheckResult(True, f"{self.label} accepted the credential (HTTP {exchange.status}).")

    def check_answer_unlike(self, body: Any) -> str:
        """What the check call's answer should look like when `body` (parsed, None when
        empty, NOT_JSON when not JSON) does not look like it; "" when it does (by default any
        answer: a 2xx status is all some checks say)."""
        return ""


NOT_JSON = object()  # a check's answer that is not JSON (see `check_answer_unlike`)


class Provider:
    def __init__(
        self,
        *,
        slug: str,
        label: str,
        description: str,
        notice: str,
        credential_form: type[CredentialForm],
        templates: tuple[ConnectorTemplate, ...],
        client_class: type[ProviderClient],
        empty_status: str = "pending",
        transitional_states: frozenset[str] = frozenset(),
        settles_within: timedelta | None = None,
        instances: Instances | None = None,
        idempotent_creates: bool = False,
        statuses: tuple[str, ...] = (),
        failing_statuses: frozenset[str] = frozenset(),
    ) -> None:
        self.slug = slug
        self.label = label
        self.description = description
        self.notice = notice
        self.credential_form = credential_form
        self.templates = templates
        self.client_class = client_class
        self.empty_status = empty_status  # what a connector with no reported status shows
        # States the provider moves out of by itself ("" is no status reported yet): a connector
        # in one is refreshed in the background until it settles.
        self.transitional_states = transitional_states
        # Where a provider may also stay in one for good (Mixpanel's null status): how long after
        # its creation a connector may still be settling. Past it, the state is its lasting one:
        # no longer followed in the background, nor polled for by its pages.
        self.settles_within = settles_within
        self.instances = instances
        # The provider honours an Idempotency-Key on creates: a retry with the same key returns
        # the first connector (and so resolves a try whose answer was lost).
        self.idempotent_creates = idempotent_creates
        # Every status the provider (or its declared actions) can give a connector, for filters.
        self.statuses = statuses
        # Those of them that say a connector is failing there (Kafka Connect's FAILED, as
        # spelled): the team's dashboard counts them under "Needs attention".
        self.failing_statuses = failing_statuses

    def __repr__(self) -> str:
        return f"<Provider {self.slug}>"

    def client(self, public: dict[str, Any], secrets: dict[str, str]) -> ProviderClient:
        return self.client_class(public, secrets)


__all__ = [
    "CHECK",
    "DELETE",
    "GONE",
    "REDACTED",
    "REFRESH",
    "WORDS",
    "Action",
    "ActionResult",
    "Call",
    "CheckResult",
    "ConnectorForm",
    "ConnectorTemplate",
    "CredentialForm",
    "Exchange",
    "FormContext",
    "Instances",
    "Likeness",
    "Original",
    "Provider",
    "ProviderClient",
    "ProviderError",
    "RemoteRecord",
    "Target",
]
