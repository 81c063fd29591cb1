from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "connections_admin.core"
    label = "core"

    def ready(self) -> None:
        from . import integer_lookups

        integer_lookups.register()
