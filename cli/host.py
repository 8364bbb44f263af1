"""`capsule host`: the super-app shell in the browser, with the samples live in its registry."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.status import Status

from capsule.runtime.errors import CapsuleError
from capsule.runtime.home import Home

from .arguments import existing, free_port
from .output import console, errors, fail, literal


def host(
    port: int = typer.Option(8000, "--port", help="TCP port to listen on."),
    bind: str = typer.Option("127.0.0.1", "--bind", help="Address to listen on (loopback by default)."),
    database: str = typer.Option(None, "--database", help="Database URL (default: SQLite under CAPSULE_HOME/data)."),
    samples: Path = typer.Option(
        None, "--samples", help="A folder of program folders to publish (default: the checkout's sample_programs)."
    ),
    demo: bool = typer.Option(
        False, "--demo", help="Create the demo accounts (Alice, Bob, Carol, with funded wallets) and offer them on the sign-in page."
    ),
    allowed_host: list[str] = typer.Option(
        [], "--allowed-host", help="Another name this host answers to in the Host header (repeatable; loopback always)."
    ),
    max_sessions: int = typer.Option(
        128, "--max-sessions", min=1, max=100_000,
        help="Live programs this host runs at once (each may use up to its 64 MiB memory limit; size it to the machine's memory).",
    ),
) -> None:
    """Serve the web host: sign in, search, launch, pay, scan, and see your data on the Me page."""
    from capsule.runtime.metrics.endpoint import MetricsTokenError
    from capsule.runtime.webhost import open_web_host, serve
    from capsule.runtime.admission import caps_for
    from capsule.runtime.engine.limits import TurnLimits
    from capsule.runtime.webhost.demo import sample_dirs

    free_port(bind, port)
    if samples:
        existing(samples, "folder", "a folder of program folders (each with a manifest.json)")
    url = f"http://{'127.0.0.1' if bind in ('0.0.0.0', '::') else bind}:{port}"
    try:
        with Status("preparing the host", console=errors) as status:

            def progress(message: str) -> None:
                status.update(literal(message))
                errors.print(f"[dim]· {literal(message)}[/]")

            web = open_web_host(
                Home.resolve(),
                url=url,
                database_url=database,
                samples=sample_dirs(samples) if samples else None,
                progress=progress,
                demo=demo,
                allowed_hosts=allowed_host,
                caps=caps_for(max_sessions, memory_limit_bytes=TurnLimits().memory_bytes),
            )
    except (CapsuleError, MetricsTokenError) as error:
        fail(str(error))
    live = ", ".join(app["id"] for app in web.host.installed())
    console.print(f"[green]Capsule host[/] on [bold]{literal(url)}[/]  (programs: {literal(live or 'none')})")
    who = "demo accounts on the sign-in page" if demo else "sign up on the sign-in page (no demo accounts: --demo adds them)"
    console.print(f"[dim]{who} · registry API at {literal(url)}/registry · Ctrl-C stops[/]")
    serve(web, bind, port)
