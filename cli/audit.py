"""`capsule audit`: exactly what a package may touch."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from capsule.runtime.audit import PackageAudit, audit_package
from capsule.runtime.errors import CapsuleError
from capsule.runtime.home import Home

from .arguments import existing
from .output import console, emit_json, errors, fail, literal, warn


def audit(
    package: Path = typer.Argument(..., help="The package (.capsule) to audit."),
    as_json: bool = typer.Option(False, "--json", help="Print the audit as JSON."),
) -> None:
    """Declared permissions with reasons, what the program uses, hosts, data practices.

    For a source package: the capabilities each file uses and the files
    themselves; for a component: its imports. Exits 1 when the program uses
    anything its manifest does not declare.
    """
    existing(package, "file", "a package (.capsule), as `capsule build` makes", as_json=as_json)
    try:
        report = audit_package(package, home=Home.resolve())
    except CapsuleError as error:
        fail(error, as_json=as_json)
    if as_json:
        emit_json(report.as_dict())
    else:
        _print(report)
    raise typer.Exit(0 if report.ok else 1)


def _print(report: PackageAudit) -> None:
    m = report.manifest
    console.print(f"[bold]{literal(m.localized('name'))}[/] {literal(m.id)} {literal(m.version)}")
    console.print(f"  digest {literal(report.digest)}  signed by key {literal(report.key_id)}  {report.size:,} bytes")

    table = Table(title="Declared permissions", title_justify="left")
    table.add_column("capability", style="bold")
    table.add_column("reason shown to users")
    table.add_column("settings")
    for row in report.permissions():
        settings = ", ".join(f"{k}={v}" for k, v in row["settings"].items()) or "-"
        table.add_row(literal(row["capability"]), literal(row["reason"]), literal(settings))
    if not report.permissions():
        table.add_row("(none)", "the program asks for nothing beyond ui and log", "-")
    console.print(table)

    if report.sources is not None:
        _print_sources(report)
    else:
        _print_imports(report)
    for name in report.imports.declared_unused:
        warn(f"'{name}' is declared but the program never uses it; drop it from the manifest")
    hosts = report.network_hosts()
    console.print(f"Network hosts: {literal(', '.join(hosts)) if hosts else 'none'}")
    practices = m.data_practices
    if practices:
        console.print(f"Data practices: {literal(practices.model_dump(mode='json', exclude_none=True))}")
    else:
        console.print("Data practices: [yellow]not stated[/]")
    if not report.ok:
        errors.print(f"[bold red]error[/]: uses undeclared capabilities: {literal(', '.join(report.imports.refused))}")


def _print_imports(report: PackageAudit) -> None:
    imports = Table(title="Component imports", title_justify="left")
    imports.add_column("import")
    imports.add_column("verdict")
    for name in report.imports.capabilities:
        imports.add_row(literal(name), "[green]allowed[/] (declared)" if name not in {"ui", "log"} else "[green]allowed[/] (always)")
    for name in report.imports.undeclared:
        imports.add_row(literal(name), "[bold red]REFUSED[/]: not declared in the manifest")
    for name in report.imports.unknown:
        imports.add_row(literal(name), "[bold red]REFUSED[/]: not provided by any Capsule host")
    if report.imports.platform:
        imports.add_row(f"{len(report.imports.platform)} WASI 0.2 interfaces", "[dim]locked down: no files, env, args or sockets[/]")
    console.print(imports)


def _print_sources(report: PackageAudit) -> None:
    sources = report.sources
    assert sources is not None
    declared = set(report.manifest.declared_capabilities())
    console.print(
        f"Runs on: {literal(report.runtime)}, the host's shared {'JavaScript' if report.kind == 'js' else 'Python'} runtime "
        "(locked down: no files but its own, no environment, arguments or sockets)"
    )
    used = Table(title="Capabilities the source uses", title_justify="left")
    used.add_column("capability", style="bold")
    used.add_column("where")
    used.add_column("verdict")
    for name, places in sources.used.items():
        verdict = "[green]declared[/]" if name in declared else "[bold red]NOT DECLARED[/]: refused at run time"
        shown = ", ".join(places[:6]) + (f" and {len(places) - 6} more" if len(places) > 6 else "")
        used.add_row(literal(name), literal(shown), verdict)
    if not sources.used:
        used.add_row("(none)", "-", "only ui and log")
    console.print(used)
    for place in sources.dynamic:
        warn(f"{place}: read it to see what it reaches")
    for place in sources.unreadable:
        warn(f"could not analyse {place}")
    files = Table(title="Source files (read them: `unzip -p PACKAGE FILE`)", title_justify="left")
    files.add_column("file")
    files.add_column("bytes", justify="right")
    for path, size in sources.files:
        files.add_row(literal(path), f"{size:,}")
    console.print(files)
