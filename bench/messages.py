"""Messages figures for `capsule bench`: accepted sends per second, follower fan-out, message to screen.

- `messages_accepted_per_s`: 32 threads send template messages (each with an
  idempotency key, as the merchant API does) through the embedded store on a
  fresh SQLite database (WAL, synchronous=FULL: a send is on disk when it is
  accepted; the sends waiting at once share one transaction and commit,
  sends.py). 32 is about the merchant API's concurrency (starlette runs
  handlers on anyio's 40 worker threads). Durable throughput is at most
  (sends waiting at once) / (one commit's fsync), so the figure with 8
  senders is reported too (`messages_accepted_per_s_8_senders`).
- `follower_fanout_per_s`: one service update to 100,000 followers (2,000
  with --quick), each follower's weekly budget checked and claimed.
- `message_to_screen_ms_p95`: a merchant POST to the web host's merchant API
  until the open tab's DOM shows the new message (its unread count changed),
  in Chromium; the coffee shop sample is the sender.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from capsule.runtime.capabilities.messages import tables
from capsule.runtime.capabilities.messages.store import MessageStore
from capsule.runtime.database import Database
from capsule.runtime.home import Home

from .stats import p95 as _p95

APP = "dev.bench.messages"
SENDERS = 32
#: The earlier figure's sender count, kept for comparison.
FEW_SENDERS = 8
MESSAGE_TARGETS = {
    "messages_accepted_per_s": (">=", 2000.0),
    "follower_fanout_per_s": (">=", 20000.0),
    "message_to_screen_ms_p95": ("<=", 100.0),
}


def accepted_per_s(total: int, directory: Path, senders: int = SENDERS) -> float:
    database = Database.open(f"sqlite:///{directory / f'messages-{senders}.db'}")
    store = MessageStore(database)
    for sender in range(senders):
        store.subscribe(f"user{sender}", APP, {"order-ready": "always"})

    def send(sender: int) -> None:
        for n in range(total // senders):
            store.send_template(
                app_id=APP, user=f"user{sender}", template_id="order-ready", title="Your order is ready",
                fields={"order": f"A{n}"}, page="receipt", params={"order": f"A{n}"}, actor="merchant:bench",
                idempotency_key=f"s{sender}-{n}",
            )

    started = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(send, range(senders)))
    elapsed = time.perf_counter() - started
    import sqlalchemy as sa

    with database.read() as db:
        stored = db.execute(sa.select(sa.func.count()).select_from(tables.messages)).scalar_one()
    database.close()
    done = (total // senders) * senders
    if stored != done:
        raise RuntimeError(f"messages: {stored} stored for {done} accepted")
    return done / elapsed


def fanout_per_s(followers: int, directory: Path) -> float:
    database = Database.open(f"sqlite:///{directory / 'fanout.db'}")
    store = MessageStore(database)
    database.ensure(tables.metadata)
    now = time.time()
    rows = [{"app_id": APP, "user": f"f{n:07d}", "since": now, "muted": False} for n in range(followers)]
    with database.transaction() as conn:
        for start in range(0, followers, 10_000):
            conn.execute(tables.follows.insert(), rows[start : start + 10_000])
    started = time.perf_counter()
    answer = store.push_update(app_id=APP, title="New beans", body="Kenya AA is in", page="", params={}, actor="merchant:bench")
    elapsed = time.perf_counter() - started
    database.close()
    if answer["delivered"] != followers:
        raise RuntimeError(f"messages: the update reached {answer['delivered']} of {followers} followers")
    return followers / elapsed


# Date.now() in the tab and time.time() here read the same system clock
# (performance.timeOrigin may not: Chromium derives it from a monotonic clock).
_OBSERVE = """() => {
  window.__arrivals = [];
  new MutationObserver(() => window.__arrivals.push(Date.now()))
    .observe(document.body, { attributes: true, attributeFilter: ["data-unread"] });
}"""


def message_to_screen_ms(count: int, home: Home, progress: Callable[[str], None]) -> list[float]:
    import httpx
    from playwright.sync_api import sync_playwright

    from capsule.runtime.capabilities.messages.pairwise import PairwiseIds
    from capsule.runtime.webhost import open_web_host
    from capsule.runtime.webhost.server import BackgroundServer, free_port
    from capsule.samples.coffee_merchant import APP_ID

    from .programs import COFFEE
    from .web import CHROMIUM_ARGS, CHROMIUM_MISSING, _signed_in_context, chromium_path

    executable = chromium_path()
    if executable is None:
        raise RuntimeError(CHROMIUM_MISSING)
    samples: list[float] = []
    with tempfile.TemporaryDirectory(prefix="capsule-bench-messages-") as scratch:
        port = free_port()
        progress("messages: preparing a host with the coffee shop")
        web = open_web_host(home.sharing_caches(scratch), url=f"http://127.0.0.1:{port}", samples=[COFFEE], demo=True)
        try:
            web.catalog.ensure_installed(APP_ID, "alice")
            user_id = PairwiseIds(web.host.services).ids_for(web.host.app(APP_ID))("alice")
            web.messages.subscribe("alice", APP_ID, {"order-ready": "always"})
            # The shop's owner (the local dev account that published it) makes the key at the registry.
            from capsule.runtime.registry.client import Credentials

            owner = web.registry.authenticate(f"Bearer {Credentials.load(web.host.home, f'http://127.0.0.1:{port}/registry').token}")
            key = web.registry.create_merchant_key(owner, APP_ID, "bench")["key"]
            body = {"user_id": user_id, "template_id": "order-ready", "fields": {"order": "A17", "total": "1250 CNY"},
                    "page": "receipt", "params": {"order": "A17"}}
            with BackgroundServer(web, port) as server, sync_playwright() as playwright, httpx.Client(
                base_url=f"{server.url}/merchant", headers={"Authorization": f"Bearer {key}"}
            ) as merchant:
                browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
                try:
                    context = _signed_in_context(browser, server.url)
                    page = context.new_page()
                    page.goto(server.url)
                    page.wait_for_selector("body[data-ready='1']")
                    page.evaluate(_OBSERVE)
                    progress(f"messages: {count} messages from a merchant POST to the tab's DOM")
                    for n in range(count + 5):  # the first five warm up
                        started = time.time() * 1000
                        answer = merchant.post("/v1/messages", json=body)
                        if answer.status_code != 202:
                            raise RuntimeError(f"messages: the send was refused: {answer.text}")
                        page.wait_for_function("n => window.__arrivals.length > n", arg=n)
                        if n >= 5:
                            samples.append(float(page.evaluate("n => window.__arrivals[n]", n)) - started)
                finally:
                    browser.close()
        finally:
            web.close()
    return samples


def message_figures(*, quick: bool, home: Home, progress: Callable[[str], None] = lambda message: None,
                    screen: bool = True) -> dict[str, Any]:
    total, followers, on_screen = (800, 2_000, 20) if quick else (8_000, 100_000, 100)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="capsule-bench-messages-") as tmp:
        progress(f"messages: {total} durable sends from {SENDERS} threads")
        figures["messages_accepted_per_s"] = round(accepted_per_s(total, Path(tmp)), 1)
        progress(f"messages: {total} durable sends from {FEW_SENDERS} threads")
        figures["messages_accepted_per_s_8_senders"] = round(accepted_per_s(total, Path(tmp), FEW_SENDERS), 1)
        progress(f"messages: one service update to {followers} followers")
        figures["follower_fanout_per_s"] = round(fanout_per_s(followers, Path(tmp)), 1)
        figures["fanout_followers"] = followers
    if screen:
        latencies = message_to_screen_ms(on_screen, home, progress)
        figures["message_to_screen_ms_p50"] = round(statistics.median(latencies), 1)
        figures["message_to_screen_ms_p95"] = round(_p95(latencies), 1)
    figures["messages_targets_met"] = all(
        (figures[key] >= bound if op == ">=" else figures[key] <= bound)
        for key, (op, bound) in MESSAGE_TARGETS.items() if key in figures
    )
    return figures
