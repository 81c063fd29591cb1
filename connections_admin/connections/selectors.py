"""Reads of connections for the console's pages."""

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower

from connections_admin.accounts.roles import Role
from connections_admin.connection_types.base import Usage
from connections_admin.connection_types.registry import registry
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports.models import Export

from .dependants import summary
from .models import (
    Connection,
    ConnectionGroupObjectPermission,
    ConnectionUserObjectPermission,
)


def _count_of(model, limit: int | None = None) -> Subquery:
    rows = (
        model.objects.filter(connection=OuterRef("pk"))
        .order_by()
        .values("connection")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def shared_with_contributors() -> Exists:
    return Exists(
        ConnectionGroupObjectPermission.objects.filter(
            content_object=OuterRef("pk"),
            group__name=Role.CONTRIBUTOR.group_name,
            permission__codename="use_connection",
        )
    )


def shared_with_chosen() -> Exists:
    """Shared with particular users or groups (other than the Contributor group)."""
    users = ConnectionUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission__codename="use_connection"
    )
    groups = ConnectionGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission__codename="use_connection"
    ).exclude(group__name=Role.CONTRIBUTOR.group_name)
    return Exists(users) | Exists(groups)


def connection_list(*, search: str = "") -> QuerySet[Connection]:
    """Every connection with what the Connections tab shows and sorts by.

    Annotations: ``type_sort`` and ``used_for_sort`` (from the catalog),
    ``contributors_may_use`` (shared with the Contributor group, or an enrichment
    connection, which every contributor may use), ``export_count`` and
    ``enrichment_count``.
    """
    enrichment_keys = registry.keys_for_usage(Usage.ENRICHMENT)
    queryset = (
        Connection.objects.select_related("created_by")
        .defer("secrets_encrypted", "settings")
        .annotate(
            name_sort=Lower("display_name"),
            type_sort=registry.name_expression(),
            used_for_sort=registry.used_for_expression(),
            contributors_may_use=Case(
                When(type_key__in=enrichment_keys, then=Value(True)),
                default=shared_with_contributors(),
            ),
            chosen_may_use=shared_with_chosen(),
            export_count=_count_of(Export),
            enrichment_count=_count_of(Enrichment),
        )
    )
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(display_name__icontains=search) | Q(type_key__in=registry.keys_matching(search))
        )
    return queryset


def connection_usage(connection: Connection, *, limit: int = 10) -> dict:
    """What uses a connection: counts, and the first ``limit`` of each, by name."""
    exports = connection.exports.order_by(Lower("name"))
    enrichments = connection.enrichments.order_by(Lower("name"))
    export_count, enrichment_count = exports.count(), enrichments.count()
    return {
        "export_count": export_count,
        "enrichment_count": enrichment_count,
        "summary": summary(export_count, enrichment_count),
        "exports": list(exports.values_list("name", flat=True)[:limit]),
        "enrichments": list(enrichments.values_list("name", flat=True)[:limit]),
    }
