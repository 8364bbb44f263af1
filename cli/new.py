"""`capsule new`: a program folder that builds and runs as it is."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from capsule.sdk import ROOT as SDK_ROOT

from .output import console, fail, literal

TEMPLATES = SDK_ROOT / "templates"
NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def new(
    name: str = typer.Argument(..., help="Folder and short name, e.g. coffee-shop."),
    lang: str = typer.Option("python", "--lang", help="The program's language: python or js."),
    app_id: str = typer.Option(None, "--id", help="Reverse-DNS id (default: com.example.NAME)."),
) -> None:
    """Scaffold a program: manifest, source, README and a test."""
    if not NAME.match(name):
        fail(f"'{name}' is not a valid program name: use lowercase letters, digits and '-', starting with a letter", code=2)
    template = TEMPLATES / lang
    if not template.is_dir():
        available = ", ".join(sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir()))
        fail(f"no template for --lang {lang}; available: {available}", code=2)
    target = Path(name)
    if target.exists():
        fail(f"{target} already exists; choose another name or remove it", code=1)
    values = {
        "name": name,
        "title": name.replace("-", " ").title(),
        "app_id": app_id or f"com.example.{name}",
    }
    for source in sorted(template.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        destination = target / source.relative_to(template)
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text()
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        destination.write_text(text)
    console.print(f"[green]created[/] {literal(target)}/ ({literal(values['app_id'])})")
    console.print(f"  next: capsule build {literal(name)} && capsule run {literal(name)} --tap increment")
