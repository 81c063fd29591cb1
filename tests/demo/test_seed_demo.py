import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from connections_admin.accounts.roles import Role, role_of
from connections_admin.connections.crypto import decrypt_secrets
from connections_admin.connections.models import Connection
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports.models import Export

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_users_and_data_and_is_idempotent():
    call_command("seed_demo", password="first-password")
    counts = (Connection.objects.count(), Export.objects.count(), Enrichment.objects.count())
    assert counts[0] >= 6 and counts[1] >= 5 and counts[2] >= 3
    assert Export.objects.filter(connection=None).exists()  # some are inactive
    assert Enrichment.objects.filter(connection=None).exists()
    assert len({c.type_key for c in Connection.objects.all()}) >= 5
    for username, role in [
        ("admin", Role.ADMIN),
        ("contributor", Role.CONTRIBUTOR),
        ("viewer", Role.VIEWER),
    ]:
        user = get_user_model().objects.get(username=username)
        assert user.check_password("first-password") and role_of(user) is role

    call_command("seed_demo", password="second-password")

    assert (
        Connection.objects.count(),
        Export.objects.count(),
        Enrichment.objects.count(),
    ) == counts
    assert get_user_model().objects.get(username="admin").check_password("second-password")
    sftp = Connection.objects.get(type_key="sftp")
    assert decrypt_secrets(sftp.secrets_encrypted)["password"] == "demo-sftp-password"


def test_seed_demo_refuses_a_short_password():
    with pytest.raises(CommandError, match="at least 8"):
        call_command("seed_demo", password="short")
