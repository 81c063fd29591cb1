"""The guard under requests (for the Azure SDK): same checks as ``http.request``."""

import time

import pytest

from connections_admin.outbound import http, net
from connections_admin.outbound.failures import CheckFailed, Failure

from .conftest import REFUSED_IP

requests = pytest.importorskip("requests")


def failure_of(call) -> Failure:
    with pytest.raises(CheckFailed) as caught:
        call()
    return caught.value.failure


def test_trusted_server_answers(trust_test_ca, https_server):
    with http.requests_session() as session:
        response = session.get(f"https://allowed.test:{https_server.server_port}/ok", timeout=5)
    assert response.status_code == 200
    assert response.content == b"hello"


def test_untrusted_certificate_even_when_the_caller_turns_verification_off(https_server):
    url = f"https://allowed.test:{https_server.server_port}/ok"
    with http.requests_session() as session:
        assert failure_of(lambda: session.get(url, timeout=5)) is Failure.TLS_UNTRUSTED
        assert failure_of(lambda: session.get(url, timeout=5, verify=False)) is (
            Failure.TLS_UNTRUSTED
        )
    assert https_server.hits == []


def test_refused_address_gets_no_packet(silent_listener_on):
    listener = silent_listener_on(REFUSED_IP)
    with http.requests_session() as session:
        for host in ("refused.test", REFUSED_IP):
            url = f"https://{host}:{listener.port}/"
            assert failure_of(lambda u=url: session.get(u, timeout=5)) is (
                Failure.ADDRESS_NOT_ALLOWED
            )
    time.sleep(0.2)
    assert listener.accepted == []


def test_a_redirect_to_a_refused_address_is_refused(trust_test_ca, https_server, monkeypatch):
    # The test server redirects to 127.0.0.1; make that address refused for this test.
    with http.requests_session() as session:
        response = session.get(
            f"https://allowed.test:{https_server.server_port}/redirect",
            timeout=5,
            allow_redirects=False,
        )
        assert response.status_code == 302
        from django.conf import settings

        monkeypatch.setattr(settings, "CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS", [])
        assert failure_of(
            lambda: session.get(
                f"https://allowed.test:{https_server.server_port}/redirect", timeout=5
            )
        ) is (Failure.ADDRESS_NOT_ALLOWED)


def test_plain_http_and_proxies_are_refused(monkeypatch, silent_listener_on):
    proxy = silent_listener_on("127.0.0.1")
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
    with http.requests_session() as session:
        session.trust_env = True  # as azure-core may set it
        with pytest.raises(requests.exceptions.InvalidSchema):
            session.get("http://allowed.test/", timeout=5)
        # The proxy is ignored: the guard connects (and refuses) by itself.
        assert failure_of(lambda: session.get("https://refused.test/", timeout=5)) is (
            Failure.ADDRESS_NOT_ALLOWED
        )
    assert proxy.accepted == []


def test_the_deadline_bounds_a_silent_server(silent_listener_on):
    listener = silent_listener_on("127.0.0.1")
    started = time.monotonic()
    with http.requests_session(deadline=net.Deadline(0.5)) as session:
        assert failure_of(
            lambda: session.get(f"https://allowed.test:{listener.port}/", timeout=30)
        ) is (Failure.TIMED_OUT)
    assert time.monotonic() - started < 2


def test_closed_port_and_unknown_name(closed_port):
    with http.requests_session() as session:
        assert failure_of(
            lambda: session.get(f"https://allowed.test:{closed_port}/", timeout=5)
        ) is (Failure.CONNECTION_REFUSED)
        assert failure_of(lambda: session.get("https://nothing-here.invalid/", timeout=5)) is (
            Failure.NAME_NOT_RESOLVED
        )


def test_azure_requests_transport_goes_through_the_guard(trust_test_ca, https_server):
    transport_module = pytest.importorskip("azure.core.pipeline.transport")
    rest = pytest.importorskip("azure.core.rest")
    transport = transport_module.RequestsTransport(session=http.requests_session())
    with transport:
        url = f"https://allowed.test:{https_server.server_port}/ok"
        response = transport.send(rest.HttpRequest("GET", url))
        assert response.status_code == 200
        assert failure_of(
            lambda: transport.send(rest.HttpRequest("GET", "https://refused.test/"))
        ) is (Failure.ADDRESS_NOT_ALLOWED)
