from django.db import migrations

from connections_admin.core.search_indexes import trigram_index


class Migration(migrations.Migration):
    dependencies = [("enrichments", "0002_indexes_for_lists")]

    operations = [
        trigram_index("enrichments_enrichment", "name", "enrichment_name_trgm"),
    ]
