"""The measures of bench/scale.py that need a real server: gunicorn with two workers on the
seeded database, reached over loopback.

- throughput of the list page against the stock admin's changelist (wrk, 8 connections);
- what a first view costs on the wire (compressed HTML and its assets, and how many requests);
- an app worker's resident memory after 1,000 requests;
- what a create costs above the provider: the sandbox delays each answer by 200 ms, and a create
  through the app is compared with the same call made directly with `requests`.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
S3_BODY = {
    "connector_type": "s3Import",
    "connector_properties": {
        "s3_bucket": "bench-events",
        "s3_prefix": "raw/",
        "s3_region": "us-east-2",
        "s3_role": "arn:aws:iam::123456789012:role/bench",
    },
    "category_properties": {"data_format": "mixpanel_event", "compression": "gzip"},
}
S3_FORM = {
    "project_id": "1",
    "residency": "us",
    "s3_bucket": "bench-events",
    "s3_prefix": "raw/",
    "s3_region": "us-east-2",
    "s3_role": "arn:aws:iam::123456789012:role/bench",
    "data_format": "mixpanel_event",
    "compression": "gzip",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(name: str) -> str:
    """DATABASE_URL with the seeded database's name in place of the configured one."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + name))


@contextmanager
def gunicorn(database: str):
    """Two gunicorn workers serving the app (and the stock admin, and the sandbox) on the
    seeded database, with collected, compressed static files as in production."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    static = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url(database),
        "BENCH_STATIC_ROOT": str(static),
        "SANDBOX_URL": base,
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn and arguments)
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "connectors_admin.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(200):
            try:
                requests.get(f"{base}/accounts/login/", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):  # not up, or a busy first answer
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        yield base, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(static, ignore_errors=True)


def workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def on_the_wire(session: requests.Session, url: str) -> tuple[int, bytes]:
    """Bytes a browser would receive for `url` (headers and the compressed body), and the body."""
    response = session.get(
        url, headers={"Accept-Encoding": "gzip, deflate, br"}, stream=True, timeout=30
    )
    raw = response.raw.read(decode_content=False)
    headers = sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + 17
    body = raw
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(raw)
    return headers + len(raw), body


def first_view(session: requests.Session, base: str, path: str) -> tuple[float, int]:
    """KB on the wire and requests for the first view of `path` with an empty browser cache."""
    total, html = on_the_wire(session, base + path)
    # A browser that runs scripts takes <noscript> as text and never fetches what it links.
    html = re.sub(rb"<noscript>.*?</noscript>", b"", html, flags=re.DOTALL)
    assets = re.findall(rb'<(?:link rel="stylesheet"|script)[^>]*(?:href|src)="(/[^"]+)"', html)
    for asset in assets:
        size, _ = on_the_wire(session, base + asset.decode())
        total += size
    return total / 1024, 1 + len(assets)


def wrk(url: str, cookie: str, seconds: int = 8) -> float:
    out = subprocess.run(  # noqa: S603 (wrk found on PATH, our arguments)
        [
            shutil.which("wrk") or "wrk",
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors[1]} failed answers from {url}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])


def create_overhead(base: str, session: requests.Session, credential_id: int, rounds: int = 15):
    """Median ms a create through the app takes above the same provider call made directly,
    both against the sandbox holding each answer for 200 ms."""

    def slow_once() -> None:
        fault = {"provider": "mixpanel", "mode": "slow", "delay_ms": 200}
        requests.post(f"{base}/sandbox/_faults/", json=fault, timeout=5).raise_for_status()

    create = f"{base}/teams/big/connectors/new/mixpanel-s3/"
    session.get(create, timeout=30).raise_for_status()  # the CSRF cookie
    csrf = session.cookies["csrftoken"]
    direct_url = f"{base}/sandbox/api/app/projects/1/connectors"
    ours, direct = [], []
    for number in range(rounds + 2):  # the first two warm both paths
        slow_once()
        started = time.perf_counter()
        answer = requests.post(
            direct_url, json=S3_BODY, auth=("sa.bench", "bench-secret"), timeout=30
        )
        direct_ms = (time.perf_counter() - started) * 1000
        answer.raise_for_status()
        slow_once()
        form = {**S3_FORM, "credential": credential_id, "form_token": str(uuid.uuid4())}
        started = time.perf_counter()
        answer = session.post(
            create,
            data=form,
            headers={"X-CSRFToken": csrf, "Referer": create},
            allow_redirects=False,
            timeout=60,
        )
        ours_ms = (time.perf_counter() - started) * 1000
        if answer.status_code != 302:
            raise SystemExit(f"a create answered {answer.status_code}: {answer.text[:300]}")
        if number >= 2:
            ours.append(ours_ms)
            direct.append(direct_ms)
    return statistics.median(ours), statistics.median(direct)


def session_for(base: str, cookie: str) -> requests.Session:
    session = requests.Session()
    name, _, value = cookie.partition("=")
    session.cookies.set(name, value, domain="127.0.0.1")
    return session


def served_measures(database: str, cookie: str, credential_id: int, *, full: bool) -> dict:
    results: dict = {}
    with gunicorn(database) as (base, master):
        session = session_for(base, cookie)
        results["create"] = create_overhead(base, session, credential_id)
        if not full:
            return results
        results["wire"] = first_view(requests.Session(), base, "/accounts/login/")
        results["wire_list"] = first_view(session, base, "/teams/big/connectors/")
        paths = [
            "/teams/big/connectors/",
            "/teams/big/connectors/?q=bucket-42",
            "/teams/big/connectors/?provider=mixpanel&status=active&page=40",
            "/teams/big/",
            "/teams/big/credentials/",
            "/teams/big/audit/",
        ]
        for number in range(1000):
            session.get(base + paths[number % len(paths)], timeout=30).raise_for_status()
        results["rss"] = max(rss_mb(pid) for pid in workers(master))
        if shutil.which("wrk"):
            ours_url = f"{base}/teams/big/connectors/"
            stock_url = f"{base}/stock-admin/connectors/connector/"
            wrk(ours_url, cookie, 3), wrk(stock_url, cookie, 3)  # warm
            a, b = [], []
            for _ in range(2):
                a.append(wrk(ours_url, cookie))
                b.append(wrk(stock_url, cookie))
            results["throughput"] = (statistics.median(a), statistics.median(b))
    return results
