"""Many hosts, one platform: two real `capsule host` processes on one PostgreSQL schema.

Each host has its own CAPSULE_HOME (another machine, as far as it knows) and
shares only the database. The tests check what crosses between them: sign-ins
and their throttle, a consent revocation, a message, a release and a yank;
the last one kills a host with SIGKILL in the middle of a burst of payments
and checks the money and the users' way back on the surviving host.

Processes start once for the module; every wait is bounded (a failure, not
a timing claim).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import sqlalchemy as sa
from websockets.sync.client import connect

from capsule.runtime import Home
from capsule.runtime.webhost.auth import COOKIE
from capsule.runtime.webhost.server import free_port

from ..cli.test_cli import CAPSULE
from capsule.runtime.database.scratch import scratch_schema
from capsule.runtime.events.postgres import APPLICATION_NAME, HOLD_VARIABLE

from ..conftest import PROGRAMS, postgres_or_skip

pytestmark = pytest.mark.slow

PROBE = PROGRAMS / "cluster"
APP = "dev.capsule.tests.cluster"
PIN = "246810"
#: A bound on every wait for a message from a host: far beyond what delivery takes.
PATIENCE = 60.0


@dataclass
class HostProcess:
    name: str
    url: str
    home: Path
    process: subprocess.Popen
    log: Path
    hold: Path

    def alive(self) -> bool:
        return self.process.poll() is None


def hold_file(root: Path, name: str) -> Path:
    return root / f"{name}.hold-events"


def start(name: str, root: Path, home: Home, database: str, samples: Path) -> HostProcess:
    own = home.sharing_caches(root / name)
    port = free_port()
    log = root / f"{name}.log"
    # While the hold file exists, a host whose events listener lost its connection stays deaf (a test seam).
    env = {**os.environ, "CAPSULE_HOME": str(own.root), "NO_COLOR": "1", HOLD_VARIABLE: str(hold_file(root, name))}
    env.pop("CAPSULE_DATABASE_URL", None)
    with log.open("w") as out:
        process = subprocess.Popen(
            [CAPSULE, "host", "--demo", "--port", str(port), "--database", database, "--samples", str(samples)],
            env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )
    host = HostProcess(name, f"http://127.0.0.1:{port}", own.root, process, log, hold_file(root, name))
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"host {name} exited {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{host.url}/signin", timeout=2).status_code == 200:
                return host
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"host {name} did not start serving:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[str]:
    """A PostgreSQL schema of its own for the module's hosts."""
    with scratch_schema(postgres_or_skip(), prefix="c") as url:
        yield url


@pytest.fixture(scope="module")
def hosts(home: Home, database: str, tmp_path_factory) -> Iterator[tuple[HostProcess, HostProcess]]:
    root = tmp_path_factory.mktemp("cluster")
    samples = root / "samples"
    shutil.copytree(PROBE, samples / "cluster")
    started: list[HostProcess] = []
    try:
        # One after the other: the first publishes the probe, the second finds it live.
        started.append(start("a", root, home, database, samples))
        started.append(start("b", root, home, database, samples))
        for user in ("alice", "bob", "carol"):
            with signed_in(started[0].url, user) as client:
                no_pin_for_small_payments(client)
        yield started[0], started[1]
    finally:
        for host in started:
            if host.alive():
                host.process.send_signal(signal.SIGINT)
                try:
                    host.process.wait(30)
                except subprocess.TimeoutExpired:
                    host.process.kill()
                    host.process.wait()


@contextmanager
def signed_in(url: str, user: str) -> Iterator[httpx.Client]:
    """One of the host's own pages, signed in with a demo account."""
    with httpx.Client(base_url=url, headers={"origin": url}, timeout=30) as client:
        answer = client.post("/api/signin/demo", json={"name": user})
        assert answer.status_code == 200, answer.text
        client.headers["x-capsule-csrf"] = answer.json()["csrf"]
        yield client


@contextmanager
def same_sign_in(client: httpx.Client, url: str) -> Iterator[httpx.Client]:
    """The browser of `client`, pointed at another host (a load balancer's choice): same cookie."""
    with httpx.Client(base_url=url, headers={"origin": url, "x-capsule-csrf": client.headers["x-capsule-csrf"]}, timeout=30) as other:
        other.cookies.set(COOKIE, client.cookies[COOKIE])
        yield other


def no_pin_for_small_payments(client: httpx.Client) -> None:
    if not client.get("/api/me/pin").json()["set"]:
        assert client.post("/api/me/pin/set", json={"pin": PIN}).status_code == 200
    answer = client.post("/api/me/pin/no-pin-below", json={"currency": "CNY", "amount": 100_000, "pin": PIN})
    assert answer.status_code == 200, answer.text


@dataclass
class Tab:
    """One browser tab's socket on a host."""

    socket: Any
    seen: list[dict] = field(default_factory=list)

    @classmethod
    @contextmanager
    def open(cls, client: httpx.Client) -> Iterator["Tab"]:
        url = str(client.base_url)
        headers = {"Cookie": f"{COOKIE}={client.cookies[COOKIE]}"}
        address = url.replace("http", "ws", 1).rstrip("/") + "/ws"
        with connect(address, origin=url.rstrip("/"), additional_headers=headers, open_timeout=PATIENCE) as socket:
            yield cls(socket)

    def send(self, **message: Any) -> None:
        self.socket.send(json.dumps(message))

    def until(self, kind: str, where=lambda message: True) -> dict:
        deadline = time.monotonic() + PATIENCE
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            self.seen.append(message)
            if message["type"] == kind and where(message):
                return message

    def launch(self, app_id: str) -> str:
        self.send(type="launch", app_id=app_id)
        session = self.until("launched")["session"]
        self.until("view")
        return session

    def outcome(self, session: str, handler: str, data: dict | None = None) -> str:
        """Tap `handler`, say yes to any sheet or consent, return the text the view then shows."""
        self.send(type="event", session=session, page="", handler=handler, data=data or {})
        while True:
            message = self._next()
            if message["type"] == "prompt":
                self.send(type="answer", prompt=message["prompt"], value=True)
            elif message["type"] == "view" and message.get("session") in (None, session):
                return texts(message["view"])[-1]
            elif message["type"] == "error":
                raise AssertionError(message)

    def _next(self) -> dict:
        message = json.loads(self.socket.recv(timeout=PATIENCE))
        self.seen.append(message)
        return message


def texts(view: Any) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                found.append(node.get("text") or node.get("value") or "")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(view)
    return found


# -- sign-ins -------------------------------------------------------------------


def test_a_sign_in_works_on_every_host_and_ends_on_every_host(hosts) -> None:
    a, b = hosts
    with signed_in(a.url, "alice") as on_a, same_sign_in(on_a, b.url) as on_b:
        assert on_b.get("/api/config").json()["user"] == "alice"
        assert on_b.post("/api/signout").status_code == 200
        assert on_a.get("/api/me/wallet").status_code == 401


def test_wrong_passwords_count_across_hosts(hosts) -> None:
    a, b = hosts
    name = "target" + uuid.uuid4().hex[:6]
    for _ in range(5):
        with httpx.Client(base_url=a.url, headers={"origin": a.url}) as client:
            assert client.post("/api/signin", json={"name": name, "password": "wrong one"}).status_code == 401
    with httpx.Client(base_url=b.url, headers={"origin": b.url}) as client:
        refused = client.post("/api/signin", json={"name": name, "password": "wrong one"})
    assert refused.status_code == 429 and refused.json()["error"] == "too-many-attempts"


# -- events ---------------------------------------------------------------------


def test_a_revocation_on_one_host_refuses_the_next_call_of_a_live_session_on_the_other(hosts) -> None:
    a, b = hosts
    with signed_in(b.url, "alice") as on_b, same_sign_in(on_b, a.url) as on_a, Tab.open(on_b) as tab:
        session = tab.launch(APP)
        assert tab.outcome(session, "where") == "position"  # consent asked and given, on host b
        assert on_a.post("/api/me/permissions/revoke", json={"app_id": APP, "scope": "location.fuzzy"}).status_code == 200
        revoked_at = time.monotonic()
        assert tab.outcome(session, "where").startswith("refused")
        print(f"revocation on host a refused on host b after {1000 * (time.monotonic() - revoked_at):.0f} ms (one call)")


def test_a_message_reaches_the_recipients_socket_on_the_other_host(hosts) -> None:
    a, b = hosts
    with signed_in(a.url, "alice") as alice, signed_in(b.url, "bob") as bob:
        code = alice.get("/api/me/messages").json()["code"]
        assert bob.post("/api/contacts/request", json={"code": code}).status_code == 200
        assert alice.post("/api/contacts/answer", json={"user": "bob", "accept": True}).status_code == 200
        with Tab.open(bob) as tab:
            text = "hello from host a " + uuid.uuid4().hex[:6]
            started = time.monotonic()
            sent = alice.post("/api/messages/send", json={"thread": "contact:bob", "text": text})
            assert sent.status_code == 200, sent.text
            heard = tab.until("message", lambda m: m["message"]["body"] == text)
            print(f"message sent on host a reached a socket on host b {1000 * (time.monotonic() - started):.0f} ms after the send began")
        assert heard["message"]["thread"] == "contact:alice" and heard["unread"] >= 1


def build_probe_as(host: HostProcess, tmp_path: Path, app_id: str, keyword: str) -> tuple[Path, dict[str, str]]:
    """The probe program under another id and search keyword, built by `host`'s local developer; and
    that developer's registry authorization (their key is registered to the shared `dev` account)."""
    from capsule.runtime.registry.client import Credentials
    from capsule.sdk.toolchain.build import build_program

    credentials = Credentials.load(Home.resolve(host.home), f"{host.url}/registry")
    folder = tmp_path / app_id
    shutil.copytree(PROBE, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(id=app_id, name={"en": f"{keyword.title()} finder"}, keywords={"en": [keyword]})
    (folder / "manifest.json").write_text(json.dumps(manifest))
    built = build_program(folder, home=Home.resolve(host.home), out_dir=tmp_path / f"{app_id}-out")
    return built.package, {"Authorization": f"Bearer {credentials.token}"}


def audited(registry: httpx.Client, package: Path) -> int:
    """Publish `package` and wait for its audit: the review to approve."""
    published = registry.post("/packages", content=package.read_bytes())
    assert published.status_code == 201, published.text
    review = published.json()["review_id"]
    deadline = time.monotonic() + PATIENCE
    while registry.get(f"/reviews/{review}").json()["status"] == "auditing":
        assert time.monotonic() < deadline, "the audit did not finish"
        time.sleep(0.2)
    return review


def test_a_release_and_a_yank_on_one_host_reach_the_other(hosts, tmp_path) -> None:
    a, b = hosts
    app_id = "dev.capsule.tests.zebra"
    package, auth = build_probe_as(b, tmp_path, app_id, "zebrafish")

    with httpx.Client(base_url=f"{a.url}/registry", headers=auth, timeout=60) as registry, signed_in(b.url, "carol") as on_b:
        review = audited(registry, package)
        assert registry.post(f"/reviews/{review}/approve", json={}).status_code == 200

        found = on_b.get("/api/search", params={"q": "zebrafish"}).json()["results"]
        assert [hit["app_id"] for hit in found] == [app_id]
        with Tab.open(on_b) as tab:
            assert tab.launch(app_id)  # host b installs what host a released, from the shared blob store

        assert registry.post(f"/apps/{app_id}/versions/1.0.0/yank", json={"reason": "test"}).status_code == 200
        assert on_b.get("/api/search", params={"q": "zebrafish"}).json()["results"] == []
        with Tab.open(on_b) as tab:
            tab.send(type="launch", app_id=app_id)
            assert "has no live version" in tab.until("error")["message"]


@contextmanager
def deaf(host: HostProcess, database: str) -> Iterator[None]:
    """`host`'s events listener cut off (as a network blip or a PostgreSQL restart would) for the
    block, and listening again after it: whatever commits inside the block it does not hear."""
    engine = sa.create_engine(database.replace("postgresql://", "postgresql+psycopg://"))
    name = f"{APPLICATION_NAME} {host.process.pid}"
    listeners = sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name")

    def wait_for(present: bool) -> None:
        deadline = time.monotonic() + PATIENCE
        while True:
            with engine.connect() as connection:
                if bool(connection.execute(listeners, {"name": name}).all()) == present:
                    return
            assert time.monotonic() < deadline, f"host {host.name}'s events listener is {'not ' if present else ''}there"
            time.sleep(0.05)

    try:
        wait_for(present=True)
        host.hold.touch()
        with engine.begin() as connection:
            killed = connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"), {"name": name}
            ).scalars().all()
        assert killed and all(killed)
        wait_for(present=False)
        yield
        wait_for(present=False)  # still deaf when the block ended: nothing it heard came live
    finally:
        host.hold.unlink(missing_ok=True)
        wait_for(present=True)
        engine.dispose()


def test_a_host_whose_listener_was_cut_off_catches_up_on_messages_and_releases(hosts, database, tmp_path) -> None:
    a, b = hosts
    app_id = "dev.capsule.tests.okapi"
    package, auth = build_probe_as(b, tmp_path, app_id, "okapifish")
    with (
        signed_in(a.url, "alice") as alice, signed_in(b.url, "bob") as bob,
        httpx.Client(base_url=f"{a.url}/registry", headers=auth, timeout=60) as registry,
    ):
        if bob.post("/api/contacts/request", json={"code": alice.get("/api/me/messages").json()["code"]}).json()["status"] == "requested":
            assert alice.post("/api/contacts/answer", json={"user": "bob", "accept": True}).status_code == 200
        review = audited(registry, package)
        missed = "sent while host b was deaf " + uuid.uuid4().hex[:6]
        with Tab.open(bob) as tab:
            # Heard live just before the break: the catch-up reads it again (it reads from a little earlier).
            before = "sent before host b went deaf " + uuid.uuid4().hex[:6]
            assert alice.post("/api/messages/send", json={"thread": "contact:bob", "text": before}).status_code == 200
            tab.until("message", lambda m: m["message"]["body"] == before)
            with deaf(b, database):
                assert alice.post("/api/messages/send", json={"thread": "contact:bob", "text": missed}).status_code == 200
                assert registry.post(f"/reviews/{review}/approve", json={}).status_code == 200
            heard = tab.until("message", lambda m: m["message"]["body"] == missed)
            assert heard["message"]["thread"] == "contact:alice"
            # A message sent now comes live, after the catch-up: by then each earlier one came exactly once.
            live = "sent after host b listened again " + uuid.uuid4().hex[:6]
            assert alice.post("/api/messages/send", json={"thread": "contact:bob", "text": live}).status_code == 200
            tab.until("message", lambda m: m["message"]["body"] == live)
            bodies = [m["message"]["body"] for m in tab.seen if m["type"] == "message"]
            assert [bodies.count(text) for text in (before, missed, live)] == [1, 1, 1], bodies
        found = bob.get("/api/search", params={"q": "okapifish"}).json()["results"]
        assert [hit["app_id"] for hit in found] == [app_id]
        with Tab.open(bob) as tab:
            assert tab.launch(app_id)  # loaded on host b: a yank it does not hear must still reach it

        with deaf(b, database):
            assert registry.post(f"/apps/{app_id}/versions/1.0.0/yank", json={"reason": "test"}).status_code == 200
        assert bob.get("/api/search", params={"q": "okapifish"}).json()["results"] == []
        with Tab.open(bob) as tab:
            tab.send(type="launch", app_id=app_id)
            assert "has no live version" in tab.until("error")["message"]


# -- failure --------------------------------------------------------------------


@dataclass
class Payer:
    """One user paying order after order on one host until that host goes away."""

    user: str
    client: httpx.Client
    paid: dict[str, str] = field(default_factory=dict)
    in_flight: str | None = None
    error: BaseException | None = None

    def run(self, tab: Tab, session: str) -> None:
        try:
            for number in range(200):
                order = f"{self.user}-{number}"
                self.in_flight = order
                outcome = tab.outcome(session, "pay", {"order": order, "amount": 100})
                assert outcome.startswith(f"paid {order} "), outcome
                self.paid[order] = outcome.split()[-1]
                self.in_flight = None
        except Exception as error:  # noqa: BLE001 - the host was killed: expected
            self.error = error


def test_a_host_killed_during_payments_loses_no_money_and_its_users_go_on_on_the_other(hosts, database) -> None:
    a, b = hosts
    users = ("alice", "bob", "carol")
    engine = sa.create_engine(database.replace("postgresql://", "postgresql+psycopg://"))
    from capsule.runtime.capabilities.payments import ledger
    from capsule.runtime.capabilities.payments.tables import orders

    def balance(user: str) -> int:
        with engine.connect() as connection:
            return ledger.balance(connection, f"user:{user}", "CNY")

    before = {user: balance(user) for user in users}
    payers: list[Payer] = []
    with ExitStack() as stack:
        threads = []
        for user in users:
            client = stack.enter_context(signed_in(a.url, user))
            tab = stack.enter_context(Tab.open(client))
            payer = Payer(user, client)
            payers.append(payer)
            threads.append(threading.Thread(target=payer.run, args=(tab, tab.launch(APP)), daemon=True))
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + PATIENCE
        while sum(len(p.paid) for p in payers) < 15:
            assert time.monotonic() < deadline and all(t.is_alive() for t in threads), [p.error for p in payers]
            time.sleep(0.01)
        a.process.send_signal(signal.SIGKILL)  # mid-burst: some payments are in flight right now
        a.process.wait(30)
        for thread in threads:
            thread.join(PATIENCE)
        assert not any(t.is_alive() for t in threads)

        for payer in payers:
            # Back on the surviving host with the same cookie: signed in, relaunch, retry what was in flight.
            with same_sign_in(payer.client, b.url) as on_b, Tab.open(on_b) as tab:
                assert on_b.get("/api/config").json()["user"] == payer.user
                session = tab.launch(APP)
                retry = payer.in_flight or f"{payer.user}-retry"
                outcome = tab.outcome(session, "pay", {"order": retry, "amount": 100})
                assert outcome.startswith(f"paid {retry} "), outcome
                payer.paid[retry] = outcome.split()[-1]
                # A payment host a confirmed, asked again on host b: its receipt, not a second charge.
                first, transaction = next(iter(payer.paid.items()))
                assert tab.outcome(session, "pay", {"order": first, "amount": 100}) == f"paid {first} {transaction}"

    with engine.connect() as connection:
        audit = ledger.check(connection)
        rows = connection.execute(sa.select(orders.c.order_id, orders.c.transaction_id).where(orders.c.app_id == APP)).all()
    engine.dispose()
    assert audit.ok, audit.problems
    recorded = {order: transaction for order, transaction in rows}
    for payer in payers:
        mine = {order: tx for order, tx in recorded.items() if order.startswith(f"{payer.user}-")}
        # Every confirmed payment is there once, with the receipt the user saw; nothing else was charged.
        assert mine == payer.paid, (payer.user, sorted(set(mine) ^ set(payer.paid)))
        assert balance(payer.user) == before[payer.user] - 100 * len(payer.paid)
    print(f"payments confirmed before and after the kill: {sum(len(p.paid) for p in payers)}")
