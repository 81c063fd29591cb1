"""History: the Activity page filtered to one object says whose history it is, shows that
filter and offers to clear it; links it cannot read or objects it knows nothing of are
explained, never a 500 and never a silently unfiltered list."""

import re

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections_admin.audit.models import AuditEntry
from connections_admin.exports.services import export_save
from tests.factories import ConnectionFactory, ExportFactory, SegmentFactory

pytestmark = pytest.mark.django_db
ACTIVITY = "/admin/activity/"
HTMX = {"HX-Request": "true"}


def history(client, kind, object_id, headers=None, **more):
    return client.get(ACTIVITY, {"kind": kind, "object_id": object_id, **more}, headers=headers)


def h1(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def test_the_row_menus_history_link_opens_a_page_headed_with_the_connections_name(
    admin_client,
):
    ConnectionFactory(display_name="First")
    second = ConnectionFactory(display_name="Second")
    listing = admin_client.get("/admin/connections/").content.decode()
    href = re.search(
        rf'href="(/admin/activity/\?kind=connection&amp;object_id={second.pk})"', listing
    )
    response = admin_client.get(href.group(1).replace("&amp;", "&"))
    html = response.content.decode()
    assert response.status_code == 200
    assert h1(html) == "History of “Second”"
    assert "<title>History of “Second”" in html
    assert "Showing only the history of “Second” (Connection)." in html
    assert f'<a href="{ACTIVITY}" data-hx-boost="false">Show all activity</a>' in html
    assert "Second" in html and "First" not in html


def test_the_filter_keeps_the_object_while_other_filters_change(admin_client):
    connection = ConnectionFactory(display_name="Drop")
    html = history(admin_client, "connection", connection.pk).content.decode()
    # The object travels with the form, hidden; no Object select that could contradict it.
    assert '<input type="hidden" name="kind" value="connection"' in html
    assert f'<input type="hidden" name="object_id" value="{connection.pk}"' in html
    assert '<select name="kind"' not in html
    narrowed = history(
        admin_client, "connection", connection.pk, action="consent_given"
    ).content.decode()
    assert "Showing only the history of “Drop” (Connection)." in narrowed
    assert "Consent given</td>" in narrowed and "Connection created</td>" not in narrowed


def test_a_boosted_filter_answers_the_results_with_the_filter_line(admin_client):
    connection = ConnectionFactory(display_name="Drop")
    html = history(admin_client, "connection", connection.pk, headers=HTMX).content.decode()
    assert "<h1>" not in html  # the fragment: the heading stays the page's
    assert "Showing only the history of “Drop” (Connection)." in html


def test_the_history_of_an_export_and_of_a_removed_connection(admin_client, admin_user):
    connection = ConnectionFactory(display_name="Drop")
    export = ExportFactory(name="Weekly", connection=connection)
    export.name = "Weekly list"
    export_save(export=export, segments=[SegmentFactory()], user=admin_user)
    html = history(admin_client, "export", export.pk).content.decode()
    assert h1(html) == "History of “Weekly list”"
    assert "(Export)." in html

    gone = ConnectionFactory(display_name="Gone drop")
    admin_client.post(f"/admin/connections/{gone.pk}/remove/")
    html = history(admin_client, "connection", gone.pk).content.decode()
    assert h1(html) == "History of “Gone drop”" and "Connection removed" in html


def test_a_history_nothing_was_recorded_about_is_explained(admin_client):
    ConnectionFactory(display_name="Drop")
    response = history(admin_client, "connection", 987654)
    html = response.content.decode()
    assert response.status_code == 200
    assert h1(html) == "History"
    assert "Nothing has been recorded about this object" in html
    assert "There is no history to show." in html
    assert "<table" not in html and "Drop" not in html
    assert "Show all activity</a>" in html


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "connection", "object_id": "x"},
        {"kind": "connection", "object_id": "9" * 30},
        {"kind": "connection", "object_id": "-1"},
        {"object_id": "1"},  # an id without its kind
        {"kind": "nonsense", "object_id": "1"},
    ],
)
def test_a_malformed_history_link_is_explained(admin_client, params):
    ConnectionFactory(display_name="Drop")
    for headers in ({}, HTMX):
        response = admin_client.get(ACTIVITY, params, headers=headers)
        html = response.content.decode()
        assert response.status_code == 200
        assert "This history link is not valid." in html
        assert "Nothing is listed until the filters are corrected." in html
        assert "<table" not in html and "Drop" not in html


def test_an_invalid_visible_filter_lists_nothing_rather_than_everything(admin_client):
    ConnectionFactory(display_name="Drop")
    html = admin_client.get(ACTIVITY, {"action": "nonsense"}).content.decode()
    assert "Select a valid choice" in html
    assert "<table" not in html and "This history link" not in html


def test_show_everything_only_when_something_is_filtered(admin_client):
    ConnectionFactory(display_name="Drop")
    assert "Show everything" not in admin_client.get(ACTIVITY).content.decode()
    assert "Show everything" in admin_client.get(ACTIVITY, {"q": "drop"}).content.decode()


def test_the_history_query_count_does_not_grow_with_rows(admin_client, admin_user):
    connection = ConnectionFactory(display_name="Drop")
    history(admin_client, "connection", connection.pk)
    with CaptureQueriesContext(db) as small:
        history(admin_client, "connection", connection.pk)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=entry.at,
            actor=admin_user,
            actor_name="alice-admin",
            action="connection_edited",
            object_kind="connection",
            object_id=connection.pk,
            object_name="Drop",
            changes=[{"change": "field_changed", "field": "name", "old": "a", "new": "b"}],
        )
        for entry in [AuditEntry.objects.first()] * 60
    )
    with CaptureQueriesContext(db) as large:
        response = history(admin_client, "connection", connection.pk)
    assert "Page 1 of 2" in response.content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)
