import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from connections_admin.accounts.roles import Role, role_of
from connections_admin.audit.models import Action, AuditEntry, ObjectKind
from connections_admin.connection_types.base import Usage
from connections_admin.connections.crypto import decrypt_secrets
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import usable_connections
from connections_admin.demo import sftp_server
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports.models import Export

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """The demo SFTP server's credentials go to a throwaway var/."""
    settings.VAR_DIR = tmp_path
    return tmp_path


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
    secrets = decrypt_secrets(sftp.secrets_encrypted)
    assert secrets["password"] == sftp_server.credentials()["password"]
    assert (sftp.settings["hostname"], sftp.settings["port"]) == ("127.0.0.1", 2222)


def test_seed_demo_shares_two_export_connections_with_contributors():
    call_command("seed_demo", password="first-password")
    contributor = get_user_model().objects.get(username="contributor")
    usable = usable_connections(contributor, Usage.EXPORT).values_list("display_name", flat=True)
    assert set(usable) == {"SFTP: partner drop for weekly lists", "SendGrid: newsletters"}


def test_seed_demo_refuses_a_short_password():
    with pytest.raises(CommandError, match="at least 8"):
        call_command("seed_demo", password="short")


def test_seed_demo_leaves_an_audit_entry_for_each_object_it_creates():
    call_command("seed_demo", password="first-password")

    def created(action: Action, kind: ObjectKind) -> dict[int, str]:
        entries = AuditEntry.objects.filter(action=action, object_kind=kind)
        return dict(entries.values_list("object_id", "actor__username"))

    exports = created(Action.EXPORT_CREATED, ObjectKind.EXPORT)
    assert set(exports) == set(Export.objects.values_list("pk", flat=True))
    assert exports == dict(Export.objects.values_list("pk", "created_by__username"))
    enrichments = created(Action.ENRICHMENT_CREATED, ObjectKind.ENRICHMENT)
    assert enrichments == dict(Enrichment.objects.values_list("pk", "created_by__username"))
    connections = created(Action.CONNECTION_CREATED, ObjectKind.CONNECTION)
    assert set(connections) == set(Connection.objects.values_list("pk", flat=True))

    entries = AuditEntry.objects.count()
    call_command("seed_demo", password="second-password")
    assert AuditEntry.objects.count() == entries  # nothing new, nothing to record


def test_the_demo_sftp_server_accepts_the_demo_connection(var_dir):
    """What make run serves: the demo connection's credentials open its folder."""
    import asyncio
    import socket

    import asyncssh

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def upload_through_the_demo_server():
        server = asyncio.ensure_future(sftp_server.serve("127.0.0.1", port))
        for _ in range(50):
            await asyncio.sleep(0.05)
            try:
                credentials = sftp_server.credentials()
                async with (
                    asyncssh.connect("127.0.0.1", port, known_hosts=None, **credentials) as conn,
                    conn.start_sftp_client() as sftp,
                ):
                    async with sftp.open(f"{sftp_server.FOLDER}/hello.txt", "w") as f:
                        await f.write("hi")
                    return
            except OSError:
                continue
        server.cancel()
        raise AssertionError("the demo SFTP server did not answer")

    asyncio.run(upload_through_the_demo_server())
    assert (sftp_server.root_dir() / sftp_server.FOLDER / "hello.txt").read_text() == "hi"


def test_the_demo_invents_no_runs_and_no_enrichment_figures():
    call_command("seed_demo", password="first-password")
    assert not Export.objects.filter(last_run_at__isnull=False).exists()
    assert not Enrichment.objects.exclude(enriched_customers=0).exists()
