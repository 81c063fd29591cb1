"""Delivery over SFTP against OpenSSH's sshd on a loopback port (tests/servers): whole
files only, under their name only when complete, in bounded memory; the failures in their
categories, transient or not."""

import contextlib
import hashlib
import os
import signal
import socket
import threading
import time
import tracemalloc
import uuid
from pathlib import Path

import pytest

from connections_admin.connection_types import delivery
from connections_admin.connection_types.builtin import LiveRamp, SalesforceMarketingCloud, Sftp
from connections_admin.connection_types.delivery import (
    AlreadyPublished,
    DeliveryContext,
    is_transient,
)
from connections_admin.connection_types.sftp_delivery import SftpDelivery
from connections_admin.outbound.failures import CheckFailed, Failure
from tests.connection_types.test_sftp_check import context as check_context
from tests.connection_types.test_sftp_check import loopback_allowed  # noqa: F401 (autouse)

MiB = 1024 * 1024


def context(server, user, **options):
    """As for Verify (``test_sftp_check.context``), with the user's own credential."""
    if "password" not in options and "ssh_private_key" not in options:
        if user.password:
            options["password"] = user.password
        else:
            options["ssh_private_key"] = user.private_key
    return DeliveryContext(**vars(check_context(server, user, **options)))


def open_session(delivery_context):
    return Sftp.delivery.open(delivery_context)


def failure_of(call, *args):
    with pytest.raises(CheckFailed) as failed:
        call(*args)
    return failed.value


def unique(prefix="export"):
    """Several test sessions may share the upload folder."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def numbered_chunks(count, size, digest=None, *, pause=0.0, after=None):
    """``count`` chunks of ``size`` bytes, each different; ``after(i)`` runs before chunk i."""
    block = os.urandom(size)
    for index in range(count):
        if after is not None:
            after(index)
        chunk = index.to_bytes(8, "big") + block[8:]
        if digest is not None:
            digest.update(chunk)
        yield chunk
        if pause:
            time.sleep(pause)


def publish_traced(session, name, digest, size=200 * MiB):
    """Publish ``size`` bytes in 64 KiB chunks (like CSV through gzip): (bytes written,
    peak of what Python allocated meanwhile, seconds)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        started = time.monotonic()
        written = session.publish(name, numbered_chunks(size // (64 * 1024), 64 * 1024, digest))
        elapsed = time.monotonic() - started
        return written, tracemalloc.get_traced_memory()[1] - before, elapsed
    finally:
        tracemalloc.stop()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(MiB):
            digest.update(block)
    return digest.hexdigest()


def session_processes(server) -> list[int]:
    """The sshd processes serving connections: the descendants of the listening sshd."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [], [server._process.pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def signal_sessions(server, signum) -> None:
    for pid in session_processes(server):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def test_a_multi_chunk_file_arrives_complete(sshd_server):
    user = sshd_server.password_user
    name = unique() + ".csv.gz"
    digest = hashlib.sha256()
    with open_session(context(sshd_server, user)) as session:
        assert session.host_key == sshd_server.host_key_fingerprint
        written = session.publish(name, numbered_chunks(37, 100_003, digest))
    path = user.upload / name
    assert written == 37 * 100_003 == path.stat().st_size
    assert sha256_of(path) == digest.hexdigest()
    assert not [p for p in user.upload.iterdir() if p.name.startswith(f".{name}")]
    path.unlink()


def test_key_login_and_exists(sshd_server):
    user = sshd_server.key_user
    name = unique() + ".csv"
    with open_session(context(sshd_server, user)) as session:
        assert not session.exists(name)
        assert session.publish(name, [b"id,email\n", b"1,a@example.com\n"]) == 25
        assert session.exists(name)
    assert (user.upload / name).read_bytes() == b"id,email\n1,a@example.com\n"
    (user.upload / name).unlink()


def test_an_empty_file_is_published_too(sshd_server):
    user = sshd_server.password_user
    name = unique() + ".csv"
    with open_session(context(sshd_server, user)) as session:
        assert session.publish(name, iter([])) == 0
    assert (user.upload / name).read_bytes() == b""
    (user.upload / name).unlink()


def test_a_reader_never_sees_the_final_name_before_the_file_is_complete(sshd_server):
    """A reader lists the folder every millisecond while the file is written: the final
    name appears only after the last chunk, and always with the whole content."""
    user = sshd_server.password_user
    name = unique() + ".csv"
    total = 48 * 256 * 1024
    digest = hashlib.sha256()
    chunks_done = threading.Event()
    stop = threading.Event()
    seen = {"partial": 0, "final_early": 0, "final_short": 0, "final": 0, "final_bad": 0}

    def read_folder():
        while not stop.is_set():
            for entry in os.scandir(user.upload):
                if entry.name.startswith(f".{name}.partial-"):
                    seen["partial"] += 1
                elif entry.name == name:
                    seen["final"] += 1
                    seen["final_early"] += not chunks_done.is_set()
                    try:
                        content = Path(entry.path).read_bytes()
                    except FileNotFoundError:
                        continue
                    seen["final_short"] += len(content) != total
                    seen["final_bad"] += hashlib.sha256(content).hexdigest() != digest.hexdigest()
            time.sleep(0.001)

    def chunks():
        yield from numbered_chunks(48, 256 * 1024, digest, pause=0.01)
        chunks_done.set()

    reader = threading.Thread(target=read_folder)
    reader.start()
    try:
        with open_session(context(sshd_server, user)) as session:
            session.publish(name, chunks())
        time.sleep(0.05)
    finally:
        stop.set()
        reader.join()
    (user.upload / name).unlink()
    assert seen["final_early"] == seen["final_short"] == seen["final_bad"] == 0, seen
    assert seen["final"] > 0
    assert seen["partial"] > 0, "the reader never looked while the file was being written"


def test_memory_does_not_grow_with_the_file(sshd_server):
    """200 MB from a generator of 64 KiB chunks (like CSV through gzip): the peak of what
    Python allocates meanwhile stays far below the file's size."""
    user = sshd_server.key_user
    name = unique() + ".csv.gz"
    digest = hashlib.sha256()
    with open_session(context(sshd_server, user)) as session:
        written, peak, elapsed = publish_traced(session, name, digest)
    path = user.upload / name
    try:
        assert written == 200 * MiB == path.stat().st_size
        assert sha256_of(path) == digest.hexdigest()
    finally:
        path.unlink()
    assert peak < 50 * MiB, f"peak {peak / MiB:.1f} MiB for a 200 MiB file"
    print(f"200 MiB in {elapsed:.2f} s, peak {peak / MiB:.1f} MiB traced")


def test_a_wrong_password_fails_authentication_at_once(sshd_server):
    user = sshd_server.password_user
    started = time.monotonic()
    failed = failure_of(open_session, context(sshd_server, user, password="not-the-password"))
    assert failed.failure is Failure.AUTHENTICATION_FAILED
    assert not is_transient(failed)
    assert time.monotonic() - started < 10
    assert "not-the-password" not in repr(failed) + str(failed) + failed.message


def test_a_read_only_folder(sshd_server):
    user = sshd_server.password_user
    name = unique() + ".csv"
    with open_session(context(sshd_server, user, folder=user.readonly)) as session:
        failed = failure_of(session.publish, name, [b"a,b\n"])
    assert failed.failure is Failure.NO_WRITE_PERMISSION
    assert not is_transient(failed)
    assert not [p for p in user.readonly.iterdir() if name in p.name]


def test_a_missing_folder(sshd_server):
    user = sshd_server.password_user
    failed = failure_of(open_session, context(sshd_server, user, folder=f"{user.upload}/missing"))
    assert failed.failure is Failure.NOT_FOUND


def test_a_changed_host_key_fails_before_any_password_is_sent(sshd_host_key_changed):
    server = sshd_host_key_changed
    user = server.password_user
    logged_before = len(server.log.read_text())
    failed = failure_of(open_session, context(server, user, known="SHA256:accepted-before"))
    assert failed.failure is Failure.HOST_KEY_CHANGED
    assert failed.host_key == server.host_key_fingerprint
    assert not is_transient(failed)
    assert "Accepted password" not in server.log.read_text()[logged_before:]


def test_a_published_file_is_never_replaced(sshd_server):
    user = sshd_server.password_user
    name = unique() + ".csv"
    with open_session(context(sshd_server, user)) as session:
        session.publish(name, [b"first\n"])
        with pytest.raises(AlreadyPublished):
            session.publish(name, [b"second\n"])
    assert (user.upload / name).read_bytes() == b"first\n"
    assert not [p for p in user.upload.iterdir() if p.name.startswith(f".{name}")]
    (user.upload / name).unlink()


def test_discard_partials_removes_the_leftovers_of_that_export_only(sshd_server):
    user = sshd_server.password_user
    prefix = unique("weekly") + "_vip_"
    leftovers = [
        f".{prefix}20250101T000000Z.csv.gz.partial-0123456789abcdef",
        f".{prefix}20250102T000000Z.csv.partial-fedcba9876543210",
    ]
    kept = [
        f".{unique('other')}_vip_20250101T000000Z.csv.partial-0123456789abcdef",
        f"{prefix}20250101T000000Z.csv.gz",  # a published file
        f".{prefix}notes",  # hidden but not ours
    ]
    for name in leftovers + kept:
        (user.upload / name).write_bytes(b"x")
    try:
        with open_session(context(sshd_server, user)) as session:
            assert session.discard_partials(prefix) == 2
            assert session.discard_partials(prefix) == 0
        assert not [name for name in leftovers if (user.upload / name).exists()]
        assert all((user.upload / name).exists() for name in kept)
    finally:
        for name in leftovers + kept:
            (user.upload / name).unlink(missing_ok=True)


def test_a_failing_chunk_source_leaves_no_file(sshd_server):
    user = sshd_server.password_user
    name = unique() + ".csv"

    def chunks():
        yield b"x" * 3 * MiB
        raise RuntimeError("the database went away")

    with open_session(context(sshd_server, user)) as session:
        with pytest.raises(RuntimeError):
            session.publish(name, chunks())
        assert not session.exists(name)
    assert not [p for p in user.upload.iterdir() if name in p.name]


def test_a_server_killed_mid_transfer_is_a_transient_failure_and_leaves_no_file(sshd_server):
    """The connection dies half way: CONNECTION_REFUSED, worth another attempt; the final
    name never appears, and the next attempt's discard_partials removes the leftover."""
    user = sshd_server.password_user
    name = unique() + ".csv"

    def kill_at(index):
        if index == 20:
            time.sleep(0.2)  # the first pieces are written
            signal_sessions(sshd_server, signal.SIGKILL)

    session = open_session(context(sshd_server, user))
    try:
        failed = failure_of(session.publish, name, numbered_chunks(60, 256 * 1024, after=kill_at))
    finally:
        session.close()
    assert failed.failure is Failure.CONNECTION_REFUSED
    assert is_transient(failed)
    assert not (user.upload / name).exists()
    assert [p for p in user.upload.iterdir() if p.name.startswith(f".{name}.partial-")]
    with open_session(context(sshd_server, user)) as session:
        assert session.discard_partials(name) == 1
        assert not session.exists(name)
        session.publish(name, [b"again\n"])
    assert (user.upload / name).read_bytes() == b"again\n"
    (user.upload / name).unlink()


def test_a_server_that_stops_answering_mid_transfer_times_out(sshd_server, monkeypatch):
    monkeypatch.setattr(delivery, "WRITE_TIMEOUT", 1.0)
    monkeypatch.setattr(delivery, "CLEANUP_TIMEOUT", 1.0)
    user = sshd_server.password_user
    name = unique() + ".csv"

    def stop_at(index):
        if index == 10:
            signal_sessions(sshd_server, signal.SIGSTOP)

    session = open_session(context(sshd_server, user))
    try:
        started = time.monotonic()
        failed = failure_of(session.publish, name, numbered_chunks(200, 256 * 1024, after=stop_at))
        elapsed = time.monotonic() - started
        session.close()
    finally:
        signal_sessions(sshd_server, signal.SIGKILL)
    assert failed.failure is Failure.TIMED_OUT
    assert is_transient(failed)
    assert elapsed < 10
    assert not (user.upload / name).exists()
    for leftover in user.upload.glob(f".{name}.partial-*"):
        leftover.unlink()


@contextlib.contextmanager
def internal_listener():
    """A server on 127.0.0.2 (internal.test): the port; at the end, nothing connected."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.2", 0))
        listener.listen(1)
        listener.setblocking(False)
        yield listener.getsockname()[1]
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_an_internal_address_is_refused_before_anything_is_sent(sshd_server):
    user = sshd_server.password_user
    with internal_listener() as port:
        internal = context(sshd_server, user, host="internal.test", port=port)
        failed = failure_of(open_session, internal)
    assert failed.failure is Failure.ADDRESS_NOT_ALLOWED


def test_the_sftp_types_declare_their_delivery():
    assert isinstance(Sftp.delivery, SftpDelivery)
    assert isinstance(SalesforceMarketingCloud.delivery, SftpDelivery)
    assert LiveRamp.delivery.fixed_host == "files.liveramp.com"
    assert LiveRamp.delivery.fixed_folder == "uploads"
    assert LiveRamp.delivery.where({}) == ("files.liveramp.com", 22, "uploads")


@pytest.mark.parametrize(
    ("failed", "transient"),
    [
        (CheckFailed(Failure.TIMED_OUT), True),
        (CheckFailed(Failure.CONNECTION_REFUSED), True),
        (CheckFailed(Failure.SERVICE_ERROR, 429), True),
        (CheckFailed(Failure.SERVICE_ERROR, 503), True),
        (CheckFailed(Failure.SERVICE_ERROR), True),
        (CheckFailed(Failure.SERVICE_ERROR, 400), False),
        (CheckFailed(Failure.AUTHENTICATION_FAILED), False),
        (CheckFailed(Failure.NO_WRITE_PERMISSION), False),
        (CheckFailed(Failure.HOST_KEY_CHANGED), False),
        (CheckFailed(Failure.NOT_FOUND), False),
        (CheckFailed(Failure.ADDRESS_NOT_ALLOWED), False),
    ],
)
def test_which_failures_are_transient(failed, transient):
    assert is_transient(failed) is transient


@pytest.mark.parametrize("name", ["", ".hidden.csv", "a/b.csv", "../up.csv"])
def test_a_name_is_a_plain_file_name(name):
    with pytest.raises(ValueError):
        delivery.check_name(name)
