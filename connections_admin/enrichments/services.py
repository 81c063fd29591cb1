"""Every write to an enrichment goes through these functions, and each leaves an audit entry."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from connections_admin.audit.models import Action, ObjectKind
from connections_admin.audit.services import audit_record, audit_record_queryset
from connections_admin.connection_types.registry import registry
from connections_admin.connections.models import Connection
from connections_admin.core.lookups import among_values

from .models import Enrichment, EnrichmentStatus


class EnrichmentNameTaken(Exception):
    pass


class ConnectionGone(Exception):
    pass


def _audit(enrichment: Enrichment, user, action: Action, changes=()) -> None:
    audit_record(
        actor=user,
        action=action,
        kind=ObjectKind.ENRICHMENT,
        object_id=enrichment.pk,
        name=enrichment.name,
        type_name=enrichment.type_name,
        changes=changes,
    )


def _describe_changes(before: Enrichment, enrichment: Enrichment) -> list[str]:
    changes = []
    if before.name != enrichment.name:
        changes.append(_("Name changed"))
    if before.segment_id != enrichment.segment_id:
        changes.append(_("Customer data set changed"))
    if before.connection_id and enrichment.connection_id not in (None, before.connection_id):
        changes.append(_("Connection changed"))
    return changes


def enrichment_save(*, enrichment: Enrichment, user: AbstractBaseUser | None = None) -> Enrichment:
    """Create or update ``enrichment``; with a connection it is active, without, inactive.

    The enrichment's type follows its connection's type. The connection's row is
    locked until commit, so a concurrent removal of it waits or makes this fail.
    """
    adding = enrichment.pk is None
    if adding:
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
            before = None if adding else Enrichment.objects.filter(pk=enrichment.pk).first()
            if not adding and before is None:
                raise Enrichment.DoesNotExist
            enrichment.save()
            if adding:
                _audit(enrichment, user, Action.ENRICHMENT_CREATED)
                return enrichment
            if before.connection_id is None and enrichment.connection_id is not None:
                _audit(
                    enrichment,
                    user,
                    Action.ENRICHMENT_ACTIVATED,
                    [enrichment.connection.display_name],
                )
            elif before.connection_id is not None and enrichment.connection_id is None:
                _audit(enrichment, user, Action.ENRICHMENT_DEACTIVATED)
            changes = _describe_changes(before, enrichment)
            if changes:
                _audit(enrichment, user, Action.ENRICHMENT_EDITED, changes)
    except IntegrityError as error:
        raise EnrichmentNameTaken(enrichment.name) from error
    return enrichment


def enrichment_deactivate(
    *,
    enrichment_ids: list[int],
    user: AbstractBaseUser | None = None,
    connection_id: int | None = None,
) -> int:
    """Detach the connection of these enrichments; they keep their settings.

    One INSERT ... SELECT for the audit entries and one UPDATE, however many.
    """
    enrichments = Enrichment.objects.filter(
        among_values("pk", enrichment_ids), connection__isnull=False
    )
    if connection_id is not None:
        enrichments = enrichments.filter(connection_id=connection_id)
    with transaction.atomic():
        audit_record_queryset(
            actor=user,
            action=Action.ENRICHMENT_DEACTIVATED,
            kind=ObjectKind.ENRICHMENT,
            rows=enrichments,
            type_name=registry.name_expression(for_sorting=False),
        )
        return enrichments.update(connection=None, status=EnrichmentStatus.INACTIVE)


def enrichment_remove(*, enrichment_id: int, user: AbstractBaseUser | None = None) -> bool:
    return bool(
        enrichments_remove(enrichments=Enrichment.objects.filter(pk=enrichment_id), user=user)
    )


def enrichments_remove(
    *, enrichments: QuerySet[Enrichment], user: AbstractBaseUser | None = None
) -> int:
    with transaction.atomic():
        audit_record_queryset(
            actor=user,
            action=Action.ENRICHMENT_REMOVED,
            kind=ObjectKind.ENRICHMENT,
            rows=enrichments,
            type_name=registry.name_expression(for_sorting=False),
        )
        deleted, _rows = enrichments.delete()
    return deleted
