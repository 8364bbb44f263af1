"""Which addresses a program may reach: the manifest's hosts, public addresses, https.

Checked before every connection, redirects included, on the address the name
resolved to (the connection then goes to that same address, so a second DNS
answer cannot swap in a private one).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Callable
from urllib.parse import urlsplit

#: host, port -> the addresses the name resolves to.
Resolver = Callable[[str, int], list[str]]


class Blocked(Exception):
    """The request may not be sent; the message says why and what to do."""


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise Blocked(f"{host} does not resolve ({error.strerror})") from None
    return sorted({info[4][0] for info in infos})


def host_allowed(host: str, port: int, default_port: int, patterns: list[str]) -> bool:
    """`api.example.com` matches itself; `*.example.com` matches its subdomains only.

    A pattern without a port allows the scheme's default port only.
    """
    for pattern in patterns:
        name, _, pattern_port = pattern.partition(":")
        if (int(pattern_port) if pattern_port else default_port) != port:
            continue
        if name.startswith("*."):
            if host.endswith(name[1:]) and host != name[2:]:
                return True
        elif host == name:
            return True
    return False


#: IPv6 prefixes whose last 32 bits are an IPv4 address the packet ends up at.
_EMBEDS_IPV4 = tuple(
    ipaddress.ip_network(prefix)
    for prefix in (
        "::/96",  # IPv4-compatible (deprecated): ::127.0.0.1
        "::ffff:0:0/96",  # IPv4-mapped: ::ffff:127.0.0.1
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT): ::ffff:0:7f00:1
        "64:ff9b::/96",  # NAT64, well-known prefix: 64:ff9b::7f00:1
    )
)
#: IPv6 ranges that are never a public destination, whatever Python's tables say.
_NEVER_PUBLIC = tuple(
    ipaddress.ip_network(prefix)
    for prefix in (
        "fec0::/10",  # site-local (deprecated, still routed inside some networks)
        "64:ff9b:1::/48",  # NAT64 for local use
        "2001::/32",  # Teredo: tunnels to an IPv4 address of the sender's choosing
    )
)


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a connection to `address` can only reach the public internet.

    An IPv6 address that embeds or translates to an IPv4 address (mapped,
    compatible, SIIT, NAT64, 6to4) is judged by that IPv4 address, so
    `::ffff:127.0.0.1` is loopback and `64:ff9b::a00:1` is 10.0.0.1.
    """
    if address.is_multicast or not address.is_global:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return True
    if any(address in network for network in _NEVER_PUBLIC):
        return False
    for network in _EMBEDS_IPV4:
        if address in network:
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:  # 2002:AABB:CCDD::/48 reaches AA.BB.CC.DD
        return is_public(address.sixtofour)
    return True


def check_url(url: str, patterns: list[str], resolver: Resolver, *, developer_mode: bool) -> tuple[str, int, str, str]:
    """(scheme, port, host, address to connect to) for an allowed URL; raises Blocked otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Blocked(f"{url[:100]!r} is not a valid URL") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("https", "http"):
        raise Blocked(f"only https:// URLs can be fetched, not {scheme or 'a relative URL'}")
    if parts.username or parts.password:
        raise Blocked("URLs with credentials (user:password@) are not allowed; send an Authorization header")
    default_port = 443 if scheme == "https" else 80
    port = port or default_port
    if not host_allowed(host, port, default_port, patterns):
        raise Blocked(
            f"{host}:{port} is not among the manifest's network hosts ({', '.join(patterns)}); "
            "add it under permissions.network.hosts and rebuild"
        )
    addresses = resolver(host, port)
    if not addresses:
        raise Blocked(f"{host} does not resolve")
    for text in addresses:
        address = ipaddress.ip_address(text)
        loopback = address.is_loopback
        if loopback and developer_mode:
            continue
        if not is_public(address):
            raise Blocked(
                f"{host} resolves to {address}, a private, loopback or link-local address; "
                "programs may only reach public addresses"
            )
    if scheme == "http" and not (developer_mode and all(ipaddress.ip_address(a).is_loopback for a in addresses)):
        raise Blocked("plain http is allowed only to loopback in developer mode; use https://")
    return scheme, port, host, addresses[0]
