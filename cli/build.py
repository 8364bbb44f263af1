"""`capsule build`: a program folder into a signed package."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.status import Status

from capsule.runtime.errors import CapsuleError
from capsule.runtime.home import Home
from capsule.sdk.toolchain.build import build_program

from .arguments import existing
from .output import console, emit_json, errors, fail, literal


def build(
    directory: Path = typer.Argument(Path("."), help="The program folder (holds manifest.json)."),
    out: Path = typer.Option(None, "--out", help="Where to write the package (default: DIR/dist)."),
    key: str = typer.Option("default", "--key", help="Name of the signing key under CAPSULE_HOME/keys."),
    kind: str = typer.Option(
        None,
        "--kind",
        help="python (source on the shared runtime; the default for a folder with app.py) or component "
        "(a component of its own: componentize-py for app.py, or the folder's prebuilt program.wasm).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Check the program, pack and sign it: a small source package (or a component with --kind component)."""
    existing(directory, "folder", "a program folder (one with manifest.json), or make one with `capsule new`", as_json=as_json)
    try:
        result = build_with_progress(directory, out=out, key=key, quiet=as_json, kind=kind)
    except CapsuleError as error:
        fail(error, as_json=as_json)
    if as_json:
        emit_json(
            {
                "id": result.manifest.id,
                "version": str(result.manifest.version),
                "package": str(result.package),
                "digest": result.digest,
                "key_id": result.key_id,
                "kind": result.kind,
                "cached": result.cached,
                "seconds": round(result.seconds, 3),
            }
        )
        return
    console.print(f"[green]built[/] {literal(result.manifest.id)} {literal(result.manifest.version)} in {result.seconds:.1f} s")
    console.print(f"  package: {literal(result.package)}")
    console.print(f"  digest:  {literal(result.digest)}")


def build_with_progress(
    directory: Path, *, out: Path | None = None, key: str = "default", quiet: bool = False, kind: str | None = None
):
    """Build, showing each step on stderr (nothing when quiet)."""
    if quiet:
        return build_program(directory, home=Home.resolve(), key_name=key, out_dir=out, kind=kind)
    with Status("building", console=errors) as status:

        def progress(message: str) -> None:
            status.update(literal(message))
            errors.print(f"[dim]· {literal(message)}[/]")

        return build_program(directory, home=Home.resolve(), key_name=key, out_dir=out, progress=progress, kind=kind)
