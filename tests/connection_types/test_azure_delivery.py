"""Delivery to Azure Blob Storage and ADLS Gen2 against Azurite on a loopback port, over
HTTPS with the tests' own CA (tests/servers): blobs exist only once committed whole, in
bounded memory; the failures in their categories, transient or not."""

import base64
import contextlib
import hashlib
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from azure.core.exceptions import HttpResponseError

from connections_admin.connection_types import delivery
from connections_admin.connection_types.azure_check import azure_failure
from connections_admin.connection_types.azure_delivery import BLOCK, AzureBlobDelivery
from connections_admin.connection_types.builtin import (
    AzureBlobStorage,
    AzureDataLakeGen2,
    Marketo,
    SendGrid,
)
from connections_admin.connection_types.delivery import (
    AlreadyPublished,
    DeliveryContext,
    is_transient,
)
from connections_admin.outbound.failures import Failure
from tests.connection_types.test_azure_check import azure  # noqa: F401 (settings fixture)
from tests.connection_types.test_azure_check import context as check_context
from tests.connection_types.test_sftp_delivery import (
    failure_of,
    internal_listener,
    numbered_chunks,
    publish_traced,
    unique,
)

MiB = 1024 * 1024

# The loopback settings of the Verify tests: Azurite's endpoint, its CA, loopback allowed.
pytestmark = pytest.mark.usefixtures("azure")


@pytest.fixture
def azurite(azurite_server):
    return azurite_server


def context(server, **options):
    """As for Verify (``test_azure_check.context``)."""
    return DeliveryContext(**vars(check_context(server, **options)))


def container_of(server):
    return server.blob_service_client().get_container_client(server.container)


def listed(server, name):
    return [b.name for b in container_of(server).list_blobs(name_starts_with=name)]


@pytest.mark.parametrize("type_", [AzureBlobStorage, AzureDataLakeGen2])
def test_a_multi_chunk_file_arrives_complete(azurite, type_):
    name = unique() + ".csv.gz"
    digest = hashlib.sha256()
    with type_.delivery.open(context(azurite)) as session:
        assert not session.exists(name)
        written = session.publish(name, numbered_chunks(97, 100_003, digest))
        assert session.exists(name)
    content = container_of(azurite).download_blob(name).readall()
    assert written == 97 * 100_003 == len(content)
    assert hashlib.sha256(content).hexdigest() == digest.hexdigest()
    assert listed(azurite, name) == [name]
    container_of(azurite).delete_blob(name)


def test_the_blob_is_invisible_until_it_is_committed(azurite, monkeypatch):
    """While blocks are staged (some are: the service answered), the blob is neither
    listed nor found; a reader polling meanwhile sees it only once whole."""
    from azure.storage.blob import BlobClient

    staged = []
    stage_block = BlobClient.stage_block

    def counting_stage_block(self, *args, **kwargs):
        answer = stage_block(self, *args, **kwargs)
        staged.append(args[0])
        return answer

    monkeypatch.setattr(BlobClient, "stage_block", counting_stage_block)
    name = unique() + ".csv"
    total = 5 * BLOCK
    digest = hashlib.sha256()
    chunks_done = threading.Event()
    stop = threading.Event()
    seen = {"during": [], "early": 0, "short": 0, "final": 0}
    reader_container = container_of(azurite)

    def read_container():
        while not stop.is_set():
            if listed(azurite, name):
                seen["final"] += 1
                seen["early"] += not chunks_done.is_set()
                size = reader_container.get_blob_client(name).get_blob_properties().size
                seen["short"] += size != total
            time.sleep(0.003)

    def look(index):
        if index == 3 * 4:  # three blocks' worth handed over, and more to come
            time.sleep(0.3)
            blob = reader_container.get_blob_client(name)
            seen["during"].append((blob.exists(), listed(azurite, name), len(staged)))

    def chunks():
        yield from numbered_chunks(5 * 4, BLOCK // 4, digest, after=look)
        chunks_done.set()

    reader = threading.Thread(target=read_container)
    reader.start()
    try:
        with AzureBlobStorage.delivery.open(context(azurite)) as session:
            session.publish(name, chunks())
        time.sleep(0.05)
    finally:
        stop.set()
        reader.join()
    content = reader_container.download_blob(name).readall()
    reader_container.delete_blob(name)
    assert seen["during"] and seen["during"][0][:2] == (False, [])
    assert seen["during"][0][2] >= 1, "no block was staged before the commit"
    assert seen["final"] > 0
    assert seen["early"] == seen["short"] == 0, seen
    assert hashlib.sha256(content).hexdigest() == digest.hexdigest()


def test_memory_does_not_grow_with_the_file(azurite):
    name = unique() + ".csv.gz"
    digest = hashlib.sha256()
    with AzureBlobStorage.delivery.open(context(azurite)) as session:
        written, peak, elapsed = publish_traced(session, name, digest)
    blob = container_of(azurite).get_blob_client(name)
    try:
        assert written == 200 * MiB == blob.get_blob_properties().size
        check = hashlib.sha256()
        for part in blob.download_blob().chunks():
            check.update(part)
        assert check.hexdigest() == digest.hexdigest()
    finally:
        blob.delete_blob()
    assert peak < 50 * MiB, f"peak {peak / MiB:.1f} MiB for a 200 MiB blob"
    print(f"200 MiB in {elapsed:.2f} s, peak {peak / MiB:.1f} MiB traced")


def test_a_wrong_key_fails_authentication_at_once(azurite):
    wrong = base64.b64encode(b"not the account key at all, 64 bytes long ........").decode()
    failed = failure_of(AzureBlobStorage.delivery.open, context(azurite, key=wrong))
    assert failed.failure is Failure.AUTHENTICATION_FAILED
    assert not is_transient(failed)
    assert wrong not in repr(failed) + failed.message


def test_a_missing_container(azurite):
    failed = failure_of(AzureBlobStorage.delivery.open, context(azurite, container="no-such"))
    assert failed.failure is Failure.NOT_FOUND
    assert not is_transient(failed)


def test_a_published_blob_is_never_replaced(azurite):
    name = unique() + ".csv"
    with AzureBlobStorage.delivery.open(context(azurite)) as session:
        session.publish(name, [b"first\n"])
        with pytest.raises(AlreadyPublished):
            session.publish(name, [b"second\n"])
        assert session.discard_partials(name) == 0
    assert container_of(azurite).download_blob(name).readall() == b"first\n"
    container_of(azurite).delete_blob(name)


def test_a_commit_racing_another_workers_commit_does_not_replace_it(azurite, monkeypatch):
    """Another worker commits the same name between our look and our commit: the
    commit's If-None-Match keeps theirs."""
    name = unique() + ".csv"
    with AzureBlobStorage.delivery.open(context(azurite)) as session:

        def chunks():
            yield b"ours\n"
            container_of(azurite).upload_blob(name, b"theirs\n")

        with pytest.raises(AlreadyPublished):
            session.publish(name, chunks())
    assert container_of(azurite).download_blob(name).readall() == b"theirs\n"
    container_of(azurite).delete_blob(name)


class Proxy:
    """A TCP relay in front of Azurite (TLS passes through): ``kill()`` drops every
    connection and stops listening, ``pause()`` stops relaying."""

    def __init__(self, port):
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        self.relaying = threading.Event()
        self.relaying.set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            self.sockets += [client, server]
            for one, other in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(one, other), daemon=True).start()

    def _pump(self, source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                self.relaying.wait()
                sink.sendall(data)

    def pause(self):
        self.relaying.clear()

    def kill(self):
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.relaying.set()


@pytest.fixture
def proxy(azurite, settings):
    relay = Proxy(urlsplit(azurite.endpoint).port)
    settings.CONNECTIONS_AZURE_BLOB_ENDPOINT = f"https://127.0.0.1:{relay.port}/{{account}}"
    yield relay
    relay.kill()


def test_a_service_gone_mid_transfer_is_a_transient_failure_and_publishes_nothing(azurite, proxy):
    name = unique() + ".csv"

    def kill_at(index):
        if index == 20:
            time.sleep(0.2)
            proxy.kill()

    with AzureBlobStorage.delivery.open(context(azurite)) as session:
        failed = failure_of(session.publish, name, numbered_chunks(60, MiB, after=kill_at))
    assert failed.failure is Failure.CONNECTION_REFUSED
    assert is_transient(failed)
    assert not container_of(azurite).get_blob_client(name).exists()


def test_a_service_that_stops_answering_times_out(azurite, proxy, monkeypatch):
    monkeypatch.setattr(delivery, "WRITE_TIMEOUT", 1.0)
    name = unique() + ".csv"

    def pause_at(index):
        if index == 10:
            proxy.pause()

    with AzureBlobStorage.delivery.open(context(azurite)) as session:
        started = time.monotonic()
        failed = failure_of(session.publish, name, numbered_chunks(60, MiB, after=pause_at))
        elapsed = time.monotonic() - started
    assert is_transient(failed), failed
    assert failed.failure in (Failure.TIMED_OUT, Failure.CONNECTION_REFUSED)
    assert elapsed < 15
    assert not container_of(azurite).get_blob_client(name).exists()


def test_an_internal_address_is_refused_before_anything_is_sent(azurite, settings):
    settings.CONNECTIONS_OUTBOUND_TEST_HOSTS = {"internal.test": ["127.0.0.2"]}
    with internal_listener() as port:
        settings.CONNECTIONS_AZURE_BLOB_ENDPOINT = f"https://internal.test:{port}/{{account}}"
        failed = failure_of(AzureBlobStorage.delivery.open, context(azurite))
    assert failed.failure is Failure.ADDRESS_NOT_ALLOWED


def _http_error(status, code=""):
    error = HttpResponseError(message="from the service")
    error.status_code = status
    error.error_code = code
    return error


@pytest.mark.parametrize(
    ("status", "code", "failure", "transient"),
    [
        (403, "AuthorizationPermissionMismatch", Failure.NO_WRITE_PERMISSION, False),
        (429, "", Failure.SERVICE_ERROR, True),
        (500, "InternalError", Failure.SERVICE_ERROR, True),
        (503, "ServerBusy", Failure.SERVICE_ERROR, True),
        (400, "InvalidBlockId", Failure.SERVICE_ERROR, False),
    ],
)
def test_what_the_services_answers_mean_while_writing(status, code, failure, transient):
    failed = azure_failure(_http_error(status, code), writing=True)
    assert failed.failure is failure
    assert is_transient(failed) is transient
    if failure is Failure.SERVICE_ERROR:
        assert failed.status == status


def test_the_azure_types_declare_their_delivery_and_the_api_types_none():
    assert isinstance(AzureBlobStorage.delivery, AzureBlobDelivery)
    assert isinstance(AzureDataLakeGen2.delivery, AzureBlobDelivery)
    assert Marketo.delivery is None
    assert SendGrid.delivery is None
