"""`capsule privacy`: what each user allowed, and what each program did with it.

These commands are the host's privacy settings on the command line: they read
and change the same grants and audit trail the runtime uses, so a change here
applies to running programs on their next call.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from datetime import datetime, timezone

import typer
from rich.table import Table

from capsule.runtime.consent import SCOPES, GrantState
from capsule.runtime.home import Home
from capsule.runtime.services import HostServices

from .arguments import known_scopes
from .output import console, emit_json, fail, literal

app = typer.Typer(help="Grants, revocations and the audit trail of capability calls.", no_args_is_help=True)

USER = typer.Option(..., "--user", help="The user whose settings these are.")
JSON = typer.Option(False, "--json", help="Print JSON instead of a table.")


def _services() -> HostServices:
    return HostServices(Home.resolve())


def _when(at: float | None) -> str:
    if at is None:
        return "-"
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


@app.command("grants")
def grants(
    user: str = typer.Option(None, "--user", help="Only this user."),
    app_id: str = typer.Option(None, "--app", help="Only this program."),
    as_json: bool = JSON,
) -> None:
    """List decisions: granted, denied, revoked (scopes never asked are not listed)."""
    services = _services()
    try:
        found = services.consent_store.list(user=user, app_id=app_id)
    finally:
        services.close()
    if as_json:
        emit_json([g.as_dict() for g in found])
        return
    table = Table(title="Consent", title_justify="left")
    for column in ("user", "program", "scope", "state", "decided", "expires"):
        table.add_column(column)
    for g in found:
        state = g.effective().value
        colour = {"granted": "green", "denied": "red", "revoked": "yellow"}.get(state, "dim")
        table.add_row(literal(g.user), literal(g.app_id), literal(g.scope), f"[{colour}]{literal(state)}[/]", _when(g.decided_at), _when(g.expires_at))
    if not found:
        table.add_row("(none)", "", "", "", "", "")
    console.print(table)


def _change(action: str, user: str, app_id: str, scope: str | None, as_json: bool) -> None:
    if action in ("grant", "deny"):
        known_scopes([scope or ""], SCOPES, as_json=as_json)
    services = _services()
    try:
        store = services.consent_store
        if action == "revoke":
            changed = [g.as_dict() for g in store.revoke(user, app_id, scope)]
            if not changed:
                fail(
                    f"{user} has not granted {scope or 'anything'} to {app_id}; "
                    "see `capsule privacy grants --user " + user + "`",
                    as_json=as_json,
                )
        elif action == "reset":
            count = store.reset(user, app_id, scope)
            changed = [{"user": user, "app_id": app_id, "scope": scope, "state": GrantState.NOT_ASKED.value, "forgotten": count}]
        else:
            assert scope is not None
            grant = store.grant(user, app_id, scope) if action == "grant" else store.deny(user, app_id, scope)
            changed = [grant.as_dict()]
    finally:
        services.close()
    if as_json:
        emit_json(changed)
        return
    for row in changed:
        console.print(f"{literal(row['app_id'])} · {literal(row['scope'] or 'every scope')}: [bold]{literal(row['state'])}[/] for {literal(row['user'])}")


@app.command("revoke")
def revoke(
    app_id: str = typer.Argument(..., help="The program."),
    scope: str = typer.Argument(None, help="One scope (e.g. location.precise); all granted scopes when left out."),
    user: str = USER,
    as_json: bool = JSON,
) -> None:
    """Take back a grant; the program is refused from its next call on, without asking."""
    _change("revoke", user, app_id, scope, as_json)


@app.command("grant")
def grant(
    app_id: str = typer.Argument(..., help="The program."),
    scope: str = typer.Argument(..., help="The scope, e.g. location.fuzzy."),
    user: str = USER,
    as_json: bool = JSON,
) -> None:
    """Allow a scope ahead of time (or again after a denial)."""
    _change("grant", user, app_id, scope, as_json)


@app.command("deny")
def deny(
    app_id: str = typer.Argument(..., help="The program."),
    scope: str = typer.Argument(..., help="The scope, e.g. profile.phone."),
    user: str = USER,
    as_json: bool = JSON,
) -> None:
    """Refuse a scope: the program gets "refused" without a prompt."""
    _change("deny", user, app_id, scope, as_json)


@app.command("reset")
def reset(
    app_id: str = typer.Argument(..., help="The program."),
    scope: str = typer.Argument(None, help="One scope; every decision for the program when left out."),
    user: str = USER,
    as_json: bool = JSON,
) -> None:
    """Forget decisions, so the program asks again."""
    _change("reset", user, app_id, scope, as_json)


@app.command("report")
def report(
    user: str = USER,
    app_id: str = typer.Option(None, "--app", help="Only this program."),
    days: float = typer.Option(30.0, "--days", help="How far back to look."),
    limit: int = typer.Option(10_000, "--limit", help="At most this many calls."),
    as_json: bool = JSON,
) -> None:
    """What each program accessed: calls per scope and decision, and the bytes handed out."""
    services = _services()
    try:
        entries = services.audit.entries(user=user, app_id=app_id, since=time.time() - days * 86400, limit=limit)
        decisions = services.consent_store.list(user=user, app_id=app_id)
    finally:
        services.close()
    per_program: dict[str, dict] = defaultdict(lambda: {"calls": 0, "bytes_out": 0, "versions": set(), "by": Counter()})
    for e in entries:
        p = per_program[e.app_id]
        p["calls"] += 1
        p["bytes_out"] += e.bytes_out
        p["versions"].add(e.app_version)
        p["by"][(e.scope or e.capability, e.function, e.decision)] += 1
        p["last"] = e.at
    if as_json:
        emit_json(
            {
                "user": user,
                "since": time.time() - days * 86400,
                "programs": [
                    {
                        "app_id": app,
                        "versions": sorted(p["versions"]),
                        "calls": p["calls"],
                        "bytes_out": p["bytes_out"],
                        "last": p["last"],
                        "by_scope": [
                            {"scope": s, "function": f, "decision": d, "calls": n} for (s, f, d), n in sorted(p["by"].items())
                        ],
                    }
                    for app, p in sorted(per_program.items())
                ],
                "grants": [g.as_dict() for g in decisions],
                "entries": [e.as_dict() for e in entries],
            }
        )
        return
    console.print(f"[bold]Privacy report for {literal(user)}[/] (last {days:g} days)")
    if not per_program:
        console.print("  no program used any capability for this user")
    for app, p in sorted(per_program.items()):
        table = Table(
            title=f"{literal(app)} ({literal(', '.join(sorted(p['versions'])))}): {p['calls']} calls, "
            f"{p['bytes_out']:,} bytes handed out, last {_when(p['last'])}",
            title_justify="left",
        )
        for column in ("scope", "function", "decision", "calls"):
            table.add_column(column)
        for (scope, function, decision), count in sorted(p["by"].items()):
            colour = "green" if decision == "ok" else "red"
            table.add_row(literal(scope), literal(function), f"[{colour}]{literal(decision)}[/]", str(count))
        console.print(table)
    granted = [g for g in decisions if g.effective() is not GrantState.NOT_ASKED]
    if granted:
        console.print("Current decisions: " + literal(", ".join(f"{g.app_id} {g.scope}={g.effective().value}" for g in granted)))


@app.command("prune")
def prune(
    days: float = typer.Option(None, "--days", help="Keep this many days (default: the host's retention)."),
    as_json: bool = JSON,
) -> None:
    """Delete audit entries older than the retention period."""
    services = _services()
    try:
        if days is not None:
            services.audit.retention_days = days
        removed = services.audit.prune()
    finally:
        services.close()
    if as_json:
        emit_json({"removed": removed, "retention_days": services.audit.retention_days})
    else:
        console.print(f"removed {removed} audit entries older than {services.audit.retention_days:g} days")
