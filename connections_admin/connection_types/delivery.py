"""How an export's files reach a destination: the type declares a delivery.

A delivery is the transport only (the export run writes the CSV, compresses it, retries
and holds the lease). It opens a session on one connection, through the door of
``connections_admin.outbound`` like a check, and publishes whole files in it:

    with connection_type.delivery.open(DeliveryContext(...)) as session:
        session.discard_partials("weekly-list_vip_")    # a takeover: leftovers of a killed run
        if not session.exists(name):
            session.publish(name, chunks)                # chunks: bytes, made in this thread

``publish`` consumes ``chunks`` in the calling thread (they come from the database:
Django's ORM must not run in an event loop thread) and hands each piece to the transport.
A file is visible under its name only when it is complete: SFTP writes a temporary file and
renames it (``sftp_delivery.py``), Azure stages blocks and commits the list at the end
(``azure_delivery.py``). Memory stays bounded: at most ``IN_FLIGHT`` pieces of about
``PIECE`` bytes each are on their way at once, whatever the file's size.

Overwrite policy: a published file is never replaced. ``publish`` of a name that is
already there raises ``AlreadyPublished`` before a byte is sent (and, should another
worker publish it meanwhile, instead of replacing it at the end): the run checks
``exists`` first, so meeting it means another worker delivered that file; treat it as
delivered.

Errors are ``CheckFailed`` with the outbound categories. ``is_transient`` tells the run
which are worth another attempt: timeouts, refused or lost connections, and a service
error with status 429 or 5xx (or with no status: a failure the server did not explain).
Authentication, permission, host key and missing folder or container fail at once.
"""

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from connections_admin.outbound.failures import CheckFailed, Failure

# Pieces handed to the transport: small chunks are joined up to this size.
PIECE = 1024 * 1024
# Pieces on their way at once; the run's memory is about PIECE * IN_FLIGHT.
IN_FLIGHT = 8
# What one write or request may take before the attempt is given up (TIMED_OUT).
WRITE_TIMEOUT = 60.0
# What cleaning up after a failure (removing a partial file, closing) may take.
CLEANUP_TIMEOUT = 5.0

_TRANSIENT = frozenset({Failure.TIMED_OUT, Failure.CONNECTION_REFUSED})


@dataclass
class DeliveryContext:
    """What a delivery may use: the settings and secrets of one connection, the deadline
    for connecting (writes are bounded by ``WRITE_TIMEOUT`` each), and the SSH host key
    fingerprint accepted earlier (if any)."""

    settings: dict[str, Any]
    secrets: dict[str, str]
    deadline: Any  # outbound.net.Deadline
    known_host_key: str = ""


class DeliverySession(Protocol):
    """An open connection to the destination; a context manager (``close`` at the end)."""

    def publish(self, name: str, chunks: Iterable[bytes]) -> int:
        """Write the chunks as the file ``name`` in the destination folder or container;
        visible under ``name`` only when complete. Returns the bytes written."""

    def discard_partials(self, prefix: str) -> int:
        """Remove the leftovers of unfinished publishes of names starting with ``prefix``;
        returns how many were removed."""

    def exists(self, name: str) -> bool:
        """A published (complete) file ``name`` is there."""

    def close(self) -> None: ...

    def __enter__(self) -> "DeliverySession": ...

    def __exit__(self, *exc_info) -> None: ...


class Delivery(Protocol):
    """One way of delivering files; ``describe`` says how, for the README and the type."""

    describe: ClassVar[str]

    def open(self, context: DeliveryContext) -> DeliverySession: ...


class AlreadyPublished(FileExistsError):
    """A file of that name is already published; it is never replaced. ``str()`` is the
    file's name (chosen by the export, not a secret)."""


def is_transient(failed: CheckFailed) -> bool:
    """Worth another attempt later: timeouts, refused or lost connections, 429 and 5xx."""
    if failed.failure in _TRANSIENT:
        return True
    if failed.failure is Failure.SERVICE_ERROR:
        return failed.status is None or failed.status == 429 or failed.status >= 500
    return False


def check_name(name: str) -> str:
    """A file name of the export's own making: no folder, no hidden or special name."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
        raise ValueError("a delivered file's name is a plain file name")
    return name


def pieces(chunks: Iterable[bytes], size: int = PIECE) -> Iterator[bytes]:
    """The chunks joined into pieces of at least ``size`` bytes (the last may be smaller),
    consumed lazily in the caller's thread."""
    waiting: list[bytes] = []
    length = 0
    for chunk in chunks:
        if not chunk:
            continue
        waiting.append(bytes(chunk))
        length += len(chunk)
        if length >= size:
            yield waiting[0] if len(waiting) == 1 else b"".join(waiting)
            waiting, length = [], 0
    if waiting:
        yield b"".join(waiting)


class Pipeline:
    """At most ``limit`` writes on their way; when full, wait for the oldest. ``result``
    waits for one future and turns its failure into ``CheckFailed``."""

    def __init__(self, result: Callable[[Future], Any], limit: int = IN_FLIGHT):
        self._result = result
        self._limit = limit
        self._pending: deque[Future] = deque()

    def submit(self, start: Callable[[], Future]) -> None:
        while len(self._pending) >= self._limit:
            self._result(self._pending.popleft())
        self._pending.append(start())

    def drain(self) -> None:
        while self._pending:
            self._result(self._pending.popleft())

    def cancel(self) -> None:
        while self._pending:
            self._pending.popleft().cancel()


class ClosingSession:
    """``with session:`` closes it at the end; ``opened`` connects it or closes it."""

    def connect(self, context: DeliveryContext) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def opened(self, context: DeliveryContext):
        """The session connected; closed again (thread, sockets) if connecting fails."""
        try:
            self.connect(context)
        except BaseException:
            self.close()
            raise
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        with contextlib.suppress(CheckFailed):
            self.close()
