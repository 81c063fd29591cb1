"""The pytest fixtures of the real test servers (exposed to every test by tests/conftest.py).

- ``sshd_server`` (session): an ``SshdServer`` (tests/servers/sshd.py): host, port,
  host_key_fingerprint, host_public_key, password_user, key_user (name, password or
  private_key, upload and readonly folders), known_hosts_line(). Skipped, with the reason,
  where sshd cannot run (no /usr/sbin/sshd: ``make sshd``; not root).
- ``sshd_host_key_changed`` (function): the same server restarted on the same port with
  its other host key; the original key is back after the test.
- ``azurite_server`` (session): an ``AzuriteServer`` (tests/servers/azurite.py): endpoint
  (https://127.0.0.1:PORT/devstoreaccount1), account_name, account_key, ca_file, the
  container "exports" already created, blob_service_client().
- ``loopback_tls`` (session): (ca_file, cert_file, key_file) for a loopback HTTPS server
  of one's own, certificate for 127.0.0.1 and localhost (tests/servers/tls.py).

The servers start on first use only: a run that needs none of them starts nothing.
"""

import pytest

from tests.servers.azurite import azurite_running
from tests.servers.sshd import ServerUnavailable, SshdServer, sshd_running
from tests.servers.tls import make_ca_and_cert

__all__ = ["azurite_server", "loopback_tls", "sshd_host_key_changed", "sshd_server"]


@pytest.fixture(scope="session")
def sshd_server():
    try:
        with sshd_running() as server:
            yield server
    except ServerUnavailable as reason:
        pytest.skip(f"sshd cannot run here: {reason}")


@pytest.fixture
def sshd_host_key_changed(sshd_server: SshdServer):
    sshd_server.restart_with_new_host_key()
    try:
        yield sshd_server
    finally:
        sshd_server.restart_with_original_host_key()


@pytest.fixture(scope="session")
def azurite_server():
    try:
        with azurite_running() as server:
            yield server
    except ServerUnavailable as reason:
        pytest.skip(f"Azurite cannot run here: {reason}")


@pytest.fixture(scope="session")
def loopback_tls(tmp_path_factory):
    return make_ca_and_cert(tmp_path_factory.mktemp("tls"), ["127.0.0.1", "localhost"])
