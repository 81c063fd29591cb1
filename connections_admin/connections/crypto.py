"""Secrets at rest: MultiFernet over settings.CONNECTIONS_SECRET_KEYS (newest first).

A connection's secrets are one JSON object encrypted into one Fernet token. The
first key encrypts; any configured key decrypts, so keys can be rotated.
"""

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretsUnreadable(Exception):
    """No configured key opens the stored secrets."""


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("CONNECTIONS_SECRET_KEYS holds no key.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "CONNECTIONS_SECRET_KEYS must hold url-safe base64 Fernet keys of 32 bytes."
        ) from error


def _fernet() -> MultiFernet:
    return _multifernet(tuple(settings.CONNECTIONS_SECRET_KEYS))


def encrypt_secrets(values: dict[str, str]) -> str:
    """Encrypt a mapping of secret name to value; an empty mapping encrypts to ''."""
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode("ascii")


def rotate_token(token: str) -> str:
    """Re-encrypt a token under the newest key (raises SecretsUnreadable if no key opens it)."""
    if not token:
        return token
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise SecretsUnreadable(
            "No key in CONNECTIONS_SECRET_KEYS opens this connection's secrets."
        ) from error


def secrets_readable(token: str) -> bool:
    try:
        decrypt_secrets(token)
    except SecretsUnreadable:
        return False
    return True


def decrypt_secrets(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode("ascii")))
    except InvalidToken as error:
        raise SecretsUnreadable(
            "No key in CONNECTIONS_SECRET_KEYS opens this connection's secrets."
        ) from error
