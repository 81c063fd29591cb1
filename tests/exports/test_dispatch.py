"""The dispatcher: scheduled exports queued once per slot, missed slots once, never an
inactive export; "With every system refresh" exports on a refresh; next run on the page.

The two-dispatchers race runs on PostgreSQL only (tests/with_postgres.py)."""

import re
import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection as db
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from connections_admin.accounts.roles import Role
from connections_admin.core import schedules
from connections_admin.customers.services import system_refresh
from connections_admin.exports import dispatch, tasks
from connections_admin.exports.models import Export, ExportRun, RunTrigger, Schedule
from tests.factories import ConnectionFactory, ExportFactory

pytestmark = pytest.mark.django_db
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def local(zone, *args):
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def scheduled(created=LONG_AGO, **values):
    """An export made (and last saved) at ``created`` (long ago: its slots since then are
    due)."""
    export = ExportFactory(**values)
    Export.objects.filter(pk=export.pk).update(created_at=created, updated_at=created)
    export.refresh_from_db()
    return export


def dispatch_at(moment):
    """One dispatcher pass at ``moment``, queued a few seconds into it; its tasks enqueued."""
    return dispatch.dispatch_due(moment, now=moment + timedelta(seconds=3))


def every(start, end, step=timedelta(minutes=5)):
    moment = start
    while moment <= end:
        yield moment
        moment += step


def slots(export):
    return list(export.runs.order_by("slot").values_list("slot", flat=True))


def test_a_due_export_is_queued_once_and_enqueued(django_capture_on_commit_callbacks):
    export = scheduled(schedule=Schedule.DAILY, schedule_time=time(6, 0))
    with django_capture_on_commit_callbacks(execute=True):
        queued = dispatch_at(utc(2026, 3, 10, 6, 0))
    run = ExportRun.objects.get()
    assert queued == [run.pk]
    assert (run.export, run.slot, run.trigger) == (export, utc(2026, 3, 10, 6), "schedule")
    assert run.snapshot == {"export_name": export.name} and run.status == "queued"
    export.refresh_from_db()
    assert export.last_run == run and export.last_run_at == utc(2026, 3, 10, 6, 0, 3)
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("run_export") and task.args_kwargs["args"] == [run.pk]
    # The same slot again (the next minute, or another dispatcher): nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_at(utc(2026, 3, 10, 6, 1)) == []
        assert dispatch.dispatch_due(utc(2026, 3, 10, 6, 0), now=utc(2026, 3, 10, 5)) == []
    assert ExportRun.objects.count() == 1 and DBTaskResult.objects.count() == 1


def test_a_daily_export_runs_once_a_day_at_its_time():
    export = scheduled(utc(2026, 3, 9, 12), schedule=Schedule.DAILY, schedule_time=time(6, 0))
    for moment in every(utc(2026, 3, 10, 0, 0), utc(2026, 3, 12, 23, 55)):
        dispatch_at(moment)
    assert slots(export) == [utc(2026, 3, 10, 6), utc(2026, 3, 11, 6), utc(2026, 3, 12, 6)]


@pytest.mark.parametrize(
    ("zone", "day", "slot"),
    [
        # 02:30 does not exist: it runs at 03:30 CEST (the gap's length later).
        ("Europe/Berlin", (2026, 3, 29), utc(2026, 3, 29, 1, 30)),
        # 02:30 happens twice: it runs at the first, 02:30 CEST.
        ("Europe/Berlin", (2026, 10, 25), utc(2026, 10, 25, 0, 30)),
        ("America/New_York", (2026, 3, 8), utc(2026, 3, 8, 7, 30)),  # 03:30 EDT
        # New York goes back from 02:00 EDT to 01:00 EST: 02:30 happens once, in EST.
        ("America/New_York", (2026, 11, 1), utc(2026, 11, 1, 7, 30)),
    ],
)
def test_a_daily_0230_runs_exactly_once_on_a_dst_change_day(zone, day, slot):
    with override_settings(TIME_ZONE=zone):
        start = local(zone, *day, 0, 0)
        export = scheduled(start, schedule=Schedule.DAILY, schedule_time=time(2, 30))
        end = local(zone, *day, 23, 59)
        for moment in every(start, end, timedelta(minutes=5)):
            dispatch_at(moment)
    assert slots(export) == [slot]


@override_settings(TIME_ZONE="America/New_York")
def test_a_time_that_happens_twice_runs_at_its_first_occurrence():
    start = local("America/New_York", 2026, 11, 1, 0, 0)
    export = scheduled(start, schedule=Schedule.DAILY, schedule_time=time(1, 30))
    for moment in every(start, start + timedelta(hours=24)):
        dispatch_at(moment)
    assert slots(export) == [utc(2026, 11, 1, 5, 30)]  # 01:30 EDT, not 01:30 EST


@override_settings(TIME_ZONE="Europe/Berlin")
def test_hourly_runs_every_hour_across_both_dst_changes():
    export = scheduled(schedule=Schedule.HOURLY)
    for day, hours in [((2026, 3, 29), 23), ((2026, 10, 25), 25)]:
        start, end = local("Europe/Berlin", *day, 0, 0), local("Europe/Berlin", *day, 23, 59)
        for moment in every(start, end):
            dispatch_at(moment)
        ran = [slot for slot in slots(export) if start <= slot <= end]
        assert len(ran) == hours
        assert all(b - a == timedelta(hours=1) for a, b in zip(ran, ran[1:], strict=False))


def test_weekly_runs_on_its_day_at_its_time():
    export = scheduled(
        utc(2026, 11, 30), schedule=Schedule.WEEKLY, schedule_weekday=2, schedule_time=time(9, 15)
    )
    for moment in every(utc(2026, 11, 30, 0, 0), utc(2026, 12, 13, 23, 45), timedelta(minutes=15)):
        dispatch_at(moment)
    assert slots(export) == [utc(2026, 12, 2, 9, 15), utc(2026, 12, 9, 9, 15)]  # Wednesdays


def test_after_downtime_only_the_latest_missed_slot_runs_once():
    made = utc(2026, 3, 10, 4, 30)
    hourly = scheduled(made, schedule=Schedule.HOURLY)
    daily = scheduled(made, schedule=Schedule.DAILY, schedule_time=time(6, 0))
    dispatch_at(utc(2026, 3, 10, 5, 0))
    # The dispatcher is down from 05:01 to 13:20: the 06:00 to 13:00 slots are missed.
    assert dispatch_at(utc(2026, 3, 10, 13, 20))
    for moment in every(utc(2026, 3, 10, 13, 21), utc(2026, 3, 10, 14, 30), timedelta(minutes=1)):
        dispatch_at(moment)
    assert slots(hourly) == [utc(2026, 3, 10, 5), utc(2026, 3, 10, 13), utc(2026, 3, 10, 14)]
    assert slots(daily) == [utc(2026, 3, 10, 6)]  # once, at 13:20
    assert daily.runs.get().queued_at == utc(2026, 3, 10, 13, 20, 3)


def test_a_slot_before_the_export_was_made_does_not_run():
    export = ExportFactory(schedule=Schedule.DAILY, schedule_time=time(6, 0))
    made = utc(2026, 3, 10, 6, 0, 30)
    Export.objects.filter(pk=export.pk).update(created_at=made, updated_at=made)
    dispatch_at(utc(2026, 3, 10, 6, 1))
    assert not ExportRun.objects.exists()
    dispatch_at(utc(2026, 3, 11, 6, 0))
    assert slots(export) == [utc(2026, 3, 11, 6)]


def test_moving_the_time_does_not_replay_a_slot_of_the_new_time():
    export = scheduled(schedule=Schedule.DAILY, schedule_time=time(6, 0))
    dispatch_at(utc(2026, 3, 10, 6, 0))
    Export.objects.filter(pk=export.pk).update(schedule_time=time(5, 0))  # at 06:30
    dispatch_at(utc(2026, 3, 10, 6, 31))  # 05:00 today is past, but it ran today
    Export.objects.filter(pk=export.pk).update(schedule_time=time(7, 0))
    dispatch_at(utc(2026, 3, 10, 6, 32))  # 07:00 yesterday: before today's run
    dispatch_at(utc(2026, 3, 10, 7, 0))
    assert slots(export) == [utc(2026, 3, 10, 6), utc(2026, 3, 10, 7)]


def test_never_an_inactive_export_one_without_delivery_or_a_refresh_export():
    scheduled(schedule=Schedule.HOURLY, connection=None)
    scheduled(
        schedule=Schedule.HOURLY,
        connection=ConnectionFactory(
            type_key="marketo",
            values={"client_id": "c", "client_secret": "s", "rest_hostname": "a.mktorest.com"},
        ),
    )
    scheduled(schedule=Schedule.WITH_REFRESH)
    for moment in every(utc(2026, 3, 10, 0, 0), utc(2026, 3, 10, 3, 0)):
        assert dispatch_at(moment) == []
    assert not ExportRun.objects.exists()


def test_an_export_disconnected_while_dispatching_gets_no_run():
    export = scheduled(schedule=Schedule.HOURLY)
    due = dispatch.due_runs(utc(2026, 3, 10, 6, 0))
    assert [pk for pk, _slot, _name in due] == [export.pk]
    Export.objects.filter(pk=export.pk).update(connection=None)
    queued = dispatch._queue(
        [(pk, slot, {"export_name": name}) for pk, slot, name in due],
        per_row=["export", "slot", "snapshot"],
        trigger=RunTrigger.SCHEDULE,
    )
    assert queued == [] and not ExportRun.objects.exists()


def test_the_dispatcher_is_a_periodic_job_every_minute(django_capture_on_commit_callbacks):
    job = next(job for job in schedules.jobs() if job.name == tasks.DISPATCH)
    assert job.every == timedelta(minutes=1) and job.task is tasks.dispatch_exports
    export = scheduled(schedule=Schedule.HOURLY)
    minute = schedules.slot_at(datetime.now(UTC), job.every)
    with django_capture_on_commit_callbacks(execute=True):
        assert schedules.run(tasks.DISPATCH, minute.isoformat()) is True
    hour = minute.replace(minute=0)
    assert slots(export) == [hour]
    # The job's next minute is chained; the run is enqueued.
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert [path.rsplit(".", 1)[1] for path in paths] == ["dispatch_exports", "run_export"]


def test_a_system_refresh_queues_each_refresh_export_once(django_capture_on_commit_callbacks):
    first = scheduled(schedule=Schedule.WITH_REFRESH)
    second = scheduled(schedule=Schedule.WITH_REFRESH)
    scheduled(schedule=Schedule.WITH_REFRESH, connection=None)
    scheduled(schedule=Schedule.DAILY, schedule_time=time(6, 0))
    scheduled(
        schedule=Schedule.WITH_REFRESH,
        connection=ConnectionFactory(
            type_key="marketo",
            values={"client_id": "c", "client_secret": "s", "rest_hostname": "a.mktorest.com"},
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        system_refresh(source="test")
    runs = ExportRun.objects.order_by("export_id")
    assert [(run.export, run.trigger, run.slot) for run in runs] == [
        (first, RunTrigger.REFRESH, None),
        (second, RunTrigger.REFRESH, None),
    ]
    assert DBTaskResult.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        call_command("system_refresh", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert ExportRun.objects.filter(export=first).count() == 2
    assert DBTaskResult.objects.count() == 4


def _schedule_cell(html, name):
    row = html.split(f'<th scope="row">{name}')[1].split("</tr>")[0]
    cell = re.findall(r"<td>(.*?)</td>", row, re.S)[2]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell))


def test_the_exports_page_shows_each_export_next_run(as_role, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    scheduled(name="Morning", schedule=Schedule.DAILY, schedule_time=time(6, 0))
    scheduled(name="On refresh", schedule=Schedule.WITH_REFRESH, schedule_time=None)
    scheduled(name="Parked", schedule=Schedule.HOURLY, schedule_time=None, connection=None)
    html = as_role(Role.VIEWER).get("/exports/").content.decode()
    now = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin"))
    day = now.date() + timedelta(days=1 if now.time() >= time(6, 0) else 0)
    expected = f"{day.day} {day.strftime('%b')} {day.year}, 06:00"
    assert _schedule_cell(html, "Morning") == f"Daily 06:00 · next {expected}"
    assert _schedule_cell(html, "On refresh") == (
        "With every system refresh · with the next system refresh"
    )
    assert _schedule_cell(html, "Parked") == "Hourly"


def test_the_next_run_costs_no_query_per_row(as_role):
    client = as_role(Role.CONTRIBUTOR)
    scheduled(schedule=Schedule.HOURLY)
    client.get("/exports/")
    with CaptureQueriesContext(db) as small:
        client.get("/exports/")
    for index in range(30):
        scheduled(schedule=[Schedule.HOURLY, Schedule.WITH_REFRESH][index % 2])
        scheduled(schedule=Schedule.WEEKLY, schedule_weekday=index % 7, schedule_time=time(5))
    with CaptureQueriesContext(db) as large:
        html = client.get("/exports/").content.decode()
    assert html.count("· next ") >= 30
    assert len(small.captured_queries) == len(large.captured_queries)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(db.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers")
def test_two_dispatchers_at_once_queue_each_slot_exactly_once():
    connection = ConnectionFactory()
    exports = [scheduled(schedule=Schedule.HOURLY, connection=connection) for _ in range(300)]
    moment = utc(2026, 3, 10, 6, 0)
    start = threading.Barrier(2)
    outcomes = [{}, {}]

    def dispatcher(outcome):
        try:
            start.wait(timeout=10)
            outcome["queued"] = dispatch_at(moment)
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcome["error"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher, args=(out,)) for out in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [out.get("error") for out in outcomes] == [None, None]
    first, second = outcomes[0]["queued"], outcomes[1]["queued"]
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(ExportRun.objects.values_list("pk", flat=True))
    assert ExportRun.objects.count() == len(exports)
    assert set(ExportRun.objects.values_list("export_id", "slot")) == {
        (export.pk, moment) for export in exports
    }
    # Each dispatcher enqueued only the runs it inserted: one task per run.
    assert sorted(
        task.args_kwargs["args"][0]
        for task in DBTaskResult.objects.filter(task_path__endswith="run_export")
    ) == sorted(first + second)


def test_reattaching_an_export_does_not_run_the_slot_it_missed_while_inactive():
    from connections_admin.exports.services import export_save

    export = scheduled(schedule=Schedule.DAILY, schedule_time=time(6, 0))
    connection = export.connection
    export.connection = None
    export.save()
    Export.objects.filter(pk=export.pk).update(updated_at=utc(2026, 3, 9, 12))
    export.refresh_from_db()
    dispatch_at(utc(2026, 3, 10, 6, 1))  # inactive: nothing
    assert not ExportRun.objects.exists()
    export.connection = connection
    export_save(export=export, segments=[])
    Export.objects.filter(pk=export.pk).update(updated_at=utc(2026, 3, 10, 9))
    dispatch_at(utc(2026, 3, 10, 9, 1))  # reattached after the 06:00 slot: not run now
    assert not ExportRun.objects.exists()
    dispatch_at(utc(2026, 3, 11, 6, 0))
    assert slots(export) == [utc(2026, 3, 11, 6)]
