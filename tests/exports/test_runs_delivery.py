"""Export runs end to end against the real destinations on loopback: OpenSSH's sshd (the
password user's ``upload`` folder is the export folder) and Azurite (tests/servers).

``run_execute`` runs in this process, as a worker runs it; what the destination holds is
read from the server's side (the upload folder on disk, the container's blob list). The
run logic against an in-memory destination is in test_runs.py; real worker processes
(a worker killed with SIGKILL, a lease taken over) are in test_runs_workers.py.
"""

import csv
import gzip
import io
import os
import re
import threading
import time
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from django.db import connection as db
from django.utils import timezone

from connections_admin.connection_types import delivery
from connections_admin.connections.services import connection_remove
from connections_admin.customers.models import Customer, Membership
from connections_admin.customers.services import segments_recount
from connections_admin.exports import runs
from connections_admin.exports.models import ExportRun, RunStatus
from connections_admin.exports.services import export_disconnect
from connections_admin.outbound.failures import Failure
from tests.connection_types.test_azure_check import azure  # noqa: F401 (settings fixture)
from tests.factories import ConnectionFactory, ExportFactory, SegmentFactory

pytestmark = pytest.mark.django_db

# In the export's order, not the profile's: the header follows the export.
FIELDS = ["last_name", "customer_id", "email", "first_name", "city", "lifetime_value"]
STAMP = re.compile(r"\d{8}T\d{6}Z")
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
PARTIAL = re.compile(r"\.partial-[0-9a-f]{16}\Z")


# --- servers and data ---------------------------------------------------------------------


@pytest.fixture
def sftp(settings, sshd_server):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.CONNECTIONS_OUTBOUND_TEST_HOSTS = {"sftp.test": ["127.0.0.1"]}
    return sshd_server


def unique_name(prefix="Run") -> str:
    """Several test sessions share the upload folder and the container."""
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def sftp_connection(server, *, compression="gzipped", delimiter="comma", password=None):
    user = server.password_user
    return ConnectionFactory(
        values={
            "hostname": "sftp.test",
            "port": server.port,
            "username": user.name,
            "password": password or user.password,
            "export_folder": str(user.upload),
            "compression": compression,
            "field_delimiter": delimiter,
        }
    )


def azure_connection(server, type_key="azure_blob_storage"):
    return ConnectionFactory(
        type_key=type_key,
        values={
            "account_name": server.account_name,
            "account_key": server.account_key,
            "container": server.container,
        },
    )


def make_export(connection, segments, fields=FIELDS):
    export = ExportFactory(name=unique_name(), connection=connection, fields=fields)
    _MADE.append(slug(export.name))
    export.segments.set(segments)
    return export


def bulk_members(segment, count: int) -> None:
    """``count`` new customers in ``segment``, made by the database itself (200,000 in a
    second or two, on SQLite and PostgreSQL)."""
    prefix = f"B{segment.pk}-{uuid.uuid4().hex[:6]}-"
    customer = Customer._meta.db_table
    membership = Membership._meta.db_table
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {customer} (customer_id, email, first_name, last_name, phone, city,"  # noqa: S608 (table names from the models)
            " country, postal_code, loyalty_tier, lifetime_value, updated_at)"
            " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"
            " SELECT %s || CAST(i AS TEXT), 'c' || CAST(i AS TEXT) || '@example.com', 'Ada',"
            " 'Lovelace', '+44 20 7946 0000', 'London', 'United Kingdom', 'EC1A 1BB', 'Gold',"
            " 1234.50, %s FROM n",
            [count, prefix, timezone.now()],
        )
        cursor.execute(
            f"INSERT INTO {membership} (segment_id, customer_id)"  # noqa: S608
            f" SELECT %s, id FROM {customer} WHERE customer_id LIKE %s",
            [segment.pk, prefix + "%"],
        )
    segments_recount([segment.pk])
    segment.refresh_from_db()


def people_segments():
    """Two segments of customers with non-ASCII names and values that need quoting; one
    customer is in both."""
    tag = uuid.uuid4().hex[:6]
    people = [
        Customer.objects.create(
            customer_id=f"U{tag}-1",
            email="zoe@example.com",
            first_name="Zoë",
            last_name="Ångström",
            city="Kraków",
            lifetime_value="10.00",
        ),
        Customer.objects.create(
            customer_id=f"U{tag}-2",
            email="aliya@example.kz",
            first_name="Әлия",
            last_name="Нұрланқызы",
            city="Алматы",
            lifetime_value="2500.75",
        ),
        Customer.objects.create(
            customer_id=f"U{tag}-3",
            email="sean@example.ie",
            first_name="Seán",
            last_name='O"Brien, Jr; |\tthe 3rd',  # every delimiter and a quote
            city="",
            lifetime_value=None,
        ),
    ]
    gold, churn = SegmentFactory(name=f"Gold tier {tag}"), SegmentFactory(name=f"Churn {tag}")
    Membership.objects.bulk_create(
        [Membership(segment=gold, customer=c) for c in people]
        + [Membership(segment=churn, customer=people[2])]
    )
    segments_recount([gold.pk, churn.pk])
    gold.refresh_from_db()
    churn.refresh_from_db()
    return gold, churn


def expected_rows(segment, fields=FIELDS) -> list[list[str]]:
    """The segment's customers as the file should hold them (decimals as written)."""
    customers = Customer.objects.filter(memberships__segment=segment).order_by("pk")
    return [
        ["" if value is None else str(value) for value in row]
        for row in customers.values_list(*fields)
    ]


def parse(data: bytes, *, gzipped: bool, delimiter: str) -> list[list[str]]:
    if gzipped:
        assert data[:2] == b"\x1f\x8b"
        data = gzip.decompress(data)
    text = data.decode("utf-8")  # strict: the file is UTF-8
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def file_name(export, segment, stamp, gzipped) -> str:
    return f"{slug(export.name)}_{slug(segment.name)}_{stamp}.csv{'.gz' if gzipped else ''}"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def ours(folder: Path, export) -> list[str]:
    """The export's files in the folder, partial ones (hidden) included."""
    prefix = slug(export.name)
    return sorted(p.name for p in folder.iterdir() if p.name.lstrip(".").startswith(prefix))


_MADE: list[str] = []  # the slugs of the exports made by the running test


@pytest.fixture
def upload(sshd_server):
    """The upload folder; the files of this test's exports are removed after it (only
    those: other sessions may be writing theirs)."""
    folder = sshd_server.password_user.upload
    _MADE.clear()
    yield folder
    for name in os.listdir(folder):
        if name.lstrip(".").startswith(tuple(f"{prefix}_" for prefix in _MADE)):
            (folder / name).unlink(missing_ok=True)
    _MADE.clear()


def execute(run) -> ExportRun:
    runs.run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


# --- SFTP end to end ----------------------------------------------------------------------


@pytest.mark.parametrize("compression", ["gzipped", "unzipped"])
@pytest.mark.parametrize("delimiter", ["comma", "semicolon", "tab", "pipe"])
def test_an_sftp_run_writes_one_complete_csv_per_segment(sftp, upload, compression, delimiter):
    gzipped = compression == "gzipped"
    gold, churn = people_segments()
    export = make_export(
        sftp_connection(sftp, compression=compression, delimiter=delimiter), [gold, churn]
    )
    started = timezone.now()
    run = execute(runs.run_request(export=export))

    assert (run.status, run.attempt, run.failure) == (RunStatus.SUCCEEDED, 1, "")
    stamp = run.snapshot["stamp"]
    assert STAMP.fullmatch(stamp)
    written_at = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs(written_at - started) < timedelta(minutes=1)
    names = {segment.pk: file_name(export, segment, stamp, gzipped) for segment in (gold, churn)}
    assert ours(upload, export) == sorted(names.values())  # one per segment, nothing partial
    assert run.files == 2
    assert run.rows == gold.member_count + churn.member_count == 4
    assert run.bytes == sum((upload / name).stat().st_size for name in names.values())
    for segment in (gold, churn):
        rows = parse(
            (upload / names[segment.pk]).read_bytes(),
            gzipped=gzipped,
            delimiter=DELIMITERS[delimiter],
        )
        assert rows[0] == FIELDS
        assert rows[1:] == expected_rows(segment)
        assert len(rows) - 1 == segment.member_count
    everyone = parse(
        (upload / names[gold.pk]).read_bytes(), gzipped=gzipped, delimiter=DELIMITERS[delimiter]
    )
    assert [row[0] for row in everyone[1:3]] == ["Ångström", "Нұрланқызы"]
    assert everyone[3][0] == 'O"Brien, Jr; |\tthe 3rd'
    assert everyone[2][5] == "2500.75" and everyone[3][5] == ""


@pytest.mark.parametrize("type_key", ["azure_blob_storage", "azure_data_lake_gen2"])
def test_an_azure_run_commits_one_complete_blob_per_segment(azure, type_key):  # noqa: F811
    gold, churn = people_segments()
    export = make_export(azure_connection(azure, type_key), [gold, churn])
    run = execute(runs.run_request(export=export))

    assert (run.status, run.attempt) == (RunStatus.SUCCEEDED, 1)
    stamp = run.snapshot["stamp"]
    container = azure.blob_service_client().get_container_client(azure.container)
    blobs = {b.name: b.size for b in container.list_blobs(name_starts_with=slug(export.name))}
    names = {segment.pk: file_name(export, segment, stamp, False) for segment in (gold, churn)}
    assert sorted(blobs) == sorted(names.values())  # Azure types: unzipped, comma
    assert (run.files, run.rows) == (2, 4)
    assert run.bytes == sum(blobs.values())
    for segment in (gold, churn):
        blob = container.get_blob_client(names[segment.pk])
        committed, uncommitted = blob.get_block_list("all")
        assert committed and not uncommitted
        rows = parse(blob.download_blob().readall(), gzipped=False, delimiter=",")
        assert rows[0] == FIELDS
        assert rows[1:] == expected_rows(segment)
    for name in blobs:
        container.delete_blob(name)


# --- atomic publish -----------------------------------------------------------------------


class FolderWatcher(threading.Thread):
    """Lists the folder every millisecond or so, as a reader polling for new files would:
    remembers each name's size when first seen and reads that content at once."""

    def __init__(self, folder: Path, prefix: str):
        super().__init__(daemon=True)
        self.folder, self.prefix = folder, prefix
        self.first_seen: dict[str, tuple[int, bytes]] = {}
        self.partial_sizes: list[int] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for entry in os.scandir(self.folder):
                name = entry.name
                if not name.lstrip(".").startswith(self.prefix):
                    continue
                try:
                    if PARTIAL.search(name):
                        self.partial_sizes.append(entry.stat().st_size)
                    elif name not in self.first_seen:
                        with open(entry.path, "rb") as file:
                            size = os.fstat(file.fileno()).st_size
                            self.first_seen[name] = (size, file.read())
                except FileNotFoundError:  # renamed or removed between listing and look
                    continue
            time.sleep(0.001)


@pytest.mark.parametrize("compression", ["gzipped", "unzipped"])
def test_a_reader_polling_the_folder_never_sees_a_partial_file(
    sftp, upload, compression, monkeypatch
):
    gzipped = compression == "gzipped"
    # Writes of 128 KiB instead of 1 MiB: the gzipped file (about 1 MiB) grows in steps too.
    monkeypatch.setattr(delivery, "pieces", partial(delivery.pieces, size=128 * 1024))
    big = SegmentFactory(name=f"Everyone {uuid.uuid4().hex[:6]}")
    bulk_members(big, 200_000)
    export = make_export(sftp_connection(sftp, compression=compression), [big])
    run = runs.run_request(export=export)
    watcher = FolderWatcher(upload, slug(export.name))
    watcher.start()
    try:
        run = execute(run)
        time.sleep(0.05)
    finally:
        watcher.done.set()
        watcher.join()

    assert run.status == RunStatus.SUCCEEDED
    name = file_name(export, big, run.snapshot["stamp"], gzipped)
    final = (upload / name).read_bytes()
    # The reader watched the file being written (the partial grew) ...
    assert len(watcher.partial_sizes) > 10
    assert len(set(watcher.partial_sizes)) > 2
    # ... and saw the final name only with the whole content in it.
    assert list(watcher.first_seen) == [name]
    size, content = watcher.first_seen[name]
    assert size == len(final) == run.bytes and content == final
    rows = parse(content, gzipped=gzipped, delimiter=",")
    assert rows[0] == FIELDS
    assert len(rows) - 1 == big.member_count == run.rows
    if gzipped:  # one complete gzip member, nothing after it
        inflate = zlib.decompressobj(31)
        inflate.decompress(content)
        assert inflate.eof and not inflate.unused_data


# --- failures, retries, cancel ------------------------------------------------------------


@pytest.fixture
def after_rows(monkeypatch):
    """after_rows(n, action): ``action()`` runs once, in the run's thread, when the run has
    counted ``n`` rows of the database (at its next heartbeat: its file is partly sent by
    then), whichever way the rows are read."""

    def install(count: int, action) -> None:
        original = runs._Progress.__call__
        done = False

        def counted(progress, rows: int) -> None:
            nonlocal done
            original(progress, rows)
            if not done and progress.rows >= count:
                done = True
                action()

        monkeypatch.setattr(runs._Progress, "__call__", counted)

    return install


def kill_sshd(server) -> None:
    """The listening sshd and every session it serves, gone at once."""
    from tests.connection_types.test_sftp_delivery import signal_sessions

    signal_sessions(server, 9)
    server.stop()


def test_a_server_stopped_mid_run_is_retried_without_duplicates_or_partials(
    sftp, upload, after_rows, django_capture_on_commit_callbacks
):
    small, big = SegmentFactory(name="Small one"), SegmentFactory(name="Big one")
    bulk_members(small, 5_000)
    bulk_members(big, 60_000)
    export = make_export(sftp_connection(sftp), [small, big], fields=["customer_id", "email"])
    run = runs.run_request(export=export)
    after_rows(5_000 + 40_000, lambda: kill_sshd(sftp))  # in the middle of the big file
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = execute(run)
        assert (run.status, run.attempt) == (RunStatus.QUEUED, 1)  # waits to retry
        assert run.failure in {Failure.CONNECTION_REFUSED, Failure.TIMED_OUT}
        stamp = run.snapshot["stamp"]
        names = [file_name(export, segment, stamp, True) for segment in (small, big)]
        left = ours(upload, export)
        # The small file was published; the big one's partial could not be removed.
        assert names[0] in left and names[1] not in left
        assert [name for name in left if PARTIAL.search(name)]
    finally:
        sftp._start()  # the same server, port and host key again

    run = execute(run)
    assert (run.status, run.attempt, run.failure) == (RunStatus.SUCCEEDED, 2, "")
    assert ours(upload, export) == sorted(names)  # no duplicate, no partial left
    for name, segment in zip(names, (small, big), strict=True):
        rows = parse((upload / name).read_bytes(), gzipped=True, delimiter=",")
        assert len(rows) - 1 == segment.member_count
    assert run.files == 2 and run.rows == 65_000
    assert run.bytes == sum((upload / name).stat().st_size for name in names)


def test_a_wrong_password_fails_at_once(sftp, upload):
    gold, _churn = people_segments()
    export = make_export(sftp_connection(sftp, password="not-the-password-1"), [gold])
    run = execute(runs.run_request(export=export))
    assert (run.status, run.attempt, run.failure) == (
        RunStatus.FAILED,
        1,
        Failure.AUTHENTICATION_FAILED,
    )
    assert ours(upload, export) == []


def test_cancelling_a_running_run_leaves_no_file(sftp, upload, after_rows, monkeypatch):
    monkeypatch.setattr(runs, "HEARTBEAT", timedelta(0))
    big = SegmentFactory(name="Big one")
    bulk_members(big, 60_000)
    export = make_export(sftp_connection(sftp), [big], fields=["customer_id", "email"])
    run = runs.run_request(export=export)

    def cancel():
        assert ours(upload, export)  # the partial file is being written
        runs.run_cancel(run=run, user=None)

    after_rows(30_000, cancel)
    run = execute(run)
    assert run.status == RunStatus.CANCELLED
    assert ours(upload, export) == []  # neither the final name nor the partial


def test_a_queued_run_of_a_connection_being_removed_is_cancelled_and_writes_nothing(sftp, upload):
    gold, _churn = people_segments()
    connection = sftp_connection(sftp)
    export = make_export(connection, [gold])
    run = runs.run_request(export=export)
    export_disconnect(ids=[export.pk], connection_id=connection.pk)
    connection_remove(connection_id=connection.pk)

    run = execute(run)
    assert (run.status, run.failure) == (RunStatus.CANCELLED, runs.CANCELLED_BY_DETACH)
    assert run.attempt == 1 and ours(upload, export) == []


def test_a_worker_that_stalled_past_its_lease_does_not_undo_the_takeover(
    sftp, upload, after_rows, monkeypatch
):
    """Worker A stalls mid-file (a pause longer than the lease: GC, a frozen VM); worker B
    takes the run over and finishes it; then A wakes up. A must not publish anything again
    nor change how the run ended."""
    monkeypatch.setattr(runs, "HEARTBEAT", timedelta(0))  # A renews at its next rows
    first, second = SegmentFactory(name="First part"), SegmentFactory(name="Second part")
    bulk_members(first, 5_000)
    bulk_members(second, 60_000)
    export = make_export(sftp_connection(sftp), [first, second], fields=["customer_id", "email"])
    run = runs.run_request(export=export)

    def stall_while_b_takes_over():
        ExportRun.objects.filter(pk=run.pk).update(
            lease_until=timezone.now() - timedelta(seconds=1)
        )
        taken = runs.run_execute(run_id=run.pk)  # worker B, its own SFTP session
        assert (taken.status, taken.attempt) == (RunStatus.SUCCEEDED, 2)

    after_rows(5_000 + 30_000, stall_while_b_takes_over)  # A is in the middle of file 2
    runs.run_execute(run_id=run.pk)  # worker A, attempt 1, then B inside it

    run.refresh_from_db()
    assert (run.status, run.attempt, run.failure) == (RunStatus.SUCCEEDED, 2, "")
    names = [file_name(export, s, run.snapshot["stamp"], True) for s in (first, second)]
    assert ours(upload, export) == sorted(names)
    assert (run.files, run.rows) == (2, 65_000)
    assert run.bytes == sum((upload / name).stat().st_size for name in names)
    for name, segment in zip(names, (first, second), strict=True):
        rows = parse((upload / name).read_bytes(), gzipped=True, delimiter=",")
        assert len(rows) - 1 == segment.member_count
