"""Resolve, check, then connect to the very address that was checked.

``connect()`` resolves the name once, refuses the addresses the policy refuses
(before a single packet goes to them), and connects to the allowed ones in the
order the resolver gave them. The socket it returns is connected to a checked
address: there is no second lookup that a DNS answer with a short TTL could
switch to an internal address (DNS rebinding).

Every blocking step takes ``min(deadline.remaining(), per-operation timeout)``.
"""

import errno
import ipaddress
import socket
import threading
import time
from collections.abc import Callable

from django.conf import settings

from .failures import CheckFailed, Failure
from .policy import IPAddress, is_allowed

CONNECT_TIMEOUT = 5.0
CHECK_DEADLINE = 20.0

# (host, port) -> the addresses of host, as strings. Raises OSError when it cannot.
Resolver = Callable[[str, int], list[str]]


class Deadline:
    """The time left for a whole check; passed along to every step of it."""

    def __init__(self, seconds: float = CHECK_DEADLINE):
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._ends - time.monotonic())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def timeout(self, per_operation: float | None = None) -> float:
        """The timeout for the next operation; ``CheckFailed(TIMED_OUT)`` if none is left."""
        left = self.remaining()
        if left <= 0:
            raise CheckFailed(Failure.TIMED_OUT)
        return left if per_operation is None else min(left, per_operation)

    def __repr__(self) -> str:
        return f"Deadline({self.seconds}, remaining={self.remaining():.3f})"


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [info[4][0] for info in infos]


def _test_hosts() -> dict[str, list[str]]:
    return getattr(settings, "CONNECTIONS_OUTBOUND_TEST_HOSTS", None) or {}


def _lookup(resolver: Resolver, host: str, port: int, deadline: Deadline | None) -> list[str]:
    """Run the resolver, within the deadline: ``getaddrinfo`` itself has no timeout, so it
    runs on a daemon thread that is left behind if the deadline passes first."""
    if deadline is None:
        return resolver(host, port)
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["addresses"] = resolver(host, port)
        except BaseException as exc:  # handed over to the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=run, name="outbound-resolve", daemon=True)
    thread.start()
    thread.join(deadline.timeout())
    if thread.is_alive():
        raise CheckFailed(Failure.TIMED_OUT)
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["addresses"]  # type: ignore[return-value]


def _normalize(address: str) -> IPAddress:
    found = ipaddress.ip_address(address)
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def resolve(
    host: str, port: int, *, deadline: Deadline | None = None, resolver: Resolver | None = None
) -> list[IPAddress]:
    """The addresses of ``host`` (an IP literal is its own), in the resolver's order,
    without duplicates. ``settings.CONNECTIONS_OUTBOUND_TEST_HOSTS`` (tests only) is
    consulted first. Raises ``CheckFailed(NAME_NOT_RESOLVED)`` or ``(TIMED_OUT)``."""
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return [_normalize(host)]
    except ValueError:
        pass
    test_hosts = _test_hosts()
    if host.lower() in test_hosts:
        found = list(test_hosts[host.lower()])
    else:
        if not host or "\x00" in host:
            raise CheckFailed(Failure.NAME_NOT_RESOLVED)
        try:
            found = _lookup(resolver or system_resolver, host, port, deadline)
        except (OSError, UnicodeError) as exc:
            raise CheckFailed(Failure.NAME_NOT_RESOLVED) from exc
    addresses: list[IPAddress] = []
    for text in found:
        try:
            address = _normalize(text)
        except ValueError:
            continue
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise CheckFailed(Failure.NAME_NOT_RESOLVED)
    return addresses


def _failure_of(exc: OSError) -> Failure:
    if isinstance(exc, TimeoutError) or exc.errno in (errno.ETIMEDOUT, errno.EAGAIN):
        return Failure.TIMED_OUT
    if isinstance(exc, socket.gaierror):
        return Failure.NAME_NOT_RESOLVED
    # Refused, reset, or no route to the host: the connection did not happen.
    return Failure.CONNECTION_REFUSED


def connect(
    host: str,
    port: int,
    *,
    deadline: Deadline,
    timeout: float = CONNECT_TIMEOUT,
    resolver: Resolver | None = None,
) -> socket.socket:
    """A TCP socket connected to an allowed address of ``host``.

    The returned socket's timeout is ``min(deadline.remaining(), timeout)``; callers
    set their own before each later operation. Raises ``CheckFailed`` with
    NAME_NOT_RESOLVED, ADDRESS_NOT_ALLOWED (when no address of the name is allowed;
    nothing was sent), CONNECTION_REFUSED or TIMED_OUT.
    """
    addresses = resolve(host, port, deadline=deadline, resolver=resolver)
    allowed = [address for address in addresses if is_allowed(address)]
    if not allowed:
        raise CheckFailed(Failure.ADDRESS_NOT_ALLOWED)
    failure: CheckFailed | None = None
    for address in allowed:
        if isinstance(address, ipaddress.IPv6Address):
            family = socket.AF_INET6
            target: tuple = (str(address).split("%", 1)[0], port, 0, _scope_id(address))
        else:
            family, target = socket.AF_INET, (str(address), port)
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(deadline.timeout(timeout))
            sock.connect(target)
            sock.settimeout(deadline.timeout(timeout))
            # As http.client and urllib3 do: a request's headers and body go out at once,
            # not 40 ms apart (Nagle's algorithm with delayed ACKs).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except CheckFailed as exc:
            sock.close()
            raise exc from None
        except OSError as exc:
            sock.close()
            failure = CheckFailed(_failure_of(exc))
            failure.__cause__ = exc
        if deadline.expired:
            raise CheckFailed(Failure.TIMED_OUT) from failure
    assert failure is not None
    raise failure


def _scope_id(address: ipaddress.IPv6Address) -> int:
    if not address.scope_id:
        return 0
    try:
        return socket.if_nametoindex(address.scope_id)
    except OSError:
        return int(address.scope_id) if address.scope_id.isdigit() else 0
