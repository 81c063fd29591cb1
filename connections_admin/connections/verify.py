"""Verify: check a connection against its real service, in a background task.

An admin's Verify (or the daily schedule) queues a :class:`~.models.ConnectionCheck`;
the task ``tasks.verify_connection`` runs it in a worker through the connection type's
declared check (``connection_types/checks.py``), which reaches the network only through
``connections_admin.outbound``. The web process never opens a connection to a service.

What is kept of a check is its category (``outbound.Failure``) and, for an HTTP answer,
its status: never the service's words, a secret or an address. The connection's
``health`` follows the last finished check; when it starts failing, and when it recovers,
every admin gets one e-mail.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connections_admin.accounts.roles import Role
from connections_admin.audit.models import Action
from connections_admin.audit.services import audit_record
from connections_admin.connection_types.checks import CheckContext
from connections_admin.outbound.failures import CheckFailed, Failure, stored_message
from connections_admin.outbound.net import Deadline

from . import audit_changes
from .crypto import SecretsUnreadable, decrypt_secrets
from .models import ACTIVE_CHECK, CheckStatus, Connection, ConnectionCheck, Health

logger = logging.getLogger(__name__)

# At most this many Verify requests a minute, per admin and per connection.
RATE_LIMIT = 6
RATE_WINDOW = timedelta(minutes=1)
CHECK_DEADLINE_SECONDS = 20
# A failure that is not the service's: the secrets cannot be decrypted, or the check
# itself broke (logged with the exception's type only).
SECRETS_UNREADABLE = "secrets_unreadable"
INTERNAL = "internal"
_OWN_FAILURES = {
    SECRETS_UNREADABLE: gettext_lazy("The stored secrets cannot be read with the configured keys."),
    INTERNAL: gettext_lazy("The check could not be completed."),
}


class VerifyNotAvailable(Exception):
    """The connection's type declares no check (or is no longer installed)."""


class VerifyRateLimited(Exception):
    pass


def can_verify(connection: Connection) -> bool:
    connection_type = connection.connection_type
    return connection_type is not None and connection_type.check is not None


def failure_message(check: ConnectionCheck) -> str:
    """What a failed check says to a user, in the active language."""
    return failure_text(check.failure, check.http_status)


def failure_text(failure: str, http_status: int | None) -> str:
    """What a failure kept as its code (and HTTP status) says, in the active language."""
    return stored_message(failure, http_status, _OWN_FAILURES, INTERNAL)


def _rate_limited(connection: Connection, user) -> bool:
    recent = ConnectionCheck.objects.filter(
        requested_at__gte=timezone.now() - RATE_WINDOW, requested_by__isnull=False
    )
    return (
        recent.filter(requested_by=user).count() >= RATE_LIMIT
        or recent.filter(connection=connection).count() >= RATE_LIMIT
    )


def connection_verify(*, connection: Connection, user, scheduled: bool = False) -> ConnectionCheck:
    """Queue a check of ``connection`` asked for by ``user`` (or by the daily schedule).

    If a check of it is already queued or running, that one is returned: a connection is
    never checked twice at once.
    """
    if not can_verify(connection):
        raise VerifyNotAvailable
    if not scheduled and _rate_limited(connection, user):
        raise VerifyRateLimited
    from .tasks import verify_connection  # the task module imports this one

    try:
        with transaction.atomic():
            check = ConnectionCheck.objects.create(
                connection=connection, requested_by=user, scheduled=scheduled
            )
    except IntegrityError:
        active = ConnectionCheck.objects.filter(ACTIVE_CHECK, connection=connection).first()
        if active is None:  # it finished in between: ask again
            return connection_verify(connection=connection, user=user, scheduled=scheduled)
        return active
    transaction.on_commit(lambda: verify_connection.enqueue(check.pk))
    return check


def latest_checks(connection: Connection, limit: int = 10) -> list[ConnectionCheck]:
    """The last ``limit`` checks, newest first, each with ``message`` when it failed."""
    checks = list(
        ConnectionCheck.objects.filter(connection=connection)
        .select_related("requested_by")
        .order_by("-requested_at", "-pk")[:limit]
    )
    for check in checks:
        check.message = failure_message(check) if check.status == CheckStatus.FAILED else ""
    return checks


def new_host_key(connection: Connection, checks: list[ConnectionCheck]) -> str:
    """The host key an admin may accept: the one the last finished check met, if that
    check failed because the key changed."""
    finished = [check for check in checks if check.finished_at is not None]
    last = finished[0] if finished else None
    if last and last.failure == Failure.HOST_KEY_CHANGED and last.host_key != connection.host_key:
        return last.host_key
    return ""


def _run(connection: Connection) -> tuple[str, int | None, str]:
    """(failure, http status, host key met) of one check; failure "" when it passed."""
    connection_type = connection.connection_type
    if connection_type is None or connection_type.check is None:
        return INTERNAL, None, ""
    try:
        context = CheckContext(
            settings=dict(connection.settings),
            secrets=decrypt_secrets(connection.secrets_encrypted),
            deadline=Deadline(CHECK_DEADLINE_SECONDS),
            known_host_key=connection.host_key,
        )
        result = connection_type.check.run(context)
    except CheckFailed as failed:
        return failed.failure.value, failed.status, getattr(failed, "host_key", "") or ""
    except SecretsUnreadable:
        return SECRETS_UNREADABLE, None, ""
    except Exception as error:  # noqa: BLE001 - any bug in a check is a failed check
        # The type's name only: an exception's text may carry a host, a path or a secret.
        logger.error("Check of connection %s broke: %s", connection.pk, type(error).__name__)
        return INTERNAL, None, ""
    return "", None, result.host_key


def check_run(*, check_id: int) -> ConnectionCheck | None:
    """Run a queued check; None if another worker took it (or it is gone). Safe to run twice."""
    now = timezone.now()
    claimed = ConnectionCheck.objects.filter(pk=check_id, status=CheckStatus.QUEUED).update(
        status=CheckStatus.RUNNING, started_at=now
    )
    if not claimed:
        return None
    check = ConnectionCheck.objects.select_related("connection", "requested_by").get(pk=check_id)
    connection = check.connection
    failure, http_status, host_key = _run(connection)
    check.status = CheckStatus.FAILED if failure else CheckStatus.PASSED
    check.failure, check.http_status, check.host_key = failure, http_status, host_key
    check.finished_at = timezone.now()
    with transaction.atomic():
        check.save(update_fields=["status", "failure", "http_status", "host_key", "finished_at"])
        if not failure and host_key:
            # The first key met is accepted; a different one fails the check (the check
            # compares it with known_host_key) until an admin accepts it.
            Connection.objects.filter(pk=connection.pk, host_key="").update(host_key=host_key)
        _record_health(connection, check)
        if not check.scheduled and check.requested_by_id is not None:
            action = Action.CONNECTION_VERIFY_FAILED if failure else Action.CONNECTION_VERIFIED
            changes = [audit_changes.check_failed(failure, http_status)] if failure else []
            audit_record(actor=check.requested_by, action=action, obj=connection, changes=changes)
    return check


def _record_health(connection: Connection, check: ConnectionCheck) -> None:
    _follow(
        connection,
        ok=check.status == CheckStatus.PASSED,
        at=check.finished_at,
        reason=lambda: failure_message(check),
        by_delivery=False,
    )


def connection_delivery_outcome(
    *, connection_id: int, ok: bool, failure: str = "", http_status: int | None = None
) -> None:
    """A delivery to the connection ended (an export run, say): a failure marks it Failing
    as a failed check does, a success shows it works. Whatever delivers reports here; this
    module knows nothing of what it is."""
    connection = (
        Connection.objects.only("pk", "health", "display_name").filter(pk=connection_id).first()
    )
    if connection is None or connection.health == (Health.VERIFIED if ok else Health.FAILING):
        return  # nothing changes (the common case: one read, no lock)
    with transaction.atomic():  # _follow locks the connection's row
        _follow(
            connection,
            ok=ok,
            at=timezone.now(),
            reason=lambda: stored_message(failure, http_status, _OWN_FAILURES, INTERNAL),
            by_delivery=True,
        )


def _follow(connection: Connection, *, ok: bool, at, reason, by_delivery: bool) -> None:
    """Follow an outcome; e-mail the admins when the connection starts failing or recovers
    (one e-mail per change, not one per check or delivery)."""
    was = (
        Connection.objects.select_for_update()
        .values_list("health", flat=True)
        .get(pk=connection.pk)
    )
    if ok:
        Connection.objects.filter(pk=connection.pk).update(health=Health.VERIFIED, health_since=at)
        if was == Health.FAILING:
            _tell_admins(connection, reason, recovered=True, by_delivery=by_delivery)
    elif was != Health.FAILING:
        Connection.objects.filter(pk=connection.pk).update(health=Health.FAILING, health_since=at)
        _tell_admins(connection, reason, recovered=False, by_delivery=by_delivery)


def _admin_addresses() -> list[str]:
    users = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMIN.group_name), is_active=True
    )
    return sorted({user.email for user in users.exclude(email="") if user.email})


def _tell_admins(connection: Connection, reason, *, recovered: bool, by_delivery: bool) -> None:
    recipients = _admin_addresses()
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        name = connection.display_name
        if recovered:
            subject = _("Connection “%s” works again") % name
            if by_delivery:
                body = _("A delivery to “%s” succeeded.") % name
            else:
                body = _("The last check of “%s” passed.") % name
        else:
            subject = _("Connection “%s” is failing") % name
            if by_delivery:
                text = _("A delivery to “%(name)s” failed: %(reason)s")
            else:
                text = _("The last check of “%(name)s” failed: %(reason)s")
            body = text % {"name": name, "reason": reason()}
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=True))


def connection_accept_host_key(*, connection: Connection, user) -> str:
    """Accept the host key that the last finished check met when it failed because the key
    changed; returns it ("" when there is nothing to accept). The key comes from the check,
    never from the browser."""
    key = new_host_key(connection, latest_checks(connection, limit=RATE_LIMIT + 1))
    if not key:
        return ""
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(host_key=key)
        connection.host_key = key
        audit_record(
            actor=user,
            action=Action.HOST_KEY_ACCEPTED,
            obj=connection,
            changes=[audit_changes.host_key(key)],
        )
    return key


# The daily check: each connection has its own minute of the day (from its id, so that
# 10,000 connections are spread over the day, not checked at once), and is checked in the
# slot that holds that minute unless it was checked in the last 12 hours (by an admin,
# say). One that missed its minute (workers down) by more than a day is checked at once.
DAY = timedelta(days=1)
RECENT = timedelta(hours=12)


def _minute_of_day(connection_id: int) -> int:
    return (connection_id * 7919) % (24 * 60)


def _due(connection_id: int, checked_at, slot, every: timedelta) -> bool:
    if checked_at is not None and slot - checked_at < RECENT:
        return False
    if checked_at is not None and slot - checked_at > DAY + every:
        return True
    start = slot.hour * 60 + slot.minute
    return start <= _minute_of_day(connection_id) < start + every.total_seconds() // 60


def verify_due(slot, every: timedelta = timedelta(minutes=5)) -> int:
    """Queue the scheduled checks due in ``slot``; returns how many were queued."""
    from connections_admin.connection_types.registry import registry

    keys = [connection_type.key for connection_type in registry if connection_type.check]
    rows = Connection.objects.filter(type_key__in=keys).values_list("pk", "checked_at")
    due = [pk for pk, checked_at in rows if _due(pk, checked_at, slot, every)]
    for connection in Connection.objects.filter(pk__in=due):
        connection_verify(connection=connection, user=None, scheduled=True)
    return len(due)
