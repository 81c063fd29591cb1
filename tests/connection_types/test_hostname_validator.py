"""The hostname validator: IP literals go through the outbound policy; junk is a form error."""

import pytest
from django.core.exceptions import ValidationError

from connections_admin.connection_types.validators import validate_hostname


def messages(value) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_hostname(value)
    return caught.value.messages


@pytest.mark.parametrize(
    "value",
    ["sftp\x00.example.com", "\x00", "127.0.0.1\x00", "\ud800.example", "[::169.254.169.254]"],
)
def test_junk_is_a_form_error_not_a_crash(value):
    assert messages(value)


@pytest.mark.parametrize(
    "value",
    [
        "10.0.0.5",
        "::1",
        "::ffff:10.0.0.1",
        # IPv6 forms that embed an internal IPv4 address (issue 13, item 23): NAT64,
        # 6to4 and IPv4-compatible.
        "64:ff9b::a9fe:a9fe",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::",
        "::127.0.0.1",
        "::169.254.169.254",
        "64:ff9b:1::a9fe:a9fe",
    ],
)
def test_an_internal_literal_is_not_allowed(settings, value):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = []
    assert messages(value) == ["The address is not allowed."]


def test_a_literal_in_the_allowed_networks_passes_at_save(settings):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    validate_hostname("127.0.0.1")
    # Names are still judged by the name rules, not resolved.
    assert messages("localhost") == ["Enter the service's public hostname, not a local one."]


def test_a_public_literal_and_a_name_pass(settings):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = []
    validate_hostname("8.8.8.8")
    validate_hostname("2001:4860:4860::8888")
    validate_hostname("sftp.example.com")
