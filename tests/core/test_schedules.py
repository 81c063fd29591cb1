"""Periodic jobs on the task queue: each slot runs once, missed slots are not replayed."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django_tasks_db.models import DBTaskResult

from connections_admin.core import schedules
from connections_admin.core.models import ScheduleSlot

pytestmark = pytest.mark.django_db
EVERY = timedelta(minutes=5)


@pytest.fixture
def job(monkeypatch):
    from connections_admin.connections import tasks

    done = []
    periodic = schedules.Periodic(
        name="test-job", task=tasks.verify_due_connections, every=EVERY, work=done.append
    )
    monkeypatch.setitem(schedules._jobs, "test-job", periodic)
    return SimpleNamespace(periodic=periodic, done=done)


def at(hour, minute, second=0):
    return datetime(2026, 11, 30, hour, minute, second, tzinfo=UTC)


def test_slots_count_from_the_epoch():
    assert schedules.slot_at(at(10, 7, 31), EVERY) == at(10, 5)
    assert schedules.slot_at(at(10, 5), EVERY) == at(10, 5)


def test_a_slot_is_claimed_once():
    assert schedules.claim("test-job", at(10, 5)) is True
    assert schedules.claim("test-job", at(10, 5)) is False
    assert schedules.claim("other-job", at(10, 5)) is True


def test_a_run_claims_chains_the_next_slot_and_works(job):
    slot = schedules.slot_at(datetime.now(UTC), EVERY)
    assert schedules.run("test-job", slot.isoformat()) is True
    assert job.done == [slot]
    queued = DBTaskResult.objects.get()
    assert queued.run_after == slot + EVERY
    # A second chain reaching the same slot stops there: no work, nothing enqueued.
    assert schedules.run("test-job", slot.isoformat()) is False
    assert job.done == [slot] and DBTaskResult.objects.count() == 1


def test_a_late_task_runs_once_for_the_current_slot_not_per_missed_slot(job):
    now = schedules.slot_at(datetime.now(UTC), EVERY)
    long_ago = now - timedelta(hours=6)
    assert schedules.run("test-job", long_ago.isoformat()) is True
    assert job.done == [now]  # one run, for now
    assert not ScheduleSlot.objects.filter(slot__lt=now).exists()


def test_start_enqueues_every_registered_job(job):
    names = schedules.start()
    assert "test-job" in names and "verify_connections_daily" in names
    assert DBTaskResult.objects.count() == len(names)


def test_old_claims_are_forgotten(job):
    ScheduleSlot.objects.create(job="test-job", slot=at(1, 0) - timedelta(days=30))
    schedules.run("test-job", datetime.now(UTC).isoformat())
    assert ScheduleSlot.objects.filter(job="test-job").count() == 1
