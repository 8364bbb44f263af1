"""Talking to a registry over HTTP (the CLI and hosts use this)."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote
from typing import Any, Callable, Iterator

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..home import Home
from ..package.keys import key_id, raw_public_key
from .errors import RegistryError
from .proof import sign_proof

DEFAULT_URL = "http://127.0.0.1:8470"
CHUNK = 256 * 1024


@dataclass(frozen=True)
class Credentials:
    """Where the registry is, the API token, and the registry key hosts pin.

    Kept in CAPSULE_HOME/registry/credentials.json (mode 0600); the
    environment (CAPSULE_REGISTRY_URL, CAPSULE_REGISTRY_TOKEN) wins.
    """

    url: str = DEFAULT_URL
    token: str | None = None
    registry_key: str | None = None

    @staticmethod
    def path(home: Home) -> Path:
        return home.root / "registry" / "credentials.json"

    @classmethod
    def load(cls, home: Home, url: str | None = None) -> "Credentials":
        stored: dict[str, Any] = {}
        path = cls.path(home)
        if path.exists():
            stored = json.loads(path.read_text())
        chosen = url or os.environ.get("CAPSULE_REGISTRY_URL") or stored.get("url") or DEFAULT_URL
        same = chosen.rstrip("/") == str(stored.get("url", "")).rstrip("/")
        return cls(
            url=chosen.rstrip("/"),
            token=os.environ.get("CAPSULE_REGISTRY_TOKEN") or (stored.get("token") if same else None),
            registry_key=stored.get("registry_key") if same else None,
        )

    def save(self, home: Home) -> Path:
        path = self.path(home)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            json.dump({"url": self.url, "token": self.token, "registry_key": self.registry_key}, out)
        os.replace(temporary, path)
        return path


class RegistryClient:
    def __init__(self, url: str, token: str | None = None, *, timeout: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def call(self, method: str, path: str, **options: Any) -> Any:
        try:
            response = self.http.request(method, path, **options)
        except httpx.HTTPError as error:
            raise RegistryError(
                503, "unreachable", f"cannot reach the registry at {self.url} ({error}); is `capsule host` or `capsule registry serve` running there? (--registry URL names another)"
            ) from None
        return _result(response)

    def publish(self, package: Path, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
        """Upload `package`, calling `progress(bytes_sent)` as it goes."""

        def chunks() -> Iterator[bytes]:
            with package.open("rb") as source:
                while chunk := source.read(CHUNK):
                    yield chunk
                    if progress:
                        progress(len(chunk))

        size = package.stat().st_size
        return self.call(
            "POST",
            "/packages",
            content=chunks(),
            headers={"Content-Type": "application/vnd.capsule.package", "Content-Length": str(size)},
        )

    def add_key(self, key: Ed25519PrivateKey, registry_key: str | None = None) -> str:
        """Register `key`'s public half to this account, proving we hold `key`: sign
        the registry's fresh challenge with it. Returns the key id.

        With `registry_key` (the pinned one), refuse to sign a challenge that
        names another registry: a proof made for one registry is no good at another.
        """
        challenge = self.call("POST", "/account/keys/challenge")
        fields = ("challenge", "account", "registry")
        if not isinstance(challenge, dict) or not all(isinstance(challenge.get(name), str) for name in fields):
            raise RegistryError(502, "bad-answer", f"{self.url} answered the key challenge request with something else; is it a Capsule registry?")
        if registry_key is not None and challenge["registry"] != key_id(base64.b64decode(registry_key)):
            raise RegistryError(
                409,
                "wrong-registry",
                f"{self.url} handed out a challenge for registry {challenge['registry'][:80]!r}, not the registry "
                "key you pinned; not signing it (run `capsule registry login` again if the registry's key really changed)",
            )
        public = base64.b64encode(raw_public_key(key.public_key())).decode("ascii")
        signature = sign_proof(key, challenge["registry"], challenge["account"], challenge["challenge"])
        body = {"public_key": public, "challenge": challenge["challenge"], "signature": signature}
        return str(self.call("POST", "/account/keys", json=body)["key_id"])

    def status(self, app_id: str, version: str) -> dict[str, Any]:
        """The version's signed status now (checked by `install_from_registry`)."""
        return self.call("GET", f"/apps/{app_id}/versions/{version}/status")

    def record_launch(self, app_id: str, user_pseudonym: str) -> bool:
        """Report one launch (needs a `host` token); False when it was counted already today."""
        return bool(self.call("POST", f"/apps/{app_id}/launches", json={"user": user_pseudonym})["counted"])

    def merchant_key(self, key_id: str) -> dict[str, Any]:
        """A merchant key's signed record (hosts check keys with it, see merchant_keys.py)."""
        return self.call("GET", f"/merchant-keys/{quote(key_id, safe='')}")

    def resolve(self, app_id: str, version: str | None = None, user: str | None = None) -> dict[str, Any]:
        """What to download: `version`, else the live one for `user` (phased rollouts differ by user)."""
        if version:
            return self.call("GET", f"/apps/{app_id}/versions/{version}")
        return self.call("GET", f"/apps/{app_id}/latest", params={"user": user} if user else None)

    def download(self, app_id: str, version: str, target: Path) -> None:
        try:
            with self.http.stream("GET", f"/apps/{app_id}/versions/{version}/package") as response:
                if response.status_code != 200:
                    response.read()
                    _result(response)
                with target.open("wb") as out:
                    for chunk in response.iter_bytes(CHUNK):
                        out.write(chunk)
        except httpx.HTTPError as error:
            raise RegistryError(503, "unreachable", f"cannot reach the registry at {self.url} ({error})") from None


def _result(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            body = response.json()
            code, message = body.get("error", "error"), body.get("message", response.text)
        except ValueError:
            code, message = "error", response.text or response.reason_phrase
        raise RegistryError(response.status_code, code, message)
    if response.status_code == 204 or not response.content:
        return None
    return response.json()
