"""`capsule release`: phased rollout, rollback and yank for apps you own."""

from __future__ import annotations

import typer

from .output import console, literal
from .registry import REGISTRY_OPTION, registry_call

app = typer.Typer(help="Change what is live: rollout percentage, rollback, yank.", no_args_is_help=True)


@app.command()
def rollout(app_id: str, percent: int = typer.Argument(..., min=1, max=100), registry: str = REGISTRY_OPTION, as_json: bool = typer.Option(False, "--json")) -> None:
    """Give the newest release to `percent`% of users (100 finishes the rollout)."""
    result = registry_call("POST", f"/apps/{app_id}/rollout", registry=registry, as_json=as_json, body={"percent": percent})
    if not as_json:
        console.print(f"{literal(app_id)} {literal(result['version'])} is live for {literal(result['percent'])}% of users")


@app.command()
def rollback(app_id: str, registry: str = REGISTRY_OPTION, as_json: bool = typer.Option(False, "--json")) -> None:
    """Send everyone back to the previous approved version."""
    result = registry_call("POST", f"/apps/{app_id}/rollback", registry=registry, as_json=as_json)
    if not as_json:
        console.print(f"{literal(app_id)} is back at {literal(result['version'])} for everyone")


@app.command()
def yank(app_id: str, version: str, reason: str = typer.Option(None, "--reason"), registry: str = REGISTRY_OPTION, as_json: bool = typer.Option(False, "--json")) -> None:
    """Withdraw a version for good (no downloads; the release falls back if it was live)."""
    registry_call("POST", f"/apps/{app_id}/versions/{version}/yank", registry=registry, as_json=as_json, body={"reason": reason} if reason else None)
    if not as_json:
        console.print(f"yanked {literal(app_id)} {literal(version)}")
