"""docs/embedding.md's Python examples run as shown, in order, against the current API.

The examples leave the host application's own parts to the reader (`my_ui`,
`my_gps`); small stand-ins fill them here. The two that need a server (a
registry over HTTP, a PostgreSQL cluster) run their imports and are checked
for the names they call; the rest run whole, on the real runtime.
"""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from capsule.sdk.toolchain.build import build_program

from ..conftest import REPO, texts

DOC = REPO / "docs" / "embedding.md"
NEEDS_A_SERVER = ("RegistryClient(", "database_url=")


def examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def imports_only(block: str) -> str:
    return "\n".join(line for line in block.splitlines() if line.startswith(("from ", "import ")))


@pytest.fixture
def in_a_host_app_folder(home, tmp_path, monkeypatch) -> Path:
    """A folder whose dist/ holds hello and taxi, as `capsule build sample_programs/NAME --out dist` leaves them,
    and a CAPSULE_HOME of its own (the examples set a first PIN and answer first prompts), sharing the caches."""
    own = home.sharing_caches(tmp_path / "home")
    monkeypatch.setenv("CAPSULE_HOME", str(own.root))
    for name in ("hello", "taxi"):
        build_program(REPO / "sample_programs" / name, home=own, out_dir=tmp_path / "dist")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_embedding_example_runs(in_a_host_app_folder):
    my_ui = types.SimpleNamespace(
        ask_permission=lambda *args: True,
        yes_no=lambda *args: True,
        pin_pad=lambda **fields: "135790",
        money=lambda amount, currency: f"{amount / 100:.2f} {currency}",
        pick_files=lambda *args: [],
    )
    my_gps = types.SimpleNamespace(read=lambda: (52.37, 4.89, 20.0), time_ms=lambda: 0)
    namespace: dict = {"my_ui": my_ui, "my_gps": my_gps}
    blocks = examples()
    assert len(blocks) >= 6, "docs/embedding.md lost its examples; update this test"
    hosts = []
    try:
        for number, block in enumerate(blocks):
            if "class Prompter(Protocol)" in block:  # the protocol, as a reader would paste it
                block = "from pathlib import Path\nfrom typing import Protocol\nfrom capsule.runtime import *\nfrom capsule.runtime.prompter import *\n" + block
            if "dev.capsule.samples.taxi" in block:
                namespace["host"].install("dist/dev.capsule.samples.taxi-1.0.0.capsule")
            if any(server in block for server in NEEDS_A_SERVER):
                block = imports_only(block)
            exec(compile(block, f"docs/embedding.md example {number + 1}", "exec"), namespace)
            if number == 0:  # the first example: hello greeted Ada, counted the tap, and was closed
                hello = namespace["session"]
                assert "You pressed the button 1 time." in texts(hello.view) and "Hello, Ada!" in texts(hello.view)
                assert not hello.alive
            if "host" in namespace and all(namespace["host"] is not known for known in hosts):
                hosts.append(namespace["host"])

        # The per-session prompter example: the consent question went to `asker`.
        assert [request.scope for request in namespace["asker"].asked] == ["location.fuzzy"]
        # The provider example: taxi reads the position from DeviceGps (fuzzed to the grid).
        host = namespace["host"]
        from capsule.runtime import PolicyPrompter

        taxi = host.launch("dev.capsule.samples.taxi", user="bob", prompter=PolicyPrompter(grants={"location.fuzzy": True}))
        pins = [node for node in taxi.view["children"] if node["type"] == "map_pin"]
        assert pins and abs(pins[0]["latitude"] - 52.37) < 0.05 and abs(pins[0]["longitude"] - 4.89) < 0.05
        # The PIN example set alice's PIN and a threshold.
        status = namespace["pins"].status("alice")
        assert status.is_set and status.no_pin_below == {"CNY": 2000}
        # The imports of the server examples name what they call.
        for name in ("Registry", "RegistryClient", "install_from_registry", "Host"):
            assert callable(namespace[name])
    finally:
        for host in hosts:
            host.close()
