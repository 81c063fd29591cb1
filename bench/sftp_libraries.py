#!/usr/bin/env python3
"""Which SFTP library the product should use: asyncssh or paramiko, measured.

    .venv/bin/python bench/sftp_libraries.py                 # 200 MB, 3 runs, 20 cycles
    .venv/bin/python bench/sftp_libraries.py --size-mb 20    # a quick look

Starts the tests' own sshd (tests/servers/sshd.py: OpenSSH on a free port of 127.0.0.1,
key user ``sftp_key``) and, against it, with host key verification and key
authentication as the product would do:

- **upload**: the same file of ``--size-mb`` MB (random bytes: neither gzip nor the SSH
  transport can compress it) into ``~/upload``, with each library's two natural ways:
  asyncssh ``SFTPClient.put`` and ``open('wb')`` + ``write`` of 256 KiB chunks; paramiko
  ``SFTPClient.putfo`` and ``open('wb')`` + ``set_pipelined(True)`` + 256 KiB ``write``s.
  The clock runs from the open to the close (the server has acknowledged every write);
  ``--runs`` runs each, the libraries alternating (and their order swapping every run),
  the file removed after each. MB/s, MB = 10^6 bytes; median of the runs.
- **verify-like cycle**, ``--cycles`` times each: connect, authenticate, stat the upload
  folder, write a 16-byte file, remove it, disconnect. Median (nearest-rank p50) of the
  whole cycle and of its connect+auth part.

Both client and server run on this machine: the numbers compare the libraries' own cost
(Python, crypto) more than any network. Requires root (sshd, test users).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import os
import platform
import statistics
import subprocess  # noqa: S404 (sshd -V only)
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path; the repository root is where
# `bench` and `tests` are packages.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncssh  # noqa: E402
import paramiko  # noqa: E402

from bench.measure import percentile  # noqa: E402
from tests.servers.sshd import SSHD, SshdServer, sshd_running  # noqa: E402

CHUNK = 256 * 1024
MB = 1_000_000


# asyncssh -----------------------------------------------------------------------------


async def _asyncssh_connect(server: SshdServer):
    return await asyncssh.connect(
        server.host,
        server.port,
        username=server.key_user.name,
        client_keys=[asyncssh.import_private_key(server.key_user.private_key)],
        known_hosts=asyncssh.import_known_hosts(server.known_hosts_line() + "\n"),
        agent_path=None,
        password=None,
    )


async def _asyncssh_upload(server: SshdServer, local: Path, remote: str, way: str) -> dict:
    async with await _asyncssh_connect(server) as connection:
        cipher = connection.get_extra_info("send_cipher")
        async with connection.start_sftp_client() as sftp:
            started = time.perf_counter()
            if way == "put":
                await sftp.put(str(local), remote)
            else:
                async with sftp.open(remote, "wb") as remote_file:
                    with local.open("rb") as source:
                        while chunk := source.read(CHUNK):
                            await remote_file.write(chunk)
            seconds = time.perf_counter() - started
            await sftp.remove(remote)
    return {"seconds": seconds, "cipher": cipher}


async def _asyncssh_cycles(server: SshdServer, folder: str, cycles: int) -> tuple[list, list]:
    totals, connects = [], []
    for _ in range(cycles):
        started = time.perf_counter()
        async with await _asyncssh_connect(server) as connection:
            connected = time.perf_counter()
            async with connection.start_sftp_client() as sftp:
                await sftp.stat(folder)
                path = f"{folder}/verify-{uuid.uuid4().hex}"
                async with sftp.open(path, "wb") as remote_file:
                    await remote_file.write(b"0123456789abcdef")
                await sftp.remove(path)
        totals.append(time.perf_counter() - started)
        connects.append(connected - started)
    return totals, connects


def asyncssh_upload(server, local, remote, way):
    return asyncio.run(_asyncssh_upload(server, local, remote, way))


def asyncssh_cycles(server, folder, cycles):
    return asyncio.run(_asyncssh_cycles(server, folder, cycles))


# paramiko -----------------------------------------------------------------------------


def _paramiko_connect(server: SshdServer) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    key_type, key_data = server.host_public_key.split()
    client.get_host_keys().add(
        f"[{server.host}]:{server.port}",
        key_type,
        paramiko.PKey.from_type_string(key_type, base64.b64decode(key_data)),
    )
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        server.host,
        server.port,
        username=server.key_user.name,
        pkey=paramiko.Ed25519Key.from_private_key(io.StringIO(server.key_user.private_key)),
        look_for_keys=False,
        allow_agent=False,
        timeout=10,
    )
    return client


def paramiko_upload(server: SshdServer, local: Path, remote: str, way: str) -> dict:
    with _paramiko_connect(server) as client:
        cipher = client.get_transport().local_cipher
        with client.open_sftp() as sftp:
            started = time.perf_counter()
            if way == "putfo":
                with local.open("rb") as source:
                    sftp.putfo(source, remote, file_size=local.stat().st_size)
            else:
                with sftp.open(remote, "wb") as remote_file, local.open("rb") as source:
                    remote_file.set_pipelined(True)
                    while chunk := source.read(CHUNK):
                        remote_file.write(chunk)
            seconds = time.perf_counter() - started
            sftp.remove(remote)
    return {"seconds": seconds, "cipher": cipher}


def paramiko_cycles(server: SshdServer, folder: str, cycles: int) -> tuple[list, list]:
    totals, connects = [], []
    for _ in range(cycles):
        started = time.perf_counter()
        with _paramiko_connect(server) as client:
            connected = time.perf_counter()
            with client.open_sftp() as sftp:
                sftp.stat(folder)
                path = f"{folder}/verify-{uuid.uuid4().hex}"
                with sftp.open(path, "wb") as remote_file:
                    remote_file.write(b"0123456789abcdef")
                sftp.remove(path)
        totals.append(time.perf_counter() - started)
        connects.append(connected - started)
    return totals, connects


# the run ------------------------------------------------------------------------------

WAYS = [
    ("asyncssh", "put", asyncssh_upload),
    ("asyncssh", "write", asyncssh_upload),
    ("paramiko", "putfo", paramiko_upload),
    ("paramiko", "write", paramiko_upload),
]
WAY_LABELS = {
    ("asyncssh", "put"): "SFTPClient.put",
    ("asyncssh", "write"): "open('wb') + write 256 KiB",
    ("paramiko", "putfo"): "SFTPClient.putfo",
    ("paramiko", "write"): "open('wb') + set_pipelined + write 256 KiB",
}


def machine() -> list[str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    version = subprocess.run([SSHD, "-V"], capture_output=True, text=True, check=False)  # noqa: S603
    return [
        f"CPU: {cpu}, {os.cpu_count()} cores (shared with other work),"
        f" load {os.getloadavg()[0]:.2f}",
        f"OS: {platform.platform()}; Python {platform.python_version()}",
        f"server: {(version.stderr or version.stdout).strip()} on 127.0.0.1, internal-sftp",
        f"asyncssh {asyncssh.__version__}, paramiko {paramiko.__version__}",
    ]


def make_file(size: int) -> Path:
    handle, name = tempfile.mkstemp(prefix="sftp-bench-", suffix=".bin")
    with os.fdopen(handle, "wb") as file:
        left = size
        while left:
            block = min(left, 8 * MB)
            file.write(os.urandom(block))
            left -= block
    return Path(name)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=20)
    args = parser.parse_args(argv)

    size = args.size_mb * MB
    local = make_file(size)
    try:
        with sshd_running() as server:
            folder = str(server.key_user.upload)
            for line in machine():
                print(line)
            print(f"file: {args.size_mb} MB of os.urandom bytes, {args.runs} runs per way\n")
            results: dict[tuple[str, str], list[float]] = {}
            ciphers: dict[str, str] = {}
            for run in range(args.runs):
                order = WAYS if run % 2 == 0 else WAYS[::-1]
                for library, way, upload in order:
                    remote = f"{folder}/bench-{uuid.uuid4().hex}.bin"
                    outcome = upload(server, local, remote, way)
                    speed = size / MB / outcome["seconds"]
                    results.setdefault((library, way), []).append(speed)
                    ciphers[library] = outcome["cipher"]
                    print(f"  run {run + 1}: {library:8} {way:6} {speed:7.1f} MB/s", flush=True)

            cycles = {}
            for library, run_cycles in (
                ("asyncssh", asyncssh_cycles),
                ("paramiko", paramiko_cycles),
            ):
                run_cycles(server, folder, 2)  # warm-up (imports, first connection)
                cycles[library] = run_cycles(server, folder, args.cycles)

        print("\nupload, MB/s (median of runs; every run)")
        print("| library | way | median MB/s | runs | cipher |")
        print("|---|---|---:|---|---|")
        for library, way, _ in WAYS:
            speeds = results[(library, way)]
            runs = ", ".join(f"{speed:.1f}" for speed in speeds)
            print(
                f"| {library} | {WAY_LABELS[(library, way)]} | {statistics.median(speeds):.1f}"
                f" | {runs} | {ciphers[library]} |"
            )
        print(f"\nverify-like cycle, {args.cycles} times, ms (p50 nearest rank; p95)")
        print("| library | connect+auth p50 | whole cycle p50 | whole cycle p95 |")
        print("|---|---:|---:|---:|")
        for library, (totals, connects) in cycles.items():
            print(
                f"| {library} | {percentile(connects, 0.5) * 1000:.1f}"
                f" | {percentile(totals, 0.5) * 1000:.1f} | {percentile(totals, 0.95) * 1000:.1f} |"
            )
        best = {
            library: max(
                statistics.median(results[(library, way)]) for lib, way, _ in WAYS if lib == library
            )
            for library in ("asyncssh", "paramiko")
        }
        winner = max(best, key=best.get)
        print(
            f"\nbest way per library: asyncssh {best['asyncssh']:.1f} MB/s, "
            f"paramiko {best['paramiko']:.1f} MB/s -> higher throughput: {winner}"
        )
    finally:
        local.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
