"""Loopback servers and a throwaway CA for the outbound tests.

Only loopback addresses are ever connected to: the guard is tested with addresses of
127.0.0.0/8 outside its allow-list (127.0.0.1/32 allowed, 127.0.0.2 refused).
"""

import datetime
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ALLOWED_IP = "127.0.0.1"
REFUSED_IP = "127.0.0.2"  # loopback, but outside the allow-list below
TEST_HOSTS = {
    "allowed.test": [ALLOWED_IP],
    "refused.test": [REFUSED_IP],
    "mixed.test": [REFUSED_IP, ALLOWED_IP],
    "broken.test": [],  # resolves to nothing: NAME_NOT_RESOLVED
}


@pytest.fixture(autouse=True)
def outbound_settings(settings):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = [f"{ALLOWED_IP}/32"]
    settings.CONNECTIONS_OUTBOUND_TEST_HOSTS = TEST_HOSTS
    settings.CONNECTIONS_OUTBOUND_EXTRA_CA_FILE = ""
    return settings


# --- a tiny CA ---------------------------------------------------------------------------


@dataclass
class Pki:
    ca_file: str
    cert_file: str
    key_file: str


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Outbound test CA"))
        .issuer_name(_name("Outbound test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("allowed.test"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("allowed.test"),
                    x509.IPAddress(ipaddress.ip_address(ALLOWED_IP)),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file = folder / "server.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file = folder / "server.key"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Pki(str(ca_file), str(cert_file), str(key_file))


@pytest.fixture
def trust_test_ca(settings, pki):
    settings.CONNECTIONS_OUTBOUND_EXTRA_CA_FILE = pki.ca_file
    return pki


# --- loopback servers ----------------------------------------------------------------------


@dataclass
class Listener:
    """A TCP listener that counts the connections it accepted, and answers nothing."""

    sock: socket.socket
    accepted: list = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]


def _listen(address: str, port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(8)
    return sock


@pytest.fixture
def silent_listener_on():
    """silent_listener_on(address[, port]): accepts connections, never says a word."""
    made: list[Listener] = []
    stop = threading.Event()

    def start(address: str, port: int = 0) -> Listener:
        listener = Listener(_listen(address, port))
        listener.sock.settimeout(0.05)

        def run():
            while not stop.is_set():
                try:
                    conn, _ = listener.sock.accept()
                except (TimeoutError, OSError):
                    continue
                listener.accepted.append(conn)

        threading.Thread(target=run, daemon=True).start()
        made.append(listener)
        return listener

    yield start
    stop.set()
    for listener in made:
        for conn in listener.accepted:
            conn.close()
        listener.sock.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nobody listening on it."""
    sock = _listen(ALLOWED_IP)
    port = sock.getsockname()[1]
    sock.close()
    return port


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        self.server.hits.append(self.path)
        path = self.path.split("?", 1)[0]
        if path == "/ok":
            self._send(200, b"hello", {"X-Test": "yes"})
        elif path == "/redirect":
            target = f"https://{ALLOWED_IP}:{self.server.server_port}/ok"
            self._send(302, b"", {"Location": target})
        elif path == "/big":
            self._send(200, b"x" * (2 * 1024 * 1024))
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                threading.Event().wait(0.1)
        elif path == "/drip-headers":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for n in range(90):
                try:
                    self.wfile.write(f"X-Slow-{n}: x\r\n".encode())
                    self.wfile.flush()
                except OSError:
                    return
                threading.Event().wait(0.1)
        else:
            self._send(404, b"no")


@pytest.fixture
def https_server(pki):
    """An HTTPS server on 127.0.0.1 with a certificate of the test CA."""
    server = ThreadingHTTPServer((ALLOWED_IP, 0), Handler)
    server.daemon_threads = True
    server.hits = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.cert_file, pki.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
