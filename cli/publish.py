"""`capsule publish`: upload a signed package to a registry for review."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from capsule.runtime.errors import CapsuleError

from .output import console, emit_json, errors, fail
from .registry import REGISTRY_OPTION, connect


def publish(
    package: Path = typer.Argument(..., exists=True, dir_okay=False, help="The signed package (.capsule) to publish."),
    registry: str = REGISTRY_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Upload a package; it lands in the review queue (audited and precompiled by the registry)."""
    client, _ = connect(registry)
    size = package.stat().st_size
    try:
        with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=errors, transient=True, disable=as_json) as progress:
            task = progress.add_task(f"uploading {package.name}", total=size)
            result = client.publish(package, lambda sent: progress.advance(task, sent))
    except CapsuleError as error:
        fail(error, as_json=as_json)
    if as_json:
        emit_json(result)
    else:
        console.print(f"published {result['id']} {result['version']} ({result['digest']}): review {result['review_id']}, {result['status']}")
