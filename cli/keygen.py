"""`capsule keygen`: the developer's Ed25519 signing key."""

from __future__ import annotations

import typer

from capsule.runtime.errors import CapsuleError
from capsule.runtime.home import Home
from capsule.runtime.package import generate_key

from .output import console, emit_json, fail, literal


def keygen(
    name: str = typer.Option("default", help="Key name; several keys can live side by side."),
    force: bool = typer.Option(False, "--force", help="Replace an existing key of that name."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Make a signing key under CAPSULE_HOME/keys for `capsule build`."""
    try:
        info = generate_key(Home.resolve(), name, force=force)
    except CapsuleError as error:
        fail(error, as_json=as_json)
    if as_json:
        emit_json({"name": info.name, "key_id": info.key_id, "public_key": info.public_key_b64, "path": str(info.path)})
        return
    console.print(f"[green]made key[/] [bold]{literal(info.name)}[/] ({literal(info.key_id)})")
    console.print(f"  private key: {literal(info.path)}  (keep it secret, back it up)")
    console.print(f"  public key:  {literal(info.public_key_b64)}")
