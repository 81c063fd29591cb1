# One count row per connection and dependant kind, so each kind's app installs its own
# trigger (use_counts.count_trigger) and this app names no table but its own. The old
# connection-insert trigger goes; the old per-table triggers are dropped by the exports
# and enrichments migrations that replace them.

import django.db.models.deletion
from django.db import migrations, models

_DROP_OLD = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS use_counts_new_connection ON connections_connection",
        "DROP FUNCTION IF EXISTS use_counts_new_connection()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS use_counts_new_connection"],
}


def drop_old_trigger(apps, schema_editor):
    for sql in _DROP_OLD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0003_use_counts"),
    ]

    operations = [
        migrations.RunPython(drop_old_trigger, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(name="UseCounts"),
        migrations.CreateModel(
            name="UseCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=32)),
                ("n", models.PositiveIntegerField(default=0)),
                (
                    "connection",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="use_counts",
                        to="connections.connection",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("connection", "kind"), name="use_count_unique")
                ],
            },
        ),
    ]
