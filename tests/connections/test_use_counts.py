"""The per-connection counts of exports and enrichments, kept by database triggers.

The Connections tab shows and sorts by these counts (connections/use_counts.py; each
counted kind's app installs its trigger), so they must equal COUNT(*) after every kind of
change, however it is made: the ORM one row at a time, in bulk, or plain SQL. Runs on
SQLite and on PostgreSQL, whose triggers differ (row-level and statement-level).
"""

import io
import random

import pytest
from django.core.management import call_command
from django.db import connection as db

from connections_admin.connections import use_counts
from connections_admin.connections.models import Connection, UseCount
from connections_admin.enrichments.models import Enrichment, EnrichmentStatus
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory

pytestmark = pytest.mark.django_db


def counts(connection: Connection) -> tuple[int, int]:
    """(exports, enrichments) as the Connections tab reads them: no row counts 0."""
    stored = dict(UseCount.objects.filter(connection=connection).values_list("kind", "n"))
    return stored.get("exports", 0), stored.get("enrichments", 0)


def assert_every_count_is_true():
    for connection in Connection.objects.all():
        assert counts(connection) == (
            Export.objects.filter(connection=connection).count(),
            Enrichment.objects.filter(connection=connection).count(),
        ), connection


def test_a_new_connection_counts_nothing():
    connection = ConnectionFactory()
    assert counts(connection) == (0, 0)


def test_exports_and_enrichments_are_counted_as_they_are_added():
    sftp = ConnectionFactory()
    ExportFactory.create_batch(3, connection=sftp)
    enrichment = EnrichmentFactory()
    assert counts(sftp) == (3, 0)
    assert counts(enrichment.connection) == (0, 1)


def test_bulk_create_and_bulk_update_are_counted():
    first, second = ConnectionFactory(), ConnectionFactory()
    Export.objects.bulk_create(
        [Export(name=f"Bulk {n}", connection=first, fields=["email"]) for n in range(5)]
    )
    assert counts(first) == (5, 0)

    # Two of them move to the other connection, one is disconnected, in one statement each.
    moving = list(
        Export.objects.filter(connection=first).order_by("pk").values_list("pk", flat=True)
    )
    Export.objects.filter(pk__in=moving[:2]).update(connection=second)
    Export.objects.filter(pk=moving[2]).update(connection=None)
    assert counts(first) == (2, 0)
    assert counts(second) == (2, 0)

    # Changing anything else counts nothing.
    Export.objects.filter(pk__in=moving).update(fields=["email", "phone"])
    assert counts(first) == (2, 0)
    assert counts(second) == (2, 0)


def test_the_disconnect_and_reactivate_flows_move_the_counts():
    from connections_admin.exports import services as export_services

    old, new = ConnectionFactory(), ConnectionFactory()
    exports = ExportFactory.create_batch(4, connection=old)
    export_services.export_disconnect(ids=[e.pk for e in exports[:3]], connection_id=old.pk)
    assert counts(old) == (1, 0)
    Export.objects.filter(pk=exports[0].pk).update(connection=new)
    assert counts(new) == (1, 0)
    assert_every_count_is_true()


def test_removing_exports_and_enrichments_uncounts_them():
    enrichment = EnrichmentFactory()
    sftp = ConnectionFactory()
    ExportFactory.create_batch(3, connection=sftp)
    Export.objects.filter(connection=sftp).first().delete()
    assert counts(sftp) == (2, 0)
    Export.objects.filter(connection=sftp).delete()
    Enrichment.objects.filter(pk=enrichment.pk).update(
        connection=None, status=EnrichmentStatus.INACTIVE
    )
    assert counts(sftp) == (0, 0)
    assert counts(enrichment.connection) == (0, 0)


def test_plain_sql_is_counted_too():
    sftp = ConnectionFactory()
    export = ExportFactory(connection=sftp)
    with db.cursor() as cursor:
        cursor.execute("UPDATE exports_export SET connection_id = NULL WHERE id = %s", [export.pk])
    assert counts(sftp) == (0, 0)


def test_a_removed_connection_takes_its_counts_with_it():
    sftp = ConnectionFactory()
    sftp.delete()
    assert not UseCount.objects.filter(connection_id=sftp.pk).exists()


def test_a_removed_connection_that_was_used_takes_its_counts_with_it():
    sftp = ConnectionFactory()
    ExportFactory(connection=sftp).delete()
    assert UseCount.objects.filter(connection_id=sftp.pk).exists()
    sftp.delete()
    assert not UseCount.objects.filter(connection_id=sftp.pk).exists()


def test_counts_stay_true_through_a_random_mix_of_changes():
    rng = random.Random(20261124)  # fixed: a failure can be replayed
    connections = ConnectionFactory.create_batch(4)
    enrichment_connections = [EnrichmentFactory().connection for _ in range(2)]
    for step in range(60):
        choice = rng.choice(["add", "bulk", "move", "disconnect", "delete", "enrich"])
        exports = list(Export.objects.values_list("pk", flat=True))
        if choice == "add" or not exports:
            ExportFactory(connection=rng.choice(connections))
        elif choice == "bulk":
            Export.objects.bulk_create(
                [
                    Export(name=f"Step {step} {n}", connection=rng.choice(connections))
                    for n in range(rng.randint(1, 4))
                ]
            )
        elif choice == "move":
            chosen = rng.sample(exports, k=min(len(exports), rng.randint(1, 5)))
            Export.objects.filter(pk__in=chosen).update(connection=rng.choice(connections))
        elif choice == "disconnect":
            chosen = rng.sample(exports, k=min(len(exports), rng.randint(1, 5)))
            Export.objects.filter(pk__in=chosen).update(connection=None)
        elif choice == "delete":
            Export.objects.filter(pk=rng.choice(exports)).delete()
        else:
            EnrichmentFactory(connection=rng.choice(enrichment_connections))
    assert_every_count_is_true()


def test_recount_repairs_wrong_and_missing_rows():
    sftp, other = ConnectionFactory(), ConnectionFactory()
    ExportFactory.create_batch(2, connection=sftp)
    enrichment = EnrichmentFactory()
    # What loaddata of a dump would do: the dumped counts, then the loaded rows counted again.
    UseCount.objects.filter(connection=sftp, kind="exports").update(n=7)
    UseCount.objects.create(connection=other, kind="enrichments", n=3)
    UseCount.objects.filter(connection=enrichment.connection).delete()
    out = io.StringIO()

    call_command("recount_use_counts", stdout=out)

    assert out.getvalue().splitlines() == [
        "exports: corrected the counts of 1 connection(s).",
        "enrichments: corrected the counts of 2 connection(s).",
    ]
    assert_every_count_is_true()
    out = io.StringIO()
    call_command("recount_use_counts", stdout=out)
    assert out.getvalue().count("corrected the counts of 0 connection(s)") == 2


def test_the_triggers_can_be_dropped_and_created_again():
    # What each app's migration does backwards and forwards (count_trigger).
    create, drop = use_counts.statements(db.vendor, kind="exports", table="exports_export")
    with db.cursor() as cursor:
        for sql in drop:
            cursor.execute(sql)
    sftp = ConnectionFactory()
    ExportFactory(connection=sftp)
    assert counts(sftp) == (0, 0)  # no trigger, nothing counted

    with db.cursor() as cursor:
        for sql in create:
            cursor.execute(sql)
    call_command("recount_use_counts", stdout=io.StringIO())
    ExportFactory.create_batch(2, connection=sftp)
    assert counts(sftp) == (3, 0)
    assert_every_count_is_true()


def test_only_plain_names_fill_the_trigger_statements():
    with pytest.raises(ValueError, match="not a plain identifier"):
        use_counts.statements(db.vendor, kind="x'; DROP TABLE auth_user; --", table="t")
