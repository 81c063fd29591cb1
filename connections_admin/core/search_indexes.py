"""Trigram indexes for the lists' "contains" searches, on PostgreSQL only.

Django's ``icontains`` is ``UPPER(column::text) LIKE UPPER('%term%')`` on PostgreSQL; a
GIN index with ``gin_trgm_ops`` on exactly that expression lets the server find the
matches without reading every row (the pg_trgm extension; trusted since PostgreSQL 13,
so the database owner may create it). SQLite has no such index and scans, which is fast
enough at these sizes. Used from the apps' migrations.
"""

from django.db import migrations


def trigram_index(table: str, column: str, name: str) -> migrations.RunPython:
    """A migration operation adding (or, reversed, dropping) the index on PostgreSQL."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
            f"USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    return migrations.RunPython(forwards, backwards, elidable=False)
