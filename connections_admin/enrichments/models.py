from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from connections_admin.connection_types.registry import UnknownConnectionType, registry
from connections_admin.connections.fields import connection_field, connection_name_index
from connections_admin.connections.models import Connection
from connections_admin.core.models import Stamped
from connections_admin.segments.models import Segment


class EnrichmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class Enrichment(Stamped):
    """Brings third-party data in for all customers or one segment, through a connection.

    ``type_key`` is the enrichment's connection type, kept when the connection is
    detached so an inactive enrichment still says what it is.
    """

    name = models.CharField(_("name"), max_length=100)
    type_key = models.CharField(_("type"), max_length=64)
    connection = connection_field(related_name="enrichments", verbose_name=_("connection"))
    # The connection a Deactivate detached, offered first when it is activated again.
    # Not a dependant: removing that connection only forgets it.
    last_connection = models.ForeignKey(
        Connection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last connection"),
    )
    segment = models.ForeignKey(
        Segment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrichments",
        verbose_name=_("customer data set"),
        help_text=_("Empty means all customers."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EnrichmentStatus.choices,
        default=EnrichmentStatus.ACTIVE,
    )
    enriched_customers = models.PositiveIntegerField(_("enriched customers"), default=0)
    last_refreshed_at = models.DateTimeField(_("last refresh"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("name"), name="enrichment_name_unique_ci"),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(connection__isnull=False),
                name="enrichment_active_has_connection",
            ),
        ]
        indexes = [
            connection_name_index("enrichment_connection_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def type_name(self) -> str:
        try:
            return str(registry.get(self.type_key).name)
        except UnknownConnectionType:
            return self.type_key
