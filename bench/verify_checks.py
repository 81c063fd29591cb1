"""The Verify benchmark's servers, the latency of one check per kind beside a baseline that
does the same network work without the product's code, and the report (bench/verify.py).

- SFTP: the catalog's ``SftpCheck`` (socket from the guard ``outbound.net.connect``,
  asyncssh, host key policy) against plain asyncssh (connect with the known host key,
  password, ``isdir``, write 25 bytes, remove), both in a new event loop per check;
- Azure Blob: ``AzureBlobCheck`` (the SDK over the guarded requests session) against the
  plain SDK with ``connection_verify=<CA file>`` (container properties, put, delete), a
  new client per check;
- HTTP: SendGrid's ``HttpCheck`` (``outbound.http.request``) against a plain
  ``http.client.HTTPSConnection`` GET of the same path with the same headers, a new
  connection and TLS context per check.

Ours and the baseline alternate, one each in turn (which goes first swaps every round),
so that a slow moment of the machine falls on both.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import shutil
import socket
import ssl
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from bench.measure import percentile
from tests.connection_types.standin import HOST as STANDIN_HOST
from tests.connection_types.standin import Answer, Expect, StandIn
from tests.servers.azurite import AzuriteServer, azurite_running
from tests.servers.sshd import SshdServer, sshd_running

SFTP_HOST = "sftp.test"  # bench/verify_settings.py resolves it to 127.0.0.1
SENDGRID_KEY = "SG.bench-verify-key"
SENDGRID_PATH = "/v3/scopes"
PROBE = b"connections-admin verify\n"
CHECK_DEADLINE = 20.0


@dataclass
class Servers:
    sshd: SshdServer
    azurite: AzuriteServer
    standin: StandIn
    ca_file: Path  # Azurite's CA and the stand-in's, one PEM file
    workdir: Path

    def environment(self, secret_key: str) -> dict[str, str]:
        """What bench/verify_settings.py reads, for this process and every worker."""
        return {
            "DJANGO_SETTINGS_MODULE": "bench.verify_settings",
            "BENCH_VERIFY_SECRET_KEY": secret_key,
            "BENCH_VERIFY_CA_FILE": str(self.ca_file),
            "BENCH_VERIFY_AZURE_ENDPOINT": f"https://{self.azurite.host}:{self.azurite.port}"
            "/{account}",
            "BENCH_VERIFY_STANDIN_URL": self.standin.url,
        }


@contextlib.contextmanager
def servers_running() -> Iterator[Servers]:
    """sshd, Azurite and the stand-in (tests/servers, tests/connection_types/standin.py),
    each on a free port of 127.0.0.1; all stopped at the end, also on error."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    try:
        with (
            sshd_running() as sshd,
            azurite_running() as azurite,
            StandIn(workdir / "standin") as standin,
        ):
            standin.expect(
                Expect(
                    "GET",
                    SENDGRID_PATH,
                    headers={"Authorization": f"Bearer {SENDGRID_KEY}"},
                    answer=Answer(200, {"scopes": ["mail.send", "marketing.read"]}),
                )
            )
            ca_file = workdir / "ca.pem"
            ca_file.write_bytes(azurite.ca_file.read_bytes() + standin.ca_file.read_bytes())
            yield Servers(sshd, azurite, standin, ca_file, workdir)
            if standin.violations:
                raise RuntimeError(f"the stand-in saw undocumented requests: {standin.violations}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def sftp_values(sshd: SshdServer) -> dict:
    """An SFTP connection's setup values: the password user of the benchmark's sshd."""
    user = sshd.password_user
    return {
        "hostname": SFTP_HOST,
        "port": sshd.port,
        "username": user.name,
        "password": user.password,
        "export_folder": str(user.upload),
        "compression": "gzipped",
        "field_delimiter": "comma",
    }


# ours: the catalog's checks (Django must be set up) ----------------------------------------------


def _context(settings: dict, secrets: dict, known_host_key: str = ""):
    from connections_admin.connection_types.checks import CheckContext
    from connections_admin.outbound.net import Deadline

    return CheckContext(
        settings=settings,
        secrets=secrets,
        deadline=Deadline(CHECK_DEADLINE),
        known_host_key=known_host_key,
    )


def ours(servers: Servers) -> dict[str, Callable[[], object]]:
    from connections_admin.connection_types.registry import registry

    values = sftp_values(servers.sshd)
    password = values.pop("password")
    azurite = servers.azurite
    return {
        "sftp": lambda: registry.get("sftp").check.run(
            _context(values, {"password": password}, servers.sshd.host_key_fingerprint)
        ),
        "azure": lambda: registry.get("azure_blob_storage").check.run(
            _context(
                {"account_name": azurite.account_name, "container": azurite.container},
                {"account_key": azurite.account_key},
            )
        ),
        "http": lambda: registry.get("sendgrid").check.run(_context({}, {"api_key": SENDGRID_KEY})),
    }


# baselines: the same network work, without the product's code ------------------------------------


async def _plain_sftp(sshd: SshdServer) -> None:
    user = sshd.password_user
    folder = str(user.upload)
    async with (
        asyncssh.connect(
            sshd.host,
            sshd.port,
            username=user.name,
            password=user.password,
            known_hosts=asyncssh.import_known_hosts(sshd.known_hosts_line() + "\n"),
            client_keys=[],
            agent_path=None,
            config=None,
        ) as connection,
        connection.start_sftp_client() as sftp,
    ):
        if not await sftp.isdir(folder):
            raise RuntimeError(f"{folder} is not a folder on the server")
        path = f"{folder}/bench-verify-{uuid.uuid4().hex}"
        async with sftp.open(path, "wb") as remote:
            await remote.write(PROBE)
        await sftp.remove(path)


def plain_azure(azurite: AzuriteServer) -> None:
    with azurite.blob_service_client(retry_total=0) as service:
        container = service.get_container_client(azurite.container)
        container.get_container_properties()
        container.upload_blob(f"bench-verify-{uuid.uuid4().hex}", PROBE).delete_blob()


def plain_https(standin: StandIn) -> None:
    context = ssl.create_default_context(cafile=str(standin.ca_file))
    connection = http.client.HTTPSConnection(
        STANDIN_HOST, standin.port, timeout=CHECK_DEADLINE, context=context
    )
    # standin.test is in no DNS: http.client's own connect (TCP_NODELAY, TLS for the name
    # standin.test), but to 127.0.0.1.
    connection._create_connection = lambda address, *rest: socket.create_connection(
        ("127.0.0.1", address[1]), *rest
    )
    try:
        connection.request(
            "GET",
            SENDGRID_PATH,
            headers={"Authorization": f"Bearer {SENDGRID_KEY}", "Accept": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"the stand-in answered {response.status}")
    finally:
        connection.close()


def baselines(servers: Servers) -> dict[str, Callable[[], object]]:
    return {
        "sftp": lambda: asyncio.run(_plain_sftp(servers.sshd)),
        "azure": lambda: plain_azure(servers.azurite),
        "http": lambda: plain_https(servers.standin),
    }


KINDS = {
    "sftp": "SFTP, password user, vs sshd",
    "azure": "Azure Blob vs Azurite (HTTPS, test CA)",
    "http": "HTTP (SendGrid's check) vs the stand-in",
}


# measuring ---------------------------------------------------------------------------------------


@dataclass
class Pair:
    """Milliseconds of ours and of the baseline, sample for sample."""

    kind: str
    ours: list[float]
    baseline: list[float]

    @property
    def ratio(self) -> float:
        return percentile(self.ours, 0.5) / percentile(self.baseline, 0.5)


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def measure_pair(
    kind: str, ours_run: Callable, baseline_run: Callable, *, samples: int, warmup: int
) -> Pair:
    """``warmup`` untimed rounds, then ``samples`` timed ones, ours and the baseline in
    turn (the first of a round alternates)."""
    pair = Pair(kind, [], [])
    for round_ in range(warmup + samples):
        order = [(ours_run, pair.ours), (baseline_run, pair.baseline)]
        for run, into in order if round_ % 2 == 0 else order[::-1]:
            elapsed = _timed(run)
            if round_ >= warmup:
                into.append(elapsed)
    return pair


def check_latencies(servers: Servers, *, samples: int, warmup: int) -> list[Pair]:
    ours_runs, baseline_runs = ours(servers), baselines(servers)
    return [
        measure_pair(kind, ours_runs[kind], baseline_runs[kind], samples=samples, warmup=warmup)
        for kind in KINDS
    ]


# the report --------------------------------------------------------------------------------------


def ms(samples: list[float], fraction: float) -> str:
    return f"{percentile(samples, fraction):.1f}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def machine_lines(servers) -> list[str]:
    import asyncssh
    from azure.storage.blob import __version__ as blob_version
    from django.db import connection

    from bench.report import machine
    from tests.servers.sshd import sshd_version

    info = machine()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres = cursor.fetchone()[0].split(" on ")[0]
    return [
        f"- CPU: {info['cpu']}, `nproc` = {info['nproc']} (shared with whatever else runs)",
        f"- OS: {info['os']}; Python {info['python']}, Django {info['django']}",
        f"- {postgres}; OpenSSH sshd {'.'.join(map(str, sshd_version()))}; Azurite "
        f"(var/test-tools/azurite); asyncssh {asyncssh.__version__}, azure-storage-blob "
        f"{blob_version}",
        f"- every server on 127.0.0.1 of this machine: clients, servers, workers and "
        f"PostgreSQL share its {info['nproc']} cores",
    ]


def report(args, command: str, servers, pairs, e2e, runs, load: tuple) -> list[str]:
    lines = [
        "# Verify benchmark (issue 14)",
        "",
        "Written by `bench/verify.py` (the method is its docstring and "
        "`bench/verify_checks.py`'s); every figure was measured by the run described here.",
        "",
        "## Machine and command",
        "",
        f"- Command: `{command}`",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        *machine_lines(servers),
        f"- 1-minute load average: {load[0]:.2f} before, {load[1]:.2f} after",
        "",
        f"## 1. One check, ms ({args.samples} samples after {args.warmup} warm-ups each, "
        "ours and the baseline in turn)",
        "",
    ]
    lines += table(
        ["kind", "ours p50", "ours p95", "baseline p50", "baseline p95", "ours/baseline p50"],
        [
            [KINDS[pair.kind], ms(pair.ours, 0.5), ms(pair.ours, 0.95), ms(pair.baseline, 0.5),
             ms(pair.baseline, 0.95), f"{pair.ratio:.2f}"]
            for pair in pairs
        ],
    )  # fmt: skip
    lines += [
        "",
        "Baselines: asyncssh with the server's key in `known_hosts`; the SDK's own transport "
        "(requests, urllib3) trusting the test CA file only; `http.client`'s own `connect` "
        "with a TLS context of the test CA only. Ours adds the guard (resolve, allowed "
        "networks, the socket pinned to the checked address), a TLS context of the system "
        "CAs plus `CONNECTIONS_OUTBOUND_EXTRA_CA_FILE`, and the check's own code.",
    ]
    sftp = next(pair for pair in pairs if pair.kind == "sftp")
    total, queued, running = e2e
    lines += [
        "",
        f"## 2. One Verify end to end, ms (SFTP; one `db_worker --interval {args.interval:g}`;"
        f" {args.verifies} in a row after {args.warmup} warm-ups; PostgreSQL)",
        "",
    ]
    lines += table(
        ["", "p50", "p95"],
        [
            ["`connection_verify` -> check finished", ms(total, 0.5), ms(total, 0.95)],
            ["of which in the queue (-> `started_at`)", ms(queued, 0.5), ms(queued, 0.95)],
            ["of which in the worker (`started_at` -> `finished_at`)", ms(running, 0.5),
             ms(running, 0.95)],
            ["baseline: the check alone, from 1", ms(sftp.ours, 0.5), ms(sftp.ours, 0.95)],
            ["the queue's cost (end to end - check alone)",
             f"{percentile(total, 0.5) - percentile(sftp.ours, 0.5):.1f}", ""],
        ],
    )  # fmt: skip
    lines += [
        "",
        f"## 3. {args.checks} Verify queued at once (SFTP, one transaction; "
        f"`db_worker --interval {args.interval:g}`; {args.rounds} rounds, in this order)",
        "",
    ]
    rows = []
    for run in runs:
        rate = run.checks / run.wall_seconds if run.wall_seconds else 0.0
        rows.append(
            [f"{run.workers}" + (" (baseline)" if run.workers == 1 else ""),
             ", ".join(f"{status} {count}" for status, count in sorted(run.statuses.items())),
             "yes" if not run.problems else f"NO: {'; '.join(run.problems[:3])}",
             ", ".join(f"{worker} {count}" for worker, count in sorted(run.by_worker.items())),
             str(run.logins), f"{run.queue_seconds:.2f}", f"{run.wall_seconds:.2f}",
             f"{rate:.1f}", f"{ms(run.run_ms, 0.5)} / {ms(run.run_ms, 0.95)}"]
        )  # fmt: skip
    lines += table(
        ["workers", "checks by status", "each started once", "checks per worker id",
         "sshd logins", "queueing s", "wall s", "checks/s", "one check in the worker p50/p95 ms"],
        rows,
    )  # fmt: skip
    walls = {n: sum(run.wall_seconds for run in runs if run.workers == n) for n in (1, 2)}
    if walls[1] and walls[2]:
        lines += ["", f"Two workers against one: {walls[1] / walls[2]:.2f} times the checks per "
                  "second (summed wall times of the rounds)."]  # fmt: skip
    return lines + [""]
