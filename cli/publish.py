"""`capsule publish`: upload a signed package to a registry for review."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from capsule.runtime.errors import CapsuleError

from .arguments import existing
from .output import console, emit_json, errors, fail, literal
from .registry import REGISTRY_OPTION, connect


def publish(
    package: Path = typer.Argument(..., help="The signed package (.capsule) to publish."),
    registry: str = REGISTRY_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Upload a package; it lands in the review queue (audited and precompiled by the registry)."""
    existing(package, "file", "a package (.capsule), as `capsule build` makes", as_json=as_json)
    client, _ = connect(registry, signed_in=True, as_json=as_json)
    size = package.stat().st_size
    try:
        with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=errors, transient=True, disable=as_json) as progress:
            task = progress.add_task(f"uploading {literal(package.name)}", total=size)
            result = client.publish(package, lambda sent: progress.advance(task, sent))
    except CapsuleError as error:
        fail(error, as_json=as_json)
    if as_json:
        emit_json(result)
    else:
        console.print(
            f"published {literal(result['id'])} {literal(result['version'])} ({literal(result['digest'])}): "
            f"review {literal(result['review_id'])}, {literal(result['status'])}"
        )
