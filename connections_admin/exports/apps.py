from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "connections_admin.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        from connections_admin.connections.dependants import kinds

        from .dependant import EXPORTS

        kinds.register(EXPORTS)
        self._register_periodic_jobs()
        self._connect_system_refresh()

    @staticmethod
    def _connect_system_refresh() -> None:
        from connections_admin.customers.signals import system_refreshed

        from .dispatch import on_system_refreshed

        system_refreshed.connect(on_system_refreshed, dispatch_uid="exports_refresh_runs")

    @staticmethod
    def _register_periodic_jobs() -> None:
        from datetime import timedelta

        from connections_admin.core import schedules

        from . import dispatch, runs, tasks

        minute, day = timedelta(minutes=1), timedelta(days=1)
        for name, task, every, work in (
            (tasks.DISPATCH, tasks.dispatch_exports, minute, dispatch.dispatch_due),
            (tasks.REAP_RUNS, tasks.reap_runs, minute, runs.runs_reap),
            (tasks.PRUNE_RUNS, tasks.prune_runs, day, runs.runs_prune),
        ):
            schedules.register(schedules.Periodic(name=name, task=task, every=every, work=work))
