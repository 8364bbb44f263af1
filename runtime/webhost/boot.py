"""The shell's page as it is served: with what its first paint needs inside it.

`index.html` is sent with a `<script type="application/json" id="boot">`
holding the signed-in account's config (what `/api/config` answers) and the
messages of its language, and `<html lang>` set to that language. The shell
reads it at start, so its first screen needs no further request for either:
one message file, not two (the English one is sent only as the handful of
keys a translation lacks), and no round trip for the config. A data block is
not a script: the Content-Security-Policy (`script-src 'self'`) stands.

Static files are also served under `/static/v-<digest>/`, the digest of every
file of the shell, with a year-long immutable cache: the page refers to that
prefix, modules import each other relatively, so a returning browser loads
the shell from its cache and a new release changes every address at once.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .language import SUPPORTED

STATIC = Path(__file__).with_name("static")
#: Cache-Control of a versioned static file: its address changes when it does.
IMMUTABLE = "public, max-age=31536000, immutable"


def static_digest(folder: Path = STATIC) -> str:
    """12 hex digits of a hash over every file's path and bytes under `folder`."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class ShellPage:
    """`index.html` with the boot data, rendered per request from files read once."""

    def __init__(self, folder: Path = STATIC) -> None:
        self.version = static_digest(folder)
        self.prefix = f"/static/v-{self.version}/"
        self._template = (folder / "index.html").read_text().replace('"/static/', f'"{self.prefix}')
        english = _messages(folder, "en")
        self._messages: dict[str, dict[str, Any]] = {}
        for language in SUPPORTED:
            own = _messages(folder, language)
            # English only for what the translation lacks (nothing, when the files are complete).
            self._messages[language] = {
                "messages": own,
                "fallback": {key: text for key, text in english.items() if key not in own},
            }

    def render(self, config: dict[str, Any], language: str) -> str:
        """The page for one account: its config and its language's messages inside."""
        if language not in self._messages:
            language = "en"
        boot = {"config": config, "language": language, **self._messages[language]}
        # "<" escaped: no text in the data can close the <script> element it sits in.
        data = json.dumps(boot, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        page = self._template.replace('<html lang="en">', f'<html lang="{language}">', 1)
        return page.replace("<!-- boot -->", f'<script type="application/json" id="boot">{data}</script>', 1)


def _messages(folder: Path, language: str) -> dict[str, Any]:
    found = json.loads((folder / "i18n" / f"{language}.json").read_text())
    if not isinstance(found, dict):
        raise ValueError(f"{folder / 'i18n' / language}.json is not a JSON object of messages")
    return found


class Immutable:
    """ASGI wrapper for the versioned static files: answers a browser may keep for a year."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [(name, value) for name, value in message.get("headers", []) if name.lower() != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", IMMUTABLE.encode())]
            await send(message)

        await self.app(scope, receive, cached)
