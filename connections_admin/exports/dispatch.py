"""Queues scheduled and refresh runs in bulk, each scheduled slot exactly once.

``dispatch_due(moment)`` is the work of the every-minute periodic job ``exports_dispatch``
(apps.py). It reads the candidates in one query (active exports with an hourly, daily or
weekly schedule, with the time of their last scheduled run), computes each one's latest
slot at or before ``moment`` (schedule.py) and queues a run for the exports that are due:

- due: the slot is after the export's creation and after its last scheduled run was
  queued (so a missed slot runs once after downtime, only the latest one, and moving an
  export's time does not run a slot of the new time that has already passed);
- exactly once: ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` on the unique
  (export, slot) constraint; only the runs this statement inserted are enqueued, so two
  dispatchers (or a late chain of the job) meeting at the same slot queue one run. Rows
  are inserted in export order, so two dispatchers wait on each other, never deadlock;
- the INSERT reads the export row again (``connection IS NOT NULL``): an export
  disconnected or removed after the candidates were read gets no run.

``refresh_runs()`` queues one run for every active "With every system refresh" export; it
receives ``customers.signals.system_refreshed``.

Both skip exports whose destination has no delivery yet (``runs.delivery_unavailable``).
"""

import logging
from datetime import datetime

from django.db import connection as db
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from connections_admin.connection_types.registry import UnknownConnectionType, registry

from . import schedule
from .models import Export, ExportRun, RunTrigger, Schedule

logger = logging.getLogger(__name__)

BATCH = 1000  # rows per INSERT: well under PostgreSQL's and SQLite's parameter limits


def _can_deliver(type_key: str, cache: dict[str, bool]) -> bool:
    if type_key not in cache:
        try:
            connection_type = registry.get(type_key)
        except UnknownConnectionType:
            connection_type = None
        cache[type_key] = getattr(connection_type, "delivery", None) is not None
    return cache[type_key]


def due_runs(moment: datetime) -> list[tuple[int, datetime, str]]:
    """(export id, slot, export name) of the scheduled exports due at ``moment``, in
    export order. One query."""
    last_scheduled = (
        ExportRun.objects.filter(export=OuterRef("pk"), trigger=RunTrigger.SCHEDULE)
        .order_by("-queued_at")
        .values("queued_at")[:1]
    )
    candidates = (
        Export.objects.filter(connection__isnull=False, schedule__in=schedule.TIMED)
        .annotate(last_scheduled=Subquery(last_scheduled))
        .order_by("pk")
        .values_list(
            "pk",
            "name",
            "schedule",
            "schedule_time",
            "schedule_weekday",
            "updated_at",
            "connection__type_key",
            "last_scheduled",
        )
    )
    deliverable: dict[str, bool] = {}
    slots: dict[tuple, datetime | None] = {}  # many exports share a schedule
    due = []
    # A save (an edit, a connection attached again) starts the schedule afresh: only slots
    # after it count, so reattaching an export does not run a slot it missed while inactive.
    for pk, name, kind, at, weekday, saved, type_key, last in candidates.iterator(2000):
        if not _can_deliver(type_key, deliverable):
            continue
        key = (kind, at, weekday)
        if key not in slots:
            fields = {"schedule": kind, "schedule_time": at, "schedule_weekday": weekday}
            slots[key] = schedule.latest_slot_at_or_before(fields, moment)
        slot = slots[key]
        if slot is None or slot <= saved or (last is not None and slot <= last):
            continue
        due.append((pk, slot, name))
    return due


def _insert_runs(rows: list[tuple], *, per_row: list[str], values: dict) -> list[tuple]:
    """Insert a run per row, skipping rows that conflict with an existing run (same export
    and slot) and exports no longer active; returns (run id, export id) of those inserted.

    ``rows`` hold the ``per_row`` fields' values (the first is ``export``); every other
    field takes ``values`` or its default. Identifiers come from the models' metadata,
    values are parameters.
    """
    quote = db.ops.quote_name
    run_fields = [field for field in ExportRun._meta.concrete_fields if not field.primary_key]
    by_name = {field.name: field for field in run_fields}
    export_table = quote(Export._meta.db_table)
    export_pk = quote(Export._meta.pk.column)
    export_connection = quote(Export._meta.get_field("connection").column)
    columns, select, constants = [], [], []
    for field in run_fields:
        columns.append(quote(field.column))
        if field.name in per_row:
            select.append(f"v.column{per_row.index(field.name) + 1}")
        else:
            value = values[field.name] if field.name in values else field.get_default()
            select.append("%s")
            constants.append(field.get_db_prep_save(value, db))
    row_sql = "(" + ", ".join(["%s"] * len(per_row)) + ")"
    run_table = quote(ExportRun._meta.db_table)
    returning = f"{quote(ExportRun._meta.pk.column)}, {quote(by_name['export'].column)}"
    inserted = []
    with db.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            params = list(constants)
            for row in batch:
                params.extend(
                    by_name[name].get_db_prep_save(value, db)
                    for name, value in zip(per_row, row, strict=True)
                )
            # Identifiers come from the models' metadata, quoted; values are parameters.
            # SQLite needs the WHERE in INSERT ... SELECT ... ON CONFLICT (parsing).
            sql = (
                f"INSERT INTO {run_table} ({', '.join(columns)}) "  # noqa: S608  # nosec B608
                f"SELECT {', '.join(select)} "
                f"FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v, {export_table} AS e "
                f"WHERE e.{export_pk} = v.column1 AND e.{export_connection} IS NOT NULL "
                f"ON CONFLICT DO NOTHING RETURNING {returning}"
            )
            cursor.execute(sql, params)
            inserted.extend(cursor.fetchall())
    return inserted


def _queue(
    rows: list[tuple], *, per_row: list[str], trigger: str, now: datetime | None = None
) -> list[int]:
    """Insert the runs, mark them as their exports' last run and enqueue them once the
    transaction commits; returns the ids of the runs inserted."""
    from .tasks import run_export  # the task module imports runs, which imports models

    now = now or timezone.now()
    with transaction.atomic():
        inserted = _insert_runs(
            rows, per_row=per_row, values={"trigger": trigger, "queued_at": now}
        )
        run_ids = sorted(run_id for run_id, _ in inserted)
        for start in range(0, len(run_ids), BATCH):
            batch = run_ids[start : start + BATCH]
            this_run = ExportRun.objects.filter(export=OuterRef("pk"), pk__in=batch)
            Export.objects.filter(runs__pk__in=batch).update(
                last_run=Subquery(this_run.values("pk")[:1]), last_run_at=now
            )

        def enqueue() -> None:
            with transaction.atomic():  # one commit for all the task rows
                for run_id in run_ids:
                    run_export.enqueue(run_id)

        transaction.on_commit(enqueue)
    return run_ids


def dispatch_due(moment: datetime | None = None, *, now: datetime | None = None) -> list[int]:
    """Queue the scheduled runs due at ``moment`` (the job's slot; default now); returns
    the ids of the runs this call queued (another dispatcher's are not among them).
    ``now`` (default: the clock) is when they are queued."""
    moment = moment or timezone.now()
    due = due_runs(moment)
    run_ids = _queue(
        [(pk, slot, {"export_name": name}) for pk, slot, name in due],
        per_row=["export", "slot", "snapshot"],
        trigger=RunTrigger.SCHEDULE,
        now=now,
    )
    if due:
        logger.info("Dispatch %s: %d due, %d queued", moment.isoformat(), len(due), len(run_ids))
    return run_ids


def refresh_runs() -> list[int]:
    """Queue one run of every active "With every system refresh" export whose destination
    has a delivery; returns the runs' ids."""
    deliverable: dict[str, bool] = {}
    exports = (
        Export.objects.filter(connection__isnull=False, schedule=Schedule.WITH_REFRESH)
        .order_by("pk")
        .values_list("pk", "name", "connection__type_key")
    )
    rows = [
        (pk, {"export_name": name})
        for pk, name, type_key in exports
        if _can_deliver(type_key, deliverable)
    ]
    return _queue(rows, per_row=["export", "snapshot"], trigger=RunTrigger.REFRESH)


def on_system_refreshed(sender, **kwargs) -> None:
    run_ids = refresh_runs()
    logger.info("System refresh (%s): %d export runs queued", kwargs.get("source"), len(run_ids))
