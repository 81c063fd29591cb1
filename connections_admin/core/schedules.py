"""Periodic jobs on Django's Tasks API, each slot run once.

The Tasks API has no clock of its own. A periodic job here is a task that takes its slot
(an ISO time) and, when it runs, first *claims* the slot (a unique row in
``ScheduleSlot``), then enqueues its own next slot with ``run_after``, then does its work.
Two chains of the same job (two ``start_schedules``, two deploys) meet at the first slot
they share: one claims it and goes on, the other stops there. A job whose workers were down
for hours runs once when they are back, for the current slot, not once per missed slot.

Apps register their jobs from ``AppConfig.ready()``; ``manage.py start_schedules``
enqueues every registered job's next slot (idempotent), and ``make run`` calls it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ScheduleSlot


@dataclass(frozen=True)
class Periodic:
    name: str
    task: object  # a django_tasks Task taking ``slot`` (an ISO datetime string)
    every: timedelta
    # What the job does for one slot; the task calls ``run(name, slot)`` below.
    work: Callable[[datetime], None]


_jobs: dict[str, Periodic] = {}
# Claims older than this are deleted: no task can still be waiting for such a slot.
KEEP_CLAIMS = timedelta(days=7)


def register(job: Periodic) -> Periodic:
    existing = _jobs.get(job.name)
    if existing is not None and existing is not job:
        raise ValueError(f"Periodic job {job.name!r} is already registered.")
    _jobs[job.name] = job
    return job


def jobs() -> list[Periodic]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def slot_at(moment: datetime, every: timedelta) -> datetime:
    """The start of the slot that ``moment`` falls in (slots count from the Unix epoch)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    step = int(every.total_seconds())
    return epoch + timedelta(seconds=(int((moment - epoch).total_seconds()) // step) * step)


def claim(name: str, slot: datetime) -> bool:
    """True for the one caller that gets to run ``name`` for ``slot``."""
    try:
        with transaction.atomic():
            ScheduleSlot.objects.create(job=name, slot=slot)
    except IntegrityError:
        return False
    return True


def enqueue_next(job: Periodic, *, now: datetime | None = None) -> datetime:
    """Enqueue the job's next slot after ``now``; returns it."""
    now = now or timezone.now()
    following = slot_at(now, job.every) + job.every
    job.task.using(run_after=following).enqueue(slot=following.isoformat())
    return following


def run(name: str, slot: str) -> bool:
    """The body of every periodic task: claim, chain, work. False if the slot was taken.

    The work is done for the current slot even when the task ran late: a job that was
    due hours ago runs once now.
    """
    job = _jobs[name]
    now = timezone.now()
    current = max(datetime.fromisoformat(slot), slot_at(now, job.every))
    if not claim(name, current):
        return False
    enqueue_next(job, now=now)
    ScheduleSlot.objects.filter(job=name, slot__lt=current - KEEP_CLAIMS).delete()
    job.work(current)
    return True


def start(*, now: datetime | None = None) -> list[str]:
    """Enqueue the current slot of every registered job (a slot already claimed is
    skipped by the task itself); returns the jobs' names."""
    now = now or timezone.now()
    for job in jobs():
        current = slot_at(now, job.every)
        job.task.using(run_after=current).enqueue(slot=current.isoformat())
    return [job.name for job in jobs()]
