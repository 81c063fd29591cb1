"""Every write to an export goes through these functions, and each leaves an audit entry."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError
from django.db.models import QuerySet

from connections_admin.audit.changes import field_changed
from connections_admin.audit.models import Action
from connections_admin.connections.dependants import (
    ConnectionGone,
    SaveAudit,
    dependant_save,
    detach_many,
    move_many,
    remove_many,
)
from connections_admin.connections.models import Connection

from .models import Export


class ExportNameTaken(Exception):
    pass


def _describe_changes(before: Export, export: Export, segment_ids: set[int]) -> list[dict]:
    """What an edit changes, as audit records (names with their old and new value)."""
    changes = []
    if before.name != export.name:
        changes.append(field_changed("name", old=before.name, new=export.name, values=True))
    if before.connection_id and export.connection_id != before.connection_id:
        # To another connection, or to none (a detach is reported as this change).
        new = export.connection.display_name if export.connection_id else ""
        changes.append(
            field_changed("connection", old=before.connection.display_name, new=new, values=True)
        )
    if set(before.segments.values_list("pk", flat=True)) != segment_ids:
        changes.append(field_changed("segments"))
    if before.fields != export.fields:
        changes.append(field_changed("fields"))
    if (before.schedule, before.schedule_time, before.schedule_weekday) != (
        export.schedule,
        export.schedule_time,
        export.schedule_weekday,
    ):
        changes.append(field_changed("schedule"))
    return changes


SAVE_AUDIT = SaveAudit(
    created=Action.EXPORT_CREATED, attached=Action.EXPORT_REATTACHED, edited=Action.EXPORT_EDITED
)


def export_save(*, export: Export, segments, user: AbstractBaseUser | None = None) -> Export:
    """Create or update ``export`` (its fields already set) with its segments.

    Attaching a connection to an inactive export makes it active again. Saving
    never runs the export.
    """
    if export.pk is None:
        export.created_by = user
    segments = list(segments)
    segment_ids = {segment.pk for segment in segments}
    try:
        return dependant_save(
            obj=export,
            user=user,
            audit=SAVE_AUDIT,
            describe_changes=lambda before: _describe_changes(before, export, segment_ids),
            after_save=lambda: export.segments.set(segments),
        )
    except IntegrityError as error:
        if export.connection_id and not Connection.objects.filter(pk=export.connection_id).exists():
            raise ConnectionGone from error
        raise ExportNameTaken(export.name) from error


def export_disconnect(
    *, ids: list[int], user: AbstractBaseUser | None = None, connection_id: int | None = None
) -> int:
    """Detach the connection of these exports; returns how many changed.

    Disconnected exports keep their whole configuration and are inactive until another
    connection is attached. With ``connection_id`` only exports on that connection are
    touched. One audit INSERT and one UPDATE, however many there are.
    """
    return detach_many(
        model=Export,
        ids=ids,
        user=user,
        connection_id=connection_id,
        action=Action.EXPORT_DISCONNECTED,
    )


def export_remove(*, export_id: int, user: AbstractBaseUser | None = None) -> bool:
    """Remove an export; returns False if it was already gone."""
    return bool(exports_remove(objects=Export.objects.filter(pk=export_id), user=user))


def exports_remove(*, objects: QuerySet[Export], user: AbstractBaseUser | None = None) -> int:
    """Remove these exports, with one audit entry each, in a fixed number of queries."""
    return remove_many(objects=objects, user=user, action=Action.EXPORT_REMOVED)


def exports_move(
    *, ids: list[int], user: AbstractBaseUser | None, source: Connection, target: Connection
) -> int:
    """Move these exports from ``source`` to ``target``; returns how many moved.

    Only exports on ``source`` move. They keep their settings and schedule; a failure
    streak was the old connection's, so it ends. One audit entry each ("moved from A to
    B"), in a fixed number of queries; the target's row is held until commit.
    """
    return move_many(
        model=Export,
        ids=ids,
        user=user,
        source=source,
        target=target,
        action=Action.EXPORT_MOVED,
        failing_since=None,
    )
