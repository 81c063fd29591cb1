import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from connections_admin.connections.crypto import decrypt_secrets
from connections_admin.connections.models import Connection
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


def new_key() -> str:
    return Fernet.generate_key().decode()


def test_rotation_lets_the_old_key_be_dropped(settings, capsys):
    old = settings.CONNECTIONS_SECRET_KEYS[0]
    connections = ConnectionFactory.create_batch(3)
    Connection.objects.create(display_name="No secrets", type_key="azure_synapse")
    newest = new_key()
    settings.CONNECTIONS_SECRET_KEYS = [newest, old]

    call_command("rotate_connection_keys", batch_size=2)

    assert "Re-encrypted the secrets of 3 connection(s)." in capsys.readouterr().out
    settings.CONNECTIONS_SECRET_KEYS = [newest]  # the old key is gone
    for connection in connections:
        connection.refresh_from_db()
        assert decrypt_secrets(connection.secrets_encrypted) == {
            "password": "factory-sftp-password"
        }


def test_unreadable_secrets_are_reported_and_never_overwritten(settings, capsys):
    foreign = ConnectionFactory(display_name="Foreign key")
    settings.CONNECTIONS_SECRET_KEYS = [new_key()]
    readable = ConnectionFactory(display_name="Readable")
    before = Connection.objects.get(pk=foreign.pk).secrets_encrypted
    settings.CONNECTIONS_SECRET_KEYS = [new_key(), *settings.CONNECTIONS_SECRET_KEYS]

    with pytest.raises(CommandError, match="1 connection\\(s\\) could not be decrypted"):
        call_command("rotate_connection_keys")

    assert f"connection {foreign.pk} (Foreign key)" in capsys.readouterr().err
    assert Connection.objects.get(pk=foreign.pk).secrets_encrypted == before
    readable.refresh_from_db()
    settings.CONNECTIONS_SECRET_KEYS = settings.CONNECTIONS_SECRET_KEYS[:1]
    assert decrypt_secrets(readable.secrets_encrypted) == {"password": "factory-sftp-password"}


def test_a_connection_no_key_opens_shows_a_clear_error_not_a_crash(admin_client, settings):
    connection = ConnectionFactory(display_name="Lost key")
    settings.CONNECTIONS_SECRET_KEYS = [new_key()]
    for url in ("/admin/connections/", f"/admin/connections/{connection.pk}/edit/"):
        response = admin_client.get(url)
        assert response.status_code == 200
    html = admin_client.get(f"/admin/connections/{connection.pk}/edit/").content.decode()
    assert "cannot be read with the configured keys" in html
