from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from connections_admin.connection_types.registry import registry

from .models import Export


def export_list(*, search: str = "") -> QuerySet[Export]:
    """Exports with their connection and creator, searchable by name, connection name or type."""
    queryset = Export.objects.select_related("connection", "created_by").order_by(
        Lower("name"), "pk"
    )
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(connection__display_name__icontains=search)
            | Q(connection__type_key__in=registry.keys_matching(search))
        )
    return queryset
