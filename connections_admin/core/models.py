from django.conf import settings
from django.db import models


class Stamped(models.Model):
    """When a row was made and by whom, and when it last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ScheduleSlot(models.Model):
    """One run of a periodic job (``core/schedules.py``): the unique (job, slot) pair is
    what makes a slot run once however many dispatchers and workers there are."""

    job = models.CharField(max_length=64)
    slot = models.DateTimeField()
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="schedule_slot_once")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot.isoformat()}"
