from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .changes import describe_all


class ObjectKind(models.TextChoices):
    CONNECTION = "connection", _("Connection")
    EXPORT = "export", _("Export")
    ENRICHMENT = "enrichment", _("Enrichment")


class Action(models.TextChoices):
    CONNECTION_CREATED = "connection_created", _("Connection created")
    CONNECTION_EDITED = "connection_edited", _("Connection edited")
    CONNECTION_SHARING_CHANGED = "connection_sharing_changed", _("Sharing changed")
    CONNECTION_REMOVED = "connection_removed", _("Connection removed")
    CONSENT_GIVEN = "consent_given", _("Consent given")
    CONNECTION_VERIFIED = "connection_verified", _("Connection verified")
    CONNECTION_VERIFY_FAILED = "connection_verify_failed", _("Verify failed")
    HOST_KEY_ACCEPTED = "host_key_accepted", _("New host key accepted")
    EXPORT_CREATED = "export_created", _("Export created")
    EXPORT_EDITED = "export_edited", _("Export edited")
    EXPORT_DISCONNECTED = "export_disconnected", _("Export disconnected")
    EXPORT_REATTACHED = "export_reattached", _("Export reattached")
    EXPORT_REMOVED = "export_removed", _("Export removed")
    EXPORT_MOVED = "export_moved", _("Export moved")
    EXPORT_RUN_REQUESTED = "export_run_requested", _("Export run started")
    EXPORT_RUN_CANCELLED = "export_run_cancelled", _("Export run cancelled")
    ENRICHMENT_CREATED = "enrichment_created", _("Enrichment created")
    ENRICHMENT_EDITED = "enrichment_edited", _("Enrichment edited")
    ENRICHMENT_DEACTIVATED = "enrichment_deactivated", _("Enrichment deactivated")
    ENRICHMENT_ACTIVATED = "enrichment_activated", _("Enrichment activated")
    ENRICHMENT_REMOVED = "enrichment_removed", _("Enrichment removed")
    ENRICHMENT_MOVED = "enrichment_moved", _("Enrichment moved")


class AuditEntry(models.Model):
    """One change: who, when, to what, and what changed.

    The object's name and type are copied, so an entry outlives its object.
    ``changes`` holds records of what changed (``changes.py``: data, said in the
    reader's language when shown), never a secret value; entries written before the
    records hold sentences in their writer's language, shown as they are.
    """

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("who"), max_length=150)
    action = models.CharField(_("change"), max_length=40, choices=Action.choices, db_index=True)
    object_kind = models.CharField(_("object"), max_length=20, choices=ObjectKind.choices)
    object_id = models.BigIntegerField(null=True)
    object_name = models.CharField(_("name"), max_length=200)
    object_type = models.CharField(_("type"), max_length=100, blank=True)
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_kind", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.object_name}"

    def described_changes(self) -> list[str]:
        """What changed, as sentences in the active language."""
        return describe_all(self.changes)
