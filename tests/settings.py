"""Test settings: the project's settings with test defaults for what production must set."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "django-insecure-test-only-" + "t" * 40)
# A fixed throwaway key that exists only for the test suite.
os.environ.setdefault("CREDENTIAL_KEYS", "dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LTEyMzQ=")
os.environ.setdefault("SANDBOX", "true")
os.environ.setdefault("PROVIDER_READ_TIMEOUT", "1")  # how long a lost answer is waited for
os.environ.setdefault("PROVIDER_CONNECT_TIMEOUT", "2")
os.environ.setdefault("PROVIDER_RETRY_BACKOFF", "0.02")  # retries are tested, not waited for

from connectors_admin.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background work is queued, not run: tests run what they need (the `tasks` fixture), and the
# worker test runs the real db_worker on the "db" backend.
TASKS = {
    "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"},
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

# The suite's threads (the live server's, and tests that race two requests) end without closing
# their connections: kept open, they would stop the test database from being dropped.
# bench/settings.py serves with the production setting.
SERVED_CONN_MAX_AGE = DATABASES["default"].get("CONN_MAX_AGE", 0)  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# SQLite: a file, not memory, so that the live server's threads open connections of their own
# (an in-memory database is one connection shared across threads, which Django's test server
# closes from a request thread while the live server stops, and warns).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One a process: two runs at once (two terminals, the bench) must not share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"connectors-test-{os.getpid()}.sqlite3")
    }
    # A throwaway database: commits need not wait for the disk.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA synchronous=OFF"  # noqa: F405
