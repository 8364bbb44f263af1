"""`capsule qr`: print launch codes for a program, and read codes from images."""

from __future__ import annotations

from pathlib import Path

import typer

from capsule.runtime.capabilities.qr import codes
from capsule.runtime.capabilities.qr.address import AddressError, LaunchTarget, format_address, parse_address

from .arguments import existing
from .output import console, emit_json, fail, json_text, literal

app = typer.Typer(help="QR launch codes: make them, and scan images.", no_args_is_help=True)


@app.command("make")
def make(
    app_id: str = typer.Argument(..., help="The program the code opens, e.g. com.example.food."),
    out: Path = typer.Option(..., "--out", metavar="FILE", help="Where to write the code: FILE.png or FILE.svg."),
    page: str = typer.Option("", "--page", help="The page it opens (default: the first)."),
    param: list[str] = typer.Option([], "--param", metavar="KEY=VALUE", help="A scene parameter KEY=VALUE; repeatable."),
    scene: str = typer.Option("qr", "--scene", help="Why the program was opened."),
    size: int = typer.Option(512, "--size", help=f"Width in pixels ({codes.MIN_SIZE} to {codes.MAX_SIZE})."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Write a code that launches APP_ID on PAGE with the parameters."""
    suffix = out.suffix.lower()
    if suffix not in {".png", ".svg"}:
        fail(f"--out must end in .png or .svg, got {out.name!r}", code=2, as_json=as_json)
    existing(out.parent, "folder", "an --out path in a folder that exists", as_json=as_json)
    if not codes.MIN_SIZE <= size <= codes.MAX_SIZE:
        fail(f"--size must be {codes.MIN_SIZE} to {codes.MAX_SIZE}, got {size}", code=2, as_json=as_json)
    params: dict[str, str] = {}
    for item in param:
        key, sep, value = item.partition("=")
        if not sep:
            fail(f"--param takes KEY=VALUE, got {item!r}", code=2, as_json=as_json)
        params[key] = value
    try:
        address = format_address(LaunchTarget(app_id, page, scene, params))
    except AddressError as error:
        fail(str(error), code=2, as_json=as_json)
    if suffix == ".svg":
        out.write_text(codes.qr_svg(address, size))
    else:
        out.write_bytes(codes.qr_png(address, size))
    if as_json:
        emit_json({"address": address, "file": str(out)})
    else:
        console.print(f"wrote {literal(out)}: {literal(address)}")


@app.command("scan")
def scan(
    image: Path = typer.Argument(..., help="A PNG or JPEG with a QR, EAN-13 or Code 128 symbol."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Decode the codes in IMAGE; for a Capsule launch code, show its target."""
    existing(image, "file", "a PNG or JPEG image", as_json=as_json)
    try:
        found = codes.decode(image.read_bytes())
    except codes.ImageRefused as error:
        fail(f"{image}: {error}", as_json=as_json)
    if not found:
        fail(f"{image}: no QR, EAN-13 or Code 128 symbol found", as_json=as_json)
    results = []
    for item in found:
        try:
            target = parse_address(item.text)
        except AddressError:
            target = None
        results.append(
            {
                "text": item.text,
                "format": item.format,
                "target": None
                if target is None
                else {"app_id": target.app_id, "page": target.page, "scene": target.scene, "params": target.params},
            }
        )
    if as_json:
        emit_json(results)
        return
    for r in results:
        console.print(f"{literal(r['format'])}: {literal(r['text'])}")
        if r["target"]:
            console.print("  opens " + literal(json_text(r["target"])))
