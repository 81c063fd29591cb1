# Counts of the exports and enrichments per connection. The triggers this migration once
# created are dropped again by 0004 and by the exports and enrichments apps' own migrations,
# which install their successors; on a new database it creates the table only.

import django.db.models.deletion
from django.db import migrations, models


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
    ]
