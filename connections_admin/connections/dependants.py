"""The kinds of things that use a connection, registered by the apps that own them.

Exports and enrichments (and whatever comes next) each declare one :class:`DependantKind`
from their ``AppConfig.ready()``: their model, their words, how to list a connection's
dependants, and their detach-many and remove-many services. This app iterates the
registry for the Remove dialog, for refusing the removal of a connection in use and for
the counts on the Connections tab, and so never imports the apps that depend on it.

The generic :func:`detach_many` and :func:`remove_many` are the bulk writes every kind's
services call: one INSERT ... SELECT for the audit entries and one UPDATE or DELETE,
however many rows.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page
from django.db import models, transaction
from django.db.models import QuerySet
from django.db.models.expressions import Expression
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from connections_admin.audit.models import Action
from connections_admin.audit.services import audit_record, audit_record_queryset
from connections_admin.core.lookups import among_values

from .models import Connection


@dataclass(frozen=True)
class KindWords:
    """Everything the console says about a kind, as whole sentences (word order differs by
    language, so nothing is assembled from parts). ``%(counter)s`` / ``%(count)d`` are filled
    with a number; the plural forms come from ``ngettext_lazy(..., "counter")``."""

    name: Promise  # column heading: "Export"
    detail: Promise  # the second column of the dialog's table: "Schedule"
    counted: Promise  # "%(count)d export" / "%(count)d exports"
    list_heading: Promise  # "Exports using this connection"
    and_more: Promise  # "And more: %(counter)s export in all."
    uses: Promise  # "%(counter)s export uses this connection"
    detach_help: Promise
    detach: Promise  # the verb: "Disconnect" / "Deactivate"
    detach_selected: Promise
    remove_selected: Promise
    detach_all: Promise  # "Disconnect the %(counter)s export" / "Disconnect all ..."
    select_all: Promise
    select_first: Promise
    detached: Promise  # "%(count)d export was disconnected. ..."
    removed: Promise
    column: Promise | None = None  # the Connections tab's column, for a counted kind


@dataclass(frozen=True, eq=False)
class DependantKind:
    """One kind of thing that uses a connection through a ``connection`` foreign key."""

    key: str  # "export": the name of the posted ids
    plural_key: str  # "exports": in the actions' names and as the use count's kind
    model: type[models.Model]
    words: KindWords
    # A connection's dependants of this kind for the Remove dialog, in name order.
    listing: Callable[[Connection], QuerySet]
    # The second column of the dialog's table, for one row.
    detail: Callable[[models.Model], str]
    # detach_many(*, ids, user, connection_id) -> how many were detached
    detach_many: Callable[..., int]
    # remove_many(*, objects, user) -> how many were removed
    remove_many: Callable[..., int]
    # recent(connection, limit) -> what happened lately through the connection (export
    # runs), for its Edit pane; None: nothing to show.
    recent: Callable[[Connection, int], list["Recent"]] | None = None
    detach_action: str = "disconnect"  # in the actions' names: "disconnect_exports"
    # Counted by a trigger that the owning app's migration installs (use_counts.py), and
    # shown as a sortable column on the Connections tab.
    counted: bool = False
    order: int = field(default=100)

    @property
    def actions(self) -> dict[str, str]:
        """The dialog's posted action names -> "detach", "remove" or "detach_all"."""
        return {
            f"{self.detach_action}_{self.plural_key}": "detach",
            f"remove_{self.plural_key}": "remove",
            f"{self.detach_action}_all_{self.plural_key}": "detach_all",
        }

    @property
    def reverse_name(self) -> str:
        """The name a query on connections reaches this kind by ("exports")."""
        return self.model._meta.get_field("connection").related_query_name()

    def of(self, connection: Connection) -> QuerySet:
        return self.model._default_manager.filter(connection=connection)

    def count_label(self, count: int) -> str:
        return self.words.counted % {"count": count}


@dataclass(frozen=True)
class Recent:
    """One line of a connection's recent activity (a run of an export, say)."""

    name: str
    when: object  # datetime
    status: str  # a CSS-safe key: succeeded, failed, ...
    status_label: str
    detail: str = ""
    url: str = ""


class DependantKinds:
    def __init__(self) -> None:
        self._kinds: dict[str, DependantKind] = {}

    def register(self, kind: DependantKind) -> DependantKind:
        existing = self._kinds.get(kind.key)
        if existing is not None and existing is not kind:
            raise ValueError(f"Dependant kind {kind.key!r} is already registered.")
        self._kinds[kind.key] = kind
        return kind

    def unregister(self, key: str) -> None:
        self._kinds.pop(key, None)

    def __iter__(self) -> Iterator[DependantKind]:
        return iter(sorted(self._kinds.values(), key=lambda kind: (kind.order, kind.key)))

    def counted(self) -> list[DependantKind]:
        return [kind for kind in self if kind.counted]

    def for_action(self, action: str) -> tuple[DependantKind, str] | None:
        """The kind and the verb ("detach", "remove", "detach_all") of a posted action."""
        for kind in self:
            verb = kind.actions.get(action)
            if verb:
                return kind, verb
        return None


kinds = DependantKinds()


@dataclass
class Section:
    """One kind's table in the Remove dialog: a page of a connection's dependants."""

    kind: DependantKind
    page: Page

    @property
    def rows(self) -> list[tuple[models.Model, str]]:
        return [(obj, self.kind.detail(obj)) for obj in self.page]

    @property
    def heading(self) -> str:
        return self.kind.words.uses % {"counter": self.page.paginator.count}

    @property
    def detach_all(self) -> str:
        return self.kind.words.detach_all % {"counter": self.page.paginator.count}

    @property
    def actions(self) -> dict[str, str]:
        """verb -> the action's posted name"""
        return {verb: action for action, verb in self.kind.actions.items()}


def counts(connection: Connection) -> dict[DependantKind, int]:
    """How many of each kind use ``connection``: one COUNT a kind."""
    return {kind: kind.of(connection).count() for kind in kinds}


def summary(counted: dict[DependantKind, int]) -> str:
    """ "3 exports and 1 enrichment": the kinds in use, in registry order."""
    return _(" and ").join(kind.count_label(n) for kind, n in counted.items() if n)


def apply(
    *,
    kind: DependantKind,
    verb: str,
    connection: Connection,
    ids: list[int],
    user: AbstractBaseUser,
) -> str | None:
    """Detach or remove these dependants of ``connection``; the message to show.

    All or nothing: if any id does not (or no longer) belong to this connection, nothing
    changes and None is returned.
    """
    with transaction.atomic():
        chosen = kind.of(connection).filter(among_values("pk", ids))
        # Lock the chosen rows: a concurrent change makes the count differ.
        if len(chosen.select_for_update().values_list("pk", flat=True)) != len(ids):
            return None
        if verb == "detach":
            count = kind.detach_many(ids=ids, user=user, connection_id=connection.pk)
            return kind.words.detached % {"count": count}
        count = kind.remove_many(objects=chosen, user=user)
        return kind.words.removed % {"count": count}


def apply_to_all(*, kind: DependantKind, connection: Connection, user: AbstractBaseUser) -> str:
    """Detach every dependant of this kind from ``connection``."""
    with transaction.atomic():
        ids = list(kind.of(connection).values_list("pk", flat=True))
        count = kind.detach_many(ids=ids, user=user, connection_id=connection.pk)
        return kind.words.detached % {"count": count}


class ConnectionGone(Exception):
    """The chosen connection was removed before what uses it could be saved."""


def connection_lock_for_use(connection_id: int | None) -> None:
    """Hold the connection's row until commit, so that its removal waits for the caller
    (who is about to attach something to it) or the caller fails with ConnectionGone."""
    if connection_id is not None and not (
        Connection.objects.select_for_update().filter(pk=connection_id).exists()
    ):
        raise ConnectionGone


@dataclass(frozen=True)
class SaveAudit:
    """The audit actions of one kind's save: created, attached (to a connection, from
    none), detached (None: a detach is reported as a change), edited."""

    created: Action
    attached: Action
    edited: Action
    detached: Action | None = None


def dependant_save(
    *,
    obj: models.Model,
    user: AbstractBaseUser | None,
    audit: SaveAudit,
    describe_changes: Callable[[models.Model], list[str]],
    after_save: Callable[[], None] | None = None,
) -> models.Model:
    """Create or update ``obj`` (a dependant with its fields set) and audit what changed.

    Its connection's row is locked until commit, so a concurrent removal of the connection
    waits for this save or makes it fail with ConnectionGone. Editing an object removed
    meanwhile raises its model's DoesNotExist. ``describe_changes(before)`` names what
    changed against the stored object; ``after_save`` saves what ``obj.save()`` does not
    (many-to-many rows), inside the same transaction.
    """
    model = type(obj)
    adding = obj.pk is None
    with transaction.atomic():
        connection_lock_for_use(obj.connection_id)
        before = None if adding else model._default_manager.filter(pk=obj.pk).first()
        if not adding and before is None:
            raise model.DoesNotExist
        changes = [] if adding else describe_changes(before)
        obj.save()
        if after_save is not None:
            after_save()
        if adding:
            audit_record(actor=user, action=audit.created, obj=obj)
            return obj
        if before.connection_id is None and obj.connection_id is not None:
            name = obj.connection.display_name
            audit_record(actor=user, action=audit.attached, obj=obj, changes=[name])
        elif before.connection_id is not None and obj.connection_id is None and audit.detached:
            audit_record(actor=user, action=audit.detached, obj=obj)
        if changes:
            audit_record(actor=user, action=audit.edited, obj=obj, changes=changes)
    return obj


def detach_many(
    *,
    model: type[models.Model],
    ids: list[int],
    user: AbstractBaseUser | None,
    connection_id: int | None,
    action: Action,
    type_name: Expression | None = None,
    **also: object,
) -> int:
    """Set ``connection`` to NULL (and ``also``) on these rows; returns how many changed.

    Rows without a connection are left alone; with ``connection_id`` only rows on that
    connection are touched. One INSERT ... SELECT writes the audit entries and one UPDATE
    detaches them, in the caller's transaction.
    """
    rows = model._default_manager.filter(among_values("pk", ids), connection__isnull=False)
    if connection_id is not None:
        rows = rows.filter(connection_id=connection_id)
    with transaction.atomic(savepoint=False):
        audit_record_queryset(actor=user, action=action, rows=rows, type_name=type_name)
        return rows.update(connection=None, **also)


def remove_many(
    *,
    objects: QuerySet,
    user: AbstractBaseUser | None,
    action: Action,
    type_name: Expression | None = None,
) -> int:
    """Delete these rows with one audit entry each, in a fixed number of queries.

    Their many-to-many rows are deleted first with one DELETE a relation, so Django's
    collector has nothing to fetch row by row.
    """
    with transaction.atomic(savepoint=False):
        audit_record_queryset(actor=user, action=action, rows=objects, type_name=type_name)
        for relation in objects.model._meta.many_to_many:
            through = relation.remote_field.through
            through._default_manager.filter(
                **{f"{relation.m2m_field_name()}__in": objects.values("pk")}
            ).delete()
        deleted, _rows = objects.delete()
    return deleted
