"""Static reading of JS sources (which capabilities a program uses) and the
host's file serving for the JS runtime: no node needed."""

from __future__ import annotations

from pathlib import Path

from capsule.runtime.languages.js.analysis import analyse, blank_comments
from capsule.runtime.languages.js.component import contract_interfaces
from capsule.runtime.languages.js.linker import program_modules, read_program_file


def test_the_runtime_imports_every_capability_of_the_contracts_full_world():
    names = contract_interfaces()
    assert {"ui", "log", "storage", "payments", "profile", "location", "media", "qr", "network", "messages"} <= set(names)
    assert "lifecycle" not in names and "types" not in names


def test_destructured_aliased_and_module_requires_are_found_with_their_lines():
    source = b"""const { App, storage, payments: pay } = require("capsule");
const capsule = require('capsule');
const loc = require("capsule/location");
capsule.qr.scan();
// capsule.media.pick() in a comment does not count
const s = "capsule.network.fetch() in a string is not a use";
"""
    audit = analyse({"app.js": source})
    assert audit.used == {"location": ["app.js:3"], "payments": ["app.js:1"], "qr": ["app.js:4"], "storage": ["app.js:1"]}
    assert audit.undeclared({"storage", "payments"}) == ["location", "qr"]
    assert audit.dynamic == []


def test_computed_requires_and_indexing_are_flagged_for_reviewers():
    source = b"""const capsule = require("capsule");
const name = "sto" + "rage";
capsule[name].get("k");
require(name);
"""
    audit = analyse({"lib/x.js": source})
    assert any("lib/x.js:3" in place and "computed name" in place for place in audit.dynamic)
    assert any("lib/x.js:4" in place and "require(name)" in place for place in audit.dynamic)


def test_blanking_comments_keeps_lines_and_strings():
    text = 'a // one\n/* two\nthree */ "// not a comment"'
    blanked = blank_comments(text)
    assert blanked.count("\n") == text.count("\n")
    assert "one" not in blanked and "three" not in blanked and '"// not a comment"' in blanked


def test_the_host_serves_only_the_packages_own_files(tmp_path: Path):
    program = tmp_path / "program"
    (program / "lib").mkdir(parents=True)
    (program / "app.js").write_text("ok")
    (program / "lib" / "a.js").write_text("a")
    (program / "signature.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("secret")
    (program / "link.js").symlink_to(tmp_path / "secret.txt")
    assert read_program_file(program, "app.js") == "ok"
    assert read_program_file(program, "lib/a.js") == "a"
    for path in ("../secret.txt", "/etc/passwd", "lib/../../secret.txt", "link.js", "signature.json", "", "lib", "a\\b", "x\0"):
        assert read_program_file(program, path) is None, path
    assert program_modules(program) == ["app.js", "lib/a.js", "link.js"]


def test_the_capability_reference_names_every_js_sdk_function():
    import re

    from capsule.sdk import JS_SDK_DIR

    from ..conftest import REPO

    doc = (REPO / "docs" / "capabilities.md").read_text()
    reference = doc[doc.index("## In JavaScript") :]
    for capability in ("ui", "log", "storage", "payments", "profile", "location", "media", "qr", "network", "messages"):
        source = (JS_SDK_DIR / f"{capability}.js").read_text()
        functions = re.findall(r"^export (?:function|const) ([a-z]\w*)\s*(?:\(|=\s*\()", source, flags=re.M)
        assert functions, capability
        for name in functions:
            assert f"`{capability}.{name}(" in reference, f"{capability}.{name} is not in docs/capabilities.md"


def test_review_diff_shows_a_js_programs_changed_lines():
    from capsule.runtime.registry.review import source_changes
    from capsule.sdk.toolchain import source

    from ..conftest import REPO

    before = source.collect(REPO / "sample_programs" / "bill-pay", "js").files
    after = dict(before)
    after["app.js"] = before["app.js"].replace(b'"Scan a bill"', b'"Scan a bill now"')
    changes = source_changes(before, after)
    assert changes["files_changed"] == ["app.js"]
    assert '-      v.button("Scan a bill"' in changes["diff"] and '+      v.button("Scan a bill now"' in changes["diff"]
