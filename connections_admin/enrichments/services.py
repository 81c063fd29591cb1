"""Every write to an enrichment goes through these functions."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from connections_admin.connections.models import Connection

from .models import Enrichment, EnrichmentStatus


class EnrichmentNameTaken(Exception):
    pass


class ConnectionGone(Exception):
    pass


def enrichment_save(*, enrichment: Enrichment, user: AbstractBaseUser | None = None) -> Enrichment:
    """Create or update ``enrichment``; with a connection it is active, without, inactive.

    The enrichment's type follows its connection's type. The connection's row is
    locked until commit, so a concurrent removal of it waits or makes this fail.
    """
    if enrichment.pk is None:
        enrichment.created_by = user
    if enrichment.connection is not None:
        enrichment.type_key = enrichment.connection.type_key
        enrichment.status = EnrichmentStatus.ACTIVE
    else:
        enrichment.status = EnrichmentStatus.INACTIVE
    try:
        with transaction.atomic():
            if enrichment.connection_id is not None and not (
                Connection.objects.select_for_update().filter(pk=enrichment.connection_id).exists()
            ):
                raise ConnectionGone
            enrichment.save()
    except IntegrityError as error:
        raise EnrichmentNameTaken(enrichment.name) from error
    return enrichment


def enrichment_deactivate(*, enrichment_ids: list[int], connection_id: int | None = None) -> int:
    """Detach the connection of these enrichments (one UPDATE); they keep their settings."""
    enrichments = Enrichment.objects.filter(pk__in=enrichment_ids, connection__isnull=False)
    if connection_id is not None:
        enrichments = enrichments.filter(connection_id=connection_id)
    return enrichments.update(connection=None, status=EnrichmentStatus.INACTIVE)


def enrichment_remove(*, enrichment_id: int) -> bool:
    deleted, _ = Enrichment.objects.filter(pk=enrichment_id).delete()
    return bool(deleted)
