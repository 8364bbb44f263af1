"""The tutorial's program and test, taken from docs/tutorial.md, work as the page says:
from `capsule new` to `capsule audit`, then published into a live web host and found there."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from ..cli.test_cli import CAPSULE, capsule
from ..conftest import REPO, texts
from ..webhost.conftest import signed_in, socket_url
from ..webhost.test_api import Tab

TUTORIAL = REPO / "docs" / "tutorial.md"
APP_ID = "com.example.tea-house"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), flags=re.DOTALL)


def manifest_fields() -> dict:
    """The manifest fields the tutorial adds (its one ```json block, a fragment of an object)."""
    (fragment,) = re.findall(r"```json\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), flags=re.DOTALL)
    return json.loads("{" + fragment.strip().rstrip(",") + "}")


def tea_house(parent: Path) -> Path:
    """`capsule new tea-house`, then app.py, the test and the manifest fields as the tutorial writes them."""
    program, test = python_blocks()
    capsule("new", "tea-house", "--lang", "python", cwd=parent)
    folder = parent / "tea-house"
    (folder / "app.py").write_text(program, encoding="utf-8")
    (folder / "tests" / "test_app.py").write_text(test, encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(manifest_fields())
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_the_tutorial_works_from_capsule_new_to_audit(home, tmp_path):
    folder = tea_house(tmp_path)

    run = capsule("run", str(folder), "--tap", "pick", "--data", '{"tea": "jasmine"}', "--tap", "more")
    assert "picked jasmine" in run.stdout + run.stderr
    assert "2 x Jasmine" in run.stdout and "Total: 32.00 CNY" in run.stdout

    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder / "tests")],
                           capture_output=True, text=True, cwd=folder)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout

    package = next((folder / "dist").glob("*.capsule"))
    audit = capsule("audit", str(package))
    assert "Capabilities the source uses" in audit.stdout and "locked down" in audit.stdout
    assert "only ui and log" in audit.stdout and "app.py" in audit.stdout


def capsule_in(home: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI with CAPSULE_HOME set to the web host's home: it finds the credentials `capsule host` saved."""
    result = subprocess.run(
        [CAPSULE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "CAPSULE_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "120"},
    )
    assert result.returncode == 0, f"capsule {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def test_the_tutorial_publishes_into_the_web_host_and_finds_it_there(web, live, tmp_path):
    folder = tea_house(tmp_path)
    home = web.host.home.root
    # Built with the web host's home, as in the tutorial: signed by the key `capsule host` registered.
    built = json.loads(capsule_in(home, "build", str(folder), "--json").stdout)

    # No --registry, no token: the saved credentials point at this host's embedded registry.
    published = json.loads(capsule_in(home, "publish", built["package"], "--json").stdout)
    assert published["id"] == APP_ID and published["status"] in ("auditing", "pending")
    with signed_in(web) as client:
        assert not client.get("/api/search", params={"q": "tea"}).json()["results"]  # not live before review

    deadline = time.monotonic() + 120
    while not any(row["review_id"] == published["review_id"] for row in json.loads(capsule_in(home, "review", "list", "--json").stdout)):
        assert time.monotonic() < deadline, "the registry did not finish auditing the tea house"
        time.sleep(0.5)
    shown = capsule_in(home, "review", "show", str(published["review_id"]), "--diff").stdout
    assert "+++ b/app.py" in shown and "What would you like?" in shown  # a first version: every line
    assert "(none)" in shown and "nothing beyond ui and log" in shown  # no permissions, said as the audit says it
    approved = capsule_in(home, "review", "approve", str(published["review_id"]))
    assert f"{APP_ID} 0.1.0 is live for 100% of users" in approved.stdout

    with signed_in(web) as client, client.websocket_connect(socket_url(client)) as socket:
        found = client.get("/api/search", params={"q": "tea"}).json()["results"]
        assert found and found[0]["app_id"] == APP_ID and found[0]["name"] == "Tea House"
        assert found[0]["description"] == "Pick a tea and see what your order costs." and found[0]["permissions"] == []
        tab = Tab(socket)
        session, view = tab.launch(APP_ID)
        assert view["name"] == "index" and "What would you like?" in texts(view)
        tab.tap(session, "pick", {"tea": "jasmine"})
        assert "1 x Jasmine" in texts(tab.until("view")["view"])

        # Step 9's terminal search and QR code, as the page shows them.
        assert APP_ID in capsule_in(home, "search", "tea").stdout
        code = subprocess.run(
            [CAPSULE, "qr", "make", APP_ID, "--page", "order", "--param", "tea=jasmine", "--out", "tea.png"],
            capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "CAPSULE_HOME": str(home), "NO_COLOR": "1"},
        )
        assert code.stdout.strip() == f"wrote tea.png: capsule://{APP_ID}/order?scene=qr&tea=jasmine", code.stderr
        scanned = client.post("/api/scan", files={"image": ("tea.png", (tmp_path / "tea.png").read_bytes(), "image/png")})
        assert scanned.json()["target"] == {"app_id": APP_ID, "page": "order", "scene": "qr", "params": {"tea": "jasmine"}}


def test_the_tutorial_counts_the_samples_capsule_host_publishes():
    """Step 8 shows `capsule host --demo` publishing the samples and the review id that comes after them."""
    from capsule.runtime.webhost.demo import sample_dirs

    samples = sample_dirs()
    text = TUTORIAL.read_text(encoding="utf-8")
    count = len(samples)
    assert f"· [1/{count}] {samples[0].name}:" in text and f"· [{count}/{count}] {samples[-1].name}:" in text
    assert f"review {count + 1}, auditing" in text
