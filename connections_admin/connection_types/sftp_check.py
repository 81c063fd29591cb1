"""Verify of the SFTP-based types: connect, authenticate, write and delete a probe file.

The TCP connection is opened by ``outbound.net.connect`` (resolve, refuse internal
addresses, connect to the address it checked) and handed to asyncssh, which never looks a
name up itself. The server's host key is checked before any credential is sent: the first
key met is trusted (and recorded by the caller); a different one ends the check with
HOST_KEY_CHANGED, carrying the new key's fingerprint so that an admin can accept it.
asyncssh was chosen over paramiko by measurement (bench/SFTP_LIBRARIES.md).

``SftpServer``, ``sftp_client`` and ``sftp_failure`` are shared with the deliveries
(``sftp_delivery.py``): where the server is, how to log in, and what its errors mean.
"""

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import ClassVar

import asyncssh

from connections_admin.outbound import net
from connections_admin.outbound.failures import CheckFailed, Failure

from .checks import CheckContext, CheckResult

PROBE_PREFIX = ".connections-admin-verify-"


class _HostKeyPolicy(asyncssh.SSHClient):
    """Trust on first use; afterwards only the key with the known fingerprint."""

    def __init__(self, known: str):
        self.known = known
        self.seen = ""

    def validate_host_public_key(self, host, addr, port, key) -> bool:
        self.seen = key.get_fingerprint("sha256")
        return not self.known or self.seen == self.known


@dataclass(frozen=True)
class SftpServer:
    """Where the type keeps its server, folder and credentials (setting names), or a fixed
    host (LiveRamp's file server) and folder."""

    host_setting: str = "hostname"
    port_setting: str = "port"
    folder_setting: str = "export_folder"
    fixed_host: str = ""
    fixed_folder: str = ""
    default_port: int = 22

    def where(self, settings: dict) -> tuple[str, int, str]:
        """(host, port, folder) of one connection."""
        host = self.fixed_host or str(settings.get(self.host_setting, ""))
        port = int(settings.get(self.port_setting) or self.default_port)
        folder = self.fixed_folder or str(settings.get(self.folder_setting) or ".")
        return host, port, folder


@dataclass
class SftpLogin:
    """An open SSH connection, its SFTP session and the fingerprint of the host key the
    server presented."""

    connection: asyncssh.SSHClientConnection
    sftp: asyncssh.SFTPClient
    host_key: str


@contextlib.asynccontextmanager
async def sftp_client(sock, host: str, context) -> AsyncIterator[SftpLogin]:
    """SSH on ``sock`` (opened by ``net.connect``), host key checked before any credential
    is sent, then the SFTP subsystem. The SSH errors of connecting, of logging in and of
    the body (a lost connection) come out as ``CheckFailed`` (``sftp_failure``)."""
    policy = _HostKeyPolicy(context.known_host_key)
    options = {
        "username": context.settings.get("username", ""),
        "known_hosts": ([], [], []),  # nothing trusted up front: the policy decides
        "client_factory": lambda: policy,
        "agent_path": None,
        "config": None,
        "preferred_auth": "publickey,password",
    }
    key_text = context.secrets.get("ssh_private_key", "")
    options["client_keys"] = [asyncssh.import_private_key(key_text)] if key_text else []
    if context.secrets.get("password"):
        options["password"] = context.secrets["password"]
    try:
        async with (
            asyncssh.connect(host, sock=sock, **options) as connection,
            connection.start_sftp_client() as sftp,
        ):
            yield SftpLogin(connection, sftp, policy.seen)
    except (asyncssh.Error, OSError) as error:
        raise sftp_failure(error, host_key=policy.seen) from None


def sftp_failure(error: BaseException, *, host_key: str = "") -> CheckFailed:
    """What an asyncssh error means, as a category (``host_key``: the key met, for
    HOST_KEY_CHANGED). Anything else that breaks the session is CONNECTION_REFUSED."""
    if isinstance(error, CheckFailed):
        return error
    if isinstance(error, asyncssh.HostKeyNotVerifiable):
        changed = CheckFailed(Failure.HOST_KEY_CHANGED)
        changed.host_key = host_key
        return changed
    if isinstance(error, asyncssh.PermissionDenied):
        return CheckFailed(Failure.AUTHENTICATION_FAILED)
    if isinstance(error, asyncssh.SFTPPermissionDenied):
        return CheckFailed(Failure.NO_WRITE_PERMISSION)
    if isinstance(error, asyncssh.SFTPNoSuchFile):
        return CheckFailed(Failure.NOT_FOUND)
    if isinstance(error, TimeoutError):
        return CheckFailed(Failure.TIMED_OUT)
    return CheckFailed(Failure.CONNECTION_REFUSED)


@dataclass(frozen=True)
class SftpCheck(SftpServer):
    describe: ClassVar[str] = (
        "Connect over SSH, authenticate with the password or the private key, check that "
        "the folder exists and is writable by writing and deleting a small probe file."
    )
    # False for a server the console only reads from (custom imports): list the folder.
    write_probe: bool = True

    def run(self, context: CheckContext) -> CheckResult:
        host, port, folder = self.where(context.settings)
        sock = net.connect(host, port, deadline=context.deadline)
        try:
            return asyncio.run(
                asyncio.wait_for(
                    self._check(sock, host, folder, context), context.deadline.remaining()
                )
            )
        except TimeoutError:
            raise CheckFailed(Failure.TIMED_OUT) from None
        finally:
            sock.close()

    async def _check(self, sock, host: str, folder: str, context: CheckContext) -> CheckResult:
        async with sftp_client(sock, host, context) as login:
            await _probe(login.sftp, folder, write=self.write_probe)
        return CheckResult(host_key=login.host_key)


async def _probe(sftp: asyncssh.SFTPClient, folder: str, *, write: bool) -> None:
    try:
        if not await sftp.isdir(folder):
            raise CheckFailed(Failure.NOT_FOUND)
        if not write:
            await sftp.listdir(folder)
            return
        probe = f"{folder.rstrip('/')}/{PROBE_PREFIX}{secrets.token_hex(8)}"
        async with sftp.open(probe, "wb") as file:
            await file.write(b"connections-admin verify\n")
        await sftp.remove(probe)
    except (asyncssh.SFTPPermissionDenied, asyncssh.SFTPNoSuchFile) as error:
        raise sftp_failure(error) from None
