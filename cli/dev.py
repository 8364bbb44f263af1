"""`capsule dev`: one program folder in the web shell, reloaded on every save."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.status import Status

from capsule.runtime.errors import CapsuleError
from capsule.runtime.home import Home

from .arguments import existing, free_port
from .output import console, errors, fail, literal


def dev(
    directory: Path = typer.Argument(Path("."), help="The program folder (holds manifest.json and app.py)."),
    port: int = typer.Option(8000, "--port", help="TCP port to listen on."),
    bind: str = typer.Option("127.0.0.1", "--bind", help="Address to listen on (loopback by default)."),
    allowed_host: list[str] = typer.Option(
        [], "--allowed-host", help="Another name this host answers to in the Host header (repeatable; loopback always)."
    ),
) -> None:
    """Serve the shell on one program folder: live reload, log, call inspector, presets."""
    from capsule.runtime.webhost import open_dev_host, serve
    from capsule.runtime.webhost.server import dev_signin_url

    existing(directory, "folder", "a program folder (one with manifest.json), or make one with `capsule new`")
    free_port(bind, port)
    try:
        with Status("starting developer mode", console=errors) as status:

            def progress(message: str) -> None:
                status.update(literal(message))
                errors.print(f"[dim]· {literal(message)}[/]")

            web = open_dev_host(Home.resolve(), directory, progress=progress, listen=bind, allowed_hosts=allowed_host)
    except CapsuleError as error:
        fail(error)
    assert web.dev is not None
    build = web.dev.program.last
    if not build.ok:
        errors.print(f"[bold red]the program does not load yet[/]: {literal(build.problem)}")
    url = f"http://{'127.0.0.1' if bind in ('0.0.0.0', '::') else bind}:{port}"
    console.print(f"[green]developer mode[/] for {literal(directory.resolve())} on [bold]{literal(url)}[/]")
    # The key is new at every start: only someone who sees this terminal signs in.
    console.print(f"open [bold]{literal(dev_signin_url(web, url))}[/] to sign in as the developer", soft_wrap=True)
    console.print("[dim]save a file and the page updates · Ctrl-C stops[/]")
    serve(web, bind, port)
