"""Reads of exports, and who may manage which."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from connections_admin.accounts.roles import Role, role_of
from connections_admin.connection_types.base import Usage
from connections_admin.connection_types.registry import registry
from connections_admin.connections.models import Connection, private_columns
from connections_admin.connections.sharing import usable_connections
from connections_admin.core.lookups import among

from .models import Export


def manageable_condition(user: AbstractBaseUser | AnonymousUser) -> Q | None:
    """Which exports ``user`` may change, as a filter (None: all of them; Q(pk=None): none).

    Admins manage every export. A contributor manages every export on a connection
    they may use (whoever made it) and every inactive export (it sends nothing until
    a connection they may use is attached). Viewers manage none.
    """
    role = role_of(user)
    if role >= Role.ADMIN:
        return None
    if role < Role.CONTRIBUTOR:
        return Q(pk__in=[])
    usable = usable_connections(user, Usage.EXPORT).values("pk")
    return Q(connection__isnull=True) | Q(connection__in=usable)


def export_list(*, user: AbstractBaseUser | AnonymousUser, search: str = "") -> QuerySet[Export]:
    """Exports with their connection and creator, and ``may_manage`` for ``user``.

    Searchable by export name, connection name or connection type.
    """
    condition = manageable_condition(user)
    may_manage = (
        Value(True)
        if condition is None
        else Case(When(condition, then=Value(True)), default=Value(False))
    )
    queryset = (
        Export.objects.select_related("connection", "created_by", "last_run")
        .defer(*private_columns("connection"))
        .annotate(
            may_manage=Case(When(pk__isnull=False, then=may_manage), output_field=BooleanField())
        )
        # sort keys only: an alias costs nothing (and no join) in the pager's COUNT(*)
        .alias(name_sort=Lower("name"), connection_sort=Lower("connection__display_name"))
    )
    search = search.strip()
    if search:
        # The matching connections are one uncorrelated set (10,000 names are read once,
        # through the trigram index on PostgreSQL), not a join that tests every export's
        # connection name; ``among`` lets PostgreSQL combine it with the name's index.
        connections = Connection.objects.filter(
            Q(display_name__icontains=search) | Q(type_key__in=registry.keys_matching(search))
        ).values("pk")
        queryset = queryset.filter(Q(name__icontains=search) | among("connection_id", connections))
    return queryset


def may_manage_export(user: AbstractBaseUser | AnonymousUser, export: Export) -> bool:
    condition = manageable_condition(user)
    if condition is None:
        return True
    return Export.objects.filter(condition, pk=export.pk).exists()


def connection_choices(
    user: AbstractBaseUser | AnonymousUser, *, search: str = "", limit: int = 20
) -> tuple[list[Connection], int]:
    """Up to ``limit`` export connections ``user`` may use, matching ``search``, and the total.

    Only the display name and type are loaded: nothing else of a connection is
    shown to whoever chooses one.
    """
    queryset = usable_connections(user, Usage.EXPORT).only("pk", "display_name", "type_key")
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(display_name__icontains=search) | Q(type_key__in=registry.keys_matching(search))
        )
    queryset = queryset.order_by(Lower("display_name"), "pk")
    return list(queryset[:limit]), queryset.count()
