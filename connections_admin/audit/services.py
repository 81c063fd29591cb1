"""Recording the audit trail. Every service that changes something calls these."""

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection as db
from django.db.models import F, Model, QuerySet, Value
from django.db.models.expressions import Expression
from django.db.models.functions import JSONArray
from django.utils import timezone

from .models import Action, AuditEntry, ObjectKind


def _actor_name(actor: AbstractBaseUser | None) -> str:
    return actor.get_username() if actor is not None else ""


def kind_of(model) -> ObjectKind:
    """The audited kind of a model's objects: its model name (connection, export, ...)."""
    return ObjectKind(model._meta.model_name)


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: Action,
    obj: Model,
    changes: Iterable[str] = (),
) -> AuditEntry:
    """One entry about ``obj``: its kind, id and name, and its type's name where it has one."""
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_name=_actor_name(actor),
        action=action,
        object_kind=kind_of(type(obj)),
        object_id=obj.pk,
        object_name=str(obj)[:200],
        object_type=str(getattr(obj, "type_name", ""))[:100],
        changes=[str(change) for change in changes],
    )


def audit_record_queryset(
    *,
    actor: AbstractBaseUser | None,
    action: Action,
    rows: QuerySet,
    type_name: Expression | None = None,
    changes: Sequence[str] | Expression | None = None,
) -> int:
    """One entry per row of ``rows``, written by one INSERT ... SELECT.

    ``rows`` is any queryset of the objects; each entry takes the object's ``pk``
    and ``name``, and ``type_name`` (an SQL expression, default empty). ``changes``
    (default none) is the same list of strings for every entry, or an SQL expression
    giving each row its own JSON array (the name of its connection, say). For bulk
    actions (disconnecting 1,000 exports) the number of queries does not grow with
    the number of rows.
    """
    if changes is not None and not isinstance(changes, Expression):
        changes = JSONArray(*(Value(str(change)) for change in changes)) if changes else None
    selected = rows.order_by().annotate(
        audit_id=F("pk"),
        audit_name=F("name"),
        audit_type=type_name if type_name is not None else Value(""),
    )
    columns = ["audit_id", "audit_name", "audit_type"]
    if changes is not None:
        selected = selected.annotate(audit_changes=changes)
        columns.append("audit_changes")
    inner_sql, inner_params = selected.values(*columns).query.sql_with_params()
    table = db.ops.quote_name(AuditEntry._meta.db_table)
    if changes is not None:
        changes_sql = "src.audit_changes"
    else:
        changes_sql = "'[]'::jsonb" if db.vendor == "postgresql" else "'[]'"
    # Identifiers come from model metadata and the inner query from Django's
    # compiler; every value is a parameter.
    sql = (
        f"INSERT INTO {table} "  # noqa: S608  # nosec B608
        "(at, actor_id, actor_name, action, object_kind, object_id, object_name, "
        "object_type, changes) "
        f"SELECT %s, %s, %s, %s, %s, src.audit_id, src.audit_name, src.audit_type, {changes_sql} "
        f"FROM ({inner_sql}) src"
    )
    values = [
        timezone.now(),
        actor.pk if actor is not None else None,
        _actor_name(actor),
        action.value,
        kind_of(rows.model).value,
        *inner_params,
    ]
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.rowcount
