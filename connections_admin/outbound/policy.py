"""Which addresses the product may reach.

An address is refused when it is not global (loopback, private, link-local,
shared 100.64/10, reserved, unspecified...), multicast, a cloud metadata address, or
an IPv6 form that carries an IPv4 address inside it (IPv4-mapped and -compatible,
NAT64, 6to4, Teredo) whose IPv4 would be refused, unless it lies in
``settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS``.

The tables below are spelled out rather than left to ``ipaddress.is_global`` alone:
what that property says for the IPv6 transition ranges changed between Python
versions (on 3.11 ``64:ff9b:1::1`` and ``2002::1`` are "global").

Decisions:
- an IPv4-mapped IPv6 address (``::ffff:a.b.c.d``) is the IPv4 address itself on the
  wire, so it is judged (allow-list included) as that IPv4 address;
- the whole of 6to4 (2002::/16), Teredo (2001::/32), local-use NAT64 (64:ff9b:1::/48)
  and IPv4-compatible (::/96) are refused, whatever IPv4 they carry: IANA lists none
  of them as globally reachable; well-known NAT64 (64:ff9b::/96) is global and is
  refused only when the IPv4 it carries would be;
- a cloud metadata address is refused even inside an allowed network, unless the
  allow-list names that very address (a /32 or /128): allowing 169.254.0.0/16 or
  100.64.0.0/10 for a partner must not open the instance's credentials.
"""

import ipaddress
import socket
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

from .failures import CheckFailed, Failure

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, Azure, GCP, OpenStack, ...
        "169.254.170.2",  # AWS ECS task credentials
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
    )
)

# Not globally reachable per the IANA special-purpose registries, checked explicitly.
_REFUSED_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
_REFUSED_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/96",  # IPv4-compatible (deprecated), with :: and ::1
        "::ffff:0:0/96",  # IPv4-mapped (judged as IPv4 before we get here)
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments, Teredo (2001::/32) included
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def allowed_networks() -> tuple[IPNetwork, ...]:
    """The networks of ``settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS``, read on each
    call (a list of CIDRs, or one comma-separated string)."""
    value = getattr(settings, "CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS", ())
    if isinstance(value, str):
        value = value.split(",")
    try:
        return tuple(ipaddress.ip_network(item.strip()) for item in value if item.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS holds an invalid network: {exc}"
        ) from None


def _as_address(address: str | IPAddress) -> IPAddress | None:
    if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
        found = address
    else:
        value = str(address).strip()
        if value.startswith("[") and value.endswith("]"):
            value = value[1:-1]
        try:
            found = ipaddress.ip_address(value)
        except ValueError:
            return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, in every form we know of."""
    found = []
    packed = int(address)
    if address in _NAT64 or address in ipaddress.IPv6Network("::/96"):
        found.append(ipaddress.IPv4Address(packed & 0xFFFFFFFF))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def _v4_refused(address: ipaddress.IPv4Address) -> bool:
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or any(address in network for network in _REFUSED_V4)
    )


def _refused(address: IPAddress) -> bool:
    """Refused by the rules alone, before the allow-list is consulted."""
    if isinstance(address, ipaddress.IPv4Address):
        return _v4_refused(address)
    return (
        not address.is_global
        or address.is_multicast
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
        or address.is_site_local
        or any(address in network for network in _REFUSED_V6)
        or any(_v4_refused(v4) for v4 in _embedded_ipv4(address))
    )


def _in(address: IPAddress, networks: Iterable[IPNetwork]) -> list[IPNetwork]:
    plain = address
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        plain = ipaddress.IPv6Address(str(address).split("%", 1)[0])
    return [net for net in networks if plain.version == net.version and plain in net]


def is_allowed(address: str | IPAddress) -> bool:
    """True if the product may connect to ``address`` (an IP, not a name)."""
    found = _as_address(address)
    if found is None:
        return False
    containing = _in(found, allowed_networks())
    if found in METADATA_ADDRESSES:
        return any(network.num_addresses == 1 for network in containing)
    return bool(containing) or not _refused(found)


def check_address(address: str | IPAddress) -> None:
    """Raise ``CheckFailed(ADDRESS_NOT_ALLOWED)`` unless ``is_allowed(address)``."""
    if not is_allowed(address):
        raise CheckFailed(Failure.ADDRESS_NOT_ALLOWED)


def _literal(value: str) -> IPAddress | None:
    """The address ``value`` spells, if it is an IP literal: standard notation, in
    brackets, or an old IPv4 spelling resolvers still read (``127.1``, ``0x7f000001``)."""
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if not text or not text.isascii() or not text[-1].isalnum():
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except (OSError, ValueError):
        return None


def check_literal_at_save(value: str) -> None:
    """For the form validator: refuse an IP literal the product may not reach.

    Names are not resolved here (their addresses can change by the time we
    connect; ``net.connect`` checks them then).
    """
    address = _literal(value)
    if address is not None and not is_allowed(address):
        raise ValidationError(_("The address is not allowed."), code="address_not_allowed")
