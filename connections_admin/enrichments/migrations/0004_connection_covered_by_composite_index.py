# The composite (connection, lower(name), id) index serves every look-up by connection.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0002_search_trigram_index"),
        ("enrichments", "0003_search_trigram_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="enrichment",
            name="connection",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enrichments",
                to="connections.connection",
                verbose_name="connection",
            ),
        ),
    ]
