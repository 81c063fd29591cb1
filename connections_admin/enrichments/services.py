"""Every write to an enrichment goes through these functions, and each leaves an audit entry."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError
from django.db.models import F, Q, QuerySet

from connections_admin.audit.changes import field_changed
from connections_admin.audit.models import Action
from connections_admin.connection_types.registry import registry
from connections_admin.connections.dependants import (
    SaveAudit,
    dependant_save,
    detach_many,
    move_many,
    remove_many,
)
from connections_admin.connections.models import Connection

from .models import Enrichment, EnrichmentStatus


class EnrichmentNameTaken(Exception):
    pass


def _describe_changes(before: Enrichment, enrichment: Enrichment) -> list[dict]:
    """What an edit changes, as audit records (names with their old and new value)."""
    changes = []
    if before.name != enrichment.name:
        changes.append(field_changed("name", old=before.name, new=enrichment.name, values=True))
    if before.segment_id != enrichment.segment_id:
        changes.append(field_changed("segment"))
    if before.connection_id and enrichment.connection_id not in (None, before.connection_id):
        changes.append(
            field_changed(
                "connection",
                old=before.connection.display_name,
                new=enrichment.connection.display_name,
                values=True,
            )
        )
    return changes


SAVE_AUDIT = SaveAudit(
    created=Action.ENRICHMENT_CREATED,
    attached=Action.ENRICHMENT_ACTIVATED,
    edited=Action.ENRICHMENT_EDITED,
    detached=Action.ENRICHMENT_DEACTIVATED,
)


def enrichment_save(*, enrichment: Enrichment, user: AbstractBaseUser | None = None) -> Enrichment:
    """Create or update ``enrichment``; with a connection it is active, without, inactive.

    The enrichment's type follows its connection's type.
    """
    if enrichment.pk is None:
        enrichment.created_by = user
    if enrichment.connection is not None:
        enrichment.type_key = enrichment.connection.type_key
        enrichment.status = EnrichmentStatus.ACTIVE
    else:
        enrichment.status = EnrichmentStatus.INACTIVE

    def describe(before: Enrichment) -> list[str]:
        if before.connection_id is not None and enrichment.connection_id is None:
            enrichment.last_connection_id = before.connection_id  # offered first on Activate
        return _describe_changes(before, enrichment)

    try:
        return dependant_save(
            obj=enrichment, user=user, audit=SAVE_AUDIT, describe_changes=describe
        )
    except IntegrityError as error:
        raise EnrichmentNameTaken(enrichment.name) from error


def enrichment_deactivate(
    *,
    ids: list[int],
    user: AbstractBaseUser | None = None,
    connection_id: int | None = None,
) -> int:
    """Detach the connection of these enrichments; they keep their settings and remember
    the connection as ``last_connection``.

    One audit INSERT and one UPDATE, however many there are.
    """
    return detach_many(
        model=Enrichment,
        ids=ids,
        user=user,
        connection_id=connection_id,
        action=Action.ENRICHMENT_DEACTIVATED,
        type_name=registry.name_expression(for_sorting=False),
        status=EnrichmentStatus.INACTIVE,
        # remembered, to be offered first when it is activated again (the UPDATE reads
        # the row as it was: the connection it is detached from)
        last_connection=F("connection"),
    )


def enrichment_activate(
    *, enrichment: Enrichment, connection: Connection, user: AbstractBaseUser | None = None
) -> Enrichment:
    """Attach ``connection`` (of the enrichment's type) to an inactive enrichment: active again."""
    enrichment.connection = connection
    return enrichment_save(enrichment=enrichment, user=user)


def enrichment_remove(*, enrichment_id: int, user: AbstractBaseUser | None = None) -> bool:
    return bool(enrichments_remove(objects=Enrichment.objects.filter(pk=enrichment_id), user=user))


def enrichments_remove(
    *, objects: QuerySet[Enrichment], user: AbstractBaseUser | None = None
) -> int:
    return remove_many(
        objects=objects,
        user=user,
        action=Action.ENRICHMENT_REMOVED,
        type_name=registry.name_expression(for_sorting=False),
    )


def enrichments_move(
    *, ids: list[int], user: AbstractBaseUser | None, source: Connection, target: Connection
) -> int:
    """Move these enrichments from ``source`` to ``target``, a connection of their own type;
    returns how many moved (none of another type: an enrichment's type is its
    connection's). One audit entry each ("moved from A to B"), in a fixed number of queries.
    """
    return move_many(
        model=Enrichment,
        ids=ids,
        where=Q(type_key=target.type_key),
        user=user,
        source=source,
        target=target,
        action=Action.ENRICHMENT_MOVED,
        type_name=registry.name_expression(for_sorting=False),
    )
