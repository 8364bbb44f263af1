"""Program text is only text in terminals: whatever a program, a manifest or a
registry says, every command prints it as typed (no rich markup read, control,
escape and bidi characters shown as escapes) and none of it crashes the CLI."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from capsule.cli import output, review
from capsule.cli import registry as registry_commands
from capsule.cli.main import app
from capsule.cli.output import json_text, literal
from capsule.runtime import Home
from capsule.runtime.audit import audit_package
from capsule.runtime.capabilities.binding import CallRecord
from capsule.runtime.capabilities.payments import EmbeddedProvider, ReceiptSigner
from capsule.runtime.capabilities.qr import codes
from capsule.runtime.errors import CapsuleError
from capsule.runtime.manifest import load_manifest
from capsule.runtime.prompter import ConfirmRequest, ConsentRequest, TerminalPrompter
from capsule.runtime.services import HostServices
from capsule.runtime.views.visible import visible
from capsule.sdk.toolchain.build import build_program

from ..conftest import PROGRAMS

CAPSULE = str(Path(sys.executable).with_name("capsule"))

TERMINAL = PROGRAMS / "terminal"
#: What a terminal obeys or what rich reads as markup, in pieces a string is made of.
SNIPPETS = [
    "[/]", "[/bold]", "[bold]", "[red]x[/red]", "[link=https://evil.example]y[/link]", "[@click=quit]", "[#ff0000]",
    "\x1b[2J", "\x1b[H", "\x1b]0;pwned\x07", "\x1b[8m", "\x9b2J", "\r", "\b", "\x00", "\x7f", "\u202e", "\u2066",
    "\u200f", "\u2028", "\\", "\\[b]", "\\[link=", ":warning:", "\n", "\t", "%s", "{0}", "世界",
]
hostile = st.lists(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=6)), min_size=1, max_size=5).map("".join)
#: The same, as a program can send it (WIT strings hold no lone surrogates) and short enough for any view field.
said = hostile.map(lambda text: text[:30]).filter(lambda text: text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text))
examples = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
runner = CliRunner()


def obeyed(char: str) -> bool:
    """A character a terminal acts on instead of showing (newline aside)."""
    if char == "\n":
        return False
    return unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"} or unicodedata.bidirectional(char) in {
        "LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"
    } or char in "\u200e\u200f\u061c"


def assert_harmless(text: str) -> None:
    raw = sorted({f"U+{ord(c):04X}" for c in text if obeyed(c)})
    assert not raw, f"raw control characters reached the terminal: {raw}"


def assert_printed(result, *values: str) -> None:
    """The command finished by itself, printed nothing a terminal obeys, and showed each value as typed."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert_harmless(result.stdout)
    assert_harmless(result.stderr)
    for value in values:
        assert visible(value) in result.stdout + result.stderr, (value, result.stdout, result.stderr)


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch):
    # Wide enough that no table wraps a value: each then appears whole, as typed.
    for console in (output.console, output.errors):
        monkeypatch.setattr(console, "width", 500)


# -- the one function ------------------------------------------------------------------


@given(hostile)
def test_visible_leaves_nothing_a_terminal_obeys(text: str) -> None:
    shown = visible(text)
    assert_harmless(shown)
    assert "\n" not in shown
    assert_harmless(visible(text, lines=True))


@given(st.text().filter(lambda text: not any(obeyed(c) or c == "\t" for c in text)))
def test_visible_leaves_ordinary_text_alone(text: str) -> None:
    assert visible(text, lines=True) == text


@given(hostile, st.sampled_from(["{}", "[bold]{}[/]", "[dim]{}[/dim] after", "{} [green]ok[/]"]))
def test_literal_prints_as_typed_inside_any_markup_of_ours(text: str, template: str) -> None:
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", emoji=False, width=500, soft_wrap=True)
    console.print(template.format(literal(text)))
    printed = console.file.getvalue()
    assert visible(text) in _without_colours(printed)
    assert_harmless(_without_colours(printed))


@given(hostile)
def test_json_output_means_the_same_and_shows_no_controls(text: str) -> None:
    line = json_text({"name": text, "list": [text]})
    assert json.loads(line) == {"name": text, "list": [text]}
    assert_harmless(line)


def _without_colours(text: str) -> str:
    """Rich's own colour sequences (SGR, ESC [ ... m) taken out: what is left is what the text said."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# -- capsule run ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def terminal_package(home: Home, tmp_path_factory: pytest.TempPathFactory):
    """A real program whose manifest name is `[/bold]` and a clear-screen, and which says anything it is told."""
    return build_program(TERMINAL, home=home, out_dir=tmp_path_factory.mktemp("terminal")).package


@pytest.mark.slow
def test_run_prints_a_program_saying_markup_and_escapes_as_typed(home: Home, terminal_package) -> None:
    result = runner.invoke(app, ["run", str(terminal_package), "--tap", "say", "--data", '{"text": "[/]"}'])
    assert result.exit_code == 0, result.output
    assert_printed(result, "[/] [bold]not bold[/bold] \x1b[2J\x1b[H cleared?", "[/bold]Term\x1b[2J\x1b[H\u202eInal")
    assert "│ [/]" in result.stderr  # the program's log line
    assert "\\x1b[2J" in result.stdout and "\\u202e" in result.stdout


@pytest.mark.slow
@examples
@given(text=said)
def test_run_prints_whatever_a_program_says_literally(home: Home, terminal_package, text: str) -> None:
    result = runner.invoke(app, ["run", str(terminal_package), "--tap", "say", "--data", json.dumps({"text": text})])
    assert result.exit_code == 0, result.output
    assert_printed(result, text)
    # A log message of several lines keeps its breaks, each line under the log's gutter.
    for part in text.rstrip("\n").split("\n"):
        assert f"│ {visible(part)}" in result.stderr


@pytest.mark.slow
def test_a_programs_warnings_reach_no_terminal_raw_through_pythons_logging(home: Home, terminal_package) -> None:
    # A real process: under pytest its log capture would hide Python's last-resort handler.
    done = subprocess.run(
        [CAPSULE, "run", str(terminal_package), "--tap", "say", "--data", json.dumps({"text": "\x1b[2Jgone"})],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert_harmless(done.stdout + done.stderr)
    assert "warn │ \\x1b[2Jgone" in done.stderr


@pytest.mark.slow
def test_run_json_shows_no_controls(home: Home, terminal_package) -> None:
    result = runner.invoke(app, ["run", str(terminal_package), "--json"])
    assert result.exit_code == 0, result.output
    assert_harmless(result.stdout)
    assert json.loads(result.stdout)["children"][0]["text"].startswith("[/] [bold]not bold[/bold] \x1b[2J")


def test_the_terminal_prompter_shows_a_programs_words_with_controls_visible() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = io.StringIO()
    prompter = TerminalPrompter(Terminal("y\ny\n"), shown)
    name, reason = "\x1b[2JPay\u202eyaP", "needs it\r\x1b[1Afor nothing"
    assert prompter.ask_consent(ConsentRequest("u", "a.b", name, "location.fuzzy", reason), 1.0)
    assert prompter.confirm(ConfirmRequest("u", "a.b", name, "Pay\x1b]0;x\x07", "\bmessage", "OK\x1b[8m", details=(("To\r", "\x9b"),)), 1.0)
    assert_harmless(shown.getvalue())
    assert visible(name) in shown.getvalue() and visible(reason) in shown.getvalue()


# -- capsule audit ----------------------------------------------------------------------


@pytest.mark.slow
def test_audit_prints_a_manifest_name_with_markup_and_a_clear_screen_as_typed(home: Home, terminal_package) -> None:
    result = runner.invoke(app, ["audit", str(terminal_package)])
    assert result.exit_code == 0, result.output
    assert_printed(result, "[/bold]Term\x1b[2J\x1b[H\u202eInal", "[red]x[/red] \x1b]0;pwned\x07 [/] shown as typed")


@pytest.mark.slow
@examples
@given(name=hostile, reason=hostile)
def test_audit_prints_any_manifest_text_literally(home: Home, terminal_package, capsys, name: str, reason: str) -> None:
    from capsule.cli import audit

    report = _audit(home, terminal_package)
    data = json.loads(report.manifest.model_dump_json(exclude_none=True))
    data["name"] = {"en": name[:40]}
    data["permissions"]["location"]["reason"] = "why: " + reason[:190]
    try:
        manifest = load_manifest(json.dumps(data).encode())
    except CapsuleError:
        assume(False)
    audit._print(dataclasses.replace(report, manifest=manifest))
    printed = capsys.readouterr()
    assert_harmless(printed.out + printed.err)
    assert visible(name[:40]) in printed.out and visible("why: " + reason[:190]) in printed.out


_audits: dict[str, object] = {}


def _audit(home: Home, package):
    if str(package) not in _audits:
        _audits[str(package)] = audit_package(package, home=home)
    return _audits[str(package)]


# -- capsule review ---------------------------------------------------------------------


class HostileRegistry:
    """A registry that answers with hostile text in every field: one compromised,
    or one faithfully serving what a hostile developer uploaded."""

    def __init__(self, text: str) -> None:
        self.text = text

    def call(self, method: str, path: str, **_: object):
        t = self.text
        row = {"review_id": 7, "id": t, "version": t, "status": t, "size": 10, "reason": t, "digest": t, "percent": 100}
        if path == "/reviews":
            return [row]
        if path.endswith("/approve"):
            return row
        row["audit"] = {
            "permissions": [{"capability": t, "reason": t}],
            "imports": {"capabilities": [t], "platform": [], "undeclared": [t], "unknown": []},
            "network_hosts": [t],
            "data_practices": t,
        }
        row["changes"] = {"since_version": t, "added_permissions": [t]}
        row["source_changes"] = {"files_added": [t], "files_removed": [t], "files_changed": [], "diff": f"+{t}\n-{t}", "truncated": True}
        return row


@examples
@given(text=hostile)
def test_review_commands_print_a_hostile_registrys_answers_literally(monkeypatch, text: str) -> None:
    for module in (review, registry_commands):  # show asks review.connect, the others registry_call
        monkeypatch.setattr(module, "connect", lambda registry, **signing_in: (HostileRegistry(text), None))
    for args in (["review", "show", "7"], ["review", "show", "7", "--diff"], ["review", "list"], ["review", "approve", "7"], ["review", "reject", "7", "--reason", "no"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert_printed(result, text)


def test_review_show_prints_a_name_with_markup_and_escapes_as_typed(monkeypatch) -> None:
    text = "[/bold]\x1b[2J\x1b[Hreviewed[/]"
    monkeypatch.setattr(review, "connect", lambda registry, **signing_in: (HostileRegistry(text), None))
    result = runner.invoke(app, ["review", "show", "7"])
    assert result.exit_code == 0, result.output
    assert "[/bold]\\x1b[2J\\x1b[Hreviewed[/]" in result.stdout


# -- capsule privacy, wallet, qr --------------------------------------------------------


@examples
@given(user=hostile, program=hostile, scope=hostile)
def test_privacy_prints_hostile_names_literally(home: Home, user: str, program: str, scope: str) -> None:
    services = HostServices(Home.resolve())
    try:
        services.consent_store.grant(user, program, scope)
        services.audit.record(CallRecord("s", program, "1.0.0", user, "location", "get-position", "ok", 5, time.time(), scope))
    finally:
        services.close()
    for args in (["privacy", "grants", "--user", user], ["privacy", "report", "--user", user]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert_printed(result, program, scope)


@examples
@given(user=hostile, memo=hostile)
def test_wallet_prints_hostile_names_and_memos_literally(home: Home, user: str, memo: str) -> None:
    services = HostServices(Home.resolve())
    try:
        EmbeddedProvider(services.database, ReceiptSigner(services.host_key)).topup(user, 100, "CNY", memo=memo)
    finally:
        services.close()
    for args in (["wallet", "statement", "--user", user], ["wallet", "balance", "--user", user], ["wallet", "topup", "1", "CNY", "--user", user]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert_printed(result, user)
    assert visible(memo) in runner.invoke(app, ["wallet", "statement", "--user", user]).stdout


@examples
@given(text=hostile.filter(lambda text: "\x00" not in text and not text.startswith("capsule:")))
def test_qr_scan_prints_a_codes_text_literally(tmp_path_factory, text: str) -> None:
    image = tmp_path_factory.mktemp("qr") / "code.png"
    image.write_bytes(codes.qr_png(text, 256))
    result = runner.invoke(app, ["qr", "scan", str(image)])
    assert result.exit_code in (0, 1), result.output  # 1: no symbol the decoder could read
    assert_printed(result)


def test_qr_scan_prints_a_code_with_markup_and_bidi_as_typed(tmp_path) -> None:
    image = tmp_path / "code.png"
    image.write_bytes(codes.qr_png("[/bold]\u202e[/] pay here", 256))
    result = runner.invoke(app, ["qr", "scan", str(image)])
    assert result.exit_code == 0, result.output
    assert "[/bold]\\u202e[/] pay here" in result.stdout
    assert_harmless(result.stdout)


# -- errors -----------------------------------------------------------------------------


@examples
@given(text=hostile)
def test_errors_quoting_what_the_user_typed_print_it_literally(text: str) -> None:
    result = runner.invoke(app, ["wallet", "topup", "1", text, "--user", "u"])
    assert result.exit_code == 2, result.output
    assert_printed(result)
