"""Production: every secret comes from the environment, or the process refuses to start."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, CONNECTIONS_SECRET_KEYS, SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", False)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ImproperlyConfigured(message)


_require(
    len(SECRET_KEY) >= 50,
    "SECRET_KEY must be set in the environment to a random value of at least 50 characters.",
)
_require(
    bool(CONNECTIONS_SECRET_KEYS),
    "CONNECTIONS_SECRET_KEYS must be set in the environment: comma-separated Fernet keys, "
    "newest first. Generate one with: python -c "
    '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"',
)
_require(bool(ALLOWED_HOSTS), "ALLOWED_HOSTS must be set in the environment (comma-separated).")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Static files are served by the application itself (whitenoise), compressed and with
# hashed names cached forever: run `manage.py collectstatic` before starting (`make serve` does).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
