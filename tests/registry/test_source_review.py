"""A reviewer reads a source package's code: the files and, line by line, what changed since the live version."""

from __future__ import annotations

import hashlib
import json

from capsule.runtime.package import pack_members
from capsule.runtime.package.keys import raw_public_key

from .conftest import HELLO_MANIFEST, publish


def _package(tmp_path, files, key, version: str, app_py: bytes):
    manifest = {**HELLO_MANIFEST, "id": "com.example.review", "version": version}
    manifest.pop("icon", None)
    members = {**files, "manifest.json": json.dumps(manifest).encode(), "app.py": app_py}
    name = hashlib.sha256(raw_public_key(key.public_key()) + version.encode() + app_py).hexdigest()[:12]
    return pack_members(tmp_path / f"{name}.capsule", members, key).path


def test_a_review_shows_the_source_and_what_changed(client, actors, hello_files, tmp_path) -> None:
    alice, reviewer = actors["alice"], actors["reviewer"]
    original = hello_files["app.py"]
    first = publish(client, alice, _package(tmp_path, hello_files, alice.key, "1.0.0", original)).json()
    detail = client.get(f"/reviews/{first['review_id']}", headers=reviewer.headers).json()
    changes = detail["source_changes"]
    # The first version: every file is new, and the diff holds all of its lines.
    assert "app.py" in changes["files_added"] and "manifest.json" in changes["files_added"]
    assert "+from capsule_sdk import App" in changes["diff"]
    assert [row["path"] for row in detail["audit"]["sources"]["files"]] == ["app.py"]
    assert client.post(f"/reviews/{first['review_id']}/approve", json={}, headers=reviewer.headers).status_code == 200

    edited = original.replace(b'"Press me"', b'"Press me now"') + b"\nSECRET_FEATURE = True\n"
    second = publish(client, alice, _package(tmp_path, hello_files, alice.key, "1.1.0", edited)).json()
    changes = client.get(f"/reviews/{second['review_id']}", headers=reviewer.headers).json()["source_changes"]
    assert changes["files_changed"] == ["app.py", "manifest.json"] and changes["files_added"] == []
    assert '-            v.button("Press me", "increment", style="primary"),' in changes["diff"]
    assert '+            v.button("Press me now", "increment", style="primary"),' in changes["diff"]
    assert "+SECRET_FEATURE = True" in changes["diff"]
    assert not changes["truncated"]


def test_a_source_program_using_an_undeclared_capability_is_rejected_by_the_audit(client, actors, hello_files, tmp_path):
    alice, reviewer = actors["alice"], actors["reviewer"]
    sneaky = hello_files["app.py"] + b"\nfrom capsule_sdk import location\n"
    version = publish(client, alice, _package(tmp_path, hello_files, alice.key, "2.0.0", sneaky)).json()
    detail = client.get(f"/reviews/{version['review_id']}", headers=reviewer.headers).json()
    assert detail["status"] == "rejected"
    assert detail["audit"]["imports"]["undeclared"] == ["capsule:app/location@0.1.0"]
    line = sneaky.decode().splitlines().index("from capsule_sdk import location") + 1
    assert detail["audit"]["sources"]["used"]["location"] == [f"app.py:{line}"]
