# Counts of the exports and enrichments per connection, kept by triggers (use_counts.py).

import django.db.models.deletion
from django.db import migrations, models

from connections_admin.connections.use_counts import create_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0002_search_trigram_index"),
        # The triggers are on these apps' tables.
        ("exports", "0004_connection_covered_by_composite_index"),
        ("enrichments", "0004_connection_covered_by_composite_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="UseCounts",
            fields=[
                (
                    "connection",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="use_counts",
                        serialize=False,
                        to="connections.connection",
                    ),
                ),
                ("exports", models.PositiveIntegerField(default=0)),
                ("enrichments", models.PositiveIntegerField(default=0)),
            ],
        ),
        create_triggers(),
    ]
