"""Settings read from the environment, checked in a fresh interpreter each time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY = "dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LTEyMzQ="


def run_settings(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_URL")
        and k not in {"DEBUG", "SANDBOX", "CREDENTIAL_KEYS", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"from connectors_admin import settings as s; {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_requires_credential_keys():
    result = run_settings("pass", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "CREDENTIAL_KEYS must be set" in result.stderr


def test_production_requires_a_secret_key():
    result = run_settings("pass", CREDENTIAL_KEYS=KEY)
    assert "SECRET_KEY must be set" in result.stderr


def test_production_points_at_the_real_hosts():
    result = run_settings(
        "print(s.MIXPANEL_API_URL, s.MIXPANEL_EU_API_URL, s.MIXPANEL_IN_API_URL, s.UPSTASH_API_URL)",
        SECRET_KEY="x" * 50,
        CREDENTIAL_KEYS=KEY,
    )
    assert result.stdout.split() == [
        "https://mixpanel.com",
        "https://eu.mixpanel.com",
        "https://in.mixpanel.com",
        "https://api.upstash.com",
    ]


def test_postgresql_connections_are_kept_between_requests_and_checked_before_reuse():
    code = (
        "d = s.DATABASES['default']; print(d.get('CONN_MAX_AGE', 0), d.get('CONN_HEALTH_CHECKS'))"
    )
    prod = {"SECRET_KEY": "x" * 50, "CREDENTIAL_KEYS": KEY}
    postgres = "postgres://u:p@db.internal:5432/connectors"
    assert run_settings(code, DATABASE_URL=postgres, **prod).stdout.split() == ["300", "True"]
    shorter = run_settings(code, DATABASE_URL=postgres, DATABASE_CONN_MAX_AGE="0", **prod)
    assert shorter.stdout.split() == ["0", "True"]
    # SQLite opens in microseconds: nothing kept
    assert run_settings(code, **prod).stdout.split()[0] == "0"


def test_sandbox_takes_unset_urls_and_a_set_url_always_wins():
    result = run_settings(
        "print(repr(s.MIXPANEL_API_URL), repr(s.MIXPANEL_EU_API_URL), s.SANDBOX_URL)",
        SECRET_KEY="x" * 50,
        CREDENTIAL_KEYS=KEY,
        SANDBOX="true",
        MIXPANEL_EU_API_URL="http://127.0.0.1:9999",
        PORT="8123",
    )
    assert result.stdout.split() == ["''", "'http://127.0.0.1:9999'", "http://127.0.0.1:8123"]


def test_debug_generates_a_dev_key_into_a_git_ignored_file():
    result = run_settings("print(len(s.CREDENTIAL_KEYS))", DEBUG="true")
    assert result.stdout.strip() == "1"
    assert (ROOT / "var" / "dev-credential-key").exists()
    ignored = subprocess.run(
        ["git", "check-ignore", "var/dev-credential-key"], cwd=ROOT, capture_output=True
    )
    assert ignored.returncode == 0


def test_the_suite_runs_on_the_database_named_by_database_url(db):
    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith("postgres") else "sqlite"
    assert connection.vendor == expected


def test_deploy_check_warns_about_a_sandbox_in_production(settings):
    from connectors_admin.core.checks import sandbox_off_in_production

    settings.SANDBOX, settings.DEBUG = True, False
    assert [w.id for w in sandbox_off_in_production(None)] == ["connectors_admin.W001"]
    settings.SANDBOX = False
    assert sandbox_off_in_production(None) == []


def test_static_files_go_out_without_the_pages_headers(tmp_path, settings, db):
    """A stylesheet or a script needs no CSP or frame rule: sent with each of the first view's
    assets, they would only add bytes on the wire (the bench's first-view measure)."""
    from django.core.management import call_command
    from django.test import Client

    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    response = Client().get(settings.STATIC_URL + "js/app.js")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers
    assert "X-Frame-Options" not in response.headers
    page = Client().get("/accounts/login/")
    assert "Content-Security-Policy" in page.headers and page.headers["X-Frame-Options"] == "DENY"


def test_every_page_sends_the_strict_policy_with_a_fresh_nonce(owner_client, client):
    """The policy is the product's promise, word for word: nothing inline runs but what carries
    this answer's nonce, nothing is loaded from elsewhere, no frame holds a page."""
    from django.urls import reverse

    pages = [
        client.get("/accounts/login/"),
        owner_client.get(reverse("connectors:dashboard", args=["acme"])),
        owner_client.get(reverse("connectors:create", args=["acme", "mixpanel-s3"])),
    ]
    nonces = set()
    for page in pages:
        assert page.status_code == 200
        policy = {
            part.split()[0]: part.split()[1:]
            for part in page.headers["Content-Security-Policy"].split(";")
            if part.strip()
        }
        nonce = [s for s in policy["script-src"] if s.startswith("'nonce-")]
        assert policy.pop("script-src") == ["'self'", *nonce] and len(nonce) == 1
        nonces.add(nonce[0])
        assert policy == {
            "default-src": ["'self'"],
            "style-src": ["'self'"],
            "img-src": ["'self'", "data:"],
            "connect-src": ["'self'"],
            "object-src": ["'none'"],
            "frame-ancestors": ["'none'"],
            "form-action": ["'self'"],
            "base-uri": ["'none'"],
        }
        assert nonce[0].removeprefix("'nonce-").rstrip("'") in page.content.decode()
    assert len(nonces) == len(pages)  # a nonce is never reused
