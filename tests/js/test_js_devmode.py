"""`capsule dev` for a JavaScript folder: the same DevProgram, on the JS runtime."""

from __future__ import annotations

import shutil

from capsule.runtime import Host, PolicyPrompter
from capsule.runtime.devmode import DevProgram

from ..conftest import HELLO_JS, texts


def test_a_js_folder_reloads_on_edit_and_keeps_the_last_good_version(home, js_packages, tmp_path):
    folder = tmp_path / "hello-js"
    shutil.copytree(HELLO_JS, folder, ignore=shutil.ignore_patterns("dist", "tests"))
    host = Host(home, prompter=PolicyPrompter())
    try:
        dev = DevProgram(host, folder)
        assert dev.last.ok and dev.runtime is host.js_runtime
        session = dev.launch(user="alice")
        assert "Hello, world!" in texts(session.view)
        app_js = folder / "app.js"
        app_js.write_text(app_js.read_text().replace("`Hello, ${name}!`", "`Howdy, ${name}!`"))
        result = dev.reload(("app.js",))
        assert result.ok and result.version == 2
        assert dev.sessions() == [session]
        session = dev.relaunch(session)
        assert "Howdy, world!" in texts(session.view)
        assert dev.sessions() == [session]

        app_js.write_text(app_js.read_text().replace("render() {", "render() {{"))
        broken = dev.reload(("app.js",))
        assert not broken.ok and broken.version == 2
        assert "SyntaxError" in str(broken.problem) or broken.problem.kind == "SyntaxError"
        assert "Howdy, world!" in texts(dev.relaunch(session).view)
    finally:
        host.close()
