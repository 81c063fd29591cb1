"""The three roles of the console: Viewer < Contributor < Admin.

A role is a Django group. Each role includes the one before it, so a user's role is
the highest of the groups they belong to; superusers are admins.
"""

from enum import IntEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(IntEnum):
    NONE = 0
    VIEWER = 1
    CONTRIBUTOR = 2
    ADMIN = 3

    @property
    def group_name(self) -> str:
        return _GROUP_NAMES[self]

    @property
    def label(self) -> Promise:
        return _LABELS[self]


_GROUP_NAMES = {
    Role.NONE: "",
    Role.VIEWER: "Viewer",
    Role.CONTRIBUTOR: "Contributor",
    Role.ADMIN: "Admin",
}
_LABELS = {
    Role.NONE: _("No role"),
    Role.VIEWER: _("Viewer"),
    Role.CONTRIBUTOR: _("Contributor"),
    Role.ADMIN: _("Admin"),
}
_ROLE_BY_GROUP = {name: role for role, name in _GROUP_NAMES.items() if name}
ROLES = (Role.VIEWER, Role.CONTRIBUTOR, Role.ADMIN)

_CACHE_ATTRIBUTE = "_console_role"


def role_of(user: AbstractBaseUser | AnonymousUser) -> Role:
    """The user's role, computed once per user object (one query)."""
    if not user.is_authenticated or not user.is_active:
        return Role.NONE
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        role = Role.ADMIN
    else:
        names = user.groups.filter(name__in=_ROLE_BY_GROUP).values_list("name", flat=True)
        role = max((_ROLE_BY_GROUP[name] for name in names), default=Role.NONE)
    setattr(user, _CACHE_ATTRIBUTE, role)
    return role


def has_role(user: AbstractBaseUser | AnonymousUser, role: Role) -> bool:
    return role_of(user) >= role


def role_group(role: Role) -> Group:
    group, _created = Group.objects.get_or_create(name=role.group_name)
    return group


def assign_role(user: AbstractBaseUser, role: Role) -> None:
    """Make ``role`` the user's only console role."""
    user.groups.remove(*Group.objects.filter(name__in=_ROLE_BY_GROUP))
    if role is not Role.NONE:
        user.groups.add(role_group(role))
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)
