"""Testing a stored credential: the provider's cheapest authenticated call (storage secrets are
checked for form only), the result kept on the credential and audited.

A provider's test is an operation like any other call: the app that keeps operations and their
exchanges records it. That app sits above this one, so it registers its recorder here
(`record_tests_with`) instead of being imported; without one, a test runs unrecorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action
from connectors_admin.core.crypto import DecryptionError
from connectors_admin.providers.base import CheckResult, ProviderClient

from .models import Credential

# What a test's answer is about.
TESTED = ("secret_set_at", "public", "enabled")
# The action of the operation a provider's test is recorded as.
OPERATION = "test-credential"

# Runs `client.check()` for `credential` on behalf of `user` (None: the background work) and
# records it; `routine(result)` says whether it found nothing new. Returns the check's result.
Recorder = Callable[[Credential, ProviderClient, Any, Callable[[CheckResult], bool]], CheckResult]
_recorder: list[Recorder] = []


def record_tests_with(recorder: Recorder) -> None:
    _recorder[:] = [recorder]


def last_recorded(credential: Credential) -> Any:
    """The operation its latest test was recorded as (its exchanges), or None: looked up only
    where one is shown (a provider's credential tested, with no test of a new secret to come)."""
    if not credential.is_provider or credential.last_check_at is None or credential.check_pending:
        return None
    tests = credential.submissions.filter(action=OPERATION).order_by("-created_at", "-pk")
    return tests.only("pk", "outcome", "response_status", "created_at").first()


def _check(
    credential: Credential, user: Any, routine: Callable[[CheckResult], bool]
) -> CheckResult:
    if credential.is_provider and _recorder:
        return _recorder[0](credential, credential.client(), user, routine)
    return credential.run_check()


def run_test(credential: Credential, request: HttpRequest | None = None) -> CheckResult:
    if not credential.enabled:
        # Nothing is sent, and its last real test stays what its page says.
        return CheckResult(False, "This credential is disabled; enable it to test it.")
    user = getattr(request, "user", None)
    last = (credential.last_check_ok, credential.last_check_message)

    def routine(result: CheckResult) -> bool:
        """A scheduled re-test that says what the last one said: recorded, not audited."""
        return request is None and (result.ok, result.message[:500]) == last

    try:
        result = _check(
            credential, user if getattr(user, "is_authenticated", False) else None, routine
        )
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
    if not routine(result):
        record(
            Action.CREDENTIAL_TESTED,
            request=request,
            team=credential.team,
            target=credential,
            after={"ok": result.ok},
            message=result.message if request is not None else f"(background) {result.message}",
        )
    return result
