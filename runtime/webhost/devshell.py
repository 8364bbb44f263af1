"""`capsule dev`: the shell in developer mode on one program folder.

The program runs on the prebuilt developer component (see runtime.devmode),
so an edit costs a reload, not a build: the watcher reloads the folder, every
tab showing the program is told to relaunch it on the same page, and the
inspector's entries (capability calls, log lines, builds) stream to the tabs.
Presets change what the host tells the program: who the user is, their
locale, where the device is and how much is in the wallet.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..capabilities.payments.embedded import EmbeddedProvider
from ..capabilities.payments.money import KNOWN_CURRENCIES
from ..devmode import DevBuild, DevEntry, DevProgram
from ..errors import CapsuleError
from ..manifest import Manifest
from ..prompter import Prompter
from ..session import Session
from .demo import DemoUser

if TYPE_CHECKING:
    from .state import WebHost


class DevShell:
    def __init__(self, web: "WebHost", program: DevProgram) -> None:
        self.web = web
        self.program = program
        self._unsubscribe = program.inspector.subscribe(self._forward)
        self._watcher = program.watch(on_reload=self._reloaded)

    @property
    def app_id(self) -> str | None:
        return self.program.id

    @property
    def manifest(self) -> Manifest | None:
        return self.program.manifest

    def launch(self, *, user: str, scene: str, query: dict[str, str], page: str | None, prompter: Prompter) -> Session:
        return self.program.launch(user=user, scene=scene, query=query, page=page, prompter=prompter)

    def locate(self, error: BaseException) -> dict[str, Any]:
        """File and line in the program folder for an error a session raised."""
        problem = self.program.explain(error)
        return {"file": problem.file, "line": problem.line}

    def describe(self, user: str) -> dict[str, Any]:
        """What the shell's developer panels start from (`dev` in /api/config), for `user`."""
        manifest = self.manifest
        return {
            "app_id": self.app_id,
            "name": manifest.localized("name") if manifest else self.program.directory.name,
            "directory": str(self.program.directory),
            "build": self.program.last.as_entry(),
            "position": self._read(self._location_file()).get("position"),
            "locales": sorted(manifest.name) if manifest else [],
            "presets": {"user": user, "locale": self._locale(user), "balance": self._balance(user)},
            "entries": [entry.as_dict() for entry in self.program.inspector.entries()][-200:],
        }

    def apply_presets(self, body: Any, user: str) -> dict[str, Any]:
        """Set the user, their locale, the device position and the wallet balance."""
        if not isinstance(body, dict):
            raise ValueError('send a JSON object such as {"locale": "nl-NL"}')
        applied: dict[str, Any] = {}
        if "user" in body:
            name = body["user"]
            if not isinstance(name, str) or not name.isidentifier() or len(name) > 40:
                raise ValueError("`user` must be a short name of letters, digits and _ (e.g. dave)")
            if name not in self.web.user_names():
                self.web.users = (*self.web.users, DemoUser(name, name.capitalize()))
            applied["user"] = user = name
        if "locale" in body:
            applied["locale"] = self._set_locale(user, body["locale"])
        if "position" in body:
            applied["position"] = self._set_position(body["position"])
        if "balance" in body:
            applied["balance"] = self._set_balance(user, body["balance"])
        return applied

    def close(self) -> None:
        self._unsubscribe()
        self._watcher.stop()
        self.program.close()

    # -- presets ---------------------------------------------------------------

    def _locale(self, user: str) -> str | None:
        entry = self._read(self.web.host.home.root / "profiles.json").get(user)
        return entry.get("locale") if isinstance(entry, dict) else None

    def _balance(self, user: str, currency: str = "CNY") -> dict[str, Any] | None:
        provider = self.web.host.capabilities["payments"].provider  # type: ignore[attr-defined]
        if not isinstance(provider, EmbeddedProvider):
            return None
        return {"amount": provider.balance(user, currency), "currency": currency}

    def _set_locale(self, user: str, locale: Any) -> str:
        if not isinstance(locale, str) or not 2 <= len(locale) <= 20:
            raise ValueError("`locale` is a BCP 47 tag such as en, nl-NL or zh-CN")
        path = self.web.host.home.root / "profiles.json"
        profiles = self._read(path)
        profiles.setdefault(user, {"nickname": user.capitalize()})["locale"] = locale
        _write_json(path, profiles)
        return locale

    def _set_position(self, position: Any) -> dict[str, float]:
        try:
            latitude, longitude = float(position["latitude"]), float(position["longitude"])
        except (TypeError, KeyError, ValueError):
            raise ValueError('`position` is {"latitude": 52.37, "longitude": 4.89}') from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError("latitude is -90 to 90 and longitude -180 to 180")
        _write_json(self._location_file(), {"position": [latitude, longitude]})
        return {"latitude": latitude, "longitude": longitude}

    def _set_balance(self, user: str, balance: Any) -> dict[str, Any]:
        """Tops the wallet up to `amount` (money only enters a ledger; it is never deleted)."""
        try:
            amount, currency = balance["amount"], str(balance["currency"]).upper()
        except (TypeError, KeyError):
            raise ValueError('`balance` is {"amount": 10000, "currency": "CNY"} in minor units') from None
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise ValueError("`balance.amount` is a whole number of minor units (cents, fen), 0 or more")
        if currency not in KNOWN_CURRENCIES:
            raise ValueError(f"{currency!r} is not a currency the embedded wallet keeps (ISO 4217, e.g. CNY, EUR)")
        provider = self.web.host.capabilities["payments"].provider  # type: ignore[attr-defined]
        if not isinstance(provider, EmbeddedProvider):
            raise CapsuleError("this host's payment processor keeps the wallet", code="not-embedded")
        current = provider.balance(user, currency)
        if amount > current:
            provider.topup(user, amount - current, currency, memo="developer preset")
        return {"amount": provider.balance(user, currency), "currency": currency}

    def _location_file(self) -> Path:
        return self.web.host.home.root / "location.json"

    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        try:
            found = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    # -- streaming to the tabs ---------------------------------------------------

    def _forward(self, entry: DevEntry) -> None:
        # Called on the session's thread: `send` only queues. Every tab gets
        # every entry: developer mode is one developer's machine, and a
        # launching session's first calls come before any tab knows its id.
        message = {"type": "dev", "session": entry.session, "entry": entry.as_dict()}
        for tab in list(self.web.connections):
            tab.send(message)

    def _reloaded(self, result: DevBuild) -> None:
        if result.ok and self.app_id is not None:
            for tab in list(self.web.connections):
                tab.relaunch_all(self.app_id)


def _write_json(path: Path, value: dict[str, Any]) -> None:
    """Written aside and renamed: a provider reading at that moment sees the old or the new file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        json.dump(value, f, indent=2)
    os.replace(tmp, path)
