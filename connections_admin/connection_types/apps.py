from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectionTypesConfig(AppConfig):
    name = "connections_admin.connection_types"
    label = "connection_types"
    verbose_name = _("Connection types")

    def ready(self) -> None:
        from . import builtin
        from .registry import registry

        for type_class in builtin.BUILTIN_TYPES:
            registry.register(type_class)
        registry.load_entry_points()
