"""Every write to an export goes through these functions, and each leaves an audit entry."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from connections_admin.audit.models import Action, ObjectKind
from connections_admin.audit.services import audit_record, audit_record_queryset
from connections_admin.connections.models import Connection
from connections_admin.core.lookups import among_values

from .models import Export


class ExportNameTaken(Exception):
    pass


class ConnectionGone(Exception):
    """The chosen connection was removed before the export could be saved."""


def _lock_connection(connection_id: int | None) -> None:
    """Hold the connection's row until commit, so its removal waits for us or we fail."""
    if connection_id is not None and not (
        Connection.objects.select_for_update().filter(pk=connection_id).exists()
    ):
        raise ConnectionGone


def _audit(export: Export, user, action: Action, changes=()) -> None:
    audit_record(
        actor=user,
        action=action,
        kind=ObjectKind.EXPORT,
        object_id=export.pk,
        name=export.name,
        changes=changes,
    )


def _describe_changes(before: Export | None, export: Export, segment_ids: set[int]) -> list[str]:
    if before is None:
        return []
    changes = []
    if before.name != export.name:
        changes.append(_("Name changed"))
    if before.connection_id and export.connection_id != before.connection_id:
        changes.append(_("Connection changed"))
    if set(before.segments.values_list("pk", flat=True)) != segment_ids:
        changes.append(_("Segments changed"))
    if before.fields != export.fields:
        changes.append(_("Fields changed"))
    if (before.schedule, before.schedule_time, before.schedule_weekday) != (
        export.schedule,
        export.schedule_time,
        export.schedule_weekday,
    ):
        changes.append(_("Schedule changed"))
    return changes


def export_save(*, export: Export, segments, user: AbstractBaseUser | None = None) -> Export:
    """Create or update ``export`` (its fields already set) with its segments.

    Attaching a connection to an inactive export makes it active again. Saving
    never runs the export.
    """
    adding = export.pk is None
    if adding:
        export.created_by = user
    segments = list(segments)
    try:
        with transaction.atomic():
            _lock_connection(export.connection_id)
            before = None if adding else Export.objects.filter(pk=export.pk).first()
            if not adding and before is None:
                raise Export.DoesNotExist
            changes = _describe_changes(before, export, {s.pk for s in segments})
            export.save()
            export.segments.set(segments)
            if adding:
                _audit(export, user, Action.EXPORT_CREATED)
            else:
                if before.connection_id is None and export.connection_id is not None:
                    _audit(export, user, Action.EXPORT_REATTACHED, [export.connection.display_name])
                if changes:
                    _audit(export, user, Action.EXPORT_EDITED, changes)
    except IntegrityError as error:
        if export.connection_id and not Connection.objects.filter(pk=export.connection_id).exists():
            raise ConnectionGone from error
        raise ExportNameTaken(export.name) from error
    return export


def export_disconnect(
    *, export_ids: list[int], user: AbstractBaseUser | None = None, connection_id: int | None = None
) -> int:
    """Detach the connection of these exports; returns how many changed.

    One INSERT ... SELECT writes their audit entries and one UPDATE detaches them,
    however many there are. Disconnected exports keep their whole configuration
    and are inactive until another connection is attached. With ``connection_id``
    only exports on that connection are touched.
    """
    exports = Export.objects.filter(among_values("pk", export_ids), connection__isnull=False)
    if connection_id is not None:
        exports = exports.filter(connection_id=connection_id)
    # No savepoint: the audit rows and the update succeed or fail together with the caller.
    with transaction.atomic(savepoint=False):
        audit_record_queryset(
            actor=user, action=Action.EXPORT_DISCONNECTED, kind=ObjectKind.EXPORT, rows=exports
        )
        return exports.update(connection=None)


def export_remove(*, export_id: int, user: AbstractBaseUser | None = None) -> bool:
    """Remove an export; returns False if it was already gone."""
    return bool(exports_remove(exports=Export.objects.filter(pk=export_id), user=user))


def exports_remove(*, exports: QuerySet[Export], user: AbstractBaseUser | None = None) -> int:
    """Remove these exports, with one audit entry each, in a fixed number of queries."""
    with transaction.atomic():
        audit_record_queryset(
            actor=user, action=Action.EXPORT_REMOVED, kind=ObjectKind.EXPORT, rows=exports
        )
        Export.segments.through.objects.filter(export__in=exports).delete()
        deleted, _rows = exports.delete()
    return deleted
