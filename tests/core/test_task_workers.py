"""``manage.py db_worker``: several workers on PostgreSQL share one queue, and no task runs
twice. Real worker processes against the test database (PostgreSQL only: SQLite has one
writer, and one worker is what the README asks for there)."""

import os
import subprocess
import sys
from collections import Counter

import pytest
from django.db import connection as db
from django_tasks_db.models import DBTaskResult

from tests.core.tasks_for_tests import leave_a_row
from tests.dependant_kind.models import Pipeline

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db.vendor != "postgresql", reason="several workers need PostgreSQL"),
]


def worker_env() -> dict:
    """The workers' DATABASE_URL names the test database, not the main one."""
    url = os.environ["DATABASE_URL"]
    base, _sep, _name = url.rpartition("/")
    return {
        **os.environ,
        "DATABASE_URL": f"{base}/{db.settings_dict['NAME']}",
        "DJANGO_SETTINGS_MODULE": "connections_admin.settings.test",
    }


def test_two_workers_run_every_task_once():
    for n in range(60):
        leave_a_row.enqueue(n)
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--interval",
        "0.1",
        "--verbosity",
        "0",
    ]
    workers = [
        subprocess.Popen(command, env=worker_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()[-2000:]

    runs = Counter(Pipeline.objects.values_list("name", flat=True))
    assert runs == Counter({f"ran {n}": 1 for n in range(60)})
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    # Both took part (each claims with SELECT ... FOR UPDATE SKIP LOCKED), each task once.
    worker_ids = list(DBTaskResult.objects.values_list("worker_ids", flat=True))
    assert all(len(ids) == 1 for ids in worker_ids)
    assert len({ids[0] for ids in worker_ids}) == 2
