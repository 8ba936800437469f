from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, Func, OuterRef, Value, When
from django.utils import timezone
from django.utils.crypto import salted_hmac

from connectors_admin.core import crypto
from connectors_admin.core.fields import EncryptedTextField
from connectors_admin.core.paging import capped_count
from connectors_admin.providers import PROVIDERS
from connectors_admin.providers.base import CheckResult, CredentialForm, ProviderClient

from .kinds import KINDS, CredentialKind, kind_choices

FINGERPRINT_SALT = "connectors_admin.credentials.fingerprint"


def fingerprint(value: str) -> str:
    """A keyed fingerprint: equal secrets give equal fingerprints, and it reveals nothing."""
    return salted_hmac(FINGERPRINT_SALT, value, algorithm="sha256").hexdigest()[:16]


class Credential(models.Model):
    """A credential stored once for a team: a provider's API credential or a storage secret.

    Non-secret fields live in `public`; the secret fields are one encrypted JSON document in
    `secret_ciphertext`, which nothing displays. `secret_hints` keeps, per secret field, its last
    four characters and a keyed fingerprint, so people can tell secrets apart.
    """

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=30, choices=kind_choices)
    label = models.CharField(max_length=100)
    public = models.JSONField(default=dict, blank=True)
    secret_ciphertext = EncryptedTextField(blank=False)
    secret_hints = models.JSONField(default=dict, editable=False)
    secret_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    secret_set_at = models.DateTimeField(null=True, editable=False)
    enabled = models.BooleanField(default=True)
    last_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_check_ok = models.BooleanField(null=True, editable=False)
    last_check_message = models.CharField(max_length=500, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "kind", "label"], name="credential_label_unique_per_team"
            )
        ]

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"<Credential {self.pk} {self.kind} {self.label!r}>"

    @property
    def kind_obj(self) -> CredentialKind:
        return KINDS[self.kind]

    @property
    def is_provider(self) -> bool:
        return self.kind in PROVIDERS

    @property
    def check_pending(self) -> bool:
        """Is a background test of the current secret still to come (just saved or rotated)?"""
        if not self.enabled or self.secret_set_at is None:
            return False
        return self.last_check_at is None or self.last_check_at < self.secret_set_at

    # The fields a test writes, and those a new secret does: a change saves only what it changes,
    # so that a test ending meanwhile, or a rotation elsewhere, is not written over.
    CHECK_FIELDS = ("last_check_at", "last_check_ok", "last_check_message")
    SECRET_FIELDS = ("secret_ciphertext", "secret_hints", "secret_set_by", "secret_set_at")

    def forget_check(self) -> None:
        """Its last test says nothing of the values it holds now (a new secret, another user or
        host, enabled again): it is "being tested" until the test its caller queues has run."""
        self.last_check_at = self.last_check_ok = None
        self.last_check_message = ""

    def set_secrets(
        self, secrets: dict[str, str], user: Any = None, form: CredentialForm | None = None
    ) -> None:
        form = form or self.kind_obj.form_class()
        self.secret_ciphertext = crypto.encrypt_json(secrets)
        self.secret_hints = {
            name: {"last4": form.hint_for(name, value), "fingerprint": fingerprint(value)}
            for name, value in secrets.items()
        }
        self.secret_set_by = user if getattr(user, "is_authenticated", False) else None
        self.secret_set_at = timezone.now()

    def secrets(self) -> dict[str, str]:
        return crypto.decrypt_json(self.secret_ciphertext)

    def client(self) -> ProviderClient:
        return PROVIDERS[self.kind].client(self.public, self.secrets())

    def run_check(self) -> CheckResult:
        return self.kind_obj.check(self.public, self.secrets())

    def matches(self, field: str, value: str) -> bool:
        """Is `value` the stored secret? Compared in constant time, server-side."""
        stored = self.secrets().get(field, "")
        return bool(value) and hmac.compare_digest(stored.encode(), value.encode())

    def fingerprints(self) -> dict[str, str]:
        """What audit rows and pages may say of the secrets."""
        return {name: hint.get("fingerprint", "") for name, hint in self.secret_hints.items()}

    def mark_copies_old(self) -> int:
        """After its values changed (a key id, a tenant): the copies live connectors carry are
        old, so its page offers to push the new ones, as after a rotation. How many."""
        if self.is_provider:
            return 0
        return self.embedded_in.filter(connector__deleted_at=None).update(fingerprints={})

    def in_use(self) -> bool:
        """Does a live connector use it, or carry its secret inside, or does a create that may
        have made one still need it? Then it cannot be deleted: each such connector is closed
        first, each such create settles first (the delete page lists them)."""
        return (
            self.connectors.filter(deleted_at=None).exists()
            or self.embedded_in.filter(connector__deleted_at=None).exists()
            or bool(self.creates_in_flight())
        )

    def creates_in_flight(self) -> list[Any]:
        """The team's creates made with it, or carrying it, that have not settled: still waiting
        for the provider, or their answer lost and being looked for. The lookup asks the
        provider with this credential and links what it finds to the credentials the create
        carried; deleting it meanwhile would leave a connector that may exist unrecorded."""
        submissions = self.submissions.model  # connectors sits above credentials: no import
        # A lost create being looked for right now (its lookup still waiting on the provider)
        # has settled nothing yet: what the lookup finds is recorded with the credentials.
        looked_for = [
            pk
            for pk in submissions.objects.filter(
                team_id=self.team_id,
                action=submissions.RECONCILE,
                outcome=submissions.Outcome.PENDING,
            ).values_list("identity__reconciles", flat=True)
            if isinstance(pk, int)
        ]
        unsettled = (
            submissions.objects.filter(team_id=self.team_id, action=submissions.CREATE)
            .filter(
                models.Q(outcome=submissions.Outcome.PENDING)
                | models.Q(reconciliation=submissions.Reconciliation.PENDING)
                | models.Q(pk__in=looked_for)
            )
            .select_related("user")
            .only(
                "credential",
                "context",
                "template",
                "created_at",
                "reconciliation",
                "user__username",
            )
            .order_by("-created_at")
        )
        return [
            submission
            for submission in unsettled
            if submission.credential_id == self.pk
            or any(
                link.get("credential") == self.pk
                for link in (submission.context or {}).get("embedded") or []
            )
        ]

    def place(self, public: dict[str, Any] | None = None) -> dict[str, str]:
        """Where its calls go, as its form declares (`place_fields`): a cluster, an instance
        and a workspace; nothing for a provider with one place. Of `public`, when given."""
        values = self.public if public is None else public
        fields = self.kind_obj.form_class.place_fields
        return {name: str(values.get(name, "")) for name in fields}

    def reaches_same_place(self, other: Credential) -> bool:
        """Do its calls go where `other`'s go (so a connector's id names the same connector)?"""
        return self.kind == other.kind and self.place() == other.place()

    def at_its_place(self) -> int:
        """The live connectors made with it, and its creates not settled yet: they are at its
        place, and their calls go wherever it points."""
        live = self.connectors.filter(deleted_at=None).count()
        return live + sum(1 for s in self.creates_in_flight() if s.credential_id == self.pk)

    def place_fixed(self, label: str) -> str:
        """Why a place field (labelled `label`) cannot change now, or "" when it can."""
        count = self.at_its_place()
        if not count:
            return ""
        return (
            f"{label} cannot change while {count} connector{'s' if count != 1 else ''} made "
            f"with this credential {'are' if count != 1 else 'is'} there: "
            f"{'their' if count != 1 else 'its'} refreshes, pauses and deletes would go to "
            "the new one, where a connector of the same name may be another. For another "
            f"{label.lower()}, add another credential."
        )

    def audit_state(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "enabled": self.enabled,
            **{f"public.{k}": v for k, v in self.public.items()},
            **{f"secret.{k}": f"fingerprint:{v}" for k, v in self.fingerprints().items()},
        }

    @property
    def templates(self):
        return PROVIDERS[self.kind].templates if self.is_provider else ()

    def secret_rows(self) -> list[tuple[str, dict[str, Any]]]:
        """(label, hint) for each secret field, labelled as its form labels it; a hint says
        `empty` when nothing was stored for it (an optional password left blank), and `of`
        what its last characters are the end of (the secret, unless the form says otherwise)."""
        form_class = self.kind_obj.form_class
        fields = form_class.base_fields
        nothing = fingerprint("")
        rows = []
        for name, hint in self.secret_hints.items():
            label = str(fields[name].label) if name in fields else name.replace("_", " ")
            rows.append(
                (
                    label,
                    {
                        **hint,
                        "empty": hint.get("fingerprint") == nothing,
                        "of": form_class.hint_of.get(name, label),
                    },
                )
            )
        return rows

    @property
    def has_secret(self) -> bool:
        return any(not hint["empty"] for _, hint in self.secret_rows())

    def hinted(self) -> list[str]:
        """What each shown hint is the end of, in words ("The private key id in the key file
        ends with …9876"): a key file's last characters are its key id's, not the secret's."""
        return [
            f"{hint['of']} ends with …{hint['last4']}"
            for _, hint in self.secret_rows()
            if hint.get("last4") and not hint["empty"]
        ]

    def hint_text(self) -> str:
        """The secrets' last characters; for one never hinted (a URI), only that it is set."""
        hints = [f"…{hint['last4']}" for hint in self.secret_hints.values() if hint.get("last4")]
        if hints:
            return ", ".join(hints)
        return "set, not shown" if self.has_secret else "no secret"


def _capped_count(
    relation: str, *, each: str = "pk", unless: dict | None = None, **filters
) -> Func:
    """How many rows of a credential's reverse `relation` there are (or distinct values of
    their `each`), counted up to the list cap (an index scan of at most that many entries)
    rather than joining them all; without those matching `unless`."""
    field = Credential._meta.get_field(relation)
    rows = field.related_model._default_manager.filter(
        **{field.field.name: OuterRef("pk")}, **filters
    )
    if unless:
        rows = rows.exclude(**unless)
    rows = rows.order_by().values(each)
    return capped_count(rows.distinct() if each != "pk" else rows)


def usage_counts() -> dict[str, Func]:
    """A credential's connectors as its pages count them, for `annotate`: `using`, those made
    with it (deleted since or not: a record of what it made), and `embedding`, the other live
    ones that carry its secret inside them, each once."""
    return {
        "using": _capped_count("connectors"),
        "embedding": _capped_count(
            "embedded_in",
            connector__deleted_at=None,
            each="connector",
            unless={"connector__credential": OuterRef("pk")},
        ),
    }


def live_use_if_disabled() -> Case:
    """For `annotate`: how many live connectors still use a credential that is disabled (made
    with it, or carrying its secret inside, each kind counted up to the list cap); 0 for an
    enabled one, whose connectors are not counted at all."""
    live = _capped_count("connectors", deleted_at=None) + usage_counts()["embedding"]
    return Case(When(enabled=False, then=live), default=Value(0))


class CredentialCache(models.Model):
    """Provider data fetched with a credential and cached per credential (catalogues, say)."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="cache")
    key = models.CharField(max_length=100)
    data = models.JSONField()
    fetched_at = models.DateTimeField()

    MAX_AGE = timedelta(hours=24)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["credential", "key"], name="one_cache_entry_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.credential_id}:{self.key}"

    @property
    def fresh(self) -> bool:
        """Recent enough to be used without asking the provider again."""
        return timezone.now() - self.fetched_at < self.MAX_AGE

    @classmethod
    def keep(cls, credential: Credential, key: str, data: Any) -> None:
        """Keep `data`, fetched just now, in place of what was kept under `key`."""
        cls.objects.update_or_create(
            credential=credential, key=key, defaults={"data": data, "fetched_at": timezone.now()}
        )
