"""Export runs: queue, run, retry, cancel, take over, history; against an in-memory
destination (the real SFTP and Azure deliveries are tested in tests/connection_types and
end to end in test_runs_delivery.py)."""

import csv
import gzip
import io
from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from connections_admin.accounts.roles import Role
from connections_admin.audit.models import Action, AuditEntry
from connections_admin.connection_types.builtin import Sftp
from connections_admin.connections.models import Health
from connections_admin.customers.models import Customer, Membership
from connections_admin.exports import runs
from connections_admin.exports.models import Export, ExportRun, RunStatus
from connections_admin.outbound.failures import CheckFailed, Failure
from tests.factories import ConnectionFactory, ExportFactory, SegmentFactory

pytestmark = pytest.mark.django_db
FIELDS = ["customer_id", "email", "lifetime_value"]


class MemoryDestination:
    """A destination that keeps published files in a dict; can fail on cue."""

    describe = "in memory, for the tests"

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.failures: list[CheckFailed] = []
        self.discarded: list[str] = []
        self.after_chunk = None

    def open(self, context):
        self.context = context
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass

    def exists(self, name):
        return name in self.files

    def discard_partials(self, prefix):
        self.discarded.append(prefix)
        return 0

    def publish(self, name, chunks):
        if self.failures:
            raise self.failures.pop(0)
        data = bytearray()
        for chunk in chunks:
            data.extend(chunk)
            if self.after_chunk:
                self.after_chunk()
        self.files[name] = bytes(data)
        return len(data)


@pytest.fixture
def destination(monkeypatch):
    memory = MemoryDestination()
    monkeypatch.setattr(Sftp, "delivery", memory, raising=False)
    return memory


def customers_in(segment, count, start=0):
    made = Customer.objects.bulk_create(
        Customer(
            customer_id=f"C{start + n:05d}",
            email=f"c{start + n}@example.com",
            lifetime_value="12.50",
        )
        for n in range(count)
    )
    Membership.objects.bulk_create(Membership(segment=segment, customer=c) for c in made)
    return made


@pytest.fixture
def export(admin_user):
    churn, gold = SegmentFactory(name="Churn risk"), SegmentFactory(name="Gold tier")
    customers_in(churn, 7)
    customers_in(gold, 3, start=100)
    connection = ConnectionFactory(
        values={
            "hostname": "sftp.example.com",
            "port": 22,
            "username": "u",
            "password": "pw-1",
            "export_folder": "out",
            "compression": "gzipped",
            "field_delimiter": "semicolon",
        }
    )
    export = ExportFactory(name="Weekly Churn", connection=connection, fields=FIELDS)
    export.segments.set([churn, gold])
    return export


def work():
    """Run the due queued tasks, as a db_worker does."""
    for queued in DBTaskResult.objects.ready():
        arguments = queued.task_result
        queued.task.call(*arguments.args, **arguments.kwargs)
        DBTaskResult.objects.filter(pk=queued.pk).delete()


def queue(export, user=None):
    return runs.run_request(export=export, user=user)


def test_a_run_sends_one_csv_file_per_segment(
    export, destination, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = queue(export, admin_user)
    work()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert (run.rows, run.files, run.attempt) == (10, 2, 1)
    assert run.bytes == sum(len(data) for data in destination.files.values())
    stamp = run.snapshot["stamp"]
    assert sorted(destination.files) == [
        f"weekly-churn_churn-risk_{stamp}.csv.gz",
        f"weekly-churn_gold-tier_{stamp}.csv.gz",
    ]
    text = gzip.decompress(destination.files[f"weekly-churn_churn-risk_{stamp}.csv.gz"]).decode()
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == FIELDS
    assert rows[1] == ["C00000", "c0@example.com", "12.50"]
    assert len(rows) == 1 + 7
    export.refresh_from_db()
    assert export.last_run_id == run.pk and export.failing_since is None
    (requested,) = AuditEntry.objects.filter(action=Action.EXPORT_RUN_REQUESTED)
    assert requested.described_changes() == [f"On “{export.connection.display_name}”"]
    assert "pw-1" not in str(run.snapshot)


def test_the_snapshot_is_taken_when_the_run_starts(
    export, destination, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = queue(export)
    export.fields = ["email"]
    export.save()
    work()
    run.refresh_from_db()
    assert run.snapshot["fields"] == ["email"]
    export.fields = ["customer_id"]
    export.save()
    assert ExportRun.objects.get(pk=run.pk).snapshot["fields"] == ["email"]
    assert run.snapshot["connection_name"] == export.connection.display_name


def test_an_inactive_export_never_runs(export):
    export.connection = None
    export.save()
    with pytest.raises(runs.RunNotPossible, match="no connection"):
        queue(export)
    assert not ExportRun.objects.exists()


def test_an_api_destination_says_delivery_is_not_available(admin_client):
    sendgrid = ConnectionFactory(type_key="sendgrid", values={"api_key": "k"})
    export = ExportFactory(connection=sendgrid)
    response = admin_client.post(f"/exports/{export.pk}/run/", follow=True)
    assert "Delivery to SendGrid is not available yet." in response.content.decode()
    assert not ExportRun.objects.exists()
    html = admin_client.get("/exports/").content.decode()
    row = html[html.index(export.name) :].split("</tr>")[0]
    assert "disabled" in row and "Delivery to SendGrid is not available yet." in row


def test_transient_failures_are_retried_then_fail(
    export, destination, django_capture_on_commit_callbacks
):
    destination.failures = [CheckFailed(Failure.TIMED_OUT)] * 3
    with django_capture_on_commit_callbacks(execute=True):
        run = queue(export)
    for attempt in (1, 2, 3):
        with django_capture_on_commit_callbacks(execute=True):
            runs.run_execute(run_id=run.pk)
        run.refresh_from_db()
        assert run.attempt == attempt
    assert run.status == RunStatus.FAILED and run.failure == Failure.TIMED_OUT
    later = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert later.run_after > timezone.now()  # retries wait (backoff)
    export.refresh_from_db()
    assert export.failing_since is None  # a manual run failing does not mark the export


def test_a_retry_succeeds(export, destination, django_capture_on_commit_callbacks):
    destination.failures = [CheckFailed(Failure.SERVICE_ERROR, status=503)]
    with django_capture_on_commit_callbacks(execute=True):
        run = queue(export)
    runs.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.http_status) == (RunStatus.QUEUED, 503)
    runs.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempt, run.files) == (RunStatus.SUCCEEDED, 2, 2)


@pytest.mark.parametrize(
    "failure",
    [Failure.AUTHENTICATION_FAILED, Failure.NO_WRITE_PERMISSION, Failure.HOST_KEY_CHANGED],
)
def test_permanent_failures_fail_at_once(export, destination, failure):
    destination.failures = [CheckFailed(failure)]
    run = queue(export)
    runs.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempt, run.failure) == (RunStatus.FAILED, 1, failure.value)


def test_a_scheduled_failure_marks_the_export_failing_until_a_success(export, destination):
    destination.failures = [CheckFailed(Failure.AUTHENTICATION_FAILED)]
    run = runs.run_request(export=export, trigger="schedule", slot=timezone.now())
    runs.run_execute(run_id=run.pk)
    export.refresh_from_db()
    assert export.failing_since is not None
    runs.run_execute(run_id=queue(export).pk)
    export.refresh_from_db()
    assert export.failing_since is None


def test_a_refused_delivery_shows_on_the_connections_tab_until_one_succeeds(
    export, destination, admin_client, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    admin_user.email = "admin@example.com"
    admin_user.save()

    def status_cell():
        html = admin_client.get("/admin/connections/").content.decode()
        row = html[html.index(export.connection.display_name) :]
        return row[: row.index("</tr>")]

    assert "Failing" not in status_cell()
    for _attempt in range(2):  # two refused runs: Failing once, one e-mail
        destination.failures = [CheckFailed(Failure.AUTHENTICATION_FAILED)]
        with django_capture_on_commit_callbacks(execute=True):
            runs.run_execute(run_id=queue(export).pk)
    assert "Failing" in status_cell()
    assert [m.subject for m in mailoutbox] == [
        f"Connection “{export.connection.display_name}” is failing"
    ]
    assert "A delivery to" in mailoutbox[0].body
    assert str(CheckFailed(Failure.AUTHENTICATION_FAILED).message) in mailoutbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        runs.run_execute(run_id=queue(export).pk)
    export.connection.refresh_from_db()
    assert export.connection.health == Health.VERIFIED
    assert "Failing" not in status_cell() and "Verified" in status_cell()
    assert mailoutbox[-1].subject == f"Connection “{export.connection.display_name}” works again"


def test_a_run_that_broke_on_our_side_says_nothing_about_the_connection(
    export, destination, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(runs, "_file_chunks", broken)
    run = queue(export)
    runs.run_execute(run_id=run.pk)
    run.refresh_from_db()
    export.connection.refresh_from_db()
    assert (run.status, run.failure) == (RunStatus.FAILED, runs.INTERNAL)
    assert export.connection.health == Health.UNVERIFIED


def test_cancel_a_queued_run(export, destination, admin_client):
    run = queue(export)
    response = admin_client.post(f"/exports/{export.pk}/runs/{run.pk}/cancel/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert runs.run_execute(run_id=run.pk) is None  # a worker finds nothing to do
    (cancelled,) = AuditEntry.objects.filter(action=Action.EXPORT_RUN_CANCELLED)
    assert cancelled.described_changes() == [f"On “{export.connection.display_name}”"]


def test_cancel_a_running_run_stops_it_cleanly(export, destination, monkeypatch):
    monkeypatch.setattr(runs, "HEARTBEAT", timedelta(0))
    monkeypatch.setattr("connections_admin.exports.csvfiles._FLUSH_TEXT", 1)
    monkeypatch.setattr("connections_admin.exports.csvfiles.CHUNK", 1)
    monkeypatch.setattr("connections_admin.exports.csvfiles.SLICE_IDS", 1)
    run = queue(export)
    destination.after_chunk = lambda: ExportRun.objects.filter(pk=run.pk).update(
        cancel_requested=True
    )
    runs.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert destination.files == {}


def test_a_run_whose_worker_died_is_taken_over_without_duplicates(
    export, destination, django_capture_on_commit_callbacks
):
    run = queue(export)
    # A first worker claimed it, published the first file, and died (its lease ran out).
    runs._claim(run.pk)
    run.refresh_from_db()
    snapshot = runs._snapshot(run)
    first = f"weekly-churn_churn-risk_{snapshot['stamp']}.csv.gz"
    destination.files[first] = b"published before the worker died"
    ExportRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - timedelta(seconds=1))

    assert runs.run_execute(run_id=run.pk) is not None  # the lease is out: taken over
    run.refresh_from_db()
    assert (run.status, run.attempt) == (RunStatus.SUCCEEDED, 2)
    assert destination.files[first] == b"published before the worker died"  # not sent twice
    assert len(destination.files) == 2


def test_a_running_run_with_a_live_lease_is_not_taken(export, destination):
    run = queue(export)
    runs._claim(run.pk)
    assert runs.run_execute(run_id=run.pk) is None
    assert runs.runs_reap() == 0


def test_the_reaper_requeues_runs_whose_lease_ran_out(export, destination):
    run = queue(export)
    runs._claim(run.pk)
    ExportRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - timedelta(minutes=1))
    DBTaskResult.objects.all().delete()
    assert runs.runs_reap() == 1
    assert DBTaskResult.objects.count() == 1


def test_a_disconnected_export_s_queued_run_is_cancelled(export, destination):
    from connections_admin.exports.services import export_disconnect

    run = queue(export)
    export_disconnect(ids=[export.pk])
    runs.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert runs.failure_message(run) == "The export's connection was detached."


def test_removing_the_export_keeps_its_runs(export, destination):
    from connections_admin.exports.services import export_remove

    run = queue(export)
    runs.run_execute(run_id=run.pk)
    export_remove(export_id=export.pk)
    run.refresh_from_db()
    assert run.export_id is None and run.snapshot["export_name"] == "Weekly Churn"


def test_history_keeps_ninety_days(export, destination):
    old = queue(export)
    ExportRun.objects.filter(pk=old.pk).update(
        status=RunStatus.SUCCEEDED, queued_at=timezone.now() - timedelta(days=91)
    )
    recent = queue(export)
    assert runs.runs_prune() == 1
    assert list(ExportRun.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), (Role.VIEWER, 403), (Role.CONTRIBUTOR, 403), (Role.ADMIN, 302)],
)
def test_who_may_run(as_role, export, destination, role, status):
    response = as_role(role).post(f"/exports/{export.pk}/run/")
    assert response.status_code == status
    assert ExportRun.objects.exists() == (role is Role.ADMIN)


def test_a_contributor_runs_exports_on_shared_connections(as_role, export, destination):
    from connections_admin.connections.sharing import Audience, Sharing, set_sharing

    set_sharing(export.connection, Sharing(Audience.CONTRIBUTORS))
    response = as_role(Role.CONTRIBUTOR).post(f"/exports/{export.pk}/run/")
    assert response.status_code == 302
    assert ExportRun.objects.count() == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.ADMIN])
@pytest.mark.parametrize("method", ["get", "head"])
def test_everyone_signed_in_sees_the_runs_page(as_role, export, role, method):
    response = getattr(as_role(role), method)(f"/exports/{export.pk}/runs/")
    assert response.status_code == 200


def test_the_runs_page_shows_the_history_and_its_query_count_is_constant(
    admin_client, export, destination
):
    run = queue(export)
    runs.run_execute(run_id=run.pk)
    url = f"/exports/{export.pk}/runs/"
    html = admin_client.get(url).content.decode()
    assert "Runs of Weekly Churn" in html and "Succeeded" in html
    assert "Manual, by alice-admin" not in html  # queued without a user here
    with CaptureQueriesContext(db) as few:
        admin_client.get(url)
    for _ in range(30):
        ExportRun.objects.create(
            export=export,
            trigger="schedule",
            status=RunStatus.FAILED,
            failure="timed_out",
            snapshot={"export_name": "x"},
        )
    with CaptureQueriesContext(db) as many:
        html = admin_client.get(url).content.decode()
    assert len(few.captured_queries) == len(many.captured_queries)
    assert html.count("It timed out.") == 30


def test_the_exports_page_shows_the_last_run_and_keeps_its_query_count(
    admin_client, export, destination
):
    with CaptureQueriesContext(db) as before:
        admin_client.get("/exports/")
    for n in range(10):
        other = ExportFactory(connection=export.connection, name=f"Other {n}")
        runs.run_execute(run_id=queue(other).pk)
    with CaptureQueriesContext(db) as after:
        html = admin_client.get("/exports/").content.decode()
    assert len(before.captured_queries) == len(after.captured_queries)
    assert "Succeeded" in html
    assert 'aria-label="Runs of Weekly Churn"' in html or "Runs of Weekly Churn" in html
    assert 'Run<span class="visually-hidden"> Weekly Churn</span>' in html


def test_admins_run_a_selection(admin_client, export, destination):
    sendgrid = ExportFactory(
        connection=ConnectionFactory(type_key="sendgrid", values={"api_key": "k"})
    )
    response = admin_client.post("/exports/run/", {"export": [export.pk, sendgrid.pk]}, follow=True)
    html = response.content.decode()
    assert "1 run was queued." in html
    assert "Delivery to SendGrid is not available yet." in html
    assert ExportRun.objects.count() == 1
    assert Export.objects.get(pk=export.pk).last_run_id is not None


def test_preview_shows_the_files_and_masked_samples_without_saving(admin_client, export):
    from connections_admin.customers.services import segments_recount

    segments_recount()
    Customer.objects.filter(customer_id="C00000").update(phone="+44 20 7946 0958")
    churn = export.segments.get(name="Churn risk")
    data = {
        "connection": export.connection.pk,
        "name": "Brand new export",
        "segments": [churn.pk],
        "fields": ["customer_id", "email", "phone"],
        "schedule": "hourly",
        "preview": "1",
    }
    html = admin_client.post("/exports/new/", data).content.decode()
    assert not Export.objects.filter(name="Brand new export").exists()
    assert "brand-new-export_churn-risk_" in html and ".csv.gz" in html
    assert ">7<" in html  # rows in that segment
    assert "c•••@•••.com" in html and "c0@example.com" not in html
    assert "••••••••••58" in html and "7946" not in html


def test_the_segment_choices_show_their_member_counts(admin_client, export):
    from connections_admin.customers.services import segments_recount

    segments_recount()
    html = admin_client.get("/exports/new/").content.decode()
    assert "Churn risk (7 customers)" in html and "Gold tier (3 customers)" in html


def test_the_connection_s_edit_pane_shows_its_recent_runs(admin_client, export, destination):
    destination.failures = [CheckFailed(Failure.AUTHENTICATION_FAILED)]
    runs.run_execute(run_id=queue(export).pk)
    html = admin_client.get(
        f"/admin/connections/{export.connection.pk}/edit/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Recent activity: Exports" in html
    assert "Weekly Churn" in html and "Authentication failed." in html


def test_a_sixth_segment_is_refused_at_save_for_an_sftp_connection(admin_client, export):
    segments = [SegmentFactory(name=f"Segment {n}") for n in range(6)]
    data = {
        "connection": export.connection.pk,
        "name": "Six files",
        "segments": [s.pk for s in segments],
        "fields": ["email"],
        "schedule": "hourly",
    }
    html = admin_client.post("/exports/new/", data).content.decode()
    assert "SFTP takes at most 5 files per export, one per segment" in html
    assert not Export.objects.filter(name="Six files").exists()
    data["segments"] = data["segments"][:5]
    assert admin_client.post("/exports/new/", data).status_code == 302


def test_a_run_waiting_to_retry_is_cancelled_when_its_export_is_disconnected(export, destination):
    from connections_admin.exports.services import export_disconnect

    destination.failures = [CheckFailed(Failure.TIMED_OUT)]
    run = queue(export)
    runs.run_execute(run_id=run.pk)  # attempt 1 failed, waits to retry
    export_disconnect(ids=[export.pk])
    runs.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and destination.files == {}


def test_the_reaper_gives_a_queued_run_that_lost_its_task_a_new_one(export, destination):
    run = queue(export)
    DBTaskResult.objects.all().delete()  # the process died between its commit and the enqueue
    assert runs.runs_reap() == 0  # a fresh queued run is left alone
    ExportRun.objects.filter(pk=run.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    assert runs.runs_reap() == 1
    work()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
