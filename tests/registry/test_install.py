"""A host installs from a registry only what the pinned registry key countersigned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from capsule.runtime import Host
from capsule.runtime.errors import PackageError
from capsule.runtime.package import open_package
from capsule.runtime.registry import RegistryKey
from capsule.runtime.registry.install import install_from_registry

from .conftest import fixed_key


class MirrorClient:
    """A registry (or a mirror in the middle) answering with `info` and serving `package`."""

    def __init__(self, info: dict, package: Path) -> None:
        self.info, self.package = info, package

    def resolve(self, app_id: str, version: str | None = None, user: str | None = None) -> dict:
        return self.info

    def download(self, app_id: str, version: str, target: Path) -> None:
        shutil.copy(self.package, target)


@pytest.fixture
def host(home):
    h = Host(home)
    yield h
    h.close()


def test_a_package_other_than_the_countersigned_digest_is_refused(home, host, make_package) -> None:
    key = RegistryKey.load_or_create(home)
    good = make_package(fixed_key("alice"))
    swapped = make_package(fixed_key("alice"), keywords={"en": ["swapped"]})
    digest = open_package(good).digest
    info = {"id": "com.example.coffee", "version": "1.0.0", "digest": digest, "countersignature": key.countersign("com.example.coffee", "1.0.0", digest)}
    with pytest.raises(PackageError) as refused:
        install_from_registry(host, MirrorClient(info, swapped), "com.example.coffee", registry_key=key.public_key)
    assert refused.value.code == "not-countersigned"


def test_a_countersignature_for_another_version_is_refused(home, host, make_package) -> None:
    key = RegistryKey.load_or_create(home)
    good = make_package(fixed_key("alice"))
    digest = open_package(good).digest
    info = {"id": "com.example.coffee", "version": "1.0.0", "digest": digest, "countersignature": key.countersign("com.example.coffee", "0.9.0", digest)}
    with pytest.raises(PackageError, match="countersignature"):
        install_from_registry(host, MirrorClient(info, good), "com.example.coffee", registry_key=key.public_key)
