"""Settings shared by every environment. Values come from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CONNECTIONS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# Fernet keys for connection secrets, newest first: encrypt with the first,
# decrypt with any. See connections_admin/connections/crypto.py.
CONNECTIONS_SECRET_KEYS = env_list("CONNECTIONS_SECRET_KEYS")

# Verify of HTTP API types: type key (or "<key>:token" for its token request) -> a base URL
# replacing the one the type declares (connection_types/http_checks.py). Settings only,
# never a form: the contract tests point it at a loopback stand-in.
CONNECTIONS_SERVICE_BASE_URLS: dict[str, str] = {}
# Verify of Azure Blob Storage / ADLS Gen2: the endpoint is https://ACCOUNT.blob.core.windows.net
# unless this template (with "{account}") says otherwise; settings only (tests: Azurite).
CONNECTIONS_AZURE_BLOB_ENDPOINT = ""
# Verify of Dynamics 365 and Azure Synapse, which are in the console's own organization:
# the console's app registration (client credentials), from the environment.
CONNECTIONS_MICROSOFT_APP = {
    "tenant_id": os.environ.get("CONNECTIONS_MICROSOFT_TENANT_ID", ""),
    "client_id": os.environ.get("CONNECTIONS_MICROSOFT_CLIENT_ID", ""),
    "client_secret": os.environ.get("CONNECTIONS_MICROSOFT_CLIENT_SECRET", ""),
}

# E-mail to the admins when a connection starts failing or recovers. SMTP from the
# environment; the local settings print mails to the console instead.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "connections-console@localhost")

# Outbound calls (connections_admin/outbound/): every address the product connects to
# must be global, unless it lies in one of these networks (comma-separated CIDRs,
# such as "127.0.0.0/8,10.20.0.0/16"). Empty: only public addresses are reached.
CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = env_list("CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS")
# A PEM file of extra CA certificates trusted for outbound TLS besides the system ones
# (a partner's private CA, or a test's own). Empty: the system CA bundle only.
CONNECTIONS_OUTBOUND_EXTRA_CA_FILE = os.environ.get("CONNECTIONS_OUTBOUND_EXTRA_CA_FILE", "")
# Tests only: host name -> list of IP strings, consulted before DNS. Never from the
# environment.
CONNECTIONS_OUTBOUND_TEST_HOSTS: dict[str, list[str]] = {}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "guardian",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "connections_admin.core",
    "connections_admin.accounts",
    "connections_admin.connection_types",
    "connections_admin.connections",
    "connections_admin.segments",
    "connections_admin.customers",
    "connections_admin.exports",
    "connections_admin.enrichments",
    "connections_admin.audit",
    "connections_admin.demo",  # last: it uses every other app, none uses it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "connections_admin.core.middleware.HtmxLoginRedirectMiddleware",
    "connections_admin.core.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Background work (Verify, export runs): Django's Tasks API through the django-tasks
# backport, stored in the database and run by `manage.py db_worker` processes. On
# PostgreSQL any number of workers on any number of machines share the queue (each task
# is claimed with SELECT ... FOR UPDATE SKIP LOCKED); on SQLite run one worker.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

ROOT_URLCONF = "connections_admin.urls"
WSGI_APPLICATION = "connections_admin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # partialdef/partial everywhere without {% load %}, as in Django 6.0.
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "connections_admin.accounts.context_processors.role",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent writers (gunicorn workers) wait for the write lock instead of
    # failing with "database is locked"; WAL lets readers go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT compilation: the console's queries are short, but PostgreSQL's cost
    # estimate for a sorted list page can cross jit_above_cost, and compiling then costs
    # more than running them (bench/RESULTS.md has the figures).
    # Set per connection, so it holds for any server; an "options" given elsewhere wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in attempts while an account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes): 5 failed sign-ins lock that username, and
# separately that address, for 15 minutes. A successful sign-in clears only that
# username's failures from that address (accounts/throttling.py): axes' own reset would
# clear every failure from the address, whoever they were against.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# django-guardian: no anonymous user object; anonymous users never get permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("kk", _("Kazakh"))]
LOCALE_PATHS = [BASE_DIR / "connections_admin" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Strict CSP: scripts and styles come from our own origin only; no inline
# script or style, no eval. htmx runs with allowEval off (see base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Every record is written once, by the root logger's handler: Django's own "django"
# logger would otherwise print it a second time under DEBUG (its console handler) before
# propagating it here. A 4xx is one line, without a traceback (core/log.py); the
# development server's request lines ("django.server") keep Django's own handler.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "console": {
            "()": "connections_admin.core.log.Formatter",
            "format": "%(levelname)s %(name)s: %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "console"}},
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Error reports (the DEBUG page of make run, mails to admins) hide secrets whatever
# DEBUG says: Django's own filter does nothing under DEBUG.
DEFAULT_EXCEPTION_REPORTER_FILTER = "connections_admin.core.debug.SecretsHiddenFilter"

# Bulk actions post one field per selected export; allow large selections.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
