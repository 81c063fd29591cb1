"""The suite runs on the database DATABASE_URL names: make sure that is really so."""

import os

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories import ConnectionFactory


def test_runs_on_the_configured_database():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db
def test_database_enforces_case_insensitive_display_names():
    from connections_admin.connections.models import Connection

    ConnectionFactory(display_name="Partner Drop")
    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(display_name="PARTNER DROP", type_key="sftp")


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL settings and indexes"
)


@postgres_only
@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    # bench/RESULTS.md: with JIT the list queries spent about 60 ms compiling
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@postgres_only
@pytest.mark.django_db
def test_postgresql_has_the_trigram_indexes_the_searches_use():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"]
        )
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {"connection_name_trgm", "export_name_trgm", "enrichment_name_trgm"}
    assert all("gin_trgm_ops" in definition for definition in indexes.values())
    assert "upper((display_name)::text)" in indexes["connection_name_trgm"]


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["exports_export", "enrichments_enrichment"])
def test_one_index_leads_with_the_connection(table):
    # A bulk disconnect rewrites the entries of every index of the rows it changes: the
    # (connection, lower(name), id) index serves every look-up by connection, so a second
    # index on the connection alone would only make it slower.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    leading = [
        name
        for name, info in constraints.items()
        if info["index"] and (info["columns"] or [None])[0] == "connection_id"
    ]
    assert len(leading) == 1, leading
