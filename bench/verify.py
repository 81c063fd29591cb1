#!/usr/bin/env python3
"""Verify, measured: one check per kind, a Verify end to end, and 100 Verify at once.

    .venv/bin/python bench/verify.py     # = make bench-verify; results in bench/VERIFY.md

Starts the tests' own sshd, Azurite and the HTTP stand-in on loopback ports, and runs on
PostgreSQL: the server of a ``postgres://`` DATABASE_URL, or without one a throwaway
server (the script runs itself again under ``tests/with_postgres.py``), migrated first.

1. **One check**, per kind (bench/verify_checks.py): the catalog's check beside a
   baseline doing the same network work without the product's code, ``--samples`` of
   each after ``--warmup``; p50 and p95 (nearest rank), ms.
2. **End to end**: one ``db_worker`` (``--interval``), ``--verifies`` Verify of one SFTP
   connection in a row, from ``connection_verify`` to the check's ``finished_at``, beside
   the check alone of (1). Untimed between two: the rate limit's window is moved back,
   and a random pause of up to one polling interval lets the request fall anywhere in
   the worker's sleep.
3. **``--checks`` Verify queued at once** (one transaction, the daily schedule's way:
   the admin's rate limit would stop one admin at 6) for as many SFTP connections, with
   two workers, and the same with one worker (the baseline). Each run: statuses, whether
   every check started once (one ``started_at``; one task result with one worker id;
   as many password logins in sshd's log as checks), wall time from the queueing to the
   last ``finished_at``, checks per second. ``--rounds`` of each, in the order 1, 2, 2, 1
   workers, ...; the speed-up is of the summed wall times.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shlex
import subprocess  # noqa: S404 (our own workers and tests/with_postgres.py, no shell)
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not __package__:  # run as a script: the repository root, not bench/, comes first
    sys.path[0] = str(ROOT)

from bench.serving import stop  # noqa: E402

REPORT = ROOT / "bench" / "VERIFY.md"
LOGIN = "Accepted password for "


# (3) judged (tests/bench/test_verify_bench.py) ---------------------------------------------------


@dataclass
class QueueRun:
    """What the checks and their task results say about one run of (3)."""

    workers: int
    statuses: Counter = field(default_factory=Counter)
    by_worker: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    queue_seconds: float = 0.0
    logins: int = 0
    run_ms: list[float] = field(default_factory=list)

    @property
    def checks(self) -> int:
        return sum(self.statuses.values())


def judge(workers: int, checks: list[dict], results: list[dict]) -> QueueRun:
    """``checks``: id, status, started_at, finished_at of each ConnectionCheck; ``results``:
    check_id, status and worker_ids of each task result of the run."""
    run = QueueRun(workers, statuses=Counter(check["status"] for check in checks))
    per_check: dict[int, list[dict]] = {}
    for result in results:
        per_check.setdefault(result["check_id"], []).append(result)
    for check in checks:
        found = per_check.pop(check["id"], [])
        workers_seen = [worker for result in found for worker in result["worker_ids"]]
        if check["started_at"] is None or check["finished_at"] is None:
            run.problems.append(f"check {check['id']} did not start and finish")
        if len(found) != 1 or len(workers_seen) != 1:
            run.problems.append(f"check {check['id']}: {len(found)} tasks, by {workers_seen}")
        elif found[0]["status"] != "SUCCESSFUL":
            run.problems.append(f"check {check['id']}: task {found[0]['status']}")
        run.by_worker.update(workers_seen)
        if check["started_at"] and check["finished_at"]:
            seconds = (check["finished_at"] - check["started_at"]).total_seconds()
            run.run_ms.append(seconds * 1000)
    run.problems += [f"a task for an unknown check {check_id}" for check_id in per_check]
    return run


# workers -----------------------------------------------------------------------------------------


@dataclass
class Workers:
    processes: list[tuple[subprocess.Popen, Path]]

    def check_alive(self) -> None:
        for process, log in self.processes:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"a worker exited with {process.returncode}: {log}\n{tail}")


@contextlib.contextmanager
def workers_running(ids: list[str], *, interval: float, logs: Path) -> Iterator[Workers]:
    """``manage.py db_worker`` processes with this process's environment (its settings);
    yields once every one has started its loop, stops them (SIGTERM) at the end."""
    workers = Workers([])
    try:
        for worker_id in ids:
            log = logs / f"{worker_id}.log"
            with log.open("w") as output:
                process = subprocess.Popen(  # noqa: S603 (manage.py, argument list)
                    [sys.executable, "manage.py", "db_worker", "--no-startup-delay",
                     "--no-reload", "--interval", str(interval), "--queue-name", "default",
                     "--worker-id", worker_id, "--verbosity", "1"],
                    cwd=ROOT, env=os.environ.copy(), stdout=output, stderr=subprocess.STDOUT,
                )  # fmt: skip
            workers.processes.append((process, log))
        deadline = time.monotonic() + 60
        for _, log in workers.processes:
            while "Starting worker" not in log.read_text(errors="replace"):
                workers.check_alive()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"a worker did not start within 60 s: {log}")
                time.sleep(0.05)
        yield workers
    finally:
        for process, _ in workers.processes:
            stop(process)


def wait_finished(check_ids: list[int], workers: Workers, *, poll: float, timeout: float) -> None:
    """Until every check has finished and the worker has closed its task: the next
    request then finds the worker idle."""
    from django_tasks_db.models import DBTaskResult

    from connections_admin.connections.models import ConnectionCheck

    deadline = time.monotonic() + timeout
    unfinished = ConnectionCheck.objects.filter(pk__in=check_ids, finished_at__isnull=True)
    while (
        unfinished.exists() or DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()
    ):
        workers.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"the checks did not finish within {timeout:g} s")
        time.sleep(poll)


# (2) end to end ----------------------------------------------------------------------------------


def end_to_end(connection, user, *, verifies: int, warmup: int, interval: float, logs: Path):
    """(end-to-end, in the queue, in the worker) ms of ``verifies`` Verify in a row."""
    from django.utils import timezone

    from connections_admin.connections.models import ConnectionCheck
    from connections_admin.connections.verify import RATE_WINDOW, connection_verify

    phase = secrets.SystemRandom()
    total, queued, running = [], [], []
    with workers_running(["bench-verify-e2e"], interval=interval, logs=logs) as workers:
        for number in range(warmup + verifies):
            ConnectionCheck.objects.filter(requested_by=user).update(
                requested_at=timezone.now() - 2 * RATE_WINDOW
            )
            time.sleep(phase.uniform(0, interval))
            started = timezone.now()
            check = connection_verify(connection=connection, user=user)
            wait_finished([check.pk], workers, poll=0.005, timeout=60)
            check.refresh_from_db()
            if check.status != "passed":
                raise RuntimeError(f"an end-to-end check {check.status}: {check.failure}")
            if number >= warmup:
                total.append((check.finished_at - started).total_seconds() * 1000)
                queued.append((check.started_at - started).total_seconds() * 1000)
                running.append((check.finished_at - check.started_at).total_seconds() * 1000)
    return total, queued, running


# (3) many at once --------------------------------------------------------------------------------


def queue_run(connections, workers: int, *, interval: float, logs: Path, sshd_log: Path):
    from django.db import transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from connections_admin.connections.models import ConnectionCheck
    from connections_admin.connections.verify import connection_verify

    ids = [f"bench-verify-{workers}w-{number}" for number in range(1, workers + 1)]
    with workers_running(ids, interval=interval, logs=logs) as running:
        logins_before = sshd_log.read_text(errors="replace").count(LOGIN)
        started = timezone.now()
        with transaction.atomic():  # the tasks are enqueued together, at the commit
            check_ids = [
                connection_verify(connection=connection, user=None, scheduled=True).pk
                for connection in connections
            ]
        queue_seconds = (timezone.now() - started).total_seconds()
        wait_finished(check_ids, running, poll=0.02, timeout=600)
    checks = list(
        ConnectionCheck.objects.filter(pk__in=check_ids).values(
            "id", "status", "started_at", "finished_at"
        )
    )
    results = [
        {"check_id": result.args_kwargs["args"][0], "status": result.status,
         "worker_ids": result.worker_ids}
        for result in DBTaskResult.objects.filter(
            enqueued_at__gte=started, task_path__endswith=".verify_connection"
        )
    ]  # fmt: skip
    run = judge(workers, checks, results)
    run.queue_seconds = queue_seconds
    run.wall_seconds = (max(c["finished_at"] for c in checks) - started).total_seconds()
    run.logins = sshd_log.read_text(errors="replace").count(LOGIN) - logins_before
    if run.logins != len(check_ids):
        run.problems.append(f"{run.logins} logins in sshd's log for {len(check_ids)} checks")
    return run


# the run -----------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--samples", type=int, default=30, help="timed checks per kind (1)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed first runs (1, 2)")
    parser.add_argument("--verifies", type=int, default=20, help="Verify in a row (2)")
    parser.add_argument("--checks", type=int, default=100, help="Verify queued at once (3)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of (3) per worker count")
    parser.add_argument("--interval", type=float, default=0.1, help="db_worker --interval")
    parser.add_argument("--output", type=Path, default=REPORT, help="the report (Markdown)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    database = os.environ.get("DATABASE_URL", "")
    if not database:  # a throwaway PostgreSQL, with this same command inside
        with_postgres = [sys.executable, str(ROOT / "tests" / "with_postgres.py")]
        return subprocess.run([*with_postgres, sys.executable, __file__, *argv]).returncode  # noqa: S603
    if not database.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/verify.py measures on PostgreSQL: unset DATABASE_URL for a throwaway one")
    python = os.path.relpath(sys.executable, ROOT)
    command = shlex.join([python, "bench/verify.py", *argv])
    if "pg-throwaway-" in database:
        command += " (on a throwaway PostgreSQL of tests/with_postgres.py)"

    from cryptography.fernet import Fernet

    from bench.verify_checks import check_latencies, report, servers_running, sftp_values

    load_before = os.getloadavg()[0]
    with servers_running() as servers:
        os.environ.update(servers.environment(Fernet.generate_key().decode()))
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        from connections_admin.connection_types.registry import registry
        from connections_admin.connections.models import Connection
        from connections_admin.connections.services import connection_create

        call_command("migrate", verbosity=0)
        print(f"1. one check per kind, {args.samples} samples each ...", flush=True)
        pairs = check_latencies(servers, samples=args.samples, warmup=args.warmup)

        user = get_user_model().objects.create_user(f"bench-verify-{secrets.token_hex(4)}")
        connections = [
            connection_create(
                connection_type=registry.get("sftp"),
                display_name=f"Verify bench {user.pk}-{number:03d}",
                values=sftp_values(servers.sshd),
                user=user,
            )
            for number in range(args.checks)
        ]
        # Verified before, as on a working day: the host key is known.
        Connection.objects.filter(pk__in=[c.pk for c in connections]).update(
            host_key=servers.sshd.host_key_fingerprint
        )
        logs = servers.workdir
        print(f"2. {args.verifies} Verify end to end ...", flush=True)
        e2e = end_to_end(
            connections[0], user, verifies=args.verifies, warmup=args.warmup,
            interval=args.interval, logs=logs,
        )  # fmt: skip
        runs = []
        # 1, 2, 2, 1, ...: a machine that slows down or speeds up favours neither.
        order = [
            workers for round_ in range(args.rounds) for workers in ((1, 2), (2, 1))[round_ % 2]
        ]
        for workers in order:
            print(f"3. {args.checks} Verify at once, {workers} worker(s) ...", flush=True)
            runs.append(
                queue_run(connections, workers, interval=args.interval, logs=logs,
                          sshd_log=servers.sshd.log)
            )  # fmt: skip
        load = (load_before, os.getloadavg()[0])
        lines = report(args, command, servers, pairs, e2e, runs, load)
    text = "\n".join(lines)
    print("\n" + text)
    args.output.write_text(text)
    print(f"written to {os.path.relpath(args.output, ROOT)}")
    return 1 if any(run.problems for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
