from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectionsConfig(AppConfig):
    name = "connections_admin.connections"
    label = "connections"
    verbose_name = _("Connections")

    def ready(self) -> None:
        from datetime import timedelta

        from connections_admin.core import schedules

        from . import audit_changes, tasks, verify

        audit_changes.register()

        every = timedelta(minutes=5)
        schedules.register(
            schedules.Periodic(
                name=tasks.VERIFY_DAILY,
                task=tasks.verify_due_connections,
                every=every,
                work=lambda slot: verify.verify_due(slot, every),
            )
        )
