import pytest
from cryptography.fernet import Fernet

from connections_admin.connections.crypto import (
    SecretsUnreadable,
    decrypt_secrets,
    encrypt_secrets,
)


def test_round_trip_and_empty():
    token = encrypt_secrets({"password": "p@ss"})
    assert "p@ss" not in token
    assert decrypt_secrets(token) == {"password": "p@ss"}
    assert encrypt_secrets({}) == "" and decrypt_secrets("") == {}


def test_old_key_still_decrypts_after_a_new_key_is_put_first(settings):
    old = settings.CONNECTIONS_SECRET_KEYS[0]
    token = encrypt_secrets({"api_key": "k"})
    settings.CONNECTIONS_SECRET_KEYS = [Fernet.generate_key().decode(), old]
    assert decrypt_secrets(token) == {"api_key": "k"}
    new_token = encrypt_secrets({"api_key": "k"})
    settings.CONNECTIONS_SECRET_KEYS = settings.CONNECTIONS_SECRET_KEYS[:1]
    assert decrypt_secrets(new_token) == {"api_key": "k"}  # encrypted with the newest key
    with pytest.raises(SecretsUnreadable):
        decrypt_secrets(token)


def test_malformed_key_is_a_clear_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.CONNECTIONS_SECRET_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="Fernet keys"):
        encrypt_secrets({"x": "y"})
