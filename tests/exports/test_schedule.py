"""Slots of scheduled exports (schedule.py): pure functions, in TIME_ZONE, across DST."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from connections_admin.exports.schedule import latest_slot_at_or_before, next_slot

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def daily(at):
    return {"schedule": "daily", "schedule_time": at}


HOURLY = {"schedule": "hourly"}


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("Europe/Berlin", date(2026, 3, 29), utc(2026, 3, 29, 1, 30)),  # gap: 03:30 CEST
        ("Europe/Berlin", date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),  # twice: first, CEST
        ("Europe/Berlin", date(2026, 6, 1), utc(2026, 6, 1, 0, 30)),
        ("America/New_York", date(2026, 3, 8), utc(2026, 3, 8, 7, 30)),  # gap: 03:30 EDT
        ("America/New_York", date(2026, 11, 1), utc(2026, 11, 1, 7, 30)),  # once, EST
    ],
)
def test_daily_0230_on_dst_change_days(zone, day, expected):
    with override_settings(TIME_ZONE=zone):
        midnight = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))
        assert next_slot(daily(time(2, 30)), midnight) == expected
        assert next_slot(daily(time(2, 30)), expected) == next_slot(
            daily(time(2, 30)), midnight + timedelta(days=1)
        )
        assert latest_slot_at_or_before(daily(time(2, 30)), expected) == expected


def test_a_time_that_happens_twice_runs_at_its_first_occurrence():
    # New York, 1 Nov 2026: 01:30 EDT (05:30 UTC), then 01:30 EST (06:30 UTC).
    fields = daily(time(1, 30))
    assert next_slot(fields, utc(2026, 11, 1, 0), tz_name="America/New_York") == utc(
        2026, 11, 1, 5, 30
    )
    assert next_slot(fields, utc(2026, 11, 1, 5, 30), tz_name="America/New_York") == utc(
        2026, 11, 2, 6, 30
    )


def test_lord_howe_shifts_a_time_in_its_30_minute_gap_by_30_minutes():
    # 4 Oct 2026, 02:00 +10:30 becomes 02:30 +11: 02:15 runs at 02:45 +11 (15:45 UTC).
    slot = next_slot(daily(time(2, 15)), utc(2026, 10, 3, 12), tz_name="Australia/Lord_Howe")
    assert slot == utc(2026, 10, 3, 15, 45)
    assert slot.astimezone(ZoneInfo("Australia/Lord_Howe")).time() == time(2, 45)


def test_hourly_is_every_full_hour_of_the_local_clock():
    assert next_slot(HOURLY, utc(2026, 3, 10, 6, 0)) == utc(2026, 3, 10, 7, 0)
    assert latest_slot_at_or_before(HOURLY, utc(2026, 3, 10, 6, 59)) == utc(2026, 3, 10, 6)
    # Berlin going back: 02:00 CEST and 02:00 CET are both full hours, an hour apart.
    assert next_slot(HOURLY, utc(2026, 10, 25, 0, 0), tz_name="Europe/Berlin") == utc(
        2026, 10, 25, 1, 0
    )
    # Kolkata is UTC+05:30: its full hours are at half past in UTC.
    assert next_slot(HOURLY, utc(2026, 3, 10, 6, 0), tz_name="Asia/Kolkata") == utc(
        2026, 3, 10, 6, 30
    )


def test_weekly_on_its_day_at_its_time_in_the_console_zone():
    fields = SimpleNamespace(schedule="weekly", schedule_time=time(9, 15), schedule_weekday=0)
    with override_settings(TIME_ZONE="Europe/Berlin"):
        # Monday 30 Nov 2026, 09:15 CET = 08:15 UTC.
        assert next_slot(fields, utc(2026, 11, 28)) == utc(2026, 11, 30, 8, 15)
        assert next_slot(fields, utc(2026, 11, 30, 8, 15)) == utc(2026, 12, 7, 8, 15)
        assert latest_slot_at_or_before(fields, utc(2026, 12, 7, 8, 14)) == utc(2026, 11, 30, 8, 15)


def test_refresh_and_incomplete_schedules_have_no_slots():
    moment = utc(2026, 3, 10)
    for fields in [
        {"schedule": "refresh", "schedule_time": time(6)},
        {"schedule": "daily", "schedule_time": None},
        {"schedule": "weekly", "schedule_time": time(6), "schedule_weekday": None},
    ]:
        assert next_slot(fields, moment) is None
        assert latest_slot_at_or_before(fields, moment) is None


moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)
)
times = st.times().map(lambda at: at.replace(second=0, microsecond=0))
kinds = st.one_of(
    st.just(HOURLY),
    times.map(daily),
    st.tuples(times, st.integers(0, 6)).map(
        lambda pair: {"schedule": "weekly", "schedule_time": pair[0], "schedule_weekday": pair[1]}
    ),
)


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES), fields=kinds, moment=moments)
def test_slots_strictly_increase_and_agree_both_ways(zone, fields, moment):
    previous = latest_slot_at_or_before(fields, moment, tz_name=zone)
    following = next_slot(fields, moment, tz_name=zone)
    assert previous <= moment < following
    assert next_slot(fields, previous, tz_name=zone) == following
    just_before = following - timedelta(microseconds=1)
    assert latest_slot_at_or_before(fields, just_before, tz_name=zone) == previous
    assert latest_slot_at_or_before(fields, following, tz_name=zone) == following
    assert following < next_slot(fields, following, tz_name=zone)
    assert following.tzinfo is UTC
    local = following.astimezone(ZoneInfo(zone))
    if fields["schedule"] == "hourly":
        assert (local.minute, local.second) == (0, 0)
    if fields["schedule"] == "weekly":
        assert local.weekday() == fields["schedule_weekday"]


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    at=times,
    year=st.integers(1995, 2037),
)
def test_each_local_day_of_a_year_has_exactly_one_daily_slot(zone, at, year):
    tz = ZoneInfo(zone)
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    slot, days = next_slot(daily(at), start, tz_name=zone), []
    while slot < end:
        days.append(slot.astimezone(tz).date())
        following = next_slot(daily(at), slot, tz_name=zone)
        assert following > slot
        slot = following
    every_day = [
        date(year, 1, 1) + timedelta(days=n) for n in range((end.date() - start.date()).days)
    ]
    if at == time(0, 0):  # the slot at local midnight is itself the start
        every_day = every_day[1:]
    assert days == every_day


@settings(max_examples=8, deadline=None)
@given(zone=st.sampled_from(ZONES), year=st.integers(1995, 2037))
def test_hourly_slots_are_the_local_clock_full_hours(zone, year):
    tz = ZoneInfo(zone)
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    count = 0
    while moment < end:
        slot = next_slot(HOURLY, moment, tz_name=zone)
        local = slot.astimezone(tz)
        assert (local.minute, local.second) == (0, 0) and slot > moment
        assert slot - moment <= timedelta(minutes=90)
        moment, count = slot, count + 1
    hours = (end - datetime(year, 1, 1, tzinfo=UTC)) // timedelta(hours=1)
    # Lord Howe's clock skips 02:00-02:30 in spring and never reads 02:00 that day.
    assert count == hours - (zone == "Australia/Lord_Howe")
