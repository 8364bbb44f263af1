"""Starting the web host: the runtime, the embedded registry, the demo, uvicorn."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

from ..admission import SessionCaps
from ..home import Home
from ..devmode import DevProgram
from ..host import Host
from ..registry import Registry
from ..registry.accounts import Account
from ..registry.server import setup_dev
from .demo import DEMO_USERS, DemoUser, Progress, publish_samples, sample_dirs, top_up_wallets
from .origin import allowed_host_names
from .state import WebHost


def open_web_host(
    home: Home,
    *,
    url: str,
    database_url: str | None = None,
    samples: list[Path] | None = None,
    progress: Progress = lambda message: None,
    demo: bool = False,
    allowed_hosts: Iterable[str] = (),
    caps: SessionCaps | None = None,
) -> WebHost:
    """The super app in `home`, with the samples live in its registry.

    `url` is where the host will listen: the local developer account's saved
    credentials point the CLI (`capsule publish`, `capsule review`) at its
    registry, and its host name is one the host answers to (with loopback and
    `allowed_hosts`). With `demo`, the demo accounts exist, their wallets are
    funded, and the sign-in page offers them; without, people sign up.
    `caps` bounds the live sessions (`SessionCaps`; `capsule host --max-sessions`).
    """
    host = Host(home, database_url=database_url, caps=caps)
    # One database for the runtime and its registry: one file to back up. The local
    # `dev` account publishes and reviews the samples itself: a one-person registry.
    registry = Registry(
        home, host.services.database, engine=host.engine, self_review=True, blob_store=host.services.blob_store("packages")
    )
    credentials = setup_dev(registry, f"{url.rstrip('/')}/registry")
    actor = registry.authenticate(f"Bearer {credentials.token}")
    names = allowed_host_names(urlsplit(url).hostname or "", allowed_hosts)
    web = WebHost(host, registry, demo=demo, allowed_hosts=names)
    publish_samples(web.catalog, actor, sample_dirs() if samples is None else samples, progress)
    if demo:
        for user in web.users:
            web.accounts.ensure_demo(user.name, user.display)
        top_up_wallets(host, web.users)
        start_coffee_merchant(web, actor, url)
    return web


def start_coffee_merchant(web: WebHost, owner: Account, url: str) -> None:
    """The coffee shop's merchant server on a loopback port, when the coffee shop is live:
    it hears of payments and sends "Your order is ready" (capsule.samples.coffee_merchant).
    Its server key is made at the registry by `owner`, the account that published the shop."""
    from capsule.samples.coffee_merchant import APP_ID, CoffeeMerchant, routed_transport

    from ..capabilities.payments.notify import http_post
    from ..capabilities.payments.receipts import ReceiptSigner

    if not any(program.get("id") == APP_ID for program in web.registry.live_programs()):
        return
    services = web.host.services
    # The shop's server key, kept beside the host's own keys (created once, shown to nobody).
    key_file = web.host.home.keys / "coffee-merchant.key"
    live = {k["key_id"] for k in web.registry.merchant_keys(owner, APP_ID) if k["revoked_at"] is None}
    key = key_file.read_text().strip() if key_file.exists() else ""
    parts = key.split(".")
    if len(parts) != 3 or parts[1] not in live:
        key = web.registry.create_merchant_key(owner, APP_ID, "demo coffee merchant")["key"]
        key_file.write_text(key)
        key_file.chmod(0o600)
    merchant = CoffeeMerchant(
        ReceiptSigner(services.host_key).public_key_b64, f"{url.rstrip('/')}/merchant", key, free_port()
    ).start()
    web.host.capabilities["payments"].route_notifications(routed_transport(merchant.url, http_post))  # type: ignore[attr-defined]
    web.companions.append(merchant)


def open_dev_host(
    home: Home,
    directory: Path,
    *,
    progress: Progress = lambda message: None,
    listen: str = "127.0.0.1",
    allowed_hosts: Iterable[str] = (),
) -> WebHost:
    """`capsule dev`: the shell on one program folder, reloaded on every change.

    Its storage, grants and wallet live in `home` like any program's, so they
    survive reloads and restarts. Only the developer signs in: `web.dev_key`
    is new at every start, and `dev_signin_url` is the address to open.
    """
    from .devshell import DevShell

    host = Host(home)
    registry = Registry(home, host.services.database, engine=host.engine)
    web = WebHost(
        host,
        registry,
        users=(DemoUser("developer", "Developer"), *DEMO_USERS),
        mode="dev",
        allowed_hosts=allowed_host_names(listen, allowed_hosts),
        dev_key=secrets.token_urlsafe(24),
    )
    web.dev = DevShell(web, DevProgram(host, directory, progress=progress))
    top_up_wallets(host, web.users)
    return web


def dev_signin_url(web: WebHost, url: str) -> str:
    """The URL `capsule dev` prints: opening it signs the developer in (this start only)."""
    return f"{url.rstrip('/')}/dev/signin?key={web.dev_key}"


#: Tabs send small JSON; files go over HTTP.
WS_MAX_BYTES = 512 * 1024


def serve(web: WebHost, host: str, port: int) -> None:
    import uvicorn

    from .app import create_app

    try:
        uvicorn.run(create_app(web), host=host, port=port, log_level="warning", ws_max_size=WS_MAX_BYTES)
    finally:
        web.close()


class BackgroundServer:
    """The web host served by uvicorn on a thread of this process (tests, benchmarks).

        with BackgroundServer(web, port) as server:
            httpx.get(server.url + "/api/config")
    """

    def __init__(self, web: WebHost, port: int, host: str = "127.0.0.1") -> None:
        import uvicorn

        from .app import create_app

        self.url = f"http://{host}:{port}"
        config = uvicorn.Config(create_app(web), host=host, port=port, log_level="warning", ws_max_size=WS_MAX_BYTES)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="capsule-web", daemon=True)

    def __enter__(self) -> "BackgroundServer":
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the web host did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
