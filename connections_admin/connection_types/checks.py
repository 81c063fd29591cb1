"""How a connection type is verified against its real service: the type declares a check.

A check receives the connection's settings and secrets (decrypted only for the check, never
stored with its result), opens every connection through ``connections_admin.outbound``, and
either returns a :class:`CheckResult` or raises ``outbound.CheckFailed`` with a category.
The console runs checks in a background task, never in the web process.
"""

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol


@dataclass
class CheckContext:
    """What a check may use: the settings and secrets of one connection, the deadline of
    the whole check, and the SSH host key fingerprint accepted earlier (if any)."""

    settings: dict[str, Any]
    secrets: dict[str, str]
    deadline: Any  # outbound.net.Deadline
    known_host_key: str = ""


@dataclass
class CheckResult:
    """A passed check; ``host_key`` is the fingerprint an SSH server presented."""

    host_key: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class Check(Protocol):
    """One way of checking a service; ``describe`` says how, for the README and the type."""

    describe: ClassVar[str]

    def run(self, context: CheckContext) -> CheckResult: ...
