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
