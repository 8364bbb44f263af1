"""`capsule review`: the reviewer's queue."""

from __future__ import annotations

import typer
from rich.table import Table

from capsule.runtime.errors import CapsuleError

from .output import console, emit_json, fail, literal
from .registry import REGISTRY_OPTION, connect, registry_call

app = typer.Typer(help="Review published versions (list, show the audit, approve or reject) and users' reports.", no_args_is_help=True)


@app.command("list")
def list_reviews(
    status: str = typer.Option("pending", "--status", help="pending, auditing, approved, rejected, rolled-back, yanked or all."),
    registry: str = REGISTRY_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Versions waiting for review (or with another status)."""
    rows = registry_call("GET", "/reviews", registry=registry, as_json=as_json, params={"status": status})
    if as_json:
        return
    table = Table(title=f"Reviews ({literal(status)})", title_justify="left")
    for column in ("review", "app", "version", "status", "size", "reason"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(literal(cell) for cell in (row["review_id"], row["id"], row["version"], row["status"], f"{row['size']:,}", row["reason"] or "")))
    console.print(table)


@app.command()
def show(
    review_id: int = typer.Argument(..., help="The review id from `capsule review list`."),
    diff: bool = typer.Option(False, "--diff", help="Show the source changes since the live version, line by line."),
    registry: str = REGISTRY_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The capability audit, the source files, and what changed since the last approved version."""
    client, _ = connect(registry, signed_in=True, as_json=as_json)
    try:
        row = client.call("GET", f"/reviews/{review_id}")
    except CapsuleError as error:
        fail(error, as_json=as_json)
    if as_json:
        emit_json(row)
        return
    console.print(f"[bold]{literal(row['id'])} {literal(row['version'])}[/]  review {literal(row['review_id'])}  {literal(row['status'])}  {literal(row['digest'])}")
    audit = row.get("audit")
    if audit is None:
        console.print("audit: not ready yet (the registry is still auditing and precompiling)" if row["status"] == "auditing" else "audit: none")
    else:
        table = Table(title="Declared permissions", title_justify="left")
        table.add_column("capability", style="bold")
        table.add_column("reason shown to users")
        for permission in audit["permissions"]:
            table.add_row(literal(permission["capability"]), literal(permission["reason"]))
        if not audit["permissions"]:  # as `capsule audit` says it, rather than an empty table
            table.add_row("(none)", "the program asks for nothing beyond ui and log")
        console.print(table)
        imports = audit["imports"]
        console.print(f"imports: {literal(', '.join(imports['capabilities'] + imports['platform']) or '-')}")
        if imports["undeclared"] or imports["unknown"]:
            console.print(f"[bold red]undeclared imports[/]: {literal(', '.join(imports['undeclared'] + imports['unknown']))}")
        console.print(f"network hosts: {literal(', '.join(audit['network_hosts']) or '-')}")
        console.print(f"data practices: {literal(audit['data_practices'] or '-')}")
    changes = row.get("changes")
    if changes:
        console.print(f"changes since {literal(changes['since_version'])}:")
        for key, value in changes.items():
            if key != "since_version" and value:
                console.print(f"  {literal(key.replace('_', ' '))}: {literal(', '.join(map(str, value)))}")
    _print_source_changes(row.get("source_changes"), full=diff)
    if row.get("reason"):
        console.print(f"reason: {literal(row['reason'])}")
    try:
        reports = client.call("GET", "/reports", params={"status": "open", "app_id": row["id"]})
    except CapsuleError:
        reports = []  # an older registry without reports
    if reports:
        console.print(f"[bold yellow]open reports from users: {len(reports)}[/] (capsule review reports --app {literal(row['id'])})")


@app.command("reports")
def list_reports(
    status: str = typer.Option("open", "--status", help="open, closed or all."),
    app_id: str = typer.Option("", "--app", help="Only the reports about this program."),
    registry: str = REGISTRY_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Users' reports about live programs (from the host's program menu), newest first."""
    params = {"status": status, **({"app_id": app_id} if app_id else {})}
    rows = registry_call("GET", "/reports", registry=registry, as_json=as_json, params=params)
    if as_json:
        return
    table = Table(title=f"Reports ({literal(status)})", title_justify="left")
    for column in ("report", "app", "version", "reason", "status", "what the user said"):
        table.add_column(column)
    for row in rows:
        # The user's words are hostile text: printed literally, line breaks as escapes.
        said = row["details"] or "-"
        if row["note"]:
            said = f"{said} (closed: {row['note']})"
        table.add_row(*(literal(cell) for cell in (row["report_id"], row["app_id"], row["version"] or "-", row["reason"], row["status"], said)))
    console.print(table)


@app.command("close-report")
def close_report(
    report_id: int = typer.Argument(..., help="The report id from `capsule review reports`."),
    note: str = typer.Option(..., "--note", help="What you did about it (kept with the report)."),
    registry: str = REGISTRY_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Close a report with a note of what was done."""
    row = registry_call("POST", f"/reports/{report_id}/close", registry=registry, as_json=as_json, body={"note": note})
    if not as_json:
        console.print(f"closed report {literal(row['report_id'])} about {literal(row['app_id'])}")


def _print_source_changes(changes: dict | None, *, full: bool) -> None:
    if not changes:
        return
    for label, key in (("added", "files_added"), ("removed", "files_removed"), ("changed", "files_changed")):
        if changes[key]:
            console.print(f"files {label}: {literal(', '.join(changes[key]))}")
    if full:
        # The diff is the program's own source: shown as typed, controls included as escapes.
        console.print(literal(changes["diff"], lines=True) if changes["diff"] else "(no source changes)")
        if changes.get("truncated"):
            console.print("[yellow](the diff was cut at its size limit; download both packages to read the rest)[/]")
    elif changes["diff"]:
        console.print("[dim]read the changes line by line with --diff[/]")


@app.command()
def approve(
    review_id: int = typer.Argument(...),
    percent: int = typer.Option(100, "--percent", min=1, max=100, help="Release to this percentage of users first."),
    registry: str = REGISTRY_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Approve, countersign and release a version."""
    release = registry_call("POST", f"/reviews/{review_id}/approve", registry=registry, as_json=as_json, body={"percent": percent})
    if not as_json:
        console.print(f"{literal(release['id'])} {literal(release['version'])} is live for {literal(release['percent'])}% of users")


@app.command()
def reject(
    review_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="What the developer must change."),
    registry: str = REGISTRY_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Reject a version with a reason the developer can act on."""
    row = registry_call("POST", f"/reviews/{review_id}/reject", registry=registry, as_json=as_json, body={"reason": reason})
    if not as_json:
        console.print(f"rejected {literal(row['id'])} {literal(row['version'])}: {literal(row['reason'])}")
