"""Every write to an export goes through these functions."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from connections_admin.connections.models import Connection

from .models import Export


class ExportNameTaken(Exception):
    pass


class ConnectionGone(Exception):
    """The chosen connection was removed before the export could be saved."""


def _lock_connection(connection: Connection | None) -> None:
    """Hold the connection's row until commit, so its removal waits for us or we fail."""
    if connection is not None and not (
        Connection.objects.select_for_update().filter(pk=connection.pk).exists()
    ):
        raise ConnectionGone


def export_save(*, export: Export, segments, user: AbstractBaseUser | None = None) -> Export:
    """Create or update ``export`` (its fields already set) with its segments.

    Attaching a connection to an inactive export makes it active again. Saving
    never runs the export.
    """
    if export.pk is None:
        export.created_by = user
    try:
        with transaction.atomic():
            _lock_connection(export.connection)
            export.save()
            export.segments.set(segments)
    except IntegrityError as error:
        if export.connection_id and not Connection.objects.filter(pk=export.connection_id).exists():
            raise ConnectionGone from error
        raise ExportNameTaken(export.name) from error
    return export


def export_disconnect(*, export_ids: list[int], connection_id: int | None = None) -> int:
    """Detach the connection of these exports in one UPDATE; returns how many changed.

    Disconnected exports keep their whole configuration and are inactive until
    another connection is attached. With ``connection_id`` only exports on that
    connection are touched.
    """
    exports = Export.objects.filter(pk__in=export_ids, connection__isnull=False)
    if connection_id is not None:
        exports = exports.filter(connection_id=connection_id)
    return exports.update(connection=None)


def export_remove(*, export_id: int) -> bool:
    """Remove an export; returns False if it was already gone."""
    deleted, _ = Export.objects.filter(pk=export_id).delete()
    return bool(deleted)
