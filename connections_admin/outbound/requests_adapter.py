"""The guard of ``net`` under ``requests`` (and so under the Azure SDK's
``RequestsTransport(session=...)``): a transport adapter whose urllib3 connections get
their socket from ``net.connect``. See ``http.requests_session``."""

import math
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.util.retry import Retry
from urllib3.util.timeout import Timeout

from . import net
from .failures import CheckFailed, Failure
from .net import CHECK_DEADLINE, CONNECT_TIMEOUT, Deadline


class GuardedConnection(HTTPSConnection):
    """urllib3's HTTPS connection, with the TCP socket from ``net.connect``; urllib3 then
    does TLS on it with the pool's context and the URL's host name."""

    def _new_conn(self):
        limit = self.timeout if isinstance(self.timeout, int | float) else CHECK_DEADLINE
        return net.connect(
            self._dns_host, self.port, deadline=Deadline(limit), timeout=min(CONNECT_TIMEOUT, limit)
        )


class GuardedPool(HTTPSConnectionPool):
    ConnectionCls = GuardedConnection


def _seconds(value) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class GuardedAdapter(HTTPAdapter):
    def __init__(self, *, ssl_context, deadline: Deadline | None, timeout: float):
        self._ssl_context = ssl_context
        self._deadline = deadline
        self._connect_timeout = timeout
        super().__init__(max_retries=Retry(total=False, redirect=False, raise_on_status=False))

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        super().init_poolmanager(
            connections, maxsize, block=block, ssl_context=self._ssl_context, **pool_kwargs
        )
        # HTTPS pools only: a plain-HTTP pool does not even exist.
        self.poolmanager.pool_classes_by_scheme = {"https": GuardedPool}

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        return super().build_connection_pool_key_attributes(request, True, cert)

    def cert_verify(self, conn, url, verify, cert):
        # Always verify, with our context only (its CAs), whatever the caller asked.
        super().cert_verify(conn, url, True, cert)
        conn.ca_certs = None
        conn.ca_cert_dir = None

    def _timeouts(self, timeout) -> tuple[float, float | None]:
        if isinstance(timeout, tuple):
            connect, read = timeout
        elif isinstance(timeout, Timeout):
            connect, read = timeout.connect_timeout, timeout.read_timeout
        else:
            connect = read = timeout
        connect, read = _seconds(connect), _seconds(read)
        connect = min(connect if connect is not None else math.inf, self._connect_timeout)
        if self._deadline is not None:
            left = self._deadline.timeout()
            connect = min(connect, left)
            read = left if read is None else min(read, left)
        return connect, read

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        if urlsplit(request.url).scheme.lower() != "https":
            raise requests.exceptions.InvalidSchema("only HTTPS goes out")
        try:
            return super().send(
                request,
                stream=stream,
                timeout=self._timeouts(timeout),
                verify=True,
                cert=cert,
                proxies=None,  # a proxy would resolve the name itself, out of our sight
            )
        except requests.exceptions.SSLError as exc:
            failure = (
                Failure.TIMED_OUT
                if self._deadline is not None and self._deadline.expired
                else Failure.TLS_UNTRUSTED
            )
            raise CheckFailed(failure) from exc
        except requests.exceptions.Timeout as exc:
            raise CheckFailed(Failure.TIMED_OUT) from exc
        except requests.exceptions.ConnectionError as exc:
            raise CheckFailed(Failure.CONNECTION_REFUSED) from exc


def guarded_session(*, deadline: Deadline | None, timeout: float) -> requests.Session:
    from .http import ssl_context

    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc from the environment
    adapter = GuardedAdapter(ssl_context=ssl_context(), deadline=deadline, timeout=timeout)
    session.mount("https://", adapter)
    session.mount("http://", adapter)  # refuses plain HTTP
    return session
