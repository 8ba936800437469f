"""Shared fixtures: a small world of users, teams and credentials, and the sandbox on live_server."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from connectors_admin.accounts.models import Membership, Role, Team
from connectors_admin.credentials.models import Credential

# Distinctive fake secrets: searched for in every page, log, row and message.
MIXPANEL_SECRET = "mp-secret-ZQX7-do-not-leak-9041"
AISQ_TOKEN = "aisq-token-do-not-leak-5150"
DB_PASSWORD = "pg-password-do-not-leak-8086"
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_user(db) -> Callable[..., Any]:
    def make(username: str, **extra: Any):
        return get_user_model().objects.create_user(username, password=PASSWORD, **extra)

    return make


@pytest.fixture
def team(db) -> Team:
    return Team.objects.create(name="Acme Data", slug="acme")


@pytest.fixture
def other_team(db) -> Team:
    return Team.objects.create(name="Other Co", slug="other")


@pytest.fixture
def owner(make_user, team):
    user = make_user("olivia", email="olivia@example.com")
    Membership.objects.create(team=team, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def member(make_user, team):
    user = make_user("mia")
    Membership.objects.create(team=team, user=user, role=Role.MEMBER)
    return user


@pytest.fixture
def viewer(make_user, team):
    user = make_user("victor")
    Membership.objects.create(team=team, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def outsider(make_user, other_team):
    user = make_user("oscar")
    Membership.objects.create(team=other_team, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def client_for() -> Callable[[Any], Client]:
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def owner_client(client_for, owner) -> Client:
    return client_for(owner)


def make_credential(
    team: Team, user=None, *, secret: str = MIXPANEL_SECRET, **public
) -> Credential:
    credential = Credential(
        team=team,
        kind="mixpanel",
        label=public.pop("label", "Production"),
        public={"username": "sa.acme", "project_id": 4242, "residency": "us", **public},
        created_by=user,
    )
    credential.set_secrets({"secret": secret}, user)
    credential.save()
    return credential


def make_aisquared_credential(team: Team, user=None) -> Credential:
    credential = Credential(
        team=team,
        kind="aisquared",
        label="Workspace 7",
        public={"instance": "AI Squared (hosted)", "workspace_id": 7},
        created_by=user,
    )
    credential.set_secrets({"token": AISQ_TOKEN}, user)
    credential.save()
    return credential


def aisquared_payload(credential, connector="Postgresql", **config_overrides) -> dict:
    """What the AI Squared source form posts for a PostgreSQL source."""
    config = {
        "cfg__data_type": "structured",
        "cfg__credentials__username": "reader",
        "cfg__credentials__password": DB_PASSWORD,
        "cfg__host": "db.example.com",
        "cfg__port": "5432",
        "cfg__database": "shop",
        "cfg__schema": "public",
        **config_overrides,
    }
    return {
        "credential": credential.pk,
        "connector_name": connector,
        "name": "Shop DB",
        "description": "",
        **config,
    }


@pytest.fixture
def credential(team, owner) -> Credential:
    return make_credential(team, owner)


@pytest.fixture
def sandbox(live_server, settings) -> str:
    """The app's own sandbox served by live_server; providers resolve to it."""
    settings.SANDBOX_URL = live_server.url
    requests.delete(f"{live_server.url}/sandbox/_faults/", timeout=5)
    return live_server.url


@pytest.fixture
def fault(sandbox) -> Callable[..., None]:
    def queue(mode: str, provider: str = "mixpanel", **options: Any) -> None:
        body = {"provider": provider, "mode": mode, **options}
        response = requests.post(f"{sandbox}/sandbox/_faults/", json=body, timeout=5)
        assert response.status_code == 201, response.text

    return queue


class Between:
    """A loopback server between the app and its sandbox: each request is passed on as it came,
    and the answer back as it went. A test's hook runs when a request arrives, before it is
    passed on, in the server's own thread: with its own database connection, it sees only what
    the app has committed, and what it writes meanwhile is another client's doing."""

    HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}

    def __init__(self, target: str) -> None:
        self.target = target
        self.hooks: list[tuple[str, Any, Callable[[], None]]] = []
        self.failures: list[BaseException] = []
        self.url = ""

    def on(self, method: str, path: str, run: Callable[[], None]) -> None:
        import re

        self.hooks.append((method, re.compile(path), run))

    def run_hooks(self, method: str, path: str) -> None:
        from django.db import connections

        try:
            for wanted, pattern, run in self.hooks:
                if wanted == method and pattern.search(path):
                    run()
        except BaseException as error:  # said by the test, not lost in the server's thread
            self.failures.append(error)
        finally:
            connections.close_all()

    def check(self) -> None:
        """Raise what a hook raised (once: the fixture checks again at the end)."""
        failures, self.failures = self.failures, []
        if failures:
            raise failures[0]


@pytest.fixture
def between(sandbox, settings):
    """The app reaches its sandbox through a `Between` (see there)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state = Between(sandbox)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.run_hooks(self.command, self.path)
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in Between.HOP_BY_HOP | {"accept-encoding"}
            }
            # As the app addressed it: links in the answer (a next page) lead back here.
            headers["Host"] = self.headers.get("Host", "")
            answer = requests.request(
                self.command,
                state.target + self.path,
                data=body,
                headers=headers,
                allow_redirects=False,
                timeout=30,
            )
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in Between.HOP_BY_HOP | {"content-encoding"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = relay

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SANDBOX_URL = state.url
    yield state
    server.shutdown()
    server.server_close()
    state.check()


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


S3_FORM = {
    "project_id": "4242",
    "residency": "us",
    "s3_bucket": "acme-events",
    "s3_prefix": "cloudimport/event",
    "s3_region": "us-east-2",
    "s3_role": "arn:aws:iam::123456789012:role/mixpanel-import",
    "data_format": "mixpanel_event",
    "compression": "gzip",
}
GCS_FORM = {
    "project_id": "4242",
    "residency": "eu",
    "gcs_bucket": "acme-exports",
    "gcs_prefix": "",
    "data_format": "mixpanel_people",
    "compression": "none",
}


class QueuedTasks:
    """The background work a test queued (the dummy backend keeps it): run it on demand, in
    order, the way a worker would."""

    def __init__(self) -> None:
        from django.tasks import default_task_backend

        self.backend = default_task_backend

    def names(self) -> list[str]:
        return [r.task.name for r in self.backend.results]

    def queued(self, name: str | None = None) -> list[Any]:
        return [r for r in self.backend.results if name is None or r.task.name == name]

    def run(self, name: str | None = None, *, due_only: bool = False) -> list[Any]:
        """Run (and take off the queue) what is queued, including what the runs queue."""
        from django.utils import timezone

        outcomes = []
        while True:
            ready = [
                r
                for r in self.backend.results
                if (name is None or r.task.name == name)
                and not (due_only and r.task.run_after and r.task.run_after > timezone.now())
            ]
            if not ready:
                return outcomes
            result = ready[0]
            self.backend.results.remove(result)
            outcomes.append(result.task.call(*result.args, **result.kwargs))


@pytest.fixture(autouse=True)
def tasks() -> QueuedTasks:
    queue = QueuedTasks()
    queue.backend.clear()
    yield queue
    queue.backend.clear()


UPSTASH_KEY = "upstash-management-key-do-not-leak"


@pytest.fixture
def upstash(team, owner) -> Credential:
    credential = Credential(
        team=team, kind="upstash", label="Upstash", public={"email": "ops@example.com"}
    )
    credential.set_secrets({"api_key": UPSTASH_KEY}, owner)
    credential.save()
    return credential


# A VideoVector API key with the admin scope, as the sandbox takes it.
VIDEOVECTOR_KEY = "sk_live_" + "ab" * 24


@pytest.fixture
def vv(team, owner) -> Credential:
    credential = Credential(
        team=team, kind="videovector", label="Media", public={"auth_type": "api_key"}
    )
    credential.set_secrets({"token": VIDEOVECTOR_KEY}, owner)
    credential.save()
    return credential


KAFKA_CONNECT_PASSWORD = "sandbox-connect-password-do-not-leak"


@pytest.fixture
def kc(team, owner) -> Credential:
    credential = Credential(
        team=team,
        kind="kafkaconnect",
        label="Ops cluster",
        public={"cluster": "Sandbox", "username": "ops"},
    )
    credential.set_secrets({"password": KAFKA_CONNECT_PASSWORD}, owner)
    credential.save()
    return credential


def stored_uri(team, owner, uri: str, label: str = "Replica") -> Credential:
    """A stored connection URI, as its form keeps it (scheme and host shown)."""
    parts = urlsplit(uri)
    credential = Credential(
        team=team, kind="uri", label=label, public={"scheme": parts.scheme, "host": parts.hostname}
    )
    credential.set_secrets({"uri": uri}, owner)
    credential.save()
    return credential
