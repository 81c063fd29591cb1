"""The Remove dialog guides the admin through what uses a connection."""

import json

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections_admin.accounts.roles import Role
from connections_admin.audit.models import AuditEntry
from connections_admin.connections.models import Connection
from connections_admin.enrichments.models import Enrichment, EnrichmentStatus
from connections_admin.exports import services as export_services
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory, SegmentFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def dependants_url(connection):
    return f"/admin/connections/{connection.pk}/remove/dependants/"


@pytest.fixture
def busy():
    """An SFTP connection used by 3 exports, and a Leadspace one used by 2 enrichments."""
    connection = ConnectionFactory(display_name="Busy drop")
    segment = SegmentFactory(name="Churn risk")
    exports = [
        ExportFactory(name=f"Export {name}", connection=connection, fields=["email", "phone"])
        for name in ("A", "B", "C")
    ]
    for export in exports:
        export.segments.add(segment)
    leadspace = ConnectionFactory(
        display_name="Firmographics", type_key="leadspace", values={"token": "t"}
    )
    enrichments = [
        EnrichmentFactory(name=f"Enrichment {n}", connection=leadspace) for n in ("X", "Y")
    ]
    return connection, exports, leadspace, enrichments


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_only_admins_reach_the_dialog_and_its_actions(as_role, busy, role):
    connection, exports, *_ = busy
    client = as_role(role)
    assert client.get(dependants_url(connection)).status_code == 403
    response = client.post(
        dependants_url(connection), {"action": "remove_exports", "export": [exports[0].pk]}
    )
    assert response.status_code == 403
    assert Export.objects.count() == 3


def test_anonymous_is_sent_to_sign_in(client, busy):
    connection, *_ = busy
    assert "/accounts/login/" in client.get(dependants_url(connection))["Location"]
    assert "/accounts/login/" in client.post(dependants_url(connection))["Location"]


def test_blocked_dialog_counts_and_offers_to_see_what_uses_it(admin_client, busy):
    connection, *_ = busy
    html = admin_client.get(f"/admin/connections/{connection.pk}/remove/").content.decode()
    assert "“Busy drop” can't be removed yet: it is used by 3 exports." in html
    assert (
        "See what&#x27;s using this connection" in html
        or "See what's using this connection" in html
    )
    assert f'href="{dependants_url(connection)}"' in html


def test_the_whole_flow(admin_client, busy):
    connection, exports, leadspace, enrichments = busy

    page = admin_client.get(dependants_url(connection), headers=HTMX).content.decode()
    assert "3 exports use this connection" in page
    assert all(e.name in page for e in exports)
    assert "<html" not in page

    # disconnect two selected exports
    response = admin_client.post(
        dependants_url(connection),
        {"action": "disconnect_exports", "export": [exports[0].pk, exports[1].pk]},
        headers=HTMX,
    )
    html = response.content.decode()
    assert (
        "2 exports were disconnected from “Busy drop”: Export A, Export B. "
        "They keep their settings." in html
    )
    assert "connections:changed" in json.loads(response["HX-Trigger"])
    assert "1 export uses this connection" in html

    # remove the last one with its own row button: asked first, then removed
    html = admin_client.post(
        dependants_url(connection),
        {"row_action": f"remove_exports:{exports[2].pk}"},
        headers=HTMX,
    ).content.decode()
    assert 'role="alertdialog"' in html and "Remove 1 export from “Busy drop”?" in html
    assert Export.objects.filter(pk=exports[2].pk).exists()
    html = admin_client.post(
        dependants_url(connection),
        {"action": "remove_exports", "export": [exports[2].pk], "confirm": "1"},
        headers=HTMX,
    ).content.decode()
    assert "1 export was removed from “Busy drop”: Export C." in html
    assert "Nothing uses this connection any more." in html

    # the enrichment connection: deactivate one, remove the other
    admin_client.post(
        dependants_url(leadspace),
        {"row_action": f"deactivate_enrichments:{enrichments[0].pk}"},
        headers=HTMX,
    )
    html = admin_client.post(
        dependants_url(leadspace),
        {"action": "remove_enrichments", "enrichment": [enrichments[1].pk], "confirm": "1"},
        headers=HTMX,
    ).content.decode()
    assert "1 enrichment was removed from “Firmographics”: Enrichment Y." in html
    assert "Nothing uses this connection" in html

    # now both connections can go
    for target in (connection, leadspace):
        response = admin_client.post(f"/admin/connections/{target.pk}/remove/", headers=HTMX)
        assert response.status_code == 204
    assert not Connection.objects.exists()

    # disconnected exports keep their configuration and show "No connection"
    kept = Export.objects.order_by("name")
    assert [e.name for e in kept] == ["Export A", "Export B"]
    for export in kept:
        assert export.connection is None and export.fields == ["email", "phone"]
        assert [s.name for s in export.segments.all()] == ["Churn risk"]
    deactivated = Enrichment.objects.get()
    assert deactivated.status == EnrichmentStatus.INACTIVE and deactivated.connection is None
    assert "No connection" in admin_client.get("/exports/").content.decode()

    # attaching another connection reactivates an export
    other = ConnectionFactory(display_name="New drop")
    export = kept[0]
    admin_client.post(
        f"/exports/{export.pk}/edit/",
        {
            "connection": other.pk,
            "name": export.name,
            "segments": [s.pk for s in export.segments.all()],
            "fields": export.fields,
            "schedule": export.schedule,
            "schedule_time": "06:00",
        },
    )
    export.refresh_from_db()
    assert export.connection == other and export.is_active


def test_full_page_actions_redirect_back_with_a_message(admin_client, busy):
    connection, exports, *_ = busy
    response = admin_client.post(
        dependants_url(connection),
        {"action": "disconnect_exports", "export": [exports[0].pk]},
        follow=True,
    )
    assert response.redirect_chain == [(dependants_url(connection), 302)]
    assert "1 export was disconnected from “Busy drop”: Export A." in response.content.decode()


@pytest.mark.parametrize(
    "ids",
    [
        pytest.param(["999999"], id="unknown"),
        pytest.param(["abc"], id="not-a-number"),
        pytest.param("foreign", id="export-of-another-connection"),
        pytest.param("mixed", id="one-good-one-foreign"),
    ],
)
def test_stale_or_foreign_ids_change_nothing(admin_client, busy, ids):
    connection, exports, *_ = busy
    foreign = ExportFactory(connection=ConnectionFactory())
    if ids == "foreign":
        ids = [foreign.pk]
    elif ids == "mixed":
        ids = [exports[0].pk, foreign.pk]
    for action in ("disconnect_exports", "remove_exports"):
        html = admin_client.post(
            dependants_url(connection), {"action": action, "export": ids}, headers=HTMX
        ).content.decode()
        assert "Nothing was changed" in html
    assert Export.objects.filter(connection=connection).count() == 3
    foreign.refresh_from_db()
    assert foreign.connection is not None
    assert (
        not AuditEntry.objects.filter(action__startswith="export_")
        .exclude(action="export_created")
        .exists()
    )


def test_already_removed_export_is_a_clear_message(admin_client, busy):
    connection, exports, *_ = busy
    export_services.export_remove(export_id=exports[0].pk)
    html = admin_client.post(
        dependants_url(connection),
        {"row_action": f"disconnect_exports:{exports[0].pk}"},
        headers=HTMX,
    ).content.decode()
    assert "do not use this connection any more" in html


def test_empty_selection_and_unknown_action_are_explained(admin_client, busy):
    connection, *_ = busy
    html = admin_client.post(
        dependants_url(connection), {"action": "disconnect_exports"}, headers=HTMX
    ).content.decode()
    assert "Select at least one export first." in html
    html = admin_client.post(
        dependants_url(connection), {"action": "explode"}, headers=HTMX
    ).content.decode()
    assert "Choose what to do" in html


def test_long_dependant_lists_are_paged(admin_client):
    connection = ConnectionFactory()
    Export.objects.bulk_create(
        Export(name=f"Bulk {i:03d}", connection=connection, fields=["email"], schedule="hourly")
        for i in range(60)
    )
    first = admin_client.get(dependants_url(connection)).content.decode()
    assert "60 exports use this connection" in first
    assert first.count('name="export"') == 25 and "Page 1 of 3" in first
    third = admin_client.get(dependants_url(connection), {"exports_page": 3}).content.decode()
    assert third.count('name="export"') == 10


def bulk_exports(connection, count, start=0):
    Export.objects.bulk_create(
        Export(
            name=f"Bulk {start + i:05d}", connection=connection, fields=["email"], schedule="hourly"
        )
        for i in range(count)
    )
    return list(
        Export.objects.filter(connection=connection).order_by("pk").values_list("pk", flat=True)
    )


def test_bulk_disconnect_of_1000_exports_runs_a_constant_number_of_queries(admin_user):
    small_connection = ConnectionFactory()
    small = bulk_exports(small_connection, 10)
    large_connection = ConnectionFactory()
    large = bulk_exports(large_connection, 1000, start=100)

    with CaptureQueriesContext(db) as few:
        export_services.export_disconnect(ids=small, user=admin_user)
    with CaptureQueriesContext(db) as many:
        changed = export_services.export_disconnect(ids=large, user=admin_user)

    assert changed == 1000
    assert len(few.captured_queries) == len(many.captured_queries)
    statements = [q["sql"].split()[0].upper() for q in many.captured_queries]
    assert statements.count("UPDATE") == 1 and statements.count("INSERT") == 1
    assert not Export.objects.filter(connection=large_connection).exists()
    assert AuditEntry.objects.filter(action="export_disconnected").count() == 1010


def test_dialog_bulk_disconnect_query_count_does_not_grow(admin_client):
    small_connection = ConnectionFactory()
    small = bulk_exports(small_connection, 10)
    large_connection = ConnectionFactory()
    large = bulk_exports(large_connection, 1000, start=100)
    admin_client.get("/exports/")
    with CaptureQueriesContext(db) as few:
        admin_client.post(
            dependants_url(small_connection),
            {"action": "disconnect_exports", "export": small},
            headers=HTMX,
        )
    with CaptureQueriesContext(db) as many:
        admin_client.post(
            dependants_url(large_connection),
            {"action": "disconnect_exports", "export": large},
            headers=HTMX,
        )
    assert len(few.captured_queries) == len(many.captured_queries)
    assert not Export.objects.filter(connection__isnull=False).exists()


def test_remove_refused_when_something_was_attached_after_the_dialog_opened(admin_client):
    connection = ConnectionFactory(display_name="Racy")
    assert (
        "Remove “Racy”?"
        in admin_client.get(f"/admin/connections/{connection.pk}/remove/").content.decode()
    )
    ExportFactory(name="Late export", connection=connection)  # attached meanwhile
    response = admin_client.post(f"/admin/connections/{connection.pk}/remove/", headers=HTMX)
    html = response.content.decode()
    assert "The connection was not removed: something uses it." in html
    assert "Late export" in html
    assert Export.objects.get().connection == connection


def test_disconnect_all_handles_thousands_in_one_step(admin_client):
    connection = ConnectionFactory()
    bulk_exports(connection, 1200)
    html = admin_client.get(dependants_url(connection)).content.decode()
    assert "Disconnect all 1200 exports" in html
    html = admin_client.post(
        dependants_url(connection), {"action": "disconnect_all_exports"}, headers=HTMX
    ).content.decode()
    assert "1200 exports were disconnected from “" in html
    assert "Bulk 00000, Bulk 00001, Bulk 00002, Bulk 00003, Bulk 00004 and 1195 more." in html
    assert not Export.objects.filter(connection=connection).exists()
    assert Export.objects.count() == 1200


def test_deactivate_all_enrichments(admin_client):
    connection = ConnectionFactory(type_key="leadspace", values={"token": "t"})
    EnrichmentFactory.create_batch(3, connection=connection)
    admin_client.post(
        dependants_url(connection), {"action": "deactivate_all_enrichments"}, headers=HTMX
    )
    assert set(Enrichment.objects.values_list("status", flat=True)) == {"inactive"}
