"""Accounts and sign-in in the web host: argon2id passwords, a cookie that is rotated, expires,
is stored hashed and ends at sign-out, throttled sign-in, and demo accounts only with --demo."""

from __future__ import annotations

import hashlib
import secrets
from typing import Iterator

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from capsule.runtime.webhost import WebHost
from capsule.runtime.webhost.accounts import accounts
from capsule.runtime.webhost.app import create_app
from capsule.runtime.webhost.auth import COOKIE
from capsule.runtime.webhost.signins import signins
from capsule.runtime.webhost.throttle import Throttle, failures

from .conftest import origin_of, signed_in, socket_url

PASSWORD = "correct horse battery"


@pytest.fixture
def anonymous(web: WebHost) -> Iterator[TestClient]:
    """One of the host's own pages, nobody signed in."""
    origin = origin_of(web)
    with TestClient(create_app(web), base_url=origin, headers={"origin": origin}) as client:
        yield client


@pytest.fixture
def fresh_throttle(web: WebHost) -> Iterator[Throttle]:
    """A throttle with no failures yet, on a clock the test moves."""
    now = [1000.0]
    saved, web.throttle = web.throttle, Throttle(web.host.services.database, clock=lambda: now[0])
    with web.host.services.database.transaction() as db:
        db.execute(failures.delete())
    web.throttle.now = now  # type: ignore[attr-defined]
    yield web.throttle
    web.throttle = saved


@pytest.fixture
def moving_clock(web: WebHost) -> Iterator[list[float]]:
    """The sign-ins' clock, moved by the test (starts at the real time)."""
    import time

    now = [time.time()]
    saved, web.signins.clock = web.signins.clock, lambda: now[0]
    yield now
    web.signins.clock = saved


def new_name() -> str:
    return "u" + secrets.token_hex(5)


def sign_up(client: TestClient, name: str, password: str = PASSWORD, **extra: str):
    return client.post("/api/signup", json={"name": name, "password": password, **extra})


def cookie_header(response) -> str:
    return next(value for key, value in response.headers.multi_items() if key == "set-cookie" and value.startswith(COOKIE))


def test_sign_up_stores_an_argon2id_hash_and_signs_in_with_a_strict_cookie(web, anonymous) -> None:
    name = new_name()
    created = sign_up(anonymous, name, display="Dana <b>")
    assert created.status_code == 200, created.text
    cookie = cookie_header(created).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie and "max-age=" in cookie
    assert "secure" not in cookie  # plain http on loopback; see the https test
    with web.host.services.database.read() as db:
        row = db.execute(sa.select(accounts).where(accounts.c.name == name)).one()
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    config = anonymous.get("/api/config").json()
    assert config["user"] == name and config["display"] == "Dana <b>" and config["users"] == []

    assert sign_up(anonymous, name).status_code == 409
    for bad in ({"name": "Bob Smith"}, {"name": "ab"}, {"name": "x" * 40}, {"password": "short"}, {"password": "p" * 257},
                {"display": "new\nline"}, {"display": "d" * 61}, {"name": 7}):
        refused = anonymous.post("/api/signup", json={"name": new_name(), "password": PASSWORD, **bad})
        assert refused.status_code == 400 and refused.json()["message"], bad


def test_signing_in_rotates_the_cookie_and_the_old_one_stops_working(web, anonymous) -> None:
    name = new_name()
    first = sign_up(anonymous, name).cookies[COOKIE]
    again = anonymous.post("/api/signin", json={"name": name, "password": PASSWORD})
    assert again.status_code == 200 and again.json()["user"] == name
    second = again.cookies[COOKIE]
    assert second != first
    assert anonymous.get("/api/config").json()["user"] == name
    anonymous.cookies.set(COOKIE, first)
    assert anonymous.get("/api/config").status_code == 401  # the planted or stolen pre-sign-in cookie is worthless


def test_the_server_keeps_only_a_hash_of_the_cookie(web, anonymous) -> None:
    token = sign_up(anonymous, new_name()).cookies[COOKIE]
    with web.host.services.database.read() as db:
        kept = set(db.execute(sa.select(signins.c.id_hash)).scalars())
    assert hashlib.sha256(token.encode()).hexdigest() in kept and token not in kept


def test_signing_out_ends_the_sign_in_on_the_server_and_closes_its_socket(web) -> None:
    with signed_in(web, "bob") as client:
        copy = client.cookies[COOKIE]
        with client.websocket_connect(socket_url(client)) as socket:
            assert client.post("/api/signout", json={}).status_code == 200
            assert '"signed_out"' in socket.receive_text()
        client.cookies.set(COOKIE, copy)
        assert client.get("/api/config").status_code == 401
        assert client.get("/api/me/wallet").status_code == 401


def test_a_sign_in_expires_when_idle_and_after_its_absolute_lifetime(web, moving_clock) -> None:
    policy = web.signins.policy
    with signed_in(web, "carol") as client:
        moving_clock[0] += policy.idle_seconds - 60
        assert client.get("/api/config").status_code == 200  # used: the idle timer starts again
        moving_clock[0] += policy.idle_seconds - 60
        assert client.get("/api/config").status_code == 200
        moving_clock[0] += policy.idle_seconds + 1
        expired = client.get("/api/config")
        assert expired.status_code == 401 and "expired" in expired.json()["message"]
    with signed_in(web, "carol") as client:
        elapsed = 0.0
        while client.get("/api/config").status_code == 200:  # in use all along, never idle
            assert elapsed <= policy.absolute_seconds, "a sign-in in use outlived its absolute lifetime"
            moving_clock[0] += policy.idle_seconds - 60
            elapsed += policy.idle_seconds - 60
        assert elapsed > policy.absolute_seconds


def test_wrong_passwords_are_throttled_per_account_with_the_wait_in_the_message(web, anonymous, fresh_throttle) -> None:
    name = new_name()
    sign_up(anonymous, name)
    anonymous.cookies.clear()
    for _ in range(5):
        assert anonymous.post("/api/signin", json={"name": name, "password": "wrong password"}).status_code == 401
    blocked = anonymous.post("/api/signin", json={"name": name, "password": PASSWORD})  # even the right one
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 800
    assert "try again in 15 minutes" in blocked.json()["message"]
    assert COOKIE not in blocked.cookies
    fresh_throttle.now[0] += 15 * 60  # type: ignore[attr-defined]
    assert anonymous.post("/api/signin", json={"name": name, "password": PASSWORD}).status_code == 200


def test_one_address_trying_many_accounts_is_throttled(anonymous, fresh_throttle) -> None:
    for _ in range(20):
        assert anonymous.post("/api/signin", json={"name": new_name(), "password": "guess guess"}).status_code == 401
    blocked = anonymous.post("/api/signin", json={"name": new_name(), "password": "guess guess"})
    assert blocked.status_code == 429 and "from this address" in blocked.json()["message"]


def test_the_cookie_is_secure_when_served_over_https(web) -> None:
    origin = f"https://127.0.0.1:{web.test_port}"
    with TestClient(create_app(web), base_url=origin, headers={"origin": origin}) as client:
        answer = client.post("/api/signin/demo", json={"name": "alice"})
        assert answer.status_code == 200
        assert "secure" in cookie_header(answer).lower()


def test_without_demo_there_are_no_demo_accounts_to_sign_in_as(web, anonymous) -> None:
    assert [a["name"] for a in anonymous.get("/api/signin").json()["demo"]] == ["alice", "bob", "carol"]
    web.demo = False
    try:
        assert anonymous.get("/api/signin").json()["demo"] == []
        refused = anonymous.post("/api/signin/demo", json={"name": "alice"})
        assert refused.status_code == 404 and "--demo" in refused.json()["message"]
    finally:
        web.demo = True
    # A demo account has no password: only the demo button reaches it.
    assert anonymous.post("/api/signin", json={"name": "alice", "password": ""}).status_code == 400
    assert anonymous.post("/api/signin/demo", json={"name": new_name()}).status_code == 404


def test_nobody_is_signed_in_without_a_cookie(web, anonymous) -> None:
    shell = anonymous.get("/", follow_redirects=False)
    assert shell.status_code == 303 and shell.headers["location"] == "/signin"
    assert "Sign in" in anonymous.get("/signin").text
    for path in ("/api/config", "/api/search", "/api/me/wallet", "/api/me/permissions", "/api/me/audit", "/media/x"):
        refused = anonymous.get(path)
        assert refused.status_code == 401 and refused.json()["error"] == "not-signed-in", path
    assert anonymous.post("/api/me/permissions/reset", json={"app_id": "a", "scope": "b"}).status_code == 401
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect):
        with anonymous.websocket_connect(socket_url(anonymous)) as socket:
            socket.receive_text()
