"""The demo's own SFTP server: asyncssh, on a loopback port, serving a folder under var/.

``make run`` starts it beside the web server so that Verify (and later Run) of the demo
SFTP connection reach a real server on a fresh machine. One user, with a password kept in
``var/demo-sftp/credentials.json`` (made on first use, readable by its owner only); the
files land in ``var/demo-sftp/root/``. For the demo only: never expose it.
"""

import asyncio
import json
import secrets
from pathlib import Path

import asyncssh
from django.conf import settings

USERNAME = "cdp-export"
FOLDER = "outgoing/weekly"


def base_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo-sftp"


def root_dir() -> Path:
    return base_dir() / "root"


def credentials() -> dict[str, str]:
    """The demo user's name and password, made once."""
    path = base_dir() / "credentials.json"
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {"username": USERNAME, "password": secrets.token_urlsafe(18)}
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


def _host_key() -> asyncssh.SSHKey:
    path = base_dir() / "host_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(path))
        path.chmod(0o600)
    return asyncssh.read_private_key(str(path))


class _Server(asyncssh.SSHServer):
    def __init__(self, expected: dict[str, str]):
        self.expected = expected

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return secrets.compare_digest(
            f"{username}\n{password}", f"{self.expected['username']}\n{self.expected['password']}"
        )


def _sftp_factory(chan: asyncssh.SSHServerChannel) -> asyncssh.SFTPServer:
    return asyncssh.SFTPServer(chan, chroot=str(root_dir()).encode())


async def serve(host: str, port: int) -> None:
    (root_dir() / FOLDER).mkdir(parents=True, exist_ok=True)
    expected = credentials()
    await asyncssh.create_server(
        lambda: _Server(expected),
        host,
        port,
        server_host_keys=[_host_key()],
        sftp_factory=_sftp_factory,
        allow_scp=False,
    )
    await asyncio.Event().wait()  # until interrupted
