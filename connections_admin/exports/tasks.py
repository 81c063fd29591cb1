"""Background tasks of exports: thin calls into services that take ids."""

from django_tasks import task

from connections_admin.core import schedules

from . import runs

REAP_RUNS = "export_runs_reap"
PRUNE_RUNS = "export_runs_prune"
DISPATCH = "exports_dispatch"


@task()
def run_export(run_id: int) -> None:
    runs.run_execute(run_id=run_id)


@task()
def reap_runs(slot: str) -> None:
    """Every minute: re-queue runs whose worker stopped renewing their lease."""
    schedules.run(REAP_RUNS, slot)


@task()
def prune_runs(slot: str) -> None:
    """Every day: the run history keeps 90 days."""
    schedules.run(PRUNE_RUNS, slot)


@task()
def dispatch_exports(slot: str) -> None:
    """Every minute: queue the runs of the hourly, daily and weekly exports now due."""
    schedules.run(DISPATCH, slot)
