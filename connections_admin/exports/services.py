"""Every write to an export goes through these functions, and each leaves an audit entry."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from connections_admin.audit.models import Action
from connections_admin.audit.services import audit_record
from connections_admin.connections.dependants import detach_many, remove_many
from connections_admin.connections.models import Connection
from connections_admin.connections.services import ConnectionGone, connection_lock_for_use

from .models import Export


class ExportNameTaken(Exception):
    pass


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
            connection_lock_for_use(export.connection_id)
            before = None if adding else Export.objects.filter(pk=export.pk).first()
            if not adding and before is None:
                raise Export.DoesNotExist
            changes = _describe_changes(before, export, {s.pk for s in segments})
            export.save()
            export.segments.set(segments)
            if adding:
                audit_record(actor=user, action=Action.EXPORT_CREATED, obj=export)
            else:
                if before.connection_id is None and export.connection_id is not None:
                    audit_record(
                        actor=user,
                        action=Action.EXPORT_REATTACHED,
                        obj=export,
                        changes=[export.connection.display_name],
                    )
                if changes:
                    audit_record(
                        actor=user, action=Action.EXPORT_EDITED, obj=export, changes=changes
                    )
    except IntegrityError as error:
        if export.connection_id and not Connection.objects.filter(pk=export.connection_id).exists():
            raise ConnectionGone from error
        raise ExportNameTaken(export.name) from error
    return export


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
