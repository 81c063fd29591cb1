from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connections_admin.connections.fields import connection_field, connection_name_index
from connections_admin.core.models import Stamped
from connections_admin.segments.models import Segment

# The customer fields an export can send, by key.
CUSTOMER_FIELDS = {
    "customer_id": _("Customer ID"),
    "email": _("E-mail"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "phone": _("Phone"),
    "city": _("City"),
    "country": _("Country"),
    "postal_code": _("Postal code"),
    "loyalty_tier": _("Loyalty tier"),
    "lifetime_value": _("Lifetime value"),
}


class Schedule(models.TextChoices):
    WITH_REFRESH = "refresh", _("With every system refresh")
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Export(Stamped):
    """Sends a payload (segments and their fields) to a connection on a schedule.

    An export without a connection is inactive ("No connection"): it keeps its whole
    configuration and never runs until another connection is attached.
    """

    name = models.CharField(_("export name"), max_length=100)
    connection = connection_field(related_name="exports", verbose_name=_("connection for export"))
    segments = models.ManyToManyField(Segment, related_name="exports", verbose_name=_("segments"))
    fields = models.JSONField(_("fields"), default=list)
    schedule = models.CharField(
        _("schedule"), max_length=16, choices=Schedule.choices, default=Schedule.WITH_REFRESH
    )
    schedule_time = models.TimeField(_("time"), null=True, blank=True)
    schedule_weekday = models.PositiveSmallIntegerField(
        _("day"), choices=Weekday.choices, null=True, blank=True
    )
    # The last run (runs.py keeps these): its time and outcome for the Exports page, and
    # since when its scheduled runs fail.
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_run = models.ForeignKey(
        "ExportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("name"), name="export_name_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(schedule__in=["refresh", "hourly"])
                | models.Q(schedule_time__isnull=False),
                name="export_timed_schedule_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(schedule="weekly") | models.Q(schedule_weekday__isnull=False),
                name="export_weekly_schedule_has_day",
            ),
        ]
        indexes = [
            connection_name_index("export_connection_name_idx"),
            # Sorting the Exports page by last run or by schedule.
            models.Index(fields=["last_run_at", "id"], name="export_last_run_idx"),
            models.Index(fields=["schedule", "schedule_time", "id"], name="export_schedule_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.connection_id is not None

    @property
    def next_run_at(self):
        """When an active hourly, daily or weekly export runs next (schedule.py), or None.
        Computed from the row: no query."""
        if not self.is_active:
            return None
        from .schedule import next_slot

        return next_slot(self, timezone.now())

    @property
    def can_deliver(self) -> bool:
        """Its connection's type has a delivery (files to SFTP or Azure, so far)."""
        connection_type = self.connection.connection_type if self.connection else None
        return getattr(connection_type, "delivery", None) is not None


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_RUN = models.Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])


class RunTrigger(models.TextChoices):
    MANUAL = "manual", _("Manual")
    SCHEDULE = "schedule", _("Schedule")
    REFRESH = "refresh", _("System refresh")


class ExportRun(models.Model):
    """One run of an export: queued by a person, a schedule slot or a system refresh, run
    by a background task (runs.py).

    When it starts it takes a snapshot of what it sends (segments, fields) and where
    (connection id, name and type), so it outlives changes to the export and even the
    export's removal. ``lease_until`` is the worker's heartbeat: a running run whose lease
    ran out is taken over by another worker.
    """

    export = models.ForeignKey(
        Export, null=True, on_delete=models.SET_NULL, related_name="runs", db_index=False
    )
    # Where it sends (the export's connection when it was queued): the connection's Edit
    # pane lists its recent runs. Kept as a plain reference so the run outlives it.
    connection = models.ForeignKey(
        "connections.Connection",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    trigger = models.CharField(max_length=16, choices=RunTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The schedule slot this run is for: one run per export and slot, however many
    # dispatchers there are.
    slot = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveBigIntegerField(default=0)
    bytes = models.PositiveBigIntegerField(default=0)
    files = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=32, blank=True, default="")  # outbound.Failure
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    snapshot = models.JSONField(default=dict)
    lease_until = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["export", "slot"],
                condition=models.Q(slot__isnull=False),
                name="export_run_once_per_slot",
            ),
        ]
        indexes = [
            models.Index(fields=["export", "-queued_at", "-id"], name="run_export_idx"),
            models.Index(fields=["status", "lease_until"], name="run_status_idx"),
            models.Index(fields=["queued_at"], name="run_queued_idx"),
            models.Index(fields=["connection", "-queued_at"], name="run_connection_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot.get('export_name', self.export_id)}: {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def duration_text(self) -> str:
        """ "4.2 s", "3 min 5 s" or "2 h 10 min"."""
        seconds = self.duration.total_seconds() if self.duration else 0
        if seconds < 60:
            return gettext("%(seconds).1f s") % {"seconds": seconds}
        minutes, seconds = divmod(int(seconds), 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
        return gettext("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": seconds}
