"""Developer keys under CAPSULE_HOME/keys."""

from __future__ import annotations

import base64
import hashlib
import stat

import pytest
from cryptography.hazmat.primitives import serialization

from capsule.runtime.errors import PackageError
from capsule.runtime.home import Home
from capsule.runtime.package import KeyInfo, generate_key, load_signing_key, open_package, pack

from .zips import MANIFEST, WASM


@pytest.fixture
def home(tmp_path) -> Home:
    return Home(tmp_path / "home")


def test_generate_and_load(home, tmp_path):
    info = generate_key(home)
    assert isinstance(info, KeyInfo) and info.name == "default"
    assert info.path == home.keys / "default.key"
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    raw = base64.b64decode(info.public_key_b64)
    assert len(raw) == 32 and info.key_id == hashlib.sha256(raw).hexdigest()[:16]
    public = serialization.load_pem_public_key((home.keys / "default.pub").read_bytes())
    assert public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == raw

    key = load_signing_key(home)
    package = open_package(pack(tmp_path / "p.capsule", MANIFEST, WASM, None, key).path)
    assert (package.key_id, package.public_key) == (info.key_id, info.public_key_b64)


def test_named_keys_live_side_by_side(home):
    assert generate_key(home, "work").key_id != generate_key(home, "play").key_id
    assert sorted(p.name for p in home.keys.iterdir()) == ["play.key", "play.pub", "work.key", "work.pub"]


def test_refuses_to_overwrite_without_force(home):
    first = generate_key(home)
    with pytest.raises(PackageError) as caught:
        generate_key(home)
    assert caught.value.code == "key-exists" and "--force" in caught.value.message
    assert load_signing_key(home).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    ) == base64.b64decode(first.public_key_b64)
    second = generate_key(home, force=True)
    assert second.key_id != first.key_id
    assert stat.S_IMODE(second.path.stat().st_mode) == 0o600


def test_missing_key_says_to_run_keygen(home):
    with pytest.raises(PackageError) as caught:
        load_signing_key(home)
    assert caught.value.code == "key-missing" and "capsule keygen" in caught.value.message
    with pytest.raises(PackageError) as caught:
        load_signing_key(home, "release")
    assert "capsule keygen --name release" in caught.value.message


def test_unreadable_key(home):
    (home.keys / "default.key").write_text("not a key")
    with pytest.raises(PackageError) as caught:
        load_signing_key(home)
    assert caught.value.code == "bad-key"


@pytest.mark.parametrize("name", ["", "../escape", "a/b", ".hidden", "x" * 65])
def test_key_names_stay_in_the_keys_folder(home, name):
    with pytest.raises(PackageError) as caught:
        generate_key(home, name)
    assert caught.value.code == "bad-key-name"
