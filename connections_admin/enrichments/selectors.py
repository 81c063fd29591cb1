from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from connections_admin.connection_types.registry import registry
from connections_admin.connections.models import Connection, private_columns
from connections_admin.core.lookups import among

from .models import Enrichment


def enrichment_list(*, search: str = "") -> QuerySet[Enrichment]:
    """Enrichments with connection, segment and creator; searchable by name, connection, type."""
    queryset = (
        Enrichment.objects.select_related("connection", "segment", "created_by")
        .defer(*private_columns("connection"))
        .annotate(
            name_sort=Lower("name"),
            type_sort=registry.name_expression(),
            connection_sort=Lower("connection__display_name"),
        )
    )
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search)
            | among(
                "connection_id",
                Connection.objects.filter(display_name__icontains=search).values("pk"),
            )
            | Q(type_key__in=registry.keys_matching(search))
        )
    return queryset
