"""Registry fixtures: a registry on each database, accounts per role, and
source packages packed around the hello sample's files."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.testclient import TestClient

from capsule.runtime.engine.engine import Engine
from capsule.runtime.package import open_package, pack_members
from capsule.runtime.package.keys import raw_public_key
from capsule.runtime.registry import Registry
from capsule.runtime.registry.app import create_app
from capsule.runtime.registry.proof import sign_proof

REPO = Path(__file__).resolve().parents[2]
HELLO_MANIFEST = json.loads((REPO / "sample_programs" / "hello" / "manifest.json").read_text())


class SharedEngine(Engine):
    """Compiles each distinct component once per session, whatever package it
    came in: tests pack many packages around one component."""

    compiled: dict[str, Any] = {}

    def component(self, digest, wasm=None, *, wasm_path=None):  # noqa: ANN001, ANN201 - same signature as Engine
        key = hashlib.sha256(wasm or wasm_path.read_bytes()).hexdigest()
        if key not in self.compiled:
            self.compiled[key] = super().component(digest, wasm, wasm_path=wasm_path)
        return self.compiled[key]


@pytest.fixture(scope="session")
def hello_files(packages) -> dict[str, bytes]:
    """The hello sample's source package members, but its signature."""
    package = open_package(packages["hello"].package)
    return dict(package.files)


@pytest.fixture(scope="session")
def shared_engine(home) -> SharedEngine:
    return SharedEngine(home.compile_cache)


@dataclass
class Packer:
    """Packs (and remembers) source packages: each distinct (key, manifest) once per session."""

    directory: Path
    files: dict[str, bytes]

    def __call__(self, key: Ed25519PrivateKey, app_id: str = "com.example.coffee", version: str = "1.0.0", **fields: Any) -> Path:
        manifest = {**HELLO_MANIFEST, "id": app_id, "version": version, **fields}
        manifest.pop("icon", None)
        text = json.dumps(manifest, sort_keys=True)
        public = raw_public_key(key.public_key())
        out = self.directory / f"{hashlib.sha256(public + text.encode()).hexdigest()[:16]}.capsule"
        if not out.exists():
            pack_members(out, {**self.files, "manifest.json": text.encode()}, key)
        return out


@pytest.fixture(scope="session")
def make_package(tmp_path_factory: pytest.TempPathFactory, hello_files: dict[str, bytes]) -> Packer:
    return Packer(tmp_path_factory.mktemp("registry-packages"), hello_files)


def fixed_key(name: str) -> Ed25519PrivateKey:
    """The same key for `name` in every test, so packed packages can be reused."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"capsule-test-{name}".encode()).digest())


@pytest.fixture
def registry(home, database, tmp_path: Path, shared_engine: SharedEngine) -> Registry:
    return Registry(home, database, blobs=tmp_path / "blobs", engine=shared_engine)


@dataclass
class Actor:
    name: str
    token: str
    key: Ed25519PrivateKey

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def client(registry: Registry) -> TestClient:
    return TestClient(create_app(registry), raise_server_exceptions=True)


@pytest.fixture
def actors(registry: Registry, client: TestClient) -> dict[str, Actor]:
    """admin, reviewer, two developers (each with a registered key), and an account with no role that matters here."""
    found: dict[str, Actor] = {}
    for name, roles in {"admin": ["admin"], "reviewer": ["reviewer"], "alice": ["developer"], "bob": ["developer"]}.items():
        _, token = registry.create_account(None, name, roles)
        found[name] = Actor(name, token, fixed_key(name))
    for name in ("alice", "bob"):
        response = register_key(client, found[name], found[name].key)
        assert response.status_code == 201, response.text
    return found


def public_b64(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(raw_public_key(key.public_key())).decode()


def register_key(client: TestClient, actor: Actor, key: Ed25519PrivateKey):
    """Register `key` to `actor` the way a client must: sign a fresh challenge with it."""
    challenge = client.post("/account/keys/challenge", headers=actor.headers)
    assert challenge.status_code == 201, challenge.text
    body = challenge.json()
    signature = sign_proof(key, body["registry"], body["account"], body["challenge"])
    return client.post(
        "/account/keys", json={"public_key": public_b64(key), "challenge": body["challenge"], "signature": signature}, headers=actor.headers
    )


def publish(client: TestClient, actor: Actor, path: Path):
    return client.post("/packages", content=path.read_bytes(), headers=actor.headers)
