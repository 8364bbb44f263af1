"""Packing: round trip, determinism, the digest's definition, atomic writes."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from capsule.runtime.errors import PackageError
from capsule.runtime.package import PackageInfo, open_package, pack, package_digest
from capsule.runtime.package.keys import key_id, raw_public_key

from .zips import KEY, LOGO, MANIFEST, OTHER_KEY, WASM


def test_round_trip(tmp_path):
    (tmp_path / "icon.svg").write_bytes(b"<svg/>")
    (tmp_path / "program.wasm").write_bytes(WASM)
    assets = {"assets/logo.png": LOGO, "assets/icons/icon.svg": tmp_path / "icon.svg", "assets/\u00e9t\u00e9.txt": b"s"}
    info = pack(tmp_path / "app.capsule", MANIFEST, tmp_path / "program.wasm", assets, KEY)
    assert isinstance(info, PackageInfo) and info.path == tmp_path / "app.capsule"
    assert info.size == info.path.stat().st_size
    assert info.key_id == key_id(raw_public_key(KEY.public_key()))

    package = open_package(info.path)
    assert (package.digest, package.key_id, package.size) == (info.digest, info.key_id, info.size)
    assert package.manifest_bytes == MANIFEST and package.component == WASM
    assert dict(package.assets) == {**assets, "assets/icons/icon.svg": b"<svg/>"}
    assert package.digest == package_digest({"manifest.json": MANIFEST, "program.wasm": WASM, **package.assets})


def test_assets_from_a_directory(tmp_path):
    folder = tmp_path / "assets"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "a.png").write_bytes(b"a")
    (folder / "b.txt").write_bytes(b"b")
    from_dir = pack(tmp_path / "dir.capsule", MANIFEST, WASM, folder, KEY)
    from_map = pack(tmp_path / "map.capsule", MANIFEST, WASM, {"assets/b.txt": b"b", "assets/img/a.png": b"a"}, KEY)
    assert from_dir.digest == from_map.digest
    assert dict(open_package(from_dir.path).assets) == {"assets/b.txt": b"b", "assets/img/a.png": b"a"}


def test_no_assets(tmp_path):
    assert dict(open_package(pack(tmp_path / "p.capsule", MANIFEST, WASM, None, KEY).path).assets) == {}


def test_same_input_same_bytes(tmp_path):
    a = pack(tmp_path / "a.capsule", MANIFEST, WASM, {"assets/logo.png": LOGO}, KEY)
    b = pack(tmp_path / "b.capsule", MANIFEST, WASM, {"assets/logo.png": LOGO}, KEY)
    assert a.path.read_bytes() == b.path.read_bytes()
    other = pack(tmp_path / "c.capsule", MANIFEST, WASM, {"assets/logo.png": LOGO}, OTHER_KEY)
    assert other.digest == a.digest and other.key_id != a.key_id  # the digest names content, not signer


def test_archive_layout(tmp_path):
    info = pack(tmp_path / "p.capsule", MANIFEST, WASM, {"assets/logo.png": LOGO}, KEY)
    with zipfile.ZipFile(info.path) as archive:
        entries = archive.infolist()
    assert [e.filename for e in entries] == ["assets/logo.png", "manifest.json", "program.wasm", "signature.json"]
    assert {(e.date_time, e.compress_type, e.external_attr >> 16) for e in entries} == {
        ((1980, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED, 0o100644)
    }


def test_digest_follows_its_definition():
    members = {"program.wasm": WASM, "manifest.json": MANIFEST, "assets/x": b"", "signature.json": b"ignored"}
    lines = "".join(
        f"{name}\0{hashlib.sha256(members[name]).hexdigest()}\n"
        for name in ["assets/x", "manifest.json", "program.wasm"]
    )
    assert package_digest(members) == "sha256:" + hashlib.sha256(lines.encode()).hexdigest()
    assert package_digest({**members, "signature.json": b"other"}) == package_digest(members)
    assert package_digest({**members, "assets/x": b"!"}) != package_digest(members)


@pytest.mark.parametrize(
    ("assets", "code"),
    [
        ({"logo.png": b"x"}, "unexpected-member"),
        ({"assets/": b"x"}, "unexpected-member"),
        ({"assets/../manifest.json": b"x"}, "path-traversal"),
        ({"assets\\x.png": b"x"}, "unexpected-member"),
        ({"assets/a\\b.png": b"x"}, "absolute-path"),
    ],
)
def test_pack_refuses_what_the_loader_would(tmp_path, assets, code):
    with pytest.raises(PackageError) as caught:
        pack(tmp_path / "p.capsule", MANIFEST, WASM, assets, KEY)
    assert caught.value.code == code
    assert os.listdir(tmp_path) == []


def test_a_failed_pack_leaves_the_old_package_alone(tmp_path):
    out = pack(tmp_path / "p.capsule", MANIFEST, WASM, None, KEY).path
    before = out.read_bytes()
    with pytest.raises(PackageError) as caught:
        pack(out, b"[not a manifest object]", WASM, None, KEY)
    assert caught.value.code == "bad-manifest-json"
    assert out.read_bytes() == before
    assert os.listdir(tmp_path) == ["p.capsule"]  # no temporary file left behind


def test_extract_to(tmp_path):
    package = open_package(pack(tmp_path / "p.capsule", MANIFEST, WASM, {"assets/img/logo.png": LOGO}, KEY).path)
    target = package.extract_to(tmp_path / "out" / package.digest.removeprefix("sha256:"))
    files = {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert files == package.members()
    assert sorted(files) == ["assets/img/logo.png", "manifest.json", "program.wasm", "signature.json"]
    with pytest.raises(FileExistsError):
        package.extract_to(target)


def test_extract_to_is_all_or_nothing(tmp_path, monkeypatch):
    package = open_package(pack(tmp_path / "p.capsule", MANIFEST, WASM, {"assets/logo.png": LOGO}, KEY).path)
    real_write = Path.write_bytes
    calls = []

    def failing_write(self: Path, data: bytes) -> int:
        calls.append(self)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(OSError, match="disk full"):
        package.extract_to(tmp_path / "out")
    assert sorted(os.listdir(tmp_path)) == ["p.capsule"]
