"""Validation of connection setup values, with messages that say what to enter."""

import base64
import binascii
import ipaddress
import re
import socket

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from connections_admin.outbound import policy

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# ASCII only: with Unicode case folding "ſ" would match "s" and IDNA would turn it into one.
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$", re.IGNORECASE | re.ASCII)


def _legacy_ipv4(value: str) -> bool:
    """True for spellings that resolvers read as an IPv4 address (127.1, 0x7f000001, ...)."""
    try:
        socket.inet_aton(value)
    except (OSError, ValueError):  # ValueError: a NUL byte or a lone surrogate
        return False
    return True


def validate_hostname(value: str) -> None:
    """A DNS hostname or an IP address the product may reach; no scheme, port, path, or
    internal address. Names are not resolved here: ``outbound.net`` checks their
    addresses when it connects."""
    if "://" in value:
        raise ValidationError(
            _("Enter the hostname without a scheme such as https://."), code="scheme"
        )
    try:
        ipaddress.ip_address(value)
    except ValueError:
        pass
    else:
        # Refused unless public or in CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS.
        policy.check_literal_at_save(value)
        return
    if _legacy_ipv4(value) or value.rsplit(".", 1)[-1].isdigit():
        raise ValidationError(
            _("Write an IP address as four numbers separated by dots, such as 203.0.113.7."),
            code="legacy_address",
        )
    if not _HOSTNAME.match(value):
        raise ValidationError(
            _("Enter a hostname such as sftp.example.com: letters, digits, hyphens and dots."),
            code="invalid_hostname",
        )
    if value.lower() == "localhost" or value.lower().endswith((".localhost", ".local")):
        raise ValidationError(
            _("Enter the service's public hostname, not a local one."), code="internal_address"
        )


def validate_export_folder(value: str) -> None:
    if value != value.lower():
        raise ValidationError(_("The export folder must be lowercase."), code="not_lowercase")
    if not re.fullmatch(r"[a-z0-9._/-]+", value) or ".." in value.split("/"):
        raise ValidationError(
            _("Use lowercase letters, digits, '-', '_', '.' and '/' in the export folder."),
            code="invalid_folder",
        )


validate_dynamics_server_address = RegexValidator(
    regex=r"^https://[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.crm[0-9]{0,2}\.dynamics\.com/?$",
    flags=re.IGNORECASE,
    message=_("Enter the server address in the form https://ORG.crm.dynamics.com."),
    code="invalid_dynamics_address",
)
validate_numeric_id = RegexValidator(
    regex=r"^[0-9]+$", message=_("Enter digits only."), code="not_numeric"
)
validate_azure_account_name = RegexValidator(
    regex=r"^[a-z0-9]{3,24}$",
    message=_("Enter 3 to 24 lowercase letters and digits."),
    code="invalid_account_name",
)
validate_azure_container = RegexValidator(
    regex=r"^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$",
    message=_(
        "Enter 3 to 63 lowercase letters, digits and single hyphens, "
        "starting with a letter or digit."
    ),
    code="invalid_container",
)
validate_azure_workspace = RegexValidator(
    regex=r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    message=_("Enter 1 to 50 lowercase letters, digits and hyphens."),
    code="invalid_workspace",
)
validate_guid = RegexValidator(
    regex=r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$",
    message=_("Enter the subscription ID, such as 00000000-0000-0000-0000-000000000000."),
    code="invalid_guid",
)
validate_token = RegexValidator(
    regex=r"^\S+$", message=_("Remove the spaces from this value."), code="whitespace"
)


def validate_ssh_private_key(value: str) -> None:
    """An unencrypted private key in a format SSH reads (OpenSSH, PEM, PKCS#8)."""
    import asyncssh

    try:
        asyncssh.import_private_key(value.strip().encode())
    except (asyncssh.KeyImportError, ValueError, TypeError):
        raise ValidationError(
            _(
                "Paste an SSH private key without a passphrase, such as one that starts "
                "with -----BEGIN OPENSSH PRIVATE KEY-----."
            ),
            code="invalid_private_key",
        ) from None


def validate_azure_account_key(value: str) -> None:
    """Azure storage account keys are base64 (64 bytes: 88 characters)."""
    try:
        decoded = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if not decoded:
        raise ValidationError(
            _("Paste the account key as Azure shows it: letters, digits, +, / and =."),
            code="invalid_account_key",
        )
