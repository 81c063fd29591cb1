"""What uses a connection, and the guided actions of the Remove dialog."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from connections_admin.core.lookups import among_values
from connections_admin.enrichments import services as enrichment_services
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports import services as export_services
from connections_admin.exports.models import Export

from .models import Connection

PAGE_SIZE = 25


def exports_of(connection: Connection) -> QuerySet[Export]:
    return (
        connection.exports.select_related("created_by")
        .only(
            "pk",
            "name",
            "connection_id",  # set from the related manager: deferring it costs a query a row
            "schedule",
            "schedule_time",
            "schedule_weekday",
            "created_by__username",
        )
        .order_by(Lower("name"), "pk")
    )


def enrichments_of(connection: Connection) -> QuerySet[Enrichment]:
    return (
        connection.enrichments.select_related("segment")
        .only("pk", "name", "type_key", "connection_id", "segment__name")
        .order_by(Lower("name"), "pk")
    )


# What each action says when done, by its number of objects ("count").
DONE = {
    "disconnect_exports": ngettext_lazy(
        "%(count)d export was disconnected. It keeps its settings.",
        "%(count)d exports were disconnected. They keep their settings.",
        "count",
    ),
    "remove_exports": ngettext_lazy(
        "%(count)d export was removed.", "%(count)d exports were removed.", "count"
    ),
    "deactivate_enrichments": ngettext_lazy(
        "%(count)d enrichment was deactivated.",
        "%(count)d enrichments were deactivated.",
        "count",
    ),
    "remove_enrichments": ngettext_lazy(
        "%(count)d enrichment was removed.", "%(count)d enrichments were removed.", "count"
    ),
}


def _done(action: str, count: int) -> str:
    return DONE[action] % {"count": count}


def apply(
    *, action: str, connection: Connection, ids: list[int], user: AbstractBaseUser
) -> str | None:
    """Disconnect / remove exports or deactivate / remove enrichments of ``connection``.

    All or nothing: if any id does not (or no longer) belong to this connection,
    nothing changes and None is returned. Otherwise returns the message to show.
    """
    with transaction.atomic():
        if action in ("disconnect_exports", "remove_exports"):
            chosen = Export.objects.filter(among_values("pk", ids), connection=connection)
        else:
            chosen = Enrichment.objects.filter(among_values("pk", ids), connection=connection)
        # Lock the chosen rows: a concurrent change makes the count differ.
        if len(chosen.select_for_update().values_list("pk", flat=True)) != len(ids):
            return None
        if action == "disconnect_exports":
            export_services.export_disconnect(
                export_ids=ids, user=user, connection_id=connection.pk
            )
        elif action == "remove_exports":
            export_services.exports_remove(exports=chosen, user=user)
        elif action == "deactivate_enrichments":
            enrichment_services.enrichment_deactivate(
                enrichment_ids=ids, user=user, connection_id=connection.pk
            )
        else:
            enrichment_services.enrichments_remove(enrichments=chosen, user=user)
        return _done(action, len(ids))


def apply_to_all(*, action: str, connection: Connection, user: AbstractBaseUser) -> str:
    """Disconnect every export, or deactivate every enrichment, of ``connection``."""
    with transaction.atomic():
        if action == "disconnect_all_exports":
            ids = list(connection.exports.values_list("pk", flat=True))
            count = export_services.export_disconnect(
                export_ids=ids, user=user, connection_id=connection.pk
            )
            return _done("disconnect_exports", count)
        ids = list(connection.enrichments.values_list("pk", flat=True))
        count = enrichment_services.enrichment_deactivate(
            enrichment_ids=ids, user=user, connection_id=connection.pk
        )
        return _done("deactivate_enrichments", count)


def summary(export_count: int, enrichment_count: int) -> str:
    parts = []
    if export_count:
        parts.append(
            ngettext("%(count)d export", "%(count)d exports", export_count)
            % {"count": export_count}
        )
    if enrichment_count:
        parts.append(
            ngettext("%(count)d enrichment", "%(count)d enrichments", enrichment_count)
            % {"count": enrichment_count}
        )
    return _(" and ").join(parts)
