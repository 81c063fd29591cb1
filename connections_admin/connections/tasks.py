"""Background tasks of connections: thin calls into services that take ids."""

from django_tasks import task

from connections_admin.core import schedules

from . import verify


@task()
def verify_connection(check_id: int) -> None:
    verify.check_run(check_id=check_id)


@task()
def verify_due_connections(slot: str) -> None:
    """The daily checks, dispatched every five minutes (core/schedules.py)."""
    schedules.run(VERIFY_DAILY, slot)


VERIFY_DAILY = "verify_connections_daily"
