"""Every change leaves exactly one audit entry, and none holds a secret."""

import json

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections_admin.accounts.roles import Role
from connections_admin.audit.models import AuditEntry
from connections_admin.connections.models import Connection
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, ExportFactory, SegmentFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
SECRET = "audit-secret-marker-5521"
NEW_SECRET = "audit-new-secret-marker-7781"


def new_entries(since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(pk__gt=since).order_by("pk"))


def last_pk() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def sftp_post(**overrides):
    data = {
        "display_name": "Audited drop",
        "hostname": "sftp.example.com",
        "port": "22",
        "username": "u",
        "password": SECRET,
        "export_folder": "out",
        "compression": "gzipped",
        "field_delimiter": "comma",
        "consent": "on",
        "who_can_use": "admins",
    }
    data.update(overrides)
    return data


def test_connection_lifecycle(admin_client, admin_user):
    start = last_pk()
    admin_client.post("/admin/connections/new/sftp/", sftp_post())
    created = new_entries(start)
    assert [e.action for e in created] == ["connection_created", "consent_given"]
    assert created[0].object_name == "Audited drop" and created[0].object_type == "SFTP"
    assert created[0].actor == admin_user and created[0].actor_name == "alice-admin"
    connection = Connection.objects.get()

    start = last_pk()
    admin_client.post(
        f"/admin/connections/{connection.pk}/edit/",
        sftp_post(hostname="sftp2.example.com", password=NEW_SECRET, version=1),
    )
    (edited,) = new_entries(start)
    assert edited.action == "connection_edited"
    assert edited.described_changes() == [
        "Hostname changed from “sftp.example.com” to “sftp2.example.com”",
        "Password changed",
    ]

    start = last_pk()
    connection.refresh_from_db()
    admin_client.post(
        f"/admin/connections/{connection.pk}/edit/",
        sftp_post(hostname="sftp2.example.com", password="", version=2, who_can_use="contributors"),
    )
    (shared,) = new_entries(start)
    assert shared.action == "connection_sharing_changed"
    assert shared.described_changes() == ["Who can use it: Administrators and contributors"]

    start = last_pk()
    admin_client.post(
        f"/admin/connections/{connection.pk}/edit/",
        sftp_post(hostname="sftp2.example.com", password="", version=3, who_can_use="contributors"),
    )
    assert new_entries(start) == []  # nothing changed, nothing recorded

    start = last_pk()
    admin_client.post(f"/admin/connections/{connection.pk}/remove/")
    (removed,) = new_entries(start)
    assert removed.action == "connection_removed" and removed.object_id == connection.pk
    assert removed.object_name == "Audited drop"  # outlives the object

    dump = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert SECRET not in dump and NEW_SECRET not in dump


def test_export_lifecycle(admin_client):
    connection = ConnectionFactory(display_name="Weekly drop")
    segment = SegmentFactory()
    data = {
        "connection": connection.pk,
        "name": "Audited export",
        "segments": [segment.pk],
        "fields": ["email"],
        "schedule": "hourly",
    }
    start = last_pk()
    admin_client.post("/exports/new/", data)
    (created,) = new_entries(start)
    assert created.action == "export_created"
    assert created.described_changes() == ["On “Weekly drop”"]
    export = Export.objects.get()

    start = last_pk()
    admin_client.post(f"/exports/{export.pk}/edit/", {**data, "fields": ["email", "phone"]})
    (edited,) = new_entries(start)
    assert edited.action == "export_edited"
    assert edited.described_changes() == ["Fields changed", "On “Weekly drop”"]

    start = last_pk()
    admin_client.post(f"/exports/{export.pk}/disconnect/")
    (disconnected,) = new_entries(start)
    assert disconnected.action == "export_disconnected"
    assert disconnected.described_changes() == ["On “Weekly drop”"]

    start = last_pk()
    admin_client.post(f"/exports/{export.pk}/edit/", {**data, "fields": ["email", "phone"]})
    (reattached,) = new_entries(start)
    assert reattached.action == "export_reattached"
    assert reattached.described_changes() == ["On “Weekly drop”"]

    start = last_pk()
    admin_client.post(f"/exports/{export.pk}/remove/")
    (removed,) = new_entries(start)
    assert removed.action == "export_removed" and removed.object_name == "Audited export"
    assert removed.described_changes() == ["On “Weekly drop”"]
    start = last_pk()
    admin_client.post(f"/exports/{export.pk}/remove/")
    assert new_entries(start) == []  # a second remove records nothing


def test_enrichment_lifecycle(as_role):
    client = as_role(Role.CONTRIBUTOR)
    connection = ConnectionFactory(type_key="leadspace", values={"token": SECRET})
    start = last_pk()
    client.post(
        "/enrichments/new/", {"connection": connection.pk, "segment": "", "name": "Audited"}
    )
    (created,) = new_entries(start)
    assert created.action == "enrichment_created" and created.object_type == "Leadspace"
    enrichment = Enrichment.objects.get()

    start = last_pk()
    client.post(f"/enrichments/{enrichment.pk}/deactivate/")
    (deactivated,) = new_entries(start)
    assert deactivated.action == "enrichment_deactivated"
    assert deactivated.object_type == "Leadspace"

    start = last_pk()
    client.post(
        f"/enrichments/{enrichment.pk}/edit/",
        {"connection": connection.pk, "segment": "", "name": "Audited"},
    )
    assert [e.action for e in new_entries(start)] == ["enrichment_activated"]

    start = last_pk()
    client.post(f"/enrichments/{enrichment.pk}/remove/")
    assert [e.action for e in new_entries(start)] == ["enrichment_removed"]
    assert SECRET not in json.dumps(list(AuditEntry.objects.values()), default=str)


def test_guided_bulk_actions_leave_one_entry_per_object(admin_client):
    connection = ConnectionFactory()
    exports = ExportFactory.create_batch(3, connection=connection)
    start = last_pk()
    admin_client.post(
        f"/admin/connections/{connection.pk}/remove/dependants/",
        {"action": "disconnect_exports", "export": [e.pk for e in exports[:2]]},
        headers=HTMX,
    )
    entries = new_entries(start)
    assert sorted(e.object_id for e in entries) == sorted(e.pk for e in exports[:2])
    assert {e.action for e in entries} == {"export_disconnected"}
    assert {e.object_name for e in entries} == {e.name for e in exports[:2]}


# --- the Activity page ----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_activity_is_for_admins_only(as_role, role):
    assert as_role(role).get("/admin/activity/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert "/accounts/login/" in client.get("/admin/activity/")["Location"]


def test_activity_lists_newest_first_and_filters(admin_client, make_user):
    other = make_user(Role.ADMIN, "bob-admin")
    ConnectionFactory(display_name="First", user=other)
    second = ConnectionFactory(display_name="Second")
    html = admin_client.get("/admin/activity/").content.decode()
    assert html.index("Second") < html.index("First")

    by_name = admin_client.get("/admin/activity/", {"q": "first"}).content.decode()
    assert "First" in by_name and "Second" not in by_name
    by_user = admin_client.get("/admin/activity/", {"user": "bob-admin"}).content.decode()
    assert "First" in by_user and "Second" not in by_user
    by_action = admin_client.get("/admin/activity/", {"action": "consent_given"}).content.decode()
    assert "Consent given" in by_action and "Connection created</td>" not in by_action
    history = admin_client.get(
        "/admin/activity/", {"kind": "connection", "object_id": second.pk}
    ).content.decode()
    assert "Second" in history and "First" not in history
    bad = admin_client.get("/admin/activity/", {"action": "nonsense", "object_id": "x"})
    assert bad.status_code == 200


def test_each_connection_menu_has_a_history_entry(admin_client):
    connection = ConnectionFactory()
    html = admin_client.get("/admin/connections/").content.decode()
    assert f'href="/admin/activity/?kind=connection&amp;object_id={connection.pk}"' in html
    assert ">History</a>" in html


def test_activity_query_count_does_not_grow(admin_client):
    ConnectionFactory.create_batch(3)
    admin_client.get("/admin/activity/")
    with CaptureQueriesContext(db) as small:
        admin_client.get("/admin/activity/")
    ConnectionFactory.create_batch(60)
    # Every row says what changed (in the reader's language): no query per row for it.
    AuditEntry.objects.update(
        changes=[
            {"change": "setting_changed", "type": "sftp", "field": "compression", "new": "gzipped"},
            {"change": "secret_changed", "type": "sftp", "field": "password"},
            {"change": "sharing", "audience": "contributors"},
            {"change": "field_changed", "field": "name", "old": "A", "new": "B"},
            {"change": "on_connection", "connection": "Drop"},
            {"change": "moved", "source": "A", "target": "B"},
            {"change": "check_failed", "failure": "timed_out", "status": None},
            {"change": "host_key", "fingerprint": "SHA256:x"},
            "An entry stored as a sentence",
        ]
    )
    with CaptureQueriesContext(db) as large:
        response = admin_client.get("/admin/activity/")
    html = response.content.decode()
    assert "Page 1 of 3" in html
    assert html.count("<li>Compression set to “Gzipped”</li>") == 50
    assert len(small.captured_queries) == len(large.captured_queries)
