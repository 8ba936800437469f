"""Settings for the server bench/served.py starts: the test settings, served as in production
(DEBUG off, collected and compressed static files), with the stock admin beside the app."""

import os

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "bench.stock_admin"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATABASES["default"]["CONN_MAX_AGE"] = SERVED_CONN_MAX_AGE  # noqa: F405 (as in production)
