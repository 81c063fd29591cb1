"""Reads of connections for the console's pages."""

from django.contrib.auth.models import Group, Permission
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower, NullIf, RowNumber

from connections_admin.accounts.roles import Role
from connections_admin.connection_types.base import Usage
from connections_admin.connection_types.registry import registry

from .dependants import DependantKind, kinds
from .models import (
    Connection,
    ConnectionGroupObjectPermission,
    ConnectionUserObjectPermission,
)
from .sharing import USE_PERMISSION


def _one_id(queryset) -> Subquery:
    """An uncorrelated scalar subquery: computed once per query (an InitPlan)."""
    return Subquery(queryset.order_by().values("pk")[:1])


def _use_permission_id() -> Subquery:
    return _one_id(
        Permission.objects.filter(content_type__app_label="connections", codename=USE_PERMISSION)
    )


def _contributor_group_id() -> Subquery:
    return _one_id(Group.objects.filter(name=Role.CONTRIBUTOR.group_name))


def _ids_shared_with(model, *conditions: Q) -> QuerySet:
    """Ids of the connections with a "use" permission row of ``model`` matching ``conditions``.

    Not correlated with the outer query: the database computes the set once (a hashed
    subplan in PostgreSQL, an ephemeral index in SQLite) and probes it per row, so
    sorting 10,000 connections by who may use them stays cheap. The permission and the
    group are compared by id (looked up once), so the set is read from an index.
    """
    return (
        model.objects.filter(*conditions, permission_id=_use_permission_id())
        .order_by()
        .values("content_object_id")
    )


def shared_with_contributors() -> Q:
    contributors = Q(group_id=_contributor_group_id())
    return Q(pk__in=_ids_shared_with(ConnectionGroupObjectPermission, contributors))


def shared_with_chosen() -> Q:
    """Shared with particular users or groups (other than the Contributor group)."""
    others = Group.objects.exclude(name=Role.CONTRIBUTOR.group_name).values("pk")
    groups = _ids_shared_with(ConnectionGroupObjectPermission, Q(group_id__in=others))
    return Q(pk__in=_ids_shared_with(ConnectionUserObjectPermission)) | Q(pk__in=groups)


def chosen_names(connection_ids: list[int], *, first: int = 2) -> dict[int, tuple[list[str], int]]:
    """Who a connection is shared with, for each of ``connection_ids`` shared with chosen
    users or groups: the first ``first`` names (users by first name, else username, then
    groups, each in name order) and how many users and groups there are in all.

    Two queries (users, groups), each returning at most ``first`` rows a connection: the
    rank and the count are window functions, so neither the rows nor the size of the
    sharing change the cost.
    """
    if not connection_ids:
        return {}
    found: dict[int, tuple[list[str], int]] = {}
    user_name = Coalesce(NullIf(F("user__first_name"), Value("")), F("user__username"))
    sources = [
        (ConnectionUserObjectPermission.objects.all(), user_name, "user_id"),
        (
            ConnectionGroupObjectPermission.objects.exclude(group_id=_contributor_group_id()),
            F("group__name"),
            "group_id",
        ),
    ]
    for rows, name, tie in sources:
        ranked = (
            rows.filter(content_object_id__in=connection_ids, permission_id=_use_permission_id())
            .annotate(
                shown=name,
                rank=Window(
                    RowNumber(),
                    partition_by=F("content_object_id"),
                    order_by=[Lower(name).asc(), F(tie).asc()],
                ),
                total=Window(Count("pk"), partition_by=F("content_object_id")),
            )
            .filter(rank__lte=first)
            .order_by("content_object_id", "rank")
            .values_list("content_object_id", "shown", "total")
        )
        counted: set[int] = set()
        for pk, shown, total in ranked:
            names, so_far = found.get(pk, ([], 0))
            names.append(shown)
            if pk not in counted:
                counted.add(pk)
                so_far += total
            found[pk] = (names, so_far)
    return {pk: (names[:first], total) for pk, (names, total) in found.items()}


def flag(*conditions: Q) -> Case:
    return Case(
        *(When(condition, then=Value(True)) for condition in conditions),
        default=Value(False),
        output_field=BooleanField(),
    )


def connection_list(*, search: str = "", health: str = "") -> QuerySet[Connection]:
    """Every connection with what the Connections tab shows and sorts by.

    Sort keys (aliases, computed only when sorted by): ``name_sort``, ``type_sort``
    and ``used_for_sort`` (from the catalog). Annotations: ``contributors_may_use``
    (shared with the Contributor group, or an enrichment connection, which every
    contributor may use), ``chosen_may_use``, and ``<kind>_count`` for every counted
    dependant kind (read from :class:`~.models.UseCount`, which triggers keep). Every value
    comes from SQL: the rows of one page cost one query, however many connections,
    exports and permission rows there are.
    """
    enrichment_keys = registry.keys_for_usage(Usage.ENRICHMENT)
    counted = kinds.counted()
    queryset = (
        Connection.objects.select_related("created_by")
        .defer("secrets_encrypted", "settings")
        .alias(
            name_sort=Lower("display_name"),
            type_sort=registry.name_expression(),
            used_for_sort=registry.used_for_expression(),
            **{
                _uses(kind): FilteredRelation(
                    "use_counts", condition=Q(use_counts__kind=kind.plural_key)
                )
                for kind in counted
            },
        )
        .annotate(
            contributors_may_use=flag(Q(type_key__in=enrichment_keys), shared_with_contributors()),
            chosen_may_use=flag(shared_with_chosen()),
            # Kept by database triggers (use_counts.py): one column, however many rows.
            **{count_name(kind): Coalesce(F(f"{_uses(kind)}__n"), 0) for kind in counted},
        )
    )
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(display_name__icontains=search) | Q(type_key__in=registry.keys_matching(search))
        )
    if health:
        queryset = queryset.filter(health=health)
    return queryset


def count_name(kind: DependantKind) -> str:
    """The annotation holding a connection's count of ``kind`` ("export_count")."""
    return f"{kind.key}_count"


def _uses(kind: DependantKind) -> str:
    return f"_uses_{kind.plural_key}"


def connection_usage(connection: Connection, *, limit: int = 10) -> list[dict]:
    """What uses a connection, per kind in use: the kind, its count and the first ``limit``
    names in name order."""
    usage = []
    for kind in kinds:
        dependants = kind.of(connection).order_by(Lower("name"))
        count = dependants.count()
        if count:
            names = list(dependants.values_list("name", flat=True)[:limit])
            more = kind.words.and_more % {"counter": count} if count > len(names) else ""
            usage.append({"kind": kind, "count": count, "names": names, "and_more": more})
    return usage
