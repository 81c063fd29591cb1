"""Test settings: throwaway keys, fast password hashing, the database from DATABASE_URL."""

from cryptography.fernet import Fernet

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 30
CONNECTIONS_SECRET_KEYS = [Fernet.generate_key().decode()]
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Tests never run collectstatic: whitenoise looks for files per request instead of
# scanning STATIC_ROOT at start-up (which warns "No directory at ..." on a clean clone).
WHITENOISE_AUTOREFRESH = True
# A test-only app with a third kind of thing that uses a connection (tests/dependant_kind).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.dependant_kind"]  # noqa: F405
