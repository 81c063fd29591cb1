"""Adding, editing, disconnecting and removing exports, by role and by sharing."""

import re

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections_admin.accounts.roles import Role
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import Audience, Sharing, set_sharing
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, ExportFactory, SegmentFactory

pytestmark = pytest.mark.django_db

MARKERS = {
    "hostname": "host-marker.example.com",
    "port": 2222,
    "username": "user-marker",
    "password": "password-marker",
    "export_folder": "folder-marker",
    "compression": "gzipped",
    "field_delimiter": "pipe",
}


def shared_connection(name="Shared drop", **kwargs):
    connection = ConnectionFactory(display_name=name, values=dict(MARKERS), **kwargs)
    set_sharing(connection, Sharing(Audience.CONTRIBUTORS))
    return connection


def export_data(to, segment, **overrides):
    data = {
        "connection": to.pk if to else "",
        "name": "Weekly churn",
        "segments": [segment.pk],
        "fields": ["email", "first_name"],
        "schedule": "weekly",
        "schedule_time": "06:30",
        "schedule_weekday": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def contributor(as_role):
    return as_role(Role.CONTRIBUTOR)


@pytest.fixture
def segment():
    return SegmentFactory(name="Churn risk")


# --- who may do what ---------------------------------------------------------------------


def change_urls(export):
    return [
        "/exports/new/",
        f"/exports/{export.pk}/edit/",
        f"/exports/{export.pk}/disconnect/",
        f"/exports/{export.pk}/remove/",
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in(client, method):
    export = ExportFactory()
    for url in [*change_urls(export), "/exports/connection-options/"]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("method", ["get", "post"])
def test_viewer_may_change_nothing(as_role, method):
    export = ExportFactory(connection=shared_connection())
    client = as_role(Role.VIEWER)
    for url in [*change_urls(export), "/exports/connection-options/"]:
        assert getattr(client, method)(url).status_code == 403, url
    export.refresh_from_db()
    assert export.connection is not None and Export.objects.count() == 1


def test_viewer_sees_no_actions(as_role):
    ExportFactory(connection=shared_connection())
    html = as_role(Role.VIEWER).get("/exports/").content.decode()
    assert "Add export" not in html and "/edit/" not in html and "View only" in html


def test_contributor_manages_exports_on_shared_connections_whoever_made_them(
    contributor, admin_user
):
    export = ExportFactory(connection=shared_connection(), created_by=admin_user)
    for url in change_urls(export):
        assert contributor.get(url).status_code == 200, url
    html = contributor.get("/exports/").content.decode()
    assert "You can edit" in html and f"/exports/{export.pk}/edit/" in html


def test_exports_on_other_connections_are_view_only_for_contributors(contributor, segment):
    private = ConnectionFactory(display_name="Admins only")
    export = ExportFactory(connection=private, name="Private export")
    html = contributor.get("/exports/").content.decode()
    row = html[html.index("Private export") :].split("</tr>")[0]
    assert "View only" in row and "/edit/" not in row
    for url in change_urls(export)[1:]:
        assert contributor.get(url).status_code == 403, url
        assert contributor.post(url).status_code == 403, url
    response = contributor.post(
        f"/exports/{export.pk}/edit/", export_data(private, segment, name="Hijacked")
    )
    assert response.status_code == 403
    export.refresh_from_db()
    assert export.name == "Private export" and export.connection == private


def test_admin_manages_every_export(admin_client):
    export = ExportFactory(connection=ConnectionFactory())
    for url in change_urls(export):
        assert admin_client.get(url).status_code == 200, url


# --- adding ------------------------------------------------------------------------------


def test_contributor_adds_an_export_on_a_shared_connection(contributor, segment):
    connection = shared_connection()
    response = contributor.post("/exports/new/", export_data(connection, segment), follow=True)
    assert "Export “Weekly churn” was added." in response.content.decode()
    export = Export.objects.get()
    assert export.connection == connection and export.is_active
    assert list(export.segments.all()) == [segment]
    assert export.fields == ["email", "first_name"]
    assert (export.schedule, str(export.schedule_time), export.schedule_weekday) == (
        "weekly",
        "06:30:00",
        0,
    )
    assert export.last_run_at is None  # saving does not run it
    assert export.created_by.username.startswith("contributor")


def test_posting_an_unshared_connection_is_a_form_error(contributor, segment):
    private = ConnectionFactory()
    response = contributor.post("/exports/new/", export_data(private, segment))
    assert response.status_code == 200
    assert "Choose one of the connections you may use for exports." in response.content.decode()
    assert not Export.objects.exists()


def test_posting_an_enrichment_connection_is_a_form_error(admin_client, segment):
    enrichment = ConnectionFactory(type_key="leadspace", values={"token": "t"})
    response = admin_client.post("/exports/new/", export_data(enrichment, segment))
    assert "Choose one of the connections you may use for exports." in response.content.decode()
    assert not Export.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"connection": ""}, "Choose a connection for the export."),
        ({"connection": "999999"}, "Choose one of the connections you may use for exports."),
        ({"connection": "abc"}, "Choose one of the connections you may use for exports."),
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 101}, "Ensure this value has at most 100 characters"),
        ({"segments": []}, "Choose at least one segment to send."),
        ({"segments": ["999999"]}, "Choose segments from the list."),
        ({"segments": ["nope"]}, "Choose segments from the list."),
        ({"fields": []}, "Choose at least one field to send."),
        ({"fields": ["password_hash"]}, "Choose fields from the list."),
        ({"schedule": "monthly"}, "Select a valid choice."),
        ({"schedule": "daily", "schedule_time": ""}, "Give the time to run it at."),
        ({"schedule_time": "25:00"}, "Enter a valid time."),
        ({"schedule_weekday": ""}, "Choose the day of the week to run it on."),
        ({"schedule_weekday": "9"}, "Select a valid choice."),
    ],
)
def test_bad_input_gives_a_field_error_and_saves_nothing(
    contributor, segment, overrides, field_error
):
    response = contributor.post(
        "/exports/new/", export_data(shared_connection(), segment, **overrides)
    )
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not Export.objects.exists()


def test_duplicate_export_name_is_a_field_error(contributor, segment):
    ExportFactory(name="Weekly Churn")
    response = contributor.post(
        "/exports/new/", export_data(shared_connection(), segment, name="weekly churn")
    )
    assert "An export with this name already exists." in response.content.decode()
    assert Export.objects.count() == 1


def test_hourly_and_refresh_schedules_drop_time_and_day(contributor, segment):
    contributor.post("/exports/new/", export_data(shared_connection(), segment, schedule="hourly"))
    export = Export.objects.get()
    assert (export.schedule, export.schedule_time, export.schedule_weekday) == (
        "hourly",
        None,
        None,
    )


# --- what a contributor sees of a connection ---------------------------------------------


def test_contributor_sees_only_display_name_and_type_of_shared_connections(contributor):
    connection = shared_connection("Partner drop")
    ExportFactory(connection=connection)
    ConnectionFactory(display_name="Hidden admin connection")
    pages = [
        contributor.get("/exports/"),
        contributor.get("/exports/new/"),
        contributor.get(f"/exports/{connection.exports.get().pk}/edit/"),
        contributor.get("/exports/connection-options/", headers={"HX-Request": "true"}),
    ]
    for response in pages:
        html = response.content.decode()
        assert "Partner drop" in html and "SFTP" in html
        for value in MARKERS.values():
            if isinstance(value, str) and "marker" in value:
                assert value not in html
        assert "Hidden admin connection" not in html
        assert "2222" not in html


# --- the connection control stays usable with thousands --------------------------------


def many_shared(count, start=0):
    connections = Connection.objects.bulk_create(
        Connection(display_name=f"Drop {start + i:04d}", type_key="sftp") for i in range(count)
    )
    for connection in connections:
        set_sharing(connection, Sharing(Audience.CONTRIBUTORS))


def test_connection_choices_are_capped_and_searchable(contributor):
    many_shared(30)
    html = contributor.get("/exports/new/").content.decode()
    assert html.count('name="connection"') == 20
    assert "Showing 20 of 30 connections" in html
    fragment = contributor.get(
        "/exports/connection-options/",
        {"connection_q": "Drop 0027"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "<html" not in fragment
    assert re.findall(r"> (Drop \d+) <", fragment) == ["Drop 0027"]


def test_chosen_connection_stays_listed_when_the_search_hides_it(contributor):
    many_shared(3)
    chosen = Connection.objects.get(display_name="Drop 0001")
    fragment = contributor.get(
        "/exports/connection-options/",
        {"connection_q": "Drop 0002", "connection": chosen.pk},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert re.findall(r"> (Drop \d+) <", fragment) == ["Drop 0001", "Drop 0002"]
    assert re.search(rf'value="{chosen.pk}" checked', fragment)


def test_without_javascript_find_keeps_what_was_typed(contributor, segment):
    many_shared(25)
    data = export_data(None, segment, name="Typed name", connection_q="Drop 0024")
    data["find_connection"] = "1"
    html = contributor.post("/exports/new/", data).content.decode()
    assert 'value="Typed name"' in html
    assert re.findall(r"> (Drop \d+) <", html) == ["Drop 0024"]
    assert "errorlist" not in html
    assert not Export.objects.exists()


def test_connection_options_without_htmx_go_to_the_form(contributor):
    response = contributor.get("/exports/connection-options/", {"connection_q": "x"})
    assert response["Location"] == "/exports/new/?connection_q=x"


def test_connection_choices_run_the_same_queries_with_5_and_200(contributor):
    many_shared(5)
    contributor.get("/exports/new/")
    with CaptureQueriesContext(db) as small:
        contributor.get("/exports/new/")
    many_shared(195, start=5)
    with CaptureQueriesContext(db) as large:
        contributor.get("/exports/new/")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_exports_list_runs_the_same_queries_with_5_and_200(contributor):
    connection = shared_connection()
    ExportFactory.create_batch(3, connection=connection)
    ExportFactory.create_batch(2, connection=ConnectionFactory())
    contributor.get("/exports/")
    with CaptureQueriesContext(db) as small:
        contributor.get("/exports/")
    many_shared(20, start=100)
    Export.objects.bulk_create(
        Export(name=f"Bulk {i}", connection=c, fields=["email"], schedule="hourly")
        for i, c in enumerate(list(Connection.objects.all()) * 9)
    )
    with CaptureQueriesContext(db) as large:
        response = contributor.get("/exports/")
    assert Export.objects.count() >= 200
    assert len(small.captured_queries) == len(large.captured_queries)
    assert response.content.decode().count("You can edit") > 0


# --- disconnect, reattach, remove --------------------------------------------------------


def test_disconnect_keeps_the_configuration_and_reattaching_reactivates(contributor, segment):
    connection = shared_connection()
    contributor.post("/exports/new/", export_data(connection, segment))
    export = Export.objects.get()
    response = contributor.post(f"/exports/{export.pk}/disconnect/", follow=True)
    assert "was disconnected" in response.content.decode()
    export.refresh_from_db()
    assert export.connection is None and not export.is_active
    assert export.fields == ["email", "first_name"] and list(export.segments.all()) == [segment]
    row = contributor.get("/exports/").content.decode().split("Weekly churn")[1]
    assert "No connection" in row.split("</tr>")[0] and "Inactive" in row.split("</tr>")[0]

    other = shared_connection("Another drop")
    edit_page = contributor.get(f"/exports/{export.pk}/edit/").content.decode()
    assert "Choose a connection to make it active again." in edit_page
    contributor.post(f"/exports/{export.pk}/edit/", export_data(other, segment))
    export.refresh_from_db()
    assert export.connection == other and export.is_active


def test_unsharing_keeps_exports_but_makes_them_view_only(contributor, segment):
    connection = shared_connection()
    export = ExportFactory(connection=connection)
    set_sharing(connection, Sharing(Audience.ADMINS))
    export.refresh_from_db()
    assert export.connection == connection
    assert contributor.get(f"/exports/{export.pk}/edit/").status_code == 403


def test_remove_deletes_and_a_second_remove_is_harmless(contributor):
    export = ExportFactory(connection=shared_connection(), name="Old one")
    response = contributor.post(f"/exports/{export.pk}/remove/", follow=True)
    assert "Export “Old one” was removed." in response.content.decode()
    assert not Export.objects.exists()
    again = contributor.post(f"/exports/{export.pk}/remove/", follow=True)
    assert "That export was already removed." in again.content.decode()


def test_missing_export_is_404(contributor):
    assert contributor.get("/exports/999999/edit/").status_code == 404


# --- admins disconnect several exports from the Exports page ------------------------------


def test_admin_disconnects_selected_exports_from_the_list(admin_client):
    connection = ConnectionFactory()
    chosen = ExportFactory.create_batch(2, connection=connection)
    kept = ExportFactory(connection=connection)
    html = admin_client.get("/exports/").content.decode()
    assert 'form="bulk-disconnect"' in html and "Disconnect selected" in html
    response = admin_client.post(
        "/exports/disconnect/", {"export": [e.pk for e in chosen], "next": "/exports/?sort=-name"}
    )
    assert response["Location"] == "/exports/?sort=-name"
    assert Export.objects.filter(connection=None).count() == 2
    kept.refresh_from_db()
    assert kept.connection == connection


@pytest.mark.parametrize("ids", [[], ["x"], ["999999"], "inactive"])
def test_bulk_disconnect_with_bad_ids_changes_nothing(admin_client, ids):
    active = ExportFactory()
    if ids == "inactive":
        ids = [active.pk, ExportFactory(connection=None).pk]
    response = admin_client.post("/exports/disconnect/", {"export": ids}, follow=True)
    assert response.status_code == 200
    assert "Nothing was changed" in response.content.decode() or "Select at least one" in (
        response.content.decode()
    )
    active.refresh_from_db()
    assert active.connection is not None


def test_bulk_disconnect_never_redirects_off_site(admin_client):
    export = ExportFactory()
    response = admin_client.post(
        "/exports/disconnect/", {"export": [export.pk], "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/exports/"


def test_viewers_do_not_bulk_disconnect(as_role):
    # contributors may, for the exports they manage: tests/exports/test_view_and_bulk.py
    export = ExportFactory(connection=shared_connection())
    client = as_role(Role.VIEWER)
    assert client.post("/exports/disconnect/", {"export": [export.pk]}).status_code == 403
    assert 'form="bulk-disconnect"' not in client.get("/exports/").content.decode()
    export.refresh_from_db()
    assert export.connection is not None


def test_bulk_disconnect_is_post_only(admin_client):
    from django.test import Client

    assert admin_client.get("/exports/disconnect/").status_code == 405
    assert "/accounts/login/" in Client().post("/exports/disconnect/")["Location"]
