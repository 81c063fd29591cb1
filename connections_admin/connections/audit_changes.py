"""The audit trail's change kinds that only connections can say, registered from
``ConnectionsConfig.ready()``: a setting or a secret of a connection type (by the field's
label, in the reader's language), who can use a connection, why a check failed and the
host key an admin accepted. The records are data (``audit/changes.py``)."""

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext as _

from connections_admin.audit import changes
from connections_admin.connection_types.base import ConnectionType
from connections_admin.connection_types.registry import UnknownConnectionType, registry

from .sharing import Audience


def _field(change: Mapping) -> tuple[object, forms.Field | None]:
    """The label of the record's field (its key when its type is no longer installed)."""
    try:
        field = registry.get(change["type"]).fields.get(change["field"])
    except UnknownConnectionType:
        field = None
    return (field.label if field is not None else change["field"]), field


def _setting_changed(change: Mapping) -> str:
    label, field = _field(change)
    choices = dict(getattr(field, "choices", None) or ())
    return changes.said_changed(label, change, shown=lambda value: str(choices.get(value, value)))


def _secret_changed(change: Mapping) -> str:
    label, _field_ = _field(change)
    return _("%s changed") % label


def _sharing(change: Mapping) -> str:
    return _("Who can use it: %s") % Audience(change["audience"]).label


def _check_failed(change: Mapping) -> str:
    from .verify import failure_text  # verify records these changes: it imports this module

    return failure_text(change["failure"], change.get("status"))


def _host_key(change: Mapping) -> str:
    return f"{_('Accepted host key:')} {change['fingerprint']}"


def shows_value(field: forms.Field) -> bool:
    """Whether an edit records a setting's old and new value: not for e-mail addresses
    (people's personal data). Secrets are never settings."""
    return not isinstance(field, forms.EmailField)


def setting_changed(connection_type: type[ConnectionType], name: str, old, new) -> dict:
    """A setting of ``connection_type`` changed (its values only when ``shows_value``)."""
    if shows_value(connection_type.fields[name]):
        return changes.record(
            "setting_changed", type=connection_type.key, field=name, old=old, new=new
        )
    return changes.record("setting_changed", type=connection_type.key, field=name)


def secret_changed(connection_type: type[ConnectionType], name: str) -> dict:
    """A secret was replaced: which one, never its value."""
    return changes.record("secret_changed", type=connection_type.key, field=name)


def sharing(audience: Audience) -> dict:
    return changes.record("sharing", audience=audience.value)


def check_failed(failure: str, status: int | None) -> dict:
    return changes.record("check_failed", failure=failure, status=status)


def host_key(fingerprint: str) -> dict:
    return changes.record("host_key", fingerprint=fingerprint)


def register() -> None:
    for kind, describe in (
        ("setting_changed", _setting_changed),
        ("secret_changed", _secret_changed),
        ("sharing", _sharing),
        ("check_failed", _check_failed),
        ("host_key", _host_key),
    ):
        changes.register(kind, describe)
