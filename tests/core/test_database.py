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
