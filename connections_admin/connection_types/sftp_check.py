"""Verify of the SFTP-based types: connect, authenticate, write and delete a probe file.

The TCP connection is opened by ``outbound.net.connect`` (resolve, refuse internal
addresses, connect to the address it checked) and handed to asyncssh, which never looks a
name up itself. The server's host key is checked before any credential is sent: the first
key met is trusted (and recorded by the caller); a different one ends the check with
HOST_KEY_CHANGED, carrying the new key's fingerprint so that an admin can accept it.
asyncssh was chosen over paramiko by measurement (bench/SFTP_LIBRARIES.md).
"""

import asyncio
import secrets
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
class SftpCheck:
    """Where the type keeps its server, folder and credentials (setting names), or a fixed
    host (LiveRamp's file server) and folder."""

    describe: ClassVar[str] = (
        "Connect over SSH, authenticate with the password or the private key, check that "
        "the folder exists and is writable by writing and deleting a small probe file."
    )
    host_setting: str = "hostname"
    port_setting: str = "port"
    folder_setting: str = "export_folder"
    fixed_host: str = ""
    fixed_folder: str = ""
    default_port: int = 22
    # False for a server the console only reads from (custom imports): list the folder.
    write_probe: bool = True

    def run(self, context: CheckContext) -> CheckResult:
        host = self.fixed_host or str(context.settings.get(self.host_setting, ""))
        port = int(context.settings.get(self.port_setting) or self.default_port)
        folder = self.fixed_folder or str(context.settings.get(self.folder_setting) or ".")
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
                await _probe(sftp, folder, write=self.write_probe)
        except asyncssh.HostKeyNotVerifiable:
            changed = CheckFailed(Failure.HOST_KEY_CHANGED)
            changed.host_key = policy.seen
            raise changed from None
        except asyncssh.PermissionDenied:
            raise CheckFailed(Failure.AUTHENTICATION_FAILED) from None
        except (asyncssh.Error, OSError):
            raise CheckFailed(Failure.CONNECTION_REFUSED) from None
        return CheckResult(host_key=policy.seen)


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
    except asyncssh.SFTPPermissionDenied:
        raise CheckFailed(Failure.NO_WRITE_PERMISSION) from None
    except asyncssh.SFTPNoSuchFile:
        raise CheckFailed(Failure.NOT_FOUND) from None
