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
    explain: bool = typer.Option(
        False, "--explain", help="Show why each result ranks where it does: tier, matched terms, score parts (needs an admin token)."
    ),
    registry: str = REGISTRY_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search live programs by name, description and keywords."""
    client, _ = connect(registry)
    params = {"q": query, "limit": limit, **({"near": near, "radius_km": radius_km} if near else {}), **({"language": language} if language else {}), **({"category": category} if category else {})}
    if explain:
        params["explain"] = "true"
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
    if explain:
        _print_explained(found["results"])
        return
    table = Table(title_justify="left")
    for column in ("name", "id", "version", "category", "distance"):
        table.add_column(column)
    for hit in found["results"]:
        distance = f"{hit['distance_km']:.1f} km" if "distance_km" in hit else ""
        table.add_row(*(literal(cell) for cell in (hit["name"], hit["id"], hit["version"], hit["category"], distance)))
    console.print(table)


def _print_explained(results: list[dict]) -> None:
    """One table row per result: its tier, what matched, and the parts of its score (docs/registry.md)."""
    table = Table(title="best first: tier, then text x usage x freshness", title_justify="left")
    for column in ("#", "name", "id", "tier", "matched", "score parts"):
        table.add_column(column)
    for rank, hit in enumerate(results, 1):
        why = hit.get("explain") or {}
        matched = "\n".join(
            f"{match['word']} -> {match['term']} ({match['how']}: {', '.join(match['fields'])})" for match in why.get("matched", [])
        )
        parts = why.get("parts", {})
        numbers = (
            f"text {parts.get('text', 0):.3f} = field {parts.get('field', 0):.2f}, coverage {parts.get('coverage', 0):.2f}, "
            f"position {parts.get('position', 0):.2f}\nx usage {parts.get('usage', 1):.3f} x freshness {parts.get('freshness', 1):.3f}"
            + (f" x distance {parts['distance']:.2f}" if "distance" in parts else "")
            + f"\nscore {why.get('score', hit['score'])}"
        )
        tier = f"{why.get('tier', '?')} {why.get('tier_name', '')}"
        # Names and ids as typed, controls escaped; matched terms are \w+ only (text.terms), so their lines stay lines.
        table.add_row(literal(rank), literal(hit["name"]), literal(hit["id"]), literal(tier), literal(matched or "-", lines=True), literal(numbers, lines=True))
    console.print(table)
