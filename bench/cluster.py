"""`capsule bench --only cluster`: two `capsule host` processes on one PostgreSQL, under simulated users.

What it does, all on loopback, bounded in time and count, and cleaned up after:

1. A PostgreSQL schema of its own (`capsule_bench_...`, dropped at the end) on
   `CAPSULE_BENCH_POSTGRES` (default: the local test database), and two
   `capsule host --database ...` processes on it, each in a scratch
   CAPSULE_HOME that shares this machine's build caches and nothing else
   (keys and package blobs live in the database).
2. Accounts made and wallets funded as an operator would (straight in the
   database: the sign-up page allows ten accounts an hour per address, and
   money enters through a top-up, the edge a bank fills). Each simulated user
   is sticky to one host, as behind a load balancer with sticky WebSockets.
3. Each user, over real HTTP and a real WebSocket: signs in, makes a contact
   of a partner (code, request, accept), then until the time is up, again and
   again: searches, launches the coffee shop, adds a drink, checks out,
   answers the consent and payment sheets (choosing a PIN on the first one,
   then paying below the no-PIN amount), subscribes to "order ready" on the
   subscribe sheet, sends the partner a message, and closes the program.
4. Then the books: the ledger's own check (every transaction balances, every
   account's balance is its entries) and the orders in the database equal to
   the payments the users saw succeed.
5. `sessions_per_gb`: on host A, N more idle sessions (accounts with one
   socket each, ten programs open per socket), and the growth of the host
   process's memory (PSS, as `rss_per_session_mb`) divided into them.

Every step that does not answer as a person would expect is an error:
`cluster_error_rate` is errors / steps (target 0).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import sqlalchemy
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capsule.runtime.capabilities.payments.embedded import EmbeddedProvider
from capsule.runtime.capabilities.payments.receipts import ReceiptSigner
from capsule.runtime.database import Database
from capsule.runtime.home import Home
from capsule.runtime.webhost.accounts import Accounts
from capsule.runtime.webhost.demo import sample_dirs
from capsule.runtime.webhost.server import free_port

from .stats import percentile

#: Where the bench makes its schema (`CAPSULE_BENCH_POSTGRES`, as the registry bench).
POSTGRES_ENV = "CAPSULE_BENCH_POSTGRES"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_SECONDS = 60.0
MIN_SECONDS, MAX_SECONDS = 1.0, 600.0
USERS, QUICK_USERS = 8, 4
IDLE_SESSIONS, QUICK_IDLE_SESSIONS = 100, 20
TARGET_SESSIONS_PER_GB = 500.0
CLUSTER_TARGETS = {"sessions_per_gb": (">=", TARGET_SESSIONS_PER_GB), "cluster_error_rate": ("<=", 0.0)}
COFFEE = "dev.capsule.samples.coffee"
PIN = "246810"
#: Below this a payment needs no PIN (set after the first one): a coffee is 9 to 13 CNY.
NO_PIN_BELOW = 5000
#: Each user's wallet: enough for every coffee of the longest run.
WALLET = 100_000_000
PER_SOCKET = 10
#: One step (an HTTP answer, a socket message) that takes longer is an error.
STEP_TIMEOUT_S = 30.0
START_TIMEOUT_S = 600.0

Progress = Callable[[str], None]


def missing_tools() -> str | None:
    """Why the cluster bench cannot run here (no PostgreSQL), or None."""
    url = os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)
    engine = sqlalchemy.create_engine(_driver_url(url))
    try:
        with engine.connect():
            return None
    except Exception as error:  # noqa: BLE001 - any failure to connect says the same
        return f"it needs PostgreSQL at {url} ({type(error).__name__}); set {POSTGRES_ENV}=postgresql://USER@HOST:PORT/DB"
    finally:
        engine.dispose()


def bounded_seconds(seconds: float) -> float:
    """`seconds` if within [1, 600], else a ValueError saying so."""
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise ValueError(f"--seconds must be {MIN_SECONDS:.0f} to {MAX_SECONDS:.0f}, got {seconds:g}")
    return seconds


def cluster_figures(
    *, home: Home, seconds: float = DEFAULT_SECONDS, quick: bool = False, progress: Progress = lambda message: None
) -> dict[str, Any]:
    """The cluster's figures: error rate, the books, payments/s, search p99, idle sessions per GB."""
    seconds = bounded_seconds(seconds)
    users = QUICK_USERS if quick else USERS
    idle = QUICK_IDLE_SESSIONS if quick else IDLE_SESSIONS
    url = os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)
    with _schema(url) as (schema, database_url), tempfile.TemporaryDirectory(prefix="capsule-bench-cluster-") as scratch:
        hosts: list[_HostProcess] = []
        try:
            for name in ("a", "b"):
                progress(f"cluster: starting host {name} on PostgreSQL")
                # Nothing shared but the database: keys and package blobs live there too.
                host_home = home.sharing_caches(Path(scratch) / name)
                hosts.append(_HostProcess.start(host_home, database_url, _coffee_only(Path(scratch))))
            database = Database.open(database_url)
            try:
                progress(f"cluster: {users} accounts with funded wallets, {idle // PER_SOCKET} for idle sessions")
                names = _provision(database, users, idle // PER_SOCKET)
                load = asyncio.run(_load([host.url for host in hosts], names["users"], seconds, progress))
                progress("cluster: the books")
                books = _books(database, names["users"])
                progress(f"cluster: {idle} idle sessions on host a")
                memory = asyncio.run(_idle_sessions(hosts[0], names["idle"]))
            finally:
                database.close()
        finally:
            for host in hosts:
                host.stop()
    steps, errors = load["steps"], load["errors"]
    payments = load["payments"]
    return {
        "cluster_seconds": seconds,
        "cluster_schema": schema,
        "cluster_users": users,
        "cluster_steps": steps,
        "cluster_errors": errors,
        "cluster_error_rate": round(errors / steps, 6) if steps else 1.0,
        "cluster_error_examples": load["examples"],
        "cluster_ledger_balanced": books["balanced"],
        "cluster_ledger_problems": books["problems"][:5],
        "cluster_payments": payments,
        "cluster_payments_in_ledger": books["orders"],
        "cluster_payments_per_s": round(load["payments_in_time"] / load["seconds"], 2),
        "cluster_search_p99_ms": round(percentile(load["search_ms"], 0.99), 2) if load["search_ms"] else None,
        "cluster_search_p50_ms": round(percentile(load["search_ms"], 0.5), 2) if load["search_ms"] else None,
        "cluster_searches": len(load["search_ms"]),
        "cluster_messages": load["messages"],
        "cluster_rounds": load["rounds"],
        "cluster_idle_sessions": memory["sessions"],
        "cluster_pss_per_idle_session_mb": memory["pss_mb"],
        "cluster_rss_per_idle_session_mb": memory["rss_mb"],
        "sessions_per_gb": memory["per_gb"],
        "cluster_load_average": [round(value, 2) for value in os.getloadavg()],
    }


def cluster_targets_met(figures: dict[str, Any]) -> bool:
    return (
        figures["cluster_error_rate"] == 0
        and figures["cluster_ledger_balanced"]
        and figures["sessions_per_gb"] >= TARGET_SESSIONS_PER_GB
    )


# -- the database and the hosts -------------------------------------------------


def _driver_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


@contextmanager
def _schema(url: str) -> Iterator[tuple[str, str]]:
    """A schema of the bench's own on `url`, dropped afterwards; its name and the URL that uses it."""
    schema = f"capsule_bench_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(_driver_url(url))
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield schema, f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema},public"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@dataclass
class _HostProcess:
    """One `capsule host` process on a loopback port."""

    process: subprocess.Popen[bytes]
    port: int
    home: Home

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, home: Home, database_url: str, samples: Path) -> "_HostProcess":
        port = free_port()
        log = home.root / "host.log"
        command = [
            sys.executable, "-c", "from capsule.cli.main import main; main()",
            "host", "--port", str(port), "--database", database_url, "--samples", str(samples),
        ]  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(command, env={**os.environ, "CAPSULE_HOME": str(home.root)}, stdout=out, stderr=subprocess.STDOUT)
        host = cls(process, port, home)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"capsule host exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                host.stop()
                raise RuntimeError(f"capsule host did not answer within {START_TIMEOUT_S:.0f} s")
            try:
                httpx.get(host.url + "/api/signin", timeout=2.0)
                return host
            except httpx.TransportError:
                time.sleep(0.2)

    def memory_kb(self) -> dict[str, int]:
        """The process's Pss and Rss in kB (smaps_rollup; Rss alone where that is missing)."""
        found: dict[str, int] = {}
        for source in (f"/proc/{self.process.pid}/smaps_rollup", f"/proc/{self.process.pid}/status"):
            try:
                for line in Path(source).read_text().splitlines():
                    key, _, value = line.partition(":")
                    if key in ("Pss", "Rss", "VmRSS") and value.strip().endswith("kB"):
                        found.setdefault("Rss" if key == "VmRSS" else key, int(value.split()[0]))
            except OSError:
                continue
        found.setdefault("Pss", found.get("Rss", 0))
        return found

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _coffee_only(scratch: Path) -> Path:
    """A samples folder with the coffee shop alone: the one program the users open (a faster start)."""
    folder = scratch / "samples"
    if not folder.exists():
        folder.mkdir()
        (folder / "coffee-shop").symlink_to(next(path for path in sample_dirs() if path.name == "coffee-shop"), target_is_directory=True)
    return folder


def _provision(database: Database, users: int, idle_accounts: int) -> dict[str, list[str]]:
    """Accounts made as an operator would, each user's wallet funded by a top-up."""
    accounts = Accounts(database)
    provider = EmbeddedProvider(database, ReceiptSigner(Ed25519PrivateKey.generate()))
    run = secrets.token_hex(3)
    names = {"users": [f"u{run}{i}" for i in range(users)], "idle": [f"i{run}{i}" for i in range(idle_accounts)]}
    for name in names["users"] + names["idle"]:
        accounts.create(name, _password(name))
    for name in names["users"]:
        provider.topup(name, WALLET, "CNY", memo="bench wallet")
    return names


def _password(name: str) -> str:
    return f"bench password of {name}"


def _books(database: Database, users: list[str]) -> dict[str, Any]:
    provider = EmbeddedProvider(database, ReceiptSigner(Ed25519PrivateKey.generate()))
    audit = provider.check()
    with database.read() as connection:
        orders = connection.execute(
            sqlalchemy.text('SELECT count(*) FROM pay_orders WHERE "user" = ANY(:users)'), {"users": users}
        ).scalar()
    return {"balanced": audit.ok, "problems": audit.problems, "orders": orders}


# -- simulated users ---------------------------------------------------------------


class StepFailed(Exception):
    """A step did not answer as a person would expect."""


@dataclass
class _Tally:
    steps: int = 0
    errors: int = 0
    payments: int = 0
    messages: int = 0
    rounds: int = 0
    search_ms: list[float] = field(default_factory=list)
    paid_at: list[float] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    def failed(self, what: str, error: BaseException) -> None:
        self.errors += 1
        if len(self.examples) < 5:
            self.examples.append(f"{what}: {type(error).__name__}: {str(error)[:200]}")


class _User:
    """One person in a browser: a signed-in HTTP client and one tab's socket."""

    def __init__(self, name: str, url: str, tally: _Tally) -> None:
        self.name, self.url, self.tally = name, url, tally
        self.http = httpx.AsyncClient(base_url=url, headers={"origin": url}, timeout=STEP_TIMEOUT_S)
        self.socket: Any = None
        self.pin_set = False
        self.partner: str | None = None
        self.seen: deque[str] = deque(maxlen=6)  # the last messages' types, to say where a step stalled

    async def step(self, what: str, work: Any) -> Any:
        """Run one step, counted; a failure is counted and raised again."""
        self.tally.steps += 1
        try:
            return await asyncio.wait_for(work, STEP_TIMEOUT_S)
        except TimeoutError as error:
            self.tally.failed(what, TimeoutError(f"no answer in {STEP_TIMEOUT_S:.0f} s from {self.url}; last on the socket: {list(self.seen)}"))
            raise error
        except Exception as error:
            self.tally.failed(what, error)
            raise

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await self.http.post(path, json=body)
        if answer.status_code >= 400:
            raise StepFailed(f"POST {path}: {answer.status_code} {answer.text[:200]}")
        return answer.json()

    async def sign_in(self) -> None:
        answer = await self.post("/api/signin", {"name": self.name, "password": _password(self.name)})
        self.http.headers["x-capsule-csrf"] = answer["csrf"]

    async def open_socket(self) -> None:
        from websockets.asyncio.client import connect

        cookie = "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())
        self.socket = await connect(
            self.url.replace("http://", "ws://") + "/ws", origin=self.url, additional_headers={"Cookie": cookie}  # type: ignore[arg-type]
        )

    async def until(self, *kinds: str) -> dict[str, Any]:
        """The next socket message of one of `kinds`; an error or ended message fails the step.

        Prompts are answered on the way as the person would: yes to consent, pay
        with the PIN (choosing it the first time), subscribe once.
        """
        while True:
            message = json.loads(await self.socket.recv())
            kind = message.get("type")
            self.seen.append(f"{kind}:{message.get('kind') or message.get('sheet') or ''}")
            if kind in kinds:
                return message
            if kind in ("error", "ended", "signed_out"):
                raise StepFailed(f"{kind}: {message.get('code')} {str(message.get('message'))[:200]}")
            if kind == "prompt" and "prompt" not in kinds:
                await self.answer(message)

    async def answer(self, prompt: dict[str, Any]) -> None:
        reply: dict[str, Any] = {"type": "answer", "prompt": prompt["prompt"], "value": True}
        if prompt.get("problem"):
            raise StepFailed(f"the {prompt.get('sheet') or prompt['kind']} sheet came back: {prompt['problem'][:200]}")
        if prompt.get("secret") in ("pin", "new-pin"):
            reply["secret"] = PIN
            self.pin_set = True
        await self.socket.send(json.dumps(reply))

    async def search(self) -> None:
        started = time.perf_counter()
        answer = await self.http.get("/api/search", params={"q": "coffee"})
        elapsed = (time.perf_counter() - started) * 1e3
        if answer.status_code != 200 or not any(hit["app_id"] == COFFEE for hit in answer.json()["results"]):
            raise StepFailed(f"search: {answer.status_code} {answer.text[:200]}")
        self.tally.search_ms.append(elapsed)

    async def buy_a_coffee(self) -> None:
        await self.socket.send(json.dumps({"type": "launch", "app_id": COFFEE}))
        session = (await self.until("launched"))["session"]
        await self.until("view")
        await self.socket.send(json.dumps({"type": "event", "session": session, "page": "", "handler": "add", "data": {"item": "espresso"}}))
        await self.until("view")
        await self.socket.send(json.dumps({"type": "event", "session": session, "page": "", "handler": "checkout", "data": {}}))
        receipt = (await self.until("view"))["view"]
        if "Paid" not in json.dumps(receipt):
            raise StepFailed(f"checkout ended without a receipt: {json.dumps(receipt)[:300]}")
        self.tally.payments += 1
        self.tally.paid_at.append(time.perf_counter())
        await self.socket.send(json.dumps({"type": "event", "session": session, "page": "", "handler": "notify", "data": {}}))
        await self.until("view")
        await self.socket.send(json.dumps({"type": "close", "session": session}))

    async def waive_pin(self) -> None:
        await self.post("/api/me/pin/no-pin-below", {"currency": "CNY", "amount": NO_PIN_BELOW, "pin": PIN})

    async def contact_code(self) -> str:
        answer = await self.http.get("/api/me/messages")
        if answer.status_code != 200:
            raise StepFailed(f"GET /api/me/messages: {answer.status_code}")
        return answer.json()["code"]

    async def message_partner(self, number: int) -> None:
        assert self.partner is not None
        await self.post("/api/messages/send", {"thread": f"contact:{self.partner}", "text": f"coffee number {number}?"})
        self.tally.messages += 1

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        await self.http.aclose()


async def _load(urls: list[str], names: list[str], seconds: float, progress: Progress) -> dict[str, Any]:
    tally = _Tally()
    # Sticky: user i always on host i % 2; partners (i, i ^ 1) are on different hosts.
    users = [_User(name, urls[i % len(urls)], tally) for i, name in enumerate(names)]
    try:
        progress(f"cluster: {len(users)} users sign in and make contacts")
        for user in users:
            await user.step("sign in", user.sign_in())
        for i in range(0, len(users) - 1, 2):
            first, second = users[i], users[i + 1]
            code = await first.step("contact code", first.contact_code())
            await second.step("contact request", second.post("/api/contacts/request", {"code": code}))
            await first.step("accept contact", first.post("/api/contacts/answer", {"user": second.name, "accept": True}))
            first.partner, second.partner = second.name, first.name
        for user in users:
            await user.step("open socket", user.open_socket())
        progress(f"cluster: {len(users)} users search, launch, consent, pay and message for {seconds:.0f} s")
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(_rounds(user, deadline, progress if i == 0 else None, started) for i, user in enumerate(users)))
        elapsed = time.perf_counter() - started
    finally:
        for user in users:
            await user.close()
    return {
        "steps": tally.steps, "errors": tally.errors, "examples": tally.examples, "payments": tally.payments,
        "messages": tally.messages, "rounds": tally.rounds, "search_ms": sorted(tally.search_ms), "elapsed": elapsed,
        # Payments within the load's time (rounds still running at the deadline finish after it).
        "payments_in_time": sum(1 for at in tally.paid_at if at <= deadline), "seconds": seconds,
    }  # fmt: skip


async def _rounds(user: _User, deadline: float, progress: Progress | None, started: float) -> None:
    """One user's rounds until the deadline; a failed round starts over on a new socket."""
    number = 0
    last_note = started
    while time.perf_counter() < deadline:
        number += 1
        try:
            await user.step("search", user.search())
            await user.step("launch, consent, pay", user.buy_a_coffee())
            if user.pin_set and number == 1:
                await user.step("waive the PIN below 50 CNY", user.waive_pin())
            if user.partner is not None:
                await user.step("message", user.message_partner(number))
            user.tally.rounds += 1
        except Exception:  # noqa: BLE001 - counted in step(); a new tab carries on
            await user.socket.close()
            try:
                await user.step("reopen socket", user.open_socket())
            except Exception:  # noqa: BLE001 - counted; try again next round
                await asyncio.sleep(1.0)
        if progress is not None and time.perf_counter() - last_note >= 10:
            last_note = time.perf_counter()
            tally = user.tally
            progress(f"cluster: {last_note - started:.0f} s, {tally.payments} payments, {tally.errors} errors")


async def _idle_sessions(host: _HostProcess, names: list[str]) -> dict[str, Any]:
    """Open `PER_SOCKET` sessions on one socket per account on `host`; memory growth per session."""
    tally = _Tally()
    users = [_User(name, host.url, tally) for name in names]
    try:
        for user in users:
            await user.step("sign in", user.sign_in())
            await user.step("open socket", user.open_socket())
        # One launch and close first: the host's pool of prepared sessions refills to
        # its fixed size, so the growth below is the new sessions' alone.
        for user in users[:1]:
            await user.socket.send(json.dumps({"type": "launch", "app_id": COFFEE}))
            session = (await user.step("launch", user.until("launched")))["session"]
            await user.step("first view", user.until("view"))
            await user.socket.send(json.dumps({"type": "close", "session": session}))
        await asyncio.sleep(3.0)
        before = host.memory_kb()
        opened = 0
        for user in users:
            for _ in range(PER_SOCKET):
                await user.socket.send(json.dumps({"type": "launch", "app_id": COFFEE}))
                await user.step("launch", user.until("view"))
                opened += 1
        await asyncio.sleep(1.0)
        after = host.memory_kb()
    finally:
        for user in users:
            await user.close()
    if tally.errors:
        raise RuntimeError(f"idle sessions failed to open: {tally.examples}")
    pss_mb = (after["Pss"] - before["Pss"]) / 1024 / max(1, opened)
    rss_mb = (after["Rss"] - before["Rss"]) / 1024 / max(1, opened)
    return {
        "sessions": opened,
        "pss_mb": round(pss_mb, 3),
        "rss_mb": round(rss_mb, 3),
        "per_gb": round(1024 / pss_mb, 1) if pss_mb > 0 else float("inf"),
    }
