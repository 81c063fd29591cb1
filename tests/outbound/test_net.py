"""Resolve once, refuse before any packet, connect to the checked address."""

import socket
import threading
import time

import pytest

from connections_admin.outbound import net
from connections_admin.outbound.failures import CheckFailed, Failure

from .conftest import ALLOWED_IP, REFUSED_IP


def failure_of(call) -> Failure:
    with pytest.raises(CheckFailed) as caught:
        call()
    return caught.value.failure


# --- the deadline ----------------------------------------------------------------------------


def test_deadline_gives_the_smaller_of_what_is_left_and_the_per_operation_timeout():
    deadline = net.Deadline(20)
    assert deadline.timeout(5) == 5
    assert 19 < deadline.timeout() <= 20
    short = net.Deadline(0.2)
    assert short.timeout(5) <= 0.2
    time.sleep(0.25)
    assert short.expired
    assert failure_of(lambda: short.timeout(5)) is Failure.TIMED_OUT


# --- resolving ----------------------------------------------------------------------------


def test_resolve_uses_the_test_hosts_first_and_never_calls_the_resolver_for_them():
    def resolver(host, port):
        raise AssertionError("not to be called")

    assert [str(a) for a in net.resolve("allowed.test", 443, resolver=resolver)] == [ALLOWED_IP]
    assert [str(a) for a in net.resolve("ALLOWED.test", 443, resolver=resolver)] == [ALLOWED_IP]


def test_an_ip_literal_is_its_own_address():
    assert [str(a) for a in net.resolve("[::1]", 22)] == ["::1"]
    assert [str(a) for a in net.resolve("::ffff:127.0.0.1", 22)] == ["127.0.0.1"]


def test_the_injected_resolver_is_used_and_duplicates_dropped():
    seen = []

    def resolver(host, port):
        seen.append((host, port))
        return [ALLOWED_IP, ALLOWED_IP, "::1"]

    addresses = net.resolve("somewhere.example", 22, resolver=resolver)
    assert [str(a) for a in addresses] == [ALLOWED_IP, "::1"]
    assert seen == [("somewhere.example", 22)]


@pytest.mark.parametrize("host", ["broken.test", "nothing-here.invalid", "", "a\x00b"])
def test_an_unknown_name_is_not_resolved(host):
    deadline = net.Deadline(5)
    assert failure_of(lambda: net.resolve(host, 22, deadline=deadline)) is (
        Failure.NAME_NOT_RESOLVED
    )
    assert failure_of(lambda: net.connect(host, 22, deadline=deadline)) is (
        Failure.NAME_NOT_RESOLVED
    )


def test_a_resolver_failure_is_a_category_not_its_text():
    def resolver(host, port):
        raise socket.gaierror(-2, "Name or service not known: secret-host.internal")

    with pytest.raises(CheckFailed) as caught:
        net.resolve("secret-host.internal", 22, resolver=resolver)
    assert caught.value.failure is Failure.NAME_NOT_RESOLVED
    assert "secret-host" not in str(caught.value)
    assert caught.value.message == "The name could not be resolved."


def test_a_slow_resolver_is_cut_off_by_the_deadline():
    release = threading.Event()

    def resolver(host, port):
        release.wait(5)
        return [ALLOWED_IP]

    started = time.monotonic()
    try:
        failure = failure_of(
            lambda: net.resolve("slow.example", 22, deadline=net.Deadline(0.3), resolver=resolver)
        )
    finally:
        release.set()
    assert failure is Failure.TIMED_OUT
    assert time.monotonic() - started < 2


# --- connecting ----------------------------------------------------------------------------


def test_connect_reaches_an_allowed_address(silent_listener_on):
    listener = silent_listener_on(ALLOWED_IP)
    sock = net.connect("allowed.test", listener.port, deadline=net.Deadline(5))
    try:
        assert sock.getpeername() == (ALLOWED_IP, listener.port)
        assert 0 < sock.gettimeout() <= 5
    finally:
        sock.close()


def test_a_refused_address_gets_no_packet(silent_listener_on):
    listener = silent_listener_on(REFUSED_IP)
    port = listener.port
    for host in ("refused.test", REFUSED_IP):
        assert failure_of(lambda h=host: net.connect(h, port, deadline=net.Deadline(5))) is (
            Failure.ADDRESS_NOT_ALLOWED
        )
    time.sleep(0.3)  # time for an accept to happen, had a SYN been sent
    assert listener.accepted == []
    # The listener works: a direct connection (not through the guard) is accepted.
    with socket.create_connection((REFUSED_IP, port), timeout=2):
        deadline = time.monotonic() + 2
        while not listener.accepted and time.monotonic() < deadline:
            time.sleep(0.02)
    assert len(listener.accepted) == 1


def test_a_name_with_a_refused_and_an_allowed_address_uses_only_the_allowed_one(
    silent_listener_on,
):
    refused = silent_listener_on(REFUSED_IP)
    allowed = silent_listener_on(ALLOWED_IP, refused.port)
    sock = net.connect("mixed.test", allowed.port, deadline=net.Deadline(5))
    sock.close()
    time.sleep(0.2)
    assert refused.accepted == []
    assert len(allowed.accepted) == 1


def test_a_closed_port_is_connection_refused(closed_port):
    assert failure_of(
        lambda: net.connect("allowed.test", closed_port, deadline=net.Deadline(5))
    ) is (Failure.CONNECTION_REFUSED)


def test_the_deadline_bounds_the_connect(silent_listener_on):
    # A listener whose backlog is full leaves new SYNs unanswered: the connect hangs.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((ALLOWED_IP, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            filler.connect_ex((ALLOWED_IP, port))
            fillers.append(filler)
        started = time.monotonic()
        failure = failure_of(
            lambda: net.connect("allowed.test", port, deadline=net.Deadline(0.5), timeout=5)
        )
        assert failure is Failure.TIMED_OUT
        assert time.monotonic() - started < 2
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
