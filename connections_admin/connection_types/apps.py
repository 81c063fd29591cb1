from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectionTypesConfig(AppConfig):
    name = "connections_admin.connection_types"
    label = "connection_types"
    verbose_name = _("Connection types")

    def ready(self) -> None:
        from connections_admin.core import debug

        from . import builtin
        from .registry import registry

        for type_class in builtin.BUILTIN_TYPES:
            registry.register(type_class)
        registry.load_entry_points()
        # Error reports hide every secret field of every type, whatever DEBUG says.
        debug.hide(name for connection_type in registry for name in connection_type.secret_names())
