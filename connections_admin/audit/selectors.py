"""Reading the audit trail: the Activity page's entries and whose history it shows."""

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import AuditEntry, ObjectKind


@dataclass(frozen=True)
class Subject:
    """The object whose history is shown: its kind, id and name (from its latest entry,
    so an object that was removed keeps its name)."""

    kind: ObjectKind
    object_id: int
    name: str


def history_subject(*, kind: str, object_id: int) -> Subject | None:
    """The object ``kind`` / ``object_id`` if the trail has anything about it, else None.
    One query."""
    name = (
        AuditEntry.objects.filter(object_kind=kind, object_id=object_id)
        .order_by("-at", "-pk")
        .values_list("object_name", flat=True)
        .first()
    )
    return None if name is None else Subject(ObjectKind(kind), object_id, name)


def activity_entries(
    *, q: str = "", action: str = "", user: str = "", kind: str = "", object_id: int | None = None
) -> QuerySet[AuditEntry]:
    """Every entry matching the filters (empty ones match all), newest first."""
    entries = AuditEntry.objects.order_by("-at", "-pk")
    if q:
        entries = entries.filter(object_name__icontains=q)
    if action:
        entries = entries.filter(action=action)
    if user:
        entries = entries.filter(actor_name__iexact=user)
    if kind:
        entries = entries.filter(object_kind=kind)
    if object_id:
        entries = entries.filter(object_id=object_id)
    return entries
