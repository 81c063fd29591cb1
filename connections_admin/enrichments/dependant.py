"""Enrichments as a kind of thing that uses a connection (registered by ``EnrichmentsConfig``)."""

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from connections_admin.connections.dependants import DependantKind, KindWords
from connections_admin.connections.models import Connection

from . import services
from .models import Enrichment


def enrichments_of(connection: Connection) -> QuerySet[Enrichment]:
    return (
        connection.enrichments.select_related("segment")
        .only("pk", "name", "type_key", "connection_id", "segment__name")
        .order_by(Lower("name"), "pk")
    )


def customer_data_set(enrichment: Enrichment) -> str:
    return enrichment.segment.name if enrichment.segment else _("All customers")


def move_targets(connection: Connection) -> QuerySet[Connection]:
    """Enrichments move to another connection of the same type (their type is its type)."""
    return Connection.objects.filter(type_key=connection.type_key).exclude(pk=connection.pk)


ENRICHMENTS = DependantKind(
    key="enrichment",
    plural_key="enrichments",
    model=Enrichment,
    listing=enrichments_of,
    detail=customer_data_set,
    detach_many=services.enrichment_deactivate,
    remove_many=services.enrichments_remove,
    move_targets=move_targets,
    move_many=services.enrichments_move,
    detach_action="deactivate",
    counted=True,
    order=20,
    words=KindWords(
        name=gettext_lazy("Enrichment"),
        detail=gettext_lazy("Customer data set"),
        counted=ngettext_lazy("%(count)d enrichment", "%(count)d enrichments", "count"),
        list_heading=gettext_lazy("Enrichments using this connection"),
        and_more=ngettext_lazy(
            "And more: %(counter)s enrichment in all.",
            "And more: %(counter)s enrichments in all.",
            "counter",
        ),
        uses=ngettext_lazy(
            "%(counter)s enrichment uses this connection",
            "%(counter)s enrichments use this connection",
            "counter",
        ),
        detach_help=gettext_lazy(
            "Deactivate keeps an enrichment's settings; attaching another connection "
            "activates it again."
        ),
        detach=gettext_lazy("Deactivate"),
        detach_selected=gettext_lazy("Deactivate selected enrichments"),
        remove_selected=gettext_lazy("Remove selected enrichments"),
        detach_all=ngettext_lazy(
            "Deactivate the %(counter)s enrichment",
            "Deactivate all %(counter)s enrichments",
            "counter",
        ),
        select_all=gettext_lazy("Select all enrichments on this page"),
        select_first=gettext_lazy("Select at least one enrichment first."),
        detached=ngettext_lazy(
            "%(count)d enrichment was deactivated.",
            "%(count)d enrichments were deactivated.",
            "count",
        ),
        removed=ngettext_lazy(
            "%(count)d enrichment was removed.", "%(count)d enrichments were removed.", "count"
        ),
        column=gettext_lazy("Enrichments"),
        detached_from=ngettext_lazy(
            "%(count)d enrichment was deactivated: %(names)s. It no longer uses “%(connection)s”.",
            "%(count)d enrichments were deactivated: %(names)s. They no longer use "
            "“%(connection)s”.",
            "count",
        ),
        removed_from=ngettext_lazy(
            "%(count)d enrichment was removed from “%(connection)s”: %(names)s.",
            "%(count)d enrichments were removed from “%(connection)s”: %(names)s.",
            "count",
        ),
        moved=ngettext_lazy(
            "%(count)d enrichment was moved from “%(source)s” to “%(target)s”: %(names)s.",
            "%(count)d enrichments were moved from “%(source)s” to “%(target)s”: %(names)s.",
            "count",
        ),
        confirm_remove=ngettext_lazy(
            "Remove %(count)d enrichment from “%(connection)s”?",
            "Remove %(count)d enrichments from “%(connection)s”?",
            "count",
        ),
        remove_warning=ngettext_lazy(
            "Its settings are deleted. This cannot be undone.",
            "Their settings are deleted. This cannot be undone.",
            "count",
        ),
        confirm_move=ngettext_lazy(
            "Move %(count)d enrichment to “%(target)s”?",
            "Move %(count)d enrichments to “%(target)s”?",
            "count",
        ),
        move_selected=gettext_lazy("Move selected enrichments"),
        move_all=ngettext_lazy(
            "Move the %(counter)s enrichment", "Move all %(counter)s enrichments", "counter"
        ),
    ),
)
