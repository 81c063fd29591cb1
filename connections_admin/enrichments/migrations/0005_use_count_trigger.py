# The count of enrichments per connection on the Connections tab, kept by this app's own
# trigger (connections/use_counts.py). Replaces the trigger connections 0003 once created.

from django.db import migrations

from connections_admin.connections.use_counts import count_trigger

_DROP_OLD = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS use_counts_enrichments_insert ON enrichments_enrichment",
        "DROP TRIGGER IF EXISTS use_counts_enrichments_delete ON enrichments_enrichment",
        "DROP TRIGGER IF EXISTS use_counts_enrichments_update ON enrichments_enrichment",
        "DROP FUNCTION IF EXISTS use_counts_enrichments()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS use_counts_enrichments_insert",
        "DROP TRIGGER IF EXISTS use_counts_enrichments_delete",
        "DROP TRIGGER IF EXISTS use_counts_enrichments_update",
    ],
}


def drop_old_triggers(apps, schema_editor):
    for sql in _DROP_OLD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0004_use_count_per_kind"),
        ("enrichments", "0004_connection_covered_by_composite_index"),
    ]

    operations = [
        migrations.RunPython(drop_old_triggers, migrations.RunPython.noop, elidable=True),
        count_trigger(kind="enrichments", table="enrichments_enrichment"),
    ]
