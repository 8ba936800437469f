"""Testing a stored credential: the provider's cheapest authenticated call (storage secrets are
checked for form only), the result kept on the credential and audited."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action
from connectors_admin.core.crypto import DecryptionError
from connectors_admin.providers.base import CheckResult

from .models import Credential

# What a test's answer is about.
TESTED = ("secret_set_at", "public", "enabled")


def run_test(credential: Credential, request: HttpRequest | None = None) -> CheckResult:
    if not credential.enabled:
        # Nothing is sent, and its last real test stays what its page says.
        return CheckResult(False, "This credential is disabled; enable it to test it.")
    try:
        result = credential.run_check()
    except DecryptionError:
        result = CheckResult(
            False, "The stored secret cannot be decrypted with the configured keys."
        )
    credential.last_check_at = timezone.now()
    credential.last_check_ok = result.ok
    credential.last_check_message = result.message[:500]
    # Kept only if the credential holds the values tested: a rotation or an edit of them
    # meanwhile (which queued a test of its own) is not said verified by a test of the old ones.
    # Compared and written with the row locked, so that none commits in between.
    with transaction.atomic():
        row = Credential.objects.select_for_update().filter(pk=credential.pk)
        if row.values(*TESTED).first() == {name: getattr(credential, name) for name in TESTED}:
            row.update(
                last_check_at=credential.last_check_at,
                last_check_ok=result.ok,
                last_check_message=credential.last_check_message,
            )
    record(
        Action.CREDENTIAL_TESTED,
        request=request,
        team=credential.team,
        target=credential,
        after={"ok": result.ok},
        message=result.message if request is not None else f"(background) {result.message}",
    )
    return result
