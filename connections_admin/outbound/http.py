"""HTTPS requests that go through the guard of ``net``.

Decisions:
- HTTPS only, always: a plain ``http://`` URL is a programming error (``ValueError``).
  Tests run a loopback HTTPS server with their own CA
  (``settings.CONNECTIONS_OUTBOUND_EXTRA_CA_FILE``).
- No redirect is ever followed. ``request()`` returns a 3xx like any other answer;
  ``Response.raise_for_status()`` reports it as SERVICE_ERROR with that status (a
  redirect to an internal address would otherwise be the easiest way round the
  guard, and no service the console talks to needs one for a check).
- Certificates are always verified (system CA bundle, plus the extra CA file when set),
  against the URL's host name; the socket underneath is connected to the address the
  guard checked, so the name is resolved once.
- A watchdog shuts the socket down when the deadline passes, so a server that drips
  one byte at a time cannot hold a check longer than its deadline.
- No proxy is used: a proxy would resolve the name itself, out of the guard's sight.

``requests_session()`` is the same guard for libraries built on ``requests`` (the Azure
SDK through ``azure.core.pipeline.transport.RequestsTransport(session=...)``).
"""

import contextlib
import functools
import http.client
import socket
import ssl
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.datastructures import CaseInsensitiveMapping

from . import net
from .failures import CheckFailed, Failure
from .net import CONNECT_TIMEOUT, Deadline

MAX_BODY = 1024 * 1024
USER_AGENT = "connections-admin"


def ssl_context() -> ssl.SSLContext:
    """Verify certificates and host names: the system CAs, plus the extra CA file.

    One context per CA file, made once: loading the system store costs about 20 ms a time.
    """
    return _context(str(getattr(settings, "CONNECTIONS_OUTBOUND_EXTRA_CA_FILE", "") or ""))


@functools.lru_cache(maxsize=8)
def _context(extra: str) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if extra:
        context.load_verify_locations(cafile=extra)
    return context


@dataclass(frozen=True)
class Response:
    status: int
    headers: CaseInsensitiveMapping = field(repr=False)
    body: bytes = field(repr=False)
    truncated: bool = False  # the body was longer than MAX_BODY and was cut there

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def raise_for_status(self) -> None:
        """CheckFailed for any answer but 2xx: 401 is AUTHENTICATION_FAILED, anything
        else (3xx included, as redirects are not followed) SERVICE_ERROR(status)."""
        if self.ok:
            return
        if self.status == 401:
            raise CheckFailed(Failure.AUTHENTICATION_FAILED, self.status)
        raise CheckFailed(Failure.SERVICE_ERROR, self.status)


class _Watchdog:
    """Shuts the connection's socket down when the deadline passes: a read blocked in
    ``http.client`` (which sets no per-read timeout of ours) then returns at once."""

    def __init__(self, connection: "GuardedHTTPSConnection", deadline: Deadline):
        self._connection = connection
        self._timer = threading.Timer(deadline.remaining(), self._fire)
        self._timer.daemon = True
        self.fired = False
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = self._connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


class GuardedHTTPSConnection(http.client.HTTPSConnection):
    """``HTTPSConnection`` whose socket comes from ``net.connect`` (checked address),
    wrapped in a verifying TLS context with the URL's host name."""

    def __init__(self, host: str, port: int, *, deadline: Deadline, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl_context())
        self.deadline = deadline
        self.per_operation = timeout
        self.watchdog: _Watchdog | None = None

    def connect(self) -> None:
        raw = net.connect(self.host, self.port, deadline=self.deadline, timeout=self.per_operation)
        self.sock = raw  # the watchdog's target until TLS wraps it
        self.watchdog = _Watchdog(self, self.deadline)
        try:
            raw.settimeout(self.deadline.timeout(self.per_operation))
            self.sock = self._context.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            self.sock = None
            raise

    def close(self) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
        super().close()

    def tick(self) -> None:
        """Before each blocking step: the time that step may take."""
        if self.sock is not None:
            self.sock.settimeout(self.deadline.timeout(self.per_operation))


def _split(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise ValueError("outbound.http only speaks HTTPS")
    if parts.username is not None or parts.password is not None or not parts.hostname:
        raise ValueError("the URL needs a host and no user information")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return parts.hostname, parts.port or 443, target


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    deadline: Deadline,
    timeout: float = CONNECT_TIMEOUT,
) -> Response:
    """Send one HTTPS request through the guard and read the answer (body capped at
    ``MAX_BODY``). Any status comes back as a ``Response``; failures to get one raise
    ``CheckFailed``: NAME_NOT_RESOLVED, ADDRESS_NOT_ALLOWED, CONNECTION_REFUSED,
    TIMED_OUT, TLS_UNTRUSTED, or SERVICE_ERROR without a status (not HTTP)."""
    host, port, target = _split(url)
    connection = GuardedHTTPSConnection(host, port, deadline=deadline, timeout=timeout)
    try:
        connection.connect()
        connection.tick()
        connection.request(
            method, target, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})}
        )
        connection.tick()
        answer = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BODY:  # one byte more than the cap tells it was cut
            connection.tick()
            chunk = answer.read1(MAX_BODY + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if connection.watchdog is not None and connection.watchdog.fired:
            # Cut off mid-answer: what was read may look complete but is not.
            raise CheckFailed(Failure.TIMED_OUT)
        body_read = b"".join(chunks)
        merged: dict[str, str] = {}
        for name, value in answer.getheaders():
            key = name.lower()
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        return Response(
            status=answer.status,
            headers=CaseInsensitiveMapping(merged),
            body=body_read[:MAX_BODY],
            truncated=size > MAX_BODY,
        )
    except CheckFailed:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise CheckFailed(Failure.TLS_UNTRUSTED) from exc
    except (TimeoutError, ssl.SSLError, http.client.HTTPException, OSError) as exc:
        raise _failure(exc, connection, deadline) from exc
    finally:
        connection.close()


def _failure(exc: BaseException, connection: GuardedHTTPSConnection, deadline: Deadline):
    if (
        isinstance(exc, TimeoutError)
        or deadline.expired
        or (connection.watchdog is not None and connection.watchdog.fired)
    ):
        return CheckFailed(Failure.TIMED_OUT)
    if isinstance(exc, ssl.SSLError):
        # Not a TLS server, no common protocol version or cipher: no trusted session.
        return CheckFailed(Failure.TLS_UNTRUSTED)
    if isinstance(exc, http.client.HTTPException):
        return CheckFailed(Failure.SERVICE_ERROR)
    return CheckFailed(Failure.CONNECTION_REFUSED)


def requests_session(*, deadline: Deadline | None = None, timeout: float = CONNECT_TIMEOUT):
    """A ``requests.Session`` whose every connection goes through the guard: HTTPS only,
    name resolved once and checked, socket pinned to the checked address, certificate
    verified against the host name (system CAs plus the extra CA file), no proxy.

    ``deadline`` (optional) bounds each request's connect and read timeouts; without it
    the caller's timeouts apply, connect capped at ``timeout``. Redirects, when the
    caller follows them, go through the guard again hop by hop. Failures raise
    ``CheckFailed`` as for ``request()``.
    """
    from .requests_adapter import guarded_session  # requests is imported only when used

    return guarded_session(deadline=deadline, timeout=timeout)
