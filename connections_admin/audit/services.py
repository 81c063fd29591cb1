"""Recording the audit trail. Every service that changes something calls these."""

from collections.abc import Iterable, Mapping, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection as db
from django.db.models import F, JSONField, Model, QuerySet, Value
from django.db.models.expressions import Expression
from django.utils import timezone

from .changes import MAX_VALUE, capped
from .models import Action, AuditEntry, ObjectKind

Change = Mapping | str


def _bounded(change: Change) -> dict | str:
    """A change as it is stored: a record with its text values capped (see ``changes``);
    a plain string (what older callers pass) capped too."""
    if isinstance(change, Mapping):
        return {
            str(key): value if isinstance(value, int | None) else capped(value)
            for key, value in change.items()
        }
    text = str(change)
    return text if len(text) <= 3 * MAX_VALUE else text[: 3 * MAX_VALUE - 1] + "…"


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
    changes: Iterable[Change] = (),
) -> AuditEntry:
    """One entry about ``obj``: its kind, id and name, and its type's name where it has one.

    ``changes`` are records of what changed (``changes.record`` and its helpers), said in
    the reader's language when shown."""
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_name=_actor_name(actor),
        action=action,
        object_kind=kind_of(type(obj)),
        object_id=obj.pk,
        object_name=str(obj)[:200],
        object_type=str(getattr(obj, "type_name", ""))[:100],
        changes=[_bounded(change) for change in changes],
    )


def audit_record_queryset(
    *,
    actor: AbstractBaseUser | None,
    action: Action,
    rows: QuerySet,
    type_name: Expression | None = None,
    changes: Sequence[Change] | Expression | None = None,
) -> int:
    """One entry per row of ``rows``, written by one INSERT ... SELECT.

    ``rows`` is any queryset of the objects; each entry takes the object's ``pk``
    and ``name``, and ``type_name`` (an SQL expression, default empty). ``changes``
    (default none) is the same list of change records for every entry, or an SQL
    expression giving each row its own JSON array (a record naming its connection, say:
    keep its text within the columns' bounds). For bulk
    actions (disconnecting 1,000 exports) the number of queries does not grow with
    the number of rows.
    """
    if changes is not None and not isinstance(changes, Expression):
        stored = [_bounded(change) for change in changes]
        changes = Value(stored, output_field=JSONField()) if stored else None
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
