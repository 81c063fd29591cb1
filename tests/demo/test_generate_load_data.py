"""The load-data generator at a small size: what it makes, and that it refuses a second run."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count

from connections_admin.accounts.roles import Role, role_of
from connections_admin.connection_types.base import Usage
from connections_admin.connection_types.registry import registry
from connections_admin.connections.crypto import decrypt_secrets
from connections_admin.connections.models import (
    Connection,
    ConnectionGroupObjectPermission,
    ConnectionUserObjectPermission,
)
from connections_admin.connections.sharing import usable_connections
from connections_admin.demo.management.commands import generate_load_data as gen
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports.models import Export

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    call_command(
        "generate_load_data", connections=40, exports=200, enrichments=20, users=20, skew=60
    )


def test_makes_what_it_is_asked_for(generated):
    assert Connection.objects.count() == 40
    assert Export.objects.count() == 200
    assert Enrichment.objects.count() == 20
    busiest = Connection.objects.get(display_name=gen.SKEWED_CONNECTION_NAME)
    top = Connection.objects.annotate(n=Count("exports")).order_by("-n").first()
    assert top == busiest and busiest.exports.count() == 60
    assert Export.objects.filter(connection__isnull=True).exists()  # some inactive


def test_sharing_is_realistic_and_stored_as_guardian_rows(generated):
    export_connections = Connection.objects.filter(
        type_key__in=[t.key for t in registry.for_usage(Usage.EXPORT)]
    )
    shared = ConnectionGroupObjectPermission.objects.filter(group__name="Contributor").count()
    assert 0.2 * export_connections.count() <= shared <= 0.8 * export_connections.count()
    assert ConnectionUserObjectPermission.objects.exists()
    contributor = get_user_model().objects.get(username=gen.FIRST_CONTRIBUTOR)
    assert role_of(contributor) is Role.CONTRIBUTOR
    usable = usable_connections(contributor, Usage.EXPORT)
    assert 0 < usable.count() < export_connections.count()


def test_secrets_are_encrypted_and_readable(generated):
    connection = Connection.objects.get(display_name=gen.SKEWED_CONNECTION_NAME)
    assert "load-secret" not in connection.secrets_encrypted
    secrets = decrypt_secrets(connection.secrets_encrypted)
    assert set(secrets) == set(connection.secret_names)


def test_refuses_to_run_twice(generated):
    with pytest.raises(CommandError, match="already holds 40 connections"):
        call_command("generate_load_data", connections=10, exports=10, enrichments=1, users=5)
    assert Connection.objects.count() == 40
