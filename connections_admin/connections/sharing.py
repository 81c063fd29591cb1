"""Who may use a connection for exports, stored as django-guardian object permissions.

- "Administrators": no permission rows (admins may use every connection).
- "Administrators and contributors": the permission granted to the Contributor group.
- "Chosen users or groups": the permission granted to those users and groups only.

Enrichment connections need no rows: every contributor may use them.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.db.models import Q, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from connections_admin.accounts.roles import ROLES, Role, role_group, role_of
from connections_admin.connection_types.base import Usage
from connections_admin.connection_types.registry import registry

from .models import Connection, ConnectionGroupObjectPermission, ConnectionUserObjectPermission

USE_PERMISSION = "use_connection"


class Audience(StrEnum):
    ADMINS = "admins"
    CONTRIBUTORS = "contributors"
    CHOSEN = "chosen"

    @property
    def label(self) -> Promise:
        return _AUDIENCE_LABELS[self]


_AUDIENCE_LABELS = {
    Audience.ADMINS: _("Administrators"),
    Audience.CONTRIBUTORS: _("Administrators and contributors"),
    Audience.CHOSEN: _("Administrators and chosen users or groups"),
}


@dataclass
class Sharing:
    audience: Audience
    users: list = field(default_factory=list)
    groups: list = field(default_factory=list)


def names_in_short(names: list[str], total: int) -> str:
    """ "Aigerim", "Aigerim and Dana", "Aigerim, Dana and 3 more": the first two of
    ``total`` users and groups a connection is shared with."""
    if total <= 1 or len(names) < 2:
        return names[0] if names else ""
    if total == 2:
        return gettext("%(first)s and %(second)s") % {"first": names[0], "second": names[1]}
    return ngettext(
        "%(first)s, %(second)s and %(count)d more",
        "%(first)s, %(second)s and %(count)d more",
        total - 2,
    ) % {"first": names[0], "second": names[1], "count": total - 2}


def shareable_users() -> QuerySet:
    """Users a connection can be shared with one by one: active contributors."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.CONTRIBUTOR.group_name)
        .distinct()
        .order_by("username")
    )


def shareable_groups() -> QuerySet[Group]:
    """Groups a connection can be shared with one by one: any but the role groups."""
    return Group.objects.exclude(name__in=[role.group_name for role in ROLES]).order_by("name")


def _use_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="connections", codename=USE_PERMISSION)


def sharing_of(connection: Connection) -> Sharing:
    group_rows = ConnectionGroupObjectPermission.objects.filter(
        content_object=connection, permission__codename=USE_PERMISSION
    ).select_related("group")
    groups = [row.group for row in group_rows]
    contributors = role_group(Role.CONTRIBUTOR)
    if any(group.pk == contributors.pk for group in groups):
        return Sharing(Audience.CONTRIBUTORS)
    users = [
        row.user
        for row in ConnectionUserObjectPermission.objects.filter(
            content_object=connection, permission__codename=USE_PERMISSION
        ).select_related("user")
    ]
    if users or groups:
        return Sharing(Audience.CHOSEN, users=users, groups=groups)
    return Sharing(Audience.ADMINS)


def set_sharing(connection: Connection, sharing: Sharing) -> bool:
    """Replace who may use ``connection``; returns whether anything changed.

    Exports already defined on the connection are kept whatever changes.
    """
    before = sharing_of(connection)
    if _same(before, sharing):
        return False
    permission = _use_permission()
    ConnectionUserObjectPermission.objects.filter(
        content_object=connection, permission=permission
    ).delete()
    ConnectionGroupObjectPermission.objects.filter(
        content_object=connection, permission=permission
    ).delete()
    groups = []
    users = []
    if sharing.audience is Audience.CONTRIBUTORS:
        groups = [role_group(Role.CONTRIBUTOR)]
    elif sharing.audience is Audience.CHOSEN:
        groups, users = list(sharing.groups), list(sharing.users)
    ConnectionGroupObjectPermission.objects.bulk_create(
        ConnectionGroupObjectPermission(content_object=connection, permission=permission, group=g)
        for g in groups
    )
    ConnectionUserObjectPermission.objects.bulk_create(
        ConnectionUserObjectPermission(content_object=connection, permission=permission, user=u)
        for u in users
    )
    return True


def _same(a: Sharing, b: Sharing) -> bool:
    if a.audience != b.audience:
        return False
    if a.audience is not Audience.CHOSEN:
        return True
    return {u.pk for u in a.users} == {u.pk for u in b.users} and {g.pk for g in a.groups} == {
        g.pk for g in b.groups
    }


def usable_connections(
    user: AbstractBaseUser | AnonymousUser, usage: Usage
) -> QuerySet[Connection]:
    """The connections ``user`` may use for ``usage``, filtered in SQL.

    Admins: every connection of that use. Contributors: every enrichment connection,
    and the export connections shared with them (directly or through a group).
    Viewers and anonymous users: none.
    """
    of_usage = Connection.objects.filter(type_key__in=registry.keys_for_usage(usage))
    role = role_of(user)
    if role >= Role.ADMIN:
        return of_usage
    if role < Role.CONTRIBUTOR:
        return of_usage.none()
    if usage is Usage.ENRICHMENT:
        return of_usage
    # What guardian's get_objects_for_user(user, "connections.use_connection",
    # with_superuser=False, accept_global_perms=False) selects, as two uncorrelated
    # subqueries read from the permission tables' unique indexes: the permission by id
    # (looked up once in the query), the user's own rows, and the rows of their groups.
    permission = Permission.objects.filter(
        content_type__app_label="connections", codename=USE_PERMISSION
    ).order_by()
    permission_id = Subquery(permission.values("pk")[:1])
    own = ConnectionUserObjectPermission.objects.filter(user=user, permission_id=permission_id)
    groups = get_user_model().groups.through.objects.filter(user_id=user.pk).values("group_id")
    of_groups = ConnectionGroupObjectPermission.objects.filter(
        group_id__in=groups, permission_id=permission_id
    )
    return of_usage.filter(
        Q(pk__in=own.values("content_object_id")) | Q(pk__in=of_groups.values("content_object_id"))
    )
