"""The read-only View page of an export, and the bulk Disconnect for contributors."""

import re

import pytest
from django.contrib.messages import get_messages

from connections_admin.accounts.roles import Role
from connections_admin.connections.sharing import Audience, Sharing, set_sharing
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, ExportFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def shared(name="Shared drop"):
    connection = ConnectionFactory(display_name=name)
    set_sharing(connection, Sharing(Audience.CONTRIBUTORS))
    return connection


def private_export(name="Admin's export"):
    export = ExportFactory(
        connection=ConnectionFactory(display_name="Private SFTP"),
        name=name,
        fields=["email", "first_name"],
        schedule="weekly",
        schedule_time="06:30",
        schedule_weekday=2,
    )
    export.segments.add(SegmentFactory(name="Churn risk"))
    return export


def row_of(html, name):
    return html.split(f'<th scope="row">{name}</th>')[1].split("</tr>")[0]


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- View ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "head"])
def test_anonymous_is_sent_to_sign_in(client, method):
    response = getattr(client, method)(f"/exports/{private_export().pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.ADMIN])
@pytest.mark.parametrize("method", ["get", "head"])
def test_every_role_views_an_export(as_role, role, method):
    response = getattr(as_role(role), method)(f"/exports/{private_export().pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.ADMIN])
def test_view_is_read_only_and_post_is_refused(as_role, role):
    export = private_export()
    client = as_role(role)
    assert client.post(f"/exports/{export.pk}/").status_code == 405
    assert client.get("/exports/999999/").status_code == 404


def test_view_shows_the_settings_and_nothing_to_change(as_role):
    export = private_export()
    contributor = as_role(Role.CONTRIBUTOR)
    html = contributor.get(f"/exports/{export.pk}/").content.decode()
    main = html.split("<main")[1].split("</main>")[0]
    assert "<h1>Admin&#x27;s export</h1>" in main
    for text in ["Private SFTP", "SFTP", "Active", "Churn risk", "E-mail", "First name"]:
        assert text in main, text
    assert "Weekly" in main and "Wednesday" in main and "06:30" in main
    assert "<form" not in main and "<input" not in main and "<select" not in main
    assert "You may view this export but not change it" in main
    assert f'href="/exports/{export.pk}/runs/"' in main
    assert f"/exports/{export.pk}/edit/" not in main
    # and editing it is still refused
    assert contributor.get(f"/exports/{export.pk}/edit/").status_code == 403


def test_view_says_why_it_is_read_only(as_role):
    export = private_export()
    viewer = as_role(Role.VIEWER).get(f"/exports/{export.pk}/").content.decode()
    assert "your role lets you view exports only" in viewer
    assert "not shared with you" not in viewer
    contributor = as_role(Role.CONTRIBUTOR).get(f"/exports/{export.pk}/").content.decode()
    assert "it sends to a connection that is not shared with you" in contributor


def test_view_offers_edit_to_whoever_may_manage(admin_client):
    export = private_export()
    html = admin_client.get(f"/exports/{export.pk}/").content.decode()
    assert f'href="/exports/{export.pk}/edit/"' in html
    assert "You may view this export but not change it" not in html


def test_view_only_rows_link_to_the_view_page(as_role):
    export = private_export()
    mine = ExportFactory(connection=shared(), name="Mine")
    clients = {role: as_role(role) for role in (Role.VIEWER, Role.CONTRIBUTOR)}
    for client in clients.values():
        html = client.get("/exports/").content.decode()
        row = row_of(html, "Admin&#x27;s export")
        assert f'href="/exports/{export.pk}/"' in row and ">View<" in row
    html = clients[Role.CONTRIBUTOR].get("/exports/").content.decode()
    assert f'href="/exports/{mine.pk}/"' not in row_of(html, "Mine")  # Edit instead


# --- bulk Disconnect for contributors -----------------------------------------------------------


def test_contributor_gets_checkboxes_only_for_exports_they_manage(as_role):
    theirs = ExportFactory(connection=shared(), name="Mine")
    other = private_export()
    inactive = ExportFactory(connection=None, name="Parked")
    html = as_role(Role.CONTRIBUTOR).get("/exports/").content.decode()
    assert ">Disconnect selected</button>" in html
    assert "Run selected" not in html  # admins only
    boxes = re.findall(r'<input type="checkbox" name="export" value="(\d+)"', html)
    assert boxes == [str(theirs.pk)]
    assert str(other.pk) not in boxes and str(inactive.pk) not in boxes


def test_contributor_disconnects_selected_exports_they_manage(as_role):
    connection = shared()
    chosen = ExportFactory.create_batch(2, connection=connection)
    response = as_role(Role.CONTRIBUTOR).post(
        "/exports/disconnect/", {"export": [e.pk for e in chosen]}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["2 exports were disconnected. They keep their settings."]
    assert Export.objects.filter(connection=None).count() == 2


def test_contributor_cannot_disconnect_an_export_they_may_not_manage(as_role):
    mine = ExportFactory(connection=shared())
    other = private_export()
    response = as_role(Role.CONTRIBUTOR).post(
        "/exports/disconnect/", {"export": [mine.pk, other.pk]}
    )
    assert response.status_code == 302
    assert "Nothing was changed" in messages_of(response)[0]
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.connection is not None and other.connection is not None


def test_viewer_may_not_bulk_disconnect(as_role):
    export = ExportFactory(connection=shared())
    client = as_role(Role.VIEWER)
    assert client.post("/exports/disconnect/", {"export": [export.pk]}).status_code == 403
    assert 'form="bulk-disconnect"' not in client.get("/exports/").content.decode()
    export.refresh_from_db()
    assert export.connection is not None


def test_contributors_still_may_not_run_a_selection(as_role):
    export = ExportFactory(connection=shared())
    assert (
        as_role(Role.CONTRIBUTOR).post("/exports/run/", {"export": [export.pk]}).status_code == 403
    )
