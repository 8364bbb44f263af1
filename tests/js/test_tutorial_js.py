"""The tutorial's JavaScript program (docs/tutorial.md) behaves as its Python one:
the same taps give the same views and the same log line."""

from __future__ import annotations

import json
import re

from capsule.runtime import Host, PolicyPrompter
from capsule.sdk.toolchain.build import build_program

from ..cli.test_cli import capsule
from ..docs.test_tutorial import TUTORIAL, manifest_fields, tea_house

APP_ID = "com.example.tea-house"


def js_tea_house(parent):
    (program,) = re.findall(r"```javascript\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), flags=re.DOTALL)
    capsule("new", "tea-house", "--lang", "js", cwd=parent)
    folder = parent / "tea-house"
    (folder / "app.js").write_text(program, encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(manifest_fields())
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_the_tutorial_in_javascript_behaves_as_in_python(home, js_packages, tmp_path):
    for language in ("py", "js"):
        (tmp_path / language).mkdir()
    folders = {"python": tea_house(tmp_path / "py"), "js": js_tea_house(tmp_path / "js")}
    seen = {}
    for language, folder in folders.items():
        built = build_program(folder, home=home, out_dir=tmp_path / f"dist-{language}")
        assert built.kind == language
        host = Host(home.sharing_caches(tmp_path / f"host-{language}"), prompter=PolicyPrompter())
        try:
            host.install(built.package)
            session = host.launch(APP_ID, user="ann")
            views = [session.view]
            for handler, data in (("pick", {"tea": "jasmine"}), ("more", {}), ("back", {}), ("pick", {"tea": "matcha"})):
                session.dispatch(handler, data)
                views.append(session.view)
            seen[language] = (views, [line.message for line in session.logs if line.level == "info"], session.toasts)
        finally:
            host.close()
    assert seen["python"] == seen["js"]
    assert seen["js"][1] == ["picked jasmine"] and seen["js"][2] == [("error", "That tea is not on the menu")]
