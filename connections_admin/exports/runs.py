"""Export runs: queued by a person, a schedule slot or a system refresh; run by a worker.

``run_request`` checks that the export can run and queues an :class:`ExportRun`; the task
``tasks.run_export`` calls ``run_execute``, which claims the run with a lease, takes its
snapshot, streams each segment's customers as a CSV file to the connection's destination
(the type's ``delivery``, through the guarded door) and records rows, bytes and files.

- A file is published under its final name only when complete (the destination's job);
  names are fixed for a run (its stamp), so a run taken over after its worker died
  publishes nothing twice: files already published are skipped, partial ones discarded.
- Timeouts, refused connections, 429 and 5xx are retried with exponential backoff and
  jitter, 3 attempts in all; authentication, permission and host-key errors fail at once.
- The worker renews the run's lease while it streams; ``runs_reap`` (a periodic job)
  re-queues a running run whose lease ran out, so another worker takes it over.
"""

import logging
import random
from datetime import timedelta
from functools import partial

from django.db import connection as db
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connections_admin.audit.changes import on_connection
from connections_admin.audit.models import Action
from connections_admin.audit.services import audit_record
from connections_admin.connection_types.delivery import (
    AlreadyPublished,
    DeliveryContext,
    is_transient,
)
from connections_admin.connections.crypto import SecretsUnreadable, decrypt_secrets
from connections_admin.connections.models import Connection
from connections_admin.connections.verify import connection_delivery_outcome
from connections_admin.customers.models import Customer
from connections_admin.outbound.failures import CheckFailed, Failure, stored_message
from connections_admin.outbound.net import Deadline

from . import csvfiles
from .csvfiles import DELIMITERS, copy_chunks, csv_chunks, file_name
from .models import ACTIVE_RUN, Export, ExportRun, RunStatus, RunTrigger

logger = logging.getLogger(__name__)

ATTEMPTS = 3
BACKOFF_SECONDS = 5  # before attempt 2; 4x more before attempt 3, plus up to as much jitter
LEASE = timedelta(seconds=60)
HEARTBEAT = timedelta(seconds=15)
KEEP = timedelta(days=90)
CONNECT_DEADLINE_SECONDS = 20
SECRETS_UNREADABLE = "secrets_unreadable"
CANCELLED_BY_DETACH = "connection_detached"
INTERNAL = "internal"
_OWN_FAILURES = {
    SECRETS_UNREADABLE: gettext_lazy("The stored secrets cannot be read with the configured keys."),
    INTERNAL: gettext_lazy("The run could not be completed."),
    CANCELLED_BY_DETACH: gettext_lazy("The export's connection was detached."),
}


class RunNotPossible(Exception):
    """The export cannot run now; ``str()`` says why, for the user."""


class _Cancelled(Exception):
    pass


def delivery_unavailable(connection: Connection | None) -> str:
    """Why a run to this connection cannot happen (translated), or ""."""
    if connection is None:
        return str(_("The export has no connection: attach one to run it."))
    connection_type = connection.connection_type
    if connection_type is None or getattr(connection_type, "delivery", None) is None:
        return str(_("Delivery to %(type)s is not available yet.") % {"type": connection.type_name})
    return ""


def failure_message(run: ExportRun) -> str:
    if not run.failure:
        return ""
    return stored_message(run.failure, run.http_status, _OWN_FAILURES, INTERNAL)


def run_request(
    *, export: Export, user=None, trigger: str = RunTrigger.MANUAL, slot=None
) -> ExportRun:
    """Queue a run of ``export``; raises RunNotPossible (inactive export, or a destination
    the console cannot deliver to yet)."""
    connection = export.connection
    reason = delivery_unavailable(connection)
    if reason:
        raise RunNotPossible(reason)
    from .tasks import run_export  # the task module imports this one

    with transaction.atomic():
        run = ExportRun.objects.create(
            export=export,
            connection=connection,
            trigger=trigger,
            requested_by=user,
            slot=slot,
            snapshot={"export_name": export.name},
        )
        Export.objects.filter(pk=export.pk).update(last_run=run, last_run_at=run.queued_at)
        if trigger == RunTrigger.MANUAL:
            audit_record(
                actor=user,
                action=Action.EXPORT_RUN_REQUESTED,
                obj=export,
                changes=[on_connection(connection.display_name)],
            )
        transaction.on_commit(lambda: run_export.enqueue(run.pk))
    return run


def run_cancel(*, run: ExportRun, user) -> bool:
    """Cancel a queued run at once, or ask a running one to stop; False if it had ended."""
    with transaction.atomic():
        queued = ExportRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
            status=RunStatus.CANCELLED, finished_at=timezone.now()
        )
        running = queued or ExportRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            cancel_requested=True
        )
        if not running:
            return False
        if run.export_id is not None:
            # The connection the run sends to (it outlives the export's next change).
            sends_to = run.connection.display_name if run.connection_id else ""
            audit_record(
                actor=user,
                action=Action.EXPORT_RUN_CANCELLED,
                obj=run.export,
                changes=[on_connection(sends_to)] if sends_to else [],
            )
    return True


def _claim(run_id: int) -> ExportRun | None:
    """Take the run: queued, or running with its lease run out. None if someone has it."""
    now = timezone.now()
    claimable = Q(status=RunStatus.QUEUED) | Q(status=RunStatus.RUNNING, lease_until__lt=now)
    taken = ExportRun.objects.filter(claimable, pk=run_id, cancel_requested=False).update(
        status=RunStatus.RUNNING,
        attempt=F("attempt") + 1,
        lease_until=now + LEASE,
        started_at=Coalesce(F("started_at"), Value(now)),
    )
    if not taken:
        return None
    return ExportRun.objects.select_related("export__connection").get(pk=run_id)


def _snapshot(run: ExportRun) -> dict:
    """What the run sends and where, fixed when it first starts."""
    if "segments" in run.snapshot:
        return run.snapshot
    export = run.export
    connection = export.connection if export else None
    if export is None or connection is None:
        return {}
    snapshot = {
        "export_name": export.name,
        "stamp": timezone.now().strftime("%Y%m%dT%H%M%SZ"),
        "fields": list(export.fields),
        "segments": [
            {"id": segment.pk, "name": segment.name} for segment in export.segments.order_by("pk")
        ],
        "connection_id": connection.pk,
        "connection_name": connection.display_name,
        "type_key": connection.type_key,
        "type_name": connection.type_name,
    }
    ExportRun.objects.filter(pk=run.pk).update(snapshot=snapshot)
    return snapshot


def _customers(segment_id: int, low: int | None = None, high: int | None = None):
    """The segment's customers; with ``low`` and ``high`` those whose ids are in [low, high),
    the range set on both sides of the join so that each table is read by an index range."""
    within = {}
    if low is not None:
        within = {
            "pk__gte": low,
            "pk__lt": high,
            "memberships__customer_id__gte": low,
            "memberships__customer_id__lt": high,
        }
    return Customer.objects.filter(memberships__segment_id=segment_id, **within)


def _rows(segment_id: int, fields: list[str]):
    return _customers(segment_id).order_by("pk").values_list(*fields).iterator(chunk_size=5000)


def _file_chunks(segment_id: int, fields: list[str], *, delimiter: str, gzip: bool, on_rows):
    """One segment's file: written by PostgreSQL's COPY there, by ``csv.writer`` on the
    other databases (the same bytes), compressed in a thread of its own when asked."""
    if db.vendor == "postgresql":
        chunks = copy_chunks(
            partial(_customers, segment_id), fields, delimiter=delimiter, on_rows=on_rows
        )
    else:
        chunks = csv_chunks(_rows(segment_id, fields), fields, delimiter=delimiter, on_rows=on_rows)
    return csvfiles.gzipped(chunks) if gzip else chunks


class _Progress:
    """Counts rows and renews the lease; stops the run if it was cancelled, or if its
    export left the connection it is sending to (disconnected, moved or removed)."""

    def __init__(self, run: ExportRun, connection_id: int):
        self.run = run
        self.connection_id = connection_id
        self.rows = 0
        self.beat = timezone.now()

    def __call__(self, rows: int) -> None:
        self.rows += rows
        now = timezone.now()
        if now - self.beat < HEARTBEAT:
            return
        self.beat = now
        renewed = ExportRun.objects.filter(
            pk=self.run.pk,
            attempt=self.run.attempt,  # not taken over by another worker meanwhile
            status=RunStatus.RUNNING,
            cancel_requested=False,
            export__connection_id=self.connection_id,
        ).update(lease_until=now + LEASE)
        if not renewed:
            raise _Cancelled


def _deliver(run: ExportRun, snapshot: dict) -> None:
    """Send the files of the run that are not at the destination yet; raises CheckFailed or
    _Cancelled. Each file's rows and bytes are added to the run as soon as it is published,
    so a run taken over after its worker died counts every file once."""
    connection = Connection.objects.filter(pk=snapshot["connection_id"]).first()
    if connection is None or connection.connection_type is None:
        raise CheckFailed(Failure.NOT_FOUND)
    settings = dict(connection.settings)
    gzip = settings.get("compression") == "gzipped"
    delimiter = DELIMITERS.get(settings.get("field_delimiter", "comma"), ",")
    context = DeliveryContext(
        settings=settings,
        secrets=decrypt_secrets(connection.secrets_encrypted),
        deadline=Deadline(CONNECT_DEADLINE_SECONDS),
        known_host_key=connection.host_key,
    )
    progress = _Progress(run, connection.pk)
    with connection.connection_type.delivery.open(context) as session:
        for segment in snapshot["segments"]:
            name = file_name(
                snapshot["export_name"], segment["name"], snapshot["stamp"], gzipped=gzip
            )
            if session.exists(name):  # published by an attempt that died after it
                continue
            session.discard_partials(name)
            rows_before = progress.rows
            chunks = _file_chunks(
                segment["id"], snapshot["fields"], delimiter=delimiter, gzip=gzip, on_rows=progress
            )
            try:
                written = session.publish(name, chunks)
            except AlreadyPublished:
                continue  # another attempt of this run got there first: not sent twice
            ExportRun.objects.filter(pk=run.pk).update(
                rows=F("rows") + (progress.rows - rows_before),
                bytes=F("bytes") + written,
                files=F("files") + 1,
            )


def _finish(run: ExportRun, status: str, **values) -> bool:
    """End the run (if this attempt still holds it: returns whether it did)."""
    now = timezone.now()
    with transaction.atomic():
        # Only the attempt that still holds the run ends it: a worker that stalled past its
        # lease while another took the run over must not undo how that one ended.
        ended = ExportRun.objects.filter(pk=run.pk, attempt=run.attempt).update(
            status=status, finished_at=now, lease_until=None, **values
        )
        if not ended or run.export_id is None:
            return bool(ended)
        exports = Export.objects.filter(pk=run.export_id)
        if status == RunStatus.SUCCEEDED:
            exports.update(failing_since=None)
        elif status == RunStatus.FAILED and run.trigger != RunTrigger.MANUAL:
            exports.filter(failing_since__isnull=True).update(failing_since=now)
    return True


def _delivered(run: ExportRun, snapshot: dict, status: str, **values) -> None:
    """End a run that reached its destination, or failed to, and tell the connection's
    health: a destination that refuses the run shows as Failing on the Connections tab,
    one that takes it as working. A run that broke on our side says nothing about it."""
    if not _finish(run, status, **values):
        return
    failure = values.get("failure", "")
    if status == RunStatus.SUCCEEDED or failure != INTERNAL:
        connection_delivery_outcome(
            connection_id=snapshot["connection_id"],
            ok=status == RunStatus.SUCCEEDED,
            failure=failure,
            http_status=values.get("http_status"),
        )


def _retry_later(run: ExportRun, failed: CheckFailed) -> None:
    from .tasks import run_export

    base = BACKOFF_SECONDS * 4 ** (run.attempt - 1)
    delay = base + random.uniform(0, base)  # noqa: S311 - jitter, not a secret
    requeued = ExportRun.objects.filter(pk=run.pk, attempt=run.attempt).update(
        status=RunStatus.QUEUED,
        lease_until=None,
        failure=failed.failure.value,
        http_status=failed.status,
    )
    if not requeued:  # taken over by another worker meanwhile (see _finish)
        return
    run_after = timezone.now() + timedelta(seconds=delay)
    transaction.on_commit(lambda: run_export.using(run_after=run_after).enqueue(run.pk))


def run_execute(*, run_id: int) -> ExportRun | None:
    """One attempt at a run (safe to call twice: a run is claimed once at a time)."""
    run = _claim(run_id)
    if run is None:
        return None
    snapshot = _snapshot(run)
    export = run.export
    if not snapshot or export is None or export.connection_id != snapshot["connection_id"]:
        # The export was removed, or left the connection (disconnected, moved) since the
        # run was queued or last tried: it no longer sends there.
        _finish(run, RunStatus.CANCELLED, failure=CANCELLED_BY_DETACH)
        return run
    try:
        _deliver(run, snapshot)
    except _Cancelled:
        _finish(run, RunStatus.CANCELLED)
    except CheckFailed as failed:
        if is_transient(failed) and run.attempt < ATTEMPTS:
            _retry_later(run, failed)
        else:
            failure, status = failed.failure.value, failed.status
            _delivered(run, snapshot, RunStatus.FAILED, failure=failure, http_status=status)
    except SecretsUnreadable:
        _delivered(run, snapshot, RunStatus.FAILED, failure=SECRETS_UNREADABLE)
    except Exception as error:  # noqa: BLE001 - a broken run is a failed run, not a lost one
        logger.error("Run %s broke: %s", run.pk, type(error).__name__)
        _finish(run, RunStatus.FAILED, failure=INTERNAL)
    else:
        _delivered(run, snapshot, RunStatus.SUCCEEDED, failure="")
    run.refresh_from_db()
    return run


# A queued run no task has picked up for this long lost its task (the process that queued
# it died between its commit and the enqueue): queue a task for it again. Longer than the
# longest retry wait, so a run waiting to retry is left alone.
STRANDED = timedelta(minutes=15)


def runs_reap(now=None) -> int:
    """Queue a task again for the running runs whose lease ran out (their worker died) and
    for queued runs that lost their task; returns how many. A task claims its run only if
    it is still free, so a run is never run twice at once."""
    from .tasks import run_export

    now = now or timezone.now()
    expired = Q(status=RunStatus.RUNNING, lease_until__lt=now)
    stranded = Q(status=RunStatus.QUEUED, queued_at__lt=now - STRANDED) & (
        Q(started_at__isnull=True) | Q(started_at__lt=now - STRANDED)
    )
    run_ids = list(ExportRun.objects.filter(expired | stranded).values_list("pk", flat=True))
    for run_id in run_ids:
        run_export.enqueue(run_id)
    return len(run_ids)


def runs_prune(now=None) -> int:
    """Delete finished runs older than 90 days."""
    now = now or timezone.now()
    deleted, _ = ExportRun.objects.exclude(ACTIVE_RUN).filter(queued_at__lt=now - KEEP).delete()
    return deleted


def _mask_email(value: str) -> str:
    local, _at, domain = (value or "").partition("@")
    if not domain:
        return "•••" if value else ""
    tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
    return f"{local[:1]}•••@•••.{tld}" if tld else f"{local[:1]}•••@•••"


def _mask_phone(value: str) -> str:
    digits = [c for c in (value or "") if c.isdigit()]
    return ("•" * max(len(digits) - 2, 3) + "".join(digits[-2:])) if digits else ""


MASKS = {"email": _mask_email, "phone": _mask_phone}
SAMPLE_ROWS = 3


def preview(*, name: str, connection: Connection | None, segments, fields: list[str]) -> dict:
    """What a run would write now: file names, columns, rows per segment, and the first
    rows of the first segment with e-mail and phone masked. Nothing is sent anywhere."""
    settings = connection.settings if connection else {}
    gzipped = settings.get("compression") == "gzipped"
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    segments = list(segments)
    files = [
        {
            "name": file_name(name, segment.name, stamp, gzipped=gzipped),
            "rows": segment.member_count,
        }
        for segment in segments
    ]
    samples = []
    if segments and fields:
        first = _rows(segments[0].pk, fields)
        for row, _index in zip(first, range(SAMPLE_ROWS), strict=False):
            samples.append(
                [
                    MASKS.get(field, str)(value if value is not None else "")
                    for field, value in zip(fields, row, strict=True)
                ]
            )
    return {
        "files": files,
        "columns": fields,
        "samples": samples,
        "delimiter": settings.get("field_delimiter", "comma"),
        "gzipped": gzipped,
        "unavailable": delivery_unavailable(connection),
    }
