from django.db import migrations

from connections_admin.core.search_indexes import trigram_index


class Migration(migrations.Migration):
    dependencies = [("exports", "0002_indexes_for_lists")]

    operations = [
        trigram_index("exports_export", "name", "export_name_trgm"),
    ]
