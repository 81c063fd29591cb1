from django.db import models
from django.db.models.functions import Lower
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
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)

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
