"""Set up connection: the pane, as a dialog fragment and as a full page."""

import json
import re

import pytest
from django.db import connection as db

from connections_admin.connections.crypto import decrypt_secrets
from connections_admin.connections.models import Connection

pytestmark = pytest.mark.django_db
NEW_SFTP = "/admin/connections/new/sftp/"
SECRET = "s3cr3t-Pa55-marker-9137"
HTMX = {"HX-Request": "true"}


def sftp_data(**overrides):
    data = {
        "display_name": "Partner SFTP",
        "hostname": "sftp.partner.example.com",
        "port": "22",
        "username": "exporter",
        "password": SECRET,
        "ssh_private_key": "",
        "export_folder": "outgoing/weekly",
        "compression": "gzipped",
        "field_delimiter": "comma",
        "consent": "on",
        "who_can_use": "admins",
    }
    data.update(overrides)
    return data


def test_add_connection_lists_the_types(admin_client):
    html = admin_client.get("/admin/connections/new/").content.decode()
    assert 'id="pane-title">Add connection<' in html
    assert 'href="/admin/connections/new/sftp/"' in html
    assert 'href="/admin/connections/new/leadspace/"' in html
    assert "mailchimp" not in html.lower()


def test_add_connection_control_on_the_list_opens_the_chooser(admin_client):
    html = admin_client.get("/admin/connections/").content.decode()
    assert 'href="/admin/connections/new/"' in html
    assert 'data-hx-get="/admin/connections/new/" data-hx-target="#pane-body"' in html


def test_pane_is_a_fragment_for_htmx_and_a_page_otherwise(admin_client):
    fragment = admin_client.get(NEW_SFTP, headers=HTMX).content.decode()
    page = admin_client.get(NEW_SFTP).content.decode()
    for html in (fragment, page):
        assert 'id="pane-title">Set up connection<' in html
        assert "Display name" in html and "I agree" in html and ">Save<" in html
        assert "At most 5 files per entity." in html
    assert "<html" not in fragment and "<html" in page


def test_pane_shows_the_fields_with_labels(admin_client):
    html = admin_client.get(NEW_SFTP).content.decode()
    for label in ["Hostname", "Port", "Username", "Password", "SSH private key", "Export folder"]:
        assert f">{label}:</label>" in html, label
    assert 'name="port" value="22"' in html


def test_microsoft_services_say_they_are_assumed_in_the_same_organization(admin_client):
    note = "assumed to be in the same organization"
    assert note in admin_client.get("/admin/connections/new/dynamics365_sales/").content.decode()
    assert note not in admin_client.get(NEW_SFTP).content.decode()


def test_consent_text_says_what_the_admin_agrees_to(admin_client):
    html = admin_client.get(NEW_SFTP).content.decode()
    assert "leave this platform" in html and "personal data" in html
    assert "remove the connection at any time" in html


def test_htmx_save_creates_closes_the_pane_and_refreshes(admin_client, admin_user):
    response = admin_client.post(NEW_SFTP, sftp_data(), headers=HTMX)
    assert response.status_code == 204
    events = json.loads(response["HX-Trigger"])
    assert "connections:changed" in events and "pane:close" in events
    assert events["console:message"]["text"] == "Connection “Partner SFTP” was set up."
    connection = Connection.objects.get()
    assert connection.type_key == "sftp"
    assert connection.settings["hostname"] == "sftp.partner.example.com"
    assert connection.settings["port"] == 22
    assert connection.consent_given_by == admin_user
    assert connection.consent_given_at is not None
    assert connection.created_by == admin_user
    assert connection.version == 1


def test_full_page_save_redirects_to_the_list_with_the_new_row_marked(admin_client):
    response = admin_client.post(NEW_SFTP, sftp_data(), follow=True)
    pk = Connection.objects.get().pk
    # newest first, so the new row is at the top; the fragment scrolls the page to it
    assert response.redirect_chain == [
        (f"/admin/connections/?sort=-created&created={pk}#connection-{pk}", 302)
    ]
    html = response.content.decode()
    assert "Connection “Partner SFTP” was set up." in html
    row = re.search(rf'<tr id="connection-{pk}"[^>]*>', html).group(0)
    assert 'class="row-created"' in row and 'aria-current="true"' in row


def test_set_up_from_discover_takes_the_admin_to_the_connections_tab(admin_client):
    """From a Discover tile the new connection is not on the page behind the pane: htmx
    loads the Connections tab, newest first, with the new row marked, at the top."""
    response = admin_client.post(
        NEW_SFTP,
        sftp_data(),
        headers={**HTMX, "HX-Current-URL": "http://testserver/admin/connections/discover/"},
    )
    assert response.status_code == 204
    pk = Connection.objects.get().pk
    location = json.loads(response["HX-Location"])
    assert location["path"] == f"/admin/connections/?sort=-created&created={pk}"
    assert location["target"] == "#admin-connections"
    assert "show:window:top" in location["swap"]
    events = json.loads(response["HX-Trigger"])
    assert events["console:message"]["text"] == "Connection “Partner SFTP” was set up."
    assert "pane:close" in events
    # no refresh of the Discover tab racing the Connections tab into the same region
    assert "connections:changed" not in events


def test_set_up_from_the_connections_tab_refreshes_it_in_place(admin_client):
    response = admin_client.post(
        NEW_SFTP,
        sftp_data(),
        headers={**HTMX, "HX-Current-URL": "http://testserver/admin/connections/?q=Partner"},
    )
    assert response.status_code == 204 and "HX-Location" not in response
    assert "connections:changed" in json.loads(response["HX-Trigger"])


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_invalid_input_rerenders_the_pane_with_errors_and_saves_nothing(admin_client, headers):
    response = admin_client.post(
        NEW_SFTP,
        sftp_data(hostname="https://x.example.com", port="70000", consent=""),
        headers=headers,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter the hostname without a scheme such as https://." in html
    assert "Ensure this value is less than or equal to 65535." in html
    assert "Tick “I agree” to give your consent." in html
    assert 'aria-invalid="true"' in html
    assert ("<html" in html) is (not headers)
    assert SECRET not in html
    assert Connection.objects.count() == 0


def test_display_name_is_unique_case_insensitively(admin_client):
    admin_client.post(NEW_SFTP, sftp_data())
    response = admin_client.post(NEW_SFTP, sftp_data(display_name="PARTNER sftp"))
    assert "A connection with this display name already exists." in response.content.decode()
    assert Connection.objects.count() == 1


def test_secret_is_encrypted_at_rest_and_in_no_response(admin_client):
    admin_client.post(NEW_SFTP, sftp_data())
    connection = Connection.objects.get()
    with db.cursor() as cursor:
        cursor.execute("SELECT * FROM connections_connection")
        raw = repr(cursor.fetchall())
    assert SECRET not in raw
    assert decrypt_secrets(connection.secrets_encrypted) == {"password": SECRET}
    assert connection.secret_names == ["password"]
    pages = [
        "/admin/connections/",
        "/admin/connections/discover/",
        f"/admin/connections/{connection.pk}/edit/",
        f"/admin/connections/{connection.pk}/remove/",
        "/exports/",
        "/enrichments/",
    ]
    for url in pages:
        for headers in ({}, HTMX):
            response = admin_client.get(url, headers=headers)
            assert response.status_code == 200
            assert SECRET not in response.content.decode(), url
            assert SECRET not in str(response.headers), url


def test_unknown_field_values_are_ignored(admin_client):
    admin_client.post(NEW_SFTP, sftp_data(settings="{}", type_key="leadspace", version="7"))
    connection = Connection.objects.get()
    assert connection.type_key == "sftp" and connection.version == 1
    assert set(connection.settings) == {
        "hostname",
        "port",
        "username",
        "export_folder",
        "compression",
        "field_delimiter",
    }
