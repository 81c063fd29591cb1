from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "connections_admin.core"
    label = "core"
