"""``audit_record_queryset`` writes the same ``changes`` for every row, or each row's own."""

import pytest
from django.db.models import F
from django.db.models.functions import JSONArray

from connections_admin.audit.changes import MAX_VALUE, moved
from connections_admin.audit.models import Action, AuditEntry
from connections_admin.audit.services import audit_record_queryset
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, ExportFactory

pytestmark = pytest.mark.django_db


def test_without_changes_the_entries_have_none(admin_user):
    ExportFactory(name="Alpha")
    audit_record_queryset(actor=admin_user, action=Action.EXPORT_EDITED, rows=Export.objects.all())
    assert AuditEntry.objects.get(action=Action.EXPORT_EDITED).changes == []


def test_the_same_changes_for_every_row(admin_user):
    ExportFactory(name="Alpha")
    ExportFactory(name="Beta")
    records = [moved("A", 'with "quotes"'), {"change": "check_failed", "status": 401}]
    written = audit_record_queryset(
        actor=admin_user,
        action=Action.EXPORT_MOVED,
        rows=Export.objects.all(),
        changes=[*records, "a plain sentence"],
    )
    assert written == 2
    assert [entry.changes for entry in AuditEntry.objects.filter(action=Action.EXPORT_MOVED)] == [
        [*records, "a plain sentence"]
    ] * 2


def test_constant_changes_are_capped(admin_user):
    ExportFactory(name="Alpha")
    audit_record_queryset(
        actor=admin_user,
        action=Action.EXPORT_MOVED,
        rows=Export.objects.all(),
        changes=[moved("A" * 500, "B")],
    )
    (change,) = AuditEntry.objects.get(action=Action.EXPORT_MOVED).changes
    assert len(change["source"]) == MAX_VALUE


def test_each_row_its_own_changes(admin_user):
    ExportFactory(name="Alpha", connection=ConnectionFactory(display_name="Drop one"))
    ExportFactory(name="Beta", connection=ConnectionFactory(display_name="Drop two"))
    audit_record_queryset(
        actor=admin_user,
        action=Action.EXPORT_DISCONNECTED,
        rows=Export.objects.all(),
        changes=JSONArray(F("connection__display_name")),
    )
    entries = AuditEntry.objects.filter(action=Action.EXPORT_DISCONNECTED).order_by("object_name")
    assert [(e.object_name, e.changes) for e in entries] == [
        ("Alpha", ["Drop one"]),
        ("Beta", ["Drop two"]),
    ]
