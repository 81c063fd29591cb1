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

from django.db import migrations

COUNTS_TABLE = "connections_usecounts"
CONNECTIONS_TABLE = "connections_connection"
# table of the rows counted -> counter column
COUNTED = {"exports_export": "exports", "enrichments_enrichment": "enrichments"}


def _postgresql_sql() -> tuple[list[str], list[str]]:
    create = [
        f"""
        CREATE FUNCTION use_counts_new_connection() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {COUNTS_TABLE} (connection_id, exports, enrichments)
            SELECT id, 0, 0 FROM new_rows;
            RETURN NULL;
        END $$
        """,  # nosec B608: module constants only
        f"""
        CREATE TRIGGER use_counts_new_connection AFTER INSERT ON {CONNECTIONS_TABLE}
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION use_counts_new_connection()
        """,
    ]
    drop = [
        f"DROP TRIGGER IF EXISTS use_counts_new_connection ON {CONNECTIONS_TABLE}",
        "DROP FUNCTION IF EXISTS use_counts_new_connection()",
    ]
    for table, column in COUNTED.items():
        function = f"use_counts_{column}"
        # Deltas per connection: +1 for each new row on it, -1 for each old row on it.
        # An UPDATE counts only the rows whose connection changed.
        create.append(
            f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    UPDATE {COUNTS_TABLE} AS counts SET {column} = counts.{column} + delta.n
                    FROM (SELECT connection_id, count(*) AS n FROM new_rows
                          WHERE connection_id IS NOT NULL GROUP BY connection_id) AS delta
                    WHERE counts.connection_id = delta.connection_id;
                ELSIF TG_OP = 'DELETE' THEN
                    UPDATE {COUNTS_TABLE} AS counts SET {column} = counts.{column} - delta.n
                    FROM (SELECT connection_id, count(*) AS n FROM old_rows
                          WHERE connection_id IS NOT NULL GROUP BY connection_id) AS delta
                    WHERE counts.connection_id = delta.connection_id;
                ELSE
                    UPDATE {COUNTS_TABLE} AS counts SET {column} = counts.{column} + delta.n
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
            """  # nosec B608: module constants only
        )
        for event, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ):
            trigger = f"{function}_{event.lower()}"
            create.append(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} REFERENCING {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
            drop.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        drop.append(f"DROP FUNCTION IF EXISTS {function}()")
    return create, drop


def _sqlite_sql() -> tuple[list[str], list[str]]:
    create = [
        f"""
        CREATE TRIGGER use_counts_new_connection AFTER INSERT ON {CONNECTIONS_TABLE}
        BEGIN
            INSERT INTO {COUNTS_TABLE} (connection_id, exports, enrichments)
            VALUES (NEW.id, 0, 0);
        END
        """  # nosec B608: module constants only
    ]
    drop = ["DROP TRIGGER IF EXISTS use_counts_new_connection"]

    def add(column: str, row: str, step: str) -> str:
        return (
            f"UPDATE {COUNTS_TABLE} SET {column} = {column} {step} "  # nosec B608
            f"WHERE connection_id = {row}.connection_id;"
        )

    for table, column in COUNTED.items():
        triggers = {
            f"use_counts_{column}_insert": (
                f"AFTER INSERT ON {table} WHEN NEW.connection_id IS NOT NULL",
                add(column, "NEW", "+ 1"),
            ),
            f"use_counts_{column}_delete": (
                f"AFTER DELETE ON {table} WHEN OLD.connection_id IS NOT NULL",
                add(column, "OLD", "- 1"),
            ),
            f"use_counts_{column}_update": (
                f"AFTER UPDATE OF connection_id ON {table} "
                "WHEN OLD.connection_id IS NOT NEW.connection_id",
                add(column, "OLD", "- 1") + " " + add(column, "NEW", "+ 1"),
            ),
        }
        for name, (when, body) in triggers.items():
            create.append(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
            drop.append(f"DROP TRIGGER IF EXISTS {name}")
    return create, drop


def _fill_sql() -> str:
    """Counts for the connections that exist when the triggers are created."""
    counted = [f"(SELECT COUNT(*) FROM {t} WHERE {t}.connection_id = c.id)" for t in COUNTED]  # nosec B608
    counts = ", ".join(counted)
    return (
        f"INSERT INTO {COUNTS_TABLE} (connection_id, {', '.join(COUNTED.values())}) "  # nosec B608
        f"SELECT c.id, {counts} FROM {CONNECTIONS_TABLE} AS c"
    )


def statements(vendor: str) -> tuple[list[str], list[str]]:
    """(create, drop) statements for ``vendor``."""
    if vendor == "postgresql":
        return _postgresql_sql()
    if vendor == "sqlite":
        return _sqlite_sql()
    raise NotImplementedError(f"use counts need triggers written for {vendor}")


def create_triggers() -> migrations.RunPython:
    """A migration operation: the triggers, and the counts of the rows already there."""

    def forwards(apps, schema_editor):
        create, _drop = statements(schema_editor.connection.vendor)
        for sql in create:
            schema_editor.execute(sql)
        schema_editor.execute(_fill_sql())

    def backwards(apps, schema_editor):
        _create, drop = statements(schema_editor.connection.vendor)
        for sql in drop:
            schema_editor.execute(sql)
        schema_editor.execute(f"DELETE FROM {COUNTS_TABLE}")  # nosec B608

    return migrations.RunPython(forwards, backwards, elidable=False)
