"""Which addresses the guard lets through: pure classification, nothing is sent."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from connections_admin.outbound import policy
from connections_admin.outbound.failures import CheckFailed, Failure

REFUSED = [
    "127.0.0.2",  # loopback outside the allow-list
    "0.0.0.0",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.10",
    "100.64.0.1",
    "100.100.100.200",  # Alibaba metadata, shared address space
    "169.254.169.254",  # metadata
    "169.254.1.1",
    "192.0.0.9",
    "192.0.2.1",
    "198.18.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fe80::1",
    "fe80::1%1",
    "fc00::1",
    "fd00:ec2::254",  # metadata over IPv6
    "fec0::1",
    "ff02::1",
    "ff0e::1",
    "2001:db8::1",
    "::ffff:10.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::10.0.0.1",  # IPv4-compatible
    "::8.8.8.8",  # IPv4-compatible, deprecated whatever it carries
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::7f00:2",  # NAT64 of 127.0.0.2
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::808:808",  # local-use NAT64
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:808:808::1",  # 6to4, whatever it carries
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "[::1]",
    "not an address",
    "",
]
ALLOWED = [
    "127.0.0.1",  # in the test allow-list
    "::ffff:127.0.0.1",  # the same address on the wire
    "8.8.8.8",
    "203.0.114.7",
    "2001:4860:4860::8888",
    "64:ff9b::808:808",  # NAT64 of a public address
    "[2001:4860:4860::8888]",
]


@pytest.mark.parametrize("address", REFUSED)
def test_refused(address):
    assert not policy.is_allowed(address)
    with pytest.raises(CheckFailed) as caught:
        policy.check_address(address)
    assert caught.value.failure is Failure.ADDRESS_NOT_ALLOWED


@pytest.mark.parametrize("address", ALLOWED)
def test_allowed(address):
    assert policy.is_allowed(address)
    policy.check_address(address)


def test_address_objects_are_accepted_too():
    assert policy.is_allowed(ipaddress.ip_address("8.8.8.8"))
    assert not policy.is_allowed(ipaddress.ip_address("10.0.0.1"))


def test_no_allowed_networks_by_default_refuses_loopback(settings):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = []
    assert policy.allowed_networks() == ()
    assert not policy.is_allowed("127.0.0.1")


def test_allowed_networks_read_from_a_comma_separated_string(settings):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = " 10.20.0.0/16, ::1/128 ,"
    assert policy.allowed_networks() == (
        ipaddress.ip_network("10.20.0.0/16"),
        ipaddress.ip_network("::1/128"),
    )
    assert policy.is_allowed("10.20.3.4")
    assert policy.is_allowed("::1")
    assert not policy.is_allowed("10.21.0.1")


def test_an_invalid_allowed_network_is_a_configuration_error(settings):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = ["10.0.0.1/8"]  # host bits set
    with pytest.raises(ImproperlyConfigured):
        policy.allowed_networks()


def test_an_allowed_network_opens_an_embedded_form_only_when_it_contains_it(settings):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert policy.is_allowed("::ffff:127.0.0.2")  # mapped: the IPv4 itself
    assert not policy.is_allowed("64:ff9b::7f00:2")  # NAT64 goes through a translator
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = ["64:ff9b::/96"]
    assert policy.is_allowed("64:ff9b::7f00:2")


@pytest.mark.parametrize("address", sorted(map(str, policy.METADATA_ADDRESSES)))
def test_metadata_stays_refused_inside_a_wider_allowed_network(settings, address):
    wide = "fc00::/7" if ":" in address else "0.0.0.0/0"
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = [wide]
    assert not policy.is_allowed(address)
    exact = f"{address}/128" if ":" in address else f"{address}/32"
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = [wide, exact]
    assert policy.is_allowed(address)


# --- every non-global IPv4, in every IPv6 form that carries one ----------------------------

non_global_v4 = st.one_of(
    *[
        st.integers(int(net.network_address), int(net.broadcast_address)).map(ipaddress.IPv4Address)
        for net in policy._REFUSED_V4
    ]
)


def embeddings(v4: ipaddress.IPv4Address) -> list[ipaddress.IPv6Address]:
    n = int(v4)
    return [
        ipaddress.IPv6Address(f"::ffff:{v4}"),  # mapped
        ipaddress.IPv6Address(n),  # compatible
        ipaddress.IPv6Address((0x64FF9B << 96) | n),  # NAT64 well-known
        ipaddress.IPv6Address((0x64FF9B0001 << 80) | n),  # NAT64 local-use
        ipaddress.IPv6Address((0x2002 << 112) | (n << 80) | 1),  # 6to4
        ipaddress.IPv6Address((0x20010000 << 96) | (n ^ 0xFFFFFFFF)),  # Teredo client
    ]


@given(non_global_v4)
def test_every_non_global_ipv4_is_refused_in_every_form(v4):
    if v4 == ipaddress.IPv4Address("127.0.0.1"):
        return  # the test allow-list
    assert not policy.is_allowed(v4)
    for v6 in embeddings(v4):
        assert not policy.is_allowed(v6), v6


@given(st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address))
def test_an_ipv4_is_allowed_only_if_global_and_unicast(v4):
    expected = (
        v4 == ipaddress.IPv4Address("127.0.0.1")
        or v4.is_global
        and not v4.is_multicast
        and not any(v4 in net for net in policy._REFUSED_V4)
    )
    assert policy.is_allowed(v4) == expected
    assert policy.is_allowed(f"::ffff:{v4}") == expected


@given(st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address))
def test_a_non_global_ipv6_is_never_allowed(v6):
    if v6.ipv4_mapped is not None:
        return  # judged as IPv4 above
    if not v6.is_global or v6.is_multicast or v6.is_link_local or v6.is_loopback:
        assert not policy.is_allowed(v6)


# --- at save time ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "10.0.0.5",
        "127.0.0.2",
        "::1",
        "[::1]",
        "169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "::ffff:10.0.0.1",
        "2002:a00:1::",
        "127.2",
        "0x7f000002",
    ],
)
def test_an_internal_literal_is_refused_at_save(value):
    with pytest.raises(ValidationError) as caught:
        policy.check_literal_at_save(value)
    assert caught.value.code == "address_not_allowed"
    assert caught.value.messages == ["The address is not allowed."]


@pytest.mark.parametrize(
    "value", ["127.0.0.1", "8.8.8.8", "sftp.example.com", "refused.test", "a\x00b", "\ud800", ""]
)
def test_allowed_literals_and_names_pass_at_save(value):
    policy.check_literal_at_save(value)  # names are not resolved at save


def test_loopback_passes_at_save_with_the_demo_allow_list(settings):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    policy.check_literal_at_save("127.0.0.1")
    policy.check_literal_at_save("127.0.0.53")
    with pytest.raises(ValidationError):
        policy.check_literal_at_save("::1")
