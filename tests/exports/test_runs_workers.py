"""Export runs in real worker processes (``manage.py db_worker``) against OpenSSH's sshd on
loopback: a worker killed with SIGKILL in the middle of a file, its lease run out, the run
taken over by another worker. PostgreSQL only (the workers share the test database; SQLite
has one writer, and one worker is what the README asks for there)."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection as db
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from connections_admin.exports import runs
from connections_admin.exports.models import ExportRun, RunStatus
from tests.exports.test_runs_delivery import (  # noqa: F401 (fixtures: sftp, upload)
    FIELDS,
    bulk_members,
    file_name,
    make_export,
    ours,
    parse,
    sftp,
    sftp_connection,
    upload,
)
from tests.factories import SegmentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db.vendor != "postgresql", reason="several workers need PostgreSQL"),
]

ROOT = Path(__file__).resolve().parents[2]


def worker_env() -> dict:
    """The test database, and the settings the test process has (tests/exports/
    worker_settings.py): the same secret keys, loopback allowed, sftp.test on loopback."""
    base, _sep, _name = os.environ["DATABASE_URL"].rpartition("/")
    given = {
        name: getattr(django_settings, name)
        for name in (
            "CONNECTIONS_SECRET_KEYS",
            "CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS",
            "CONNECTIONS_OUTBOUND_TEST_HOSTS",
        )
    }
    return {
        **os.environ,
        "DATABASE_URL": f"{base}/{db.settings_dict['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tests.exports.worker_settings",
        "TESTS_WORKER_SETTINGS": json.dumps(given),
    }


def start_worker(log: Path, *, batch: bool) -> subprocess.Popen:
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--no-startup-delay",
        "--no-reload",
        "--interval",
        "0.1",
        "--verbosity",
        "0",
    ]
    if batch:
        command.append("--batch")  # run what is ready, then exit
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603 (this Python, manage.py, argument list)
            command, cwd=ROOT, env=worker_env(), stdout=output, stderr=subprocess.STDOUT
        )


def wait_for(condition, timeout: float, what: str, worker: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and worker.poll() is None:
        found = condition()
        if found:
            return found
        time.sleep(0.005)
    ended = f"worker exited with {worker.returncode}" if worker.poll() is not None else "timeout"
    raise AssertionError(f"{ended} waiting for {what}:\n{log.read_text()[-3000:]}")


def test_a_worker_killed_mid_file_is_taken_over_without_duplicates(sftp, upload, tmp_path):  # noqa: F811
    first, second = SegmentFactory(name="First part"), SegmentFactory(name="Second part")
    bulk_members(first, 30_000)
    bulk_members(second, 300_000)
    export = make_export(sftp_connection(sftp), [first, second])
    run = runs.run_request(export=export)  # committed: the task is queued
    log = tmp_path / "workers.log"

    worker_a = start_worker(log, batch=False)
    try:
        run = wait_for(
            lambda: ExportRun.objects.filter(
                pk=run.pk, status=RunStatus.RUNNING, snapshot__has_key="stamp"
            ).first(),
            60,
            "worker A to claim the run",
            worker_a,
            log,
        )
        names = [file_name(export, s, run.snapshot["stamp"], True) for s in (first, second)]

        def mid_second_file():
            for partial in upload.glob(f".{names[1]}.partial-*"):
                if (upload / names[0]).exists() and partial.stat().st_size > 0:
                    return partial
            return None

        partial = wait_for(
            mid_second_file, 60, "worker A to be writing the second file", worker_a, log
        )
        os.kill(worker_a.pid, signal.SIGKILL)
        assert worker_a.wait(10) == -signal.SIGKILL
    finally:
        if worker_a.poll() is None:
            worker_a.kill()
            worker_a.wait()

    # Worker A died mid-file: the first file published, the second only as a partial.
    published_first = (upload / names[0]).stat()
    assert partial.exists() and not (upload / names[1]).exists()
    run.refresh_from_db()
    assert (run.status, run.attempt, run.files) == (RunStatus.RUNNING, 1, 1)
    assert runs.runs_reap() == 0  # its lease has not run out yet: nobody takes it

    # The lease runs out (what a minute without heartbeats does); the reaper re-queues it.
    ExportRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert runs.runs_reap() == 1
    worker_b = start_worker(log, batch=True)
    try:
        assert worker_b.wait(120) == 0, log.read_text()[-3000:]
    finally:
        if worker_b.poll() is None:
            worker_b.kill()
            worker_b.wait()

    run.refresh_from_db()
    assert (run.status, run.failure) == (RunStatus.SUCCEEDED, ""), sftp.log.read_text()[-3000:]
    assert run.attempt == 2
    # Exactly one file per segment, no partial left (ours() lists hidden ones too), the
    # first file not sent again.
    assert ours(upload, export) == sorted(names)
    again = (upload / names[0]).stat()
    assert (again.st_ino, again.st_mtime_ns) == (
        published_first.st_ino,
        published_first.st_mtime_ns,
    )
    for name, segment in zip(names, (first, second), strict=True):
        rows = parse((upload / name).read_bytes(), gzipped=True, delimiter=",")  # whole gzip
        assert rows[0] == FIELDS
        assert len(rows) - 1 == segment.member_count
    # Each file counted once, by the attempt that published it.
    assert (run.files, run.rows) == (2, 330_000)
    assert run.bytes == sum((upload / name).stat().st_size for name in names)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
