"""network: declared hosts only, public addresses only, redirects re-checked, limits.

No test sends traffic anywhere: names resolve through the test's own resolver
and requests go to an in-memory transport (or one that fails the test).
"""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest

from capsule.runtime.capabilities import InvalidArgument, LimitReached, NotDeclared
from capsule.runtime.capabilities.base import CallContext
from capsule.runtime.capabilities.network import host as network_host
from capsule.runtime.capabilities.network.host import NetworkCapability
from capsule.runtime.capabilities.wit import record

DNS = {
    "api.example.com": ["93.184.216.34"],
    "cdn.example.com": ["93.184.216.35"],
    "evil.example.org": ["93.184.216.99"],
    "internal.example.com": ["10.0.0.5"],
    "sneaky.example.com": ["93.184.216.40", "127.0.0.1"],
    "metadata.example.com": ["169.254.169.254"],
    "v6.example.com": ["::1"],
}


def resolver(host: str, port: int) -> list[str]:
    return DNS.get(host, [])


def no_connection(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a connection was attempted to {request.url}")


class FakeSession:
    user = "alice"

    def __init__(self, hosts):
        permission = SimpleNamespace(reason="Fetches the menu.", hosts=hosts)
        self.app = SimpleNamespace(id="dev.example.food", name="Food", manifest=SimpleNamespace(permission=lambda n: permission))


HOSTS = ["api.example.com", "*.example.com", "internal.example.com", "sneaky.example.com", "metadata.example.com"]


def fetch(capability, url, *, method="GET", headers=(), body="", hosts=HOSTS):
    c = CallContext(FakeSession(hosts), "network", "fetch")
    return c, capability.fetch(c, record(method=method, url=url, headers=list(headers), body=body, timeout_ms=5000))


def test_a_declared_public_host_is_fetched_at_the_resolved_address():
    seen = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": ["soup"]}, headers={"set-cookie": "id=1"})

    network = NetworkCapability(resolver=resolver, transport=httpx.MockTransport(server))
    c, response = fetch(network, "https://api.example.com/menu?lang=en", headers=[("Accept", "application/json")])
    assert response.status == 200 and response.body == '{"items":["soup"]}'
    assert "set-cookie" not in {k for k, _ in response.headers}
    (request,) = seen
    assert str(request.url) == "https://93.184.216.34/menu?lang=en"  # pinned to the checked address
    assert request.headers["host"] == "api.example.com" and request.extensions["sni_hostname"] == "api.example.com"
    assert c.scope == "network" and c.bytes_out == len("https://api.example.com/menu?lang=en") + len("Acceptapplication/json")


@pytest.mark.parametrize(
    "url, problem",
    [
        ("https://evil.example.org/", "not among the manifest's network hosts"),
        ("https://example.com/", "not among"),  # *.example.com does not cover example.com itself
        ("https://api.example.com:8443/", "not among"),
        ("http://api.example.com/", "plain http"),
        ("ftp://api.example.com/", "only https"),
        ("https://user:pw@api.example.com/", "credentials"),
        ("https://internal.example.com/", "private"),
        ("https://sneaky.example.com/", "loopback"),
        ("https://metadata.example.com/latest", "link-local"),
        ("https://v6.example.com/", "loopback"),
    ],
)
def test_undeclared_private_and_plain_targets_are_refused_before_connecting(url, problem):
    network = NetworkCapability(resolver=resolver, transport=httpx.MockTransport(no_connection))
    with pytest.raises(NotDeclared, match=problem):
        fetch(network, url, hosts=HOSTS + ["v6.example.com"])


def test_a_redirect_to_an_undeclared_host_is_refused():
    def server(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "93.184.216.34", "only the declared host may be contacted"
        return httpx.Response(302, headers={"location": "https://evil.example.org/steal"})

    network = NetworkCapability(resolver=resolver, transport=httpx.MockTransport(server))
    with pytest.raises(NotDeclared, match="evil.example.org"):
        fetch(network, "https://api.example.com/go")


def test_a_redirect_to_a_declared_host_is_followed_and_rechecked():
    def server(request: httpx.Request) -> httpx.Response:
        if request.headers["host"] == "api.example.com":
            return httpx.Response(301, headers={"location": "https://cdn.example.com/menu.json"})
        assert str(request.url) == "https://93.184.216.35/menu.json"
        return httpx.Response(200, text="ok")

    network = NetworkCapability(resolver=resolver, transport=httpx.MockTransport(server))
    assert fetch(network, "https://api.example.com/menu")[1].body == "ok"


def test_limits_on_headers_body_response_and_redirects(monkeypatch):
    network = NetworkCapability(resolver=resolver, transport=httpx.MockTransport(no_connection))
    with pytest.raises(InvalidArgument, match="set by the host"):
        fetch(network, "https://api.example.com/", headers=[("Host", "evil.example.org")])
    with pytest.raises(InvalidArgument, match="line break"):
        fetch(network, "https://api.example.com/", headers=[("X-A", "1\r\nX-B: 2")])
    with pytest.raises(LimitReached, match="headers"):
        fetch(network, "https://api.example.com/", headers=[(f"X-{i}", "v") for i in range(40)])
    with pytest.raises(LimitReached, match="body"):
        fetch(network, "https://api.example.com/", method="POST", body="x" * (network_host.MAX_BODY_BYTES + 1))
    with pytest.raises(InvalidArgument, match="method"):
        fetch(network, "https://api.example.com/", method="CONNECT")

    big = NetworkCapability(resolver=resolver, transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"x" * 5000)))
    monkeypatch.setattr(network_host, "MAX_RESPONSE_BYTES", 4096)
    with pytest.raises(LimitReached, match="larger than"):
        fetch(big, "https://api.example.com/")

    loop = NetworkCapability(
        resolver=resolver, transport=httpx.MockTransport(lambda r: httpx.Response(302, headers={"location": "/again"}))
    )
    with pytest.raises(LimitReached, match="redirects"):
        fetch(loop, "https://api.example.com/")


def test_plain_http_to_loopback_only_in_developer_mode():
    dns = {"dev.example.com": ["127.0.0.1"]}
    served = NetworkCapability(
        resolver=lambda h, p: dns.get(h, []),
        transport=httpx.MockTransport(lambda r: httpx.Response(200, text="dev")),
        developer_mode=True,
    )
    assert fetch(served, "http://dev.example.com:8080/", hosts=["dev.example.com:8080"])[1].body == "dev"
    strict = NetworkCapability(resolver=lambda h, p: dns.get(h, []), transport=httpx.MockTransport(no_connection))
    with pytest.raises(NotDeclared, match="loopback"):
        fetch(strict, "http://dev.example.com:8080/", hosts=["dev.example.com:8080"])
