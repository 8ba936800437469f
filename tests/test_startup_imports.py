"""What a worker imports before its first page: heavy libraries that only some requests need are
imported by those requests. A stray top-level import brings one back into every worker, so a
fresh interpreter checks it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[1]

# Each is loaded by the requests that use it: an AI Squared form's submit (jsonschema), an SSO
# sign-in (PyJWT), a passkey or security key (python-fido2, through allauth's WebAuthn module),
# the list of security keys (Django's humanize template library).
DEFERRED = ["jsonschema", "jwt", "fido2", "django.contrib.humanize.templatetags.humanize"]

LOADED = """
import json, sys
import django
django.setup()
from django.template import engines
from django.urls import reverse
reverse("account_login")  # the whole URL configuration, every view module it names
engines["django"].engine.template_libraries  # every template tag library
print(json.dumps(sorted(name for name in %r if name in sys.modules)))
"""


def test_a_worker_that_has_loaded_its_urls_and_templates_has_not_imported_them():
    env = {k: v for k, v in os.environ.items() if not k.endswith("_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    result = subprocess.run(
        [sys.executable, "-c", LOADED % (DEFERRED,)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


@pytest.mark.django_db
def test_allauths_webauthn_module_loads_when_a_passkey_sign_in_starts(client):
    response = client.get(reverse("mfa_login_webauthn"), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    options = response.json()["request_options"]["publicKey"]
    assert options["challenge"] and options["userVerification"]
    assert "fido2.server" in sys.modules


@pytest.mark.parametrize(
    "ago", [timedelta(0), timedelta(seconds=40), timedelta(hours=3, minutes=5), timedelta(days=9)]
)
def test_naturaltime_for_allauths_security_key_list_says_what_djangos_says(ago):
    when = timezone.now() - ago
    shown = Template("{% load humanize %}{{ when|naturaltime }}").render(Context({"when": when}))
    assert shown == naturaltime(when)
