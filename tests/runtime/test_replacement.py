"""Installing over an installed program: no takeover by another key, no downgrade (issue 10)."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capsule.runtime import Host, PackageError, PolicyPrompter
from capsule.runtime.package import generate_key, load_signing_key
from capsule.runtime.package.replacement import (
    Countersignature,
    Installed,
    check_replacement,
    sign_rotation,
)
from capsule.runtime.registry.countersign import RegistryKey
from capsule.sdk.toolchain.build import build_program

from ..conftest import PROGRAMS, texts

PROBE = PROGRAMS / "capabilities"
PROBE_ID = "dev.capsule.tests.capabilities"
NOW = 1_764_800_000_000  # when the test registry countersigned (ms)


@pytest.fixture(scope="module")
def two_keys(home, tmp_path_factory):
    """The probe signed by its developer ("default") and by someone else ("mallory")."""
    generate_key(home, "mallory", force=True)
    out = tmp_path_factory.mktemp("takeover")
    return (
        build_program(PROBE, home=home, out_dir=out / "own"),
        build_program(PROBE, home=home, key_name="mallory", out_dir=out / "other"),
    )


def outcome(session):
    return texts(session.view)[0]


def test_another_keys_package_cannot_take_over_an_installed_id(home, two_keys, tmp_path, monkeypatch):
    own, other = two_keys
    monkeypatch.setenv("CAPSULE_LOCATION", "52.3731,4.8922")
    grants = PolicyPrompter(grants={"profile": True, "location.precise": True})
    host = Host(home.sharing_caches(tmp_path / "home"), prompter=grants)
    try:
        host.install(own.package)
        session = host.launch(PROBE_ID, user="alice")
        session.dispatch("save", {"key": "diary", "value": "alice's secret"})
        session.dispatch("whoami")
        alice_id = outcome(session)
        session.close()

        with pytest.raises(PackageError) as caught:
            host.install(other.package)
        error = caught.value
        assert error.code == "key-changed"
        assert PROBE_ID in str(error) and own.key_id in str(error) and other.key_id in str(error)
        assert "rotation" in str(error)

        # Nothing changed hands: the id still runs the first developer's program, in
        # this host and in a host opened later on the same home.
        for h in (host, Host(home.sharing_caches(tmp_path / "home"), prompter=PolicyPrompter())):
            assert h.app(PROBE_ID).key_id == own.key_id
        assert host.installed()[0]["key_id"] == own.key_id

        # Whoever launches the id gets the first program, its storage and its ids.
        session = host.launch(PROBE_ID, user="alice")
        session.dispatch("load", {"key": "diary"})
        assert "alice's secret" in outcome(session)
        session.dispatch("whoami")
        assert outcome(session) == alice_id
    finally:
        host.close()


def test_a_key_rotation_signed_by_the_old_key_lets_the_new_key_in(home, two_keys, tmp_path):
    own, other = two_keys
    host = Host(home.sharing_caches(tmp_path / "home"))
    try:
        host.install(own.package)
        forged = sign_rotation(load_signing_key(home, "mallory"), PROBE_ID, other.key_id)
        with pytest.raises(PackageError, match="key-changed|another developer"):
            host.install(other.package, rotation=forged)
        rotation = sign_rotation(load_signing_key(home, "default"), PROBE_ID, other.key_id)
        assert host.install(other.package, rotation=rotation).key_id == other.key_id
    finally:
        host.close()


def test_a_package_countersigned_by_its_registry_may_change_key(home, two_keys, tmp_path):
    own, other = two_keys
    registry = RegistryKey(Ed25519PrivateKey.generate())
    host = Host(home.sharing_caches(tmp_path / "home"))
    try:
        host.install(own.package)
        manifest = json.loads((PROBE / "manifest.json").read_text())
        wrong = Countersignature(registry.public_key, registry.countersign(PROBE_ID, "9.9.9", other.digest, NOW), NOW)
        with pytest.raises(PackageError, match="another developer"):
            host.install(other.package, countersignature=wrong)
        signature = registry.countersign(PROBE_ID, manifest["version"], other.digest, NOW)
        right = Countersignature(registry.public_key, signature, NOW)
        assert host.install(other.package, countersignature=right).key_id == other.key_id
    finally:
        host.close()


def test_reinstalling_the_same_package_is_allowed(home, two_keys, tmp_path):
    own, _ = two_keys
    host = Host(home.sharing_caches(tmp_path / "home"))
    try:
        host.install(own.package)
        host.install(own.package)
    finally:
        host.close()


INSTALLED = Installed("com.example.food", "1.2.0", "sha256:aaa", "k-dev")


@pytest.mark.parametrize(
    "incoming, code, words",
    [
        (Installed("com.example.food", "1.1.9", "sha256:bbb", "k-dev"), "downgrade", "older 1.1.9"),
        (Installed("com.example.food", "1.2.0-rc.1", "sha256:bbb", "k-dev"), "downgrade", "older"),
        (Installed("com.example.food", "1.2.0", "sha256:bbb", "k-dev"), "downgrade", "same version with other content"),
        (Installed("com.example.food", "1.3.0", "sha256:bbb", "k-other"), "key-changed", "k-dev"),
    ],
)
def test_downgrades_and_key_changes_are_refused(incoming, code, words):
    with pytest.raises(PackageError, match=words) as caught:
        check_replacement(INSTALLED, incoming)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "incoming",
    [
        Installed("com.example.food", "1.2.0", "sha256:aaa", "k-dev"),
        Installed("com.example.food", "1.2.1", "sha256:bbb", "k-dev"),
        Installed("com.example.food", "2.0.0", "sha256:ccc", "k-dev"),
    ],
)
def test_the_same_package_or_a_higher_version_is_accepted(incoming):
    check_replacement(INSTALLED, incoming)
    check_replacement(None, incoming)


def test_a_developers_rebuild_may_keep_its_version_but_not_change_key():
    edited = Installed("com.example.food", "1.2.0", "sha256:edited", "k-dev")
    check_replacement(INSTALLED, edited, rebuilt=True)
    with pytest.raises(PackageError, match="another developer"):
        check_replacement(INSTALLED, Installed("com.example.food", "1.2.0", "sha256:bbb", "k-other"), rebuilt=True)


def test_a_registry_countersigned_rollback_is_accepted(home):
    registry = RegistryKey(Ed25519PrivateKey.generate())
    older = Installed("com.example.food", "1.1.0", "sha256:old", "k-dev")
    signed = Countersignature(registry.public_key, registry.countersign(older.app_id, older.version, older.digest, NOW), NOW)
    check_replacement(INSTALLED, older, countersignature=signed)
    with pytest.raises(PackageError, match="older"):
        check_replacement(INSTALLED, older, countersignature=Countersignature(registry.public_key, "AAAA", NOW))
