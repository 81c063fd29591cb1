from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from connections_admin.connection_types.base import ConnectionType, Usage
from connections_admin.connection_types.registry import UnknownConnectionType, registry

# What a page that names a connection never loads: its settings and its secrets.
PRIVATE_COLUMNS = ("settings", "secrets_encrypted", "secret_names")


def private_columns(relation: str) -> list[str]:
    """The private columns of the connection reached through ``relation``, for ``defer()``."""
    return [f"{relation}__{column}" for column in PRIVATE_COLUMNS]


class Health(models.TextChoices):
    """What the last finished check of a connection said (the Status column)."""

    UNVERIFIED = "unverified", _("Not verified")
    VERIFIED = "verified", _("Verified")
    FAILING = "failing", _("Failing")


class Connection(models.Model):
    """Stored credentials plus settings for one outside service.

    Secret values live only in ``secrets_encrypted`` (one Fernet token);
    ``secret_names`` records which secrets are set, so pages can say "a value is
    set" without decrypting anything.
    """

    display_name = models.CharField(_("display name"), max_length=100)
    type_key = models.CharField(_("type"), max_length=64, db_index=True)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    secrets_encrypted = models.TextField(editable=False, blank=True, default="")
    secret_names = models.JSONField(default=list, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    # Kept by the checks (verify.py): the Connections tab shows and sorts by them.
    health = models.CharField(
        _("status"), max_length=16, choices=Health.choices, default=Health.UNVERIFIED
    )
    health_since = models.DateTimeField(null=True, blank=True)  # verified at / failing since
    checked_at = models.DateTimeField(null=True, blank=True)  # the last finished check
    # The SSH host key accepted for this connection (the first one a check met, or one an
    # admin accepted after it changed), as OpenSSH prints it: "SHA256:...".
    host_key = models.CharField(max_length=100, blank=True, default="")

    consent_given_at = models.DateTimeField(null=True)
    consent_given_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("display_name"),
                name="connection_display_name_unique_ci",
                violation_error_message=_("A connection with this display name already exists."),
            )
        ]
        permissions = [("use_connection", _("Can use the connection for exports"))]
        indexes = [
            # The Connections tab filtered or sorted by status.
            models.Index(fields=["health", "health_since", "id"], name="connection_health_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def connection_type(self) -> type[ConnectionType] | None:
        """The type from the catalog, or None if its package is no longer installed."""
        try:
            return registry.get(self.type_key)
        except UnknownConnectionType:
            return None

    @property
    def type_name(self) -> str:
        connection_type = self.connection_type
        return str(connection_type.name) if connection_type else self.type_key

    def is_for(self, usage: Usage) -> bool:
        connection_type = self.connection_type
        return bool(connection_type and connection_type.is_for(usage))


class CheckStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    PASSED = "passed", _("Verified")
    FAILED = "failed", _("Failed")


ACTIVE_CHECK = Q(status__in=[CheckStatus.QUEUED, CheckStatus.RUNNING])


class ConnectionCheck(models.Model):
    """One Verify of a connection against its service: asked for by an admin or by the
    daily schedule, run by a background task. Holds the outcome's category, never the
    service's own words, a secret or a host name."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="checks", db_index=False
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled = models.BooleanField(default=False)  # asked for by the daily schedule
    status = models.CharField(max_length=16, choices=CheckStatus.choices, default="queued")
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    failure = models.CharField(max_length=32, blank=True, default="")  # outbound.Failure
    http_status = models.PositiveSmallIntegerField(null=True)
    host_key = models.CharField(max_length=100, blank=True, default="")  # the key it met

    class Meta:
        constraints = [
            # Never two checks of one connection at once.
            models.UniqueConstraint(
                fields=["connection"], condition=ACTIVE_CHECK, name="one_active_check"
            ),
        ]
        indexes = [
            models.Index(fields=["connection", "-requested_at"], name="check_connection_idx"),
            models.Index(fields=["requested_by", "-requested_at"], name="check_requester_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id}: {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (CheckStatus.QUEUED, CheckStatus.RUNNING)


class ConnectionUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Connection, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class ConnectionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Connection, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class UseCount(models.Model):
    """How many things of one dependant kind use a connection, for the Connections tab.

    Written only by database triggers that each counted kind's app installs
    (``use_counts.py``): every insert, delete or change of connection of a counted row
    adjusts its connection's count in the same statement, whatever code (or SQL) made it.
    So sorting 10,000 connections by their exports reads one column instead of counting
    50,000 exports. A connection without a row for a kind counts 0. Django code never
    saves these rows (``manage.py recount_use_counts`` repairs them).
    """

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="use_counts", db_index=False
    )
    kind = models.CharField(max_length=32)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index that the Connections tab joins through.
            models.UniqueConstraint(fields=["connection", "kind"], name="use_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id}: {self.n} {self.kind}"
