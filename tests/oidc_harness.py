"""The `oidc_provider` fixture: a real OpenID Connect provider (django-oauth-toolkit, see
tests/oidc_provider/) in a second process on 127.0.0.1, one per test session (or xdist worker).

Use it from a test module with (an import of the fixture would trip ruff's F811 wherever a test
takes it as an argument):

    pytest_plugins = ["tests.oidc_harness"]
"""

from __future__ import annotations

import os
import queue
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START_TIMEOUT = 60  # seconds
HTTP_TIMEOUT = 10

REDIRECT_URIS = [
    # The Django test client's host, with allauth's callback for our "loopback" provider.
    "http://testserver/accounts/oidc/loopback/login/callback/",
    # Loopback URIs match on any port (RFC 8252 section 7.3; for "localhost" DOT needs
    # ALLOW_LOCALHOST_LOOPBACK): for live_server (browser) tests, whose port comes later.
    "http://localhost/accounts/oidc/loopback/login/callback/",
    "http://127.0.0.1/accounts/oidc/loopback/login/callback/",
]
# More redirect URIs for the provider to accept: whitespace-separated, read at session start.
EXTRA_REDIRECT_URIS_ENV = "OIDC_PROVIDER_EXTRA_REDIRECT_URIS"


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback: no proxy from the environment
    return session


@dataclass
class OIDCProvider:
    base_url: str  # http://127.0.0.1:<port>
    client_id: str
    client_secret: str
    username: str
    password: str
    email: str
    redirect_uris: list[str] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/o"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def redirect_uri(self) -> str:
        """The default (Django test client) redirect URI."""
        return self.redirect_uris[0]

    def set_mode(self, mode: str) -> None:
        """How the token endpoint alters id_tokens from now on: "normal" (not at all),
        "tamper" (email changed, signature kept: it no longer verifies), "wrong-issuer" or
        "wrong-audience" (validly re-signed with a wrong iss / aud). Reset it to "normal"."""
        with _session() as session:
            response = session.post(f"{self.base_url}/_mode", data={"mode": mode}, timeout=5)
        assert response.status_code == 204, response.text

    def authorize(self, authorize_url: str) -> str:
        """Play the user's browser from `authorize_url`: log in at the provider and return the
        URL it finally redirects to outside itself (our callback, with code and state, or with
        an OAuth error), without fetching it."""
        provider = urlsplit(self.base_url).netloc
        with _session() as browser:
            response = browser.get(authorize_url, allow_redirects=False, timeout=HTTP_TIMEOUT)
            logged_in = False
            for _ in range(10):
                if response.is_redirect:
                    location = urljoin(response.url, response.headers["Location"])
                    if urlsplit(location).netloc != provider:
                        return location
                    response = browser.get(location, allow_redirects=False, timeout=HTTP_TIMEOUT)
                elif response.status_code == 200 and not logged_in and "csrf" in response.text:
                    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
                    assert csrf, response.text
                    credentials = {"username": self.username, "password": self.password}
                    response = browser.post(
                        response.url,  # the login page, with ?next=/o/authorize/...
                        data={"csrfmiddlewaretoken": csrf[1], **credentials},
                        allow_redirects=False,
                        timeout=HTTP_TIMEOUT,
                    )
                    logged_in = True
                else:
                    raise AssertionError(
                        f"the provider answered {response.status_code} at {response.url} "
                        f"(did it reject the login or the request?):\n{response.text[:3000]}"
                    )
            raise AssertionError(f"too many redirects within the provider, last at {response.url}")


def _read_lines(stream, lines: queue.Queue) -> None:
    # Drains the provider's stdout for good (so it can never block on a full pipe).
    for line in stream:
        lines.put(line)
    lines.put(None)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[OIDCProvider]:
    workdir = tmp_path_factory.mktemp("oidc_provider")  # unique per session and xdist worker
    extra = os.environ.get(EXTRA_REDIRECT_URIS_ENV, "").split()
    settings = {
        "client_id": "connectors-admin-sso",
        "client_secret": secrets.token_urlsafe(32),
        "username": "sso-user",
        "password": "sso-password-" + secrets.token_hex(4),
        "email": "sso-user@example.com",
        "redirect_uris": [*REDIRECT_URIS, *extra],
    }
    command = [sys.executable, "-m", "tests.oidc_provider.serve", "--port", "0"]
    command += ["--db", str(workdir / "provider.sqlite3"), "--watch-stdin"]
    # --name=value: a random secret may start with "-" (1 run in 64), which argparse would
    # take for an option of its own.
    for name in ("client_id", "client_secret", "username", "password", "email"):
        command.append(f"--{name.replace('_', '-')}={settings[name]}")
    for uri in settings["redirect_uris"]:
        command.append(f"--redirect-uri={uri}")

    stderr_path = workdir / "stderr.log"
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.PIPE,  # closing it (or our death) makes the provider exit
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                problem = f"was not ready within {START_TIMEOUT} s"
                break
            if line is None:  # its stdout closed: it is ending
                problem = f"exited with code {process.wait(timeout=10)}"
                break
            if line.startswith("ready "):
                problem = None
                break
        if problem:
            stderr_text = stderr_path.read_text(errors="replace")
            pytest.fail(f"the OpenID provider {problem}; its stderr:\n{stderr_text}", pytrace=False)
        yield OIDCProvider(base_url=line.split()[1], **settings)
    finally:
        process.stdin.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
