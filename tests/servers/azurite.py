"""Azurite (Microsoft's Azure Storage emulator), blob service only, over HTTPS on a free
port of 127.0.0.1, with a certificate from the tests' own CA (``tls.py``).

    with azurite_running() as azurite:
        azurite.endpoint      # https://127.0.0.1:PORT/devstoreaccount1
        azurite.account_name, azurite.account_key, azurite.ca_file
        azurite.blob_service_client().list_containers()    # "exports" exists

Azurite is an npm package, installed on first use into ``var/test-tools/azurite`` (ignored
by git; ``make azurite`` does the same). Node.js must be installed. No pytest here.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import socket
import ssl
import subprocess  # noqa: S404 (npm and azurite, argument lists, no shell)
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers.sshd import (
    LOOPBACK,
    ServerFailed,
    ServerUnavailable,
    _die_with_parent,
    free_port,
)
from tests.servers.tls import make_ca_and_cert

ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = ROOT / "var" / "test-tools"
AZURITE_DIR = TOOLS_DIR / "azurite"
AZURITE_PACKAGE = "azurite@3"
AZURITE_BLOB = AZURITE_DIR / "node_modules" / ".bin" / "azurite-blob"
# The emulator's well-known development account (documented by Microsoft, not a secret).
ACCOUNT_NAME = "devstoreaccount1"
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
CONTAINER = "exports"


@dataclass(frozen=True)
class AzuriteServer:
    host: str
    port: int
    endpoint: str  # https://127.0.0.1:PORT/devstoreaccount1
    account_name: str
    account_key: str = field(repr=False)
    ca_file: Path  # the CA that signed Azurite's certificate: trust this one only
    container: str  # created by the fixture
    log: Path

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=https;AccountName={self.account_name};"
            f"AccountKey={self.account_key};BlobEndpoint={self.endpoint};"
        )

    def blob_service_client(self, **kwargs):
        from azure.storage.blob import BlobServiceClient

        return BlobServiceClient(
            account_url=self.endpoint,
            credential={"account_name": self.account_name, "account_key": self.account_key},
            connection_verify=str(self.ca_file),
            **kwargs,
        )


def ensure_installed() -> Path:
    """The azurite-blob command, installed with npm into var/test-tools/azurite if missing
    (one session at a time: a lock file serialises sessions that start together)."""
    if AZURITE_BLOB.exists():
        return AZURITE_BLOB
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise ServerUnavailable("Azurite needs Node.js and npm (apt-get install nodejs npm)")
    AZURITE_DIR.mkdir(parents=True, exist_ok=True)
    with (TOOLS_DIR / ".azurite.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not AZURITE_BLOB.exists():
            result = subprocess.run(  # noqa: S603 (npm, argument list)
                [npm, "install", "--prefix", str(AZURITE_DIR), "--no-audit", "--no-fund",
                 "--loglevel", "error", AZURITE_PACKAGE],
                capture_output=True,
                text=True,
                check=False,
            )  # fmt: skip
            if result.returncode != 0 or not AZURITE_BLOB.exists():
                raise ServerFailed(
                    f"npm install {AZURITE_PACKAGE} failed ({result.returncode}): "
                    + (result.stderr or result.stdout)[-2000:]
                )
    return AZURITE_BLOB


def _supports(command: Path, option: str) -> bool:
    result = subprocess.run(  # noqa: S603
        [str(command), "--help"], capture_output=True, text=True, check=False
    )
    return option in result.stdout


def _tls_handshake(port: int, ca_file: Path) -> bool:
    context = ssl.create_default_context(cafile=str(ca_file))
    try:
        with (
            socket.create_connection((LOOPBACK, port), timeout=2) as sock,
            context.wrap_socket(sock, server_hostname=LOOPBACK),
        ):
            return True
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def azurite_running(container: str = CONTAINER, timeout: float = 60) -> Iterator[AzuriteServer]:
    """Start Azurite in a new temp dir, wait for its HTTPS, create ``container`` with the
    SDK (trusting only our CA), yield; stop it and remove the dir at the end, also on error."""
    command = ensure_installed()
    workdir = Path(tempfile.mkdtemp(prefix="azurite-tests-"))
    process = None
    try:
        ca_file, cert_file, key_file = make_ca_and_cert(workdir / "tls", ["127.0.0.1", "localhost"])
        location = workdir / "data"
        location.mkdir()
        log = workdir / "azurite.log"
        port = free_port()
        arguments = [
            str(command),
            "--blobHost", LOOPBACK,
            "--blobPort", str(port),
            "--location", str(location),
            "--silent",
            "--skipApiVersionCheck",
            "--loose",
            "--cert", str(cert_file),
            "--key", str(key_file),
        ]  # fmt: skip
        if _supports(command, "--disableTelemetry"):
            arguments.append("--disableTelemetry")
        with log.open("w") as output:
            process = subprocess.Popen(  # noqa: S603 (azurite, argument list)
                arguments,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )
        deadline = time.monotonic() + timeout
        while not _tls_handshake(port, ca_file):
            if process.poll() is not None or time.monotonic() > deadline:
                state = (
                    f"exited with {process.returncode}"
                    if process.poll() is not None
                    else f"did not answer within {timeout:g} s"
                )
                raise ServerFailed(
                    f"Azurite {state}: {log}:\n{log.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.2)
        server = AzuriteServer(
            host=LOOPBACK,
            port=port,
            endpoint=f"https://{LOOPBACK}:{port}/{ACCOUNT_NAME}",
            account_name=ACCOUNT_NAME,
            account_key=ACCOUNT_KEY,
            ca_file=ca_file,
            container=container,
            log=log,
        )
        with server.blob_service_client() as client:
            client.create_container(container)
        yield server
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(workdir, ignore_errors=True)
