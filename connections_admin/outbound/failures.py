"""What can go wrong on the way out, as categories with a message a user can read.

A check never shows an exception's own text: it names hosts, ports and addresses
(the very things an attacker probing the network wants to learn). Every outbound
call maps what happened to one ``Failure`` and raises ``CheckFailed``.
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Failure(StrEnum):
    NAME_NOT_RESOLVED = "name_not_resolved"
    ADDRESS_NOT_ALLOWED = "address_not_allowed"
    CONNECTION_REFUSED = "connection_refused"
    TIMED_OUT = "timed_out"
    TLS_UNTRUSTED = "tls_untrusted"
    AUTHENTICATION_FAILED = "authentication_failed"
    NOT_FOUND = "not_found"
    NO_WRITE_PERMISSION = "no_write_permission"
    HOST_KEY_CHANGED = "host_key_changed"
    SERVICE_ERROR = "service_error"

    @property
    def message(self):
        """The user's text (lazy); SERVICE_ERROR's has a ``%(status)s`` placeholder."""
        return _MESSAGES[self]


_MESSAGES = {
    Failure.NAME_NOT_RESOLVED: _("The name could not be resolved."),
    Failure.ADDRESS_NOT_ALLOWED: _("The address is not allowed."),
    Failure.CONNECTION_REFUSED: _("The connection was refused."),
    Failure.TIMED_OUT: _("It timed out."),
    Failure.TLS_UNTRUSTED: _("The TLS certificate is not trusted."),
    Failure.AUTHENTICATION_FAILED: _("Authentication failed."),
    Failure.NOT_FOUND: _("The folder or container does not exist."),
    Failure.NO_WRITE_PERMISSION: _("No permission to write."),
    Failure.HOST_KEY_CHANGED: _("The server's host key changed."),
    Failure.SERVICE_ERROR: _("The service answered with an error (%(status)s)."),
}

# Shown for SERVICE_ERROR when there is no HTTP status (a malformed answer, say).
NO_STATUS = "—"


class CheckFailed(Exception):
    """An outbound call failed; ``str()`` is the category only, never a host or port."""

    def __init__(self, failure: Failure, status: int | None = None):
        self.failure = Failure(failure)
        self.status = status
        super().__init__(self.failure.value if status is None else f"{self.failure}:{status}")

    @property
    def message(self) -> str:
        """The user's text, in the active language."""
        if self.failure is Failure.SERVICE_ERROR:
            status = NO_STATUS if self.status is None else self.status
            return str(self.failure.message) % {"status": status}
        return str(self.failure.message)

    def __repr__(self) -> str:
        return f"CheckFailed({self.failure!s}, status={self.status!r})"


def stored_message(code: str, status: int | None, own: dict, fallback: str) -> str:
    """The user's text for a failure kept as its code: one of the caller's ``own`` codes
    (lazy texts), a ``Failure``, or ``own[fallback]`` for a code nobody knows."""
    if code in own:
        return str(own[code])
    try:
        return CheckFailed(Failure(code), status=status).message
    except ValueError:
        return str(own[fallback])
