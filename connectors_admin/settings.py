"""Settings, all read from the environment (a `.env` file beside manage.py is optional)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # git-ignored: dev database, dev credential key, demo login

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-dev-only-" + "x" * 40

# How many reverse proxies append to X-Forwarded-For in front of the app (0: none, REMOTE_ADDR is
# the client). Sign-in throttling and the audit trail count and keep the client's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "connectors_admin.core",
    "connectors_admin.accounts",
    "connectors_admin.credentials",
    "connectors_admin.connectors",
    "connectors_admin.sandbox",
    "connectors_admin.audit",
]

MIDDLEWARE = [
    "connectors_admin.core.requestid.RequestIdMiddleware",
    "connectors_admin.core.proxy.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files first: they need no page headers (a CSP on each would only add bytes).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that may answer early (a refused request's page), which needs them too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "connectors_admin.core.safety.RefuseControlCharactersMiddleware",
    # Pages are compressed (about 4x smaller). Django pads each compressed answer with random
    # bytes, which defeats BREACH's length oracle against the CSRF token in the page.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # django-htmx is used for this middleware and its response helpers only, which need no entry
    # in INSTALLED_APPS (its template tags and its own copy of htmx are unused: ours is vendored).
    "django_htmx.middleware.HtmxMiddleware",
    "connectors_admin.core.htmx.VaryOnHtmxMiddleware",
    "connectors_admin.core.privacy.PrivatePagesMiddleware",
    # A team that requires two-factor sends its members without it to set it up first.
    "connectors_admin.accounts.twofactor.TwoFactorRequiredMiddleware",
]

ROOT_URLCONF = "connectors_admin.urls"
WSGI_APPLICATION = "connectors_admin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "connectors_admin.accounts.context_processors.app",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # The app calls its own sandbox over HTTP from inside a request: writers must wait, not fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
else:
    # A PostgreSQL connection costs about 7 ms to open (password exchange, session set-up): a
    # worker keeps its connection between requests, checked before reuse after an error.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "connectors:home"
LOGOUT_REDIRECT_URL = "account_login"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Pages link to static files by their fingerprinted names ({% static %}); collectstatic keeps
# only those, so each worker's WhiteNoise indexes half as many files at start-up.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# --- Security headers -------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if env.bool("SECURE_SSL", default=False):
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = True


# --- Sign-in: django-allauth (accounts, two-factor, single sign-on) ----------------------------
ACCOUNT_ADAPTER = "connectors_admin.accounts.signin.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "connectors_admin.accounts.signin.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "connectors_admin.accounts.signin.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # accounts come from invitations, operators or SSO
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True  # password and two-factor changes are mailed to the owner
ACCOUNT_SESSION_REMEMBER = None  # the user chooses "remember me"
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
LOGIN_ATTEMPTS = env.int("LOGIN_ATTEMPTS", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=5)
ACCOUNT_RATE_LIMITS = {
    # Failed sign-ins: 10 a minute from one address, LOGIN_ATTEMPTS per account in the
    # lock-out window. Successful ones are not counted.
    "login_failed": f"10/m/ip,{LOGIN_ATTEMPTS}/{LOGIN_LOCKOUT_MINUTES * 60}s/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,3/5m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
}
MFA_ADAPTER = "connectors_admin.accounts.signin.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Connectors Admin"
# Passkeys need a secure origin; http://127.0.0.1 is allowed only while developing.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # a sign-in through SSO starts with a POST (CSRF-protected)
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an SSO email never takes over a local account
SOCIALACCOUNT_STORE_TOKENS = False


def _read_secret(name: str) -> str:
    """`NAME`, or the contents of the file named by `NAME_FILE` (a mounted secret)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE cannot be read ({error.strerror}).") from None
    return env.str(name, default="")


def _oidc_apps() -> list[dict]:
    """OpenID Connect providers from OIDC_PROVIDERS (ids, comma-separated) and, for each id,
    OIDC_<ID>_ISSUER, OIDC_<ID>_CLIENT_ID, OIDC_<ID>_CLIENT_SECRET (or ..._SECRET_FILE), an
    optional OIDC_<ID>_NAME shown on the sign-in button, and OIDC_<ID>_AUTHORIZE_URL when the
    discovery document's authorization endpoint is on another host than the issuer (the CSP
    must let the button's redirect go there)."""
    apps = []
    for provider_id in env.list("OIDC_PROVIDERS", default=[]):
        prefix = "OIDC_" + re.sub(r"[^A-Z0-9]", "_", provider_id.upper())
        issuer = env.str(f"{prefix}_ISSUER", default="").rstrip("/")
        client_id = env.str(f"{prefix}_CLIENT_ID", default="")
        missing = [
            f"{prefix}_{part}"
            for part, value in (("ISSUER", issuer), ("CLIENT_ID", client_id))
            if not value
        ]
        if missing:
            raise ImproperlyConfigured(f"OIDC provider {provider_id!r} needs {', '.join(missing)}.")
        authorize = env.str(f"{prefix}_AUTHORIZE_URL", default="")
        apps.append(
            {
                "provider_id": provider_id,
                "name": env.str(f"{prefix}_NAME", default=provider_id),
                "client_id": client_id,
                "secret": _read_secret(f"{prefix}_CLIENT_SECRET"),
                "settings": {
                    "server_url": issuer,
                    "oauth_pkce_enabled": True,
                    "fetch_userinfo": True,
                    # Where the sign-in button sends people, when not on the issuer's host.
                    "authorize_url": authorize,
                },
            }
        )
    return apps


SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": _oidc_apps(), "OAUTH_PKCE_ENABLED": True}}


def sso_origins(apps: list[dict]) -> list[str]:
    """The identity providers' origins: the SSO button's POST is redirected there, and browsers
    hold redirects after a form to the CSP's form-action."""
    origins = []
    for app in apps:
        for url in (app["settings"]["server_url"], app["settings"].get("authorize_url")):
            if url:
                parts = urlsplit(url)
                origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


SECURE_CSP["form-action"] = [
    CSP.SELF,
    *sso_origins(SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]),
]


# Sign-in throttling counts in the cache: the database's, so every worker shares the counts.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://connectors_admin_cache")}


# --- Credential encryption --------------------------------------------------------------------
def _credential_keys() -> list[str]:
    keys = env.list("CREDENTIAL_KEYS", default=[])
    if keys:
        return keys
    if not DEBUG:
        raise ImproperlyConfigured(
            "CREDENTIAL_KEYS must be set when DEBUG is off (comma-separated Fernet keys; "
            "the first encrypts, all decrypt)."
        )
    # Development only: one key generated into a git-ignored file, reused from then on.
    from cryptography.fernet import Fernet

    key_file = VAR_DIR / "dev-credential-key"
    if not key_file.exists():
        VAR_DIR.mkdir(exist_ok=True)
        key_file.write_text(Fernet.generate_key().decode() + "\n")
        key_file.chmod(0o600)
    return [key_file.read_text().strip()]


CREDENTIAL_KEYS = _credential_keys()

# --- Providers and the sandbox ----------------------------------------------------------------
SANDBOX = env.bool("SANDBOX", default=False)
PORT = env.int("PORT", default=8000)
SANDBOX_URL = env.str("SANDBOX_URL", default=f"http://127.0.0.1:{PORT}")

# A URL variable that is set always wins; unset, it points at the sandbox when SANDBOX is on and
# at the real host otherwise. A base URL is scheme, host and port: clients append the paths.
_PROVIDER_HOSTS = {
    "MIXPANEL_API_URL": "https://mixpanel.com",
    "MIXPANEL_EU_API_URL": "https://eu.mixpanel.com",
    "MIXPANEL_IN_API_URL": "https://in.mixpanel.com",
    "AISQUARED_API_URL": "https://api.squared.ai",
    "VIDEOVECTOR_API_URL": "https://api.vectormethods.com",
    "UPSTASH_API_URL": "https://api.upstash.com",
}
for _name, _host in _PROVIDER_HOSTS.items():
    globals()[_name] = env.str(_name, default="") or ("" if SANDBOX else _host)

# AWS regions opened since the release's list (providers/naming.py): "code" or "code=Name" each,
# accepted wherever a form asks for an AWS region.
AWS_EXTRA_REGIONS = env.list("AWS_EXTRA_REGIONS", default=[])

# Servers operators list for a provider (AISQUARED_INSTANCES, say) are read from the environment
# by the provider's own declaration (providers.base.Instances); a setting of the same name wins.


# --- Mail (invitations): the console in development, SMTP from EMAIL_URL in production ----------
def _mailer(url: str) -> dict:
    """MAILERS' default from an EMAIL_URL such as smtp+tls://user:password@host:587."""
    parsed = environ.Env.email_url_config(url)
    options = {
        "host": parsed.get("EMAIL_HOST"),
        "port": parsed.get("EMAIL_PORT"),
        "username": parsed.get("EMAIL_HOST_USER") or None,
        "password": parsed.get("EMAIL_HOST_PASSWORD") or None,
        "use_tls": parsed.get("EMAIL_USE_TLS", False),
        "use_ssl": parsed.get("EMAIL_USE_SSL", False),
    }
    backend = parsed["EMAIL_BACKEND"]
    if not backend.endswith("smtp.EmailBackend"):
        options = {}
    return {"BACKEND": backend, "OPTIONS": {k: v for k, v in options.items() if v is not None}}


MAILERS = {
    "default": _mailer(
        env.str("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
    )
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Connectors Admin <noreply@localhost>")
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)

# --- Background work: Django's tasks framework on the database (`manage.py db_worker`) -------------
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Lists count their rows up to this many; past it they say "10,000+" and page on without a count.
LIST_COUNT_CAP = env.int("LIST_COUNT_CAP", default=10_000)
STATUS_REFRESH_MINUTES = env.int("STATUS_REFRESH_MINUTES", default=15)
# The most scheduled refreshes waiting in the queue at once: each run tops the queue up to this
# many, the longest unrefreshed first, so a big fleet is refreshed in turn at the pace of the
# workers instead of piling up.
STATUS_REFRESH_LIMIT = env.int("STATUS_REFRESH_LIMIT", default=1000)
CREDENTIAL_RETEST_HOURS = env.int("CREDENTIAL_RETEST_HOURS", default=24)
# Background reads that found nothing new (Submission.routine) are kept this many days, then
# go with their exchanges; 0 keeps them. Everything else is kept for ever.
ROUTINE_READS_KEPT_DAYS = env.int("ROUTINE_READS_KEPT_DAYS", default=7)

PROVIDER_CONNECT_TIMEOUT = env.float("PROVIDER_CONNECT_TIMEOUT", default=5.0)
PROVIDER_READ_TIMEOUT = env.float("PROVIDER_READ_TIMEOUT", default=30.0)
# Seconds before the first retry of a call safe to repeat (a GET after a 5xx); doubled after.
PROVIDER_RETRY_BACKOFF = env.float("PROVIDER_RETRY_BACKOFF", default=0.25)

# --- Logging: ids and statuses only, never payloads ---------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "connectors_admin.core.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        # Standard error, so a server's own log collects it.
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "loggers": {
        "connectors_admin": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
        # Django's request errors (a 500 with its traceback), with the request id to find it.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
