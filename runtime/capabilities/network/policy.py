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
        if not address.is_global or address.is_multicast:
            raise Blocked(
                f"{host} resolves to {address}, a private, loopback or link-local address; "
                "programs may only reach public addresses"
            )
    if scheme == "http" and not (developer_mode and all(ipaddress.ip_address(a).is_loopback for a in addresses)):
        raise Blocked("plain http is allowed only to loopback in developer mode; use https://")
    return scheme, port, host, addresses[0]
