"""Same origin only: the socket and every state-changing request come from the host's own
pages (Origin / Sec-Fetch-Site and the sign-in's CSRF token), and the Host header names
this host (DNS rebinding), the embedded registry included."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from capsule.runtime.registry.client import Credentials
from capsule.runtime.webhost.app import create_app
from capsule.runtime.webhost.origin import allowed_host_names, host_name

from .conftest import origin_of, signed_in, socket_url

TAXI = "dev.capsule.samples.taxi"


@pytest.fixture
def denied(web):
    """Bob's remembered denial of Taxi's fuzzy location: what a cross-site reset would undo."""
    store = web.host.services.consent_store
    store.deny("bob", TAXI, "location.fuzzy")
    yield store
    store.reset("bob", TAXI, "location.fuzzy")


def still_denied(store) -> bool:
    return store.get("bob", TAXI, "location.fuzzy").state.value == "denied"


def refused_socket(client: TestClient, **headers: str) -> None:
    with pytest.raises(WebSocketDisconnect) as closed:
        with client.websocket_connect(socket_url(client), headers=headers) as socket:
            socket.receive_text()
    assert closed.value.code == 1008


def test_the_socket_opens_only_from_the_hosts_own_origin(web) -> None:
    with signed_in(web, "bob") as client:
        refused_socket(client, origin="http://127.0.0.2:8000")
        refused_socket(client, origin=f"http://127.0.0.1:{web.test_port + 1}")  # same site, another origin
        refused_socket(client, origin="null")
        del client.headers["origin"]
        refused_socket(client)  # no Origin at all
        with client.websocket_connect(socket_url(client), headers={"origin": origin_of(web)}) as socket:
            socket.send_text('{"type": "teleport"}')
            assert "unknown message type" in socket.receive_text()


def test_a_reset_from_another_origin_or_without_the_csrf_token_is_refused(web, denied) -> None:
    body = {"app_id": TAXI, "scope": "location.fuzzy"}
    with signed_in(web, "bob") as client:
        own, token = origin_of(web), client.headers["x-capsule-csrf"]
        attempts = {
            "another origin": {"origin": "http://127.0.0.2:8000"},
            "same site, another port": {"origin": f"http://127.0.0.1:{web.test_port + 1}"},
            "cross-site fetch metadata": {"sec-fetch-site": "cross-site"},
            "same-site fetch metadata": {"sec-fetch-site": "same-site"},
        }
        for what, headers in attempts.items():
            refused = client.post("/api/me/permissions/reset", json=body, headers=headers)
            assert refused.status_code == 403 and refused.json()["error"] == "cross-origin", what
        del client.headers["origin"]
        refused = client.post("/api/me/permissions/reset", json=body)
        assert refused.status_code == 403 and "Origin" in refused.json()["message"]
        client.headers["origin"] = own
        del client.headers["x-capsule-csrf"]
        refused = client.post("/api/me/permissions/reset", json=body)
        assert refused.status_code == 403 and refused.json()["error"] == "csrf"
        assert client.post("/api/me/permissions/reset", json=body, headers={"x-capsule-csrf": "0" * 64}).status_code == 403
        # A text/plain body, as a cross-site form sends: refused for the same reasons.
        plain = client.post("/api/me/permissions/reset", content=b'{"app_id": "x"}', headers={"content-type": "text/plain"})
        assert plain.status_code == 403
        assert still_denied(denied)
        # The host's own page, with its token: done.
        done = client.post("/api/me/permissions/reset", json=body, headers={"x-capsule-csrf": token, "sec-fetch-site": "same-origin"})
        assert done.status_code == 200 and not still_denied(denied)
        denied.deny("bob", TAXI, "location.fuzzy")


def test_sign_in_needs_a_json_body_from_the_hosts_own_origin(web) -> None:
    own = origin_of(web)
    with TestClient(create_app(web), base_url=own) as client:
        cross = client.post("/api/signin/demo", json={"name": "bob"}, headers={"origin": "http://127.0.0.2:8000"})
        assert cross.status_code == 403 and "capsule_session" not in cross.cookies
        form = client.post("/api/signin/demo", content=b'{"name": "bob"}', headers={"origin": own, "content-type": "text/plain"})
        assert form.status_code == 415 and "application/json" in form.json()["message"]
        assert client.post("/api/signin/demo", json={"name": "bob"}, headers={"origin": own}).status_code == 200


def test_an_unknown_host_name_is_refused_everywhere_the_registry_included(web) -> None:
    rebound = "http://attacker.example:%d" % web.test_port
    with TestClient(create_app(web), base_url=rebound, headers={"origin": rebound}) as client:
        for path in ("/", "/signin", "/api/config", "/static/shell.css", "/registry/key", "/registry/search?q=coffee"):
            refused = client.get(path)
            assert refused.status_code == 400 and refused.json()["error"] == "unknown-host", path
            assert "--allowed-host" in refused.json()["message"]
        assert client.post("/api/signin/demo", json={"name": "bob"}).status_code == 400
        with pytest.raises(WebSocketDisconnect):
            with client.websocket_connect(socket_url(client)) as socket:
                socket.receive_text()
    saved = web.allowed_hosts
    web.allowed_hosts = allowed_host_names("127.0.0.1", ["attacker.example"])  # as --allowed-host would
    try:
        with TestClient(create_app(web), base_url=rebound) as client:
            assert client.get("/registry/key").status_code == 200
    finally:
        web.allowed_hosts = saved


def test_the_registry_keeps_taking_bearer_tokens_without_an_origin(web) -> None:
    token = Credentials.load(web.host.home).token
    with TestClient(create_app(web), base_url=origin_of(web)) as client:
        answer = client.post("/registry/reviews/999999/approve", headers={"authorization": f"Bearer {token}"}, json={})
        assert answer.status_code == 404  # reached the registry: no such review, not a cross-origin refusal
        assert client.get("/registry/account", headers={"authorization": f"Bearer {token}"}).status_code == 200


def test_host_names_are_compared_without_port_brackets_or_case() -> None:
    assert host_name("LocalHost:8000") == "localhost" and host_name("[::1]:8000") == "::1" and host_name("::1") == "::1"
    names = allowed_host_names("0.0.0.0", [" Capsule.Example "])
    assert names == {"127.0.0.1", "localhost", "capsule.example"}
    assert "10.0.0.5" in allowed_host_names("10.0.0.5")
