"""Every write to a connection goes through these functions."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from connections_admin.audit import changes as audit_changes
from connections_admin.audit.models import Action
from connections_admin.audit.services import audit_record
from connections_admin.connection_types.base import ConnectionType

from . import audit_changes as connection_changes
from . import dependants
from .crypto import decrypt_secrets, encrypt_secrets
from .models import Connection
from .sharing import Sharing, set_sharing


class DisplayNameTaken(Exception):
    pass


@dataclass
class ConnectionConflict(Exception):
    """Someone saved the connection after the editor loaded it."""

    current: Connection


@dataclass
class ConnectionInUse(Exception):
    """Something still uses the connection: how many of each dependant kind."""

    counts: dict


class ConnectionAlreadyRemoved(Exception):
    pass


@sensitive_variables("values", "secrets")
def _split(connection_type: type[ConnectionType], values: dict) -> tuple[dict, dict]:
    """Setup values into (settings, secrets); empty secrets are left out."""
    settings = {name: values.get(name) for name in connection_type.setting_names()}
    secrets = {name: values[name] for name in connection_type.secret_names() if values.get(name)}
    return settings, secrets


@sensitive_variables("values", "secrets")
def connection_create(
    *,
    connection_type: type[ConnectionType],
    display_name: str,
    values: dict,
    user: AbstractBaseUser,
    sharing: Sharing | None = None,
) -> Connection:
    """Create a connection; the caller has the admin's consent to the data transfer."""
    settings, secrets = _split(connection_type, values)
    now = timezone.now()
    connection = Connection(
        display_name=display_name,
        type_key=connection_type.key,
        settings=settings,
        secrets_encrypted=encrypt_secrets(secrets),
        secret_names=sorted(secrets),
        created_by=user,
        updated_by=user,
        consent_given_by=user,
        consent_given_at=now,
    )
    try:
        with transaction.atomic():
            connection.save()
            details = []
            if sharing is not None:
                set_sharing(connection, sharing)
                details.append(connection_changes.sharing(sharing.audience))
            audit_record(
                actor=user, action=Action.CONNECTION_CREATED, obj=connection, changes=details
            )
            audit_record(actor=user, action=Action.CONSENT_GIVEN, obj=connection)
    except IntegrityError as error:
        raise DisplayNameTaken(display_name) from error
    return connection


def _describe_changes(
    connection_type: type[ConnectionType],
    before: Connection,
    display_name: str,
    settings: dict,
    new_secrets: dict,
) -> list[dict]:
    """What an edit changes, as audit records: each field with its old and new value,
    secrets only by name ("Password changed") and e-mail addresses without values."""
    changes = []
    if before.display_name != display_name:
        changes.append(
            audit_changes.field_changed(
                "display_name", old=before.display_name, new=display_name, values=True
            )
        )
    for name in connection_type.fields:
        if name in connection_type.secret_fields:
            if name in new_secrets:
                changes.append(connection_changes.secret_changed(connection_type, name))
        elif before.settings.get(name) != settings.get(name):
            changes.append(
                connection_changes.setting_changed(
                    connection_type, name, before.settings.get(name), settings.get(name)
                )
            )
    return changes


@sensitive_variables("values", "new_secrets", "secrets")
def connection_update(
    *,
    connection: Connection,
    expected_version: int,
    display_name: str,
    values: dict,
    user: AbstractBaseUser,
    sharing: Sharing | None = None,
) -> Connection:
    """Save new values if nobody saved the connection since ``expected_version``.

    Secrets left empty keep their stored value; given ones replace it. Raises
    :class:`ConnectionConflict` (nothing written) when the version moved on, and
    :class:`~.crypto.SecretsUnreadable` when stored secrets must be kept but no
    configured key opens them.
    """
    connection_type = connection.connection_type
    settings, new_secrets = _split(connection_type, values)
    kept = set(connection.secret_names) - set(new_secrets)
    if not new_secrets:
        token = connection.secrets_encrypted
    else:
        secrets = decrypt_secrets(connection.secrets_encrypted) if kept else {}
        secrets = {name: secrets[name] for name in kept if name in secrets} | new_secrets
        token = encrypt_secrets(secrets)
    names = sorted(kept | set(new_secrets))
    try:
        with transaction.atomic():
            updated = Connection.objects.filter(pk=connection.pk, version=expected_version).update(
                display_name=display_name,
                settings=settings,
                secrets_encrypted=token,
                secret_names=names,
                updated_by=user,
                updated_at=timezone.now(),
                version=F("version") + 1,
            )
            if updated:
                changes = _describe_changes(
                    connection_type, connection, display_name, settings, new_secrets
                )
                if changes:
                    connection.display_name = display_name
                    audit_record(
                        actor=user, action=Action.CONNECTION_EDITED, obj=connection, changes=changes
                    )
                if sharing is not None and set_sharing(connection, sharing):
                    audit_record(
                        actor=user,
                        action=Action.CONNECTION_SHARING_CHANGED,
                        obj=connection,
                        changes=[connection_changes.sharing(sharing.audience)],
                    )
    except IntegrityError as error:
        raise DisplayNameTaken(display_name) from error
    if not updated:
        current = Connection.objects.select_related("updated_by").filter(pk=connection.pk).first()
        if current is None:
            raise ConnectionAlreadyRemoved
        raise ConnectionConflict(current=current)
    connection.refresh_from_db()
    return connection


def connection_remove(*, connection_id: int, user: AbstractBaseUser | None = None) -> str:
    """Remove an unused connection (and its permission rows); returns its display name.

    The check and the delete run in one transaction holding a lock on the
    connection, and ``on_delete=PROTECT`` backs the check: an export or enrichment
    attached meanwhile makes this raise :class:`ConnectionInUse`, never leaves a
    dependant pointing at nothing.
    """
    with transaction.atomic():
        connection = Connection.objects.select_for_update().filter(pk=connection_id).first()
        if connection is None:
            raise ConnectionAlreadyRemoved
        counts = dependants.counts(connection)
        if any(counts.values()):
            raise ConnectionInUse(counts=counts)
        try:
            with transaction.atomic():
                connection.delete()
        except ProtectedError as error:
            raise ConnectionInUse(counts=dependants.counts(connection)) from error
        connection.pk = connection_id
        audit_record(actor=user, action=Action.CONNECTION_REMOVED, obj=connection)
    return connection.display_name


def describe_conflict(conflict: ConnectionConflict) -> str:
    current = conflict.current
    who = current.updated_by.get_username() if current.updated_by else _("another administrator")
    return _(
        "%(who)s saved this connection after you opened it. Nothing was saved: "
        "close this pane and open Edit again to see their changes."
    ) % {"who": who}
