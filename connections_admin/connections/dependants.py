"""The kinds of things that use a connection, registered by the apps that own them.

Exports and enrichments (and whatever comes next) each declare one :class:`DependantKind`
from their ``AppConfig.ready()``: their model, their words, how to list a connection's
dependants, and their detach-many and remove-many services. This app iterates the
registry for the Remove dialog, for refusing the removal of a connection in use and for
the counts on the Connections tab, and so never imports the apps that depend on it.

The generic :func:`detach_many`, :func:`remove_many` and :func:`move_many` are the bulk
writes every kind's services call: one INSERT ... SELECT for the audit entries (each names
the connection) and one UPDATE or DELETE, however many rows.

Remove and Move ask first (:func:`confirmation`: how many, up to five names, and what
the admin should know); every message names what changed and where. A kind that
declares none of the sentences for this (``KindWords.removed_from`` ...) gets generic
ones built from its other words, and a kind without ``move_targets`` / ``move_many``
cannot move.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page
from django.db import models, transaction
from django.db.models import Case, F, JSONField, Q, QuerySet, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import JSONArray, JSONObject, Lower
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connections_admin.audit import changes as audit_changes
from connections_admin.audit.models import Action
from connections_admin.audit.services import audit_record, audit_record_queryset
from connections_admin.connection_types.registry import registry
from connections_admin.core.lookups import among_values

from .models import Connection, UseCount


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
    # The sentences that name what was done, and where. A kind that declares none gets a
    # generic sentence built from its other words (see DependantKind.say). Filled with
    # %(count)d, %(connection)s / %(source)s %(target)s and %(names)s ("Alpha, Beta").
    detached_from: Promise | None = None  # "2 exports were disconnected from “A”: ..."
    removed_from: Promise | None = None  # "2 exports were removed from “A”: Alpha, Beta."
    moved: Promise | None = None  # "2 exports were moved from “A” to “B”: Alpha, Beta."
    confirm_remove: Promise | None = None  # "Remove 2 exports from “A”?"
    remove_warning: Promise | None = None  # "Their settings are deleted. ..." (%(count)d)
    confirm_move: Promise | None = None  # "Move 2 exports to “B”?"
    move_selected: Promise | None = None  # "Move selected exports"
    move_all: Promise | None = None  # "Move all %(counter)s exports"


def names_phrase(names: list[str], total: int) -> str:
    """ "Alpha, Beta and 3 more": up to five names, and how many more there are."""
    shown = ", ".join(str(name) for name in names[:SHOWN_NAMES])
    more = total - min(len(names), SHOWN_NAMES)
    if more <= 0:
        return shown
    return ngettext("%(names)s and %(count)d more", "%(names)s and %(count)d more", more) % {
        "names": shown,
        "count": more,
    }


SHOWN_NAMES = 5  # in a confirmation or a message: the first five names, then "and N more"


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
    # Moving to another connection; None (the default): this kind cannot move.
    # move_targets(connection) -> the other connections its dependants may move to;
    # move_many(*, ids, user, source, target) -> how many were moved (see move_many below);
    # move_warning(source, target) -> what the admin should know first, or None.
    move_targets: Callable[[Connection], QuerySet] | None = None
    move_many: Callable[..., int] | None = None
    move_warning: Callable[[Connection, Connection], str | None] | None = None
    detach_action: str = "disconnect"  # in the actions' names: "disconnect_exports"
    # Counted by a trigger that the owning app's migration installs (use_counts.py), and
    # shown as a sortable column on the Connections tab.
    counted: bool = False
    order: int = field(default=100)

    @property
    def can_move(self) -> bool:
        return self.move_targets is not None and self.move_many is not None

    @property
    def actions(self) -> dict[str, str]:
        """The dialog's posted action names -> "detach", "remove", "detach_all" (and
        "move", "move_all" for a kind that can move)."""
        actions = {
            f"{self.detach_action}_{self.plural_key}": "detach",
            f"remove_{self.plural_key}": "remove",
            f"{self.detach_action}_all_{self.plural_key}": "detach_all",
        }
        if self.can_move:
            actions[f"move_{self.plural_key}"] = "move"
            actions[f"move_all_{self.plural_key}"] = "move_all"
        return actions

    @property
    def reverse_name(self) -> str:
        """The name a query on connections reaches this kind by ("exports")."""
        return self.model._meta.get_field("connection").related_query_name()

    def of(self, connection: Connection) -> QuerySet:
        return self.model._default_manager.filter(connection=connection)

    def count_label(self, count: int) -> str:
        return self.words.counted % {"count": count}

    def say(self, sentence: str, count: int, **values: object) -> str:
        """One of the sentences of a confirmation or a result, in the kind's own words if
        it declares them, else in generic words around its count ("2 pipelines")."""
        values = {"count": count, **values}
        declared = getattr(self.words, sentence)
        if declared is not None:
            return declared % values
        what = self.count_label(count)
        generic = {
            "detached_from": lambda: "{} {}".format(
                self.words.detached % values, _("From “%(connection)s”: %(names)s.") % values
            ),
            "removed_from": lambda: ngettext(
                "%(what)s was removed from “%(connection)s”: %(names)s.",
                "%(what)s were removed from “%(connection)s”: %(names)s.",
                count,
            ),
            "moved": lambda: ngettext(
                "%(what)s was moved from “%(source)s” to “%(target)s”: %(names)s.",
                "%(what)s were moved from “%(source)s” to “%(target)s”: %(names)s.",
                count,
            ),
            "confirm_remove": lambda: _("Remove %(what)s from “%(connection)s”?"),
            "remove_warning": lambda: _("This cannot be undone."),
            "confirm_move": lambda: _("Move %(what)s to “%(target)s”?"),
        }[sentence]()
        return generic if sentence == "detached_from" else generic % {**values, "what": what}


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


MOVE_TARGETS_SHOWN = 50


@dataclass
class Section:
    """One kind's table in the Remove dialog: a page of a connection's dependants."""

    kind: DependantKind
    page: Page
    connection: Connection | None = None
    target_query: str = ""  # narrows the Move list (there may be thousands of connections)

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

    @cached_property
    def targets(self) -> list[Connection] | None:
        """The connections these may move to (None: this kind cannot move)."""
        if not self.kind.can_move or self.connection is None:
            return None
        targets = self.kind.move_targets(self.connection).only("pk", "display_name", "type_key")
        query = self.target_query.strip()
        if query:
            targets = targets.filter(
                Q(display_name__icontains=query) | Q(type_key__in=registry.keys_matching(query))
            )
        # One more than shown: "there are more, narrow the list" without a COUNT.
        return list(targets.order_by(Lower("display_name"), "pk")[: MOVE_TARGETS_SHOWN + 1])

    @property
    def more_targets(self) -> bool:
        targets = self.targets
        return targets is not None and len(targets) > MOVE_TARGETS_SHOWN

    @property
    def shown_targets(self) -> list[Connection]:
        return (self.targets or [])[:MOVE_TARGETS_SHOWN]

    @property
    def move_selected(self) -> str:
        return str(self.kind.words.move_selected or _("Move selected"))

    @property
    def move_all(self) -> str:
        count = self.page.paginator.count
        if self.kind.words.move_all is not None:
            return self.kind.words.move_all % {"counter": count}
        return _("Move all %(what)s") % {"what": self.kind.count_label(count)}


@dataclass
class Confirmation:
    """The question the dialog asks before removing or moving: what, how many, where."""

    kind: DependantKind
    verb: str  # "remove", "move" or "move_all"
    ids: list[int]  # empty for "move_all"
    count: int
    names: list[str]  # the first five, in name order
    heading: str
    warning: str = ""
    target: Connection | None = None

    @property
    def action(self) -> str:
        return {verb: action for action, verb in self.kind.actions.items()}[self.verb]

    @property
    def more(self) -> str:
        """ "And 3 more." when there are more than the names shown."""
        more = self.count - len(self.names)
        if more <= 0:
            return ""
        return ngettext("And %(count)d more.", "And %(count)d more.", more) % {"count": more}


def _names(rows: QuerySet) -> list[tuple[int, str]]:
    return list(rows.order_by(Lower("name"), "pk").values_list("pk", "name"))


def confirmation(
    *,
    kind: DependantKind,
    verb: str,
    connection: Connection,
    ids: list[int] | None,
    target: Connection | None = None,
) -> Confirmation | None:
    """What the admin is asked before ``verb`` ("remove", "move"; "move_all" with ``ids``
    None). None when some id does not (or no longer) belong to ``connection``."""
    if ids is None:
        rows = kind.of(connection)
        count = rows.count()
        names = [name for _pk, name in _names(rows)[:SHOWN_NAMES]] if count else []
        if not count:
            return None
    else:
        found = _names(kind.of(connection).filter(among_values("pk", ids)))
        if len(found) != len(ids):
            return None
        count, names = len(found), [name for _pk, name in found[:SHOWN_NAMES]]
    if verb == "remove":
        heading = kind.say("confirm_remove", count, connection=connection.display_name)
        warning = kind.say("remove_warning", count)
    else:
        heading = kind.say("confirm_move", count, target=target.display_name)
        moved = kind.move_warning(connection, target) if kind.move_warning else None
        warning = str(moved) if moved else ""
    return Confirmation(
        kind=kind,
        verb=verb,
        ids=ids or [],
        count=count,
        names=names,
        heading=heading,
        warning=warning,
        target=target if verb != "remove" else None,
    )


def known_counts(connection: Connection) -> dict[DependantKind, int]:
    """What the count triggers say for each counted kind, in one query (0 for none). For
    lists only: removal always counts for real."""
    stored = dict(UseCount.objects.filter(connection=connection).values_list("kind", "n"))
    return {kind: stored.get(kind.plural_key, 0) for kind in kinds.counted()}


def counts(connection: Connection) -> dict[DependantKind, int]:
    """How many of each kind use ``connection``: one COUNT a kind."""
    return {kind: kind.of(connection).count() for kind in kinds}


def summary(counted: dict[DependantKind, int]) -> str:
    """ "3 exports and 1 enrichment": the kinds in use, in registry order."""
    return _(" and ").join(kind.count_label(n) for kind, n in counted.items() if n)


def _said(
    kind: DependantKind,
    verb: str,
    count: int,
    names: list[str],
    connection: Connection,
    target: Connection | None,
) -> str:
    """The message after ``verb``: how many, which (up to five names) and where."""
    names_said = names_phrase(names, count)
    if verb in ("move", "move_all"):
        return kind.say(
            "moved",
            count,
            source=connection.display_name,
            target=target.display_name,
            names=names_said,
        )
    sentence = "removed_from" if verb == "remove" else "detached_from"
    return kind.say(sentence, count, connection=connection.display_name, names=names_said)


def _move(
    kind: DependantKind,
    connection: Connection,
    target: Connection,
    ids: list[int],
    user: AbstractBaseUser,
) -> bool:
    """Move these (locked) rows to ``target``, all or none; whether they moved."""
    # The target must still be one this kind may move to (move_many holds its row until
    # commit: its removal waits, or it is gone and nothing moves).
    if not kind.move_targets(connection).filter(pk=target.pk).exists():
        raise ConnectionGone
    moved = kind.move_many(ids=ids, user=user, source=connection, target=target)
    if moved != len(ids):
        transaction.set_rollback(True)
        return False
    return True


def apply(
    *,
    kind: DependantKind,
    verb: str,
    connection: Connection,
    ids: list[int],
    user: AbstractBaseUser,
    target: Connection | None = None,
) -> str | None:
    """Detach, remove or move (to ``target``) these dependants of ``connection``; the
    message to show, which names them and the connection(s).

    All or nothing: if any id does not (or no longer) belong to this connection, nothing
    changes and None is returned. Moving to a connection removed meanwhile (or one these
    may not move to) raises ConnectionGone, and nothing moves.
    """
    with transaction.atomic():
        chosen = kind.of(connection).filter(among_values("pk", ids))
        # Lock the chosen rows: a concurrent change makes the count differ.
        found = _names(chosen.select_for_update())
        if len(found) != len(ids):
            return None
        names = [name for _pk, name in found[:SHOWN_NAMES]]
        if verb == "detach":
            count = kind.detach_many(ids=ids, user=user, connection_id=connection.pk)
        elif verb == "move":
            if not _move(kind, connection, target, ids, user):
                return None
            count = len(ids)
        else:
            count = kind.remove_many(objects=chosen, user=user)
        return _said(kind, verb, count, names, connection, target)


def apply_to_all(
    *,
    kind: DependantKind,
    connection: Connection,
    user: AbstractBaseUser,
    target: Connection | None = None,
) -> str | None:
    """Detach every dependant of this kind from ``connection``, or move every one of them
    to ``target``."""
    with transaction.atomic():
        found = _names(kind.of(connection).select_for_update())
        ids = sorted(pk for pk, _name in found)
        names = [name for _pk, name in found[:SHOWN_NAMES]]
        if target is None:
            count = kind.detach_many(ids=ids, user=user, connection_id=connection.pk)
            return _said(kind, "detach_all", count, names, connection, None)
        if not _move(kind, connection, target, ids, user):
            return None
        return _said(kind, "move_all", len(ids), names, connection, target)


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
    describe_changes: Callable[[models.Model], list[dict]],
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
        # Each entry names the connection it was on (the one it is on now, or for a
        # detach, the one it left).
        now_on = _on(obj)
        if adding:
            audit_record(actor=user, action=audit.created, obj=obj, changes=now_on)
            return obj
        if before.connection_id is None and obj.connection_id is not None:
            audit_record(actor=user, action=audit.attached, obj=obj, changes=now_on)
        elif before.connection_id is not None and obj.connection_id is None and audit.detached:
            audit_record(actor=user, action=audit.detached, obj=obj, changes=_on(before))
        if changes:
            audit_record(actor=user, action=audit.edited, obj=obj, changes=[*changes, *now_on])
    return obj


def _on(obj: models.Model) -> list[dict]:
    """The audit record of the connection ``obj`` is on (none without one)."""
    connection = obj.connection if obj.connection_id is not None else None
    return [audit_changes.on_connection(connection.display_name)] if connection else []


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
        audit_record_queryset(
            actor=user, action=action, rows=rows, type_name=type_name, changes=_its_connection()
        )
        return rows.update(connection=None, **also)


def _its_connection() -> Expression:
    """Each audited row's changes, in SQL: the record naming the connection it is on (as
    ``audit.changes.on_connection`` writes it; none if it has none)."""
    on_connection = JSONObject(
        **{
            audit_changes.CHANGE: Value("on_connection"),
            "connection": F("connection__display_name"),
        }
    )
    return Case(
        When(connection__isnull=False, then=JSONArray(on_connection)),
        default=JSONArray(),
        output_field=JSONField(),
    )


def move_many(
    *,
    model: type[models.Model],
    ids: list[int],
    user: AbstractBaseUser | None,
    source: Connection,
    target: Connection,
    action: Action,
    type_name: Expression | None = None,
    where: Q | None = None,
    **also: object,
) -> int:
    """Move these rows from ``source`` to ``target`` (and set ``also``); how many moved.

    Only rows on ``source`` (and matching ``where``) are touched. The target's row is
    held until commit (its removal waits) and ConnectionGone is raised if it is gone.
    One audit entry a row, "Moved from “A” to “B”", by one INSERT ... SELECT, and one
    UPDATE, in the caller's transaction; the use counts follow (their triggers).
    """
    rows = model._default_manager.filter(among_values("pk", ids), connection_id=source.pk)
    if where is not None:
        rows = rows.filter(where)
    change = audit_changes.moved(source.display_name, target.display_name)
    with transaction.atomic(savepoint=False):
        connection_lock_for_use(target.pk)
        audit_record_queryset(
            actor=user, action=action, rows=rows, type_name=type_name, changes=[change]
        )
        return rows.update(connection=target, **also)


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
        audit_record_queryset(
            actor=user,
            action=action,
            rows=objects,
            type_name=type_name,
            changes=_its_connection(),
        )
        for relation in objects.model._meta.many_to_many:
            through = relation.remote_field.through
            through._default_manager.filter(
                **{f"{relation.m2m_field_name()}__in": objects.values("pk")}
            ).delete()
        deleted, _rows = objects.delete()
    return deleted
