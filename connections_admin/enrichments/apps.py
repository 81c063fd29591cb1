from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrichmentsConfig(AppConfig):
    name = "connections_admin.enrichments"
    label = "enrichments"
    verbose_name = _("Enrichments")

    def ready(self) -> None:
        from connections_admin.connections.dependants import kinds

        from .dependant import ENRICHMENTS

        kinds.register(ENRICHMENTS)
