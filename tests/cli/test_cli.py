"""The CLI end to end, as a developer and a reviewer use it (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import HELLO, REPO

CAPSULE = str(Path(sys.executable).with_name("capsule"))


def capsule(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [CAPSULE, *args], capture_output=True, text=True, cwd=cwd, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    )
    if check and result.returncode != 0:
        raise AssertionError(f"capsule {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def test_keygen_refuses_to_overwrite_without_force(home):
    first = json.loads(capsule("keygen", "--name", "cli-test", "--json").stdout)
    assert len(first["key_id"]) == 16
    again = capsule("keygen", "--name", "cli-test", check=False)
    assert again.returncode != 0 and "--force" in again.stderr
    replaced = json.loads(capsule("keygen", "--name", "cli-test", "--force", "--json").stdout)
    assert replaced["key_id"] != first["key_id"]
    assert (home.keys / "cli-test.key").stat().st_mode & 0o077 == 0


def test_run_prints_the_page_and_taps(home, packages):
    result = capsule("run", str(packages["hello"].package), "--tap", "increment", "--tap", "increment")
    assert "Hello, world!" in result.stdout
    assert "You pressed the button 2 times." in result.stdout
    assert "Press me" in result.stdout


def test_run_json_prints_one_view_per_line(home, packages):
    result = capsule("run", str(packages["hello"].package), "--json", "--tap", "increment", "--query", "name=Ada")
    views = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(views) == 2
    assert views[0]["type"] == "page" and views[1]["name"] == "index"
    assert any(c.get("text") == "Hello, Ada!" for c in views[0]["children"])


def test_run_pairs_data_with_its_tap(home, packages):
    result = capsule(
        "run", str(packages["hostile"].package), "--json", "--tap", "read_file", "--data", '{"path": "/etc/hostname"}'
    )
    last = json.loads(result.stdout.splitlines()[-1])
    assert last["children"][0]["text"].startswith("read_file blocked")


def test_run_rejects_bad_data(home, packages):
    result = capsule("run", str(packages["hello"].package), "--tap", "increment", "--data", "[1]", check=False)
    assert result.returncode == 2
    assert "JSON object" in result.stderr


def test_run_reports_a_breach_and_exits_nonzero(home, packages):
    result = capsule("run", str(packages["hostile"].package), "--tap", "huge_view", check=False)
    assert result.returncode == 1
    assert "limit-exceeded" in result.stderr


def test_audit_lists_what_a_package_may_touch(home, packages):
    result = capsule("audit", str(packages["hello"].package), "--json")
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["imports"]["capabilities"] == ["log", "ui"]
    assert report["imports"]["undeclared"] == []
    assert report["digest"] == packages["hello"].digest
    human = capsule("audit", str(packages["hello"].package))
    assert "Declared permissions" in human.stdout and "locked down" in human.stdout


def test_audit_fails_on_an_undeclared_import(home, packages):
    result = capsule("audit", str(packages["undeclared"].package), "--json", check=False)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["imports"]["undeclared"] == ["capsule:app/storage@0.1.0"]


def test_audit_refuses_a_tampered_package(home, packages, tmp_path):
    tampered = tmp_path / "tampered.capsule"
    data = bytearray(packages["hello"].package.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered.write_bytes(bytes(data))
    result = capsule("audit", str(tampered), check=False)
    assert result.returncode == 1
    assert "error" in result.stderr


@pytest.mark.slow
def test_new_build_run_and_its_own_test(home, tmp_path):
    capsule("new", "my-app", "--lang", "python", cwd=tmp_path)
    program = tmp_path / "my-app"
    assert (program / "manifest.json").exists() and (program / "app.py").exists()
    assert (program / "tests" / "test_app.py").exists() and (program / "README.md").exists()
    app_py = program / "app.py"
    app_py.write_text(app_py.read_text().replace("Hello from", "Edited:"))
    built = json.loads(capsule("build", str(program), "--json").stdout)
    assert built["id"] == "com.example.my-app"
    assert built["digest"].startswith("sha256:")
    assert Path(built["package"]).exists()
    result = capsule("run", str(program), "--tap", "increment")
    assert "Edited: My App!" in result.stdout
    assert "Pressed 1 time." in result.stdout
    own = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", str(program / "tests")], capture_output=True, text=True
    )
    assert own.returncode == 0, own.stdout + own.stderr


def test_new_refuses_bad_names_and_languages(tmp_path):
    assert capsule("new", "Bad Name", cwd=tmp_path, check=False).returncode == 2
    result = capsule("new", "ok-name", "--lang", "cobol", cwd=tmp_path, check=False)
    assert result.returncode == 2 and "python" in result.stderr


def test_build_reports_manifest_errors_with_pointers(home, tmp_path):
    capsule("new", "broken", cwd=tmp_path)
    manifest = tmp_path / "broken" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["version"] = "one"
    manifest.write_text(json.dumps(data))
    result = capsule("build", str(tmp_path / "broken"), check=False)
    assert result.returncode == 1
    assert "/version" in result.stderr


def test_a_typo_in_the_manifest_is_named_one_problem_per_line(home, tmp_path):
    capsule("new", "typo", cwd=tmp_path)
    manifest = tmp_path / "typo" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"pages"', '"pagse"'))
    result = capsule("build", str(tmp_path / "typo"), check=False)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"error: invalid manifest in {manifest}:"
    assert any(line.startswith("  /pagse: unexpected field") and 'did you mean "pages"?' in line for line in lines)
    assert any(line.startswith('  /pages: missing required field "pages"') for line in lines)
    assert "\\x0a" not in result.stderr  # the CLI's own line breaks are line breaks


def test_run_on_a_folder_without_a_manifest_says_to_make_one(home, tmp_path):
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "app.py").write_text("x = 1\n")
    result = capsule("run", str(tmp_path / "loose"), check=False)
    assert result.returncode == 1
    assert f"{tmp_path / 'loose'} has no manifest.json" in result.stderr and "capsule new" in result.stderr


def test_a_tap_on_a_missing_handler_names_the_handlers_there_are(home, packages):
    result = capsule("run", str(packages["hello"].package), "--tap", "incremnt", check=False)
    assert result.returncode == 1
    assert "has no handler 'incremnt' (handlers: increment)" in result.stderr
    assert "define it as an @handler method of the page" in result.stderr  # what to do about it
    # The traceback keeps its lines, each under the log's gutter.
    assert "error │ Traceback (most recent call last):" in result.stderr
    assert "\\x0a" not in result.stderr


def test_hello_sample_ships_a_passing_test(home):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", str(HELLO / "tests")], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bench_quick_prints_the_figures(home):
    # The payments, registry and web parts have tests of their own.
    result = capsule("bench", "--quick", "--json", "--only", "runtime")
    figures = json.loads(result.stdout)
    for key in ("launch_cached_ms_p50", "event_roundtrip_ratio_vs_raw", "hostcall_overhead_us", "rss_per_session_mb"):
        assert isinstance(figures[key], (int, float))
    assert figures["event_roundtrip_ratio_vs_raw"] > 0


def test_publish_without_signing_in_says_how_to_sign_in(home, packages, tmp_path):
    env = {**os.environ, "CAPSULE_HOME": str(home.sharing_caches(tmp_path / "nobody").root), "NO_COLOR": "1"}
    env.pop("CAPSULE_REGISTRY_TOKEN", None), env.pop("CAPSULE_REGISTRY_URL", None)
    result = subprocess.run([CAPSULE, "publish", str(packages["hello"].package)], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert "not signed in to the registry at http://127.0.0.1:8470" in result.stderr
    assert "`capsule host`" in result.stderr and "capsule registry login" in result.stderr
    listed = subprocess.run([CAPSULE, "review", "list", "--json"], capture_output=True, text=True, env=env)
    assert listed.returncode == 1 and json.loads(listed.stderr)["error"] == "not-signed-in"


def test_a_syntax_error_is_named_with_file_line_and_its_traceback_lines(home, tmp_path):
    capsule("new", "broken-syntax", cwd=tmp_path)
    with (tmp_path / "broken-syntax" / "app.py").open("a") as source:
        source.write("\ndef oops(:\n")
    result = capsule("build", str(tmp_path / "broken-syntax"), check=False)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    error = next(number for number, line in enumerate(lines) if line.startswith("error: "))
    assert "SyntaxError" in lines[error] and "app.py, line" in lines[error]
    assert "  Traceback (most recent call last):" in lines[error + 1:]  # the traceback's own lines, indented
    assert "\\x0a" not in result.stderr


@pytest.mark.parametrize("command", [["host", "--samples", "EMPTY"], ["dev", str(HELLO)], ["registry", "serve"]])
def test_a_server_on_a_port_in_use_says_so_before_starting(home, tmp_path, command):
    import socket

    (tmp_path / "EMPTY").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = [str(tmp_path / "EMPTY") if word == "EMPTY" else word for word in command]
        # A timeout, not a hang, if the check were gone: the server would start and wait.
        result = subprocess.run([CAPSULE, *args, "--port", str(port)], capture_output=True, text=True, timeout=120,
                                env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port N" in result.stderr
    assert "Capsule host on" not in result.stdout  # nothing claimed to be serving
