"""A host installs from a registry only what the pinned registry key countersigned
and a fresh status signed by that key still says is approved."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from capsule.runtime import Host
from capsule.runtime.errors import PackageError
from capsule.runtime.package import open_package
from capsule.runtime.registry import Registry, RegistryKey, tables, verify_countersignature
from capsule.runtime.registry.install import install_from_registry
from capsule.runtime.registry.status import STATUS_GRACE_SECONDS, signed_status

from .conftest import fixed_key, publish

APP = "com.example.coffee"
HOUR = 3600


class MirrorClient:
    """A registry (or a mirror in the middle) answering with `info` and `status`
    (or the real registry's status) and serving `package`."""

    def __init__(self, info: dict, package: Path, status: dict | None = None, registry=None) -> None:
        self.info, self.package, self._status, self.registry = info, package, status, registry

    def resolve(self, app_id: str, version: str | None = None, user: str | None = None) -> dict:
        return self.info

    def status(self, app_id: str, version: str) -> dict:
        return self.registry.status(app_id, version) if self.registry is not None else self._status

    def download(self, app_id: str, version: str, target: Path) -> None:
        shutil.copy(self.package, target)


@pytest.fixture
def own_home(home, tmp_path):
    """A home of its own (sharing only build caches), so what these tests install stays here."""
    return home.sharing_caches(tmp_path / "host-home")


@pytest.fixture
def host(own_home):
    h = Host(own_home)
    yield h
    h.close()


def countersigned(key: RegistryKey, path: Path, version: str = "1.0.0", *, at: int | None = None, signed_version: str | None = None) -> dict:
    digest = open_package(path).digest
    at = int(time.time()) if at is None else at
    signature = key.countersign(APP, signed_version or version, digest, at)
    return {"id": APP, "version": version, "digest": digest, "countersignature": signature, "countersigned_at": at}


def test_a_package_other_than_the_countersigned_digest_is_refused(own_home, host, make_package) -> None:
    key = RegistryKey.shared(host.services.database, own_home)
    good = make_package(fixed_key("alice"))
    swapped = make_package(fixed_key("alice"), keywords={"en": ["swapped"]})
    info = countersigned(key, good)
    status = signed_status(key, APP, "1.0.0", info["digest"], "approved")
    with pytest.raises(PackageError) as refused:
        install_from_registry(host, MirrorClient(info, swapped, status), APP, registry_key=key.public_key)
    assert refused.value.code == "not-countersigned"


def test_a_countersignature_for_another_version_is_refused(own_home, host, make_package) -> None:
    key = RegistryKey.shared(host.services.database, own_home)
    good = make_package(fixed_key("alice"))
    info = countersigned(key, good, signed_version="0.9.0")
    status = signed_status(key, APP, "1.0.0", info["digest"], "approved")
    with pytest.raises(PackageError, match="countersignature"):
        install_from_registry(host, MirrorClient(info, good, status), APP, registry_key=key.public_key)


def test_a_countersignature_with_another_issue_time_is_refused(own_home, host, make_package) -> None:
    key = RegistryKey.shared(host.services.database, own_home)
    good = make_package(fixed_key("alice"))
    info = {**countersigned(key, good, at=int(time.time()) - 100), "countersigned_at": int(time.time())}
    status = signed_status(key, APP, "1.0.0", info["digest"], "approved")
    with pytest.raises(PackageError) as refused:
        install_from_registry(host, MirrorClient(info, good, status), APP, registry_key=key.public_key)
    assert refused.value.code == "not-countersigned"


def _released(client, actors, make_package, version: str) -> Path:
    path = make_package(actors["alice"].key, version=version)
    review = publish(client, actors["alice"], path).json()["review_id"]
    assert client.post(f"/reviews/{review}/approve", json={}, headers=actors["reviewer"].headers).status_code == 200
    return path


def test_a_replayed_countersigned_download_of_a_yanked_version_is_refused(client, actors, registry, host, make_package) -> None:
    path = _released(client, actors, make_package, "1.0.0")
    replayed = client.get(f"/apps/{APP}/versions/1.0.0").json()  # what a mirror kept while it was live
    assert client.post(f"/apps/{APP}/versions/1.0.0/yank", json={"reason": "leaks data"}, headers=actors["alice"].headers).status_code == 200
    # The registry itself no longer serves it ...
    assert client.get(f"/apps/{APP}/versions/1.0.0/package").status_code == 404
    # ... and a mirror replaying the countersigned answer and bytes is caught by the fresh status.
    with pytest.raises(PackageError) as refused:
        install_from_registry(host, MirrorClient(replayed, path, registry=registry), APP, registry_key=registry.key.public_key)
    assert refused.value.code == "revoked" and "yanked" in str(refused.value)
    status = client.get(f"/apps/{APP}/versions/1.0.0/status").json()
    assert status["status"] == "yanked" and abs(status["at"] - time.time()) < 60


def test_a_rolled_back_version_is_refused(client, actors, registry, host, make_package) -> None:
    _released(client, actors, make_package, "1.0.0")
    _released(client, actors, make_package, "1.1.0")
    assert client.post(f"/apps/{APP}/rollback", headers=actors["alice"].headers).json()["version"] == "1.0.0"
    with pytest.raises(PackageError) as refused:
        install_from_registry(host, registry, APP, registry_key=registry.key.public_key, version="1.1.0")
    assert refused.value.code == "revoked" and "rolled-back" in str(refused.value)
    # The live one installs, status checked.
    installed = install_from_registry(host, registry, APP, registry_key=registry.key.public_key)
    assert str(installed.manifest.version) == "1.0.0"


def test_a_status_older_than_the_grace_period_is_refused_and_within_it_accepted(own_home, host, make_package) -> None:
    key = RegistryKey.shared(host.services.database, own_home)
    path = make_package(fixed_key("alice"))
    now = int(time.time())
    info = countersigned(key, path, at=now - 30 * HOUR)
    assert STATUS_GRACE_SECONDS == 24 * HOUR  # as docs/registry.md says

    stale = signed_status(key, APP, "1.0.0", info["digest"], "approved", at=now - 25 * HOUR)
    with pytest.raises(PackageError) as refused:
        install_from_registry(host, MirrorClient(info, path, stale), APP, registry_key=key.public_key)
    assert refused.value.code == "stale-status" and "24 h" in str(refused.value)

    recent = signed_status(key, APP, "1.0.0", info["digest"], "approved", at=now - 23 * HOUR)
    installed = install_from_registry(host, MirrorClient(info, path, recent), APP, registry_key=key.public_key)
    assert installed.manifest.id == APP


@pytest.mark.parametrize("forgery", ["other key", "other digest", "other status", "before countersignature", "future", "missing"])
def test_a_status_that_does_not_hold_is_refused(own_home, host, make_package, forgery: str) -> None:
    key = RegistryKey.shared(host.services.database, own_home)
    path = make_package(fixed_key("alice"))
    now = int(time.time())
    info = countersigned(key, path, at=now - HOUR)
    status = signed_status(key, APP, "1.0.0", info["digest"], "approved", at=now)
    if forgery == "other key":
        status = signed_status(RegistryKey(fixed_key("mallory")), APP, "1.0.0", info["digest"], "approved", at=now)
    elif forgery == "other digest":
        status = signed_status(key, APP, "1.0.0", "sha256:" + "0" * 64, "approved", at=now)
    elif forgery == "other status":
        status = {**signed_status(key, APP, "1.0.0", info["digest"], "yanked", at=now), "status": "approved"}
    elif forgery == "before countersignature":
        status = signed_status(key, APP, "1.0.0", info["digest"], "approved", at=now - 2 * HOUR)
    elif forgery == "future":
        status = signed_status(key, APP, "1.0.0", info["digest"], "approved", at=now + 2 * HOUR)
    elif forgery == "missing":
        status = None
    with pytest.raises(PackageError) as refused:
        install_from_registry(host, MirrorClient(info, path, status), APP, registry_key=key.public_key)
    assert refused.value.code == "bad-status"


def test_a_registry_made_before_issue_times_countersigns_its_released_versions_at_start(
    client, actors, registry, home, database, tmp_path, shared_engine, make_package
) -> None:
    _released(client, actors, make_package, "1.0.0")
    with registry.database.transaction() as connection:
        connection.execute(tables.countersignatures.delete())  # as an older registry left it
    assert client.get(f"/apps/{APP}/latest").status_code == 404
    reopened = Registry(home, database, blobs=tmp_path / "blobs", engine=shared_engine)
    info = reopened.resolve(APP)
    verify_countersignature(reopened.key.public_key, APP, "1.0.0", info["digest"], info["countersigned_at"], info["countersignature"])
