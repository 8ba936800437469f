"""Settings of the test OpenID Connect provider: its own tiny Django project, not ours.

serve.py fills in the environment variables below before Django starts: the base URL (it knows
the port only once it has bound the socket), the SQLite path and the RSA signing key.
"""

import os
import secrets

BASE_URL = os.environ["OIDC_PROVIDER_BASE_URL"]  # http://127.0.0.1:<port>
ISSUER = f"{BASE_URL}/o"

SECRET_KEY = secrets.token_urlsafe(50)  # a fresh one per run: nothing here outlives the process
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.oidc_provider.urls"
LOGIN_URL = "/login/"

DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["OIDC_PROVIDER_DB"]}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A throwaway database: create the tables straight from the models (migrate --run-syncdb),
# which takes ~0.1 s where replaying the 37 migrations takes ~3 s.
MIGRATION_MODULES = {app.rpartition(".")[2]: None for app in INSTALLED_APPS}

# DOT hashes client secrets with the first password hasher; PBKDF2 would cost ~0.5 s on every
# login and every token request, so use a fast one (still hashed at rest, as DOT 3 does).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_TEMPLATE = """<!doctype html>
<title>Loopback OpenID provider: sign in</title>
<link rel="icon" href="data:,">
<form method="post">{% csrf_token %}
  {% if form.errors %}<p class="errors">Invalid username or password.</p>{% endif %}
  <input type="hidden" name="next" value="{{ next }}">
  <label>Username <input name="username" autocomplete="username"></label>
  <label>Password <input type="password" name="password" autocomplete="current-password"></label>
  <button type="submit">Sign in</button>
</form>
"""
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                ("django.template.loaders.locmem.Loader", {"login.html": LOGIN_TEMPLATE}),
                # DOT's own templates: its authorization error page.
                "django.template.loaders.app_directories.Loader",
            ],
        },
    }
]
STATIC_URL = "/static/"  # DOT's base template uses {% static %}

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": os.environ["OIDC_PROVIDER_RSA_KEY"],
    # Without this DOT derives the issuer from each request's Host header.
    "OIDC_ISS_ENDPOINT": ISSUER,
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.urls.ClaimsValidator",
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Your username",
        "email": "Your email address",
    },
    "DEFAULT_SCOPES": ["openid"],
    # DOT 3 requires PKCE by default; a relying party may or may not send it (S256 still works).
    "PKCE_REQUIRED": False,
    # http redirect URIs (http://testserver/...) are allowed by this default; spelled out.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    # A registered http://localhost/... redirect URI matches any port, as 127.0.0.1 always does:
    # live_server (pytest-django's default address is localhost) picks its port at run time.
    "ALLOW_LOCALHOST_LOOPBACK": True,
}

# Errors go to stderr, which the fixture shows when the provider fails to start.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "WARNING"},
        "oauth2_provider": {"handlers": ["stderr"], "level": "WARNING"},
    },
}
