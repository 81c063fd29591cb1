"""Database triggers that keep :class:`~.models.UseCount` equal to the real counts.

A dependant kind that shows its count on the Connections tab (``DependantKind.counted``)
installs its trigger from its own app's migration with :func:`count_trigger`, naming its
table and its kind; this module knows no table but its own.

* PostgreSQL: one statement-level trigger per event, with transition tables, so a bulk
  disconnect of 1,000 exports adjusts the counts with two statements. The counts rows are
  locked in connection order before they change, so two bulk changes that span the same
  connections in opposite orders wait for each other instead of deadlocking.
* SQLite: row-level triggers (SQLite has no statement-level ones, and one writer at a time).

A connection's row for a kind is inserted the first time something of that kind uses it;
a connection with no row counts 0. The counts change in the same transaction as the rows
they count, whatever code (or plain SQL) made the change. The tests compare them with
``COUNT(*)`` after every kind of change (``tests/connections/test_use_counts.py``).
"""

import re

from django.db import migrations

COUNTS_TABLE = "connections_usecount"

_IDENTIFIER = re.compile(r"[a-z_]+")

# {counts}, {table} and {kind} are filled with checked identifiers only, never values.
# The deltas per connection go into two arrays in connection order; then every counts row
# involved is locked (or created at 0) in that order, and only then changed.
_PG_CREATE = (
    """
    CREATE FUNCTION use_count_{kind}() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ids bigint[];
        deltas bigint[];
    BEGIN
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(connection_id ORDER BY connection_id),
                   array_agg(n ORDER BY connection_id)
            INTO ids, deltas
            FROM (SELECT connection_id, count(*) AS n FROM new_rows
                  WHERE connection_id IS NOT NULL GROUP BY connection_id) AS d;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(connection_id ORDER BY connection_id),
                   array_agg(n ORDER BY connection_id)
            INTO ids, deltas
            FROM (SELECT connection_id, -count(*) AS n FROM old_rows
                  WHERE connection_id IS NOT NULL GROUP BY connection_id) AS d;
        ELSE
            SELECT array_agg(connection_id ORDER BY connection_id),
                   array_agg(n ORDER BY connection_id)
            INTO ids, deltas
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
                HAVING sum(n) <> 0
            ) AS d;
        END IF;
        IF ids IS NULL THEN
            RETURN NULL;
        END IF;
        INSERT INTO {counts} AS counts (connection_id, kind, n)
        SELECT id, '{kind}', 0 FROM unnest(ids) AS id ORDER BY id
        ON CONFLICT (connection_id, kind) DO UPDATE SET n = counts.n;
        UPDATE {counts} AS counts SET n = counts.n + d.n
        FROM unnest(ids, deltas) AS d(id, n)
        WHERE counts.connection_id = d.id AND counts.kind = '{kind}';
        RETURN NULL;
    END $$
""",
    """
    CREATE TRIGGER use_count_{kind}_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION use_count_{kind}()
""",
    """
    CREATE TRIGGER use_count_{kind}_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION use_count_{kind}()
""",
    """
    CREATE TRIGGER use_count_{kind}_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION use_count_{kind}()
""",
)
_PG_DROP = (
    "DROP TRIGGER IF EXISTS use_count_{kind}_insert ON {table}",
    "DROP TRIGGER IF EXISTS use_count_{kind}_delete ON {table}",
    "DROP TRIGGER IF EXISTS use_count_{kind}_update ON {table}",
    "DROP FUNCTION IF EXISTS use_count_{kind}()",
)
_SQLITE_CREATE = (
    """
    CREATE TRIGGER use_count_{kind}_insert
    AFTER INSERT ON {table} WHEN NEW.connection_id IS NOT NULL BEGIN
        INSERT INTO {counts} (connection_id, kind, n) VALUES (NEW.connection_id, '{kind}', 1)
        ON CONFLICT (connection_id, kind) DO UPDATE SET n = n + 1;
    END
""",
    """
    CREATE TRIGGER use_count_{kind}_delete
    AFTER DELETE ON {table} WHEN OLD.connection_id IS NOT NULL BEGIN
        UPDATE {counts} SET n = n - 1
        WHERE connection_id = OLD.connection_id AND kind = '{kind}';
    END
""",
    """
    CREATE TRIGGER use_count_{kind}_update
    AFTER UPDATE OF connection_id ON {table}
    WHEN OLD.connection_id IS NOT NEW.connection_id BEGIN
        UPDATE {counts} SET n = n - 1
        WHERE connection_id = OLD.connection_id AND kind = '{kind}';
        INSERT INTO {counts} (connection_id, kind, n)
        SELECT NEW.connection_id, '{kind}', 1 WHERE NEW.connection_id IS NOT NULL
        ON CONFLICT (connection_id, kind) DO UPDATE SET n = n + 1;
    END
""",
)
_SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS use_count_{kind}_insert",
    "DROP TRIGGER IF EXISTS use_count_{kind}_delete",
    "DROP TRIGGER IF EXISTS use_count_{kind}_update",
)
# The counts of the rows already there when the triggers are created.
_FILL = (
    "DELETE FROM {counts} WHERE kind = '{kind}'",
    """
    INSERT INTO {counts} (connection_id, kind, n)
    SELECT connection_id, '{kind}', COUNT(*) FROM {table}
    WHERE connection_id IS NOT NULL GROUP BY connection_id
""",
)
_EMPTY = ("DELETE FROM {counts} WHERE kind = '{kind}'",)


def _sql(templates: tuple[str, ...], **names: str) -> list[str]:
    """The statements, with the placeholders filled in.

    Only plain identifiers may fill a placeholder: these are names, never user values.
    """
    names = {"counts": COUNTS_TABLE, **names}
    for name in names.values():
        if not _IDENTIFIER.fullmatch(name):
            raise ValueError(f"not a plain identifier: {name!r}")
    return [template.format(**names).strip() for template in templates]


def statements(vendor: str, *, kind: str, table: str) -> tuple[list[str], list[str]]:
    """(create, drop) statements of the count trigger of ``kind`` on ``table``."""
    if vendor == "postgresql":
        create, drop = _PG_CREATE, _PG_DROP
    elif vendor == "sqlite":
        create, drop = _SQLITE_CREATE, _SQLITE_DROP
    else:
        raise NotImplementedError(f"use counts need triggers written for {vendor}")
    return _sql(create, kind=kind, table=table), _sql(drop, kind=kind, table=table)


def count_trigger(*, kind: str, table: str) -> migrations.RunPython:
    """A migration operation: the trigger that counts ``table``'s rows per connection as
    ``kind``, and the counts of the rows already there. Reversible."""

    def forwards(apps, schema_editor):
        create, _drop = statements(schema_editor.connection.vendor, kind=kind, table=table)
        for sql in create + _sql(_FILL, kind=kind, table=table):
            schema_editor.execute(sql)

    def backwards(apps, schema_editor):
        _create, drop = statements(schema_editor.connection.vendor, kind=kind, table=table)
        for sql in drop + _sql(_EMPTY, kind=kind):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards, elidable=False)
