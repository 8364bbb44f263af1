"""Reading which capabilities a program's source uses, without running it."""

from __future__ import annotations

from capsule.runtime.languages.python.analysis import analyse


def used(source: str) -> dict[str, list[str]]:
    return analyse({"app.py": source.encode()}).used


def test_every_way_of_reaching_a_capability_is_found_with_its_line():
    source = "\n".join(
        [
            "from capsule_sdk import payments, storage as s",  # 1
            "import capsule_sdk.location",  # 2
            "import capsule_sdk as sdk",  # 3
            "from capsule_sdk.media import pick",  # 4
            "import wit_world.imports.network as raw",  # 5
            "from capsule_sdk import _bindings",  # 6
            "payments.request_payment('o', 1, 'CNY', 'x')",  # 7
            "s.get('k')",  # 8
            "sdk.qr.scan()",  # 9
            "_bindings.call('profile', 'user_id')",  # 10
            "from wit_world.imports import storage",  # 11
        ]
    )
    assert used(source) == {
        "location": ["app.py:2"],
        "media": ["app.py:4"],
        "network": ["app.py:5"],
        "payments": ["app.py:1", "app.py:7"],
        "profile": ["app.py:10"],
        "qr": ["app.py:9"],
        "storage": ["app.py:1", "app.py:8", "app.py:11"],
    }


def test_what_static_reading_cannot_resolve_is_flagged():
    audit = analyse(
        {
            "app.py": b"import importlib\nfrom capsule_sdk import _bindings\nimport capsule_sdk\n"
            b"importlib.import_module(name)\n_bindings.call(which, 'get')\ngetattr(capsule_sdk, what)\n",
            "broken.py": b"def (:\n",
            "data.json": b"{}",
        }
    )
    assert [place.split(": ", 1)[0] for place in audit.dynamic] == ["app.py:4", "app.py:5", "app.py:6"]
    assert audit.unreadable and audit.unreadable[0].startswith("broken.py:1")
    assert [path for path, _ in audit.files] == ["app.py", "broken.py"]


def test_undeclared_and_unused():
    audit = analyse({"app.py": b"from capsule_sdk import storage, location\n"})
    assert audit.undeclared({"storage", "network"}) == ["location"]
    assert audit.unused({"storage", "network"}) == ["network"]


def test_the_programs_own_modules_and_the_standard_library_are_not_capabilities():
    assert used("import json\nfrom . import storage\nfrom .payments import x\nimport storage\n") == {}
