"""`capsule run`: launch a program in the terminal and tap through it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import typer
from rich.panel import Panel

from capsule.runtime import Host, PolicyPrompter, TerminalPrompter
from capsule.runtime.consent import SCOPES
from capsule.runtime.errors import CapsuleError, ProgramError, SessionEnded
from capsule.runtime.home import Home
from capsule.runtime.views.terminal import render_text

from .arguments import existing, known_scopes
from .build import build_with_progress
from .output import console, emit_json, errors, fail, json_text, literal

#: The payment PIN a run without a terminal types when the program asks for money.
PIN_VARIABLE = "CAPSULE_PAYMENT_PIN"


def run(
    target: Path = typer.Argument(..., help="A package (.capsule) or a program folder (built first)."),
    tap: list[str] = typer.Option([], "--tap", metavar="HANDLER", help="Dispatch this handler; repeatable, in order."),
    data: list[str] = typer.Option([], "--data", metavar="JSON", help="JSON object for the --tap right before it."),
    grant: list[str] = typer.Option([], "--grant", metavar="SCOPE", help="Answer yes when the program asks for SCOPE."),
    deny: list[str] = typer.Option([], "--deny", metavar="SCOPE", help="Answer no when the program asks for SCOPE."),
    user: str = typer.Option("developer", "--user", help="Who runs the program."),
    page: str = typer.Option("", "--page", help="Open this page instead of the first."),
    query: list[str] = typer.Option([], "--query", metavar="KEY=VALUE", help="Launch parameter KEY=VALUE; repeatable."),
    scene: str = typer.Option("launch", "--scene", help="Why the program was opened."),
    as_json: bool = typer.Option(False, "--json", help="Print every view as one JSON object per line."),
) -> None:
    """Print the program's first view as text, then the view after each --tap."""
    try:
        events = pair_taps(tap, data, sys.argv)
        params = dict(_split_pair(item) for item in query)
    except ValueError as error:
        fail(str(error), code=2, as_json=as_json)
    known_scopes([*grant, *deny], RUN_SCOPES, "--grant/--deny", as_json=as_json)
    existing(target, "file or folder", "a package (.capsule) or a program folder (one with manifest.json)", as_json=as_json)
    prompter = _prompter(grant, deny)
    status = 0
    try:
        package = target if target.is_file() else build_with_progress(target, quiet=as_json).package
        host = Host(Home.resolve(), prompter=prompter)
        app = host.install(package, rebuilt=not target.is_file())  # a build of the folder: an edit may keep its version
        _remember_answers(host, app.id, user, grant, deny)
        session = host.launch(app.id, user=user, scene=scene, query=params, page=page or None)
    except CapsuleError as error:
        fail(error, as_json=as_json)
    _show(session, as_json, title=f"{app.name} · {session.page}")
    for handler, payload in events:
        try:
            session.dispatch(handler, payload)
        except ProgramError as error:
            status = 1
            _report(session, error, as_json)
            continue
        except SessionEnded as error:
            _report(session, error, as_json)
            host.close()  # writes the audit trail's last entries
            raise typer.Exit(1)
        _show(session, as_json, title=f"{app.name} · {session.page}  (after {handler})")
    session.close()
    host.close()  # writes the audit trail's last entries
    raise typer.Exit(status)


#: What --grant and --deny answer: the consent scopes, and "payments" for the payment sheet.
RUN_SCOPES = (*SCOPES, "payments")


def pair_taps(taps: list[str], datas: list[str], argv: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Each --data belongs to the --tap right before it on the command line."""
    order = [arg.split("=", 1)[0] for arg in argv if arg.split("=", 1)[0] in {"--tap", "--data"}]
    if len(order) != len(taps) + len(datas):  # not from a command line: pair by position
        order = []
        for i in range(len(taps)):
            order.append("--tap")
            if i < len(datas):
                order.append("--data")
    events: list[tuple[str, dict[str, Any]]] = []
    tap_iter, data_iter = iter(taps), iter(datas)
    for flag in order:
        if flag == "--tap":
            events.append((next(tap_iter), {}))
        else:
            if not events:
                raise ValueError("--data must follow the --tap it belongs to")
            raw = next(data_iter)
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as error:
                raise ValueError(f"--data {raw!r} is not JSON: {error.msg} at column {error.colno}") from None
            if not isinstance(value, dict):
                raise ValueError(f"--data must be a JSON object such as '{{\"item\": \"x\"}}', got {raw!r}")
            events[-1] = (events[-1][0], value)
    return events


def _split_pair(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise ValueError(f"--query takes KEY=VALUE, got {item!r}")
    return key, value


def _prompter(grant: list[str], deny: list[str]):
    if grant or deny or not sys.stdin.isatty():
        # A payment sheet is confirmed only when asked for by --grant payments:
        # without it, a run without a terminal must not spend the user's money.
        # The PIN comes from the environment, never the command line (other users see that in `ps`).
        pays = "payments" in grant and "payments" not in deny
        return PolicyPrompter(
            grants={**{s: True for s in grant}, **{s: False for s in deny}},
            confirms={"payment": pays},
            pin=os.environ.get(PIN_VARIABLE) or None,
        )
    return TerminalPrompter()


def _remember_answers(host: Host, app_id: str, user: str, grant: list[str], deny: list[str]) -> None:
    """--grant/--deny are the user's settings for this run: they replace any earlier decision,
    so a denial remembered from a previous run does not hide a --grant."""
    store = host.services.consent_store
    for scope in grant:
        store.grant(user, app_id, scope)
    for scope in deny:
        store.deny(user, app_id, scope)


def _show(session, as_json: bool, *, title: str) -> None:
    if as_json:
        emit_json(session.view)
        return
    for line in _drain_logs(session):
        _print_log(line)
    for kind, message in session.toasts:
        console.print(f"[reverse] {literal(kind)} [/] {literal(message)}")
    session.toasts.clear()
    body = render_text(session.view) if session.view else "(the program rendered no view)"
    console.print(Panel(literal(body, lines=True), title=literal(title), title_align="left", expand=False))


def _print_log(line) -> None:
    """One of the program's log lines. A message of several lines (a traceback) keeps
    its line breaks, each line under the same gutter, so none passes for the CLI's own."""
    parts = line.message.rstrip("\n").split("\n")
    for number, part in enumerate(parts):
        gutter = f"{line.level:>6}" if number == 0 else ""
        errors.print(f"[dim]{literal(f'{gutter:>6}')} │ {literal(part)}[/]")


def _drain_logs(session) -> list:
    lines = list(session.logs)
    session.logs.clear()
    return lines


def _report(session, error: CapsuleError, as_json: bool) -> None:
    if as_json:
        sys.stderr.write(json_text({"error": error.code, "message": str(error)}) + "\n")
        return
    for line in _drain_logs(session):
        _print_log(line)
    errors.print(f"[bold red]{literal(error.code)}[/]: {literal(error)}")
