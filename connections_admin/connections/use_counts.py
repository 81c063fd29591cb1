"""Database triggers that keep :class:`~.models.UseCounts` equal to the real counts.

For each counted table (exports, enrichments) and each database:

* PostgreSQL: one statement-level trigger per event, with transition tables, so a bulk
  disconnect of 1,000 exports adjusts the counts with one grouped UPDATE;
* SQLite: row-level triggers (SQLite has no statement-level ones).

A connection's row is inserted by a trigger on the connections table, so every
connection has one and the list joins it without COALESCE. The counts change in the
same transaction as the rows they count: there is nothing to keep in sync by hand.
Used from the connections app's migrations; the tests compare the counts with
``COUNT(*)`` after every kind of change (``tests/connections/test_use_counts.py``).
"""

import re

from django.db import migrations

COUNTS_TABLE = "connections_usecounts"
CONNECTIONS_TABLE = "connections_connection"
# table of the rows counted -> counter column
COUNTED = {"exports_export": "exports", "enrichments_enrichment": "enrichments"}

_IDENTIFIER = re.compile(r"[a-z_]+")

# The statements, with {placeholders} for table, column and trigger names only.
_PG_NEW_CONNECTION = (
    """
    CREATE FUNCTION use_counts_new_connection() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {counts} (connection_id, exports, enrichments) SELECT id, 0, 0 FROM new_rows;
        RETURN NULL;
    END $$
""",
    """
    CREATE TRIGGER use_counts_new_connection AFTER INSERT ON {connections}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION use_counts_new_connection()
""",
)
# Deltas per connection: +1 for each new row on it, -1 for each old row on it. An
# UPDATE counts only the rows whose connection changed.
_PG_COUNT = (
    """
    CREATE FUNCTION use_counts_{column}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE {counts} AS counts SET {column} = counts.{column} + delta.n
            FROM (SELECT connection_id, count(*) AS n FROM new_rows
                  WHERE connection_id IS NOT NULL GROUP BY connection_id) AS delta
            WHERE counts.connection_id = delta.connection_id;
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE {counts} AS counts SET {column} = counts.{column} - delta.n
            FROM (SELECT connection_id, count(*) AS n FROM old_rows
                  WHERE connection_id IS NOT NULL GROUP BY connection_id) AS delta
            WHERE counts.connection_id = delta.connection_id;
        ELSE
            UPDATE {counts} AS counts SET {column} = counts.{column} + delta.n
            FROM (
                SELECT connection_id, sum(n) AS n FROM (
                    SELECT o.connection_id, -1 AS n
                    FROM old_rows AS o JOIN new_rows AS w ON w.id = o.id
                    WHERE o.connection_id IS DISTINCT FROM w.connection_id
                    UNION ALL
                    SELECT w.connection_id, 1
                    FROM old_rows AS o JOIN new_rows AS w ON w.id = o.id
                    WHERE o.connection_id IS DISTINCT FROM w.connection_id
                ) AS moves
                WHERE connection_id IS NOT NULL
                GROUP BY connection_id
            ) AS delta
            WHERE counts.connection_id = delta.connection_id AND delta.n <> 0;
        END IF;
        RETURN NULL;
    END $$
""",
    """
    CREATE TRIGGER use_counts_{column}_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION use_counts_{column}()
""",
    """
    CREATE TRIGGER use_counts_{column}_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION use_counts_{column}()
""",
    """
    CREATE TRIGGER use_counts_{column}_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION use_counts_{column}()
""",
)
_PG_DROP = (
    "DROP TRIGGER IF EXISTS use_counts_new_connection ON {connections}",
    "DROP FUNCTION IF EXISTS use_counts_new_connection()",
)
_PG_DROP_COUNT = (
    "DROP TRIGGER IF EXISTS use_counts_{column}_insert ON {table}",
    "DROP TRIGGER IF EXISTS use_counts_{column}_delete ON {table}",
    "DROP TRIGGER IF EXISTS use_counts_{column}_update ON {table}",
    "DROP FUNCTION IF EXISTS use_counts_{column}()",
)
_SQLITE_NEW_CONNECTION = (
    """
    CREATE TRIGGER use_counts_new_connection AFTER INSERT ON {connections} BEGIN
        INSERT INTO {counts} (connection_id, exports, enrichments) VALUES (NEW.id, 0, 0);
    END
""",
)
_SQLITE_COUNT = (
    """
    CREATE TRIGGER use_counts_{column}_insert
    AFTER INSERT ON {table} WHEN NEW.connection_id IS NOT NULL BEGIN
        UPDATE {counts} SET {column} = {column} + 1 WHERE connection_id = NEW.connection_id;
    END
""",
    """
    CREATE TRIGGER use_counts_{column}_delete
    AFTER DELETE ON {table} WHEN OLD.connection_id IS NOT NULL BEGIN
        UPDATE {counts} SET {column} = {column} - 1 WHERE connection_id = OLD.connection_id;
    END
""",
    """
    CREATE TRIGGER use_counts_{column}_update
    AFTER UPDATE OF connection_id ON {table}
    WHEN OLD.connection_id IS NOT NEW.connection_id BEGIN
        UPDATE {counts} SET {column} = {column} - 1 WHERE connection_id = OLD.connection_id;
        UPDATE {counts} SET {column} = {column} + 1 WHERE connection_id = NEW.connection_id;
    END
""",
)
_SQLITE_DROP = ("DROP TRIGGER IF EXISTS use_counts_new_connection",)
_SQLITE_DROP_COUNT = (
    "DROP TRIGGER IF EXISTS use_counts_{column}_insert",
    "DROP TRIGGER IF EXISTS use_counts_{column}_delete",
    "DROP TRIGGER IF EXISTS use_counts_{column}_update",
)
# Counts for the connections that exist when the triggers are created.
_FILL = (
    """
    INSERT INTO {counts} (connection_id, exports, enrichments)
    SELECT c.id,
        (SELECT COUNT(*) FROM exports_export AS e WHERE e.connection_id = c.id),
        (SELECT COUNT(*) FROM enrichments_enrichment AS e WHERE e.connection_id = c.id)
    FROM {connections} AS c
""",
)
_EMPTY = ("DELETE FROM {counts}",)


def _sql(templates: tuple[str, ...], **names: str) -> list[str]:
    """The statements, with the placeholders filled in.

    Only plain identifiers may fill a placeholder: these are names, never values.
    """
    names = {"counts": COUNTS_TABLE, "connections": CONNECTIONS_TABLE, **names}
    for name in names.values():
        if not _IDENTIFIER.fullmatch(name):
            raise ValueError(f"not a plain identifier: {name!r}")
    return [template.format(**names).strip() for template in templates]


def statements(vendor: str) -> tuple[list[str], list[str]]:
    """(create, drop) statements for ``vendor``."""
    if vendor == "postgresql":
        templates = (_PG_NEW_CONNECTION, _PG_COUNT, _PG_DROP, _PG_DROP_COUNT)
    elif vendor == "sqlite":
        templates = (_SQLITE_NEW_CONNECTION, _SQLITE_COUNT, _SQLITE_DROP, _SQLITE_DROP_COUNT)
    else:
        raise NotImplementedError(f"use counts need triggers written for {vendor}")
    new_connection, count, drop, drop_count = templates
    create, remove = _sql(new_connection), []
    for table, column in COUNTED.items():
        create += _sql(count, table=table, column=column)
        remove += _sql(drop_count, table=table, column=column)
    return create, remove + _sql(drop)


def create_triggers() -> migrations.RunPython:
    """A migration operation: the triggers, and the counts of the rows already there."""

    def forwards(apps, schema_editor):
        create, _drop = statements(schema_editor.connection.vendor)
        for sql in create + _sql(_FILL):
            schema_editor.execute(sql)

    def backwards(apps, schema_editor):
        _create, drop = statements(schema_editor.connection.vendor)
        for sql in drop + _sql(_EMPTY):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards, elidable=False)
