"""Reads of connections for the console's pages."""

from functools import lru_cache

from django.contrib.auth.models import Group, Permission
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    Func,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.utils.translation import get_language

from connections_admin.accounts.roles import Role
from connections_admin.connection_types.base import Usage
from connections_admin.connection_types.registry import registry

from .dependants import summary
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


def flag(*conditions: Q) -> Case:
    return Case(
        *(When(condition, then=Value(True)) for condition in conditions),
        default=Value(False),
        output_field=BooleanField(),
    )


class _TypeLabel(Func):
    """``CASE type_key WHEN 'sftp' THEN 'sftp' ... ELSE '' END`` for sorting by a label.

    The same values as the catalog's ``Case(When(...))`` expressions, written as one
    simple CASE: building it costs no lookup per type on every request.
    """

    output_field = CharField()

    def __init__(self, labels: dict[str, str]):
        self.labels = tuple(sorted(labels.items()))
        super().__init__(F("type_key"))

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        if not self.labels:
            return "''", []
        whens = " ".join("WHEN %s THEN %s" for _ in self.labels)
        values = [value for pair in self.labels for value in pair]
        return f"CASE {column} {whens} ELSE '' END", [*params, *values]


@lru_cache(maxsize=64)
def _labels(kind: str, language: str | None, type_count: int) -> dict[str, str]:
    """Sort labels of every type, in one language (the catalog only grows at start-up)."""
    if kind == "name":
        return {t.key: str(t.name).casefold() for t in registry}
    return {t.key: t.used_for_label().casefold() for t in registry}


def _type_labels(kind: str) -> _TypeLabel:
    return _TypeLabel(_labels(kind, get_language(), len(registry)))


def connection_list(*, search: str = "") -> QuerySet[Connection]:
    """Every connection with what the Connections tab shows and sorts by.

    Sort keys (aliases, computed only when sorted by): ``name_sort``, ``type_sort``
    and ``used_for_sort`` (from the catalog). Annotations: ``contributors_may_use``
    (shared with the Contributor group, or an enrichment connection, which every
    contributor may use), ``chosen_may_use``, ``export_count`` and ``enrichment_count``
    (read from :class:`~.models.UseCounts`, which database triggers keep). Every value
    comes from SQL: the rows of one page cost one query, however many connections,
    exports and permission rows there are.
    """
    enrichment_keys = registry.keys_for_usage(Usage.ENRICHMENT)
    queryset = (
        Connection.objects.select_related("created_by")
        .defer("secrets_encrypted", "settings")
        .alias(
            name_sort=Lower("display_name"),
            type_sort=_type_labels("name"),
            used_for_sort=_type_labels("used_for"),
        )
        .annotate(
            contributors_may_use=flag(Q(type_key__in=enrichment_keys), shared_with_contributors()),
            chosen_may_use=flag(shared_with_chosen()),
            # Kept by database triggers (use_counts.py): one column, however many rows.
            export_count=F("use_counts__exports"),
            enrichment_count=F("use_counts__enrichments"),
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
