"""Talking to a registry over HTTP (the CLI and hosts use this)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx

from ..home import Home
from .errors import RegistryError

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
                503, "unreachable", f"cannot reach the registry at {self.url} ({error}); is `capsule registry serve` running?"
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
