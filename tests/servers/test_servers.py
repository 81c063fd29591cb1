"""The real test servers work as the other tests will rely on: sshd's two users, its
read-only folder and host key change, Azurite over HTTPS trusted through the test CA."""

import asyncio
import socket
import ssl
import uuid

import asyncssh
import pytest
from azure.core.exceptions import ServiceRequestError

from tests.servers.sshd import READONLY_FILE, READONLY_TEXT


def connect(server, user, *, known_hosts_line=None, **auth):
    line = known_hosts_line or server.known_hosts_line()
    return asyncssh.connect(
        server.host,
        server.port,
        username=user.name,
        known_hosts=asyncssh.import_known_hosts(line + "\n"),
        agent_path=None,
        connect_timeout=10,
        **{"client_keys": None, **auth},
    )


def with_password(server, **kwargs):
    return connect(server, server.password_user, password=server.password_user.password, **kwargs)


def with_key(server, **kwargs):
    key = asyncssh.import_private_key(server.key_user.private_key)
    return connect(server, server.key_user, client_keys=[key], **kwargs)


async def round_trip(connection, folder) -> bytes:
    async with connection.start_sftp_client() as sftp:
        path = f"{folder}/smoke-{uuid.uuid4().hex}.txt"
        async with sftp.open(path, "wb") as file:
            await file.write(b"sixteen bytes!!\n")
        async with sftp.open(path, "rb") as file:
            content = await file.read()
        await sftp.remove(path)
        return content


def test_password_login_works(sshd_server):
    async def scenario():
        async with with_password(sshd_server) as connection:
            async with connection.start_sftp_client() as sftp:
                assert {"upload", "readonly"} <= set(await sftp.listdir("."))
            return await round_trip(connection, "upload")

    assert asyncio.run(scenario()) == b"sixteen bytes!!\n"


def test_wrong_password_is_refused(sshd_server):
    async def scenario():
        async with connect(sshd_server, sshd_server.password_user, password="not-the-password"):
            pass

    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(scenario())


def test_key_login_works(sshd_server):
    async def scenario():
        async with with_key(sshd_server) as connection:
            return await round_trip(connection, str(sshd_server.key_user.upload))

    assert asyncio.run(scenario()) == b"sixteen bytes!!\n"


def test_read_only_folder_can_be_read_but_refuses_a_write(sshd_server):
    async def scenario():
        async with (
            with_key(sshd_server) as connection,
            connection.start_sftp_client() as sftp,
        ):
            async with sftp.open(f"readonly/{READONLY_FILE}", "rb") as file:
                assert await file.read() == READONLY_TEXT
            with pytest.raises(asyncssh.SFTPPermissionDenied):
                await sftp.open(f"readonly/smoke-{uuid.uuid4().hex}", "wb")

    asyncio.run(scenario())


def test_the_fingerprint_is_the_one_the_server_shows(sshd_server):
    async def scenario():
        async with with_key(sshd_server) as connection:
            return connection.get_server_host_key().get_fingerprint("sha256")

    assert sshd_server.host_key_fingerprint.startswith("SHA256:")
    assert asyncio.run(scenario()) == sshd_server.host_key_fingerprint


def test_the_restarted_sshd_shows_a_different_host_key(sshd_server, request):
    before_line, before = sshd_server.known_hosts_line(), sshd_server.host_key_fingerprint
    assert sshd_server.other_host_key_fingerprint != before
    server = request.getfixturevalue("sshd_host_key_changed")
    assert server.host_key_fingerprint != before

    async def shown():
        async with with_key(server) as connection:
            return connection.get_server_host_key().get_fingerprint("sha256")

    async def trusting_the_old_key():
        async with with_key(server, known_hosts_line=before_line):
            pass

    assert asyncio.run(shown()) == server.host_key_fingerprint
    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        asyncio.run(trusting_the_old_key())


def test_azurite_creates_and_lists_containers_over_https(azurite_server):
    assert azurite_server.endpoint.startswith("https://127.0.0.1:")
    name = f"smoke-{uuid.uuid4().hex[:12]}"
    with azurite_server.blob_service_client() as client:
        client.create_container(name)
        names = {container.name for container in client.list_containers()}
        assert {"exports", name} <= names
        blob = client.get_blob_client(name, "hello.csv")
        blob.upload_blob(b"a,b\n1,2\n")
        assert blob.download_blob().readall() == b"a,b\n1,2\n"
        client.delete_container(name)


def test_azurite_is_not_trusted_without_the_test_ca(azurite_server):
    from azure.storage.blob import BlobServiceClient

    client = BlobServiceClient(
        account_url=azurite_server.endpoint,
        credential={
            "account_name": azurite_server.account_name,
            "account_key": azurite_server.account_key,
        },
        retry_total=0,
    )
    with client, pytest.raises(ServiceRequestError, match="CERTIFICATE_VERIFY_FAILED"):
        client.get_service_properties()


@pytest.mark.parametrize("host_name", ["127.0.0.1", "localhost"])
def test_the_test_ca_certificate_names_both_loopback_names(azurite_server, host_name):
    context = ssl.create_default_context(cafile=str(azurite_server.ca_file))
    with (
        socket.create_connection(("127.0.0.1", azurite_server.port), timeout=5) as sock,
        context.wrap_socket(sock, server_hostname=host_name) as tls,
    ):
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
