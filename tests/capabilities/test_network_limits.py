"""network: the holes found by attacking it (issue 10): IPv6 forms of private
addresses, header values that are not ASCII, and a server that answers slowly."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from capsule.runtime.capabilities import InvalidArgument, NotDeclared, Unavailable
from capsule.runtime.capabilities.network.host import NetworkCapability

from .test_network import fetch, no_connection

#: Each of these embeds, translates to or is a loopback or private address.
NOT_PUBLIC = [
    "::127.0.0.1",  # IPv4-compatible loopback
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",  # IPv4-mapped private
    "::ffff:0:7f00:1",  # SIIT-translated loopback
    "::ffff:0:a00:1",  # SIIT-translated private
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
    "64:ff9b:1::808:808",  # local-use NAT64
    "fec0::1",  # site-local
    "fec0:1234::5",
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo
    "::1",
    "fe80::1",
    "fc00::1",
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_ipv6_forms_of_private_addresses_are_refused(address):
    network = NetworkCapability(resolver=lambda h, p: [address], transport=httpx.MockTransport(no_connection))
    with pytest.raises(NotDeclared, match="programs may only reach public addresses"):
        fetch(network, "https://api.example.com/", hosts=["api.example.com"])


@pytest.mark.parametrize("address", ["::ffff:93.184.216.34", "64:ff9b::5db8:d822", "2002:5db8:d822::1", "2606:4700::1111"])
def test_ipv6_forms_of_public_addresses_are_fetched(address):
    network = NetworkCapability(
        resolver=lambda h, p: [address], transport=httpx.MockTransport(lambda r: httpx.Response(200, text="ok"))
    )
    assert fetch(network, "https://api.example.com/", hosts=["api.example.com"])[1].body == "ok"


@pytest.mark.parametrize(
    "name, value",
    [("X-Name", "Zoë"), ("X-Emoji", "☕"), ("X-Ctl", "a\x1bb"), ("Naïve", "1"), ("X Space", "1"), ("", "1")],
)
def test_a_header_that_is_not_printable_ascii_is_an_invalid_argument(name, value):
    network = NetworkCapability(
        resolver=lambda h, p: ["93.184.216.34"], transport=httpx.MockTransport(no_connection)
    )
    with pytest.raises(InvalidArgument, match="header"):
        fetch(network, "https://api.example.com/", headers=[(name, value)], hosts=["api.example.com"])


def test_a_very_long_url_is_an_invalid_argument():
    network = NetworkCapability(resolver=lambda h, p: ["93.184.216.34"], transport=httpx.MockTransport(no_connection))
    with pytest.raises(InvalidArgument, match="URL"):
        fetch(network, "https://api.example.com/" + "a" * 10_000, hosts=["api.example.com"])


class Trickle:
    """A loopback HTTP server that sends its headers, then one body byte every `gap` s
    (or, with `stall`, nothing more at all)."""

    def __init__(self, *, gap: float = 0.25, stall: bool = False) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.gap, self.stall = gap, stall
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not self.done.wait(self.gap):
                if self.stall:
                    continue
                try:
                    conn.sendall(b"x")
                except OSError:
                    return

    def close(self) -> None:
        self.done.set()
        self.listener.close()


@pytest.mark.parametrize("stall", [False, True], ids=["one-byte-at-a-time", "stalled"])
def test_a_slow_server_is_cut_at_the_fetch_deadline(stall):
    server = Trickle(stall=stall)
    network = NetworkCapability(resolver=lambda h, p: ["127.0.0.1"], developer_mode=True)
    hosts = [f"slow.example.com:{server.port}"]
    from capsule.runtime.capabilities.base import CallContext
    from capsule.runtime.capabilities.wit import record

    from .test_network import FakeSession

    context = CallContext(FakeSession(hosts), "network", "fetch")
    request = record(method="GET", url=f"http://slow.example.com:{server.port}/", headers=[], body="", timeout_ms=1500)
    started = time.monotonic()
    try:
        with pytest.raises(Unavailable, match="within 1.5 s"):
            network.fetch(context, request)
    finally:
        server.close()
    assert time.monotonic() - started < 2.5  # the deadline (1.5 s) plus at most a second
