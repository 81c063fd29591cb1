"""Debian's OpenSSH sshd on a free port of 127.0.0.1, serving SFTP to two test users.

    with sshd_running() as server:
        server.host, server.port, server.host_key_fingerprint     # "SHA256:..." as ssh-keygen -lf
        server.password_user.name, server.password_user.password
        server.key_user.name, server.key_user.private_key         # OpenSSH private key text
        server.key_user.upload, server.key_user.readonly          # absolute paths on the server
        server.restart_with_new_host_key()                        # same port, the other host key

No pytest here: the fixtures (``fixtures.py``) and the SFTP benchmark
(``bench/sftp_libraries.py``) both use these functions.

The users are real system users (sshd authenticates against /etc/passwd and /etc/shadow),
created once and kept: ``sftp_pw`` (password) and ``sftp_key`` (ed25519 key). Their shell is
nologin and sshd forces ``internal-sftp``, so they can do SFTP and nothing else, and only on
the loopback sshd started here. Each has ``~/upload`` (theirs, writable) and ``~/readonly``
(root's, mode 555, holding ``hello.txt``). The password is generated once per machine and
kept in a root-only file, so sessions running at the same time agree on it; the client key
and both host keys are new for every server. Test files in ``upload`` should have unique
names: several sessions may share the folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess  # noqa: S404 (fixed system tools, argument lists, no shell)
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SSHD = "/usr/sbin/sshd"
LOOPBACK = "127.0.0.1"
PASSWORD_USER = "sftp_pw"
KEY_USER = "sftp_key"
NOLOGIN = "/usr/sbin/nologin"
# Root-only, outside the repository and outside any session's temp dir: what must be the
# same for every session on this machine (the password user's password).
STATE_DIR = Path("/var/lib/connections-admin-tests")
READONLY_FILE = "hello.txt"
READONLY_TEXT = b"read-only file for the SFTP tests\n"


class ServerUnavailable(RuntimeError):
    """sshd cannot run here (not root, no sshd, no useradd); the message says what to do."""


class ServerFailed(RuntimeError):
    """sshd exited or did not answer in time; the message has the end of its log."""


@dataclass(frozen=True)
class SftpUser:
    name: str
    home: Path
    upload: Path  # writable by the user
    readonly: Path  # root's, mode 555, with READONLY_FILE in it
    password: str | None = field(default=None, repr=False)
    # OpenSSH format ("-----BEGIN OPENSSH PRIVATE KEY-----")
    private_key: str | None = field(default=None, repr=False)
    private_key_file: Path | None = None
    public_key: str | None = None  # "ssh-ed25519 AAAA..."


@dataclass(frozen=True)
class HostKey:
    private_key_file: Path
    public_key: str  # "ssh-ed25519 AAAA..." (no comment)
    fingerprint: str  # "SHA256:..." as `ssh-keygen -lf` prints it


@dataclass
class SshdServer:
    host: str
    port: int
    host_key_fingerprint: str  # of the key sshd serves now
    host_public_key: str
    password_user: SftpUser
    key_user: SftpUser
    other_host_key_fingerprint: str  # the key restart_with_new_host_key() switches to
    other_host_public_key: str
    workdir: Path
    log: Path
    _host_keys: list[HostKey] = field(repr=False)
    _process: subprocess.Popen | None = field(default=None, repr=False)

    def known_hosts_line(self) -> str:
        """The known_hosts entry of the key served now (``[127.0.0.1]:port ssh-ed25519 ...``)."""
        return f"[{self.host}]:{self.port} {self.host_public_key}"

    def restart_with_new_host_key(self) -> None:
        """Restart on the same port with the other host key: what a client sees when the
        server's host key changed. Calling it again switches back."""
        self._host_keys.reverse()
        self._start()

    def restart_with_original_host_key(self) -> None:
        if self.host_public_key != self._original.public_key:
            self.restart_with_new_host_key()

    def stop(self) -> None:
        if self._process is not None:
            _stop(self._process)
            self._process = None

    def __post_init__(self) -> None:
        self._original = self._host_keys[0]

    def _start(self) -> None:
        self.stop()
        current, other = self._host_keys
        config = self.workdir / "sshd_config"
        config.write_text(
            _config(self.port, current.private_key_file, self.workdir, [PASSWORD_USER, KEY_USER])
        )
        with self.log.open("a") as output:
            self._process = subprocess.Popen(  # noqa: S603 (sshd, argument list)
                [SSHD, "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 (no threads started yet in the child)
            )
        _wait_until_up(self._process, self.host, self.port, self.log)
        self.host_key_fingerprint, self.host_public_key = current.fingerprint, current.public_key
        self.other_host_key_fingerprint = other.fingerprint
        self.other_host_public_key = other.public_key


def _run(*command: str, input: str | None = None) -> str:
    result = subprocess.run(  # noqa: S603 (fixed tools, argument list)
        command, input=input, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ServerFailed(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return result.stdout


def _die_with_parent() -> None:
    """In the child: be sent SIGTERM if the test run dies without stopping us (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def check_can_run() -> None:
    """Raise ServerUnavailable, saying why and what to do, where sshd cannot run."""
    if not Path(SSHD).is_file():
        raise ServerUnavailable(
            f"{SSHD} not found: install Debian's openssh-server (`make sshd`, as root)"
        )
    if os.geteuid() != 0:
        raise ServerUnavailable(
            "the SFTP tests create system users (useradd) and run sshd: they need root"
        )
    for tool in ("useradd", "chpasswd", "usermod", "ssh-keygen"):
        if shutil.which(tool) is None:
            raise ServerUnavailable(f"{tool} not found")


def sshd_version() -> tuple[int, int]:
    result = subprocess.run([SSHD, "-V"], capture_output=True, text=True, check=False)  # noqa: S603
    found = re.search(r"OpenSSH_(\d+)\.(\d+)", result.stderr + result.stdout)
    return (int(found[1]), int(found[2])) if found else (0, 0)


def _config(port: int, host_key: Path, workdir: Path, users: list[str]) -> str:
    lines = [
        f"ListenAddress {LOOPBACK}:{port}",
        f"HostKey {host_key}",
        f"PidFile {workdir / 'sshd.pid'}",
        "UsePAM no",
        "PasswordAuthentication yes",
        "KbdInteractiveAuthentication no",
        "PubkeyAuthentication yes",
        "PermitEmptyPasswords no",
        "PermitRootLogin no",
        f"AllowUsers {' '.join(users)}",
        f"AuthorizedKeysFile {workdir / 'authorized_keys'}/%u",
        "StrictModes no",
        "UseDNS no",
        "Subsystem sftp internal-sftp",
        "ForceCommand internal-sftp",
        "AllowTcpForwarding no",
        "AllowAgentForwarding no",
        "X11Forwarding no",
        "PermitTTY no",
        "PrintMotd no",
        # The benchmark and the tests open many connections in a row from one address.
        "MaxStartups 100:30:200",
        "LogLevel VERBOSE",
    ]
    if sshd_version() >= (9, 8):
        # Newer sshd slows down an address that fails to log in; the tests fail on purpose.
        lines.append("PerSourcePenalties no")
    return "\n".join(lines) + "\n"


def _public_key_and_fingerprint(public_key_file: Path) -> tuple[str, str]:
    key_type, key_data = public_key_file.read_text().split()[:2]
    fingerprint = _run("ssh-keygen", "-l", "-E", "sha256", "-f", str(public_key_file)).split()[1]
    return f"{key_type} {key_data}", fingerprint


def make_host_key(directory: Path, name: str) -> HostKey:
    path = directory / name
    _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path))
    public_key, fingerprint = _public_key_and_fingerprint(path.with_name(name + ".pub"))
    return HostKey(path, public_key, fingerprint)


def make_client_key(directory: Path, name: str) -> tuple[Path, str, str]:
    """An ed25519 key pair: (private key file, private key text, public key line)."""
    path = directory / name
    _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path))
    public_key, _ = _public_key_and_fingerprint(path.with_name(name + ".pub"))
    return path, path.read_text(), public_key


def _shared_password(user: str) -> str:
    """The user's password: generated by the first session on this machine, then read."""
    STATE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = STATE_DIR / f"{user}.password"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another session may be writing it right now
            password = path.read_text().strip()
            if password:
                return password
            time.sleep(0.1)
        raise ServerFailed(f"{path} is empty") from None
    password = secrets.token_urlsafe(18)
    with os.fdopen(descriptor, "w") as file:
        file.write(password + "\n")
    return password


def _user_exists(name: str) -> bool:
    return subprocess.run(["id", "-u", name], capture_output=True, check=False).returncode == 0  # noqa: S603, S607


def ensure_user(name: str, *, password: str | None) -> SftpUser:
    """Create the system user if missing (idempotent, safe if another session does too),
    set its password (``None``: no password login, but not a locked account, which sshd
    would refuse even with a key), and make its two folders."""
    if not _user_exists(name):
        try:
            _run("useradd", "--create-home", "--shell", NOLOGIN, name)
        except ServerFailed:
            if not _user_exists(name):  # not just another session being faster
                raise
    if password is None:
        _run("usermod", "-p", "*", name)
    else:
        _run("chpasswd", input=f"{name}:{password}\n")
    import pwd

    entry = pwd.getpwnam(name)
    home = Path(entry.pw_dir)
    upload, readonly = home / "upload", home / "readonly"
    upload.mkdir(exist_ok=True)
    os.chown(upload, entry.pw_uid, entry.pw_gid)
    upload.chmod(0o755)
    readonly.mkdir(exist_ok=True)
    os.chown(readonly, 0, 0)
    readonly.chmod(0o755)
    sample = readonly / READONLY_FILE
    if not sample.is_file():
        sample.write_bytes(READONLY_TEXT)
    sample.chmod(0o444)
    readonly.chmod(0o555)
    return SftpUser(name=name, home=home, upload=upload, readonly=readonly, password=password)


def _banner(host: str, port: int) -> bytes:
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            return sock.recv(64)
    except OSError:
        return b""


def _log_tail(log: Path) -> str:
    try:
        return f"{log}:\n{log.read_text(errors='replace')[-3000:]}"
    except OSError:
        return f"no log at {log}"


def _wait_until_up(process: subprocess.Popen, host: str, port: int, log: Path) -> None:
    deadline = time.monotonic() + 20
    while not _banner(host, port).startswith(b"SSH-"):
        if process.poll() is not None:
            raise ServerFailed(f"sshd exited with {process.returncode}: " + _log_tail(log))
        if time.monotonic() > deadline:
            _stop(process)
            raise ServerFailed(f"sshd did not answer on {host}:{port}: " + _log_tail(log))
        time.sleep(0.05)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def start_sshd(workdir: Path) -> SshdServer:
    """Users, keys, config in ``workdir`` (must be traversable by the users: sshd reads the
    authorized_keys file as the user), then sshd on a free port. Stop it with ``.stop()``."""
    check_can_run()
    # sshd's privilege separation directory; the package's service would make it.
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    keys = workdir / "keys"
    keys.mkdir(mode=0o700)
    host_keys = [make_host_key(keys, "host_key_a"), make_host_key(keys, "host_key_b")]

    password_user = ensure_user(PASSWORD_USER, password=_shared_password(PASSWORD_USER))
    key_user = ensure_user(KEY_USER, password=None)
    key_file, private_key, public_key = make_client_key(keys, "client_key")
    authorized = workdir / "authorized_keys"
    authorized.mkdir(mode=0o755)
    (authorized / KEY_USER).write_text(public_key + "\n")
    (authorized / KEY_USER).chmod(0o644)
    key_user = SftpUser(
        name=key_user.name,
        home=key_user.home,
        upload=key_user.upload,
        readonly=key_user.readonly,
        private_key=private_key,
        private_key_file=key_file,
        public_key=public_key,
    )

    server = SshdServer(
        host=LOOPBACK,
        port=free_port(),
        host_key_fingerprint="",
        host_public_key="",
        password_user=password_user,
        key_user=key_user,
        other_host_key_fingerprint="",
        other_host_public_key="",
        workdir=workdir,
        log=workdir / "sshd.log",
        _host_keys=host_keys,
    )
    server._start()
    return server


@contextlib.contextmanager
def sshd_running() -> Iterator[SshdServer]:
    """start_sshd() in a new temp dir; stop sshd and remove the dir at the end, also on error."""
    workdir = Path(tempfile.mkdtemp(prefix="sshd-tests-"))
    workdir.chmod(0o755)  # the users must reach authorized_keys/; the keys dir stays 700
    server = None
    try:
        server = start_sshd(workdir)
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
