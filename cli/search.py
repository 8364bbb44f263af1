"""`capsule search`: find live programs in a registry."""

from __future__ import annotations

import typer
from rich.table import Table

from capsule.runtime.errors import CapsuleError

from .output import console, emit_json, fail, literal
from .registry import REGISTRY_OPTION, connect


def search(
    query: str = typer.Argument("", help="What to look for, in any language; typos and prefixes are fine. Empty with --near: everything nearby."),
    language: str = typer.Option(None, "--language", help="Show names in this language (BCP 47), e.g. zh-Hans."),
    category: str = typer.Option(None, "--category", help="Only this category, e.g. food."),
    near: str = typer.Option(None, "--near", help="latitude,longitude: only programs with a place nearby, closest first."),
    radius_km: float = typer.Option(5.0, "--radius-km", min=0.01, max=100),
    limit: int = typer.Option(20, "--limit", min=1, max=100),
    registry: str = REGISTRY_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search live programs by name, description and keywords."""
    client, _ = connect(registry)
    params = {"q": query, "limit": limit, **({"near": near, "radius_km": radius_km} if near else {}), **({"language": language} if language else {}), **({"category": category} if category else {})}
    try:
        found = client.call("GET", "/search", params=params)
    except CapsuleError as error:
        fail(error, as_json=as_json)
    if as_json:
        emit_json(found)
        return
    if not found["results"]:
        console.print(f"nothing live matches {literal(repr(query))}")
        return
    table = Table(title_justify="left")
    for column in ("name", "id", "version", "category", "distance"):
        table.add_column(column)
    for hit in found["results"]:
        distance = f"{hit['distance_km']:.1f} km" if "distance_km" in hit else ""
        table.add_row(*(literal(cell) for cell in (hit["name"], hit["id"], hit["version"], hit["category"], distance)))
    console.print(table)
