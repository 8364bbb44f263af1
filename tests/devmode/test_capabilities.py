"""Capabilities in developer mode: the manifest decides, storage survives reloads, calls are inspected."""

from __future__ import annotations

from pathlib import Path

import pytest

from capsule.runtime import Host
from capsule.runtime.devmode import DevProgram

from ..conftest import texts
from .conftest import declare, program

pytestmark = pytest.mark.slow

COUNT = """        count = int(storage.get("count", "0")) + 1
        storage.set("count", str(count))
        self.msg = f"count {count}\""""

TRY_STORAGE = """        try:
            storage.set("k", "v")
            self.msg = "stored"
        except NotDeclared as error:
            self.msg = f"NotDeclared: {error}\""""


def test_an_undeclared_capability_raises_not_declared_in_the_program(dev: DevProgram, folder: Path):
    (folder / "app.py").write_text(program(TRY_STORAGE))
    assert dev.reload().ok
    session = dev.launch(user="alice")
    session.dispatch("go")
    [message] = texts(session.view)
    assert message.startswith("NotDeclared: this program does not declare the 'storage' capability")
    [call] = [e.data for e in dev.inspector.entries(kinds={"call"}) if e.data["capability"] == "storage"]
    assert call["decision"] == "not-declared" and call["args"] == {"key": "k", "value": "v"}


def test_adding_a_permission_takes_effect_on_reload(dev: DevProgram, folder: Path):
    (folder / "app.py").write_text(program(TRY_STORAGE))
    assert dev.reload().ok
    session = dev.launch(user="alice")
    session.dispatch("go")
    assert texts(session.view)[0].startswith("NotDeclared")
    declare(folder, "storage")
    assert dev.reload(("manifest.json",)).ok
    session = dev.relaunch(session)
    session.dispatch("go")
    assert texts(session.view) == ["stored"]
    assert "storage" in dev.app.audit.capabilities


def test_storage_is_kept_across_reloads(dev: DevProgram, folder: Path, dev_host: Host):
    declare(folder, "storage")
    (folder / "app.py").write_text(program(COUNT, title="One"))
    assert dev.reload().ok
    session = dev.launch(user="alice")
    session.dispatch("go")
    session.dispatch("go")
    assert texts(session.view) == ["count 2"]
    for version, title in enumerate(["Two", "Three"], start=3):
        (folder / "app.py").write_text(program(COUNT, title=title))
        assert dev.reload().version == version
        session = dev.relaunch(session)
        assert session.view["title"] == title
        session.dispatch("go")
    assert texts(session.view) == ["count 4"]
    other = dev.launch(user="bob")  # per user, as in production
    other.dispatch("go")
    assert texts(other.view) == ["count 1"]


def test_a_manifest_error_names_the_field_and_keeps_the_running_version(dev: DevProgram, folder: Path):
    good = (folder / "manifest.json").read_text()
    (folder / "manifest.json").write_text(good.replace('"version": "1.0.0"', '"version": "one"'))
    result = dev.reload()
    assert not result.ok and result.problem.kind == "manifest" and result.problem.file == "manifest.json"
    assert "/version" in result.problem.message
    (folder / "manifest.json").write_text(good.replace('"category"', '"category" "tools",'))
    result = dev.reload()
    assert not result.ok and result.problem.line is not None
    assert "Hello, world!" in texts(dev.launch(user="alice").view)


def test_the_inspector_shows_arguments_decision_timing_and_logs(dev: DevProgram, folder: Path):
    declare(folder, "storage")
    body = '        storage.set("photo", "QUJD" * 500)\n        log.info("saved")\n        print("printed")\n        self.msg = "ok"'
    (folder / "app.py").write_text(program(body, top="from capsule_sdk import log\n"))
    assert dev.reload().ok
    seen = []
    unsubscribe = dev.inspector.subscribe(seen.append)
    session = dev.launch(user="alice")
    session.dispatch("go")
    unsubscribe()
    calls = [e.as_dict() for e in seen if e.kind == "call"]
    stored = next(c for c in calls if c["capability"] == "storage")
    assert stored["function"] == "set" and stored["decision"] == "ok" and stored["session"] == session.id
    assert stored["args"] == {"key": "photo", "value": "<base64, 2000 chars>"}
    assert isinstance(stored["duration_us"], int)
    assert any(c["capability"] == "ui" and c["function"] == "render" for c in calls)
    logs = [(e.data["level"], e.data["message"]) for e in seen if e.kind == "log"]
    assert ("info", "saved") in logs and ("stdout", "printed") in logs
    since = seen[-1].seq
    session.dispatch("go")
    assert all(e.seq > since for e in dev.inspector.entries(since=since))


def test_the_audit_trail_gets_no_arguments(dev_host: Host, folder: Path):
    records = []
    dev_host.observers.append(records.append)  # an observer that does not ask for arguments
    declare(folder, "storage")
    (folder / "app.py").write_text(program(COUNT))
    with DevProgram(dev_host, folder) as dev:
        session = dev.launch(user="alice")
        session.dispatch("go")
        assert [r.args for r in records if r.capability == "storage"] == [(), ()]
        assert any(e.data["args"] for e in dev.inspector.entries(kinds={"call"}) if e.data["capability"] == "storage")
