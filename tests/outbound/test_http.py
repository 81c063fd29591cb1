"""HTTPS through the guard: verified certificates, no redirects, capped bodies, deadlines."""

import time

import pytest

from connections_admin.outbound import http, net
from connections_admin.outbound.failures import CheckFailed, Failure

from .conftest import ALLOWED_IP, REFUSED_IP


def get(url, seconds=5, **kwargs):
    return http.request("GET", url, deadline=net.Deadline(seconds), **kwargs)


def failure_of(call) -> CheckFailed:
    with pytest.raises(CheckFailed) as caught:
        call()
    return caught.value


def test_an_untrusted_certificate_is_refused(https_server):
    port = https_server.server_port
    failed = failure_of(lambda: get(f"https://allowed.test:{port}/ok"))
    assert failed.failure is Failure.TLS_UNTRUSTED
    assert failed.message == "The TLS certificate is not trusted."
    assert https_server.hits == []


@pytest.mark.parametrize("host", ["allowed.test", ALLOWED_IP])
def test_with_the_extra_ca_the_answer_comes_back(trust_test_ca, https_server, host):
    port = https_server.server_port
    response = get(f"https://{host}:{port}/ok?x=1")
    assert response.status == 200
    assert response.ok
    assert response.body == b"hello"
    assert response.headers["x-test"] == "yes"
    assert response.headers["X-TEST"] == "yes"
    assert not response.truncated
    response.raise_for_status()
    assert https_server.hits == ["/ok?x=1"]


def test_the_certificate_must_name_the_host(trust_test_ca, https_server, settings):
    # Same server, same CA, but reached as a name the certificate does not carry.
    settings.CONNECTIONS_OUTBOUND_TEST_HOSTS = {"other.test": [ALLOWED_IP]}
    failed = failure_of(lambda: get(f"https://other.test:{https_server.server_port}/ok"))
    assert failed.failure is Failure.TLS_UNTRUSTED


def test_a_redirect_is_not_followed(trust_test_ca, https_server):
    response = get(f"https://allowed.test:{https_server.server_port}/redirect")
    assert response.status == 302
    assert https_server.hits == ["/redirect"]
    failed = failure_of(response.raise_for_status)
    assert failed.failure is Failure.SERVICE_ERROR
    assert failed.status == 302
    assert failed.message == "The service answered with an error (302)."


def test_error_statuses_are_answers_and_map_on_raise(trust_test_ca, https_server):
    response = get(f"https://allowed.test:{https_server.server_port}/missing")
    assert response.status == 404
    assert failure_of(response.raise_for_status).failure is Failure.SERVICE_ERROR


def test_the_body_is_capped(trust_test_ca, https_server):
    response = get(f"https://allowed.test:{https_server.server_port}/big")
    assert len(response.body) == http.MAX_BODY
    assert response.truncated


def test_a_refused_address_is_refused_before_tls(https_server, silent_listener_on):
    listener = silent_listener_on(REFUSED_IP)
    assert failure_of(lambda: get(f"https://refused.test:{listener.port}/")).failure is (
        Failure.ADDRESS_NOT_ALLOWED
    )
    assert failure_of(lambda: get(f"https://{REFUSED_IP}:{listener.port}/")).failure is (
        Failure.ADDRESS_NOT_ALLOWED
    )
    time.sleep(0.2)
    assert listener.accepted == []


def test_a_server_that_never_answers_times_out_within_the_deadline(silent_listener_on):
    listener = silent_listener_on(ALLOWED_IP)
    started = time.monotonic()
    failed = failure_of(lambda: get(f"https://allowed.test:{listener.port}/", seconds=0.5))
    assert failed.failure is Failure.TIMED_OUT
    assert time.monotonic() - started < 2
    assert len(listener.accepted) == 1


@pytest.mark.parametrize("path", ["/drip", "/drip-headers"])
def test_a_dripping_server_cannot_outlast_the_deadline(trust_test_ca, https_server, path):
    # A byte or a header line every 0.1 s: each read is quick, the whole takes 9 s or more.
    started = time.monotonic()
    failed = failure_of(
        lambda: get(f"https://allowed.test:{https_server.server_port}{path}", seconds=1)
    )
    assert failed.failure is Failure.TIMED_OUT
    assert time.monotonic() - started < 3


def test_a_closed_port_is_connection_refused(closed_port):
    assert failure_of(lambda: get(f"https://allowed.test:{closed_port}/")).failure is (
        Failure.CONNECTION_REFUSED
    )


def test_an_unknown_name_is_not_resolved():
    assert failure_of(lambda: get("https://nothing-here.invalid/")).failure is (
        Failure.NAME_NOT_RESOLVED
    )


@pytest.mark.parametrize(
    "url",
    ["http://allowed.test/", "ftp://allowed.test/", "https://user:pw@allowed.test/", "https:///x"],
)
def test_only_plain_https_urls(url):
    with pytest.raises(ValueError):
        get(url)
