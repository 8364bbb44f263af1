"""Starting the web host: the runtime, the embedded registry, the demo, uvicorn."""

from __future__ import annotations

from pathlib import Path

from ..home import Home
from ..host import Host
from ..registry import Registry
from ..registry.server import setup_dev
from .demo import DEMO_USERS, DemoUser, Progress, publish_samples, sample_dirs, top_up_wallets
from .state import WebHost


def open_web_host(
    home: Home,
    *,
    url: str,
    database_url: str | None = None,
    samples: list[Path] | None = None,
    progress: Progress = lambda message: None,
) -> WebHost:
    """The super app in `home`, with the samples live in its registry and demo wallets funded.

    `url` is where the host will listen: the local developer account's saved
    credentials point the CLI (`capsule publish`, `capsule review`) at its registry.
    """
    host = Host(home, database_url=database_url)
    # One database for the runtime and its registry: one file to back up.
    registry = Registry(home, host.services.database, engine=host.engine)
    credentials = setup_dev(registry, f"{url.rstrip('/')}/registry")
    actor = registry.authenticate(f"Bearer {credentials.token}")
    web = WebHost(host, registry)
    publish_samples(web.catalog, actor, sample_dirs() if samples is None else samples, progress)
    top_up_wallets(host, web.users)
    return web


def open_dev_host(home: Home, directory: Path, *, progress: Progress = lambda message: None) -> WebHost:
    """`capsule dev`: the shell on one program folder, reloaded on every change.

    Its storage, grants and wallet live in `home` like any program's, so they
    survive reloads and restarts.
    """
    from .devshell import DevShell

    host = Host(home)
    registry = Registry(home, host.services.database, engine=host.engine)
    web = WebHost(host, registry, users=(DemoUser("developer", "Developer"), *DEMO_USERS), mode="dev")
    web.dev = DevShell(web, host.install_dev(directory, progress=progress))
    top_up_wallets(host, web.users)
    return web


def serve(web: WebHost, host: str, port: int) -> None:
    import uvicorn

    from .app import create_app

    try:
        uvicorn.run(create_app(web), host=host, port=port, log_level="warning", ws_max_size=512 * 1024)
    finally:
        web.close()
