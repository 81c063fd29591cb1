"""A loopback HTTPS stand-in for the vendors' HTTP APIs, for contract tests.

Each test tells it which requests the vendor's documentation describes (:class:`Expect`:
method, path, the headers, query and body fields that must be sent exactly so) and how to
answer (:class:`Answer`: a status, headers and body as the vendor documents them, a delay,
or a hung socket that accepts and never answers). It records every request it receives
and every departure from the documented request in ``violations``, so a test proves what
the check sends as well as how it reads the answer.

The certificate comes from the shared ``tests/servers/tls.py`` CA, for the host name the
checks use (``standin.test``, resolved to 127.0.0.1 through
``CONNECTIONS_OUTBOUND_TEST_HOSTS``).
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from tests.servers.tls import make_ca_and_cert

HOST = "standin.test"


@dataclass
class Answer:
    status: int = 200
    body: bytes | dict | list = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    hang: bool = False  # accept, read the request, never answer

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


@dataclass
class Expect:
    """One documented request; names of headers are case-insensitive, values exact."""

    method: str
    path: str
    answer: Answer = field(default_factory=Answer)
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)  # urlencoded body fields
    json: dict | None = None  # the JSON body, exactly


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, standin: StandIn, context: ssl.SSLContext):
        self.standin = standin
        self.context = context
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request, client_address):
        # The TLS handshake in the request's own thread: a client that stalls in it
        # never holds up the others. No Nagle delay on answers, as a real server does.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            request = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        pass

    def _handle(self) -> None:
        standin: StandIn = self.server.standin  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        seen = Seen(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        answer = standin.receive(seen)
        if answer.hang:
            standin.stopping.wait()
            return
        if answer.delay and standin.stopping.wait(answer.delay):
            return
        payload = answer.payload()
        try:
            self.send_response(answer.status)
            headers = {"Content-Type": "application/json", **answer.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up first (its deadline)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


class StandIn:
    """``with StandIn(tmp_dir) as standin: standin.expect(...)``; ``standin.url``."""

    def __init__(self, tmp_dir: str | Path):
        self.ca_file, cert_file, key_file = make_ca_and_cert(tmp_dir, hosts=[HOST])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._expected: list[Expect] = []
        self.requests: list[Seen] = []
        self.violations: list[str] = []
        self._server = _Server(self, context)
        self.port = self._server.server_address[1]
        self.url = f"https://{HOST}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def expect(self, *expected: Expect) -> None:
        """The documented requests of this test, in any order; replaces earlier ones."""
        with self._lock:
            self._expected = list(expected)
            self.requests.clear()
            self.violations.clear()

    def receive(self, seen: Seen) -> Answer:
        with self._lock:
            self.requests.append(seen)
            for expected in self._expected:
                if expected.method == seen.method and expected.path == seen.path:
                    problems = _differences(expected, seen)
                    if problems:
                        self.violations.extend(problems)
                        # What a vendor answers a request without its credentials.
                        return Answer(status=401, body={"error": "contract"})
                    return expected.answer
            self.violations.append(f"undocumented request {seen.method} {seen.path}")
            return Answer(status=404, body={"error": "contract"})


def _differences(expected: Expect, seen: Seen) -> list[str]:
    where = f"{seen.method} {seen.path}"
    problems = []
    for name, value in expected.headers.items():
        got = seen.headers.get(name.lower())
        if got != value:
            problems.append(f"{where}: header {name} is {_shown(got)}, not as documented")
    for name, value in expected.query.items():
        if seen.query.get(name) != value:
            problems.append(f"{where}: query {name} is {_shown(seen.query.get(name))}")
    if expected.form:
        form = dict(parse_qsl(seen.body.decode(errors="replace"), keep_blank_values=True))
        if seen.headers.get("content-type", "").split(";")[0] != (
            "application/x-www-form-urlencoded"
        ):
            problems.append(f"{where}: the body is not urlencoded")
        for name, value in expected.form.items():
            if form.get(name) != value:
                problems.append(f"{where}: form field {name} is {_shown(form.get(name))}")
    if expected.json is not None:
        try:
            data = json.loads(seen.body or b"null")
        except ValueError:
            data = None
        if data != expected.json:
            problems.append(f"{where}: the JSON body is not as documented")
    return problems


def _shown(value: str | None) -> str:
    return "missing" if value is None else "different"
