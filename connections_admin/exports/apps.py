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

    @staticmethod
    def _register_periodic_jobs() -> None:
        from datetime import timedelta

        from connections_admin.core import schedules

        from . import runs, tasks

        schedules.register(
            schedules.Periodic(
                name=tasks.REAP_RUNS,
                task=tasks.reap_runs,
                every=timedelta(minutes=1),
                work=runs.runs_reap,
            )
        )
        schedules.register(
            schedules.Periodic(
                name=tasks.PRUNE_RUNS,
                task=tasks.prune_runs,
                every=timedelta(days=1),
                work=runs.runs_prune,
            )
        )
