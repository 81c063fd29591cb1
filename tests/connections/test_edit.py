"""Edit: current values, write-only secrets, optimistic concurrency."""

import json

import asyncssh
import pytest

from connections_admin.connections.crypto import decrypt_secrets
from connections_admin.connections.models import Connection
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
OLD_SECRET = "factory-sftp-password"
# A key SSH can read: the form refuses any other.
KEY = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()


def edit_url(connection):
    return f"/admin/connections/{connection.pk}/edit/"


def edit_data(connection, **overrides):
    data = {
        "display_name": connection.display_name,
        **{k: v for k, v in connection.settings.items()},
        "password": "",
        "ssh_private_key": "",
        "version": connection.version,
        "who_can_use": "admins",
    }
    data.update(overrides)
    return data


def test_edit_pane_shows_current_values_and_says_a_secret_is_set(admin_client):
    connection = ConnectionFactory(display_name="Partner drop")
    for headers in ({}, HTMX):
        html = admin_client.get(edit_url(connection), headers=headers).content.decode()
        assert 'id="pane-title">Edit connection<' in html
        assert 'value="Partner drop"' in html
        assert 'value="sftp.example.com"' in html
        assert "A value is set. Leave this empty to keep it" in html
        assert OLD_SECRET not in html
        assert f'name="version" value="{connection.version}"' in html
        assert "I agree" not in html
        # the sentence ends with the name, never with a date's own full stop ("p.m..")
        consent = (
            f"Consent to the data transfer was given on {{}} by {connection.consent_given_by}."
        )
        assert consent.split("{}")[0] in html and consent.split("{}")[1] in html
        assert ("<html" in html) is (not headers)


def test_empty_secret_keeps_the_stored_one(admin_client):
    connection = ConnectionFactory()
    response = admin_client.post(
        edit_url(connection), edit_data(connection, hostname="sftp2.example.com"), headers=HTMX
    )
    assert response.status_code == 204
    assert json.loads(response["HX-Trigger"])["console:message"]["text"].endswith("was saved.")
    connection.refresh_from_db()
    assert connection.settings["hostname"] == "sftp2.example.com"
    assert decrypt_secrets(connection.secrets_encrypted) == {"password": OLD_SECRET}
    assert connection.version == 2


def test_new_secret_replaces_the_stored_one_and_keeps_the_others(admin_client):
    connection = ConnectionFactory()
    admin_client.post(edit_url(connection), edit_data(connection, ssh_private_key=KEY))
    connection.refresh_from_db()
    assert decrypt_secrets(connection.secrets_encrypted) == {
        "password": OLD_SECRET,
        "ssh_private_key": KEY,
    }
    admin_client.post(edit_url(connection), edit_data(connection, password="new-password"))
    connection.refresh_from_db()
    assert decrypt_secrets(connection.secrets_encrypted)["password"] == "new-password"
    assert connection.secret_names == ["password", "ssh_private_key"]


def test_stale_version_is_refused_and_changes_nothing(admin_client, make_user):
    from connections_admin.accounts.roles import Role

    connection = ConnectionFactory(display_name="Original")
    stale = edit_data(connection, display_name="Mine", password="mine-secret")
    other = make_user(Role.ADMIN, "bob-admin")
    other_client = admin_client.__class__()
    other_client.force_login(other)
    assert (
        other_client.post(
            edit_url(connection), edit_data(connection, display_name="Theirs")
        ).status_code
        == 302
    )

    response = admin_client.post(edit_url(connection), stale, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "bob-admin saved this connection after you opened it. Nothing was saved" in html
    assert "mine-secret" not in html
    connection.refresh_from_db()
    assert connection.display_name == "Theirs"
    assert connection.version == 2
    assert decrypt_secrets(connection.secrets_encrypted) == {"password": OLD_SECRET}


def test_renaming_to_another_connections_name_is_refused(admin_client):
    ConnectionFactory(display_name="Taken")
    connection = ConnectionFactory(display_name="Mine")
    response = admin_client.post(edit_url(connection), edit_data(connection, display_name="TAKEN"))
    assert "A connection with this display name already exists." in response.content.decode()
    connection.refresh_from_db()
    assert connection.display_name == "Mine"


def test_keeping_its_own_name_in_other_case_is_allowed(admin_client):
    connection = ConnectionFactory(display_name="Mine")
    admin_client.post(edit_url(connection), edit_data(connection, display_name="MINE"))
    connection.refresh_from_db()
    assert connection.display_name == "MINE"


def test_invalid_edit_rerenders_with_errors_and_changes_nothing(admin_client):
    connection = ConnectionFactory()
    response = admin_client.post(
        edit_url(connection),
        edit_data(connection, export_folder="Upper", password="typed-secret-4411"),
    )
    html = response.content.decode()
    assert "The export folder must be lowercase." in html
    assert "typed-secret-4411" not in html
    assert Connection.objects.get().version == 1


def test_missing_version_is_a_form_error(admin_client):
    connection = ConnectionFactory()
    data = edit_data(connection)
    del data["version"]
    response = admin_client.post(edit_url(connection), data)
    assert response.status_code == 200
    assert Connection.objects.get().version == 1


def test_unreadable_secrets_are_never_overwritten_silently(admin_client, settings):
    from cryptography.fernet import Fernet

    connection = ConnectionFactory()
    settings.CONNECTIONS_SECRET_KEYS = [Fernet.generate_key().decode()]
    html = admin_client.get(edit_url(connection)).content.decode()
    assert "A value is set" in html  # the page still renders
    response = admin_client.post(edit_url(connection), edit_data(connection, ssh_private_key="K"))
    assert "cannot be read with the configured keys" in response.content.decode()
    before = connection.secrets_encrypted
    connection.refresh_from_db()
    assert connection.secrets_encrypted == before and connection.version == 1


def _of_an_uninstalled_type(**kwargs):
    connection = ConnectionFactory(**kwargs)
    Connection.objects.filter(pk=connection.pk).update(type_key="acme_crm")
    return connection


EXPLANATION = "which no installed package provides any more"


def test_unknown_type_pane_is_answered_so_that_htmx_shows_it(admin_client):
    """htmx 2 swaps only 2xx answers: the pane explaining the unknown type comes with 200."""
    connection = _of_an_uninstalled_type(display_name="Old CRM")
    response = admin_client.get(edit_url(connection), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert EXPLANATION in html and "“Old CRM” is of type “acme_crm”" in html
    assert "<html" not in html  # the pane alone, for the dialog
    assert admin_client.post(edit_url(connection), {}, headers=HTMX).status_code == 200


def test_unknown_type_whole_page_keeps_409(admin_client):
    connection = _of_an_uninstalled_type()
    response = admin_client.get(edit_url(connection))
    assert response.status_code == 409
    html = response.content.decode()
    assert EXPLANATION in html and "<html" in html
