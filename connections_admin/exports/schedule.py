"""When scheduled exports run: their slots, in the console's time zone (``TIME_ZONE``).

Pure functions, no database. A *slot* is the aware UTC instant a scheduled run is for;
the dispatcher (dispatch.py) queues one run per export and slot.

- Hourly: every instant at which the local clock shows a full hour (hh:00). In zones
  whose offsets are whole hours that is every elapsed hour, across DST changes too: the
  hour repeated when clocks go back runs twice, one hour apart (it *is* two hours), and
  the hour skipped when they go forward does not exist, so nothing is missed. Where the
  change is 30 minutes (Australia/Lord_Howe) the two runs around it are 90 minutes apart.
- Daily: at ``schedule_time`` local time, once every local day.
- Weekly: on ``schedule_weekday`` (0 = Monday) at ``schedule_time`` local time.
- "With every system refresh" exports have no slots.

DST rule for daily and weekly, exactly: the wall-clock time is read with the UTC offset in
force just before the change (``fold=0``, PEP 495), so

- a time that does not exist (the spring gap) runs once, shifted later by the length of
  the gap: 02:30 in Europe/Berlin on the last Sunday of March runs at 03:30 CEST
  (01:30 UTC); 02:15 on Lord Howe's spring day runs at 02:45;
- a time that occurs twice (clocks go back) runs once, at its first occurrence: 02:30 in
  Europe/Berlin on the last Sunday of October runs at 02:30 CEST (00:30 UTC).

So a daily export runs exactly once on every local day, change days included.
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

HOURLY = "hourly"
DAILY = "daily"
WEEKLY = "weekly"
TIMED = (HOURLY, DAILY, WEEKLY)


def zone(name: str | None = None) -> ZoneInfo:
    """The console's time zone (``settings.TIME_ZONE``, read at each call)."""
    return ZoneInfo(name or settings.TIME_ZONE)


def _fields(export_or_fields) -> tuple[str, time | None, int | None]:
    if isinstance(export_or_fields, Mapping):
        get = export_or_fields.get
    else:

        def get(name):
            return getattr(export_or_fields, name, None)

    return get("schedule"), get("schedule_time"), get("schedule_weekday")


def local_slot(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of local ``day`` at ``at`` by the DST rule above (fold=0)."""
    return datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz).astimezone(UTC)


def _real(wall: datetime, fold: int, tz: ZoneInfo) -> datetime | None:
    """The UTC instant at which the local clock reads ``wall`` (naive) with this fold, or
    None if the clock never reads it (a gap)."""
    instant = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        return None
    return instant


def _hourly_candidates(moment: datetime, tz: ZoneInfo, hours: range) -> set[datetime]:
    """Full-hour readings of the local clock around ``moment``, ``hours`` from its hour."""
    here = moment.astimezone(tz).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    found = set()
    for offset in hours:
        wall = here + timedelta(hours=offset)
        for fold in (0, 1):
            instant = _real(wall, fold, tz)
            if instant is not None:
                found.add(instant)
    return found


def _daily_candidates(
    moment: datetime, at: time, weekday: int | None, tz: ZoneInfo, days: range
) -> set[datetime]:
    today = moment.astimezone(tz).date()
    found = set()
    for offset in days:
        day = today + timedelta(days=offset)
        if weekday is None or day.weekday() == weekday:
            found.add(local_slot(day, at, tz))
    return found


def _candidates(export_or_fields, moment: datetime, tz: ZoneInfo, back: bool) -> set[datetime]:
    schedule, at, weekday = _fields(export_or_fields)
    if schedule == HOURLY:
        # A clock going back can read a later full hour before ``moment``: look around.
        return _hourly_candidates(moment, tz, range(-3, 3) if back else range(-2, 4))
    if schedule == DAILY and at is not None:
        return _daily_candidates(moment, at, None, tz, range(-3, 3) if back else range(-2, 4))
    if schedule == WEEKLY and at is not None and weekday is not None:
        return _daily_candidates(moment, at, weekday, tz, range(-9, 3) if back else range(-2, 10))
    return set()


def latest_slot_at_or_before(
    export_or_fields, moment: datetime, *, tz_name: str | None = None
) -> datetime | None:
    """The export's last slot at or before ``moment`` (aware), in UTC; None for exports
    without slots (refresh) or an incomplete schedule."""
    found = [
        slot
        for slot in _candidates(export_or_fields, moment, zone(tz_name), back=True)
        if slot <= moment
    ]
    return max(found) if found else None


def next_slot(export_or_fields, after: datetime, *, tz_name: str | None = None) -> datetime | None:
    """The export's first slot strictly after ``after`` (aware), in UTC; None for exports
    without slots."""
    found = [
        slot
        for slot in _candidates(export_or_fields, after, zone(tz_name), back=False)
        if slot > after
    ]
    return min(found) if found else None
