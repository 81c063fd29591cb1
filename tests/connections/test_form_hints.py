"""What the Set up / Edit connection form says beside its fields: the display name's
example for the type at hand, and, after a failed save, that a typed secret must be
typed again (said once, never next to the same words twice)."""

import re

import pytest

from connections_admin.connection_types.registry import registry
from tests.connections.test_edit import edit_data, edit_url
from tests.connections.test_setup import NEW_SFTP, SECRET, sftp_data
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
SFTP_EXAMPLE = "SFTP to the partner portal, weekly churn list"
RETYPE = "secrets are never sent back to the browser"


def field_group(html: str, name: str) -> str:
    """The markup of one field's group: from its label to its control."""
    match = re.search(
        rf'<label for="id_{name}">.*?<(?:input|textarea|select)[^>]*name="{name}"[^>]*>', html, re.S
    )
    assert match, f"no field {name}"
    return match.group(0)


def display_name_hint(html: str) -> str:
    match = re.search(r'<div class="helptext" id="id_display_name_helptext">(.*?)</div>', html)
    assert match, "no hint under Display name"
    return match.group(1)


# --- the display name's example -------------------------------------------------------------


@pytest.mark.parametrize("connection_type", list(registry), ids=lambda t: t.key)
def test_display_name_hint_gives_the_example_of_the_type(admin_client, connection_type):
    html = admin_client.get(f"/admin/connections/new/{connection_type.key}/").content.decode()
    hint = display_name_hint(html)
    assert str(connection_type.display_name_example) in hint
    if connection_type.key != "sftp":
        assert SFTP_EXAMPLE not in hint, hint


def test_azure_maps_is_not_offered_an_sftp_example(admin_client):
    hint = display_name_hint(
        admin_client.get("/admin/connections/new/azure_maps/").content.decode()
    )
    assert SFTP_EXAMPLE not in hint
    assert "Azure Maps" in hint


def test_edit_pane_gives_the_example_of_the_connections_type(admin_client):
    connection = ConnectionFactory(type_key="leadspace", values={"token": "tok-1"})
    hint = display_name_hint(admin_client.get(edit_url(connection)).content.decode())
    assert "Leadspace" in hint and "SFTP" not in hint


def test_every_type_declares_an_example_of_its_own():
    examples = [str(t.display_name_example) for t in registry]
    assert all(examples)
    assert len(set(examples)) == len(examples), "two types share one example"


# --- a typed secret after a failed save ------------------------------------------------------


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["pane", "page"])
def test_a_typed_secret_is_asked_for_again_after_a_failed_save(admin_client, headers):
    response = admin_client.post(NEW_SFTP, sftp_data(hostname="not a host"), headers=headers)
    html = response.content.decode()
    assert SECRET not in html
    password = field_group(html, "password")
    assert RETYPE in password
    assert 'aria-describedby="id_password_helptext' in password
    # the secret nobody typed says nothing of the kind
    assert RETYPE not in field_group(html, "ssh_private_key")


def test_no_word_about_secrets_when_none_was_typed(admin_client):
    html = admin_client.post(
        NEW_SFTP, sftp_data(hostname="not a host", password="", ssh_private_key="x")
    ).content.decode()
    assert RETYPE not in field_group(html, "password")


def test_no_word_about_secrets_before_a_save(admin_client):
    assert RETYPE not in admin_client.get(NEW_SFTP).content.decode()


def test_edit_says_a_typed_replacement_must_be_typed_again(admin_client):
    connection = ConnectionFactory()
    html = admin_client.post(
        edit_url(connection),
        edit_data(connection, hostname="not a host", password="new-Pa55-marker"),
        headers=HTMX,
    ).content.decode()
    assert "new-Pa55-marker" not in html
    password = field_group(html, "password")
    assert RETYPE in password
    # the stored value is still set, and the field does not claim otherwise twice
    assert "A value is set. Leave this empty to keep it" not in password
    # the other fields' hints stay
    assert "Lowercase, for example exports/customers." in field_group(html, "export_folder")


def test_an_error_that_repeats_the_hint_is_said_once(admin_client):
    for headers in (HTMX, {}):
        html = admin_client.post(
            NEW_SFTP, sftp_data(password="", ssh_private_key=""), headers=headers
        ).content.decode()
        password = field_group(html, "password")
        assert password.count("Give a password or an SSH private key.") == 1, password
        assert 'aria-invalid="true"' in password
        assert 'aria-describedby="id_password_error"' in password


def test_the_hint_stays_when_the_field_is_fine(admin_client):
    html = admin_client.get(NEW_SFTP).content.decode()
    assert "Give a password or an SSH private key." in field_group(html, "password")
