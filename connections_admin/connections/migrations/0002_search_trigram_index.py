from django.db import migrations

from connections_admin.core.search_indexes import trigram_index


class Migration(migrations.Migration):
    dependencies = [("connections", "0001_initial")]

    operations = [
        trigram_index("connections_connection", "display_name", "connection_name_trgm"),
    ]
