from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and load data: the seed_demo and generate_load_data commands, nothing else.

    Installed last: it depends on every other app and no app depends on it.
    """

    name = "connections_admin.demo"
    label = "demo"
    verbose_name = _("Demo data")
